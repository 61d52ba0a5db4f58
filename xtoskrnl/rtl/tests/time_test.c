/* RtlTimeSuite: calendar time against known values, the Gregorian leap rules, field validation, a day-by-day walk
 * over 1601..3000 checked against an independent incremental calendar, and ISO 8601 formatting. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

#define TICKS_PER_SECOND 10000000LL
#define TICKS_PER_DAY    (86400LL * TICKS_PER_SECOND)
/* Seconds from 1601-01-01 to the Unix epoch (NT's well-known 11644473600). */
#define UNIX_EPOCH_SECONDS 11644473600LL

static TIME_FIELDS MakeFields(LONG Year, LONG Month, LONG Day, LONG Hour, LONG Minute, LONG Second, LONG Ms) {
    TIME_FIELDS Fields = {(SHORT)Year,   (SHORT)Month,  (SHORT)Day, (SHORT)Hour,
                          (SHORT)Minute, (SHORT)Second, (SHORT)Ms,  0};
    return Fields;
}

XTEST(KnownValues) {
    TIME_FIELDS Fields = MakeFields(1601, 1, 1, 0, 0, 0, 0);
    LARGE_INTEGER Time = {.QuadPart = -1};

    XTEST_CHECK(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_CHECK_EQ(Time.QuadPart, 0);
    Fields = MakeFields(1970, 1, 1, 0, 0, 0, 0);
    XTEST_CHECK(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_CHECK_EQ(Time.QuadPart, UNIX_EPOCH_SECONDS * TICKS_PER_SECOND);
    /* 2026-11-30T11:40:00Z is Unix 1796038800. */
    Fields = MakeFields(2026, 11, 30, 11, 40, 0, 0);
    XTEST_CHECK(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_CHECK_EQ(Time.QuadPart, (UNIX_EPOCH_SECONDS + 1796038800LL) * TICKS_PER_SECOND);
    Fields = MakeFields(2000, 2, 29, 23, 59, 59, 999);
    XTEST_CHECK(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_CHECK_EQ(Time.QuadPart, (UNIX_EPOCH_SECONDS + 951868799LL) * TICKS_PER_SECOND + 9990000);

    /* The largest representable time: 30828-09-14T02:48:05.477 (a Thursday). */
    Time.QuadPart = 0x7FFFFFFFFFFFFFFFLL;
    XTEST_ASSERT(RtlTimeToTimeFields(&Time, &Fields));
    XTEST_CHECK_EQ(Fields.Year, 30828);
    XTEST_CHECK_EQ(Fields.Month, 9);
    XTEST_CHECK_EQ(Fields.Day, 14);
    XTEST_CHECK_EQ(Fields.Hour, 2);
    XTEST_CHECK_EQ(Fields.Minute, 48);
    XTEST_CHECK_EQ(Fields.Second, 5);
    XTEST_CHECK_EQ(Fields.Milliseconds, 477);
    XTEST_CHECK_EQ(Fields.Weekday, 4);

    Time.QuadPart = 0;
    XTEST_ASSERT(RtlTimeToTimeFields(&Time, &Fields));
    XTEST_CHECK_EQ(Fields.Weekday, 1); /* Monday */
    Time.QuadPart = -1;
    Fields = MakeFields(1, 2, 3, 4, 5, 6, 7);
    XTEST_CHECK(!RtlTimeToTimeFields(&Time, &Fields));
    XTEST_CHECK_EQ(Fields.Year, 1); /* untouched */
}

XTEST(LeapYears) {
    TIME_FIELDS Fields;
    LARGE_INTEGER Time = {.QuadPart = 0};
    static const ULONG Leap[] = {1604, 1996, 2000, 2004, 2024, 2400, 2800};
    static const ULONG Common[] = {1601, 1700, 1800, 1900, 2001, 2023, 2100, 2200, 2300, 2500};
    ULONG Index;

    for (Index = 0; Index < ARRAY_SIZE(Leap); Index++) {
        XTEST_CHECK(RtlIsLeapYear(Leap[Index]));
        Fields = MakeFields((LONG)Leap[Index], 2, 29, 12, 0, 0, 0);
        XTEST_CHECK(RtlTimeFieldsToTime(&Fields, &Time));
    }
    for (Index = 0; Index < ARRAY_SIZE(Common); Index++) {
        XTEST_CHECK(!RtlIsLeapYear(Common[Index]));
        Fields = MakeFields((LONG)Common[Index], 2, 29, 12, 0, 0, 0);
        XTEST_CHECK(!RtlTimeFieldsToTime(&Fields, &Time));
        Fields = MakeFields((LONG)Common[Index], 2, 28, 12, 0, 0, 0);
        XTEST_CHECK(RtlTimeFieldsToTime(&Fields, &Time));
    }
    /* Dec 31 of a year divisible by 400 and of a leap year: the cycle boundaries of the day split. */
    Fields = MakeFields(2000, 12, 31, 0, 0, 0, 0);
    XTEST_ASSERT(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_ASSERT(RtlTimeToTimeFields(&Time, &Fields));
    XTEST_CHECK(Fields.Year == 2000 && Fields.Month == 12 && Fields.Day == 31);
    Fields = MakeFields(2024, 12, 31, 0, 0, 0, 0);
    XTEST_ASSERT(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_ASSERT(RtlTimeToTimeFields(&Time, &Fields));
    XTEST_CHECK(Fields.Year == 2024 && Fields.Month == 12 && Fields.Day == 31);
}

XTEST(InvalidFields) {
    static const SHORT Bad[][7] = {
        {1600, 12, 31, 23, 59, 59, 999}, {30828, 1, 1, 0, 0, 0, 0},   {-1, 1, 1, 0, 0, 0, 0},
        {2026, 0, 1, 0, 0, 0, 0},        {2026, 13, 1, 0, 0, 0, 0},   {2026, 1, 0, 0, 0, 0, 0},
        {2026, 1, 32, 0, 0, 0, 0},       {2026, 4, 31, 0, 0, 0, 0},   {2026, 6, 31, 0, 0, 0, 0},
        {2026, 9, 31, 0, 0, 0, 0},       {2026, 11, 31, 0, 0, 0, 0},  {2026, 1, 1, 24, 0, 0, 0},
        {2026, 1, 1, -1, 0, 0, 0},       {2026, 1, 1, 0, 60, 0, 0},   {2026, 1, 1, 0, 0, 60, 0},
        {2026, 1, 1, 0, 0, -1, 0},       {2026, 1, 1, 0, 0, 0, 1000}, {2026, 1, 1, 0, 0, 0, -1},
    };
    LARGE_INTEGER Time;
    ULONG Index;

    for (Index = 0; Index < ARRAY_SIZE(Bad); Index++) {
        TIME_FIELDS Fields = MakeFields(Bad[Index][0], Bad[Index][1], Bad[Index][2], Bad[Index][3], Bad[Index][4],
                                        Bad[Index][5], Bad[Index][6]);
        Time.QuadPart = 12345;
        XTEST_CHECK(!RtlTimeFieldsToTime(&Fields, &Time));
        XTEST_CHECK_EQ(Time.QuadPart, 12345);
    }
    {
        TIME_FIELDS Last = MakeFields(30827, 12, 31, 23, 59, 59, 999);
        XTEST_CHECK(RtlTimeFieldsToTime(&Last, &Time));
    }
}

/* Advances Year/Month/Day by one day with the month lengths written out independently of the code under test. */
static VOID NextDay(PULONG Year, PULONG Month, PULONG Day) {
    static const UCHAR Lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    ULONG Length = Lengths[*Month - 1];
    if (*Month == 2 && ((*Year % 4 == 0 && *Year % 100 != 0) || *Year % 400 == 0)) {
        Length = 29;
    }
    if (++*Day > Length) {
        *Day = 1;
        if (++*Month > 12) {
            *Month = 1;
            ++*Year;
        }
    }
}

XTEST(EveryDay1601To3000) {
    RTL_TEST_RANDOM Random = {0x1601};
    ULONG Year = 1601, Month = 1, Day = 1, Weekday = 1;
    LONGLONG DayIndex = 0;
    ULONG Failures = 0;

    /* Each day with a random time of day: both directions agree with the incremental calendar. */
    while (Year <= 3000) {
        ULONG Seconds = RtlTestRandomBelow(&Random, 86400);
        ULONG Ms = RtlTestRandomBelow(&Random, 1000);
        TIME_FIELDS Fields = MakeFields((LONG)Year, (LONG)Month, (LONG)Day, (LONG)(Seconds / 3600),
                                        (LONG)(Seconds / 60 % 60), (LONG)(Seconds % 60), (LONG)Ms);
        LONGLONG Expected = DayIndex * TICKS_PER_DAY + (LONGLONG)Seconds * TICKS_PER_SECOND + Ms * 10000LL;
        LARGE_INTEGER Time = {.QuadPart = 0};
        TIME_FIELDS Back;

        if (!RtlTimeFieldsToTime(&Fields, &Time) || Time.QuadPart != Expected) {
            Failures++;
        }
        Time.QuadPart = Expected + RtlTestRandomBelow(&Random, 10000); /* sub-millisecond ticks are dropped */
        if (!RtlTimeToTimeFields(&Time, &Back) || Back.Year != Fields.Year || Back.Month != Fields.Month ||
            Back.Day != Fields.Day || Back.Hour != Fields.Hour || Back.Minute != Fields.Minute ||
            Back.Second != Fields.Second || Back.Milliseconds != Fields.Milliseconds ||
            Back.Weekday != (SHORT)Weekday) {
            if (Failures < 5) {
                XtestPrint("day %u-%u-%u: got %d-%d-%d\n", Year, Month, Day, Back.Year, Back.Month, Back.Day);
            }
            Failures++;
        }
        NextDay(&Year, &Month, &Day);
        Weekday = (Weekday + 1) % 7;
        DayIndex++;
    }
    XTEST_CHECK_EQ(Failures, 0);
    XTEST_CHECK_EQ(DayIndex, 511339); /* 1400 years: 1400 * 365 + 339 leap days */
}

XTEST(IsoFormat) {
    TIME_FIELDS Fields = MakeFields(2026, 11, 30, 11, 40, 0, 999);
    LARGE_INTEGER Time;
    CHAR Buffer[RTL_ISO_TIME_SIZE];

    XTEST_ASSERT(RtlTimeFieldsToTime(&Fields, &Time));
    XTEST_CHECK_EQ(RtlFormatIsoTime(&Time, Buffer, sizeof(Buffer)), STATUS_SUCCESS);
    XTEST_CHECK(RtlTestStringsEqual(Buffer, "2026-11-30T11:40:00Z"));
    XTEST_CHECK_EQ(RtlFormatIsoTime(&Time, Buffer, 21), STATUS_SUCCESS);
    Buffer[0] = 'x';
    XTEST_CHECK_EQ(RtlFormatIsoTime(&Time, Buffer, 20), STATUS_BUFFER_TOO_SMALL);
    XTEST_CHECK_EQ(Buffer[0], 'x');
    Time.QuadPart = 0;
    XTEST_CHECK_EQ(RtlFormatIsoTime(&Time, Buffer, sizeof(Buffer)), STATUS_SUCCESS);
    XTEST_CHECK(RtlTestStringsEqual(Buffer, "1601-01-01T00:00:00Z"));
    Time.QuadPart = 0x7FFFFFFFFFFFFFFFLL;
    XTEST_CHECK_EQ(RtlFormatIsoTime(&Time, Buffer, sizeof(Buffer)), STATUS_SUCCESS);
    XTEST_CHECK(RtlTestStringsEqual(Buffer, "30828-09-14T02:48:05Z"));
    Time.QuadPart = -TICKS_PER_SECOND;
    XTEST_CHECK_EQ(RtlFormatIsoTime(&Time, Buffer, sizeof(Buffer)), STATUS_INVALID_PARAMETER);
}

XTEST_SUITE(RtlTimeSuite, XTEST_ENTRY(KnownValues), XTEST_ENTRY(LeapYears), XTEST_ENTRY(InvalidFields),
            XTEST_ENTRY(EveryDay1601To3000), XTEST_ENTRY(IsoFormat));

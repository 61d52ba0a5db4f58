/* Calendar time: NT's 100-ns units since 1601-01-01 UTC <-> TIME_FIELDS, and ISO 8601 text. 1601 starts a 400-year
 * Gregorian cycle, so day counts split into 400-, 100-, 4- and 1-year periods with no offset. 64-bit divisions go
 * through RtlDivideUnsigned64 (no compiler helpers on i686). */
#include <rtl.h>

#define RTLP_TICKS_PER_MILLISECOND 10000ULL
#define RTLP_MS_PER_DAY            86400000UL
#define RTLP_TICKS_PER_DAY         (RTLP_TICKS_PER_MILLISECOND * RTLP_MS_PER_DAY)
#define RTLP_DAYS_PER_400_YEARS    146097UL
#define RTLP_DAYS_PER_100_YEARS    36524UL
#define RTLP_DAYS_PER_4_YEARS      1461UL
#define RTLP_DAYS_PER_YEAR         365UL
#define RTLP_WEEKDAY_OF_1601_01_01 1 /* a Monday (Sunday is 0) */

_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is NT's 64-bit union");
_Static_assert(sizeof(TIME_FIELDS) == 16, "TIME_FIELDS is NT's eight 16-bit fields");

/* Days before the first of each month in a common year. */
static const USHORT RtlpDaysBeforeMonth[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

BOOLEAN RtlIsLeapYear(ULONG Year) {
    return (BOOLEAN)((Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0);
}

/* Number of days in Month (1..12) of Year. */
static ULONG RtlpDaysInMonth(ULONG Year, ULONG Month) {
    ULONG Days = (ULONG)(RtlpDaysBeforeMonth[Month] - RtlpDaysBeforeMonth[Month - 1]);
    return (Month == 2 && RtlIsLeapYear(Year)) ? Days + 1 : Days;
}

BOOLEAN RtlTimeFieldsToTime(PCTIME_FIELDS TimeFields, PLARGE_INTEGER Time) {
    ULONG Years;
    ULONG Days;
    ULONG Milliseconds;

    if (TimeFields->Year < RTL_TIME_MIN_YEAR || TimeFields->Year > RTL_TIME_MAX_YEAR || TimeFields->Month < 1 ||
        TimeFields->Month > 12 || TimeFields->Day < 1 ||
        (ULONG)TimeFields->Day > RtlpDaysInMonth((ULONG)TimeFields->Year, (ULONG)TimeFields->Month) ||
        TimeFields->Hour < 0 || TimeFields->Hour > 23 || TimeFields->Minute < 0 || TimeFields->Minute > 59 ||
        TimeFields->Second < 0 || TimeFields->Second > 59 || TimeFields->Milliseconds < 0 ||
        TimeFields->Milliseconds > 999) {
        return FALSE;
    }

    Years = (ULONG)TimeFields->Year - RTL_TIME_MIN_YEAR;
    Days = Years * RTLP_DAYS_PER_YEAR + Years / 4 - Years / 100 + Years / 400;
    Days += RtlpDaysBeforeMonth[TimeFields->Month - 1] + (ULONG)TimeFields->Day - 1;
    if (TimeFields->Month > 2 && RtlIsLeapYear((ULONG)TimeFields->Year)) {
        Days++;
    }
    Milliseconds =
        (((ULONG)TimeFields->Hour * 60 + (ULONG)TimeFields->Minute) * 60 + (ULONG)TimeFields->Second) * 1000 +
        (ULONG)TimeFields->Milliseconds;
    Time->QuadPart = (LONGLONG)(Days * RTLP_TICKS_PER_DAY + Milliseconds * RTLP_TICKS_PER_MILLISECOND);
    return TRUE;
}

/* Splits Days since 1601-01-01 into Year, Month and Day. */
static VOID RtlpDaysToDate(ULONG Days, PTIME_FIELDS TimeFields) {
    ULONG Cycles400 = Days / RTLP_DAYS_PER_400_YEARS;
    ULONG Cycles100;
    ULONG Cycles4;
    ULONG Years;
    ULONG Month;
    ULONG Leap;

    Days %= RTLP_DAYS_PER_400_YEARS;
    Cycles100 = Days / RTLP_DAYS_PER_100_YEARS;
    if (Cycles100 == 4) {
        Cycles100 = 3; /* the last day of a 400-year cycle (Dec 31 of a year divisible by 400) */
    }
    Days -= Cycles100 * RTLP_DAYS_PER_100_YEARS;
    Cycles4 = Days / RTLP_DAYS_PER_4_YEARS;
    Days %= RTLP_DAYS_PER_4_YEARS;
    Years = Days / RTLP_DAYS_PER_YEAR;
    if (Years == 4) {
        Years = 3; /* Dec 31 of a leap year */
    }
    Days -= Years * RTLP_DAYS_PER_YEAR;
    Years += RTL_TIME_MIN_YEAR + Cycles400 * 400 + Cycles100 * 100 + Cycles4 * 4;

    Leap = RtlIsLeapYear(Years) ? 1 : 0;
    for (Month = 1; Month < 12; Month++) {
        ULONG NextMonthStart = RtlpDaysBeforeMonth[Month] + ((Month >= 2) ? Leap : 0);
        if (Days < NextMonthStart) {
            break;
        }
    }
    Days -= RtlpDaysBeforeMonth[Month - 1] + ((Month > 2) ? Leap : 0);
    TimeFields->Year = (SHORT)Years;
    TimeFields->Month = (SHORT)Month;
    TimeFields->Day = (SHORT)(Days + 1);
}

BOOLEAN RtlTimeToTimeFields(PCLARGE_INTEGER Time, PTIME_FIELDS TimeFields) {
    ULONGLONG TicksOfDay;
    ULONG Days;
    ULONG Milliseconds;

    if (Time->QuadPart < 0) {
        return FALSE;
    }
    Days = (ULONG)RtlDivideUnsigned64((ULONGLONG)Time->QuadPart, RTLP_TICKS_PER_DAY, &TicksOfDay);
    Milliseconds = (ULONG)RtlDivideUnsigned64(TicksOfDay, RTLP_TICKS_PER_MILLISECOND, NULL);

    RtlpDaysToDate(Days, TimeFields);
    TimeFields->Milliseconds = (SHORT)(Milliseconds % 1000);
    Milliseconds /= 1000;
    TimeFields->Second = (SHORT)(Milliseconds % 60);
    Milliseconds /= 60;
    TimeFields->Minute = (SHORT)(Milliseconds % 60);
    TimeFields->Hour = (SHORT)(Milliseconds / 60);
    TimeFields->Weekday = (SHORT)((Days + RTLP_WEEKDAY_OF_1601_01_01) % 7);
    return TRUE;
}

XTSTATUS RtlFormatIsoTime(PCLARGE_INTEGER Time, PCHAR Buffer, SIZE_T Size) {
    TIME_FIELDS Fields;
    CHAR Text[RTL_ISO_TIME_SIZE + 2];
    SIZE_T Length;

    if (!RtlTimeToTimeFields(Time, &Fields)) {
        return STATUS_INVALID_PARAMETER;
    }
    Length =
        RtlFormatString(Text, sizeof(Text), "%04u-%02u-%02uT%02u:%02u:%02uZ", (ULONG)Fields.Year, (ULONG)Fields.Month,
                        (ULONG)Fields.Day, (ULONG)Fields.Hour, (ULONG)Fields.Minute, (ULONG)Fields.Second);
    if (Length + 1 > Size) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    RtlCopyMemory(Buffer, Text, Length + 1);
    return STATUS_SUCCESS;
}

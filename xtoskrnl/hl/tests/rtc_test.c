/* HlRtcSuite: CMOS RTC decoding (BCD/binary x 12/24-hour x century register present/absent, midnight and noon in
 * 12-hour mode, invalid BCD and ranges) and the consistent-read protocol against a scripted register model. */
#include <rtc.h>
#include <xtest.h>

/* The register model: a 128-byte CMOS, UIP held for a number of status-A polls, a switch to another register image
 * after a given number of reads (the clock ticking mid-read) or on every read of the seconds register. */
typedef struct _FAKE_RTC {
    UCHAR Registers[128];
    UCHAR Next[128];
    ULONG Reads;
    ULONG UipPolls;     /* status A reads that still report UIP */
    ULONG RolloverAt;   /* after this many reads Registers becomes Next (0: never) */
    BOOLEAN TickAlways; /* seconds advance on every read of the seconds register */
    BOOLEAN UipStuck;
    ULONG RegisterReads[128];
} FAKE_RTC, *PFAKE_RTC;

static UCHAR FakeRead(PVOID Context, UCHAR Register) {
    PFAKE_RTC Rtc = Context;
    UCHAR Value;

    Rtc->Reads++;
    Rtc->RegisterReads[Register & 0x7F]++;
    if (Rtc->RolloverAt != 0 && Rtc->Reads == Rtc->RolloverAt) {
        for (ULONG Index = 0; Index < 128; Index++) {
            Rtc->Registers[Index] = Rtc->Next[Index];
        }
    }
    if (Register == HL_RTC_STATUS_A) {
        if (Rtc->UipStuck || Rtc->UipPolls != 0) {
            if (Rtc->UipPolls != 0) {
                Rtc->UipPolls--;
            }
            return (UCHAR)(Rtc->Registers[HL_RTC_STATUS_A] | HL_RTC_STATUS_A_UIP);
        }
    }
    Value = Rtc->Registers[Register & 0x7F];
    if (Register == HL_RTC_SECONDS && Rtc->TickAlways) {
        Rtc->Registers[HL_RTC_SECONDS] = (UCHAR)((Rtc->Registers[HL_RTC_SECONDS] + 1) % 60);
    }
    return Value;
}

static UCHAR ToBcd(ULONG Value) {
    return (UCHAR)(((Value / 10) << 4) | (Value % 10));
}

/* Encodes a time the way an RTC in the StatusB mode would hold it. */
static HL_RTC_RAW Encode(ULONG Year, ULONG Month, ULONG Day, ULONG Hour, ULONG Minute, ULONG Second, UCHAR StatusB,
                         BOOLEAN WithCentury) {
    BOOLEAN Binary = (StatusB & HL_RTC_STATUS_B_BINARY) ? TRUE : FALSE;
    HL_RTC_RAW Raw;
    ULONG HourValue = Hour;
    UCHAR PmFlag = 0;

#define ENC(Value) (Binary ? (UCHAR)(Value) : ToBcd(Value))
    if (!(StatusB & HL_RTC_STATUS_B_24HOUR)) {
        PmFlag = (Hour >= 12) ? HL_RTC_HOUR_PM : 0;
        HourValue = (Hour % 12 == 0) ? 12 : Hour % 12;
    }
    Raw.Seconds = ENC(Second);
    Raw.Minutes = ENC(Minute);
    Raw.Hours = (UCHAR)(ENC(HourValue) | PmFlag);
    Raw.Day = ENC(Day);
    Raw.Month = ENC(Month);
    Raw.Year = ENC(Year % 100);
    Raw.Century = WithCentury ? ENC(Year / 100) : 0;
    Raw.StatusB = StatusB;
#undef ENC
    return Raw;
}

static VOID LoadRegisters(PUCHAR Registers, const HL_RTC_RAW *Raw, UCHAR CenturyRegister) {
    Registers[HL_RTC_SECONDS] = Raw->Seconds;
    Registers[HL_RTC_MINUTES] = Raw->Minutes;
    Registers[HL_RTC_HOURS] = Raw->Hours;
    Registers[HL_RTC_DAY] = Raw->Day;
    Registers[HL_RTC_MONTH] = Raw->Month;
    Registers[HL_RTC_YEAR] = Raw->Year;
    Registers[HL_RTC_STATUS_A] = 0x26;
    Registers[HL_RTC_STATUS_B] = Raw->StatusB;
    if (CenturyRegister != 0) {
        Registers[CenturyRegister] = Raw->Century;
    }
}

XTEST(EveryModeEveryHour) {
    static const ULONG Dates[][3] = {{2026, 11, 30}, {1999, 12, 31}, {2000, 2, 29}, {2069, 1, 1}, {1970, 6, 15}};
    static const UCHAR Modes[] = {0, HL_RTC_STATUS_B_24HOUR, HL_RTC_STATUS_B_BINARY,
                                  HL_RTC_STATUS_B_BINARY | HL_RTC_STATUS_B_24HOUR};
    ULONG Failures = 0;
    ULONG Cases = 0;

    for (ULONG Mode = 0; Mode < ARRAY_SIZE(Modes); Mode++) {
        for (ULONG WithCentury = 0; WithCentury < 2; WithCentury++) {
            for (ULONG Date = 0; Date < ARRAY_SIZE(Dates); Date++) {
                for (ULONG Hour = 0; Hour < 24; Hour++) {
                    HL_RTC_RAW Raw = Encode(Dates[Date][0], Dates[Date][1], Dates[Date][2], Hour, 59 - Hour, Hour * 2,
                                            Modes[Mode], (BOOLEAN)WithCentury);
                    TIME_FIELDS Fields;
                    PCSTR Error = "unset";
                    Cases++;
                    if (HlRtcDecode(&Raw, &Fields, &Error) != STATUS_SUCCESS || Error != NULL ||
                        Fields.Year != (SHORT)Dates[Date][0] || Fields.Month != (SHORT)Dates[Date][1] ||
                        Fields.Day != (SHORT)Dates[Date][2] || Fields.Hour != (SHORT)Hour ||
                        Fields.Minute != (SHORT)(59 - Hour) || Fields.Second != (SHORT)(Hour * 2) ||
                        Fields.Milliseconds != 0) {
                        XtestPrint("mode %x century %u date %u hour %u: %s\n", Modes[Mode], WithCentury, Date, Hour,
                                   Error ? Error : "wrong fields");
                        Failures++;
                    }
                }
            }
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
    XTEST_CHECK_EQ(Cases, 4 * 2 * 5 * 24);
}

XTEST(TwelveHourMode) {
    HL_RTC_RAW Raw = Encode(2026, 11, 30, 0, 0, 0, 0, FALSE);
    TIME_FIELDS Fields;
    PCSTR Error;

    /* 12 AM is midnight, 12 PM noon, 1 PM 13:00, in BCD and binary. */
    XTEST_CHECK_EQ(Raw.Hours, 0x12);
    Raw.Hours = 0x12;
    XTEST_ASSERT_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Hour, 0);
    Raw.Hours = 0x92;
    XTEST_ASSERT_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Hour, 12);
    Raw.Hours = 0x81;
    XTEST_ASSERT_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Hour, 13);
    Raw.Hours = 0x11;
    XTEST_ASSERT_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Hour, 11);
    Raw.StatusB = HL_RTC_STATUS_B_BINARY;
    Raw.Seconds = Raw.Minutes = 0;
    Raw.Day = 30;
    Raw.Month = 11;
    Raw.Year = 26;
    Raw.Hours = 12 | HL_RTC_HOUR_PM;
    XTEST_ASSERT_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Hour, 12);
    Raw.Hours = 12;
    XTEST_ASSERT_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Hour, 0);
    /* Hour 0 and 13 do not exist in 12-hour mode. */
    Raw.Hours = 0;
    XTEST_CHECK_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_DATA_ERROR);
    XTEST_CHECK(Error != NULL);
    Raw.Hours = 13 | HL_RTC_HOUR_PM;
    XTEST_CHECK_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_DATA_ERROR);
}

XTEST(CenturyWindow) {
    static const struct {
        UCHAR Year;
        UCHAR Century;
        SHORT Expected;
    } Cases[] = {{0x00, 0, 2000}, {0x26, 0, 2026},    {0x69, 0, 2069},    {0x70, 0, 1970},
                 {0x99, 0, 1999}, {0x99, 0x19, 1999}, {0x26, 0x21, 2126}, {0x01, 0x16, 1601}};
    HL_RTC_RAW Raw = Encode(2026, 3, 1, 10, 0, 0, HL_RTC_STATUS_B_24HOUR, FALSE);
    TIME_FIELDS Fields;
    PCSTR Error;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Cases); Index++) {
        Raw.Year = Cases[Index].Year;
        Raw.Century = Cases[Index].Century;
        XTEST_CHECK_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_SUCCESS);
        XTEST_CHECK_EQ(Fields.Year, Cases[Index].Expected);
    }
    /* 1600 is before NT time begins. */
    Raw.Year = 0x00;
    Raw.Century = 0x16;
    XTEST_CHECK_EQ(HlRtcDecode(&Raw, &Fields, &Error), STATUS_DATA_ERROR);
}

/* Expects HlRtcDecode to refuse Raw with a message that names Word. */
static BOOLEAN RefusedNaming(const HL_RTC_RAW *Raw, PCSTR Word) {
    TIME_FIELDS Fields = {0};
    PCSTR Error = NULL;
    SIZE_T Length = 0;

    if (HlRtcDecode(Raw, &Fields, &Error) != STATUS_DATA_ERROR || Error == NULL || Fields.Year != 0) {
        return FALSE;
    }
    while (Word[Length] != '\0') {
        Length++;
    }
    for (PCSTR At = Error; *At != '\0'; At++) {
        if (RtlCompareMemory(At, Word, Length) == Length) {
            return TRUE;
        }
    }
    return FALSE;
}

XTEST(InvalidValues) {
    const HL_RTC_RAW Good = Encode(2026, 11, 30, 11, 40, 0, HL_RTC_STATUS_B_24HOUR, TRUE);
    HL_RTC_RAW Raw;

    Raw = Good, Raw.Seconds = 0x5A;
    XTEST_CHECK(RefusedNaming(&Raw, "seconds"));
    Raw = Good, Raw.Seconds = 0x60;
    XTEST_CHECK(RefusedNaming(&Raw, "seconds"));
    Raw = Good, Raw.Minutes = 0xA0;
    XTEST_CHECK(RefusedNaming(&Raw, "minutes"));
    Raw = Good, Raw.Hours = 0x24;
    XTEST_CHECK(RefusedNaming(&Raw, "hours"));
    Raw = Good, Raw.Hours = 0x1F;
    XTEST_CHECK(RefusedNaming(&Raw, "hours"));
    Raw = Good, Raw.Hours = 0x91; /* the PM flag has no meaning in 24-hour mode */
    XTEST_CHECK(RefusedNaming(&Raw, "hours"));
    Raw = Good, Raw.Day = 0x3B;
    XTEST_CHECK(RefusedNaming(&Raw, "day"));
    Raw = Good, Raw.Month = 0x1A;
    XTEST_CHECK(RefusedNaming(&Raw, "month"));
    Raw = Good, Raw.Year = 0xFF;
    XTEST_CHECK(RefusedNaming(&Raw, "year"));
    Raw = Good, Raw.Century = 0x2C;
    XTEST_CHECK(RefusedNaming(&Raw, "century"));
    Raw = Good, Raw.Month = 0x13;
    XTEST_CHECK(RefusedNaming(&Raw, "date"));
    Raw = Good, Raw.Month = 0x00;
    XTEST_CHECK(RefusedNaming(&Raw, "date"));
    Raw = Good, Raw.Day = 0x00;
    XTEST_CHECK(RefusedNaming(&Raw, "date"));
    Raw = Good, Raw.Month = 0x02, Raw.Day = 0x30;
    XTEST_CHECK(RefusedNaming(&Raw, "date"));
    Raw = Good, Raw.Year = 0x26, Raw.Month = 0x02, Raw.Day = 0x29; /* 2026 is no leap year */
    XTEST_CHECK(RefusedNaming(&Raw, "date"));
    Raw = Good, Raw.StatusB = HL_RTC_STATUS_B_24HOUR | HL_RTC_STATUS_B_BINARY, Raw.Seconds = 60;
    XTEST_CHECK(RefusedNaming(&Raw, "seconds"));
    /* All 0xFF: what a missing RTC reads. */
    RtlFillMemory(&Raw, sizeof(Raw), 0xFF);
    XTEST_CHECK(RefusedNaming(&Raw, "RTC"));
}

XTEST(ReadWaitsForUpdate) {
    static FAKE_RTC Rtc;
    const HL_RTC_RAW Now = Encode(2026, 11, 30, 11, 40, 0, HL_RTC_STATUS_B_24HOUR, TRUE);
    HL_RTC_ACCESS Access = {&Rtc, FakeRead};
    TIME_FIELDS Fields;
    PCSTR Error;

    RtlZeroMemory(&Rtc, sizeof(Rtc));
    LoadRegisters(Rtc.Registers, &Now, 0x32);
    Rtc.UipPolls = 37;
    XTEST_ASSERT_EQ(HlRtcReadTime(&Access, 0x32, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK(Fields.Year == 2026 && Fields.Month == 11 && Fields.Day == 30 && Fields.Hour == 11 &&
                Fields.Minute == 40 && Fields.Second == 0);
    XTEST_CHECK_EQ(Fields.Weekday, 1); /* a Monday */
    XTEST_CHECK_EQ(Rtc.UipPolls, 0);
    XTEST_CHECK_EQ(Rtc.RegisterReads[HL_RTC_STATUS_A], 37 + 2); /* 37 busy polls, then one clear poll per pass */
    XTEST_CHECK_EQ(Rtc.RegisterReads[HL_RTC_SECONDS], 2);       /* two agreeing passes */
    XTEST_CHECK_EQ(Rtc.RegisterReads[0x32], 2);

    /* No century register: index 0 is never read as one, the window applies. */
    RtlZeroMemory(&Rtc, sizeof(Rtc));
    LoadRegisters(Rtc.Registers, &Now, 0);
    Rtc.Registers[0x32] = 0x19;
    XTEST_ASSERT_EQ(HlRtcReadTime(&Access, 0, &Fields, &Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fields.Year, 2026);
    XTEST_CHECK_EQ(Rtc.RegisterReads[0x32], 0);
}

XTEST(ReadAcrossRollover) {
    static FAKE_RTC Rtc;
    const HL_RTC_RAW Before = Encode(1999, 12, 31, 23, 59, 59, 0, TRUE); /* BCD, 12-hour: 11:59:59 PM */
    const HL_RTC_RAW After = Encode(2000, 1, 1, 0, 0, 0, 0, TRUE);
    HL_RTC_ACCESS Access = {&Rtc, FakeRead};
    TIME_FIELDS Fields;
    PCSTR Error;

    /* The clock rolls over right after the seconds register of the first pass was read: that pass mixes 59 seconds
     * with the new minutes, hours and date, so it must not be returned; the next two passes agree on the new time. */
    for (ULONG RolloverAt = 1; RolloverAt <= 20; RolloverAt++) {
        RtlZeroMemory(&Rtc, sizeof(Rtc));
        LoadRegisters(Rtc.Registers, &Before, 0x32);
        LoadRegisters(Rtc.Next, &After, 0x32);
        Rtc.RolloverAt = RolloverAt;
        XTEST_ASSERT_EQ(HlRtcReadTime(&Access, 0x32, &Fields, &Error), STATUS_SUCCESS);
        /* Two passes of 9 reads (status A, 7 registers, status B): from the 18th read (status B, unchanged by the
         * tick) both passes already agree on the old time. */
        if (RolloverAt >= 18) {
            XTEST_CHECK(Fields.Year == 1999 && Fields.Month == 12 && Fields.Day == 31 && Fields.Hour == 23 &&
                        Fields.Minute == 59 && Fields.Second == 59);
        } else {
            XTEST_CHECK(Fields.Year == 2000 && Fields.Month == 1 && Fields.Day == 1 && Fields.Hour == 0 &&
                        Fields.Minute == 0 && Fields.Second == 0);
        }
    }
}

XTEST(ReadFailures) {
    static FAKE_RTC Rtc;
    const HL_RTC_RAW Now = Encode(2026, 11, 30, 11, 40, 0, HL_RTC_STATUS_B_24HOUR, FALSE);
    HL_RTC_ACCESS Access = {&Rtc, FakeRead};
    TIME_FIELDS Fields;
    PCSTR Error = NULL;

    /* UIP never clears (a dead RTC reads 0xFF): a bounded wait and an error. */
    RtlZeroMemory(&Rtc, sizeof(Rtc));
    LoadRegisters(Rtc.Registers, &Now, 0);
    Rtc.UipStuck = TRUE;
    XTEST_CHECK_EQ(HlRtcReadTime(&Access, 0, &Fields, &Error), STATUS_IO_DEVICE_ERROR);
    XTEST_CHECK(Error != NULL);
    XTEST_CHECK_EQ(Rtc.RegisterReads[HL_RTC_STATUS_A], HL_RTC_MAX_UIP_POLLS);
    XTEST_CHECK_EQ(Rtc.RegisterReads[HL_RTC_SECONDS], 0);

    /* Values that change on every pass never agree. */
    RtlZeroMemory(&Rtc, sizeof(Rtc));
    LoadRegisters(Rtc.Registers, &Now, 0);
    Rtc.TickAlways = TRUE;
    Error = NULL;
    XTEST_CHECK_EQ(HlRtcReadTime(&Access, 0, &Fields, &Error), STATUS_IO_DEVICE_ERROR);
    XTEST_CHECK(Error != NULL);
    XTEST_CHECK_EQ(Rtc.RegisterReads[HL_RTC_SECONDS], HL_RTC_MAX_READS);

    /* Consistent but garbage values: the decode error comes through. */
    RtlZeroMemory(&Rtc, sizeof(Rtc));
    LoadRegisters(Rtc.Registers, &Now, 0);
    Rtc.Registers[HL_RTC_MONTH] = 0x1F;
    XTEST_CHECK_EQ(HlRtcReadTime(&Access, 0, &Fields, &Error), STATUS_DATA_ERROR);
    XTEST_CHECK(Error != NULL);
}

XTEST_SUITE(HlRtcSuite, XTEST_ENTRY(EveryModeEveryHour), XTEST_ENTRY(TwelveHourMode), XTEST_ENTRY(CenturyWindow),
            XTEST_ENTRY(InvalidValues), XTEST_ENTRY(ReadWaitsForUpdate), XTEST_ENTRY(ReadAcrossRollover),
            XTEST_ENTRY(ReadFailures));

XTEST_HOST_MAIN(&HlRtcSuite)

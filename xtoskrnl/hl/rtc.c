/* CMOS RTC: consistent reads over a register-read routine and decoding of BCD/binary, 12/24-hour values. */
#include <rtc.h>

/* Decodes one register value; FALSE for a BCD digit above 9. */
static BOOLEAN HlpRtcValue(UCHAR Value, BOOLEAN Binary, PULONG Result) {
    if (Binary) {
        *Result = Value;
        return TRUE;
    }
    if ((Value & 0x0F) > 9 || (Value >> 4) > 9) {
        return FALSE;
    }
    *Result = (ULONG)(Value >> 4) * 10 + (Value & 0x0F);
    return TRUE;
}

/* Decodes the hours register (12-hour: 1..12 with the PM flag, 12 AM is midnight) to 0..23; FALSE when invalid. */
static BOOLEAN HlpRtcHour(UCHAR Value, UCHAR StatusB, PULONG Hour) {
    BOOLEAN Binary = (StatusB & HL_RTC_STATUS_B_BINARY) ? TRUE : FALSE;
    BOOLEAN Pm;

    if (StatusB & HL_RTC_STATUS_B_24HOUR) {
        return (BOOLEAN)(HlpRtcValue(Value, Binary, Hour) && *Hour <= 23);
    }
    Pm = (Value & HL_RTC_HOUR_PM) ? TRUE : FALSE;
    if (!HlpRtcValue((UCHAR)(Value & ~HL_RTC_HOUR_PM), Binary, Hour) || *Hour < 1 || *Hour > 12) {
        return FALSE;
    }
    *Hour %= 12;
    if (Pm) {
        *Hour += 12;
    }
    return TRUE;
}

XTSTATUS HlRtcDecode(const HL_RTC_RAW *Raw, PTIME_FIELDS TimeFields, PCSTR *Error) {
    BOOLEAN Binary = (Raw->StatusB & HL_RTC_STATUS_B_BINARY) ? TRUE : FALSE;
    ULONG Second, Minute, Hour, Day, Month, Year, Century = 0;
    TIME_FIELDS Fields;
    LARGE_INTEGER Time;

    *Error = NULL;
    if (!HlpRtcValue(Raw->Seconds, Binary, &Second) || Second > 59) {
        *Error = "RTC seconds register invalid";
    } else if (!HlpRtcValue(Raw->Minutes, Binary, &Minute) || Minute > 59) {
        *Error = "RTC minutes register invalid";
    } else if (!HlpRtcHour(Raw->Hours, Raw->StatusB, &Hour)) {
        *Error = "RTC hours register invalid";
    } else if (!HlpRtcValue(Raw->Day, Binary, &Day)) {
        *Error = "RTC day register invalid";
    } else if (!HlpRtcValue(Raw->Month, Binary, &Month)) {
        *Error = "RTC month register invalid";
    } else if (!HlpRtcValue(Raw->Year, Binary, &Year) || Year > 99) {
        *Error = "RTC year register invalid";
    } else if (Raw->Century != 0 && (!HlpRtcValue(Raw->Century, Binary, &Century) || Century > 99)) {
        *Error = "RTC century register invalid";
    }
    if (*Error != NULL) {
        return STATUS_DATA_ERROR;
    }
    if (Raw->Century == 0) {
        Century = (Year < HL_RTC_CENTURY_PIVOT) ? 20 : 19;
    }

    Fields.Year = (SHORT)(Century * 100 + Year);
    Fields.Month = (SHORT)Month;
    Fields.Day = (SHORT)Day;
    Fields.Hour = (SHORT)Hour;
    Fields.Minute = (SHORT)Minute;
    Fields.Second = (SHORT)Second;
    Fields.Milliseconds = 0;
    Fields.Weekday = 0;
    if (Day > 31 || Month > 12 || !RtlTimeFieldsToTime(&Fields, &Time)) {
        *Error = "RTC date invalid (day, month or year out of range)";
        return STATUS_DATA_ERROR;
    }
    RtlTimeToTimeFields(&Time, TimeFields);
    return STATUS_SUCCESS;
}

/* Waits for UIP to clear; FALSE after HL_RTC_MAX_UIP_POLLS polls. */
static BOOLEAN HlpRtcWaitUpdate(const HL_RTC_ACCESS *Access) {
    ULONG Poll;

    for (Poll = 0; Poll < HL_RTC_MAX_UIP_POLLS; Poll++) {
        if (!(Access->Read(Access->Context, HL_RTC_STATUS_A) & HL_RTC_STATUS_A_UIP)) {
            return TRUE;
        }
    }
    return FALSE;
}

/* One pass over the date/time registers, after UIP has cleared. */
static BOOLEAN HlpRtcReadPass(const HL_RTC_ACCESS *Access, UCHAR CenturyRegister, PHL_RTC_RAW Raw) {
    if (!HlpRtcWaitUpdate(Access)) {
        return FALSE;
    }
    Raw->Seconds = Access->Read(Access->Context, HL_RTC_SECONDS);
    Raw->Minutes = Access->Read(Access->Context, HL_RTC_MINUTES);
    Raw->Hours = Access->Read(Access->Context, HL_RTC_HOURS);
    Raw->Day = Access->Read(Access->Context, HL_RTC_DAY);
    Raw->Month = Access->Read(Access->Context, HL_RTC_MONTH);
    Raw->Year = Access->Read(Access->Context, HL_RTC_YEAR);
    Raw->Century = (CenturyRegister != 0) ? Access->Read(Access->Context, CenturyRegister) : 0;
    Raw->StatusB = Access->Read(Access->Context, HL_RTC_STATUS_B);
    return TRUE;
}

/* TRUE when both passes read the same values. */
static BOOLEAN HlpRtcSame(const HL_RTC_RAW *First, const HL_RTC_RAW *Second) {
    return (BOOLEAN)(First->Seconds == Second->Seconds && First->Minutes == Second->Minutes &&
                     First->Hours == Second->Hours && First->Day == Second->Day && First->Month == Second->Month &&
                     First->Year == Second->Year && First->Century == Second->Century &&
                     First->StatusB == Second->StatusB);
}

XTSTATUS HlRtcReadRaw(const HL_RTC_ACCESS *Access, UCHAR CenturyRegister, PHL_RTC_RAW Raw, PCSTR *Error) {
    HL_RTC_RAW Previous;
    ULONG Pass;

    *Error = NULL;
    if (!HlpRtcReadPass(Access, CenturyRegister, &Previous)) {
        *Error = "RTC update-in-progress flag never cleared";
        return STATUS_IO_DEVICE_ERROR;
    }
    for (Pass = 1; Pass < HL_RTC_MAX_READS; Pass++) {
        if (!HlpRtcReadPass(Access, CenturyRegister, Raw)) {
            *Error = "RTC update-in-progress flag never cleared";
            return STATUS_IO_DEVICE_ERROR;
        }
        if (HlpRtcSame(&Previous, Raw)) {
            return STATUS_SUCCESS;
        }
        Previous = *Raw;
    }
    *Error = "RTC registers kept changing between reads";
    return STATUS_IO_DEVICE_ERROR;
}

XTSTATUS HlRtcReadTime(const HL_RTC_ACCESS *Access, UCHAR CenturyRegister, PTIME_FIELDS TimeFields, PCSTR *Error) {
    HL_RTC_RAW Raw;
    XTSTATUS Status = HlRtcReadRaw(Access, CenturyRegister, &Raw, Error);

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    return HlRtcDecode(&Raw, TimeFields, Error);
}

/* CMOS real-time clock (MC146818-compatible): decoding of the raw date/time registers into TIME_FIELDS and the
 * consistent-read protocol. Pure: registers are read through a caller-supplied routine (ports 0x70/0x71 in the
 * kernel, a scripted model in host tests). */
#ifndef XTOSKRNL_HL_RTC_H
#define XTOSKRNL_HL_RTC_H

#include <rtl.h>
#include <xtbase.h>
#include <xtstatus.h>

/* Register indexes. The century register has no fixed index: the FADT's CENTURY field gives it (0: none). */
#define HL_RTC_SECONDS  0x00
#define HL_RTC_MINUTES  0x02
#define HL_RTC_HOURS    0x04
#define HL_RTC_DAY      0x07
#define HL_RTC_MONTH    0x08
#define HL_RTC_YEAR     0x09
#define HL_RTC_STATUS_A 0x0A
#define HL_RTC_STATUS_B 0x0B

#define HL_RTC_STATUS_A_UIP    0x80 /* update in progress: the date/time registers may be changing */
#define HL_RTC_STATUS_B_24HOUR 0x02 /* set: 24-hour mode; clear: 12-hour with HL_RTC_HOUR_PM */
#define HL_RTC_STATUS_B_BINARY 0x04 /* set: binary values; clear: BCD */
#define HL_RTC_HOUR_PM         0x80 /* in 12-hour mode, bit 7 of the hours register */

/* Without a century register, two-digit years below the pivot are 20xx and the rest 19xx (00..69 -> 2000..2069,
 * 70..99 -> 1970..1999), the window most firmware and operating systems use. */
#define HL_RTC_CENTURY_PIVOT 70

/* Polls of status register A for UIP to clear before giving up (an update lasts at most ~2 ms; one poll costs an
 * I/O port access, about 1 us): a dead RTC reading 0xFF is reported, not waited on forever. */
#define HL_RTC_MAX_UIP_POLLS 100000
/* Read passes before giving up when two consecutive reads never agree. */
#define HL_RTC_MAX_READS 8

/* The registers as read, before decoding. Century is 0 when the platform has no century register. */
typedef struct _HL_RTC_RAW {
    UCHAR Seconds;
    UCHAR Minutes;
    UCHAR Hours;
    UCHAR Day;
    UCHAR Month;
    UCHAR Year;
    UCHAR Century;
    UCHAR StatusB;
} HL_RTC_RAW, *PHL_RTC_RAW;

/* Reads CMOS register Register (0x00..0x7F). */
typedef UCHAR (*PHL_RTC_READ_REGISTER)(PVOID Context, UCHAR Register);

typedef struct _HL_RTC_ACCESS {
    PVOID Context;
    PHL_RTC_READ_REGISTER Read;
} HL_RTC_ACCESS, *PHL_RTC_ACCESS;

/* Decodes Raw (BCD or binary by StatusB bit 2, 12- or 24-hour by bit 1) into TimeFields (Milliseconds 0, Weekday
 * computed). STATUS_DATA_ERROR with *Error naming the bad register when a BCD digit is above 9, a value is out of
 * range (hour 0 or above 12 in 12-hour mode, Feb 30, ...) or the date falls outside RtlTimeFieldsToTime's range. */
XTSTATUS HlRtcDecode(const HL_RTC_RAW *Raw, PTIME_FIELDS TimeFields, PCSTR *Error);

/* Reads the registers (and CenturyRegister unless it is 0) until two consecutive passes, each started with UIP
 * clear, agree. STATUS_IO_DEVICE_ERROR with *Error set when UIP never clears or the reads never agree. */
XTSTATUS HlRtcReadRaw(const HL_RTC_ACCESS *Access, UCHAR CenturyRegister, PHL_RTC_RAW Raw, PCSTR *Error);

/* HlRtcReadRaw then HlRtcDecode. */
XTSTATUS HlRtcReadTime(const HL_RTC_ACCESS *Access, UCHAR CenturyRegister, PTIME_FIELDS TimeFields, PCSTR *Error);

#endif

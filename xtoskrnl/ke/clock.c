/* Time by polling: the TSC calibrated against Hl's reference clock at start-up (KeQueryPerformanceCounter,
 * KeStallExecutionProcessor) and the system time, read once from the CMOS RTC and advanced by the TSC
 * (KeQuerySystemTime). The periodic clock interrupt (issue 9) takes the system time over once it exists. */
#include <hl.h>
#include <kd.h>
#include <rtl.h>
#include <xtintrin.h>

#include "ki.h"

STATIC_ASSERT((ULONG)KeTimerHpet == (ULONG)HlClockHpet && (ULONG)KeTimerPm == (ULONG)HlClockPmTimer &&
              (ULONG)KeTimerPit == (ULONG)HlClockPit);

/* Used when no source counted (never on a PC with a PIT): stalls then last at least as long on any CPU up to 4 GHz. */
#define KI_FALLBACK_TSC_HZ 4000000000ULL

static HL_CLOCK_INFO KiClockInfo;
static ULONGLONG KiTscHz = KI_FALLBACK_TSC_HZ;
static ULONGLONG KiBootTsc;
static LARGE_INTEGER KiBootTime;

VOID KiInitializeClock(ULONG Timer) {
    TIME_FIELDS Fields;
    PCSTR Error = "";

    HlInitializeClockSources(KeGetLoaderBlock(), Timer, &KiClockInfo);
    if (KiClockInfo.TscHz != 0) {
        KiTscHz = KiClockInfo.TscHz;
    }
    KiBootTime.QuadPart = 0;
    if (!XT_SUCCESS(HlQueryRealTimeClock(KiClockInfo.RtcCentury, &Fields, &Error)) ||
        !RtlTimeFieldsToTime(&Fields, &KiBootTime)) {
        KdPrint("KE: CMOS RTC unusable (%s): system time starts at 1601-01-01\n", Error);
    }
    KiBootTsc = ArReadTimeStampCounter();
}

VOID KiQueryClockReport(PCSTR *Timer, PULONGLONG TscHz, PCHAR BootTime, SIZE_T Size) {
    *Timer = HlClockSourceName(KiClockInfo.Source);
    *TscHz = KiClockInfo.TscHz;
    if (!XT_SUCCESS(RtlFormatIsoTime(&KiBootTime, BootTime, Size)) && Size != 0) {
        BootTime[0] = '\0';
    }
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER Frequency) {
    LARGE_INTEGER Counter;

    if (Frequency != NULL) {
        Frequency->QuadPart = (LONGLONG)KiTscHz;
    }
    Counter.QuadPart = (LONGLONG)ArReadTimeStampCounter();
    return Counter;
}

VOID KeStallExecutionProcessor(ULONG Microseconds) {
    ULONGLONG Start = ArReadTimeStampCounter();
    ULONGLONG Ticks = HlClockMulDiv(Microseconds, KiTscHz, 1000000);

    while (ArReadTimeStampCounter() - Start < Ticks) {
        __asm__ volatile("pause");
    }
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime) {
    ULONGLONG Elapsed = ArReadTimeStampCounter() - KiBootTsc;

    CurrentTime->QuadPart = KiBootTime.QuadPart + (LONGLONG)HlClockMulDiv(Elapsed, RTL_TIME_TICKS_PER_SECOND, KiTscHz);
}

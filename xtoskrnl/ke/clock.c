/* Time: the TSC calibrated against Hl's reference clock at start-up (KeQueryPerformanceCounter,
 * KeStallExecutionProcessor); the clock interrupt on HL_CLOCK_VECTOR (local APIC timer, HPET or PIT at CLOCK= Hz),
 * whose service routine advances the tick count and the interrupt time; the system time, read once from the CMOS RTC
 * and advanced by the interrupt time (KeQuerySystemTime).
 *
 * The system time between ticks: the interrupt time of the last tick plus the TSC time since that tick, capped at one
 * time increment. The cap keeps the time monotonic (the next tick adds exactly one increment) and never ahead of the
 * clock interrupt; a tick that comes late (interrupts held) makes the time stand still at the cap until it comes.
 *
 * Readers take a consistent snapshot of the 64-bit state with interrupts off for a few instructions (one processor;
 * the SMP issue turns this into a sequence lock). */
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
static HL_TICK_INFO KiTickInfo;
static ULONGLONG KiTscHz = KI_FALLBACK_TSC_HZ;
static ULONGLONG KiBootTsc;
static LARGE_INTEGER KiBootTime;
static KINTERRUPT KiClockInterrupt;

/* The clock's state, written only by KiClockServiceRoutine once KiClockTicking is set. */
static volatile ULONGLONG KiTickCount;
static volatile ULONGLONG KiInterruptTime; /* 100-ns units since KiBootTsc */
static ULONG KiInterruptTimeFraction;      /* 2^-32 units of 100 ns */
static volatile ULONGLONG KiLastTickTsc;
static volatile BOOLEAN KiClockTicking;

/* Interrupts off around a snapshot of the clock's state; the previous flags are returned. */
static ULONG_PTR KiClockDisableInterrupts(VOID) {
    ULONG_PTR Flags;

    __asm__ volatile("pushf; pop %0; cli" : "=r"(Flags) : : "memory");
    return Flags;
}

static VOID KiClockRestoreInterrupts(ULONG_PTR Flags) {
    __asm__ volatile("push %0; popf" : : "r"(Flags) : "memory", "cc");
}

/* TSC ticks as 100-ns units. */
static ULONGLONG KiTscToTime(ULONGLONG Ticks) {
    return HlClockMulDiv(Ticks, RTL_TIME_TICKS_PER_SECOND, KiTscHz);
}

/* The clock interrupt, at CLOCK_LEVEL with interrupts off: re-arm, one tick of time. Kept short. */
static BOOLEAN KiClockServiceRoutine(PKINTERRUPT Interrupt, PVOID ServiceContext) {
    ULONG Fraction = KiInterruptTimeFraction + KiTickInfo.IncrementFraction;
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONGLONG InterruptTime;

    HlAcknowledgeClockInterrupt();
    Prcb->ClockTicks++;
    if (Prcb->Number != 0) {
        return TRUE; /* an application processor's own tick: only the boot processor keeps the time and the timers */
    }
    InterruptTime = KiInterruptTime + KiTickInfo.Increment + (Fraction < KiInterruptTimeFraction ? 1 : 0);
    KiInterruptTimeFraction = Fraction;
    KiInterruptTime = InterruptTime;
    KiLastTickTsc = ArReadTimeStampCounter();
    KiTickCount = KiTickCount + 1;
    KiCheckTimerExpiry(InterruptTime);
    return TRUE;
}

VOID KiInitializeClock(ULONG Timer, ULONG ClockHz) {
    ULONG Reference = Timer == KeTimerLapic ? KeTimerAuto : Timer;
    ULONG TickSource = Timer == KeTimerHpet ? HlTickHpet : Timer == KeTimerPit ? HlTickPit : HlTickLapic;
    TIME_FIELDS Fields;
    PCSTR Error = "";

    HlInitializeClockSources(KeGetLoaderBlock(), Reference, &KiClockInfo);
    if (KiClockInfo.TscHz != 0) {
        KiTscHz = KiClockInfo.TscHz;
    }
    KiBootTime.QuadPart = 0;
    if (!XT_SUCCESS(HlQueryRealTimeClock(KiClockInfo.RtcCentury, &Fields, &Error)) ||
        !RtlTimeFieldsToTime(&Fields, &KiBootTime)) {
        KdPrint("KE: CMOS RTC unusable (%s): system time starts at 1601-01-01\n", Error);
    }
    KiBootTsc = ArReadTimeStampCounter();
    HlInitializeClockInterrupt(TickSource, HlTickModeAuto, ClockHz, &KiClockInfo, &KiTickInfo);
}

VOID KiStartClock(VOID) {
    ULONG_PTR Flags;
    ULONGLONG Now;

    if (KiTickInfo.Source == HlTickNone) {
        return;
    }
    KeInitializeInterrupt(&KiClockInterrupt, KiClockServiceRoutine, NULL, HL_CLOCK_VECTOR);
    if (!KeConnectInterrupt(&KiClockInterrupt)) {
        KdPrint("KE: clock vector 0x%02x is taken: no clock interrupt\n", HL_CLOCK_VECTOR);
        return;
    }
    Flags = KiClockDisableInterrupts();
    /* The interrupt time so far comes from the TSC, so the system time runs on without a step. */
    Now = ArReadTimeStampCounter();
    KiInterruptTime = KiTscToTime(Now - KiBootTsc);
    KiLastTickTsc = Now;
    KiClockTicking = TRUE;
    HlStartClockInterrupt();
    KiClockRestoreInterrupts(Flags);
    KdPrint("KE: clock interrupt started: %s %s at %u Hz, increment %u x 100 ns\n", HlTickSourceName(KiTickInfo.Source),
            HlTickModeName(KiTickInfo.Mode), KiTickInfo.Hz, KiTickInfo.Increment);
}

VOID KiQueryClockReport(PKI_CLOCK_REPORT Report) {
    Report->ClockHz = KiTickInfo.Hz;
    Report->Timer = HlTickSourceName(KiTickInfo.Source);
    Report->TscReference = HlClockSourceName(KiClockInfo.Source);
    Report->TscHz = KiClockInfo.TscHz;
    if (!XT_SUCCESS(RtlFormatIsoTime(&KiBootTime, Report->BootTime, sizeof(Report->BootTime)))) {
        Report->BootTime[0] = '\0';
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

/* A consistent snapshot: the interrupt time, the TSC of the last tick, the tick count, and the TSC now. */
static BOOLEAN KiReadClock(PULONGLONG InterruptTime, PULONGLONG LastTickTsc, PULONGLONG TickCount, PULONGLONG Now) {
    ULONG_PTR Flags = KiClockDisableInterrupts();
    BOOLEAN Ticking = KiClockTicking;

    *InterruptTime = KiInterruptTime;
    *LastTickTsc = KiLastTickTsc;
    *TickCount = KiTickCount;
    *Now = ArReadTimeStampCounter();
    KiClockRestoreInterrupts(Flags);
    return Ticking;
}

ULONGLONG KeQueryInterruptTime(VOID) {
    ULONGLONG InterruptTime, LastTickTsc, TickCount, Now;

    if (!KiReadClock(&InterruptTime, &LastTickTsc, &TickCount, &Now)) {
        return KiTscToTime(Now - KiBootTsc);
    }
    return InterruptTime;
}

ULONGLONG KeQueryTickCount(VOID) {
    ULONGLONG InterruptTime, LastTickTsc, TickCount, Now;

    KiReadClock(&InterruptTime, &LastTickTsc, &TickCount, &Now);
    return TickCount;
}

ULONG KeQueryTimeIncrement(VOID) {
    return KiClockTicking ? KiTickInfo.Increment : 0;
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime) {
    ULONGLONG InterruptTime, LastTickTsc, TickCount, Now, SinceTick;

    if (!KiReadClock(&InterruptTime, &LastTickTsc, &TickCount, &Now)) {
        InterruptTime = KiTscToTime(Now - KiBootTsc);
    } else {
        SinceTick = Now > LastTickTsc ? KiTscToTime(Now - LastTickTsc) : 0;
        InterruptTime += SinceTick < KiTickInfo.Increment ? SinceTick : KiTickInfo.Increment;
    }
    CurrentTime->QuadPart = KiBootTime.QuadPart + (LONGLONG)InterruptTime;
}

/* Time: the TSC calibrated against Hl's reference clock at start-up (KeQueryPerformanceCounter,
 * KeStallExecutionProcessor); the clock interrupt on HL_CLOCK_VECTOR (local APIC timer, HPET or PIT at CLOCK= Hz),
 * whose service routine advances the tick count and the interrupt time by the time increment for each tick the
 * interrupt stands for (HlAcknowledgeClockInterrupt: usually one; more after lost interrupts, none for a catch-up);
 * the system time, read once from the CMOS RTC and advanced by the interrupt time (KeQuerySystemTime).
 *
 * The system time between ticks: boot time + interrupt time + the TSC time from the anchor (the TSC at which the
 * interrupt time was exact: the clock's start plus the counted ticks' periods) to now. The refinement is signed: the
 * ticks an interrupt stands for are the due ticks rounded to nearest, so right after a tick the interrupt time may be
 * up to half a tick ahead of the TSC, and the refinement then subtracts that. The system time is thus the TSC's time
 * since the RTC was read, seen through the ticks: monotonic, without steps, exact over any interval, and running on
 * while interrupts are held; the interrupt time is the same clock quantised to ticks (and stands still between them).
 *
 * The state is written by the boot processor's clock interrupt only and read on every processor under a sequence
 * lock (KiClockSequence: odd while a write is under way; a reader retries when it changed), so a reader never sees
 * the interrupt time of one tick with the anchor or tick count of another, nor a torn 64-bit value on i686. */
#include <hl.h>
#include <kd.h>
#include <rtl.h>
#include <xtintrin.h>

#include "ki.h"
#include "kimp.h"

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
static volatile ULONGLONG KiAnchorTsc;     /* TSC at which the interrupt time was exact */
static ULONGLONG KiTickTsc;                /* TSC ticks per tick */
static volatile BOOLEAN KiClockTicking;
static volatile ULONG KiClockSequence; /* odd: the state above is being written */

/* Opens and closes a write of the clock state (interrupts off, on the boot processor only). */
XTFORCEINLINE VOID KiBeginClockUpdate(VOID) {
    __atomic_store_n(&KiClockSequence, KiClockSequence + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}
XTFORCEINLINE VOID KiEndClockUpdate(VOID) {
    __atomic_store_n(&KiClockSequence, KiClockSequence + 1, __ATOMIC_RELEASE);
}

/* TSC ticks as 100-ns units. */
static ULONGLONG KiTscToTime(ULONGLONG Ticks) {
    return HlClockMulDiv(Ticks, RTL_TIME_TICKS_PER_SECOND, KiTscHz);
}

/* The clock interrupt, at CLOCK_LEVEL with interrupts off: re-arm, then the time of the ticks it stands for (one, or
 * more when Hl found ticks missed). Kept short. */
static BOOLEAN KiClockServiceRoutine(PKINTERRUPT Interrupt, PVOID ServiceContext) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONGLONG Fraction;
    ULONGLONG InterruptTime;
    ULONG Ticks;

    Prcb->ClockTicks++;
    KiUpdateRunTime(Prcb); /* the running thread's quantum (ke/dispatch.c) */
    if (Prcb->Number != 0) {
        HlAcknowledgeProcessorClockInterrupt();
        if (Prcb->DpcData.DpcQueueDepth != 0) {
            KeRequestSoftwareInterrupt(DISPATCH_LEVEL); /* its low-importance DPCs run at the latest on its next tick */
        }
        return TRUE; /* an application processor's own tick: only the boot processor keeps the time and the timers */
    }
    Ticks = HlAcknowledgeClockInterrupt();
    if (Ticks == 0) {
        return TRUE; /* a catch-up interrupt: no tick was due */
    }
    Fraction = (ULONGLONG)KiInterruptTimeFraction + (ULONGLONG)KiTickInfo.IncrementFraction * Ticks;
    InterruptTime = KiInterruptTime + (ULONGLONG)KiTickInfo.Increment * Ticks + (Fraction >> 32);

    KiBeginClockUpdate();
    KiInterruptTimeFraction = (ULONG)Fraction;
    KiInterruptTime = InterruptTime;
    KiAnchorTsc = KiAnchorTsc + KiTickTsc * Ticks;
    KiTickCount = KiTickCount + Ticks;
    KiEndClockUpdate();
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
    Flags = ArDisableInterrupts();
    /* The interrupt time so far comes from the TSC, so the system time runs on without a step. */
    Now = ArReadTimeStampCounter();
    KiBeginClockUpdate();
    KiInterruptTime = KiTscToTime(Now - KiBootTsc);
    KiAnchorTsc = Now;
    KiEndClockUpdate();
    /* TSC ticks per tick, from the increment with its fraction (32.32 fixed point; the remaining error is < 1 TSC
     * tick a tick). */
    KiTickTsc = HlClockMulDiv(((ULONGLONG)KiTickInfo.Increment << 32) | KiTickInfo.IncrementFraction, KiTscHz,
                              RTL_TIME_TICKS_PER_SECOND) >>
                32;
    KiClockTicking = TRUE;
    HlStartClockInterrupt();
    ArRestoreInterrupts(Flags);
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

/* A consistent snapshot, on any processor: the interrupt time, the anchor TSC, the tick count, and the TSC now. */
static BOOLEAN KiReadClock(PULONGLONG InterruptTime, PULONGLONG AnchorTsc, PULONGLONG TickCount, PULONGLONG Now) {
    ULONG Sequence;
    BOOLEAN Ticking;

    do {
        while ((Sequence = __atomic_load_n(&KiClockSequence, __ATOMIC_ACQUIRE)) & 1) {
            __asm__ volatile("pause");
        }
        Ticking = KiClockTicking;
        *InterruptTime = KiInterruptTime;
        *AnchorTsc = KiAnchorTsc;
        *TickCount = KiTickCount;
        *Now = ArReadTimeStampCounter();
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while (__atomic_load_n(&KiClockSequence, __ATOMIC_RELAXED) != Sequence);
    return Ticking;
}

ULONGLONG KeQueryInterruptTime(VOID) {
    ULONGLONG InterruptTime, AnchorTsc, TickCount, Now;

    if (!KiReadClock(&InterruptTime, &AnchorTsc, &TickCount, &Now)) {
        return KiTscToTime(Now - KiBootTsc);
    }
    return InterruptTime;
}

ULONGLONG KeQueryTickCount(VOID) {
    ULONGLONG InterruptTime, AnchorTsc, TickCount, Now;

    KiReadClock(&InterruptTime, &AnchorTsc, &TickCount, &Now);
    return TickCount;
}

ULONG KeQueryTimeIncrement(VOID) {
    return KiClockTicking ? KiTickInfo.Increment : 0;
}

ULONGLONG KiSystemTimeToInterruptTime(LARGE_INTEGER SystemTime) {
    return SystemTime.QuadPart <= KiBootTime.QuadPart ? 0 : (ULONGLONG)(SystemTime.QuadPart - KiBootTime.QuadPart);
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime) {
    ULONGLONG InterruptTime, AnchorTsc, TickCount, Now;

    if (!KiReadClock(&InterruptTime, &AnchorTsc, &TickCount, &Now)) {
        InterruptTime = KiTscToTime(Now - KiBootTsc);
    } else if (Now >= AnchorTsc) {
        InterruptTime += KiTscToTime(Now - AnchorTsc);
    } else {
        InterruptTime -= KiTscToTime(AnchorTsc - Now); /* the last tick counted a tick due a little ahead */
    }
    CurrentTime->QuadPart = KiBootTime.QuadPart + (LONGLONG)InterruptTime;
}

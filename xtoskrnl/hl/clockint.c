/* The clock interrupt on HL_CLOCK_VECTOR: the local APIC timer (measured against the reference clock the TSC was
 * calibrated on, then periodic, one-shot or TSC-deadline), HPET timer 0 or PIT channel 0 (both periodic, through the
 * I/O APIC). The arithmetic and the local APIC timer's register sequences are pure (tick.c, host-tested). */
#include <ar.h>
#include <kd.h>
#include <xtintrin.h>

#include "clock.h"
#include "hlp.h"
#include "tick.h"

#define HL_LAPIC_CALIBRATION_ROUNDS    3
#define HL_LAPIC_CALIBRATION_WINDOW_US 10000
#define HL_LAPIC_CALIBRATION_POLLS     20000000

typedef struct _HL_TICK_STATE {
    ULONG Source; /* HL_TICK_SOURCE prepared (HlTickNone: nothing) */
    ULONG Mode;   /* HL_TICK_MODE */
    BOOLEAN Running;
    HL_TICK_PLAN Plan;
    HL_APIC_DEADLINE Deadline;
    PCHL_APIC_OPS Ops;
    PVOID Context;
    ULONGLONG LapicTimerHz; /* measured once, at divide 1 */
} HL_TICK_STATE;

static HL_TICK_STATE HlpTick;

PCSTR HlTickSourceName(ULONG Source) {
    static const PCSTR Names[] = {"NONE", "LAPIC", "HPET", "PIT"};

    return Source < ARRAY_SIZE(Names) ? Names[Source] : "NONE";
}

PCSTR HlTickModeName(ULONG Mode) {
    static const PCSTR Names[] = {"auto", "periodic", "one-shot", "TSC-deadline"};

    return Mode < ARRAY_SIZE(Names) ? Names[Mode] : "?";
}

/* HL_APIC_DEADLINE accessors over the real TSC and MSR. */
static ULONGLONG HlpReadTsc(VOID) {
    return ArReadTimeStampCounter();
}

static VOID HlpWriteMsr(ULONG Msr, ULONGLONG Value) {
    ArWriteMsr(Msr, Value);
}

static VOID HlpFence(VOID) {
    __asm__ volatile("mfence" : : : "memory");
}

/* One calibration window: the local APIC timer's rate at divide 1 while the reference advances WindowTicks (from one
 * of its edges); 0 when the reference stalls or the timer does not count. */
static ULONGLONG HlpMeasureLapicRound(ULONG Source, ULONG Mask, ULONGLONG Hz, ULONGLONG WindowTicks) {
    HL_CLOCK_COUNTER Counter = {0, 0, Mask, FALSE};
    ULONG First = HlReadClockSource(Source) & Mask, Raw = First, Current;
    ULONG Polls = 0;

    while (Raw == First && ++Polls < HL_LAPIC_CALIBRATION_POLLS) {
        Raw = HlReadClockSource(Source) & Mask;
    }
    HlApicTimerStartCalibration(HlpTick.Ops, HlpTick.Context, 1);
    HlClockAdvance(&Counter, Raw);
    while (Counter.Total < WindowTicks && ++Polls < HL_LAPIC_CALIBRATION_POLLS) {
        HlClockAdvance(&Counter, HlReadClockSource(Source));
    }
    Current = HlpTick.Ops->Read(HlpTick.Context, APIC_REGISTER_TIMER_CURRENT);
    HlApicTimerStop(HlpTick.Ops, HlpTick.Context);
    if (Polls >= HL_LAPIC_CALIBRATION_POLLS || Current == 0 || Current == 0xFFFFFFFF) {
        return 0;
    }
    return HlApicTimerRate(0xFFFFFFFFull - Current, 1, Counter.Total, Hz);
}

/* Measures the local APIC timer (median of HL_LAPIC_CALIBRATION_ROUNDS windows) against Reference's source. */
static ULONGLONG HlpMeasureLapicTimer(const HL_CLOCK_INFO *Reference) {
    ULONGLONG Rates[HL_LAPIC_CALIBRATION_ROUNDS], Hz, Median;
    ULONG Mask, Spread;

    if (!HlQueryClockSource(Reference->Source, &Hz, &Mask)) {
        KdPrint("HL: local APIC timer: no reference clock to measure it against\n");
        return 0;
    }
    for (ULONG Round = 0; Round < HL_LAPIC_CALIBRATION_ROUNDS; Round++) {
        Rates[Round] = HlpMeasureLapicRound(Reference->Source, Mask, Hz,
                                            HlClockMulDiv(HL_LAPIC_CALIBRATION_WINDOW_US, Hz, 1000000));
        if (Rates[Round] == 0) {
            KdPrint("HL: local APIC timer does not count against %s\n", HlClockSourceName(Reference->Source));
            return 0;
        }
    }
    Median = HlClockMedianRate(Rates, HL_LAPIC_CALIBRATION_ROUNDS, &Spread);
    KdPrint("HL: local APIC timer measured against %s: %llu Hz (spread %u ppm)\n", HlClockSourceName(Reference->Source),
            Median, Spread);
    return Median;
}

/* Plans the local APIC timer in Mode at Hz; FALSE when it cannot tick at that rate. */
static BOOLEAN HlpPlanLapic(ULONG Mode, ULONG Hz, const HL_CLOCK_INFO *Reference) {
    if (Mode == HlTickModeDeadline) {
        HlpTick.Deadline = (HL_APIC_DEADLINE){HlpReadTsc, HlpWriteMsr, HlpFence, 0, 0, 0};
        if (Reference->TscHz == 0 ||
            !HlTickPlanRate(Reference->TscHz, Hz, HL_APIC_TIMER_MIN_COUNT, ~0ULL, 1, &HlpTick.Plan)) {
            return FALSE;
        }
        HlpTick.Deadline.Period = HlpTick.Plan.Period;
        return TRUE;
    }
    if (HlpTick.LapicTimerHz == 0) {
        HlpTick.LapicTimerHz = HlpMeasureLapicTimer(Reference);
    }
    return HlApicTimerPlan(HlpTick.LapicTimerHz, Hz, &HlpTick.Plan);
}

/* The local APIC timer's mode for Mode (Auto: TSC-deadline when the CPU has it and the TSC is calibrated). */
static ULONG HlpChooseLapicMode(ULONG Mode, const HL_CLOCK_INFO *Reference) {
    CPUID_REGISTERS Registers;

    ArCpuId(1, 0, &Registers);
    if (Mode == HlTickModeDeadline && !(Registers.Ecx & APIC_CPUID1_ECX_TSC_DEADLINE)) {
        KdPrint("HL: clock interrupt: no TSC-deadline timer (CPUID.1:ECX[24] clear), periodic instead\n");
        return HlTickModePeriodic;
    }
    if (Mode == HlTickModeAuto) {
        return (Registers.Ecx & APIC_CPUID1_ECX_TSC_DEADLINE) && Reference->TscHz != 0 ? HlTickModeDeadline
                                                                                       : HlTickModePeriodic;
    }
    return Mode;
}

/* Fills Info from the prepared state. */
static VOID HlpDescribeTick(ULONG Hz, PHL_TICK_INFO Info) {
    Info->Source = HlpTick.Source;
    Info->Mode = HlpTick.Mode;
    Info->RequestedHz = Hz;
    Info->MilliHz = HlpTick.Plan.MilliHz;
    Info->Hz = (HlpTick.Plan.MilliHz + 500) / 1000;
    Info->Increment = HlpTick.Plan.Increment;
    Info->IncrementFraction = HlpTick.Plan.IncrementFraction;
    Info->CounterHz = HlpTick.Plan.CounterHz;
    Info->Period = HlpTick.Plan.Period;
    Info->LapicTimerHz = HlpTick.LapicTimerHz;
    Info->LapicDivide = HlpTick.Source == HlTickLapic && HlpTick.Mode != HlTickModeDeadline ? HlpTick.Plan.Divide : 0;
}

XTSTATUS HlInitializeClockInterrupt(ULONG Source, ULONG Mode, ULONG Hz, const HL_CLOCK_INFO *Reference,
                                    PHL_TICK_INFO Info) {
    RtlZeroMemory(Info, sizeof(*Info));
    Info->RequestedHz = Hz;
    HlStopClockInterrupt();
    HlpTick.Source = HlTickNone;
    HlpTick.Ops = HlpGetApicOps(&HlpTick.Context);
    if (HlpTick.Ops == NULL) {
        KdPrint("HL: clock interrupt: no local APIC, no clock interrupt\n");
        return STATUS_NOT_FOUND;
    }
    if (Source != HlTickLapic) {
        KdPrint("HL: clock interrupt: %s is not available here, using the local APIC timer\n",
                HlTickSourceName(Source));
        Info->ForcedUnavailable = TRUE;
    }
    HlpTick.Mode = HlpChooseLapicMode(Mode, Reference);
    if (!HlpPlanLapic(HlpTick.Mode, Hz, Reference)) {
        KdPrint("HL: clock interrupt: the local APIC timer cannot tick at %u Hz\n", Hz);
        return STATUS_INVALID_PARAMETER;
    }
    HlpTick.Source = HlTickLapic;
    HlpDescribeTick(Hz, Info);
    KdPrint("HL: clock interrupt: %s %s, vector 0x%02x, %u.%03u Hz (period %llu at %llu Hz, divide %u), "
            "increment %u + %u/2^32 x 100 ns\n",
            HlTickSourceName(Info->Source), HlTickModeName(Info->Mode), HL_CLOCK_VECTOR, Info->MilliHz / 1000,
            Info->MilliHz % 1000, Info->Period, Info->CounterHz, HlpTick.Plan.Divide, Info->Increment,
            Info->IncrementFraction);
    return STATUS_SUCCESS;
}

VOID HlStartClockInterrupt(VOID) {
    switch (HlpTick.Source) {
        case HlTickLapic:
            if (HlpTick.Mode == HlTickModeDeadline) {
                HlApicTimerStartDeadline(HlpTick.Ops, HlpTick.Context, HL_CLOCK_VECTOR, &HlpTick.Deadline);
            } else {
                HlApicTimerStartCount(HlpTick.Ops, HlpTick.Context, HL_CLOCK_VECTOR,
                                      HlpTick.Mode == HlTickModeOneShot ? APIC_LVT_TIMER_ONE_SHOT
                                                                        : APIC_LVT_TIMER_PERIODIC,
                                      &HlpTick.Plan);
            }
            break;
        default:
            return;
    }
    HlpTick.Running = TRUE;
}

VOID HlAcknowledgeClockInterrupt(VOID) {
    if (!HlpTick.Running || HlpTick.Source != HlTickLapic) {
        return;
    }
    if (HlpTick.Mode == HlTickModeOneShot) {
        HlApicTimerRearmOneShot(HlpTick.Ops, HlpTick.Context, &HlpTick.Plan);
    } else if (HlpTick.Mode == HlTickModeDeadline) {
        HlApicTimerRearmDeadline(&HlpTick.Deadline);
    }
}

VOID HlStopClockInterrupt(VOID) {
    if (!HlpTick.Running) {
        return;
    }
    HlpTick.Running = FALSE;
    switch (HlpTick.Source) {
        case HlTickLapic:
            if (HlpTick.Mode == HlTickModeDeadline) {
                HlApicTimerStopDeadline(HlpTick.Ops, HlpTick.Context, &HlpTick.Deadline);
            } else {
                HlApicTimerStop(HlpTick.Ops, HlpTick.Context);
            }
            break;
        default:
            break;
    }
}

BOOLEAN HlStartProcessorClockInterrupt(VOID) {
    if (!HlpTick.Running || HlpTick.Source != HlTickLapic || HlpTick.Mode == HlTickModeDeadline) {
        return FALSE;
    }
    HlApicTimerStartCount(HlpTick.Ops, HlpTick.Context, HL_CLOCK_VECTOR,
                          HlpTick.Mode == HlTickModeOneShot ? APIC_LVT_TIMER_ONE_SHOT : APIC_LVT_TIMER_PERIODIC,
                          &HlpTick.Plan);
    return TRUE;
}

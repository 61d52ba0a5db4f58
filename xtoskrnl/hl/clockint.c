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
#define HL_PIT_CHANNEL0                0x40
#define HL_PIT_COMMAND                 0x43
#define HL_PIT_CH0_MODE2               0x34 /* channel 0, low then high byte, mode 2 (rate generator), binary */
#define HL_PIT_CH0_MODE0               0x30 /* channel 0, low then high byte, mode 0 (one count, then stays high) */
#define HL_HPET_MIN_PERIOD             16   /* HPET counts per tick, at least */

typedef struct _HL_TICK_STATE {
    ULONG Source; /* HL_TICK_SOURCE prepared (HlTickNone: nothing) */
    ULONG Mode;   /* HL_TICK_MODE */
    BOOLEAN Running;
    HL_TICK_PLAN Plan;
    HL_APIC_DEADLINE Deadline;
    PCHL_APIC_OPS Ops;
    PVOID Context;
    ULONGLONG LapicTimerHz; /* measured once, at divide 1 */
    volatile PUCHAR Hpet;   /* HPET: the register block */
    BOOLEAN HpetLegacy;     /* HPET: timer 0 through the legacy-replacement route (ISA IRQ 0), else Gsi */
    ULONG Gsi;              /* HPET (routed): the I/O APIC input from timer 0's capabilities */
    ULONGLONG TscHz;        /* for the lost-tick schedule (0: not kept) */
    HL_TICK_GRID Grid;      /* the lost-tick schedule on the TSC */
    volatile ULONGLONG Interrupts;
    volatile ULONGLONG Missed;
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

/* A 32-bit HPET register. */
static ULONG HlpHpetRead(ULONG Register) {
    return *(volatile ULONG *)(HlpTick.Hpet + Register);
}

static VOID HlpHpetWrite(ULONG Register, ULONG Value) {
    *(volatile ULONG *)(HlpTick.Hpet + Register) = Value;
}

/* Plans HPET timer 0 periodic at Hz: the lowest I/O APIC input above 15 its capabilities allow, else the
 * legacy-replacement route (ISA IRQ 0, with the MADT's override), else the lowest input it allows. FALSE (with the
 * reason printed) otherwise. */
static BOOLEAN HlpPlanHpet(ULONG Hz) {
    ULONGLONG HpetHz;
    ULONG Config, Routes;

    HlpTick.Hpet = HlpGetHpetRegisters(&HpetHz);
    if (HlpTick.Hpet == NULL) {
        KdPrint("HL: clock interrupt: no HPET here\n");
        return FALSE;
    }
    Config = HlpHpetRead(HL_HPET_TIMER_CONFIG(0));
    Routes = HlpHpetRead(HL_HPET_TIMER_CONFIG(0) + 4);
    if (!(Config & HL_HPET_TN_PERIODIC_CAPABLE)) {
        KdPrint("HL: clock interrupt: HPET timer 0 cannot run periodic\n");
        return FALSE;
    }
    /* An I/O APIC input above the ISA range first: the legacy-replacement route would take IRQ 8 from the CMOS RTC
     * (and IRQ 0 from the PIT) for as long as the HPET ticks. */
    HlpTick.HpetLegacy = FALSE;
    if ((Routes & 0xFFFF0000u) != 0) {
        for (HlpTick.Gsi = 16; !(Routes & (1u << HlpTick.Gsi)); HlpTick.Gsi++) {
        }
    } else if (HlpHpetRead(HL_HPET_CAPABILITIES) & HL_HPET_LEGACY_CAPABLE) {
        HlpTick.HpetLegacy = TRUE;
    } else if (Routes != 0) {
        for (HlpTick.Gsi = 0; !(Routes & (1u << HlpTick.Gsi)); HlpTick.Gsi++) {
        }
    } else {
        KdPrint("HL: clock interrupt: HPET timer 0 has no legacy route and no I/O APIC input\n");
        return FALSE;
    }
    if (!HlTickPlanRate(HpetHz, Hz, HL_HPET_MIN_PERIOD, 0xFFFFFFFF, 1, &HlpTick.Plan)) {
        KdPrint("HL: clock interrupt: HPET (%llu Hz) cannot tick at %u Hz\n", HpetHz, Hz);
        return FALSE;
    }
    return TRUE;
}

/* Starts HPET timer 0: periodic, edge, 32-bit; comparator = now + period, then the period (IA-PC HPET 1.0a, 2.3.9.2.2);
 * then its I/O APIC input. */
static XTSTATUS HlpStartHpet(VOID) {
    ULONG Config = HlpHpetRead(HL_HPET_TIMER_CONFIG(0)), Period = (ULONG)HlpTick.Plan.Period;

    Config &= ~(HL_HPET_TN_ROUTE_MASK | 0x2u); /* edge triggered */
    Config |= HL_HPET_TN_INT_ENABLE | HL_HPET_TN_PERIODIC | HL_HPET_TN_SET_VALUE | HL_HPET_TN_32BIT;
    if (HlpTick.HpetLegacy) {
        HlpHpetWrite(HL_HPET_CONFIGURATION, HlpHpetRead(HL_HPET_CONFIGURATION) | HL_HPET_LEGACY_ROUTE);
    } else {
        Config |= HlpTick.Gsi << HL_HPET_TN_ROUTE_SHIFT;
    }
    HlpHpetWrite(HL_HPET_TIMER_CONFIG(0), Config);
    HlpHpetWrite(HL_HPET_TIMER_COMPARATOR(0), HlpHpetRead(HL_HPET_MAIN_COUNTER) + Period);
    HlpHpetWrite(HL_HPET_TIMER_COMPARATOR(0), Period);
    return HlpTick.HpetLegacy ? HlEnableIsaInterrupt(0, HL_CLOCK_VECTOR)
                              : HlEnableGsiInterrupt(HlpTick.Gsi, HL_CLOCK_VECTOR, FALSE, FALSE);
}

/* Stops HPET timer 0 and masks its input; the legacy route is given back to the PIT and the RTC. */
static VOID HlpStopHpet(VOID) {
    HlpHpetWrite(HL_HPET_TIMER_CONFIG(0),
                 HlpHpetRead(HL_HPET_TIMER_CONFIG(0)) & ~(HL_HPET_TN_INT_ENABLE | HL_HPET_TN_PERIODIC));
    if (HlpTick.HpetLegacy) {
        HlDisableIsaInterrupt(0);
        HlpHpetWrite(HL_HPET_CONFIGURATION, HlpHpetRead(HL_HPET_CONFIGURATION) & ~HL_HPET_LEGACY_ROUTE);
    } else {
        HlDisableGsiInterrupt(HlpTick.Gsi);
    }
}

/* Plans PIT channel 0 at Hz (a reload of 2..65536 input clocks); FALSE when the PIT cannot tick at that rate or no
 * I/O APIC serves ISA IRQ 0. */
static BOOLEAN HlpPlanPit(ULONG Hz) {
    ULONG Gsi;

    if (!XT_SUCCESS(HlQueryIsaInterrupt(0, &Gsi, NULL, NULL))) {
        KdPrint("HL: clock interrupt: no I/O APIC input for ISA IRQ 0 (PIT)\n");
        return FALSE;
    }
    if (!HlTickPlanRate(HL_PIT_FREQUENCY, Hz, 2, HL_PIT_MAX_COUNT, 1, &HlpTick.Plan)) {
        KdPrint("HL: clock interrupt: the PIT cannot tick at %u Hz\n", Hz);
        return FALSE;
    }
    HlpTick.Gsi = Gsi;
    return TRUE;
}

/* Starts PIT channel 0 as a rate generator (mode 2) and unmasks ISA IRQ 0. */
static XTSTATUS HlpStartPit(VOID) {
    ULONG Count = (ULONG)HlpTick.Plan.Period & 0xFFFF; /* 65536 is written as 0 */

    HlWritePort8(HL_PIT_COMMAND, HL_PIT_CH0_MODE2);
    HlWritePort8(HL_PIT_CHANNEL0, (UCHAR)Count);
    HlWritePort8(HL_PIT_CHANNEL0, (UCHAR)(Count >> 8));
    return HlEnableIsaInterrupt(0, HL_CLOCK_VECTOR);
}

/* Masks ISA IRQ 0 and leaves channel 0 in mode 0 (counts once, then its output stays high: no more edges). */
static VOID HlpStopPit(VOID) {
    HlDisableIsaInterrupt(0);
    HlWritePort8(HL_PIT_COMMAND, HL_PIT_CH0_MODE0);
    HlWritePort8(HL_PIT_CHANNEL0, 0xFF);
    HlWritePort8(HL_PIT_CHANNEL0, 0xFF);
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

/* Prepares Source (HPET or PIT); FALSE when it is not usable here (the reason printed). */
static BOOLEAN HlpPlanDevice(ULONG Source, ULONG Hz) {
    if (Source == HlTickHpet && HlpPlanHpet(Hz)) {
        return TRUE;
    }
    return Source == HlTickPit && HlpPlanPit(Hz);
}

XTSTATUS HlInitializeClockInterrupt(ULONG Source, ULONG Mode, ULONG Hz, const HL_CLOCK_INFO *Reference,
                                    PHL_TICK_INFO Info) {
    RtlZeroMemory(Info, sizeof(*Info));
    Info->RequestedHz = Hz;
    HlStopClockInterrupt();
    HlpTick.Source = HlTickNone;
    HlpTick.TscHz = Reference->TscHz;
    HlpTick.Ops = HlpGetApicOps(&HlpTick.Context);
    if (HlpTick.Ops == NULL) {
        KdPrint("HL: clock interrupt: no local APIC, no clock interrupt\n");
        return STATUS_NOT_FOUND;
    }
    if (Source == HlTickHpet || Source == HlTickPit) {
        if (HlpPlanDevice(Source, Hz)) {
            HlpTick.Source = Source;
            HlpTick.Mode = HlTickModePeriodic;
        } else {
            KdPrint("HL: clock interrupt: TIMER=%s not usable here, using the local APIC timer\n",
                    HlTickSourceName(Source));
            Info->ForcedUnavailable = TRUE;
        }
    }
    if (HlpTick.Source == HlTickNone) {
        HlpTick.Mode = HlpChooseLapicMode(Mode, Reference);
        if (!HlpPlanLapic(HlpTick.Mode, Hz, Reference)) {
            KdPrint("HL: clock interrupt: the local APIC timer cannot tick at %u Hz\n", Hz);
            return STATUS_INVALID_PARAMETER;
        }
        HlpTick.Source = HlTickLapic;
    }
    HlpDescribeTick(Hz, Info);
    KdPrint("HL: clock interrupt: %s %s, vector 0x%02x, %u.%03u Hz (period %llu at %llu Hz, divide %u), "
            "increment %u + %u/2^32 x 100 ns\n",
            HlTickSourceName(Info->Source), HlTickModeName(Info->Mode), HL_CLOCK_VECTOR, Info->MilliHz / 1000,
            Info->MilliHz % 1000, Info->Period, Info->CounterHz, HlpTick.Plan.Divide, Info->Increment,
            Info->IncrementFraction);
    return STATUS_SUCCESS;
}

VOID HlStartClockInterrupt(VOID) {
    XTSTATUS Status = STATUS_SUCCESS;

    /* The tick in TSC ticks: the plan's period (increment and fraction, 32.32 in 100-ns units) at the TSC's rate. */
    HlTickGridStart(&HlpTick.Grid,
                    HlClockMulDiv(((ULONGLONG)HlpTick.Plan.Increment << 32) | HlpTick.Plan.IncrementFraction,
                                  HlpTick.TscHz, 10000000) >>
                        32,
                    ArReadTimeStampCounter());

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
        case HlTickHpet:
            Status = HlpStartHpet();
            break;
        case HlTickPit:
            Status = HlpStartPit();
            break;
        default:
            return;
    }
    HlpTick.Running = TRUE;
    if (!XT_SUCCESS(Status)) {
        KdPrint("HL: clock interrupt: %s not routed through the I/O APIC (status 0x%08x)\n",
                HlTickSourceName(HlpTick.Source), (ULONG)Status);
    }
}

ULONG HlAcknowledgeClockInterrupt(VOID) {
    ULONG Ticks;

    if (!HlpTick.Running) {
        return 1;
    }
    if (HlpTick.Source == HlTickLapic && HlpTick.Mode == HlTickModeOneShot) {
        HlApicTimerRearmOneShot(HlpTick.Ops, HlpTick.Context, &HlpTick.Plan);
    }
    if (HlpTick.Source == HlTickLapic && HlpTick.Mode == HlTickModeDeadline) {
        ULONG Before = HlpTick.Deadline.Missed;
        HlApicTimerRearmDeadline(&HlpTick.Deadline);
        Ticks = 1 + HlpTick.Deadline.Missed - Before;
    } else {
        Ticks = HlTickGridAdvance(&HlpTick.Grid, ArReadTimeStampCounter());
    }
    HlpTick.Interrupts++;
    HlpTick.Missed += Ticks > 1 ? Ticks - 1 : 0;
    return Ticks;
}

VOID HlAcknowledgeProcessorClockInterrupt(VOID) {
    if (HlpTick.Running && HlpTick.Source == HlTickLapic && HlpTick.Mode == HlTickModeOneShot) {
        HlApicTimerRearmOneShot(HlpTick.Ops, HlpTick.Context, &HlpTick.Plan);
    }
}

VOID HlQueryClockInterruptCounts(PULONGLONG Interrupts, PULONGLONG MissedTicks) {
    *Interrupts = HlpTick.Interrupts;
    *MissedTicks = HlpTick.Missed;
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
        case HlTickHpet:
            HlpStopHpet();
            break;
        case HlTickPit:
            HlpStopPit();
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

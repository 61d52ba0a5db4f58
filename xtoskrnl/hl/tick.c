/* The clock interrupt's pure pieces (see tick.h): tick arithmetic, the local APIC timer's plan and its mode sequences.
 */
#include <rtl.h>

#include "tick.h"

#define HL_TICK_UNITS_PER_SECOND 10000000ULL /* 100-ns units */
#define HL_TICK_MAX_SECONDS      400ULL      /* the longest period whose increment fits 32 bits */

/* Remainder * 2^32 / Divisor (Remainder < Divisor), scaled down first when Divisor needs more than 32 bits. */
static ULONG HlpTickFraction(ULONGLONG Remainder, ULONGLONG Divisor) {
    while (Divisor > 0xFFFFFFFFull) {
        Remainder >>= 1;
        Divisor >>= 1;
    }
    return (ULONG)RtlDivideUnsigned64(Remainder << 32, Divisor, NULL);
}

BOOLEAN HlTickPlanPeriod(ULONGLONG CounterHz, ULONGLONG Period, ULONG Divide, PHL_TICK_PLAN Plan) {
    ULONGLONG Seconds, Part, Units, Remainder, MilliHz;

    if (CounterHz == 0 || Period == 0 || CounterHz > 1000000000000ULL) {
        return FALSE;
    }
    Seconds = RtlDivideUnsigned64(Period, CounterHz, &Part);
    if (Seconds > HL_TICK_MAX_SECONDS || (Seconds == HL_TICK_MAX_SECONDS && Part != 0)) {
        return FALSE;
    }
    /* Period / CounterHz seconds = Seconds + Part / CounterHz; Part * 10^7 < 2^64 for CounterHz <= 10^12. */
    Units = RtlDivideUnsigned64(Part * HL_TICK_UNITS_PER_SECOND, CounterHz, &Remainder);
    MilliHz = RtlDivideUnsigned64(CounterHz * 1000 + Period / 2, Period, NULL);
    if (MilliHz > 0xFFFFFFFFull) {
        return FALSE;
    }
    Plan->CounterHz = CounterHz;
    Plan->Period = Period;
    Plan->Divide = Divide;
    Plan->MilliHz = (ULONG)MilliHz;
    Plan->Increment = (ULONG)(Seconds * HL_TICK_UNITS_PER_SECOND + Units);
    Plan->IncrementFraction = HlpTickFraction(Remainder, CounterHz);
    return TRUE;
}

BOOLEAN HlTickPlanRate(ULONGLONG CounterHz, ULONG Hz, ULONGLONG MinPeriod, ULONGLONG MaxPeriod, ULONG Divide,
                       PHL_TICK_PLAN Plan) {
    ULONGLONG Period;

    if (Hz == 0) {
        return FALSE;
    }
    Period = RtlDivideUnsigned64(CounterHz + Hz / 2, Hz, NULL);
    if (Period < MinPeriod || Period > MaxPeriod) {
        return FALSE;
    }
    return HlTickPlanPeriod(CounterHz, Period, Divide, Plan);
}

BOOLEAN HlApicTimerPlan(ULONGLONG TimerHz, ULONG Hz, PHL_TICK_PLAN Plan) {
    ULONGLONG Step, Count;

    if (Hz == 0 || TimerHz == 0) {
        return FALSE;
    }
    for (ULONG Divide = 1; Divide <= HL_APIC_TIMER_MAX_DIVIDE; Divide <<= 1) {
        Step = (ULONGLONG)Divide * Hz;
        Count = RtlDivideUnsigned64(TimerHz + Step / 2, Step, NULL);
        if (Count < HL_APIC_TIMER_MIN_COUNT) {
            return FALSE; /* a larger divide only makes the count smaller */
        }
        if (Count <= HL_APIC_TIMER_MAX_COUNT && HlTickPlanPeriod(TimerHz, Count * Divide, Divide, Plan)) {
            /* The timer counts at TimerHz / Divide: express the period in those counts. */
            Plan->CounterHz = RtlDivideUnsigned64(TimerHz, Divide, NULL);
            Plan->Period = Count;
            return TRUE;
        }
    }
    return FALSE;
}

ULONG HlApicTimerDivideValue(ULONG Divide) {
    /* Divide by 2^(n+1) is n in bits 3,1,0 as (n & 4) << 1 | (n & 3); divide by 1 is 0b1011. */
    for (ULONG Shift = 1; Shift <= 7; Shift++) {
        if (Divide == (1u << Shift)) {
            ULONG Code = Shift - 1;
            return ((Code & 4) << 1) | (Code & 3);
        }
    }
    return Divide == 1 ? 0xB : 0xFFFFFFFF;
}

ULONGLONG HlApicTimerRate(ULONGLONG Counts, ULONG Divide, ULONGLONG ReferenceTicks, ULONGLONG ReferenceHz) {
    if (ReferenceTicks == 0) {
        return 0;
    }
    return HlClockMulDiv(Counts * Divide, ReferenceHz, ReferenceTicks);
}

ULONGLONG HlApicTimerNextDeadline(ULONGLONG Previous, ULONGLONG Period, ULONGLONG Now, PULONG Missed) {
    ULONGLONG Steps;

    *Missed = 0;
    if (Period == 0) {
        return Now + 1;
    }
    if (Now < Previous + Period) {
        return Previous + Period;
    }
    Steps = RtlDivideUnsigned64(Now - Previous, Period, NULL) + 1;
    *Missed = Steps - 1 > 0xFFFFFFFFull ? 0xFFFFFFFF : (ULONG)(Steps - 1);
    return Previous + Steps * Period;
}

VOID HlTickGridStart(PHL_TICK_GRID Grid, ULONGLONG Period, ULONGLONG Now) {
    Grid->Period = Period;
    Grid->Next = Now + Period / 2;
}

ULONG HlTickGridAdvance(PHL_TICK_GRID Grid, ULONGLONG Now) {
    ULONGLONG Due;

    if (Grid->Period == 0) {
        return 1;
    }
    if (Now < Grid->Next) {
        return 0;
    }
    Due = RtlDivideUnsigned64(Now - Grid->Next, Grid->Period, NULL) + 1;
    if (Due > 0xFFFFFFFFull) {
        Due = 0xFFFFFFFFull;
    }
    Grid->Next += Due * Grid->Period;
    return (ULONG)Due;
}

VOID HlApicTimerStop(PCHL_APIC_OPS Ops, PVOID Context) {
    Ops->Write(Context, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_TIMER_ONE_SHOT);
    Ops->Write(Context, APIC_REGISTER_TIMER_INITIAL, 0);
}

VOID HlApicTimerStartCalibration(PCHL_APIC_OPS Ops, PVOID Context, ULONG Divide) {
    HlApicTimerStop(Ops, Context);
    Ops->Write(Context, APIC_REGISTER_TIMER_DIVIDE, HlApicTimerDivideValue(Divide));
    Ops->Write(Context, APIC_REGISTER_TIMER_INITIAL, 0xFFFFFFFF);
}

VOID HlApicTimerStartCount(PCHL_APIC_OPS Ops, PVOID Context, ULONG Vector, ULONG Mode, const HL_TICK_PLAN *Plan) {
    HlApicTimerStop(Ops, Context);
    Ops->Write(Context, APIC_REGISTER_TIMER_DIVIDE, HlApicTimerDivideValue(Plan->Divide));
    Ops->Write(Context, APIC_REGISTER_LVT_TIMER, (Mode & APIC_LVT_TIMER_MODE_MASK) | (Vector & 0xFF));
    Ops->Write(Context, APIC_REGISTER_TIMER_INITIAL, (ULONG)Plan->Period);
}

VOID HlApicTimerRearmOneShot(PCHL_APIC_OPS Ops, PVOID Context, const HL_TICK_PLAN *Plan) {
    Ops->Write(Context, APIC_REGISTER_TIMER_INITIAL, (ULONG)Plan->Period);
}

VOID HlApicTimerStartDeadline(PCHL_APIC_OPS Ops, PVOID Context, ULONG Vector, PHL_APIC_DEADLINE Deadline) {
    HlApicTimerStop(Ops, Context);
    Ops->Write(Context, APIC_REGISTER_LVT_TIMER, APIC_LVT_TIMER_DEADLINE | (Vector & 0xFF));
    Deadline->Fence();
    Deadline->Missed = 0;
    Deadline->Deadline = Deadline->ReadTsc() + Deadline->Period;
    Deadline->WriteMsr(APIC_TSC_DEADLINE_MSR, Deadline->Deadline);
}

VOID HlApicTimerRearmDeadline(PHL_APIC_DEADLINE Deadline) {
    ULONG Missed;

    Deadline->Deadline = HlApicTimerNextDeadline(Deadline->Deadline, Deadline->Period, Deadline->ReadTsc(), &Missed);
    Deadline->Missed += Missed;
    Deadline->WriteMsr(APIC_TSC_DEADLINE_MSR, Deadline->Deadline);
}

VOID HlApicTimerStopDeadline(PCHL_APIC_OPS Ops, PVOID Context, PHL_APIC_DEADLINE Deadline) {
    Deadline->WriteMsr(APIC_TSC_DEADLINE_MSR, 0);
    Deadline->Deadline = 0;
    HlApicTimerStop(Ops, Context);
}

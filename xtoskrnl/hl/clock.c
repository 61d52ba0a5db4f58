/* Clock sources: wrap handling, source choice and TSC calibration math (pure; see clock.h). */
#include <rtl.h>

#include "clock.h"

ULONG HlClockElapsed(ULONG Start, ULONG End, ULONG Mask) {
    return (End - Start) & Mask;
}

ULONGLONG HlClockAdvance(PHL_CLOCK_COUNTER Counter, ULONG Raw) {
    Raw &= Counter->Mask;
    if (Counter->Started) {
        Counter->Total += HlClockElapsed(Counter->Last, Raw, Counter->Mask);
    }
    Counter->Started = TRUE;
    Counter->Last = Raw;
    return Counter->Total;
}

ULONG HlClockPitUpCount(USHORT Latched) {
    return (0x10000u - Latched) & 0xFFFFu;
}

ULONGLONG HlClockMulDiv(ULONGLONG Value, ULONGLONG Multiplier, ULONGLONG Divisor) {
    ULONGLONG Remainder;
    ULONGLONG Quotient;

    if (Divisor == 0) {
        return 0;
    }
    Quotient = RtlDivideUnsigned64(Value, Divisor, &Remainder);
    return Quotient * Multiplier + RtlDivideUnsigned64(Remainder * Multiplier, Divisor, NULL);
}

ULONGLONG HlClockHpetFrequency(ULONGLONG Capabilities) {
    ULONGLONG Period = Capabilities >> 32;

    if (Period == 0 || Period > HL_HPET_MAX_PERIOD_FS) {
        return 0;
    }
    return RtlDivideUnsigned64(HL_FEMTOSECONDS_PER_SECOND, Period, NULL);
}

ULONG HlClockChooseSource(ULONG Forced, BOOLEAN HpetAvailable, BOOLEAN PmTimerAvailable, PBOOLEAN ForcedUnavailable) {
    BOOLEAN Available = (Forced == HlClockHpet && HpetAvailable) || (Forced == HlClockPmTimer && PmTimerAvailable) ||
                        Forced == HlClockPit;

    *ForcedUnavailable = Forced != HlClockNone && !Available;
    if (Forced != HlClockNone && Available) {
        return Forced;
    }
    if (HpetAvailable) {
        return HlClockHpet;
    }
    return PmTimerAvailable ? HlClockPmTimer : HlClockPit;
}

ULONGLONG HlClockTscRate(ULONGLONG TscTicks, ULONGLONG ReferenceTicks, ULONGLONG ReferenceHz) {
    return HlClockMulDiv(TscTicks, ReferenceHz, ReferenceTicks);
}

ULONGLONG HlClockMedianRate(PULONGLONG Rates, ULONG Count, PULONG SpreadPpm) {
    ULONGLONG Median;

    *SpreadPpm = 0;
    if (Count == 0 || Count > 16) {
        return 0;
    }
    for (ULONG Index = 1; Index < Count; Index++) {
        ULONGLONG Rate = Rates[Index];
        ULONG Position = Index;
        for (; Position > 0 && Rates[Position - 1] > Rate; Position--) {
            Rates[Position] = Rates[Position - 1];
        }
        Rates[Position] = Rate;
    }
    Median = Rates[(Count - 1) / 2];
    if (Median != 0) {
        *SpreadPpm = (ULONG)HlClockMulDiv(Rates[Count - 1] - Rates[0], 1000000, Median);
    }
    return Median;
}

PCSTR HlClockSourceName(ULONG Source) {
    static const PCSTR Names[] = {"NONE", "HPET", "PM", "PIT"};

    return Source < ARRAY_SIZE(Names) ? Names[Source] : "NONE";
}

/* KeClockTickSuite (SELFTEST only): the clock interrupt on the live machine. The tick rate measured edge to edge
 * against the TSC and against the HPET (when the machine has one), the tick count and the interrupt time advancing
 * together by the time increment, the interrupt time standing still between ticks, the system time advancing with
 * the clock, never backwards, and agreeing with the CMOS RTC read at one of its second edges.
 *
 * Tolerance: the measured rate of the best of RATE_TRIES windows of RATE_WINDOW_MS must lie within
 * RATE_LOW_PERCENT..RATE_HIGH_PERCENT of the rate the time increment says. Ticks never come early, but under QEMU's
 * TCG they are lost when the host deschedules the vCPU thread for longer than a period (QEMU's local APIC timer, HPET
 * and PIT all skip the periods that passed; nothing catches up), so the lower bound is wide (75 %) and the best window
 * counts; the upper bound (103 %) allows the TSC's and the reference's calibration error. A wrong divide value, reload
 * or period is off by a factor of 2 or more and fails either bound. The system time must advance by 75..103 % of the
 * TSC time as well, and agree with the RTC within RTC_TOLERANCE_MS (the boot time was read at an unknown point of its
 * second, so it lags real time by up to 1 s, plus lost ticks). */
#include <hl.h>
#include <ke.h>
#include <rtl.h>
#include <tests/kernel_suites.h>

#define RATE_INTERVALS     64
#define RATE_MIN_INTERVALS 8
#define RATE_LIMIT_MS      4000
#define RATE_LOW_PERCENT   95
#define RATE_HIGH_PERCENT  105
#define TIME_LOW_PERCENT   90
#define TIME_HIGH_PERCENT  103
#define RTC_TOLERANCE_MS   2000
#define EFLAGS_IF          0x200

/* Turns interrupts on for a measurement; returns the flags to restore. */
static ULONG_PTR TickEnableInterrupts(VOID) {
    ULONG_PTR Flags;

    __asm__ volatile("pushf; pop %0; sti" : "=r"(Flags) : : "memory");
    return Flags;
}

static VOID TickRestoreInterrupts(ULONG_PTR Flags) {
    __asm__ volatile("push %0; popf" : : "r"(Flags) : "memory", "cc");
}

/* The TSC now, and its rate. */
static ULONGLONG TscNow(PULONGLONG Hz) {
    LARGE_INTEGER Frequency, Counter = KeQueryPerformanceCounter(&Frequency);

    if (Hz != NULL) {
        *Hz = (ULONGLONG)Frequency.QuadPart;
    }
    return (ULONGLONG)Counter.QuadPart;
}

/* The rate the time increment stands for, in millihertz. */
static ULONGLONG ExpectedMilliHz(VOID) {
    ULONG Increment = KeQueryTimeIncrement();

    return Increment ? RtlDivideUnsigned64(10000000000ULL + Increment / 2, Increment, NULL) : 0;
}

/* A time base for the windows: the TSC, or the HPET's low 32 bits (extended; read often enough not to wrap twice). */
typedef struct _TICK_BASE {
    BOOLEAN Hpet;
    ULONGLONG Hz;
    ULONG Last;
    ULONGLONG Total;
} TICK_BASE;

static ULONGLONG BaseRead(TICK_BASE *Base) {
    ULONG Raw;

    if (!Base->Hpet) {
        return TscNow(NULL);
    }
    Raw = HlReadClockSource(HlClockHpet);
    Base->Total += (ULONG)(Raw - Base->Last);
    Base->Last = Raw;
    return Base->Total;
}

/* Clock interrupts taken so far. */
static ULONGLONG Interrupts(VOID) {
    ULONGLONG Count, Missed;

    HlQueryClockInterruptCounts(&Count, &Missed);
    return Count;
}

/* Sorts Count values (insertion) and returns the median. */
static ULONGLONG Median(PULONGLONG Values, ULONG Count) {
    for (ULONG Index = 1; Index < Count; Index++) {
        ULONGLONG Value = Values[Index];
        ULONG Position = Index;
        for (; Position > 0 && Values[Position - 1] > Value; Position--) {
            Values[Position] = Values[Position - 1];
        }
        Values[Position] = Value;
    }
    return Count ? Values[Count / 2] : 0;
}

/* The period between clock interrupts on Base: the median of up to RATE_INTERVALS intervals from one interrupt to the
 * next, polled without a gap longer than an eighth of Expected (base units) - an interval in which this processor did
 * not run, or an interrupt was lost, is not clean and not counted. Stops after RATE_LIMIT_MS. */
static ULONGLONG MeasurePeriod(TICK_BASE *Base, ULONGLONG Expected, PULONG Clean, PULONG Seen) {
    ULONGLONG Intervals[RATE_INTERVALS], Limit = HlClockMulDiv(RATE_LIMIT_MS, Base->Hz, 1000);
    ULONGLONG Start = BaseRead(Base), Now = Start, Previous = Start, Edge = 0, Last = Interrupts(), Count;
    BOOLEAN Dirty = TRUE, PreviousDirty = TRUE; /* the first interval starts at an unknown point */

    *Clean = *Seen = 0;
    while (*Clean < RATE_INTERVALS && Now - Start < Limit) {
        Now = BaseRead(Base);
        Dirty |= Now - Previous > Expected / 4;
        Previous = Now;
        Count = Interrupts();
        if (Count != Last) {
            /* Clean: one interrupt, no gap in this interval nor in the one before (after a gap QEMU's local APIC
             * timer and PIT deliver the interrupts they missed back to back). */
            if (Count == Last + 1 && !Dirty && !PreviousDirty) {
                Intervals[(*Clean)++] = Now - Edge;
            }
            *Seen += (ULONG)(Count - Last);
            PreviousDirty = Dirty || Count != Last + 1;
            Edge = Now;
            Last = Count;
            Dirty = FALSE;
        }
    }
    return Median(Intervals, *Clean);
}

/* Checks the interrupt period on Base against the increment's rate; prints the figures. */
static VOID CheckRate(PXTEST_CONTEXT XtestContext, TICK_BASE *Base, PCSTR Name) {
    ULONGLONG Expected = ExpectedMilliHz(), Period, Rate, ExpectedPeriod, Missed0, Missed1, Count;
    ULONG_PTR Flags = TickEnableInterrupts();
    ULONG Clean, Seen;

    XTEST_ASSERT(Expected != 0);
    ExpectedPeriod = HlClockMulDiv(KeQueryTimeIncrement(), Base->Hz, 10000000);
    HlQueryClockInterruptCounts(&Count, &Missed0);
    Period = MeasurePeriod(Base, ExpectedPeriod, &Clean, &Seen);
    HlQueryClockInterruptCounts(&Count, &Missed1);
    TickRestoreInterrupts(Flags);
    Rate = Period ? HlClockMulDiv(Base->Hz, 1000, Period) : 0;
    XtestPrint("  KeClockTickSuite: clock %llu Hz, measured %llu.%03llu Hz on the %s (median of %u clean intervals; "
               "%u interrupts, %llu ticks found missed)\n",
               (Expected + 500) / 1000, Rate / 1000, Rate % 1000, Name, Clean, Seen, Missed1 - Missed0);
    XTEST_CHECK(Clean >= RATE_MIN_INTERVALS);
    XTEST_CHECK(Rate * 100 >= Expected * RATE_LOW_PERCENT);
    XTEST_CHECK(Rate * 100 <= Expected * RATE_HIGH_PERCENT);
}

XTEST(ClockTicksAtItsRateOnTheTsc) {
    TICK_BASE Base = {FALSE, 0, 0, 0};

    TscNow(&Base.Hz);
    CheckRate(XtestContext, &Base, "TSC");
}

XTEST(ClockTicksAtItsRateOnTheHpet) {
    TICK_BASE Base = {TRUE, 0, 0, 0};
    ULONG Mask;

    if (!HlQueryClockSource(HlClockHpet, &Base.Hz, &Mask)) {
        XtestPrint("  KeClockTickSuite: no HPET on this machine (-no-hpet): TSC measurement only\n");
        return;
    }
    Base.Last = HlReadClockSource(HlClockHpet);
    CheckRate(XtestContext, &Base, "HPET");
}

/* The tick count and the interrupt time, read together (no tick between them). */
static VOID ReadClock(PULONGLONG Ticks, PULONGLONG InterruptTime) {
    do {
        *Ticks = KeQueryTickCount();
        *InterruptTime = KeQueryInterruptTime();
    } while (KeQueryTickCount() != *Ticks);
}

XTEST(TickCountAndInterruptTimeAdvanceTogether) {
    ULONGLONG Ticks0, Time0, Ticks1, Time1, Stall = 0;
    ULONG Increment = KeQueryTimeIncrement();
    ULONG_PTR Flags = TickEnableInterrupts();

    XTEST_ASSERT(Increment != 0);
    ReadClock(&Ticks0, &Time0);
    KeStallExecutionProcessor(100000);
    ReadClock(&Ticks1, &Time1);
    /* Between ticks the interrupt time stands still (NT's): two reads without a tick agree. */
    for (ULONG Try = 0; Try < 1000 && Stall == 0; Try++) {
        ULONGLONG Ticks = KeQueryTickCount(), First = KeQueryInterruptTime(), Second = KeQueryInterruptTime();
        Stall = KeQueryTickCount() == Ticks ? (First == Second ? 1 : 2) : 0;
    }
    TickRestoreInterrupts(Flags);
    XTEST_CHECK(Ticks1 > Ticks0);
    /* Each tick adds Increment plus a carry of the 2^-32 fraction: at most one 100-ns unit more per tick. */
    XTEST_CHECK(Time1 - Time0 >= (Ticks1 - Ticks0) * Increment);
    XTEST_CHECK(Time1 - Time0 <= (Ticks1 - Ticks0) * (Increment + 1));
    XTEST_CHECK_EQ(Stall, 1);
    XtestPrint("  KeClockTickSuite: %llu ticks in a 100 ms stall, interrupt time +%llu x 100 ns (increment %u)\n",
               Ticks1 - Ticks0, Time1 - Time0, Increment);
}

XTEST(SystemTimeAdvancesWithTheClockAndNeverBack) {
    LARGE_INTEGER Before, After, Previous, Current;
    ULONGLONG TscHz, Tsc0, Tsc1, Elapsed, Backwards = 0;
    ULONG_PTR Flags = TickEnableInterrupts();

    KeQuerySystemTime(&Before);
    Tsc0 = TscNow(&TscHz);
    Previous = Before;
    while (TscNow(NULL) - Tsc0 < TscHz / 5) {
        KeQuerySystemTime(&Current);
        Backwards += Current.QuadPart < Previous.QuadPart;
        Previous = Current;
    }
    KeQuerySystemTime(&After);
    Tsc1 = TscNow(NULL);
    TickRestoreInterrupts(Flags);
    Elapsed = HlClockMulDiv(Tsc1 - Tsc0, RTL_TIME_TICKS_PER_SECOND, TscHz);
    XTEST_CHECK_EQ(Backwards, 0);
    XTEST_CHECK((ULONGLONG)(After.QuadPart - Before.QuadPart) * 100 >= Elapsed * TIME_LOW_PERCENT);
    XTEST_CHECK((ULONGLONG)(After.QuadPart - Before.QuadPart) * 100 <=
                Elapsed * TIME_HIGH_PERCENT + 100 * KeQueryTimeIncrement());
    XtestPrint("  KeClockTickSuite: system time +%llu x 100 ns over %llu x 100 ns of TSC time\n",
               (ULONGLONG)(After.QuadPart - Before.QuadPart), Elapsed);
}

XTEST(SystemTimeAgreesWithTheRtc) {
    CHAR System[RTL_ISO_TIME_SIZE], Rtc[RTL_ISO_TIME_SIZE];
    TIME_FIELDS First, Fields;
    LARGE_INTEGER RtcTime, Now;
    ULONGLONG TscHz, Start = TscNow(&TscHz);
    ULONG_PTR Flags = TickEnableInterrupts();
    LONGLONG DifferenceMs;
    PCSTR Error;

    /* At the RTC's next second edge (within 1.5 s on the TSC) the RTC time is exact. */
    XTEST_ASSERT(XT_SUCCESS(HlQueryRealTimeClock(0, &First, &Error)));
    do {
        XTEST_ASSERT(XT_SUCCESS(HlQueryRealTimeClock(0, &Fields, &Error)));
    } while (Fields.Second == First.Second && TscNow(NULL) - Start < TscHz + TscHz / 2);
    KeQuerySystemTime(&Now);
    TickRestoreInterrupts(Flags);
    XTEST_CHECK(Fields.Second != First.Second);
    XTEST_ASSERT(RtlTimeFieldsToTime(&Fields, &RtcTime));
    DifferenceMs = (Now.QuadPart - RtcTime.QuadPart) / 10000;
    XTEST_CHECK(DifferenceMs <= RTC_TOLERANCE_MS && DifferenceMs >= -RTC_TOLERANCE_MS);
    XTEST_CHECK(XT_SUCCESS(RtlFormatIsoTime(&Now, System, sizeof(System))));
    XTEST_CHECK(XT_SUCCESS(RtlFormatIsoTime(&RtcTime, Rtc, sizeof(Rtc))));
    XtestPrint("  KeClockTickSuite: system time %s, CMOS RTC %s (system - RTC: %lld ms)\n", System, Rtc, DifferenceMs);
}

XTEST_SUITE(KeClockTickSuite, XTEST_ENTRY(ClockTicksAtItsRateOnTheTsc), XTEST_ENTRY(ClockTicksAtItsRateOnTheHpet),
            XTEST_ENTRY(TickCountAndInterruptTimeAdvanceTogether),
            XTEST_ENTRY(SystemTimeAdvancesWithTheClockAndNeverBack), XTEST_ENTRY(SystemTimeAgreesWithTheRtc));

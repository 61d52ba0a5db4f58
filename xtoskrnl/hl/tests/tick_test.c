/* HlTickSuite: the clock interrupt's pure pieces (hl/tick.c). The local APIC timer's calibration math (rate from a
 * window, divide values, initial count for a rate: rounding, the choice of divide, limits), the tick arithmetic
 * (achieved rate, time increment and its fraction, PIT and HPET periods), TSC-deadline stepping and the lost-tick
 * schedule, and the register sequences of the periodic, one-shot and TSC-deadline modes against a register model that
 * logs every access in order (xAPIC offsets, x2APIC MSRs, IA32_TSC_DEADLINE and the fence). QEMU's TCG has no
 * TSC-deadline timer and no x2APIC: this is those paths' test. */
#include <tick.h>
#include <xtest.h>

#define LOG_MAX 32

typedef enum _EVENT_KIND { EventRegister = 1, EventMsr, EventFence } EVENT_KIND;

/* Every access of the model, in order: APIC register writes (xAPIC offset), MSR writes, fences. */
static struct {
    ULONG Kind;
    ULONG Register;
    ULONGLONG Value;
} Log[LOG_MAX];
static ULONG LogCount;
static ULONG Registers[0x400 / 4];
static ULONGLONG ModelTsc;
static ULONGLONG X2ApicMsrs[0x40];

static VOID LogEvent(ULONG Kind, ULONG Register, ULONGLONG Value) {
    if (LogCount < LOG_MAX) {
        Log[LogCount].Kind = Kind;
        Log[LogCount].Register = Register;
        Log[LogCount].Value = Value;
    }
    LogCount++;
}

static VOID ModelReset(VOID) {
    LogCount = 0;
    ModelTsc = 0;
    for (ULONG Index = 0; Index < ARRAY_SIZE(Registers); Index++) {
        Registers[Index] = 0;
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(X2ApicMsrs); Index++) {
        X2ApicMsrs[Index] = 0;
    }
}

static ULONG ModelRead(PVOID Context, ULONG Register) {
    return Registers[Register / 4];
}

static VOID ModelWrite(PVOID Context, ULONG Register, ULONG Value) {
    Registers[Register / 4] = Value;
    LogEvent(EventRegister, Register, Value);
}

static VOID ModelWriteIcr(PVOID Context, ULONG Destination, ULONG Command) {
}

static const HL_APIC_OPS ModelOps = {"model", ModelRead, ModelWrite, ModelWriteIcr, 24};

static ULONGLONG ModelReadTsc(VOID) {
    return ModelTsc;
}

static VOID ModelWriteMsr(ULONG Msr, ULONGLONG Value) {
    if (Msr >= 0x800 && Msr < 0x840) {
        X2ApicMsrs[Msr - 0x800] = Value;
    }
    LogEvent(EventMsr, Msr, Value);
}

static ULONGLONG ModelReadMsr(ULONG Msr) {
    return Msr >= 0x800 && Msr < 0x840 ? X2ApicMsrs[Msr - 0x800] : 0;
}

static VOID ModelFence(VOID) {
    LogEvent(EventFence, 0, 0);
}

/* Checks log entry Index. */
#define CHECK_EVENT(Index, EventKind, Reg, Val)                                                                        \
    do {                                                                                                               \
        XTEST_CHECK_EQ(Log[Index].Kind, EventKind);                                                                    \
        XTEST_CHECK_EQ(Log[Index].Register, Reg);                                                                      \
        XTEST_CHECK_EQ(Log[Index].Value, Val);                                                                         \
    } while (0)

XTEST(DivideValuesFollowTheSdm) {
    static const ULONG Expected[][2] = {{1, 0xB},  {2, 0x0},  {4, 0x1},  {8, 0x2},
                                        {16, 0x3}, {32, 0x8}, {64, 0x9}, {128, 0xA}};

    for (ULONG Index = 0; Index < ARRAY_SIZE(Expected); Index++) {
        XTEST_CHECK_EQ(HlApicTimerDivideValue(Expected[Index][0]), Expected[Index][1]);
    }
    XTEST_CHECK_EQ(HlApicTimerDivideValue(0), 0xFFFFFFFF);
    XTEST_CHECK_EQ(HlApicTimerDivideValue(3), 0xFFFFFFFF);
    XTEST_CHECK_EQ(HlApicTimerDivideValue(256), 0xFFFFFFFF);
}

XTEST(TimerRateFromACalibrationWindow) {
    /* 10 ms of a 100 MHz HPET: 10^7 counts at divide 1, 625000 at divide 16, are 1 GHz. */
    XTEST_CHECK_EQ(HlApicTimerRate(10000000, 1, 1000000, 100000000), 1000000000);
    XTEST_CHECK_EQ(HlApicTimerRate(625000, 16, 1000000, 100000000), 1000000000);
    /* 10 ms of the PM timer (35795 ticks at 3579545 Hz) and a 25 MHz crystal: 250000 counts. */
    XTEST_CHECK_EQ(HlApicTimerRate(249998, 1, 35795, 3579545), 25000114);
    XTEST_CHECK_EQ(HlApicTimerRate(12345, 1, 0, 3579545), 0);
}

XTEST(PlanAtOneGigahertz) {
    HL_TICK_PLAN Plan;

    XTEST_ASSERT(HlApicTimerPlan(1000000000, 250, &Plan));
    XTEST_CHECK_EQ(Plan.Divide, 1);
    XTEST_CHECK_EQ(Plan.Period, 4000000);
    XTEST_CHECK_EQ(Plan.CounterHz, 1000000000);
    XTEST_CHECK_EQ(Plan.MilliHz, 250000);
    XTEST_CHECK_EQ(Plan.Increment, 40000);
    XTEST_CHECK_EQ(Plan.IncrementFraction, 0);
    XTEST_ASSERT(HlApicTimerPlan(1000000000, 100, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 10000000);
    XTEST_CHECK_EQ(Plan.Increment, 100000);
}

XTEST(PlanRoundsTheCountToNearest) {
    HL_TICK_PLAN Plan;

    /* 999886001 / 250 = 3999544.004: 3999544 counts = 3.99999994 ms = 39999 + 0.9994 units of 100 ns. */
    XTEST_ASSERT(HlApicTimerPlan(999886001, 250, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 3999544);
    XTEST_CHECK_EQ(Plan.Increment, 39999);
    XTEST_CHECK(Plan.IncrementFraction > 0xFFC00000u);
    XTEST_CHECK_EQ(Plan.MilliHz, 250000);
    /* 2000000 / 3 = 666666.67 rounds up; 2000000 / 7 = 285714.29 rounds down. */
    XTEST_ASSERT(HlApicTimerPlan(2000000, 3, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 666667);
    XTEST_ASSERT(HlApicTimerPlan(2000000, 7, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 285714);
    XTEST_CHECK_EQ(Plan.MilliHz, 7000); /* 7.0000070 Hz */
}

XTEST(PlanChoosesTheSmallestDivideThatFits) {
    HL_TICK_PLAN Plan;

    /* 100 GHz at 20 Hz: 5 * 10^9 counts overflow 32 bits; divide 2 gives 2.5 * 10^9. */
    XTEST_ASSERT(HlApicTimerPlan(100000000000ULL, 20, &Plan));
    XTEST_CHECK_EQ(Plan.Divide, 2);
    XTEST_CHECK_EQ(Plan.Period, 2500000000ULL);
    XTEST_CHECK_EQ(Plan.CounterHz, 50000000000ULL);
    XTEST_CHECK_EQ(Plan.Increment, 500000);
    /* 10^12 Hz at 20 Hz: 5 * 10^10; divide 16 is the first to fit (3.125 * 10^9). */
    XTEST_ASSERT(HlApicTimerPlan(1000000000000ULL, 20, &Plan));
    XTEST_CHECK_EQ(Plan.Divide, 16);
    XTEST_CHECK_EQ(Plan.Period, 3125000000ULL);
}

XTEST(PlanLimits) {
    HL_TICK_PLAN Plan;

    XTEST_CHECK(!HlApicTimerPlan(0, 250, &Plan));
    XTEST_CHECK(!HlApicTimerPlan(1000000000, 0, &Plan));
    /* At least HL_APIC_TIMER_MIN_COUNT counts a tick: 16 * 250 = 4000 Hz is the slowest timer for 250 Hz. */
    XTEST_ASSERT(HlApicTimerPlan(4000, 250, &Plan));
    XTEST_CHECK_EQ(Plan.Period, HL_APIC_TIMER_MIN_COUNT);
    XTEST_ASSERT(HlApicTimerPlan(3900, 250, &Plan)); /* 15.6 rounds to 16 */
    XTEST_CHECK(!HlApicTimerPlan(3700, 250, &Plan)); /* 14.8 rounds to 15 */
    XTEST_CHECK(!HlApicTimerPlan(100, 250, &Plan));
    /* Even divide 128 cannot hold 10^12 Hz at 1 Hz in 32 bits (and the counter is beyond the plan's range). */
    XTEST_CHECK(!HlApicTimerPlan(1000000000000ULL, 1, &Plan));
}

XTEST(PitAndHpetPeriods) {
    HL_TICK_PLAN Plan;

    /* PIT at 250 Hz: 1193182 / 250 = 4772.7 -> 4773 = 249.986 Hz, 4.0002 ms. */
    XTEST_ASSERT(HlTickPlanRate(1193182, 250, 2, HL_PIT_MAX_COUNT, 1, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 4773);
    XTEST_CHECK_EQ(Plan.MilliHz, 249986);
    XTEST_CHECK_EQ(Plan.Increment, 40002);
    XTEST_CHECK(Plan.IncrementFraction > 0x47000000u && Plan.IncrementFraction < 0x48000000u); /* 0.2796 */
    /* PIT at 100 Hz: 11932 counts; 18 Hz needs 66288 > 65536, 19 Hz fits. */
    XTEST_ASSERT(HlTickPlanRate(1193182, 100, 2, HL_PIT_MAX_COUNT, 1, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 11932);
    XTEST_CHECK(!HlTickPlanRate(1193182, 18, 2, HL_PIT_MAX_COUNT, 1, &Plan));
    XTEST_CHECK(HlTickPlanRate(1193182, 19, 2, HL_PIT_MAX_COUNT, 1, &Plan));
    /* HPET at 100 MHz, 250 Hz: 400000 counts, exactly 40000 x 100 ns. */
    XTEST_ASSERT(HlTickPlanRate(100000000, 250, 16, 0xFFFFFFFF, 1, &Plan));
    XTEST_CHECK_EQ(Plan.Period, 400000);
    XTEST_CHECK_EQ(Plan.Increment, 40000);
    XTEST_CHECK_EQ(Plan.IncrementFraction, 0);
    XTEST_CHECK(!HlTickPlanRate(100000000, 0, 16, 0xFFFFFFFF, 1, &Plan));
}

XTEST(IncrementLimits) {
    HL_TICK_PLAN Plan;

    XTEST_ASSERT(HlTickPlanPeriod(1, 400, 1, &Plan)); /* 400 s: 4 * 10^9 units still fit 32 bits */
    XTEST_CHECK_EQ(Plan.Increment, 4000000000u);
    XTEST_CHECK(!HlTickPlanPeriod(1, 401, 1, &Plan));
    XTEST_CHECK(!HlTickPlanPeriod(0, 10, 1, &Plan));
    XTEST_CHECK(!HlTickPlanPeriod(1000, 0, 1, &Plan));
    /* A 3 Hz counter firing every count: 3.333... ms = 3333333 + 1/3 units. */
    XTEST_ASSERT(HlTickPlanPeriod(3, 1, 1, &Plan));
    XTEST_CHECK_EQ(Plan.Increment, 3333333);
    XTEST_CHECK_EQ(Plan.IncrementFraction, 0x55555555u);
}

XTEST(DeadlineStepsWholePeriods) {
    ULONG Missed;

    XTEST_CHECK_EQ(HlApicTimerNextDeadline(1000, 100, 1050, &Missed), 1100);
    XTEST_CHECK_EQ(Missed, 0);
    XTEST_CHECK_EQ(HlApicTimerNextDeadline(1000, 100, 1099, &Missed), 1100);
    XTEST_CHECK_EQ(HlApicTimerNextDeadline(1000, 100, 1100, &Missed), 1200); /* 1100 passed already */
    XTEST_CHECK_EQ(Missed, 1);
    XTEST_CHECK_EQ(HlApicTimerNextDeadline(1000, 100, 1350, &Missed), 1400);
    XTEST_CHECK_EQ(Missed, 3);
    XTEST_CHECK_EQ(HlApicTimerNextDeadline(1000, 0, 5000, &Missed), 5001);
    XTEST_CHECK_EQ(Missed, 0);
}

XTEST(GridCountsLostAndCatchUpInterrupts) {
    HL_TICK_GRID Grid;

    HlTickGridStart(&Grid, 100, 0);
    XTEST_CHECK_EQ(Grid.Next, 50);
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 100), 1);
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 199), 1); /* a little early: still its tick */
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 340), 1); /* late by 40 */
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 345), 0); /* a catch-up right behind it */
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 760), 5); /* 350, 450, 550, 650, 750 were due */
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 761), 0);
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 762), 0);
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 800), 0);
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 900), 1);
    Grid.Period = 0;
    XTEST_CHECK_EQ(HlTickGridAdvance(&Grid, 1), 1);
}

XTEST(GridFollowsTheTscWithADriftingSource) {
    HL_TICK_GRID Grid;
    ULONGLONG Total = 0, Now = 0;
    ULONG Ticks, Most = 0;

    /* A source 0.1 % slower than the TSC says: over 10000 interrupts the ticks still equal the periods passed. */
    HlTickGridStart(&Grid, 100000, 0);
    for (ULONG Interrupt = 1; Interrupt <= 10000; Interrupt++) {
        Now = Interrupt * 100100ULL;
        Ticks = HlTickGridAdvance(&Grid, Now);
        Total += Ticks;
        Most = Ticks > Most ? Ticks : Most;
    }
    XTEST_CHECK_EQ(Total, (Now + 50000) / 100000);
    XTEST_CHECK(Most <= 2);
    /* 0.1 % faster: some interrupts stand for no tick, none for more than one. */
    HlTickGridStart(&Grid, 100000, 0);
    Total = Most = 0;
    for (ULONG Interrupt = 1; Interrupt <= 10000; Interrupt++) {
        Now = Interrupt * 99900ULL;
        Ticks = HlTickGridAdvance(&Grid, Now);
        Total += Ticks;
        Most = Ticks > Most ? Ticks : Most;
    }
    XTEST_CHECK_EQ(Total, (Now + 50000) / 100000);
    XTEST_CHECK_EQ(Most, 1);
}

XTEST(PeriodicSequence) {
    HL_TICK_PLAN Plan;

    ModelReset();
    XTEST_ASSERT(HlApicTimerPlan(1000000000, 250, &Plan));
    HlApicTimerStartCount(&ModelOps, NULL, 0xD1, APIC_LVT_TIMER_PERIODIC, &Plan);
    XTEST_ASSERT_EQ(LogCount, 5);
    CHECK_EVENT(0, EventRegister, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED); /* masked while it changes */
    CHECK_EVENT(1, EventRegister, APIC_REGISTER_TIMER_INITIAL, 0);
    CHECK_EVENT(2, EventRegister, APIC_REGISTER_TIMER_DIVIDE, 0xB);
    CHECK_EVENT(3, EventRegister, APIC_REGISTER_LVT_TIMER, 0x200D1);     /* periodic, unmasked, vector 0xD1 */
    CHECK_EVENT(4, EventRegister, APIC_REGISTER_TIMER_INITIAL, 4000000); /* the count starts it: last */
    HlApicTimerStop(&ModelOps, NULL);
    CHECK_EVENT(5, EventRegister, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED);
    CHECK_EVENT(6, EventRegister, APIC_REGISTER_TIMER_INITIAL, 0);
}

XTEST(OneShotSequenceAndRearm) {
    HL_TICK_PLAN Plan;

    ModelReset();
    XTEST_ASSERT(HlApicTimerPlan(100000000000ULL, 20, &Plan)); /* divide 2 */
    HlApicTimerStartCount(&ModelOps, NULL, 0xD1, APIC_LVT_TIMER_ONE_SHOT, &Plan);
    XTEST_ASSERT_EQ(LogCount, 5);
    CHECK_EVENT(2, EventRegister, APIC_REGISTER_TIMER_DIVIDE, 0x0);
    CHECK_EVENT(3, EventRegister, APIC_REGISTER_LVT_TIMER, 0xD1); /* one-shot: mode bits 0 */
    CHECK_EVENT(4, EventRegister, APIC_REGISTER_TIMER_INITIAL, 2500000000u);
    HlApicTimerRearmOneShot(&ModelOps, NULL, &Plan);
    XTEST_ASSERT_EQ(LogCount, 6);
    CHECK_EVENT(5, EventRegister, APIC_REGISTER_TIMER_INITIAL, 2500000000u); /* only the count: it restarts */
}

XTEST(CalibrationSequence) {
    ModelReset();
    HlApicTimerStartCalibration(&ModelOps, NULL, 16);
    XTEST_ASSERT_EQ(LogCount, 4);
    CHECK_EVENT(0, EventRegister, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED); /* no interrupt while it counts */
    CHECK_EVENT(2, EventRegister, APIC_REGISTER_TIMER_DIVIDE, 0x3);
    CHECK_EVENT(3, EventRegister, APIC_REGISTER_TIMER_INITIAL, 0xFFFFFFFF);
}

XTEST(DeadlineSequenceRearmAndStop) {
    HL_APIC_DEADLINE Deadline = {ModelReadTsc, ModelWriteMsr, ModelFence, 9200000, 0, 0};

    ModelReset();
    ModelTsc = 1000000;
    HlApicTimerStartDeadline(&ModelOps, NULL, 0xD1, &Deadline);
    XTEST_ASSERT_EQ(LogCount, 5);
    CHECK_EVENT(0, EventRegister, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED);
    CHECK_EVENT(2, EventRegister, APIC_REGISTER_LVT_TIMER, 0x400D1); /* TSC-deadline mode, vector 0xD1 */
    CHECK_EVENT(3, EventFence, 0, 0);                                /* SDM 10.5.4.1: LVT write, fence, then MSR */
    CHECK_EVENT(4, EventMsr, APIC_TSC_DEADLINE_MSR, 10200000);
    /* The interrupt came on time: the next deadline is one period after the last, not after now. */
    ModelTsc = 10300000;
    HlApicTimerRearmDeadline(&Deadline);
    CHECK_EVENT(5, EventMsr, APIC_TSC_DEADLINE_MSR, 19400000);
    XTEST_CHECK_EQ(Deadline.Missed, 0);
    /* Three periods late: two ticks missed, the next deadline still on the schedule. */
    ModelTsc = 19400000 + 2 * 9200000 + 5;
    HlApicTimerRearmDeadline(&Deadline);
    CHECK_EVENT(6, EventMsr, APIC_TSC_DEADLINE_MSR, 19400000 + 3 * 9200000);
    XTEST_CHECK_EQ(Deadline.Missed, 2);
    HlApicTimerStopDeadline(&ModelOps, NULL, &Deadline);
    XTEST_ASSERT_EQ(LogCount, 10);
    CHECK_EVENT(7, EventMsr, APIC_TSC_DEADLINE_MSR, 0); /* disarmed first */
    CHECK_EVENT(8, EventRegister, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED);
}

XTEST(X2ApicTimerRegistersAreMsrs) {
    HL_X2APIC_CONTEXT Context = {ModelReadMsr, ModelWriteMsr};
    HL_TICK_PLAN Plan;

    ModelReset();
    XTEST_ASSERT(HlApicTimerPlan(1000000000, 1000, &Plan));
    HlApicTimerStartCount(&HlX2ApicOps, &Context, 0xD1, APIC_LVT_TIMER_PERIODIC, &Plan);
    XTEST_ASSERT_EQ(LogCount, 5);
    CHECK_EVENT(0, EventMsr, 0x832, APIC_LVT_MASKED);
    CHECK_EVENT(1, EventMsr, 0x838, 0);
    CHECK_EVENT(2, EventMsr, 0x83E, 0xB);
    CHECK_EVENT(3, EventMsr, 0x832, 0x200D1);
    CHECK_EVENT(4, EventMsr, 0x838, 1000000);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_TIMER_CURRENT), 0x839);
}

XTEST_SUITE(HlTickSuite, XTEST_ENTRY(DivideValuesFollowTheSdm), XTEST_ENTRY(TimerRateFromACalibrationWindow),
            XTEST_ENTRY(PlanAtOneGigahertz), XTEST_ENTRY(PlanRoundsTheCountToNearest),
            XTEST_ENTRY(PlanChoosesTheSmallestDivideThatFits), XTEST_ENTRY(PlanLimits), XTEST_ENTRY(PitAndHpetPeriods),
            XTEST_ENTRY(IncrementLimits), XTEST_ENTRY(DeadlineStepsWholePeriods),
            XTEST_ENTRY(GridCountsLostAndCatchUpInterrupts), XTEST_ENTRY(GridFollowsTheTscWithADriftingSource),
            XTEST_ENTRY(PeriodicSequence), XTEST_ENTRY(OneShotSequenceAndRearm), XTEST_ENTRY(CalibrationSequence),
            XTEST_ENTRY(DeadlineSequenceRearmAndStop), XTEST_ENTRY(X2ApicTimerRegistersAreMsrs));

XTEST_HOST_MAIN(&HlTickSuite)

/* HlClockSuite: the clock-source arithmetic of hl/clock.c: counter wrap (PIT 16-bit, PM timer 24- and 32-bit, HPET
 * low half), the PIT's down-count, the HPET period, scaled division without overflow, the choice of source (HPET >
 * PM timer > PIT, TIMER= forcing and falling back), and the calibration math (rate, median, spread). */
#include <clock.h>
#include <xtest.h>

XTEST(ElapsedWrapsAtTheCounterWidth) {
    XTEST_CHECK_EQ(HlClockElapsed(100, 250, 0xFFFFFF), 150);
    XTEST_CHECK_EQ(HlClockElapsed(0xFFFFF0, 0x10, 0xFFFFFF), 0x20);         /* 24-bit PM timer wraps */
    XTEST_CHECK_EQ(HlClockElapsed(0x00FFFFF0, 0x01000010, 0xFFFFFF), 0x20); /* bits above 24 ignored */
    XTEST_CHECK_EQ(HlClockElapsed(0xFFFFFFF0, 0x10, 0xFFFFFFFF), 0x20);     /* 32-bit PM timer or HPET */
    XTEST_CHECK_EQ(HlClockElapsed(0xFFF0, 0x0010, 0xFFFF), 0x20);           /* PIT */
    XTEST_CHECK_EQ(HlClockElapsed(5, 5, 0xFFFF), 0);
}

XTEST(AdvanceExtendsA24BitCounterPastManyWraps) {
    HL_CLOCK_COUNTER Counter = {0, 0, 0xFFFFFF, FALSE};
    ULONG Raw = 0xFFFF00;
    ULONGLONG Expected = 0;

    XTEST_CHECK_EQ(HlClockAdvance(&Counter, Raw), 0); /* the first reading only starts the count */
    for (ULONG Step = 0; Step < 1000; Step++) {
        Raw = (Raw + 0x7FFFF) & 0xFFFFFF; /* just under half a wrap each time */
        Expected += 0x7FFFF;
        XTEST_ASSERT_EQ(HlClockAdvance(&Counter, Raw | 0xAB000000), Expected); /* garbage above the width masked */
    }
    XTEST_CHECK(Expected > 0xFFFFFFull * 30);
}

XTEST(AdvanceOverA16BitPitUpCount) {
    HL_CLOCK_COUNTER Counter = {0, 0, 0xFFFF, FALSE};

    HlClockAdvance(&Counter, HlClockPitUpCount(0x0000)); /* reload value 65536 reads as 0 */
    XTEST_CHECK_EQ(HlClockAdvance(&Counter, HlClockPitUpCount(0xFFFF)), 1);
    XTEST_CHECK_EQ(HlClockAdvance(&Counter, HlClockPitUpCount(0x8000)), 0x8000);
    XTEST_CHECK_EQ(HlClockAdvance(&Counter, HlClockPitUpCount(0x0001)), 0xFFFF);
    XTEST_CHECK_EQ(HlClockAdvance(&Counter, HlClockPitUpCount(0xFFFE)),
                   0x10002); /* 0xFFFF -> 0x0002: 3 ticks over the wrap */
}

XTEST(PitDownCountBecomesUpCount) {
    XTEST_CHECK_EQ(HlClockPitUpCount(0), 0);
    XTEST_CHECK_EQ(HlClockPitUpCount(0xFFFF), 1);
    XTEST_CHECK_EQ(HlClockPitUpCount(1), 0xFFFF);
    XTEST_CHECK_EQ(HlClockElapsed(HlClockPitUpCount(0x1000), HlClockPitUpCount(0x0800), 0xFFFF), 0x800);
}

XTEST(HpetFrequencyFromThePeriod) {
    XTEST_CHECK_EQ(HlClockHpetFrequency(10000000ull << 32 | 0x8086A201), 100000000); /* QEMU: 10 ns */
    XTEST_CHECK_EQ(HlClockHpetFrequency(69841279ull << 32), 14318179);               /* 14.31818 MHz */
    XTEST_CHECK_EQ(HlClockHpetFrequency(0x8086A201), 0);                             /* period 0 */
    XTEST_CHECK_EQ(HlClockHpetFrequency((HL_HPET_MAX_PERIOD_FS + 1) << 32), 0);      /* slower than 10 MHz */
    XTEST_CHECK_EQ(HlClockHpetFrequency(0xFFFFFFFFull << 32), 0);                    /* all ones: no device */
    XTEST_CHECK_EQ(HlClockHpetFrequency(HL_HPET_MAX_PERIOD_FS << 32), 10000000);
}

XTEST(MulDivIsExactWithoutOverflow) {
    XTEST_CHECK_EQ(HlClockMulDiv(10, 3, 4), 7);
    XTEST_CHECK_EQ(HlClockMulDiv(5, 7, 0), 0);
    /* 1 hour at 5 GHz (1.8e13 ticks) to 100-ns units: the product 1.8e20 overflows 64 bits, the result does not. */
    XTEST_CHECK_EQ(HlClockMulDiv(18000000000000ull, 10000000, 5000000000ull), 36000000000ull);
    /* A 50 ms window of a 4 GHz TSC against a 100 MHz HPET (5,000,000 ticks). */
    XTEST_CHECK_EQ(HlClockMulDiv(200000000, 100000000, 5000000), 4000000000ull);
    XTEST_CHECK_EQ(HlClockMulDiv(0xFFFFFFFFFFFFull, 1000000, 1000000), 0xFFFFFFFFFFFFull);
    XTEST_CHECK_EQ(HlClockMulDiv(999999, 3000000000ull, 1000000), 2999997000ull); /* a stall: us -> TSC ticks */
}

XTEST(SourceChoicePrefersHpetThenPmTimer) {
    BOOLEAN Unavailable;

    XTEST_CHECK_EQ(HlClockChooseSource(HlClockNone, TRUE, TRUE, &Unavailable), HlClockHpet);
    XTEST_CHECK(!Unavailable);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockNone, FALSE, TRUE, &Unavailable), HlClockPmTimer);
    XTEST_CHECK(!Unavailable);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockNone, FALSE, FALSE, &Unavailable), HlClockPit);
    XTEST_CHECK(!Unavailable);
}

XTEST(ForcedSourceWinsWhenPresentAndFallsBackWhenNot) {
    BOOLEAN Unavailable;

    XTEST_CHECK_EQ(HlClockChooseSource(HlClockPit, TRUE, TRUE, &Unavailable), HlClockPit);
    XTEST_CHECK(!Unavailable);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockPmTimer, TRUE, TRUE, &Unavailable), HlClockPmTimer);
    XTEST_CHECK(!Unavailable);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockHpet, TRUE, FALSE, &Unavailable), HlClockHpet);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockHpet, FALSE, TRUE, &Unavailable), HlClockPmTimer);
    XTEST_CHECK(Unavailable);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockPmTimer, TRUE, FALSE, &Unavailable), HlClockHpet);
    XTEST_CHECK(Unavailable);
    XTEST_CHECK_EQ(HlClockChooseSource(HlClockHpet, FALSE, FALSE, &Unavailable), HlClockPit);
    XTEST_CHECK(Unavailable);
}

XTEST(TscRateFromOneWindow) {
    /* 10 ms of the PM timer (35796 ticks) while a 2.3 GHz TSC advanced 23,000,000 ticks. */
    XTEST_CHECK_EQ(HlClockTscRate(23000000, 35795, HL_PM_TIMER_FREQUENCY), 2300028914ull);
    XTEST_CHECK_EQ(HlClockTscRate(23000000, 1000000, 100000000), 2300000000ull); /* 10 ms of a 100 MHz HPET */
    XTEST_CHECK_EQ(HlClockTscRate(11932, 11932, HL_PIT_FREQUENCY), HL_PIT_FREQUENCY);
    XTEST_CHECK_EQ(HlClockTscRate(5, 0, HL_PIT_FREQUENCY), 0);
}

XTEST(MedianIgnoresAnOutlierAndReportsTheSpread) {
    ULONGLONG Rates[5] = {2300000000ull, 2400000000ull, 2299000000ull, 2301000000ull, 2300500000ull};
    ULONG Spread;

    XTEST_CHECK_EQ(HlClockMedianRate(Rates, 5, &Spread), 2300500000ull);
    XTEST_CHECK_EQ(Spread, 43903); /* (2400 - 2299) / 2300.5 */
    XTEST_CHECK(Rates[0] <= Rates[1] && Rates[1] <= Rates[2] && Rates[2] <= Rates[3] && Rates[3] <= Rates[4]);
    ULONGLONG Even[4] = {40, 10, 30, 20};
    XTEST_CHECK_EQ(HlClockMedianRate(Even, 4, &Spread), 20);
    XTEST_CHECK_EQ(Spread, 1500000);
    ULONGLONG Same[3] = {7, 7, 7};
    XTEST_CHECK_EQ(HlClockMedianRate(Same, 3, &Spread), 7);
    XTEST_CHECK_EQ(Spread, 0);
    XTEST_CHECK_EQ(HlClockMedianRate(Same, 0, &Spread), 0);
    XTEST_CHECK_EQ(Spread, 0);
}

XTEST(SourceNames) {
    XTEST_CHECK(RtlCompareMemory(HlClockSourceName(HlClockHpet), "HPET", 5) == 5);
    XTEST_CHECK(RtlCompareMemory(HlClockSourceName(HlClockPmTimer), "PM", 3) == 3);
    XTEST_CHECK(RtlCompareMemory(HlClockSourceName(HlClockPit), "PIT", 4) == 4);
    XTEST_CHECK(RtlCompareMemory(HlClockSourceName(HlClockNone), "NONE", 5) == 5);
    XTEST_CHECK(RtlCompareMemory(HlClockSourceName(99), "NONE", 5) == 5);
}

XTEST_SUITE(HlClockSuite, XTEST_ENTRY(ElapsedWrapsAtTheCounterWidth),
            XTEST_ENTRY(AdvanceExtendsA24BitCounterPastManyWraps), XTEST_ENTRY(AdvanceOverA16BitPitUpCount),
            XTEST_ENTRY(PitDownCountBecomesUpCount), XTEST_ENTRY(HpetFrequencyFromThePeriod),
            XTEST_ENTRY(MulDivIsExactWithoutOverflow), XTEST_ENTRY(SourceChoicePrefersHpetThenPmTimer),
            XTEST_ENTRY(ForcedSourceWinsWhenPresentAndFallsBackWhenNot), XTEST_ENTRY(TscRateFromOneWindow),
            XTEST_ENTRY(MedianIgnoresAnOutlierAndReportsTheSpread), XTEST_ENTRY(SourceNames));

XTEST_HOST_MAIN(&HlClockSuite)

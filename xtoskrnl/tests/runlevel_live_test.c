/* KeRunLevelLiveSuite (SELFTEST only): the real level register (amd64 CR8, i686 the software level) through
 * KeRaiseRunLevel / KeLowerRunLevel: SELFTEST starts at PASSIVE_LEVEL, every raise returns the previous level and
 * reads back, and lowering unwinds in order. */
#include <ke.h>
#include <tests/kernel_suites.h>

XTEST(SelfTestRunsAtPassiveLevel) {
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

XTEST(EveryLevelReadsBack) {
    for (ULONG Level = PASSIVE_LEVEL; Level <= HIGH_LEVEL; Level++) {
        KRUNLEVEL Old = KeRaiseRunLevel((KRUNLEVEL)Level);

        XTEST_CHECK_EQ(Old, PASSIVE_LEVEL);
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), Level);
        KeLowerRunLevel(Old);
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    }
}

XTEST(NestedRaisesUnwind) {
    static const KRUNLEVEL Levels[] = {APC_LEVEL, DISPATCH_LEVEL, DEVICE1_LEVEL, CLOCK_LEVEL, HIGH_LEVEL};
    KRUNLEVEL Saved[ARRAY_SIZE(Levels)];

    for (ULONG Index = 0; Index < ARRAY_SIZE(Levels); Index++) {
        Saved[Index] = KeRaiseRunLevel(Levels[Index]);
        XTEST_CHECK_EQ(Saved[Index], Index == 0 ? PASSIVE_LEVEL : Levels[Index - 1]);
    }
    for (ULONG Index = ARRAY_SIZE(Levels); Index-- > 0;) {
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), Levels[Index]);
        KeLowerRunLevel(Saved[Index]);
    }
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

XTEST_SUITE(KeRunLevelLiveSuite, XTEST_ENTRY(SelfTestRunsAtPassiveLevel), XTEST_ENTRY(EveryLevelReadsBack),
            XTEST_ENTRY(NestedRaisesUnwind));

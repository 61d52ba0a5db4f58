/* KeRunLevelRuleSuite: KeRaiseRunLevel / KeLowerRunLevel over a modelled level register: every legal raise and lower
 * between PASSIVE_LEVEL and HIGH_LEVEL, and the STOPs (code, levels, caller) for a raise that lowers, a raise above
 * HIGH_LEVEL and a lower that raises, with the register left unchanged by a refused change. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <ke.h>
#include <xtest.h>

static KRUNLEVEL ModelLevel;
static ULONG ModelWrites;
static jmp_buf *Catcher;
static ULONG StopCode;
static ULONG_PTR StopParameters[4];

KRUNLEVEL KiReadRunLevel(VOID) {
    return ModelLevel;
}

VOID KiWriteRunLevel(KRUNLEVEL Level) {
    ModelLevel = Level;
    ModelWrites++;
}

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    if (Catcher == NULL) {
        fprintf(stderr, "*** STOP 0x%08X outside a catcher\n", Code);
        abort();
    }
    StopCode = Code;
    StopParameters[0] = Parameter1;
    StopParameters[1] = Parameter2;
    StopParameters[2] = Parameter3;
    StopParameters[3] = Parameter4;
    longjmp(*Catcher, 1);
}

/* The callers whose addresses the STOPs must name. */
__attribute__((noinline)) static VOID CallRaise(KRUNLEVEL Level) {
    KeRaiseRunLevel(Level);
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static VOID CallLower(KRUNLEVEL Level) {
    KeLowerRunLevel(Level);
    __asm__ volatile("" ::: "memory");
}

/* Runs Routine(Level) from ModelLevel = Start; TRUE when it stopped (StopCode/StopParameters filled). */
static BOOLEAN CatchStop(VOID (*Routine)(KRUNLEVEL), KRUNLEVEL Start, KRUNLEVEL Level) {
    jmp_buf Here;

    ModelLevel = Start;
    ModelWrites = 0;
    StopCode = 0;
    if (setjmp(Here) != 0) {
        Catcher = NULL;
        return TRUE;
    }
    Catcher = &Here;
    Routine(Level);
    Catcher = NULL;
    return FALSE;
}

/* TRUE when Address lies within the first 256 bytes of Function (the call site's return address). */
static BOOLEAN IsInside(ULONG_PTR Address, VOID (*Function)(KRUNLEVEL)) {
    ULONG_PTR Start = (ULONG_PTR)Function;
    return Address > Start && Address < Start + 256;
}

XTEST(RaiseReturnsThePreviousLevel) {
    for (ULONG From = PASSIVE_LEVEL; From <= HIGH_LEVEL; From++) {
        for (ULONG To = From; To <= HIGH_LEVEL; To++) {
            ModelLevel = (KRUNLEVEL)From;
            XTEST_CHECK_EQ(KeRaiseRunLevel((KRUNLEVEL)To), From);
            XTEST_CHECK_EQ(KeGetCurrentRunLevel(), To);
            KeLowerRunLevel((KRUNLEVEL)From);
            XTEST_CHECK_EQ(KeGetCurrentRunLevel(), From);
        }
    }
}

XTEST(NestedRaisesUnwindInOrder) {
    KRUNLEVEL Old1, Old2, Old3;

    ModelLevel = PASSIVE_LEVEL;
    Old1 = KeRaiseRunLevel(APC_LEVEL);
    Old2 = KeRaiseRunLevel(DISPATCH_LEVEL);
    Old3 = KeRaiseRunLevel(HIGH_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), HIGH_LEVEL);
    KeLowerRunLevel(Old3);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    KeLowerRunLevel(Old2);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), APC_LEVEL);
    KeLowerRunLevel(Old1);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

XTEST(RaiseToALowerLevelStops) {
    XTEST_ASSERT(CatchStop(CallRaise, DISPATCH_LEVEL, APC_LEVEL));
    XTEST_CHECK_EQ(StopCode, IRQL_NOT_GREATER_OR_EQUAL);
    XTEST_CHECK_EQ(StopParameters[0], DISPATCH_LEVEL);
    XTEST_CHECK_EQ(StopParameters[1], APC_LEVEL);
    XTEST_CHECK_EQ(StopParameters[2], 0);
    XTEST_CHECK(IsInside(StopParameters[3], CallRaise));
    XTEST_CHECK_EQ(ModelWrites, 0);
    XTEST_CHECK_EQ(ModelLevel, DISPATCH_LEVEL);
    XTEST_CHECK(CatchStop(CallRaise, HIGH_LEVEL, PASSIVE_LEVEL) && StopCode == IRQL_NOT_GREATER_OR_EQUAL);
}

XTEST(RaiseAboveHighLevelStops) {
    XTEST_ASSERT(CatchStop(CallRaise, PASSIVE_LEVEL, HIGH_LEVEL + 1));
    XTEST_CHECK_EQ(StopCode, IRQL_NOT_LESS_OR_EQUAL);
    XTEST_CHECK_EQ(StopParameters[1], HIGH_LEVEL + 1);
    XTEST_CHECK(IsInside(StopParameters[3], CallRaise));
    XTEST_CHECK_EQ(ModelWrites, 0);
    XTEST_CHECK(CatchStop(CallRaise, PASSIVE_LEVEL, 0xFF) && StopCode == IRQL_NOT_LESS_OR_EQUAL);
}

XTEST(LowerToAHigherLevelStops) {
    XTEST_ASSERT(CatchStop(CallLower, APC_LEVEL, DISPATCH_LEVEL));
    XTEST_CHECK_EQ(StopCode, IRQL_NOT_LESS_OR_EQUAL);
    XTEST_CHECK_EQ(StopParameters[0], APC_LEVEL);
    XTEST_CHECK_EQ(StopParameters[1], DISPATCH_LEVEL);
    XTEST_CHECK_EQ(StopParameters[2], 0);
    XTEST_CHECK(IsInside(StopParameters[3], CallLower));
    XTEST_CHECK_EQ(ModelWrites, 0);
    XTEST_CHECK_EQ(ModelLevel, APC_LEVEL);
    XTEST_CHECK(!CatchStop(CallLower, DISPATCH_LEVEL, DISPATCH_LEVEL)); /* lowering to the same level is fine */
}

XTEST(LevelsKeepTheirOrder) {
    XTEST_CHECK(PASSIVE_LEVEL < APC_LEVEL && APC_LEVEL < DISPATCH_LEVEL && DISPATCH_LEVEL < CMCI_LEVEL);
    XTEST_CHECK(CMCI_LEVEL < DEVICE1_LEVEL && DEVICE1_LEVEL < DEVICE7_LEVEL && DEVICE7_LEVEL <= SYNC_LEVEL);
    XTEST_CHECK(SYNC_LEVEL < CLOCK_LEVEL && CLOCK_LEVEL < IPI_LEVEL && IPI_LEVEL <= POWER_LEVEL);
    XTEST_CHECK(POWER_LEVEL <= HIGH_LEVEL && PROFILE_LEVEL <= HIGH_LEVEL && HIGH_LEVEL <= 31);
}

XTEST_SUITE(KeRunLevelRuleSuite, XTEST_ENTRY(RaiseReturnsThePreviousLevel), XTEST_ENTRY(NestedRaisesUnwindInOrder),
            XTEST_ENTRY(RaiseToALowerLevelStops), XTEST_ENTRY(RaiseAboveHighLevelStops),
            XTEST_ENTRY(LowerToAHigherLevelStops), XTEST_ENTRY(LevelsKeepTheirOrder));
XTEST_HOST_MAIN(&KeRunLevelRuleSuite)

/* RtlMemorySuite: fill, copy, overlapping moves and compare against naive references, with and without the CPU's
 * string instructions. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

#define TEST_AREA  4608
#define TEST_GUARD 0xA5

static UCHAR TestBuffer[TEST_AREA] __attribute__((aligned(16)));
static UCHAR TestReference[TEST_AREA] __attribute__((aligned(16)));
static UCHAR TestSource[TEST_AREA] __attribute__((aligned(16)));
static UCHAR TestPristine[4][TEST_AREA] __attribute__((aligned(16))); /* TestPattern(seed) of the whole area */

STATIC_ASSERT(TEST_AREA % sizeof(ULONG_PTR) == 0);

/* Lengths around the word size, the unrolled loops, the string-instruction threshold and a page. */
static const SIZE_T TestLengths[] = {0,  1,  2,  3,   5,   7,   8,   9,   15,  16,  17,   31,   32,   33,  63,
                                     64, 65, 97, 127, 128, 129, 255, 256, 257, 511, 1000, 4095, 4096, 4097};

static VOID TestPattern(PUCHAR Buffer, SIZE_T Length, ULONG Seed) {
    SIZE_T Index;

    for (Index = 0; Index < Length; Index++) {
        Buffer[Index] = (UCHAR)(Index * 131 + Seed * 7 + (Index >> 8));
    }
}

static VOID NaiveMove(PUCHAR Destination, const UCHAR *Source, SIZE_T Length) {
    SIZE_T Index;

    if (Destination < Source) {
        for (Index = 0; Index < Length; Index++) {
            Destination[Index] = Source[Index];
        }
    } else {
        for (Index = Length; Index != 0; Index--) {
            Destination[Index - 1] = Source[Index - 1];
        }
    }
}

/* The whole test areas compared a word at a time (the routines under test are not used to check themselves). */
static BOOLEAN SameArea(const UCHAR *Buffer1, const UCHAR *Buffer2) {
    const ULONG_PTR *Words1 = (const ULONG_PTR *)Buffer1, *Words2 = (const ULONG_PTR *)Buffer2;

    for (SIZE_T Index = 0; Index < TEST_AREA / sizeof(ULONG_PTR); Index++) {
        if (Words1[Index] != Words2[Index]) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Buffer (a test area) becomes TestPattern(Seed) again, a word at a time from the pristine copy. */
static VOID ResetArea(PUCHAR Buffer, ULONG Seed) {
    const ULONG_PTR *Source = (const ULONG_PTR *)TestPristine[Seed];
    PULONG_PTR Target = (PULONG_PTR)Buffer;

    for (SIZE_T Index = 0; Index < TEST_AREA / sizeof(ULONG_PTR); Index++) {
        Target[Index] = Source[Index];
    }
}

/* Slot of the pristine areas becomes TestPattern(Seed): seeds 0..3 for the overlapping moves, 9 (slot 0) for the
 * copies; each test prepares the slots it uses. */
static VOID PreparePristine(ULONG Slot, ULONG Seed) {
    TestPattern(TestPristine[Slot], TEST_AREA, Seed);
}

/* Runs Routine once with the string instructions and once without; restores the default. */
static VOID TestBothStrategies(PXTEST_CONTEXT XtestContext, PXTEST_ROUTINE Routine) {
    BOOLEAN Default = RtlSetStringInstructions(TRUE);

    Routine(XtestContext);
    RtlSetStringInstructions(FALSE);
    Routine(XtestContext);
    RtlSetStringInstructions(Default);
}

static VOID FillAllShapes(PXTEST_CONTEXT XtestContext) {
    SIZE_T Offset, LengthIndex, Index;
    ULONG Failures = 0;

    for (Offset = 0; Offset < 16; Offset++) {
        for (LengthIndex = 0; LengthIndex < ARRAY_SIZE(TestLengths); LengthIndex++) {
            SIZE_T Length = TestLengths[LengthIndex];
            UCHAR Value = (UCHAR)(0x11 * (Offset + 1));
            for (Index = 0; Index < TEST_AREA; Index++) {
                TestBuffer[Index] = TEST_GUARD;
            }
            if (Offset & 1) {
                RtlFillMemory(TestBuffer + 64 + Offset, Length, Value);
            } else {
                RtlZeroMemory(TestBuffer + 64 + Offset, Length);
                Value = 0;
            }
            for (Index = 0; Index < TEST_AREA; Index++) {
                BOOLEAN Inside = (BOOLEAN)(Index >= 64 + Offset && Index < 64 + Offset + Length);
                if (TestBuffer[Index] != (Inside ? Value : TEST_GUARD)) {
                    Failures++;
                    break;
                }
            }
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

static VOID CopyAllShapes(PXTEST_CONTEXT XtestContext) {
    SIZE_T SourceOffset, DestinationOffset, LengthIndex;
    ULONG Failures = 0;

    TestPattern(TestSource, TEST_AREA, 3);
    PreparePristine(0, 9);
    for (SourceOffset = 0; SourceOffset < 9; SourceOffset++) {
        for (DestinationOffset = 0; DestinationOffset < 9; DestinationOffset++) {
            for (LengthIndex = 0; LengthIndex < ARRAY_SIZE(TestLengths); LengthIndex++) {
                SIZE_T Length = TestLengths[LengthIndex];
                if (Length > 1100 && (SourceOffset + DestinationOffset) % 4 != 0) {
                    continue; /* keep the run short: large blocks with a subset of alignments */
                }
                ResetArea(TestBuffer, 0);
                ResetArea(TestReference, 0);
                RtlCopyMemory(TestBuffer + 32 + DestinationOffset, TestSource + SourceOffset, Length);
                NaiveMove(TestReference + 32 + DestinationOffset, TestSource + SourceOffset, Length);
                if (!SameArea(TestBuffer, TestReference)) {
                    Failures++;
                }
            }
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

static VOID MoveOverlapping(PXTEST_CONTEXT XtestContext) {
    static const SIZE_T Distances[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 129, 300};
    SIZE_T DistanceIndex, LengthIndex, Base;
    ULONG Failures = 0;
    ULONG Direction;

    for (Base = 0; Base < 4; Base++) {
        PreparePristine((ULONG)Base, (ULONG)Base);
    }
    for (Direction = 0; Direction < 2; Direction++) {
        for (DistanceIndex = 0; DistanceIndex < ARRAY_SIZE(Distances); DistanceIndex++) {
            for (LengthIndex = 0; LengthIndex < ARRAY_SIZE(TestLengths); LengthIndex++) {
                for (Base = 0; Base < 4; Base++) {
                    SIZE_T Distance = Distances[DistanceIndex];
                    SIZE_T Length = TestLengths[LengthIndex];
                    SIZE_T Low = 8 + Base * 3; /* odd and even alignments */
                    SIZE_T Source = Direction ? Low + Distance : Low;
                    SIZE_T Destination = Direction ? Low : Low + Distance;
                    if (Low + Distance + Length > TEST_AREA) {
                        continue;
                    }
                    ResetArea(TestBuffer, (ULONG)Base);
                    ResetArea(TestReference, (ULONG)Base);
                    RtlMoveMemory(TestBuffer + Destination, TestBuffer + Source, Length);
                    NaiveMove(TestReference + Destination, TestReference + Source, Length);
                    if (!SameArea(TestBuffer, TestReference)) {
                        Failures++;
                    }
                }
            }
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST(FillAndZero) {
    TestBothStrategies(XtestContext, FillAllShapes);
}

XTEST(CopyNonOverlapping) {
    TestBothStrategies(XtestContext, CopyAllShapes);
}

XTEST(MoveOverlappingBothDirections) {
    TestBothStrategies(XtestContext, MoveOverlapping);
}

XTEST(MoveSameAndEmpty) {
    TestPattern(TestBuffer, TEST_AREA, 1);
    TestPattern(TestReference, TEST_AREA, 1);
    RtlMoveMemory(TestBuffer, TestBuffer, 64);
    RtlMoveMemory(TestBuffer + 1, TestBuffer, 0);
    RtlCopyMemory(TestBuffer, TestSource, 0);
    XTEST_CHECK(SameArea(TestBuffer, TestReference));
}

XTEST(CompareReturnsEqualPrefix) {
    SIZE_T Length, Mismatch, Offset;
    ULONG Failures = 0;

    XTEST_CHECK_EQ(RtlCompareMemory(TestBuffer, TestSource, 0), 0);
    for (Offset = 0; Offset < 8; Offset++) {
        for (Length = 0; Length <= 80; Length++) {
            TestPattern(TestBuffer, 128, 5);
            TestPattern(TestReference + Offset, 128, 5);
            if (RtlCompareMemory(TestBuffer, TestReference + Offset, Length) != Length) {
                Failures++;
            }
            for (Mismatch = 0; Mismatch < Length; Mismatch++) {
                TestReference[Offset + Mismatch] ^= 0x40;
                if (RtlCompareMemory(TestBuffer, TestReference + Offset, Length) != Mismatch) {
                    Failures++;
                }
                TestReference[Offset + Mismatch] ^= 0x40;
            }
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST(StringInstructionSwitch) {
    BOOLEAN Default = RtlSetStringInstructions(TRUE);

    XTEST_CHECK_EQ(RtlSetStringInstructions(FALSE), TRUE);
    XTEST_CHECK_EQ(RtlSetStringInstructions(Default), FALSE);
}

XTEST_SUITE(RtlMemorySuite, XTEST_ENTRY(FillAndZero), XTEST_ENTRY(CopyNonOverlapping),
            XTEST_ENTRY(MoveOverlappingBothDirections), XTEST_ENTRY(MoveSameAndEmpty),
            XTEST_ENTRY(CompareReturnsEqualPrefix), XTEST_ENTRY(StringInstructionSwitch));

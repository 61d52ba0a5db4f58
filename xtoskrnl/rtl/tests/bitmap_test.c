/* RtlBitmapSuite: bitmap routines against a bit-by-bit reference, at word boundaries and the end of the map. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

#define TEST_MAX_BITS 300
#define TEST_WORDS    (RTL_BITMAP_WORDS(TEST_MAX_BITS) + 1)

static ULONG_PTR TestWords[TEST_WORDS];
static UCHAR TestBits[TEST_MAX_BITS]; /* the reference: one byte per bit */

static const ULONG_PTR TestSizes[] = {1, 2, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 200, 256, 257, 300};

static BOOLEAN WordBit(ULONG_PTR Index) {
    return (BOOLEAN)((TestWords[Index / RTL_BITMAP_WORD_BITS] >> (Index % RTL_BITMAP_WORD_BITS)) & 1);
}

/* Fills the map and the reference with a random pattern (Density in 1/8ths set), and sets every bit past Size in the
 * buffer as garbage that no routine may see or change. */
static VOID RandomMap(PRTL_BITMAP Map, ULONG_PTR Size, PRTL_TEST_RANDOM Random, ULONG Density) {
    ULONG_PTR Index;

    for (Index = 0; Index < TEST_WORDS; Index++) {
        TestWords[Index] = ~(ULONG_PTR)0;
    }
    RtlInitializeBitMap(Map, TestWords, Size);
    for (Index = 0; Index < Size; Index++) {
        TestBits[Index] = (UCHAR)(RtlTestRandomBelow(Random, 8) < Density);
        if (!TestBits[Index]) {
            RtlClearBit(Map, Index);
        }
    }
}

/* TRUE when the map equals the reference and the bits past Size are still set. */
static BOOLEAN MapMatches(ULONG_PTR Size) {
    ULONG_PTR Index;

    for (Index = 0; Index < TEST_WORDS * RTL_BITMAP_WORD_BITS; Index++) {
        if (WordBit(Index) != ((Index < Size) ? TestBits[Index] : 1)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Reference first fit with wrap-around (see RtlFindClearBits). */
static ULONG_PTR NaiveFind(ULONG_PTR Size, ULONG_PTR Count, ULONG_PTR Hint, UCHAR Value) {
    ULONG_PTR Start, Index, Pass;

    if (Hint >= Size) {
        Hint = 0;
    }
    if (Count == 0) {
        return Hint;
    }
    for (Pass = 0; Pass < 2; Pass++) {
        ULONG_PTR First = Pass ? 0 : Hint;
        ULONG_PTR Last = Pass ? Hint : Size;
        for (Start = First; Start < Last && Start + Count <= Size; Start++) {
            for (Index = 0; Index < Count && TestBits[Start + Index] == Value; Index++) {
            }
            if (Index == Count) {
                return Start;
            }
        }
    }
    return RTL_BITMAP_NOT_FOUND;
}

XTEST(SingleBits) {
    RTL_BITMAP Map;
    RTL_TEST_RANDOM Random = {0x1234};
    ULONG_PTR SizeIndex, Index;
    ULONG Failures = 0;

    for (SizeIndex = 0; SizeIndex < ARRAY_SIZE(TestSizes); SizeIndex++) {
        ULONG_PTR Size = TestSizes[SizeIndex];
        RandomMap(&Map, Size, &Random, 4);
        for (Index = 0; Index < Size; Index++) {
            if (RtlTestBit(&Map, Index) != TestBits[Index]) {
                Failures++;
            }
        }
        RtlSetBit(&Map, Size - 1);
        TestBits[Size - 1] = 1;
        RtlClearBit(&Map, 0);
        TestBits[0] = 0;
        if (!MapMatches(Size)) {
            Failures++;
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST(RangesAndWholeMap) {
    RTL_BITMAP Map;
    RTL_TEST_RANDOM Random = {0x5678};
    ULONG_PTR SizeIndex, Start, Count, Index;
    ULONG Failures = 0;

    for (SizeIndex = 0; SizeIndex < ARRAY_SIZE(TestSizes); SizeIndex++) {
        ULONG_PTR Size = TestSizes[SizeIndex];
        RandomMap(&Map, Size, &Random, 4);
        for (Start = 0; Start <= Size; Start += 1 + (Start % 7)) {
            for (Count = 0; Start + Count <= Size; Count += 1 + (Count % 11)) {
                BOOLEAN Set = (BOOLEAN)((Start + Count) & 1);
                if (Set) {
                    RtlSetBits(&Map, Start, Count);
                } else {
                    RtlClearBits(&Map, Start, Count);
                }
                for (Index = Start; Index < Start + Count; Index++) {
                    TestBits[Index] = Set;
                }
                if (!MapMatches(Size) || !(Set ? RtlAreBitsSet : RtlAreBitsClear)(&Map, Start, Count)) {
                    Failures++;
                }
            }
        }
        RtlSetAllBits(&Map);
        for (Index = 0; Index < Size; Index++) {
            TestBits[Index] = 1;
        }
        Failures += !MapMatches(Size) + !RtlAreBitsSet(&Map, 0, Size) + RtlAreBitsSet(&Map, 0, Size + 1);
        RtlClearAllBits(&Map);
        for (Index = 0; Index < Size; Index++) {
            TestBits[Index] = 0;
        }
        Failures += !MapMatches(Size) + !RtlAreBitsClear(&Map, 0, Size) + RtlAreBitsClear(&Map, Size, 1);
        Failures += !RtlAreBitsClear(&Map, Size, 0) + RtlAreBitsSet(&Map, 0, 1);
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST(FindMatchesReference) {
    RTL_BITMAP Map;
    RTL_TEST_RANDOM Random = {0x9ABC};
    ULONG_PTR SizeIndex, Count;
    ULONG Failures = 0;
    ULONG Round;

    for (SizeIndex = 0; SizeIndex < ARRAY_SIZE(TestSizes); SizeIndex++) {
        ULONG_PTR Size = TestSizes[SizeIndex];
        for (Round = 0; Round < 12; Round++) {
            RandomMap(&Map, Size, &Random, Round % 8);
            for (Count = 0; Count <= Size + 1; Count += 1 + Count / 8) {
                ULONG_PTR Hint = RtlTestRandomBelow(&Random, (ULONG)Size + 2);
                if (RtlFindClearBits(&Map, Count, Hint) != NaiveFind(Size, Count, Hint, 0) ||
                    RtlFindSetBits(&Map, Count, Hint) != NaiveFind(Size, Count, Hint, 1)) {
                    Failures++;
                }
            }
        }
        if (!MapMatches(Size)) {
            Failures++;
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST(FindAtEndOfMap) {
    RTL_BITMAP Map;
    ULONG_PTR Index;

    for (Index = 0; Index < TEST_WORDS; Index++) {
        TestWords[Index] = 0; /* bits past the end are clear: they must not extend a run */
    }
    RtlInitializeBitMap(&Map, TestWords, 130);
    RtlSetBits(&Map, 0, 125);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 5, 0), 125);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 5, 129), 125);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 6, 0), RTL_BITMAP_NOT_FOUND);
    XTEST_CHECK_EQ(RtlFindClearBitsAndSet(&Map, 5, 100), 125);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 1, 0), RTL_BITMAP_NOT_FOUND);
    XTEST_CHECK_EQ(RtlNumberOfSetBits(&Map), 130);
    XTEST_CHECK_EQ(RtlNumberOfClearBits(&Map), 0);
    XTEST_CHECK_EQ(TestWords[130 / RTL_BITMAP_WORD_BITS] >> (130 % RTL_BITMAP_WORD_BITS), 0);
    XTEST_CHECK_EQ(RtlFindSetBitsAndClear(&Map, 130, 7), 0);
    XTEST_CHECK_EQ(RtlNumberOfSetBits(&Map), 0);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 131, 0), RTL_BITMAP_NOT_FOUND);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 130, 64), 0);
}

XTEST(FindClearBitsAndSetWrapsAround) {
    RTL_BITMAP Map;
    ULONG_PTR Index;

    for (Index = 0; Index < TEST_WORDS; Index++) {
        TestWords[Index] = 0;
    }
    RtlInitializeBitMap(&Map, TestWords, 200);
    /* Fill the map one bit at a time from the hint 150: 150..199, then 0..149. */
    for (Index = 0; Index < 200; Index++) {
        ULONG_PTR Expected = (Index < 50) ? 150 + Index : Index - 50;
        if (RtlFindClearBitsAndSet(&Map, 1, 150) != Expected) {
            break;
        }
    }
    XTEST_CHECK_EQ(Index, 200);
    XTEST_CHECK_EQ(RtlFindClearBitsAndSet(&Map, 1, 150), RTL_BITMAP_NOT_FOUND);
    /* A run that starts before the hint and crosses it, and one crossing two word boundaries. */
    RtlClearBits(&Map, 60, 80);
    XTEST_CHECK_EQ(RtlFindClearBitsAndSet(&Map, 70, 100), 60);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 10, 0), 130);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 11, 0), RTL_BITMAP_NOT_FOUND);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 0, 500), 0);
    XTEST_CHECK_EQ(RtlFindClearBits(&Map, 0, 33), 33);
}

XTEST(CountsAndRuns) {
    RTL_BITMAP Map;
    RTL_TEST_RANDOM Random = {0xDEF0};
    ULONG_PTR SizeIndex, Index, Start, Length, Expected;
    ULONG Failures = 0;

    for (SizeIndex = 0; SizeIndex < ARRAY_SIZE(TestSizes); SizeIndex++) {
        ULONG_PTR Size = TestSizes[SizeIndex];
        RandomMap(&Map, Size, &Random, 3);
        for (Expected = 0, Index = 0; Index < Size; Index++) {
            Expected += TestBits[Index];
        }
        Failures += (RtlNumberOfSetBits(&Map) != Expected) + (RtlNumberOfClearBits(&Map) != Size - Expected);
        for (Index = 0; Index <= Size; Index++) {
            ULONG_PTR RunStart = Index, RunLength = 0;
            while (RunStart < Size && TestBits[RunStart]) {
                RunStart++;
            }
            while (RunStart + RunLength < Size && !TestBits[RunStart + RunLength]) {
                RunLength++;
            }
            Length = RtlFindNextForwardRunClear(&Map, Index, &Start);
            Failures += (Length != RunLength) + (Start != RunStart);
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST_SUITE(RtlBitmapSuite, XTEST_ENTRY(SingleBits), XTEST_ENTRY(RangesAndWholeMap), XTEST_ENTRY(FindMatchesReference),
            XTEST_ENTRY(FindAtEndOfMap), XTEST_ENTRY(FindClearBitsAndSetWrapsAround), XTEST_ENTRY(CountsAndRuns));

/* Bitmaps of ULONG_PTR words: single bits, ranges, first-fit searches and counts, a word at a time. */
#include <rtl.h>

#define RTLP_WORD_BITS RTL_BITMAP_WORD_BITS
#define RTLP_ALL_ONES  (~(ULONG_PTR)0)

/* Index of the lowest set bit of a non-zero word. */
XTINLINE ULONG_PTR RtlpLowestSetBit(ULONG_PTR Word) {
    return (sizeof(ULONG_PTR) == 8) ? (ULONG_PTR)__builtin_ctzll(Word) : (ULONG_PTR)__builtin_ctz((ULONG)Word);
}

XTINLINE ULONG_PTR RtlpPopulationCount(ULONG_PTR Word) {
    return (sizeof(ULONG_PTR) == 8) ? (ULONG_PTR)__builtin_popcountll(Word)
                                    : (ULONG_PTR)__builtin_popcount((ULONG)Word);
}

/* Mask of bits [First, First + Count) within one word; First + Count <= RTLP_WORD_BITS, Count >= 1. */
XTINLINE ULONG_PTR RtlpWordMask(ULONG_PTR First, ULONG_PTR Count) {
    return (RTLP_ALL_ONES >> (RTLP_WORD_BITS - Count)) << First;
}

VOID RtlInitializeBitMap(PRTL_BITMAP BitMap, PULONG_PTR Buffer, ULONG_PTR SizeOfBitMap) {
    BitMap->SizeOfBitMap = SizeOfBitMap;
    BitMap->Buffer = Buffer;
}

VOID RtlClearAllBits(PRTL_BITMAP BitMap) {
    RtlClearBits(BitMap, 0, BitMap->SizeOfBitMap);
}

VOID RtlSetAllBits(PRTL_BITMAP BitMap) {
    RtlSetBits(BitMap, 0, BitMap->SizeOfBitMap);
}

VOID RtlSetBit(PRTL_BITMAP BitMap, ULONG_PTR Index) {
    BitMap->Buffer[Index / RTLP_WORD_BITS] |= (ULONG_PTR)1 << (Index % RTLP_WORD_BITS);
}

VOID RtlClearBit(PRTL_BITMAP BitMap, ULONG_PTR Index) {
    BitMap->Buffer[Index / RTLP_WORD_BITS] &= ~((ULONG_PTR)1 << (Index % RTLP_WORD_BITS));
}

BOOLEAN RtlTestBit(PCRTL_BITMAP BitMap, ULONG_PTR Index) {
    return (BOOLEAN)((BitMap->Buffer[Index / RTLP_WORD_BITS] >> (Index % RTLP_WORD_BITS)) & 1);
}

/* Sets (Value TRUE) or clears Count bits from StartIndex: partial words masked, whole words stored. */
static VOID RtlpFillBits(PRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count, BOOLEAN Value) {
    PULONG_PTR Word = &BitMap->Buffer[StartIndex / RTLP_WORD_BITS];
    ULONG_PTR Offset = StartIndex % RTLP_WORD_BITS;

    while (Count != 0) {
        ULONG_PTR Chunk = RTLP_WORD_BITS - Offset;
        if (Chunk > Count) {
            Chunk = Count;
        }
        if (Chunk == RTLP_WORD_BITS) {
            *Word = Value ? RTLP_ALL_ONES : 0;
        } else if (Value) {
            *Word |= RtlpWordMask(Offset, Chunk);
        } else {
            *Word &= ~RtlpWordMask(Offset, Chunk);
        }
        Count -= Chunk;
        Offset = 0;
        Word++;
    }
}

VOID RtlSetBits(PRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count) {
    RtlpFillBits(BitMap, StartIndex, Count, TRUE);
}

VOID RtlClearBits(PRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count) {
    RtlpFillBits(BitMap, StartIndex, Count, FALSE);
}

/* The first index in [FromIndex, Limit) whose bit equals Value, or Limit when there is none. */
static ULONG_PTR RtlpFindBit(PCRTL_BITMAP BitMap, ULONG_PTR FromIndex, ULONG_PTR Limit, BOOLEAN Value) {
    ULONG_PTR Invert = Value ? 0 : RTLP_ALL_ONES;
    ULONG_PTR WordIndex;
    ULONG_PTR Word;

    if (FromIndex >= Limit) {
        return Limit;
    }
    WordIndex = FromIndex / RTLP_WORD_BITS;
    Word = (BitMap->Buffer[WordIndex] ^ Invert) & (RTLP_ALL_ONES << (FromIndex % RTLP_WORD_BITS));
    for (;;) {
        if (Word != 0) {
            ULONG_PTR Index = WordIndex * RTLP_WORD_BITS + RtlpLowestSetBit(Word);
            return (Index < Limit) ? Index : Limit;
        }
        WordIndex++;
        if (WordIndex * RTLP_WORD_BITS >= Limit) {
            return Limit;
        }
        Word = BitMap->Buffer[WordIndex] ^ Invert;
    }
}

/* First run of Count bits equal to Value that starts in [FromIndex, StartLimit) and ends at or before EndLimit. */
static ULONG_PTR RtlpFindRun(PCRTL_BITMAP BitMap, ULONG_PTR Count, BOOLEAN Value, ULONG_PTR FromIndex,
                             ULONG_PTR StartLimit, ULONG_PTR EndLimit) {
    ULONG_PTR Start;
    ULONG_PTR End;

    while (FromIndex < StartLimit) {
        Start = RtlpFindBit(BitMap, FromIndex, StartLimit, Value);
        if (Start >= StartLimit || EndLimit - Start < Count) {
            return RTL_BITMAP_NOT_FOUND;
        }
        End = RtlpFindBit(BitMap, Start, Start + Count, (BOOLEAN)!Value);
        if (End - Start >= Count) {
            return Start;
        }
        FromIndex = End;
    }
    return RTL_BITMAP_NOT_FOUND;
}

/* First fit from HintIndex with wrap-around; see RtlFindClearBits. */
static ULONG_PTR RtlpFindBits(PCRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex, BOOLEAN Value) {
    ULONG_PTR Size = BitMap->SizeOfBitMap;
    ULONG_PTR Index;

    if (HintIndex >= Size) {
        HintIndex = 0;
    }
    if (Count == 0) {
        return HintIndex;
    }
    if (Count > Size) {
        return RTL_BITMAP_NOT_FOUND;
    }
    Index = RtlpFindRun(BitMap, Count, Value, HintIndex, Size, Size);
    if (Index == RTL_BITMAP_NOT_FOUND && HintIndex != 0) {
        Index = RtlpFindRun(BitMap, Count, Value, 0, HintIndex, Size);
    }
    return Index;
}

ULONG_PTR RtlFindClearBits(PCRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex) {
    return RtlpFindBits(BitMap, Count, HintIndex, FALSE);
}

ULONG_PTR RtlFindSetBits(PCRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex) {
    return RtlpFindBits(BitMap, Count, HintIndex, TRUE);
}

ULONG_PTR RtlFindClearBitsAndSet(PRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex) {
    ULONG_PTR Index = RtlpFindBits(BitMap, Count, HintIndex, FALSE);

    if (Index != RTL_BITMAP_NOT_FOUND) {
        RtlSetBits(BitMap, Index, Count);
    }
    return Index;
}

ULONG_PTR RtlFindSetBitsAndClear(PRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex) {
    ULONG_PTR Index = RtlpFindBits(BitMap, Count, HintIndex, TRUE);

    if (Index != RTL_BITMAP_NOT_FOUND) {
        RtlClearBits(BitMap, Index, Count);
    }
    return Index;
}

ULONG_PTR RtlFindNextForwardRunClear(PCRTL_BITMAP BitMap, ULONG_PTR FromIndex, PULONG_PTR StartingRunIndex) {
    ULONG_PTR Size = BitMap->SizeOfBitMap;
    ULONG_PTR Start = RtlpFindBit(BitMap, FromIndex, Size, FALSE);

    *StartingRunIndex = Start;
    return RtlpFindBit(BitMap, Start, Size, TRUE) - Start;
}

BOOLEAN RtlAreBitsClear(PCRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count) {
    if (StartIndex > BitMap->SizeOfBitMap || Count > BitMap->SizeOfBitMap - StartIndex) {
        return FALSE;
    }
    return (BOOLEAN)(RtlpFindBit(BitMap, StartIndex, StartIndex + Count, TRUE) == StartIndex + Count);
}

BOOLEAN RtlAreBitsSet(PCRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count) {
    if (StartIndex > BitMap->SizeOfBitMap || Count > BitMap->SizeOfBitMap - StartIndex) {
        return FALSE;
    }
    return (BOOLEAN)(RtlpFindBit(BitMap, StartIndex, StartIndex + Count, FALSE) == StartIndex + Count);
}

ULONG_PTR RtlNumberOfSetBits(PCRTL_BITMAP BitMap) {
    ULONG_PTR FullWords = BitMap->SizeOfBitMap / RTLP_WORD_BITS;
    ULONG_PTR Remainder = BitMap->SizeOfBitMap % RTLP_WORD_BITS;
    ULONG_PTR Total = 0;
    ULONG_PTR Index;

    for (Index = 0; Index < FullWords; Index++) {
        Total += RtlpPopulationCount(BitMap->Buffer[Index]);
    }
    if (Remainder != 0) {
        Total += RtlpPopulationCount(BitMap->Buffer[FullWords] & RtlpWordMask(0, Remainder));
    }
    return Total;
}

ULONG_PTR RtlNumberOfClearBits(PCRTL_BITMAP BitMap) {
    return BitMap->SizeOfBitMap - RtlNumberOfSetBits(BitMap);
}

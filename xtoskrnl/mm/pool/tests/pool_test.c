/* PoolBasicSuite (freestanding): layout, every size with pattern checks, zero and absurd sizes, coalescing,
 * lookaside reuse, page-sized allocations, special pool placement, per-tag statistics and their report. */
#include "pool_suites.h"
#include "pool_test_util.h"

static MI_POOL_DESCRIPTOR PoolTestPool;

/* A private pool, empty, with everything the previous case left given back to the pager. */
static PMI_POOL_DESCRIPTOR FreshPool(VOID) {
    PoolTestReleasePool(&PoolTestPool);
    PoolTestInitializePool(&PoolTestPool, POOL_TEST_COOKIE);
    return &PoolTestPool;
}

XTEST(HeaderLayoutMatchesArch) {
    XTEST_CHECK_EQ(sizeof(POOL_HEADER), 2 * sizeof(PVOID));
    XTEST_CHECK_EQ(MI_POOL_GRANULE, sizeof(PVOID) == 8 ? 16 : 8);
    XTEST_CHECK_EQ(MI_POOL_PAGE_GRANULES, sizeof(PVOID) == 8 ? 254 : 510);
    XTEST_CHECK_EQ(MI_POOL_MAX_SMALL_SIZE, sizeof(PVOID) == 8 ? 4048 : 4072);
    XTEST_CHECK_EQ(MiInitializePool(&PoolTestPool, 0, NULL, 0), STATUS_INVALID_PARAMETER);
}

/* Any one flipped bit of a header's first word (outside its check bits) changes its check, for headers of every
 * block size and state at many addresses under several cookies (on i686 this is what MI_POOL_CHECK_MULTIPLIER was
 * chosen for; on amd64 the check is bijective in the word). */
XTEST(HeaderCheckCatchesEveryOneBitChange) {
    static const ULONG_PTR Cookies[] = {1, (ULONG_PTR)0x9E3779B97F4A7C15ULL, (ULONG_PTR)0xFFFFFFFFFFFFFFFFULL,
                                        (ULONG_PTR)0x0123456789ABCDEFULL};
    ULONG Index, Granules, Bit, State, Missed = 0;
    ULONG_PTR Address;

    for (Index = 0; Index < sizeof(Cookies) / sizeof(Cookies[0]); Index++) {
        for (Address = 0x10000; Address < 0x10000 + 3 * MM_PAGE_SIZE; Address += 13 * MI_POOL_GRANULE) {
            for (Granules = MI_POOL_MIN_BLOCK; Granules <= MI_POOL_PAGE_GRANULES; Granules += 7) {
                for (State = 0; State < 2; State++) {
                    ULONG Ulong1 =
                        MI_POOL_ULONG1(Granules / 2, Granules, State ? MI_POOL_BLOCK_IN_USE : MI_POOL_BLOCK_LOOKASIDE);
                    PPOOL_HEADER Header = (PPOOL_HEADER)Address;
                    ULONG_PTR Check = MiPoolHeaderCheck(Header, Ulong1, Cookies[Index]);

                    for (Bit = 0; Bit < 32; Bit++) {
                        if ((MI_POOL_ULONG1_CHECK_MASK & (1u << Bit)) == 0) {
                            Missed += MiPoolHeaderCheck(Header, Ulong1 ^ (1u << Bit), Cookies[Index]) == Check;
                        }
                    }
                }
            }
        }
    }
    XTEST_CHECK_EQ(Missed, 0);
}

/* Allocates two blocks of Size, fills, checks and frees them; returns FALSE on the first failed check. */
static BOOLEAN RoundTrip(PXTEST_CONTEXT XtestContext, PMI_POOL_DESCRIPTOR Pool, SIZE_T Size) {
    PUCHAR First = MiAllocatePool(Pool, NonPagedPool, Size, POOL_TAG_A);
    PUCHAR Second = MiAllocatePool(Pool, NonPagedPool, Size, POOL_TAG_B);
    SIZE_T Alignment = Size > MI_POOL_MAX_SMALL_SIZE ? MM_PAGE_SIZE : MI_POOL_GRANULE;

    if (!XTEST_CHECK(First != NULL && Second != NULL) ||
        !XTEST_CHECK(((ULONG_PTR)First | (ULONG_PTR)Second) % Alignment == 0) ||
        !XTEST_CHECK(First + Size <= Second || Second + Size <= First)) {
        return FALSE;
    }
    PoolTestFill(First, Size, (ULONG)Size);
    PoolTestFill(Second, Size, (ULONG)Size + 1);
    if (!XTEST_CHECK_EQ(PoolTestCheck(First, Size, (ULONG)Size), Size) ||
        !XTEST_CHECK_EQ(PoolTestCheck(Second, Size, (ULONG)Size + 1), Size)) {
        return FALSE;
    }
    MiFreePool(Pool, First, POOL_TAG_A);
    MiFreePool(Pool, Second, POOL_TAG_B);
    return TRUE;
}

XTEST(EverySizeUpToThreePages) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    MM_POOL_STATISTICS Statistics;
    SIZE_T Size;

    for (Size = 1; Size <= 3 * MM_PAGE_SIZE + 64; Size++) {
        if (!RoundTrip(XtestContext, Pool, Size)) {
            XtestPrint("  size %zu\n", Size);
            return;
        }
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.Allocations, 2 * (3 * MM_PAGE_SIZE + 64));
    XTEST_CHECK_EQ(Statistics.Frees, 2 * (3 * MM_PAGE_SIZE + 64));
    XTEST_CHECK_EQ(Statistics.BigAllocations, 0);
    MiTrimPool(Pool);
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.SmallPages, 0);
    XTEST_CHECK_EQ(Statistics.LookasideBlocks, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

XTEST(ZeroAndAbsurdSizes) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    static const SIZE_T Absurd[] = {~(SIZE_T)0, ~(SIZE_T)0 - 1, ~(SIZE_T)0 - MM_PAGE_SIZE + 2, ~(SIZE_T)0 / 2 + 1};
    PVOID First = MiAllocatePool(Pool, NonPagedPool, 0, POOL_TAG_A);
    PVOID Second = MiAllocatePool(Pool, NonPagedPool, 0, POOL_TAG_A);
    MM_POOL_STATISTICS Statistics;
    ULONG Index;

    /* Zero bytes: a unique minimal block. */
    XTEST_ASSERT(First != NULL && Second != NULL);
    XTEST_CHECK(First != Second);
    XTEST_CHECK_EQ(PoolTestHeader(First)->BlockSize, MI_POOL_MIN_BLOCK);
    for (Index = 0; Index < ARRAY_SIZE(Absurd); Index++) {
        XTEST_CHECK(MiAllocatePool(Pool, NonPagedPool, Absurd[Index], POOL_TAG_A) == NULL);
    }
    MiSetSpecialPoolTag(Pool, POOL_TAG_C, TRUE);
    XTEST_CHECK(MiAllocatePool(Pool, NonPagedPool, ~(SIZE_T)0 - 3, POOL_TAG_C) == NULL);
    XTEST_CHECK(MiAllocatePool(Pool, PagedPool, 16, POOL_TAG_A) == NULL);
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.FailedAllocations, ARRAY_SIZE(Absurd) + 2);
    XTEST_CHECK_EQ(Statistics.Allocations, 2);
    MiFreePool(Pool, First, POOL_TAG_A);
    MiFreePool(Pool, Second, POOL_TAG_A);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

/* A request that fills exactly Granules granules and has no lookaside list. */
static SIZE_T BytesFor(ULONG Granules) {
    return (Granules - 1) * MI_POOL_GRANULE;
}

XTEST(FreeCoalescesBothNeighbours) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    ULONG Granules = MI_POOL_LOOKASIDE_GRANULES + 7;
    PUCHAR Block[4];
    PUCHAR Combined;
    ULONG Index;

    /* The free lists alone: a pool without per-processor lists (like the paged pool) serves exact sizes and frees
     * every block to the free lists. */
    PoolTestReleasePool(Pool);
    XTEST_ASSERT_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, NULL, 0), STATUS_SUCCESS);

    for (Index = 0; Index < 4; Index++) {
        Block[Index] = MiAllocatePool(Pool, NonPagedPool, BytesFor(Granules), POOL_TAG_A);
        XTEST_ASSERT(Block[Index] != NULL);
        XTEST_CHECK_EQ(PoolTestHeader(Block[Index])->BlockSize, Granules);
    }
    /* Consecutive in the same page. */
    XTEST_CHECK(Block[1] == Block[0] + Granules * MI_POOL_GRANULE);
    XTEST_CHECK(Block[2] == Block[1] + Granules * MI_POOL_GRANULE);
    MiFreePool(Pool, Block[0], POOL_TAG_A);
    MiFreePool(Pool, Block[2], POOL_TAG_A);
    XTEST_CHECK_EQ(Pool->ListCounts[Granules], 2);
    /* Freeing the middle one merges all three into one free block. */
    MiFreePool(Pool, Block[1], POOL_TAG_A);
    XTEST_CHECK_EQ(Pool->ListCounts[Granules], 0);
    XTEST_CHECK_EQ(Pool->ListCounts[3 * Granules], 1);
    XTEST_CHECK_EQ(PoolTestHeader(Block[0])->BlockSize, 3 * Granules);
    XTEST_CHECK_EQ(PoolTestHeader(Block[3])->PreviousSize, 3 * Granules);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* The combined size comes from the same place. */
    Combined = MiAllocatePool(Pool, NonPagedPool, BytesFor(3 * Granules), POOL_TAG_B);
    XTEST_CHECK(Combined == Block[0]);
    XTEST_CHECK_EQ(PoolTestHeader(Combined)->BlockSize, 3 * Granules);
    MiFreePool(Pool, Combined, POOL_TAG_B);
    MiFreePool(Pool, Block[3], POOL_TAG_A);
    /* The page is empty again: one page-sized free block, kept for reuse. */
    XTEST_CHECK_EQ(Pool->ListCounts[MI_POOL_PAGE_GRANULES], 1);
    XTEST_CHECK_EQ(Pool->EmptyPages, 1);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

/* After the first (locked) use of a size and tag on this processor, allocating and freeing it again stay on this
 * processor's list and tag slot: the descriptor's lock-protected counters do not move. */
XTEST(SmallBlocksStayOnTheProcessor) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    static const SIZE_T Sizes[] = {16, 64, 256, 1};
    MM_POOL_TAG_STATISTICS Tag;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        XTEST_CHECK_EQ(PoolTestRoundTrips(Pool, Sizes[Index], POOL_TAG_A, 0), 0);
    }
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, Tag.Frees);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    XTEST_CHECK_EQ(Tag.Allocations, ARRAY_SIZE(Sizes) * (POOL_TEST_ROUND_TRIP_BLOCKS + POOL_TEST_ROUND_TRIPS));
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

/* Three tags of one size freed in turn on one processor: every allocation takes the head of the size's list whatever
 * tag the block had and retags it without the lock (a list that only served blocks of the requested tag would send
 * them to the lock: the other tags' blocks wait first), and each tag's counts stay exact. */
XTEST(TagsOfOneSizeStayOnTheProcessor) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    ULONG Tags[3], Found = 0;
    PVOID Live[3][4];
    ULONG_PTR Allocations, Frees;
    MM_POOL_TAG_STATISTICS Tag;

    /* Tags whose per-processor counter sets all differ. */
    for (ULONG Candidate = MM_POOL_TAG('T', 'w', 'a', 'a');
         Found < ARRAY_SIZE(Tags) && Candidate < MM_POOL_TAG('T', 'w', 'a', 'b'); Candidate++) {
        BOOLEAN Distinct = TRUE;
        for (ULONG Index = 0; Index < Found; Index++) {
            Distinct &= MiPoolTagSlot(Candidate) != MiPoolTagSlot(Tags[Index]);
        }
        if (Distinct) {
            Tags[Found++] = Candidate;
        }
    }
    XTEST_ASSERT(Found == ARRAY_SIZE(Tags));
    for (ULONG Index = 0; Index < ARRAY_SIZE(Tags); Index++) {
        for (ULONG Slot = 0; Slot < ARRAY_SIZE(Live[0]); Slot++) {
            Live[Index][Slot] = MiAllocatePool(Pool, NonPagedPool, 64, Tags[Index]);
            XTEST_ASSERT(Live[Index][Slot] != NULL);
        }
    }
    Allocations = Pool->Allocations;
    Frees = Pool->Frees;
    for (ULONG Round = 0; Round < 100; Round++) {
        ULONG Slot = Round % ARRAY_SIZE(Live[0]);
        for (ULONG Index = 0; Index < ARRAY_SIZE(Tags); Index++) {
            MiFreePool(Pool, Live[Index][Slot], Tags[Index]);
        }
        for (ULONG Index = 0; Index < ARRAY_SIZE(Tags); Index++) {
            Live[Index][Slot] = MiAllocatePool(Pool, NonPagedPool, 64, Tags[Index]);
            XTEST_ASSERT(Live[Index][Slot] != NULL);
        }
    }
    XTEST_CHECK_EQ(Pool->Allocations, Allocations);
    XTEST_CHECK_EQ(Pool->Frees, Frees);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Tags); Index++) {
        for (ULONG Slot = 0; Slot < ARRAY_SIZE(Live[0]); Slot++) {
            MiFreePool(Pool, Live[Index][Slot], Tags[Index]);
        }
        XTEST_CHECK(MiQueryPoolTag(Pool, Tags[Index], &Tag));
        XTEST_CHECK_EQ(Tag.Allocations, 4 + 100);
        XTEST_CHECK_EQ(Tag.Frees, 4 + 100);
        XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

XTEST(LookasideReuseAndTrim) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    PVOID First = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_A);
    PVOID Second = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_A);
    /* The first allocation's refill carved its block and up to half the list's depth more out of one fresh page. */
    SIZE_T Extras = PoolTestRefillExtras(Pool, PoolTestGranules(64));
    PVOID Again;

    XTEST_ASSERT(First != NULL && Second != NULL);
    /* The extras wait on this processor's list; Second took one of them. */
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(Pool), Extras - 1);
    MiFreePool(Pool, First, POOL_TAG_A);
    /* On this processor's list: the header in use with the keyed parked mark for a tag, the body a keyed link. */
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(Pool), Extras);
    XTEST_CHECK_EQ(Pool->LookasideBlocks, 0);
    XTEST_CHECK(PoolTestOnProcessorList(Pool, First));
    Again = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_B);
    XTEST_CHECK(Again == First);
    XTEST_CHECK_EQ(PoolTestHeader(Again)->PoolTag, POOL_TAG_B);
    XTEST_CHECK(!PoolTestOnProcessorList(Pool, Again));
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(Pool), Extras - 1);
    MiFreePool(Pool, Again, POOL_TAG_B);
    MiFreePool(Pool, Second, POOL_TAG_A);
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(Pool), Extras + 1);
    XTEST_CHECK_EQ(Pool->SmallPages, 1);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* Trimming drains the lookasides, coalesces and gives the empty page back. */
    MiTrimPool(Pool);
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(Pool), 0);
    XTEST_CHECK_EQ(Pool->SmallPages, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

XTEST(PageSizedAllocations) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    PUCHAR One = MiAllocatePool(Pool, NonPagedPool, MI_POOL_MAX_SMALL_SIZE + 1, POOL_TAG_A);
    PUCHAR Four = MiAllocatePool(Pool, NonPagedPool, 3 * MM_PAGE_SIZE + 1, POOL_TAG_A);
    MM_POOL_TAG_STATISTICS Tag;

    XTEST_ASSERT(One != NULL && Four != NULL);
    XTEST_CHECK_EQ((ULONG_PTR)One % MM_PAGE_SIZE, 0);
    XTEST_CHECK_EQ((ULONG_PTR)Four % MM_PAGE_SIZE, 0);
    XTEST_CHECK_EQ(Pool->BigCount, 2);
    XTEST_CHECK_EQ(Pool->BigPages, 5);
    XTEST_CHECK_EQ(Pool->SmallPages, 0);
    PoolTestFill(Four, 3 * MM_PAGE_SIZE + 1, 4);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.BytesInUse, 5 * MM_PAGE_SIZE);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiFreePool(Pool, One, POOL_TAG_A);
    XTEST_CHECK_EQ(PoolTestCheck(Four, 3 * MM_PAGE_SIZE + 1, 4), 3 * MM_PAGE_SIZE + 1);
    MiFreePool(Pool, Four, POOL_TAG_A);
    XTEST_CHECK_EQ(Pool->BigCount, 0);
    XTEST_CHECK_EQ(Pool->BigPages, 0);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, 2);
    XTEST_CHECK_EQ(Tag.Frees, 2);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    PoolTestReleasePool(Pool);
}

XTEST(ManyBigAllocationsGrowTheTable) {
    static PVOID Blocks[600];
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    ULONG Index;

    for (Index = 0; Index < ARRAY_SIZE(Blocks); Index++) {
        Blocks[Index] = MiAllocatePool(Pool, NonPagedPool, MM_PAGE_SIZE + Index, POOL_TAG_B);
        XTEST_ASSERT(Blocks[Index] != NULL);
        *(PULONG)Blocks[Index] = Index;
    }
    XTEST_CHECK_EQ(Pool->BigCount, ARRAY_SIZE(Blocks));
    XTEST_CHECK(Pool->BigCapacity >= 1024);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* Free every other one, then the rest: exercises deletion from the probe runs. */
    for (Index = 0; Index < ARRAY_SIZE(Blocks); Index += 2) {
        XTEST_CHECK_EQ(*(PULONG)Blocks[Index], Index);
        MiFreePool(Pool, Blocks[Index], POOL_TAG_B);
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    for (Index = 1; Index < ARRAY_SIZE(Blocks); Index += 2) {
        XTEST_CHECK_EQ(*(PULONG)Blocks[Index], Index);
        MiFreePool(Pool, Blocks[Index], POOL_TAG_B);
    }
    XTEST_CHECK_EQ(Pool->BigCount, 0);
    XTEST_CHECK_EQ(Pool->BigPages, 0);
    PoolTestReleasePool(Pool);
}

XTEST(SpecialPoolEndsAtThePageEnd) {
    static const SIZE_T Sizes[] = {0, 1, 16, 100, MM_PAGE_SIZE, MM_PAGE_SIZE + 5000};
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    MM_POOL_TAG_STATISTICS Tag;
    ULONG Index;

    MiSetSpecialPoolTag(Pool, POOL_TAG_C, TRUE);
    for (Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        SIZE_T Span = ALIGN_UP(Sizes[Index] + (Sizes[Index] == 0), MI_POOL_GRANULE);
        PUCHAR Block = MiAllocatePool(Pool, NonPagedPool, Sizes[Index], POOL_TAG_C);

        XTEST_ASSERT(Block != NULL);
        XTEST_CHECK_EQ(((ULONG_PTR)Block + Span) % MM_PAGE_SIZE, 0);
        PoolTestFill(Block, Sizes[Index], 7);
        XTEST_CHECK_EQ(Pool->BigCount, 1);
        XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_C, &Tag));
        XTEST_CHECK_EQ(Tag.BytesInUse, ALIGN_UP(Span, MM_PAGE_SIZE));
        XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
        MiFreePool(Pool, Block, POOL_TAG_C);
    }
    /* Other tags still come from pool pages. */
    XTEST_CHECK(((ULONG_PTR)MiAllocatePool(Pool, NonPagedPool, 16, POOL_TAG_A) % MM_PAGE_SIZE) != 0);
    XTEST_CHECK_EQ(Pool->BigCount, 0);
    MiSetSpecialPoolTag(Pool, 0, FALSE);
    XTEST_CHECK(((ULONG_PTR)MiAllocatePool(Pool, NonPagedPool, 16, POOL_TAG_C) % MM_PAGE_SIZE) != 0);
    XTEST_CHECK_EQ(Pool->BigCount, 0);
    PoolTestReleasePool(Pool);
}

/* Output routine collecting into a fixed buffer. */
typedef struct _POOL_TEST_TEXT {
    CHAR Buffer[2048];
    SIZE_T Length;
} POOL_TEST_TEXT;

static VOID CollectText(PVOID Context, PCSTR Characters, SIZE_T Count) {
    POOL_TEST_TEXT *Text = Context;

    while (Count-- != 0 && Text->Length + 1 < sizeof(Text->Buffer)) {
        Text->Buffer[Text->Length++] = *Characters++;
    }
    Text->Buffer[Text->Length] = 0;
}

/* TRUE when Needle occurs in Haystack. */
static BOOLEAN TextContains(PCSTR Haystack, PCSTR Needle) {
    SIZE_T Length = RtlStringLength(Needle, 1024);

    for (; *Haystack != 0; Haystack++) {
        if (RtlCompareCString(Haystack, Needle, Length, FALSE) == 0) {
            return TRUE;
        }
    }
    return FALSE;
}

XTEST(TagStatisticsAreExact) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    SIZE_T SmallBytes = PoolTestGranules(100) * MI_POOL_GRANULE;
    PVOID Small[3], Big;
    MM_POOL_TAG_STATISTICS Tag;
    POOL_TEST_TEXT Text = {{0}, 0};
    CHAR Line[96];
    ULONG Index;

    for (Index = 0; Index < 3; Index++) {
        Small[Index] = MiAllocatePool(Pool, NonPagedPool, 100, POOL_TAG_A);
        XTEST_ASSERT(Small[Index] != NULL);
    }
    Big = MiAllocatePool(Pool, NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_B);
    XTEST_ASSERT(Big != NULL);
    MiFreePool(Pool, Small[1], POOL_TAG_A);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Tag, POOL_TAG_A);
    XTEST_CHECK_EQ(Tag.Allocations, 3);
    XTEST_CHECK_EQ(Tag.Frees, 1);
    XTEST_CHECK_EQ(Tag.BytesInUse, 2 * SmallBytes);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_B, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, 1);
    XTEST_CHECK_EQ(Tag.BytesInUse, 2 * MM_PAGE_SIZE);
    XTEST_CHECK(!MiQueryPoolTag(Pool, POOL_TAG_C, &Tag));
    XTEST_CHECK_EQ(Pool->TagsUsed, 2);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);

    MiDumpPoolTags(Pool, CollectText, &Text);
    RtlFormatString(Line, sizeof(Line), "TagA %12u %12u %12u %14zu\n", 3, 1, 2, 2 * SmallBytes);
    XTEST_CHECK(TextContains(Text.Buffer, Line));
    RtlFormatString(Line, sizeof(Line), "TagB %12u %12u %12u %14u\n", 1, 0, 1, 2 * MM_PAGE_SIZE);
    XTEST_CHECK(TextContains(Text.Buffer, Line));
    XTEST_CHECK(TextContains(Text.Buffer, "Total 2 tags"));
    if (XtestContext->CaseFailed) {
        XtestPrint("%s", Text.Buffer);
    }
    MiFreePool(Pool, Small[0], POOL_TAG_A);
    MiFreePool(Pool, Small[2], POOL_TAG_A);
    MiFreePool(Pool, Big, POOL_TAG_B);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    XTEST_CHECK_EQ(Tag.Frees, 3);
    PoolTestReleasePool(Pool);
}

XTEST(TagTableOverflowIsCounted) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    MM_POOL_TAG_STATISTICS Tag;
    ULONG Index;

    for (Index = 0; Index < MI_POOL_TAG_TABLE_LIMIT + 10; Index++) {
        PVOID Block = MiAllocatePool(Pool, NonPagedPool, 8, 0x10000 + Index);
        XTEST_ASSERT(Block != NULL);
        MiFreePool(Pool, Block, 0x10000 + Index);
    }
    XTEST_CHECK_EQ(Pool->TagsUsed, MI_POOL_TAG_TABLE_LIMIT);
    XTEST_CHECK(MiQueryPoolTag(Pool, MI_POOL_OVERFLOW_TAG, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, 10);
    XTEST_CHECK_EQ(Tag.Frees, 10);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    PoolTestReleasePool(Pool);
}

XTEST(CheckerReportsDamageWithoutStopping) {
    PMI_POOL_DESCRIPTOR Pool = FreshPool();
    PVOID Block = MiAllocatePool(Pool, NonPagedPool, 100, POOL_TAG_A);
    PPOOL_HEADER Header = PoolTestHeader(Block);
    ULONG Saved;

    XTEST_ASSERT(Block != NULL);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    Saved = Header->PoolTag;
    Header->PoolTag ^= 0x20;
    XTEST_CHECK(MiCheckPoolConsistency(Pool) > 0);
    Header->PoolTag = Saved;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    Pool->ListCounts[MI_POOL_PAGE_GRANULES - PoolTestGranules(100)]++;
    XTEST_CHECK(MiCheckPoolConsistency(Pool) > 0);
    Pool->ListCounts[MI_POOL_PAGE_GRANULES - PoolTestGranules(100)]--;
    Pool->Tags[0].BytesInUse++;
    Pool->OverflowTag.BytesInUse++;
    XTEST_CHECK(MiCheckPoolConsistency(Pool) > 0);
    Pool->OverflowTag.BytesInUse--;
    Pool->Tags[0].BytesInUse--;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiFreePool(Pool, Block, POOL_TAG_A);
    PoolTestReleasePool(Pool);
}

XTEST_SUITE(PoolBasicSuite, XTEST_ENTRY(HeaderLayoutMatchesArch), XTEST_ENTRY(HeaderCheckCatchesEveryOneBitChange),
            XTEST_ENTRY(EverySizeUpToThreePages), XTEST_ENTRY(ZeroAndAbsurdSizes),
            XTEST_ENTRY(FreeCoalescesBothNeighbours), XTEST_ENTRY(SmallBlocksStayOnTheProcessor),
            XTEST_ENTRY(TagsOfOneSizeStayOnTheProcessor), XTEST_ENTRY(LookasideReuseAndTrim),
            XTEST_ENTRY(PageSizedAllocations), XTEST_ENTRY(ManyBigAllocationsGrowTheTable),
            XTEST_ENTRY(SpecialPoolEndsAtThePageEnd), XTEST_ENTRY(TagStatisticsAreExact),
            XTEST_ENTRY(TagTableOverflowIsCounted), XTEST_ENTRY(CheckerReportsDamageWithoutStopping));

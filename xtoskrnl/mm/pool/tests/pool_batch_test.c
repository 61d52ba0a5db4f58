/* PoolBatchSuite: the per-processor lists of the size classes above 512 bytes, batched refill and overflow under one
 * lock acquisition each, and a trim that drains everything (the pages go back). Needs the page count of the host
 * environment (pool_test_env.h); no C library. */
#include "pool_host_suites.h"
#include "pool_test_env.h"
#include "pool_test_util.h"

#define BATCH_MAX_BLOCKS 512

static MI_POOL_DESCRIPTOR BatchPool;
/* Host-only: static blocks for every processor number the host model may give a thread. */
static MI_POOL_PROCESSOR BatchProcessors[KE_MAXIMUM_PROCESSORS];
static PVOID BatchBlocks[BATCH_MAX_BLOCKS];

static PMI_POOL_DESCRIPTOR FreshBatchPool(VOID) {
    MiReleasePool(&BatchPool);
    MiInitializePool(&BatchPool, POOL_TEST_COOKIE, BatchProcessors, KE_MAXIMUM_PROCESSORS);
    return &BatchPool;
}

/* Blocks above 512 bytes (every class up to the largest small request): after the first locked use, freeing and
 * allocating them again stays on this processor's list of the class; the lock-protected counters do not move. */
XTEST(ClassBlocksStayOnTheProcessor) {
    static const SIZE_T Sizes[] = {513, 600, 1000, 2000, 3000, MI_POOL_MAX_SMALL_SIZE};
    PMI_POOL_DESCRIPTOR Pool = FreshBatchPool();
    MM_POOL_TAG_STATISTICS Tag;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        ULONG Granules = PoolTestGranules(Sizes[Index]);

        XTEST_CHECK(Granules > 512 / MI_POOL_GRANULE);
        XTEST_CHECK(Pool->MaximumDepth[Granules] >= 2);
        XTEST_CHECK_EQ(PoolTestRoundTrips(Pool, Sizes[Index], POOL_TAG_A, Granules), 0);
        XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    }
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, ARRAY_SIZE(Sizes) * (POOL_TEST_ROUND_TRIP_BLOCKS + POOL_TEST_ROUND_TRIPS));
    XTEST_CHECK_EQ(Tag.Frees, Tag.Allocations);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiReleasePool(Pool);
}

/* One locked allocation refills an empty list: its block and PoolTestRefillExtras more, parked (in use, the keyed mark,
 * a keyed link) and accounted exactly by the checker; the extras then come without the lock, and only the allocation
 * after them takes it again. Then the same from the shared lookaside list: a refill pops a batch off it. */
XTEST(RefillParksExtrasUnderOneLock) {
    static const SIZE_T Sizes[] = {64, 1000};
    PMI_POOL_DESCRIPTOR Pool = FreshBatchPool();
    MM_POOL_TAG_STATISTICS Tag;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        ULONG Granules = PoolTestGranules(Sizes[Index]), Extras = PoolTestRefillExtras(Pool, Granules);
        PMI_POOL_PROCESSOR Processor = MiPoolCurrentProcessor(Pool);
        PMI_POOL_LOOKASIDE_LINK Link;
        ULONG_PTR Allocations;
        ULONG Count = 0;

        XTEST_ASSERT(Extras >= 1 && Extras + 1 < BATCH_MAX_BLOCKS);
        Allocations = Pool->Allocations;
        BatchBlocks[0] = MiAllocatePool(Pool, NonPagedPool, Sizes[Index], POOL_TAG_B);
        XTEST_ASSERT(BatchBlocks[0] != NULL);
        XTEST_CHECK_EQ(Pool->Allocations, Allocations + 1);
        XTEST_CHECK_EQ(Processor->Depth[Granules], Extras);
        for (Link = Processor->Head[Granules]; Link != NULL && Count <= Extras; Link = Link->Next, Count++) {
            XTEST_CHECK(PoolTestOnProcessorList(Pool, Link));
            XTEST_CHECK_EQ(PoolTestHeader(Link)->BlockSize, Granules);
            /* Handed out in address order after the block the refill returned. */
            XTEST_CHECK(Link == (PVOID)((PUCHAR)BatchBlocks[0] + (SIZE_T)(Count + 1) * Granules * MI_POOL_GRANULE));
        }
        XTEST_CHECK_EQ(Count, Extras);
        XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
        XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_B, &Tag));
        XTEST_CHECK_EQ(Tag.Allocations - Tag.Frees, 1);
        for (Count = 1; Count <= Extras; Count++) {
            BatchBlocks[Count] = MiAllocatePool(Pool, NonPagedPool, Sizes[Index], POOL_TAG_B);
            XTEST_ASSERT(BatchBlocks[Count] != NULL);
        }
        XTEST_CHECK_EQ(Pool->Allocations, Allocations + 1);
        XTEST_CHECK_EQ(Processor->Depth[Granules], 0);
        BatchBlocks[Count] = MiAllocatePool(Pool, NonPagedPool, Sizes[Index], POOL_TAG_B);
        XTEST_ASSERT(BatchBlocks[Count] != NULL);
        XTEST_CHECK_EQ(Pool->Allocations, Allocations + 2);
        XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
        while (Count != 0) {
            MiFreePool(Pool, BatchBlocks[Count--], POOL_TAG_B);
        }
        MiFreePool(Pool, BatchBlocks[0], POOL_TAG_B);
    }
    /* The shared lookaside list of 64 bytes holds blocks: an empty list here refills from it in one batch. */
    {
        ULONG Granules = PoolTestGranules(64);
        PMI_POOL_PROCESSOR Processor = MiPoolCurrentProcessor(Pool);
        SIZE_T Shared;
        ULONG Index;

        for (Index = 0; Index < 2 * (ULONG)Pool->MaximumDepth[Granules]; Index++) {
            BatchBlocks[Index] = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_C);
            XTEST_ASSERT(BatchBlocks[Index] != NULL);
        }
        while (Index != 0) {
            MiFreePool(Pool, BatchBlocks[--Index], POOL_TAG_C);
        }
        Shared = Pool->Lookaside[Granules].Depth;
        XTEST_CHECK(Shared > Pool->MaximumDepth[Granules] / 2u);
        /* Empty this processor's list of the size without touching the shared one (it is not full). */
        while (Processor->Depth[Granules] != 0) {
            BatchBlocks[Index++] = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_C);
        }
        BatchBlocks[Index] = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_C);
        XTEST_CHECK(BatchBlocks[Index] != NULL);
        XTEST_CHECK_EQ(Pool->Lookaside[Granules].Depth, Shared - (Pool->MaximumDepth[Granules] / 2u + 1));
        XTEST_CHECK_EQ(Processor->Depth[Granules], Pool->MaximumDepth[Granules] / 2u);
        XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
        for (Index++; Index != 0;) {
            MiFreePool(Pool, BatchBlocks[--Index], POOL_TAG_C);
        }
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiReleasePool(Pool);
}

/* A free into a full list moves half of it to the shared layer under that one lock acquisition (the shared lookaside
 * for 64 bytes, the free lists for a class above 512 bytes); the frees before it are lock-free. */
XTEST(OverflowMovesHalfUnderOneLock) {
    static const SIZE_T Sizes[] = {64, 1000};
    PMI_POOL_DESCRIPTOR Pool = FreshBatchPool();

    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        ULONG Granules = PoolTestGranules(Sizes[Index]), Depth, Count;
        PMI_POOL_PROCESSOR Processor = MiPoolCurrentProcessor(Pool);
        ULONG_PTR Frees;
        SIZE_T Shared;

        Depth = Pool->MaximumDepth[Granules];
        XTEST_ASSERT(Depth + 1 <= BATCH_MAX_BLOCKS);
        for (Count = 0; Count <= Depth; Count++) {
            BatchBlocks[Count] = MiAllocatePool(Pool, NonPagedPool, Sizes[Index], POOL_TAG_A);
            XTEST_ASSERT(BatchBlocks[Count] != NULL);
        }
        /* The refills' extras go back first: this processor's list of the size starts empty. */
        MiTrimPool(Pool);
        XTEST_CHECK_EQ(Processor->Depth[Granules], 0);
        Frees = Pool->Frees;
        Shared = Pool->LookasideBlocks;
        for (Count = 0; Count < Depth; Count++) {
            MiFreePool(Pool, BatchBlocks[Count], POOL_TAG_A);
        }
        XTEST_CHECK_EQ(Processor->Depth[Granules], Depth);
        XTEST_CHECK_EQ(Pool->Frees, Frees);
        MiFreePool(Pool, BatchBlocks[Depth], POOL_TAG_A);
        XTEST_CHECK_EQ(Pool->Frees, Frees + 1);
        XTEST_CHECK_EQ(Processor->Depth[Granules], Depth - (Depth + 1) / 2 + 1);
        if (Granules <= MI_POOL_LOOKASIDE_GRANULES) {
            XTEST_CHECK_EQ(Pool->LookasideBlocks, Shared + (Depth + 1) / 2);
        } else {
            XTEST_CHECK_EQ(Pool->LookasideBlocks, Shared);
        }
        XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    }
    MiReleasePool(Pool);
}

/* Blocks of every small size freed onto this processor's lists (and, past their depths, the shared layer): a trim
 * drains them all, coalesces every page and gives every page back to the pager. */
XTEST(TrimDrainsEverything) {
    PMI_POOL_DESCRIPTOR Pool = FreshBatchPool();
    SIZE_T Pages = PoolTestPagesInUse();
    MM_POOL_STATISTICS Statistics;
    ULONG Count = 0, Index;

    for (Index = 0; Count < BATCH_MAX_BLOCKS; Index++) {
        SIZE_T Size = (Index * 97) % (MI_POOL_MAX_SMALL_SIZE + 1);
        BatchBlocks[Count] = MiAllocatePool(Pool, NonPagedPool, Size, POOL_TAG_A);
        XTEST_ASSERT(BatchBlocks[Count] != NULL);
        Count++;
    }
    while (Count != 0) {
        MiFreePool(Pool, BatchBlocks[--Count], POOL_TAG_A);
    }
    XTEST_CHECK(PoolTestLookasideBlocks(Pool) > 0);
    XTEST_CHECK(Pool->SmallPages > 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiTrimPool(Pool);
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.LookasideBlocks, 0);
    XTEST_CHECK_EQ(Pool->SmallPages, 0);
    XTEST_CHECK_EQ(Pool->FreeBlocks, 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), Pages);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiReleasePool(Pool);
}

XTEST_SUITE(PoolBatchSuite, XTEST_ENTRY(ClassBlocksStayOnTheProcessor), XTEST_ENTRY(RefillParksExtrasUnderOneLock),
            XTEST_ENTRY(OverflowMovesHalfUnderOneLock), XTEST_ENTRY(TrimDrainsEverything));

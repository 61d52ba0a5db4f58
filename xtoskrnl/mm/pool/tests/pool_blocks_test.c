/* PoolProcessorBlocksSuite (host-only: static blocks for every processor): where a pool's per-processor blocks are.
 * A pool without per-processor lists has none; the blocks a pool is given are all it touches, and its statistics,
 * tag sums and checker cover every one of them. */
#include "pool_host_suites.h"
#include "pool_test_env.h"
#include "pool_test_util.h"

#define BLOCKS_POISON 0xA5

static MI_POOL_DESCRIPTOR BlocksPool;
/* One block more than any pool here is given: poisoned, it must stay as it is. */
static MI_POOL_PROCESSOR BlocksArray[KE_MAXIMUM_PROCESSORS + 1];
static const MM_POOL_PAGE_SOURCE BlocksPagedSource = {MmAllocateSystemPages, MmFreeSystemPages, 0, 0, NULL};

static BOOLEAN BlocksMemoryLow(VOID) {
    return FALSE;
}
static const MM_POOL_PAGE_SOURCE BlocksLowSource = {MmAllocateSystemPages, MmFreeSystemPages, 0, 0, BlocksMemoryLow};

/* Poisons BlocksArray from block First on. */
static VOID BlocksPoison(ULONG First) {
    RtlFillMemory(&BlocksArray[First], (KE_MAXIMUM_PROCESSORS + 1 - First) * sizeof(MI_POOL_PROCESSOR), BLOCKS_POISON);
}

/* TRUE when every byte of BlocksArray from block First on still carries the poison. */
static BOOLEAN BlocksPoisoned(ULONG First) {
    const UCHAR *Bytes = (const UCHAR *)&BlocksArray[First];

    for (SIZE_T Index = 0; Index < (KE_MAXIMUM_PROCESSORS + 1 - First) * sizeof(MI_POOL_PROCESSOR); Index++) {
        if (Bytes[Index] != BLOCKS_POISON) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Parks the in-use small block Address (Tag) on processor Number's list of Pool as that processor's free would: the
 * block on the list, the free counted in its slot for Tag. */
static VOID BlocksFreeOn(PMI_POOL_DESCRIPTOR Pool, ULONG Number, PVOID Address, ULONG Tag) {
    PMI_POOL_PROCESSOR Processor = &Pool->Processors[Number];
    PPOOL_HEADER Header = PoolTestHeader(Address);
    PMI_POOL_PP_TAG Slot = MiPoolTagSet(Processor, Tag);

    Slot->Key = MI_POOL_SLOT_KEY(Tag);
    Slot->Frees++;
    Slot->Granules -= Header->BlockSize;
    MiPoolParkBlock(Pool, Processor, Header);
}

XTEST(PoolsWithoutProcessorListsHaveNoBlocks) {
    SIZE_T Pages = PoolTestPagesInUse();
    PMI_POOL_DESCRIPTOR Pool = &BlocksPool;
    MM_POOL_STATISTICS Statistics;
    MM_POOL_TAG_STATISTICS Tag;
    PVOID Blocks[8];
    ULONG Granules = PoolTestGranules(64);

    BlocksPoison(0);
    /* The paged pool's kind: no blocks, and blocks are refused (its pages may not be touched with interrupts off). */
    XTEST_ASSERT_EQ(MiInitializePoolEx(Pool, POOL_TEST_COOKIE, PagedPool, &BlocksPagedSource, APC_LEVEL, NULL, 0),
                    STATUS_SUCCESS);
    XTEST_CHECK(Pool->Processors == NULL && Pool->ProcessorCount == 0 && !Pool->PerProcessor);
    MiReleasePool(Pool);
    XTEST_CHECK(Pool->Processors == NULL && Pool->ProcessorCount == 0 && !Pool->PerProcessor);
    XTEST_CHECK_EQ(MiInitializePoolEx(Pool, POOL_TEST_COOKIE, PagedPool, &BlocksPagedSource, APC_LEVEL, BlocksArray,
                                      KE_MAXIMUM_PROCESSORS),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(MiInitializePoolEx(Pool, POOL_TEST_COOKIE, NonPagedPool, &BlocksLowSource, DISPATCH_LEVEL,
                                      BlocksArray, KE_MAXIMUM_PROCESSORS),
                   STATUS_INVALID_PARAMETER);
    /* Blocks that are not cache-line aligned, a count without blocks, blocks without a count. */
    XTEST_CHECK_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, (PMI_POOL_PROCESSOR)((PUCHAR)BlocksArray + 16), 2),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, NULL, 2), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, BlocksArray, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(BlocksPoisoned(0)); /* a refused initialisation touches no block */

    /* A non-paged pool without blocks: small frees go to the shared lookaside lists, every count still exact. */
    XTEST_ASSERT_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, NULL, 0), STATUS_SUCCESS);
    XTEST_CHECK(Pool->Processors == NULL && Pool->ProcessorCount == 0 && !Pool->PerProcessor);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Blocks); Index++) {
        Blocks[Index] = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_A);
        XTEST_ASSERT(Blocks[Index] != NULL);
        XTEST_CHECK_EQ(PoolTestHeader(Blocks[Index])->BlockSize, Granules);
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Blocks); Index++) {
        MiFreePool(Pool, Blocks[Index], POOL_TAG_A);
    }
    XTEST_CHECK_EQ(Pool->Lookaside[Granules].Depth, ARRAY_SIZE(Blocks));
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.LookasideBlocks, ARRAY_SIZE(Blocks));
    XTEST_CHECK_EQ(Statistics.Allocations, ARRAY_SIZE(Blocks));
    XTEST_CHECK_EQ(Statistics.Frees, ARRAY_SIZE(Blocks));
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, ARRAY_SIZE(Blocks));
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiTrimPool(Pool);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiReleasePool(Pool);
    XTEST_CHECK(Pool->Processors == NULL && !Pool->PerProcessor);
    XTEST_CHECK(BlocksPoisoned(0));
    XTEST_CHECK_EQ(PoolTestPagesInUse(), Pages); /* every page given back */
}

/* The system pool's kind: a block for every processor the kernel may start. One block parked on each processor's list
 * (as its free would): the statistics, the tag sums and the checker see all of them, damage on the last processor's
 * list is found, and the block after the array is never touched. */
XTEST(SumsAndCheckerCoverEveryBlock) {
    SIZE_T Pages = PoolTestPagesInUse();
    PMI_POOL_DESCRIPTOR Pool = &BlocksPool;
    MM_POOL_STATISTICS Before, After;
    MM_POOL_TAG_STATISTICS Tag;
    PVOID Blocks[KE_MAXIMUM_PROCESSORS];
    PMI_POOL_LOOKASIDE_LINK Last;
    ULONG Granules = PoolTestGranules(64);

    BlocksPoison(0);
    XTEST_ASSERT_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, BlocksArray, KE_MAXIMUM_PROCESSORS), STATUS_SUCCESS);
    XTEST_CHECK(Pool->Processors == BlocksArray && Pool->ProcessorCount == KE_MAXIMUM_PROCESSORS && Pool->PerProcessor);
    XTEST_CHECK_EQ(BlocksArray[KE_MAXIMUM_PROCESSORS - 1].Depth[Granules], 0); /* the given blocks are emptied */
    XTEST_CHECK(BlocksPoisoned(KE_MAXIMUM_PROCESSORS));
    for (ULONG Number = 0; Number < KE_MAXIMUM_PROCESSORS; Number++) {
        Blocks[Number] = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_B);
        XTEST_ASSERT(Blocks[Number] != NULL);
    }
    MiQueryPoolStatistics(Pool, &Before);
    for (ULONG Number = 0; Number < KE_MAXIMUM_PROCESSORS; Number++) {
        BlocksFreeOn(Pool, Number, Blocks[Number], POOL_TAG_B);
        XTEST_CHECK_EQ(BlocksArray[Number].Depth[Granules], Number == 0 ? 1 + Before.LookasideBlocks : 1);
    }
    MiQueryPoolStatistics(Pool, &After);
    XTEST_CHECK_EQ(After.LookasideBlocks, Before.LookasideBlocks + KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK_EQ(After.Frees, Before.Frees + KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK_EQ(After.Allocations, KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_B, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK_EQ(Tag.Frees, KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    /* The checker takes every parked block off the page walk's totals: one missed would unbalance the tags. */
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    Last = Pool->Processors[KE_MAXIMUM_PROCESSORS - 1].Head[Granules];
    XTEST_ASSERT(Last == Blocks[KE_MAXIMUM_PROCESSORS - 1]);
    Last->Check ^= 1;
    XTEST_CHECK(MiCheckPoolConsistency(Pool) > 0);
    Last->Check ^= 1;
    Pool->Processors[KE_MAXIMUM_PROCESSORS - 1].Depth[Granules]++;
    XTEST_CHECK(MiCheckPoolConsistency(Pool) > 0);
    Pool->Processors[KE_MAXIMUM_PROCESSORS - 1].Depth[Granules]--;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiTrimPool(Pool); /* this processor's lists only */
    XTEST_CHECK_EQ(BlocksArray[0].Depth[Granules], 0);
    XTEST_CHECK_EQ(BlocksArray[KE_MAXIMUM_PROCESSORS - 1].Depth[Granules], 1);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* A release keeps the blocks and empties them. */
    MiReleasePool(Pool);
    XTEST_CHECK(Pool->Processors == BlocksArray && Pool->ProcessorCount == KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK(BlocksArray[KE_MAXIMUM_PROCESSORS - 1].Head[Granules] == NULL);
    XTEST_CHECK_EQ(BlocksArray[KE_MAXIMUM_PROCESSORS - 1].Depth[Granules], 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    XTEST_CHECK(BlocksPoisoned(KE_MAXIMUM_PROCESSORS));
    MiReleasePool(Pool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), Pages); /* every page given back */
}

/* A private pool with fewer blocks than the kernel's maximum (SELFTEST's, one per started processor): everything that
 * walks the processors stops at its count. */
XTEST(BlocksBeyondTheCountAreNeverTouched) {
    SIZE_T Pages = PoolTestPagesInUse();
    PMI_POOL_DESCRIPTOR Pool = &BlocksPool;
    MM_POOL_STATISTICS Statistics;
    MM_POOL_TAG_STATISTICS Tag;
    PVOID First, Second;

    BlocksPoison(0);
    XTEST_ASSERT_EQ(MiInitializePool(Pool, POOL_TEST_COOKIE, BlocksArray, 2), STATUS_SUCCESS);
    XTEST_CHECK(BlocksPoisoned(2));
    First = MiAllocatePool(Pool, NonPagedPool, 100, POOL_TAG_C);
    Second = MiAllocatePool(Pool, NonPagedPool, 100, POOL_TAG_C);
    XTEST_ASSERT(First != NULL && Second != NULL);
    MiFreePool(Pool, First, POOL_TAG_C);
    BlocksFreeOn(Pool, 1, Second, POOL_TAG_C);
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.Allocations, 2);
    XTEST_CHECK_EQ(Statistics.Frees, 2);
    XTEST_CHECK_EQ(Statistics.LookasideBlocks, PoolTestRefillExtras(Pool, PoolTestGranules(100)) + 1);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_C, &Tag));
    XTEST_CHECK_EQ(Tag.Frees, 2);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiTrimPool(Pool);
    MiReleasePool(Pool);
    XTEST_CHECK_EQ(Pool->ProcessorCount, 2);
    XTEST_CHECK(BlocksPoisoned(2));
    MiReleasePool(Pool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), Pages); /* every page given back */
    RtlZeroMemory(Pool, sizeof(*Pool));
}

XTEST_SUITE(PoolProcessorBlocksSuite, XTEST_ENTRY(PoolsWithoutProcessorListsHaveNoBlocks),
            XTEST_ENTRY(SumsAndCheckerCoverEveryBlock), XTEST_ENTRY(BlocksBeyondTheCountAreNeverTouched));

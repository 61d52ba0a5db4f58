/* PoolExhaustionSuite: with a page budget, allocations end in NULL (never a crash) and the pool recovers. Needs the
 * fake pager's budget (pool_test_env.h); no C library. */
#include "pool_host_suites.h"
#include "pool_test_env.h"
#include "pool_test_util.h"

#define EXHAUSTION_BUDGET 16
#define EXHAUSTION_MAX    4096

static MI_POOL_DESCRIPTOR ExhaustionPool;
/* Host-only: static blocks for every processor number the host model may give a thread. */
static MI_POOL_PROCESSOR ExhaustionProcessors[KE_MAXIMUM_PROCESSORS];
static PVOID ExhaustionBlocks[EXHAUSTION_MAX];

/* Allocates Size-byte blocks until NULL; returns how many succeeded. */
static ULONG FillPool(SIZE_T Size, ULONG Tag) {
    ULONG Count = 0;

    while (Count < EXHAUSTION_MAX &&
           (ExhaustionBlocks[Count] = MiAllocatePool(&ExhaustionPool, NonPagedPool, Size, Tag)) != NULL) {
        Count++;
    }
    return Count;
}

static VOID EmptyPool(ULONG Count, ULONG Tag) {
    while (Count != 0) {
        MiFreePool(&ExhaustionPool, ExhaustionBlocks[--Count], Tag);
    }
}

XTEST(SmallBlocksUntilNullThenRecover) {
    ULONG Small = PoolTestGranules(200), Medium = PoolTestGranules(1000);
    ULONG Count;

    MiInitializePool(&ExhaustionPool, POOL_TEST_COOKIE, ExhaustionProcessors, KE_MAXIMUM_PROCESSORS);
    PoolTestSetPageBudget(EXHAUSTION_BUDGET);
    Count = FillPool(200, POOL_TAG_A);
    XTEST_CHECK_EQ(Count, EXHAUSTION_BUDGET * (MI_POOL_PAGE_GRANULES / Small));
    XTEST_CHECK_EQ(PoolTestPagesInUse(), EXHAUSTION_BUDGET);
    XTEST_CHECK(MiAllocatePool(&ExhaustionPool, NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_B) == NULL);
    XTEST_CHECK_EQ(ExhaustionPool.FailedAllocations, 2);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&ExhaustionPool), 0);
    /* Freed blocks partly stay on a lookaside list; a larger size must still get all the pages back. */
    EmptyPool(Count, POOL_TAG_A);
    XTEST_CHECK(PoolTestLookasideBlocks(&ExhaustionPool) > 0);
    Count = FillPool(1000, POOL_TAG_B);
    XTEST_CHECK_EQ(Count, EXHAUSTION_BUDGET * (MI_POOL_PAGE_GRANULES / Medium));
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(&ExhaustionPool), 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&ExhaustionPool), 0);
    EmptyPool(Count, POOL_TAG_B);
    /* The last 1000-byte blocks freed wait on this processor's list of their size class (its depth, or after an
     * overflow moved half of it to the free lists, more than half of it), and each keeps its page from coalescing.
     * A fill of another size would carve around them first (the page walk's best fit) and lose blocks to the layout
     * once the failing page allocation's trim frees them. The trim gives them, and every cached empty page, back. */
    XTEST_CHECK(PoolTestLookasideBlocks(&ExhaustionPool) > ExhaustionPool.MaximumDepth[Medium] / 2);
    XTEST_CHECK(PoolTestLookasideBlocks(&ExhaustionPool) <= ExhaustionPool.MaximumDepth[Medium]);
    MiTrimPool(&ExhaustionPool);
    XTEST_CHECK_EQ(PoolTestLookasideBlocks(&ExhaustionPool), 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 0);
    /* And the first size again: the same count. */
    Count = FillPool(200, POOL_TAG_A);
    XTEST_CHECK_EQ(Count, EXHAUSTION_BUDGET * (MI_POOL_PAGE_GRANULES / Small));
    EmptyPool(Count, POOL_TAG_A);
    MiTrimPool(&ExhaustionPool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&ExhaustionPool), 0);
    PoolTestSetPageBudget(POOL_TEST_UNLIMITED);
    MiReleasePool(&ExhaustionPool);
}

XTEST(BigBlocksUntilNullThenRecover) {
    ULONG Count;
    PVOID Block;

    MiInitializePool(&ExhaustionPool, POOL_TEST_COOKIE, ExhaustionProcessors, KE_MAXIMUM_PROCESSORS);
    PoolTestSetPageBudget(EXHAUSTION_BUDGET);
    /* 5 pages each, plus one page for the big-allocation table: 3 fit in 16. */
    Count = FillPool(4 * MM_PAGE_SIZE + 1, POOL_TAG_A);
    XTEST_CHECK_EQ(Count, 3);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 16);
    /* A small block needs a page too: none left. */
    XTEST_CHECK(MiAllocatePool(&ExhaustionPool, NonPagedPool, 16, POOL_TAG_B) == NULL);
    EmptyPool(Count, POOL_TAG_A);
    /* The freed runs wait in the run cache (docs/pool.md "The run cache"), still mapped: no page went back yet. */
    XTEST_CHECK_EQ(ExhaustionPool.BigCachedPages, 15);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 16);
    /* The same size again: all three from the cache, and the fourth attempt's trim empties it before NULL. */
    Count = FillPool(4 * MM_PAGE_SIZE + 1, POOL_TAG_A);
    XTEST_CHECK_EQ(Count, 3);
    XTEST_CHECK_EQ(ExhaustionPool.BigCachedPages, 0);
    EmptyPool(Count, POOL_TAG_A);
    /* A small block now: the pager has no page, the failure's trim gives the 15 cached pages back, the retry gets one.
     */
    XTEST_CHECK_EQ(ExhaustionPool.BigCachedPages, 15);
    Block = MiAllocatePool(&ExhaustionPool, NonPagedPool, 16, POOL_TAG_B);
    XTEST_CHECK(Block != NULL);
    XTEST_CHECK_EQ(ExhaustionPool.BigCachedPages, 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 2);
    MiFreePool(&ExhaustionPool, Block, POOL_TAG_B);
    MiTrimPool(&ExhaustionPool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 1);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&ExhaustionPool), 0);
    PoolTestSetPageBudget(POOL_TEST_UNLIMITED);
    MiReleasePool(&ExhaustionPool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 0);
}

XTEST(BigTableGrowthFailureReturnsNull) {
    ULONG Count;

    MiInitializePool(&ExhaustionPool, POOL_TEST_COOKIE, ExhaustionProcessors, KE_MAXIMUM_PROCESSORS);
    /* The first table (128 entries, one page) holds 96 entries at 3/4 load; the 97th needs a bigger table, for
     * which the budget has no page left once the block's own page is taken. */
    PoolTestSetPageBudget(98);
    Count = FillPool(MM_PAGE_SIZE, POOL_TAG_C);
    XTEST_CHECK_EQ(Count, 96);
    XTEST_CHECK_EQ(ExhaustionPool.BigCount, 96);
    XTEST_CHECK_EQ(ExhaustionPool.BigCapacity, 128);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 97);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&ExhaustionPool), 0);
    EmptyPool(Count, POOL_TAG_C);
    PoolTestSetPageBudget(POOL_TEST_UNLIMITED);
    MiReleasePool(&ExhaustionPool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), 0);
}

XTEST_SUITE(PoolExhaustionSuite, XTEST_ENTRY(SmallBlocksUntilNullThenRecover),
            XTEST_ENTRY(BigBlocksUntilNullThenRecover), XTEST_ENTRY(BigTableGrowthFailureReturnsNull));

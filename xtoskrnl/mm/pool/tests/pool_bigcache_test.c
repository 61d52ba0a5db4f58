/* PoolBigCacheSuite: the cache of freed page runs (docs/pool.md "The run cache"): reuse without the pager, the cap,
 * trim (explicit and on allocation failure) giving every page back, the second free of a cached run and a write
 * after free stopping, special-pool runs never cached, and the checker accounting cached pages exactly. Host only:
 * the fake pager's budget and page count, a catchable KeBugCheckEx. */
#include "pool_host_suites.h"
#include "pool_test_env.h"
#include "pool_test_util.h"

static MI_POOL_DESCRIPTOR CachePool;
static MI_POOL_PROCESSOR CacheProcessors[KE_MAXIMUM_PROCESSORS];
static SIZE_T CacheBase; /* pages other suites' pools (the system pool) hold from the fake pager */

typedef struct _CACHE_CASE {
    PVOID Address;
    ULONG Tag;
    SIZE_T Size;
} CACHE_CASE;

static VOID CacheFreeRoutine(PVOID Context) {
    CACHE_CASE *Case = Context;
    MiFreePool(&CachePool, Case->Address, Case->Tag);
}

static VOID CacheAllocateRoutine(PVOID Context) {
    CACHE_CASE *Case = Context;
    Case->Address = MiAllocatePool(&CachePool, NonPagedPool, Case->Size, Case->Tag);
}

/* Runs Routine; TRUE when it stopped (the caught STOP left the lock held and the RunLevel raised: undone here). */
static BOOLEAN CacheExpectStop(PPOOL_TEST_ROUTINE Routine, CACHE_CASE *Case, PPOOL_TEST_STOP Stop) {
    BOOLEAN Stopped;

    RtlZeroMemory(Stop, sizeof(*Stop));
    Stopped = PoolTestCatchBugCheck(Routine, Case, Stop);
    CachePool.SpinLock = 0;
    KiWriteRunLevel(PASSIVE_LEVEL);
    return Stopped;
}

static PMI_POOL_DESCRIPTOR FreshCachePool(VOID) {
    MiReleasePool(&CachePool);
    CacheBase = PoolTestPagesInUse();
    MiInitializePool(&CachePool, POOL_TEST_COOKIE, CacheProcessors, KE_MAXIMUM_PROCESSORS);
    return &CachePool;
}

XTEST(FreedRunIsReusedWithoutThePager) {
    PMI_POOL_DESCRIPTOR Pool = FreshCachePool();
    MM_POOL_TAG_STATISTICS Tag;
    MM_POOL_STATISTICS Statistics;
    PUCHAR Block = MiAllocatePool(Pool, NonPagedPool, 3 * MM_PAGE_SIZE - 100, POOL_TAG_A);
    SIZE_T InUse = PoolTestPagesInUse() - CacheBase; /* the run and the big table's page */
    PUCHAR Again;

    XTEST_ASSERT(Block != NULL);
    XTEST_CHECK_EQ(InUse, 4);
    Block[3 * MM_PAGE_SIZE - 1] = 0x5A; /* the whole run is mapped */
    MiFreePool(Pool, Block, POOL_TAG_A);
    /* Kept mapped, out of the table, counted as cached, not as big. */
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, InUse);
    XTEST_CHECK_EQ(Pool->BigCount, 0);
    XTEST_CHECK_EQ(Pool->BigPages, 0);
    XTEST_CHECK_EQ(Pool->BigCachedRuns, 1);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 3);
    MiQueryPoolStatistics(Pool, &Statistics);
    XTEST_CHECK_EQ(Statistics.BigCachedPages, 3);
    XTEST_CHECK_EQ(Statistics.BigPages, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* The pager has nothing more to give: the same page count still comes, from the cache, at the same address. */
    PoolTestSetPageBudget(CacheBase + InUse);
    Again = MiAllocatePool(Pool, NonPagedPool, 2 * MM_PAGE_SIZE + 1, POOL_TAG_B);
    XTEST_CHECK(Again == Block);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 0);
    XTEST_CHECK_EQ(Pool->BigPages, 3);
    XTEST_CHECK_EQ(Pool->FailedAllocations, 0);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_B, &Tag));
    XTEST_CHECK_EQ(Tag.BytesInUse, 3 * MM_PAGE_SIZE);
    XTEST_CHECK(MiQueryPoolTag(Pool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, 1);
    XTEST_CHECK_EQ(Tag.Frees, 1);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* Another page count is not served from a run of 3 pages (exact sizes only): the pager has no page left, so the
     * failure's trim gives the cached run back and the retry gets 2 of its pages from the pager. */
    MiFreePool(Pool, Again, POOL_TAG_B);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 3);
    Again = MiAllocatePool(Pool, NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_A);
    XTEST_CHECK(Again != NULL);
    XTEST_CHECK_EQ(Pool->FailedAllocations, 0);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, 3);
    MiFreePool(Pool, Again, POOL_TAG_A);
    PoolTestSetPageBudget(POOL_TEST_UNLIMITED);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
}

XTEST(CacheHoldsAtMostTheCap) {
    PMI_POOL_DESCRIPTOR Pool = FreshCachePool();
    PVOID Blocks[40], Large, Special;
    SIZE_T Index, InUse;

    for (Index = 0; Index < ARRAY_SIZE(Blocks); Index++) {
        Blocks[Index] = MiAllocatePool(Pool, NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_A);
        XTEST_ASSERT(Blocks[Index] != NULL);
    }
    Large = MiAllocatePool(Pool, NonPagedPool, (MI_POOL_BIG_CACHE_MAX_PAGES + 1) * MM_PAGE_SIZE, POOL_TAG_A);
    MiSetSpecialPoolTag(Pool, POOL_TAG_C, TRUE);
    Special = MiAllocatePool(Pool, NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_C);
    XTEST_ASSERT(Large != NULL && Special != NULL);
    InUse = PoolTestPagesInUse() - CacheBase;
    /* Neither a run above the largest cached page count nor a special-pool run (guard page) is cached. */
    MiFreePool(Pool, Large, POOL_TAG_A);
    MiFreePool(Pool, Special, POOL_TAG_C);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, InUse - (MI_POOL_BIG_CACHE_MAX_PAGES + 1) - 2);
    InUse = PoolTestPagesInUse() - CacheBase;
    /* 80 pages freed: the first 64 are cached, the rest go back to the pager. */
    for (Index = 0; Index < ARRAY_SIZE(Blocks); Index++) {
        MiFreePool(Pool, Blocks[Index], POOL_TAG_A);
    }
    XTEST_CHECK_EQ(Pool->BigCachedPages, MI_POOL_BIG_CACHE_LIMIT);
    XTEST_CHECK_EQ(Pool->BigCachedRuns, MI_POOL_BIG_CACHE_LIMIT / 2);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, InUse - (2 * ARRAY_SIZE(Blocks) - MI_POOL_BIG_CACHE_LIMIT));
    XTEST_CHECK_EQ(Pool->BigCount, 0);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* A trim gives every cached page back: only the big table's page is left. */
    MiTrimPool(Pool);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 0);
    XTEST_CHECK_EQ(Pool->BigCachedRuns, 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, 1);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiSetSpecialPoolTag(Pool, 0, FALSE);
}

XTEST(FailedAllocationTrimsTheCache) {
    PMI_POOL_DESCRIPTOR Pool = FreshCachePool();
    PVOID Block = MiAllocatePool(Pool, NonPagedPool, 4 * MM_PAGE_SIZE, POOL_TAG_A), Small;

    XTEST_ASSERT(Block != NULL);
    MiFreePool(Pool, Block, POOL_TAG_A);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, 5);
    /* A small block needs a page: the pager has none left, the failure's trim returns the cached run, the retry gets
     * one of its pages. */
    PoolTestSetPageBudget(CacheBase + 5);
    Small = MiAllocatePool(Pool, NonPagedPool, 64, POOL_TAG_B);
    XTEST_CHECK(Small != NULL);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 0);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, 2);
    XTEST_CHECK_EQ(Pool->FailedAllocations, 0);
    MiFreePool(Pool, Small, POOL_TAG_B);
    PoolTestSetPageBudget(POOL_TEST_UNLIMITED);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* MiReleasePool gives cached runs back too. */
    Block = MiAllocatePool(Pool, NonPagedPool, 4 * MM_PAGE_SIZE, POOL_TAG_A);
    MiFreePool(Pool, Block, POOL_TAG_A);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 4);
    MiReleasePool(Pool);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, 0);
}

XTEST(SecondFreeOfCachedRunStops) {
    PMI_POOL_DESCRIPTOR Pool = FreshCachePool();
    POOL_TEST_STOP Stop;
    CACHE_CASE Case = {MiAllocatePool(Pool, NonPagedPool, MM_PAGE_SIZE * 2, POOL_TAG_A), POOL_TAG_A, 0};

    XTEST_ASSERT(Case.Address != NULL);
    MiFreePool(Pool, Case.Address, POOL_TAG_A);
    XTEST_CHECK_EQ(Pool->BigCachedRuns, 1);
    XTEST_ASSERT(CacheExpectStop(CacheFreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_BAD_ADDRESS);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Case.Address);
    /* Nothing changed: the run is still cached once, and the pool is consistent. */
    XTEST_CHECK_EQ(Pool->BigCachedRuns, 1);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
}

XTEST(WriteAfterFreeCaughtOnReuse) {
    PMI_POOL_DESCRIPTOR Pool = FreshCachePool();
    POOL_TEST_STOP Stop;
    CACHE_CASE Case = {MiAllocatePool(Pool, NonPagedPool, MM_PAGE_SIZE * 2, POOL_TAG_A), POOL_TAG_A, MM_PAGE_SIZE * 2};
    PUCHAR Run = Case.Address;

    XTEST_ASSERT(Run != NULL);
    MiFreePool(Pool, Run, POOL_TAG_A);
    /* A use after free writes into the run's keyed fill: no fault (the mapping stays), the checker sees it... */
    Run[sizeof(MI_POOL_BIG_RUN) - 1] ^= 0x01;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 1);
    /* ...and the next allocation of that page count stops. */
    XTEST_ASSERT(CacheExpectStop(CacheAllocateRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_FREED_BLOCK_CHANGED);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Run);
    XTEST_CHECK_EQ(Stop.Parameters[3], 2);
    /* The same for the link's check word. */
    Run[sizeof(MI_POOL_BIG_RUN) - 1] ^= 0x01;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    Run[sizeof(PVOID)] ^= 0x80;
    XTEST_ASSERT(CacheExpectStop(CacheAllocateRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_FREED_BLOCK_CHANGED);
    Run[sizeof(PVOID)] ^= 0x80;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
}

XTEST(CheckerAccountsCachedPagesExactly) {
    PMI_POOL_DESCRIPTOR Pool = FreshCachePool();
    PVOID One = MiAllocatePool(Pool, NonPagedPool, MM_PAGE_SIZE, POOL_TAG_A);
    PVOID Five = MiAllocatePool(Pool, NonPagedPool, 5 * MM_PAGE_SIZE, POOL_TAG_A);
    PMI_POOL_BIG_RUN Run;

    MiFreePool(Pool, One, POOL_TAG_A);
    MiFreePool(Pool, Five, POOL_TAG_A);
    XTEST_CHECK_EQ(Pool->BigCachedPages, 6);
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    /* A page more or less in the counters, or a run on the list of another page count, is one problem each. */
    Pool->BigCachedPages++;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 1);
    Pool->BigCachedPages--;
    Pool->BigCachedRuns--;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 1);
    Pool->BigCachedRuns++;
    Run = Pool->BigCache[5];
    Pool->BigCache[5] = NULL;
    Pool->BigCache[4] = Run;
    XTEST_CHECK(MiCheckPoolConsistency(Pool) >= 1);
    Pool->BigCache[4] = NULL;
    Pool->BigCache[5] = Run;
    XTEST_CHECK_EQ(MiCheckPoolConsistency(Pool), 0);
    MiReleasePool(Pool);
    XTEST_CHECK_EQ(PoolTestPagesInUse() - CacheBase, 0);
}

XTEST_SUITE(PoolBigCacheSuite, XTEST_ENTRY(FreedRunIsReusedWithoutThePager), XTEST_ENTRY(CacheHoldsAtMostTheCap),
            XTEST_ENTRY(FailedAllocationTrimsTheCache), XTEST_ENTRY(SecondFreeOfCachedRunStops),
            XTEST_ENTRY(WriteAfterFreeCaughtOnReuse), XTEST_ENTRY(CheckerAccountsCachedPagesExactly));

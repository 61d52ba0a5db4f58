/* PoolPagedSourceSuite (host): a pool descriptor of PagedPool type takes its pages from its own source, holds its
 * lock at APC_LEVEL (never DISPATCH: its pages may fault), refuses other types and every allocation while the source
 * reports memory pressure, keeps its source across a release, and a paged allocation above APC_LEVEL is a STOP. */
#include <pager.h>

#include "pool_host_suites.h"
#include "pool_suites.h"
#include "pool_test_env.h"
#include "pool_test_util.h"

static MI_POOL_DESCRIPTOR PagedTestPool;
static KRUNLEVEL SourceLevelSeen;
static ULONG SourceCalls;
static BOOLEAN SourceLow;

/* The fake pager's pages, recording the RunLevel the pool called at. */
static PVOID RecordingAllocate(SIZE_T Count, ULONG Flags) {
    SourceLevelSeen = KeGetCurrentRunLevel() > SourceLevelSeen ? KeGetCurrentRunLevel() : SourceLevelSeen;
    SourceCalls++;
    return MmAllocateSystemPages(Count, Flags);
}

static VOID RecordingFree(PVOID Address, SIZE_T Count, ULONG Flags) {
    SourceLevelSeen = KeGetCurrentRunLevel() > SourceLevelSeen ? KeGetCurrentRunLevel() : SourceLevelSeen;
    SourceCalls++;
    MmFreeSystemPages(Address, Count, Flags);
}

static BOOLEAN RecordingLow(VOID) {
    return SourceLow;
}

static const MM_POOL_PAGE_SOURCE RecordingSource = {RecordingAllocate, RecordingFree, 0, 0, RecordingLow};

XTEST(PagedDescriptorUsesItsSourceAtApcLevel) {
    static const SIZE_T Sizes[] = {1, 100, 2000, MM_PAGE_SIZE + 3};
    PVOID Blocks[ARRAY_SIZE(Sizes)];
    SIZE_T PagesBefore = PoolTestPagesInUse();

    KiWriteRunLevel(PASSIVE_LEVEL); /* a STOP caught by an earlier suite may have left the model raised */
    SourceLevelSeen = PASSIVE_LEVEL;
    SourceCalls = 0;
    SourceLow = FALSE;
    XTEST_ASSERT_EQ(
        MiInitializePoolEx(&PagedTestPool, POOL_TEST_COOKIE, PagedPool, &RecordingSource, APC_LEVEL, NULL, 0),
        STATUS_SUCCESS);
    XTEST_CHECK(MiAllocatePool(&PagedTestPool, NonPagedPool, 16, POOL_TAG_A) == NULL); /* wrong type */
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        Blocks[Index] = MiAllocatePool(&PagedTestPool, PagedPool, Sizes[Index], POOL_TAG_A);
        XTEST_ASSERT(Blocks[Index] != NULL);
        PoolTestFill(Blocks[Index], Sizes[Index], Index);
    }
    XTEST_CHECK(SourceCalls >= 2);
    XTEST_CHECK_EQ(SourceLevelSeen, APC_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    SourceLow = TRUE;
    XTEST_CHECK(MiAllocatePool(&PagedTestPool, PagedPool, 16, POOL_TAG_A) == NULL); /* memory pressure */
    SourceLow = FALSE;
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        XTEST_CHECK_EQ(PoolTestCheck(Blocks[Index], Sizes[Index], Index), Sizes[Index]);
        MiFreePool(&PagedTestPool, Blocks[Index], POOL_TAG_A);
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&PagedTestPool), 0);
    MiReleasePool(&PagedTestPool);
    XTEST_CHECK(PagedTestPool.Pages == &RecordingSource);
    XTEST_CHECK_EQ(PagedTestPool.LockLevel, APC_LEVEL);
    XTEST_CHECK_EQ(PagedTestPool.PoolType, PagedPool);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), PagesBefore);
}

XTEST(PagedTortureOnItsSource) {
    SIZE_T PagesBefore = PoolTestPagesInUse();

    SourceLevelSeen = PASSIVE_LEVEL;
    XTEST_CHECK_EQ(PoolTortureRunOn(&RecordingSource, PoolTortureOperations, 9), 0); /* 1,000,000 by default */
    XTEST_CHECK_EQ(SourceLevelSeen, APC_LEVEL);
    XTEST_CHECK_EQ(PoolTestPagesInUse(), PagesBefore);
}

static VOID AllocatePagedAtDispatch(PVOID Context) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    (VOID) Context;
    MmAllocatePool(PagedPool, 16, POOL_TAG_A);
    KeLowerRunLevel(Old);
}

XTEST(PagedAllocationAboveApcLevelStops) {
    POOL_TEST_STOP Stop;

    XTEST_ASSERT(PoolTestCatchBugCheck(AllocatePagedAtDispatch, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, IRQL_NOT_LESS_OR_EQUAL);
    XTEST_CHECK_EQ(Stop.Parameters[0], DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Stop.Parameters[1], APC_LEVEL);
    XTEST_CHECK_EQ(Stop.Parameters[2], IRQL_CALL_ABOVE_LIMIT);
    KiWriteRunLevel(PASSIVE_LEVEL); /* the caught STOP left the model raised */
    /* Without an initialised paged pool a paged allocation is refused, not a crash. */
    XTEST_CHECK(MmAllocatePool(PagedPool, 16, POOL_TAG_A) == NULL);
}

XTEST_SUITE(PoolPagedSourceSuite, XTEST_ENTRY(PagedDescriptorUsesItsSourceAtApcLevel),
            XTEST_ENTRY(PagedTortureOnItsSource), XTEST_ENTRY(PagedAllocationAboveApcLevelStops));

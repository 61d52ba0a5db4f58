/* PoolCorruptionSuite: each kind of corruption or misuse ends in KeBugCheckEx with the documented STOP code and
 * parameters (docs/pool.md). Needs a catchable KeBugCheckEx (pool_test_env.h); no C library. */
#include "pool_host_suites.h"
#include "pool_test_env.h"
#include "pool_test_util.h"

static MI_POOL_DESCRIPTOR CorruptionPool;
static MI_POOL_DESCRIPTOR OtherPool;
/* Host-only: static blocks for every processor number the host model may give a thread. */
static MI_POOL_PROCESSOR CorruptionProcessors[KE_MAXIMUM_PROCESSORS];
static MI_POOL_PROCESSOR OtherProcessors[KE_MAXIMUM_PROCESSORS];

/* What the routine under test does: free or allocate something in CorruptionPool. */
typedef struct _CORRUPTION_CASE {
    PVOID Address;
    ULONG Tag;
    SIZE_T Size;
} CORRUPTION_CASE;

static VOID FreeRoutine(PVOID Context) {
    CORRUPTION_CASE *Case = Context;
    MiFreePool(&CorruptionPool, Case->Address, Case->Tag);
}

static VOID FreeInOtherPoolRoutine(PVOID Context) {
    CORRUPTION_CASE *Case = Context;
    MiFreePool(&OtherPool, Case->Address, Case->Tag);
}

static VOID AllocateRoutine(PVOID Context) {
    CORRUPTION_CASE *Case = Context;
    Case->Address = MiAllocatePool(&CorruptionPool, NonPagedPool, Case->Size, Case->Tag);
}

static PMI_POOL_DESCRIPTOR Fresh(VOID) {
    MiReleasePool(&CorruptionPool);
    MiInitializePool(&CorruptionPool, POOL_TEST_COOKIE, CorruptionProcessors, KE_MAXIMUM_PROCESSORS);
    return &CorruptionPool;
}

/* The same without per-processor lists (like the paged pool): the free lists alone. */
static PMI_POOL_DESCRIPTOR FreshWithoutProcessorLists(VOID) {
    MiReleasePool(&CorruptionPool);
    MiInitializePool(&CorruptionPool, POOL_TEST_COOKIE, NULL, 0);
    return &CorruptionPool;
}

/* Runs Routine; TRUE when it stopped with Code and first parameter Subcode. */
static BOOLEAN ExpectStop(PPOOL_TEST_ROUTINE Routine, CORRUPTION_CASE *Case, PPOOL_TEST_STOP Stop) {
    BOOLEAN Stopped;

    RtlZeroMemory(Stop, sizeof(*Stop));
    Stopped = PoolTestCatchBugCheck(Routine, Case, Stop);
    /* A real STOP never returns; the caught one left the pool's lock held and the RunLevel raised. */
    CorruptionPool.SpinLock = 0;
    OtherPool.SpinLock = 0;
    KiWriteRunLevel(PASSIVE_LEVEL);
    return Stopped;
}

/* Two adjacent 100-byte blocks; a one-byte overrun of the first lands in the second's header. */
static PUCHAR OverrunPair(PUCHAR *Second) {
    PUCHAR First = MiAllocatePool(Fresh(), NonPagedPool, 100, POOL_TAG_A);
    SIZE_T Usable = (PoolTestHeader(First)->BlockSize - 1) * MI_POOL_GRANULE;

    *Second = MiAllocatePool(&CorruptionPool, NonPagedPool, 100, POOL_TAG_A);
    First[Usable] ^= 0x5A;
    return First;
}

XTEST(OverrunCaughtFreeingTheOverrunBlock) {
    POOL_TEST_STOP Stop;
    PUCHAR Second, First = OverrunPair(&Second);
    CORRUPTION_CASE Case = {First, POOL_TAG_A, 0};

    XTEST_ASSERT(Second == First + PoolTestGranules(100) * MI_POOL_GRANULE);
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_NEXT_BLOCK_CORRUPT);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolTestHeader(First));
    XTEST_CHECK_EQ(Stop.Parameters[2], (ULONG_PTR)PoolTestHeader(Second));
    XTEST_CHECK_EQ(Stop.Parameters[3], MiPoolPageOf(First));
}

XTEST(OverrunCaughtFreeingTheNeighbour) {
    POOL_TEST_STOP Stop;
    PUCHAR Second, First = OverrunPair(&Second);
    CORRUPTION_CASE Case = {Second, POOL_TAG_A, 0};

    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_HEADER_CORRUPT);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolTestHeader(Second));
    XTEST_CHECK_EQ(Stop.Parameters[2], PoolTestHeader(Second)->Ulong1);
    UNUSED(First);
}

XTEST(DoubleFreeOfLookasideBlock) {
    POOL_TEST_STOP Stop;
    PVOID Block = MiAllocatePool(Fresh(), NonPagedPool, 64, POOL_TAG_A);
    CORRUPTION_CASE Case = {Block, POOL_TAG_A, 0};

    MiFreePool(&CorruptionPool, Block, POOL_TAG_A);
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_DOUBLE_FREE);
    XTEST_CHECK_EQ(Stop.Parameters[1], 0);
    XTEST_CHECK_EQ(Stop.Parameters[2], PoolTestHeader(Block)->Ulong1);
    XTEST_CHECK_EQ(Stop.Parameters[3], (ULONG_PTR)Block);
    XTEST_CHECK(PoolTestOnProcessorList(&CorruptionPool, Block));
}

/* A parked block's tag is its keyed mark, so a double free normally fails the tag compare; a caller whose tag is that
 * very mark passes it, and the link test must still stop the second free (not park the block twice). */
XTEST(DoubleFreeWithTheParkedMarkAsTag) {
    POOL_TEST_STOP Stop;
    PVOID Block = MiAllocatePool(Fresh(), NonPagedPool, 64, POOL_TAG_A);
    ULONG Mark = MiPoolParkedTag(&CorruptionPool, Block);
    CORRUPTION_CASE Case = {Block, Mark, 0};

    MiFreePool(&CorruptionPool, Block, POOL_TAG_A);
    XTEST_ASSERT(MiAllocatePool(&CorruptionPool, NonPagedPool, 64, Mark) == Block);
    XTEST_CHECK_EQ(PoolTestHeader(Block)->PoolTag, Mark);
    MiFreePool(&CorruptionPool, Block, Mark);
    XTEST_CHECK(PoolTestOnProcessorList(&CorruptionPool, Block));
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_DOUBLE_FREE);
    XTEST_CHECK_EQ(Stop.Parameters[3], (ULONG_PTR)Block);
    XTEST_CHECK(PoolTestOnProcessorList(&CorruptionPool, Block));
}

XTEST(DoubleFreeOfCoalescedBlock) {
    POOL_TEST_STOP Stop;
    SIZE_T Size = MI_POOL_LOOKASIDE_GRANULES * MI_POOL_GRANULE + 100;
    PVOID First, Second;
    CORRUPTION_CASE Case = {NULL, POOL_TAG_A, 0};

    /* The free lists alone (a pool without per-processor lists): the frees coalesce at once. */
    FreshWithoutProcessorLists();
    First = MiAllocatePool(&CorruptionPool, NonPagedPool, Size, POOL_TAG_A);
    Second = MiAllocatePool(&CorruptionPool, NonPagedPool, Size, POOL_TAG_A);
    Case.Address = Second;

    MiFreePool(&CorruptionPool, First, POOL_TAG_A);
    MiFreePool(&CorruptionPool, Second, POOL_TAG_A); /* merges into First's free block */
    XTEST_CHECK_EQ(CorruptionPool.ListCounts[MI_POOL_PAGE_GRANULES], 1);
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_DOUBLE_FREE);
    XTEST_CHECK_EQ(Stop.Parameters[3], (ULONG_PTR)Second);
}

XTEST(DoubleFreeOfBigBlockIsABadAddress) {
    POOL_TEST_STOP Stop;
    PVOID Block = MiAllocatePool(Fresh(), NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_A);
    CORRUPTION_CASE Case = {Block, POOL_TAG_A, 0};

    MiFreePool(&CorruptionPool, Block, POOL_TAG_A);
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_BAD_ADDRESS);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Block);
}

XTEST(WrongTagOnFree) {
    POOL_TEST_STOP Stop;
    PVOID Small = MiAllocatePool(Fresh(), NonPagedPool, 100, POOL_TAG_A);
    PVOID Big = MiAllocatePool(&CorruptionPool, NonPagedPool, 3 * MM_PAGE_SIZE, POOL_TAG_A);
    CORRUPTION_CASE Case = {Small, POOL_TAG_B, 0};

    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_WRONG_TAG);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Small);
    XTEST_CHECK_EQ(Stop.Parameters[2], POOL_TAG_A);
    XTEST_CHECK_EQ(Stop.Parameters[3], POOL_TAG_B);
    Case.Address = Big;
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_WRONG_TAG);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Big);
    XTEST_CHECK_EQ(Stop.Parameters[2], POOL_TAG_A);
    XTEST_CHECK_EQ(Stop.Parameters[3], POOL_TAG_B);
}

XTEST(CorruptFreeListLink) {
    POOL_TEST_STOP Stop;
    SIZE_T Size = MI_POOL_LOOKASIDE_GRANULES * MI_POOL_GRANULE + 100;
    PVOID Keep, Blocker;
    PMI_POOL_FREE_LINKS Freed;
    MI_POOL_FREE_LINKS Fake = {NULL, NULL};
    CORRUPTION_CASE Case = {NULL, POOL_TAG_A, Size};

    /* The free lists alone (a pool without per-processor lists): the free goes to the free list of its size. */
    FreshWithoutProcessorLists();
    Keep = MiAllocatePool(&CorruptionPool, NonPagedPool, Size, POOL_TAG_A);
    Freed = MiAllocatePool(&CorruptionPool, NonPagedPool, Size, POOL_TAG_A);
    Blocker = MiAllocatePool(&CorruptionPool, NonPagedPool, Size, POOL_TAG_A);

    /* Freed sits between two blocks in use: it goes on its list alone; then its forward link is overwritten. */
    MiFreePool(&CorruptionPool, Freed, POOL_TAG_A);
    XTEST_CHECK_EQ(CorruptionPool.ListCounts[PoolTestHeader(Freed)->BlockSize], 1);
    Freed->Flink = &Fake;
    XTEST_ASSERT(ExpectStop(AllocateRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_FREE_LIST_CORRUPT);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Freed);
    XTEST_CHECK_EQ(Stop.Parameters[2], (ULONG_PTR)&Fake);
    UNUSED(Keep);
    UNUSED(Blocker);
}

XTEST(CorruptLookasideLink) {
    POOL_TEST_STOP Stop;
    PMI_POOL_LOOKASIDE_LINK Freed = MiAllocatePool(Fresh(), NonPagedPool, 64, POOL_TAG_A);
    MI_POOL_LOOKASIDE_LINK Fake = {NULL, 0};
    CORRUPTION_CASE Case = {NULL, POOL_TAG_A, 64};

    MiFreePool(&CorruptionPool, Freed, POOL_TAG_A);
    Freed->Next = &Fake;
    XTEST_ASSERT(ExpectStop(AllocateRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_FREE_LIST_CORRUPT);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)Freed);
    XTEST_CHECK_EQ(Stop.Parameters[2], (ULONG_PTR)&Fake);
}

XTEST(FreedHeaderChangedOnLookaside) {
    POOL_TEST_STOP Stop;
    PUCHAR Freed = MiAllocatePool(Fresh(), NonPagedPool, 64, POOL_TAG_A);
    CORRUPTION_CASE Case = {NULL, POOL_TAG_A, 64};

    MiFreePool(&CorruptionPool, Freed, POOL_TAG_A);
    PoolTestHeader(Freed)->PoolTag ^= 1; /* e.g. an overrun of the block before it, after the free */
    XTEST_ASSERT(ExpectStop(AllocateRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_FREED_BLOCK_CHANGED);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolTestHeader(Freed));
}

XTEST(AddressesThatAreNotPoolBlocks) {
    POOL_TEST_STOP Stop;
    static ULONG_PTR NotPool[64];
    PUCHAR Block = MiAllocatePool(Fresh(), NonPagedPool, 200, POOL_TAG_A);
    CORRUPTION_CASE Case = {&NotPool[32], POOL_TAG_A, 0};

    /* Memory that is no pool page. */
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_BAD_ADDRESS);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)&NotPool[32]);
    /* Inside a pool block, not granule aligned. */
    Case.Address = Block + 8 + (MI_POOL_GRANULE == 16 ? 0 : 4);
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_BAD_ADDRESS);
    /* Inside a pool block, granule aligned: what precedes it is no header. */
    RtlZeroMemory(Block, 200);
    Case.Address = Block + 4 * MI_POOL_GRANULE;
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_HEADER_CORRUPT);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)(Block + 3 * MI_POOL_GRANULE));
    /* Another pool's block. */
    MiInitializePool(&OtherPool, POOL_TEST_COOKIE, OtherProcessors, KE_MAXIMUM_PROCESSORS);
    Case.Address = Block;
    XTEST_ASSERT(ExpectStop(FreeInOtherPoolRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPC_BAD_ADDRESS);
}

XTEST(SpecialPoolSlackChecksOnFree) {
    POOL_TEST_STOP Stop;
    PUCHAR Block;
    CORRUPTION_CASE Case = {NULL, POOL_TAG_C, 0};

    MiSetSpecialPoolTag(Fresh(), POOL_TAG_C, TRUE);
    /* 61 bytes: the block ends 3 bytes (amd64: 3 of 16) before the guard page; writing them is caught on free. */
    Block = MiAllocatePool(&CorruptionPool, NonPagedPool, 61, POOL_TAG_C);
    XTEST_ASSERT(Block != NULL);
    Block[61] = 0;
    Case.Address = Block;
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION);
    XTEST_CHECK_EQ(Stop.Parameters[0], (ULONG_PTR)Block);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)(Block + 61));
    XTEST_CHECK_EQ(Stop.Parameters[2], 61);
    XTEST_CHECK_EQ(Stop.Parameters[3], SPC_AFTER_BLOCK_CHANGED);
    /* An underrun. */
    Block = MiAllocatePool(&CorruptionPool, NonPagedPool, 64, POOL_TAG_C);
    XTEST_ASSERT(Block != NULL);
    Block[-1] = 0;
    Case.Address = Block;
    XTEST_ASSERT(ExpectStop(FreeRoutine, &Case, &Stop));
    XTEST_CHECK_EQ(Stop.Code, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)(Block - 1));
    XTEST_CHECK_EQ(Stop.Parameters[3], SPC_BEFORE_BLOCK_CHANGED);
    MiReleasePool(&CorruptionPool);
}

XTEST_SUITE(PoolCorruptionSuite, XTEST_ENTRY(OverrunCaughtFreeingTheOverrunBlock),
            XTEST_ENTRY(OverrunCaughtFreeingTheNeighbour), XTEST_ENTRY(DoubleFreeOfLookasideBlock),
            XTEST_ENTRY(DoubleFreeWithTheParkedMarkAsTag), XTEST_ENTRY(DoubleFreeOfCoalescedBlock),
            XTEST_ENTRY(DoubleFreeOfBigBlockIsABadAddress), XTEST_ENTRY(WrongTagOnFree),
            XTEST_ENTRY(CorruptFreeListLink), XTEST_ENTRY(CorruptLookasideLink),
            XTEST_ENTRY(FreedHeaderChangedOnLookaside), XTEST_ENTRY(AddressesThatAreNotPoolBlocks),
            XTEST_ENTRY(SpecialPoolSlackChecksOnFree));

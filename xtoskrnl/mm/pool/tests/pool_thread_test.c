/* PoolThreadSuite (host): the locked pool and its per-processor lookaside lists under real threads, one modelled
 * processor per thread (ke/tests/processor_model.c: its own number, RunLevel and catchable STOP). Two threads share one
 * pool and free each other's blocks; afterwards the consistency checker is clean and every tag balances. Blocks freed
 * on another processor, corruption found on a lookaside list and double frees across processors are checked too. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "xtoskrnl/ke/tests/processor_model.h"

#include "pool_test_util.h"

#define THREAD_OPERATIONS 100000
#define THREAD_SLOTS      512
#define THREAD_TAGS       6
#define HANDOFF_SLOTS     64

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    KeBugCheckEx(0x139, Code, Parameter1, Parameter2, 0);
}

/* A thread-safe mmap pager (the pool calls it under its lock, but several pools may run at once). */
static pthread_mutex_t PagerLock = PTHREAD_MUTEX_INITIALIZER;
static SIZE_T PagerInUse;

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    SIZE_T Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    PUCHAR Address = mmap(NULL, Total << MM_PAGE_SHIFT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (Address == MAP_FAILED) {
        return NULL;
    }
    if ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) != 0) {
        mprotect(Address + (Count << MM_PAGE_SHIFT), MM_PAGE_SIZE, PROT_NONE);
    }
    pthread_mutex_lock(&PagerLock);
    PagerInUse += Count;
    pthread_mutex_unlock(&PagerLock);
    return Address;
}

VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    SIZE_T Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);

    munmap(Address, Total << MM_PAGE_SHIFT);
    pthread_mutex_lock(&PagerLock);
    PagerInUse -= Count;
    pthread_mutex_unlock(&PagerLock);
}

static MI_POOL_DESCRIPTOR SharedPool;
/* Every processor number the host model may give a thread. */
static MI_POOL_PROCESSOR SharedProcessors[KE_MAXIMUM_PROCESSORS];
static const ULONG ThreadTags[THREAD_TAGS] = {MM_POOL_TAG('T', 'h', 'r', '0'), MM_POOL_TAG('T', 'h', 'r', '1'),
                                              MM_POOL_TAG('T', 'h', 'r', '2'), MM_POOL_TAG('T', 'h', 'r', '3'),
                                              MM_POOL_TAG('T', 'h', 'r', '4'), MM_POOL_TAG('T', 'h', 'r', '5')};

typedef struct _THREAD_BLOCK {
    PUCHAR Address;
    SIZE_T Size;
    ULONG Tag;
    ULONG Seed;
} THREAD_BLOCK;

/* A single-producer single-consumer ring: blocks one thread allocated and the other frees. */
typedef struct _HANDOFF {
    THREAD_BLOCK Blocks[HANDOFF_SLOTS];
    volatile ULONG Head; /* written by the producer */
    volatile ULONG Tail; /* written by the consumer */
} HANDOFF;

static pthread_barrier_t WorkerStart;

typedef struct _WORKER {
    ULONG Seed;
    HANDOFF *Outgoing; /* to the other thread */
    HANDOFF *Incoming; /* from the other thread */
    ULONG Failures;
    ULONG Processor;
    THREAD_BLOCK Slots[THREAD_SLOTS];
} WORKER;

static VOID FreeChecked(WORKER *Worker, THREAD_BLOCK *Block) {
    if (PoolTestCheck(Block->Address, Block->Size, Block->Seed) != Block->Size) {
        Worker->Failures++;
    }
    MiFreePool(&SharedPool, Block->Address, Block->Tag);
    Block->Address = NULL;
}

/* Frees what the other thread handed over (allocated on its processor). */
static VOID DrainIncoming(WORKER *Worker) {
    HANDOFF *Ring = Worker->Incoming;
    ULONG Head = __atomic_load_n(&Ring->Head, __ATOMIC_ACQUIRE);

    while (Ring->Tail != Head) {
        FreeChecked(Worker, &Ring->Blocks[Ring->Tail % HANDOFF_SLOTS]);
        __atomic_store_n(&Ring->Tail, Ring->Tail + 1, __ATOMIC_RELEASE);
    }
}

/* Random small (mostly) and page-sized blocks, every byte patterned and checked on free; some go to the other
 * thread to be freed there. */
static void *WorkerMain(void *Context) {
    WORKER *Worker = Context;
    POOL_TEST_RANDOM Random;
    ULONG Operation;

    PoolTestSeed(&Random, Worker->Seed);
    Worker->Processor = KeGetCurrentProcessorNumber();
    pthread_barrier_wait(&WorkerStart); /* both at once: the lock is contended from the first operation */
    for (Operation = 0; Operation < THREAD_OPERATIONS; Operation++) {
        THREAD_BLOCK *Block = &Worker->Slots[PoolTestRandom(&Random) % THREAD_SLOTS];
        ULONG Pick = PoolTestRandom(&Random) % 100;

        if (Block->Address != NULL) {
            HANDOFF *Ring = Worker->Outgoing;
            if (Pick < 30 && Ring->Head - __atomic_load_n(&Ring->Tail, __ATOMIC_ACQUIRE) < HANDOFF_SLOTS) {
                Ring->Blocks[Ring->Head % HANDOFF_SLOTS] = *Block;
                __atomic_store_n(&Ring->Head, Ring->Head + 1, __ATOMIC_RELEASE);
                Block->Address = NULL;
            } else {
                FreeChecked(Worker, Block);
            }
        } else {
            Block->Size = Pick < 70 ? 1 + PoolTestRandom(&Random) % 400 : 1 + PoolTestRandom(&Random) % 9000;
            Block->Tag = ThreadTags[PoolTestRandom(&Random) % THREAD_TAGS];
            Block->Seed = PoolTestRandom(&Random);
            Block->Address = MiAllocatePool(&SharedPool, NonPagedPool, Block->Size, Block->Tag);
            if (Block->Address == NULL) {
                Worker->Failures++;
                continue;
            }
            PoolTestFill(Block->Address, Block->Size, Block->Seed);
        }
        if ((Operation & 15) == 0) {
            DrainIncoming(Worker);
        }
    }
    return NULL;
}

/* Runs Routine(Context) on a new thread (a new modelled processor) and waits for it. */
static VOID RunOnNewProcessor(void *(*Routine)(void *), PVOID Context) {
    pthread_t Thread;

    pthread_create(&Thread, NULL, Routine, Context);
    pthread_join(Thread, NULL);
}

/* Counts the live blocks and bytes of Tag the workers hold (and the rings still hold). */
static VOID CountLive(WORKER *Workers, HANDOFF *Rings, ULONG Tag, PSIZE_T Blocks, PSIZE_T Bytes) {
    for (ULONG Index = 0; Index < 2; Index++) {
        for (ULONG Slot = 0; Slot < THREAD_SLOTS; Slot++) {
            THREAD_BLOCK *Block = &Workers[Index].Slots[Slot];
            if (Block->Address != NULL && Block->Tag == Tag) {
                (*Blocks)++;
                *Bytes += Block->Size > MI_POOL_MAX_SMALL_SIZE
                              ? (Block->Size + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE * MM_PAGE_SIZE
                              : (SIZE_T)PoolTestHeader(Block->Address)->BlockSize * MI_POOL_GRANULE;
            }
        }
        for (ULONG Entry = Rings[Index].Tail; Entry != Rings[Index].Head; Entry++) {
            THREAD_BLOCK *Block = &Rings[Index].Blocks[Entry % HANDOFF_SLOTS];
            if (Block->Tag == Tag) {
                (*Blocks)++;
                *Bytes += Block->Size > MI_POOL_MAX_SMALL_SIZE
                              ? (Block->Size + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE * MM_PAGE_SIZE
                              : (SIZE_T)PoolTestHeader(Block->Address)->BlockSize * MI_POOL_GRANULE;
            }
        }
    }
}

XTEST(TwoThreadsShareOnePool) {
    static WORKER Workers[2];
    static HANDOFF Rings[2];
    pthread_t Threads[2];
    MM_POOL_STATISTICS Statistics;

    XTEST_ASSERT_EQ(MiInitializePool(&SharedPool, POOL_TEST_COOKIE, SharedProcessors, KE_MAXIMUM_PROCESSORS),
                    STATUS_SUCCESS);
    for (ULONG Index = 0; Index < 2; Index++) {
        Workers[Index].Seed = 11 + Index;
        Workers[Index].Outgoing = &Rings[Index];
        Workers[Index].Incoming = &Rings[1 - Index];
    }
    pthread_barrier_init(&WorkerStart, NULL, 2);
    for (ULONG Index = 0; Index < 2; Index++) {
        pthread_create(&Threads[Index], NULL, WorkerMain, &Workers[Index]);
    }
    for (ULONG Index = 0; Index < 2; Index++) {
        pthread_join(Threads[Index], NULL);
    }
    pthread_barrier_destroy(&WorkerStart);
    XTEST_CHECK_EQ(Workers[0].Failures + Workers[1].Failures, 0);
    XTEST_CHECK(Workers[0].Processor != Workers[1].Processor);
    /* Quiescent now: the checker is exact, and each tag's summed counters equal the blocks the threads hold. */
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&SharedPool), 0);
    for (ULONG Index = 0; Index < THREAD_TAGS; Index++) {
        MM_POOL_TAG_STATISTICS Tag;
        SIZE_T Blocks = 0, Bytes = 0;

        CountLive(Workers, Rings, ThreadTags[Index], &Blocks, &Bytes);
        XTEST_CHECK(MiQueryPoolTag(&SharedPool, ThreadTags[Index], &Tag));
        XTEST_CHECK_EQ(Tag.Allocations - Tag.Frees, Blocks);
        XTEST_CHECK_EQ(Tag.BytesInUse, Bytes);
    }
    MiQueryPoolStatistics(&SharedPool, &Statistics);
    XtestPrint("2 threads x %u operations: %zu allocations, %zu frees, %zu blocks on lookaside lists\n",
               (ULONG)THREAD_OPERATIONS, (SIZE_T)Statistics.Allocations, (SIZE_T)Statistics.Frees,
               Statistics.LookasideBlocks);
    /* Everything freed from a third processor: every tag back to zero bytes, still consistent. */
    for (ULONG Index = 0; Index < 2; Index++) {
        for (ULONG Slot = 0; Slot < THREAD_SLOTS; Slot++) {
            if (Workers[Index].Slots[Slot].Address != NULL) {
                FreeChecked(&Workers[Index], &Workers[Index].Slots[Slot]);
            }
        }
        DrainIncoming(&Workers[1 - Index]);
    }
    XTEST_CHECK_EQ(Workers[0].Failures + Workers[1].Failures, 0);
    for (ULONG Index = 0; Index < THREAD_TAGS; Index++) {
        MM_POOL_TAG_STATISTICS Tag;
        XTEST_CHECK(MiQueryPoolTag(&SharedPool, ThreadTags[Index], &Tag));
        XTEST_CHECK_EQ(Tag.Allocations, Tag.Frees);
        XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&SharedPool), 0);
    MiReleasePool(&SharedPool);
}

/* ---- Single steps on chosen processors ---- */

typedef struct _STEP {
    PVOID Address;
    ULONG Tag;
    SIZE_T Size;
    ULONG Processor;
    KI_MODEL_STOP Stop;
    BOOLEAN Stopped;
    PVOID Second; /* AllocateTwoStep: the second block */
} STEP;

static void *AllocateStep(void *Context) {
    STEP *Step = Context;
    Step->Processor = KeGetCurrentProcessorNumber();
    Step->Address = MiAllocatePool(&SharedPool, NonPagedPool, Step->Size, Step->Tag);
    return NULL;
}

/* Two blocks of one size on one processor: the second comes from the first one's refill. */
static void *AllocateTwoStep(void *Context) {
    STEP *Step = Context;
    AllocateStep(Context);
    Step->Second = MiAllocatePool(&SharedPool, NonPagedPool, Step->Size, Step->Tag);
    return NULL;
}

static VOID FreeRoutine(PVOID Context) {
    STEP *Step = Context;
    MiFreePool(&SharedPool, Step->Address, Step->Tag);
}

static VOID AllocateRoutine(PVOID Context) {
    STEP *Step = Context;
    Step->Address = MiAllocatePool(&SharedPool, NonPagedPool, Step->Size, Step->Tag);
}

static VOID TrimRoutine(PVOID Context) {
    UNUSED(Context);
    MiTrimPool(&SharedPool);
}

/* Runs a routine on this thread's processor, catching a STOP. */
static void *CatchStep(void *Context, VOID (*Routine)(PVOID)) {
    STEP *Step = Context;
    Step->Processor = KeGetCurrentProcessorNumber();
    Step->Stopped = KiModelCatchStop(Routine, Step, &Step->Stop);
    KiModelSetRunLevel(PASSIVE_LEVEL);
    return NULL;
}

static void *FreeStep(void *Context) {
    return CatchStep(Context, FreeRoutine);
}

XTEST(BlockFreedOnAnotherProcessor) {
    STEP Allocate = {NULL, POOL_TAG_A, 64, 0, {0}, FALSE}, Free;
    MM_POOL_TAG_STATISTICS Tag;
    MM_POOL_STATISTICS Statistics;

    MiInitializePool(&SharedPool, POOL_TEST_COOKIE, SharedProcessors, KE_MAXIMUM_PROCESSORS);
    RunOnNewProcessor(AllocateStep, &Allocate);
    XTEST_ASSERT(Allocate.Address != NULL);
    Free = Allocate;
    RunOnNewProcessor(FreeStep, &Free);
    XTEST_CHECK(!Free.Stopped);
    XTEST_CHECK(Free.Processor != Allocate.Processor);
    /* On the freeing processor's list, not the allocating one's. */
    XTEST_CHECK(PoolTestOnProcessorList(&SharedPool, Allocate.Address));
    XTEST_CHECK_EQ(SharedPool.Processors[Free.Processor].Depth[PoolTestGranules(64)], 1);
    /* The allocating processor keeps what its refill parked besides the block. */
    XTEST_CHECK_EQ(SharedPool.Processors[Allocate.Processor].Depth[PoolTestGranules(64)],
                   PoolTestRefillExtras(&SharedPool, PoolTestGranules(64)));
    XTEST_CHECK(MiQueryPoolTag(&SharedPool, POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, 1);
    XTEST_CHECK_EQ(Tag.Frees, 1);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    MiQueryPoolStatistics(&SharedPool, &Statistics);
    XTEST_CHECK_EQ(Statistics.LookasideBlocks, 1 + PoolTestRefillExtras(&SharedPool, PoolTestGranules(64)));
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&SharedPool), 0);
    MiReleasePool(&SharedPool);
}

/* Lock-free frees on one processor, counted in its tag slot, then freed again elsewhere. */
static void *AllocateFreeAllocateStep(void *Context) {
    STEP *Step = Context;
    PVOID First = MiAllocatePool(&SharedPool, NonPagedPool, Step->Size, Step->Tag);

    Step->Processor = KeGetCurrentProcessorNumber();
    MiFreePool(&SharedPool, First, Step->Tag);
    Step->Address = MiAllocatePool(&SharedPool, NonPagedPool, Step->Size, Step->Tag);
    if (Step->Address != First) {
        Step->Address = NULL;
    }
    return NULL;
}

XTEST(DoubleFreeAcrossProcessors) {
    STEP Setup = {NULL, POOL_TAG_B, 100, 0, {0}, FALSE}, First, Second;

    MiInitializePool(&SharedPool, POOL_TEST_COOKIE, SharedProcessors, KE_MAXIMUM_PROCESSORS);
    RunOnNewProcessor(AllocateFreeAllocateStep, &Setup);
    XTEST_ASSERT(Setup.Address != NULL);
    First = Setup;
    RunOnNewProcessor(FreeStep, &First);
    XTEST_CHECK(!First.Stopped);
    Second = Setup;
    RunOnNewProcessor(FreeStep, &Second);
    XTEST_ASSERT(Second.Stopped);
    XTEST_CHECK_EQ(Second.Stop.Code, BAD_POOL_CALLER);
    XTEST_CHECK_EQ(Second.Stop.Parameters[0], BPC_DOUBLE_FREE);
    XTEST_CHECK_EQ(Second.Stop.Parameters[3], (ULONG_PTR)Setup.Address);
    SharedPool.SpinLock = 0; /* the caught STOP left the lock held */
    MiReleasePool(&SharedPool);
}

XTEST(CorruptionCaughtFromAProcessorList) {
    STEP Setup = {NULL, POOL_TAG_A, 64, 0, {0}, FALSE}, Allocate = {NULL, POOL_TAG_A, 64, 0, {0}, FALSE};
    KI_MODEL_STOP Stop;

    /* Allocated on another processor, freed here onto this processor's list, then its header changes: the next
     * allocation of its size here stops (BAD_POOL_HEADER 0x0D naming the header). */
    MiInitializePool(&SharedPool, POOL_TEST_COOKIE, SharedProcessors, KE_MAXIMUM_PROCESSORS);
    RunOnNewProcessor(AllocateStep, &Setup);
    XTEST_ASSERT(Setup.Address != NULL && Setup.Processor != KeGetCurrentProcessorNumber());
    MiFreePool(&SharedPool, Setup.Address, POOL_TAG_A);
    XTEST_ASSERT(PoolTestOnProcessorList(&SharedPool, Setup.Address));
    PoolTestHeader(Setup.Address)->PoolTag ^= 0x100;
    XTEST_ASSERT(KiModelCatchStop(AllocateRoutine, &Allocate, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_FREED_BLOCK_CHANGED);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolTestHeader(Setup.Address));
    KiModelSetRunLevel(PASSIVE_LEVEL);
    SharedPool.SpinLock = 0; /* the caught STOP left the lock held */
    MiReleasePool(&SharedPool);
}

XTEST(OverrunCaughtWhenTheBlockLeavesTheList) {
    STEP Setup = {NULL, POOL_TAG_A, 64, 0, {0}, FALSE};
    KI_MODEL_STOP Stop;
    PUCHAR Block;
    SIZE_T Usable;

    /* Two neighbours in use, allocated on another processor. */
    MiInitializePool(&SharedPool, POOL_TEST_COOKIE, SharedProcessors, KE_MAXIMUM_PROCESSORS);
    RunOnNewProcessor(AllocateTwoStep, &Setup);
    Block = Setup.Address;
    XTEST_ASSERT(Setup.Second == Block + PoolTestGranules(64) * MI_POOL_GRANULE);
    /* Freed cleanly onto this processor's list, then written past its end (a use after free that overruns). */
    MiFreePool(&SharedPool, Block, POOL_TAG_A);
    XTEST_CHECK(PoolTestOnProcessorList(&SharedPool, Block));
    Usable = (PoolTestHeader(Block)->BlockSize - 1) * MI_POOL_GRANULE;
    Block[Usable] ^= 0x5A;
    XTEST_ASSERT(KiModelCatchStop(TrimRoutine, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, BAD_POOL_HEADER);
    XTEST_CHECK_EQ(Stop.Parameters[0], BPH_NEXT_BLOCK_CORRUPT);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolTestHeader(Block));
    XTEST_CHECK_EQ(Stop.Parameters[2], (ULONG_PTR)PoolTestHeader(Setup.Second));
    KiModelSetRunLevel(PASSIVE_LEVEL);
    SharedPool.SpinLock = 0;
    MiReleasePool(&SharedPool);
}

XTEST_SUITE(PoolThreadSuite, XTEST_ENTRY(TwoThreadsShareOnePool), XTEST_ENTRY(BlockFreedOnAnotherProcessor),
            XTEST_ENTRY(DoubleFreeAcrossProcessors), XTEST_ENTRY(CorruptionCaughtFromAProcessorList),
            XTEST_ENTRY(OverrunCaughtWhenTheBlockLeavesTheList));

XTEST_HOST_MAIN(&PoolThreadSuite)

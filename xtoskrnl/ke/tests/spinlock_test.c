/* KeSpinLockSuite (host, real threads): Ke's spin locks compiled as the kernel compiles them, over one modelled
 * processor per thread (processor_model.c). A counter incremented under each lock type by several threads comes out
 * exact; a queued lock hands over in arrival order with each waiter spinning on its own entry; the misuse STOPs
 * (already owned, not owned, below DISPATCH_LEVEL) carry the lock, its value, the owner and the caller. */
#include <pthread.h>
#include <sched.h>

#include <xtest.h>

#include "processor_model.h"

#define TEST_THREADS    4
#define TEST_ITERATIONS 10000
#define FIFO_WAITERS    6
#define FIFO_ROUNDS     5

typedef VOID (*PTEST_LOCK_ROUTINE)(ULONG Iterations);

static volatile ULONG_PTR Counter;
static KSPIN_LOCK Lock;

/* The unprotected read-modify-write the locks must serialise (two separate accesses, so a lost update shows). */
static VOID Increment(VOID) {
    ULONG_PTR Value = Counter;

    __asm__ volatile("" : : : "memory");
    Counter = Value + 1;
}

static VOID PlainIterations(ULONG Iterations) {
    KRUNLEVEL Old;

    for (ULONG Index = 0; Index < Iterations; Index++) {
        KeAcquireSpinLock(&Lock, &Old);
        if (KeGetCurrentRunLevel() != DISPATCH_LEVEL) {
            return;
        }
        Increment();
        KeReleaseSpinLock(&Lock, Old);
    }
}

static VOID DpcLevelIterations(ULONG Iterations) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    for (ULONG Index = 0; Index < Iterations; Index++) {
        KeAcquireSpinLockAtDpcLevel(&Lock);
        Increment();
        KeReleaseSpinLockFromDpcLevel(&Lock);
    }
    KeLowerRunLevel(Old);
}

static VOID TryIterations(ULONG Iterations) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    for (ULONG Index = 0; Index < Iterations; Index++) {
        while (!KeTryToAcquireSpinLockAtDpcLevel(&Lock)) {
            KeYieldProcessor();
        }
        Increment();
        KeReleaseSpinLockFromDpcLevel(&Lock);
    }
    KeLowerRunLevel(Old);
}

static VOID InStackIterations(ULONG Iterations) {
    KLOCK_QUEUE_HANDLE Handle;

    for (ULONG Index = 0; Index < Iterations; Index++) {
        KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
        Increment();
        KeReleaseInStackQueuedSpinLock(&Handle);
    }
}

static VOID InStackDpcLevelIterations(ULONG Iterations) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    KLOCK_QUEUE_HANDLE Handle;

    for (ULONG Index = 0; Index < Iterations; Index++) {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&Lock, &Handle);
        Increment();
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
    }
    KeLowerRunLevel(Old);
}

/* The numbered PFN lock through this "processor's" own entries, as a Prcb would hold them. */
static VOID NumberedIterations(ULONG Iterations) {
    KSPIN_LOCK_QUEUE LockQueues[LockQueueMaximumLock];
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    KeInitializeLockQueues(LockQueues);
    for (ULONG Index = 0; Index < Iterations; Index++) {
        KeAcquireQueuedSpinLockAtDpcLevel(&LockQueues[LockQueuePfnLock]);
        Increment();
        KeReleaseQueuedSpinLockFromDpcLevel(&LockQueues[LockQueuePfnLock]);
    }
    KeLowerRunLevel(Old);
}

typedef struct _TEST_WORKER {
    PTEST_LOCK_ROUTINE Routine;
    ULONG Iterations;
    KRUNLEVEL FinalRunLevel;
} TEST_WORKER;

static void *WorkerMain(void *Argument) {
    TEST_WORKER *Worker = Argument;

    Worker->Routine(Worker->Iterations);
    Worker->FinalRunLevel = KeGetCurrentRunLevel();
    return NULL;
}

/* Runs Routine on TEST_THREADS threads at once; TRUE when all returned at PASSIVE_LEVEL. */
static BOOLEAN RunWorkers(PTEST_LOCK_ROUTINE Routine) {
    pthread_t Threads[TEST_THREADS];
    TEST_WORKER Workers[TEST_THREADS];
    BOOLEAN Passive = TRUE;

    Counter = 0;
    KeInitializeSpinLock(&Lock);
    for (ULONG Index = 0; Index < TEST_THREADS; Index++) {
        Workers[Index] = (TEST_WORKER){Routine, TEST_ITERATIONS, 0xFF};
        pthread_create(&Threads[Index], NULL, WorkerMain, &Workers[Index]);
    }
    for (ULONG Index = 0; Index < TEST_THREADS; Index++) {
        pthread_join(Threads[Index], NULL);
        Passive = Passive && Workers[Index].FinalRunLevel == PASSIVE_LEVEL;
    }
    return Passive;
}

XTEST(PlainLockCounterIsExact) {
    XTEST_CHECK(RunWorkers(PlainIterations));
    XTEST_CHECK_EQ(Counter, TEST_THREADS * TEST_ITERATIONS);
    XTEST_CHECK_EQ(Lock, 0);
}

XTEST(DpcLevelLockCounterIsExact) {
    XTEST_CHECK(RunWorkers(DpcLevelIterations));
    XTEST_CHECK_EQ(Counter, TEST_THREADS * TEST_ITERATIONS);
}

XTEST(TryLockCounterIsExact) {
    XTEST_CHECK(RunWorkers(TryIterations));
    XTEST_CHECK_EQ(Counter, TEST_THREADS * TEST_ITERATIONS);
}

XTEST(InStackQueuedCounterIsExact) {
    XTEST_CHECK(RunWorkers(InStackIterations));
    XTEST_CHECK_EQ(Counter, TEST_THREADS * TEST_ITERATIONS);
    XTEST_CHECK_EQ(Lock, 0);
}

XTEST(InStackQueuedDpcLevelCounterIsExact) {
    XTEST_CHECK(RunWorkers(InStackDpcLevelIterations));
    XTEST_CHECK_EQ(Counter, TEST_THREADS * TEST_ITERATIONS);
}

XTEST(NumberedQueuedCounterIsExact) {
    XTEST_CHECK(RunWorkers(NumberedIterations));
    XTEST_CHECK_EQ(Counter, TEST_THREADS * TEST_ITERATIONS);
    XTEST_CHECK_EQ(*KeGetQueuedSpinLock(LockQueuePfnLock), 0);
}

/* ---- FIFO hand-off ---- */

static ULONG FifoOrder[FIFO_WAITERS];
static ULONG FifoCount;
static PKSPIN_LOCK_QUEUE FifoEntries[FIFO_WAITERS];

static void *FifoWaiter(void *Argument) {
    ULONG Id = (ULONG)(ULONG_PTR)Argument;
    KLOCK_QUEUE_HANDLE Handle;

    FifoEntries[Id] = &Handle.LockQueue;
    KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
    FifoOrder[FifoCount++] = Id;
    KeReleaseInStackQueuedSpinLock(&Handle);
    return NULL;
}

/* Waits (yielding) until the lock word moves off Tail: the next waiter swapped itself in. */
static ULONG_PTR WaitForNewTail(ULONG_PTR Tail) {
    ULONG_PTR Value;

    while ((Value = __atomic_load_n(&Lock, __ATOMIC_ACQUIRE)) == Tail) {
        sched_yield();
    }
    return Value;
}

/* Counts the entries linked behind Head (waiting until Expected are linked). */
static ULONG WaitForChain(PKSPIN_LOCK_QUEUE Head, ULONG Expected) {
    ULONG Length;

    for (;;) {
        PKSPIN_LOCK_QUEUE Entry = Head;

        for (Length = 0; (Entry = __atomic_load_n(&Entry->Next, __ATOMIC_ACQUIRE)) != NULL; Length++) {
        }
        if (Length >= Expected) {
            return Length;
        }
        sched_yield();
    }
}

XTEST(QueuedLockHandsOverInArrivalOrder) {
    for (ULONG Round = 0; Round < FIFO_ROUNDS; Round++) {
        pthread_t Threads[FIFO_WAITERS];
        KLOCK_QUEUE_HANDLE Holder;
        PKSPIN_LOCK_QUEUE Entry;
        ULONG_PTR Tail;

        KeInitializeSpinLock(&Lock);
        FifoCount = 0;
        KeAcquireInStackQueuedSpinLock(&Lock, &Holder);
        Tail = (ULONG_PTR)&Holder.LockQueue;
        XTEST_CHECK_EQ(Lock, Tail);
        for (ULONG Id = 0; Id < FIFO_WAITERS; Id++) {
            pthread_create(&Threads[Id], NULL, FifoWaiter, (void *)(ULONG_PTR)Id);
            Tail = WaitForNewTail(Tail);
            XTEST_CHECK_EQ(Tail, (ULONG_PTR)FifoEntries[Id]);
        }
        /* Every waiter queued, in order, each spinning on its own entry (its own stack: its own cache line). */
        XTEST_CHECK_EQ(WaitForChain(&Holder.LockQueue, FIFO_WAITERS), FIFO_WAITERS);
        Entry = &Holder.LockQueue;
        for (ULONG Id = 0; Id < FIFO_WAITERS; Id++) {
            Entry = Entry->Next;
            XTEST_CHECK_EQ((ULONG_PTR)Entry, (ULONG_PTR)FifoEntries[Id]);
            XTEST_CHECK_EQ(Entry->Lock, (ULONG_PTR)&Lock | LOCK_QUEUE_WAIT);
            for (ULONG Other = 0; Other < Id; Other++) {
                XTEST_CHECK((ULONG_PTR)FifoEntries[Other] / 64 != (ULONG_PTR)Entry / 64);
            }
        }
        XTEST_CHECK_EQ(FifoCount, 0);
        KeReleaseInStackQueuedSpinLock(&Holder);
        for (ULONG Id = 0; Id < FIFO_WAITERS; Id++) {
            pthread_join(Threads[Id], NULL);
        }
        XTEST_ASSERT_EQ(FifoCount, FIFO_WAITERS);
        for (ULONG Id = 0; Id < FIFO_WAITERS; Id++) {
            XTEST_CHECK_EQ(FifoOrder[Id], Id);
        }
        XTEST_CHECK_EQ(Lock, 0);
    }
}

/* ---- RunLevels and misuse ---- */

XTEST(LocksRaiseToDispatchAndRestore) {
    KLOCK_QUEUE_HANDLE Handle;
    KRUNLEVEL Old;

    KiModelSetRunLevel(APC_LEVEL);
    KeInitializeSpinLock(&Lock);
    KeAcquireSpinLock(&Lock, &Old);
    XTEST_CHECK_EQ(Old, APC_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Lock, KiGetCurrentLockOwner());
    KeReleaseSpinLock(&Lock, Old);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), APC_LEVEL);
    XTEST_CHECK_EQ(Lock, 0);
    KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
    XTEST_CHECK_EQ(Handle.OldRunLevel, APC_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Lock, (ULONG_PTR)&Handle.LockQueue);
    XTEST_CHECK_EQ(Handle.LockQueue.Lock, (ULONG_PTR)&Lock | LOCK_QUEUE_OWNER);
    KeReleaseInStackQueuedSpinLock(&Handle);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), APC_LEVEL);
    XTEST_CHECK_EQ(Lock, 0);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

XTEST(TryFailsOnAHeldLock) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    KeInitializeSpinLock(&Lock);
    XTEST_CHECK(KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    XTEST_CHECK(!KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeReleaseSpinLockFromDpcLevel(&Lock);
    XTEST_CHECK(KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeLowerRunLevel(Old);
}

static VOID AcquireTwice(PVOID Context) {
    KRUNLEVEL Old;

    (VOID) Context;
    KeAcquireSpinLock(&Lock, &Old);
    KeAcquireSpinLockAtDpcLevel(&Lock);
}

static VOID ReleaseFree(PVOID Context) {
    (VOID) Context;
    KeReleaseSpinLockFromDpcLevel(&Lock);
}

static VOID AcquireAtPassive(PVOID Context) {
    (VOID) Context;
    KeAcquireSpinLockAtDpcLevel(&Lock);
}

static VOID AcquireAboveDispatch(PVOID Context) {
    KRUNLEVEL Old;

    (VOID) Context;
    KeAcquireSpinLock(&Lock, &Old);
}

static VOID AcquireNumberedTwice(PVOID Context) {
    PKSPIN_LOCK_QUEUE Entry = Context;

    KeAcquireQueuedSpinLockAtDpcLevel(Entry);
    KeAcquireQueuedSpinLockAtDpcLevel(Entry);
}

static VOID ReleaseNumbered(PVOID Context) {
    KeReleaseQueuedSpinLockFromDpcLevel((PKSPIN_LOCK_QUEUE)Context);
}

XTEST(AcquiringAnOwnedLockStops) {
    KI_MODEL_STOP Stop;

    KeInitializeSpinLock(&Lock);
    KiModelSetRunLevel(PASSIVE_LEVEL);
    XTEST_ASSERT(KiModelCatchStop(AcquireTwice, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, SPIN_LOCK_ALREADY_OWNED);
    XTEST_CHECK_EQ(Stop.Parameters[0], (ULONG_PTR)&Lock);
    XTEST_CHECK_EQ(Stop.Parameters[1], KiGetCurrentLockOwner());
    XTEST_CHECK_EQ(Stop.Parameters[2], KiGetCurrentLockOwner());
    XTEST_CHECK(Stop.Parameters[3] > (ULONG_PTR)AcquireTwice && Stop.Parameters[3] < (ULONG_PTR)AcquireTwice + 512);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

XTEST(ReleasingAFreeLockStops) {
    KI_MODEL_STOP Stop;

    KeInitializeSpinLock(&Lock);
    KiModelSetRunLevel(DISPATCH_LEVEL);
    XTEST_ASSERT(KiModelCatchStop(ReleaseFree, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, SPIN_LOCK_NOT_OWNED);
    XTEST_CHECK_EQ(Stop.Parameters[0], (ULONG_PTR)&Lock);
    XTEST_CHECK_EQ(Stop.Parameters[1], 0);
    XTEST_CHECK_EQ(Stop.Parameters[2], KiGetCurrentLockOwner());
    XTEST_CHECK(Stop.Parameters[3] > (ULONG_PTR)ReleaseFree && Stop.Parameters[3] < (ULONG_PTR)ReleaseFree + 256);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

static volatile BOOLEAN HolderHolds, HolderMayGo;

static void *HoldLock(void *Argument) {
    KRUNLEVEL Old;

    (VOID) Argument;
    KeAcquireSpinLock(&Lock, &Old);
    __atomic_store_n(&HolderHolds, TRUE, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&HolderMayGo, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
    KeReleaseSpinLock(&Lock, Old);
    return NULL;
}

XTEST(ReleasingAnotherProcessorsLockStops) {
    KI_MODEL_STOP Stop;
    pthread_t Holder;
    ULONG_PTR HolderTag;

    KeInitializeSpinLock(&Lock);
    HolderHolds = HolderMayGo = FALSE;
    pthread_create(&Holder, NULL, HoldLock, NULL);
    while (!__atomic_load_n(&HolderHolds, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
    HolderTag = Lock;
    KiModelSetRunLevel(DISPATCH_LEVEL);
    XTEST_CHECK(KiModelCatchStop(ReleaseFree, NULL, &Stop));
    XTEST_CHECK(!KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    __atomic_store_n(&HolderMayGo, TRUE, __ATOMIC_RELEASE);
    pthread_join(Holder, NULL);
    XTEST_CHECK_EQ(Stop.Code, SPIN_LOCK_NOT_OWNED);
    XTEST_CHECK_EQ(Stop.Parameters[1], HolderTag);
    XTEST_CHECK(HolderTag != KiGetCurrentLockOwner() && HolderTag != 0);
    XTEST_CHECK_EQ(Stop.Parameters[2], KiGetCurrentLockOwner());
    XTEST_CHECK_EQ(Lock, 0);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

XTEST(DpcLevelCallsBelowDispatchStop) {
    KI_MODEL_STOP Stop;

    KeInitializeSpinLock(&Lock);
    KiModelSetRunLevel(APC_LEVEL);
    XTEST_ASSERT(KiModelCatchStop(AcquireAtPassive, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, IRQL_NOT_GREATER_OR_EQUAL);
    XTEST_CHECK_EQ(Stop.Parameters[0], APC_LEVEL);
    XTEST_CHECK_EQ(Stop.Parameters[1], DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Stop.Parameters[2], (ULONG_PTR)&Lock);
    XTEST_CHECK_EQ(Lock, 0);
    /* KeAcquireSpinLock above DISPATCH_LEVEL: the raise refuses to lower. */
    KiModelSetRunLevel(CLOCK_LEVEL);
    XTEST_ASSERT(KiModelCatchStop(AcquireAboveDispatch, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, IRQL_NOT_GREATER_OR_EQUAL);
    XTEST_CHECK_EQ(Stop.Parameters[0], CLOCK_LEVEL);
    XTEST_CHECK_EQ(Stop.Parameters[1], DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Lock, 0);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

XTEST(NumberedEntryMisuseStops) {
    KSPIN_LOCK_QUEUE LockQueues[LockQueueMaximumLock];
    PKSPIN_LOCK PoolLock = KeGetQueuedSpinLock(LockQueueNonPagedPoolLock);
    KI_MODEL_STOP Stop;

    XTEST_CHECK(KeGetQueuedSpinLock(LockQueueMaximumLock) == NULL);
    KeInitializeLockQueues(LockQueues);
    for (ULONG Number = 0; Number < LockQueueMaximumLock; Number++) {
        XTEST_CHECK_EQ(LockQueues[Number].Lock, (ULONG_PTR)KeGetQueuedSpinLock(Number));
        XTEST_CHECK(LockQueues[Number].Next == NULL);
        /* Each numbered lock on its own cache line. */
        XTEST_CHECK_EQ((ULONG_PTR)KeGetQueuedSpinLock(Number) % 64, 0);
    }
    KiModelSetRunLevel(DISPATCH_LEVEL);
    XTEST_ASSERT(KiModelCatchStop(AcquireNumberedTwice, &LockQueues[LockQueueNonPagedPoolLock], &Stop));
    XTEST_CHECK_EQ(Stop.Code, SPIN_LOCK_ALREADY_OWNED);
    XTEST_CHECK_EQ(Stop.Parameters[0], (ULONG_PTR)PoolLock);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolLock | LOCK_QUEUE_OWNER);
    XTEST_CHECK_EQ(Stop.Parameters[2], (ULONG_PTR)&LockQueues[LockQueueNonPagedPoolLock]);
    KeReleaseQueuedSpinLockFromDpcLevel(&LockQueues[LockQueueNonPagedPoolLock]);
    XTEST_CHECK_EQ(*PoolLock, 0);
    XTEST_ASSERT(KiModelCatchStop(ReleaseNumbered, &LockQueues[LockQueueNonPagedPoolLock], &Stop));
    XTEST_CHECK_EQ(Stop.Code, SPIN_LOCK_NOT_OWNED);
    XTEST_CHECK_EQ(Stop.Parameters[1], (ULONG_PTR)PoolLock);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

XTEST_SUITE(KeSpinLockSuite, XTEST_ENTRY(PlainLockCounterIsExact), XTEST_ENTRY(DpcLevelLockCounterIsExact),
            XTEST_ENTRY(TryLockCounterIsExact), XTEST_ENTRY(InStackQueuedCounterIsExact),
            XTEST_ENTRY(InStackQueuedDpcLevelCounterIsExact), XTEST_ENTRY(NumberedQueuedCounterIsExact),
            XTEST_ENTRY(QueuedLockHandsOverInArrivalOrder), XTEST_ENTRY(LocksRaiseToDispatchAndRestore),
            XTEST_ENTRY(TryFailsOnAHeldLock), XTEST_ENTRY(AcquiringAnOwnedLockStops),
            XTEST_ENTRY(ReleasingAFreeLockStops), XTEST_ENTRY(ReleasingAnotherProcessorsLockStops),
            XTEST_ENTRY(DpcLevelCallsBelowDispatchStop), XTEST_ENTRY(NumberedEntryMisuseStops));

XTEST_HOST_MAIN(&KeSpinLockSuite)

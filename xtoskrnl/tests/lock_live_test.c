/* KeSpinLockLiveSuite (SELFTEST only, one processor, interrupts on): the spin locks over the real RunLevel register.
 * KeAcquireSpinLock and the in-stack queued lock raise to DISPATCH_LEVEL and restore the caller's level; the
 * ...AtDpcLevel forms keep any level from DISPATCH_LEVEL up; the lock words hold processor 0's tag or the queue entry;
 * numbered locks nest in hierarchy order through one processor's entries; and a held lock holds off a DPC, which
 * takes the lock itself once the holder lowers the level. */
#include <ke.h>
#include <rtl.h>
#include <tests/kernel_suites.h>

#define LOCK_DPC_WAIT_MS 2000

static KSPIN_LOCK Lock;

XTEST(SpinLockRaisesToDispatchAndRestores) {
    static const KRUNLEVEL Levels[] = {PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL};
    KRUNLEVEL OldRunLevel;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Levels); Index++) {
        KRUNLEVEL Caller = KeRaiseRunLevel(Levels[Index]);

        KeInitializeSpinLock(&Lock);
        KeAcquireSpinLock(&Lock, &OldRunLevel);
        XTEST_CHECK_EQ(OldRunLevel, Levels[Index]);
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
        XTEST_CHECK_EQ(Lock, 1); /* processor 0's tag */
        KeReleaseSpinLock(&Lock, OldRunLevel);
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), Levels[Index]);
        XTEST_CHECK_EQ(Lock, 0);
        KeLowerRunLevel(Caller);
    }
}

XTEST(DpcLevelFormsKeepTheLevel) {
    static const KRUNLEVEL Levels[] = {DISPATCH_LEVEL, DEVICE1_LEVEL, CLOCK_LEVEL, HIGH_LEVEL};
    KLOCK_QUEUE_HANDLE Handle;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Levels); Index++) {
        KRUNLEVEL Caller = KeRaiseRunLevel(Levels[Index]);

        KeInitializeSpinLock(&Lock);
        KeAcquireSpinLockAtDpcLevel(&Lock);
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), Levels[Index]);
        XTEST_CHECK_EQ(Lock, 1);
        KeReleaseSpinLockFromDpcLevel(&Lock);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&Lock, &Handle);
        XTEST_CHECK_EQ(KeGetCurrentRunLevel(), Levels[Index]);
        XTEST_CHECK_EQ(Lock, (ULONG_PTR)&Handle.LockQueue);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
        XTEST_CHECK_EQ(Lock, 0);
        KeLowerRunLevel(Caller);
    }
}

XTEST(TryTakesOnlyAFreeLock) {
    KRUNLEVEL Caller = KeRaiseRunLevel(DISPATCH_LEVEL);

    KeInitializeSpinLock(&Lock);
    XTEST_CHECK(KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    XTEST_CHECK(!KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    XTEST_CHECK_EQ(Lock, 1);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    XTEST_CHECK(KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeLowerRunLevel(Caller);
}

XTEST(InStackQueuedLockRaisesAndRestores) {
    KLOCK_QUEUE_HANDLE Handle;

    KeInitializeSpinLock(&Lock);
    KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
    XTEST_CHECK_EQ(Handle.OldRunLevel, PASSIVE_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Lock, (ULONG_PTR)&Handle.LockQueue);
    XTEST_CHECK_EQ(Handle.LockQueue.Lock, (ULONG_PTR)&Lock | LOCK_QUEUE_OWNER);
    XTEST_CHECK(Handle.LockQueue.Next == NULL);
    KeReleaseInStackQueuedSpinLock(&Handle);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    XTEST_CHECK_EQ(Lock, 0);
    XTEST_CHECK_EQ(Handle.LockQueue.Lock, (ULONG_PTR)&Lock);
}

XTEST(NumberedLocksNestInHierarchyOrder) {
    KSPIN_LOCK_QUEUE LockQueues[LockQueueMaximumLock];
    KRUNLEVEL Caller = KeRaiseRunLevel(DISPATCH_LEVEL);

    KeInitializeLockQueues(LockQueues);
    for (ULONG Number = 0; Number < LockQueueMaximumLock; Number++) {
        KeAcquireQueuedSpinLockAtDpcLevel(&LockQueues[Number]);
        XTEST_CHECK_EQ(*KeGetQueuedSpinLock(Number), (ULONG_PTR)&LockQueues[Number]);
        XTEST_CHECK_EQ(LockQueues[Number].Lock, (ULONG_PTR)KeGetQueuedSpinLock(Number) | LOCK_QUEUE_OWNER);
    }
    for (ULONG Number = LockQueueMaximumLock; Number-- > 0;) {
        KeReleaseQueuedSpinLockFromDpcLevel(&LockQueues[Number]);
        XTEST_CHECK_EQ(*KeGetQueuedSpinLock(Number), 0);
    }
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    KeLowerRunLevel(Caller);
    /* NT's numbered form through this processor's own KPRCB entries. */
    Caller = KeAcquireQueuedSpinLock(LockQueuePfnLock);
    XTEST_CHECK_EQ(Caller, PASSIVE_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    XTEST_CHECK_EQ(*KeGetQueuedSpinLock(LockQueuePfnLock), (ULONG_PTR)&KeGetCurrentPrcb()->LockQueue[LockQueuePfnLock]);
    KeReleaseQueuedSpinLock(LockQueuePfnLock, Caller);
    XTEST_CHECK_EQ(*KeGetQueuedSpinLock(LockQueuePfnLock), 0);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

#define LOCK_SMP_ROUNDS 2000

static KSPIN_LOCK SmpLock, SmpQueuedLock;
static volatile ULONG SmpCounters[3]; /* plain, in-stack queued, numbered queued */
static volatile ULONG SmpWrongOwner;

/* The unprotected read-modify-write the locks must serialise. */
static VOID SmpIncrement(ULONG Index) {
    ULONG Value = SmpCounters[Index];

    __asm__ volatile("" : : : "memory");
    SmpCounters[Index] = Value + 1;
}

/* On every processor at IPI_LEVEL: increments the counter under a plain lock (checking it holds this processor's
 * tag), an in-stack queued lock and the numbered dispatcher lock through its own KPRCB entry. */
static ULONG_PTR SmpLockWorker(ULONG_PTR Argument) {
    PKSPIN_LOCK_QUEUE Entry = &KeGetCurrentPrcb()->LockQueue[LockQueueDispatcherLock];
    KLOCK_QUEUE_HANDLE Handle;

    (VOID) Argument;
    for (ULONG Round = 0; Round < LOCK_SMP_ROUNDS; Round++) {
        KeAcquireSpinLockAtDpcLevel(&SmpLock);
        if (SmpLock != KeGetCurrentProcessorNumber() + 1) {
            SmpWrongOwner++;
        }
        SmpIncrement(0);
        KeReleaseSpinLockFromDpcLevel(&SmpLock);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&SmpQueuedLock, &Handle);
        SmpIncrement(1);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
        KeAcquireQueuedSpinLockAtDpcLevel(Entry);
        SmpIncrement(2);
        KeReleaseQueuedSpinLockFromDpcLevel(Entry);
    }
    return 0;
}

XTEST(EveryProcessorCountsExactly) {
    ULONG Processors = KeQueryActiveProcessorCount();

    KeInitializeSpinLock(&SmpLock);
    KeInitializeSpinLock(&SmpQueuedLock);
    SmpCounters[0] = SmpCounters[1] = SmpCounters[2] = 0;
    SmpWrongOwner = 0;
    KeIpiGenericCall(SmpLockWorker, 0);
    XTEST_CHECK_EQ(SmpCounters[0], LOCK_SMP_ROUNDS * Processors);
    XTEST_CHECK_EQ(SmpCounters[1], LOCK_SMP_ROUNDS * Processors);
    XTEST_CHECK_EQ(SmpCounters[2], LOCK_SMP_ROUNDS * Processors);
    XTEST_CHECK_EQ(SmpWrongOwner, 0);
    XTEST_CHECK_EQ(SmpLock, 0);
    XTEST_CHECK_EQ(SmpQueuedLock, 0);
    XTEST_CHECK_EQ(*KeGetQueuedSpinLock(LockQueueDispatcherLock), 0);
}

#define LOCK_FIFO_ROUNDS 5

static KSPIN_LOCK FifoLock;
static volatile ULONG FifoTurn;                                   /* the processor whose turn it is to queue */
static PKSPIN_LOCK_QUEUE volatile FifoEntries[KE_MAXIMUM_PROCESSORS]; /* each waiter's in-stack entry */
static volatile ULONG FifoOrder[KE_MAXIMUM_PROCESSORS];           /* processors in the order they got the lock */
static volatile ULONG FifoTaken;

/* On every processor at IPI_LEVEL: processor 0 holds an in-stack queued lock and lets processors 1, 2, ... queue
 * behind it one at a time (each only once the previous one is the queue's tail); then releases. Each waiter records
 * when it got the lock, so FifoOrder must read 1, 2, ... n-1. */
static ULONG_PTR FifoLockWorker(ULONG_PTR Processors) {
    ULONG Self = KeGetCurrentProcessorNumber();
    KLOCK_QUEUE_HANDLE Handle;

    if (Self == 0) {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&FifoLock, &Handle);
        for (ULONG Next = 1; Next < Processors; Next++) {
            __atomic_store_n(&FifoTurn, Next, __ATOMIC_RELEASE);
            while (FifoEntries[Next] == NULL || __atomic_load_n(&FifoLock, __ATOMIC_ACQUIRE) !=
                                                    (KSPIN_LOCK)FifoEntries[Next]) {
                KeYieldProcessor();
            }
        }
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
        while (__atomic_load_n(&FifoTaken, __ATOMIC_ACQUIRE) != Processors - 1) {
            KeYieldProcessor();
        }
        return 0;
    }
    while (__atomic_load_n(&FifoTurn, __ATOMIC_ACQUIRE) != Self) {
        KeYieldProcessor();
    }
    FifoEntries[Self] = &Handle.LockQueue; /* published before it queues: processor 0 compares the tail with it */
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&FifoLock, &Handle);
    FifoOrder[FifoTaken] = Self;
    __atomic_store_n(&FifoTaken, FifoTaken + 1, __ATOMIC_RELEASE);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
    return 0;
}

XTEST(QueuedLockHandsOverInArrivalOrder) {
    ULONG Processors = KeQueryActiveProcessorCount();

    for (ULONG Round = 0; Round < LOCK_FIFO_ROUNDS; Round++) {
        KeInitializeSpinLock(&FifoLock);
        FifoTurn = 0;
        FifoTaken = 0;
        for (ULONG Index = 0; Index < KE_MAXIMUM_PROCESSORS; Index++) {
            FifoEntries[Index] = NULL;
            FifoOrder[Index] = 0;
        }
        KeIpiGenericCall(FifoLockWorker, Processors);
        XTEST_CHECK_EQ(FifoTaken, Processors - 1);
        for (ULONG Index = 0; Index + 1 < Processors; Index++) {
            XTEST_CHECK_EQ(FifoOrder[Index], Index + 1);
        }
        XTEST_CHECK_EQ(FifoLock, 0);
    }
    XtestPrint("  KeQueuedLockSmpSuite: %u waiters handed the lock in arrival order, %u rounds\n", Processors - 1,
               (ULONG)LOCK_FIFO_ROUNDS);
}

static volatile ULONG LockDpcRuns;
static volatile BOOLEAN LockDpcGotLock;
static volatile KRUNLEVEL LockDpcRunLevel;
static volatile ULONG_PTR LockDpcHeaderMisalignment;

/* Runs at DISPATCH_LEVEL (entered through the interrupt path): tries the lock its queuer held, and notes how far a
 * 16-byte-aligned local (an SLIST header for CMPXCHG16B on amd64) is off its alignment there. */
static VOID LockDpcRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    SLIST_HEADER Local;
    ULONG_PTR Address = (ULONG_PTR)&Local;

    (VOID) Dpc, (VOID)Argument1, (VOID)Argument2;
    __asm__ volatile("" : "+r"(Address)); /* the real address: the compiler folds a declared alignment */
    LockDpcHeaderMisalignment = Address % _Alignof(SLIST_HEADER);
    RtlInitializeSListHead(&Local);
    LockDpcRunLevel = KeGetCurrentRunLevel();
    LockDpcGotLock = KeTryToAcquireSpinLockAtDpcLevel((PKSPIN_LOCK)Context);
    if (LockDpcGotLock) {
        KeReleaseSpinLockFromDpcLevel((PKSPIN_LOCK)Context);
    }
    LockDpcRuns++;
}

XTEST(HeldLockHoldsOffADpc) {
    LARGE_INTEGER Frequency, Start;
    KRUNLEVEL OldRunLevel;
    KDPC Dpc;

    LockDpcRuns = 0;
    LockDpcGotLock = FALSE;
    KeInitializeSpinLock(&Lock);
    KeInitializeDpc(&Dpc, LockDpcRoutine, &Lock);
    KeAcquireSpinLock(&Lock, &OldRunLevel);
    XTEST_CHECK(KeInsertQueueDpc(&Dpc, NULL, NULL));
    KeStallExecutionProcessor(1000);
    XTEST_CHECK_EQ(LockDpcRuns, 0);
    KeReleaseSpinLock(&Lock, OldRunLevel);
    Start = KeQueryPerformanceCounter(&Frequency);
    while (LockDpcRuns == 0 && (ULONGLONG)(KeQueryPerformanceCounter(NULL).QuadPart - Start.QuadPart) <
                                   (ULONGLONG)Frequency.QuadPart / 1000 * LOCK_DPC_WAIT_MS) {
        KeYieldProcessor();
    }
    XTEST_CHECK_EQ(LockDpcRuns, 1);
    XTEST_CHECK(LockDpcGotLock);
    XTEST_CHECK_EQ(LockDpcRunLevel, DISPATCH_LEVEL);
    XTEST_CHECK_EQ(LockDpcHeaderMisalignment, 0);
    XTEST_CHECK_EQ(Lock, 0);
    KeRemoveQueueDpc(&Dpc);
}

XTEST_SUITE(KeSpinLockLiveSuite, XTEST_ENTRY(SpinLockRaisesToDispatchAndRestores),
            XTEST_ENTRY(DpcLevelFormsKeepTheLevel), XTEST_ENTRY(TryTakesOnlyAFreeLock),
            XTEST_ENTRY(InStackQueuedLockRaisesAndRestores), XTEST_ENTRY(NumberedLocksNestInHierarchyOrder),
            XTEST_ENTRY(EveryProcessorCountsExactly), XTEST_ENTRY(HeldLockHoldsOffADpc));

/* The FIFO hand-off across real processors; the 4- and 8-processor boots run it (KeSpinLockLiveSuite's counters
 * there hand each lock over thousands of times to vCPUs the 2-core host has descheduled). */
XTEST_SUITE(KeQueuedLockSmpSuite, XTEST_ENTRY(QueuedLockHandsOverInArrivalOrder));

/* KeDispatcherSuite and KeWaitSuite (SELFTEST only): the dispatcher over the live kernel on every processor.
 * KeDispatcherSuite: priority order on one processor, round robin on quantum end, pre-emption of a busy thread by a
 * timer-woken higher one, hard affinity on every processor, the boost on a satisfied wait, and thread exit with the
 * reaper giving back every stack page and pool byte. KeWaitSuite: producer/consumer on events and semaphores with
 * exact counts, WaitAll and WaitAny (64 objects), timeouts against the clock, mutant recursion and abandonment. */
#include <ke.h>
#include <kthread.h>
#include <mm.h>
#include <rtl.h>
#include <xtest.h>

#include "ke_suites.h"

#define KD_TEST_THREAD_TAG   0x6854654B /* 'KeTh' (ke/dispatch.c) */
#define KD_MS                10000LL    /* 100-ns units */
#define KD_PING_PONGS        500
#define KD_ITEMS             400 /* per producer */
#define KD_RING              16
#define KD_EXIT_THREADS      64
#define KD_ROUND_ROBIN_TURNS 5
#define KD_SLACK_MS          3000  /* how late a wake-up may be under TCG on a loaded host before it counts as lost */
#define KD_JOIN_MS           60000 /* how long a test's threads may take (4 vCPUs on a loaded 2-core host) */
#define KD_PREEMPT_DELAY_MS  20

/* ---- helpers ---- */

static PKTHREAD KdStart(KPRIORITY Priority, KAFFINITY Affinity, PKSTART_ROUTINE Routine, PVOID Context) {
    PKTHREAD Thread = NULL;

    return XT_SUCCESS(KeCreateSystemThread(&Thread, Priority, Affinity, Routine, Context, 0)) ? Thread : NULL;
}

/* Waits (bounded) until the reaper freed every terminated thread; TRUE when it did. */
static BOOLEAN KdWaitForReaper(VOID) {
    LARGE_INTEGER Interval = {.QuadPart = -KD_MS};
    KDISPATCHER_STATISTICS Statistics;

    for (ULONG Round = 0; Round < KD_SLACK_MS; Round++) {
        KeQueryDispatcherStatistics(&Statistics);
        if (Statistics.ReaperPending == 0) {
            return TRUE;
        }
        KeDelayExecutionThread(KernelMode, FALSE, &Interval);
    }
    return FALSE;
}

/* Waits until Thread ended and was reaped (no test leaves frames to free behind) and drops the creator's reference;
 * TRUE when it ended within the slack. */
static BOOLEAN KdJoin(PKTHREAD Thread) {
    LARGE_INTEGER Timeout = {.QuadPart = -KD_JOIN_MS * KD_MS};
    XTSTATUS Status = KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, &Timeout);

    if (Status != STATUS_WAIT_0) {
        XtestPrint("KE: thread 0x%p did not end: state %u, priority %d, wait status 0x%x\n", (PVOID)Thread,
                   Thread->State, Thread->Priority, (ULONG)Thread->WaitStatus);
        return FALSE; /* leaked on purpose: it still runs */
    }
    KeDereferenceThread(Thread);
    return KdWaitForReaper();
}

static VOID KdSleep(LONGLONG Milliseconds) {
    LARGE_INTEGER Interval = {.QuadPart = -Milliseconds * KD_MS};

    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

static LARGE_INTEGER KdRelative(LONGLONG Milliseconds) {
    LARGE_INTEGER Value = {.QuadPart = -Milliseconds * KD_MS};

    return Value;
}

/* ---- KeWaitSuite ---- */

static struct {
    KEVENT Ping, Pong;
    volatile ULONG Value;
    volatile ULONG Errors;
    volatile ULONG Pongs;
} KdPing;

static VOID KdPingThread(PVOID Context) {
    (VOID) Context;
    for (ULONG Round = 0; Round < KD_PING_PONGS; Round++) {
        KdPing.Value = Round + 1;
        KeSetEvent(&KdPing.Ping, 0, FALSE);
        KeWaitForSingleObject(&KdPing.Pong, Executive, KernelMode, FALSE, NULL);
        KdPing.Errors += KdPing.Value != Round + 1 + 1000000;
    }
}

static VOID KdPongThread(PVOID Context) {
    (VOID) Context;
    for (ULONG Round = 0; Round < KD_PING_PONGS; Round++) {
        KeWaitForSingleObject(&KdPing.Ping, Executive, KernelMode, FALSE, NULL);
        KdPing.Errors += KdPing.Value != Round + 1;
        KdPing.Value = Round + 1 + 1000000;
        KdPing.Pongs++;
        KeSetEvent(&KdPing.Pong, 0, FALSE);
    }
}

/* Two threads hand a value back and forth KD_PING_PONGS times through two synchronization events: each sees every
 * value the other wrote, in order, exactly once. */
XTEST(EventsPingPongExactly) {
    PKTHREAD Ping, Pong;

    RtlZeroMemory(&KdPing, sizeof(KdPing));
    KeInitializeEvent(&KdPing.Ping, SynchronizationEvent, FALSE);
    KeInitializeEvent(&KdPing.Pong, SynchronizationEvent, FALSE);
    Pong = KdStart(9, 0, KdPongThread, NULL);
    Ping = KdStart(9, 0, KdPingThread, NULL);
    XTEST_ASSERT(Ping != NULL && Pong != NULL);
    XTEST_ASSERT(KdJoin(Ping));
    XTEST_ASSERT(KdJoin(Pong));
    XTEST_CHECK_EQ(KdPing.Pongs, KD_PING_PONGS);
    XTEST_CHECK_EQ(KdPing.Errors, 0);
    XTEST_CHECK_EQ(KeReadStateEvent(&KdPing.Ping), 0); /* synchronization events reset by each satisfied wait */
    XTEST_CHECK_EQ(KeReadStateEvent(&KdPing.Pong), 0);
}

static struct {
    KSEMAPHORE Empty, Full;
    KMUTANT Lock;
    ULONG Ring[KD_RING];
    ULONG Head, Tail;
    volatile ULONGLONG Sum;
    volatile ULONG Consumed;
    volatile ULONG LockErrors;
} KdRing;

static VOID KdProducer(PVOID Context) {
    ULONG Base = (ULONG)(ULONG_PTR)Context * 100000;

    for (ULONG Item = 1; Item <= KD_ITEMS; Item++) {
        KeWaitForSingleObject(&KdRing.Empty, Executive, KernelMode, FALSE, NULL);
        KdRing.LockErrors += KeWaitForSingleObject(&KdRing.Lock, Executive, KernelMode, FALSE, NULL) != STATUS_WAIT_0;
        KdRing.Ring[KdRing.Tail++ % KD_RING] = Base + Item;
        KdRing.LockErrors += KeReleaseMutant(&KdRing.Lock, 0, FALSE, FALSE, NULL) != STATUS_SUCCESS;
        KeReleaseSemaphore(&KdRing.Full, 1, 1, FALSE, NULL);
    }
}

static VOID KdConsumer(PVOID Context) {
    (VOID) Context;
    for (ULONG Item = 0; Item < KD_ITEMS; Item++) {
        KeWaitForSingleObject(&KdRing.Full, Executive, KernelMode, FALSE, NULL);
        KdRing.LockErrors += KeWaitForSingleObject(&KdRing.Lock, Executive, KernelMode, FALSE, NULL) != STATUS_WAIT_0;
        KdRing.Sum += KdRing.Ring[KdRing.Head++ % KD_RING];
        KdRing.Consumed++;
        KdRing.LockErrors += KeReleaseMutant(&KdRing.Lock, 0, FALSE, FALSE, NULL) != STATUS_SUCCESS;
        KeReleaseSemaphore(&KdRing.Empty, 1, 1, FALSE, NULL);
    }
}

/* Two producers and two consumers through a 16-slot ring guarded by a mutant, counted by two semaphores: every item
 * consumed exactly once (the exact count and sum), the semaphores back at 16 and 0. */
XTEST(SemaphoreProducersAndConsumersExactly) {
    ULONGLONG Expected = 0;
    PKTHREAD Threads[4];
    LONG Previous = -1;

    ULONGLONG Start = KeQueryInterruptTime();

    RtlZeroMemory(&KdRing, sizeof(KdRing));
    KeInitializeSemaphore(&KdRing.Empty, KD_RING, KD_RING);
    KeInitializeSemaphore(&KdRing.Full, 0, KD_RING);
    KeInitializeMutant(&KdRing.Lock, FALSE);
    Threads[0] = KdStart(8, 0, KdConsumer, NULL);
    Threads[1] = KdStart(8, 0, KdConsumer, NULL);
    Threads[2] = KdStart(8, 0, KdProducer, (PVOID)1);
    Threads[3] = KdStart(8, 0, KdProducer, (PVOID)2);
    for (ULONG Index = 0; Index < 4; Index++) {
        XTEST_ASSERT(Threads[Index] != NULL);
    }
    for (ULONG Index = 0; Index < 4; Index++) {
        if (!KdJoin(Threads[Index])) {
            XtestPrint("KE: producers/consumers: %u of %u consumed\n", KdRing.Consumed, 2 * KD_ITEMS);
            XTEST_ASSERT(FALSE);
        }
    }
    XtestPrint("KE: producers/consumers: %u items in %llu ms\n", KdRing.Consumed,
               (KeQueryInterruptTime() - Start) / KD_MS);
    for (ULONG Producer = 1; Producer <= 2; Producer++) {
        for (ULONG Item = 1; Item <= KD_ITEMS; Item++) {
            Expected += Producer * 100000 + Item;
        }
    }
    XTEST_CHECK_EQ(KdRing.Consumed, 2 * KD_ITEMS);
    XTEST_CHECK_EQ(KdRing.Sum, Expected);
    XTEST_CHECK_EQ(KdRing.LockErrors, 0);
    XTEST_CHECK_EQ(KeReadStateSemaphore(&KdRing.Empty), KD_RING);
    XTEST_CHECK_EQ(KeReadStateSemaphore(&KdRing.Full), 0);
    XTEST_CHECK_EQ(KeReadStateMutant(&KdRing.Lock), 1);
    /* Past the limit: refused with NT's status, the count unchanged. */
    XTEST_CHECK_EQ(KeReleaseSemaphore(&KdRing.Empty, 0, 1, FALSE, &Previous), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    XTEST_CHECK_EQ(Previous, KD_RING);
    XTEST_CHECK_EQ(KeReleaseSemaphore(&KdRing.Full, 0, KD_RING + 1, FALSE, NULL), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    XTEST_CHECK_EQ(KeReadStateSemaphore(&KdRing.Full), 0);
    XTEST_CHECK_EQ(KeReleaseSemaphore(&KdRing.Full, 0, KD_RING, FALSE, &Previous), STATUS_SUCCESS);
    XTEST_CHECK_EQ(KeReadStateSemaphore(&KdRing.Full), KD_RING);
}

static struct {
    KEVENT Notification, Synchronization;
    KSEMAPHORE Semaphore;
    KEVENT Many[MAXIMUM_WAIT_OBJECTS];
    KWAIT_BLOCK Blocks[MAXIMUM_WAIT_OBJECTS];
    volatile XTSTATUS Status;
    volatile BOOLEAN Done;
} KdAll;

static VOID KdWaitAllThread(PVOID Context) {
    PVOID Objects[3] = {&KdAll.Notification, &KdAll.Semaphore, &KdAll.Synchronization};

    (VOID) Context;
    KdAll.Status = KeWaitForMultipleObjects(3, Objects, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    KdAll.Done = TRUE;
}

static VOID KdWaitManyThread(PVOID Context) {
    PVOID Objects[MAXIMUM_WAIT_OBJECTS];

    (VOID) Context;
    for (ULONG Index = 0; Index < MAXIMUM_WAIT_OBJECTS; Index++) {
        Objects[Index] = &KdAll.Many[Index];
    }
    KdAll.Status = KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAny, Executive, KernelMode, FALSE, NULL,
                                            KdAll.Blocks);
    KdAll.Done = TRUE;
}

/* WaitAll on a notification event, a semaphore and a synchronization event returns only once all three are
 * signalled, and takes the semaphore's count and the synchronization event's state together. */
XTEST(WaitAllTakesEveryObjectTogether) {
    PKTHREAD Thread;

    RtlZeroMemory(&KdAll, sizeof(KdAll));
    KdAll.Status = -1;
    KeInitializeEvent(&KdAll.Notification, NotificationEvent, FALSE);
    KeInitializeEvent(&KdAll.Synchronization, SynchronizationEvent, FALSE);
    KeInitializeSemaphore(&KdAll.Semaphore, 0, 4);
    Thread = KdStart(10, 0, KdWaitAllThread, NULL);
    XTEST_ASSERT(Thread != NULL);
    KeSetEvent(&KdAll.Notification, 0, FALSE);
    KdSleep(20);
    XTEST_CHECK(!KdAll.Done);
    KeReleaseSemaphore(&KdAll.Semaphore, 0, 2, FALSE, NULL);
    KdSleep(20);
    XTEST_CHECK(!KdAll.Done);
    XTEST_CHECK_EQ(KeReadStateSemaphore(&KdAll.Semaphore), 2); /* nothing taken while one object is missing */
    KeSetEvent(&KdAll.Synchronization, 0, FALSE);
    XTEST_ASSERT(KdJoin(Thread));
    XTEST_CHECK(KdAll.Done);
    XTEST_CHECK_EQ(KdAll.Status, STATUS_WAIT_0);
    XTEST_CHECK_EQ(KeReadStateSemaphore(&KdAll.Semaphore), 1);
    XTEST_CHECK_EQ(KeReadStateEvent(&KdAll.Synchronization), 0);
    XTEST_CHECK_EQ(KeReadStateEvent(&KdAll.Notification), 1);
}

/* WaitAny over 64 objects (the caller's wait blocks): a blocked waiter is released by object 37 with
 * STATUS_WAIT_0 + 37; an immediate wait with 63 signalled returns STATUS_WAIT_63; a zero timeout tests only. */
XTEST(WaitAnyOverSixtyFourObjects) {
    PVOID Objects[MAXIMUM_WAIT_OBJECTS];
    LARGE_INTEGER Zero = {.QuadPart = 0};
    PKTHREAD Thread;
    KRUNLEVEL Old;

    RtlZeroMemory(&KdAll, sizeof(KdAll));
    KdAll.Status = -1;
    for (ULONG Index = 0; Index < MAXIMUM_WAIT_OBJECTS; Index++) {
        KeInitializeEvent(&KdAll.Many[Index], NotificationEvent, FALSE);
        Objects[Index] = &KdAll.Many[Index];
    }
    Thread = KdStart(10, 0, KdWaitManyThread, NULL);
    XTEST_ASSERT(Thread != NULL);
    KdSleep(10);
    XTEST_CHECK(!KdAll.Done);
    KeSetEvent(&KdAll.Many[37], 0, FALSE);
    XTEST_ASSERT(KdJoin(Thread));
    XTEST_CHECK_EQ(KdAll.Status, STATUS_WAIT_0 + 37);
    KeResetEvent(&KdAll.Many[37]);
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero,
                                            KdAll.Blocks),
                   STATUS_TIMEOUT);
    KeSetEvent(&KdAll.Many[63], 0, FALSE);
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAny, Executive, KernelMode, FALSE, NULL,
                                            KdAll.Blocks),
                   STATUS_WAIT_63);
    /* A zero timeout is allowed at DISPATCH_LEVEL. */
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    XTEST_CHECK_EQ(KeWaitForSingleObject(&KdAll.Many[63], Executive, KernelMode, FALSE, &Zero), STATUS_WAIT_0);
    XTEST_CHECK_EQ(KeWaitForSingleObject(&KdAll.Many[0], Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KeLowerRunLevel(Old);
}

/* Relative and absolute timeouts, delays and waitable timers against the interrupt time: never early, and late by
 * less than the slack. */
XTEST(TimeoutsFollowTheClock) {
    LARGE_INTEGER Timeout, Now;
    ULONGLONG Start, Elapsed;
    KEVENT Event;
    KTIMER Timer;

    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    Start = KeQueryInterruptTime();
    Timeout = KdRelative(30);
    XTEST_CHECK_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Timeout), STATUS_TIMEOUT);
    Elapsed = KeQueryInterruptTime() - Start;
    XTEST_CHECK(Elapsed >= 30 * KD_MS && Elapsed < (30 + KD_SLACK_MS) * KD_MS);

    KeQuerySystemTime(&Now);
    Timeout.QuadPart = Now.QuadPart + 40 * KD_MS; /* absolute */
    Start = KeQueryInterruptTime();
    XTEST_CHECK_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Timeout), STATUS_TIMEOUT);
    Elapsed = KeQueryInterruptTime() - Start;
    KeQuerySystemTime(&Now);
    XTEST_CHECK(Now.QuadPart >= Timeout.QuadPart); /* never early against the system time either */
    XTEST_CHECK(Elapsed >= 36 * KD_MS && Elapsed < (40 + KD_SLACK_MS) * KD_MS); /* the system time runs a tick ahead */
    Timeout.QuadPart = Now.QuadPart - 10 * KD_MS;                               /* absolute, passed already */
    XTEST_CHECK_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Timeout), STATUS_TIMEOUT);

    Start = KeQueryInterruptTime();
    KdSleep(25);
    Elapsed = KeQueryInterruptTime() - Start;
    XTEST_CHECK(Elapsed >= 25 * KD_MS && Elapsed < (25 + KD_SLACK_MS) * KD_MS);

    KeInitializeTimer(&Timer);
    Start = KeQueryInterruptTime();
    KeSetTimer(&Timer, KdRelative(20), NULL);
    XTEST_CHECK(!KeReadStateTimer(&Timer));
    XTEST_CHECK_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    Elapsed = KeQueryInterruptTime() - Start;
    XTEST_CHECK(Elapsed >= 20 * KD_MS && Elapsed < (20 + KD_SLACK_MS) * KD_MS);
    XTEST_CHECK(KeReadStateTimer(&Timer)); /* a notification timer stays signalled */
    XTEST_CHECK_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);

    KeSetEvent(&Event, 0, FALSE); /* signalled before the timeout: the wait returns at once, the timer cancelled */
    Timeout = KdRelative(10000);
    Start = KeQueryInterruptTime();
    XTEST_CHECK_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Timeout), STATUS_WAIT_0);
    XTEST_CHECK(KeQueryInterruptTime() - Start < 1000 * KD_MS);
}

static struct {
    KMUTANT Mutant;
    KEVENT Never;
    volatile XTSTATUS Status[4];
    volatile LONG Held;
} KdMutant;

static VOID KdMutantProbe(PVOID Context) {
    LARGE_INTEGER Timeout = KdRelative(10);

    (VOID) Context;
    KdMutant.Status[0] = KeWaitForSingleObject(&KdMutant.Mutant, Executive, KernelMode, FALSE, &Timeout);
    KdMutant.Status[1] = KeReleaseMutant(&KdMutant.Mutant, 0, FALSE, FALSE, NULL);
}

/* Takes the mutant twice and ends without releasing it. */
static VOID KdMutantAbandoner(PVOID Context) {
    (VOID) Context;
    KdMutant.Status[2] = KeWaitForSingleObject(&KdMutant.Mutant, Executive, KernelMode, FALSE, NULL);
    KdMutant.Status[3] = KeWaitForSingleObject(&KdMutant.Mutant, Executive, KernelMode, FALSE, NULL);
    KdMutant.Held = KeReadStateMutant(&KdMutant.Mutant);
}

/* A blocked waiter for the mutant. */
static VOID KdMutantWaiter(PVOID Context) {
    (VOID) Context;
    KdMutant.Status[0] = KeWaitForSingleObject(&KdMutant.Mutant, Executive, KernelMode, FALSE, NULL);
    KdMutant.Status[1] = KeReleaseMutant(&KdMutant.Mutant, 0, FALSE, FALSE, NULL);
}

/* The owner takes a mutant three times (state -2) and must release it three times; another thread cannot take it
 * (timeout) nor release it (STATUS_MUTANT_NOT_OWNED); neither can the owner once it is free. */
XTEST(MutantRecursionAndOwnership) {
    LONG Previous = 99;
    PKTHREAD Thread;

    RtlZeroMemory(&KdMutant, sizeof(KdMutant));
    KeInitializeMutant(&KdMutant.Mutant, FALSE);
    for (ULONG Round = 0; Round < 3; Round++) {
        XTEST_CHECK_EQ(KeWaitForSingleObject(&KdMutant.Mutant, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    }
    XTEST_CHECK_EQ(KeReadStateMutant(&KdMutant.Mutant), -2);
    XTEST_CHECK(KdMutant.Mutant.OwnerThread == KeGetCurrentThread());
    Thread = KdStart(9, 0, KdMutantProbe, NULL);
    XTEST_ASSERT(Thread != NULL && KdJoin(Thread));
    XTEST_CHECK_EQ(KdMutant.Status[0], STATUS_TIMEOUT);
    XTEST_CHECK_EQ(KdMutant.Status[1], STATUS_MUTANT_NOT_OWNED);
    XTEST_CHECK_EQ(KeReadStateMutant(&KdMutant.Mutant), -2);
    for (LONG Round = 0; Round < 3; Round++) {
        XTEST_CHECK_EQ(KeReleaseMutant(&KdMutant.Mutant, 0, FALSE, FALSE, &Previous), STATUS_SUCCESS);
        XTEST_CHECK_EQ(Previous, Round - 2);
    }
    XTEST_CHECK_EQ(KeReadStateMutant(&KdMutant.Mutant), 1);
    XTEST_CHECK(KdMutant.Mutant.OwnerThread == NULL);
    XTEST_CHECK_EQ(KeReleaseMutant(&KdMutant.Mutant, 0, FALSE, FALSE, NULL), STATUS_MUTANT_NOT_OWNED);
    Thread = KdStart(9, 0, KdMutantProbe, NULL); /* free now: the other thread takes and releases it */
    XTEST_ASSERT(Thread != NULL && KdJoin(Thread));
    XTEST_CHECK_EQ(KdMutant.Status[0], STATUS_WAIT_0);
    XTEST_CHECK_EQ(KdMutant.Status[1], STATUS_SUCCESS);
}

/* A thread that ends owning a mutant abandons it: the next wait (WaitAny, object 1) returns STATUS_ABANDONED_WAIT_0 + 1
 * and owns it; a thread blocked on it when its owner ends gets STATUS_ABANDONED_WAIT_0. */
XTEST(MutantAbandonedByExitingOwner) {
    PVOID Objects[2] = {&KdMutant.Never, &KdMutant.Mutant};
    PKTHREAD Thread, Waiter;

    RtlZeroMemory(&KdMutant, sizeof(KdMutant));
    KeInitializeMutant(&KdMutant.Mutant, FALSE);
    KeInitializeEvent(&KdMutant.Never, NotificationEvent, FALSE);
    Thread = KdStart(9, 0, KdMutantAbandoner, NULL);
    XTEST_ASSERT(Thread != NULL && KdJoin(Thread));
    XTEST_CHECK_EQ(KdMutant.Status[2], STATUS_WAIT_0);
    XTEST_CHECK_EQ(KdMutant.Status[3], STATUS_WAIT_0);
    XTEST_CHECK_EQ(KdMutant.Held, -1);
    XTEST_CHECK_EQ(KeReadStateMutant(&KdMutant.Mutant), 1);
    XTEST_CHECK(KdMutant.Mutant.Abandoned);
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
                   STATUS_ABANDONED_WAIT_0 + 1);
    XTEST_CHECK(!KdMutant.Mutant.Abandoned);
    XTEST_CHECK(KdMutant.Mutant.OwnerThread == KeGetCurrentThread());
    XTEST_CHECK_EQ(KeReleaseMutant(&KdMutant.Mutant, 0, FALSE, FALSE, NULL), STATUS_SUCCESS);

    /* Owner ends while another thread waits: the waiter is handed the abandoned mutant. */
    KdMutant.Status[0] = -1;
    XTEST_CHECK_EQ(KeWaitForSingleObject(&KdMutant.Mutant, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    Waiter = KdStart(9, 0, KdMutantWaiter, NULL);
    XTEST_ASSERT(Waiter != NULL);
    KdSleep(10);
    XTEST_CHECK_EQ(KdMutant.Status[0], -1);
    XTEST_CHECK_EQ(KeReleaseMutant(&KdMutant.Mutant, 0, TRUE, FALSE, NULL), STATUS_SUCCESS); /* abandon it */
    XTEST_ASSERT(KdJoin(Waiter));
    XTEST_CHECK_EQ(KdMutant.Status[0], STATUS_ABANDONED_WAIT_0);
    XTEST_CHECK_EQ(KdMutant.Status[1], STATUS_SUCCESS);
    XTEST_CHECK_EQ(KeReadStateMutant(&KdMutant.Mutant), 1);
}

XTEST_SUITE(KeWaitSuite, XTEST_ENTRY(EventsPingPongExactly), XTEST_ENTRY(SemaphoreProducersAndConsumersExactly),
            XTEST_ENTRY(WaitAllTakesEveryObjectTogether), XTEST_ENTRY(WaitAnyOverSixtyFourObjects),
            XTEST_ENTRY(TimeoutsFollowTheClock), XTEST_ENTRY(MutantRecursionAndOwnership),
            XTEST_ENTRY(MutantAbandonedByExitingOwner));

/* ---- KeDispatcherSuite ---- */

#define KD_LOG 8

static struct {
    volatile ULONG Log[KD_LOG];
    volatile ULONG Count;
} KdOrder;

static VOID KdLogThread(PVOID Context) {
    ULONG Slot = __atomic_fetch_add(&KdOrder.Count, 1, __ATOMIC_ACQ_REL);

    if (Slot < KD_LOG) {
        KdOrder.Log[Slot] = (ULONG)(ULONG_PTR)Context;
    }
}

/* The calling thread pinned to processor 0 at Priority; returns the old affinity (*OldPriority the old priority). */
static KAFFINITY KdPinSelf(KPRIORITY Priority, KPRIORITY *OldPriority) {
    KAFFINITY Old = KeSetAffinityThread(1);

    *OldPriority = KeSetPriorityThread(KeGetCurrentThread(), Priority);
    return Old;
}

static VOID KdUnpinSelf(KAFFINITY Affinity, KPRIORITY Priority) {
    KeSetPriorityThread(KeGetCurrentThread(), Priority);
    KeSetAffinityThread(Affinity);
}

/* Threads made ready on one busy processor run in priority order once it is free, equal priorities first come first
 * served: 10, 6, 6', 4. */
XTEST(ReadyThreadsRunInPriorityOrder) {
    static const KPRIORITY Priorities[4] = {4, 6, 10, 6};
    KWAIT_BLOCK Blocks[4];
    PVOID Threads[4];
    KPRIORITY OldPriority;
    KAFFINITY OldAffinity;

    RtlZeroMemory(&KdOrder, sizeof(KdOrder));
    OldAffinity = KdPinSelf(20, &OldPriority);
    XTEST_CHECK_EQ(KeGetCurrentProcessorNumber(), 0);
    for (ULONG Index = 0; Index < 4; Index++) {
        Threads[Index] = KdStart(Priorities[Index], 1, KdLogThread, (PVOID)(ULONG_PTR)(Index + 1));
    }
    XTEST_CHECK_EQ(KdOrder.Count, 0); /* none ran: this thread outranks them all on their processor */
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(4, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, Blocks),
                   STATUS_WAIT_0);
    KdUnpinSelf(OldAffinity, OldPriority);
    for (ULONG Index = 0; Index < 4; Index++) {
        KeDereferenceThread(Threads[Index]);
    }
    XTEST_CHECK_EQ(KdOrder.Count, 4);
    XTEST_CHECK_EQ(KdOrder.Log[0], 3);
    XTEST_CHECK_EQ(KdOrder.Log[1], 2);
    XTEST_CHECK_EQ(KdOrder.Log[2], 4);
    XTEST_CHECK_EQ(KdOrder.Log[3], 1);
}

static struct {
    volatile ULONG Last;
    volatile ULONG Turns[2];
    volatile ULONGLONG Spins[2];
    ULONGLONG End;
} KdRobin;

static VOID KdBusyThread(PVOID Context) {
    ULONG Me = (ULONG)(ULONG_PTR)Context;

    while ((KdRobin.Turns[0] < KD_ROUND_ROBIN_TURNS || KdRobin.Turns[1] < KD_ROUND_ROBIN_TURNS) &&
           KeQueryInterruptTime() < KdRobin.End) {
        if (__atomic_exchange_n(&KdRobin.Last, Me, __ATOMIC_RELAXED) != Me) {
            KdRobin.Turns[Me]++;
        }
        KdRobin.Spins[Me]++;
    }
}

/* Two busy threads of equal priority on one processor take turns on quantum end (a quantum is 3 ticks): each gets the
 * processor KD_ROUND_ROBIN_TURNS times long before the slack runs out (they stop once both did). */
XTEST(EqualPrioritiesRoundRobinOnQuantumEnd) {
    ULONGLONG Start = KeQueryInterruptTime();
    KPRIORITY OldPriority;
    KAFFINITY OldAffinity;
    PVOID Threads[2];

    RtlZeroMemory(&KdRobin, sizeof(KdRobin));
    KdRobin.Last = 7;
    KdRobin.End = Start + KD_SLACK_MS * KD_MS;
    OldAffinity = KdPinSelf(20, &OldPriority);
    Threads[0] = KdStart(7, 1, KdBusyThread, (PVOID)0);
    Threads[1] = KdStart(7, 1, KdBusyThread, (PVOID)1);
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(2, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, NULL),
                   STATUS_WAIT_0);
    KdUnpinSelf(OldAffinity, OldPriority);
    KeDereferenceThread(Threads[0]);
    KeDereferenceThread(Threads[1]);
    XtestPrint("KE: round robin: turns %u/%u in %llu ms\n", KdRobin.Turns[0], KdRobin.Turns[1],
               (KeQueryInterruptTime() - Start) / KD_MS);
    XTEST_CHECK(KdRobin.Turns[0] >= KD_ROUND_ROBIN_TURNS && KdRobin.Turns[1] >= KD_ROUND_ROBIN_TURNS);
    XTEST_CHECK(KdRobin.Spins[0] != 0 && KdRobin.Spins[1] != 0);
}

static struct {
    KTIMER Timer;
    volatile BOOLEAN Stop, LowStarted, LowFinished, LowBusyAtWake;
    volatile ULONGLONG LowSpins, SpinsAtWake, SpinsAfter;
    volatile ULONGLONG Due, Woke;
    volatile XTSTATUS Status;
    volatile ULONG WokeOn;
} KdPreempt;

static VOID KdLowBusy(PVOID Context) {
    (VOID) Context;
    KdPreempt.LowStarted = TRUE;
    while (!__atomic_load_n(&KdPreempt.Stop, __ATOMIC_ACQUIRE)) {
        KdPreempt.LowSpins++;
    }
    KdPreempt.LowFinished = TRUE;
}

/* Arms its timer and waits until a round in which the low thread spun while it waited (a vCPU the host descheduled
 * for the whole delay does not count), then records what it found and stops the low thread. */
static VOID KdHighTimed(PVOID Context) {
    ULONGLONG Armed;

    (VOID) Context;
    for (ULONG Round = 0; Round < 100; Round++) {
        Armed = KdPreempt.LowSpins;
        KdPreempt.Due = KeQueryInterruptTime() + KD_PREEMPT_DELAY_MS * KD_MS;
        KeSetTimer(&KdPreempt.Timer, KdRelative(KD_PREEMPT_DELAY_MS), NULL);
        KdPreempt.Status = KeWaitForSingleObject(&KdPreempt.Timer, Executive, KernelMode, FALSE, NULL);
        KdPreempt.Woke = KeQueryInterruptTime();
        KdPreempt.SpinsAtWake = KdPreempt.LowSpins;
        if (KdPreempt.SpinsAtWake != Armed) {
            break;
        }
    }
    KdPreempt.WokeOn = KeGetCurrentProcessorNumber();
    KdPreempt.LowBusyAtWake = KdPreempt.LowStarted && !KdPreempt.LowFinished;
    for (volatile ULONG Spin = 0; Spin < 100000; Spin++) {
    }
    KdPreempt.SpinsAfter = KdPreempt.LowSpins; /* the low thread did not run while this one did */
    __atomic_store_n(&KdPreempt.Stop, TRUE, __ATOMIC_RELEASE);
}

/* A busy priority-4 thread holds processor 0; a priority-20 thread waiting there on a timer pre-empts it as soon as the
 * timer expires (the DISPATCH interrupt of the expiry), and the low thread does not run meanwhile. */
XTEST(TimerWokenThreadPreemptsBusyLowThread) {
    KPRIORITY OldPriority;
    KAFFINITY OldAffinity;
    PVOID Threads[2];

    RtlZeroMemory(&KdPreempt, sizeof(KdPreempt));
    KdPreempt.Status = -1;
    KeInitializeTimer(&KdPreempt.Timer);
    OldAffinity = KdPinSelf(8, &OldPriority);
    Threads[0] = KdStart(20, 1, KdHighTimed, NULL); /* runs at once (it outranks this thread), then waits */
    Threads[1] = KdStart(4, 1, KdLowBusy, NULL);
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(2, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, NULL),
                   STATUS_WAIT_0);
    KdUnpinSelf(OldAffinity, OldPriority);
    KeDereferenceThread(Threads[0]);
    KeDereferenceThread(Threads[1]);
    XtestPrint("KE: pre-emption: woke %llu us after the due time, low thread spun %llu times before\n",
               (KdPreempt.Woke - KdPreempt.Due) / 10, KdPreempt.SpinsAtWake);
    XTEST_CHECK_EQ(KdPreempt.Status, STATUS_WAIT_0);
    XTEST_CHECK_EQ(KdPreempt.WokeOn, 0);
    XTEST_CHECK(KdPreempt.LowBusyAtWake);
    XTEST_CHECK(KdPreempt.SpinsAtWake != 0);
    XTEST_CHECK_EQ(KdPreempt.SpinsAfter, KdPreempt.SpinsAtWake);
    XTEST_CHECK(KdPreempt.LowFinished);
    XTEST_CHECK(KdPreempt.Woke >= KdPreempt.Due && KdPreempt.Woke < KdPreempt.Due + KD_SLACK_MS * KD_MS);
}

#define KD_AFFINITY_ROUNDS 12

static volatile ULONG KdAffinityErrors[KE_MAXIMUM_PROCESSORS];
static volatile ULONG KdAffinityRuns[KE_MAXIMUM_PROCESSORS];

static VOID KdPinnedThread(PVOID Context) {
    ULONG Number = (ULONG)(ULONG_PTR)Context;
    LARGE_INTEGER Interval = KdRelative(1);

    for (ULONG Round = 0; Round < KD_AFFINITY_ROUNDS; Round++) {
        KdAffinityErrors[Number] += KeGetCurrentProcessorNumber() != Number;
        KdAffinityRuns[Number]++;
        if (Round & 1) {
            KeDelayExecutionThread(KernelMode, FALSE, &Interval);
        } else {
            KeYieldExecution();
        }
    }
}

/* A thread pinned to processor n runs only there, across delays and yields, on every processor; the calling thread
 * moves to the last processor when it pins itself there. */
XTEST(AffinityPinsThreadsToTheirProcessor) {
    ULONG Count = KeQueryActiveProcessorCount();
    PKTHREAD Threads[KE_MAXIMUM_PROCESSORS];
    KAFFINITY Old;

    for (ULONG Number = 0; Number < Count; Number++) {
        KdAffinityErrors[Number] = KdAffinityRuns[Number] = 0;
        Threads[Number] = KdStart(9, 1ull << Number, KdPinnedThread, (PVOID)(ULONG_PTR)Number);
        XTEST_ASSERT(Threads[Number] != NULL);
    }
    for (ULONG Number = 0; Number < Count; Number++) {
        XTEST_ASSERT(KdJoin(Threads[Number]));
        XTEST_CHECK_EQ(KdAffinityRuns[Number], KD_AFFINITY_ROUNDS);
        XTEST_CHECK_EQ(KdAffinityErrors[Number], 0);
    }
    Old = KeSetAffinityThread(1ull << (Count - 1));
    XTEST_CHECK_EQ(KeGetCurrentProcessorNumber(), Count - 1);
    KdSleep(2);
    XTEST_CHECK_EQ(KeGetCurrentProcessorNumber(), Count - 1);
    XTEST_CHECK_EQ(KeSetAffinityThread(Old), 1ull << (Count - 1));
    XTEST_CHECK_EQ(KeSetAffinityThread(0), Old); /* no processor: refused, nothing changes */
    XTEST_CHECK(KdStart(9, 1ull << 63, KdPinnedThread, NULL) == NULL || Count == 64);
}

static struct {
    KEVENT Event;
    volatile KPRIORITY Seen;
} KdBoost;

static VOID KdBoostedThread(PVOID Context) {
    (VOID) Context;
    KeWaitForSingleObject(&KdBoost.Event, Executive, KernelMode, FALSE, NULL);
    KdBoost.Seen = KeQueryPriorityThread(KeGetCurrentThread());
}

/* A satisfied wait boosts a dynamic-priority thread by the setter's increment (base 6 + 2), never a real-time one. */
XTEST(SatisfiedWaitBoostsDynamicPriority) {
    static const KPRIORITY Base[2] = {6, 18};
    static const KPRIORITY Expected[2] = {8, 18};
    PKTHREAD Thread;

    for (ULONG Case = 0; Case < 2; Case++) {
        KeInitializeEvent(&KdBoost.Event, SynchronizationEvent, FALSE);
        KdBoost.Seen = -1;
        Thread = KdStart(Base[Case], 0, KdBoostedThread, NULL);
        XTEST_ASSERT(Thread != NULL);
        KdSleep(10);
        KeSetEvent(&KdBoost.Event, 2, FALSE);
        XTEST_ASSERT(KdJoin(Thread));
        XTEST_CHECK_EQ(KdBoost.Seen, Expected[Case]);
    }
}

static volatile ULONG KdExitRuns;

static VOID KdExitThread(PVOID Context) {
    (VOID) Context;
    __atomic_add_fetch(&KdExitRuns, 1, __ATOMIC_RELAXED);
}

/* Runs Count threads that return at once, one after the other (each reaped before the next starts, so the high-water
 * mark of stacks and KTHREADs is one); TRUE when all ran, ended and were reaped. */
static BOOLEAN KdRunExitThreads(ULONG Count) {
    for (ULONG Index = 0; Index < Count; Index++) {
        PKTHREAD Thread = KdStart(9, 0, KdExitThread, NULL);

        if (Thread == NULL || !KdJoin(Thread)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* KD_EXIT_THREADS threads created and ended: the reaper frees every stack (all frames back) and the pool holds no
 * KTHREAD byte more than before; each thread's exit status is its start routine's STATUS_SUCCESS. */
XTEST(ThreadExitReaperReturnsEverything) {
    KDISPATCHER_STATISTICS Before, After;
    MM_POOL_TAG_STATISTICS TagBefore, TagAfter;
    MM_POOL_STATISTICS PoolBefore, PoolAfter;
    MM_BOOT_REPORT MmBefore, MmAfter;

    XTEST_ASSERT(KdRunExitThreads(KD_EXIT_THREADS)); /* page tables, pool pages, lookaside depths reached once */
    XTEST_ASSERT(KdWaitForReaper());
    MmFlushDeferredSystemPages();
    XTEST_ASSERT(MmQueryPoolTag(KD_TEST_THREAD_TAG, &TagBefore));
    MmQueryBootReport(&MmBefore);
    MmQueryPoolStatistics(&PoolBefore);
    KeQueryDispatcherStatistics(&Before);
    KdExitRuns = 0;
    XTEST_ASSERT(KdRunExitThreads(KD_EXIT_THREADS));
    XTEST_ASSERT(KdWaitForReaper());
    MmFlushDeferredSystemPages();
    KeQueryDispatcherStatistics(&After);
    MmQueryBootReport(&MmAfter);
    MmQueryPoolStatistics(&PoolAfter);
    XTEST_ASSERT(MmQueryPoolTag(KD_TEST_THREAD_TAG, &TagAfter));
    XTEST_CHECK_EQ(KdExitRuns, KD_EXIT_THREADS);
    XTEST_CHECK_EQ(After.ThreadsCreated - Before.ThreadsCreated, KD_EXIT_THREADS);
    XTEST_CHECK_EQ(After.ThreadsReaped - Before.ThreadsReaped, KD_EXIT_THREADS);
    XTEST_CHECK_EQ(After.ReaperPending, 0);
    XTEST_CHECK_EQ(TagAfter.BytesInUse, TagBefore.BytesInUse);
    XTEST_CHECK_EQ(TagAfter.Allocations - TagBefore.Allocations, KD_EXIT_THREADS);
    XTEST_CHECK_EQ(TagAfter.Frees - TagBefore.Frees, KD_EXIT_THREADS);
    /* Every stack frame back; the KTHREADs' pool pages may sit in the pool's per-processor caches (the reaper frees
     * on another processor than the creator allocates), so free frames plus the pool's pages are what must match. */
    XTEST_CHECK_EQ(MmAfter.FreePages + PoolAfter.SmallPages + PoolAfter.BigPages + PoolAfter.BigCachedPages,
                   MmBefore.FreePages + PoolBefore.SmallPages + PoolBefore.BigPages + PoolBefore.BigCachedPages);
}

#define KD_PAGED_TAG    0x6750644B /* 'KdPg' */
#define KD_PAGED_WAKES  64
#define KD_MUTEX_ROUNDS 500

static struct {
    KKEYED_MUTEX Mutex;
    KTIMER Timer;
    volatile BOOLEAN Stop;
    volatile ULONG LowRounds, HighRounds, Failures, Inside, Overlaps;
} KdPaged;

/* Low priority: allocates and frees paged pool (taking its lock) until told to stop. */
static VOID KdPagedLow(PVOID Context) {
    (VOID) Context;
    while (!__atomic_load_n(&KdPaged.Stop, __ATOMIC_ACQUIRE)) {
        PVOID Block = MmAllocatePool(PagedPool, 64 + (KdPaged.LowRounds % 7) * 48, KD_PAGED_TAG);

        KdPaged.Failures += Block == NULL;
        if (Block != NULL) {
            MmFreePool(Block, KD_PAGED_TAG);
        }
        KdPaged.LowRounds++;
    }
}

/* High priority, the same processor: woken by a periodic timer, often while the low thread holds the paged pool's
 * lock; it takes the lock itself each time (a spinning lock would spin forever here: the holder cannot run). */
static VOID KdPagedHigh(PVOID Context) {
    (VOID) Context;
    KeSetTimerEx(&KdPaged.Timer, KdRelative(1), 1, NULL);
    for (ULONG Round = 0; Round < KD_PAGED_WAKES; Round++) {
        PVOID Block;

        KeWaitForSingleObject(&KdPaged.Timer, Executive, KernelMode, FALSE, NULL);
        Block = MmAllocatePool(PagedPool, 200, KD_PAGED_TAG);
        KdPaged.Failures += Block == NULL;
        if (Block != NULL) {
            MmFreePool(Block, KD_PAGED_TAG);
        }
        KdPaged.HighRounds++;
    }
    KeCancelTimer(&KdPaged.Timer);
    __atomic_store_n(&KdPaged.Stop, TRUE, __ATOMIC_RELEASE);
}

/* The paged pool's lock is a sleeping mutex: a priority-20 thread woken every millisecond on the processor where a
 * priority-4 thread allocates and frees paged pool non-stop takes the lock 200 times although it often wakes while the
 * low thread holds it (the low thread runs while it sleeps); the tag's bytes balance. */
XTEST(PagedPoolLockSleepsWhenItsHolderIsPreempted) {
    MM_POOL_TAG_STATISTICS Tag;
    KPRIORITY OldPriority;
    KAFFINITY OldAffinity;
    PVOID Threads[2];

    RtlZeroMemory(&KdPaged, sizeof(KdPaged));
    KeInitializeTimerEx(&KdPaged.Timer, SynchronizationTimer);
    OldAffinity = KdPinSelf(8, &OldPriority);
    Threads[0] = KdStart(20, 1, KdPagedHigh, NULL);
    Threads[1] = KdStart(4, 1, KdPagedLow, NULL);
    XTEST_ASSERT(Threads[0] != NULL && Threads[1] != NULL);
    XTEST_ASSERT(KdJoin(Threads[0]) && KdJoin(Threads[1]));
    KdUnpinSelf(OldAffinity, OldPriority);
    XtestPrint("KE: paged pool lock: %u high, %u low rounds\n", KdPaged.HighRounds, KdPaged.LowRounds);
    XTEST_CHECK_EQ(KdPaged.HighRounds, KD_PAGED_WAKES);
    XTEST_CHECK(KdPaged.LowRounds > KD_PAGED_WAKES);
    XTEST_CHECK_EQ(KdPaged.Failures, 0);
    XTEST_CHECK(!MmQueryPagedPoolTag(KD_PAGED_TAG, &Tag) || Tag.BytesInUse == 0);
}

static VOID KdMutexThread(PVOID Context) {
    (VOID) Context;
    for (ULONG Round = 0; Round < KD_MUTEX_ROUNDS; Round++) {
        KeAcquireKeyedMutex(&KdPaged.Mutex);
        KdPaged.Overlaps += __atomic_add_fetch(&KdPaged.Inside, 1, __ATOMIC_RELAXED) != 1;
        KdPaged.LowRounds++; /* guarded by the mutex: the exact total shows no increment was lost */
        if ((Round & 63) == 0) {
            KeYieldExecution();
        }
        __atomic_sub_fetch(&KdPaged.Inside, 1, __ATOMIC_RELAXED);
        KeReleaseKeyedMutex(&KdPaged.Mutex);
    }
}

/* Four threads on any processors take a keyed mutex 3000 times each, yielding while holding it now and then: never
 * two inside, no increment lost, the word back at 0. */
XTEST(KeyedMutexExcludesAndHandsOver) {
    PKTHREAD Threads[4];

    RtlZeroMemory(&KdPaged, sizeof(KdPaged));
    for (ULONG Index = 0; Index < 4; Index++) {
        Threads[Index] = KdStart(8, 0, KdMutexThread, NULL);
        XTEST_ASSERT(Threads[Index] != NULL);
    }
    for (ULONG Index = 0; Index < 4; Index++) {
        XTEST_ASSERT(KdJoin(Threads[Index]));
    }
    XTEST_CHECK_EQ(KdPaged.LowRounds, 4 * KD_MUTEX_ROUNDS);
    XTEST_CHECK_EQ(KdPaged.Overlaps, 0);
    XTEST_CHECK_EQ(KdPaged.Mutex, 0);
}

XTEST_SUITE(KeDispatcherSuite, XTEST_ENTRY(ReadyThreadsRunInPriorityOrder),
            XTEST_ENTRY(EqualPrioritiesRoundRobinOnQuantumEnd), XTEST_ENTRY(TimerWokenThreadPreemptsBusyLowThread),
            XTEST_ENTRY(AffinityPinsThreadsToTheirProcessor), XTEST_ENTRY(SatisfiedWaitBoostsDynamicPriority),
            XTEST_ENTRY(ThreadExitReaperReturnsEverything), XTEST_ENTRY(PagedPoolLockSleepsWhenItsHolderIsPreempted),
            XTEST_ENTRY(KeyedMutexExcludesAndHandsOver));

/* Kernel timers over the timer queue (timerq.c), under the timer lock at CLOCK_LEVEL: the boot processor's clock
 * interrupt peeks at the earliest timer, and any processor may set, cancel or expire timers, each change an
 * O(log n) step. Timers are dispatcher objects: an expiry takes the dispatcher lock, then the timer lock (never the
 * other way round), pops the timer and signals it under both, and satisfies its waiters under the dispatcher lock;
 * KeSetTimer and KeCancelTimer take only the timer lock (their signal reset is ordered against the expiry's signal by
 * it), so setting and cancelling timers does not contend on the dispatcher lock. */
#include "ki.h"
#include "kidisp.h"

#define KI_TICKS_PER_MILLISECOND 10000ULL /* 100-ns units */

static KTIMER_QUEUE KiTimerQueue;
static KDPC KiTimerExpiryDpc;
static volatile ULONGLONG KiTimerExpiries;
static KSPIN_LOCK KiTimerLock; /* CLOCK_LEVEL: the queue, and every queued timer's fields */

/* Takes the timer lock from any RunLevel up to CLOCK_LEVEL; returns the level to go back to. */
static KRUNLEVEL KiAcquireTimerLock(VOID) {
    return KeAcquireSpinLockRaiseToLevel(&KiTimerLock, CLOCK_LEVEL);
}

static VOID KiReleaseTimerLock(KRUNLEVEL Old) {
    KeReleaseSpinLock(&KiTimerLock, Old);
}

/* The expiry DPC: every timer due by now. */
static VOID KiTimerExpiryRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Context, (VOID)Argument1, (VOID)Argument2;
    KiExpireTimers(KeQueryInterruptTime());
}

VOID KiInitializeTimers(VOID) {
    KiInitializeTimerQueue(&KiTimerQueue);
    KeInitializeSpinLock(&KiTimerLock);
    KeInitializeDpc(&KiTimerExpiryDpc, KiTimerExpiryRoutine, NULL);
    KeSetImportanceDpc(&KiTimerExpiryDpc, HighImportance);
}

VOID KiCheckTimerExpiry(ULONGLONG InterruptTime) {
    PKTIMER_QUEUE_ENTRY First;
    BOOLEAN Due;

    KeAcquireSpinLockAtDpcLevel(&KiTimerLock); /* the clock interrupt: CLOCK_LEVEL already */
    First = KiPeekTimerQueue(&KiTimerQueue);
    Due = First != NULL && First->DueTime <= InterruptTime;
    KeReleaseSpinLockFromDpcLevel(&KiTimerLock);
    if (Due) {
        KeInsertQueueDpc(&KiTimerExpiryDpc, NULL, NULL);
    } else if (KeQueryDpcQueueDepth() != 0) {
        KeRequestSoftwareInterrupt(DISPATCH_LEVEL); /* low-importance DPCs run at the latest on the next tick */
    }
}

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type) {
    KiInitializeDispatcherHeader(
        &Timer->Header, Type == SynchronizationTimer ? TimerSynchronizationObject : TimerNotificationObject, 0);
    KiInitializeTimerQueueEntry(&Timer->QueueEntry);
    Timer->Dpc = NULL;
    Timer->Period = 0;
    Timer->Type = (UCHAR)Type;
}

VOID KeInitializeTimer(PKTIMER Timer) {
    KeInitializeTimerEx(Timer, NotificationTimer);
}

/* DueTime (NT's convention) as an interrupt time. An absolute time is converted against the tick-counted system
 * time: measured against KeQuerySystemTime (which adds the TSC delta since the last tick) it would expire up to a
 * tick before KeQuerySystemTime reaches it. */
static ULONGLONG KiDueInterruptTime(LARGE_INTEGER DueTime) {
    ULONGLONG Now = KeQueryInterruptTime(), Due;

    if (DueTime.QuadPart < 0) {
        return Now + (ULONGLONG)(-(DueTime.QuadPart + 1)) + 1;
    }
    Due = KiSystemTimeToInterruptTime(DueTime);
    return Due < Now ? Now : Due;
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc) {
    ULONGLONG Due;
    KRUNLEVEL Old;
    BOOLEAN Queued;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    Due = KiDueInterruptTime(DueTime);
    Old = KiAcquireTimerLock();
    Queued = KiRemoveTimerQueue(&KiTimerQueue, &Timer->QueueEntry);
    Timer->Dpc = Dpc;
    Timer->Period = Period > 0 ? (ULONG)Period : 0;
    Timer->Header.SignalState = 0; /* under the timer lock: an expiry in progress signalled it before or not at all */
    KiInsertTimerQueue(&KiTimerQueue, &Timer->QueueEntry, Due);
    KiReleaseTimerLock(Old);
    return Queued;
}

BOOLEAN KiInsertWaitTimer(PKTIMER Timer, LARGE_INTEGER DueTime) {
    LARGE_INTEGER SystemTime;
    ULONGLONG Due;
    KRUNLEVEL Old;

    if (DueTime.QuadPart > 0) {
        KeQuerySystemTime(&SystemTime);
        if (DueTime.QuadPart <= SystemTime.QuadPart) {
            return FALSE;
        }
    }
    Timer->Header.SignalState = 0;
    Timer->Dpc = NULL;
    Timer->Period = 0;
    Due = KiDueInterruptTime(DueTime);
    if (DueTime.QuadPart > 0) {
        Due += KeQueryTimeIncrement(); /* the system time runs up to one increment ahead of the interrupt time */
    }
    Old = KiAcquireTimerLock();
    KiInsertTimerQueue(&KiTimerQueue, &Timer->QueueEntry, Due);
    KiReleaseTimerLock(Old);
    return TRUE;
}

VOID KiCancelWaitTimer(PKTIMER Timer) {
    KRUNLEVEL Old = KiAcquireTimerLock();

    KiRemoveTimerQueue(&KiTimerQueue, &Timer->QueueEntry);
    KiReleaseTimerLock(Old);
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc) {
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer) {
    KRUNLEVEL Old;
    BOOLEAN Queued;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    Old = KiAcquireTimerLock();
    Queued = KiRemoveTimerQueue(&KiTimerQueue, &Timer->QueueEntry);
    KiReleaseTimerLock(Old);
    return Queued;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer) {
    return __atomic_load_n(&Timer->Header.SignalState, __ATOMIC_RELAXED) > 0;
}

ULONG_PTR KeQueryTimerQueueLength(VOID) {
    return KiTimerQueue.Count;
}

ULONGLONG KeQueryTimerExpiryCount(VOID) {
    return KiTimerExpiries;
}

/* Pops one timer due by Now, signals it (satisfying the waits that allows) and re-queues it when periodic (the next
 * period after its due time, or after Now when it fell behind: missed periods are skipped, never bunched). Returns its
 * DPC through *Dpc; FALSE when no timer is due. */
static BOOLEAN KiExpireOneTimer(ULONGLONG Now, PKDPC *Dpc) {
    KRUNLEVEL DispatcherOld = KiAcquireDispatcherLock();
    KRUNLEVEL Old = KiAcquireTimerLock();
    PKTIMER_QUEUE_ENTRY Entry = KiPopExpiredTimerQueue(&KiTimerQueue, Now);
    ULONGLONG Next;
    PKTIMER Timer;

    if (Entry == NULL) {
        KiReleaseTimerLock(Old);
        KiReleaseDispatcherLock(DispatcherOld);
        return FALSE;
    }
    Timer = CONTAINING_RECORD(Entry, KTIMER, QueueEntry);
    *Dpc = Timer->Dpc;
    if (Timer->Period != 0) {
        Next = Entry->DueTime + Timer->Period * KI_TICKS_PER_MILLISECOND;
        KiInsertTimerQueue(&KiTimerQueue, Entry, Next > Now ? Next : Now + Timer->Period * KI_TICKS_PER_MILLISECOND);
    }
    KiTimerExpiries++;
    Timer->Header.SignalState = 1; /* under both locks: ordered against KeSetTimer's reset and against waiters */
    KiReleaseTimerLock(Old);
    KiWaitTest(&Timer->Header, 0);
    KiReleaseDispatcherLock(DispatcherOld);
    return TRUE;
}

ULONG KiExpireTimers(ULONGLONG Now) {
    LARGE_INTEGER SystemTime;
    ULONG Expired = 0;
    PKDPC Dpc = NULL;

    KeQuerySystemTime(&SystemTime);
    while (KiExpireOneTimer(Now, &Dpc)) {
        Expired++;
        if (Dpc != NULL) {
            KeInsertQueueDpc(Dpc, (PVOID)(ULONG_PTR)SystemTime.LowPart, (PVOID)(ULONG_PTR)SystemTime.HighPart);
        }
    }
    return Expired;
}

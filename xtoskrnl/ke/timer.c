/* Kernel timers over the timer queue (timerq.c), under the timer lock at CLOCK_LEVEL: the boot processor's clock
 * interrupt peeks at the earliest timer, and any processor may set, cancel or expire timers, each change an
 * O(log n) step. */
#include "ki.h"

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
    KiInitializeTimerQueueEntry(&Timer->QueueEntry);
    Timer->Dpc = NULL;
    Timer->Period = 0;
    Timer->Type = (UCHAR)Type;
    Timer->Signaled = FALSE;
}

VOID KeInitializeTimer(PKTIMER Timer) {
    KeInitializeTimerEx(Timer, NotificationTimer);
}

/* DueTime (NT's convention) as an interrupt time. */
static ULONGLONG KiDueInterruptTime(LARGE_INTEGER DueTime) {
    ULONGLONG Now = KeQueryInterruptTime();
    LARGE_INTEGER SystemTime;

    if (DueTime.QuadPart < 0) {
        return Now + (ULONGLONG)(-(DueTime.QuadPart + 1)) + 1;
    }
    KeQuerySystemTime(&SystemTime);
    return DueTime.QuadPart <= SystemTime.QuadPart ? Now : Now + (ULONGLONG)(DueTime.QuadPart - SystemTime.QuadPart);
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
    Timer->Signaled = FALSE;
    KiInsertTimerQueue(&KiTimerQueue, &Timer->QueueEntry, Due);
    KiReleaseTimerLock(Old);
    return Queued;
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
    return Timer->Signaled;
}

ULONG_PTR KeQueryTimerQueueLength(VOID) {
    return KiTimerQueue.Count;
}

ULONGLONG KeQueryTimerExpiryCount(VOID) {
    return KiTimerExpiries;
}

/* Pops one timer due by Now, signals it and re-queues it when periodic (the next period after its due time, or after
 * Now when it fell behind: missed periods are skipped, never bunched). Returns its DPC through *Dpc; FALSE when no
 * timer is due. */
static BOOLEAN KiExpireOneTimer(ULONGLONG Now, PKDPC *Dpc) {
    KRUNLEVEL Old = KiAcquireTimerLock();
    PKTIMER_QUEUE_ENTRY Entry = KiPopExpiredTimerQueue(&KiTimerQueue, Now);
    ULONGLONG Next;
    PKTIMER Timer;

    if (Entry == NULL) {
        KiReleaseTimerLock(Old);
        return FALSE;
    }
    Timer = CONTAINING_RECORD(Entry, KTIMER, QueueEntry);
    Timer->Signaled = TRUE;
    *Dpc = Timer->Dpc;
    if (Timer->Period != 0) {
        Next = Entry->DueTime + Timer->Period * KI_TICKS_PER_MILLISECOND;
        KiInsertTimerQueue(&KiTimerQueue, Entry, Next > Now ? Next : Now + Timer->Period * KI_TICKS_PER_MILLISECOND);
    }
    KiTimerExpiries++;
    KiReleaseTimerLock(Old);
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

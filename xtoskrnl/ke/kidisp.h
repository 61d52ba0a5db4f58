/* Dispatcher internals shared by ke/dispatch.c (scheduling, threads), ke/wait.c (objects and waits) and ke/timer.c
 * (waitable timers). Everything here runs with the dispatcher lock held unless said otherwise. docs/kernel.md
 * "The dispatcher". */
#ifndef XTOSKRNL_KE_KIDISP_H
#define XTOSKRNL_KE_KIDISP_H

#include <ke.h>
#include <kthread.h>

/* The dispatcher lock: NT's dispatcher database lock, the numbered queued lock LockQueueDispatcherLock, taken at
 * DISPATCH_LEVEL (raising to it). It guards every thread's scheduling and wait state, every KPRCB's ready queues and
 * Standby thread, every dispatcher object's signal state and wait list. A switch happens with it held: the thread
 * switched to frees it. */
XTFORCEINLINE KRUNLEVEL KiAcquireDispatcherLock(VOID) {
    return KeAcquireQueuedSpinLock(LockQueueDispatcherLock);
}

XTFORCEINLINE VOID KiReleaseDispatcherLock(KRUNLEVEL OldRunLevel) {
    KeReleaseQueuedSpinLock(LockQueueDispatcherLock, OldRunLevel);
}

XTFORCEINLINE VOID KiAcquireDispatcherLockAtDpcLevel(VOID) {
    KeAcquireQueuedSpinLockAtDpcLevel(&KeGetCurrentPrcb()->LockQueue[LockQueueDispatcherLock]);
}

XTFORCEINLINE VOID KiReleaseDispatcherLockFromDpcLevel(VOID) {
    KeReleaseQueuedSpinLockFromDpcLevel(&KeGetCurrentPrcb()->LockQueue[LockQueueDispatcherLock]);
}

/* dispatch.c: makes Thread (Initialized, Waiting or just pre-empted) Ready: Standby on an idle processor of its
 * affinity, or on its processor when it outranks what runs there (that processor is asked for its DISPATCH
 * interrupt), else at the tail of that processor's ready queue. */
VOID KiReadyThread(PKTHREAD Thread);

/* dispatch.c: switches the calling thread (Old, whose State the caller set: Waiting, Ready or Terminated) to this
 * processor's Standby thread, else its best ready thread, else its idle thread. Returns when Old runs again (perhaps
 * on another processor), with the dispatcher lock held again at DISPATCH_LEVEL. */
VOID KiSwapThread(PKTHREAD Old);

/* wait.c: satisfies the waits Object's new signal state allows (in wait-list order), readying their threads with
 * Increment as the priority boost. */
VOID KiWaitTest(PDISPATCHER_HEADER Object, KPRIORITY Increment);

/* wait.c: ends Thread's wait with WaitStatus: its wait blocks leave their objects' lists, its timer is cancelled,
 * its priority is boosted by Increment (dynamic priorities), and it is readied. */
VOID KiUnwaitThread(PKTHREAD Thread, LONG_PTR WaitStatus, KPRIORITY Increment);

/* wait.c: frees every mutant Thread owns as abandoned (its termination). */
VOID KiAbandonMutants(PKTHREAD Thread);

/* wait.c: fills a dispatcher header. */
VOID KiInitializeDispatcherHeader(PDISPATCHER_HEADER Header, UCHAR Type, LONG SignalState);

/* process.c: fills the system process (the boot tables' address space) and returns it; once, before any thread. */
PKPROCESS KiInitializeSystemProcess(VOID);

/* process.c: makes Thread one of Process's threads, running in its address space, not attached. */
VOID KiInsertProcessThread(PKPROCESS Process, PKTHREAD Thread);

/* process.c: the terminating Thread (the caller, not attached: else STOP INVALID_PROCESS_ATTACH_ATTEMPT) leaves its
 * process: this processor goes back to the system's address space, and the process is signalled when it was the
 * last thread. */
VOID KiRemoveProcessThread(PKTHREAD Thread);

/* process.c: FALSE once Process's last thread terminated (it takes no new thread). */
BOOLEAN KiCanCreateThread(PKPROCESS Process);

/* timer.c: queues Timer (a thread's wait timer) to expire at DueTime (NT's convention); FALSE when that time has
 * passed already (nothing queued). */
BOOLEAN KiInsertWaitTimer(PKTIMER Timer, LARGE_INTEGER DueTime);

/* timer.c: takes Timer off the timer queue (if it is queued). */
VOID KiCancelWaitTimer(PKTIMER Timer);

#endif

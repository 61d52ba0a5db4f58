/* Spin locks (NT's API, included by ke.h): plain test-and-test-and-set locks and queued (MCS) locks, both held at
 * DISPATCH_LEVEL or above. The uncontended paths are inline (a handful of instructions, benchmarked by BENCH); waiting,
 * hand-off and the STOPs are out of line in ke/spinlock.c. docs/kernel.md "Locks" has the rules and the hierarchy. */
#ifndef XTOSKRNL_KE_KELOCK_H
#define XTOSKRNL_KE_KELOCK_H

/* KSPIN_LOCK, KSPIN_LOCK_QUEUE and the numbered locks (KSPIN_LOCK_QUEUE_NUMBER). */
#include <kelocktypes.h>

/* The owner tag of the current processor (never 0): its number + 1, one GS/FS-relative load (the boot processor's
 * KPRCB is installed before anything takes a lock). Host builds supply one tag per thread (ke/tests/
 * processor_model.c: each thread models a processor). */
#ifdef XTOS_HOST_RUNLEVEL_MODEL
ULONG_PTR KiGetCurrentLockOwner(VOID);
#else
XTFORCEINLINE ULONG_PTR KiGetCurrentLockOwner(VOID) {
    return (ULONG_PTR)KeGetCurrentProcessorNumber() + 1;
}
#endif

/* The spin-wait hint (PAUSE): lets the sibling hyperthread run and avoids the memory-order flush on exit. A host
 * thread, unlike a processor at DISPATCH_LEVEL, can be preempted while it holds or is being handed a lock: the host
 * model also yields its time slice, or waiters would spin through whole slices (a queued lock's convoy). */
#ifdef XTOS_HOST_RUNLEVEL_MODEL
VOID KeYieldProcessor(VOID);
#else
XTFORCEINLINE VOID KeYieldProcessor(VOID) {
    __asm__ volatile("pause" : : : "memory");
}
#endif

/* The out-of-line halves (spinlock.c). The STOPs name the caller (their own return address, inlined there):
 * SPIN_LOCK_ALREADY_OWNED / SPIN_LOCK_NOT_OWNED (xtbugcode.h), and IRQL_NOT_GREATER_OR_EQUAL for an ...AtDpcLevel
 * call below DISPATCH_LEVEL. */
VOID KiAcquireSpinLockContended(PKSPIN_LOCK SpinLock, ULONG_PTR Owner);
XTNORETURN VOID KiSpinLockNotOwned(PKSPIN_LOCK SpinLock, ULONG_PTR Owner);
XTNORETURN VOID KiSpinLockBelowDispatch(PKSPIN_LOCK SpinLock);

/* Makes SpinLock free. */
XTFORCEINLINE VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) {
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELAXED);
}

/* Takes SpinLock for this processor (the RunLevel already at DISPATCH_LEVEL or above): one compare-exchange when it
 * is free; otherwise spins reading it (with PAUSE) until it looks free, then tries again. */
XTFORCEINLINE VOID KiAcquireSpinLock(PKSPIN_LOCK SpinLock) {
    ULONG_PTR Owner = KiGetCurrentLockOwner();
    ULONG_PTR Expected = 0;

    if (__builtin_expect(
            !__atomic_compare_exchange_n(SpinLock, &Expected, Owner, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED), 0)) {
        KiAcquireSpinLockContended(SpinLock, Owner);
    }
}

/* Frees SpinLock (a store-release); STOP SPIN_LOCK_NOT_OWNED when this processor does not hold it. */
XTFORCEINLINE VOID KiReleaseSpinLock(PKSPIN_LOCK SpinLock) {
    ULONG_PTR Owner = KiGetCurrentLockOwner();

    if (__builtin_expect(__atomic_load_n(SpinLock, __ATOMIC_RELAXED) != Owner, 0)) {
        KiSpinLockNotOwned(SpinLock, Owner);
    }
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
}

/* Raises to DISPATCH_LEVEL (*OldRunLevel receives the previous level) and takes SpinLock. At most DISPATCH_LEVEL
 * (above it the raise STOPs); taking a lock this processor already holds STOPs with SPIN_LOCK_ALREADY_OWNED. */
XTFORCEINLINE VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKRUNLEVEL OldRunLevel) {
    *OldRunLevel = KeRaiseRunLevel(DISPATCH_LEVEL);
    KiAcquireSpinLock(SpinLock);
}

/* Frees SpinLock and lowers the RunLevel back to OldRunLevel (what KeAcquireSpinLock returned). */
XTFORCEINLINE VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KRUNLEVEL OldRunLevel) {
    KiReleaseSpinLock(SpinLock);
    KeLowerRunLevel(OldRunLevel);
}

/* Raises to RunLevel (DISPATCH_LEVEL or above: the level of every code that takes the lock, e.g. CLOCK_LEVEL for a
 * lock the clock interrupt takes too) and takes SpinLock; returns the previous RunLevel. Raising below the current
 * level STOPs, like KeRaiseRunLevel. */
XTFORCEINLINE KRUNLEVEL KeAcquireSpinLockRaiseToLevel(PKSPIN_LOCK SpinLock, KRUNLEVEL RunLevel) {
    KRUNLEVEL OldRunLevel = KeRaiseRunLevel(RunLevel);

    KiAcquireSpinLock(SpinLock);
    return OldRunLevel;
}

/* Takes SpinLock without changing the RunLevel, which must be DISPATCH_LEVEL or above (else a STOP). */
XTFORCEINLINE VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) {
    if (__builtin_expect(KiReadRunLevel() < DISPATCH_LEVEL, 0)) {
        KiSpinLockBelowDispatch(SpinLock);
    }
    KiAcquireSpinLock(SpinLock);
}

/* Frees SpinLock without changing the RunLevel. */
XTFORCEINLINE VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) {
    KiReleaseSpinLock(SpinLock);
}

/* Takes SpinLock if it is free (RunLevel DISPATCH_LEVEL or above, else a STOP); FALSE, without waiting, when any
 * processor holds it, this one included (so a STOP path can try a lock the interrupted code may hold). */
XTFORCEINLINE BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) {
    ULONG_PTR Expected = 0;

    if (__builtin_expect(KiReadRunLevel() < DISPATCH_LEVEL, 0)) {
        KiSpinLockBelowDispatch(SpinLock);
    }
    if (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) != 0) {
        return FALSE;
    }
    return __atomic_compare_exchange_n(SpinLock, &Expected, KiGetCurrentLockOwner(), FALSE, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

/* ---- Queued (MCS) spin locks ----
 * The lock word points at the last waiter's queue entry; each waiter spins on its own entry (in its handle on its own
 * stack, or in its processor's block) until its predecessor hands the lock over: first come, first served, and a
 * waiter's spinning touches no line another waiter touches. */

/* The in-stack form's handle: the caller's queue entry and the RunLevel to return to. */
typedef struct _KLOCK_QUEUE_HANDLE {
    KSPIN_LOCK_QUEUE LockQueue;
    KRUNLEVEL OldRunLevel;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;

/* The out-of-line halves (spinlock.c): queue behind Predecessor and spin until it hands over; pass the lock to the
 * successor that is queueing behind LockQueue; the STOPs for an entry that already owns its lock or does not own it
 * (P1 the lock, P2 the entry's Lock field, P3 the entry, P4 the caller). */
VOID KiWaitForQueuedSpinLock(PKSPIN_LOCK_QUEUE LockQueue, ULONG_PTR SpinLock, PKSPIN_LOCK_QUEUE Predecessor);
VOID KiHandOffQueuedSpinLock(PKSPIN_LOCK_QUEUE LockQueue, ULONG_PTR SpinLock);
XTNORETURN VOID KiQueuedSpinLockAlreadyOwned(PKSPIN_LOCK_QUEUE LockQueue);
XTNORETURN VOID KiQueuedSpinLockNotOwned(PKSPIN_LOCK_QUEUE LockQueue);

/* Appends LockQueue to the queue of the lock its Lock field names (no flags set) and returns once it owns the lock. */
XTFORCEINLINE VOID KiAcquireQueuedSpinLock(PKSPIN_LOCK_QUEUE LockQueue, ULONG_PTR SpinLock) {
    PKSPIN_LOCK_QUEUE Predecessor;

    LockQueue->Next = NULL;
    Predecessor = (PKSPIN_LOCK_QUEUE)__atomic_exchange_n((PKSPIN_LOCK)SpinLock, (ULONG_PTR)LockQueue, __ATOMIC_ACQ_REL);
    if (__builtin_expect(Predecessor != NULL, 0)) {
        KiWaitForQueuedSpinLock(LockQueue, SpinLock, Predecessor);
    }
    LockQueue->Lock = SpinLock | LOCK_QUEUE_OWNER;
}

/* Frees the lock LockQueue owns: empties the lock when no one queued behind, else hands it to the successor. */
XTFORCEINLINE VOID KiReleaseQueuedSpinLock(PKSPIN_LOCK_QUEUE LockQueue) {
    ULONG_PTR Value = LockQueue->Lock;
    ULONG_PTR SpinLock = Value ^ LOCK_QUEUE_OWNER; /* an owner is never marked waiting */
    ULONG_PTR Expected = (ULONG_PTR)LockQueue;

    if (__builtin_expect(!(Value & LOCK_QUEUE_OWNER), 0)) {
        KiQueuedSpinLockNotOwned(LockQueue);
    }
    LockQueue->Lock = SpinLock;
    if (__builtin_expect(__atomic_load_n(&LockQueue->Next, __ATOMIC_ACQUIRE) == NULL &&
                             __atomic_compare_exchange_n((PKSPIN_LOCK)SpinLock, &Expected, 0, FALSE, __ATOMIC_RELEASE,
                                                         __ATOMIC_RELAXED),
                         1)) {
        return;
    }
    KiHandOffQueuedSpinLock(LockQueue, SpinLock);
}

/* Raises to DISPATCH_LEVEL (LockHandle->OldRunLevel receives the previous level) and takes SpinLock through the queue
 * entry in LockHandle, which must stay in place (on the caller's stack) until the release. At most DISPATCH_LEVEL. */
XTFORCEINLINE VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle) {
    LockHandle->OldRunLevel = KeRaiseRunLevel(DISPATCH_LEVEL);
    KiAcquireQueuedSpinLock(&LockHandle->LockQueue, (ULONG_PTR)SpinLock);
}

/* Frees the lock taken through LockHandle and lowers the RunLevel back to LockHandle->OldRunLevel. */
XTFORCEINLINE VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle) {
    KiReleaseQueuedSpinLock(&LockHandle->LockQueue);
    KeLowerRunLevel(LockHandle->OldRunLevel);
}

/* The same at DISPATCH_LEVEL or above, without changing the RunLevel (below DISPATCH_LEVEL: a STOP). */
XTFORCEINLINE VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle) {
    if (__builtin_expect(KiReadRunLevel() < DISPATCH_LEVEL, 0)) {
        KiSpinLockBelowDispatch(SpinLock);
    }
    KiAcquireQueuedSpinLock(&LockHandle->LockQueue, (ULONG_PTR)SpinLock);
}

XTFORCEINLINE VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle) {
    KiReleaseQueuedSpinLock(&LockHandle->LockQueue);
}

/* The lock of Number (each numbered lock on its own cache line); NULL for a number out of range. */
PKSPIN_LOCK KeGetQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number);

/* Fills a processor's LockQueueMaximumLock queue entries: entry N names numbered lock N, not queued, not owned. */
VOID KeInitializeLockQueues(PKSPIN_LOCK_QUEUE LockQueues);

/* Takes / frees the numbered lock through one of a processor's own entries (&Prcb->LockQueue[Number]), at
 * DISPATCH_LEVEL or above (below it: a STOP). Taking it through an entry that already owns it STOPs with
 * SPIN_LOCK_ALREADY_OWNED; freeing it through an entry that does not own it, with SPIN_LOCK_NOT_OWNED. */
XTFORCEINLINE VOID KeAcquireQueuedSpinLockAtDpcLevel(PKSPIN_LOCK_QUEUE LockQueue) {
    ULONG_PTR Value = LockQueue->Lock;

    if (__builtin_expect(KiReadRunLevel() < DISPATCH_LEVEL, 0)) {
        KiSpinLockBelowDispatch((PKSPIN_LOCK)(Value & ~(ULONG_PTR)LOCK_QUEUE_FLAGS));
    }
    if (__builtin_expect((Value & LOCK_QUEUE_FLAGS) != 0, 0)) {
        KiQueuedSpinLockAlreadyOwned(LockQueue);
    }
    KiAcquireQueuedSpinLock(LockQueue, Value);
}

XTFORCEINLINE VOID KeReleaseQueuedSpinLockFromDpcLevel(PKSPIN_LOCK_QUEUE LockQueue) {
    KiReleaseQueuedSpinLock(LockQueue);
}

#ifndef XTOS_HOST_RUNLEVEL_MODEL
/* NT's numbered form: raises to DISPATCH_LEVEL and takes lock Number through this processor's own entry
 * (KeGetCurrentPrcb()->LockQueue[Number]); returns the previous RunLevel. At most DISPATCH_LEVEL. */
XTFORCEINLINE KRUNLEVEL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number) {
    KRUNLEVEL OldRunLevel = KeRaiseRunLevel(DISPATCH_LEVEL);

    KeAcquireQueuedSpinLockAtDpcLevel(&KeGetCurrentPrcb()->LockQueue[Number]);
    return OldRunLevel;
}

/* Frees lock Number (taken by KeAcquireQueuedSpinLock on this processor) and lowers back to OldRunLevel. */
XTFORCEINLINE VOID KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KRUNLEVEL OldRunLevel) {
    KeReleaseQueuedSpinLockFromDpcLevel(&KeGetCurrentPrcb()->LockQueue[Number]);
    KeLowerRunLevel(OldRunLevel);
}
#endif

#endif

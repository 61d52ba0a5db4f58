/* The out-of-line halves of the spin locks (kelock.h): waiting on a held lock, queue hand-off, the numbered queued
 * locks' table, and the STOPs for misuse. Built for the kernel and, over a modelled processor, for host tests. */
#include <ke.h>

/* The caller of the inline lock operation that called this (noinline) function. */
#define KI_LOCK_CALLER() ((ULONG_PTR)__builtin_extract_return_addr(__builtin_return_address(0)))

/* The numbered queued locks, each on its own cache line so they never share one. */
typedef struct __attribute__((aligned(64))) _KI_QUEUED_LOCK {
    KSPIN_LOCK Lock;
} KI_QUEUED_LOCK;

static KI_QUEUED_LOCK KiQueuedSpinLocks[LockQueueMaximumLock];

STATIC_ASSERT(sizeof(KI_QUEUED_LOCK) == 64);

__attribute__((noinline)) VOID KiAcquireSpinLockContended(PKSPIN_LOCK SpinLock, ULONG_PTR Owner) {
    ULONG_PTR Value, Expected;

    for (;;) {
        Value = __atomic_load_n(SpinLock, __ATOMIC_RELAXED);
        if (Value == Owner) {
            KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, Value, Owner, KI_LOCK_CALLER());
        }
        if (Value == 0) {
            Expected = 0;
            if (__atomic_compare_exchange_n(SpinLock, &Expected, Owner, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                return;
            }
            continue;
        }
        KeYieldProcessor();
    }
}

__attribute__((noinline)) XTNORETURN VOID KiSpinLockNotOwned(PKSPIN_LOCK SpinLock, ULONG_PTR Owner) {
    KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, __atomic_load_n(SpinLock, __ATOMIC_RELAXED), Owner,
                 KI_LOCK_CALLER());
}

__attribute__((noinline)) XTNORETURN VOID KiSpinLockBelowDispatch(PKSPIN_LOCK SpinLock) {
    KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, KiReadRunLevel(), DISPATCH_LEVEL, (ULONG_PTR)SpinLock, KI_LOCK_CALLER());
}

__attribute__((noinline)) VOID KiWaitForQueuedSpinLock(PKSPIN_LOCK_QUEUE LockQueue, ULONG_PTR SpinLock,
                                                       PKSPIN_LOCK_QUEUE Predecessor) {
    /* Marked waiting before the predecessor can see this entry, so its hand-off cannot come first. */
    LockQueue->Lock = SpinLock | LOCK_QUEUE_WAIT;
    __atomic_store_n(&Predecessor->Next, LockQueue, __ATOMIC_RELEASE);
    while (__atomic_load_n(&LockQueue->Lock, __ATOMIC_ACQUIRE) & LOCK_QUEUE_WAIT) {
        KeYieldProcessor();
    }
}

__attribute__((noinline)) VOID KiHandOffQueuedSpinLock(PKSPIN_LOCK_QUEUE LockQueue, ULONG_PTR SpinLock) {
    PKSPIN_LOCK_QUEUE Successor;

    /* A successor swapped itself into the lock word but has not linked itself behind this entry yet. */
    while ((Successor = __atomic_load_n(&LockQueue->Next, __ATOMIC_ACQUIRE)) == NULL) {
        KeYieldProcessor();
    }
    LockQueue->Next = NULL;
    __atomic_store_n(&Successor->Lock, SpinLock | LOCK_QUEUE_OWNER, __ATOMIC_RELEASE);
}

__attribute__((noinline)) XTNORETURN VOID KiQueuedSpinLockAlreadyOwned(PKSPIN_LOCK_QUEUE LockQueue) {
    ULONG_PTR Value = LockQueue->Lock;

    KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, Value & ~(ULONG_PTR)LOCK_QUEUE_FLAGS, Value, (ULONG_PTR)LockQueue,
                 KI_LOCK_CALLER());
}

__attribute__((noinline)) XTNORETURN VOID KiQueuedSpinLockNotOwned(PKSPIN_LOCK_QUEUE LockQueue) {
    ULONG_PTR Value = LockQueue->Lock;

    KeBugCheckEx(SPIN_LOCK_NOT_OWNED, Value & ~(ULONG_PTR)LOCK_QUEUE_FLAGS, Value, (ULONG_PTR)LockQueue,
                 KI_LOCK_CALLER());
}

PKSPIN_LOCK KeGetQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number) {
    return (ULONG)Number < LockQueueMaximumLock ? &KiQueuedSpinLocks[Number].Lock : NULL;
}

VOID KeInitializeLockQueues(PKSPIN_LOCK_QUEUE LockQueues) {
    for (ULONG Number = 0; Number < LockQueueMaximumLock; Number++) {
        LockQueues[Number].Next = NULL;
        LockQueues[Number].Lock = (ULONG_PTR)&KiQueuedSpinLocks[Number].Lock;
    }
}

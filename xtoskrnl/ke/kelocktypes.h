/* The spin-lock types the processor control block embeds (kprcb.h) and kelock.h operates on: the lock word, a
 * queued lock's per-processor entry, and the numbered kernel locks. */
#ifndef XTOSKRNL_KE_KELOCKTYPES_H
#define XTOSKRNL_KE_KELOCKTYPES_H

#include <xtbase.h>

/* A spin lock: one pointer-sized word, 0 when free. A plain lock holds its owner's tag (KiGetCurrentLockOwner); a
 * queued lock holds the address of the last entry in its queue. A lock is used either plain or queued, never both. */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

/* KSPIN_LOCK_QUEUE.Lock's low bits (a KSPIN_LOCK is pointer-aligned, so they are free). */
#define LOCK_QUEUE_WAIT  1 /* queued behind a predecessor, spinning */
#define LOCK_QUEUE_OWNER 2 /* holds the lock */
#define LOCK_QUEUE_FLAGS (LOCK_QUEUE_WAIT | LOCK_QUEUE_OWNER)

/* One processor's place in a lock's queue (NT's layout: two pointers). */
typedef struct _KSPIN_LOCK_QUEUE {
    struct _KSPIN_LOCK_QUEUE *volatile Next; /* the successor, set by it once it queued behind this entry */
    volatile ULONG_PTR Lock;                 /* the PKSPIN_LOCK | LOCK_QUEUE_WAIT / LOCK_QUEUE_OWNER */
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;

STATIC_ASSERT(sizeof(KSPIN_LOCK_QUEUE) == 2 * sizeof(PVOID));
STATIC_ASSERT(_Alignof(KSPIN_LOCK) >= 4);

/* ---- Numbered queued locks (NT's KSPIN_LOCK_QUEUE_NUMBER) ----
 * The kernel's own hot locks, one queue entry per lock in every processor's control block (Prcb->LockQueue[Number],
 * filled by KeInitializeLockQueues when the Prcb is built), so taking one needs no handle. Listed in hierarchy order:
 * a processor holding lock N may take only locks numbered above N (docs/kernel.md "Locks"). */
typedef enum _KSPIN_LOCK_QUEUE_NUMBER {
    LockQueueNonPagedPoolLock = 0, /* the non-paged pool (MiAllocatePool, MiFreePool) */
    LockQueueSystemSpaceLock = 1,  /* system PTEs (MmAllocateSystemPages, MmFreeSystemPages) */
    LockQueuePfnLock = 2,          /* the PFN database and the free-frame lists */
    LockQueueDispatcherLock = 3,   /* the scheduler's state (issue 11): innermost */
    LockQueueMaximumLock = 4
} KSPIN_LOCK_QUEUE_NUMBER;

#endif

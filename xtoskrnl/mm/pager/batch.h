/* The deferred-shootdown batch of MmFreeSystemPages (pager.c; docs/memory-manager.md "Batched release of system
 * pages"), pure: queueing a freed range and taking the batch, both under the caller's lock (the system space lock in
 * the kernel). Built for the kernel and for its host test. */
#ifndef XTOSKRNL_MM_PAGER_BATCH_H
#define XTOSKRNL_MM_PAGER_BATCH_H

#include <xtbase.h>

#define MI_DEFERRED_RANGES 16 /* ranges one batch holds */

/* A freed range waiting for the batch's shootdown. */
typedef struct _MI_DEFERRED_RANGE {
    ULONG_PTR Va;    /* the first mapped page */
    ULONG_PTR Count; /* mapped pages */
    ULONG_PTR Index; /* the reservation's first page in the bitmap (a guard page before Va included) */
    ULONG_PTR Total; /* reserved pages (with the guard pages) */
} MI_DEFERRED_RANGE, *PMI_DEFERRED_RANGE;

/* What went through a batch. */
typedef struct _MM_DEFERRED_FLUSH_STATISTICS {
    ULONG_PTR Deferred;     /* ranges queued */
    ULONG_PTR Flushes;      /* non-empty batches taken */
    ULONG_PTR FoundFull;    /* queueings that found the batch full (filled by another processor, not taken yet) and
                             * queued nothing: where the old code wrote past the batch */
    ULONG_PTR LargestBatch; /* most ranges one take returned (at most MI_DEFERRED_RANGES) */
    ULONG_PTR Pending;      /* ranges queued now (filled in by queries) */
} MM_DEFERRED_FLUSH_STATISTICS, *PMM_DEFERRED_FLUSH_STATISTICS;

/* The batch, with a guard range right after its array that nothing writes: a range queued past the array would land
 * there. PageLimit: the pages at which a batch counts as full too. Zero-initialised apart from PageLimit. */
typedef struct _MI_DEFERRED_BATCH {
    MI_DEFERRED_RANGE Ranges[MI_DEFERRED_RANGES];
    MI_DEFERRED_RANGE Guard;
    ULONG Count;
    ULONG_PTR Pages;
    ULONG_PTR PageLimit;
    MM_DEFERRED_FLUSH_STATISTICS Statistics;
} MI_DEFERRED_BATCH, *PMI_DEFERRED_BATCH;

typedef enum _MI_DEFER_RESULT {
    MiDeferQueued = 0, /* queued; the batch is not full */
    MiDeferQueuedFull, /* queued, and the batch is now full (MI_DEFERRED_RANGES ranges or PageLimit pages): the caller
                        * takes and flushes it (after dropping the lock: meanwhile others may find it full) */
    MiDeferFoundFull   /* nothing queued: the batch holds MI_DEFERRED_RANGES ranges another caller has not taken yet;
                        * take and flush it, then queue again */
} MI_DEFER_RESULT;

/* Queues Range unless the batch is full. Under the caller's lock. */
MI_DEFER_RESULT MiQueueDeferredRange(PMI_DEFERRED_BATCH Batch, const MI_DEFERRED_RANGE *Range);

/* Moves the batch's ranges to Out (room for MI_DEFERRED_RANGES) and empties it; returns how many, their pages in
 * *Pages. Under the caller's lock, after MiIsDeferredBatchIntact. */
ULONG MiTakeDeferredBatch(PMI_DEFERRED_BATCH Batch, MI_DEFERRED_RANGE Out[MI_DEFERRED_RANGES], PULONG_PTR Pages);

/* FALSE when the batch ran past its array: more than MI_DEFERRED_RANGES ranges, or the guard written. */
BOOLEAN MiIsDeferredBatchIntact(const MI_DEFERRED_BATCH *Batch);

#endif

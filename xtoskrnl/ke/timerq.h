/* Kernel timer queue: the pending KTIMERs ordered by due time (interrupt-time units), earliest first, FIFO among equal
 * due times. An intrusive binary min-heap: each entry is embedded in its timer and linked to its parent and children
 * (the tree is complete; position k's path from the root is the binary digits of k after the leading 1), so there is
 * no array to size or allocate. Insert, remove (cancel) and pop are O(log n) in the worst case, peek is O(1).
 * Not synchronised: the caller holds the timer lock (at DISPATCH_LEVEL or above). Pure, host-tested. */
#ifndef XTOSKRNL_KE_TIMERQ_H
#define XTOSKRNL_KE_TIMERQ_H

#include <xtbase.h>

typedef struct _KTIMER_QUEUE_ENTRY {
    struct _KTIMER_QUEUE_ENTRY *Parent;
    struct _KTIMER_QUEUE_ENTRY *Left;
    struct _KTIMER_QUEUE_ENTRY *Right;
    ULONGLONG DueTime;  /* absolute, unsigned: no wraparound in 64 bits of 100-ns units (58,000 years) */
    ULONGLONG Sequence; /* insertion order: breaks ties so equal due times leave first in, first out */
    BOOLEAN Inserted;
} KTIMER_QUEUE_ENTRY, *PKTIMER_QUEUE_ENTRY;

typedef struct _KTIMER_QUEUE {
    PKTIMER_QUEUE_ENTRY Root; /* the earliest entry */
    ULONG_PTR Count;
    ULONGLONG NextSequence;
} KTIMER_QUEUE, *PKTIMER_QUEUE;

/* Makes Queue empty. */
VOID KiInitializeTimerQueue(PKTIMER_QUEUE Queue);

/* Marks Entry as not queued (KiRemoveTimerQueue on it returns FALSE). Call once when the timer is initialised. */
VOID KiInitializeTimerQueueEntry(PKTIMER_QUEUE_ENTRY Entry);

/* Queues Entry, which must not be queued, to expire at DueTime. */
VOID KiInsertTimerQueue(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Entry, ULONGLONG DueTime);

/* Removes Entry from Queue (cancel). Returns FALSE, changing nothing, when Entry was not queued. */
BOOLEAN KiRemoveTimerQueue(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Entry);

/* The earliest entry without removing it; NULL when the queue is empty. */
XTINLINE PKTIMER_QUEUE_ENTRY KiPeekTimerQueue(const KTIMER_QUEUE *Queue) {
    return Queue->Root;
}

/* Removes and returns the earliest entry; NULL when the queue is empty. */
PKTIMER_QUEUE_ENTRY KiPopTimerQueue(PKTIMER_QUEUE Queue);

/* Removes and returns the earliest entry if it is due at or before Now; NULL otherwise (the clock's expiry loop). */
PKTIMER_QUEUE_ENTRY KiPopExpiredTimerQueue(PKTIMER_QUEUE Queue, ULONGLONG Now);

#endif

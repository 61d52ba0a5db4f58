/* KeTimerQueueSuite: the intrusive timer heap against a sorted-array reference over 1e6 random operations, with the
 * heap's shape and order checked as it goes; cancel of head, middle and tail; FIFO among equal due times; due times
 * across the whole unsigned 64-bit range. */
#include <rtl.h>
#include <timerq.h>
#include <xtest.h>

#define POOL_SIZE 600

typedef struct _TEST_TIMER {
    ULONG Id;
    KTIMER_QUEUE_ENTRY Entry; /* embedded, not first, like a KTIMER's */
} TEST_TIMER, *PTEST_TIMER;

typedef struct _REFERENCE_ITEM {
    ULONGLONG DueTime;
    ULONGLONG Order;
    ULONG Id;
} REFERENCE_ITEM;

/* The reference: items sorted by (DueTime, Order). */
static REFERENCE_ITEM Reference[POOL_SIZE];
static ULONG ReferenceCount;
static TEST_TIMER Timers[POOL_SIZE];

static ULONGLONG Random64(PULONGLONG State) {
    *State ^= *State >> 12;
    *State ^= *State << 25;
    *State ^= *State >> 27;
    return *State * 0x2545F4914F6CDD1DULL;
}

static VOID ReferenceInsert(ULONGLONG DueTime, ULONGLONG Order, ULONG Id) {
    ULONG Index = ReferenceCount;
    while (Index > 0 && (Reference[Index - 1].DueTime > DueTime ||
                         (Reference[Index - 1].DueTime == DueTime && Reference[Index - 1].Order > Order))) {
        Reference[Index] = Reference[Index - 1];
        Index--;
    }
    Reference[Index] = (REFERENCE_ITEM){DueTime, Order, Id};
    ReferenceCount++;
}

static VOID ReferenceRemoveAt(ULONG Index) {
    RtlMoveMemory(&Reference[Index], &Reference[Index + 1], (ReferenceCount - Index - 1) * sizeof(Reference[0]));
    ReferenceCount--;
}

static LONG ReferenceFind(ULONG Id) {
    for (ULONG Index = 0; Index < ReferenceCount; Index++) {
        if (Reference[Index].Id == Id) {
            return (LONG)Index;
        }
    }
    return -1;
}

static ULONG IdOf(PKTIMER_QUEUE_ENTRY Entry) {
    return (Entry == NULL) ? ~0u : CONTAINING_RECORD(Entry, TEST_TIMER, Entry)->Id;
}

/* Counts the subtree under Entry, checking parent links, heap order and that every entry is marked inserted. */
static ULONG_PTR CheckSubtree(const KTIMER_QUEUE_ENTRY *Entry, PBOOLEAN Valid) {
    ULONG_PTR Count = 1;
    const KTIMER_QUEUE_ENTRY *Children[2] = {Entry->Left, Entry->Right};

    if (!Entry->Inserted || (Entry->Left == NULL && Entry->Right != NULL)) {
        *Valid = FALSE;
    }
    for (ULONG Index = 0; Index < 2; Index++) {
        const KTIMER_QUEUE_ENTRY *Child = Children[Index];
        if (Child == NULL) {
            continue;
        }
        if (Child->Parent != Entry || Child->DueTime < Entry->DueTime ||
            (Child->DueTime == Entry->DueTime && Child->Sequence < Entry->Sequence)) {
            *Valid = FALSE;
        }
        Count += CheckSubtree(Child, Valid);
    }
    return Count;
}

/* TRUE when the heap is well formed, holds Queue->Count entries and its last position is occupied (complete). */
static BOOLEAN CheckQueue(const KTIMER_QUEUE *Queue) {
    BOOLEAN Valid = TRUE;
    if (Queue->Root == NULL) {
        return (BOOLEAN)(Queue->Count == 0);
    }
    if (Queue->Root->Parent != NULL || CheckSubtree(Queue->Root, &Valid) != Queue->Count) {
        return FALSE;
    }
    /* Completeness: the path to position Count exists (with the node count equal, the tree is complete). */
    {
        const KTIMER_QUEUE_ENTRY *Entry = Queue->Root;
        ULONG Bit = 0;
        while ((Queue->Count >> Bit) > 1) {
            Bit++;
        }
        while (Bit-- != 0 && Entry != NULL) {
            Entry = ((Queue->Count >> Bit) & 1) ? Entry->Right : Entry->Left;
        }
        Valid = (BOOLEAN)(Valid && Entry != NULL && Entry->Left == NULL);
    }
    return Valid;
}

XTEST(DifferentialAgainstSortedReference) {
    KTIMER_QUEUE Queue;
    ULONGLONG State = 0x71AE12;
    ULONGLONG Order = 0;
    ULONG Mismatches = 0;
    ULONG BadShapes = 0;
    ULONG Counts[4] = {0};

    KiInitializeTimerQueue(&Queue);
    ReferenceCount = 0;
    for (ULONG Index = 0; Index < POOL_SIZE; Index++) {
        Timers[Index].Id = Index;
        KiInitializeTimerQueueEntry(&Timers[Index].Entry);
    }
    for (ULONG Operation = 0; Operation < 1000000; Operation++) {
        ULONGLONG Choice = Random64(&State);
        PTEST_TIMER Timer = &Timers[(Choice >> 8) % POOL_SIZE];
        ULONG Kind = (ULONG)(Choice % 8);
        /* Drift the mix so the queue nearly fills the pool and drains to empty in turn: growing, 7/8 inserts and
         * 1/8 cancels or pops; shrinking, 2/8 inserts, 4/8 cancels, 2/8 pops. */
        BOOLEAN Growing = ((Operation / 50000) & 1) == 0;
        ULONG Action =
            (Kind < (Growing ? 7u : 2u)) ? 0 : (Growing ? (ULONG)((Choice >> 41) & 1) + 1 : (Kind < 6 ? 1 : 2));

        if (Action == 0) {
            /* Insert (or, for a queued timer, cancel then re-insert, like KeSetTimer on a pending timer). */
            ULONGLONG Due = Random64(&State);
            Due = ((Choice >> 40) & 1) ? Due % 64 : Due; /* many equal due times, or the whole 64-bit range */
            LONG Index = ReferenceFind(Timer->Id);
            Mismatches += ((Index >= 0) != Timer->Entry.Inserted);
            if (Index >= 0) {
                ReferenceRemoveAt((ULONG)Index);
            }
            if (Timer->Entry.Inserted) {
                Mismatches += !KiRemoveTimerQueue(&Queue, &Timer->Entry);
            }
            KiInsertTimerQueue(&Queue, &Timer->Entry, Due);
            ReferenceInsert(Due, Order++, Timer->Id);
            Counts[0]++;
        } else if (Action == 1) {
            /* Cancel an arbitrary timer, queued or not. */
            LONG Index = ReferenceFind(Timer->Id);
            BOOLEAN Removed = KiRemoveTimerQueue(&Queue, &Timer->Entry);
            Mismatches += (Removed != (Index >= 0));
            if (Index >= 0) {
                ReferenceRemoveAt((ULONG)Index);
            }
            Counts[1]++;
        } else {
            /* Pop the earliest. */
            PKTIMER_QUEUE_ENTRY Entry = KiPopTimerQueue(&Queue);
            if (ReferenceCount == 0) {
                Mismatches += (Entry != NULL);
            } else {
                Mismatches +=
                    (IdOf(Entry) != Reference[0].Id || Entry->DueTime != Reference[0].DueTime || Entry->Inserted);
                ReferenceRemoveAt(0);
            }
            Counts[2]++;
        }
        Mismatches += (Queue.Count != ReferenceCount);
        Mismatches += (IdOf(KiPeekTimerQueue(&Queue)) != (ReferenceCount ? Reference[0].Id : ~0u));
        if (Operation % 997 == 0) {
            BadShapes += !CheckQueue(&Queue);
            Counts[3] = (Counts[3] > Queue.Count) ? Counts[3] : (ULONG)Queue.Count;
        }
    }
    XTEST_CHECK_EQ(Mismatches, 0);
    XTEST_CHECK_EQ(BadShapes, 0);
    XTEST_CHECK(Counts[0] > 100000 && Counts[1] > 100000 && Counts[2] > 100000);
    XTEST_CHECK(Counts[3] > POOL_SIZE * 3 / 4); /* the queue did fill up */
    XtestPrint("inserts %u, cancels %u, pops %u, largest queue %u\n", Counts[0], Counts[1], Counts[2], Counts[3]);
    /* Drain: everything comes out in reference order. */
    while (ReferenceCount != 0) {
        PKTIMER_QUEUE_ENTRY Entry = KiPopTimerQueue(&Queue);
        XTEST_ASSERT_EQ(IdOf(Entry), Reference[0].Id);
        ReferenceRemoveAt(0);
    }
    XTEST_CHECK(KiPopTimerQueue(&Queue) == NULL);
    XTEST_CHECK(CheckQueue(&Queue));
}

/* Queues Count timers with due times 10, 20, ... and returns the queue. */
static VOID FillQueue(PKTIMER_QUEUE Queue, ULONG Count) {
    KiInitializeTimerQueue(Queue);
    for (ULONG Index = 0; Index < Count; Index++) {
        Timers[Index].Id = Index;
        KiInitializeTimerQueueEntry(&Timers[Index].Entry);
        KiInsertTimerQueue(Queue, &Timers[Index].Entry, 10 * (ULONGLONG)(Count - Index)); /* reverse order */
    }
}

/* Pops everything; TRUE when the ids come out as Expected (Count of them). */
static BOOLEAN DrainMatches(PKTIMER_QUEUE Queue, const ULONG *Expected, ULONG Count) {
    for (ULONG Index = 0; Index < Count; Index++) {
        if (IdOf(KiPopTimerQueue(Queue)) != Expected[Index]) {
            return FALSE;
        }
    }
    return (BOOLEAN)(KiPopTimerQueue(Queue) == NULL);
}

XTEST(CancelHeadMiddleTail) {
    KTIMER_QUEUE Queue;
    /* Ids 0..6 with due times 70, 60, ..., 10: expiry order is 6, 5, ..., 0. */
    static const ULONG AfterHead[] = {5, 4, 3, 2, 1, 0};
    static const ULONG AfterMiddle[] = {6, 5, 4, 2, 1, 0};
    static const ULONG AfterTail[] = {6, 5, 4, 3, 2, 1};

    FillQueue(&Queue, 7);
    XTEST_CHECK(KiRemoveTimerQueue(&Queue, &Timers[6].Entry)); /* the earliest (the root) */
    XTEST_CHECK(!KiRemoveTimerQueue(&Queue, &Timers[6].Entry));
    XTEST_CHECK(CheckQueue(&Queue));
    XTEST_CHECK(DrainMatches(&Queue, AfterHead, ARRAY_SIZE(AfterHead)));

    FillQueue(&Queue, 7);
    XTEST_CHECK(KiRemoveTimerQueue(&Queue, &Timers[3].Entry));
    XTEST_CHECK(CheckQueue(&Queue));
    XTEST_CHECK(DrainMatches(&Queue, AfterMiddle, ARRAY_SIZE(AfterMiddle)));

    FillQueue(&Queue, 7);
    XTEST_CHECK(KiRemoveTimerQueue(&Queue, &Timers[0].Entry)); /* the latest */
    XTEST_CHECK(CheckQueue(&Queue));
    XTEST_CHECK(DrainMatches(&Queue, AfterTail, ARRAY_SIZE(AfterTail)));

    /* The entry in the heap's last position (no entry moves into its place). */
    FillQueue(&Queue, 7);
    {
        PKTIMER_QUEUE_ENTRY Last = Queue.Root->Right->Right;
        XTEST_ASSERT(Last != NULL && Last->Left == NULL);
        XTEST_CHECK(KiRemoveTimerQueue(&Queue, Last));
        XTEST_CHECK(CheckQueue(&Queue));
    }
    {
        ULONG Remaining = 0;
        PKTIMER_QUEUE_ENTRY Entry;
        ULONGLONG Previous = 0;
        while ((Entry = KiPopTimerQueue(&Queue)) != NULL) {
            XTEST_CHECK(Entry->DueTime >= Previous);
            Previous = Entry->DueTime;
            Remaining++;
        }
        XTEST_CHECK_EQ(Remaining, 6);
    }

    /* The only entry, and cancel of a timer that was never queued. */
    FillQueue(&Queue, 1);
    XTEST_CHECK(KiRemoveTimerQueue(&Queue, &Timers[0].Entry));
    XTEST_CHECK(Queue.Root == NULL && Queue.Count == 0);
    KiInitializeTimerQueueEntry(&Timers[1].Entry);
    XTEST_CHECK(!KiRemoveTimerQueue(&Queue, &Timers[1].Entry));
    XTEST_CHECK(KiPeekTimerQueue(&Queue) == NULL && KiPopTimerQueue(&Queue) == NULL);
}

XTEST(EqualDueTimesAreFifo) {
    KTIMER_QUEUE Queue;
    ULONG Failures = 0;

    KiInitializeTimerQueue(&Queue);
    for (ULONG Index = 0; Index < 300; Index++) {
        Timers[Index].Id = Index;
        KiInitializeTimerQueueEntry(&Timers[Index].Entry);
        KiInsertTimerQueue(&Queue, &Timers[Index].Entry, 1000 + (Index % 3)); /* three groups, interleaved */
    }
    /* Cancel and re-insert timer 0: it goes to the back of its group. */
    XTEST_CHECK(KiRemoveTimerQueue(&Queue, &Timers[0].Entry));
    KiInsertTimerQueue(&Queue, &Timers[0].Entry, 1000);
    for (ULONG Group = 0; Group < 3; Group++) {
        for (ULONG Index = Group; Index < 300; Index += 3) {
            ULONG Expected = (Group == 0) ? ((Index + 3 < 300) ? Index + 3 : 0) : Index;
            PKTIMER_QUEUE_ENTRY Entry = KiPopTimerQueue(&Queue);
            Failures += (IdOf(Entry) != Expected || Entry->DueTime != 1000 + Group);
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
    XTEST_CHECK(KiPopTimerQueue(&Queue) == NULL);
}

XTEST(FullUnsignedRange) {
    static const ULONGLONG Dues[] = {
        0xFFFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 0x7FFFFFFFFFFFFFFFULL, 0, 0x100000000ULL, 0xFFFFFFFFULL, 1,
        0xFFFFFFFFFFFFFFFEULL};
    static const ULONG Expected[] = {3, 6, 5, 4, 2, 1, 7, 0};
    KTIMER_QUEUE Queue;

    KiInitializeTimerQueue(&Queue);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Dues); Index++) {
        Timers[Index].Id = Index;
        KiInitializeTimerQueueEntry(&Timers[Index].Entry);
        KiInsertTimerQueue(&Queue, &Timers[Index].Entry, Dues[Index]);
    }
    /* Compared unsigned: at time 0 only the entry due at 0 has expired (2^63 and above are not "negative"). */
    XTEST_CHECK_EQ(IdOf(KiPopExpiredTimerQueue(&Queue, 0)), 3);
    XTEST_CHECK(KiPopExpiredTimerQueue(&Queue, 0) == NULL);
    KiInsertTimerQueue(&Queue, &Timers[3].Entry, 0);
    XTEST_CHECK(DrainMatches(&Queue, Expected, ARRAY_SIZE(Expected)));
}

XTEST_SUITE(KeTimerQueueSuite, XTEST_ENTRY(DifferentialAgainstSortedReference), XTEST_ENTRY(CancelHeadMiddleTail),
            XTEST_ENTRY(EqualDueTimesAreFifo), XTEST_ENTRY(FullUnsignedRange));

XTEST_HOST_MAIN(&KeTimerQueueSuite)

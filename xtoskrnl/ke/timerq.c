/* Kernel timer queue: an intrusive, pointer-linked binary min-heap keyed by (DueTime, Sequence). */
#include <timerq.h>

/* TRUE when First must leave the queue before Second. */
static BOOLEAN KipTimerBefore(const KTIMER_QUEUE_ENTRY *First, const KTIMER_QUEUE_ENTRY *Second) {
    if (First->DueTime != Second->DueTime) {
        return (BOOLEAN)(First->DueTime < Second->DueTime);
    }
    return (BOOLEAN)(First->Sequence < Second->Sequence);
}

/* The entry at 1-based heap position Position (1 <= Position <= Count). */
static PKTIMER_QUEUE_ENTRY KipTimerAt(const KTIMER_QUEUE *Queue, ULONG_PTR Position) {
    PKTIMER_QUEUE_ENTRY Entry = Queue->Root;
    ULONG Bit = 0;

    while ((Position >> Bit) > 1) {
        Bit++;
    }
    while (Bit-- != 0) {
        Entry = ((Position >> Bit) & 1) ? Entry->Right : Entry->Left;
    }
    return Entry;
}

/* Points the link that referred to Old (Parent's child or the root) at New. */
static VOID KipTimerRelink(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Parent, PKTIMER_QUEUE_ENTRY Old,
                           PKTIMER_QUEUE_ENTRY New) {
    if (Parent == NULL) {
        Queue->Root = New;
    } else if (Parent->Left == Old) {
        Parent->Left = New;
    } else {
        Parent->Right = New;
    }
}

/* Exchanges Child with its parent Parent in the tree (the entries stay where the caller embedded them). */
static VOID KipTimerSwapWithParent(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Parent, PKTIMER_QUEUE_ENTRY Child) {
    PKTIMER_QUEUE_ENTRY Grandparent = Parent->Parent;
    PKTIMER_QUEUE_ENTRY ChildLeft = Child->Left;
    PKTIMER_QUEUE_ENTRY ChildRight = Child->Right;

    if (Parent->Left == Child) {
        Child->Left = Parent;
        Child->Right = Parent->Right;
        if (Child->Right != NULL) {
            Child->Right->Parent = Child;
        }
    } else {
        Child->Right = Parent;
        Child->Left = Parent->Left;
        if (Child->Left != NULL) {
            Child->Left->Parent = Child;
        }
    }
    Parent->Left = ChildLeft;
    Parent->Right = ChildRight;
    if (ChildLeft != NULL) {
        ChildLeft->Parent = Parent;
    }
    if (ChildRight != NULL) {
        ChildRight->Parent = Parent;
    }
    Parent->Parent = Child;
    Child->Parent = Grandparent;
    KipTimerRelink(Queue, Grandparent, Parent, Child);
}

/* Moves Entry up while it is earlier than its parent. */
static VOID KipTimerSiftUp(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Entry) {
    while (Entry->Parent != NULL && KipTimerBefore(Entry, Entry->Parent)) {
        KipTimerSwapWithParent(Queue, Entry->Parent, Entry);
    }
}

/* Moves Entry down while a child is earlier than it. */
static VOID KipTimerSiftDown(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Entry) {
    for (;;) {
        PKTIMER_QUEUE_ENTRY Child = Entry->Left;
        if (Child == NULL) {
            return;
        }
        if (Entry->Right != NULL && KipTimerBefore(Entry->Right, Child)) {
            Child = Entry->Right;
        }
        if (!KipTimerBefore(Child, Entry)) {
            return;
        }
        KipTimerSwapWithParent(Queue, Entry, Child);
    }
}

VOID KiInitializeTimerQueue(PKTIMER_QUEUE Queue) {
    Queue->Root = NULL;
    Queue->Count = 0;
    Queue->NextSequence = 0;
}

VOID KiInitializeTimerQueueEntry(PKTIMER_QUEUE_ENTRY Entry) {
    Entry->Parent = NULL;
    Entry->Left = NULL;
    Entry->Right = NULL;
    Entry->DueTime = 0;
    Entry->Sequence = 0;
    Entry->Inserted = FALSE;
}

VOID KiInsertTimerQueue(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Entry, ULONGLONG DueTime) {
    ULONG_PTR Position = Queue->Count + 1;

    Entry->DueTime = DueTime;
    Entry->Sequence = Queue->NextSequence++;
    Entry->Left = NULL;
    Entry->Right = NULL;
    Entry->Inserted = TRUE;
    if (Position == 1) {
        Entry->Parent = NULL;
        Queue->Root = Entry;
    } else {
        PKTIMER_QUEUE_ENTRY Parent = KipTimerAt(Queue, Position / 2);
        Entry->Parent = Parent;
        if (Position & 1) {
            Parent->Right = Entry;
        } else {
            Parent->Left = Entry;
        }
    }
    Queue->Count = Position;
    KipTimerSiftUp(Queue, Entry);
}

BOOLEAN KiRemoveTimerQueue(PKTIMER_QUEUE Queue, PKTIMER_QUEUE_ENTRY Entry) {
    PKTIMER_QUEUE_ENTRY Last;

    if (!Entry->Inserted) {
        return FALSE;
    }
    /* Detach the last entry of the complete tree, then let it take Entry's place and restore the order. */
    Last = KipTimerAt(Queue, Queue->Count);
    KipTimerRelink(Queue, Last->Parent, Last, NULL);
    Queue->Count--;
    if (Last != Entry) {
        Last->Parent = Entry->Parent;
        Last->Left = Entry->Left;
        Last->Right = Entry->Right;
        if (Last->Left != NULL) {
            Last->Left->Parent = Last;
        }
        if (Last->Right != NULL) {
            Last->Right->Parent = Last;
        }
        KipTimerRelink(Queue, Last->Parent, Entry, Last);
        KipTimerSiftUp(Queue, Last);
        KipTimerSiftDown(Queue, Last);
    }
    Entry->Parent = NULL;
    Entry->Left = NULL;
    Entry->Right = NULL;
    Entry->Inserted = FALSE;
    return TRUE;
}

PKTIMER_QUEUE_ENTRY KiPopTimerQueue(PKTIMER_QUEUE Queue) {
    PKTIMER_QUEUE_ENTRY Entry = Queue->Root;

    if (Entry != NULL) {
        KiRemoveTimerQueue(Queue, Entry);
    }
    return Entry;
}

PKTIMER_QUEUE_ENTRY KiPopExpiredTimerQueue(PKTIMER_QUEUE Queue, ULONGLONG Now) {
    if (Queue->Root == NULL || Queue->Root->DueTime > Now) {
        return NULL;
    }
    return KiPopTimerQueue(Queue);
}

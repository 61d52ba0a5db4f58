/* Interlocked singly linked lists (NT's SLIST): a LIFO whose header is swapped whole by the arch's double-width
 * compare-exchange, with a push sequence against ABA. The algorithm, shared by the arch files (amd64/slist.c,
 * i686/slist.c), which define RtlpSwapSListHeader (the compare-exchange, inline) before including this. */
#ifndef XT_RTL_SLISTP_H
#define XT_RTL_SLISTP_H

#include <rtl.h>

/* A snapshot of the header: the two words read one after the other. A torn pair only makes the compare-exchange
 * fail, which then returns the whole current header. */
XTFORCEINLINE VOID RtlpReadSListHeader(PSLIST_HEADER ListHead, PSLIST_HEADER Snapshot) {
    Snapshot->Next = __atomic_load_n(&ListHead->Next, __ATOMIC_ACQUIRE);
    Snapshot->DepthSequence = __atomic_load_n(&ListHead->DepthSequence, __ATOMIC_ACQUIRE);
}

VOID RtlInitializeSListHead(PSLIST_HEADER ListHead) {
    ListHead->Next = NULL;
    ListHead->DepthSequence = 0;
}

PSLIST_ENTRY RtlInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry) {
    SLIST_HEADER Old, New;
    ULONG_PTR Count;

    RtlpReadSListHeader(ListHead, &Old);
    do {
        ListEntry->Next = Old.Next;
        Count = Old.DepthSequence;
        New.Next = ListEntry;
        New.DepthSequence = ((Count + RTL_SLIST_SEQUENCE_ONE) & ~(ULONG_PTR)RTL_SLIST_DEPTH_MASK) |
                            ((Count + 1) & RTL_SLIST_DEPTH_MASK);
    } while (!RtlpSwapSListHeader(ListHead, &Old, &New));
    return Old.Next;
}

PSLIST_ENTRY RtlInterlockedPopEntrySList(PSLIST_HEADER ListHead) {
    SLIST_HEADER Old, New;
    ULONG_PTR Count;

    RtlpReadSListHeader(ListHead, &Old);
    do {
        if (Old.Next == NULL) {
            return NULL;
        }
        /* The entry may have been popped (and its link changed) by another processor meanwhile: then the header's
         * sequence or first entry changed too, and the compare-exchange fails. */
        New.Next = __atomic_load_n(&Old.Next->Next, __ATOMIC_RELAXED);
        Count = Old.DepthSequence;
        New.DepthSequence = (Count & ~(ULONG_PTR)RTL_SLIST_DEPTH_MASK) | ((Count - 1) & RTL_SLIST_DEPTH_MASK);
    } while (!RtlpSwapSListHeader(ListHead, &Old, &New));
    return Old.Next;
}

PSLIST_ENTRY RtlInterlockedFlushSList(PSLIST_HEADER ListHead) {
    SLIST_HEADER Old, New;

    RtlpReadSListHeader(ListHead, &Old);
    do {
        if (Old.Next == NULL) {
            return NULL;
        }
        New.Next = NULL;
        New.DepthSequence = Old.DepthSequence & ~(ULONG_PTR)RTL_SLIST_DEPTH_MASK;
    } while (!RtlpSwapSListHeader(ListHead, &Old, &New));
    return Old.Next;
}

USHORT RtlQueryDepthSList(PSLIST_HEADER ListHead) {
    return (USHORT)(__atomic_load_n(&ListHead->DepthSequence, __ATOMIC_RELAXED) & RTL_SLIST_DEPTH_MASK);
}

BOOLEAN RtlpCompareExchangeSListHeader(PSLIST_HEADER ListHead, PSLIST_HEADER Comparand, const SLIST_HEADER *Exchange) {
    return RtlpSwapSListHeader(ListHead, Comparand, Exchange);
}

#endif

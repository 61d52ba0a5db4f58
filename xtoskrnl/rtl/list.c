/* Doubly linked lists with link checks on every insert and remove (NT shape). */
#include <rtl.h>

/* Fails fast unless Entry's neighbours point back to it. */
XTINLINE VOID RtlpCheckListEntry(PLIST_ENTRY Entry) {
    if (Entry->Flink->Blink != Entry || Entry->Blink->Flink != Entry) {
        RtlFailFast(RTL_FAIL_CORRUPT_LIST_ENTRY, (ULONG_PTR)Entry, (ULONG_PTR)Entry->Flink);
    }
}

VOID RtlInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry) {
    PLIST_ENTRY Next = ListHead->Flink;

    if (Next->Blink != ListHead) {
        RtlFailFast(RTL_FAIL_CORRUPT_LIST_ENTRY, (ULONG_PTR)ListHead, (ULONG_PTR)Next);
    }
    Entry->Flink = Next;
    Entry->Blink = ListHead;
    Next->Blink = Entry;
    ListHead->Flink = Entry;
}

VOID RtlInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry) {
    PLIST_ENTRY Previous = ListHead->Blink;

    if (Previous->Flink != ListHead) {
        RtlFailFast(RTL_FAIL_CORRUPT_LIST_ENTRY, (ULONG_PTR)ListHead, (ULONG_PTR)Previous);
    }
    Entry->Flink = ListHead;
    Entry->Blink = Previous;
    Previous->Flink = Entry;
    ListHead->Blink = Entry;
}

BOOLEAN RtlRemoveEntryList(PLIST_ENTRY Entry) {
    PLIST_ENTRY Next;
    PLIST_ENTRY Previous;

    RtlpCheckListEntry(Entry);
    Next = Entry->Flink;
    Previous = Entry->Blink;
    Previous->Flink = Next;
    Next->Blink = Previous;
    return (BOOLEAN)(Next == Previous);
}

PLIST_ENTRY RtlRemoveHeadList(PLIST_ENTRY ListHead) {
    PLIST_ENTRY Entry = ListHead->Flink;

    RtlpCheckListEntry(ListHead);
    if (Entry != ListHead) {
        RtlRemoveEntryList(Entry);
    }
    return Entry;
}

PLIST_ENTRY RtlRemoveTailList(PLIST_ENTRY ListHead) {
    PLIST_ENTRY Entry = ListHead->Blink;

    RtlpCheckListEntry(ListHead);
    if (Entry != ListHead) {
        RtlRemoveEntryList(Entry);
    }
    return Entry;
}

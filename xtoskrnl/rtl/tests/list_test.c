/* RtlListSuite: doubly and singly linked lists (corruption detection is host-only: list_corruption_test.c). */
#include "rtl_suites.h"
#include "rtl_test_util.h"

typedef struct _TEST_ITEM {
    ULONG Value;
    LIST_ENTRY Link;
} TEST_ITEM;

/* Checks that the list holds exactly Values[0..Count) forward and backward and that every link is consistent. */
static BOOLEAN TestListMatches(PLIST_ENTRY Head, const ULONG *Values, ULONG Count) {
    PLIST_ENTRY Entry = Head->Flink;
    ULONG Index = 0;

    for (; Entry != Head; Entry = Entry->Flink, Index++) {
        if (Index >= Count || CONTAINING_RECORD(Entry, TEST_ITEM, Link)->Value != Values[Index] ||
            Entry->Flink->Blink != Entry || Entry->Blink->Flink != Entry) {
            return FALSE;
        }
    }
    if (Index != Count) {
        return FALSE;
    }
    for (Entry = Head->Blink; Entry != Head; Entry = Entry->Blink) {
        if (Index == 0 || CONTAINING_RECORD(Entry, TEST_ITEM, Link)->Value != Values[--Index]) {
            return FALSE;
        }
    }
    return (BOOLEAN)(Index == 0);
}

XTEST(EmptyList) {
    LIST_ENTRY Head;

    RtlInitializeListHead(&Head);
    XTEST_CHECK(RtlListEmpty(&Head));
    XTEST_CHECK(Head.Flink == &Head && Head.Blink == &Head);
    XTEST_CHECK(RtlRemoveHeadList(&Head) == &Head);
    XTEST_CHECK(RtlRemoveTailList(&Head) == &Head);
    XTEST_CHECK(RtlListEmpty(&Head));
    XTEST_CHECK(Head.Flink == &Head && Head.Blink == &Head);
}

XTEST(SingleEntry) {
    LIST_ENTRY Head;
    TEST_ITEM Item = {7, {NULL, NULL}};

    RtlInitializeListHead(&Head);
    RtlInsertTailList(&Head, &Item.Link);
    XTEST_CHECK(!RtlListEmpty(&Head));
    XTEST_CHECK(Head.Flink == &Item.Link && Head.Blink == &Item.Link);
    XTEST_CHECK(Item.Link.Flink == &Head && Item.Link.Blink == &Head);
    XTEST_CHECK_EQ(RtlRemoveEntryList(&Item.Link), TRUE);
    XTEST_CHECK(RtlListEmpty(&Head));
    XTEST_CHECK(Head.Blink == &Head);

    RtlInsertHeadList(&Head, &Item.Link);
    XTEST_CHECK(RtlRemoveHeadList(&Head) == &Item.Link);
    XTEST_CHECK(RtlListEmpty(&Head));
    RtlInsertHeadList(&Head, &Item.Link);
    XTEST_CHECK(RtlRemoveTailList(&Head) == &Item.Link);
    XTEST_CHECK(RtlListEmpty(&Head));
}

XTEST(InsertOrder) {
    static const ULONG Expected[] = {3, 1, 2, 4};
    LIST_ENTRY Head;
    TEST_ITEM Items[5];
    ULONG Index;

    for (Index = 0; Index < 5; Index++) {
        Items[Index].Value = Index;
    }
    RtlInitializeListHead(&Head);
    RtlInsertTailList(&Head, &Items[1].Link);
    RtlInsertTailList(&Head, &Items[2].Link);
    RtlInsertHeadList(&Head, &Items[3].Link);
    RtlInsertTailList(&Head, &Items[4].Link);
    XTEST_CHECK(TestListMatches(&Head, Expected, 4));
}

XTEST(RemoveReportsLastEntry) {
    static const ULONG AfterMiddle[] = {0, 2};
    static const ULONG AfterFirst[] = {2};
    LIST_ENTRY Head;
    TEST_ITEM Items[3];
    ULONG Index;

    RtlInitializeListHead(&Head);
    for (Index = 0; Index < 3; Index++) {
        Items[Index].Value = Index;
        RtlInsertTailList(&Head, &Items[Index].Link);
    }
    XTEST_CHECK_EQ(RtlRemoveEntryList(&Items[1].Link), FALSE);
    XTEST_CHECK(TestListMatches(&Head, AfterMiddle, 2));
    XTEST_CHECK_EQ(RtlRemoveEntryList(&Items[0].Link), FALSE);
    XTEST_CHECK(TestListMatches(&Head, AfterFirst, 1));
    XTEST_CHECK_EQ(RtlRemoveEntryList(&Items[2].Link), TRUE);
    XTEST_CHECK(RtlListEmpty(&Head));
    XTEST_CHECK(TestListMatches(&Head, NULL, 0));
}

XTEST(RemoveHeadAndTail) {
    static const ULONG Middle[] = {1, 2, 3};
    LIST_ENTRY Head;
    TEST_ITEM Items[5];
    PLIST_ENTRY Entry;
    ULONG Index;

    RtlInitializeListHead(&Head);
    for (Index = 0; Index < 5; Index++) {
        Items[Index].Value = Index;
        RtlInsertTailList(&Head, &Items[Index].Link);
    }
    Entry = RtlRemoveHeadList(&Head);
    XTEST_CHECK_EQ(CONTAINING_RECORD(Entry, TEST_ITEM, Link)->Value, 0);
    Entry = RtlRemoveTailList(&Head);
    XTEST_CHECK_EQ(CONTAINING_RECORD(Entry, TEST_ITEM, Link)->Value, 4);
    XTEST_CHECK(TestListMatches(&Head, Middle, 3));
    for (Index = 0; Index < 3; Index++) {
        Entry = RtlRemoveTailList(&Head);
        XTEST_CHECK_EQ(CONTAINING_RECORD(Entry, TEST_ITEM, Link)->Value, 3 - Index);
    }
    XTEST_CHECK(RtlListEmpty(&Head));
    XTEST_CHECK(RtlRemoveTailList(&Head) == &Head);
}

XTEST(SingleListLifo) {
    SINGLE_LIST_ENTRY Head = {NULL};
    SINGLE_LIST_ENTRY Entries[3];
    ULONG Index;

    XTEST_CHECK(RtlPopEntryList(&Head) == NULL);
    for (Index = 0; Index < 3; Index++) {
        RtlPushEntryList(&Head, &Entries[Index]);
    }
    XTEST_CHECK(Head.Next == &Entries[2]);
    XTEST_CHECK(RtlPopEntryList(&Head) == &Entries[2]);
    XTEST_CHECK(RtlPopEntryList(&Head) == &Entries[1]);
    XTEST_CHECK(RtlPopEntryList(&Head) == &Entries[0]);
    XTEST_CHECK(Head.Next == NULL);
    XTEST_CHECK(RtlPopEntryList(&Head) == NULL);
}

XTEST_SUITE(RtlListSuite, XTEST_ENTRY(EmptyList), XTEST_ENTRY(SingleEntry), XTEST_ENTRY(InsertOrder),
            XTEST_ENTRY(RemoveReportsLastEntry), XTEST_ENTRY(RemoveHeadAndTail), XTEST_ENTRY(SingleListLifo));

/* RtlListCorruptionSuite (host-only): every insert and remove fails fast on broken links. */
#include "host_failfast.h"
#include "xtest.h"

extern const XTEST_SUITE RtlListCorruptionSuite;

typedef struct _CORRUPTION_CASE {
    LIST_ENTRY Head;
    LIST_ENTRY Entries[3];
    LIST_ENTRY Extra;
} CORRUPTION_CASE;

/* A three-entry list. */
static VOID BuildList(CORRUPTION_CASE *Case) {
    ULONG Index;

    RtlInitializeListHead(&Case->Head);
    for (Index = 0; Index < 3; Index++) {
        RtlInsertTailList(&Case->Head, &Case->Entries[Index]);
    }
}

static VOID RemoveMiddle(PVOID Context) {
    RtlRemoveEntryList(&((CORRUPTION_CASE *)Context)->Entries[1]);
}
static VOID InsertHead(PVOID Context) {
    RtlInsertHeadList(&((CORRUPTION_CASE *)Context)->Head, &((CORRUPTION_CASE *)Context)->Extra);
}
static VOID InsertTail(PVOID Context) {
    RtlInsertTailList(&((CORRUPTION_CASE *)Context)->Head, &((CORRUPTION_CASE *)Context)->Extra);
}
static VOID RemoveHead(PVOID Context) {
    RtlRemoveHeadList(&((CORRUPTION_CASE *)Context)->Head);
}
static VOID RemoveTail(PVOID Context) {
    RtlRemoveTailList(&((CORRUPTION_CASE *)Context)->Head);
}

XTEST(IntactListDoesNotFail) {
    CORRUPTION_CASE Case;
    ULONG Code = 0;
    ULONG_PTR Parameter = 0;

    BuildList(&Case);
    XTEST_CHECK(!RtlTestCatchFailFast(RemoveMiddle, &Case, &Code, &Parameter));
    XTEST_CHECK(!RtlTestCatchFailFast(InsertHead, &Case, &Code, &Parameter));
    XTEST_CHECK(!RtlTestCatchFailFast(RemoveTail, &Case, &Code, &Parameter));
}

XTEST(RemoveEntryDetectsBrokenNeighbour) {
    CORRUPTION_CASE Case;
    LIST_ENTRY Stray;
    ULONG Code = 0;
    ULONG_PTR Parameter = 0;

    BuildList(&Case);
    Case.Entries[2].Blink = &Stray; /* Entries[1]->Flink->Blink != Entries[1] */
    XTEST_CHECK(RtlTestCatchFailFast(RemoveMiddle, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);
    XTEST_CHECK(Parameter == (ULONG_PTR)&Case.Entries[1]);
    XTEST_CHECK(Case.Entries[0].Flink == &Case.Entries[1]); /* nothing was unlinked */

    BuildList(&Case);
    Case.Entries[0].Flink = &Stray; /* Entries[1]->Blink->Flink != Entries[1] */
    XTEST_CHECK(RtlTestCatchFailFast(RemoveMiddle, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);
}

XTEST(InsertDetectsBrokenHead) {
    CORRUPTION_CASE Case;
    LIST_ENTRY Stray;
    ULONG Code = 0;
    ULONG_PTR Parameter = 0;

    BuildList(&Case);
    Case.Entries[0].Blink = &Stray; /* Head->Flink->Blink != Head */
    XTEST_CHECK(RtlTestCatchFailFast(InsertHead, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);
    XTEST_CHECK(Case.Head.Flink == &Case.Entries[0]);

    BuildList(&Case);
    Case.Entries[2].Flink = &Stray; /* Head->Blink->Flink != Head */
    XTEST_CHECK(RtlTestCatchFailFast(InsertTail, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);
    XTEST_CHECK(Case.Head.Blink == &Case.Entries[2]);
}

XTEST(RemoveHeadTailDetectCorruption) {
    CORRUPTION_CASE Case;
    LIST_ENTRY Stray;
    ULONG Code = 0;
    ULONG_PTR Parameter = 0;

    BuildList(&Case);
    Case.Entries[1].Blink = &Stray; /* the first entry's successor no longer points back */
    XTEST_CHECK(RtlTestCatchFailFast(RemoveHead, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);

    BuildList(&Case);
    Case.Entries[2].Flink = &Stray; /* the head's predecessor no longer points to it */
    XTEST_CHECK(RtlTestCatchFailFast(RemoveTail, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);

    /* A single entry whose links were overwritten. */
    RtlInitializeListHead(&Case.Head);
    RtlInsertTailList(&Case.Head, &Case.Extra);
    Case.Extra.Flink = &Stray;
    XTEST_CHECK(RtlTestCatchFailFast(RemoveHead, &Case, &Code, &Parameter));
    XTEST_CHECK_EQ(Code, RTL_FAIL_CORRUPT_LIST_ENTRY);
}

XTEST_SUITE(RtlListCorruptionSuite, XTEST_ENTRY(IntactListDoesNotFail), XTEST_ENTRY(RemoveEntryDetectsBrokenNeighbour),
            XTEST_ENTRY(InsertDetectsBrokenHead), XTEST_ENTRY(RemoveHeadTailDetectCorruption));

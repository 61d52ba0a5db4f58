/* ExHandleLiveSuite (SELFTEST): the handle table in the kernel, on both arches, its pages from the non-paged pool.
 * 100,000 handles (level 1 on amd64: 393 entry pages) are created, looked up and closed from the top; the table
 * shrinks back to one entry page, the pool tag's bytes return to zero, stale handles fail, the checker is clean.
 * The host test (handle_test) runs the 1,000,000-handle and multi-threaded cases. */
#include <ex.h>
#include <mm.h>

#include "ex_suites.h"

#define LIVE_HANDLES  100000u
#define LIVE_POOL_TAG MM_POOL_TAG('H', 'd', 'l', 'T')

static PVOID LiveAllocatePage(PVOID Context) {
    (VOID) Context;
    return MmAllocatePool(NonPagedPool, EX_HANDLE_PAGE_SIZE, LIVE_POOL_TAG);
}

static VOID LiveFreePage(PVOID Context, PVOID Page) {
    (VOID) Context;
    MmFreePool(Page, LIVE_POOL_TAG);
}

/* Distinct 8-byte-aligned stand-ins for objects (never dereferenced). */
#define LiveObject(Index) ((PVOID)(((ULONG_PTR)(Index) + 1) << 3))

static const EX_HANDLE_TABLE_PAGES LivePages = {LiveAllocatePage, LiveFreePage, NULL};

/* The pool bytes the tag holds now. */
static SIZE_T LiveTagBytes(VOID) {
    MM_POOL_TAG_STATISTICS Statistics;

    return MmQueryPoolTag(LIVE_POOL_TAG, &Statistics) ? Statistics.BytesInUse : 0;
}

XTEST(HundredThousandHandlesOnPoolPages) {
    static EX_HANDLE_TABLE Table;
    HANDLE *Handles = MmAllocatePool(NonPagedPool, LIVE_HANDLES * sizeof(HANDLE), MM_POOL_TAG('H', 'd', 'l', 'A'));
    SIZE_T Bytes = LiveTagBytes();
    ULONG Wrong = 0;
    PEX_HANDLE_TABLE_ENTRY Entry;

    XTEST_CHECK(Handles != NULL);
    if (Handles == NULL) {
        return;
    }
    XTEST_CHECK_EQ(ExInitializeHandleTable(&Table, &LivePages), STATUS_SUCCESS);
    for (ULONG Index = 0; Index < LIVE_HANDLES; Index++) {
        Wrong += ExCreateHandle(&Table, LiveObject(Index), Index, 0, &Handles[Index]) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Wrong, 0);
    XTEST_CHECK_EQ((ULONG_PTR)Handles[0], 4);
    XTEST_CHECK_EQ(Table.PageCount, (LIVE_HANDLES + 254) / 255);
    XTEST_CHECK_EQ(LiveTagBytes() - Bytes, (SIZE_T)Table.TablePages * EX_HANDLE_PAGE_SIZE);
    XTEST_CHECK_EQ(ExCheckHandleTable(&Table), 0);
    for (ULONG Index = 0; Index < LIVE_HANDLES; Index++) {
        Entry = ExMapHandleToEntry(&Table, Handles[Index]);
        Wrong += Entry == NULL || Entry->Object != ((ULONG_PTR)LiveObject(Index) | EX_HANDLE_ENTRY_LOCKED) ||
                 Entry->GrantedAccess != Index;
        if (Entry != NULL) {
            ExUnlockHandleTableEntry(&Table, Entry);
        }
    }
    XTEST_CHECK_EQ(Wrong, 0);
    for (ULONG Index = LIVE_HANDLES; Index-- > 0;) {
        Wrong += ExDestroyHandle(&Table, Handles[Index], NULL, NULL) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Wrong, 0);
    XTEST_CHECK(ExMapHandleToEntry(&Table, Handles[0]) == NULL); /* stale */
    XTEST_CHECK_EQ(ExDestroyHandle(&Table, Handles[LIVE_HANDLES - 1], NULL, NULL), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(Table.PageCount, 1);
    XTEST_CHECK_EQ(ExCheckHandleTable(&Table), 0);
    ExDestroyHandleTable(&Table, NULL, NULL);
    XTEST_CHECK_EQ(LiveTagBytes(), Bytes);
    MmFreePool(Handles, MM_POOL_TAG('H', 'd', 'l', 'A'));
}

XTEST_SUITE(ExHandleLiveSuite, XTEST_ENTRY(HundredThousandHandlesOnPoolPages));

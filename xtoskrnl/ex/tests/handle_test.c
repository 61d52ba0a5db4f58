/* ExHandleTableSuite (host): the handle table compiled as the kernel compiles it, pages from the C library, locks
 * over one modelled processor per thread (processor_model.c). Fresh handles are 4, 8, 12, ...; a closed handle fails
 * even after its entry was reused; the table grows to 1,000,000 handles and shrinks back to one page; protected
 * handles refuse to close; destruction reports every open handle once; four threads creating, looking up and
 * closing each other's handles leave a consistent table; the checker catches a damaged free list. */
#include <pthread.h>
#include <stdlib.h>

#include <ex.h>
#include <xtest.h>

/* Locks run over //xtoskrnl/ke/tests:processor_model: one modelled processor per thread. */

#define MILLION_HANDLES 1000000u
#define RACE_THREADS    4
#define RACE_SLOTS      4096
#define RACE_ROUNDS     50000

static volatile LONG PagesOut;

static PVOID TestAllocatePage(PVOID Context) {
    PLONG Budget = Context;

    if (Budget != NULL && __atomic_sub_fetch(Budget, 1, __ATOMIC_RELAXED) < 0) {
        return NULL;
    }
    __atomic_add_fetch(&PagesOut, 1, __ATOMIC_RELAXED);
    return aligned_alloc(EX_HANDLE_PAGE_SIZE, EX_HANDLE_PAGE_SIZE);
}

static VOID TestFreePage(PVOID Context, PVOID Page) {
    (VOID) Context;
    __atomic_sub_fetch(&PagesOut, 1, __ATOMIC_RELAXED);
    free(Page);
}

static const EX_HANDLE_TABLE_PAGES TestPages = {TestAllocatePage, TestFreePage, NULL};

/* Distinct 8-byte-aligned fake object pointers. */
#define TestObject(N) ((PVOID)(((ULONG_PTR)(N) + 1) << 4))

static PEX_HANDLE_TABLE NewTable(VOID) {
    PEX_HANDLE_TABLE Table = calloc(1, sizeof(*Table));

    if (Table == NULL || ExInitializeHandleTable(Table, &TestPages) != STATUS_SUCCESS) {
        abort();
    }
    return Table;
}

static VOID DeleteTable(PEX_HANDLE_TABLE Table) {
    ExDestroyHandleTable(Table, NULL, NULL);
    free(Table);
}

/* The object Handle names, or NULL. */
static PVOID Lookup(PEX_HANDLE_TABLE Table, HANDLE Handle) {
    PEX_HANDLE_TABLE_ENTRY Entry = ExMapHandleToEntry(Table, Handle);
    PVOID Object;

    if (Entry == NULL) {
        return NULL;
    }
    Object = (PVOID)(Entry->Object & ~EX_HANDLE_ENTRY_LOCKED);
    ExUnlockHandleTableEntry(Table, Entry);
    return Object;
}

XTEST(FreshHandlesStepByFourFromFour) {
    PEX_HANDLE_TABLE Table = NewTable();
    HANDLE Handle;

    for (ULONG Index = 1; Index <= 300; Index++) {
        XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(Index), 0x1F0003, 0, &Handle), STATUS_SUCCESS);
        /* slot 0 of each 256-entry page is the page's header: index 256 is skipped */
        XTEST_CHECK_EQ((ULONG_PTR)Handle, (ULONG_PTR)(Index < 256 ? Index : Index + 1) * 4);
        XTEST_CHECK(Lookup(Table, Handle) == TestObject(Index));
    }
    XTEST_CHECK(Lookup(Table, (HANDLE)0) == NULL);
    XTEST_CHECK(Lookup(Table, (HANDLE)(ULONG_PTR)(256 * 4)) == NULL);        /* a page header */
    XTEST_CHECK(Lookup(Table, (HANDLE)(ULONG_PTR)(302 * 4)) == NULL);        /* never handed out */
    XTEST_CHECK(Lookup(Table, (HANDLE)(ULONG_PTR)(4096 * 4)) == NULL);       /* past the last page */
    XTEST_CHECK(Lookup(Table, (HANDLE)(ULONG_PTR)(4 | 3)) == TestObject(1)); /* tag bits ignored */
    XTEST_CHECK(Lookup(Table, (HANDLE)(ULONG_PTR)(0x80000004u)) == NULL);    /* the Object Manager's bit */
    XTEST_CHECK_EQ(Table->HandleCount, 300);
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    DeleteTable(Table);
    XTEST_CHECK_EQ(PagesOut, 0);
}

XTEST(StaleHandleFailsAfterReuse) {
    PEX_HANDLE_TABLE Table = NewTable();
    HANDLE First, Handle, Previous;
    PVOID Object = NULL;
    ACCESS_MASK Access = 0;

    XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(1), 0x12, 0, &First), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ExDestroyHandle(Table, First, &Object, &Access), STATUS_SUCCESS);
    XTEST_CHECK(Object == TestObject(1) && Access == 0x12);
    XTEST_CHECK_EQ(ExDestroyHandle(Table, First, NULL, NULL), STATUS_INVALID_HANDLE); /* closed twice */
    Previous = First;
    for (ULONG Reuse = 1; Reuse <= EX_HANDLE_SEQUENCE_MASK; Reuse++) {
        XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(Reuse + 1), 0, 0, &Handle), STATUS_SUCCESS);
        XTEST_CHECK_EQ((ULONG_PTR)Handle & 0xFFFFFF, 4);       /* the same entry ... */
        XTEST_CHECK((ULONG_PTR)Handle != (ULONG_PTR)Previous); /* ... under a new value */
        XTEST_CHECK(Lookup(Table, First) == NULL);
        XTEST_CHECK(Lookup(Table, Previous) == NULL);
        XTEST_CHECK(Lookup(Table, Handle) == TestObject(Reuse + 1));
        XTEST_CHECK_EQ(ExDestroyHandle(Table, First, NULL, NULL), STATUS_INVALID_HANDLE);
        XTEST_CHECK_EQ(ExDestroyHandle(Table, Handle, NULL, NULL), STATUS_SUCCESS);
        Previous = Handle;
    }
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    DeleteTable(Table);
}

XTEST(GrowsToAMillionAndShrinksBack) {
    PEX_HANDLE_TABLE Table = NewTable();
    HANDLE *Handles = malloc(MILLION_HANDLES * sizeof(HANDLE));
    ULONG Wrong = 0;

    for (ULONG Index = 0; Index < MILLION_HANDLES; Index++) {
        XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(Index), Index, 0, &Handles[Index]), STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(Table->HandleCount, MILLION_HANDLES);
    XTEST_CHECK_EQ(Table->TableCode & EX_HANDLE_LEVEL_MASK, EX_HANDLE_POINTERS_PER_PAGE == 512 ? 2 : 1);
    XTEST_CHECK_EQ(Table->PageCount, (MILLION_HANDLES + 254) / 255);
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    for (ULONG Index = 0; Index < MILLION_HANDLES; Index++) {
        Wrong += Lookup(Table, Handles[Index]) != TestObject(Index);
    }
    XTEST_CHECK_EQ(Wrong, 0);
    for (ULONG Index = MILLION_HANDLES; Index-- > 0;) { /* from the top, so the table shrinks as it goes */
        Wrong += ExDestroyHandle(Table, Handles[Index], NULL, NULL) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Wrong, 0);
    XTEST_CHECK_EQ(Table->HandleCount, 0);
    XTEST_CHECK_EQ(Table->PageCount, 1);
    XTEST_CHECK_EQ(Table->TablePages, (Table->TableCode & EX_HANDLE_LEVEL_MASK) + 1); /* page 0 and its pointer pages */
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    DeleteTable(Table);
    XTEST_CHECK_EQ(PagesOut, 0);
    free(Handles);
}

XTEST(ProtectedHandleRefusesToClose) {
    PEX_HANDLE_TABLE Table = NewTable();
    HANDLE Handle;
    PEX_HANDLE_TABLE_ENTRY Entry;

    XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(1), 1, EX_HANDLE_PROTECT_FROM_CLOSE | EX_HANDLE_INHERIT, &Handle),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(ExDestroyHandle(Table, Handle, NULL, NULL), STATUS_HANDLE_NOT_CLOSABLE);
    XTEST_CHECK(Lookup(Table, Handle) == TestObject(1));
    Entry = ExMapHandleToEntry(Table, Handle);
    XTEST_CHECK(Entry != NULL);
    Entry->Attributes &= ~EX_HANDLE_PROTECT_FROM_CLOSE; /* what NtSetInformationObject does */
    ExUnlockHandleTableEntry(Table, Entry);
    XTEST_CHECK_EQ(ExDestroyHandle(Table, Handle, NULL, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ExCreateHandle(Table, NULL, 0, 0, &Handle), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ExCreateHandle(Table, (PVOID)0x1004, 0, 0, &Handle), STATUS_INVALID_PARAMETER); /* unaligned */
    XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(1), 0, 0x10, &Handle), STATUS_INVALID_PARAMETER);
    DeleteTable(Table);
}

static ULONG DestroyedCount;
static ULONG_PTR DestroyedSum;

static VOID CountDestroyed(PVOID Context, HANDLE Handle, PVOID Object, ACCESS_MASK GrantedAccess) {
    (VOID) Context, (VOID)GrantedAccess;
    DestroyedCount++;
    DestroyedSum += (ULONG_PTR)Object ^ (ULONG_PTR)Handle;
}

XTEST(DestroyReportsEveryOpenHandleOnce) {
    PEX_HANDLE_TABLE Table = NewTable();
    HANDLE Handle;
    ULONG_PTR Expected = 0;

    for (ULONG Index = 0; Index < 2000; Index++) {
        XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(Index), 0, 0, &Handle), STATUS_SUCCESS);
        if (Index % 3 == 0) {
            XTEST_CHECK_EQ(ExDestroyHandle(Table, Handle, NULL, NULL), STATUS_SUCCESS);
        } else {
            Expected += (ULONG_PTR)TestObject(Index) ^ (ULONG_PTR)Handle;
        }
    }
    DestroyedCount = 0;
    DestroyedSum = 0;
    ExDestroyHandleTable(Table, CountDestroyed, NULL);
    XTEST_CHECK_EQ(DestroyedCount, 2000 - 667);
    XTEST_CHECK_EQ(DestroyedSum, Expected);
    XTEST_CHECK_EQ(PagesOut, 0);
    free(Table);
}

XTEST(NoPageMeansInsufficientResources) {
    LONG Budget = 2; /* the first entry page and one pointer page */
    EX_HANDLE_TABLE_PAGES Pages = {TestAllocatePage, TestFreePage, &Budget};
    PEX_HANDLE_TABLE Table = calloc(1, sizeof(*Table));
    HANDLE Handle;
    ULONG Created = 0;

    XTEST_CHECK_EQ(ExInitializeHandleTable(Table, &Pages), STATUS_SUCCESS);
    while (ExCreateHandle(Table, TestObject(Created), 0, 0, &Handle) == STATUS_SUCCESS) {
        Created++;
    }
    XTEST_CHECK_EQ(Created, 255); /* page 0's; page 1 needs a pointer page and a page: one short */
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    ExDestroyHandleTable(Table, NULL, NULL);
    free(Table);
    XTEST_CHECK_EQ(PagesOut, 0);
}

XTEST(CheckerCatchesADamagedFreeList) {
    PEX_HANDLE_TABLE Table = NewTable();
    PEX_HANDLE_TABLE_ENTRY Entries = (PEX_HANDLE_TABLE_ENTRY)Table->TableCode;
    HANDLE Handle;

    XTEST_CHECK_EQ(ExCreateHandle(Table, TestObject(1), 0, 0, &Handle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    Entries[2].GrantedAccess = 1; /* the free list now runs into the open entry 1 */
    XTEST_CHECK(ExCheckHandleTable(Table) > 0);
    Entries[2].GrantedAccess = 3;
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    Entries[0].Page.FreeCount++;
    XTEST_CHECK(ExCheckHandleTable(Table) > 0);
    Entries[0].Page.FreeCount--;
    Table->HandleCount++;
    XTEST_CHECK(ExCheckHandleTable(Table) > 0);
    Table->HandleCount--;
    DeleteTable(Table);
}

/* The race: every thread creates handles into shared slots, looks up and closes slots other threads filled. */
static PEX_HANDLE_TABLE RaceTable;
static HANDLE volatile RaceSlots[RACE_SLOTS];
static volatile ULONG RaceWrongObject, RaceClosed, RaceCreated;

static PVOID RaceThread(PVOID Argument) {
    ULONG Seed = (ULONG)(ULONG_PTR)Argument * 2654435761u + 1;
    HANDLE Handle, Empty;
    PVOID Object;

    for (ULONG Round = 0; Round < RACE_ROUNDS; Round++) {
        ULONG Slot;

        Seed = Seed * 1103515245u + 12345u;
        Slot = (Seed >> 8) % RACE_SLOTS;
        Handle = RaceSlots[Slot];
        if (Handle == NULL) {
            if (ExCreateHandle(RaceTable, TestObject(Slot), Slot, 0, &Handle) != STATUS_SUCCESS) {
                abort();
            }
            Empty = NULL;
            __atomic_add_fetch(&RaceCreated, 1, __ATOMIC_RELAXED);
            if (!__atomic_compare_exchange_n(&RaceSlots[Slot], &Empty, Handle, FALSE, __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST)) {
                ExDestroyHandle(RaceTable, Handle, NULL, NULL); /* someone filled it first */
                __atomic_add_fetch(&RaceClosed, 1, __ATOMIC_RELAXED);
            }
        } else if (Seed & 0x10000) {
            Object = Lookup(RaceTable, Handle); /* may be closed under us: then NULL, never another object */
            if (Object != NULL && Object != TestObject(Slot)) {
                __atomic_add_fetch(&RaceWrongObject, 1, __ATOMIC_RELAXED);
            }
        } else if (__atomic_compare_exchange_n(&RaceSlots[Slot], &Handle, NULL, FALSE, __ATOMIC_SEQ_CST,
                                               __ATOMIC_SEQ_CST)) {
            if (ExDestroyHandle(RaceTable, Handle, &Object, NULL) != STATUS_SUCCESS || Object != TestObject(Slot)) {
                __atomic_add_fetch(&RaceWrongObject, 1, __ATOMIC_RELAXED);
            }
            __atomic_add_fetch(&RaceClosed, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

XTEST(FourThreadsCreateLookUpAndCloseAtOnce) {
    pthread_t Threads[RACE_THREADS];
    ULONG Open = 0;

    RaceTable = NewTable();
    for (ULONG Index = 0; Index < RACE_THREADS; Index++) {
        pthread_create(&Threads[Index], NULL, RaceThread, (PVOID)(ULONG_PTR)(Index + 1));
    }
    for (ULONG Index = 0; Index < RACE_THREADS; Index++) {
        pthread_join(Threads[Index], NULL);
    }
    for (ULONG Slot = 0; Slot < RACE_SLOTS; Slot++) {
        Open += RaceSlots[Slot] != NULL;
        XTEST_CHECK(RaceSlots[Slot] == NULL || Lookup(RaceTable, RaceSlots[Slot]) == TestObject(Slot));
    }
    XTEST_CHECK_EQ(RaceWrongObject, 0);
    XTEST_CHECK_EQ(RaceTable->HandleCount, Open);
    XTEST_CHECK_EQ(RaceCreated - RaceClosed, Open);
    XTEST_CHECK_EQ(ExCheckHandleTable(RaceTable), 0);
    XtestPrint("  ExHandleTableSuite: %u threads, %u handles created and %u closed, %u open at the end\n", RACE_THREADS,
               RaceCreated, RaceClosed, Open);
    DeleteTable(RaceTable);
}

XTEST_SUITE(ExHandleTableSuite, XTEST_ENTRY(FreshHandlesStepByFourFromFour), XTEST_ENTRY(StaleHandleFailsAfterReuse),
            XTEST_ENTRY(GrowsToAMillionAndShrinksBack), XTEST_ENTRY(ProtectedHandleRefusesToClose),
            XTEST_ENTRY(DestroyReportsEveryOpenHandleOnce), XTEST_ENTRY(NoPageMeansInsufficientResources),
            XTEST_ENTRY(CheckerCatchesADamagedFreeList), XTEST_ENTRY(FourThreadsCreateLookUpAndCloseAtOnce));

XTEST_HOST_MAIN(&ExHandleTableSuite)

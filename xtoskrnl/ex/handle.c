/* Handle tables: NT's three-level layout of page-sized tables, a free list per entry page, a two-level bitmap of the
 * pages with free slots (the lowest free index is found in O(1)), per-entry locks for lookups and a reader count
 * that keeps pages from being freed under a lookup. docs/objects.md has the picture and the rules. */
#include <rtl.h>

#include "ex.h"

/* The level and the top table of a table code. */
#define ExpTableLevel(Code) ((ULONG)((Code)&EX_HANDLE_LEVEL_MASK))
#define ExpTableTop(Code)   ((PVOID *)((Code) & ~(ULONG_PTR)EX_HANDLE_LEVEL_MASK))

/* The address of the pointer to entry page Page at levels 1 and 2 (the middle table must exist). */
static PVOID *ExpPageSlot(ULONG_PTR Code, ULONG Page) {
    PVOID *Top = ExpTableTop(Code);

    if (ExpTableLevel(Code) == 1) {
        return &Top[Page];
    }
    return &((PVOID *)Top[Page / EX_HANDLE_POINTERS_PER_PAGE])[Page % EX_HANDLE_POINTERS_PER_PAGE];
}

static PVOID ExpAllocatePage(PEX_HANDLE_TABLE Table) {
    PVOID Page = Table->Pages->Allocate(Table->Pages->Context);

    if (Page != NULL) {
        RtlZeroMemory(Page, EX_HANDLE_PAGE_SIZE);
        Table->TablePages++;
    }
    return Page;
}

static VOID ExpFreePage(PEX_HANDLE_TABLE Table, PVOID Page) {
    Table->Pages->Free(Table->Pages->Context, Page);
    Table->TablePages--;
}

static VOID ExpMarkPageFree(PEX_HANDLE_TABLE Table, ULONG Page, BOOLEAN HasFree) {
    ULONG Word = Page / 64;

    if (HasFree) {
        Table->FreePageMap[Word] |= 1ULL << (Page % 64);
        Table->FreeSummary[Word / 64] |= 1ULL << (Word % 64);
    } else {
        Table->FreePageMap[Word] &= ~(1ULL << (Page % 64));
        if (Table->FreePageMap[Word] == 0) {
            Table->FreeSummary[Word / 64] &= ~(1ULL << (Word % 64));
        }
    }
}

/* The lowest entry page with a free slot, or PageCount when there is none. */
static ULONG ExpFindFreePage(PEX_HANDLE_TABLE Table) {
    for (ULONG Summary = 0; Summary < ARRAY_SIZE(Table->FreeSummary); Summary++) {
        if (Table->FreeSummary[Summary] != 0) {
            ULONG Word = Summary * 64 + (ULONG)__builtin_ctzll(Table->FreeSummary[Summary]);
            return Word * 64 + (ULONG)__builtin_ctzll(Table->FreePageMap[Word]);
        }
    }
    return Table->PageCount;
}

/* Chains slots 1..255 of a new entry page into its free list. */
static VOID ExpFormatPage(PEX_HANDLE_TABLE_ENTRY Entries) {
    for (ULONG Slot = 1; Slot < EX_HANDLE_ENTRIES_PER_PAGE; Slot++) {
        Entries[Slot].GrantedAccess = Slot + 1 < EX_HANDLE_ENTRIES_PER_PAGE ? Slot + 1 : 0;
    }
    Entries[0].Page.FirstFree = 1;
    Entries[0].Page.FreeCount = EX_HANDLE_ENTRIES_PER_PAGE - 1;
}

/* Makes a pointer slot for entry page Page: the table one level up when its top is full (the old top becomes the new
 * top's entry 0), and at level 2 the middle table. FALSE without memory. Under the lock. */
static BOOLEAN ExpMakePageSlot(PEX_HANDLE_TABLE Table, ULONG Page) {
    ULONG_PTR Code = Table->TableCode;
    PVOID *Pointers;

    if (ExpTableLevel(Code) == 0 || (ExpTableLevel(Code) == 1 && Page == EX_HANDLE_POINTERS_PER_PAGE)) {
        Pointers = ExpAllocatePage(Table);
        if (Pointers == NULL) {
            return FALSE;
        }
        Pointers[0] = ExpTableTop(Code);
        Code = (ULONG_PTR)Pointers | (ExpTableLevel(Code) + 1);
        __atomic_store_n(&Table->TableCode, Code, __ATOMIC_RELEASE);
    }
    if (ExpTableLevel(Code) == 2 && ExpTableTop(Code)[Page / EX_HANDLE_POINTERS_PER_PAGE] == NULL) {
        Pointers = ExpAllocatePage(Table);
        if (Pointers == NULL) {
            return FALSE;
        }
        __atomic_store_n(&ExpTableTop(Code)[Page / EX_HANDLE_POINTERS_PER_PAGE], (PVOID)Pointers, __ATOMIC_RELEASE);
    }
    return TRUE;
}

/* Adds entry page PageCount; FALSE when the table is full or out of memory. Under the lock. */
static BOOLEAN ExpGrowTable(PEX_HANDLE_TABLE Table) {
    ULONG Page = Table->PageCount;
    PEX_HANDLE_TABLE_ENTRY Entries;

    if (Page >= EX_HANDLE_MAXIMUM_PAGES || !ExpMakePageSlot(Table, Page)) {
        return FALSE;
    }
    Entries = ExpAllocatePage(Table);
    if (Entries == NULL) {
        return FALSE;
    }
    ExpFormatPage(Entries);
    __atomic_store_n(ExpPageSlot(Table->TableCode, Page), (PVOID)Entries, __ATOMIC_RELEASE);
    ExpMarkPageFree(Table, Page, TRUE);
    __atomic_store_n(&Table->PageCount, Page + 1, __ATOMIC_RELEASE);
    return TRUE;
}

XTSTATUS ExInitializeHandleTable(PEX_HANDLE_TABLE Table, const EX_HANDLE_TABLE_PAGES *Pages) {
    PEX_HANDLE_TABLE_ENTRY Entries;

    RtlZeroMemory(Table, sizeof(*Table));
    KeInitializeSpinLock(&Table->Lock);
    Table->Pages = Pages;
    Entries = ExpAllocatePage(Table);
    if (Entries == NULL) {
        return STATUS_NO_MEMORY;
    }
    ExpFormatPage(Entries);
    Table->TableCode = (ULONG_PTR)Entries;
    ExpMarkPageFree(Table, 0, TRUE);
    Table->PageCount = 1;
    return STATUS_SUCCESS;
}

/* Frees the pointer tables under the top of a table code (level 2: the middle ones, then the top). */
static VOID ExpFreePointerPages(PEX_HANDLE_TABLE Table, ULONG_PTR Code) {
    PVOID *Top = ExpTableTop(Code);

    if (ExpTableLevel(Code) == 2) {
        for (ULONG Index = 0; Index < EX_HANDLE_POINTERS_PER_PAGE && Top[Index] != NULL; Index++) {
            ExpFreePage(Table, Top[Index]);
        }
    }
    if (ExpTableLevel(Code) != 0) {
        ExpFreePage(Table, Top);
    }
}

VOID ExDestroyHandleTable(PEX_HANDLE_TABLE Table, PEX_DESTROY_HANDLE_ROUTINE Routine, PVOID Context) {
    for (ULONG Page = 0; Page < Table->PageCount; Page++) {
        PEX_HANDLE_TABLE_ENTRY Entries = ExpLocatePage(Table->TableCode, Page);

        for (ULONG Slot = 1; Routine != NULL && Slot < EX_HANDLE_ENTRIES_PER_PAGE; Slot++) {
            if (Entries[Slot].Object != 0) {
                ULONG_PTR Value =
                    ((ULONG_PTR)(Page * EX_HANDLE_ENTRIES_PER_PAGE + Slot) << EX_HANDLE_INDEX_SHIFT) |
                    ((ULONG_PTR)(Entries[Slot].Sequence & EX_HANDLE_SEQUENCE_MASK) << EX_HANDLE_SEQUENCE_SHIFT);
                Routine(Context, (HANDLE)Value, (PVOID)(Entries[Slot].Object & ~EX_HANDLE_ENTRY_LOCKED),
                        Entries[Slot].GrantedAccess);
            }
        }
        ExpFreePage(Table, Entries);
    }
    ExpFreePointerPages(Table, Table->TableCode);
    Table->TableCode = 0;
    Table->PageCount = 0;
    Table->HandleCount = 0;
}

/* The handle value of entry Index with reuse count Sequence. */
static HANDLE ExpMakeHandle(ULONG Index, ULONG Sequence) {
    return (HANDLE)(((ULONG_PTR)Index << EX_HANDLE_INDEX_SHIFT) |
                    ((ULONG_PTR)(Sequence & EX_HANDLE_SEQUENCE_MASK) << EX_HANDLE_SEQUENCE_SHIFT));
}

XTSTATUS ExCreateHandle(PEX_HANDLE_TABLE Table, PVOID Object, ACCESS_MASK GrantedAccess, ULONG Attributes,
                        PHANDLE Handle) {
    KLOCK_QUEUE_HANDLE LockHandle;
    PEX_HANDLE_TABLE_ENTRY Entries;
    ULONG Page, Slot;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    if (Object == NULL || ((ULONG_PTR)Object & 7) != 0 || (Attributes & ~EX_HANDLE_VALID_ATTRIBUTES) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    KeAcquireInStackQueuedSpinLock(&Table->Lock, &LockHandle);
    Page = ExpFindFreePage(Table);
    if (Page == Table->PageCount && !ExpGrowTable(Table)) {
        KeReleaseInStackQueuedSpinLock(&LockHandle);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Entries = ExpLocatePage(Table->TableCode, Page);
    Slot = Entries[0].Page.FirstFree;
    Entries[0].Page.FirstFree = Entries[Slot].GrantedAccess;
    if (--Entries[0].Page.FreeCount == 0) {
        ExpMarkPageFree(Table, Page, FALSE);
    }
    Entries[Slot].GrantedAccess = GrantedAccess;
    Entries[Slot].Attributes = (USHORT)Attributes;
    __atomic_store_n(&Entries[Slot].Object, (ULONG_PTR)Object, __ATOMIC_RELEASE);
    Table->HandleCount++;
    *Handle = ExpMakeHandle(Page * EX_HANDLE_ENTRIES_PER_PAGE + Slot, Entries[Slot].Sequence);
    KeReleaseInStackQueuedSpinLock(&LockHandle);
    return STATUS_SUCCESS;
}

BOOLEAN ExGetHandleAtIndex(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE Handle) {
    ULONG Page = Index / EX_HANDLE_ENTRIES_PER_PAGE, Slot = Index % EX_HANDLE_ENTRIES_PER_PAGE;
    PEX_HANDLE_TABLE_ENTRY Entry;
    BOOLEAN Open = FALSE;

    if (Slot == 0 || Index > EX_HANDLE_MAXIMUM_INDEX) {
        return FALSE; /* the first entry of each page is its free-list head */
    }
    if (__atomic_fetch_add(&Table->Readers, 1, __ATOMIC_SEQ_CST) & EX_HANDLE_TABLE_SHRINKING) {
        ExpWaitForShrink(Table);
    }
    if (Page < __atomic_load_n(&Table->PageCount, __ATOMIC_ACQUIRE)) {
        Entry = &ExpLocatePage(__atomic_load_n(&Table->TableCode, __ATOMIC_ACQUIRE), Page)[Slot];
        Open = __atomic_load_n(&Entry->Object, __ATOMIC_ACQUIRE) != 0;
        if (Open) {
            *Handle = ExpMakeHandle(Index, __atomic_load_n(&Entry->Sequence, __ATOMIC_RELAXED));
        }
    }
    __atomic_fetch_sub(&Table->Readers, 1, __ATOMIC_RELEASE);
    return Open;
}

VOID ExpWaitForShrink(PEX_HANDLE_TABLE Table) {
    do {
        __atomic_fetch_sub(&Table->Readers, 1, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&Table->Readers, __ATOMIC_RELAXED) & EX_HANDLE_TABLE_SHRINKING) {
            KeYieldProcessor();
        }
    } while (__atomic_fetch_add(&Table->Readers, 1, __ATOMIC_SEQ_CST) & EX_HANDLE_TABLE_SHRINKING);
}

BOOLEAN ExpLockEntryContended(PEX_HANDLE_TABLE_ENTRY Entry) {
    ULONG_PTR Value = __atomic_load_n(&Entry->Object, __ATOMIC_RELAXED);

    for (;;) {
        if (Value == 0) {
            return FALSE;
        }
        if (Value & EX_HANDLE_ENTRY_LOCKED) {
            KeYieldProcessor();
            Value = __atomic_load_n(&Entry->Object, __ATOMIC_RELAXED);
        } else if (__atomic_compare_exchange_n(&Entry->Object, &Value, Value | EX_HANDLE_ENTRY_LOCKED, TRUE,
                                               __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            return TRUE;
        }
    }
}

/* Returns whole free trailing entry pages while the page before the last is free as well (one spare page stays, so
 * a handle opened and closed at a page boundary does not free and allocate a page each time). Skipped while any
 * entry is mapped: a mapper may be reading a page. Under the lock. */
static VOID ExpShrinkTable(PEX_HANDLE_TABLE Table) {
    ULONG Last = Table->PageCount - 1;

    while (Last >= 1 && ExpLocatePage(Table->TableCode, Last)[0].Page.FreeCount == EX_HANDLE_ENTRIES_PER_PAGE - 1 &&
           ExpLocatePage(Table->TableCode, Last - 1)[0].Page.FreeCount == EX_HANDLE_ENTRIES_PER_PAGE - 1) {
        PVOID *Slot = ExpPageSlot(Table->TableCode, Last);
        PVOID Page = *Slot;

        if (__atomic_fetch_or(&Table->Readers, EX_HANDLE_TABLE_SHRINKING, __ATOMIC_SEQ_CST) != 0) {
            __atomic_fetch_and(&Table->Readers, ~EX_HANDLE_TABLE_SHRINKING, __ATOMIC_SEQ_CST);
            return; /* try again at a later close */
        }
        __atomic_store_n(&Table->PageCount, Last, __ATOMIC_RELEASE);
        *Slot = NULL;
        ExpMarkPageFree(Table, Last, FALSE);
        ExpFreePage(Table, Page);
        if (ExpTableLevel(Table->TableCode) == 2 && Last % EX_HANDLE_POINTERS_PER_PAGE == 0) {
            PVOID *Top = ExpTableTop(Table->TableCode);

            ExpFreePage(Table, Top[Last / EX_HANDLE_POINTERS_PER_PAGE]); /* its middle table is empty now */
            Top[Last / EX_HANDLE_POINTERS_PER_PAGE] = NULL;
        }
        __atomic_fetch_and(&Table->Readers, ~EX_HANDLE_TABLE_SHRINKING, __ATOMIC_SEQ_CST);
        Last--;
    }
}

XTSTATUS ExDestroyHandle(PEX_HANDLE_TABLE Table, HANDLE Handle, PVOID *Object, PACCESS_MASK GrantedAccess) {
    ULONG Index = (ULONG)((ULONG_PTR)Handle >> EX_HANDLE_INDEX_SHIFT) & EX_HANDLE_MAXIMUM_INDEX;
    PEX_HANDLE_TABLE_ENTRY Entry = ExMapHandleToEntry(Table, Handle), Header;
    KLOCK_QUEUE_HANDLE LockHandle;
    ULONG Page = Index / EX_HANDLE_ENTRIES_PER_PAGE;

    if (Entry == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Entry->Attributes & EX_HANDLE_PROTECT_FROM_CLOSE) {
        ExUnlockHandleTableEntry(Table, Entry);
        return STATUS_HANDLE_NOT_CLOSABLE;
    }
    if (Object != NULL) {
        *Object = (PVOID)(Entry->Object & ~EX_HANDLE_ENTRY_LOCKED);
    }
    if (GrantedAccess != NULL) {
        *GrantedAccess = Entry->GrantedAccess;
    }
    Entry->Sequence = (USHORT)((Entry->Sequence + 1) & EX_HANDLE_SEQUENCE_MASK); /* kept reduced: compared as is */
    __atomic_store_n(&Entry->Object, 0, __ATOMIC_RELEASE); /* free and unlocked: mappers now find nothing here */
    __atomic_fetch_sub(
        &Table->Readers, 1,
        __ATOMIC_RELEASE); /* the page stays: a page with a slot not yet on its free list is never freed */
    KeAcquireInStackQueuedSpinLock(&Table->Lock, &LockHandle);
    Header = Entry - Index % EX_HANDLE_ENTRIES_PER_PAGE;
    Entry->GrantedAccess = Header->Page.FirstFree;
    Header->Page.FirstFree = Index % EX_HANDLE_ENTRIES_PER_PAGE;
    if (Header->Page.FreeCount++ == 0) {
        ExpMarkPageFree(Table, Page, TRUE);
    }
    Table->HandleCount--;
    ExpShrinkTable(Table);
    KeReleaseInStackQueuedSpinLock(&LockHandle);
    return STATUS_SUCCESS;
}

/* Problems in entry page Page: its free list against its free count and the free-page map; adds its open entries
 * to *Open. */
static ULONG ExpCheckPage(PEX_HANDLE_TABLE Table, ULONG Page, PULONG Open) {
    PEX_HANDLE_TABLE_ENTRY Entries = ExpLocatePage(Table->TableCode, Page);
    ULONG Problems = 0, Free = 0, Slot = Entries[0].Page.FirstFree;
    BOOLEAN Mapped = (Table->FreePageMap[Page / 64] >> (Page % 64)) & 1;

    while (Slot != 0 && Free < EX_HANDLE_ENTRIES_PER_PAGE) {
        if (Slot >= EX_HANDLE_ENTRIES_PER_PAGE || Entries[Slot].Object != 0) {
            return Problems + 1; /* a link out of the page, or to an open entry */
        }
        Free++;
        Slot = Entries[Slot].GrantedAccess;
    }
    for (ULONG Index = 1; Index < EX_HANDLE_ENTRIES_PER_PAGE; Index++) {
        if (Entries[Index].Object & EX_HANDLE_ENTRY_LOCKED) {
            Problems++; /* the table must be quiet */
        }
        *Open += Entries[Index].Object != 0;
    }
    Problems += Entries[0].Page.Zero != 0 || Slot != 0 || Free != Entries[0].Page.FreeCount;
    Problems += Mapped != (Free != 0);
    return Problems;
}

ULONG ExCheckHandleTable(PEX_HANDLE_TABLE Table) {
    ULONG Problems = 0, Open = 0, Before;

    if (Table->PageCount == 0 || Table->PageCount > EX_HANDLE_MAXIMUM_PAGES ||
        (Table->Readers & ~EX_HANDLE_TABLE_SHRINKING) != 0) {
        return 1;
    }
    for (ULONG Page = 0; Page < Table->PageCount; Page++) {
        Before = Open;
        Problems += ExpCheckPage(Table, Page, &Open);
        Problems +=
            Open - Before + ExpLocatePage(Table->TableCode, Page)[0].Page.FreeCount != EX_HANDLE_ENTRIES_PER_PAGE - 1;
    }
    for (ULONG Word = 0; Word < ARRAY_SIZE(Table->FreePageMap); Word++) {
        ULONGLONG Valid = Word * 64 >= Table->PageCount        ? 0
                          : Table->PageCount - Word * 64 >= 64 ? ~0ULL
                                                               : (1ULL << (Table->PageCount - Word * 64)) - 1;

        Problems += (Table->FreePageMap[Word] & ~Valid) != 0; /* a page past the end marked as having room */
        Problems += ((Table->FreeSummary[Word / 64] >> (Word % 64)) & 1) != (Table->FreePageMap[Word] != 0);
    }
    return Problems + (Open != Table->HandleCount);
}

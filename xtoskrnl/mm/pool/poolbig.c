/* Non-paged pool: page-sized allocations and the big-allocation table (an open-addressing hash of VA -> size, tag),
 * which also tracks special-pool blocks. */
#include "poolp.h"

#define MI_POOL_BIG_INITIAL_CAPACITY 128

/* The home slot of Address in a table of Capacity (a power of two) entries. */
static SIZE_T MiBigHash(PVOID Address, SIZE_T Capacity) {
    return MiPoolMix((ULONG_PTR)Address) & (Capacity - 1);
}

/* Pages that hold a table of Capacity entries. */
static SIZE_T MiBigTablePages(SIZE_T Capacity) {
    return (Capacity * sizeof(MI_POOL_BIG_ENTRY) + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
}

SIZE_T MiBigEntryPages(const MI_POOL_BIG_ENTRY *Entry) {
    SIZE_T Pages;

    if (Entry->Flags & MI_POOL_BIG_SPECIAL) {
        MiSpecialPoolBase(Entry->Address, Entry->Size, &Pages);
        return Pages;
    }
    return (Entry->Size + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
}

/* Places Entry in Table (which has room and does not hold its address). */
static VOID MiPlaceBigEntry(PMI_POOL_BIG_ENTRY Table, SIZE_T Capacity, const MI_POOL_BIG_ENTRY *Entry) {
    SIZE_T Index = MiBigHash(Entry->Address, Capacity);

    while (Table[Index].Address != NULL) {
        Index = (Index + 1) & (Capacity - 1);
    }
    Table[Index] = *Entry;
}

/* Doubles the table (or makes the first one); FALSE when the pager has no pages for it. */
static BOOLEAN MiGrowBigTable(PMI_POOL_DESCRIPTOR Pool) {
    SIZE_T Capacity = Pool->BigCapacity ? Pool->BigCapacity * 2 : MI_POOL_BIG_INITIAL_CAPACITY;
    PMI_POOL_BIG_ENTRY Table = MiPoolAllocatePages(Pool, MiBigTablePages(Capacity), 0);
    SIZE_T Index;

    if (Table == NULL) {
        return FALSE;
    }
    RtlZeroMemory(Table, MiBigTablePages(Capacity) << MM_PAGE_SHIFT);
    for (Index = 0; Index < Pool->BigCapacity; Index++) {
        if (Pool->BigTable[Index].Address != NULL) {
            MiPlaceBigEntry(Table, Capacity, &Pool->BigTable[Index]);
        }
    }
    if (Pool->BigTable != NULL) {
        MiPoolFreePages(Pool, Pool->BigTable, MiBigTablePages(Pool->BigCapacity), 0);
    }
    Pool->BigTable = Table;
    Pool->BigCapacity = Capacity;
    return TRUE;
}

BOOLEAN MiInsertBigEntry(PMI_POOL_DESCRIPTOR Pool, PVOID Address, SIZE_T Size, ULONG Tag, ULONG Flags) {
    MI_POOL_BIG_ENTRY Entry = {Address, Size, Tag, Flags};

    /* Keep the load at most 3/4. */
    if ((Pool->BigCount + 1) * 4 > Pool->BigCapacity * 3 && !MiGrowBigTable(Pool)) {
        return FALSE;
    }
    MiPlaceBigEntry(Pool->BigTable, Pool->BigCapacity, &Entry);
    Pool->BigCount++;
    Pool->BigPages += MiBigEntryPages(&Entry);
    return TRUE;
}

/* The slot holding Address, or NULL. */
static PMI_POOL_BIG_ENTRY MiFindBigEntry(PMI_POOL_DESCRIPTOR Pool, PVOID Address) {
    SIZE_T Index, Probes;

    if (Pool->BigCapacity == 0 || Address == NULL) {
        return NULL;
    }
    Index = MiBigHash(Address, Pool->BigCapacity);
    for (Probes = 0; Probes < Pool->BigCapacity && Pool->BigTable[Index].Address != NULL; Probes++) {
        if (Pool->BigTable[Index].Address == Address) {
            return &Pool->BigTable[Index];
        }
        Index = (Index + 1) & (Pool->BigCapacity - 1);
    }
    return NULL;
}

/* Empties the slot Entry, shifting later entries of its probe run back (no tombstones). */
static VOID MiRemoveBigEntry(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_BIG_ENTRY Entry) {
    SIZE_T Mask = Pool->BigCapacity - 1;
    SIZE_T Hole = (SIZE_T)(Entry - Pool->BigTable);
    SIZE_T Index = (Hole + 1) & Mask;
    SIZE_T Home;

    Pool->BigCount--;
    Pool->BigPages -= MiBigEntryPages(Entry);
    while (Pool->BigTable[Index].Address != NULL) {
        Home = MiBigHash(Pool->BigTable[Index].Address, Pool->BigCapacity);
        /* The entry may move into the hole when its home is not cyclically within (Hole, Index]. */
        if (((Index - Home) & Mask) >= ((Index - Hole) & Mask)) {
            Pool->BigTable[Hole] = Pool->BigTable[Index];
            Hole = Index;
        }
        Index = (Index + 1) & Mask;
    }
    Pool->BigTable[Hole].Address = NULL;
}

PVOID MiAllocateBigPool(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag) {
    SIZE_T Rounded, Pages;
    PVOID Address;

    if (!XT_SUCCESS(RtlAddSizeT(Size, MM_PAGE_SIZE - 1, &Rounded))) {
        return NULL;
    }
    Pages = Rounded >> MM_PAGE_SHIFT;
    Address = MiPoolAllocatePages(Pool, Pages, 0);
    if (Address == NULL) {
        return NULL;
    }
    if (!MiInsertBigEntry(Pool, Address, Size, Tag, 0)) {
        MiPoolFreePages(Pool, Address, Pages, 0);
        return NULL;
    }
    MiPoolCharge(Pool, Tag, Pages << MM_PAGE_SHIFT);
    return Address;
}

BOOLEAN MiFreeBigPool(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag) {
    PMI_POOL_BIG_ENTRY Slot = MiFindBigEntry(Pool, Address);
    MI_POOL_BIG_ENTRY Entry;
    SIZE_T Pages;

    if (Slot == NULL) {
        return FALSE;
    }
    if (Slot->Tag != Tag) {
        KeBugCheckEx(BAD_POOL_CALLER, BPC_WRONG_TAG, (ULONG_PTR)Address, Slot->Tag, Tag);
    }
    Entry = *Slot;
    Pages = MiBigEntryPages(&Entry);
    MiRemoveBigEntry(Pool, Slot);
    MiPoolCredit(Pool, Tag, Pages << MM_PAGE_SHIFT);
    if (Entry.Flags & MI_POOL_BIG_SPECIAL) {
        MiFreeSpecialPool(Pool, &Entry);
    } else {
        MiPoolFreePages(Pool, Address, Pages, 0);
    }
    return TRUE;
}

VOID MiReleasePool(PMI_POOL_DESCRIPTOR Pool) {
    ULONG_PTR Cookie = Pool->Cookie;
    PMI_POOL_PAGE Page;
    SIZE_T Index, Pages;

    if (Cookie == 0) {
        return;
    }
    while (!RtlListEmpty(&Pool->PageList)) {
        Page = CONTAINING_RECORD(RtlRemoveHeadList(&Pool->PageList), MI_POOL_PAGE, PageLinks);
        Page->Signature = 0;
        MiPoolFreePages(Pool, Page, 1, 0);
    }
    for (Index = 0; Index < Pool->BigCapacity; Index++) {
        PMI_POOL_BIG_ENTRY Entry = &Pool->BigTable[Index];

        if (Entry->Address == NULL) {
            continue;
        }
        if (Entry->Flags & MI_POOL_BIG_SPECIAL) {
            MiPoolFreePages(Pool, (PVOID)MiSpecialPoolBase(Entry->Address, Entry->Size, &Pages), Pages,
                            MM_SYSTEM_PAGES_GUARD_AFTER);
        } else {
            MiPoolFreePages(Pool, Entry->Address, MiBigEntryPages(Entry), 0);
        }
    }
    if (Pool->BigTable != NULL) {
        MiPoolFreePages(Pool, Pool->BigTable, MiBigTablePages(Pool->BigCapacity), 0);
    }
    MiInitializePoolEx(Pool, Cookie ^ MiPoolMix((ULONG_PTR)Pool), (MM_POOL_TYPE)Pool->PoolType, Pool->Pages,
                       Pool->LockLevel, Pool->Processors, Pool->ProcessorCount);
}

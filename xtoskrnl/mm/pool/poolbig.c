/* Non-paged pool: page-sized allocations, the big-allocation table (an open-addressing hash of VA -> size, tag),
 * which also tracks special-pool blocks, and the cache of freed page runs (docs/pool.md "The run cache"). */
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

PMI_POOL_BIG_ENTRY MiFindBigEntry(PMI_POOL_DESCRIPTOR Pool, PVOID Address) {
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

/* ---- The run cache: freed runs of up to MI_POOL_BIG_CACHE_MAX_PAGES pages, by page count, under the pool lock ---- */

/* The keyed check word of a cached run's link: its next run and its page count under the cookie and its address. */
static ULONG_PTR MiBigRunCheck(const MI_POOL_DESCRIPTOR *Pool, const MI_POOL_BIG_RUN *Run, SIZE_T Pages) {
    return (ULONG_PTR)Run->Next ^ Pages ^ (ULONG_PTR)&Run->Check ^ Pool->Cookie;
}

BOOLEAN MiBigRunIntact(PMI_POOL_DESCRIPTOR Pool, const MI_POOL_BIG_RUN *Run, SIZE_T Pages) {
    ULONG_PTR Difference = Run->Check ^ MiBigRunCheck(Pool, Run, Pages);
    ULONG Index;

    for (Index = 0; Index < MI_POOL_BIG_RUN_FILL; Index++) {
        Difference |= Run->Fill[Index] ^ (ULONG_PTR)&Run->Fill[Index] ^ Pool->Cookie;
    }
    return (BOOLEAN)(Difference == 0);
}

/* TRUE when a freed run of Pages pages may be cached: a non-paged pool, a small enough run, room under the cap. */
static BOOLEAN MiBigRunCacheable(const MI_POOL_DESCRIPTOR *Pool, SIZE_T Pages) {
    return (BOOLEAN)(Pool->PoolType == NonPagedPool && Pages <= MI_POOL_BIG_CACHE_MAX_PAGES &&
                     Pool->BigCachedPages + Pages <= MI_POOL_BIG_CACHE_LIMIT);
}

/* Caches the run Address of Pages pages (already out of the table and credited): keyed link and fill. */
static VOID MiPushBigRun(PMI_POOL_DESCRIPTOR Pool, PVOID Address, SIZE_T Pages) {
    PMI_POOL_BIG_RUN Run = Address;
    ULONG Index;

    Run->Next = Pool->BigCache[Pages];
    Run->Check = MiBigRunCheck(Pool, Run, Pages);
    for (Index = 0; Index < MI_POOL_BIG_RUN_FILL; Index++) {
        Run->Fill[Index] = (ULONG_PTR)&Run->Fill[Index] ^ Pool->Cookie;
    }
    Pool->BigCache[Pages] = Run;
    Pool->BigCachedRuns++;
    Pool->BigCachedPages += Pages;
}

/* A cached run of exactly Pages pages taken off its list, or NULL; a run whose link or fill changed since it was freed
 * (a write after free) stops the system. */
static PVOID MiPopBigRun(PMI_POOL_DESCRIPTOR Pool, SIZE_T Pages) {
    PMI_POOL_BIG_RUN Run;

    if (Pages > MI_POOL_BIG_CACHE_MAX_PAGES || (Run = Pool->BigCache[Pages]) == NULL) {
        return NULL;
    }
    if (!MiBigRunIntact(Pool, Run, Pages)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREED_BLOCK_CHANGED, (ULONG_PTR)Run, Run->Check, Pages);
    }
    Pool->BigCache[Pages] = Run->Next;
    Pool->BigCachedRuns--;
    Pool->BigCachedPages -= Pages;
    Run->Check = 0;
    return Run;
}

VOID MiReleaseBigCache(PMI_POOL_DESCRIPTOR Pool) {
    SIZE_T Pages;
    PVOID Run;

    for (Pages = 1; Pages <= MI_POOL_BIG_CACHE_MAX_PAGES; Pages++) {
        while ((Run = MiPopBigRun(Pool, Pages)) != NULL) {
            MiPoolFreePages(Pool, Run, Pages, 0);
        }
    }
}

PVOID MiAllocateBigPool(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag) {
    SIZE_T Rounded, Pages;
    PVOID Address;

    if (!XT_SUCCESS(RtlAddSizeT(Size, MM_PAGE_SIZE - 1, &Rounded))) {
        return NULL;
    }
    Pages = Rounded >> MM_PAGE_SHIFT;
    Address = MiPopBigRun(Pool, Pages);
    if (Address == NULL && (Address = MiPoolAllocatePages(Pool, Pages, 0)) == NULL) {
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
    } else if (MiBigRunCacheable(Pool, Pages)) {
        /* Out of the table already: a second free of the run does not find it and stops (0xC2/0x46). */
        MiPushBigRun(Pool, Address, Pages);
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
    MiReleaseBigCache(Pool);
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

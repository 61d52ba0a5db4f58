/* Paged-pool VA space: pages reserved in a bitmap and described by demand-zero software PTEs; a frame is taken only
 * on the first touch (mm/fault.c), and the page tables of the range are created on demand too. The bitmap and hint
 * are under the system space lock; every PTE of the range and every table created for it change under the PFN lock
 * (taken after it), so two processors faulting on one page resolve it once and never both create one table. The
 * fault path reads the bitmap without a lock (docs/memory-manager.md "Locks"). */
#include <ke.h>
#include <mmhl.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mmpager.h"

/* Protection of paged-pool pages, and of the guard page after a special-pool block. */
#define MI_PAGED_PROTECTION MM_PROTECT_READWRITE
#define MI_GUARD_PROTECTION (MM_PROTECT_NOACCESS | MM_PROTECT_GUARD)

static RTL_BITMAP MiPagedPages;
static ULONG_PTR MiPagedHint;
static MM_PAGED_SPACE_STATISTICS MiPagedStats;
static PMM_PAGED_FAULT_HOOK MiPagedFaultTestHook;

/* Pages one leaf page table maps: 1024 with 32-bit entries (4 MiB), 512 with 64-bit ones (2 MiB). */
static ULONG_PTR MiPagesPerTable(VOID) {
    return MM_PAGE_SIZE / MmhGetPageMapOps()->EntrySize;
}

/* Pages from Va to the end of its leaf table's region, at most Limit. */
static ULONG_PTR MiPagesLeftInTable(ULONG_PTR Va, ULONG_PTR Limit) {
    ULONG_PTR PerTable = MiPagesPerTable();
    ULONG_PTR Left = PerTable - ((Va >> MM_PAGE_SHIFT) & (PerTable - 1));

    return Left < Limit ? Left : Limit;
}

/* Both locks of the range, in hierarchy order (system space, then PFN). */
static KRUNLEVEL MiLockPagedSpace(VOID) {
    KRUNLEVEL Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);

    KeAcquireQueuedSpinLockAtDpcLevel(&KeGetCurrentPrcb()->LockQueue[LockQueuePfnLock]);
    return Old;
}

static VOID MiUnlockPagedSpace(KRUNLEVEL Old) {
    KeReleaseQueuedSpinLockFromDpcLevel(&KeGetCurrentPrcb()->LockQueue[LockQueuePfnLock]);
    KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
}

BOOLEAN MmIsPagedPoolAddress(ULONG_PTR Va) {
    return Va >= MmhPagedPoolBase && (Va - MmhPagedPoolBase) >> MM_PAGE_SHIFT < MmhPagedPoolPages;
}

BOOLEAN MmIsPagedPageReserved(ULONG_PTR Va) {
    return MiPagedPages.Buffer != NULL && MmIsPagedPoolAddress(Va) &&
           RtlTestBit(&MiPagedPages, (Va - MmhPagedPoolBase) >> MM_PAGE_SHIFT);
}

BOOLEAN MmIsPagedMemoryLow(VOID) {
    /* Memory pressure: at or below the reserve kept for non-paged allocations, paged ones fail. */
    if (MmCountFreePfns(&MmPfnDatabase) <= MM_PAGED_POOL_MIN_FREE_PAGES) {
        __atomic_add_fetch(&MiPagedStats.RefusedLowMemory, 1, __ATOMIC_RELAXED);
        return TRUE;
    }
    return FALSE;
}

XTSTATUS MmInitializePagedSpace(VOID) {
    ULONG_PTR Bytes = RTL_BITMAP_WORDS(MmhPagedPoolPages) * sizeof(ULONG_PTR);
    PULONG_PTR Buffer = MmAllocateSystemPages((Bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE, 0);

    if (Buffer == NULL) {
        return STATUS_NO_MEMORY;
    }
    RtlInitializeBitMap(&MiPagedPages, Buffer, MmhPagedPoolPages);
    RtlClearAllBits(&MiPagedPages);
    MiPagedHint = 0;
    return STATUS_SUCCESS;
}

/* Page-table frames for the paged range, counted (PFN lock held). */
static ULONGLONG MiAllocatePagedTable(PVOID Context) {
    ULONGLONG Pfn = MmAllocatePageTableFrameLocked(Context);

    if (Pfn != MMH_NO_FRAME) {
        MiPagedStats.TableFrames++;
    }
    return Pfn;
}

/* A new leaf table covers Va: every reserved page it maps gets its demand-zero PTE (the table came zeroed). */
static VOID MiPopulateTable(ULONG_PTR Va) {
    ULONG_PTR PerTable = MiPagesPerTable();
    ULONG_PTR First = ALIGN_DOWN(Va, PerTable * MM_PAGE_SIZE);

    for (ULONG_PTR Page = 0; Page < PerTable; Page++) {
        ULONG_PTR PageVa = First + Page * MM_PAGE_SIZE;
        if (MmIsPagedPageReserved(PageVa)) {
            MmhExchangePte(PageVa, MmhMakeDemandZeroPte(MmhGetPageMapOps(), MI_PAGED_PROTECTION));
        }
    }
}

/* MmEnsurePagedTables with the PFN lock held: the check is repeated under it, so only one processor creates (and
 * fills) a table. */
static XTSTATUS MiEnsurePagedTablesLocked(ULONG_PTR Va) {
    BOOLEAN Created;
    XTSTATUS Status;

    if (MmhIsPageTablePresent(Va)) {
        return STATUS_SUCCESS;
    }
    Status = MmhEnsurePageTables(Va, MiAllocatePagedTable, NULL, &Created);
    if (XT_SUCCESS(Status) && Created) {
        MiPopulateTable(Va);
    }
    return Status;
}

XTSTATUS MmEnsurePagedTables(ULONG_PTR Va) {
    KRUNLEVEL Old = MmLockPfnDatabase();
    XTSTATUS Status = MiEnsurePagedTablesLocked(Va);

    MmUnlockPfnDatabase(Old);
    return Status;
}

/* Makes Va a guard page (its table created now: a guard PTE must be written). FALSE when no table frame. */
static BOOLEAN MiWriteGuardPte(ULONG_PTR Va) {
    KRUNLEVEL Old = MmLockPfnDatabase();
    XTSTATUS Status = MiEnsurePagedTablesLocked(Va);

    if (XT_SUCCESS(Status)) {
        MmhWritePte(Va, MmhMakeDemandZeroPte(MmhGetPageMapOps(), MI_GUARD_PROTECTION));
    }
    MmUnlockPfnDatabase(Old);
    return XT_SUCCESS(Status);
}

/* Clears Total bits from Index and moves the hint back (system space lock held). */
static VOID MiClearPagedBits(ULONG_PTR Index, ULONG_PTR Total) {
    RtlClearBits(&MiPagedPages, Index, Total);
    MiPagedStats.ReservedPages -= Total;
    if (Index < MiPagedHint) {
        MiPagedHint = Index;
    }
}

PVOID MmReservePagedPages(SIZE_T Count, ULONG Flags) {
    ULONG_PTR Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Index, Va;
    KRUNLEVEL Old;

    if (Count == 0 || Count >= MmhPagedPoolPages || MiPagedPages.Buffer == NULL || MmIsPagedMemoryLow()) {
        return NULL;
    }
    Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);
    Index = RtlFindClearBitsAndSet(&MiPagedPages, Total, MiPagedHint);
    if (Index != RTL_BITMAP_NOT_FOUND) {
        MiPagedHint = Index + Total;
        MiPagedStats.ReservedPages += Total;
    }
    KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhPagedPoolBase + Index * MM_PAGE_SIZE;
    if ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) && !MiWriteGuardPte(Va + Count * MM_PAGE_SIZE)) {
        Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);
        MiClearPagedBits(Index, Total);
        KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
        return NULL;
    }
    /* Where a table exists the PTEs say demand-zero now; elsewhere the table gets them (from the bits, set above)
     * when it is created. */
    Old = MmLockPfnDatabase();
    for (ULONG_PTR Page = 0, Run; Page < Count; Page += Run) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        Run = MiPagesLeftInTable(PageVa, Count - Page);
        for (ULONG_PTR Next = 0; Next < Run && MmhIsPageTablePresent(PageVa); Next++) {
            MmhExchangePte(PageVa + Next * MM_PAGE_SIZE, MmhMakeDemandZeroPte(MmhGetPageMapOps(), MI_PAGED_PROTECTION));
        }
    }
    MmUnlockPfnDatabase(Old);
    return (PVOID)Va;
}

/* Release, first pass (both locks): every present PTE of the range becomes a transition PTE holding its frame (not
 * present, flushed nowhere yet). The bits stay set, so no one reuses the VA before the shootdown. Returns how many. */
static ULONG_PTR MiClearPagedRange(ULONG_PTR Va, ULONG_PTR Total) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONG_PTR Resident = 0;
    MMH_SOFTWARE_PTE Pte;

    for (ULONG_PTR Page = 0, Run; Page < Total; Page += Run) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        Run = MiPagesLeftInTable(PageVa, Total - Page);
        for (ULONG_PTR Next = 0; Next < Run && MmhIsPageTablePresent(PageVa); Next++) {
            MmhDecodePte(Ops, MmhReadPte(PageVa + Next * MM_PAGE_SIZE), &Pte);
            if (Pte.Kind == MmhPteValid) {
                MmhExchangePte(PageVa + Next * MM_PAGE_SIZE, MmhMakeTransitionPte(Ops, Pte.Frame, MI_PAGED_PROTECTION));
                Resident++;
            }
        }
    }
    return Resident;
}

/* Release, second pass (both locks, after the shootdown): frames kept in transition PTEs are freed and every PTE of
 * the range cleared (also demand-zero ones a table created meanwhile was filled with), then the bits. */
static VOID MiFreePagedRange(ULONG_PTR Va, ULONG_PTR Total) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    MMH_SOFTWARE_PTE Pte;

    for (ULONG_PTR Page = 0, Run; Page < Total; Page += Run) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        Run = MiPagesLeftInTable(PageVa, Total - Page);
        for (ULONG_PTR Next = 0; Next < Run && MmhIsPageTablePresent(PageVa); Next++) {
            MmhDecodePte(Ops, MmhExchangePte(PageVa + Next * MM_PAGE_SIZE, 0), &Pte);
            if (Pte.Kind == MmhPteTransition) {
                MmFreePhysicalPageLocked((ULONG_PTR)Pte.Frame, FALSE);
                MiPagedStats.ResidentPages--;
            }
        }
    }
    MiClearPagedBits((Va - MmhPagedPoolBase) >> MM_PAGE_SHIFT, Total);
}

VOID MmReleasePagedPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    ULONG_PTR Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Va = (ULONG_PTR)Address, Index = (Va - MmhPagedPoolBase) >> MM_PAGE_SHIFT, Resident = 0;
    BOOLEAN Reserved = FALSE;
    KRUNLEVEL Old;

    if (MmIsPagedPoolAddress(Va) && !(Va & (MM_PAGE_SIZE - 1)) && Count != 0 && Index + Total <= MmhPagedPoolPages) {
        Old = MiLockPagedSpace();
        Reserved = RtlAreBitsSet(&MiPagedPages, Index, Total);
        Resident = Reserved ? MiClearPagedRange(Va, Total) : 0;
        if (Reserved && Resident == 0) {
            MiFreePagedRange(Va, Total); /* nothing was resident: no processor can hold a translation */
        }
        MiUnlockPagedSpace(Old);
    }
    if (!Reserved) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BAD_FREE, Va, Count, Flags);
    }
    /* One shootdown for the whole range, no lock held; again if a page was touched (and faulted in) meanwhile. */
    while (Resident != 0) {
        KeFlushRangeTb((PVOID)Va, Total);
        Old = MiLockPagedSpace();
        Resident = MiClearPagedRange(Va, Total);
        if (Resident == 0) {
            MiFreePagedRange(Va, Total);
        }
        MiUnlockPagedSpace(Old);
    }
}

/* Resolves Va's fault with the zeroed frame Pfn, PFN lock held: the table and the PTE are looked at again under it. */
static MM_PAGED_FAULT_RESULT MiResolvePagedFaultLocked(ULONG_PTR Va, ULONG_PTR Pfn) {
    MMH_SOFTWARE_PTE Pte;

    if (!XT_SUCCESS(MiEnsurePagedTablesLocked(Va))) {
        return MmPagedFaultNoMemory;
    }
    MmhDecodePte(MmhGetPageMapOps(), MmhReadPte(Va), &Pte);
    if (Pte.Kind == MmhPteValid) {
        /* Another processor resolved it since this one looked. */
        __atomic_add_fetch(&MiPagedStats.FaultCollisions, 1, __ATOMIC_RELAXED);
        return MmPagedFaultCollision;
    }
    if (Pte.Kind != MmhPteDemandZero || (Pte.Protection & MM_PROTECT_GUARD)) {
        return MmPagedFaultNotPageable; /* released meanwhile, or a guard page */
    }
    if (!XT_SUCCESS(MmhMapPage(Va, Pfn, MmhProtectionToMapFlags(Pte.Protection), MiAllocatePagedTable, NULL))) {
        return MmPagedFaultNoMemory;
    }
    MmPfnDatabase.Entries[Pfn].PteAddress = (ULONG_PTR)MmhGetPageMapOps()->GetEntryAddress(Va, 1);
    MmPfnDatabase.Entries[Pfn].ShareCount = 1;
    MiPagedStats.ResidentPages++;
    MiPagedStats.DemandZeroFaults++;
    return MmPagedFaultResolved;
}

MM_PAGED_FAULT_RESULT MmResolvePagedFault(ULONG_PTR Va) {
    ULONG_PTR Pfn = MmAllocatePhysicalPage(TRUE); /* zeroed outside the lock; given back if not needed */
    PMM_PAGED_FAULT_HOOK Hook = MiPagedFaultTestHook;
    MM_PAGED_FAULT_RESULT Result;
    KRUNLEVEL Old;

    Va = ALIGN_DOWN(Va, MM_PAGE_SIZE);
    if (Pfn == MM_PFN_NONE) {
        return MmPagedFaultNoMemory;
    }
    if (Hook != NULL) {
        MiPagedFaultTestHook = NULL;
        Hook(Va); /* a test's stand-in for another processor resolving the page between the lookup and the lock */
    }
    Old = MmLockPfnDatabase();
    Result = MiResolvePagedFaultLocked(Va, Pfn);
    if (Result != MmPagedFaultResolved) {
        MmFreePhysicalPageLocked(Pfn, TRUE); /* still zero: back to the zeroed list, nothing leaked */
    }
    MmUnlockPfnDatabase(Old);
    return Result;
}

VOID MmNotePagedFaultCollision(VOID) {
    __atomic_add_fetch(&MiPagedStats.FaultCollisions, 1, __ATOMIC_RELAXED);
}

VOID MmSetPagedFaultTestHook(PMM_PAGED_FAULT_HOOK Hook) {
    MiPagedFaultTestHook = Hook;
}

VOID MmQueryPagedSpace(PMM_PAGED_SPACE_STATISTICS Statistics) {
    *Statistics = MiPagedStats;
    Statistics->TotalPages = MmhPagedPoolPages;
}

/* Paged-pool VA space: pages reserved in a bitmap and described by demand-zero software PTEs; a frame is taken only
 * on the first touch (mm/fault.c), and the page tables of the range are created on demand too. Reserve and release
 * run at RunLevel <= APC_LEVEL under the paged pool's lock; the fault path reads the bitmap on the same processor. */
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

/* Frees the frames of the resident pages among Run pages at Va (their table is present) and clears every PTE. */
static VOID MiReleaseRun(ULONG_PTR Va, ULONG_PTR Run) {
    for (ULONG_PTR Page = 0; Page < Run; Page++) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        if (MmhReadPte(PageVa) & PTE_PRESENT) {
            MmFreePhysicalPage((ULONG_PTR)MmhUnmapPage(PageVa));
            MiPagedStats.ResidentPages--;
        } else {
            MmhWritePte(PageVa, 0);
        }
    }
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
        MiPagedStats.RefusedLowMemory++;
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

/* Page-table frames for the paged range, counted. */
static ULONGLONG MiAllocatePagedTable(PVOID Context) {
    ULONGLONG Pfn = MmAllocatePageTableFrame(Context);

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
            MmhWritePte(PageVa, MmhMakeDemandZeroPte(MmhGetPageMapOps(), MI_PAGED_PROTECTION));
        }
    }
}

XTSTATUS MmEnsurePagedTables(ULONG_PTR Va) {
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

/* Makes Va a guard page (its table created now: a guard PTE must be written). FALSE when no table frame. */
static BOOLEAN MiWriteGuardPte(ULONG_PTR Va) {
    if (!XT_SUCCESS(MmEnsurePagedTables(Va))) {
        return FALSE;
    }
    MmhWritePte(Va, MmhMakeDemandZeroPte(MmhGetPageMapOps(), MI_GUARD_PROTECTION));
    return TRUE;
}

PVOID MmReservePagedPages(SIZE_T Count, ULONG Flags) {
    ULONG_PTR Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Index, Va;

    if (Count == 0 || Count >= MmhPagedPoolPages || MiPagedPages.Buffer == NULL) {
        return NULL;
    }
    if (MmIsPagedMemoryLow()) {
        return NULL;
    }
    Index = RtlFindClearBitsAndSet(&MiPagedPages, Total, MiPagedHint);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhPagedPoolBase + Index * MM_PAGE_SIZE;
    if ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) && !MiWriteGuardPte(Va + Count * MM_PAGE_SIZE)) {
        RtlClearBits(&MiPagedPages, Index, Total);
        return NULL;
    }
    /* Where a table exists the PTEs say demand-zero now; elsewhere the table gets them when it is created. */
    for (ULONG_PTR Page = 0, Run; Page < Count; Page += Run) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        Run = MiPagesLeftInTable(PageVa, Count - Page);
        if (MmhIsPageTablePresent(PageVa)) {
            for (ULONG_PTR Next = 0; Next < Run; Next++) {
                MmhWritePte(PageVa + Next * MM_PAGE_SIZE,
                            MmhMakeDemandZeroPte(MmhGetPageMapOps(), MI_PAGED_PROTECTION));
            }
        }
    }
    MiPagedHint = Index + Total;
    MiPagedStats.ReservedPages += Total;
    return (PVOID)Va;
}

VOID MmReleasePagedPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    ULONG_PTR Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Va = (ULONG_PTR)Address, Index = (Va - MmhPagedPoolBase) >> MM_PAGE_SHIFT;

    if (!MmIsPagedPoolAddress(Va) || (Va & (MM_PAGE_SIZE - 1)) || Count == 0 || Index + Total > MmhPagedPoolPages ||
        !RtlAreBitsSet(&MiPagedPages, Index, Total)) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BAD_FREE, Va, Count, Flags);
    }
    for (ULONG_PTR Page = 0, Run; Page < Total; Page += Run) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        Run = MiPagesLeftInTable(PageVa, Total - Page);
        if (MmhIsPageTablePresent(PageVa)) {
            MiReleaseRun(PageVa, Run);
        }
    }
    RtlClearBits(&MiPagedPages, Index, Total);
    MiPagedStats.ReservedPages -= Total;
    if (Index < MiPagedHint) {
        MiPagedHint = Index;
    }
}

BOOLEAN MmMaterialisePagedPage(ULONG_PTR Va, ULONG Protection) {
    ULONG_PTR Pfn = MmAllocatePhysicalPage(TRUE);
    XTSTATUS Status;

    if (Pfn == MM_PFN_NONE) {
        return FALSE;
    }
    Status = MmhMapPage(Va, Pfn, MmhProtectionToMapFlags(Protection), MiAllocatePagedTable, NULL);
    if (!XT_SUCCESS(Status)) {
        /* Already mapped: another fault on the same page won (SMP); its frame stands, this one goes back. */
        MmFreePhysicalPage(Pfn);
        return Status == STATUS_CONFLICTING_ADDRESSES;
    }
    MmPfnDatabase.Entries[Pfn].PteAddress = (ULONG_PTR)MmhGetPageMapOps()->GetEntryAddress(Va, 1);
    MmPfnDatabase.Entries[Pfn].ShareCount = 1;
    MiPagedStats.ResidentPages++;
    MiPagedStats.DemandZeroFaults++;
    return TRUE;
}

VOID MmQueryPagedSpace(PMM_PAGED_SPACE_STATISTICS Statistics) {
    *Statistics = MiPagedStats;
    Statistics->TotalPages = MmhPagedPoolPages;
}

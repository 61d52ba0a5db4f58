/* The kernel's physical page allocator over the PFN database: single frames (zeroed on request), page-table frames
 * from the low zone, and the release of the loader's reclaimable memory. */
#include <ke.h>
#include <mmhl.h>
#include <rtl.h>

#include "mmpfn.h"

VOID MmReclaimLoaderMemory(VOID) {
    MmPfnBootStats.FramesReclaimed += MmReleasePfnState(&MmPfnDatabase, MmPfnReclaimable);
}

/* Zeroes a frame through a temporary mapping. */
static BOOLEAN MiZeroFrame(ULONG_PTR Pfn) {
    PVOID Va;
    if (!XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Va))) {
        return FALSE;
    }
    RtlZeroMemory(Va, MM_PAGE_SIZE);
    MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
    return TRUE;
}

ULONG_PTR MmAllocatePhysicalPage(BOOLEAN Zero) {
    BOOLEAN Zeroed = FALSE;
    ULONG_PTR Pfn = MmAllocatePfn(&MmPfnDatabase, Zero, FALSE, &Zeroed);

    if (Pfn != MM_PFN_NONE && Zero && !Zeroed && !MiZeroFrame(Pfn)) {
        MmFreePfn(&MmPfnDatabase, Pfn, FALSE);
        return MM_PFN_NONE;
    }
    return Pfn;
}

VOID MmFreePhysicalPage(ULONG_PTR Pfn) {
    /* A frame without a backed entry (beyond RAM, or in a hole of the sparse database) is never read. */
    if (!MmIsPfnBacked(&MmPfnDatabase, Pfn)) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_BAD_FREE, Pfn, ~(ULONG_PTR)0, 0);
    }
    if (!XT_SUCCESS(MmFreePfn(&MmPfnDatabase, Pfn, FALSE))) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_BAD_FREE, Pfn, MmPfnDatabase.Entries[Pfn].State, 0);
    }
}

ULONGLONG MmAllocatePageTableFrame(PVOID Context) {
    /* Below 4 GiB (see MI_DONOR); MmhMapPage zeroes new tables itself. */
    ULONG_PTR Pfn = MmAllocatePfn(&MmPfnDatabase, FALSE, TRUE, NULL);
    return Pfn == MM_PFN_NONE ? MMH_NO_FRAME : Pfn;
}

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

/* The PFN lock (NT's PfnLock): on one processor, raising to DISPATCH_LEVEL, the allocator's limit, is all of it. */
XTINLINE KRUNLEVEL MiAcquirePfnLock(VOID) {
    return KeRaiseRunLevel(DISPATCH_LEVEL);
}

XTINLINE VOID MiReleasePfnLock(KRUNLEVEL OldRunLevel) {
    KeLowerRunLevel(OldRunLevel);
}

ULONG_PTR MmAllocatePhysicalPage(BOOLEAN Zero) {
    BOOLEAN Zeroed = FALSE;
    KRUNLEVEL Old;
    ULONG_PTR Pfn;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    Old = MiAcquirePfnLock();
    Pfn = MmAllocatePfn(&MmPfnDatabase, Zero, FALSE, &Zeroed);
    if (Pfn != MM_PFN_NONE && Zero && !Zeroed && !MiZeroFrame(Pfn)) {
        MmFreePfn(&MmPfnDatabase, Pfn, FALSE);
        Pfn = MM_PFN_NONE;
    }
    MiReleasePfnLock(Old);
    return Pfn;
}

VOID MmFreePhysicalPage(ULONG_PTR Pfn) {
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    /* A frame without a backed entry (beyond RAM, or in a hole of the sparse database) is never read. */
    if (!MmIsPfnBacked(&MmPfnDatabase, Pfn)) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_BAD_FREE, Pfn, ~(ULONG_PTR)0, 0);
    }
    Old = MiAcquirePfnLock();
    if (!XT_SUCCESS(MmFreePfn(&MmPfnDatabase, Pfn, FALSE))) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_BAD_FREE, Pfn, MmPfnDatabase.Entries[Pfn].State, 0);
    }
    MiReleasePfnLock(Old);
}

ULONGLONG MmAllocatePageTableFrame(PVOID Context) {
    KRUNLEVEL Old = MiAcquirePfnLock();
    /* Below 4 GiB (see MI_DONOR); MmhMapPage zeroes new tables itself. */
    ULONG_PTR Pfn = MmAllocatePfn(&MmPfnDatabase, FALSE, TRUE, NULL);

    MiReleasePfnLock(Old);
    return Pfn == MM_PFN_NONE ? MMH_NO_FRAME : Pfn;
}

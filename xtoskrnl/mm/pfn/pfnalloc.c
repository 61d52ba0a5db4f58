/* The kernel's physical page allocator over the PFN database: single frames (zeroed on request), page-table frames
 * from the low zone, and the release of the loader's reclaimable memory. Every change of the database happens under
 * the PFN lock (NT's PfnLock: the numbered queued lock LockQueuePfnLock, at DISPATCH_LEVEL); frames are zeroed
 * outside it, through this processor's own HAL-window slot (docs/memory-manager.md "Locks"). */
#include <ke.h>
#include <mmhl.h>
#include <rtl.h>

#include "mmpfn.h"

/* Every processor number has its own zeroing slot. */
STATIC_ASSERT(KE_MAXIMUM_PROCESSORS <= MMH_PROCESSOR_SLOTS);

KRUNLEVEL MmLockPfnDatabase(VOID) {
    return KeAcquireQueuedSpinLock(LockQueuePfnLock);
}

VOID MmUnlockPfnDatabase(KRUNLEVEL OldRunLevel) {
    KeReleaseQueuedSpinLock(LockQueuePfnLock, OldRunLevel);
}

VOID MmReclaimLoaderMemory(VOID) {
    KRUNLEVEL Old = MmLockPfnDatabase();

    MmPfnBootStats.FramesReclaimed += MmReleasePfnState(&MmPfnDatabase, MmPfnReclaimable);
    MmUnlockPfnDatabase(Old);
}

ULONG_PTR MmVerifyPfnDatabase(VOID) {
    KRUNLEVEL Old = MmLockPfnDatabase();
    ULONG_PTR Problems = MmCheckPfnDatabase(&MmPfnDatabase);

    MmUnlockPfnDatabase(Old);
    return Problems;
}

/* Zeroes a frame through this processor's slot, at DISPATCH_LEVEL (nothing else on this processor uses the slot
 * meanwhile); FALSE without a HAL window. */
static BOOLEAN MiZeroFrame(ULONG_PTR Pfn) {
    KRUNLEVEL Old = KeGetCurrentRunLevel() < DISPATCH_LEVEL ? KeRaiseRunLevel(DISPATCH_LEVEL) : KeGetCurrentRunLevel();
    ULONG Processor = KeGetCurrentProcessorNumber();
    PVOID Va = MmhMapProcessorPage(Processor, Pfn);

    if (Va != NULL) {
        RtlZeroMemory(Va, MM_PAGE_SIZE);
        MmhUnmapProcessorPage(Processor);
    }
    KeLowerRunLevel(Old);
    return Va != NULL;
}

ULONG_PTR MmAllocatePhysicalPage(BOOLEAN Zero) {
    BOOLEAN Zeroed = FALSE;
    KRUNLEVEL Old;
    ULONG_PTR Pfn;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    Old = MmLockPfnDatabase();
    Pfn = MmAllocatePfn(&MmPfnDatabase, Zero, FALSE, &Zeroed);
    MmUnlockPfnDatabase(Old);
    /* The frame is this caller's now: it is zeroed outside the lock. */
    if (Pfn != MM_PFN_NONE && Zero && !Zeroed && !MiZeroFrame(Pfn)) {
        MmFreePhysicalPage(Pfn);
        Pfn = MM_PFN_NONE;
    }
    return Pfn;
}

VOID MmFreePhysicalPage(ULONG_PTR Pfn) {
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    Old = MmLockPfnDatabase();
    MmFreePhysicalPageLocked(Pfn, FALSE);
    MmUnlockPfnDatabase(Old);
}

VOID MmFreePhysicalPageLocked(ULONG_PTR Pfn, BOOLEAN Zeroed) {
    /* A frame without a backed entry (beyond RAM, or in a hole of the sparse database) is never read. */
    if (!MmIsPfnBacked(&MmPfnDatabase, Pfn)) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_BAD_FREE, Pfn, ~(ULONG_PTR)0, 0);
    }
    if (!XT_SUCCESS(MmFreePfn(&MmPfnDatabase, Pfn, Zeroed))) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_BAD_FREE, Pfn, MmPfnDatabase.Entries[Pfn].State, 0);
    }
}

ULONG_PTR MmAllocatePhysicalPageLocked(VOID) {
    return MmAllocatePfn(&MmPfnDatabase, FALSE, FALSE, NULL);
}

ULONGLONG MmAllocatePageTableFrameLocked(PVOID Context) {
    BOOLEAN Zeroed = FALSE;
    /* Below 4 GiB (see MI_DONOR), zeroed before MmhMapPage installs it (other processors may walk it at once). */
    ULONG_PTR Pfn = MmAllocatePfn(&MmPfnDatabase, TRUE, TRUE, &Zeroed);

    (VOID) Context;
    if (Pfn != MM_PFN_NONE && !Zeroed && !MiZeroFrame(Pfn)) {
        MmFreePfn(&MmPfnDatabase, Pfn, FALSE);
        Pfn = MM_PFN_NONE;
    }
    return Pfn == MM_PFN_NONE ? MMH_NO_FRAME : Pfn;
}

ULONGLONG MmAllocatePageTableFrame(PVOID Context) {
    KRUNLEVEL Old = MmLockPfnDatabase();
    ULONGLONG Pfn = MmAllocatePageTableFrameLocked(Context);

    MmUnlockPfnDatabase(Old);
    return Pfn;
}

/* Memory for the other processors and threads: the frame below 1 MiB the application processors' real-mode trampoline
 * runs in (reserved once at start-up, while the PFN database still has free low frames), its temporary identity
 * mapping, the per-processor stacks with guard pages, and the threads' kernel stacks (each with a guard page). */
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mm.h"

#define MI_LOW_MEMORY_PFN_LIMIT 0x100 /* 1 MiB: a SIPI vector names a page below it */

static ULONG_PTR MiStartupPfn;
static BOOLEAN MiStartupIdentityMapped;

VOID MiReserveProcessorStartupPage(VOID) {
    ULONG_PTR Pfn = MmAllocateContiguousPfns(&MmPfnDatabase, 1, MI_LOW_MEMORY_PFN_LIMIT, 1);

    if (Pfn == 0) { /* frame 0 (the real-mode IVT) would work but reads like a null page: take another */
        Pfn = MmAllocateContiguousPfns(&MmPfnDatabase, 1, MI_LOW_MEMORY_PFN_LIMIT, 1);
        MmFreePfn(&MmPfnDatabase, 0, FALSE);
    }
    if (Pfn == MM_PFN_NONE) {
        KdPrint("MM: no free frame below 1 MiB: application processors cannot be started\n");
        return;
    }
    MiStartupPfn = Pfn;
    KdPrint("MM: processor start-up page reserved at 0x%zx (below 1 MiB)\n", (SIZE_T)(Pfn << MM_PAGE_SHIFT));
}

ULONG_PTR MmGetProcessorStartupPage(VOID) {
    return MiStartupPfn << MM_PAGE_SHIFT;
}

XTSTATUS MmMapProcessorStartupPage(PVOID *Va) {
    ULONG Flags;
    XTSTATUS Status;

    if (MiStartupPfn == 0) {
        return STATUS_NOT_FOUND;
    }
    Status = MmhMapPhysicalMemory(MiStartupPfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, Va);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    /* Read-only and executable: the AP fetches its next instruction at this VA right after turning paging on. */
    Status = MmhMapPage(MiStartupPfn << MM_PAGE_SHIFT, MiStartupPfn, 0, MmAllocatePageTableFrame, NULL);
    if (Status == STATUS_CONFLICTING_ADDRESSES && MmhQueryPage(MiStartupPfn << MM_PAGE_SHIFT, &Flags) == MiStartupPfn &&
        !(Flags & MMH_MAP_NO_EXECUTE)) {
        return STATUS_SUCCESS; /* already identity-mapped and executable */
    }
    if (!XT_SUCCESS(Status)) {
        MmhUnmapPhysicalMemory(*Va, MM_PAGE_SIZE);
        return Status;
    }
    MiStartupIdentityMapped = TRUE;
    return STATUS_SUCCESS;
}

VOID MmUnmapProcessorStartupPage(PVOID Va) {
    if (MiStartupIdentityMapped) {
        MmhUnmapPage(MiStartupPfn << MM_PAGE_SHIFT);
        KeFlushSingleTb((PVOID)(MiStartupPfn << MM_PAGE_SHIFT)); /* the processors that started ran there */
        MiStartupIdentityMapped = FALSE;
    }
    MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
}

XTSTATUS MmAllocateGuardedStacks(ULONG Count, const SIZE_T *Pages, PULONG_PTR Tops) {
    SIZE_T Total = 0;
    ULONG_PTR Va, Base;
    ULONGLONG Pfn;

    for (ULONG Index = 0; Index < Count; Index++) {
        Total += 1 + Pages[Index];
    }
    Base = (ULONG_PTR)MmAllocateSystemPages(Total, MM_SYSTEM_PAGES_GUARD_AFTER);
    if (Base == 0) {
        return STATUS_NO_MEMORY;
    }
    Va = Base;
    for (ULONG Index = 0; Index < Count; Index++) {
        Pfn = MmhUnmapPage(Va); /* the guard page below stack Index: its frame goes back, its VA stays reserved */
        if (Pfn != MMH_NO_FRAME) {
            KeFlushSingleTb((PVOID)Va); /* processors already running may hold a (speculative) translation */
            MmFreePhysicalPage((ULONG_PTR)Pfn);
        }
        Va += (1 + Pages[Index]) * MM_PAGE_SIZE;
        Tops[Index] = Va;
    }
    return STATUS_SUCCESS;
}

PVOID MmCreateKernelStack(SIZE_T Size) {
    PUCHAR Stack;

    if (Size == 0 || (Size & (MM_PAGE_SIZE - 1))) {
        return NULL;
    }
    Stack = MmAllocateSystemPages(Size / MM_PAGE_SIZE, MM_SYSTEM_PAGES_GUARD_BEFORE);
    return Stack ? Stack + Size : NULL;
}

VOID MmDeleteKernelStack(PVOID StackBase, SIZE_T Size) {
    if (Size == 0 || (Size & (MM_PAGE_SIZE - 1))) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BAD_FREE, (ULONG_PTR)StackBase, Size, MM_SYSTEM_PAGES_GUARD_BEFORE);
    }
    MmFreeSystemPages((PUCHAR)StackBase - Size, Size / MM_PAGE_SIZE, MM_SYSTEM_PAGES_GUARD_BEFORE);
}

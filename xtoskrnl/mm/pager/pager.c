/* System PTE space: contiguous VA pages from a bitmap (first fit from a moving hint), each backed by a frame from
 * the PFN database; page tables created on demand. */
#include <rtl.h>

#include "mmhl.h"
#include "mmpager.h"
#include "mmpfn.h"

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);

static RTL_BITMAP MiSystemPtes;
static ULONG_PTR MiSystemPteHint;
static ULONG_PTR MiSystemPtesUsed;
static ULONG_PTR MiBitmapPages;
static PXT_INIT_BLOCK MiInitBlock;

/* Maps one new frame at Va; FALSE when frames or page tables run out. */
static BOOLEAN MiBackPage(ULONG_PTR Va, BOOLEAN Zero) {
    ULONG_PTR Pfn = MmAllocatePhysicalPage(Zero);

    if (Pfn == MM_PFN_NONE) {
        return FALSE;
    }
    if (!XT_SUCCESS(MmhMapPage(Va, Pfn, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, MmAllocatePageTableFrame, NULL))) {
        MmFreePhysicalPage(Pfn);
        return FALSE;
    }
    MmPfnDatabase.Entries[Pfn].PteAddress = (ULONG_PTR)MmhGetPageMapOps()->GetEntryAddress(Va, 1);
    MmPfnDatabase.Entries[Pfn].ShareCount = 1;
    return TRUE;
}

/* Unmaps the page at Va and frees its frame; a page that is not mapped is a STOP. */
static VOID MiReleasePage(ULONG_PTR Va) {
    ULONGLONG Pfn = MmhUnmapPage(Va);
    if (Pfn == MMH_NO_FRAME) {
        KeBugCheckEx(MM_SYSTEM_PTE_MISUSE, 0x100, Va, 0, 0);
    }
    MmFreePhysicalPage((ULONG_PTR)Pfn);
}

XTSTATUS MmInitializePager(PXT_INIT_BLOCK InitBlock) {
    ULONG_PTR Bytes = RTL_BITMAP_WORDS(MmhSystemPtePages) * sizeof(ULONG_PTR);

    MiInitBlock = InitBlock;
    MiBitmapPages = (Bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
    for (ULONG_PTR Page = 0; Page < MiBitmapPages; Page++) {
        if (!MiBackPage(MmhSystemPteBase + Page * MM_PAGE_SIZE, TRUE)) {
            return STATUS_NO_MEMORY;
        }
    }
    RtlInitializeBitMap(&MiSystemPtes, (PULONG_PTR)MmhSystemPteBase, MmhSystemPtePages);
    RtlClearAllBits(&MiSystemPtes);
    RtlSetBits(&MiSystemPtes, 0, MiBitmapPages);
    MiSystemPteHint = MiBitmapPages;
    MiSystemPtesUsed = MiBitmapPages;
    return STATUS_SUCCESS;
}

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    ULONG_PTR Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Index, Va;

    if (Count == 0 || Count > MmhSystemPtePages || MiSystemPtes.Buffer == NULL) {
        return NULL;
    }
    Index = RtlFindClearBitsAndSet(&MiSystemPtes, Total, MiSystemPteHint);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhSystemPteBase + Index * MM_PAGE_SIZE;
    for (SIZE_T Page = 0; Page < Count; Page++) {
        if (!MiBackPage(Va + Page * MM_PAGE_SIZE, FALSE)) {
            while (Page-- > 0) {
                MiReleasePage(Va + Page * MM_PAGE_SIZE);
            }
            RtlClearBits(&MiSystemPtes, Index, Total);
            return NULL;
        }
    }
    MiSystemPteHint = Index + Total;
    MiSystemPtesUsed += Total;
    return (PVOID)Va;
}

VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    ULONG_PTR Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Va = (ULONG_PTR)Address, Index = (Va - MmhSystemPteBase) / MM_PAGE_SIZE;

    if (Va < MmhSystemPteBase || (Va & (MM_PAGE_SIZE - 1)) || Index < MiBitmapPages || Count == 0 ||
        Index + Total > MmhSystemPtePages || !RtlAreBitsSet(&MiSystemPtes, Index, Total)) {
        KeBugCheckEx(MM_SYSTEM_PTE_MISUSE, 0x101, Va, Count, Flags);
    }
    for (SIZE_T Page = 0; Page < Count; Page++) {
        MiReleasePage(Va + Page * MM_PAGE_SIZE);
    }
    RtlClearBits(&MiSystemPtes, Index, Total);
    MiSystemPtesUsed -= Total;
    if (Index < MiSystemPteHint) {
        MiSystemPteHint = Index;
    }
}

VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total) {
    *Used = MiSystemPtesUsed;
    *Total = MmhSystemPtePages;
}

/* TRUE when Va lies in [Base, Base + Size). */
static BOOLEAN MiInRange(ULONG_PTR Va, ULONGLONG Base, ULONGLONG Size) {
    return Va >= Base && (ULONGLONG)(Va - Base) < Size;
}

PCSTR MmDescribeAddress(ULONG_PTR Va) {
    PXT_INIT_BLOCK Block = MiInitBlock;
    BOOLEAN Mapped = MmhIsAddressValid(Va);

    if (MiInRange(Va, MmhSystemPteBase, (ULONGLONG)MmhSystemPtePages * MM_PAGE_SIZE)) {
        return Mapped ? "system PTEs" : "system PTEs (unmapped: a guard page or a freed page)";
    }
    if (MiInRange(Va, MmhPfnDatabaseBase, MmhPfnDatabaseLimit - MmhPfnDatabaseBase)) {
        return Mapped ? "PFN database" : "PFN database (hole: no such frame)";
    }
    if (MiInRange(Va, MmhHalWindowBase, MM_HAL_WINDOW_SIZE)) {
        return "HAL window";
    }
    if (Block && MiInRange(Va, Block->KernelVirtualBase, Block->KernelImageSize)) {
        return "kernel image";
    }
    if (Block && MiInRange(Va, Block->KernelStackBase - MM_PAGE_SIZE, MM_PAGE_SIZE)) {
        return "kernel stack guard page (stack overflow)";
    }
    for (ULONG Index = 0; Block && Index < ARRAY_SIZE(Block->PanicStackBase); Index++) {
        if (MiInRange(Va, Block->PanicStackBase[Index] - MM_PAGE_SIZE, MM_PAGE_SIZE)) {
            return "panic stack guard page";
        }
    }
    if (Block && MiInRange(Va, Block->KernelStackBase, Block->KernelStackSize)) {
        return "kernel stack";
    }
    if (sizeof(PVOID) == 8 ? (Va >> 63) == 0 : Va < 0x80000000u) {
        return "user space (no user mappings exist)";
    }
    return Mapped ? "kernel space" : "unused kernel space";
}

/* System PTE space: contiguous VA pages from a bitmap (first fit from a moving hint), each backed by a frame from
 * the PFN database; page tables created on demand. */
#include <ke.h>
#include <mmhl.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mmpager.h"

static RTL_BITMAP MiSystemPtes;
static ULONG_PTR MiSystemPteHint;
static ULONG_PTR MiSystemPtesUsed;
static ULONG_PTR MiBitmapPages;

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
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_MAPPED, Va, 0, 0);
    }
    MmFreePhysicalPage((ULONG_PTR)Pfn);
}

XTSTATUS MmInitializePager(VOID) {
    ULONG_PTR Bytes = RTL_BITMAP_WORDS(MmhSystemPtePages) * sizeof(ULONG_PTR);

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

/* The unbacked guard pages Flags add around a block of system pages, and how many of them come before it. */
static ULONG_PTR MiGuardPages(ULONG Flags, PULONG_PTR Before) {
    *Before = (Flags & MM_SYSTEM_PAGES_GUARD_BEFORE) ? 1 : 0;
    return *Before + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
}

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    ULONG_PTR Before, Total = Count + MiGuardPages(Flags, &Before);
    ULONG_PTR Index, Va;

    if (Count == 0 || Count > MmhSystemPtePages || MiSystemPtes.Buffer == NULL) {
        return NULL;
    }
    Index = RtlFindClearBitsAndSet(&MiSystemPtes, Total, MiSystemPteHint);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhSystemPteBase + (Index + Before) * MM_PAGE_SIZE;
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
    ULONG_PTR Before, Total = Count + MiGuardPages(Flags, &Before);
    ULONG_PTR Va = (ULONG_PTR)Address, Index = (Va - MmhSystemPteBase) / MM_PAGE_SIZE - Before;

    if (Va < MmhSystemPteBase + Before * MM_PAGE_SIZE || (Va & (MM_PAGE_SIZE - 1)) || Index < MiBitmapPages ||
        Count == 0 || Index + Total > MmhSystemPtePages || !RtlAreBitsSet(&MiSystemPtes, Index, Total)) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BAD_FREE, Va, Count, Flags);
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

PVOID MmMapSystemIoPages(ULONGLONG FirstPfn, SIZE_T Count) {
    ULONG_PTR Index, Va;

    if (Count == 0 || Count > MmhSystemPtePages || MiSystemPtes.Buffer == NULL) {
        return NULL;
    }
    Index = RtlFindClearBitsAndSet(&MiSystemPtes, Count, MiSystemPteHint);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhSystemPteBase + Index * MM_PAGE_SIZE;
    for (SIZE_T Page = 0; Page < Count; Page++) {
        if (!XT_SUCCESS(MmhMapPage(Va + Page * MM_PAGE_SIZE, FirstPfn + Page, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE,
                                   MmAllocatePageTableFrame, NULL))) {
            while (Page-- > 0) {
                MmhUnmapPage(Va + Page * MM_PAGE_SIZE);
            }
            RtlClearBits(&MiSystemPtes, Index, Count);
            return NULL;
        }
    }
    MiSystemPteHint = Index + Count;
    MiSystemPtesUsed += Count;
    return (PVOID)Va;
}

VOID MmUnmapSystemIoPages(PVOID Address, SIZE_T Count) {
    ULONG_PTR Va = (ULONG_PTR)Address, Index = (Va - MmhSystemPteBase) / MM_PAGE_SIZE;

    if (Va < MmhSystemPteBase || (Va & (MM_PAGE_SIZE - 1)) || Index < MiBitmapPages || Count == 0 ||
        Index + Count > MmhSystemPtePages || !RtlAreBitsSet(&MiSystemPtes, Index, Count)) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BAD_FREE, Va, Count, 0);
    }
    for (SIZE_T Page = 0; Page < Count; Page++) {
        if (MmhUnmapPage(Va + Page * MM_PAGE_SIZE) == MMH_NO_FRAME) {
            KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_MAPPED, Va + Page * MM_PAGE_SIZE, 0, 0);
        }
    }
    RtlClearBits(&MiSystemPtes, Index, Count);
    MiSystemPtesUsed -= Count;
    if (Index < MiSystemPteHint) {
        MiSystemPteHint = Index;
    }
}

VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total) {
    *Used = MiSystemPtesUsed;
    *Total = MmhSystemPtePages;
}

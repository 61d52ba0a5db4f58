/* Device memory in system space (MmMapIoSpace): framebuffers and device registers, mapped through the pager's
 * system PTEs once the memory manager is up. The early HAL window (mm/hl) stays for what must be mapped before. */
#include <mmpager.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mm.h"

PVOID MmMapIoSpace(PHYSICAL_ADDRESS Address, SIZE_T Length) {
    ULONGLONG FirstPfn = Address >> MM_PAGE_SHIFT;
    ULONGLONG Offset = Address & (MM_PAGE_SIZE - 1);
    ULONGLONG Pages;
    PUCHAR Va;

    if (Length == 0 || Length > ~(SIZE_T)0 - Offset - MM_PAGE_SIZE) {
        return NULL;
    }
    Pages = (Offset + Length + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
    for (ULONGLONG Page = 0; Page < Pages; Page++) {
        if (FirstPfn + Page <= MmPfnDatabase.HighestPfn &&
            MmIsPfnBacked(&MmPfnDatabase, (ULONG_PTR)(FirstPfn + Page))) {
            return NULL; /* RAM belongs to the PFN database: never mapped as device memory */
        }
    }
    Va = MmMapSystemIoPages(FirstPfn, (SIZE_T)Pages);
    return Va ? Va + Offset : NULL;
}

VOID MmUnmapIoSpace(PVOID Va, SIZE_T Length) {
    ULONG_PTR Offset = (ULONG_PTR)Va & (MM_PAGE_SIZE - 1);

    MmUnmapSystemIoPages((PVOID)((ULONG_PTR)Va - Offset), (Offset + Length + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT);
}

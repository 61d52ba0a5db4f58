/* Software PTEs (not present but valid) of every paging mode: encode and decode. Pure: runs on the host too. */
#include "mmhl.h"

/* The protection field of a software entry. */
static ULONGLONG MmhpProtectionBits(ULONG Protection) {
    return ((ULONGLONG)Protection << MMH_SWPTE_PROTECTION_SHIFT) & MMH_SWPTE_PROTECTION_MASK;
}

/* The frame mask of Ops' entries. */
static ULONGLONG MmhpFrameMask(PCMMH_PAGE_MAP_OPS Ops) {
    return Ops->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK;
}

ULONGLONG MmhMakeDemandZeroPte(PCMMH_PAGE_MAP_OPS Ops, ULONG Protection) {
    (VOID) Ops;
    return MmhpProtectionBits(Protection);
}

ULONGLONG MmhMakeTransitionPte(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Frame, ULONG Protection) {
    return ((Frame << MM_PAGE_SHIFT) & MmhpFrameMask(Ops)) | MMH_SWPTE_TRANSITION | MmhpProtectionBits(Protection);
}

ULONGLONG MmhMakePageFilePte(PCMMH_PAGE_MAP_OPS Ops, ULONG PageFile, ULONGLONG Offset, ULONG Protection) {
    ULONG Shift = Ops->EntrySize == 4 ? MMH_SWPTE32_PAGEFILE_HIGH_SHIFT : MMH_SWPTE64_PAGEFILE_HIGH_SHIFT;
    ULONGLONG High = Ops->EntrySize == 4 ? (Offset & 0xFFFFF) : (Offset & 0xFFFFFFFFull);

    /* Offset 0 of file 0 would read as demand-zero: a paging-file entry always has a non-zero file or offset field,
     * so the pager numbers files from 1 or keeps offset 0 unused. */
    return (High << Shift) | (((ULONGLONG)PageFile << MMH_SWPTE_PAGEFILE_LOW_SHIFT) & MMH_SWPTE_PAGEFILE_LOW_MASK) |
           MmhpProtectionBits(Protection);
}

VOID MmhDecodePte(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Entry, PMMH_SOFTWARE_PTE Pte) {
    ULONG Shift = Ops->EntrySize == 4 ? MMH_SWPTE32_PAGEFILE_HIGH_SHIFT : MMH_SWPTE64_PAGEFILE_HIGH_SHIFT;

    if (Ops->EntrySize == 4) {
        Entry &= 0xFFFFFFFFull;
    }
    *Pte = (MMH_SOFTWARE_PTE){MmhPteFree, 0, 0, 0, 0};
    if (Entry & PTE_PRESENT) {
        Pte->Kind = MmhPteValid;
        Pte->Frame = (Entry & MmhpFrameMask(Ops)) >> MM_PAGE_SHIFT;
        return;
    }
    if (Entry == 0) {
        return;
    }
    Pte->Protection = (ULONG)((Entry & MMH_SWPTE_PROTECTION_MASK) >> MMH_SWPTE_PROTECTION_SHIFT);
    if (Entry & MMH_SWPTE_PROTOTYPE) {
        Pte->Kind = MmhPtePrototype;
    } else if (Entry & MMH_SWPTE_TRANSITION) {
        Pte->Kind = MmhPteTransition;
        Pte->Frame = (Entry & MmhpFrameMask(Ops)) >> MM_PAGE_SHIFT;
    } else if ((Entry & MMH_SWPTE_PAGEFILE_LOW_MASK) || (Entry >> Shift) != 0) {
        Pte->Kind = MmhPtePageFile;
        Pte->PageFile = (ULONG)((Entry & MMH_SWPTE_PAGEFILE_LOW_MASK) >> MMH_SWPTE_PAGEFILE_LOW_SHIFT);
        Pte->PageFileOffset = Entry >> Shift;
    } else {
        Pte->Kind = MmhPteDemandZero;
    }
}

ULONG MmhProtectionToMapFlags(ULONG Protection) {
    ULONG Access = Protection & 7;
    ULONG Flags = 0;

    if (Access == MM_PROTECT_READWRITE || Access == MM_PROTECT_WRITECOPY || Access == MM_PROTECT_EXECUTE_READWRITE ||
        Access == MM_PROTECT_EXECUTE_WRITECOPY) {
        Flags |= MMH_MAP_WRITABLE;
    }
    if (Access != MM_PROTECT_EXECUTE && Access != MM_PROTECT_EXECUTE_READ && Access != MM_PROTECT_EXECUTE_READWRITE &&
        Access != MM_PROTECT_EXECUTE_WRITECOPY) {
        Flags |= MMH_MAP_NO_EXECUTE;
    }
    return Flags;
}

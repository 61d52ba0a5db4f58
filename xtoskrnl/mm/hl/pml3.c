/* PML3: i686 PAE paging, 64-bit entries, NX. The four page directories sit in PD[3] slots 0..3: PTEs at
 * 0xC0000000, PDEs at 0xC0600000. The 4-entry PDPT is not a page table and has no self-map address: the walk
 * treats it as present (the loader fills all four entries for the self-map to work). */
#include "mmhl.h"

/* Entry VA for Va at Level (1 = PTE, 2 = PDE); 0 for the PDPT. */
static ULONGLONG MmhpPml3GetEntryAddress(ULONGLONG Va, ULONG Level) {
    if (Level < 1 || Level > 2) {
        return 0;
    }
    return MmhSelfMapEntryAddress(MM_PML3_PTE_BASE, 0xFFFFFFFFull, sizeof(HARDWARE_PTE64), Va, Level);
}

/* Present 4 KiB entry for Pfn. */
static ULONGLONG MmhpPml3MakeLeafEntry(ULONGLONG Pfn, ULONG Flags) {
    return ((Pfn << MM_PAGE_SHIFT) & PTE64_FRAME_MASK) | PTE_PRESENT | ((Flags & MMH_MAP_WRITABLE) ? PTE_WRITABLE : 0) |
           ((Flags & MMH_MAP_NO_CACHE) ? PTE_CACHE_DISABLE | PTE_WRITE_THROUGH : 0) |
           ((Flags & MMH_MAP_GLOBAL) ? PTE_GLOBAL : 0) | ((Flags & MMH_MAP_NO_EXECUTE) ? PTE_NO_EXECUTE : 0);
}

/* Reads a 64-bit entry as two halves (high half re-read until stable). */
static ULONGLONG MmhpPml3ReadEntry(ULONGLONG EntryVa) {
    volatile ULONG *Halves = (volatile ULONG *)(ULONG_PTR)EntryVa;
    ULONG High, Low;

    do {
        High = Halves[1];
        Low = Halves[0];
    } while (High != Halves[1]);
    return ((ULONGLONG)High << 32) | Low;
}

/* Writes a 64-bit entry as two 32-bit stores: the half holding the present bit last when the entry becomes
 * present, first when it becomes not present. */
static VOID MmhpPml3WriteEntry(ULONGLONG EntryVa, ULONGLONG Value) {
    volatile ULONG *Halves = (volatile ULONG *)(ULONG_PTR)EntryVa;

    if (Value & PTE_PRESENT) {
        Halves[0] = 0;
        Halves[1] = (ULONG)(Value >> 32);
        Halves[0] = (ULONG)Value;
    } else {
        Halves[0] = (ULONG)Value;
        Halves[1] = (ULONG)(Value >> 32);
    }
}

const MMH_PAGE_MAP_OPS MmhPml3Ops = {
    .Mode = XtPagingModePml3,
    .Name = "PML3",
    .Levels = 2,
    .EntrySize = sizeof(HARDWARE_PTE64),
    .VaBits = 32,
    .MaxPfn = 0xFFFFFFFFFFull,
    .NoExecuteBit = PTE_NO_EXECUTE,
    .Cr4Required = CR4_PAE,
    .Cr4Absent = CR4_LA57,
    .LongMode = FALSE,
    .GetEntryAddress = MmhpPml3GetEntryAddress,
    .MakeLeafEntry = MmhpPml3MakeLeafEntry,
    .ReadEntry = MmhpPml3ReadEntry,
    .WriteEntry = MmhpPml3WriteEntry,
    .KernelDirectoryBase = 0xC0000000ull,
    .KernelFirstSlot = 0,
    .SelfMapSlot = 0,
    .SelfMapSlots = 4,
    .DirectoryPointers = 4,
};

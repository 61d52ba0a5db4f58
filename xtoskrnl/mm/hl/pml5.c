/* PML5: amd64 5-level paging (LA57): self-map slot 0x1ED, PTEs at 0xFFED000000000000. */
#include "mmhl.h"

/* Entry VA for Va at Level (1 = PTE .. 5 = the top-level entry). */
static ULONGLONG MmhpPml5GetEntryAddress(ULONGLONG Va, ULONG Level) {
    if (Level < 1 || Level > 5) {
        return 0;
    }
    return MmhSelfMapEntryAddress(MM_PML5_PTE_BASE, 0x01FFFFFFFFFFFFFFull, sizeof(HARDWARE_PTE64), Va, Level);
}

/* Present 4 KiB entry for Pfn. */
static ULONGLONG MmhpPml5MakeLeafEntry(ULONGLONG Pfn, ULONG Flags) {
    return ((Pfn << MM_PAGE_SHIFT) & PTE64_FRAME_MASK) | PTE_PRESENT | ((Flags & MMH_MAP_WRITABLE) ? PTE_WRITABLE : 0) |
           ((Flags & MMH_MAP_NO_CACHE) ? PTE_CACHE_DISABLE | PTE_WRITE_THROUGH : 0) |
           ((Flags & MMH_MAP_GLOBAL) ? PTE_GLOBAL : 0) | ((Flags & MMH_MAP_NO_EXECUTE) ? PTE_NO_EXECUTE : 0);
}

/* Reads a 64-bit entry. */
static ULONGLONG MmhpPml5ReadEntry(ULONGLONG EntryVa) {
    return *(volatile HARDWARE_PTE64 *)(ULONG_PTR)EntryVa;
}

/* Writes a 64-bit entry (one store on amd64). */
static VOID MmhpPml5WriteEntry(ULONGLONG EntryVa, ULONGLONG Value) {
    *(volatile HARDWARE_PTE64 *)(ULONG_PTR)EntryVa = Value;
}

const MMH_PAGE_MAP_OPS MmhPml5Ops = {
    .Mode = XtPagingModePml5,
    .Name = "PML5",
    .Levels = 5,
    .EntrySize = sizeof(HARDWARE_PTE64),
    .VaBits = 57,
    .MaxPfn = 0xFFFFFFFFFFull,
    .NoExecuteBit = PTE_NO_EXECUTE,
    .Cr4Required = CR4_PAE | CR4_LA57,
    .Cr4Absent = 0,
    .LongMode = TRUE,
    .GetEntryAddress = MmhpPml5GetEntryAddress,
    .MakeLeafEntry = MmhpPml5MakeLeafEntry,
    .ReadEntry = MmhpPml5ReadEntry,
    .WriteEntry = MmhpPml5WriteEntry,
    .KernelDirectoryBase = 0xFF00000000000000ull,
    .KernelFirstSlot = 0x100,
    .SelfMapSlot = MM_PML5_SELFMAP_INDEX,
    .SelfMapSlots = 1,
    .DirectoryPointers = 0,
};

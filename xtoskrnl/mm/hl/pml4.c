/* PML4: amd64 4-level paging: self-map slot 0x1ED, PTEs at 0xFFFFF68000000000 (as NT). */
#include "mmhl.h"

/* Entry VA for Va at Level (1 = PTE .. 4 = the top-level entry). */
static ULONGLONG MmhpPml4GetEntryAddress(ULONGLONG Va, ULONG Level) {
    if (Level < 1 || Level > 4) {
        return 0;
    }
    return MmhSelfMapEntryAddress(MM_PML4_PTE_BASE, 0x0000FFFFFFFFFFFFull, sizeof(HARDWARE_PTE64), Va, Level);
}

/* Present 4 KiB entry for Pfn. */
static ULONGLONG MmhpPml4MakeLeafEntry(ULONGLONG Pfn, ULONG Flags) {
    return ((Pfn << MM_PAGE_SHIFT) & PTE64_FRAME_MASK) | PTE_PRESENT | ((Flags & MMH_MAP_WRITABLE) ? PTE_WRITABLE : 0) |
           ((Flags & MMH_MAP_NO_CACHE) ? PTE_CACHE_DISABLE | PTE_WRITE_THROUGH : 0) |
           ((Flags & MMH_MAP_GLOBAL) ? PTE_GLOBAL : 0) | ((Flags & MMH_MAP_NO_EXECUTE) ? PTE_NO_EXECUTE : 0);
}

/* Reads a 64-bit entry. */
static ULONGLONG MmhpPml4ReadEntry(ULONGLONG EntryVa) {
    return *(volatile HARDWARE_PTE64 *)(ULONG_PTR)EntryVa;
}

/* Writes a 64-bit entry (one store on amd64). */
static VOID MmhpPml4WriteEntry(ULONGLONG EntryVa, ULONGLONG Value) {
    *(volatile HARDWARE_PTE64 *)(ULONG_PTR)EntryVa = Value;
}

const MMH_PAGE_MAP_OPS MmhPml4Ops = {
    .Mode = XtPagingModePml4,
    .Name = "PML4",
    .Levels = 4,
    .EntrySize = sizeof(HARDWARE_PTE64),
    .VaBits = 48,
    .MaxPfn = 0xFFFFFFFFFFull,
    .NoExecuteBit = PTE_NO_EXECUTE,
    .Cr4Required = CR4_PAE,
    .Cr4Absent = CR4_LA57,
    .LongMode = TRUE,
    .GetEntryAddress = MmhpPml4GetEntryAddress,
    .MakeLeafEntry = MmhpPml4MakeLeafEntry,
    .ReadEntry = MmhpPml4ReadEntry,
    .WriteEntry = MmhpPml4WriteEntry,
    .KernelDirectoryBase = 0xFFFF800000000000ull,
    .KernelFirstSlot = 0x100,
    .SelfMapSlot = MM_PML4_SELFMAP_INDEX,
    .SelfMapSlots = 1,
    .DirectoryPointers = 0,
};

/* PML2: i686 two-level paging, 32-bit entries, no NX. Self-map PDE 0x300: PTEs at 0xC0000000. */
#include "mmhl.h"

/* Entry VA for Va at Level (1 = PTE, 2 = PDE). */
static ULONGLONG MmhpPml2GetEntryAddress(ULONGLONG Va, ULONG Level) {
    if (Level < 1 || Level > 2) {
        return 0;
    }
    return MmhSelfMapEntryAddress(MM_PML2_PTE_BASE, 0xFFFFFFFFull, sizeof(HARDWARE_PTE32), Va, Level);
}

/* Present 4 KiB entry for Pfn; the no-execute flag does not exist in this mode. */
static ULONGLONG MmhpPml2MakeLeafEntry(ULONGLONG Pfn, ULONG Flags) {
    return ((Pfn << MM_PAGE_SHIFT) & PTE32_FRAME_MASK) | PTE_PRESENT | ((Flags & MMH_MAP_WRITABLE) ? PTE_WRITABLE : 0) |
           ((Flags & MMH_MAP_NO_CACHE) ? PTE_CACHE_DISABLE | PTE_WRITE_THROUGH : 0) |
           ((Flags & MMH_MAP_GLOBAL) ? PTE_GLOBAL : 0);
}

/* Reads a 32-bit entry. */
static ULONGLONG MmhpPml2ReadEntry(ULONGLONG EntryVa) {
    return *(volatile HARDWARE_PTE32 *)(ULONG_PTR)EntryVa;
}

/* Writes a 32-bit entry (one store). */
static VOID MmhpPml2WriteEntry(ULONGLONG EntryVa, ULONGLONG Value) {
    *(volatile HARDWARE_PTE32 *)(ULONG_PTR)EntryVa = (HARDWARE_PTE32)Value;
}

const MMH_PAGE_MAP_OPS MmhPml2Ops = {
    .Mode = XtPagingModePml2,
    .Name = "PML2",
    .Levels = 2,
    .EntrySize = sizeof(HARDWARE_PTE32),
    .VaBits = 32,
    .MaxPfn = 0xFFFFF,
    .NoExecuteBit = 0,
    .Cr4Required = 0,
    .Cr4Absent = CR4_PAE | CR4_LA57,
    .LongMode = FALSE,
    .GetEntryAddress = MmhpPml2GetEntryAddress,
    .MakeLeafEntry = MmhpPml2MakeLeafEntry,
    .ReadEntry = MmhpPml2ReadEntry,
    .WriteEntry = MmhpPml2WriteEntry,
    .KernelDirectoryBase = 0x80000000ull,
    .KernelFirstSlot = 0x200,
    .SelfMapSlot = MM_PML2_SELFMAP_INDEX,
    .SelfMapSlots = 1,
    .DirectoryPointers = 0,
};

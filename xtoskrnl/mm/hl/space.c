/* The top-level tables of per-process address spaces, per paging mode (docs/memory-manager.md "Per-process address
 * spaces"): which entries a new space copies from the current one, its self-map, PML3's PDPT, CR3 loads, and the
 * release of a space's user half. The mode's shape comes from its table (KernelDirectoryBase, KernelFirstSlot,
 * SelfMapSlot(s), DirectoryPointers). */
#include <ar.h>
#include <rtl.h>

#include "mmhl.h"

/* The PML3 PDPT entry (or 4-entry CR3 table) index of the shared PD2 and of the kernel directory PD3. */
#define MMH_PML3_SHARED_DIRECTORY 2
#define MMH_PML3_KERNEL_DIRECTORY 3

/* PFN field of an entry of the bound mode. */
static ULONGLONG MmhpFrameOf(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Entry) {
    return (Entry & (Ops->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK)) >> MM_PAGE_SHIFT;
}

/* The current space's kernel directory, through the self-map. */
static ULONGLONG MmhpKernelDirectoryVa(PCMMH_PAGE_MAP_OPS Ops) {
    return ALIGN_DOWN(Ops->GetEntryAddress(Ops->KernelDirectoryBase, Ops->Levels), (ULONGLONG)MM_PAGE_SIZE);
}

/* An entry like Template (the current space's flags) pointing at Pfn. */
static ULONGLONG MmhpRetarget(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Template, ULONGLONG Pfn) {
    ULONGLONG Mask = Ops->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK;

    return (Template & ~Mask) | ((Pfn << MM_PAGE_SHIFT) & Mask);
}

ULONG MmhGetSpaceFrameCount(VOID) {
    return MmhGetPageMapOps()->DirectoryPointers ? MMH_SPACE_FRAMES : 1;
}

VOID MmhDescribeCurrentSpace(PMMH_SPACE_TABLES Tables) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG Directory = MmhpKernelDirectoryVa(Ops);

    RtlZeroMemory(Tables, sizeof(*Tables));
    Tables->PageMapBase = ArReadCr3() & ~(ULONG_PTR)(Ops->DirectoryPointers ? 0x1F : 0xFFF);
    Tables->Frames[0] = Tables->PageMapBase >> MM_PAGE_SHIFT; /* PML3: the page holding the PDPT */
    Tables->Count = MmhGetSpaceFrameCount();
    if (Ops->DirectoryPointers) {
        /* PD3's self-map entries name the four directories: this space owns 0, 1 and 3. */
        Tables->Frames[1] = MmhpFrameOf(Ops, Ops->ReadEntry(Directory + 0 * Ops->EntrySize));
        Tables->Frames[2] = MmhpFrameOf(Ops, Ops->ReadEntry(Directory + 1 * Ops->EntrySize));
        Tables->Frames[3] = MmhpFrameOf(Ops, Ops->ReadEntry(Directory + MMH_PML3_KERNEL_DIRECTORY * Ops->EntrySize));
        Tables->KernelDirectory = Tables->Frames[3];
    } else {
        Tables->KernelDirectory = Tables->Frames[0];
    }
}

VOID MmhWriteDirectoryEntry(ULONG Processor, ULONGLONG Directory, ULONG Slot, ULONGLONG Entry) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    PUCHAR Page = MmhMapProcessorPage(Processor, Directory);

    if (Page != NULL) {
        Ops->WriteEntry((ULONG_PTR)(Page + Slot * Ops->EntrySize), Entry);
        MmhUnmapProcessorPage(Processor);
    }
}

/* Fills the kernel directory frame Pfn: every kernel slot as the current space has it, the self-map slots pointing
 * at Tables' own directories (PML3: PD0, PD1, the shared PD2, PD3; else the top-level table itself). */
static VOID MmhpBuildKernelDirectory(PCMMH_PAGE_MAP_OPS Ops, ULONG Processor, PMMH_SPACE_TABLES Tables, ULONGLONG Pfn) {
    ULONGLONG Source = MmhpKernelDirectoryVa(Ops), Target, Entry;
    ULONG Slots = MM_PAGE_SIZE / Ops->EntrySize;

    Target = (ULONG_PTR)MmhMapProcessorPage(Processor, Pfn);
    for (ULONG Slot = Ops->KernelFirstSlot; Slot < Slots; Slot++) {
        Entry = Ops->ReadEntry(Source + Slot * Ops->EntrySize);
        if (Slot >= Ops->SelfMapSlot && Slot < Ops->SelfMapSlot + Ops->SelfMapSlots) {
            ULONG Index = Slot - Ops->SelfMapSlot;
            /* PML3: directory Index (PD2 stays the shared one); else the top-level table itself. */
            if (!Ops->DirectoryPointers) {
                Entry = MmhpRetarget(Ops, Entry, Tables->Frames[0]);
            } else if (Index != MMH_PML3_SHARED_DIRECTORY) {
                Entry = MmhpRetarget(Ops, Entry, Tables->Frames[Index < MMH_PML3_SHARED_DIRECTORY ? Index + 1 : 3]);
            }
        }
        if (Entry != 0) {
            Ops->WriteEntry(Target + Slot * Ops->EntrySize, Entry); /* the frame is zeroed: empty slots stay 0 */
        }
    }
    MmhUnmapProcessorPage(Processor);
}

VOID MmhBuildSpace(ULONG Processor, PMMH_SPACE_TABLES Tables) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG Directory = MmhpKernelDirectoryVa(Ops);
    PULONGLONG Pdpt;

    Tables->Count = MmhGetSpaceFrameCount();
    Tables->PageMapBase = Tables->Frames[0] << MM_PAGE_SHIFT;
    Tables->KernelDirectory = Tables->Frames[Ops->DirectoryPointers ? 3 : 0];
    MmhpBuildKernelDirectory(Ops, Processor, Tables, Tables->KernelDirectory);
    if (!Ops->DirectoryPointers) {
        return;
    }
    /* PML3: the PDPT (only P may be set there): its own PD0, PD1 and PD3, and the shared PD2 as PD3[2] names it. */
    Pdpt = MmhMapProcessorPage(Processor, Tables->Frames[0]);
    Pdpt[0] = (Tables->Frames[1] << MM_PAGE_SHIFT) | PTE_PRESENT;
    Pdpt[1] = (Tables->Frames[2] << MM_PAGE_SHIFT) | PTE_PRESENT;
    Pdpt[MMH_PML3_SHARED_DIRECTORY] =
        (MmhpFrameOf(Ops, Ops->ReadEntry(Directory + MMH_PML3_SHARED_DIRECTORY * Ops->EntrySize)) << MM_PAGE_SHIFT) |
        PTE_PRESENT;
    Pdpt[MMH_PML3_KERNEL_DIRECTORY] = (Tables->Frames[3] << MM_PAGE_SHIFT) | PTE_PRESENT;
    MmhUnmapProcessorPage(Processor);
}

VOID MmhLoadPageMapBase(ULONGLONG Base) {
    __asm__ volatile("mov %0, %%cr3" : : "r"((ULONG_PTR)Base) : "memory");
}

/* Releases the present entries of the level-Level table(s) that map [Va, End) of the user half. The entries of one
 * call are consecutive in the self-map (one table; PML3's PD0 and PD1 are adjacent there too): one address walk. */
static VOID MmhpReleaseLevel(PCMMH_PAGE_MAP_OPS Ops, ULONG Level, ULONGLONG Va, ULONGLONG End,
                             PMMH_RELEASE_FRAME Release, PVOID Context) {
    ULONG Bits = Ops->EntrySize == 4 ? 10 : 9;
    ULONGLONG Span = 1ull << (MM_PAGE_SHIFT + Bits * (Level - 1));
    ULONGLONG EntryVa = Ops->GetEntryAddress(Va, Level);

    for (; Va < End; Va += Span, EntryVa += Ops->EntrySize) {
        ULONGLONG Entry = Ops->ReadEntry(EntryVa);

        if (!(Entry & PTE_PRESENT)) {
            continue;
        }
        if (Level > 1 && !(Entry & PTE_LARGE_PAGE)) {
            MmhpReleaseLevel(Ops, Level - 1, Va, Va + Span, Release, Context);
        }
        Ops->WriteEntry(EntryVa, 0);
        Release(MmhpFrameOf(Ops, Entry), Level > 1 && !(Entry & PTE_LARGE_PAGE), Context);
    }
}

VOID MmhReleaseUserHalf(PMMH_RELEASE_FRAME Release, PVOID Context) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();

    MmhpReleaseLevel(Ops, Ops->Levels, 0, 1ull << (Ops->VaBits - 1), Release, Context);
}

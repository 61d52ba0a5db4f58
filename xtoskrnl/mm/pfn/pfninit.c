/* PFN database bootstrap. Order matters: first the live page tables are walked from CR3 and every frame they use is
 * recorded (the loader may have reported some of them free); then the database's own pages are taken from the top
 * of the largest free range, skipping recorded frames; then the entries are written and the recorded frames kept. */
#include <ar.h>
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <rtl.h>

#include "mmpfn.h"

/* Sanitising can split a free range around each range inside it: room for twice the input. */
#define MI_MAX_DESCRIPTORS (2 * MM_MAX_LOADER_DESCRIPTORS + 1)
#define MI_MAX_USED_RANGES 256

MMPFN_DATABASE MmPfnDatabase;
MM_PFN_BOOT_STATS MmPfnBootStats;

static XT_MEMORY_DESCRIPTOR MiLoaderMap[MM_MAX_LOADER_DESCRIPTORS]; /* the loader's map, read with its stride */
static XT_MEMORY_DESCRIPTOR MiDescriptors[MI_MAX_DESCRIPTORS];      /* RAM ranges the mode can map */
static ULONG MiSanitizeScratch[MM_SANITIZE_SCRATCH_ENTRIES(MM_MAX_LOADER_DESCRIPTORS)];
static ULONG MiDescriptorCount;

/* Frames the live page tables use (tables and the pages they map): sorted, disjoint, not adjacent. */
typedef struct _MI_FRAME_RANGE {
    ULONGLONG First;
    ULONGLONG Limit; /* frame after the last */
} MI_FRAME_RANGE;

static MI_FRAME_RANGE MiUsedRanges[MI_MAX_USED_RANGES];
static ULONG MiUsedRangeCount;

/* Bootstrap donors: frames are taken from the top of a free range downwards. Page tables must lie below 4 GiB
 * (32-bit CR3 loads, and QEMU's i686 PAE walker rejects tables above 4 GiB); database pages may lie anywhere. */
typedef struct _MI_DONOR {
    ULONGLONG Base; /* first frame of the range */
    ULONGLONG Top;  /* frame after the range's last one */
    ULONGLONG Next; /* frames [Next, Top) are taken or in use by the live tables */
} MI_DONOR, *PMI_DONOR;

static MI_DONOR MiDataDonor, MiTableDonor;
static ULONGLONG MiBootLimit;   /* frames below it get their entries at boot; the rest in the background */
static PMI_DONOR MiTableSource; /* &MiTableDonor, or &MiDataDonor when both are the same range */

/* The CPU's physical address width: CPUID 0x80000008, else 36 bits with PSE-36 and 32 without (as QEMU's qemu32). */
static ULONG MiPhysicalAddressBits(VOID) {
    CPUID_REGISTERS Registers;

    ArCpuId(0x80000000, 0, &Registers);
    if (Registers.Eax >= 0x80000008 && Registers.Eax < 0x8000FFFF) {
        ArCpuId(0x80000008, 0, &Registers);
        return Registers.Eax & 0xFF;
    }
    ArCpuId(1, 0, &Registers);
    return (Registers.Edx & (1u << 17)) ? 36 : 32;
}

/* Reads the loader's descriptors with their declared stride (refusing a map larger than the kernel accepts), counts
 * the RAM beyond Limit, and keeps the RAM ranges below it, sorted and without overlaps. */
static VOID MiCopyDescriptors(PXT_INIT_BLOCK InitBlock, ULONGLONG Limit) {
    const UCHAR *Source = (const UCHAR *)(ULONG_PTR)InitBlock->MemoryDescriptors;
    ULONG Count = InitBlock->MemoryDescriptorCount;
    MM_SANITIZE_RESULT Result;
    XTSTATUS Status;

    if (Count > MM_MAX_LOADER_DESCRIPTORS) {
        KdPrint("MM: the loader's memory map has %u descriptors; at most %u are accepted\n", Count,
                MM_MAX_LOADER_DESCRIPTORS);
        KeBugCheckEx(LOADER_BLOCK_MISMATCH, LOADER_BLOCK_MEMORY_MAP, Count, MM_MAX_LOADER_DESCRIPTORS, 0);
    }
    for (ULONG Index = 0; Index < Count; Index++) {
        PXT_MEMORY_DESCRIPTOR Descriptor = &MiLoaderMap[Index];
        RtlCopyMemory(Descriptor, Source + (SIZE_T)Index * InitBlock->MemoryDescriptorSize, sizeof(*Descriptor));
        if (MmIsRamDescriptor(Descriptor->MemoryType) && Descriptor->PageCount != 0 &&
            Descriptor->BasePage + Descriptor->PageCount > Limit) {
            ULONGLONG First = Descriptor->BasePage > Limit ? Descriptor->BasePage : Limit;
            MmPfnBootStats.IgnoredPages += Descriptor->BasePage + Descriptor->PageCount - First;
        }
    }
    Status = MmSanitizeMemoryMap(MiLoaderMap, Count, Limit, MiSanitizeScratch, ARRAY_SIZE(MiSanitizeScratch),
                                 MiDescriptors, MI_MAX_DESCRIPTORS, &Result);
    if (Status == STATUS_BUFFER_OVERFLOW) {
        KdPrint("MM: %llu free pages of the loader's map left out: the sanitised map has more than %u ranges\n",
                Result.FreePagesDropped, MI_MAX_DESCRIPTORS);
    } else if (!XT_SUCCESS(Status)) {
        /* In-use ranges did not fit: nothing can be trusted to be free. */
        KeBugCheckEx(LOADER_BLOCK_MISMATCH, LOADER_BLOCK_MEMORY_MAP, Count, MM_MAX_LOADER_DESCRIPTORS, Status);
    }
    MiDescriptorCount = Result.Count;
}

/* The index of the first used range whose Limit is above Pfn (MiUsedRangeCount when none). */
static ULONG MiFindUsedRange(ULONGLONG Pfn) {
    ULONG Low = 0, High = MiUsedRangeCount;

    while (Low < High) {
        ULONG Middle = (Low + High) / 2;
        if (MiUsedRanges[Middle].Limit <= Pfn) {
            Low = Middle + 1;
        } else {
            High = Middle;
        }
    }
    return Low;
}

/* TRUE when the live page tables use Pfn. */
static BOOLEAN MiIsFrameUsed(ULONGLONG Pfn) {
    ULONG Index = MiFindUsedRange(Pfn);
    return Index < MiUsedRangeCount && MiUsedRanges[Index].First <= Pfn;
}

/* When the table is full: merges the two neighbours with the smallest gap (conservative: frames in the gap are
 * kept as used too, so nothing in use can ever be handed out). */
static VOID MiCompactUsedRanges(VOID) {
    ULONG Best = 0;

    for (ULONG Index = 1; Index + 1 < MiUsedRangeCount; Index++) {
        if (MiUsedRanges[Index + 1].First - MiUsedRanges[Index].Limit <
            MiUsedRanges[Best + 1].First - MiUsedRanges[Best].Limit) {
            Best = Index;
        }
    }
    MiUsedRanges[Best].Limit = MiUsedRanges[Best + 1].Limit;
    RtlMoveMemory(&MiUsedRanges[Best + 1], &MiUsedRanges[Best + 2],
                  (MiUsedRangeCount - Best - 2) * sizeof(MI_FRAME_RANGE));
    MiUsedRangeCount--;
}

/* Records frames [First, Limit) as used, merging with the ranges they touch or overlap. */
static VOID MiRecordUsedFrames(ULONGLONG First, ULONGLONG Limit) {
    ULONG Index = MiFindUsedRange(First > 0 ? First - 1 : 0), End = Index;

    while (End < MiUsedRangeCount && MiUsedRanges[End].First <= Limit) {
        First = MiUsedRanges[End].First < First ? MiUsedRanges[End].First : First;
        Limit = MiUsedRanges[End].Limit > Limit ? MiUsedRanges[End].Limit : Limit;
        End++;
    }
    if (End == Index && MiUsedRangeCount == MI_MAX_USED_RANGES) {
        MiCompactUsedRanges();
        MiRecordUsedFrames(First, Limit);
        return;
    }
    RtlMoveMemory(&MiUsedRanges[Index + 1], &MiUsedRanges[End], (MiUsedRangeCount - End) * sizeof(MI_FRAME_RANGE));
    MiUsedRanges[Index] = (MI_FRAME_RANGE){First, Limit};
    MiUsedRangeCount = MiUsedRangeCount - (End - Index) + 1;
}

typedef struct _MI_TABLE_WALK {
    PCMMH_PAGE_MAP_OPS Ops;
    ULONG Mode;
    ULONGLONG Root;
    ULONGLONG Directories[4]; /* PML3: the four page directories, which also appear as its self-map */
} MI_TABLE_WALK, *PMI_TABLE_WALK;

/* TRUE for an entry that points back into the hierarchy (the self-map). */
static BOOLEAN MiIsSelfMapEntry(PMI_TABLE_WALK Walk, ULONGLONG Pfn, ULONG Level) {
    if (Pfn == Walk->Root) {
        return TRUE;
    }
    for (ULONG Index = 0; Walk->Mode == XtPagingModePml3 && Level == 2 && Index < 4; Index++) {
        if (Pfn == Walk->Directories[Index]) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Visits the table in frame TablePfn at Level (Mode = top level) and everything below it. */
static VOID MiWalkTable(PMI_TABLE_WALK Walk, ULONGLONG TablePfn, ULONG Level) {
    ULONG EntrySize = Walk->Ops->EntrySize;
    ULONG Count = (Walk->Mode == XtPagingModePml3 && Level == 3) ? 4 : MM_PAGE_SIZE / EntrySize;
    ULONGLONG Mask = EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK;
    PVOID Table;

    MiRecordUsedFrames(TablePfn, TablePfn + 1);
    MmPfnBootStats.TablesVerified++;
    if (!XT_SUCCESS(MmhMapPhysicalMemory(TablePfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Table))) {
        return;
    }
    for (ULONG Index = 0; Index < Count; Index++) {
        ULONGLONG Entry = EntrySize == 4 ? ((PULONG)Table)[Index] : ((PULONGLONG)Table)[Index];
        ULONGLONG Pfn = (Entry & Mask) >> MM_PAGE_SHIFT;
        if (!(Entry & PTE_PRESENT) || (Level > 1 && MiIsSelfMapEntry(Walk, Pfn, Level))) {
            continue;
        }
        if (Walk->Mode == XtPagingModePml3 && Level == 3) {
            Walk->Directories[Index] = Pfn;
        }
        if (Level == 1) {
            MiRecordUsedFrames(Pfn, Pfn + 1);
        } else if (Entry & PTE_LARGE_PAGE && !(Walk->Mode == XtPagingModePml3 && Level == 3)) {
            /* A large page maps (entries per table)^(Level - 1) frames; PAT bit 12 is not part of its frame. */
            ULONGLONG Frames = 1ull << ((Level - 1) * (EntrySize == 4 ? 10 : 9));
            Pfn &= ~(Frames - 1);
            MiRecordUsedFrames(Pfn, Pfn + Frames);
        } else {
            MiWalkTable(Walk, Pfn, Level - 1);
        }
    }
    MmhUnmapPhysicalMemory(Table, MM_PAGE_SIZE);
}

/* Records every frame of the live hierarchy in CR3 (PML3: reads the directories first, so that their self-map
 * entries are recognised during the walk). */
static VOID MiRecordLiveTables(ULONG Mode) {
    MI_TABLE_WALK Walk = {MmhGetPageMapOps(), Mode, (ULONGLONG)(ArReadCr3() & ~(ULONG_PTR)0xFFF) >> MM_PAGE_SHIFT, {0}};
    PULONGLONG Pdpt;

    if (Mode == XtPagingModePml3 &&
        XT_SUCCESS(MmhMapPhysicalMemory(Walk.Root << MM_PAGE_SHIFT, 4 * sizeof(ULONGLONG), (PVOID *)&Pdpt))) {
        for (ULONG Index = 0; Index < 4; Index++) {
            Walk.Directories[Index] = (Pdpt[Index] & PTE64_FRAME_MASK) >> MM_PAGE_SHIFT;
        }
        MmhUnmapPhysicalMemory(Pdpt, 4 * sizeof(ULONGLONG));
    }
    MiWalkTable(&Walk, Walk.Root, Mode);
}

/* Bootstrap frame source (Context: the donor): the next frame down that the live tables do not use. */
static ULONGLONG MiStealFrame(PVOID Context) {
    PMI_DONOR Donor = Context;

    while (Donor->Next > Donor->Base) {
        ULONGLONG Pfn = --Donor->Next;
        ULONG Index = MiFindUsedRange(Pfn);
        if (Index >= MiUsedRangeCount || MiUsedRanges[Index].First > Pfn) {
            return Pfn;
        }
        Donor->Next = MiUsedRanges[Index].First; /* skip the whole used range */
    }
    return MMH_NO_FRAME;
}

/* MiStealFrame for a new page table: zeroed through the HAL window (MmhMapPage installs tables as they are). */
static ULONGLONG MiStealTableFrame(PVOID Context) {
    ULONGLONG Pfn = MiStealFrame(Context);
    PVOID Va;

    if (Pfn != MMH_NO_FRAME) {
        if (!XT_SUCCESS(MmhMapPhysicalMemory(Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Va))) {
            return MMH_NO_FRAME;
        }
        RtlZeroMemory(Va, MM_PAGE_SIZE);
        MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
    }
    return Pfn;
}

/* The largest free range, optionally below 4 GiB, as a donor. */
static VOID MiChooseDonor(PMI_DONOR Donor, BOOLEAN Low) {
    ULONGLONG Largest = 0;
    for (ULONG Index = 0; Index < MiDescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &MiDescriptors[Index];
        ULONGLONG Top = Descriptor->BasePage + Descriptor->PageCount;
        if (Top > MiBootLimit) { /* the donated frames' entries are written at boot */
            Top = Descriptor->BasePage < MiBootLimit ? MiBootLimit : Descriptor->BasePage;
        }
        if (Low && Top > MM_PFN_LOW_LIMIT) {
            Top = Descriptor->BasePage < MM_PFN_LOW_LIMIT ? MM_PFN_LOW_LIMIT : Descriptor->BasePage;
        }
        if (Descriptor->MemoryType == LoaderFree && Top - Descriptor->BasePage > Largest) {
            Largest = Top - Descriptor->BasePage;
            *Donor = (MI_DONOR){Descriptor->BasePage, Top, Top};
        }
    }
}

/* Maps every database page that holds entries of a RAM range below the boot limit. Only the bytes of a new page
 * outside the range's entries are zeroed (holes, and entries past the boot limit, must read as zero; the entries
 * themselves are written whole later). */
static XTSTATUS MiBackDatabase(VOID) {
    ULONG_PTR Mapped = 0; /* the descriptors are sorted: database pages come in ascending order */

    for (ULONG Index = 0; Index < MiDescriptorCount && MiDescriptors[Index].BasePage < MiBootLimit; Index++) {
        ULONGLONG End = MiDescriptors[Index].BasePage + MiDescriptors[Index].PageCount;
        ULONG_PTR First = MmhPfnDatabaseBase + (ULONG_PTR)MiDescriptors[Index].BasePage * sizeof(MMPFN);
        ULONG_PTR Limit = MmhPfnDatabaseBase + (ULONG_PTR)(End < MiBootLimit ? End : MiBootLimit) * sizeof(MMPFN);
        for (ULONG_PTR Page = ALIGN_DOWN(First, MM_PAGE_SIZE); Page < Limit; Page += MM_PAGE_SIZE) {
            ULONGLONG Frame;
            if (Mapped && Page <= Mapped) {
                continue;
            }
            Mapped = Page;
            Frame = MiStealFrame(&MiDataDonor);
            if (Frame == MMH_NO_FRAME || !XT_SUCCESS(MmhMapPage(Page, Frame, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE,
                                                                MiStealTableFrame, MiTableSource))) {
                return STATUS_NO_MEMORY;
            }
            if (Page < First) {
                RtlZeroMemory((PVOID)Page, First - Page);
            }
            if (Page + MM_PAGE_SIZE > Limit) {
                RtlZeroMemory((PVOID)Limit, Page + MM_PAGE_SIZE - Limit);
            }
            MmPfnBootStats.DatabaseBytes += MM_PAGE_SIZE;
        }
    }
    return STATUS_SUCCESS;
}

VOID MmKeepLiveTableFrames(ULONG_PTR First, ULONG_PTR Limit) {
    for (ULONG Index = MiFindUsedRange(First); Index < MiUsedRangeCount && MiUsedRanges[Index].First < Limit; Index++) {
        ULONGLONG Low = MiUsedRanges[Index].First > First ? MiUsedRanges[Index].First : First;
        ULONGLONG High = MiUsedRanges[Index].Limit < Limit ? MiUsedRanges[Index].Limit : Limit;
        for (ULONGLONG Pfn = Low; Pfn < High; Pfn++) {
            UCHAR State = MmIsPfnBacked(&MmPfnDatabase, (ULONG_PTR)Pfn) ? MmPfnDatabase.Entries[Pfn].State : MmPfnHole;
            if (State == MmPfnFree || State == MmPfnZeroed) {
                KdPrint("MM: frame 0x%llx is in use by the live page tables but the loader reported it free: kept\n",
                        Pfn);
                MmPfnBootStats.LoaderFramesKept++;
            }
            if (State == MmPfnFree || State == MmPfnZeroed || State == MmPfnReclaimable) {
                MmSetPfnState(&MmPfnDatabase, (ULONG_PTR)Pfn, MmPfnLoader);
            }
        }
    }
}

/* Takes the frames a donor gave away off the free lists (the used frames in between are kept separately). */
static VOID MiMarkDonated(PMI_DONOR Donor) {
    for (ULONGLONG Pfn = Donor->Next; Pfn < Donor->Top; Pfn++) {
        if (MmPfnDatabase.Entries[Pfn].State != MmPfnDatabaseFrame && !MiIsFrameUsed(Pfn)) {
            MmSetPfnState(&MmPfnDatabase, (ULONG_PTR)Pfn, MmPfnDatabaseFrame);
        }
    }
}

/* The boot limit: the frame below which MM_PFN_BOOT_FRAMES of usable RAM lie (all of it on smaller machines). Frames the
 * live tables use above it are kept when their chunk is published (MmKeepLiveTableFrames). */
static VOID MiChooseBootLimit(VOID) {
    ULONGLONG Counted = 0;

    MiBootLimit = MmGetPfnDatabaseEntryCount(MiDescriptors, MiDescriptorCount);
    for (ULONG Index = 0; Index < MiDescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &MiDescriptors[Index];
        if (!MmIsUsableRamDescriptor(Descriptor->MemoryType)) {
            continue;
        }
        if (Counted + Descriptor->PageCount > MM_PFN_BOOT_FRAMES) {
            MiBootLimit = Descriptor->BasePage + (MM_PFN_BOOT_FRAMES - Counted);
            break;
        }
        Counted += Descriptor->PageCount;
    }
    MmPfnBootStats.BootLimit = MiBootLimit;
}

XTSTATUS MmInitializePfnDatabase(PXT_INIT_BLOCK InitBlock) {
    ULONGLONG ModeLimit = MmhGetPageMapOps()->MaxPfn + 1, CpuLimit, Start;
    ULONG_PTR Entries;

    MmPfnBootStats.AddressBits = MiPhysicalAddressBits();
    CpuLimit = 1ull << (MmPfnBootStats.AddressBits - MM_PAGE_SHIFT);
    while (ModeLimit < CpuLimit) { /* the paging mode's entries hold fewer bits than the CPU has (PML2: 32) */
        CpuLimit >>= 1;
        MmPfnBootStats.AddressBits--;
    }
    MiCopyDescriptors(InitBlock, CpuLimit);
    MiRecordLiveTables(InitBlock->PagingMode);
    Entries = MmGetPfnDatabaseEntryCount(MiDescriptors, MiDescriptorCount);
    if (Entries == 0 || Entries > (MmhPfnDatabaseLimit - MmhPfnDatabaseBase) / sizeof(MMPFN)) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MiChooseBootLimit();
    MiChooseDonor(&MiDataDonor, FALSE);
    MiChooseDonor(&MiTableDonor, TRUE);
    MiTableSource = (MiTableDonor.Base == MiDataDonor.Base) ? &MiDataDonor : &MiTableDonor;
    Start = ArReadTimeStampCounter();
    if (MiDataDonor.Top == 0 || MiTableDonor.Top == 0 || !XT_SUCCESS(MiBackDatabase())) {
        return STATUS_NO_MEMORY;
    }
    MmInitializePfnEntriesBelow(&MmPfnDatabase, (PMMPFN)MmhPfnDatabaseBase, MiDescriptors, MiDescriptorCount,
                                (ULONG_PTR)MiBootLimit);
    MiMarkDonated(&MiDataDonor);
    MiMarkDonated(&MiTableDonor);
    MmPfnBootStats.InitTimeStamps = ArReadTimeStampCounter() - Start;
    MmKeepLiveTableFrames(0, (ULONG_PTR)MiBootLimit);
    return STATUS_SUCCESS;
}

/* PFN database bootstrap: the database's pages come from the top of the largest free range before the database
 * exists; then the live page tables are walked from CR3 to catch frames the loader wrongly reported free. */
#include <rtl.h>

#include "ar/ar.h"
#include "mmhl.h"
#include "mmpfn.h"

#define MI_MAX_DESCRIPTORS 2048
#define MM_BAD_PFN_FREE    0x4E /* NT PFN_LIST_CORRUPT */

MMPFN_DATABASE MmPfnDatabase;
MM_PFN_BOOT_STATS MmPfnBootStats;

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);
VOID KdPrint(PCSTR Format, ...);

static XT_MEMORY_DESCRIPTOR MiDescriptors[MI_MAX_DESCRIPTORS]; /* RAM ranges the mode can map */
static ULONG MiDescriptorCount;
/* Bootstrap donors: frames are taken from the top of a free range downwards. Page tables must lie below 4 GiB
 * (32-bit CR3 loads, and QEMU's i686 PAE walker rejects tables above 4 GiB); database pages may lie anywhere. */
typedef struct _MI_DONOR {
    ULONGLONG Base; /* first frame of the range */
    ULONGLONG Top;  /* frame after the range's last one */
    ULONGLONG Next; /* frames [Next, Top) are taken */
} MI_DONOR, *PMI_DONOR;

static MI_DONOR MiDataDonor, MiTableDonor;
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

/* Copies the loader's descriptors (sorted, without overlaps) below what the bound mode and the CPU can address. */
static VOID MiCopyDescriptors(PXT_INIT_BLOCK InitBlock) {
    const XT_MEMORY_DESCRIPTOR *Source = (const XT_MEMORY_DESCRIPTOR *)(ULONG_PTR)InitBlock->MemoryDescriptors;
    ULONGLONG Limit = MmhGetPageMapOps()->MaxPfn + 1;
    ULONGLONG CpuLimit = 1ull << (MiPhysicalAddressBits() - MM_PAGE_SHIFT);

    MiDescriptorCount = MmSanitizeDescriptors(Source, InitBlock->MemoryDescriptorCount,
                                              CpuLimit < Limit ? CpuLimit : Limit, MiDescriptors, MI_MAX_DESCRIPTORS);
}

/* Bootstrap frame sources (Context: the donor). */
static ULONGLONG MiStealFrame(PVOID Context) {
    PMI_DONOR Donor = Context;
    return Donor->Next == Donor->Base ? MMH_NO_FRAME : --Donor->Next;
}

/* The largest free range, optionally below 4 GiB, as a donor. */
static VOID MiChooseDonor(PMI_DONOR Donor, BOOLEAN Low) {
    ULONGLONG Largest = 0;
    for (ULONG Index = 0; Index < MiDescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &MiDescriptors[Index];
        ULONGLONG Top = Descriptor->BasePage + Descriptor->PageCount;
        if (Low && Top > MM_PFN_LOW_LIMIT) {
            Top = Descriptor->BasePage < MM_PFN_LOW_LIMIT ? MM_PFN_LOW_LIMIT : Descriptor->BasePage;
        }
        if (Descriptor->MemoryType == LoaderFree && Top - Descriptor->BasePage > Largest) {
            Largest = Top - Descriptor->BasePage;
            *Donor = (MI_DONOR){Descriptor->BasePage, Top, Top};
        }
    }
}

/* Maps every database page that holds entries of a RAM range. Only the bytes of a new page outside the range's
 * entries are zeroed (holes must read as zero; the entries themselves are written whole later). */
static XTSTATUS MiBackDatabase(VOID) {
    ULONG_PTR Mapped = 0; /* the descriptors are sorted: database pages come in ascending order */

    for (ULONG Index = 0; Index < MiDescriptorCount; Index++) {
        ULONG_PTR First = MmhPfnDatabaseBase + (ULONG_PTR)MiDescriptors[Index].BasePage * sizeof(MMPFN);
        ULONG_PTR Limit = MmhPfnDatabaseBase +
                          (ULONG_PTR)(MiDescriptors[Index].BasePage + MiDescriptors[Index].PageCount) * sizeof(MMPFN);
        for (ULONG_PTR Page = ALIGN_DOWN(First, MM_PAGE_SIZE); Page < Limit; Page += MM_PAGE_SIZE) {
            ULONGLONG Frame;
            if (Mapped && Page <= Mapped) {
                continue;
            }
            Mapped = Page;
            Frame = MiStealFrame(&MiDataDonor);
            if (Frame == MMH_NO_FRAME || !XT_SUCCESS(MmhMapPage(Page, Frame, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE,
                                                                MiStealFrame, MiTableSource))) {
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

/* TRUE when Pfn lies in a RAM range, so that its entry is backed. */
static BOOLEAN MiHasEntry(ULONGLONG Pfn) {
    ULONG Low = 0, High = MiDescriptorCount;
    while (Low < High) {
        ULONG Middle = (Low + High) / 2;
        if (Pfn < MiDescriptors[Middle].BasePage) {
            High = Middle;
        } else if (Pfn >= MiDescriptors[Middle].BasePage + MiDescriptors[Middle].PageCount) {
            Low = Middle + 1;
        } else {
            return TRUE;
        }
    }
    return FALSE;
}

/* Keeps a frame the live tables use out of the free lists. */
static VOID MiKeepFrame(ULONGLONG Pfn, BOOLEAN Table) {
    MmPfnBootStats.TablesVerified += Table;
    if (!MiHasEntry(Pfn)) {
        return;
    }
    UCHAR State = MmPfnDatabase.Entries[Pfn].State;
    if (State == MmPfnFree || State == MmPfnZeroed) {
        KdPrint("MM: frame 0x%llx is in use by the live page tables but the loader reported it free: kept\n", Pfn);
        MmSetPfnState(&MmPfnDatabase, (ULONG_PTR)Pfn, MmPfnLoader);
        MmPfnBootStats.LoaderFramesKept++;
    } else if (State == MmPfnReclaimable) {
        MmSetPfnState(&MmPfnDatabase, (ULONG_PTR)Pfn, MmPfnLoader);
    }
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

    MiKeepFrame(TablePfn, TRUE);
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
        if (Level == 1 || (Entry & PTE_LARGE_PAGE && !(Walk->Mode == XtPagingModePml3 && Level == 3))) {
            MiKeepFrame(Pfn, FALSE);
        } else {
            MiWalkTable(Walk, Pfn, Level - 1);
        }
    }
    MmhUnmapPhysicalMemory(Table, MM_PAGE_SIZE);
}

/* Reads the PML3 directories first, so their self-map entries are recognised during the walk. */
static VOID MiVerifyLoaderPageTables(ULONG Mode) {
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

/* Takes the frames a donor gave away off the free lists. */
static VOID MiMarkDonated(PMI_DONOR Donor) {
    for (ULONGLONG Pfn = Donor->Next; Pfn < Donor->Top; Pfn++) {
        if (MmPfnDatabase.Entries[Pfn].State != MmPfnDatabaseFrame) {
            MmSetPfnState(&MmPfnDatabase, (ULONG_PTR)Pfn, MmPfnDatabaseFrame);
        }
    }
}

XTSTATUS MmInitializePfnDatabase(PXT_INIT_BLOCK InitBlock) {
    ULONG_PTR Entries;
    ULONGLONG Start;

    MiCopyDescriptors(InitBlock);
    Entries = MmGetPfnDatabaseEntryCount(MiDescriptors, MiDescriptorCount);
    if (Entries == 0 || Entries > (MmhPfnDatabaseLimit - MmhPfnDatabaseBase) / sizeof(MMPFN)) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MiChooseDonor(&MiDataDonor, FALSE);
    MiChooseDonor(&MiTableDonor, TRUE);
    MiTableSource = (MiTableDonor.Base == MiDataDonor.Base) ? &MiDataDonor : &MiTableDonor;
    Start = ArReadTimeStampCounter();
    if (MiDataDonor.Top == 0 || MiTableDonor.Top == 0 || !XT_SUCCESS(MiBackDatabase())) {
        return STATUS_NO_MEMORY;
    }
    MmInitializePfnEntries(&MmPfnDatabase, (PMMPFN)MmhPfnDatabaseBase, MiDescriptors, MiDescriptorCount);
    MiMarkDonated(&MiDataDonor);
    MiMarkDonated(&MiTableDonor);
    MmPfnBootStats.InitTimeStamps = ArReadTimeStampCounter() - Start;
    MiVerifyLoaderPageTables(InitBlock->PagingMode);
    return STATUS_SUCCESS;
}

VOID MmReclaimLoaderMemory(VOID) {
    MmPfnBootStats.FramesReclaimed += MmReleasePfnState(&MmPfnDatabase, MmPfnReclaimable);
}

/* Zeroes a frame through a temporary mapping. */
static BOOLEAN MiZeroFrame(ULONG_PTR Pfn) {
    PVOID Va;
    if (!XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Va))) {
        return FALSE;
    }
    RtlZeroMemory(Va, MM_PAGE_SIZE);
    MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
    return TRUE;
}

ULONG_PTR MmAllocatePhysicalPage(BOOLEAN Zero) {
    BOOLEAN Zeroed = FALSE;
    ULONG_PTR Pfn = MmAllocatePfn(&MmPfnDatabase, Zero, FALSE, &Zeroed);

    if (Pfn != MM_PFN_NONE && Zero && !Zeroed && !MiZeroFrame(Pfn)) {
        MmFreePfn(&MmPfnDatabase, Pfn, FALSE);
        return MM_PFN_NONE;
    }
    return Pfn;
}

VOID MmFreePhysicalPage(ULONG_PTR Pfn) {
    if (!XT_SUCCESS(MmFreePfn(&MmPfnDatabase, Pfn, FALSE))) {
        KeBugCheckEx(
            MM_BAD_PFN_FREE, 0x99, Pfn,
            Pfn <= MmPfnDatabase.HighestPfn && MiHasEntry(Pfn) ? MmPfnDatabase.Entries[Pfn].State : (ULONG_PTR)~0, 0);
    }
}

ULONGLONG MmAllocatePageTableFrame(PVOID Context) {
    /* Below 4 GiB (see MI_DONOR); MmhMapPage zeroes new tables itself. */
    ULONG_PTR Pfn = MmAllocatePfn(&MmPfnDatabase, FALSE, TRUE, NULL);
    return Pfn == MM_PFN_NONE ? MMH_NO_FRAME : Pfn;
}

/* XTLDR page-table builder. Intermediate entries are present and writable without NX, so that each leaf alone
 * decides a page's protection; PAE's PDPT entries carry only the present bit (the others are reserved there). */
#include <rtl.h>

#include "paging.h"

static const BL_PAGING_MODE_INFO BlpPagingModes[] = {
    {XtPagingModePml2, 2, 4, 10, 10, 32, 1ull << 32},
    {XtPagingModePml3, 3, 8, 9, 2, 32, 1ull << 52},
    {XtPagingModePml4, 4, 8, 9, 9, 48, 1ull << 52},
    {XtPagingModePml5, 5, 8, 9, 9, 57, 1ull << 52},
};

const BL_PAGING_MODE_INFO *BlGetPagingModeInfo(ULONG Mode) {
    for (ULONG Index = 0; Index < ARRAY_SIZE(BlpPagingModes); Index++) {
        if (BlpPagingModes[Index].Mode == Mode) {
            return &BlpPagingModes[Index];
        }
    }
    return NULL;
}

BOOLEAN BlIsCanonicalAddress(const BL_PAGING_MODE_INFO *Mode, ULONGLONG VirtualAddress) {
    ULONGLONG Upper;
    if (Mode->VaBits == 32) {
        return VirtualAddress <= 0xFFFFFFFFull;
    }
    Upper = VirtualAddress >> (Mode->VaBits - 1);
    return Upper == 0 || Upper == (~0ull >> (Mode->VaBits - 1));
}

/* Index of VirtualAddress in a table of Level (1 = page table). */
static ULONG BlpTableIndex(const BL_PAGING_MODE_INFO *Mode, ULONGLONG VirtualAddress, ULONG Level) {
    ULONG Shift = 12 + (Level - 1) * Mode->IndexBits;
    ULONG Bits = (Level == Mode->Levels) ? Mode->TopIndexBits : Mode->IndexBits;
    return (ULONG)((VirtualAddress >> Shift) & ((1ull << Bits) - 1));
}

static ULONGLONG BlpReadEntry(PBL_PAGE_MAP Map, ULONGLONG Table, ULONG Index) {
    PVOID Base = Map->PhysicalToPointer(Map->Context, Table);
    return Map->Mode->EntrySize == 4 ? ((PULONG)Base)[Index] : ((PULONGLONG)Base)[Index];
}

static VOID BlpWriteEntry(PBL_PAGE_MAP Map, ULONGLONG Table, ULONG Index, ULONGLONG Entry) {
    PVOID Base = Map->PhysicalToPointer(Map->Context, Table);
    if (Map->Mode->EntrySize == 4) {
        ((PULONG)Base)[Index] = (ULONG)Entry;
    } else {
        ((PULONGLONG)Base)[Index] = Entry;
    }
}

static ULONGLONG BlpEntryFrame(PBL_PAGE_MAP Map, ULONGLONG Entry) {
    return Entry & (Map->Mode->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK);
}

/* Allocates a table frame and records it in the frame list. */
static ULONGLONG BlpAllocateTable(PBL_PAGE_MAP Map) {
    ULONGLONG Table;
    if (Map->FrameCount == Map->FrameCapacity) {
        return 0;
    }
    Table = Map->AllocateTable(Map->Context);
    if (Table == 0 || (Table & (MM_PAGE_SIZE - 1)) || Table >= Map->Mode->MaxPhysical) {
        return 0;
    }
    Map->Frames[Map->FrameCount++] = Table >> MM_PAGE_SHIFT;
    return Table;
}

/* The entry that links a table of Level + 1 to a new table of Level. */
static ULONGLONG BlpLinkEntry(PBL_PAGE_MAP Map, ULONGLONG Table, ULONG ParentLevel) {
    if (Map->Mode->Mode == XtPagingModePml3 && ParentLevel == 3) {
        return Table | PTE_PRESENT;
    }
    return Table | PTE_PRESENT | PTE_WRITABLE;
}

/* Returns the page table (level 1) covering VirtualAddress, creating missing tables on the way; 0 on failure. */
static ULONGLONG BlpGetPageTable(PBL_PAGE_MAP Map, ULONGLONG VirtualAddress) {
    ULONGLONG Table = Map->Root;
    for (ULONG Level = Map->Mode->Levels; Level > 1; Level--) {
        ULONG Index = BlpTableIndex(Map->Mode, VirtualAddress, Level);
        ULONGLONG Entry = BlpReadEntry(Map, Table, Index);
        if (!(Entry & PTE_PRESENT)) {
            ULONGLONG Next = BlpAllocateTable(Map);
            if (Next == 0) {
                return 0;
            }
            Entry = BlpLinkEntry(Map, Next, Level);
            BlpWriteEntry(Map, Table, Index, Entry);
        } else if (Entry & PTE_LARGE_PAGE && !(Map->Mode->Mode == XtPagingModePml3 && Level == 3)) {
            return 0;
        }
        Table = BlpEntryFrame(Map, Entry);
    }
    return Table;
}

/* Installs the recursive self-map (sdk/xtpaging.h); PML3 gets its four page directories up front. */
static XTSTATUS BlpCreateSelfMap(PBL_PAGE_MAP Map) {
    ULONGLONG NoExecute = Map->NxEnabled ? PTE_NO_EXECUTE : 0;
    ULONGLONG Directories[4];

    switch (Map->Mode->Mode) {
        case XtPagingModePml2:
            BlpWriteEntry(Map, Map->Root, MM_PML2_SELFMAP_INDEX, Map->Root | PTE_PRESENT | PTE_WRITABLE);
            return STATUS_SUCCESS;
        case XtPagingModePml3:
            for (ULONG Index = 0; Index < 4; Index++) {
                Directories[Index] = BlpAllocateTable(Map);
                if (Directories[Index] == 0) {
                    return STATUS_NO_MEMORY;
                }
                BlpWriteEntry(Map, Map->Root, Index, Directories[Index] | PTE_PRESENT);
            }
            for (ULONG Index = 0; Index < 4; Index++) {
                BlpWriteEntry(Map, Directories[3], Index, Directories[Index] | PTE_PRESENT | PTE_WRITABLE | NoExecute);
            }
            return STATUS_SUCCESS;
        default:
            BlpWriteEntry(Map, Map->Root, MM_PML4_SELFMAP_INDEX, Map->Root | PTE_PRESENT | PTE_WRITABLE | NoExecute);
            return STATUS_SUCCESS;
    }
}

XTSTATUS BlInitializePageMap(PBL_PAGE_MAP Map, ULONG Mode, BOOLEAN NxEnabled, PBL_ALLOCATE_TABLE AllocateTable,
                             PBL_PHYSICAL_TO_POINTER PhysicalToPointer, PVOID Context, PULONGLONG Frames,
                             ULONG FrameCapacity) {
    RtlZeroMemory(Map, sizeof(*Map));
    Map->Mode = BlGetPagingModeInfo(Mode);
    if (Map->Mode == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Map->NxEnabled = NxEnabled && Map->Mode->EntrySize == 8;
    Map->AllocateTable = AllocateTable;
    Map->PhysicalToPointer = PhysicalToPointer;
    Map->Context = Context;
    Map->Frames = Frames;
    Map->FrameCapacity = FrameCapacity;
    Map->Root = BlpAllocateTable(Map);
    /* CR3 is loaded in 32-bit code for PML2, PML3 and the LA57 switch: the top level must lie below 4 GiB. */
    if (Map->Root == 0 || Map->Root > 0xFFFFF000ull) {
        return STATUS_NO_MEMORY;
    }
    return BlpCreateSelfMap(Map);
}

/* Checks one page's addresses and protection against the mode. */
static XTSTATUS BlpCheckMapping(PBL_PAGE_MAP Map, ULONGLONG VirtualAddress, ULONGLONG PhysicalAddress,
                                ULONG Protection) {
    if ((VirtualAddress | PhysicalAddress) & (MM_PAGE_SIZE - 1)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!BlIsCanonicalAddress(Map->Mode, VirtualAddress) || PhysicalAddress >= Map->Mode->MaxPhysical) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((Protection & (BL_MAP_WRITE | BL_MAP_EXECUTE)) == (BL_MAP_WRITE | BL_MAP_EXECUTE)) {
        return STATUS_INVALID_IMAGE_PROTECT;
    }
    return STATUS_SUCCESS;
}

/* Steps a VA by one page, wrapping from the top of the lower half into the canonical upper half. */
static ULONGLONG BlpNextPage(const BL_PAGING_MODE_INFO *Mode, ULONGLONG VirtualAddress) {
    VirtualAddress += MM_PAGE_SIZE;
    if (Mode->VaBits < 64 && Mode->VaBits != 32 && VirtualAddress == (1ull << (Mode->VaBits - 1))) {
        VirtualAddress |= ~0ull << (Mode->VaBits - 1);
    }
    return VirtualAddress;
}

XTSTATUS BlMapPages(PBL_PAGE_MAP Map, ULONGLONG VirtualAddress, ULONGLONG PhysicalAddress, ULONGLONG Pages,
                    ULONG Protection) {
    ULONGLONG Flags = PTE_PRESENT;
    XTSTATUS Status;

    if (Protection & BL_MAP_WRITE) {
        Flags |= PTE_WRITABLE;
    }
    if (!(Protection & BL_MAP_EXECUTE) && Map->NxEnabled) {
        Flags |= PTE_NO_EXECUTE;
    }
    for (ULONGLONG Page = 0; Page < Pages; Page++) {
        ULONGLONG Table;
        ULONG Index;

        Status = BlpCheckMapping(Map, VirtualAddress, PhysicalAddress, Protection);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
        Table = BlpGetPageTable(Map, VirtualAddress);
        if (Table == 0) {
            return STATUS_NO_MEMORY;
        }
        Index = BlpTableIndex(Map->Mode, VirtualAddress, 1);
        if (BlpReadEntry(Map, Table, Index) & PTE_PRESENT) {
            return STATUS_CONFLICTING_ADDRESSES;
        }
        BlpWriteEntry(Map, Table, Index, PhysicalAddress | Flags);
        VirtualAddress = BlpNextPage(Map->Mode, VirtualAddress);
        PhysicalAddress += MM_PAGE_SIZE;
    }
    return STATUS_SUCCESS;
}

XTSTATUS BlPreparePageTables(PBL_PAGE_MAP Map, ULONGLONG VirtualAddress, ULONGLONG Pages) {
    ULONGLONG TableSpan = (ULONGLONG)MM_PAGE_SIZE << Map->Mode->IndexBits;
    ULONGLONG End;

    if (Pages == 0 || !BlIsCanonicalAddress(Map->Mode, VirtualAddress) || (VirtualAddress & (MM_PAGE_SIZE - 1))) {
        return STATUS_INVALID_PARAMETER;
    }
    End = VirtualAddress + (Pages - 1) * MM_PAGE_SIZE;
    if (End < VirtualAddress || !BlIsCanonicalAddress(Map->Mode, End)) {
        return STATUS_INVALID_PARAMETER;
    }
    for (ULONGLONG Address = VirtualAddress & ~(TableSpan - 1); Address <= End; Address += TableSpan) {
        if (BlpGetPageTable(Map, Address) == 0) {
            return STATUS_NO_MEMORY;
        }
        if (Address + TableSpan < Address) {
            break;
        }
    }
    return STATUS_SUCCESS;
}

/* PFN database core: entry initialisation, the free and zeroed lists, contiguous ranges, consistency. Generic and
 * host-tested: the kernel backs Entries with mapped pages, tests with host memory. */
#include <rtl.h>

#include "pfn.h"

BOOLEAN MmIsRamDescriptor(ULONG MemoryType) {
    return MemoryType != LoaderSpecialMemory && MemoryType != LoaderXIPRom && MemoryType < LoaderMaximum;
}

/* Inserts Descriptor into the sorted Output[0..Count). */
static VOID MiInsertSorted(PXT_MEMORY_DESCRIPTOR Output, ULONG Count, const XT_MEMORY_DESCRIPTOR *Descriptor) {
    ULONG Index = Count;
    while (Index > 0 && Output[Index - 1].BasePage > Descriptor->BasePage) {
        Output[Index] = Output[Index - 1];
        Index--;
    }
    Output[Index] = *Descriptor;
}

/* Removes Output[Index] from the array of Count entries. */
static VOID MiRemoveDescriptor(PXT_MEMORY_DESCRIPTOR Output, ULONG Count, ULONG Index) {
    for (; Index + 1 < Count; Index++) {
        Output[Index] = Output[Index + 1];
    }
}

ULONG MmSanitizeDescriptors(const XT_MEMORY_DESCRIPTOR *Input, ULONG Count, ULONGLONG Limit,
                            PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity) {
    ULONG Used = 0;

    for (ULONG Index = 0; Index < Count && Used < Capacity; Index++) {
        XT_MEMORY_DESCRIPTOR Descriptor = Input[Index];
        if (!MmIsRamDescriptor(Descriptor.MemoryType) || Descriptor.PageCount == 0 || Descriptor.BasePage >= Limit) {
            continue;
        }
        if (Descriptor.PageCount > Limit - Descriptor.BasePage) {
            Descriptor.PageCount = Limit - Descriptor.BasePage;
        }
        MiInsertSorted(Output, Used++, &Descriptor);
    }
    for (ULONG Index = 1; Index < Used;) {
        PXT_MEMORY_DESCRIPTOR Previous = &Output[Index - 1], Next = &Output[Index];
        ULONGLONG PreviousEnd = Previous->BasePage + Previous->PageCount;
        ULONGLONG NextEnd = Next->BasePage + Next->PageCount;

        if (Next->BasePage >= PreviousEnd) {
            Index++;
        } else if (Previous->MemoryType == LoaderFree && Next->MemoryType != LoaderFree) {
            if (PreviousEnd > NextEnd && Used < Capacity) {
                /* The free range encloses the used one: keep its tail (inserted after Next, by its base). */
                XT_MEMORY_DESCRIPTOR Tail = {NextEnd, PreviousEnd - NextEnd, LoaderFree, 0};
                MiInsertSorted(Output, Used++, &Tail);
            }
            Previous->PageCount = Next->BasePage - Previous->BasePage; /* the free range gives way */
            if (Previous->PageCount == 0) {
                MiRemoveDescriptor(Output, Used--, Index - 1);
            }
        } else if (NextEnd <= PreviousEnd) {
            MiRemoveDescriptor(Output, Used--, Index); /* entirely inside a range that wins */
        } else {
            Next->PageCount = NextEnd - PreviousEnd;
            Next->BasePage = PreviousEnd;
            /* Next may now start after a later range: restore the order. */
            XT_MEMORY_DESCRIPTOR Moved = *Next;
            MiRemoveDescriptor(Output, Used, Index);
            MiInsertSorted(Output, Used - 1, &Moved);
        }
    }
    return Used;
}

ULONG_PTR MmGetPfnDatabaseEntryCount(const XT_MEMORY_DESCRIPTOR *Descriptors, ULONG Count) {
    ULONGLONG Highest = 0;
    for (ULONG Index = 0; Index < Count; Index++) {
        if (MmIsRamDescriptor(Descriptors[Index].MemoryType) && Descriptors[Index].PageCount &&
            Descriptors[Index].BasePage + Descriptors[Index].PageCount > Highest) {
            Highest = Descriptors[Index].BasePage + Descriptors[Index].PageCount;
        }
    }
    return (ULONG_PTR)Highest;
}

/* The state a frame of a descriptor type starts in. */
static MMPFN_STATE MiInitialState(ULONG MemoryType) {
    switch (MemoryType) {
        case LoaderFree:
            return MmPfnFree;
        case LoaderBad:
            return MmPfnBad;
        case LoaderFirmwarePermanent:
            return MmPfnFirmware;
        case LoaderFirmwareTemporary:
        case LoaderOsloaderHeap:
            return MmPfnReclaimable;
        default:
            return MmPfnLoader;
    }
}

static PMMPFN_LIST MiListOf(PMMPFN_DATABASE Database, MMPFN_STATE State, ULONG_PTR Pfn) {
    ULONG Zone = Pfn >= MM_PFN_LOW_LIMIT ? MM_PFN_ZONE_HIGH : MM_PFN_ZONE_LOW;
    return State == MmPfnZeroed ? &Database->ZeroedList[Zone] : &Database->FreeList[Zone];
}

ULONG_PTR MmCountFreePfns(const MMPFN_DATABASE *Database) {
    ULONG_PTR Count = 0;
    for (ULONG Zone = 0; Zone < MM_PFN_ZONE_COUNT; Zone++) {
        Count += Database->FreeList[Zone].Count + Database->ZeroedList[Zone].Count;
    }
    return Count;
}

/* Appends Pfn to the list of State and sets its state. */
static VOID MiInsertPfn(PMMPFN_DATABASE Database, ULONG_PTR Pfn, MMPFN_STATE State) {
    PMMPFN_LIST List = MiListOf(Database, State, Pfn);
    PMMPFN Entry = &Database->Entries[Pfn];

    Entry->State = (UCHAR)State;
    Entry->Flink = MM_PFN_NONE;
    Entry->Blink = List->Tail;
    if (List->Tail == MM_PFN_NONE) {
        List->Head = Pfn;
    } else {
        Database->Entries[List->Tail].Flink = Pfn;
    }
    List->Tail = Pfn;
    List->Count++;
    Database->StateCount[State]++;
}

/* Unlinks Pfn from its list (its state must be Free or Zeroed). */
static VOID MiRemovePfn(PMMPFN_DATABASE Database, ULONG_PTR Pfn) {
    PMMPFN Entry = &Database->Entries[Pfn];
    PMMPFN_LIST List = MiListOf(Database, Entry->State, Pfn);

    if (Entry->Blink == MM_PFN_NONE) {
        List->Head = Entry->Flink;
    } else {
        Database->Entries[Entry->Blink].Flink = Entry->Flink;
    }
    if (Entry->Flink == MM_PFN_NONE) {
        List->Tail = Entry->Blink;
    } else {
        Database->Entries[Entry->Flink].Blink = Entry->Blink;
    }
    List->Count--;
    Database->StateCount[Entry->State]--;
    Entry->Flink = Entry->Blink = MM_PFN_NONE;
}

/* Writes the entries of free frames [First, Limit) (all in one zone) as one chain and appends it to the list. */
static VOID MiInitializeFreeRun(PMMPFN_DATABASE Database, ULONG_PTR First, ULONG_PTR Limit) {
    PMMPFN_LIST List = MiListOf(Database, MmPfnFree, First);
    PMMPFN Entries = Database->Entries;

    for (ULONG_PTR Pfn = First; Pfn < Limit; Pfn++) {
        Entries[Pfn] = (MMPFN){Pfn + 1, Pfn - 1, 0, 0, 0, MmPfnFree, 0};
    }
    Entries[First].Blink = List->Tail;
    Entries[Limit - 1].Flink = MM_PFN_NONE;
    if (List->Tail == MM_PFN_NONE) {
        List->Head = First;
    } else {
        Entries[List->Tail].Flink = First;
    }
    List->Tail = Limit - 1;
    List->Count += Limit - First;
    Database->StateCount[MmPfnFree] += Limit - First;
}

/* Writes the entries of one RAM range: every byte of every entry, so the backing pages need no zeroing. */
static VOID MiInitializeRange(PMMPFN_DATABASE Database, const XT_MEMORY_DESCRIPTOR *Descriptor) {
    ULONG_PTR First = (ULONG_PTR)Descriptor->BasePage,
              Limit = (ULONG_PTR)(Descriptor->BasePage + Descriptor->PageCount);
    MMPFN_STATE State = MiInitialState(Descriptor->MemoryType);

    if (State != MmPfnFree) {
        for (ULONG_PTR Pfn = First; Pfn < Limit; Pfn++) {
            Database->Entries[Pfn] = (MMPFN){MM_PFN_NONE, MM_PFN_NONE, 0, 0, 0, (UCHAR)State, 0};
        }
        Database->StateCount[State] += Limit - First;
        return;
    }
    if (First < MM_PFN_LOW_LIMIT && Limit > MM_PFN_LOW_LIMIT) {
        MiInitializeFreeRun(Database, First, MM_PFN_LOW_LIMIT);
        First = MM_PFN_LOW_LIMIT;
    }
    MiInitializeFreeRun(Database, First, Limit);
}

VOID MmInitializePfnEntries(PMMPFN_DATABASE Database, PMMPFN Entries, const XT_MEMORY_DESCRIPTOR *Descriptors,
                            ULONG Count) {
    RtlZeroMemory(Database, sizeof(*Database));
    Database->Entries = Entries;
    Database->HighestPfn = MmGetPfnDatabaseEntryCount(Descriptors, Count) - 1;
    Database->Descriptors = Descriptors;
    Database->DescriptorCount = Count;
    for (ULONG Zone = 0; Zone < MM_PFN_ZONE_COUNT; Zone++) {
        Database->FreeList[Zone] = Database->ZeroedList[Zone] = (MMPFN_LIST){MM_PFN_NONE, MM_PFN_NONE, 0};
    }
    for (ULONG Index = 0; Index < Count; Index++) {
        if (MmIsRamDescriptor(Descriptors[Index].MemoryType) && Descriptors[Index].PageCount) {
            MiInitializeRange(Database, &Descriptors[Index]);
        }
    }
}

ULONG_PTR MmAllocatePfn(PMMPFN_DATABASE Database, BOOLEAN PreferZeroed, BOOLEAN LowOnly, PBOOLEAN Zeroed) {
    PMMPFN_LIST List = NULL;
    ULONG_PTR Pfn;
    PMMPFN Entry;

    for (LONG Zone = LowOnly ? MM_PFN_ZONE_LOW : MM_PFN_ZONE_HIGH; Zone >= 0 && List == NULL; Zone--) {
        PMMPFN_LIST First = PreferZeroed ? &Database->ZeroedList[Zone] : &Database->FreeList[Zone];
        PMMPFN_LIST Second = PreferZeroed ? &Database->FreeList[Zone] : &Database->ZeroedList[Zone];
        List = First->Head != MM_PFN_NONE ? First : Second->Head != MM_PFN_NONE ? Second : NULL;
    }
    if (List == NULL) {
        return MM_PFN_NONE;
    }
    Pfn = List->Head;
    if (Zeroed) {
        *Zeroed = (Database->Entries[Pfn].State == MmPfnZeroed);
    }
    MiRemovePfn(Database, Pfn);
    Entry = &Database->Entries[Pfn];
    Entry->State = MmPfnActive;
    Entry->ReferenceCount = 1;
    Entry->ShareCount = 0;
    Entry->PteAddress = 0;
    Database->StateCount[MmPfnActive]++;
    return Pfn;
}

XTSTATUS MmFreePfn(PMMPFN_DATABASE Database, ULONG_PTR Pfn, BOOLEAN Zeroed) {
    PMMPFN Entry;

    if (Pfn > Database->HighestPfn || Database->Entries[Pfn].State != MmPfnActive) {
        return STATUS_INVALID_PARAMETER;
    }
    Entry = &Database->Entries[Pfn];
    Entry->ReferenceCount = 0;
    Entry->ShareCount = 0;
    Entry->PteAddress = 0;
    Database->StateCount[MmPfnActive]--;
    MiInsertPfn(Database, Pfn, Zeroed ? MmPfnZeroed : MmPfnFree);
    return STATUS_SUCCESS;
}

static BOOLEAN MiIsOnList(const MMPFN *Entry) {
    return Entry->State == MmPfnFree || Entry->State == MmPfnZeroed;
}

/* Takes [Start, Start + Count) off the lists as Active frames. */
static VOID MiClaimRange(PMMPFN_DATABASE Database, ULONG_PTR Start, ULONG_PTR Count) {
    for (ULONG_PTR Pfn = Start; Pfn < Start + Count; Pfn++) {
        MiRemovePfn(Database, Pfn);
        Database->Entries[Pfn] = (MMPFN){MM_PFN_NONE, MM_PFN_NONE, 0, 0, 1, MmPfnActive, 0};
        Database->StateCount[MmPfnActive]++;
    }
}

/* First aligned run of Count listed frames in [First, Limit), or MM_PFN_NONE. */
static ULONG_PTR MiFindRun(PMMPFN_DATABASE Database, ULONG_PTR First, ULONG_PTR Limit, ULONG_PTR Count,
                           ULONG_PTR Alignment) {
    for (ULONG_PTR Start = ALIGN_UP(First, Alignment); Start >= First && Start + Count <= Limit;) {
        ULONG_PTR Run = 0;
        while (Run < Count && MiIsOnList(&Database->Entries[Start + Run])) {
            Run++;
        }
        if (Run == Count) {
            return Start;
        }
        Start = ALIGN_UP(Start + Run + 1, Alignment); /* past the frame that broke the run */
    }
    return MM_PFN_NONE;
}

ULONG_PTR MmAllocateContiguousPfns(PMMPFN_DATABASE Database, ULONG_PTR Count, ULONG_PTR MaxPfn, ULONG_PTR Alignment) {
    if (Count == 0 || Alignment == 0 || (Alignment & (Alignment - 1))) {
        return MM_PFN_NONE;
    }
    /* Only frames inside RAM descriptors have backed entries: search each one. */
    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &Database->Descriptors[Index];
        ULONG_PTR First = (ULONG_PTR)Descriptor->BasePage;
        ULONG_PTR Limit = (ULONG_PTR)(Descriptor->BasePage + Descriptor->PageCount);
        ULONG_PTR Start;

        if (!MmIsRamDescriptor(Descriptor->MemoryType) || First >= MaxPfn) {
            continue;
        }
        Start = MiFindRun(Database, First, Limit < MaxPfn ? Limit : MaxPfn, Count, Alignment);
        if (Start != MM_PFN_NONE) {
            MiClaimRange(Database, Start, Count);
            return Start;
        }
    }
    return MM_PFN_NONE;
}

VOID MmSetPfnState(PMMPFN_DATABASE Database, ULONG_PTR Pfn, MMPFN_STATE State) {
    PMMPFN Entry = &Database->Entries[Pfn];

    if (MiIsOnList(Entry)) {
        MiRemovePfn(Database, Pfn);
    } else {
        Database->StateCount[Entry->State]--;
    }
    if (State == MmPfnFree || State == MmPfnZeroed) {
        MiInsertPfn(Database, Pfn, State);
    } else {
        Entry->State = (UCHAR)State;
        Database->StateCount[State]++;
    }
}

ULONG_PTR MmReleasePfnState(PMMPFN_DATABASE Database, MMPFN_STATE State) {
    ULONG_PTR Released = 0;
    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &Database->Descriptors[Index];
        /* Only ranges that started in State can hold frames in it (frames only leave such states). */
        if (!MmIsRamDescriptor(Descriptor->MemoryType) || MiInitialState(Descriptor->MemoryType) != State) {
            continue;
        }
        for (ULONG_PTR Pfn = (ULONG_PTR)Descriptor->BasePage; Pfn < Descriptor->BasePage + Descriptor->PageCount;
             Pfn++) {
            if (Database->Entries[Pfn].State == State) {
                MmSetPfnState(Database, Pfn, MmPfnFree);
                Released++;
            }
        }
    }
    return Released;
}

/* Walks one list: links must be mutual, states must match, the length must equal the counter. */
static ULONG_PTR MiCheckList(const MMPFN_DATABASE *Database, const MMPFN_LIST *List, MMPFN_STATE State, ULONG Zone) {
    ULONG_PTR Problems = 0, Length = 0, Previous = MM_PFN_NONE;

    for (ULONG_PTR Pfn = List->Head; Pfn != MM_PFN_NONE; Pfn = Database->Entries[Pfn].Flink) {
        if (Pfn > Database->HighestPfn || Length > Database->HighestPfn) {
            return Problems + 1; /* a stray or cyclic link: stop walking */
        }
        Problems += Database->Entries[Pfn].State != State;
        Problems += Database->Entries[Pfn].Blink != Previous;
        Problems += (Pfn >= MM_PFN_LOW_LIMIT) != (Zone == MM_PFN_ZONE_HIGH);
        Previous = Pfn;
        Length++;
    }
    Problems += Previous != List->Tail;
    Problems += Length != List->Count;
    return Problems;
}

ULONG_PTR MmCheckPfnDatabase(const MMPFN_DATABASE *Database) {
    ULONG_PTR Counted[MmPfnStateCount] = {0};
    ULONG_PTR Problems = 0;

    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &Database->Descriptors[Index];
        if (!MmIsRamDescriptor(Descriptor->MemoryType)) {
            continue;
        }
        for (ULONG_PTR Pfn = (ULONG_PTR)Descriptor->BasePage; Pfn < Descriptor->BasePage + Descriptor->PageCount;
             Pfn++) {
            UCHAR State = Database->Entries[Pfn].State;
            if (State == MmPfnHole || State >= MmPfnStateCount) {
                Problems++;
                continue;
            }
            Counted[State]++;
        }
    }
    for (ULONG State = 1; State < MmPfnStateCount; State++) {
        Problems += Counted[State] != Database->StateCount[State];
    }
    for (ULONG Zone = 0; Zone < MM_PFN_ZONE_COUNT; Zone++) {
        Problems += MiCheckList(Database, &Database->FreeList[Zone], MmPfnFree, Zone);
        Problems += MiCheckList(Database, &Database->ZeroedList[Zone], MmPfnZeroed, Zone);
    }
    return Problems;
}

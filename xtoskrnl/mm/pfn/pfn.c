/* PFN database core: entry initialisation, the free and zeroed lists, contiguous ranges, consistency. Generic and
 * host-tested: the kernel backs Entries with mapped pages, tests with host memory. */
#include <rtl.h>

#include "pfn.h"

BOOLEAN MmIsRamDescriptor(ULONG MemoryType) {
    return MemoryType != LoaderSpecialMemory && MemoryType != LoaderXIPRom && MemoryType < LoaderMaximum;
}

/* Overlap priority of a RAM type: bad > in use > reclaimable later > free, then the higher type value. */
static ULONG MiTypePriority(ULONG MemoryType) {
    ULONG Rank;

    switch (MemoryType) {
        case LoaderFree:
            Rank = 0;
            break;
        case LoaderFirmwareTemporary:
        case LoaderOsloaderHeap:
            Rank = 1;
            break;
        case LoaderBad:
            Rank = 3;
            break;
        default:
            Rank = 2;
            break;
    }
    return Rank * LoaderMaximum + MemoryType;
}

/* State of one sanitising pass: the RAM ranges by index into Input, ordered by base, and a max-heap (by priority) of
 * the ranges open at the sweep position. */
typedef struct _MI_SANITIZER {
    const XT_MEMORY_DESCRIPTOR *Input;
    ULONGLONG Limit;
    PULONG Order; /* RangeCount indices, sorted by base */
    PULONG Heap;  /* HeapCount indices */
    ULONG RangeCount;
    ULONG HeapCount;
    PXT_MEMORY_DESCRIPTOR Output;
    ULONG Capacity;
    BOOLEAN Writing;   /* pass 2: segments go to Output; pass 1 only counts */
    ULONG FreeBudget;  /* free descriptors that may still be written (pass 2) */
    ULONG InUseNeeded; /* non-free descriptors the map needs (pass 1) */
    ULONGLONG LastEnd; /* the last segment of the sweep, for merging */
    ULONG LastType;    /* LoaderMaximum before the first segment */
    BOOLEAN LastKept;  /* the last segment is Output[Count - 1] */
    PMM_SANITIZE_RESULT Result;
} MI_SANITIZER, *PMI_SANITIZER;

static ULONGLONG MiRangeBase(PMI_SANITIZER Sanitizer, ULONG Index) {
    return Sanitizer->Input[Index].BasePage;
}

/* End of a range clipped to the limit (its base is below the limit). */
static ULONGLONG MiRangeEnd(PMI_SANITIZER Sanitizer, ULONG Index) {
    const XT_MEMORY_DESCRIPTOR *Range = &Sanitizer->Input[Index];
    ULONGLONG Room = Sanitizer->Limit - Range->BasePage;
    return Range->BasePage + (Range->PageCount < Room ? Range->PageCount : Room);
}

/* TRUE when range Left sorts after range Right: by base for the order, by priority for the heap. */
static BOOLEAN MiRangeAfter(PMI_SANITIZER Sanitizer, ULONG Left, ULONG Right, BOOLEAN ByPriority) {
    Sanitizer->Result->Steps++;
    if (ByPriority) {
        return MiTypePriority(Sanitizer->Input[Left].MemoryType) < MiTypePriority(Sanitizer->Input[Right].MemoryType);
    }
    return MiRangeBase(Sanitizer, Left) > MiRangeBase(Sanitizer, Right);
}

/* Restores the heap property below Root in Array[0..Count) (largest first by base, or highest priority first). */
static VOID MiSiftDown(PMI_SANITIZER Sanitizer, PULONG Array, ULONG Root, ULONG Count, BOOLEAN ByPriority) {
    for (ULONG Child = 2 * Root + 1; Child < Count; Root = Child, Child = 2 * Root + 1) {
        ULONG Swap;
        if (Child + 1 < Count && MiRangeAfter(Sanitizer, Array[Child], Array[Child + 1], ByPriority) == ByPriority) {
            Child++;
        }
        if (MiRangeAfter(Sanitizer, Array[Root], Array[Child], ByPriority) != ByPriority) {
            return;
        }
        Swap = Array[Root];
        Array[Root] = Array[Child];
        Array[Child] = Swap;
    }
}

/* Heap sort of the range indices by base: O(n log n) in every case, no recursion. */
static VOID MiSortByBase(PMI_SANITIZER Sanitizer) {
    PULONG Order = Sanitizer->Order;

    for (ULONG Root = Sanitizer->RangeCount / 2; Root-- > 0;) {
        MiSiftDown(Sanitizer, Order, Root, Sanitizer->RangeCount, FALSE);
    }
    for (ULONG End = Sanitizer->RangeCount; End-- > 1;) {
        ULONG Swap = Order[0];
        Order[0] = Order[End];
        Order[End] = Swap;
        MiSiftDown(Sanitizer, Order, 0, End, FALSE);
    }
}

static VOID MiPushOpen(PMI_SANITIZER Sanitizer, ULONG Index) {
    PULONG Heap = Sanitizer->Heap;
    ULONG Slot = Sanitizer->HeapCount++;

    while (Slot > 0 && MiRangeAfter(Sanitizer, Heap[(Slot - 1) / 2], Index, TRUE)) {
        Heap[Slot] = Heap[(Slot - 1) / 2];
        Slot = (Slot - 1) / 2;
    }
    Heap[Slot] = Index;
}

static VOID MiPopOpen(PMI_SANITIZER Sanitizer) {
    Sanitizer->Heap[0] = Sanitizer->Heap[--Sanitizer->HeapCount];
    MiSiftDown(Sanitizer, Sanitizer->Heap, 0, Sanitizer->HeapCount, TRUE);
}

/* Takes the segment [Start, End) of Type: merged into the previous one when they touch and match; else counted
 * (pass 1) or written while it fits (pass 2; free segments only within the free budget). */
static VOID MiTakeSegment(PMI_SANITIZER Sanitizer, ULONGLONG Start, ULONGLONG End, ULONG Type) {
    PMM_SANITIZE_RESULT Result = Sanitizer->Result;
    BOOLEAN Merge = (BOOLEAN)(Sanitizer->LastType == Type && Sanitizer->LastEnd == Start);

    Result->Steps++;
    Sanitizer->LastEnd = End;
    Sanitizer->LastType = Type;
    if (!Sanitizer->Writing) {
        Sanitizer->InUseNeeded += (!Merge && Type != LoaderFree);
        return;
    }
    if (Merge && Sanitizer->LastKept) {
        Sanitizer->Output[Result->Count - 1].PageCount += End - Start;
        return;
    }
    Sanitizer->LastKept = (BOOLEAN)(Result->Count < Sanitizer->Capacity &&
                                    (Type != LoaderFree || (Sanitizer->FreeBudget > 0 && !Result->InUseDropped)));
    if (!Sanitizer->LastKept) {
        Result->InUseDropped |= (Type != LoaderFree);
        Result->FreePagesDropped += (Type == LoaderFree) ? End - Start : 0;
        return;
    }
    Sanitizer->FreeBudget -= (Type == LoaderFree);
    Sanitizer->Output[Result->Count++] = (XT_MEMORY_DESCRIPTOR){Start, End - Start, Type, 0};
}

/* Sweeps the ranges in base order; each segment between two events takes the type of the open range of highest
 * priority (ranges that ended are dropped lazily when they reach the top). */
static VOID MiSweepRanges(PMI_SANITIZER Sanitizer) {
    ULONGLONG Position = 0;
    ULONG Next = 0;

    Sanitizer->HeapCount = 0;
    Sanitizer->LastType = LoaderMaximum;
    Sanitizer->LastKept = FALSE;
    while (Next < Sanitizer->RangeCount || Sanitizer->HeapCount > 0) {
        ULONGLONG Stop;
        if (Sanitizer->HeapCount == 0) {
            Position = MiRangeBase(Sanitizer, Sanitizer->Order[Next]);
        }
        while (Next < Sanitizer->RangeCount && MiRangeBase(Sanitizer, Sanitizer->Order[Next]) <= Position) {
            MiPushOpen(Sanitizer, Sanitizer->Order[Next++]);
        }
        while (Sanitizer->HeapCount > 0 && MiRangeEnd(Sanitizer, Sanitizer->Heap[0]) <= Position) {
            MiPopOpen(Sanitizer);
        }
        if (Sanitizer->HeapCount == 0) {
            continue;
        }
        Stop = MiRangeEnd(Sanitizer, Sanitizer->Heap[0]);
        if (Next < Sanitizer->RangeCount && MiRangeBase(Sanitizer, Sanitizer->Order[Next]) < Stop) {
            Stop = MiRangeBase(Sanitizer, Sanitizer->Order[Next]);
        }
        MiTakeSegment(Sanitizer, Position, Stop, Sanitizer->Input[Sanitizer->Heap[0]].MemoryType);
        Position = Stop;
    }
}

/* TRUE for a non-empty RAM range that starts below Limit. */
static BOOLEAN MiIsUsableRange(const XT_MEMORY_DESCRIPTOR *Descriptor, ULONGLONG Limit) {
    return (BOOLEAN)(MmIsRamDescriptor(Descriptor->MemoryType) && Descriptor->PageCount != 0 &&
                     Descriptor->BasePage < Limit);
}

XTSTATUS MmSanitizeMemoryMap(const XT_MEMORY_DESCRIPTOR *Input, ULONG Count, ULONGLONG Limit, PULONG Scratch,
                             SIZE_T ScratchEntries, PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity,
                             PMM_SANITIZE_RESULT Result) {
    MI_SANITIZER Sanitizer = {.Input = Input,
                              .Limit = Limit,
                              .Order = Scratch,
                              .Output = Output,
                              .Capacity = Capacity,
                              .LastType = LoaderMaximum,
                              .Result = Result};

    RtlZeroMemory(Result, sizeof(*Result));
    for (ULONG Index = 0; Index < Count; Index++) {
        Sanitizer.RangeCount += MiIsUsableRange(&Input[Index], Limit);
    }
    Result->RamRanges = Sanitizer.RangeCount;
    if (ScratchEntries < MM_SANITIZE_SCRATCH_ENTRIES(Sanitizer.RangeCount)) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Sanitizer.Heap = Scratch + Sanitizer.RangeCount;
    for (ULONG Index = 0, Kept = 0; Index < Count; Index++) {
        if (MiIsUsableRange(&Input[Index], Limit)) {
            Scratch[Kept++] = Index;
        }
    }
    MiSortByBase(&Sanitizer);
    MiSweepRanges(&Sanitizer); /* pass 1: how many in-use descriptors the map needs */
    Result->InUseDropped = (BOOLEAN)(Sanitizer.InUseNeeded > Capacity);
    Sanitizer.FreeBudget = Result->InUseDropped ? 0 : Capacity - Sanitizer.InUseNeeded;
    Sanitizer.Writing = TRUE;
    MiSweepRanges(&Sanitizer); /* pass 2: write them, and the free ranges that fit */
    if (Result->InUseDropped) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    return Result->FreePagesDropped ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
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

/* The part of Descriptor's frames in [First, Limit): FALSE when none (or the descriptor is not RAM). */
static BOOLEAN MiClipRange(const XT_MEMORY_DESCRIPTOR *Descriptor, ULONG_PTR First, ULONG_PTR Limit,
                           PULONG_PTR RangeFirst, PULONG_PTR RangeLimit) {
    ULONG_PTR Base = (ULONG_PTR)Descriptor->BasePage, End = (ULONG_PTR)(Descriptor->BasePage + Descriptor->PageCount);

    *RangeFirst = Base > First ? Base : First;
    *RangeLimit = End < Limit ? End : Limit;
    return MmIsRamDescriptor(Descriptor->MemoryType) && *RangeFirst < *RangeLimit;
}

/* ReadyLimit as every reader takes it: entries below it are written before it moves (release/acquire). */
static ULONG_PTR MiReadyLimit(const MMPFN_DATABASE *Database) {
    return __atomic_load_n(&Database->ReadyLimit, __ATOMIC_ACQUIRE);
}

BOOLEAN MmIsUsableRamDescriptor(ULONG MemoryType) {
    MMPFN_STATE State = MiInitialState(MemoryType);
    return MmIsRamDescriptor(MemoryType) && State != MmPfnFirmware && State != MmPfnBad;
}

ULONGLONG MmCountRamPfns(const MMPFN_DATABASE *Database, ULONG_PTR First, ULONG_PTR Limit) {
    ULONGLONG Count = 0;
    ULONG_PTR RangeFirst, RangeLimit;

    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        if (MmIsUsableRamDescriptor(Database->Descriptors[Index].MemoryType) &&
            MiClipRange(&Database->Descriptors[Index], First, Limit, &RangeFirst, &RangeLimit)) {
            Count += RangeLimit - RangeFirst;
        }
    }
    return Count;
}

VOID MmInitializePfnEntriesBelow(PMMPFN_DATABASE Database, PMMPFN Entries, const XT_MEMORY_DESCRIPTOR *Descriptors,
                                 ULONG Count, ULONG_PTR ReadyLimit) {
    MMPFN_CHUNK Chunk;

    RtlZeroMemory(Database, sizeof(*Database));
    Database->Entries = Entries;
    Database->HighestPfn = MmGetPfnDatabaseEntryCount(Descriptors, Count) - 1;
    Database->Descriptors = Descriptors;
    Database->DescriptorCount = Count;
    for (ULONG Zone = 0; Zone < MM_PFN_ZONE_COUNT; Zone++) {
        Database->FreeList[Zone] = Database->ZeroedList[Zone] = (MMPFN_LIST){MM_PFN_NONE, MM_PFN_NONE, 0};
    }
    /* The frames below the limit are the first chunk, published at once. */
    MmPreparePfnEntries(Database, &Chunk, 0,
                        ReadyLimit < Database->HighestPfn + 1 ? ReadyLimit : Database->HighestPfn + 1);
    (VOID) MmPublishPfnEntries(Database, &Chunk);
}

VOID MmInitializePfnEntries(PMMPFN_DATABASE Database, PMMPFN Entries, const XT_MEMORY_DESCRIPTOR *Descriptors,
                            ULONG Count) {
    MmInitializePfnEntriesBelow(Database, Entries, Descriptors, Count, ~(ULONG_PTR)0);
}

/* Chains free frames [First, Limit) (one zone) after Chain's tail; the chain's head keeps Blink MM_PFN_NONE until
 * it is published. */
static VOID MiChainFreeRun(PMMPFN Entries, PMMPFN_LIST Chain, ULONG_PTR First, ULONG_PTR Limit) {
    for (ULONG_PTR Pfn = First; Pfn < Limit; Pfn++) {
        Entries[Pfn] = (MMPFN){Pfn + 1, Pfn - 1, 0, 0, 0, MmPfnFree, 0};
    }
    Entries[First].Blink = Chain->Tail;
    Entries[Limit - 1].Flink = MM_PFN_NONE;
    if (Chain->Tail == MM_PFN_NONE) {
        Chain->Head = First;
    } else {
        Entries[Chain->Tail].Flink = First;
    }
    Chain->Tail = Limit - 1;
    Chain->Count += Limit - First;
}

VOID MmPreparePfnEntries(PMMPFN_DATABASE Database, PMMPFN_CHUNK Chunk, ULONG_PTR First, ULONG_PTR Limit) {
    ULONG_PTR RangeFirst, RangeLimit;

    RtlZeroMemory(Chunk, sizeof(*Chunk));
    Chunk->First = First;
    Chunk->Limit = Limit;
    Chunk->ReleasedStates = __atomic_load_n(&Database->ReleasedStates, __ATOMIC_ACQUIRE);
    for (ULONG Zone = 0; Zone < MM_PFN_ZONE_COUNT; Zone++) {
        Chunk->Free[Zone] = (MMPFN_LIST){MM_PFN_NONE, MM_PFN_NONE, 0};
    }
    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &Database->Descriptors[Index];
        MMPFN_STATE State = MiInitialState(Descriptor->MemoryType);

        if (!MiClipRange(Descriptor, First, Limit, &RangeFirst, &RangeLimit)) {
            continue;
        }
        if (Chunk->ReleasedStates & (1u << State)) {
            State = MmPfnFree;
        }
        if (State != MmPfnFree) {
            for (ULONG_PTR Pfn = RangeFirst; Pfn < RangeLimit; Pfn++) {
                Database->Entries[Pfn] = (MMPFN){MM_PFN_NONE, MM_PFN_NONE, 0, 0, 0, (UCHAR)State, 0};
            }
            Chunk->StateCount[State] += RangeLimit - RangeFirst;
            continue;
        }
        if (RangeFirst < MM_PFN_LOW_LIMIT && RangeLimit > MM_PFN_LOW_LIMIT) {
            MiChainFreeRun(Database->Entries, &Chunk->Free[MM_PFN_ZONE_LOW], RangeFirst, MM_PFN_LOW_LIMIT);
            RangeFirst = MM_PFN_LOW_LIMIT;
        }
        MiChainFreeRun(Database->Entries,
                       &Chunk->Free[RangeFirst >= MM_PFN_LOW_LIMIT ? MM_PFN_ZONE_HIGH : MM_PFN_ZONE_LOW], RangeFirst,
                       RangeLimit);
    }
}

/* Moves the frames in State of the ranges that started in it, within [First, Limit), to the free list. */
static ULONG_PTR MiReleaseStateBetween(PMMPFN_DATABASE Database, MMPFN_STATE State, ULONG_PTR First, ULONG_PTR Limit) {
    ULONG_PTR Released = 0, RangeFirst, RangeLimit;

    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &Database->Descriptors[Index];
        /* Only ranges that started in State can hold frames in it (frames only leave such states). */
        if (MiInitialState(Descriptor->MemoryType) != State ||
            !MiClipRange(Descriptor, First, Limit, &RangeFirst, &RangeLimit)) {
            continue;
        }
        for (ULONG_PTR Pfn = RangeFirst; Pfn < RangeLimit; Pfn++) {
            if (Database->Entries[Pfn].State == State) {
                MmSetPfnState(Database, Pfn, MmPfnFree);
                Released++;
            }
        }
    }
    return Released;
}

XTSTATUS MmPublishPfnEntries(PMMPFN_DATABASE Database, PMMPFN_CHUNK Chunk) {
    ULONG Missed;

    if (Chunk->First != Database->ReadyLimit || Chunk->Limit < Chunk->First ||
        Chunk->Limit > Database->HighestPfn + 1) {
        return STATUS_INVALID_PARAMETER;
    }
    for (ULONG Zone = 0; Zone < MM_PFN_ZONE_COUNT; Zone++) {
        PMMPFN_LIST Chain = &Chunk->Free[Zone], List = &Database->FreeList[Zone];
        if (Chain->Count == 0) {
            continue;
        }
        Database->Entries[Chain->Head].Blink = List->Tail;
        if (List->Tail == MM_PFN_NONE) {
            List->Head = Chain->Head;
        } else {
            Database->Entries[List->Tail].Flink = Chain->Head;
        }
        List->Tail = Chain->Tail;
        List->Count += Chain->Count;
        Database->StateCount[MmPfnFree] += Chain->Count;
    }
    for (ULONG State = 0; State < MmPfnStateCount; State++) {
        Database->StateCount[State] += Chunk->StateCount[State];
    }
    __atomic_store_n(&Database->ReadyLimit, Chunk->Limit, __ATOMIC_RELEASE);
    /* A state released while the chunk was being written: its frames in the chunk are released now. */
    Missed = Database->ReleasedStates & ~Chunk->ReleasedStates;
    for (ULONG State = 0; Missed != 0 && State < MmPfnStateCount; State++) {
        if (Missed & (1u << State)) {
            MiReleaseStateBetween(Database, (MMPFN_STATE)State, Chunk->First, Chunk->Limit);
        }
    }
    return STATUS_SUCCESS;
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

BOOLEAN MmIsPfnBacked(const MMPFN_DATABASE *Database, ULONG_PTR Pfn) {
    ULONG Low = 0, High = Database->DescriptorCount;

    if (Pfn >= MiReadyLimit(Database)) {
        return FALSE;
    }

    while (Low < High) {
        ULONG Middle = Low + (High - Low) / 2;
        const XT_MEMORY_DESCRIPTOR *Descriptor = &Database->Descriptors[Middle];
        if (Pfn < Descriptor->BasePage) {
            High = Middle;
        } else if (Pfn - Descriptor->BasePage >= Descriptor->PageCount) {
            Low = Middle + 1;
        } else {
            return MmIsRamDescriptor(Descriptor->MemoryType);
        }
    }
    return FALSE;
}

XTSTATUS MmFreePfn(PMMPFN_DATABASE Database, ULONG_PTR Pfn, BOOLEAN Zeroed) {
    PMMPFN Entry;

    if (Pfn > Database->HighestPfn || !MmIsPfnBacked(Database, Pfn)) {
        return STATUS_NOT_FOUND; /* no entry: its page of the database may not even be mapped */
    }
    if (Database->Entries[Pfn].State != MmPfnActive) {
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

/* *Result = Value rounded up to Alignment (a power of two); FALSE when that overflows. */
static BOOLEAN MiAlignUp(ULONG_PTR Value, ULONG_PTR Alignment, PULONG_PTR Result) {
    if (Value > ~(ULONG_PTR)0 - (Alignment - 1)) {
        return FALSE;
    }
    *Result = ALIGN_UP(Value, Alignment);
    return TRUE;
}

/* First aligned run of Count listed frames in [First, Limit), or MM_PFN_NONE. Reads no entry outside the range. */
static ULONG_PTR MiFindRun(PMMPFN_DATABASE Database, ULONG_PTR First, ULONG_PTR Limit, ULONG_PTR Count,
                           ULONG_PTR Alignment) {
    ULONG_PTR Start;

    if (!MiAlignUp(First, Alignment, &Start)) {
        return MM_PFN_NONE;
    }
    while (Start <= Limit && Count <= Limit - Start) {
        ULONG_PTR Run = 0;
        while (Run < Count && MiIsOnList(&Database->Entries[Start + Run])) {
            Run++;
        }
        if (Run == Count) {
            return Start;
        }
        if (!MiAlignUp(Start + Run + 1, Alignment, &Start)) { /* past the frame that broke the run */
            break;
        }
    }
    return MM_PFN_NONE;
}

ULONG_PTR MmAllocateContiguousPfns(PMMPFN_DATABASE Database, ULONG_PTR Count, ULONG_PTR MaxPfn, ULONG_PTR Alignment) {
    if (Count == 0 || Alignment == 0 || (Alignment & (Alignment - 1))) {
        return MM_PFN_NONE;
    }
    /* Only frames inside RAM descriptors (below ReadyLimit) have backed entries: search each one. */
    for (ULONG Index = 0; Index < Database->DescriptorCount; Index++) {
        ULONG_PTR First, Limit, Start;

        if (!MiClipRange(&Database->Descriptors[Index], 0, MiReadyLimit(Database), &First, &Limit) || First >= MaxPfn) {
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
    Database->ReleasedStates |= 1u << State; /* entries written from now on start free */
    return MiReleaseStateBetween(Database, State, 0, MiReadyLimit(Database));
}

/* Walks one list: links must be mutual, states must match, the length must equal the counter. */
static ULONG_PTR MiCheckList(const MMPFN_DATABASE *Database, const MMPFN_LIST *List, MMPFN_STATE State, ULONG Zone) {
    ULONG_PTR Problems = 0, Length = 0, Previous = MM_PFN_NONE;

    for (ULONG_PTR Pfn = List->Head; Pfn != MM_PFN_NONE; Pfn = Database->Entries[Pfn].Flink) {
        if (Pfn >= MiReadyLimit(Database) || Length > Database->HighestPfn) {
            return Problems + 1; /* a stray or cyclic link (or one to an entry not yet written): stop walking */
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
        ULONG_PTR First, Limit;
        if (!MiClipRange(&Database->Descriptors[Index], 0, MiReadyLimit(Database), &First, &Limit)) {
            continue;
        }
        for (ULONG_PTR Pfn = First; Pfn < Limit; Pfn++) {
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

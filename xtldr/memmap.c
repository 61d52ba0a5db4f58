/* XTLDR memory map conversion. Every boundary of every firmware range is a cut point; each elementary segment gets
 * the most restrictive type among the ranges covering it; adjacent equal segments are merged. */
#include <rtl.h>

#include "memmap.h"

#define BL_MAX_PHYSICAL (1ull << 52)
#define BL_READ_RETRIES 8

ULONG BlConvertEfiMemoryType(ULONG EfiType, ULONG Flags) {
    switch (EfiType) {
        case EfiConventionalMemory:
            return LoaderFree;
        case EfiLoaderCode:
        case EfiLoaderData:
            return LoaderOsloaderHeap;
        case EfiBootServicesCode:
        case EfiBootServicesData:
            return LoaderFirmwareTemporary;
        case EfiUnusableMemory:
            return LoaderBad;
        case EfiMemoryMappedIO:
        case EfiMemoryMappedIOPortSpace:
        case EfiPersistentMemory:
        case EfiUnacceptedMemoryType:
            return LoaderSpecialMemory;
        case BL_EFI_PAGE_TABLES:
            return (Flags & BL_MEMMAP_TEST_PAGE_TABLES_FREE) ? LoaderFree : LoaderMemoryData;
        case BL_EFI_KERNEL_IMAGE:
            return LoaderSystemCode;
        case BL_EFI_INIT_BLOCK:
            return LoaderSystemBlock;
        case BL_EFI_KERNEL_STACK:
            return LoaderStartupKernelStack;
        case BL_EFI_PANIC_STACK:
            return LoaderStartupPanicStack;
        case BL_EFI_TRAMPOLINE:
            return LoaderMemoryData;
        default:
            /* Reserved, runtime services, ACPI, PAL code and anything unknown: never reused. */
            return LoaderFirmwarePermanent;
    }
}

/* Rank of a type when ranges overlap: bad > in use > reclaimable later > free. */
static ULONG BlpTypeRank(ULONG Type) {
    switch (Type) {
        case LoaderFree:
            return 0;
        case LoaderFirmwareTemporary:
        case LoaderOsloaderHeap:
            return 1;
        case LoaderBad:
            return 3;
        default:
            return 2;
    }
}

static BOOLEAN BlpTypeWins(ULONG Candidate, ULONG Current) {
    ULONG CandidateRank = BlpTypeRank(Candidate), CurrentRank = BlpTypeRank(Current);
    return CandidateRank > CurrentRank || (CandidateRank == CurrentRank && Candidate > Current);
}

SIZE_T BlMemoryMapScratchSize(ULONG Count) {
    return (SIZE_T)Count * (sizeof(BL_MEMORY_RANGE) + 2 * sizeof(ULONGLONG) + sizeof(ULONG));
}

typedef BOOLEAN (*PBL_LESS_ROUTINE)(PCVOID Left, PCVOID Right);

static VOID BlpSwap(PUCHAR Left, PUCHAR Right, SIZE_T Size) {
    for (SIZE_T Index = 0; Index < Size; Index++) {
        UCHAR Byte = Left[Index];
        Left[Index] = Right[Index];
        Right[Index] = Byte;
    }
}

static VOID BlpSiftDown(PUCHAR Base, ULONG Root, ULONG Count, SIZE_T Size, PBL_LESS_ROUTINE Less) {
    for (ULONG Child = 2 * Root + 1; Child < Count; Root = Child, Child = 2 * Root + 1) {
        if (Child + 1 < Count && Less(Base + Child * Size, Base + (Child + 1) * Size)) {
            Child++;
        }
        if (!Less(Base + Root * Size, Base + Child * Size)) {
            return;
        }
        BlpSwap(Base + Root * Size, Base + Child * Size, Size);
    }
}

/* Heap sort: O(n log n) in the worst case, no recursion, no allocation. */
static VOID BlpHeapSort(PVOID Base, ULONG Count, SIZE_T Size, PBL_LESS_ROUTINE Less) {
    for (ULONG Root = Count / 2; Root-- > 0;) {
        BlpSiftDown(Base, Root, Count, Size, Less);
    }
    for (ULONG End = Count; End-- > 1;) {
        BlpSwap(Base, (PUCHAR)Base + End * Size, Size);
        BlpSiftDown(Base, 0, End, Size, Less);
    }
}

static BOOLEAN BlpPointLess(PCVOID Left, PCVOID Right) {
    return *(const ULONGLONG *)Left < *(const ULONGLONG *)Right;
}

static BOOLEAN BlpRangeLess(PCVOID Left, PCVOID Right) {
    return ((const BL_MEMORY_RANGE *)Left)->Start < ((const BL_MEMORY_RANGE *)Right)->Start;
}

/* Turns one firmware descriptor into a page-aligned range; FALSE when it is empty or beyond 52-bit physical. */
static BOOLEAN BlpConvertDescriptor(const EFI_MEMORY_DESCRIPTOR *Descriptor, ULONG Flags, PBL_MEMORY_RANGE Range) {
    ULONGLONG Start = Descriptor->PhysicalStart, End;

    Range->Type = BlConvertEfiMemoryType(Descriptor->Type, Flags);
    Range->Reserved = 0;
    if (Descriptor->NumberOfPages == 0 || Start >= BL_MAX_PHYSICAL) {
        return FALSE;
    }
    End = (Descriptor->NumberOfPages > (BL_MAX_PHYSICAL - Start) / MM_PAGE_SIZE)
              ? BL_MAX_PHYSICAL
              : Start + Descriptor->NumberOfPages * MM_PAGE_SIZE;
    /* A misaligned range shrinks when it is free and grows when it is not. */
    if (Range->Type == LoaderFree) {
        Start = ALIGN_UP(Start, (ULONGLONG)MM_PAGE_SIZE);
        End = ALIGN_DOWN(End, (ULONGLONG)MM_PAGE_SIZE);
    } else {
        Start = ALIGN_DOWN(Start, (ULONGLONG)MM_PAGE_SIZE);
        End = ALIGN_UP(End, (ULONGLONG)MM_PAGE_SIZE);
    }
    Range->Start = Start;
    Range->End = End;
    return End > Start;
}

/* Appends [Start, End) of Type to the output, merging with the previous descriptor when possible. */
static XTSTATUS BlpEmitRange(PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity, PULONG Count, ULONGLONG Start, ULONGLONG End,
                             ULONG Type) {
    if (*Count > 0) {
        PXT_MEMORY_DESCRIPTOR Last = &Output[*Count - 1];
        if (Last->MemoryType == Type && Last->BasePage + Last->PageCount == Start / MM_PAGE_SIZE) {
            Last->PageCount += (End - Start) / MM_PAGE_SIZE;
            return STATUS_SUCCESS;
        }
    }
    if (*Count == Capacity) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    Output[*Count] = (XT_MEMORY_DESCRIPTOR){Start / MM_PAGE_SIZE, (End - Start) / MM_PAGE_SIZE, Type, 0};
    (*Count)++;
    return STATUS_SUCCESS;
}

/* Sweeps the sorted cut points, keeping the set of ranges open at each point. */
static XTSTATUS BlpSweep(const BL_MEMORY_RANGE *Ranges, ULONG RangeCount, const ULONGLONG *Points, ULONG PointCount,
                         PULONG Open, PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity, PULONG Count) {
    ULONG Next = 0, OpenCount = 0;

    for (ULONG Index = 0; Index + 1 < PointCount; Index++) {
        ULONGLONG Point = Points[Index];
        ULONG Kept = 0, Type = LoaderMaximum;
        XTSTATUS Status;

        while (Next < RangeCount && Ranges[Next].Start <= Point) {
            Open[OpenCount++] = Next++;
        }
        for (ULONG Slot = 0; Slot < OpenCount; Slot++) {
            if (Ranges[Open[Slot]].End > Point) {
                ULONG Candidate = Ranges[Open[Slot]].Type;
                Open[Kept++] = Open[Slot];
                Type = (Type == LoaderMaximum || BlpTypeWins(Candidate, Type)) ? Candidate : Type;
            }
        }
        OpenCount = Kept;
        if (Type == LoaderMaximum) {
            continue;
        }
        Status = BlpEmitRange(Output, Capacity, Count, Point, Points[Index + 1], Type);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
    }
    return STATUS_SUCCESS;
}

XTSTATUS BlBuildMemoryMapWithRanges(PCVOID EfiMap, SIZE_T MapSize, SIZE_T DescriptorSize, ULONG Flags,
                                    const BL_MEMORY_RANGE *Extra, ULONG ExtraCount, PVOID Scratch, SIZE_T ScratchSize,
                                    PXT_MEMORY_DESCRIPTOR Output, ULONG OutputCapacity, PULONG OutputCount) {
    ULONG InputCount, RangeCount = 0, PointCount = 0;
    PBL_MEMORY_RANGE Ranges = Scratch;
    PULONGLONG Points;
    PULONG Open;

    *OutputCount = 0;
    if (DescriptorSize < sizeof(EFI_MEMORY_DESCRIPTOR) || DescriptorSize % 8 || MapSize % DescriptorSize) {
        return STATUS_INVALID_PARAMETER;
    }
    if (MapSize / DescriptorSize > BL_MEMMAP_MAX_DESCRIPTORS || ExtraCount > BL_MEMMAP_MAX_EXTRA_RANGES) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    InputCount = (ULONG)(MapSize / DescriptorSize);
    if (ScratchSize < BlMemoryMapScratchSize(InputCount + ExtraCount)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    Points = (PULONGLONG)(Ranges + InputCount + ExtraCount);
    Open = (PULONG)(Points + 2 * (InputCount + ExtraCount));
    for (ULONG Index = 0; Index < InputCount; Index++) {
        const EFI_MEMORY_DESCRIPTOR *Descriptor = (PCVOID)((const UCHAR *)EfiMap + Index * DescriptorSize);
        if (BlpConvertDescriptor(Descriptor, Flags, &Ranges[RangeCount])) {
            Points[PointCount++] = Ranges[RangeCount].Start;
            Points[PointCount++] = Ranges[RangeCount].End;
            RangeCount++;
        }
    }
    for (ULONG Index = 0; Index < ExtraCount; Index++) {
        const BL_MEMORY_RANGE *Range = &Extra[Index];
        if ((Range->Start | Range->End) & (MM_PAGE_SIZE - 1) || Range->End > BL_MAX_PHYSICAL ||
            Range->Type >= LoaderMaximum) {
            return STATUS_INVALID_PARAMETER;
        }
        if (Range->End > Range->Start) {
            Ranges[RangeCount] = (BL_MEMORY_RANGE){Range->Start, Range->End, Range->Type, 0};
            Points[PointCount++] = Range->Start;
            Points[PointCount++] = Range->End;
            RangeCount++;
        }
    }
    BlpHeapSort(Ranges, RangeCount, sizeof(*Ranges), BlpRangeLess);
    BlpHeapSort(Points, PointCount, sizeof(*Points), BlpPointLess);
    return BlpSweep(Ranges, RangeCount, Points, PointCount, Open, Output, OutputCapacity, OutputCount);
}

XTSTATUS BlBuildMemoryMap(PCVOID EfiMap, SIZE_T MapSize, SIZE_T DescriptorSize, ULONG Flags, PVOID Scratch,
                          SIZE_T ScratchSize, PXT_MEMORY_DESCRIPTOR Output, ULONG OutputCapacity, PULONG OutputCount) {
    return BlBuildMemoryMapWithRanges(EfiMap, MapSize, DescriptorSize, Flags, NULL, 0, Scratch, ScratchSize, Output,
                                      OutputCapacity, OutputCount);
}

EFI_STATUS BlReadMemoryMap(PBL_FIRMWARE_MEMORY Firmware, PBL_EFI_MEMORY_MAP Map) {
    UINTN Needed = 0, DescriptorSize = sizeof(EFI_MEMORY_DESCRIPTOR);
    EFI_STATUS Status;

    RtlZeroMemory(Map, sizeof(*Map));
    Status = Firmware->GetMemoryMap(Firmware->Context, &Needed, NULL, &Map->Key, &DescriptorSize);
    for (ULONG Attempt = 0; Attempt < BL_READ_RETRIES && Status == EFI_BUFFER_TOO_SMALL; Attempt++) {
        if (DescriptorSize < sizeof(EFI_MEMORY_DESCRIPTOR)) {
            return EFI_UNSUPPORTED;
        }
        /* The allocation below may itself add descriptors: leave room for them and for later growth. */
        Map->Capacity = Needed + BL_MEMMAP_SPARE_DESCRIPTORS * DescriptorSize;
        Status = Firmware->AllocatePool(Firmware->Context, Map->Capacity, (PVOID *)&Map->Buffer);
        if (Status != EFI_SUCCESS) {
            return Status;
        }
        Map->Size = Map->Capacity;
        Status = Firmware->GetMemoryMap(Firmware->Context, &Map->Size, Map->Buffer, &Map->Key, &DescriptorSize);
        if (Status == EFI_BUFFER_TOO_SMALL) {
            Firmware->FreePool(Firmware->Context, Map->Buffer);
            Map->Buffer = NULL;
            Needed = Map->Size;
        }
    }
    if (Status == EFI_SUCCESS && Map->Buffer == NULL) {
        return EFI_DEVICE_ERROR; /* a firmware that returns success for an empty buffer */
    }
    Map->DescriptorSize = DescriptorSize;
    return Status;
}

EFI_STATUS BlRefreshMemoryMap(PBL_FIRMWARE_MEMORY Firmware, PBL_EFI_MEMORY_MAP Map) {
    UINTN DescriptorSize = Map->DescriptorSize;
    EFI_STATUS Status;

    Map->Size = Map->Capacity;
    Status = Firmware->GetMemoryMap(Firmware->Context, &Map->Size, Map->Buffer, &Map->Key, &DescriptorSize);
    if (Status == EFI_SUCCESS && DescriptorSize != Map->DescriptorSize) {
        return EFI_DEVICE_ERROR;
    }
    return Status;
}

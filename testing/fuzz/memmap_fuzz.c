/* XTLDR memory-map conversion (xtldr/memmap.c). Input: a descriptor stride selector, flags, the output capacity,
 * then the firmware map itself. The output is checked against the input through elementary intervals (between any
 * two range ends): sorted, non-overlapping, merged, covering exactly the input; a frame is free only when every
 * range covering it is conventional memory, so nothing is both free and in use and unknown types are never free;
 * every other frame takes a type of the most restrictive class covering it. Any violation aborts. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"
#include "xtldr/memmap.h"

#define MAX_PAGE  (1ull << 40) /* 52-bit physical addresses */
#define MAX_RANGE 1024

typedef struct _RANGE {
    ULONGLONG Start; /* pages */
    ULONGLONG End;
    ULONG Type; /* the converted type */
    BOOLEAN Free;
} RANGE;

static RANGE Ranges[MAX_RANGE];
static ULONGLONG Points[2 * MAX_RANGE];

/* Overlap class from the contract: bad > in use > reclaimable > free. */
static ULONG ClassOf(ULONG Type) {
    return Type == LoaderBad                                                 ? 3
           : Type == LoaderFree                                              ? 0
           : (Type == LoaderFirmwareTemporary || Type == LoaderOsloaderHeap) ? 1
                                                                             : 2;
}

/* The contract's page range of a firmware descriptor: free ranges shrink to whole pages, others grow. */
static BOOLEAN ExpectedRange(const EFI_MEMORY_DESCRIPTOR *Descriptor, ULONG Flags, RANGE *Range) {
    const ULONGLONG Top = MAX_PAGE * MM_PAGE_SIZE;
    ULONGLONG Start = Descriptor->PhysicalStart, End;

    Range->Free = (BOOLEAN)(Descriptor->Type == EfiConventionalMemory ||
                            (Descriptor->Type == BL_EFI_PAGE_TABLES && (Flags & BL_MEMMAP_TEST_PAGE_TABLES_FREE)));
    Range->Type = BlConvertEfiMemoryType(Descriptor->Type, Flags);
    FUZZ_CHECK((Range->Type == LoaderFree) == Range->Free); /* the table itself: only conventional memory is free */
    if (Descriptor->NumberOfPages == 0 || Start >= Top) {
        return FALSE;
    }
    End = Descriptor->NumberOfPages > (Top - Start) / MM_PAGE_SIZE ? Top
                                                                   : Start + Descriptor->NumberOfPages * MM_PAGE_SIZE;
    Range->Start = (Range->Free ? Start + MM_PAGE_SIZE - 1 : Start) / MM_PAGE_SIZE;
    Range->End = (Range->Free ? End : End + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
    return Range->End > Range->Start;
}

static int ComparePoints(const void *Left, const void *Right) {
    ULONGLONG A = *(const ULONGLONG *)Left, B = *(const ULONGLONG *)Right;
    return A < B ? -1 : A > B;
}

/* Index of the output descriptor holding Page, or -1. */
static LONG FindOutput(const XT_MEMORY_DESCRIPTOR *Output, ULONG Count, ULONGLONG Page) {
    ULONG Low = 0, High = Count;
    while (Low < High) {
        ULONG Middle = (Low + High) / 2;
        if (Page < Output[Middle].BasePage) {
            High = Middle;
        } else if (Page - Output[Middle].BasePage >= Output[Middle].PageCount) {
            Low = Middle + 1;
        } else {
            return (LONG)Middle;
        }
    }
    return -1;
}

/* The elementary interval [Start, End) in the output must match the ranges covering it. Complete: the output is
 * the whole map (else only a prefix up to Written is). */
static VOID CheckInterval(ULONG RangeCount, const XT_MEMORY_DESCRIPTOR *Output, ULONG Count, ULONGLONG Start,
                          ULONGLONG End) {
    LONG Index = FindOutput(Output, Count, Start);
    BOOLEAN Covered = FALSE, AnyUsed = FALSE;
    ULONG BestClass = 0;

    for (ULONG Range = 0; Range < RangeCount; Range++) {
        if (Ranges[Range].Start <= Start && Ranges[Range].End >= End) {
            Covered = TRUE;
            AnyUsed |= !Ranges[Range].Free;
            BestClass = ClassOf(Ranges[Range].Type) > BestClass ? ClassOf(Ranges[Range].Type) : BestClass;
        }
    }
    if (!Covered) {
        FUZZ_CHECK(Index < 0 && FindOutput(Output, Count, End - 1) < 0); /* intervals never straddle a descriptor */
        return;
    }
    FUZZ_CHECK(Index >= 0 && End - Output[Index].BasePage <= Output[Index].PageCount);
    FUZZ_CHECK((Output[Index].MemoryType == LoaderFree) == !AnyUsed); /* free exactly when nothing is in use */
    FUZZ_CHECK(ClassOf(Output[Index].MemoryType) == BestClass);
    for (ULONG Range = 0; Range < RangeCount; Range++) { /* the type is one of the covering ranges' */
        if (Ranges[Range].Start <= Start && Ranges[Range].End >= End &&
            Ranges[Range].Type == Output[Index].MemoryType) {
            return;
        }
    }
    FUZZ_CHECK(!"output type comes from no covering range");
}

static VOID CheckShape(const XT_MEMORY_DESCRIPTOR *Output, ULONG Count) {
    for (ULONG Index = 0; Index < Count; Index++) {
        FUZZ_CHECK(Output[Index].PageCount > 0 && Output[Index].BasePage < MAX_PAGE &&
                   Output[Index].PageCount <= MAX_PAGE - Output[Index].BasePage && Output[Index].Reserved == 0);
        if (Index > 0) {
            ULONGLONG PreviousEnd = Output[Index - 1].BasePage + Output[Index - 1].PageCount;
            FUZZ_CHECK(Output[Index].BasePage >= PreviousEnd); /* sorted, no overlap */
            FUZZ_CHECK(Output[Index].BasePage > PreviousEnd ||
                       Output[Index].MemoryType != Output[Index - 1].MemoryType);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    static const SIZE_T Strides[8] = {40, 40, 48, 56, 64, 88, 36, 44};
    static XT_MEMORY_DESCRIPTOR Output[4096];
    FUZZ_INPUT Input = {Data, Size};
    SIZE_T Stride = Strides[FuzzTake8(&Input) & 7];
    ULONG Flags = FuzzTake8(&Input) & BL_MEMMAP_TEST_PAGE_TABLES_FREE;
    ULONG Capacity = FuzzTake8(&Input), Count = 0, RangeCount = 0, PointCount = 0;
    SIZE_T Descriptors = Input.Size / Stride, ScratchSize = BlMemoryMapScratchSize((ULONG)Descriptors);
    PVOID Map = malloc(Input.Size ? Input.Size : 1), Scratch = malloc(ScratchSize ? ScratchSize : 1);
    XTSTATUS Status;

    Capacity = Capacity ? Capacity : ARRAY_SIZE(Output);
    memcpy(Map, Input.Data, Input.Size);
    Status = BlBuildMemoryMap(Map, Input.Size, Stride, Flags, Scratch, ScratchSize, Output, Capacity, &Count);
    if (Stride < sizeof(EFI_MEMORY_DESCRIPTOR) || Stride % 8 || Input.Size % Stride) {
        FUZZ_CHECK(Status == STATUS_INVALID_PARAMETER && Count == 0);
        goto Done;
    }
    FUZZ_CHECK(Status == STATUS_SUCCESS || (Status == STATUS_BUFFER_TOO_SMALL && Count == Capacity));
    FUZZ_CHECK(Count <= Capacity);
    CheckShape(Output, Count);
    for (SIZE_T Index = 0; Index < Descriptors && Index < MAX_RANGE; Index++) {
        if (ExpectedRange((const EFI_MEMORY_DESCRIPTOR *)((PUCHAR)Map + Index * Stride), Flags, &Ranges[RangeCount])) {
            Points[PointCount++] = Ranges[RangeCount].Start;
            Points[PointCount++] = Ranges[RangeCount].End;
            RangeCount++;
        }
    }
    qsort(Points, PointCount, sizeof(Points[0]), ComparePoints);
    FUZZ_CHECK(Count == 0 || RangeCount > 0);
    FUZZ_CHECK(Count == 0 || (Output[0].BasePage >= Points[0] &&
                              Output[Count - 1].BasePage + Output[Count - 1].PageCount <= Points[PointCount - 1]));
    for (ULONG Index = 0; Index + 1 < PointCount; Index++) {
        ULONGLONG Start = Points[Index], End = Points[Index + 1];
        /* A partial map (output full) is checked up to what it holds. */
        if (Start == End ||
            (Status != STATUS_SUCCESS && End > Output[Count - 1].BasePage + Output[Count - 1].PageCount)) {
            continue;
        }
        CheckInterval(RangeCount, Output, Count, Start, End);
    }
Done:
    free(Map);
    free(Scratch);
    return 0;
}

/* Kernel descriptor sanitiser (MmSanitizeMemoryMap, xtoskrnl/mm/pfn/pfn.c) and the PFN database built from its
 * output. Input: a mode byte (bit 0: squeeze bases and counts into a few thousand frames, so ranges overlap a lot),
 * the output capacity, a limit selector, then raw XT_MEMORY_DESCRIPTORs. The output is checked against the input
 * through elementary intervals: sorted, non-overlapping, merged, below the limit; each frame has exactly the most
 * restrictive type covering it (bad > in use > reclaimable > free, then the higher type), free frames may only be
 * missing when the status says free memory was left out, and in-use frames only when it says the map does not fit,
 * in which case nothing is free. Small outputs then back a PFN database whose entries outside RAM are poisoned:
 * initialisation, the checker, allocation, frees of arbitrary frames and contiguous requests must stay inside. */
#include <sanitizer/asan_interface.h>
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"
#include "pfn.h"

#define MAX_INPUT    512
#define SMALL_FRAMES 0x4000

static XT_MEMORY_DESCRIPTOR Input[MAX_INPUT];
static XT_MEMORY_DESCRIPTOR Output[MAX_INPUT * 2 + 1];
static ULONG Scratch[MM_SANITIZE_SCRATCH_ENTRIES(MAX_INPUT)];
static ULONGLONG Points[2 * MAX_INPUT];

static BOOLEAN IsRam(ULONG Type) {
    return Type < LoaderMaximum && Type != LoaderSpecialMemory && Type != LoaderXIPRom;
}

/* Priority from the contract in pfn.h, written out independently. */
static ULONG PriorityOf(ULONG Type) {
    ULONG Class = Type == LoaderBad                                                 ? 3
                  : Type == LoaderFree                                              ? 0
                  : (Type == LoaderFirmwareTemporary || Type == LoaderOsloaderHeap) ? 1
                                                                                    : 2;
    return Class * 100 + Type;
}

static ULONGLONG EndOf(const XT_MEMORY_DESCRIPTOR *Descriptor, ULONGLONG Limit) {
    return Descriptor->PageCount < Limit - Descriptor->BasePage ? Descriptor->BasePage + Descriptor->PageCount : Limit;
}

static int ComparePoints(const void *Left, const void *Right) {
    ULONGLONG A = *(const ULONGLONG *)Left, B = *(const ULONGLONG *)Right;
    return A < B ? -1 : A > B;
}

static LONG FindOutput(ULONG Count, ULONGLONG Page) {
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

/* Checks the output against the input; returns the free pages the oracle expects. */
static ULONGLONG CheckAgainstOracle(ULONG InputCount, ULONGLONG Limit, const MM_SANITIZE_RESULT *Result) {
    ULONG PointCount = 0;
    ULONGLONG ExpectedFree = 0;

    for (ULONG Index = 0; Index < InputCount; Index++) {
        if (IsRam(Input[Index].MemoryType) && Input[Index].PageCount && Input[Index].BasePage < Limit) {
            Points[PointCount++] = Input[Index].BasePage;
            Points[PointCount++] = EndOf(&Input[Index], Limit);
        }
    }
    qsort(Points, PointCount, sizeof(Points[0]), ComparePoints);
    FUZZ_CHECK(Result->Count == 0 ||
               (Output[0].BasePage >= Points[0] && EndOf(&Output[Result->Count - 1], ~0ull) <= Points[PointCount - 1]));
    for (ULONG Point = 0; Point + 1 < PointCount; Point++) {
        ULONGLONG Start = Points[Point], End = Points[Point + 1];
        ULONG Best = LoaderMaximum;
        LONG Index;
        if (Start == End) {
            continue;
        }
        for (ULONG Range = 0; Range < InputCount; Range++) {
            const XT_MEMORY_DESCRIPTOR *Descriptor = &Input[Range];
            if (IsRam(Descriptor->MemoryType) && Descriptor->PageCount && Descriptor->BasePage <= Start &&
                Descriptor->BasePage < Limit && EndOf(Descriptor, Limit) >= End &&
                (Best == LoaderMaximum || PriorityOf(Descriptor->MemoryType) > PriorityOf(Best))) {
                Best = Descriptor->MemoryType;
            }
        }
        Index = FindOutput(Result->Count, Start);
        ExpectedFree += (Best == LoaderFree) ? End - Start : 0;
        if (Index >= 0) { /* present: whole and of exactly the expected type */
            FUZZ_CHECK(End - Output[Index].BasePage <= Output[Index].PageCount);
            FUZZ_CHECK(Output[Index].MemoryType == Best);
        } else { /* absent: not RAM, or left out as the status says */
            FUZZ_CHECK(FindOutput(Result->Count, End - 1) < 0);
            FUZZ_CHECK(Best == LoaderMaximum ||
                       (Best == LoaderFree && (Result->FreePagesDropped || Result->InUseDropped)) ||
                       Result->InUseDropped);
        }
    }
    return ExpectedFree;
}

/* Builds a PFN database over the output (frames below SMALL_FRAMES), entries outside RAM poisoned, and uses it. */
static VOID ExerciseDatabase(PFUZZ_INPUT Fuzz, ULONG Count, ULONGLONG FreePages) {
    static MMPFN_DATABASE Database;
    ULONG_PTR Frames = MmGetPfnDatabaseEntryCount(Output, Count), Taken = 0, Pfn;
    PMMPFN Entries = calloc(Frames ? Frames : 1, sizeof(MMPFN));

    __asan_poison_memory_region(Entries, Frames * sizeof(MMPFN));
    for (ULONG Index = 0; Index < Count; Index++) {
        __asan_unpoison_memory_region(Entries + Output[Index].BasePage, Output[Index].PageCount * sizeof(MMPFN));
    }
    MmInitializePfnEntries(&Database, Entries, Output, Count);
    FUZZ_CHECK(MmCheckPfnDatabase(&Database) == 0 && MmCountFreePfns(&Database) == FreePages);
    for (ULONG Round = 0; Round < 8 && Fuzz->Size; Round++) {
        ULONG_PTR Frame = (ULONG_PTR)FuzzTake32(Fuzz) % (Frames + 16);
        BOOLEAN Backed = (BOOLEAN)(FindOutput(Count, Frame) >= 0);
        BOOLEAN Active = (BOOLEAN)(Backed && Entries[Frame].State == MmPfnActive);
        XTSTATUS Status = MmFreePfn(&Database, Frame, FALSE);
        FUZZ_CHECK(Status == (!Backed ? STATUS_NOT_FOUND : Active ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER));
        Taken -= Active;
        ULONG_PTR Want = (FuzzTake8(Fuzz) & 0x80) ? ~(ULONG_PTR)FuzzTake8(Fuzz) : FuzzTake16(Fuzz);
        ULONG_PTR Alignment = (ULONG_PTR)1 << (FuzzTake8(Fuzz) % 64);
        Pfn = MmAllocateContiguousPfns(&Database, Want, MM_PFN_NONE, Alignment);
        if (Pfn != MM_PFN_NONE) { /* aligned, inside one RAM range, all taken */
            FUZZ_CHECK(Want > 0 && Want <= Frames && Pfn % Alignment == 0 && FindOutput(Count, Pfn) >= 0);
            FUZZ_CHECK(FindOutput(Count, Pfn) == FindOutput(Count, Pfn + Want - 1));
            for (ULONG_PTR Page = Pfn; Page < Pfn + Want; Page++) {
                FUZZ_CHECK(Entries[Page].State == MmPfnActive);
            }
            Taken += Want;
        }
    }
    while ((Pfn = MmAllocatePfn(&Database, FALSE, FALSE, NULL)) != MM_PFN_NONE) {
        FUZZ_CHECK(FindOutput(Count, Pfn) >= 0 && Entries[Pfn].State == MmPfnActive);
        Taken++;
    }
    FUZZ_CHECK(Taken == FreePages);
    FUZZ_CHECK(MmCheckPfnDatabase(&Database) == 0);
    __asan_unpoison_memory_region(Entries, Frames * sizeof(MMPFN));
    free(Entries);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    static const ULONGLONG Limits[8] = {~0ull, 1ull << 40, 1ull << 24, 1ull << 20, 0x1000, 0x100, 1, 0};
    FUZZ_INPUT Fuzz = {Data, Size};
    UCHAR Mode = FuzzTake8(&Fuzz);
    ULONG Capacity = FuzzTake8(&Fuzz), Count = 0;
    ULONGLONG Limit = Limits[FuzzTake8(&Fuzz) & 7], FreePages = 0, ExpectedFree;
    MM_SANITIZE_RESULT Result;
    XTSTATUS Status;

    Capacity = Capacity ? Capacity : ARRAY_SIZE(Output);
    while (Fuzz.Size >= sizeof(XT_MEMORY_DESCRIPTOR) && Count < MAX_INPUT) {
        memcpy(&Input[Count], Fuzz.Data, sizeof(XT_MEMORY_DESCRIPTOR));
        Fuzz.Data += sizeof(XT_MEMORY_DESCRIPTOR);
        Fuzz.Size -= sizeof(XT_MEMORY_DESCRIPTOR);
        if (Mode & 1) { /* squeezed: a few thousand frames, types mostly RAM */
            Input[Count].BasePage %= 0x1000;
            Input[Count].PageCount %= 0x200;
            Input[Count].MemoryType %= LoaderMaximum + 2;
        }
        Count++;
    }
    Status = MmSanitizeMemoryMap(Input, Count, Limit, Scratch, ARRAY_SIZE(Scratch), Output, Capacity, &Result);
    FUZZ_CHECK(Result.Count <= Capacity && Result.RamRanges <= Count);
    FUZZ_CHECK(Status == (Result.InUseDropped       ? STATUS_BUFFER_TOO_SMALL
                          : Result.FreePagesDropped ? STATUS_BUFFER_OVERFLOW
                                                    : STATUS_SUCCESS));
    for (ULONG Index = 0; Index < Result.Count; Index++) {
        FUZZ_CHECK(Output[Index].PageCount > 0 && Output[Index].BasePage < Limit &&
                   Output[Index].PageCount <= Limit - Output[Index].BasePage && IsRam(Output[Index].MemoryType));
        FUZZ_CHECK(!Result.InUseDropped || Output[Index].MemoryType != LoaderFree); /* nothing free then */
        FreePages += Output[Index].MemoryType == LoaderFree ? Output[Index].PageCount : 0;
        if (Index > 0) {
            ULONGLONG PreviousEnd = Output[Index - 1].BasePage + Output[Index - 1].PageCount;
            FUZZ_CHECK(Output[Index].BasePage >= PreviousEnd);
            FUZZ_CHECK(Output[Index].BasePage > PreviousEnd ||
                       Output[Index].MemoryType != Output[Index - 1].MemoryType);
        }
    }
    ExpectedFree = CheckAgainstOracle(Count, Limit, &Result);
    FUZZ_CHECK(Result.InUseDropped || FreePages + Result.FreePagesDropped == ExpectedFree);
    FUZZ_CHECK(Result.Steps <= 64ull * (Count + 1) * 10 + 64); /* n log n with n <= 512: log n <= 9 */
    if (Status == STATUS_SUCCESS && Result.Count && EndOf(&Output[Result.Count - 1], ~0ull) <= SMALL_FRAMES) {
        ExerciseDatabase(&Fuzz, Result.Count, FreePages);
    }
    return 0;
}

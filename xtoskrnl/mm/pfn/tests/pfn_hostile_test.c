/* PFN core against hostile input: frame numbers that have no backed entry, huge contiguous requests, loader maps
 * larger than the kernel's descriptor capacity, and overlap patterns that used to cost cubic time. The database is
 * backed like the kernel's: only pages holding entries of RAM ranges are mapped, the rest is PROT_NONE. */
#include <rtl.h>
#include <xtest.h>

#include <pfn.h>

#include "sanitize_util.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

typedef struct _TEST_SPARSE_DATABASE {
    PMMPFN Entries;
    SIZE_T Bytes;
} TEST_SPARSE_DATABASE;

/* Maps (read/write) only the database pages that hold entries of RAM descriptors, as MiBackDatabase does. */
static BOOLEAN TestBackSparse(TEST_SPARSE_DATABASE *Sparse, const XT_MEMORY_DESCRIPTOR *Map, ULONG Count) {
    SIZE_T Page = (SIZE_T)sysconf(_SC_PAGESIZE);
    ULONG_PTR Frames = MmGetPfnDatabaseEntryCount(Map, Count);

    Sparse->Bytes = ALIGN_UP(Frames * sizeof(MMPFN), Page);
    Sparse->Entries = mmap(NULL, Sparse->Bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (Sparse->Entries == MAP_FAILED) {
        return FALSE;
    }
    for (ULONG Index = 0; Index < Count; Index++) {
        if (!MmIsRamDescriptor(Map[Index].MemoryType) || Map[Index].PageCount == 0) {
            continue;
        }
        ULONG_PTR First = ALIGN_DOWN((ULONG_PTR)(Map[Index].BasePage * sizeof(MMPFN)), Page);
        ULONG_PTR Limit = ALIGN_UP((ULONG_PTR)((Map[Index].BasePage + Map[Index].PageCount) * sizeof(MMPFN)), Page);
        if (mprotect((PUCHAR)Sparse->Entries + First, Limit - First, PROT_READ | PROT_WRITE) != 0) {
            return FALSE;
        }
    }
    return TRUE;
}

static VOID TestReleaseSparse(TEST_SPARSE_DATABASE *Sparse) {
    munmap(Sparse->Entries, Sparse->Bytes);
}

/* Frames 0x10-0x7F fill the first database page exactly (0x80 entries of 32 bytes); frames 0x80-0xFFF are a hole
 * whose database pages are not mapped; 0x1000-0x100F are RAM again; 0x1010 is in a page shared with them. */
static const XT_MEMORY_DESCRIPTOR SparseMap[] = {
    {0x10, 0x70, LoaderFree, 0},
    {0x1000, 0x10, LoaderFree, 0},
};

XTEST(FreeOfAFrameWithoutEntryIsRefusedUntouched) {
    static MMPFN_DATABASE Database;
    TEST_SPARSE_DATABASE Sparse;

    XTEST_ASSERT(sizeof(MMPFN) == 32 && TestBackSparse(&Sparse, SparseMap, ARRAY_SIZE(SparseMap)));
    MmInitializePfnEntries(&Database, Sparse.Entries, SparseMap, ARRAY_SIZE(SparseMap));
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x400, FALSE), STATUS_NOT_FOUND);  /* entry page not mapped */
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x80, FALSE), STATUS_NOT_FOUND);   /* first frame of the hole */
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x0F, FALSE), STATUS_NOT_FOUND);   /* hole in a backed page */
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x1010, FALSE), STATUS_NOT_FOUND); /* above the highest frame */
    XTEST_CHECK_EQ(MmFreePfn(&Database, ~(ULONG_PTR)0, FALSE), STATUS_NOT_FOUND);
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x20, FALSE), STATUS_INVALID_PARAMETER); /* a free frame: double free */
    ULONG_PTR Pfn = MmAllocatePfn(&Database, FALSE, FALSE, NULL);
    XTEST_CHECK_EQ(MmFreePfn(&Database, Pfn, FALSE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    TestReleaseSparse(&Sparse);
}

XTEST(ContiguousRequestsWithHugeCountsStayInTheirRange) {
    static MMPFN_DATABASE Database;
    TEST_SPARSE_DATABASE Sparse;
    const ULONG_PTR Top = (ULONG_PTR)1 << (8 * sizeof(ULONG_PTR) - 1);

    XTEST_ASSERT(TestBackSparse(&Sparse, SparseMap, ARRAY_SIZE(SparseMap)));
    MmInitializePfnEntries(&Database, Sparse.Entries, SparseMap, ARRAY_SIZE(SparseMap));
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, ~(ULONG_PTR)0, MM_PFN_NONE, 1), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, ~(ULONG_PTR)0 - 0x0F, MM_PFN_NONE, 1), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, Top, MM_PFN_NONE, 1), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, Top + 1, MM_PFN_NONE, Top), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 1, MM_PFN_NONE, Top), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x71, MM_PFN_NONE, 1), MM_PFN_NONE); /* one too many */
    XTEST_CHECK_EQ(MmCountFreePfns(&Database), 0x80);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x70, MM_PFN_NONE, 0x10), 0x10); /* exactly the range */
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x10, MM_PFN_NONE, 0x1000), 0x1000);
    XTEST_CHECK_EQ(MmCountFreePfns(&Database), 0);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    TestReleaseSparse(&Sparse);
}

/* Checks that Output[0..Used) is sorted, non-empty, below Limit and without overlaps. */
static VOID TestCheckShape(PXTEST_CONTEXT XtestContext, const XT_MEMORY_DESCRIPTOR *Output, ULONG Used,
                           ULONGLONG Limit) {
    for (ULONG Index = 0; Index < Used; Index++) {
        XTEST_CHECK(Output[Index].PageCount > 0 && Output[Index].BasePage + Output[Index].PageCount <= Limit);
        XTEST_CHECK(Index == 0 || Output[Index].BasePage >= Output[Index - 1].BasePage + Output[Index - 1].PageCount);
    }
}

/* Type of frame Pfn in the sanitised map, or LoaderMaximum when no descriptor holds it. */
static ULONG TestTypeOf(const XT_MEMORY_DESCRIPTOR *Output, ULONG Used, ULONGLONG Pfn) {
    for (ULONG Index = 0; Index < Used; Index++) {
        if (Pfn >= Output[Index].BasePage && Pfn - Output[Index].BasePage < Output[Index].PageCount) {
            return Output[Index].MemoryType;
        }
    }
    return LoaderMaximum;
}

#define TEST_KERNEL_CAPACITY 2048 /* a kernel-sized output */
#define TEST_MAX_RANGES      (2 * 16384 + 8)

static XT_MEMORY_DESCRIPTOR TestInput[TEST_MAX_RANGES];
static XT_MEMORY_DESCRIPTOR TestOutput[TEST_MAX_RANGES];
static ULONG TestScratch[MM_SANITIZE_SCRATCH_ENTRIES(TEST_MAX_RANGES)];

static XTSTATUS TestSanitize(ULONG Count, ULONG Capacity, PMM_SANITIZE_RESULT Result) {
    return MmSanitizeMemoryMap(TestInput, Count, 1ull << 40, TestScratch, ARRAY_SIZE(TestScratch), TestOutput, Capacity,
                               Result);
}

XTEST(InUseRangesAfterTheCapacityAreStillSeen) {
    MM_SANITIZE_RESULT Result;
    ULONG Count = 0, Used;

    /* A free range first, then more used ranges than the kernel keeps, then a used range inside the free one. */
    TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0, 0x10000, LoaderFree, 0};
    for (ULONG Index = 0; Index < TEST_KERNEL_CAPACITY + 50; Index++) {
        TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0x100000 + 2 * Index, 1, LoaderSystemCode, 0};
    }
    TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0x100, 0x10, LoaderSystemBlock, 0};
    Used = TestSanitizeCount(TestInput, Count, 1ull << 40, TestOutput, TEST_KERNEL_CAPACITY);
    XTEST_CHECK(Used <= TEST_KERNEL_CAPACITY);
    TestCheckShape(XtestContext, TestOutput, Used, 1ull << 40);
    for (ULONGLONG Pfn = 0x100; Pfn < 0x110; Pfn++) {
        XTEST_CHECK(TestTypeOf(TestOutput, Used, Pfn) != LoaderFree); /* in use: never free */
    }
    /* The status says so: the map does not fit, and no frame at all is left free. */
    XTEST_CHECK_EQ(TestSanitize(Count, TEST_KERNEL_CAPACITY, &Result), STATUS_BUFFER_TOO_SMALL);
    XTEST_CHECK(Result.InUseDropped);
    XTEST_CHECK_EQ(Result.Count, TEST_KERNEL_CAPACITY);
    XTEST_CHECK_EQ(Result.RamRanges, Count);
    for (ULONG Index = 0; Index < Result.Count; Index++) {
        XTEST_CHECK(TestOutput[Index].MemoryType != LoaderFree);
    }

    /* The same used frames as adjacent ranges of one type: they merge, the map fits, nothing is lost. */
    Count = 0;
    TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0, 0x10000, LoaderFree, 0};
    for (ULONG Index = 0; Index < TEST_KERNEL_CAPACITY + 50; Index++) {
        TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0x100000 + Index, 1, LoaderSystemCode, 0};
    }
    TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0x100, 0x10, LoaderSystemBlock, 0};
    Used = TestSanitizeCount(TestInput, Count, 1ull << 40, TestOutput, TEST_KERNEL_CAPACITY);
    XTEST_CHECK_EQ(Used, 4);
    TestCheckShape(XtestContext, TestOutput, Used, 1ull << 40);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Used, 0xFF), LoaderFree);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Used, 0x100), LoaderSystemBlock);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Used, 0x10F), LoaderSystemBlock);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Used, 0x110), LoaderFree);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Used, 0x100000 + TEST_KERNEL_CAPACITY + 49), LoaderSystemCode);
}

XTEST(FreeRangesThatDoNotFitAreLeftOutSafely) {
    MM_SANITIZE_RESULT Result;
    ULONG Count = 0;

    /* 10 disjoint free ranges and 3 used ones in a capacity of 6: the used ones are all kept, 3 free ones fit. */
    for (ULONG Index = 0; Index < 10; Index++) {
        TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0x100 * Index, 0x10, LoaderFree, 0};
    }
    for (ULONG Index = 0; Index < 3; Index++) {
        TestInput[Count++] = (XT_MEMORY_DESCRIPTOR){0x100 * (9 - Index) + 0x80, 1, LoaderFirmwarePermanent, 0};
    }
    XTEST_CHECK_EQ(TestSanitize(Count, 6, &Result), STATUS_BUFFER_OVERFLOW);
    XTEST_CHECK(!Result.InUseDropped);
    XTEST_CHECK_EQ(Result.Count, 6);
    XTEST_CHECK_EQ(Result.FreePagesDropped, 7 * 0x10);
    TestCheckShape(XtestContext, TestOutput, Result.Count, 1ull << 40);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 0x780), LoaderFirmwarePermanent);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 0x880), LoaderFirmwarePermanent);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 0x980), LoaderFirmwarePermanent);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 0x000), LoaderFree);
    /* Scratch for fewer ranges than the map has: refused, nothing written. */
    XTEST_CHECK_EQ(
        MmSanitizeMemoryMap(TestInput, Count, 1ull << 40, TestScratch, 2 * Count - 1, TestOutput, 64, &Result),
        STATUS_INSUFFICIENT_RESOURCES);
    XTEST_CHECK_EQ(Result.Count, 0);
}

/* Type a frame must get (the contract, written out independently): the most restrictive type covering it. */
static ULONG TestOracleClass(ULONG Type) {
    return Type == LoaderBad                                                 ? 3
           : Type == LoaderFree                                              ? 0
           : (Type == LoaderFirmwareTemporary || Type == LoaderOsloaderHeap) ? 1
                                                                             : 2;
}

static ULONG TestOracle(const XT_MEMORY_DESCRIPTOR *Input, ULONG Count, ULONGLONG Limit, ULONGLONG Pfn) {
    ULONG Best = LoaderMaximum;

    for (ULONG Index = 0; Pfn < Limit && Index < Count; Index++) {
        ULONG Type = Input[Index].MemoryType;
        if (Type >= LoaderMaximum || Type == LoaderSpecialMemory || Type == LoaderXIPRom ||
            Pfn < Input[Index].BasePage || Pfn - Input[Index].BasePage >= Input[Index].PageCount) {
            continue;
        }
        if (Best == LoaderMaximum || TestOracleClass(Type) > TestOracleClass(Best) ||
            (TestOracleClass(Type) == TestOracleClass(Best) && Type > Best)) {
            Best = Type;
        }
    }
    return Best;
}

XTEST(RandomMapsMatchAPageByPageOracle) {
    ULONGLONG Seed = 0x9E3779B97F4A7C15ull;
    ULONG Mismatches = 0;

    for (ULONG Round = 0; Round < 3000; Round++) {
        MM_SANITIZE_RESULT Result;
        ULONG Count = (ULONG)(Seed % 40);
        ULONGLONG Limit = 200 + Seed % 100;
        for (ULONG Index = 0; Index < Count; Index++) {
            Seed = Seed * 6364136223846793005ull + 1442695040888963407ull;
            ULONG Type = (ULONG)(Seed >> 60) < 6 ? LoaderFree : (ULONG)((Seed >> 33) % (LoaderMaximum + 2));
            TestInput[Index] = (XT_MEMORY_DESCRIPTOR){(Seed >> 8) % 300, (Seed >> 20) % 64, Type, 0};
        }
        Seed = Seed * 6364136223846793005ull + 1442695040888963407ull;
        XTEST_CHECK_EQ(MmSanitizeMemoryMap(TestInput, Count, Limit, TestScratch, ARRAY_SIZE(TestScratch), TestOutput,
                                           ARRAY_SIZE(TestOutput), &Result),
                       STATUS_SUCCESS);
        TestCheckShape(XtestContext, TestOutput, Result.Count, Limit);
        for (ULONG Index = 1; Index < Result.Count; Index++) {
            XTEST_CHECK(TestOutput[Index].MemoryType != TestOutput[Index - 1].MemoryType ||
                        TestOutput[Index].BasePage !=
                            TestOutput[Index - 1].BasePage + TestOutput[Index - 1].PageCount); /* merged */
        }
        for (ULONGLONG Pfn = 0; Pfn < 400; Pfn++) {
            Mismatches += TestTypeOf(TestOutput, Result.Count, Pfn) != TestOracle(TestInput, Count, Limit, Pfn);
        }
    }
    XTEST_CHECK_EQ(Mismatches, 0);
}

static double TestSeconds(VOID) {
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (double)Now.tv_sec + (double)Now.tv_nsec / 1e9;
}

/* The work bound: a heap sort and a sweep with a heap, at most this many steps for Count ranges. */
static ULONGLONG TestStepBound(ULONG Count) {
    ULONG Log = 1;
    while ((1u << Log) < Count) {
        Log++;
    }
    return 12ull * Count * Log;
}

/* Count overlapping ranges [i, i + Count) of one used type (a staircase: every range overlaps all its neighbours),
 * given in descending order: the result is one range [0, 2 * Count - 1). The old sanitiser took 1.4 s for 2048. */
static ULONGLONG TestStaircase(PXTEST_CONTEXT XtestContext, ULONG Count) {
    MM_SANITIZE_RESULT Result;
    double Start = TestSeconds();

    for (ULONG Index = 0; Index < Count; Index++) {
        TestInput[Index] = (XT_MEMORY_DESCRIPTOR){Count - 1 - Index, Count, LoaderSystemCode, 0};
    }
    XTEST_CHECK_EQ(TestSanitize(Count, TEST_KERNEL_CAPACITY, &Result), STATUS_SUCCESS);
    XTEST_CHECK(TestSeconds() - Start < 1.0); /* milliseconds in fact; the bound only catches a quadratic cost */
    XTEST_CHECK(Result.Steps <= TestStepBound(Count));
    XTEST_CHECK_EQ(Result.Count, 1);
    XTEST_CHECK_EQ(TestOutput[0].BasePage, 0);
    XTEST_CHECK_EQ(TestOutput[0].PageCount, 2ull * Count - 1);
    XTEST_CHECK_EQ(TestOutput[0].MemoryType, LoaderSystemCode);
    return Result.Steps;
}

/* Count nested ranges [i, 2 * Count - i), free and used alternately: only the outermost pages stay free. */
static ULONGLONG TestNested(PXTEST_CONTEXT XtestContext, ULONG Count) {
    MM_SANITIZE_RESULT Result;
    double Start = TestSeconds();

    for (ULONG Index = 0; Index < Count; Index++) {
        TestInput[Index] =
            (XT_MEMORY_DESCRIPTOR){Index, 2ull * (Count - Index), (Index & 1) ? LoaderSystemCode : LoaderFree, 0};
    }
    XTEST_CHECK_EQ(TestSanitize(Count, TEST_KERNEL_CAPACITY, &Result), STATUS_SUCCESS);
    XTEST_CHECK(TestSeconds() - Start < 1.0);
    XTEST_CHECK(Result.Steps <= TestStepBound(Count));
    XTEST_CHECK_EQ(Result.Count, 3);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 0), LoaderFree);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 1), LoaderSystemCode);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 2ull * Count - 2), LoaderSystemCode);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 2ull * Count - 1), LoaderFree);
    XTEST_CHECK_EQ(TestTypeOf(TestOutput, Result.Count, 2ull * Count), LoaderMaximum);
    return Result.Steps;
}

/* Count used ranges inside one free range, each splitting it: Count + 1 free pieces between them. */
static ULONGLONG TestSplits(PXTEST_CONTEXT XtestContext, ULONG Count) {
    MM_SANITIZE_RESULT Result;

    TestInput[0] = (XT_MEMORY_DESCRIPTOR){0, 4ull * Count + 2, LoaderFree, 0};
    for (ULONG Index = 1; Index <= Count; Index++) {
        TestInput[Index] = (XT_MEMORY_DESCRIPTOR){4ull * Index, 1, LoaderFirmwarePermanent, 0};
    }
    XTEST_CHECK_EQ(TestSanitize(Count + 1, ARRAY_SIZE(TestOutput), &Result), STATUS_SUCCESS);
    XTEST_CHECK(Result.Steps <= TestStepBound(Count + 1));
    XTEST_CHECK_EQ(Result.Count, 2 * Count + 1);
    return Result.Steps;
}

/* TRUE when Large (steps for 8 times the ranges of Small, 2048 -> 16384) grew like n log n, with 25% slack:
 * at most 8 * 14/11 * 1.25 = 12.7 times Small. A quadratic cost grows 64 times, a cubic one 512 times. */
static BOOLEAN TestGrewLikeNLogN(ULONGLONG Small, ULONGLONG Large) {
    return (BOOLEAN)(Large * 11 * 4 <= Small * 8 * 14 * 5);
}

XTEST(OverlapChainsCostNLogN) {
    XTEST_CHECK(TestGrewLikeNLogN(TestStaircase(XtestContext, 2048), TestStaircase(XtestContext, 16384)));
    XTEST_CHECK(TestGrewLikeNLogN(TestNested(XtestContext, 2048), TestNested(XtestContext, 16384)));
    XTEST_CHECK(TestGrewLikeNLogN(TestSplits(XtestContext, 2048), TestSplits(XtestContext, 16384)));
}

XTEST_SUITE(MmPfnHostileSuite, XTEST_ENTRY(FreeOfAFrameWithoutEntryIsRefusedUntouched),
            XTEST_ENTRY(ContiguousRequestsWithHugeCountsStayInTheirRange),
            XTEST_ENTRY(InUseRangesAfterTheCapacityAreStillSeen), XTEST_ENTRY(FreeRangesThatDoNotFitAreLeftOutSafely),
            XTEST_ENTRY(RandomMapsMatchAPageByPageOracle), XTEST_ENTRY(OverlapChainsCostNLogN));

XTEST_HOST_MAIN(&MmPfnHostileSuite)

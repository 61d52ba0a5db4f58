/* Paged pool and demand-zero faults against the live kernel (SELFTEST, every paging mode): pages read as zero on first
 * touch and cost one frame each, queries show them absent before, 64 MiB touched sparsely costs only the touched
 * frames, read-only and guard protections, memory pressure, and the paged-pool torture. */
#include <ke.h>
#include <mm.h>
#include <mmhl.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <pool.h>
#include <pool_suites.h>
#include <rtl.h>

#include "mm_suites.h"

#define PAGED_TEST_TAG MM_POOL_TAG('P', 'g', 'T', 's')

static ULONG_PTR PagedFreeFrames(VOID) {
    return MmCountFreePfns(&MmPfnDatabase);
}

static MM_PAGED_SPACE_STATISTICS PagedStats(VOID) {
    MM_PAGED_SPACE_STATISTICS Statistics;

    MmQueryPagedSpace(&Statistics);
    return Statistics;
}

XTEST(DemandZeroPagesReadZeroAndCostOneFrameEach) {
    PUCHAR Block = MmAllocatePool(PagedPool, 16 * MM_PAGE_SIZE, PAGED_TEST_TAG);
    MM_PAGED_SPACE_STATISTICS Before, After;
    ULONG_PTR Free, Tables;

    XTEST_ASSERT(Block != NULL);
    XTEST_CHECK(MmIsPagedPoolAddress((ULONG_PTR)Block));
    for (ULONG Page = 0; Page < 16; Page++) {
        XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Block + Page * MM_PAGE_SIZE), MmPageDemandZero);
        XTEST_CHECK(!MmhIsAddressValid((ULONG_PTR)Block + Page * MM_PAGE_SIZE));
    }
    Before = PagedStats();
    for (ULONG Page = 0; Page < 16; Page++) {
        PULONG Word = (PULONG)(Block + Page * MM_PAGE_SIZE);
        Free = PagedFreeFrames();
        Tables = PagedStats().TableFrames;
        XTEST_CHECK_EQ(Word[Page * 7], 0); /* the first touch: a zeroed frame */
        XTEST_CHECK_EQ(Free - PagedFreeFrames(), 1 + (PagedStats().TableFrames - Tables));
        XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Word), MmPageResident);
        XTEST_CHECK_EQ(RtlCompareMemory(Word, Word + 1, MM_PAGE_SIZE - sizeof(ULONG)), MM_PAGE_SIZE - sizeof(ULONG));
        Word[3] = 0xC0DE0000u + Page;
    }
    After = PagedStats();
    XTEST_CHECK_EQ(After.DemandZeroFaults - Before.DemandZeroFaults, 16);
    XTEST_CHECK_EQ(After.ResidentPages - Before.ResidentPages, 16);
    for (ULONG Page = 0; Page < 16; Page++) {
        XTEST_CHECK_EQ(((PULONG)(Block + Page * MM_PAGE_SIZE))[3], 0xC0DE0000u + Page);
    }
    /* Mapped read-write and (where the mode has it) no-execute. */
    ULONG Flags;
    XTEST_CHECK(MmhQueryPage((ULONG_PTR)Block, &Flags) != MMH_NO_FRAME);
    XTEST_CHECK(Flags & MMH_MAP_WRITABLE);
    XTEST_CHECK(((Flags & MMH_MAP_NO_EXECUTE) != 0) == MmhIsNoExecuteActive());
    Free = PagedFreeFrames();
    MmFreePool(Block, PAGED_TEST_TAG);
    XTEST_CHECK_EQ(PagedFreeFrames() - Free, 16); /* whole pages' frames returned */
    XTEST_CHECK_EQ(PagedStats().ResidentPages, Before.ResidentPages);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Block), MmPageNotMapped);
}

XTEST(SixtyFourMiBTouchedSparselyCostsOnlyTheTouchedFrames) {
    const SIZE_T Size = 64u << 20, Stride = 1u << 20;
    MM_PAGED_SPACE_STATISTICS Before, After;
    ULONG_PTR Free = PagedFreeFrames(), Touched = 0;
    PUCHAR Block;

    Before = PagedStats();
    Block = MmAllocatePool(PagedPool, Size, PAGED_TEST_TAG);
    XTEST_ASSERT(Block != NULL);
    /* Reserving 64 MiB took no frame (the big-allocation table may have needed one of its own pages). */
    XTEST_CHECK_EQ(PagedStats().ResidentPages - Before.ResidentPages, 0);
    XTEST_CHECK(Free - PagedFreeFrames() <= 1 + (PagedStats().TableFrames - Before.TableFrames));
    /* One page touched: one frame (plus the page tables created for a region touched for the first time). */
    Free = PagedFreeFrames();
    Before = PagedStats();
    Block[Size / 2] = 0x5A;
    After = PagedStats();
    XTEST_CHECK_EQ(After.ResidentPages - Before.ResidentPages, 1);
    XTEST_CHECK_EQ(Free - PagedFreeFrames(), 1 + (After.TableFrames - Before.TableFrames));
    XTEST_CHECK(After.TableFrames - Before.TableFrames < MmhGetPageMapOps()->Levels);
    /* Every MiB touched: exactly one frame each. */
    for (SIZE_T Offset = 0; Offset < Size; Offset += Stride) {
        XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Block + Offset + MM_PAGE_SIZE), MmPageDemandZero);
        Block[Offset + 8] = (UCHAR)(Offset >> 20) ^ 0xA5;
        Touched++;
    }
    After = PagedStats();
    XTEST_CHECK_EQ(After.ResidentPages - Before.ResidentPages, Touched + (Size / 2 % Stride != 0));
    XTEST_CHECK_EQ(Free - PagedFreeFrames(),
                   After.ResidentPages - Before.ResidentPages + (After.TableFrames - Before.TableFrames));
    for (SIZE_T Offset = 0; Offset < Size; Offset += Stride) {
        XTEST_CHECK_EQ(Block[Offset + 8], (UCHAR)((Offset >> 20) ^ 0xA5));
        XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Block + Offset + MM_PAGE_SIZE), MmPageDemandZero);
    }
    XTEST_CHECK_EQ(Block[Size / 2], 0x5A);
    MmFreePool(Block, PAGED_TEST_TAG);
    /* Every touched frame went back; the page tables stay (they are never freed). */
    XTEST_CHECK_EQ(PagedStats().ResidentPages, Before.ResidentPages);
    XTEST_CHECK_EQ(PagedFreeFrames(), Free - (After.TableFrames - Before.TableFrames));
}

XTEST(ReadOnlyDemandZeroMapsReadOnly) {
    PUCHAR Page = MmReservePagedPages(1, 0);
    ULONG Flags;

    XTEST_ASSERT(Page != NULL);
    XTEST_ASSERT(XT_SUCCESS(MmEnsurePagedTables((ULONG_PTR)Page)));
    MmhWritePte((ULONG_PTR)Page, MmhMakeDemandZeroPte(MmhGetPageMapOps(), MM_PROTECT_READONLY));
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page), MmPageDemandZero);
    XTEST_CHECK_EQ(((volatile UCHAR *)Page)[100], 0);
    XTEST_CHECK(MmhQueryPage((ULONG_PTR)Page, &Flags) != MMH_NO_FRAME);
    XTEST_CHECK(!(Flags & MMH_MAP_WRITABLE));
    XTEST_CHECK(((Flags & MMH_MAP_NO_EXECUTE) != 0) == MmhIsNoExecuteActive());
    MmReleasePagedPages(Page, 1, 0);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page), MmPageNotMapped);
}

XTEST(GuardPageFollowsAGuardedReservation) {
    ULONG_PTR Used = PagedStats().ReservedPages;
    PUCHAR Page = MmReservePagedPages(2, MM_SYSTEM_PAGES_GUARD_AFTER);

    XTEST_ASSERT(Page != NULL);
    XTEST_CHECK_EQ(PagedStats().ReservedPages - Used, 3);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page + MM_PAGE_SIZE), MmPageDemandZero);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page + 2 * MM_PAGE_SIZE), MmPageGuard);
    Page[2 * MM_PAGE_SIZE - 1] = 1; /* the last byte before the guard: fine */
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page + MM_PAGE_SIZE), MmPageResident);
    MmReleasePagedPages(Page, 2, MM_SYSTEM_PAGES_GUARD_AFTER);
    XTEST_CHECK_EQ(PagedStats().ReservedPages, Used);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page + 2 * MM_PAGE_SIZE), MmPageNotMapped);
}

/* Allocates and checks a few paged blocks of every size class at the current RunLevel. */
static ULONG PagedRoundTrip(ULONG Tag) {
    static const SIZE_T Sizes[] = {0, 1, 24, 200, 1000, 4000, MM_PAGE_SIZE + 1, 5 * MM_PAGE_SIZE};
    PUCHAR Blocks[ARRAY_SIZE(Sizes)];
    ULONG Failures = 0;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        Blocks[Index] = MmAllocatePool(PagedPool, Sizes[Index], Tag);
        Failures += Blocks[Index] == NULL || !MmIsPagedPoolAddress((ULONG_PTR)Blocks[Index]);
        if (Blocks[Index] != NULL) {
            RtlFillMemory(Blocks[Index], Sizes[Index], (UCHAR)(0x30 + Index));
        }
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        for (SIZE_T Byte = 0; Blocks[Index] != NULL && Byte < Sizes[Index]; Byte++) {
            Failures += Blocks[Index][Byte] != (UCHAR)(0x30 + Index);
        }
        if (Blocks[Index] != NULL) {
            MmFreePool(Blocks[Index], Tag);
        }
    }
    return Failures;
}

XTEST(PagedPoolAtPassiveAndApcLevel) {
    MM_POOL_TAG_STATISTICS Tag;
    KRUNLEVEL Old;

    XTEST_CHECK_EQ(PagedRoundTrip(PAGED_TEST_TAG), 0);
    Old = KeRaiseRunLevel(APC_LEVEL);
    XTEST_CHECK_EQ(PagedRoundTrip(PAGED_TEST_TAG), 0);
    KeLowerRunLevel(Old);
    XTEST_ASSERT(MmQueryPagedPoolTag(PAGED_TEST_TAG, &Tag));
    XTEST_CHECK(Tag.Allocations >= 16);
    XTEST_CHECK_EQ(Tag.Allocations, Tag.Frees);
    XTEST_CHECK_EQ(Tag.BytesInUse, 0);
    /* The non-paged pool does not know the tag: the pools keep separate statistics. */
    XTEST_CHECK(!MmQueryPoolTag(PAGED_TEST_TAG, &Tag) || Tag.Allocations == 0);
    XTEST_CHECK_EQ(MmCheckPagedPoolConsistency(), 0);
}

XTEST(MemoryPressureFailsPagedKeepsNonPaged) {
    ULONG_PTR Chain = MM_PFN_NONE, Taken = 0, Pfn, Refused = PagedStats().RefusedLowMemory;
    PVOID Paged, Small, Pages;
    KRUNLEVEL Old;

    /* Take frames until only half the reserve is left. */
    while (PagedFreeFrames() > MM_PAGED_POOL_MIN_FREE_PAGES / 2 &&
           (Pfn = MmAllocatePhysicalPage(FALSE)) != MM_PFN_NONE) {
        MmPfnDatabase.Entries[Pfn].PteAddress = Chain;
        Chain = Pfn;
        Taken++;
    }
    XTEST_CHECK(PagedFreeFrames() <= MM_PAGED_POOL_MIN_FREE_PAGES);
    Paged = MmAllocatePool(PagedPool, 100, PAGED_TEST_TAG);
    XTEST_CHECK(Paged == NULL);
    XTEST_CHECK(MmAllocatePool(PagedPool, 64u << 20, PAGED_TEST_TAG) == NULL);
    XTEST_CHECK(PagedStats().RefusedLowMemory > Refused);
    /* Non-paged allocations at DISPATCH_LEVEL still work from the reserve. */
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    Small = MmAllocatePool(NonPagedPool, 64, PAGED_TEST_TAG);
    Pages = MmAllocatePool(NonPagedPool, 8 * MM_PAGE_SIZE, PAGED_TEST_TAG);
    XTEST_CHECK(Small != NULL);
    XTEST_CHECK(Pages != NULL);
    if (Small != NULL) {
        MmFreePool(Small, PAGED_TEST_TAG);
    }
    if (Pages != NULL) {
        MmFreePool(Pages, PAGED_TEST_TAG);
    }
    KeLowerRunLevel(Old);
    while (Chain != MM_PFN_NONE) {
        Pfn = Chain;
        Chain = MmPfnDatabase.Entries[Pfn].PteAddress;
        MmFreePhysicalPage(Pfn);
    }
    XTEST_CHECK(Taken > 0);
    Paged = MmAllocatePool(PagedPool, 100, PAGED_TEST_TAG);
    XTEST_CHECK(Paged != NULL);
    if (Paged != NULL) {
        MmFreePool(Paged, PAGED_TEST_TAG);
    }
}

XTEST(PagedPoolTortureKeepsEveryByte) {
    static MM_POOL_PAGE_SOURCE Source;
    ULONG_PTR Resident = PagedStats().ResidentPages, Faults = PagedStats().DemandZeroFaults;

    LARGE_INTEGER Frequency, Start = KeQueryPerformanceCounter(&Frequency), End;

    Source = (MM_POOL_PAGE_SOURCE){MmReservePagedPages, MmReleasePagedPages, MmhPagedPoolBase,
                                   MmhPagedPoolPages * MM_PAGE_SIZE, MmIsPagedMemoryLow};
    XTEST_CHECK_EQ(PoolTortureRunOn(&Source, PoolTortureOperations, 13), 0);
    End = KeQueryPerformanceCounter(NULL);
    XtestPrint("  MmPagedSuite: paged torture: %u operations, %zu demand-zero faults, %llu ms\n",
               (ULONG)PoolTortureOperations, (SIZE_T)(PagedStats().DemandZeroFaults - Faults),
               Frequency.QuadPart ? (ULONGLONG)(End.QuadPart - Start.QuadPart) * 1000 / (ULONGLONG)Frequency.QuadPart
                                  : 0);
    XTEST_CHECK(PagedStats().DemandZeroFaults > Faults);
    XTEST_CHECK_EQ(PagedStats().ResidentPages, Resident); /* the private pool gave every page back */
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&MmPfnDatabase), 0);
}

XTEST_SUITE(MmPagedSuite, XTEST_ENTRY(DemandZeroPagesReadZeroAndCostOneFrameEach),
            XTEST_ENTRY(SixtyFourMiBTouchedSparselyCostsOnlyTheTouchedFrames),
            XTEST_ENTRY(ReadOnlyDemandZeroMapsReadOnly), XTEST_ENTRY(GuardPageFollowsAGuardedReservation),
            XTEST_ENTRY(PagedPoolAtPassiveAndApcLevel), XTEST_ENTRY(MemoryPressureFailsPagedKeepsNonPaged),
            XTEST_ENTRY(PagedPoolTortureKeepsEveryByte));

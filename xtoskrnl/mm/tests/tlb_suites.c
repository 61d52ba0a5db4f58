/* MmTlbLiveSuite (SELFTEST): TLB shootdown on the live processors and the SMP rule of the paged fault path. A page
 * remapped to a new frame shows the new contents on every processor; a batch unmap of many pages is one IPI round
 * (one IPI per other processor), with the whole TLB flushed above KE_FLUSH_TB_PAGE_LIMIT pages; a paged fault whose
 * page another processor resolved between the fault's look and the PFN lock resumes as a counted collision with no
 * frame leaked (a test hook plays the other processor). With one processor every case still runs: no IPI at all. */
#include <ke.h>
#include <mm.h>
#include <mmhl.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mm_suites.h"

#define TLB_OLD_PATTERN 0x01D0F00Du
#define TLB_NEW_PATTERN 0x0E1FCAFEu

static volatile ULONG TlbSeen[KE_MAXIMUM_PROCESSORS];

/* Generic-call worker: records the first word of the page at Argument as this processor sees it. */
static ULONG_PTR TlbReadPage(ULONG_PTR Argument) {
    TlbSeen[KeGetCurrentProcessorNumber()] = *(volatile ULONG *)Argument;
    return 0;
}

/* Generic-call worker: reads every page of the block described by Argument (pointer to {address, pages}). */
static ULONG_PTR TlbTouchPages(ULONG_PTR Argument) {
    const ULONG_PTR *Block = (const ULONG_PTR *)Argument;
    ULONG Sum = 0;

    for (ULONG_PTR Page = 0; Page < Block[1]; Page++) {
        Sum += *(volatile ULONG *)(Block[0] + Page * MM_PAGE_SIZE);
    }
    return Sum;
}

/* How many processors saw Pattern in the last TlbReadPage round. */
static ULONG TlbCountSeen(ULONG Pattern) {
    ULONG Count = 0;

    for (ULONG Number = 0; Number < KeQueryActiveProcessorCount(); Number++) {
        Count += TlbSeen[Number] == Pattern;
    }
    return Count;
}

/* Writes Pattern into frame Pfn through a temporary mapping. */
static BOOLEAN TlbFillFrame(ULONG_PTR Pfn, ULONG Pattern) {
    PVOID Va;

    if (!XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Va))) {
        return FALSE;
    }
    *(volatile ULONG *)Va = Pattern;
    MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
    return TRUE;
}

/* Points the (present) PTE of Va at Pfn the way the memory manager must: clear it, shoot it down, map the new
 * frame. Returns the frame it mapped before. */
static ULONG_PTR TlbRemap(ULONG_PTR Va, ULONG_PTR Pfn) {
    KRUNLEVEL Old = MmLockPfnDatabase();
    ULONGLONG Previous = MmhQueryPage(Va, NULL);

    MmhExchangePte(Va, 0);
    MmUnlockPfnDatabase(Old);
    KeFlushSingleTb((PVOID)Va); /* not under the PFN lock: its waiters may spin with interrupts off */
    Old = MmLockPfnDatabase();
    MmhMapPage(Va, Pfn, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, MmAllocatePageTableFrameLocked, NULL);
    MmUnlockPfnDatabase(Old);
    return (ULONG_PTR)Previous;
}

XTEST(RemappedPageShowsNewContentsOnEveryProcessor) {
    ULONG Count = KeQueryActiveProcessorCount();
    volatile ULONG *Page = MmAllocateSystemPages(1, 0);
    ULONG_PTR NewPfn = MmAllocatePhysicalPage(FALSE), OldPfn;

    XTEST_ASSERT(Page != NULL && NewPfn != MM_PFN_NONE);
    XTEST_ASSERT(TlbFillFrame(NewPfn, TLB_NEW_PATTERN));
    *Page = TLB_OLD_PATTERN;
    KeIpiGenericCall(TlbReadPage, (ULONG_PTR)Page); /* every processor caches the translation to the old frame */
    XTEST_CHECK_EQ(TlbCountSeen(TLB_OLD_PATTERN), Count);
    OldPfn = TlbRemap((ULONG_PTR)Page, NewPfn);
    KeIpiGenericCall(TlbReadPage, (ULONG_PTR)Page);
    if (!XTEST_CHECK_EQ(TlbCountSeen(TLB_NEW_PATTERN), Count)) {
        for (ULONG Number = 0; Number < Count; Number++) {
            XtestPrint("  processor %u read 0x%08x\n", Number, TlbSeen[Number]);
        }
    }
    XTEST_CHECK_EQ(*Page, TLB_NEW_PATTERN);
    XTEST_CHECK_EQ(TlbRemap((ULONG_PTR)Page, OldPfn), NewPfn);
    XTEST_CHECK_EQ(*Page, TLB_OLD_PATTERN);
    MmFreePhysicalPage(NewPfn);
    MmFreeSystemPages((PVOID)Page, 1, 0);
}

/* Frees Pages system pages that every processor read, and checks it took one flush request and one IPI round. */
static VOID TlbCheckBatch(PXTEST_CONTEXT XtestContext, ULONG_PTR Pages) {
    ULONG Count = KeQueryActiveProcessorCount();
    ULONGLONG IpisBefore[KE_MAXIMUM_PROCESSORS];
    KTB_FLUSH_STATISTICS Before, After;
    ULONG_PTR Block[2] = {(ULONG_PTR)MmAllocateSystemPages(Pages, 0), Pages};
    ULONG_PTR Free;

    BOOLEAN Deferred = Count > 1 && Pages < MM_DEFERRED_FLUSH_PAGES; /* batched: shot down by the flush below */

    XTEST_ASSERT(Block[0] != 0);
    KeIpiGenericCall(TlbTouchPages, (ULONG_PTR)Block);
    MmFlushDeferredSystemPages(); /* nothing of earlier tests left in the batch */
    Free = MmCountFreePfns(&MmPfnDatabase);
    for (ULONG Number = 0; Number < Count; Number++) {
        IpisBefore[Number] = KeGetProcessorBlock(Number)->IpiCount;
    }
    KeQueryTbFlushStatistics(&Before);
    MmFreeSystemPages((PVOID)Block[0], Pages, 0);
    if (Deferred) {
        XTEST_CHECK_EQ(MmFlushDeferredSystemPages(), Pages);
    }
    KeQueryTbFlushStatistics(&After);
    XTEST_CHECK_EQ(After.Flushes - Before.Flushes, 1);
    XTEST_CHECK_EQ(After.Ipis - Before.Ipis, Count > 1 ? 1 : 0);
    XTEST_CHECK_EQ(After.Pages - Before.Pages, !Deferred && Pages <= KE_FLUSH_TB_PAGE_LIMIT ? Pages : 0);
    XTEST_CHECK_EQ(After.EntireFlushes - Before.EntireFlushes, Deferred || Pages > KE_FLUSH_TB_PAGE_LIMIT ? Count : 0);
    for (ULONG Number = 1; Number < Count; Number++) {
        if (!XTEST_CHECK_EQ(KeGetProcessorBlock(Number)->IpiCount - IpisBefore[Number], 1)) {
            XtestPrint("  processor %u serviced %llu IPIs for one batch of %zu pages\n", Number,
                       KeGetProcessorBlock(Number)->IpiCount - IpisBefore[Number], (SIZE_T)Pages);
        }
    }
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase) - Free, Pages);
    XTEST_CHECK(!MmIsAddressValid(Block[0]) && !MmIsAddressValid(Block[0] + (Pages - 1) * MM_PAGE_SIZE));
}

XTEST(BatchUnmapIsOneIpiRound) {
    TlbCheckBatch(XtestContext, 16);  /* batched: one whole-TLB flush on every processor at the batch's shootdown */
    TlbCheckBatch(XtestContext, 200); /* above the limit: one whole-TLB flush on every processor */
}

static MM_PAGED_FAULT_RESULT TlbHookResult;
static ULONG_PTR TlbHookVa;

/* Plays the other processor: resolves the page between the faulting one's look and its PFN lock. */
static VOID TlbResolveFromHook(ULONG_PTR Va) {
    TlbHookVa = Va;
    TlbHookResult = MmResolvePagedFault(Va);
}

static MM_PAGED_SPACE_STATISTICS TlbPagedStats(VOID) {
    MM_PAGED_SPACE_STATISTICS Statistics;

    MmQueryPagedSpace(&Statistics);
    return Statistics;
}

XTEST(PagedFaultResolvedMeanwhileIsACollision) {
    volatile ULONG *Page = MmReservePagedPages(1, 0);
    MM_PAGED_SPACE_STATISTICS Before, After;
    ULONG_PTR Free;

    XTEST_ASSERT(Page != NULL);
    XTEST_ASSERT(XT_SUCCESS(MmEnsurePagedTables((ULONG_PTR)Page))); /* the table's frame is not counted below */
    Before = TlbPagedStats();
    Free = MmCountFreePfns(&MmPfnDatabase);
    TlbHookResult = MmPagedFaultNoMemory;
    MmSetPagedFaultTestHook(TlbResolveFromHook);
    XTEST_CHECK_EQ(*Page, 0); /* the real fault: its resolver finds the page valid under the PFN lock */
    MmSetPagedFaultTestHook(NULL);
    After = TlbPagedStats();
    XTEST_CHECK_EQ(TlbHookVa, (ULONG_PTR)Page);
    XTEST_CHECK_EQ(TlbHookResult, MmPagedFaultResolved);
    XTEST_CHECK_EQ(After.FaultCollisions - Before.FaultCollisions, 1);
    XTEST_CHECK_EQ(After.DemandZeroFaults - Before.DemandZeroFaults, 1); /* resolved once */
    XTEST_CHECK_EQ(After.ResidentPages - Before.ResidentPages, 1);
    XTEST_CHECK_EQ(Free - MmCountFreePfns(&MmPfnDatabase), 1); /* the loser's frame went back */
    /* The resolver run again on the resident page: a collision, nothing taken. */
    XTEST_CHECK_EQ(MmResolvePagedFault((ULONG_PTR)Page), MmPagedFaultCollision);
    XTEST_CHECK_EQ(TlbPagedStats().FaultCollisions - Before.FaultCollisions, 2);
    XTEST_CHECK_EQ(Free - MmCountFreePfns(&MmPfnDatabase), 1);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Page), MmPageResident);
    MmReleasePagedPages((PVOID)Page, 1, 0);
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase), Free);
    XTEST_CHECK_EQ(MmVerifyPfnDatabase(), 0);
}

XTEST(PagedReleaseIsOneIpiRound) {
    ULONG Count = KeQueryActiveProcessorCount();
    PUCHAR Block = MmReservePagedPages(24, 0);
    KTB_FLUSH_STATISTICS Before, After;
    ULONG_PTR Free;

    XTEST_ASSERT(Block != NULL);
    for (ULONG Page = 0; Page < 24; Page += 2) {
        Block[Page * MM_PAGE_SIZE] = (UCHAR)Page; /* 12 of the 24 pages resident */
    }
    Free = MmCountFreePfns(&MmPfnDatabase);
    KeQueryTbFlushStatistics(&Before);
    MmReleasePagedPages(Block, 24, 0);
    KeQueryTbFlushStatistics(&After);
    XTEST_CHECK_EQ(After.Flushes - Before.Flushes, 1);
    XTEST_CHECK_EQ(After.Ipis - Before.Ipis, Count > 1 ? 1 : 0);
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase) - Free, 12);
    XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Block), MmPageNotMapped);
    /* Nothing resident: no shootdown at all. */
    Block = MmReservePagedPages(24, 0);
    XTEST_ASSERT(Block != NULL);
    KeQueryTbFlushStatistics(&Before);
    MmReleasePagedPages(Block, 24, 0);
    KeQueryTbFlushStatistics(&After);
    XTEST_CHECK_EQ(After.Flushes - Before.Flushes, 0);
}

XTEST_SUITE(MmTlbLiveSuite, XTEST_ENTRY(RemappedPageShowsNewContentsOnEveryProcessor),
            XTEST_ENTRY(BatchUnmapIsOneIpiRound), XTEST_ENTRY(PagedFaultResolvedMeanwhileIsACollision),
            XTEST_ENTRY(PagedReleaseIsOneIpiRound));

/* Deferred PFN initialisation against the live kernel: after MmWaitForStartupWork every entry is written, the boot
 * report's RAM count holds, the frames above the boot limit are in the database and allocatable. */
#include <ke.h>
#include <mm.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mm_suites.h"

XTEST(EveryEntryIsWrittenAfterTheWait) {
    ULONG_PTR Limit = MmPfnDatabase.HighestPfn + 1;
    ULONG_PTR Boot = (ULONG_PTR)MmPfnBootStats.BootLimit;

    MmWaitForStartupWork();
    XTEST_CHECK(MmPfnDeferredStats.Done);
    XTEST_CHECK_EQ(MmPfnDeferredStats.Status, STATUS_SUCCESS);
    XTEST_CHECK_EQ(MmPfnDatabase.ReadyLimit, Limit);
    XTEST_CHECK_EQ(MmQueryPendingPfnFrames(), 0);
    XTEST_CHECK_EQ(MmPfnDeferredStats.RamPages, Boot < Limit ? MmCountRamPfns(&MmPfnDatabase, Boot, Limit) : 0);
    XtestPrint("  MmDeferredPfnSuite: boot limit frame 0x%zx; %llu RAM frames written in the background in %zu "
               "chunks (%zu database pages, %llu TSC ticks)\n",
               Boot, MmPfnDeferredStats.RamPages, (SIZE_T)MmPfnDeferredStats.Chunks,
               (SIZE_T)MmPfnDeferredStats.DatabasePages, MmPfnDeferredStats.TimeStamps);
}

XTEST(TheBootReportCountsEveryUsableFrame) {
    MM_BOOT_REPORT Report;

    MmQueryBootReport(&Report);
    XTEST_CHECK_EQ(Report.RamPages, MmCountRamPfns(&MmPfnDatabase, 0, MmPfnDatabase.HighestPfn + 1));
    XTEST_CHECK_EQ(MmVerifyPfnDatabase(), 0);
}

XTEST(FramesAboveTheBootLimitAreInTheDatabase) {
    ULONG_PTR Boot = (ULONG_PTR)MmPfnBootStats.BootLimit, Listed = 0;

    for (ULONG Index = 0; Index < MmPfnDatabase.DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &MmPfnDatabase.Descriptors[Index];
        ULONG_PTR First = (ULONG_PTR)Descriptor->BasePage, Last = First + (ULONG_PTR)Descriptor->PageCount - 1;

        if (!MmIsUsableRamDescriptor(Descriptor->MemoryType) || Last < Boot) {
            continue;
        }
        First = First > Boot ? First : Boot;
        XTEST_CHECK(MmIsPfnBacked(&MmPfnDatabase, First));
        XTEST_CHECK(MmIsPfnBacked(&MmPfnDatabase, Last));
        for (ULONG_PTR Pfn = First; Pfn <= Last; Pfn += 1 + (Last - First) / 64) {
            UCHAR State = MmPfnDatabase.Entries[Pfn].State;
            XTEST_CHECK(State != MmPfnHole && State != MmPfnFirmware && State != MmPfnBad && State < MmPfnStateCount);
            Listed += State == MmPfnFree || State == MmPfnZeroed;
        }
    }
    XTEST_CHECK(Boot > MmPfnDatabase.HighestPfn || Listed > 0);
}

XTEST(HighFramesAreAllocatable) {
    ULONG_PTR Pfn;

    if (MmPfnDatabase.FreeList[MM_PFN_ZONE_HIGH].Count + MmPfnDatabase.ZeroedList[MM_PFN_ZONE_HIGH].Count == 0) {
        XTEST_CHECK(MmPfnDatabase.HighestPfn < MM_PFN_LOW_LIMIT || MmPfnBootStats.IgnoredPages > 0 ||
                    MmCountRamPfns(&MmPfnDatabase, MM_PFN_LOW_LIMIT, MmPfnDatabase.HighestPfn + 1) == 0);
        return;
    }
    Pfn = MmAllocatePhysicalPage(TRUE); /* the high zone first: above 4 GiB, so above the boot limit */
    XTEST_ASSERT(Pfn != MM_PFN_NONE);
    XTEST_CHECK(Pfn >= MM_PFN_LOW_LIMIT);
    XTEST_CHECK(Pfn >= MmPfnBootStats.BootLimit);
    MmFreePhysicalPage(Pfn);
}

XTEST_SUITE(MmDeferredPfnSuite, XTEST_ENTRY(EveryEntryIsWrittenAfterTheWait),
            XTEST_ENTRY(TheBootReportCountsEveryUsableFrame), XTEST_ENTRY(FramesAboveTheBootLimitAreInTheDatabase),
            XTEST_ENTRY(HighFramesAreAllocatable));

/* Memory manager self-tests against the live kernel: every frame allocated and returned, frames above 4 GiB
 * written through a mapping, system pages mapped read-write and non-executable, guard pages, W^X on the image. */
#include <ke.h>
#include <mm.h>
#include <mmhl.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <pool.h>
#include <rtl.h>

#include "mm_suites.h"

/* Writes and reads back a pattern through a temporary mapping of Pfn. */
static BOOLEAN MiTestFrameWritable(ULONG_PTR Pfn) {
    volatile ULONG *Va;
    BOOLEAN Ok;

    if (!XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, (PVOID *)&Va))) {
        return FALSE;
    }
    Va[0] = 0xA5A5A5A5u ^ (ULONG)Pfn;
    Va[1023] = 0x5A5A5A5Au ^ (ULONG)Pfn;
    Ok = Va[0] == (0xA5A5A5A5u ^ (ULONG)Pfn) && Va[1023] == (0x5A5A5A5Au ^ (ULONG)Pfn);
    MmhUnmapPhysicalMemory((PVOID)Va, MM_PAGE_SIZE);
    return Ok;
}

XTEST(EveryFrameAllocatedAndReturned) {
    ULONG_PTR Free = MmCountFreePfns(&MmPfnDatabase), Taken = 0, Chain = MM_PFN_NONE, High = 0, Pfn;

    /* Allocated frames are chained through their PFN entries (PteAddress is unused while the test holds them). */
    while ((Pfn = MmAllocatePhysicalPage(FALSE)) != MM_PFN_NONE) {
        MmPfnDatabase.Entries[Pfn].PteAddress = Chain;
        Chain = Pfn;
        Taken++;
        if (Pfn >= MM_PFN_LOW_LIMIT && High++ < 4) {
            XTEST_CHECK(MiTestFrameWritable(Pfn));
        }
    }
    XTEST_CHECK_EQ(Taken, Free);
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase), 0);
    XTEST_CHECK(MmAllocateSystemPages(1, 0) == NULL); /* no frame left: NULL, not a crash */
    while (Chain != MM_PFN_NONE) {
        Pfn = Chain;
        Chain = MmPfnDatabase.Entries[Pfn].PteAddress;
        MmFreePhysicalPage(Pfn);
    }
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase), Free);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&MmPfnDatabase), 0);
    /* Frames above 4 GiB exist exactly when the high zone had frames: they were used above. */
    XTEST_CHECK(
        (High > 0) ==
        (MmPfnDatabase.HighestPfn >= MM_PFN_LOW_LIMIT && MmPfnDatabase.StateCount[MmPfnFree] > 0 &&
         MmPfnDatabase.FreeList[MM_PFN_ZONE_HIGH].Count + MmPfnDatabase.ZeroedList[MM_PFN_ZONE_HIGH].Count > 0));
}

XTEST(SystemPagesReadWriteNoExecute) {
    ULONG_PTR Free;
    PULONG Pages;
    ULONG Flags;

    MmFreeSystemPages(MmAllocateSystemPages(8, 0), 8, 0); /* a page table the range needs is made before counting */
    MmFlushDeferredSystemPages();
    Free = MmCountFreePfns(&MmPfnDatabase);
    Pages = MmAllocateSystemPages(8, 0);

    XTEST_ASSERT(Pages != NULL);
    for (ULONG Index = 0; Index < 8 * MM_PAGE_SIZE / sizeof(ULONG); Index++) {
        Pages[Index] = Index * 2654435761u;
    }
    for (ULONG Index = 0; Index < 8 * MM_PAGE_SIZE / sizeof(ULONG); Index++) {
        XTEST_ASSERT_EQ(Pages[Index], Index * 2654435761u);
    }
    XTEST_CHECK(MmhQueryPage((ULONG_PTR)Pages, &Flags) != MMH_NO_FRAME);
    XTEST_CHECK(Flags & MMH_MAP_WRITABLE);
    XTEST_CHECK(((Flags & MMH_MAP_NO_EXECUTE) != 0) == MmhIsNoExecuteActive());
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase), Free - 8);
    MmFreeSystemPages(Pages, 8, 0);
    XTEST_CHECK_EQ(MmhQueryPage((ULONG_PTR)Pages, NULL), MMH_NO_FRAME);
    MmFlushDeferredSystemPages(); /* with other processors up the frames wait for a batched shootdown */
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase), Free);
}

XTEST(GuardPageIsNotMapped) {
    PUCHAR Pages = MmAllocateSystemPages(2, MM_SYSTEM_PAGES_GUARD_AFTER);

    XTEST_ASSERT(Pages != NULL);
    XTEST_CHECK(MmhIsAddressValid((ULONG_PTR)Pages + MM_PAGE_SIZE));
    XTEST_CHECK(!MmhIsAddressValid((ULONG_PTR)Pages + 2 * MM_PAGE_SIZE));
    MmFreeSystemPages(Pages, 2, MM_SYSTEM_PAGES_GUARD_AFTER);
    XTEST_CHECK(MmAllocateSystemPages(MmhSystemPtePages, 0) == NULL); /* more VA than exists */
    XTEST_CHECK(MmAllocateSystemPages((SIZE_T)-1, 0) == NULL);
}

/* No page of the kernel image is writable and executable (when NX is on); code is executable and read-only. */
XTEST(KernelImageIsWriteXorExecute) {
    const XT_INIT_BLOCK *Block = KeGetLoaderBlock();
    ULONG Executable = 0, Writable = 0, Mapped = 0;

    XTEST_ASSERT(Block != NULL);
    for (ULONGLONG Va = Block->KernelVirtualBase; Va < Block->KernelVirtualBase + Block->KernelImageSize;
         Va += MM_PAGE_SIZE) {
        ULONG Flags;
        if (MmhQueryPage(Va, &Flags) == MMH_NO_FRAME) {
            continue;
        }
        Mapped++;
        Executable += !(Flags & MMH_MAP_NO_EXECUTE);
        Writable += (Flags & MMH_MAP_WRITABLE) != 0;
        if (MmhIsNoExecuteActive()) {
            XTEST_CHECK(!((Flags & MMH_MAP_WRITABLE) && !(Flags & MMH_MAP_NO_EXECUTE)));
        }
    }
    XTEST_CHECK(Mapped > 2);
    XTEST_CHECK(Writable > 0);
    XTEST_CHECK(Executable > 0);
    XTEST_CHECK(!MmhIsNoExecuteActive() || Executable + Writable <= Mapped);
    /* The page holding this very function is code: executable and not writable. */
    ULONG Flags;
    XTEST_ASSERT(MmhQueryPage(ALIGN_DOWN((ULONG_PTR)KernelImageIsWriteXorExecute, MM_PAGE_SIZE), &Flags) !=
                 MMH_NO_FRAME);
    XTEST_CHECK(!(Flags & MMH_MAP_WRITABLE));
    XTEST_CHECK(!(Flags & MMH_MAP_NO_EXECUTE));
}

/* Device registers are mapped uncached (PCD, PWT), firmware tables and RAM cached: the same frame (the local APIC's
 * page) through both calls. */
XTEST(DeviceMemoryMapsUncached) {
    PVOID Device = NULL, Memory = NULL;
    ULONG Flags = 0;

    XTEST_ASSERT(XT_SUCCESS(MmhMapDeviceMemory(0xFEE00000, MM_PAGE_SIZE, &Device)));
    XTEST_CHECK_EQ(MmhQueryPage((ULONG_PTR)Device, &Flags), 0xFEE00);
    XTEST_CHECK(Flags & MMH_MAP_NO_CACHE);
    XTEST_CHECK(Flags & MMH_MAP_WRITABLE);
    XTEST_CHECK(XT_SUCCESS(MmhMapPhysicalMemory(0xFEE00000, MM_PAGE_SIZE, &Memory)));
    XTEST_CHECK_EQ(MmhQueryPage((ULONG_PTR)Memory, &Flags), 0xFEE00);
    XTEST_CHECK(!(Flags & MMH_MAP_NO_CACHE));
    MmhUnmapPhysicalMemory(Memory, MM_PAGE_SIZE);
    MmhUnmapPhysicalMemory(Device, MM_PAGE_SIZE);
}

XTEST(PfnDatabaseIsConsistent) {
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&MmPfnDatabase), 0);
}

XTEST(PoolIsConsistent) {
    XTEST_CHECK_EQ(MmCheckPoolConsistency(), 0);
}

XTEST_SUITE(MmLiveSuite, XTEST_ENTRY(EveryFrameAllocatedAndReturned), XTEST_ENTRY(SystemPagesReadWriteNoExecute),
            XTEST_ENTRY(GuardPageIsNotMapped), XTEST_ENTRY(KernelImageIsWriteXorExecute),
            XTEST_ENTRY(DeviceMemoryMapsUncached));

XTEST_SUITE(MmFinalSuite, XTEST_ENTRY(PfnDatabaseIsConsistent), XTEST_ENTRY(PoolIsConsistent));

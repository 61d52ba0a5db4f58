/* Memory manager start-up. */
#include <ar.h>
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <pool.h>
#include <rtl.h>
#include <xtintrin.h>

#include "mm.h"

#define MM_TEST_TAG 0x74736554 /* "Test" */

static BOOLEAN MiPoolOk;

/* Decides whether PCIDs will be used and makes kernel pages global if so (space.c). */
VOID MiPrepareAddressSpaces(VOID);

/* The paged pool's pages: reserved in the paged-pool range, materialised on first touch (pager/paged.c). */
static MM_POOL_PAGE_SOURCE MiPagedPageSource = {MmReservePagedPages, MmReleasePagedPages, 0, 0, MmIsPagedMemoryLow};

BOOLEAN MmInitializeHardwareLayer(PXT_INIT_BLOCK InitBlock, BOOLEAN NoExecute, PULONG Check, PCSTR *Reason) {
    PCMMH_PAGE_MAP_OPS Ops = MmhFindPagingMode(InitBlock->PagingMode);
    ULONGLONG Efer = 0;
    BOOLEAN EferPresent = ArReadEfer(&Efer);
    MMH_MODE_CHECK Result = MmhCheckPagingRegisters(Ops, ArReadCr0(), ArReadCr4(), Efer, EferPresent);

    if (Result == MmhModeOk) {
        Result = MmhInitialize(InitBlock, NoExecute);
    }
    if (Result == MmhModeOk) {
        MiPrepareAddressSpaces(); /* space.c: kernel pages global from here on when PCIDs will be used */
    }
    *Check = Result;
    *Reason = MmhModeCheckText(Result);
    return Result == MmhModeOk;
}

PCSTR MmGetPagingModeName(VOID) {
    return MmhGetPageMapOps()->Name;
}

BOOLEAN MmIsAddressValid(ULONG_PTR Va) {
    return MmhIsAddressValid(Va);
}

ULONG_PTR MmGetUnmappedAddress(VOID) {
    return MmhGetUnmappedAddress();
}

/* A per-boot pool cookie: RDRAND when the CPU has it, mixed with the time-stamp counter; never 0. */
static ULONG_PTR MiPoolCookie(VOID) {
    CPUID_REGISTERS Registers;
    ULONG_PTR Random = 0;
    ULONGLONG Stamp = ArReadTimeStampCounter();

    ArCpuId(1, 0, &Registers);
    if (Registers.Ecx & (1u << 30)) {
        for (ULONG Try = 0; Try < 10; Try++) {
            UCHAR Ok;
            __asm__ volatile("rdrand %0; setc %1" : "=r"(Random), "=qm"(Ok));
            if (Ok) {
                break;
            }
        }
    }
    Random ^= (ULONG_PTR)(Stamp * 0x9E3779B97F4A7C15ull) ^ (ULONG_PTR)(Stamp >> 29);
    return Random ? Random : (ULONG_PTR)0x5A5A5A5A;
}

/* Allocates Count blocks of PoolType of the given Sizes, fills each, frees them all; FALSE if one was refused. */
static BOOLEAN MiExercisePool(MM_POOL_TYPE PoolType, const SIZE_T *Sizes, ULONG Count) {
    PVOID Blocks[8];
    BOOLEAN Ok = TRUE;

    for (ULONG Index = 0; Index < Count && Index < ARRAY_SIZE(Blocks); Index++) {
        Blocks[Index] = MmAllocatePool(PoolType, Sizes[Index], MM_TEST_TAG);
        Ok = Ok && Blocks[Index] != NULL;
        if (Blocks[Index]) {
            RtlFillMemory(Blocks[Index], Sizes[Index], (UCHAR)Index);
        }
    }
    for (ULONG Index = 0; Index < Count && Index < ARRAY_SIZE(Blocks); Index++) {
        if (Blocks[Index]) {
            MmFreePool(Blocks[Index], MM_TEST_TAG);
        }
    }
    return Ok;
}

/* Allocates and frees a few paged blocks (touching them) and checks the paged pool afterwards. */
static BOOLEAN MiCheckPagedPoolAtBoot(VOID) {
    static const SIZE_T Sizes[] = {1, 100, 4000, 2 * MM_PAGE_SIZE + 5};

    return MiExercisePool(PagedPool, Sizes, ARRAY_SIZE(Sizes)) && MmCheckPagedPoolConsistency() == 0;
}

/* Allocates and frees a few blocks of several sizes and checks the pool afterwards. */
static BOOLEAN MiCheckPoolAtBoot(ULONG TestFlags) {
    static const SIZE_T Sizes[] = {1, 16, 100, 1000, 4000, 3 * MM_PAGE_SIZE + 5};
    BOOLEAN Ok = TRUE;

    if (TestFlags & MM_TEST_POOL_START_CHECK) {
        /* The whole system PTE space in one block can never be had: the check must fail. */
        Ok = MmAllocatePool(NonPagedPool, (SIZE_T)MmhSystemPtePages * MM_PAGE_SIZE, MM_TEST_TAG) != NULL;
    }
    Ok = MiExercisePool(NonPagedPool, Sizes, ARRAY_SIZE(Sizes)) && Ok;
    return Ok && MmCheckPoolConsistency() == 0;
}

/* Stops the system: a start-up step failed (MM_START_UP_FAILED with the step and its status). */
static XTNORETURN VOID MiStartUpFailed(ULONG Step, PCSTR What, XTSTATUS Status) {
    KdPrint("MM: cannot %s (status 0x%x)\n", What, (ULONG)Status);
    KeBugCheckEx(MEMORY_MANAGEMENT, MM_START_UP_FAILED, Step, (ULONG_PTR)Status, 0);
}

/* Says how much RAM the loader reported that this CPU and paging mode cannot address. */
static VOID MiReportIgnoredRam(VOID) {
    ULONGLONG Pages = MmPfnBootStats.IgnoredPages;

    if (Pages != 0) {
        KdPrint("MM: %llu MiB of RAM (%llu pages) ignored: above the %u-bit physical address limit of this CPU in "
                "paging mode %s\n",
                Pages >> (20 - MM_PAGE_SHIFT), Pages, MmPfnBootStats.AddressBits, MmhGetPageMapOps()->Name);
    }
}

/* Reserves the application processors' start-up page below 1 MiB (mpmm.c). */
VOID MiReserveProcessorStartupPage(VOID);

/* Makes the boot tables the system's address space and starts copying kernel tables into every space (space.c). */
VOID MiInitializeAddressSpaces(VOID);

VOID MmInitializeMemoryManager(PXT_INIT_BLOCK InitBlock, ULONG TestFlags) {
    XTSTATUS Status;

    KdPrint("MM: paging %s, HAL window 0x%p (%u pages) %s\n", MmhGetPageMapOps()->Name, (PVOID)MmhHalWindowBase,
            (ULONG)MM_HAL_WINDOW_PAGES, MmhIsHalWindowReady() ? "ready" : "has no page table");
    Status = MmInitializePfnDatabase(InitBlock);
    if (!XT_SUCCESS(Status)) {
        MiStartUpFailed(1, "build the PFN database", Status);
    }
    MiReportIgnoredRam();
    KdPrint("MM: PFN database at 0x%p: %llu bytes of %u-byte entries for frames 0..0x%zx, built in %llu TSC ticks\n",
            (PVOID)MmhPfnDatabaseBase, MmPfnBootStats.DatabaseBytes, (ULONG)sizeof(MMPFN),
            (SIZE_T)MmPfnDatabase.HighestPfn, MmPfnBootStats.InitTimeStamps);
    KdPrint("MM: live page tables verified: %zu table frames, %zu frames kept that the loader reported free\n",
            (SIZE_T)MmPfnBootStats.TablesVerified, (SIZE_T)MmPfnBootStats.LoaderFramesKept);
    MmReclaimLoaderMemory();
    MiInitializeAddressSpaces();
    MiReserveProcessorStartupPage(); /* mpmm.c: a frame below 1 MiB for the application processors' trampoline */
    Status = MmInitializePager();
    if (!XT_SUCCESS(Status)) {
        MiStartUpFailed(2, "set up system PTE space", Status);
    }
    Status = MmInitializeNonPagedPool(MiPoolCookie());
    if (!XT_SUCCESS(Status)) {
        MiStartUpFailed(3, "set up the non-paged pool", Status);
    }
    MiPoolOk = MiCheckPoolAtBoot(TestFlags);
    if (!MiPoolOk) {
        KdPrint("MM: the non-paged pool failed its start-up check\n");
        KeBugCheckEx(MEMORY_MANAGEMENT, MM_POOL_CHECK, 0, MmCheckPoolConsistency(), 0);
    }
    Status = MmInitializePagedSpace();
    if (XT_SUCCESS(Status)) {
        MiPagedPageSource.Base = MmhPagedPoolBase;
        MiPagedPageSource.Size = MmhPagedPoolPages * MM_PAGE_SIZE;
        Status = MmInitializePagedPool(MiPoolCookie(), &MiPagedPageSource);
    }
    if (!XT_SUCCESS(Status)) {
        MiStartUpFailed(4, "set up the paged pool", Status);
    }
    MiPoolOk = MiCheckPagedPoolAtBoot();
    if (!MiPoolOk) {
        KdPrint("MM: the paged pool failed its start-up check\n");
        KeBugCheckEx(MEMORY_MANAGEMENT, MM_POOL_CHECK, 1, MmCheckPagedPoolConsistency(), 0);
    }
    KdPrint("MM: paged pool at 0x%p (%zu pages), demand-zero on first touch\n", (PVOID)MmhPagedPoolBase,
            (SIZE_T)MmhPagedPoolPages);
}

VOID MmSetSpecialPool(ULONG Tag) {
    MmSetSpecialPoolTag(Tag);
    KdPrint("MM: special pool for tag '%c%c%c%c'\n", (CHAR)Tag, (CHAR)(Tag >> 8), (CHAR)(Tag >> 16), (CHAR)(Tag >> 24));
}

VOID MmTestPoolCorruption(MM_POOL_TEST Test) {
    PUCHAR Block;

    if (Test == MmPoolTestSpecialOverrun) {
        MmSetSpecialPoolTag(MM_TEST_TAG);
    }
    Block = MmAllocatePool(NonPagedPool, 100, MM_TEST_TAG);
    KdPrint("MM: test block of 100 bytes at 0x%p\n", (PVOID)Block);
    if (Block == NULL) {
        return;
    }
    switch (Test) {
        case MmPoolTestOverrun:
            RtlFillMemory(Block + 100, 64, 0xCC); /* over the next block's header */
            MmFreePool(Block, MM_TEST_TAG);
            break;
        case MmPoolTestDoubleFree:
            MmFreePool(Block, MM_TEST_TAG);
            MmFreePool(Block, MM_TEST_TAG);
            break;
        case MmPoolTestTagMismatch:
            MmFreePool(Block, 0x6F6F7257); /* "Wroo" */
            break;
        case MmPoolTestSpecialOverrun:
            /* The block ends against its guard page (past a few bytes of alignment slack): the overrun faults. */
            KdPrint("MM: special-pool block: writing past its end\n");
            for (ULONG Offset = 100; Offset < 2 * MM_PAGE_SIZE; Offset++) {
                ((volatile UCHAR *)Block)[Offset] = 0xCC;
            }
            break;
    }
    KdPrint("MM: pool misuse was not caught\n");
}

/* A read-only byte of the kernel image (its .rdata): a const object the compiler must keep. */
static const volatile UCHAR MiReadOnlyByte = 0x5A;

/* Code bytes copied into a no-execute pool page: "ret" (0xC3), so executing it would return. */
static const UCHAR MiReturnInstruction = 0xC3;

VOID MmTestPageFault(MM_FAULT_TEST Test) {
    volatile UCHAR *Block;
    KRUNLEVEL Old;

    switch (Test) {
        case MmFaultTestPagedAtDispatch:
            Block = MmAllocatePool(PagedPool, 3 * MM_PAGE_SIZE, MM_TEST_TAG);
            KdPrint("MM: paged block at 0x%p (page state %u), touching it at RunLevel %u\n", (PVOID)Block,
                    Block ? MmQueryPageState((ULONG_PTR)Block) : 0, DISPATCH_LEVEL);
            Old = KeRaiseRunLevel(DISPATCH_LEVEL);
            Block[MM_PAGE_SIZE] = 1;
            KeLowerRunLevel(Old);
            break;
        case MmFaultTestWriteReadOnly:
            KdPrint("MM: writing the read-only byte at 0x%p\n", (PVOID)&MiReadOnlyByte);
            *(volatile UCHAR *)(ULONG_PTR)&MiReadOnlyByte = 0xA5;
            break;
        case MmFaultTestExecuteNoExecute:
            Block = MmAllocatePool(NonPagedPool, 16, MM_TEST_TAG);
            if (Block == NULL || !MmhIsNoExecuteActive()) {
                KdPrint("MM: no-execute is %s: nothing to test\n", MmhIsNoExecuteActive() ? "on" : "off");
                break;
            }
            Block[0] = MiReturnInstruction;
            KdPrint("MM: calling into the no-execute pool block at 0x%p\n", (PVOID)Block);
            ((VOID(*)(VOID))(ULONG_PTR)Block)();
            break;
        case MmFaultTestGuardPage:
            Block = MmReservePagedPages(1, MM_SYSTEM_PAGES_GUARD_AFTER);
            KdPrint("MM: paged page at 0x%p, guard page after it (state %u); reading past its end\n", (PVOID)Block,
                    Block ? MmQueryPageState((ULONG_PTR)Block + MM_PAGE_SIZE) : 0);
            if (Block != NULL) {
                (VOID) Block[MM_PAGE_SIZE];
            }
            break;
    }
    KdPrint("MM: the page fault was not caught\n");
}

/* The middle frame of the largest hole between RAM ranges (its database page is the least likely to be backed), or
 * the frame after the highest one when there is no hole. */
static ULONG_PTR MiFindStrayFrame(VOID) {
    const XT_MEMORY_DESCRIPTOR *Ranges = MmPfnDatabase.Descriptors;
    ULONGLONG Gap = 0, Pfn = (ULONGLONG)MmPfnDatabase.HighestPfn + 1;

    for (ULONG Index = 1; Index < MmPfnDatabase.DescriptorCount; Index++) {
        ULONGLONG End = Ranges[Index - 1].BasePage + Ranges[Index - 1].PageCount;
        if (Ranges[Index].BasePage > End && Ranges[Index].BasePage - End > Gap) {
            Gap = Ranges[Index].BasePage - End;
            Pfn = End + Gap / 2;
        }
    }
    return (ULONG_PTR)Pfn;
}

VOID MmTestBadFrameFree(VOID) {
    ULONG_PTR Pfn = MiFindStrayFrame();

    KdPrint("MM: freeing frame 0x%zx, which has no PFN entry (its entry's page is %s)\n", (SIZE_T)Pfn,
            MmhIsAddressValid(MmhPfnDatabaseBase + Pfn * sizeof(MMPFN)) ? "mapped" : "not mapped");
    MmFreePhysicalPage(Pfn);
    KdPrint("MM: the stray frame was not caught\n");
}

VOID MmStartSystemThreads(VOID) {
    MmStartDeferredPfnInitialization();
}

VOID MmWaitForStartupWork(VOID) {
    MmWaitForPfnDatabase();
}

VOID MmQueryBootReport(PMM_BOOT_REPORT Report) {
    const ULONG_PTR *Count = MmPfnDatabase.StateCount;

    Report->PagingMode = MmhGetPageMapOps()->Name;
    Report->NoExecute = MmhIsNoExecuteActive();
    Report->RamIgnoredPages = MmPfnBootStats.IgnoredPages;

    Report->FreePages = Count[MmPfnFree] + Count[MmPfnZeroed];
    Report->RamPages = Report->FreePages + Count[MmPfnActive] + Count[MmPfnLoader] + Count[MmPfnReclaimable] +
                       Count[MmPfnDatabaseFrame] + MmQueryPendingPfnFrames();
    Report->PfnEntryBytes = sizeof(MMPFN);
    Report->TablesVerified = MmPfnBootStats.TablesVerified;
    Report->LoaderFramesKept = MmPfnBootStats.LoaderFramesKept;
    Report->PoolOk = MiPoolOk;
}

/* Memory manager start-up. */
#include <rtl.h>
#include <xtintrin.h>

#include "mm.h"
#include "mmhl.h"
#include "mmpager.h"
#include "mmpfn.h"
#include "pool.h"

#define MM_TEST_TAG 0x74736554 /* "Test" */

VOID KdPrint(PCSTR Format, ...);

static BOOLEAN MiPoolOk;
static PXT_INIT_BLOCK MiBootInitBlock;

PXT_INIT_BLOCK MmGetBootInitBlock(VOID) {
    return MiBootInitBlock;
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

/* Allocates and frees a few blocks of several sizes and checks the pool afterwards. */
static BOOLEAN MiCheckPoolAtBoot(VOID) {
    static const SIZE_T Sizes[] = {1, 16, 100, 1000, 4000, 3 * MM_PAGE_SIZE + 5};
    PVOID Blocks[ARRAY_SIZE(Sizes)];
    BOOLEAN Ok = TRUE;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        Blocks[Index] = MmAllocatePool(NonPagedPool, Sizes[Index], MM_TEST_TAG);
        Ok = Ok && Blocks[Index] != NULL;
        if (Blocks[Index]) {
            RtlFillMemory(Blocks[Index], Sizes[Index], (UCHAR)Index);
        }
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        if (Blocks[Index]) {
            MmFreePool(Blocks[Index], MM_TEST_TAG);
        }
    }
    return Ok && MmCheckPoolConsistency() == 0;
}

XTSTATUS MmInitializeMemoryManager(PXT_INIT_BLOCK InitBlock) {
    XTSTATUS Status;

    MiBootInitBlock = InitBlock;
    Status = MmInitializePfnDatabase(InitBlock);
    if (!XT_SUCCESS(Status)) {
        KdPrint("MM: cannot build the PFN database (status 0x%x)\n", (ULONG)Status);
        return Status;
    }
    KdPrint("MM: PFN database at 0x%p: %llu bytes of %u-byte entries for frames 0..0x%zx, built in %llu TSC ticks\n",
            (PVOID)MmhPfnDatabaseBase, MmPfnBootStats.DatabaseBytes, (ULONG)sizeof(MMPFN),
            (SIZE_T)MmPfnDatabase.HighestPfn, MmPfnBootStats.InitTimeStamps);
    KdPrint("MM: live page tables verified: %zu table frames, %zu frames kept that the loader reported free\n",
            (SIZE_T)MmPfnBootStats.TablesVerified, (SIZE_T)MmPfnBootStats.LoaderFramesKept);
    MmReclaimLoaderMemory();
    Status = MmInitializePager(InitBlock);
    if (!XT_SUCCESS(Status)) {
        KdPrint("MM: cannot set up system PTE space (status 0x%x)\n", (ULONG)Status);
        return Status;
    }
    Status = MmInitializeNonPagedPool(MiPoolCookie());
    MiPoolOk = XT_SUCCESS(Status) && MiCheckPoolAtBoot();
    if (!MiPoolOk) {
        KdPrint("MM: the non-paged pool failed its start-up check (status 0x%x)\n", (ULONG)Status);
    }
    return STATUS_SUCCESS;
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

VOID MmQueryBootReport(PMM_BOOT_REPORT Report) {
    const ULONG_PTR *Count = MmPfnDatabase.StateCount;

    Report->FreePages = Count[MmPfnFree] + Count[MmPfnZeroed];
    Report->RamPages = Report->FreePages + Count[MmPfnActive] + Count[MmPfnLoader] + Count[MmPfnReclaimable] +
                       Count[MmPfnDatabaseFrame];
    Report->PfnEntryBytes = sizeof(MMPFN);
    Report->TablesVerified = MmPfnBootStats.TablesVerified;
    Report->LoaderFramesKept = MmPfnBootStats.LoaderFramesKept;
    Report->PoolOk = MiPoolOk;
}

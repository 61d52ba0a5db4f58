/* Memory manager start-up. */
#include <rtl.h>

#include "mm.h"
#include "mmhl.h"
#include "mmpager.h"
#include "mmpfn.h"

VOID KdPrint(PCSTR Format, ...);

static BOOLEAN MiPoolOk;

XTSTATUS MmInitializeMemoryManager(PXT_INIT_BLOCK InitBlock) {
    XTSTATUS Status = MmInitializePfnDatabase(InitBlock);

    if (!XT_SUCCESS(Status)) {
        KdPrint("MM: cannot build the PFN database (status 0x%x)\n", (ULONG)Status);
        return Status;
    }
    KdPrint("MM: PFN database at 0x%p: %llu bytes of %u-byte entries for frames 0..0x%zx, built in %llu TSC ticks "
            "(zeroing alone %llu)\n",
            (PVOID)MmhPfnDatabaseBase, MmPfnBootStats.DatabaseBytes, (ULONG)sizeof(MMPFN),
            (SIZE_T)MmPfnDatabase.HighestPfn, MmPfnBootStats.InitTimeStamps, MmPfnBootStats.MemsetTimeStamps);
    KdPrint("MM: live page tables verified: %zu table frames, %zu frames kept that the loader reported free\n",
            (SIZE_T)MmPfnBootStats.TablesVerified, (SIZE_T)MmPfnBootStats.LoaderFramesKept);
    MmReclaimLoaderMemory();
    Status = MmInitializePager(InitBlock);
    if (!XT_SUCCESS(Status)) {
        KdPrint("MM: cannot set up system PTE space (status 0x%x)\n", (ULONG)Status);
        return Status;
    }
    return STATUS_SUCCESS;
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

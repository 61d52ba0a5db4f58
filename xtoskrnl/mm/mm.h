/* Memory manager: start-up of its packages (hl -> pfn -> pager -> pool) and what the boot report needs. */
#ifndef XTOSKRNL_MM_MM_H
#define XTOSKRNL_MM_MM_H

#include <xtboot.h>
#include <xtstatus.h>

#define MM_MEMORY_MANAGEMENT 0x1A /* NT MEMORY_MANAGEMENT */

typedef struct _MM_BOOT_REPORT {
    ULONGLONG RamPages;         /* frames with PFN entries that hold usable RAM */
    ULONGLONG FreePages;        /* free and zeroed frames after reclaiming loader memory */
    ULONG PfnEntryBytes;        /* sizeof(MMPFN) */
    ULONG_PTR TablesVerified;   /* page-table frames walked from CR3 */
    ULONG_PTR LoaderFramesKept; /* frames the loader reported free although the live tables use them */
    BOOLEAN PoolOk;             /* the non-paged pool is up and passed its start-up check */
} MM_BOOT_REPORT, *PMM_BOOT_REPORT;

/* Brings up the PFN database, the pager and the pool (the hardware layer is bound already). */
XTSTATUS MmInitializeMemoryManager(PXT_INIT_BLOCK InitBlock);

/* Test-only pool misuse (TESTFAULT=POOL...): each must end in the pool's STOP. */
typedef enum _MM_POOL_TEST {
    MmPoolTestOverrun,       /* write past a block's end, then free it: BAD_POOL_HEADER */
    MmPoolTestDoubleFree,    /* free a block twice: BAD_POOL_CALLER */
    MmPoolTestTagMismatch,   /* free a block with another tag: BAD_POOL_CALLER */
    MmPoolTestSpecialOverrun /* write one byte past a special-pool block: page fault on the guard page */
} MM_POOL_TEST;

VOID MmTestPoolCorruption(MM_POOL_TEST Test);

/* Puts every allocation tagged Tag (4 characters, little-endian) against a guard page. */
VOID MmSetSpecialPool(ULONG Tag);

/* BENCH: prints one MM-BENCH line of per-operation costs in TSC ticks. */
VOID MmRunBenchmarks(VOID);

/* The init block the memory manager was started with. */
PXT_INIT_BLOCK MmGetBootInitBlock(VOID);

/* Fills the figures of XTOS-REPORT. */
VOID MmQueryBootReport(PMM_BOOT_REPORT Report);

#endif

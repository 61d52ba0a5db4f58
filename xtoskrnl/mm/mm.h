/* Memory manager (Mm): what the rest of the kernel may call. Start-up of its packages (hl -> pfn -> pager -> pool),
 * the kernel address map, the non-paged pool and the figures of the boot report. */
#ifndef XTOSKRNL_MM_MM_H
#define XTOSKRNL_MM_MM_H

#include <pool.h>
#include <xtboot.h>
#include <xtstatus.h>

typedef struct _MM_BOOT_REPORT {
    PCSTR PagingMode;           /* "PML2" .. "PML5" */
    BOOLEAN NoExecute;          /* the mode has an NX bit and EFER.NXE is on */
    ULONGLONG RamPages;         /* frames with PFN entries that hold usable RAM */
    ULONGLONG FreePages;        /* free and zeroed frames after reclaiming loader memory */
    ULONGLONG RamIgnoredPages;  /* RAM the loader reported beyond what the CPU and the paging mode can address */
    ULONG PfnEntryBytes;        /* sizeof(MMPFN) */
    ULONG_PTR TablesVerified;   /* page-table frames walked from CR3 */
    ULONG_PTR LoaderFramesKept; /* frames the loader reported free although the live tables use them */
    BOOLEAN PoolOk;             /* the non-paged pool is up and passed its start-up check */
} MM_BOOT_REPORT, *PMM_BOOT_REPORT;

/* Checks the init block's paging mode against CR0/CR4/EFER and binds its page-map operations (NoExecute: EFER.NXE
 * is on). On a mismatch returns FALSE with *Reason describing it and *Check its MMH_MODE_CHECK code. */
BOOLEAN MmInitializeHardwareLayer(PXT_INIT_BLOCK InitBlock, BOOLEAN NoExecute, PULONG Check, PCSTR *Reason);

/* The bound paging mode's name ("PML2" .. "PML5"). */
PCSTR MmGetPagingModeName(VOID);

/* MmInitializeMemoryManager test flags (TESTFAULT=POOLSTART): the pool's start-up check is made to fail. */
#define MM_TEST_POOL_START_CHECK 0x1

/* Brings up the PFN database, the pager and the pool (the hardware layer is bound already). A failure of any step,
 * the pool's start-up check included, is a STOP (MEMORY_MANAGEMENT); returns only when the memory manager is up. */
VOID MmInitializeMemoryManager(PXT_INIT_BLOCK InitBlock, ULONG TestFlags);

/* TRUE when Va is mapped (every level down to a present leaf). */
BOOLEAN MmIsAddressValid(ULONG_PTR Va);

/* A kernel VA that is never mapped but has a page table (TESTFAULT=PAGE and DOUBLE use it). */
ULONG_PTR MmGetUnmappedAddress(VOID);

/* Names the kernel region Va belongs to, for fault reports ("system PTEs (unmapped: guard or freed page)", ...).
 * The kernel address map (docs/memory-manager.md) has its one owner here. */
PCSTR MmDescribeAddress(ULONG_PTR Va);

/* Test-only pool misuse (TESTFAULT=POOL...): each must end in the pool's STOP. */
typedef enum _MM_POOL_TEST {
    MmPoolTestOverrun,       /* write past a block's end, then free it: BAD_POOL_HEADER */
    MmPoolTestDoubleFree,    /* free a block twice: BAD_POOL_CALLER */
    MmPoolTestTagMismatch,   /* free a block with another tag: BAD_POOL_CALLER */
    MmPoolTestSpecialOverrun /* write one byte past a special-pool block: page fault on the guard page */
} MM_POOL_TEST;

VOID MmTestPoolCorruption(MM_POOL_TEST Test);

/* Test-only: frees a frame number that is not an allocated frame (TESTFAULT=BADPFN): must end in PFN_LIST_CORRUPT. */
VOID MmTestBadFrameFree(VOID);

/* Puts every allocation tagged Tag (4 characters, little-endian) against a guard page. */
VOID MmSetSpecialPool(ULONG Tag);

/* BENCH: prints one MM-BENCH line of per-operation costs in TSC ticks. */
VOID MmRunBenchmarks(VOID);

/* ---- Memory for the other processors (mpmm.c) ---- */

/* The physical address of the page below 1 MiB reserved at start-up for the application processors' real-mode
 * trampoline (its page number is the SIPI vector); 0 when the loader's memory map left no free frame there. */
ULONG_PTR MmGetProcessorStartupPage(VOID);

/* Maps the start-up page writable at *Va (HAL window) and at its own physical address, read-only and executable (an
 * AP fetches there right after turning paging on). STATUS_NOT_FOUND without a start-up page. */
XTSTATUS MmMapProcessorStartupPage(PVOID *Va);

/* Removes both mappings of MmMapProcessorStartupPage (the frame stays reserved). */
VOID MmUnmapProcessorStartupPage(PVOID Va);

/* Allocates Count stacks (or other regions) of Pages[i] pages in one block of system PTEs, read-write and
 * non-executable, each with an unmapped guard page right below it and one above the last; Tops[i] receives the
 * address just above region i (page-aligned). Never freed. STATUS_NO_MEMORY. */
XTSTATUS MmAllocateGuardedStacks(ULONG Count, const SIZE_T *Pages, PULONG_PTR Tops);

/* Fills the figures of XTOS-REPORT. */
VOID MmQueryBootReport(PMM_BOOT_REPORT Report);

#endif

/* Memory manager (Mm): what the rest of the kernel may call. Start-up of its packages (hl -> pfn -> pager -> pool),
 * the kernel address map, the non-paged pool and the figures of the boot report. */
#ifndef XTOSKRNL_MM_MM_H
#define XTOSKRNL_MM_MM_H

#include <ke.h>
#include <mmspace.h> /* per-process address spaces: MMADDRESS_SPACE, MmCreateProcessAddressSpace, ... */
#include <pager.h>   /* system pages: MmAllocateSystemPages, MmFreeSystemPages, MmFlushDeferredSystemPages */
#include <pool.h>
#include <xtboot.h>
#include <xtstatus.h>

typedef struct _MM_BOOT_REPORT {
    PCSTR PagingMode;          /* "PML2" .. "PML5" */
    BOOLEAN NoExecute;         /* the mode has an NX bit and EFER.NXE is on */
    ULONGLONG RamPages;        /* frames with PFN entries that hold usable RAM (entries still being written included) */
    ULONGLONG FreePages;       /* free and zeroed frames after reclaiming loader memory */
    ULONGLONG RamIgnoredPages; /* RAM the loader reported beyond what the CPU and the paging mode can address */
    ULONG PfnEntryBytes;       /* sizeof(MMPFN) */
    ULONG_PTR TablesVerified;  /* page-table frames walked from CR3 */
    ULONG_PTR LoaderFramesKept; /* frames the loader reported free although the live tables use them */
    BOOLEAN PoolOk;             /* both pools are up and passed their start-up checks */
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

/* Starts the memory manager's system threads once the dispatcher runs: the PFN entries of the RAM above the first
 * GiB are written in the background (its frames become allocatable chunk by chunk). PASSIVE_LEVEL. */
VOID MmStartSystemThreads(VOID);

/* Waits until the background start-up work is done (every PFN entry written); at once when there was none.
 * PASSIVE_LEVEL with interrupts on. */
VOID MmWaitForStartupWork(VOID);

/* Maps Length bytes of device memory at physical Address (not RAM: a framebuffer, device registers) read-write and
 * no-execute into system space, once the memory manager is up. Returns the VA of Address; NULL for RAM frames
 * (those have PFN entries), Length 0, or when system space, page-table frames or the paging mode's reach run out. */
PVOID MmMapIoSpace(PHYSICAL_ADDRESS Address, SIZE_T Length);

/* Unmaps what MmMapIoSpace(Address, Length) returned as Va. */
VOID MmUnmapIoSpace(PVOID Va, SIZE_T Length);

/* TRUE when Va is mapped (every level down to a present leaf). */
BOOLEAN MmIsAddressValid(ULONG_PTR Va);

/* A kernel VA that is never mapped but has a page table (TESTFAULT=PAGE and DOUBLE use it). */
ULONG_PTR MmGetUnmappedAddress(VOID);

/* ---- Page faults (mm/fault.c) ---- */

/* The STOP a page fault that cannot be resolved ends in (codes and parameters: sdk/xtbugcode.h). */
typedef struct _MM_FAULT_STOP {
    ULONG Code;
    ULONG_PTR Parameters[4];
} MM_FAULT_STOP, *PMM_FAULT_STOP;

/* Resolves the page fault (CPU ErrorCode, faulting Va, instruction pointer Ip) taken at RunLevel: a demand-zero page
 * (or a reserved paged-pool page whose table is missing) touched at RunLevel <= APC_LEVEL gets a zeroed frame, mapped
 * with the PTE's protection; returns TRUE and the instruction is retried. Otherwise fills *Stop and returns FALSE:
 * IRQL_NOT_LESS_OR_EQUAL for pageable memory above APC_LEVEL, ATTEMPTED_WRITE_TO_READONLY_MEMORY,
 * ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY, PAGE_FAULT_IN_NONPAGED_AREA (unmapped; + PF_GUARD_PAGE for a guard page),
 * NO_PAGES_AVAILABLE when no frame is left. Called by Ke's #PF path with interrupts off. */
BOOLEAN MmAccessFault(ULONG_PTR ErrorCode, ULONG_PTR Va, ULONG_PTR Ip, KRUNLEVEL RunLevel, PMM_FAULT_STOP Stop);

/* What backs a kernel page. */
typedef enum _MM_PAGE_STATE {
    MmPageNotMapped = 0, /* nothing: a touch is a STOP */
    MmPageDemandZero,    /* reserved, not materialised yet: no frame until the first touch */
    MmPageResident,      /* a frame is mapped */
    MmPageGuard          /* a guard page: a touch is a STOP */
} MM_PAGE_STATE;

/* The state of the page holding Va (reads the live tables; takes no fault). */
MM_PAGE_STATE MmQueryPageState(ULONG_PTR Va);

/* Test-only page faults (TESTFAULT=PAGEDIRQL, WRITERO, EXECNX, GUARDPAGE): each must end in its STOP. */
typedef enum _MM_FAULT_TEST {
    MmFaultTestPagedAtDispatch,  /* paged pool touched at DISPATCH_LEVEL: IRQL_NOT_LESS_OR_EQUAL */
    MmFaultTestWriteReadOnly,    /* a write to the kernel's read-only data: ATTEMPTED_WRITE_TO_READONLY_MEMORY */
    MmFaultTestExecuteNoExecute, /* a call into a no-execute pool page: ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY */
    MmFaultTestGuardPage         /* the guard page after a paged special-pool block: PAGE_FAULT_IN_NONPAGED_AREA */
} MM_FAULT_TEST;

VOID MmTestPageFault(MM_FAULT_TEST Test);

/* Test only (TESTFAULT=SHOOTDOWN, mm/tbtest.c): a system page written, read on every processor (each caches its
 * translation), freed on this one (the shootdown), then read on processor 1: that read must STOP there with
 * PAGE_FAULT_IN_NONPAGED_AREA naming the page. Returns if it did not (a stale translation read the old data). */
VOID MmTestShootdown(VOID);

/* Test only (TESTFAULT=SPACESHOOTDOWN, mm/spacetest.c): processor 1 runs in a new address space and reads a user page
 * there (its translation cached), processor 0 unmaps the page (the shootdown reaches processor 1), then processor 1
 * reads it again: that read must STOP there with PAGE_FAULT_IN_NONPAGED_AREA naming the page. Returns if it did not. */
VOID MmTestSpaceShootdown(VOID);

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

/* A kernel stack of Size bytes (a non-zero multiple of the page size) in system PTEs, read-write and non-executable,
 * with a guard page right below it: reserved VA with no frame, so an overflow faults. Returns the address just above
 * the stack (NT's StackBase; the stack grows down from it); NULL when VA or frames run out. */
PVOID MmCreateKernelStack(SIZE_T Size);

/* Frees a stack MmCreateKernelStack returned (StackBase and Size as it was created): its frames and its VA, the guard
 * page included. Never the stack the caller runs on. A range that is not such a stack is a STOP SYSTEM_PTE_MISUSE. */
VOID MmDeleteKernelStack(PVOID StackBase, SIZE_T Size);

/* Fills the figures of XTOS-REPORT. */
VOID MmQueryBootReport(PMM_BOOT_REPORT Report);

#endif

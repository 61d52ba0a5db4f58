/* Kernel pager: system PTE space (a bitmap of VA pages backed on demand). */
#ifndef XTOSKRNL_MM_PAGER_MMPAGER_H
#define XTOSKRNL_MM_PAGER_MMPAGER_H

#include <xtboot.h>
#include <xtstatus.h>

#include "batch.h"
#include "pager.h"

/* Sets up the system PTE bitmap (its own pages at the start of the region). Needs the PFN database. */
XTSTATUS MmInitializePager(VOID);

/* Maps Count frames of device memory from FirstPfn (frames without PFN entries: a framebuffer, MMIO) into
 * contiguous system PTE space, read-write and no-execute, with no physical frame taken for them. Returns the VA of
 * the first page, or NULL when VA or page-table frames run out or a frame is beyond what the paging mode maps. */
PVOID MmMapSystemIoPages(ULONGLONG FirstPfn, SIZE_T Count);

/* Unmaps pages mapped by MmMapSystemIoPages (same Count); the frames stay untouched. A bad range is a STOP. */
VOID MmUnmapSystemIoPages(PVOID Address, SIZE_T Count);

/* Pages of system PTE space in use and in total. */
VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total);

/* What went through the deferred-shootdown batch of MmFreeSystemPages (batch.h's statistics, Pending filled in). */
VOID MmQueryDeferredFlushStatistics(PMM_DEFERRED_FLUSH_STATISTICS Statistics);

/* Test only: Hook(Va) runs in every MmFreeSystemPages whose range filled the batch, after the system space lock is
 * released and before that free flushes the batch (the window in which another processor's free finds it full). At
 * the free's RunLevel. NULL: none. */
typedef VOID (*PMM_DEFERRED_FLUSH_HOOK)(ULONG_PTR Va);
VOID MmSetDeferredFlushTestHook(PMM_DEFERRED_FLUSH_HOOK Hook);

/* ---- Paged-pool VA space (paged.c, docs/memory-manager.md) ---- */

/* Paged allocations fail (NULL) while free frames are at or below this: the rest is kept for non-paged ones. */
#define MM_PAGED_POOL_MIN_FREE_PAGES 1024

typedef struct _MM_PAGED_SPACE_STATISTICS {
    ULONG_PTR TotalPages;       /* pages of the paged-pool range */
    ULONG_PTR ReservedPages;    /* reserved (guard pages included) */
    ULONG_PTR ResidentPages;    /* of those, materialised: each holds a frame */
    ULONG_PTR TableFrames;      /* page tables created for the range, on demand (never freed) */
    ULONG_PTR DemandZeroFaults; /* first touches resolved */
    ULONG_PTR RefusedLowMemory; /* reservations refused under memory pressure */
    ULONG_PTR FaultCollisions;  /* faults that found the page resolved by another processor: resumed, nothing taken */
} MM_PAGED_SPACE_STATISTICS, *PMM_PAGED_SPACE_STATISTICS;

/* Sets up the bitmap of the paged-pool range (non-paged, from system pages). Needs the pager. */
XTSTATUS MmInitializePagedSpace(VOID);

/* Reserves Count contiguous paged-pool pages, demand-zero read-write no-execute: no frame until touched.
 * MM_SYSTEM_PAGES_GUARD_AFTER adds a guard page (a guard PTE). NULL when the range is full or free frames are at or
 * below MM_PAGED_POOL_MIN_FREE_PAGES. RunLevel <= APC_LEVEL (the paged pool's lock). */
PVOID MmReservePagedPages(SIZE_T Count, ULONG Flags);

/* Releases what MmReservePagedPages returned (same Count and Flags): frames of touched pages go back to the free
 * list. Anything else is a STOP SYSTEM_PTE_MISUSE. */
VOID MmReleasePagedPages(PVOID Address, SIZE_T Count, ULONG Flags);

/* TRUE while free frames are at or below MM_PAGED_POOL_MIN_FREE_PAGES (paged allocations are refused; counted). */
BOOLEAN MmIsPagedMemoryLow(VOID);

/* TRUE when Va lies in the paged-pool range / is a reserved page of it. */
BOOLEAN MmIsPagedPoolAddress(ULONG_PTR Va);
BOOLEAN MmIsPagedPageReserved(ULONG_PTR Va);

/* Makes Va's page table present for a fault in the paged range, filling a new table's PTEs from the bitmap (under
 * the PFN lock: one processor creates it). */
XTSTATUS MmEnsurePagedTables(ULONG_PTR Va);

/* What MmResolvePagedFault did. */
typedef enum _MM_PAGED_FAULT_RESULT {
    MmPagedFaultResolved = 0, /* a zeroed frame is mapped with the PTE's protection */
    MmPagedFaultCollision,    /* another processor resolved the page first: resume (counted, the frame went back) */
    MmPagedFaultNotPageable,  /* under the lock the PTE is neither demand-zero nor valid (released, guard) */
    MmPagedFaultNoMemory      /* no frame or no page-table frame */
} MM_PAGED_FAULT_RESULT;

/* Resolves a fault on the paged page holding Va (RunLevel <= APC_LEVEL, checked by the caller): takes a zeroed frame
 * (zeroed list first, else zeroed outside the lock), then under the PFN lock creates the page table if it is still
 * missing and looks at the PTE again: still demand-zero -> mapped; valid -> a collision (the frame goes back to the
 * zeroed list). Two processors faulting on one page resolve it once and no frame is leaked. */
MM_PAGED_FAULT_RESULT MmResolvePagedFault(ULONG_PTR Va);

/* Counts a fault that found its page already valid before looking any further (mm/fault.c). */
VOID MmNotePagedFaultCollision(VOID);

/* Test only: Hook(Va) runs once in the next MmResolvePagedFault, between its look at the PTE and taking the PFN lock
 * (the window in which another processor may resolve the same page). NULL: none. */
typedef VOID (*PMM_PAGED_FAULT_HOOK)(ULONG_PTR Va);
VOID MmSetPagedFaultTestHook(PMM_PAGED_FAULT_HOOK Hook);

VOID MmQueryPagedSpace(PMM_PAGED_SPACE_STATISTICS Statistics);

#endif

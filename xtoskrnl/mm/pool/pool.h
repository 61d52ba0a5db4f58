/* Memory manager: the non-paged pool (always resident kernel allocations). Design and STOP codes: docs/pool.md. */
#ifndef XTOSKRNL_MM_POOL_POOL_H
#define XTOSKRNL_MM_POOL_POOL_H

#include <rtl.h>
#include <xtbase.h>
#include <xtstatus.h>

/* Pool types (NT values). NonPagedPool and PagedPool are implemented; other types are refused (NULL). */
typedef enum _MM_POOL_TYPE {
    NonPagedPool = 0,
    PagedPool = 1,
} MM_POOL_TYPE,
    *PMM_POOL_TYPE;

/* A pool tag from its four characters in reading order: MM_POOL_TAG('P','o','o','l') prints as "Pool". */
#define MM_POOL_TAG(A, B, C, D)                                                                                        \
    ((ULONG)(UCHAR)(A) | ((ULONG)(UCHAR)(B) << 8) | ((ULONG)(UCHAR)(C) << 16) | ((ULONG)(UCHAR)(D) << 24))

/* Usage of one tag. Bytes count what the allocations occupy: the whole block including its header for small blocks,
 * whole pages for page-sized and special-pool allocations. */
typedef struct _MM_POOL_TAG_STATISTICS {
    ULONG Tag;
    ULONG_PTR Allocations;
    ULONG_PTR Frees;
    SIZE_T BytesInUse;
} MM_POOL_TAG_STATISTICS, *PMM_POOL_TAG_STATISTICS;

/* Pool-wide counters. */
typedef struct _MM_POOL_STATISTICS {
    SIZE_T SmallPages;      /* pages carved into blocks (including cached empty pages) */
    SIZE_T EmptyPages;      /* of those, pages kept completely free for reuse */
    SIZE_T FreeBlocks;      /* blocks on the per-size free lists */
    SIZE_T LookasideBlocks; /* blocks held by the lookaside lists */
    SIZE_T BigAllocations;  /* page-sized allocations (including special pool) */
    SIZE_T BigPages;        /* pages they occupy (without guard pages) */
    SIZE_T BigCachedPages;  /* pages of freed page-sized allocations kept mapped for reuse (not in BigPages) */
    ULONG_PTR Allocations;  /* successful allocations since initialisation */
    ULONG_PTR Frees;        /* frees since initialisation */
    ULONG_PTR FailedAllocations;
    ULONG TagsTracked; /* distinct tags in the statistics table */
} MM_POOL_STATISTICS, *PMM_POOL_STATISTICS;

/* Where a pool's whole pages come from: system pages (resident) or paged-pool pages (materialised on first touch).
 * Flags: MM_SYSTEM_PAGES_GUARD_AFTER (pager.h). */
typedef struct _MM_POOL_PAGE_SOURCE {
    PVOID (*AllocatePages)(SIZE_T Count, ULONG Flags);
    VOID (*FreePages)(PVOID Address, SIZE_T Count, ULONG Flags);
    ULONG_PTR Base; /* the VA range every page lies in (tells MmFreePool which pool a block is from); 0, 0: any */
    ULONG_PTR Size;
    BOOLEAN (*IsMemoryLow)(VOID); /* optional: TRUE refuses every allocation (memory pressure) */
} MM_POOL_PAGE_SOURCE, *PMM_POOL_PAGE_SOURCE;

/* Prepares the paged pool over Pages (the memory manager passes its paged-pool pages); Cookie as below. */
XTSTATUS MmInitializePagedPool(ULONG_PTR Cookie, const MM_POOL_PAGE_SOURCE *Pages);

/* Prepares the non-paged pool; Cookie is per-boot entropy (RDRAND/RDTSC) keying every header and list check.
 * STATUS_INVALID_PARAMETER for a zero cookie. Must run before any other pool routine. */
XTSTATUS MmInitializeNonPagedPool(ULONG_PTR Cookie);

/* Gives the processor it runs on its block of the non-paged pool's per-processor lists (KPRCB.PoolLookaside): each
 * application processor calls it as it starts, before it uses the pool (MmInitializeNonPagedPool does it for the boot
 * processor). */
VOID MmInitializeProcessorPool(VOID);

/* Allocates Size bytes of PoolType pool charged to Tag, aligned to the pool granularity (8 bytes on i686, 16 on
 * amd64; page aligned above a page). A zero size returns a unique minimal block. NULL when memory is exhausted, the
 * size is absurd or the type is unsupported. NonPagedPool: RunLevel <= DISPATCH_LEVEL; PagedPool: RunLevel <=
 * APC_LEVEL, and its memory may only be touched there too (above: STOP IRQL_NOT_LESS_OR_EQUAL naming the caller). The
 * same limits hold for MmFreePool (by the block's pool) and the Ex names. Paged allocations also fail (NULL) when free
 * frames run low, keeping a reserve for non-paged ones. */
PVOID MmAllocatePool(MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag);

/* Frees a block from MmAllocatePool (either pool: paged-pool addresses are recognised by their range); Tag must be
 * the tag it was allocated with. Corruption, double frees, wrong tags
 * and addresses that are not pool blocks stop the system (BAD_POOL_HEADER, BAD_POOL_CALLER, ...). */
VOID MmFreePool(PVOID Address, ULONG Tag);

/* NT names for the same routines. */
PVOID ExAllocatePoolWithTag(MM_POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID ExFreePoolWithTag(PVOID Address, ULONG Tag);

/* Sends later allocations with Tag to the special pool (each at the end of its own pages, against an unmapped guard
 * page). MmClearSpecialPoolTag turns it off; blocks already allocated stay where they are. */
VOID MmSetSpecialPoolTag(ULONG Tag);
VOID MmClearSpecialPoolTag(VOID);

/* Copies the statistics of Tag into *Statistics; FALSE when the tag was never used. */
BOOLEAN MmQueryPoolTag(ULONG Tag, PMM_POOL_TAG_STATISTICS Statistics);

/* Fills *Statistics with the pool-wide counters. */
VOID MmQueryPoolStatistics(PMM_POOL_STATISTICS Statistics);

/* Prints one line per tag (tag, allocations, frees, live, bytes) and a total through Output. */
VOID MmDumpPoolTags(PRTL_OUTPUT_ROUTINE Output, PVOID Context);

/* Walks every pool page, free list, lookaside list, the big-allocation table and the tag statistics; returns the
 * number of inconsistencies found (0: consistent). Never stops the system. */
ULONG MmCheckPoolConsistency(VOID);

/* The same for the paged pool. */
BOOLEAN MmQueryPagedPoolTag(ULONG Tag, PMM_POOL_TAG_STATISTICS Statistics);
VOID MmQueryPagedPoolStatistics(PMM_POOL_STATISTICS Statistics);
ULONG MmCheckPagedPoolConsistency(VOID);

#endif

/* Memory manager: the non-paged pool (always resident kernel allocations). Design and STOP codes: docs/pool.md. */
#ifndef XTOSKRNL_MM_POOL_POOL_H
#define XTOSKRNL_MM_POOL_POOL_H

#include <rtl.h>
#include <xtbase.h>
#include <xtstatus.h>

/* Pool types (NT values). Only NonPagedPool is implemented; other types are refused (NULL). */
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
    ULONG_PTR Allocations;  /* successful allocations since initialisation */
    ULONG_PTR Frees;        /* frees since initialisation */
    ULONG_PTR FailedAllocations;
    ULONG TagsTracked; /* distinct tags in the statistics table */
} MM_POOL_STATISTICS, *PMM_POOL_STATISTICS;

/* Prepares the non-paged pool; Cookie is per-boot entropy (RDRAND/RDTSC) keying every header and list check.
 * STATUS_INVALID_PARAMETER for a zero cookie. Must run before any other pool routine. */
XTSTATUS MmInitializeNonPagedPool(ULONG_PTR Cookie);

/* Allocates Size bytes of PoolType pool charged to Tag, aligned to the pool granularity (8 bytes on i686, 16 on
 * amd64; page aligned above a page). A zero size returns a unique minimal block. NULL when memory is exhausted, the
 * size is absurd or the type is unsupported. RunLevel <= DISPATCH_LEVEL (above: STOP IRQL_NOT_LESS_OR_EQUAL naming
 * the caller); the same limit holds for MmFreePool and the Ex names. */
PVOID MmAllocatePool(MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag);

/* Frees a block from MmAllocatePool; Tag must be the tag it was allocated with. Corruption, double frees, wrong tags
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

#endif

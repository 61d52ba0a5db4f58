/* Kernel PFN database: built from the loader's memory map at boot; physical frames for the rest of the MM. */
#ifndef XTOSKRNL_MM_PFN_MMPFN_H
#define XTOSKRNL_MM_PFN_MMPFN_H

#include "pfn.h"

typedef struct _MM_PFN_BOOT_STATS {
    ULONGLONG InitTimeStamps;   /* TSC ticks of backing + initialising the database */
    ULONGLONG MemsetTimeStamps; /* TSC ticks of a memset of as many bytes (BENCH measures it) */
    ULONGLONG DatabaseBytes;    /* bytes of entries backed */
    ULONG_PTR TablesVerified;   /* page-table frames found by walking the live tables from CR3 */
    ULONG_PTR LoaderFramesKept; /* frames the live tables use that the loader reported free: kept reserved */
    ULONG_PTR FramesReclaimed;  /* boot-services and loader frames returned to the free list */
} MM_PFN_BOOT_STATS, *PMM_PFN_BOOT_STATS;

extern MMPFN_DATABASE MmPfnDatabase;
extern MM_PFN_BOOT_STATS MmPfnBootStats;

/* Backs and fills the PFN database from InitBlock's descriptors (frames above what the mode can map are
 * ignored), then walks the live page tables and keeps every frame they use out of the free lists. */
XTSTATUS MmInitializePfnDatabase(PXT_INIT_BLOCK InitBlock);

/* Returns boot-services and loader-heap frames to the free list, once nothing refers to them any more. */
VOID MmReclaimLoaderMemory(VOID);

/* One physical frame (content zeroed when Zero), or MM_PFN_NONE. O(1) apart from the zeroing. */
ULONG_PTR MmAllocatePhysicalPage(BOOLEAN Zero);

/* Returns a frame from MmAllocatePhysicalPage; a frame that is not allocated is a STOP (double free). */
VOID MmFreePhysicalPage(ULONG_PTR Pfn);

/* Frame allocator for MmhMapPage's page tables (Context unused): a zeroed frame marked as a page table. */
ULONGLONG MmAllocatePageTableFrame(PVOID Context);

#endif

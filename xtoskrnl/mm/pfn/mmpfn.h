/* Kernel PFN database: built from the loader's memory map at boot; physical frames for the rest of the MM. */
#ifndef XTOSKRNL_MM_PFN_MMPFN_H
#define XTOSKRNL_MM_PFN_MMPFN_H

#include <ke.h>

#include "pfn.h"

/* Loader descriptors the kernel accepts (the loader hands over at most 2048); a larger map is a STOP. */
#define MM_MAX_LOADER_DESCRIPTORS 2048

typedef struct _MM_PFN_BOOT_STATS {
    ULONGLONG InitTimeStamps;   /* TSC ticks of backing + initialising the database */
    ULONGLONG MemsetTimeStamps; /* TSC ticks of a memset of as many bytes (BENCH measures it) */
    ULONGLONG DatabaseBytes;    /* bytes of entries backed */
    ULONGLONG IgnoredPages;     /* RAM beyond what the CPU's physical width and the paging mode can address */
    ULONG AddressBits;        /* the physical address width used: the CPU's, or less when the paging mode holds less */
    ULONG_PTR TablesVerified; /* page-table frames found by walking the live tables from CR3 */
    ULONG_PTR LoaderFramesKept; /* frames the live tables use that the loader reported free: kept reserved */
    ULONG_PTR FramesReclaimed;  /* boot-services and loader frames returned to the free list */
    ULONGLONG BootLimit;        /* entries of frames from here up are written by the deferred-init thread */
} MM_PFN_BOOT_STATS, *PMM_PFN_BOOT_STATS;

/* RAM whose PFN entries are written at boot (1 GiB); the entries of the frames above are written by a system thread
 * once the dispatcher runs (MmStartDeferredPfnInitialization), so start-up does not grow with RAM. */
#define MM_PFN_BOOT_FRAMES ((ULONGLONG)1 << (30 - MM_PAGE_SHIFT))

/* What the deferred initialisation did (final once MmWaitForPfnDatabase returns). */
typedef struct _MM_PFN_DEFERRED_STATS {
    ULONGLONG Frames;        /* frames whose entries it wrote (holes included) */
    ULONGLONG RamPages;      /* RAM frames among them */
    ULONG_PTR Chunks;        /* chunks published */
    ULONG_PTR DatabasePages; /* database pages it backed */
    ULONGLONG TimeStamps;    /* TSC ticks from its start to its end */
    XTSTATUS Status;         /* STATUS_SUCCESS, or why it stopped (frames above ReadyLimit stay unused) */
    BOOLEAN Done;
} MM_PFN_DEFERRED_STATS, *PMM_PFN_DEFERRED_STATS;

extern MM_PFN_DEFERRED_STATS MmPfnDeferredStats;

/* Starts the thread that writes the PFN entries above the boot limit, chunk by chunk (each chunk's frames become
 * allocatable when it is published). Needs the dispatcher; PASSIVE_LEVEL. Nothing to do: the wait is satisfied. */
VOID MmStartDeferredPfnInitialization(VOID);

/* Waits until every PFN entry is written (PASSIVE_LEVEL, interrupts on); at once when nothing was deferred. */
VOID MmWaitForPfnDatabase(VOID);

/* RAM frames whose entries are not written yet (the report counts them as RAM). */
ULONGLONG MmQueryPendingPfnFrames(VOID);

extern MMPFN_DATABASE MmPfnDatabase;
extern MM_PFN_BOOT_STATS MmPfnBootStats;

/* Walks the live page tables from CR3 and records every frame they use, then backs and fills the PFN database from
 * InitBlock's descriptors (read with the declared stride; frames above what the mode and the CPU can address are
 * ignored) with frames the tables do not use, and keeps the recorded frames out of the free lists. A map with more
 * descriptors than the kernel accepts is a STOP (LOADER_BLOCK_MISMATCH). */
XTSTATUS MmInitializePfnDatabase(PXT_INIT_BLOCK InitBlock);

/* Keeps the frames in [First, Limit) that the live page tables use out of the free lists (Loader state), logging
 * those the loader reported free; frames whose entries are not written yet are left alone. PFN lock held (or the
 * boot, before any other processor runs). */
VOID MmKeepLiveTableFrames(ULONG_PTR First, ULONG_PTR Limit);

/* The PFN lock (NT's PfnLock: the numbered queued lock LockQueuePfnLock): raises to DISPATCH_LEVEL and takes it;
 * returns the RunLevel to give back to MmUnlockPfnDatabase. It guards every list and entry of MmPfnDatabase, the
 * creation of page tables in kernel space (MmhMapPage / MmhEnsurePageTables with MmAllocatePageTableFrameLocked) and
 * the state of paged-pool PTEs. Lock order: after LockQueueSystemSpaceLock, before the dispatcher lock. No page fault,
 * no IPI and no wait under it (a processor resolving a page fault spins on it with interrupts off). */
KRUNLEVEL MmLockPfnDatabase(VOID);
VOID MmUnlockPfnDatabase(KRUNLEVEL OldRunLevel);

/* MmCheckPfnDatabase under the PFN lock: a consistent view while other processors allocate. */
ULONG_PTR MmVerifyPfnDatabase(VOID);

/* Returns boot-services and loader-heap frames to the free list, once nothing refers to them any more. */
VOID MmReclaimLoaderMemory(VOID);

/* One physical frame (content zeroed when Zero), or MM_PFN_NONE. O(1) apart from the zeroing. RunLevel <=
 * DISPATCH_LEVEL, as for MmFreePhysicalPage (above: STOP IRQL_NOT_LESS_OR_EQUAL naming the caller). */
ULONG_PTR MmAllocatePhysicalPage(BOOLEAN Zero);

/* Returns a frame from MmAllocatePhysicalPage; a frame that is not allocated (or has no entry) is a STOP
 * (PFN_LIST_CORRUPT). */
VOID MmFreePhysicalPage(ULONG_PTR Pfn);

/* A frame (content not zeroed) with the PFN lock held, or MM_PFN_NONE. */
ULONG_PTR MmAllocatePhysicalPageLocked(VOID);

/* MmFreePhysicalPage with the PFN lock held (Zeroed: the frame's content is zero: it goes to the zeroed list). */
VOID MmFreePhysicalPageLocked(ULONG_PTR Pfn, BOOLEAN Zeroed);

/* Frame allocator for MmhMapPage's page tables (Context unused): a zeroed frame below 4 GiB. The Locked form runs
 * with the PFN lock held, as every kernel-space table creation does; the other takes the lock itself (for a caller
 * that cannot race with another processor: start-up before the application processors run). */
ULONGLONG MmAllocatePageTableFrameLocked(PVOID Context);
ULONGLONG MmAllocatePageTableFrame(PVOID Context);

#endif

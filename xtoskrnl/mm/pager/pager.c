/* System PTE space: contiguous VA pages from a bitmap (first fit from a moving hint), each backed by a frame from
 * the PFN database; page tables created on demand. The bitmap, hint and used count are under the system space lock
 * (NT's SystemSpaceLock: LockQueueSystemSpaceLock); mappings and page tables under the PFN lock. An unmap clears the
 * PTEs (keeping each frame in a transition PTE), shoots the pages down on every processor with one IPI, and only then
 * frees the frames and the VA; with other processors running, MmFreeSystemPages batches up to 16 ranges for one
 * shootdown (docs/memory-manager.md "Locks" and "TLB shootdown"). */
#include <ke.h>
#include <mmhl.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mmpager.h"

static RTL_BITMAP MiSystemPtes;
static ULONG_PTR MiSystemPteHint;
static ULONG_PTR MiSystemPtesUsed;
static ULONG_PTR MiBitmapPages;

/* Freed ranges whose remote shootdown is deferred (NT batches system PTE flushes too): their PTEs are clear, this
 * processor flushed them, their frames and VA stay reserved until one shootdown for the whole batch (when it holds
 * MI_DEFERRED_RANGES ranges or MI_DEFERRED_PAGES pages, or when VA or frames run short). Under the system space lock;
 * the queueing and taking are batch.c's (host-tested), the guard after the array is checked at every queueing and
 * every flush (the overrun MiDeferSystemRange once made). */
#define MI_DEFERRED_PAGES MM_DEFERRED_FLUSH_PAGES

static MI_DEFERRED_BATCH MiDeferredBatch = {.PageLimit = MI_DEFERRED_PAGES};
static volatile PMM_DEFERRED_FLUSH_HOOK MiDeferredFlushHook;
static ULONG_PTR MiSystemPteTableFrames; /* page tables created for system PTE space (never freed), PFN lock */

/* MmAllocatePageTableFrameLocked for the tables of system PTE space, counted (the PFN lock is held). */
static ULONGLONG MiAllocateSystemPteTable(PVOID Context) {
    ULONGLONG Pfn = MmAllocatePageTableFrameLocked(Context);

    if (Pfn != MMH_NO_FRAME) {
        __atomic_store_n(&MiSystemPteTableFrames, MiSystemPteTableFrames + 1, __ATOMIC_RELAXED);
    }
    return Pfn;
}

/* Reserves Total pages of system PTE space (bits set, hint moved); the index of the first, or RTL_BITMAP_NOT_FOUND. */
static ULONG_PTR MiReserveSystemPtes(ULONG_PTR Total) {
    KRUNLEVEL Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);
    ULONG_PTR Index = RtlFindClearBitsAndSet(&MiSystemPtes, Total, MiSystemPteHint);

    if (Index != RTL_BITMAP_NOT_FOUND) {
        MiSystemPteHint = Index + Total;
        MiSystemPtesUsed += Total;
    }
    KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
    return Index;
}

/* Gives back Total pages of system PTE space from Index (their PTEs are clear and shot down). */
static VOID MiReleaseSystemPtes(ULONG_PTR Index, ULONG_PTR Total) {
    KRUNLEVEL Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);

    RtlClearBits(&MiSystemPtes, Index, Total);
    MiSystemPtesUsed -= Total;
    if (Index < MiSystemPteHint) {
        MiSystemPteHint = Index;
    }
    KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
}

/* Checks that Total pages from Va are a reserved range of system PTE space (not the bitmap's own pages); else a STOP
 * SYSTEM_PTE_MISUSE with Count and Flags. Returns the index of the first page. */
static ULONG_PTR MiCheckSystemRange(ULONG_PTR Va, ULONG_PTR Total, SIZE_T Count, ULONG Flags) {
    ULONG_PTR Index = (Va - MmhSystemPteBase) / MM_PAGE_SIZE;
    BOOLEAN Reserved = FALSE;
    KRUNLEVEL Old;

    if (Va >= MmhSystemPteBase && !(Va & (MM_PAGE_SIZE - 1)) && Index >= MiBitmapPages && Count != 0 &&
        Index + Total <= MmhSystemPtePages) {
        Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);
        Reserved = RtlAreBitsSet(&MiSystemPtes, Index, Total);
        KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
    }
    if (!Reserved) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BAD_FREE, Va, Count, Flags);
    }
    return Index;
}

/* Maps one new frame at Va (a VA this caller reserved); FALSE when frames or page tables run out. A frame that need
 * not be zeroed is taken and mapped in one hold of the PFN lock; a zeroed one is zeroed before, outside it. */
static BOOLEAN MiBackPage(ULONG_PTR Va, BOOLEAN Zero) {
    ULONG_PTR Pfn = Zero ? MmAllocatePhysicalPage(TRUE) : MM_PFN_NONE;
    XTSTATUS Status = STATUS_NO_MEMORY;
    KRUNLEVEL Old;

    if (Zero && Pfn == MM_PFN_NONE) {
        return FALSE;
    }
    Old = MmLockPfnDatabase();
    if (!Zero) {
        Pfn = MmAllocatePhysicalPageLocked();
    }
    if (Pfn != MM_PFN_NONE) {
        Status = MmhMapPage(Va, Pfn, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, MiAllocateSystemPteTable, NULL);
        if (XT_SUCCESS(Status)) {
            MmPfnDatabase.Entries[Pfn].PteAddress = (ULONG_PTR)MmhGetPageMapOps()->GetEntryAddress(Va, 1);
            MmPfnDatabase.Entries[Pfn].ShareCount = 1;
        } else {
            MmFreePhysicalPageLocked(Pfn, Zero);
        }
    }
    MmUnlockPfnDatabase(Old);
    return XT_SUCCESS(Status);
}

/* TRUE when PageVa (the Page-th of a run) needs its page table looked up again: the run's first page, or the first
 * of a new table (*Present caches the answer for the rest of that table's pages). */
static BOOLEAN MiIsTablePresent(ULONG_PTR PageVa, SIZE_T Page, PBOOLEAN Present) {
    ULONG_PTR TableBytes = (MM_PAGE_SIZE / MmhGetPageMapOps()->EntrySize) * MM_PAGE_SIZE;

    if (Page == 0 || (PageVa & (TableBytes - 1)) == 0) {
        *Present = MmhIsPageTablePresent(PageVa);
    }
    return *Present;
}

/* Makes the mapped pages among Count from Va not present without flushing any TLB: their PTEs become transition PTEs
 * holding the frame (KeepFrames) or 0. Returns how many were mapped. */
static ULONG_PTR MiClearSystemRange(ULONG_PTR Va, SIZE_T Count, BOOLEAN KeepFrames) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONG_PTR Cleared = 0;
    MMH_SOFTWARE_PTE Pte;
    BOOLEAN Present = FALSE;
    KRUNLEVEL Old = MmLockPfnDatabase();

    for (SIZE_T Page = 0; Page < Count; Page++) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        if (!MiIsTablePresent(PageVa, Page, &Present)) {
            continue;
        }
        MmhDecodePte(Ops, MmhReadPte(PageVa), &Pte);
        if (Pte.Kind == MmhPteValid) {
            /* Not present from here on; the frame stays in the entry until every processor forgot the page. */
            MmhExchangePte(PageVa, KeepFrames ? MmhMakeTransitionPte(Ops, Pte.Frame, MM_PROTECT_READWRITE) : 0);
            Cleared++;
        }
    }
    MmUnlockPfnDatabase(Old);
    return Cleared;
}

/* Frees the frames MiClearSystemRange kept in transition PTEs (every processor forgot the pages meanwhile) and clears
 * those PTEs. */
static VOID MiFreeClearedFrames(ULONG_PTR Va, SIZE_T Count) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    MMH_SOFTWARE_PTE Pte;
    BOOLEAN Present = FALSE;
    KRUNLEVEL Old = MmLockPfnDatabase();

    for (SIZE_T Page = 0; Page < Count; Page++) {
        ULONG_PTR PageVa = Va + Page * MM_PAGE_SIZE;
        if (!MiIsTablePresent(PageVa, Page, &Present)) {
            continue;
        }
        MmhDecodePte(Ops, MmhReadPte(PageVa), &Pte);
        if (Pte.Kind == MmhPteTransition) {
            MmFreePhysicalPageLocked((ULONG_PTR)Pte.Frame, FALSE);
            MmhExchangePte(PageVa, 0);
        }
    }
    MmUnlockPfnDatabase(Old);
}

/* Unmaps Count pages from Va on every processor (one shootdown) and frees their frames (FreeFrames); returns how many
 * were mapped. No lock is held across the shootdown. */
static ULONG_PTR MiUnmapSystemRange(ULONG_PTR Va, SIZE_T Count, BOOLEAN FreeFrames) {
    ULONG_PTR Cleared = MiClearSystemRange(Va, Count, FreeFrames);

    if (Cleared != 0) {
        KeFlushRangeTb((PVOID)Va, Count);
    }
    if (FreeFrames) {
        MiFreeClearedFrames(Va, Count);
    }
    return Cleared;
}

XTSTATUS MmInitializePager(VOID) {
    ULONG_PTR Bytes = RTL_BITMAP_WORDS(MmhSystemPtePages) * sizeof(ULONG_PTR);

    MiBitmapPages = (Bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
    for (ULONG_PTR Page = 0; Page < MiBitmapPages; Page++) {
        if (!MiBackPage(MmhSystemPteBase + Page * MM_PAGE_SIZE, TRUE)) {
            return STATUS_NO_MEMORY;
        }
    }
    RtlInitializeBitMap(&MiSystemPtes, (PULONG_PTR)MmhSystemPteBase, MmhSystemPtePages);
    RtlClearAllBits(&MiSystemPtes);
    RtlSetBits(&MiSystemPtes, 0, MiBitmapPages);
    MiSystemPteHint = MiBitmapPages;
    MiSystemPtesUsed = MiBitmapPages;
    return STATUS_SUCCESS;
}

/* The unbacked guard pages Flags add around a block of system pages, and how many of them come before it. */
static ULONG_PTR MiGuardPages(ULONG Flags, PULONG_PTR Before) {
    *Before = (Flags & MM_SYSTEM_PAGES_GUARD_BEFORE) ? 1 : 0;
    return *Before + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
}

/* Reserves Total pages and backs Count of them after Before guard pages; NULL when VA or frames run out. */
static PVOID MiAllocateSystemRange(SIZE_T Count, ULONG_PTR Total, ULONG_PTR Before) {
    ULONG_PTR Index = MiReserveSystemPtes(Total), Va;

    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhSystemPteBase + (Index + Before) * MM_PAGE_SIZE;
    for (SIZE_T Page = 0; Page < Count; Page++) {
        if (!MiBackPage(Va + Page * MM_PAGE_SIZE, FALSE)) {
            MiUnmapSystemRange(Va, Page, TRUE);
            MiReleaseSystemPtes(Index, Total);
            return NULL;
        }
    }
    return (PVOID)Va;
}

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    ULONG_PTR Before, Total = Count + MiGuardPages(Flags, &Before);
    PVOID Va;

    if (Count == 0 || Count > MmhSystemPtePages || MiSystemPtes.Buffer == NULL) {
        return NULL;
    }
    Va = MiAllocateSystemRange(Count, Total, Before);
    if (Va == NULL && MmFlushDeferredSystemPages() != 0) {
        Va = MiAllocateSystemRange(Count, Total, Before); /* the deferred frees' VA and frames are back */
    }
    return Va;
}

/* A batch that ran past its array (more than MI_DEFERRED_RANGES ranges, or the guard written) is a STOP before
 * anything is copied out of it: SYSTEM_PTE_MISUSE (PTE_MISUSE_BATCH_OVERRUN, the count, the guard's Va, the guard's
 * Count). Under the system space lock. */
static VOID MiCheckDeferredBatch(VOID) {
    if (!MiIsDeferredBatchIntact(&MiDeferredBatch)) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_BATCH_OVERRUN, MiDeferredBatch.Count, MiDeferredBatch.Guard.Va,
                     MiDeferredBatch.Guard.Count);
    }
}

ULONG_PTR MmFlushDeferredSystemPages(VOID) {
    MI_DEFERRED_RANGE Batch[MI_DEFERRED_RANGES];
    KRUNLEVEL Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);
    ULONG_PTR Pages;
    ULONG Ranges;

    MiCheckDeferredBatch();
    Ranges = MiTakeDeferredBatch(&MiDeferredBatch, Batch, &Pages);
    KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
    if (Ranges == 0) {
        return 0;
    }
    KeFlushEntireTb(); /* one IPI round for the whole batch */
    for (ULONG Range = 0; Range < Ranges; Range++) {
        MiFreeClearedFrames(Batch[Range].Va, Batch[Range].Count);
        MiReleaseSystemPtes(Batch[Range].Index, Batch[Range].Total);
    }
    return Pages;
}

/* Queues a cleared range for the next batched shootdown; TRUE when the batch is full and must be flushed now. A batch
 * another processor filled and has not flushed yet is flushed first (writing past it overran MiDeferred, and the
 * flush's copy of it overran its stack buffer: a reaper's saved registers were overwritten on 2 processors). */
static BOOLEAN MiDeferSystemRange(const MI_DEFERRED_RANGE *Range) {
    for (;;) {
        KRUNLEVEL Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);
        MI_DEFER_RESULT Result;

        MiCheckDeferredBatch();
        Result = MiQueueDeferredRange(&MiDeferredBatch, Range);
        KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
        if (Result != MiDeferFoundFull) {
            return Result == MiDeferQueuedFull;
        }
        MmFlushDeferredSystemPages();
    }
}

VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    ULONG_PTR Before, Total = Count + MiGuardPages(Flags, &Before), Va = (ULONG_PTR)Address;
    MI_DEFERRED_RANGE Range = {Va, Count, MiCheckSystemRange(Va - Before * MM_PAGE_SIZE, Total, Count, Flags), Total};

    /* One processor, a large range, or special pool (a use after free must fault at once everywhere): shoot down now.
     */
    if (KeQueryActiveProcessorCount() <= 1 || Count >= MI_DEFERRED_PAGES || (Flags & MM_SYSTEM_PAGES_GUARD_AFTER)) {
        if (MiUnmapSystemRange(Va, Count, TRUE) != Count) {
            KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_MAPPED, Va, Count, 0);
        }
        MiReleaseSystemPtes(Range.Index, Total);
        return;
    }
    if (MiClearSystemRange(Va, Count, TRUE) != Count) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_MAPPED, Va, Count, 0);
    }
    for (SIZE_T Page = 0; Page < Count; Page++) {
        MmhFlushTlbEntry(Va + Page * MM_PAGE_SIZE); /* this processor forgets it now; the others at the batch */
    }
    if (MiDeferSystemRange(&Range)) {
        PMM_DEFERRED_FLUSH_HOOK Hook = __atomic_load_n(&MiDeferredFlushHook, __ATOMIC_ACQUIRE);

        if (Hook != NULL) {
            Hook(Va); /* tests: the window in which another processor may find the batch full */
        }
        MmFlushDeferredSystemPages();
    }
}

VOID MmSetDeferredFlushTestHook(PMM_DEFERRED_FLUSH_HOOK Hook) {
    __atomic_store_n(&MiDeferredFlushHook, Hook, __ATOMIC_RELEASE);
}

VOID MmQueryDeferredFlushStatistics(PMM_DEFERRED_FLUSH_STATISTICS Statistics) {
    KRUNLEVEL Old = KeAcquireQueuedSpinLock(LockQueueSystemSpaceLock);

    *Statistics = MiDeferredBatch.Statistics;
    Statistics->Pending = MiDeferredBatch.Count;
    KeReleaseQueuedSpinLock(LockQueueSystemSpaceLock, Old);
}

PVOID MmMapSystemIoPages(ULONGLONG FirstPfn, SIZE_T Count) {
    ULONG_PTR Index, Va;
    XTSTATUS Status = STATUS_SUCCESS;
    KRUNLEVEL Old;

    if (Count == 0 || Count > MmhSystemPtePages || MiSystemPtes.Buffer == NULL) {
        return NULL;
    }
    Index = MiReserveSystemPtes(Count);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    Va = MmhSystemPteBase + Index * MM_PAGE_SIZE;
    for (SIZE_T Page = 0; Page < Count && XT_SUCCESS(Status); Page++) {
        Old = MmLockPfnDatabase(); /* for the page tables MmhMapPage may create */
        Status = MmhMapPage(Va + Page * MM_PAGE_SIZE, FirstPfn + Page, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE,
                            MiAllocateSystemPteTable, NULL);
        MmUnlockPfnDatabase(Old);
        if (!XT_SUCCESS(Status)) {
            MiUnmapSystemRange(Va, Page, FALSE);
            MiReleaseSystemPtes(Index, Count);
            return NULL;
        }
    }
    return (PVOID)Va;
}

VOID MmUnmapSystemIoPages(PVOID Address, SIZE_T Count) {
    ULONG_PTR Va = (ULONG_PTR)Address, Index = MiCheckSystemRange(Va, Count, Count, 0);

    if (MiUnmapSystemRange(Va, Count, FALSE) != Count) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_MAPPED, Va, Count, 0);
    }
    MiReleaseSystemPtes(Index, Count);
}

ULONG_PTR MmQuerySystemPteTableFrames(VOID) {
    return __atomic_load_n(&MiSystemPteTableFrames, __ATOMIC_RELAXED);
}

VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total) {
    *Used = MiSystemPtesUsed;
    *Total = MmhSystemPtePages;
}

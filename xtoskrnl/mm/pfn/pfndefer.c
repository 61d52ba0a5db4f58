/* Deferred PFN initialisation (Linux's deferred struct-page init): the entries of the RAM above the boot limit
 * (MM_PFN_BOOT_FRAMES) are written by a system thread once the dispatcher runs. Each chunk's database pages are
 * backed with frames already free, its entries written outside the PFN lock (nobody reads them: they lie above
 * ReadyLimit), then published under the lock in O(1); from then on its frames are allocatable. */
#include <ar.h>
#include <kd.h>
#include <ke.h>
#include <kthread.h>
#include <mmhl.h>
#include <rtl.h>

#include "mmpfn.h"

/* Frames per chunk: 64 MiB, 512 KiB of entries on amd64. */
#define MI_PFN_CHUNK_FRAMES ((ULONG_PTR)1 << (26 - MM_PAGE_SHIFT))

MM_PFN_DEFERRED_STATS MmPfnDeferredStats;
static KEVENT MiPfnReadyEvent;

/* Backs the database page at Page with a free frame. */
static XTSTATUS MiBackDatabasePage(ULONG_PTR Page) {
    XTSTATUS Status = STATUS_NO_MEMORY;
    KRUNLEVEL Old = MmLockPfnDatabase();
    ULONG_PTR Frame = MmAllocatePhysicalPageLocked();

    if (Frame != MM_PFN_NONE) {
        MmSetPfnState(&MmPfnDatabase, Frame, MmPfnDatabaseFrame);
        Status = MmhMapPage(Page, Frame, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, MmAllocatePageTableFrameLocked, NULL);
        if (!XT_SUCCESS(Status)) {
            MmSetPfnState(&MmPfnDatabase, Frame, MmPfnFree);
        }
    }
    MmUnlockPfnDatabase(Old);
    return Status;
}

/* Backs every database page holding entries of RAM frames in [First, Limit) that is not backed yet. Only the bytes of
 * a new page outside the range's entries are zeroed: holes read as zero, the entries are written whole later (a later
 * range sharing the page finds it backed and its entries zeroed or written). */
static XTSTATUS MiBackDeferredEntries(ULONG_PTR First, ULONG_PTR Limit) {
    for (ULONG Index = 0; Index < MmPfnDatabase.DescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = &MmPfnDatabase.Descriptors[Index];
        ULONG_PTR Base = (ULONG_PTR)Descriptor->BasePage, End = (ULONG_PTR)(Base + Descriptor->PageCount);
        ULONG_PTR Low, High;

        Base = Base > First ? Base : First;
        End = End < Limit ? End : Limit;
        if (!MmIsRamDescriptor(Descriptor->MemoryType) || Base >= End) {
            continue;
        }
        Low = (ULONG_PTR)&MmPfnDatabase.Entries[Base];
        High = (ULONG_PTR)&MmPfnDatabase.Entries[End];
        for (ULONG_PTR Page = ALIGN_DOWN(Low, MM_PAGE_SIZE); Page < High; Page += MM_PAGE_SIZE) {
            XTSTATUS Status;

            if (MmhIsAddressValid(Page)) {
                continue; /* shared with entries written or zeroed before */
            }
            Status = MiBackDatabasePage(Page);
            if (!XT_SUCCESS(Status)) {
                return Status;
            }
            if (Page < Low) {
                RtlZeroMemory((PVOID)Page, Low - Page);
            }
            if (Page + MM_PAGE_SIZE > High) {
                RtlZeroMemory((PVOID)High, Page + MM_PAGE_SIZE - High);
            }
            MmPfnDeferredStats.DatabasePages++;
        }
    }
    return STATUS_SUCCESS;
}

/* The thread: chunk after chunk up to the highest frame, then the event. */
static VOID MiDeferredPfnThread(PVOID Context) {
    ULONGLONG Start = ArReadTimeStampCounter();
    ULONG_PTR First = MmPfnDatabase.ReadyLimit, Highest = MmPfnDatabase.HighestPfn;
    MMPFN_CHUNK Chunk;
    XTSTATUS Status = STATUS_SUCCESS;

    (VOID) Context;
    while (First <= Highest && XT_SUCCESS(Status)) {
        ULONG_PTR Limit = ALIGN_DOWN(First, MI_PFN_CHUNK_FRAMES) + MI_PFN_CHUNK_FRAMES;
        KRUNLEVEL Old;

        Limit = Limit <= Highest ? Limit : Highest + 1;
        Status = MiBackDeferredEntries(First, Limit);
        if (!XT_SUCCESS(Status)) {
            break;
        }
        MmPreparePfnEntries(&MmPfnDatabase, &Chunk, First, Limit);
        Old = MmLockPfnDatabase();
        Status = MmPublishPfnEntries(&MmPfnDatabase, &Chunk);
        MmKeepLiveTableFrames(First, Limit); /* before any other processor can take them off the free list */
        MmUnlockPfnDatabase(Old);
        MmPfnDeferredStats.RamPages += MmCountRamPfns(&MmPfnDatabase, First, Limit);
        MmPfnDeferredStats.Frames += Limit - First;
        MmPfnDeferredStats.Chunks++;
        First = Limit;
    }
    MmPfnDeferredStats.TimeStamps = ArReadTimeStampCounter() - Start;
    MmPfnDeferredStats.Status = Status;
    __atomic_store_n(&MmPfnDeferredStats.Done, TRUE, __ATOMIC_RELEASE);
    if (XT_SUCCESS(Status)) {
        KdPrint("MM: deferred PFN init done: %llu RAM frames above frame 0x%llx in %zu chunks, %zu database pages, "
                "%llu TSC ticks\n",
                MmPfnDeferredStats.RamPages, MmPfnBootStats.BootLimit, (SIZE_T)MmPfnDeferredStats.Chunks,
                (SIZE_T)MmPfnDeferredStats.DatabasePages, MmPfnDeferredStats.TimeStamps);
    } else {
        KdPrint("MM: deferred PFN init stopped at frame 0x%zx (status 0x%08X): the frames above stay unused\n",
                (SIZE_T)MmPfnDatabase.ReadyLimit, Status);
    }
    KeSetEvent(&MiPfnReadyEvent, 0, FALSE);
}

VOID MmStartDeferredPfnInitialization(VOID) {
    XTSTATUS Status;

    KeInitializeEvent(&MiPfnReadyEvent, NotificationEvent, FALSE);
    if (MmPfnDatabase.ReadyLimit > MmPfnDatabase.HighestPfn) {
        MmPfnDeferredStats.Done = TRUE;
        KeSetEvent(&MiPfnReadyEvent, 0, FALSE);
        return;
    }
    KdPrint("MM: PFN entries of %llu RAM frames above frame 0x%zx are written in the background\n",
            MmQueryPendingPfnFrames(), (SIZE_T)MmPfnDatabase.ReadyLimit);
    /* Below every other thread: it runs on processors with nothing else to do, never delaying the boot thread (nor the
     * benchmarks, which would otherwise count its work when they switch). */
    Status = KeCreateSystemThread(NULL, LOW_PRIORITY + 1, 0, MiDeferredPfnThread, NULL, 0);
    if (!XT_SUCCESS(Status)) {
        /* Without the thread the frames above the boot limit stay unused; the system still runs. */
        KdPrint("MM: no deferred PFN init thread (status 0x%08X): RAM above frame 0x%zx stays unused\n", Status,
                (SIZE_T)MmPfnDatabase.ReadyLimit);
        MmPfnDeferredStats.Status = Status;
        MmPfnDeferredStats.Done = TRUE;
        KeSetEvent(&MiPfnReadyEvent, 0, FALSE);
    }
}

VOID MmWaitForPfnDatabase(VOID) {
    (VOID) KeWaitForSingleObject(&MiPfnReadyEvent, Executive, KernelMode, FALSE, NULL);
}

ULONGLONG MmQueryPendingPfnFrames(VOID) {
    ULONG_PTR Ready = __atomic_load_n(&MmPfnDatabase.ReadyLimit, __ATOMIC_ACQUIRE);

    return MmCountRamPfns(&MmPfnDatabase, Ready, MmPfnDatabase.HighestPfn + 1);
}

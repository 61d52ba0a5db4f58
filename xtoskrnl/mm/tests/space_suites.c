/* MmAddressSpaceSuite (SELFTEST, every paging mode): per-process address spaces. Two spaces map different frames at
 * the same user addresses and each sees its own while attached; the kernel half (a pool block, the PFN database, the
 * HAL window) reads the same in both; each space's self-map shows its own tables; a kernel page table created while
 * attached to one space after the spaces exist is visible in every space (PML2/PML3: copied into each); creation
 * without frames fails with nothing taken; 1,000 spaces created and deleted give back every frame and pool byte; a
 * second processor attached to a space sees a user page remapped by the first (the shootdown reached it); the PCID
 * bookkeeping (amd64) keeps a space's translations across switches until an unmap. */
#include <ar.h>
#include <ke.h>
#include <mm.h>
#include <mmhl.h>
#include <mmpfn.h>
#include <pool.h>
#include <rtl.h>

#include "mm_suites.h"

#define SPACE_TAG         MM_POOL_TAG('A', 's', 'T', 's')
#define SPACE_USER_VA     0x40000000ull /* 1 GiB: user half in every mode, far from the loader's trampoline pages */
#define SPACE_OLD         0x01D5EA5Eu
#define SPACE_NEW         0x0E5ACE00u
#define SPACE_HAL_PATTERN 0xA0000A00u
#define SPACE_ROUNDS      1000
#define SPACE_WAIT_100NS  20000000ull /* 2 s */

/* The last page of the user half (its tables are the deepest a space creates). */
static ULONG_PTR SpaceHighUserVa(VOID) {
    return (ULONG_PTR)((1ull << (MmhGetPageMapOps()->VaBits - 1)) - MM_PAGE_SIZE);
}

/* Free frames plus the frames the non-paged pool holds (its block pages, page-sized blocks and cached runs), so the
 * pool's own growth is not counted as the spaces' frames: an allocation may make it carve a new page for its size
 * class (and park the rest of the page on this processor's list), and a freed page-sized block, such as the suites'
 * arrays of spaces, may stay cached in it. The suites check the pool's tag counters for their own blocks. */
static ULONG_PTR SpaceFreeFrames(VOID) {
    MM_POOL_STATISTICS Pool;
    KRUNLEVEL Old;
    ULONG_PTR Free;

    MmFlushDeferredSystemPages();
    Old = MmLockPfnDatabase();
    Free = MmCountFreePfns(&MmPfnDatabase);
    MmUnlockPfnDatabase(Old);
    MmQueryPoolStatistics(&Pool);
    return Free + Pool.SmallPages + Pool.BigPages + Pool.BigCachedPages;
}

static MM_POOL_TAG_STATISTICS SpacePoolTag(VOID) {
    MM_POOL_TAG_STATISTICS Statistics;

    RtlZeroMemory(&Statistics, sizeof(Statistics));
    MmQueryPoolTag(SPACE_TAG, &Statistics);
    return Statistics;
}

static MM_SPACE_STATISTICS SpaceStats(VOID) {
    MM_SPACE_STATISTICS Statistics;

    MmQueryAddressSpaces(&Statistics);
    return Statistics;
}

/* A frame holding Pattern in its first word, or MM_PFN_NONE. */
static ULONG_PTR SpaceFrame(ULONG Pattern) {
    ULONG_PTR Pfn = MmAllocatePhysicalPage(TRUE);
    PVOID Va;

    if (Pfn != MM_PFN_NONE && XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Va))) {
        *(volatile ULONG *)Va = Pattern;
        MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
    }
    return Pfn;
}

/* The word at Va as Space sees it (0 when not mapped there). */
static ULONG SpaceRead(PMMADDRESS_SPACE Space, ULONG_PTR Va) {
    MM_ATTACH_STATE State;
    ULONG Value = 0;

    MmAttachAddressSpace(Space, &State);
    if (MmhIsAddressValid(Va)) {
        Value = *(volatile ULONG *)Va;
    }
    MmDetachAddressSpace(&State);
    return Value;
}

/* The page the current space's self-map shows as its kernel directory (PML3: PD3; else the top-level table). */
static ULONGLONG SpaceSelfMappedDirectory(VOID) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();

    return MmhQueryPage(
        ALIGN_DOWN(Ops->GetEntryAddress(Ops->KernelDirectoryBase, Ops->Levels), (ULONGLONG)MM_PAGE_SIZE), NULL);
}

/* Checks, attached to Space, its own user pages, CR3, self-map and the shared kernel half. */
static VOID SpaceCheckAttached(PXTEST_CONTEXT XtestContext, PMMADDRESS_SPACE Space, const ULONG *Patterns,
                               const ULONG_PTR *Frames, volatile ULONG *PoolWord, volatile ULONG *HalWord,
                               ULONG_PTR PfnProbe) {
    ULONG_PTR Vas[2] = {SPACE_USER_VA, SpaceHighUserVa()};
    MM_ATTACH_STATE State;

    MmAttachAddressSpace(Space, &State);
    XTEST_CHECK_EQ(MmGetCurrentAddressSpace(), Space);
    XTEST_CHECK_EQ((ULONGLONG)(ArReadCr3() & ~(ULONG_PTR)0xFFF), Space->DirectoryTableBase);
    XTEST_CHECK_EQ(ArReadCr3() & 0xFFF, SpaceStats().Pcids ? Space->Pcid : 0); /* PML3: the PDPT is page-aligned */
    XTEST_CHECK_EQ(Space->Pcid != 0, SpaceStats().PcidsTracked);
    XTEST_CHECK_EQ(SpaceSelfMappedDirectory(), Space->KernelDirectory);
    for (ULONG Index = 0; Index < 2; Index++) {
        XTEST_CHECK_EQ(*(volatile ULONG *)Vas[Index], Patterns[Index]);
        XTEST_CHECK_EQ(MmhQueryPage(Vas[Index], NULL), Frames[Index]);
    }
    XTEST_CHECK_EQ(*PoolWord, 0x9001B10Cu);
    XTEST_CHECK_EQ(*HalWord, SPACE_HAL_PATTERN); /* space 0's first frame, through the HAL window */
    XTEST_CHECK_EQ(MmPfnDatabase.Entries[PfnProbe].State, MmPfnActive);
    MmDetachAddressSpace(&State);
}

XTEST(TwoSpacesSeeTheirOwnFramesAndShareTheKernelHalf) {
    ULONG_PTR Free = SpaceFreeFrames(), Frames[2][2], Vas[2] = {SPACE_USER_VA, SpaceHighUserVa()};
    MM_POOL_TAG_STATISTICS Tag = SpacePoolTag(), After;
    PMMADDRESS_SPACE Spaces = MmAllocatePool(NonPagedPool, 2 * sizeof(MMADDRESS_SPACE), SPACE_TAG);
    volatile ULONG *PoolWord = MmAllocatePool(NonPagedPool, 64, SPACE_TAG), *HalWord;
    ULONG Patterns[2][2] = {{SPACE_HAL_PATTERN, 0xA0000A01u}, {0xB0000B00u, 0xB0000B01u}};
    PVOID Hal;

    XTEST_ASSERT(Spaces != NULL && PoolWord != NULL);
    *PoolWord = 0x9001B10Cu;
    for (ULONG Index = 0; Index < 2; Index++) {
        XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[Index]), STATUS_SUCCESS);
        XTEST_CHECK(Spaces[Index].DirectoryTableBase < 0x100000000ull); /* PML3's PDPT (and every table) below 4 GiB */
        for (ULONG Page = 0; Page < 2; Page++) {
            Frames[Index][Page] = SpaceFrame(Patterns[Index][Page]);
            XTEST_ASSERT(Frames[Index][Page] != MM_PFN_NONE);
            XTEST_ASSERT_EQ(MmMapUserPage(&Spaces[Index], Vas[Page], Frames[Index][Page]), STATUS_SUCCESS);
        }
        XTEST_CHECK_EQ(MmMapUserPage(&Spaces[Index], Vas[0], Frames[Index][0]), STATUS_CONFLICTING_ADDRESSES);
        XTEST_CHECK_EQ(Spaces[Index].UserPages, 2);
        XTEST_CHECK(Spaces[Index].UserTables >= 2);
    }
    XTEST_CHECK(Spaces[0].DirectoryTableBase != Spaces[1].DirectoryTableBase);
    XTEST_CHECK_EQ(MmMapUserPage(&Spaces[0], (ULONG_PTR)PoolWord & ~(ULONG_PTR)0xFFF, Frames[0][0]),
                   STATUS_INVALID_PARAMETER);
    /* The HAL window maps space 0's first frame: the same kernel VA in every space. */
    XTEST_ASSERT(XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Frames[0][0] << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Hal)));
    HalWord = Hal;
    SpaceCheckAttached(XtestContext, &Spaces[0], Patterns[0], Frames[0], PoolWord, HalWord, Frames[1][1]);
    SpaceCheckAttached(XtestContext, &Spaces[1], Patterns[1], Frames[1], PoolWord, HalWord, Frames[0][1]);
    /* Not in the system's user half, and back in the system's space. */
    XTEST_CHECK(!MmhIsAddressValid(Vas[0]) && !MmhIsAddressValid(Vas[1]));
    XTEST_CHECK_EQ(MmGetCurrentAddressSpace(), &MmSystemAddressSpace);
    XTEST_CHECK_EQ(SpaceSelfMappedDirectory(), MmSystemAddressSpace.KernelDirectory);
    MmhUnmapPhysicalMemory(Hal, MM_PAGE_SIZE);
    for (ULONG Index = 0; Index < 2; Index++) {
        MmDeleteProcessAddressSpace(&Spaces[Index]);
        XTEST_CHECK_EQ(Spaces[Index].UserPages, 0);
        XTEST_CHECK_EQ(Spaces[Index].UserTables, 0);
    }
    MmFreePool((PVOID)PoolWord, SPACE_TAG);
    MmFreePool(Spaces, SPACE_TAG);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Free);
    After = SpacePoolTag();
    XTEST_CHECK_EQ(After.Allocations - Tag.Allocations, 2);
    XTEST_CHECK_EQ(After.Frees - Tag.Frees, 2);
    XTEST_CHECK_EQ(After.BytesInUse, Tag.BytesInUse);
}

XTEST(KernelTableCreatedLaterIsVisibleInEverySpace) {
    ULONG_PTR Va = MmhSystemPteBase + (MmhSystemPtePages - 1) * MM_PAGE_SIZE, Frame, Free, Tables;
    ULONG_PTR Baseline = SpaceFreeFrames();
    MMADDRESS_SPACE Spaces[2];
    MM_SPACE_STATISTICS Before, After;
    MM_ATTACH_STATE State;
    KRUNLEVEL Old;

    XTEST_ASSERT(!MmhIsPageTablePresent(Va)); /* the last system page: its table does not exist yet */
    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[0]), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[1]), STATUS_SUCCESS);
    Before = SpaceStats();
    Frame = SpaceFrame(SPACE_NEW);
    XTEST_ASSERT(Frame != MM_PFN_NONE);
    Free = SpaceFreeFrames();
    /* Created while attached to space 0: the system's space and space 1 must get it too. */
    MmAttachAddressSpace(&Spaces[0], &State);
    Old = MmLockPfnDatabase();
    XTEST_CHECK_EQ(MmhMapPage(Va, Frame, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, MmAllocatePageTableFrameLocked, NULL),
                   STATUS_SUCCESS);
    MmUnlockPfnDatabase(Old);
    XTEST_CHECK_EQ(*(volatile ULONG *)Va, SPACE_NEW);
    MmDetachAddressSpace(&State);
    Tables = Free - SpaceFreeFrames();
    After = SpaceStats();
    XTEST_CHECK(Tables >= 1);
    /* PML2 and PML3 hold a copy of the kernel directory per space: the new entry was written into the other two. */
    XTEST_CHECK_EQ(After.EntriesCopied - Before.EntriesCopied, MmhGetPageMapOps()->Levels == 2 ? 2 : 0);
    XTEST_CHECK_EQ(SpaceRead(&Spaces[1], Va), SPACE_NEW);
    XTEST_CHECK_EQ(SpaceRead(&Spaces[0], Va), SPACE_NEW);
    XTEST_CHECK_EQ(*(volatile ULONG *)Va, SPACE_NEW);
    Old = MmLockPfnDatabase();
    MmhExchangePte(Va, 0);
    MmUnlockPfnDatabase(Old);
    KeFlushSingleTb((PVOID)Va);
    MmFreePhysicalPage(Frame);
    MmDeleteProcessAddressSpace(&Spaces[0]);
    MmDeleteProcessAddressSpace(&Spaces[1]);
    /* Kernel tables stay (they are never freed): every other frame came back. */
    XTEST_CHECK_EQ(SpaceFreeFrames(), Baseline - Tables);
}

/* Takes every free frame below 4 GiB (where page tables come from), chained through their first word. */
static ULONG_PTR SpaceExhaustLowFrames(PULONG_PTR Count) {
    ULONG Processor;
    ULONG_PTR Chain = MM_PFN_NONE, Pfn;
    KRUNLEVEL Old;

    *Count = 0;
    do {
        Old = MmLockPfnDatabase();
        Processor = KeGetCurrentProcessorNumber();
        for (ULONG Batch = 0; Batch < 4096; Batch++) {
            Pfn = MmAllocatePfn(&MmPfnDatabase, FALSE, TRUE, NULL);
            if (Pfn == MM_PFN_NONE) {
                break;
            }
            *(PULONG_PTR)MmhMapProcessorPage(Processor, Pfn) = Chain;
            MmhUnmapProcessorPage(Processor);
            Chain = Pfn;
            (*Count)++;
        }
        MmUnlockPfnDatabase(Old);
    } while (Pfn != MM_PFN_NONE);
    return Chain;
}

/* Frees Count frames of the chain; returns the rest of it. */
static ULONG_PTR SpaceReleaseFrames(ULONG_PTR Chain, ULONG_PTR Count) {
    KRUNLEVEL Old = MmLockPfnDatabase();
    ULONG Processor = KeGetCurrentProcessorNumber();
    ULONG_PTR Next;

    while (Count-- > 0 && Chain != MM_PFN_NONE) {
        Next = *(PULONG_PTR)MmhMapProcessorPage(Processor, Chain);
        MmhUnmapProcessorPage(Processor);
        MmFreePhysicalPageLocked(Chain, FALSE);
        Chain = Next;
    }
    MmUnlockPfnDatabase(Old);
    return Chain;
}

XTEST(CreationWithoutFramesFailsAndTakesNothing) {
    ULONG_PTR Free = SpaceFreeFrames(), Taken, Chain, Short;
    ULONG Needed = MmhGetSpaceFrameCount();
    MM_SPACE_STATISTICS Before = SpaceStats();
    MMADDRESS_SPACE Space;

    Chain = SpaceExhaustLowFrames(&Taken);
    XtestPrint("  MmAddressSpaceSuite: %zu frames below 4 GiB taken\n", (SIZE_T)Taken);
    XTEST_CHECK(Taken > 1000);
    /* One frame short of what a space needs (PML3: the first three are taken, then given back). */
    Chain = SpaceReleaseFrames(Chain, Needed - 1);
    Short = SpaceFreeFrames();
    XTEST_CHECK_EQ(MmCreateProcessAddressSpace(&Space), STATUS_NO_MEMORY);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Short);
    XTEST_CHECK_EQ(SpaceStats().Spaces, Before.Spaces);
    SpaceReleaseFrames(Chain, ~(ULONG_PTR)0);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Free);
    /* With frames back, creation works again. */
    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Space), STATUS_SUCCESS);
    MmDeleteProcessAddressSpace(&Space);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Free);
}

XTEST(ThousandSpacesCreatedAndDeletedLeakNothing) {
    ULONG_PTR Free = SpaceFreeFrames(), Frame;
    MM_SPACE_STATISTICS Before = SpaceStats(), After;
    MM_POOL_TAG_STATISTICS Tag = SpacePoolTag();
    PMMADDRESS_SPACE Space;
    ULONGLONG Start = KeQueryInterruptTime();
    ULONG Seen = 0;

    for (ULONG Round = 0; Round < SPACE_ROUNDS; Round++) {
        Space = MmAllocatePool(NonPagedPool, sizeof(*Space), SPACE_TAG);
        XTEST_ASSERT(Space != NULL);
        XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(Space), STATUS_SUCCESS);
        Frame = SpaceFrame(Round);
        XTEST_ASSERT(Frame != MM_PFN_NONE);
        XTEST_ASSERT_EQ(MmMapUserPage(Space, (Round & 1) ? SpaceHighUserVa() : SPACE_USER_VA, Frame), STATUS_SUCCESS);
        Seen += SpaceRead(Space, (Round & 1) ? SpaceHighUserVa() : SPACE_USER_VA) == Round;
        MmDeleteProcessAddressSpace(Space);
        MmFreePool(Space, SPACE_TAG);
    }
    After = SpaceStats();
    XtestPrint("  MmAddressSpaceSuite: %u spaces created, mapped, read and deleted in %llu ms (PCIDs %s)\n",
               SPACE_ROUNDS, (KeQueryInterruptTime() - Start) / 10000, After.Pcids ? "on" : "off");
    XTEST_CHECK_EQ(Seen, SPACE_ROUNDS);
    XTEST_CHECK_EQ(After.Created - Before.Created, SPACE_ROUNDS);
    XTEST_CHECK_EQ(After.Deleted - Before.Deleted, SPACE_ROUNDS);
    XTEST_CHECK_EQ(After.Spaces, Before.Spaces);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Free);
    XTEST_CHECK_EQ(SpacePoolTag().BytesInUse, Tag.BytesInUse);
    XTEST_CHECK_EQ(SpacePoolTag().Frees - Tag.Frees, SPACE_ROUNDS);
}

/* What processor 1 saw while attached to a space (SpaceAttachedReader). */
typedef struct _SPACE_READER {
    PMMADDRESS_SPACE Space;
    volatile ULONG Phase; /* 1: attached and read the old page; 2: done */
    volatile ULONG First;
    volatile ULONG Last;
    volatile ULONG Remapped; /* set by the other processor once the page shows the new frame */
    volatile ULONGLONG Cr3;
    volatile ULONG Processor;
} SPACE_READER, *PSPACE_READER;

/* DPC on another processor: attaches, reads the user page (its translation is now in this processor's TLB), waits
 * for the other processor to remap it (never touching it meanwhile: it is unmapped for a moment), reads it again
 * (a stale translation would still read the old frame) and detaches. */
static VOID SpaceAttachedReader(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    PSPACE_READER Reader = Context;
    MM_ATTACH_STATE State;
    ULONGLONG Deadline = KeQueryInterruptTime() + SPACE_WAIT_100NS;

    (VOID) Dpc, (VOID)Argument1, (VOID)Argument2;
    MmAttachAddressSpace(Reader->Space, &State);
    Reader->Processor = KeGetCurrentProcessorNumber();
    Reader->Cr3 = ArReadCr3();
    Reader->First = *(volatile ULONG *)(ULONG_PTR)SPACE_USER_VA;
    __atomic_store_n(&Reader->Phase, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&Reader->Remapped, __ATOMIC_SEQ_CST) && KeQueryInterruptTime() < Deadline) {
        __asm__ volatile("pause");
    }
    if (Reader->Remapped) {
        Reader->Last = *(volatile ULONG *)(ULONG_PTR)SPACE_USER_VA;
    }
    MmDetachAddressSpace(&State);
    __atomic_store_n(&Reader->Phase, 2, __ATOMIC_SEQ_CST);
}

/* Waits (up to 2 s) for Reader to reach Phase. */
static BOOLEAN SpaceWaitPhase(PSPACE_READER Reader, ULONG Phase) {
    ULONGLONG Deadline = KeQueryInterruptTime() + SPACE_WAIT_100NS;

    while (__atomic_load_n(&Reader->Phase, __ATOMIC_SEQ_CST) < Phase && KeQueryInterruptTime() < Deadline) {
        KeStallExecutionProcessor(10);
    }
    return Reader->Phase >= Phase;
}

XTEST(AttachedProcessorSeesARemapOfItsSpace) {
    ULONG_PTR Free = SpaceFreeFrames(), Frame;
    MM_SPACE_STATISTICS Before = SpaceStats();
    MMADDRESS_SPACE Spaces[2];
    SPACE_READER Reader;
    KDPC Dpc;
    BOOLEAN Smp = KeQueryActiveProcessorCount() >= 2;

    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[0]), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[1]), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(MmMapUserPage(&Spaces[0], SPACE_USER_VA, SpaceFrame(SPACE_OLD)), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(MmMapUserPage(&Spaces[1], SPACE_USER_VA, SpaceFrame(~SPACE_OLD)), STATUS_SUCCESS);
    RtlZeroMemory(&Reader, sizeof(Reader));
    Reader.Space = &Spaces[0];
    if (Smp) {
        /* Processor 1 runs in space 0 while this one reads space 1 at the same address. */
        KeInitializeDpc(&Dpc, SpaceAttachedReader, &Reader);
        XTEST_ASSERT(KeSetTargetProcessorDpc(&Dpc, 1));
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        XTEST_ASSERT(SpaceWaitPhase(&Reader, 1));
        XTEST_CHECK_EQ(Reader.Processor, 1);
        XTEST_CHECK_EQ(Reader.First, SPACE_OLD);
        XTEST_CHECK_EQ(__atomic_load_n(&Spaces[0].ActiveProcessors, __ATOMIC_SEQ_CST), 2ull);
        XTEST_CHECK_EQ(SpaceRead(&Spaces[1], SPACE_USER_VA), ~SPACE_OLD);
    } else {
        XTEST_CHECK_EQ(SpaceRead(&Spaces[0], SPACE_USER_VA), SPACE_OLD);
    }
    /* Remapped to a new frame: processor 1 still attached must see it (its stale translation shot down). */
    XTEST_CHECK_EQ(MmUnmapUserPage(&Spaces[0], SPACE_USER_VA), STATUS_SUCCESS);
    XTEST_CHECK_EQ(MmUnmapUserPage(&Spaces[0], SPACE_USER_VA), STATUS_NOT_FOUND);
    Frame = SpaceFrame(SPACE_NEW);
    XTEST_ASSERT_EQ(MmMapUserPage(&Spaces[0], SPACE_USER_VA, Frame), STATUS_SUCCESS);
    __atomic_store_n(&Reader.Remapped, 1, __ATOMIC_SEQ_CST);
    if (Smp) {
        XTEST_ASSERT(SpaceWaitPhase(&Reader, 2));
        XtestPrint("  MmAddressSpaceSuite: processor 1 attached read 0x%08x, then 0x%08x after the remap\n",
                   Reader.First, Reader.Last);
        XTEST_CHECK_EQ(Reader.Last, SPACE_NEW);
        XTEST_CHECK_EQ((ULONGLONG)Reader.Cr3 & ~0xFFFull, Spaces[0].DirectoryTableBase & ~0xFFFull);
        XTEST_CHECK_EQ(SpaceStats().Shootdowns - Before.Shootdowns, 1);
        XTEST_CHECK_EQ(__atomic_load_n(&Spaces[0].ActiveProcessors, __ATOMIC_SEQ_CST), 0);
    } else {
        XTEST_CHECK_EQ(SpaceStats().Shootdowns - Before.Shootdowns, 0); /* nobody else ran in it */
    }
    XTEST_CHECK_EQ(SpaceRead(&Spaces[0], SPACE_USER_VA), SPACE_NEW);
    MmDeleteProcessAddressSpace(&Spaces[0]);
    MmDeleteProcessAddressSpace(&Spaces[1]);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Free);
}

XTEST(PcidSwitchKeepsTranslationsUntilAShootdown) {
    ULONG_PTR Free = SpaceFreeFrames();
    MM_SPACE_STATISTICS Before = SpaceStats(), After;
    BOOLEAN Pcids = Before.PcidsTracked; /* amd64: the bookkeeping runs whether or not the CPU has PCIDs */
    MMADDRESS_SPACE Spaces[2];
    ULONG Clean = 0;

    /* CR4.PCIDE exactly where the CPU has PCIDs in long mode (none of QEMU 7.2's TCG CPUs does), with PGE. */
    XTEST_CHECK_EQ(Before.Pcids, (ArReadCr4() & CR4_PCIDE) != 0);
    XTEST_CHECK(!Before.Pcids || (ArReadCr4() & CR4_PGE));
    XTEST_CHECK_EQ(Pcids, MmhGetPageMapOps()->LongMode);
    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[0]), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(MmCreateProcessAddressSpace(&Spaces[1]), STATUS_SUCCESS);
    XTEST_CHECK(!Pcids || (Spaces[0].Pcid != 0 && Spaces[1].Pcid != 0 && Spaces[0].Pcid != Spaces[1].Pcid));
    XTEST_ASSERT_EQ(MmMapUserPage(&Spaces[0], SPACE_USER_VA, SpaceFrame(SPACE_OLD)), STATUS_SUCCESS);
    /* MmMapUserPage attached once (first load: a flush); the next two attaches keep the translations. */
    XTEST_CHECK_EQ(SpaceRead(&Spaces[0], SPACE_USER_VA), SPACE_OLD);
    XTEST_CHECK_EQ(SpaceRead(&Spaces[0], SPACE_USER_VA), SPACE_OLD);
    After = SpaceStats();
    Clean = (ULONG)(After.CleanSwitches - Before.CleanSwitches);
    /* MmMapUserPage's attach flushed; the two reads' attaches did not; the system's space (PCID 0) never changed:
     * its three returns were clean too. */
    XTEST_CHECK_EQ(Clean, Pcids ? 5 : 0);
    /* An unmap clears PcidValid: the next attach flushes the PCID (the unmap's own attach was clean). */
    XTEST_CHECK_EQ(MmUnmapUserPage(&Spaces[0], SPACE_USER_VA), STATUS_SUCCESS);
    Before = SpaceStats();
    XTEST_CHECK_EQ(SpaceRead(&Spaces[0], SPACE_USER_VA), 0);
    XTEST_CHECK_EQ(SpaceStats().CleanSwitches - Before.CleanSwitches, Pcids ? 1 : 0); /* only the return */
    MmDeleteProcessAddressSpace(&Spaces[0]);
    MmDeleteProcessAddressSpace(&Spaces[1]);
    XTEST_CHECK_EQ(SpaceFreeFrames(), Free);
}

XTEST_SUITE(MmAddressSpaceSuite, XTEST_ENTRY(TwoSpacesSeeTheirOwnFramesAndShareTheKernelHalf),
            XTEST_ENTRY(KernelTableCreatedLaterIsVisibleInEverySpace),
            XTEST_ENTRY(CreationWithoutFramesFailsAndTakesNothing),
            XTEST_ENTRY(ThousandSpacesCreatedAndDeletedLeakNothing), XTEST_ENTRY(AttachedProcessorSeesARemapOfItsSpace),
            XTEST_ENTRY(PcidSwitchKeepsTranslationsUntilAShootdown));

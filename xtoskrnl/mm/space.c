/* Per-process address spaces (mmspace.h; docs/memory-manager.md "Per-process address spaces"). Every space is on
 * one list under the PFN lock: a kernel page table is created under that lock too, and the hook below copies its
 * kernel-directory entry into every space in the same critical section, so no space ever lacks a kernel table. */
#include <ar.h>
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <mmpfn.h>
#include <rtl.h>

#include "mm.h"

MMADDRESS_SPACE MmSystemAddressSpace;

/* The space each processor runs in (every processor starts in the system's). */
static PMMADDRESS_SPACE MiCurrentSpace[KE_MAXIMUM_PROCESSORS];
static MM_SPACE_STATISTICS MiSpaceStatistics;

/* PCIDs (amd64): 0 is the system's, 1..4094 are handed out (a bitmap, under the PFN lock), 4095 is shared by the
 * spaces created while none is free (their switches always flush). */
#define MI_PCID_COUNT   4096
#define MI_PCID_SHARED  4095
#define MI_CR3_NO_FLUSH (1ull << 63)
static BOOLEAN MiPcids;      /* CR4.PCIDE on: CR3 loads carry the PCID and, when allowed, the no-flush bit */
static BOOLEAN MiPcidSpaces; /* long mode: PCIDs and PcidValid are kept (what a PCID CPU would load), always */
static ULONG_PTR MiPcidBits[RTL_BITMAP_WORDS(MI_PCID_COUNT)];
static RTL_BITMAP MiPcidMap;

/* TRUE when this CPU can run PCIDs in the bound mode: long mode, CPUID.1:ECX.PCID[17] and EDX.PGE[13]. */
static BOOLEAN MiCpuHasPcids(VOID) {
    CPUID_REGISTERS Registers;

    if (!MmhGetPageMapOps()->LongMode) {
        return FALSE;
    }
    ArCpuId(1, 0, &Registers);
    return (Registers.Ecx & (1u << 17)) && (Registers.Edx & (1u << 13));
}

VOID MiPrepareAddressSpaces(VOID) {
    /* Before any kernel page that may be unmapped later is made: global, so an invlpg reaches it in every PCID. */
    MiPcids = MiCpuHasPcids();
    MiPcidSpaces = MmhGetPageMapOps()->LongMode;
    MmhSetGlobalKernelPages(MiPcids);
}

VOID MmInitializeProcessorPaging(VOID) {
    if (MiPcids) {
        /* CR3 names the system's space with PCID 0 here (bits 11:0 clear, as CR4.PCIDE requires). */
        ArWriteCr4(ArReadCr4() | CR4_PGE | CR4_PCIDE);
    }
}

/* Copies a new kernel-directory entry into every space but the current one (PFN lock held). */
static VOID MiCopyKernelEntry(ULONG Slot, ULONGLONG Entry) {
    ULONG Processor = KeGetCurrentProcessorNumber();
    PMMADDRESS_SPACE Current = MiCurrentSpace[Processor];

    for (PMMADDRESS_SPACE Space = MmSystemAddressSpace.Flink;; Space = Space->Flink) {
        if (Space != Current) {
            MmhWriteDirectoryEntry(Processor, Space->KernelDirectory, Slot, Entry);
            MiSpaceStatistics.EntriesCopied++;
        }
        if (Space == &MmSystemAddressSpace) {
            break;
        }
    }
}

/* Describes the boot tables as the system's space, the one every processor starts in; installs the copy hook. */
VOID MiInitializeAddressSpaces(VOID) {
    MMH_SPACE_TABLES Tables;

    MmhDescribeCurrentSpace(&Tables);
    MmSystemAddressSpace.DirectoryTableBase = Tables.PageMapBase;
    MmSystemAddressSpace.TableFrameCount = Tables.Count;
    for (ULONG Index = 0; Index < Tables.Count; Index++) {
        MmSystemAddressSpace.TableFrames[Index] = Tables.Frames[Index];
    }
    MmSystemAddressSpace.KernelDirectory = Tables.KernelDirectory;
    MmSystemAddressSpace.Flink = MmSystemAddressSpace.Blink = &MmSystemAddressSpace;
    MmSystemAddressSpace.ActiveProcessors = ~0ull;
    for (ULONG Number = 0; Number < KE_MAXIMUM_PROCESSORS; Number++) {
        MiCurrentSpace[Number] = &MmSystemAddressSpace;
    }
    MmSystemAddressSpace.PcidValid = ~0ull;
    MiSpaceStatistics.Spaces = 1;
    MiSpaceStatistics.Pcids = MiPcids;
    MiSpaceStatistics.PcidsTracked = MiPcidSpaces;
    RtlInitializeBitMap(&MiPcidMap, MiPcidBits, MI_PCID_COUNT);
    RtlClearAllBits(&MiPcidMap);
    RtlSetBits(&MiPcidMap, 0, 1);
    RtlSetBits(&MiPcidMap, MI_PCID_SHARED, 1);
    MmhSetKernelEntryHook(MiCopyKernelEntry);
    MmInitializeProcessorPaging();
    KdPrint("MM: address spaces: PCIDs %s\n", MiPcids ? "on (a PCID per space, kernel pages global)"
                                              : MiPcidSpaces
                                                  ? "off (this CPU has none; PCIDs still assigned and tracked)"
                                                  : "off (32-bit paging)");
}

XTSTATUS MmCreateProcessAddressSpace(PMMADDRESS_SPACE Space) {
    MMH_SPACE_TABLES Tables;
    KRUNLEVEL Old;

    RtlZeroMemory(Space, sizeof(*Space));
    RtlZeroMemory(&Tables, sizeof(Tables));
    Tables.Count = MmhGetSpaceFrameCount();
    for (ULONG Index = 0; Index < Tables.Count; Index++) {
        Tables.Frames[Index] = MmAllocatePageTableFrame(NULL); /* zeroed, below 4 GiB */
        if (Tables.Frames[Index] == MMH_NO_FRAME) {
            while (Index-- > 0) {
                MmFreePhysicalPage((ULONG_PTR)Tables.Frames[Index]);
            }
            return STATUS_NO_MEMORY;
        }
    }
    /* The kernel half is copied and the space joins the list in one PFN-lock hold: no kernel table is missed. */
    Old = MmLockPfnDatabase();
    MmhBuildSpace(KeGetCurrentProcessorNumber(), &Tables);
    Space->DirectoryTableBase = Tables.PageMapBase;
    Space->TableFrameCount = Tables.Count;
    for (ULONG Index = 0; Index < Tables.Count; Index++) {
        Space->TableFrames[Index] = Tables.Frames[Index];
    }
    Space->KernelDirectory = Tables.KernelDirectory;
    if (MiPcidSpaces) {
        ULONG_PTR Pcid = RtlFindClearBitsAndSet(&MiPcidMap, 1, 1);
        Space->Pcid = Pcid == RTL_BITMAP_NOT_FOUND ? MI_PCID_SHARED : (ULONG)Pcid;
    }
    Space->Flink = &MmSystemAddressSpace;
    Space->Blink = MmSystemAddressSpace.Blink;
    MmSystemAddressSpace.Blink->Flink = Space;
    MmSystemAddressSpace.Blink = Space;
    MiSpaceStatistics.Spaces++;
    MiSpaceStatistics.Created++;
    MmUnlockPfnDatabase(Old);
    return STATUS_SUCCESS;
}

/* What the deletion takes out of a space's user half: frames chained through their PFN entries' Flink (unused while
 * a frame is active), freed only once no translation through the space's tables can be left on this processor. */
typedef struct _MI_RELEASED_FRAMES {
    PMMADDRESS_SPACE Space;
    ULONG_PTR Chain;
} MI_RELEASED_FRAMES, *PMI_RELEASED_FRAMES;

/* MmhReleaseUserHalf's receiver: chains the frame (PFN lock held). */
static VOID MiReleaseUserFrame(ULONGLONG Pfn, BOOLEAN Table, PVOID Context) {
    PMI_RELEASED_FRAMES Released = Context;

    MmPfnDatabase.Entries[Pfn].Flink = Released->Chain;
    Released->Chain = (ULONG_PTR)Pfn;
    if (Table) {
        Released->Space->UserTables--;
    } else {
        Released->Space->UserPages--;
    }
}

VOID MmDeleteProcessAddressSpace(PMMADDRESS_SPACE Space) {
    MI_RELEASED_FRAMES Released = {Space, MM_PFN_NONE};
    MM_ATTACH_STATE State;
    ULONG_PTR Next;
    KRUNLEVEL Old;

    if (Space == &MmSystemAddressSpace || __atomic_load_n(&Space->ActiveProcessors, __ATOMIC_SEQ_CST) != 0) {
        KeBugCheckEx(MEMORY_MANAGEMENT, MM_SPACE_IN_USE, (ULONG_PTR)Space, (ULONG_PTR)Space->ActiveProcessors, 0);
    }
    /* The user half is emptied through the space's own self-map. It stays on the list until this processor has left
     * it, so a kernel table created meanwhile still reaches it. */
    MmAttachAddressSpace(Space, &State);
    Old = MmLockPfnDatabase();
    MmhReleaseUserHalf(MiReleaseUserFrame, &Released);
    MmUnlockPfnDatabase(Old);
    /* The CR3 load drops this processor's translations and cached table entries of the space: then its frames go. */
    MmDetachAddressSpace(&State);
    Old = MmLockPfnDatabase();
    Space->Blink->Flink = Space->Flink;
    Space->Flink->Blink = Space->Blink;
    if (Space->Pcid != 0 && Space->Pcid != MI_PCID_SHARED) {
        /* Reusable at once: a new owner starts with PcidValid 0, so each processor's first load flushes it. */
        RtlClearBits(&MiPcidMap, Space->Pcid, 1);
    }
    MiSpaceStatistics.Spaces--;
    MiSpaceStatistics.Deleted++;
    for (; Released.Chain != MM_PFN_NONE; Released.Chain = Next) {
        Next = MmPfnDatabase.Entries[Released.Chain].Flink;
        MmFreePhysicalPageLocked(Released.Chain, FALSE);
    }
    for (ULONG Index = 0; Index < Space->TableFrameCount; Index++) {
        MmFreePhysicalPageLocked((ULONG_PTR)Space->TableFrames[Index], FALSE);
    }
    MmUnlockPfnDatabase(Old);
    Space->TableFrameCount = 0;
}

PMMADDRESS_SPACE MmSwitchAddressSpace(PMMADDRESS_SPACE New) {
    KRUNLEVEL RunLevel = KeGetCurrentRunLevel();
    ULONGLONG Base, Bit;
    ULONG_PTR Flags;
    ULONG Number;
    PMMADDRESS_SPACE Old;

    if (RunLevel < DISPATCH_LEVEL) {
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, RunLevel, DISPATCH_LEVEL, (ULONG_PTR)__builtin_return_address(0), 0);
    }
    Number = KeGetCurrentProcessorNumber();
    Old = MiCurrentSpace[Number];
    if (Old == New) {
        return Old;
    }
    Bit = 1ull << Number;
    /* In New before its CR3 is loaded: an unmap that reads the mask after this sees this processor and flushes it;
     * one that read it before wrote its PTE (and cleared PcidValid) before this processor reads PcidValid below.
     * Interrupts off until the load, so a shootdown IPI lands in New's context. */
    Flags = ArDisableInterrupts();
    __atomic_or_fetch(&New->ActiveProcessors, Bit, __ATOMIC_SEQ_CST);
    Base = New->DirectoryTableBase;
    if (MiPcidSpaces) {
        /* What a PCID CPU loads; only with CR4.PCIDE on does it reach CR3. */
        if ((__atomic_fetch_or(&New->PcidValid, Bit, __ATOMIC_SEQ_CST) & Bit) && New->Pcid != MI_PCID_SHARED) {
            Base |= MI_CR3_NO_FLUSH; /* its translations on this processor are still right */
            __atomic_add_fetch(&MiSpaceStatistics.CleanSwitches, 1, __ATOMIC_RELAXED);
        }
        Base = MiPcids ? Base | New->Pcid : New->DirectoryTableBase;
    }
    MmhLoadPageMapBase(Base);
    ArRestoreInterrupts(Flags);
    __atomic_and_fetch(&Old->ActiveProcessors, ~Bit, __ATOMIC_SEQ_CST);
    MiCurrentSpace[Number] = New;
    __atomic_add_fetch(&MiSpaceStatistics.Switches, 1, __ATOMIC_RELAXED);
    return Old;
}

PMMADDRESS_SPACE MmGetCurrentAddressSpace(VOID) {
    return MiCurrentSpace[KeGetCurrentProcessorNumber()];
}

VOID MmAttachAddressSpace(PMMADDRESS_SPACE Space, PMM_ATTACH_STATE State) {
    State->RunLevel = KeGetCurrentRunLevel();
    State->Raised = State->RunLevel < DISPATCH_LEVEL;
    if (State->Raised) {
        KeRaiseRunLevel(DISPATCH_LEVEL);
    }
    State->Previous = MmSwitchAddressSpace(Space);
}

VOID MmDetachAddressSpace(PMM_ATTACH_STATE State) {
    MmSwitchAddressSpace(State->Previous);
    if (State->Raised) {
        KeLowerRunLevel(State->RunLevel);
    }
}

/* MmhMapPage's table allocator for a user half: a zeroed low frame, counted in the space (PFN lock held). */
static ULONGLONG MiAllocateUserTable(PVOID Context) {
    ULONGLONG Pfn = MmAllocatePageTableFrameLocked(NULL);

    if (Pfn != MMH_NO_FRAME) {
        ((PMMADDRESS_SPACE)Context)->UserTables++;
    }
    return Pfn;
}

XTSTATUS MmMapUserPage(PMMADDRESS_SPACE Space, ULONG_PTR Va, ULONG_PTR Pfn) {
    MM_ATTACH_STATE State;
    XTSTATUS Status;
    KRUNLEVEL Old;

    if (!MmhIsUserAddress(Va) || (Va & (MM_PAGE_SIZE - 1))) {
        return STATUS_INVALID_PARAMETER;
    }
    MmAttachAddressSpace(Space, &State);
    Old = MmLockPfnDatabase();
    Status = MmhMapPage(Va, Pfn, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, MiAllocateUserTable, Space);
    if (XT_SUCCESS(Status)) {
        Space->UserPages++;
    }
    MmUnlockPfnDatabase(Old);
    MmDetachAddressSpace(&State);
    return Status;
}

XTSTATUS MmMapNewUserPage(PMMADDRESS_SPACE Space, ULONG_PTR Va) {
    ULONG_PTR Pfn = MmAllocatePhysicalPage(TRUE);
    XTSTATUS Status;

    if (Pfn == MM_PFN_NONE) {
        return STATUS_NO_MEMORY;
    }
    Status = MmMapUserPage(Space, Va, Pfn);
    if (!XT_SUCCESS(Status)) {
        MmFreePhysicalPage(Pfn);
    }
    return Status;
}

XTSTATUS MmUnmapUserPage(PMMADDRESS_SPACE Space, ULONG_PTR Va) {
    ULONGLONG Others, Pfn = MMH_NO_FRAME, Self;
    MM_ATTACH_STATE State;
    KRUNLEVEL Old;

    if (!MmhIsUserAddress(Va) || (Va & (MM_PAGE_SIZE - 1))) {
        return STATUS_INVALID_PARAMETER;
    }
    MmAttachAddressSpace(Space, &State);
    Self = 1ull << KeGetCurrentProcessorNumber();
    Old = MmLockPfnDatabase();
    if (MmhIsPageTablePresent(Va) && (MmhReadPte(Va) & PTE_PRESENT)) {
        Pfn = MmhQueryPage(Va, NULL);
        MmhExchangePte(Va, 0);
        MmhFlushTlbEntry(Va);
        Space->UserPages--;
    }
    MmUnlockPfnDatabase(Old);
    /* After the PTE write: no processor may keep this space's PCID without a flush, and every processor that can still
     * hold the translation in its current context is in the mask now. */
    __atomic_store_n(&Space->PcidValid, 0, __ATOMIC_SEQ_CST);
    Others = __atomic_load_n(&Space->ActiveProcessors, __ATOMIC_SEQ_CST) & ~Self;
    MmDetachAddressSpace(&State);
    if (Pfn == MMH_NO_FRAME) {
        return STATUS_NOT_FOUND;
    }
    if (Others != 0) {
        KeFlushSingleTb((PVOID)Va); /* no lock held: the IPI reaches processors that spin with interrupts off */
        __atomic_add_fetch(&MiSpaceStatistics.Shootdowns, 1, __ATOMIC_RELAXED);
    }
    MmFreePhysicalPage((ULONG_PTR)Pfn);
    return STATUS_SUCCESS;
}

VOID MmQueryAddressSpaces(PMM_SPACE_STATISTICS Statistics) {
    KRUNLEVEL Old = MmLockPfnDatabase();

    *Statistics = MiSpaceStatistics;
    MmUnlockPfnDatabase(Old);
}

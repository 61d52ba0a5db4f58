/* MmhMapPage / MmhUnmapPage / MmhQueryPage on a software MMU: page tables live in simulated physical memory, the
 * bound operations find entries by walking them (as the self-map would), and an independent reference walker
 * checks the result in all four modes. */
#include <pagewalk.h>
#include <rtl.h>
#include <xtest.h>

#include "../mmhl.h"

#define SIM_PAGES 128

static __attribute__((aligned(4096))) UCHAR SimMemory[SIM_PAGES][4096];
static ULONG SimUsed;
static MMH_PAGE_MAP_OPS SimOps;
static PCMMH_PAGE_MAP_OPS SimMode;
static BOOLEAN SimNoExecute;
static ULONG SimFlushes;

static ULONGLONG SimRead(ULONGLONG Address, ULONG Size) {
    PUCHAR Byte = &SimMemory[0][0] + Address;
    return Size == 4 ? *(PULONG)Byte : *(PULONGLONG)Byte;
}

static ULONGLONG SimAllocate(PVOID Context) {
    if (SimUsed == SIM_PAGES) {
        return MMH_NO_FRAME;
    }
    RtlZeroMemory(SimMemory[SimUsed], 4096); /* the allocator's duty: a table is complete before it is installed */
    return SimUsed++;
}

/* Index of Va in a table of Level (1 = page table); PML3's top level is the 4-entry PDPT. */
static ULONG SimIndex(ULONGLONG Va, ULONG Level) {
    ULONG Bits = SimMode->EntrySize == 4 ? 10 : 9;
    return (ULONG)((Va >> (12 + (Level - 1) * Bits)) & ((1u << Bits) - 1));
}

/* The entry address the self-map would give, found here by walking the simulated tables from frame 0. */
static ULONGLONG SimGetEntryAddress(ULONGLONG Va, ULONG Level) {
    ULONG Top = SimMode->Mode == XtPagingModePml3 ? 3 : SimMode->Mode;
    ULONGLONG Table = 0;
    for (ULONG Current = Top; Current > Level; Current--) {
        ULONG Index =
            (SimMode->Mode == XtPagingModePml3 && Current == 3) ? (ULONG)((Va >> 30) & 3) : SimIndex(Va, Current);
        ULONGLONG Entry = SimRead(Table * 4096 + Index * SimMode->EntrySize, SimMode->EntrySize);
        if (!(Entry & PTE_PRESENT)) {
            return 0; /* the real self-map address would fault: the mapper must not get here */
        }
        Table = (Entry & (SimMode->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK)) >> 12;
    }
    return (ULONGLONG)(ULONG_PTR)&SimMemory[Table][SimIndex(Va, Level) * SimMode->EntrySize];
}

static ULONGLONG SimReadEntry(ULONGLONG EntryVa) {
    if (EntryVa == 0) {
        return ~0ull; /* a read the real hardware would fault on: looks present, so a test notices */
    }
    return SimMode->EntrySize == 4 ? *(PULONG)(ULONG_PTR)EntryVa : *(PULONGLONG)(ULONG_PTR)EntryVa;
}

static VOID SimWriteEntry(ULONGLONG EntryVa, ULONGLONG Value) {
    if (SimMode->EntrySize == 4) {
        *(PULONG)(ULONG_PTR)EntryVa = (ULONG)Value;
    } else {
        *(PULONGLONG)(ULONG_PTR)EntryVa = Value;
    }
}

PCMMH_PAGE_MAP_OPS MmhGetPageMapOps(VOID) {
    return &SimOps;
}

BOOLEAN MmhIsNoExecuteActive(VOID) {
    return SimNoExecute;
}

BOOLEAN MmhIsAddressValid(ULONGLONG Va) {
    for (ULONG Level = SimOps.Levels; Level >= 1; Level--) {
        ULONGLONG EntryVa = SimGetEntryAddress(Va, Level);
        if (EntryVa == 0 || !(SimReadEntry(EntryVa) & PTE_PRESENT)) {
            return FALSE;
        }
    }
    return TRUE;
}

VOID MmhFlushTlbEntry(ULONGLONG Va) {
    SimFlushes++;
}

/* Binds Mode's real operations with the software MMU's entry access; frame 0 is the top-level table. */
static VOID Setup(PCMMH_PAGE_MAP_OPS Mode, BOOLEAN NoExecute) {
    SimMode = Mode;
    SimOps = *Mode;
    SimOps.GetEntryAddress = SimGetEntryAddress;
    SimOps.ReadEntry = SimReadEntry;
    SimOps.WriteEntry = SimWriteEntry;
    SimNoExecute = NoExecute && Mode->NoExecuteBit != 0;
    RtlZeroMemory(SimMemory, sizeof(SimMemory));
    MmhForgetPageTables(); /* a new hierarchy */
    SimUsed = 1;
    if (Mode->Mode == XtPagingModePml3) {
        for (ULONG Index = 0; Index < 4; Index++) { /* the loader fills the whole PDPT */
            ((PULONGLONG)SimMemory[0])[Index] = ((ULONGLONG)SimUsed << 12) | PTE_PRESENT;
            SimUsed++;
        }
    }
}

static VOID CheckMode(PXTEST_CONTEXT XtestContext, PCMMH_PAGE_MAP_OPS Mode, ULONGLONG Base) {
    static const ULONGLONG Offsets[] = {0, 0x1000, 0x200000, 0x40000000, 0x3FFFF000};
    ULONG Flags, Flushes;

    Setup(Mode, TRUE);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Offsets); Index++) {
        ULONG Protection = (Index % 2) ? MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE : MMH_MAP_NO_EXECUTE;
        XTEST_ASSERT_EQ(MmhMapPage(Base + Offsets[Index], 0x500 + Index, Protection, SimAllocate, NULL),
                        STATUS_SUCCESS);
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Offsets); Index++) {
        PW_RESULT Walk = PwWalk(Mode->Mode, 0, Base + Offsets[Index], SimRead);
        XTEST_ASSERT(Walk.Present);
        XTEST_CHECK_EQ(Walk.Physical, (0x500ull + Index) << 12);
        XTEST_CHECK_EQ(Walk.Writable, Index % 2);
        XTEST_CHECK_EQ(Walk.Executable, Mode->NoExecuteBit == 0);
        XTEST_CHECK_EQ(MmhQueryPage(Base + Offsets[Index], &Flags), 0x500 + Index);
        XTEST_CHECK_EQ((Flags & MMH_MAP_WRITABLE) != 0, Index % 2);
    }
    XTEST_CHECK(!PwWalk(Mode->Mode, 0, Base + 0x2000, SimRead).Present);
    XTEST_CHECK_EQ(MmhMapPage(Base, 0x600, 0, SimAllocate, NULL), STATUS_CONFLICTING_ADDRESSES);
    XTEST_CHECK_EQ(MmhUnmapPage(Base), 0x500);
    XTEST_CHECK(!PwWalk(Mode->Mode, 0, Base, SimRead).Present);
    XTEST_CHECK_EQ(MmhUnmapPage(Base), MMH_NO_FRAME);
    XTEST_CHECK_EQ(MmhQueryPage(Base, NULL), MMH_NO_FRAME);
    XTEST_CHECK(SimFlushes > 0);
    /* MmhExchangePte: the previous entry back, the new one written, no TLB flush (the caller shoots down). */
    XTEST_ASSERT_EQ(MmhMapPage(Base, 0x700, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_SUCCESS);
    Flushes = SimFlushes;
    XTEST_CHECK_EQ(MmhExchangePte(Base, 0x800) & (Mode->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK),
                   0x700ull << 12);
    XTEST_CHECK_EQ(SimFlushes, Flushes);
    XTEST_CHECK(!PwWalk(Mode->Mode, 0, Base, SimRead).Present);
    XTEST_CHECK_EQ(MmhReadPte(Base), 0x800);
    XTEST_CHECK_EQ(MmhExchangePte(Base, 0), 0x800);
}

XTEST(Pml2MapsWithTablesOnDemand) {
    CheckMode(XtestContext, &MmhPml2Ops, 0x80000000ull);
}
XTEST(Pml3MapsWithTablesOnDemand) {
    CheckMode(XtestContext, &MmhPml3Ops, 0x80000000ull);
}
XTEST(Pml4MapsWithTablesOnDemand) {
    CheckMode(XtestContext, &MmhPml4Ops, 0xFFFFF88000000000ull);
}
XTEST(Pml5MapsWithTablesOnDemand) {
    CheckMode(XtestContext, &MmhPml5Ops, 0xFFFFF88000000000ull);
}

XTEST(TableFramesRunningOutFailsCleanly) {
    Setup(&MmhPml4Ops, TRUE);
    SimUsed = SIM_PAGES - 1; /* room for one table, a new region needs three */
    XTEST_CHECK_EQ(MmhMapPage(0xFFFF800000000000ull, 0x10, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_NO_MEMORY);
    XTEST_CHECK(!PwWalk(XtPagingModePml4, 0, 0xFFFF800000000000ull, SimRead).Present);
    XTEST_CHECK_EQ(MmhMapPage(0xFFFF800000001000ull, 0x10, 0, NULL, NULL), STATUS_NO_MEMORY);
}

/* What the kernel-entry hook was told (per-process address spaces copy these entries into every space). */
static ULONG HookCalls, HookSlot;
static ULONGLONG HookEntry;

static VOID RecordKernelEntry(ULONG Slot, ULONGLONG Entry) {
    HookCalls++;
    HookSlot = Slot;
    HookEntry = Entry;
}

/* A new table under a kernel slot of the kernel directory is announced once, with its slot and entry; tables below
 * that level, user tables and (PML3) tables of the shared PD2 are not. Global kernel pages: kernel leaves only. */
static VOID CheckAnnounce(PXTEST_CONTEXT XtestContext, PCMMH_PAGE_MAP_OPS Mode, ULONGLONG KernelVa, ULONG Slot,
                          ULONG DirectoryFrame) {
    ULONGLONG Mask = Mode->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK, Entry;

    Setup(Mode, TRUE);
    MmhSetKernelEntryHook(RecordKernelEntry);
    HookCalls = 0;
    XTEST_ASSERT_EQ(MmhMapPage(0x40000000ull, 0x123, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(MmhMapPage(0x40400000ull, 0x124, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(HookCalls, 0); /* user tables are each space's own */
    if (Mode->DirectoryPointers) {
        XTEST_ASSERT_EQ(MmhMapPage(0x80000000ull, 0x125, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_SUCCESS);
        XTEST_CHECK_EQ(HookCalls, 0); /* PD2 is shared by every space */
    }
    MmhSetGlobalKernelPages(TRUE);
    XTEST_ASSERT_EQ(MmhMapPage(KernelVa, 0x126, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(HookCalls, 1);
    XTEST_CHECK_EQ(HookSlot, Slot);
    Entry = SimReadEntry((ULONGLONG)(ULONG_PTR)&SimMemory[DirectoryFrame][Slot * Mode->EntrySize]);
    XTEST_CHECK_EQ(HookEntry, Entry);
    XTEST_CHECK(Entry & PTE_PRESENT);
    XTEST_CHECK_EQ(Entry & PTE_GLOBAL, 0); /* a table entry: G is for leaves */
    XTEST_CHECK((SimReadEntry(SimGetEntryAddress(KernelVa, 1)) & PTE_GLOBAL) != 0);
    XTEST_ASSERT_EQ(MmhMapPage(0x40001000ull, 0x127, MMH_MAP_WRITABLE, SimAllocate, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(SimReadEntry(SimGetEntryAddress(0x40001000ull, 1)) & PTE_GLOBAL, 0); /* never a user page */
    XTEST_CHECK_EQ(SimReadEntry(SimGetEntryAddress(0x40001000ull, 1)) & Mask, 0x127ull << 12);
    MmhSetGlobalKernelPages(FALSE);
    MmhSetKernelEntryHook(NULL);
}

XTEST(NewKernelDirectoryEntriesAreAnnounced) {
    CheckAnnounce(XtestContext, &MmhPml2Ops, 0xC1000000ull, 0x304, 0);         /* PDE 0x304 of the directory */
    CheckAnnounce(XtestContext, &MmhPml3Ops, 0xC1000000ull, 8, 4);             /* PD3[8] (PD3: frame 4 here) */
    CheckAnnounce(XtestContext, &MmhPml4Ops, 0xFFFFF88000000000ull, 0x1F1, 0); /* PML4 slot 0x1F1 */
    CheckAnnounce(XtestContext, &MmhPml5Ops, 0xFFFFF88000000000ull, 0x1FF, 0); /* PML5 slot 0x1FF */
}

XTEST_SUITE(MmhMappingSuite, XTEST_ENTRY(Pml2MapsWithTablesOnDemand), XTEST_ENTRY(Pml3MapsWithTablesOnDemand),
            XTEST_ENTRY(Pml4MapsWithTablesOnDemand), XTEST_ENTRY(Pml5MapsWithTablesOnDemand),
            XTEST_ENTRY(TableFramesRunningOutFailsCleanly), XTEST_ENTRY(NewKernelDirectoryEntriesAreAnnounced));

XTEST_HOST_MAIN(&MmhMappingSuite)

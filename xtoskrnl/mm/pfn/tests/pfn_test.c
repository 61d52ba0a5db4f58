/* PFN database core over a host array: initialisation, lists, contiguous ranges, reclaim and the checker. */
#include <rtl.h>
#include <xtest.h>

#include <pfn.h>

#include "sanitize_util.h"

#include <stdlib.h>
#define RtlAllocateHostZeroed(Size) calloc(1, (Size))
#define RtlFreeHost(Pointer)        free(Pointer)

static MMPFN Entries[4096];
static MMPFN_DATABASE Database;
static const XT_MEMORY_DESCRIPTOR Map[] = {
    {0x000, 0x010, LoaderFirmwarePermanent, 0},
    {0x010, 0x0F0, LoaderFree, 0},
    {0x100, 0x010, LoaderSystemCode, 0},
    {0x110, 0x030, LoaderFirmwareTemporary, 0},
    {0x140, 0x0C0, LoaderFree, 0},
    {0x200, 0x100, LoaderSpecialMemory, 0}, /* MMIO hole */
    {0x300, 0x004, LoaderBad, 0},
    {0x304, 0x0FC, LoaderFree, 0},
};
#define FREE_FRAMES (0xF0 + 0xC0 + 0xFC)

static VOID Setup(VOID) {
    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntries(&Database, Entries, Map, ARRAY_SIZE(Map));
}

XTEST(InitialisesEveryRangeInOnePass) {
    Setup();
    XTEST_CHECK_EQ(Database.HighestPfn, 0x3FF);
    XTEST_CHECK_EQ(Database.FreeList[MM_PFN_ZONE_LOW].Count, FREE_FRAMES);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnFree], FREE_FRAMES);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnFirmware], 0x10);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnLoader], 0x10);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnReclaimable], 0x30);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnBad], 4);
    XTEST_CHECK_EQ(Entries[0x250].State, MmPfnHole);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(AllocatesToExhaustionAndBack) {
    static ULONG_PTR Taken[FREE_FRAMES];
    BOOLEAN Zeroed;
    Setup();
    for (ULONG Index = 0; Index < FREE_FRAMES; Index++) {
        Taken[Index] = MmAllocatePfn(&Database, FALSE, FALSE, &Zeroed);
        XTEST_ASSERT(Taken[Index] != MM_PFN_NONE);
        XTEST_ASSERT_EQ(Entries[Taken[Index]].State, MmPfnActive);
        XTEST_CHECK(Taken[Index] < 0x300 || Taken[Index] >= 0x304);
    }
    XTEST_CHECK_EQ(MmAllocatePfn(&Database, TRUE, FALSE, &Zeroed), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    for (ULONG Index = 0; Index < FREE_FRAMES; Index++) {
        XTEST_ASSERT_EQ(MmFreePfn(&Database, Taken[Index], Index % 2), STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(MmCountFreePfns(&Database), FREE_FRAMES);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(ZeroedListIsPreferredWhenAsked) {
    BOOLEAN Zeroed = FALSE;
    Setup();
    ULONG_PTR Pfn = MmAllocatePfn(&Database, FALSE, FALSE, &Zeroed);
    XTEST_CHECK(!Zeroed);
    XTEST_ASSERT_EQ(MmFreePfn(&Database, Pfn, TRUE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(MmAllocatePfn(&Database, TRUE, FALSE, &Zeroed), Pfn);
    XTEST_CHECK(Zeroed);
}

XTEST(DoubleFreeAndStrayFramesAreRejected) {
    Setup();
    ULONG_PTR Pfn = MmAllocatePfn(&Database, FALSE, FALSE, NULL);
    XTEST_CHECK_EQ(MmFreePfn(&Database, Pfn, FALSE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(MmFreePfn(&Database, Pfn, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x105, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x400, FALSE), STATUS_NOT_FOUND); /* above the highest frame */
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x250, FALSE), STATUS_NOT_FOUND); /* an MMIO range: no entry */
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(ContiguousRangesRespectAlignmentAndLimit) {
    Setup();
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x20, MM_PFN_NONE, 0x40), 0x40);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x80, MM_PFN_NONE, 1), 0x60);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x100, MM_PFN_NONE, 1), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x10, 0x50, 1), 0x10);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x40, 0x100, 1), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x8, 0x400, 0x100), MM_PFN_NONE); /* 0x300 is bad */
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x8, 0x400, 0x40), 0x140);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 0x8, 0x400, 0x3), MM_PFN_NONE); /* not a power of two */
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(ReclaimAndKeepStates) {
    Setup();
    MmSetPfnState(&Database, 0x20, MmPfnLoader);
    XTEST_CHECK_EQ(Entries[0x20].State, MmPfnLoader);
    XTEST_CHECK_EQ(Database.FreeList[MM_PFN_ZONE_LOW].Count, FREE_FRAMES - 1);
    XTEST_CHECK_EQ(MmReleasePfnState(&Database, MmPfnReclaimable), 0x30);
    XTEST_CHECK_EQ(Database.FreeList[MM_PFN_ZONE_LOW].Count, FREE_FRAMES - 1 + 0x30);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(CheckerFindsCorruption) {
    Setup();
    Entries[Database.FreeList[MM_PFN_ZONE_LOW].Head].Blink = 5;
    XTEST_CHECK(MmCheckPfnDatabase(&Database) > 0);
    Setup();
    Entries[0x120].State = MmPfnFree; /* on no list, but says free */
    XTEST_CHECK(MmCheckPfnDatabase(&Database) > 0);
    Setup();
    Entries[Database.FreeList[MM_PFN_ZONE_LOW].Tail].Flink = Database.FreeList[MM_PFN_ZONE_LOW].Head; /* a cycle */
    XTEST_CHECK(MmCheckPfnDatabase(&Database) > 0);
}

XTEST(ZonesServeHighFirstAndLowOnRequest) {
    static const XT_MEMORY_DESCRIPTOR Zoned[] = {{0x10, 0x10, LoaderFree, 0}, {0x100000, 0x10, LoaderFree, 0}};
    static MMPFN_DATABASE ZonedDatabase;
    PMMPFN Big = RtlAllocateHostZeroed(sizeof(MMPFN) * 0x100010);
    XTEST_ASSERT(Big != NULL);
    MmInitializePfnEntries(&ZonedDatabase, Big, Zoned, ARRAY_SIZE(Zoned));
    XTEST_CHECK_EQ(ZonedDatabase.FreeList[MM_PFN_ZONE_HIGH].Count, 0x10);
    XTEST_CHECK_EQ(MmAllocatePfn(&ZonedDatabase, FALSE, FALSE, NULL), 0x100000);
    XTEST_CHECK_EQ(MmAllocatePfn(&ZonedDatabase, FALSE, TRUE, NULL), 0x10);
    for (ULONG Index = 0; Index < 15; Index++) {
        XTEST_CHECK(MmAllocatePfn(&ZonedDatabase, TRUE, FALSE, NULL) >= 0x100000);
    }
    XTEST_CHECK_EQ(MmAllocatePfn(&ZonedDatabase, FALSE, FALSE, NULL), 0x11); /* high zone empty: low one */
    XTEST_CHECK_EQ(MmFreePfn(&ZonedDatabase, 0x100003, TRUE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ZonedDatabase.ZeroedList[MM_PFN_ZONE_HIGH].Count, 1);
    XTEST_CHECK_EQ(MmCountFreePfns(&ZonedDatabase), 14 + 1);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&ZonedDatabase), 0);
    RtlFreeHost(Big);
}

static XT_MEMORY_DESCRIPTOR Clean[64];

/* Sanitises Hostile, builds a database from it and checks it; returns the number of clean ranges. */
static ULONG BuildFrom(PXTEST_CONTEXT XtestContext, const XT_MEMORY_DESCRIPTOR *Hostile, ULONG Count, ULONGLONG Limit) {
    ULONG Used = TestSanitizeCount(Hostile, Count, Limit, Clean, ARRAY_SIZE(Clean));
    for (ULONG Index = 1; Index < Used; Index++) {
        XTEST_CHECK(Clean[Index].BasePage >= Clean[Index - 1].BasePage + Clean[Index - 1].PageCount);
    }
    for (ULONG Index = 0; Index < Used; Index++) {
        XTEST_CHECK(Clean[Index].PageCount > 0 && Clean[Index].BasePage + Clean[Index].PageCount <= Limit);
    }
    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntries(&Database, Entries, Clean, Used);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    return Used;
}

XTEST(HostileMapsAreSanitised) {
    static const XT_MEMORY_DESCRIPTOR Hostile[] = {
        {0x300, 0x40, LoaderFree, 0},        {0x010, 0x000, LoaderFree, 0},             /* zero length */
        {0x100, 0x100, LoaderFree, 0},       {0x180, 0x10, LoaderSystemCode, 0},        /* used inside free */
        {0x020, 0x20, LoaderSystemBlock, 0}, {0x030, 0x40, LoaderFree, 0},              /* free over used */
        {0x3F0, 0x100, LoaderFree, 0},       {0x5000, 0x10, LoaderFree, 0},             /* past the limit, beyond it */
        {0x200, 0x20, LoaderBad, 0},         {0x210, 0x20, LoaderFirmwarePermanent, 0}, /* used over used */
    };
    ULONG Used = BuildFrom(XtestContext, Hostile, ARRAY_SIZE(Hostile), 0x400);
    XTEST_CHECK(Used >= 6);
    for (ULONG_PTR Pfn = 0x180; Pfn < 0x190; Pfn++) {
        XTEST_CHECK_EQ(Entries[Pfn].State, MmPfnLoader); /* never free */
    }
    for (ULONG_PTR Pfn = 0x20; Pfn < 0x40; Pfn++) {
        XTEST_CHECK_EQ(Entries[Pfn].State, MmPfnLoader);
    }
    XTEST_CHECK_EQ(Entries[0x45].State, MmPfnFree);
    XTEST_CHECK_EQ(Entries[0x17F].State, MmPfnFree);
    XTEST_CHECK_EQ(Entries[0x190].State, MmPfnFree); /* the tail of the free range around the used one */
    XTEST_CHECK_EQ(Entries[0x1FF].State, MmPfnFree);
    XTEST_CHECK_EQ(Entries[0x215].State, MmPfnBad);
    XTEST_CHECK_EQ(Entries[0x225].State, MmPfnFirmware);
    XTEST_CHECK_EQ(Entries[0x3FF].State, MmPfnFree);
    XTEST_CHECK_EQ(Database.HighestPfn, 0x3FF);
}

XTEST(EverythingFreeAndAlmostNothingFree) {
    static const XT_MEMORY_DESCRIPTOR AllFree[] = {{0, 0x1000, LoaderFree, 0}};
    static const XT_MEMORY_DESCRIPTOR OneFree[] = {
        {0, 0x7FF, LoaderFirmwarePermanent, 0}, {0x7FF, 1, LoaderFree, 0}, {0x800, 0x800, LoaderSystemCode, 0}};
    ULONG_PTR Taken = 0;
    BuildFrom(XtestContext, AllFree, 1, 0x1000);
    while (MmAllocatePfn(&Database, FALSE, FALSE, NULL) != MM_PFN_NONE) {
        Taken++;
    }
    XTEST_CHECK_EQ(Taken, 0x1000);
    BuildFrom(XtestContext, OneFree, 3, 0x1000);
    XTEST_CHECK_EQ(MmAllocatePfn(&Database, FALSE, FALSE, NULL), 0x7FF);
    XTEST_CHECK_EQ(MmAllocatePfn(&Database, FALSE, FALSE, NULL), MM_PFN_NONE);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    XTEST_CHECK_EQ(TestSanitizeCount(AllFree, 1, 0, Clean, ARRAY_SIZE(Clean)), 0); /* nothing addressable */
}

XTEST_SUITE(MmPfnSuite, XTEST_ENTRY(HostileMapsAreSanitised), XTEST_ENTRY(EverythingFreeAndAlmostNothingFree),
            XTEST_ENTRY(ZonesServeHighFirstAndLowOnRequest), XTEST_ENTRY(InitialisesEveryRangeInOnePass),
            XTEST_ENTRY(AllocatesToExhaustionAndBack), XTEST_ENTRY(ZeroedListIsPreferredWhenAsked),
            XTEST_ENTRY(DoubleFreeAndStrayFramesAreRejected), XTEST_ENTRY(ContiguousRangesRespectAlignmentAndLimit),
            XTEST_ENTRY(ReclaimAndKeepStates), XTEST_ENTRY(CheckerFindsCorruption));

XTEST_HOST_MAIN(&MmPfnSuite)

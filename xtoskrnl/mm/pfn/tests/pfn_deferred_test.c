/* Deferred PFN initialisation over a host array: a database built below a limit, then extended chunk by chunk, ends
 * exactly like one built in one pass (states, counts, lists), whatever the chunk size, and stays consistent after
 * every chunk; frames become allocatable as their chunk is published; a reclaim before or while a chunk is written
 * still frees the chunk's reclaimable frames. */
#include <rtl.h>
#include <xtest.h>

#include <pfn.h>

#define FRAMES 0x1000

static MMPFN Entries[FRAMES], Reference[FRAMES];
static MMPFN_DATABASE Database, ReferenceDatabase;
static const XT_MEMORY_DESCRIPTOR Map[] = {
    {0x000, 0x010, LoaderFirmwarePermanent, 0},
    {0x010, 0x0F0, LoaderFree, 0},
    {0x100, 0x010, LoaderSystemCode, 0},
    {0x110, 0x030, LoaderFirmwareTemporary, 0},
    {0x140, 0x0C0, LoaderFree, 0},
    {0x200, 0x100, LoaderSpecialMemory, 0},
    {0x300, 0x004, LoaderBad, 0},
    {0x304, 0x4FC, LoaderFree, 0},
    {0x900, 0x040, LoaderOsloaderHeap, 0},
    {0xA00, 0x600, LoaderFree, 0},
};

/* Builds Database below Limit, then publishes chunks of Step frames up to the end, checking after each. */
static VOID BuildDeferred(PXTEST_CONTEXT XtestContext, ULONG_PTR Limit, ULONG_PTR Step) {
    MMPFN_CHUNK Chunk;

    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntriesBelow(&Database, Entries, Map, ARRAY_SIZE(Map), Limit);
    XTEST_CHECK_EQ(Database.ReadyLimit, Limit);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    for (ULONG_PTR First = Limit; First < FRAMES; First += Step) {
        ULONG_PTR End = First + Step < FRAMES ? First + Step : FRAMES;
        MmPreparePfnEntries(&Database, &Chunk, First, End);
        XTEST_CHECK_EQ(Database.ReadyLimit, First); /* nothing visible before the publish */
        XTEST_ASSERT_EQ(MmPublishPfnEntries(&Database, &Chunk), STATUS_SUCCESS);
        XTEST_CHECK_EQ(Database.ReadyLimit, End);
        XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    }
}

/* The database ends as the one-pass one: same entry states, same counts, same list lengths. */
static VOID CheckSameAsOnePass(PXTEST_CONTEXT XtestContext) {
    RtlZeroMemory(Reference, sizeof(Reference));
    MmInitializePfnEntries(&ReferenceDatabase, Reference, Map, ARRAY_SIZE(Map));
    for (ULONG_PTR Pfn = 0; Pfn < FRAMES; Pfn++) {
        XTEST_ASSERT_EQ(Entries[Pfn].State, Reference[Pfn].State);
    }
    for (ULONG State = 0; State < MmPfnStateCount; State++) {
        XTEST_CHECK_EQ(Database.StateCount[State], ReferenceDatabase.StateCount[State]);
    }
    XTEST_CHECK_EQ(MmCountFreePfns(&Database), MmCountFreePfns(&ReferenceDatabase));
    /* Usable RAM: everything but the firmware's and the bad frames, written or not. */
    XTEST_CHECK_EQ(MmCountRamPfns(&Database, 0, FRAMES), 0xF0 + 0x10 + 0x30 + 0xC0 + 0x4FC + 0x40 + 0x600);
    XTEST_CHECK_EQ(Database.ReadyLimit, Database.HighestPfn + 1);
}

XTEST(ChunksEndLikeOnePass) {
    static const ULONG_PTR Steps[] = {1, 7, 0x100, 0x333, FRAMES};
    static const ULONG_PTR Limits[] = {0, 0x10, 0x150, 0x305, 0x9FF};

    for (ULONG Limit = 0; Limit < ARRAY_SIZE(Limits); Limit++) {
        for (ULONG Step = 0; Step < ARRAY_SIZE(Steps); Step++) {
            BuildDeferred(XtestContext, Limits[Limit], Steps[Step]);
            CheckSameAsOnePass(XtestContext);
        }
    }
}

XTEST(FramesBecomeAllocatableAsTheirChunkIsPublished) {
    MMPFN_CHUNK Chunk;
    ULONG_PTR Pfn, Taken = 0;

    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntriesBelow(&Database, Entries, Map, ARRAY_SIZE(Map), 0x100);
    XTEST_CHECK_EQ(MmCountFreePfns(&Database), 0xF0);
    XTEST_CHECK(!MmIsPfnBacked(&Database, 0x150)); /* RAM, but its entry is not written yet */
    XTEST_CHECK_EQ(MmFreePfn(&Database, 0x150, FALSE), STATUS_NOT_FOUND);
    while ((Pfn = MmAllocatePfn(&Database, FALSE, FALSE, NULL)) != MM_PFN_NONE) {
        XTEST_CHECK(Pfn < 0x100);
        Taken++;
    }
    XTEST_CHECK_EQ(Taken, 0xF0);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 4, FRAMES, 1), MM_PFN_NONE); /* nothing beyond the limit */
    MmPreparePfnEntries(&Database, &Chunk, 0x100, 0x200);
    XTEST_CHECK_EQ(MmAllocatePfn(&Database, FALSE, FALSE, NULL), MM_PFN_NONE);
    XTEST_ASSERT_EQ(MmPublishPfnEntries(&Database, &Chunk), STATUS_SUCCESS);
    XTEST_CHECK(MmIsPfnBacked(&Database, 0x150));
    Pfn = MmAllocatePfn(&Database, FALSE, FALSE, NULL);
    XTEST_CHECK(Pfn >= 0x140 && Pfn < 0x200);
    XTEST_CHECK_EQ(MmAllocateContiguousPfns(&Database, 4, FRAMES, 4) >= 0x140, TRUE);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(OutOfOrderChunksAreRefused) {
    MMPFN_CHUNK Chunk;

    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntriesBelow(&Database, Entries, Map, ARRAY_SIZE(Map), 0x100);
    MmPreparePfnEntries(&Database, &Chunk, 0x200, 0x300);
    XTEST_CHECK_EQ(MmPublishPfnEntries(&Database, &Chunk), STATUS_INVALID_PARAMETER);
    MmPreparePfnEntries(&Database, &Chunk, 0x100, FRAMES + 1);
    XTEST_CHECK_EQ(MmPublishPfnEntries(&Database, &Chunk), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(Database.ReadyLimit, 0x100);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(ReclaimBeforeOrDuringAChunkFreesItsFrames) {
    MMPFN_CHUNK Chunk;

    /* Reclaimed before the chunk is written: its heap frames start free. */
    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntriesBelow(&Database, Entries, Map, ARRAY_SIZE(Map), 0x120);
    XTEST_CHECK_EQ(MmReleasePfnState(&Database, MmPfnReclaimable), 0x10); /* 0x110..0x11F are ready */
    MmPreparePfnEntries(&Database, &Chunk, 0x120, FRAMES);
    XTEST_ASSERT_EQ(MmPublishPfnEntries(&Database, &Chunk), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnReclaimable], 0);
    XTEST_CHECK_EQ(Entries[0x920].State, MmPfnFree);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
    /* Reclaimed between the chunk's preparation and its publication: released when it is published. */
    RtlZeroMemory(Entries, sizeof(Entries));
    MmInitializePfnEntriesBelow(&Database, Entries, Map, ARRAY_SIZE(Map), 0x120);
    MmPreparePfnEntries(&Database, &Chunk, 0x120, FRAMES);
    XTEST_CHECK_EQ(MmReleasePfnState(&Database, MmPfnReclaimable), 0x10);
    XTEST_ASSERT_EQ(MmPublishPfnEntries(&Database, &Chunk), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Database.StateCount[MmPfnReclaimable], 0);
    XTEST_CHECK_EQ(Entries[0x120].State, MmPfnFree);
    XTEST_CHECK_EQ(Entries[0x93F].State, MmPfnFree);
    XTEST_CHECK_EQ(MmCountFreePfns(&Database), 0xF0 + 0xC0 + 0x4FC + 0x600 + 0x30 + 0x40);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&Database), 0);
}

XTEST(ZonesSplitInsideAChunk) {
    static const XT_MEMORY_DESCRIPTOR Zoned[] = {{0x10, 0x10, LoaderFree, 0}, {0xFFFF0, 0x20, LoaderFree, 0}};
    static MMPFN_DATABASE ZonedDatabase;
    static MMPFN Big[0x100010];
    MMPFN_CHUNK Chunk;

    MmInitializePfnEntriesBelow(&ZonedDatabase, Big, Zoned, ARRAY_SIZE(Zoned), 0x20);
    MmPreparePfnEntries(&ZonedDatabase, &Chunk, 0x20, 0x100010);
    XTEST_ASSERT_EQ(MmPublishPfnEntries(&ZonedDatabase, &Chunk), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ZonedDatabase.FreeList[MM_PFN_ZONE_LOW].Count, 0x10 + 0x10);
    XTEST_CHECK_EQ(ZonedDatabase.FreeList[MM_PFN_ZONE_HIGH].Count, 0x10);
    XTEST_CHECK_EQ(MmAllocatePfn(&ZonedDatabase, FALSE, FALSE, NULL), 0x100000);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&ZonedDatabase), 0);
}

XTEST_SUITE(MmPfnDeferredSuite, XTEST_ENTRY(ChunksEndLikeOnePass),
            XTEST_ENTRY(FramesBecomeAllocatableAsTheirChunkIsPublished), XTEST_ENTRY(OutOfOrderChunksAreRefused),
            XTEST_ENTRY(ReclaimBeforeOrDuringAChunkFreesItsFrames), XTEST_ENTRY(ZonesSplitInsideAChunk));

XTEST_HOST_MAIN(&MmPfnDeferredSuite)

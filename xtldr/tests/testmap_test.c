/* Tests of the loader's test modes on the kernel's memory map: TESTPTDB's placement on top of the range the
 * kernel's PFN database comes from, and TESTDESCSTRIDE's spreading. */
#include <rtl.h>
#include <xtest.h>

#include "../testmap.h"

static XT_MEMORY_DESCRIPTOR Map[16];
static ULONG Count;

static VOID Set(ULONG Index, ULONGLONG Base, ULONGLONG Pages, ULONG Type) {
    Map[Index] = (XT_MEMORY_DESCRIPTOR){Base, Pages, Type, 0};
    Count = Index + 1;
}

static BOOLEAN Is(ULONG Index, ULONGLONG Base, ULONGLONG Pages, ULONG Type) {
    return Index < Count && Map[Index].BasePage == Base && Map[Index].PageCount == Pages &&
           Map[Index].MemoryType == Type && Map[Index].Reserved == 0;
}

/* An OVMF-like map at 128 MiB: the block (PFN 0x5000..0x503F) inside the large free range 0x100..0x6F00. */
static VOID OvmfLike(VOID) {
    Set(0, 0x0, 0xA0, LoaderFree);
    Set(1, 0x100, 0x6E00, LoaderFree);
    Set(2, 0x6F00, 0x80, LoaderSystemCode);
    Set(3, 0x6F80, 0x200, LoaderFirmwareTemporary);
    Set(4, 0x7180, 0x100, LoaderFree);
    Set(5, 0x7280, 0xD80, LoaderFirmwarePermanent);
}

XTEST(BlockBecomesTheTopOfTheLargestFreeRange) {
    XT_MEMORY_DESCRIPTOR Range;
    OvmfLike();
    XTEST_ASSERT_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x5000, 0x40, &Range), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Count, 7);
    XTEST_CHECK(Is(1, 0x100, 0x4F40, LoaderFree));
    XTEST_CHECK(Is(2, 0x5040, 0x1EC0, LoaderFirmwareTemporary));
    XTEST_CHECK(Is(3, 0x6F00, 0x80, LoaderSystemCode));
    XTEST_CHECK(Range.BasePage == 0x100 && Range.PageCount == 0x4F40 && Range.MemoryType == LoaderFree);
}

XTEST(TrimmedPartMergesWithAFollowingReclaimableRange) {
    XT_MEMORY_DESCRIPTOR Range;
    Set(0, 0x100, 0x6E00, LoaderFree);
    Set(1, 0x6F00, 0x200, LoaderFirmwareTemporary);
    XTEST_ASSERT_EQ(BlTestPutFramesAtTop(Map, &Count, 2, 0x5000, 0x40, &Range), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Count, 2); /* no new descriptor: adjacent equal types stay merged */
    XTEST_CHECK(Is(0, 0x100, 0x4F40, LoaderFree));
    XTEST_CHECK(Is(1, 0x5040, 0x20C0, LoaderFirmwareTemporary));
}

XTEST(BlockAlreadyOnTopNeedsNoSplit) {
    XT_MEMORY_DESCRIPTOR Range;
    Set(0, 0x100, 0x6E00, LoaderFree);
    Set(1, 0x6F00, 0x10, LoaderSystemCode);
    XTEST_ASSERT_EQ(BlTestPutFramesAtTop(Map, &Count, 2, 0x6EC0, 0x40, &Range), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Count, 2);
    XTEST_CHECK(Is(0, 0x100, 0x6E00, LoaderFree));
}

XTEST(FailsWhenTheRangeIsNotWhereTheKernelCarves) {
    XT_MEMORY_DESCRIPTOR Range;
    /* Too little below the block: another free range is larger. */
    OvmfLike();
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x150, 0x40, &Range), STATUS_UNSUCCESSFUL);
    /* A tie with an earlier range: the kernel takes the first. */
    Set(0, 0x100, 0x1000, LoaderFree);
    Set(1, 0x1100, 0x10, LoaderSystemCode);
    Set(2, 0x1110, 0x2000, LoaderFree);
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x20D0, 0x40, &Range), STATUS_UNSUCCESSFUL);
    Set(0, 0x100, 0xFFF, LoaderFree);
    Set(1, 0x10FF, 0x11, LoaderSystemCode);
    Set(2, 0x1110, 0x2000, LoaderFree);
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x20D0, 0x40, &Range), STATUS_SUCCESS);
    /* A larger range above 4 GiB is where the database would come from. */
    Set(0, 0x100, 0x6E00, LoaderFree);
    Set(1, 0x6F00, 0x100, LoaderSystemCode);
    Set(2, 0x100000, 0x80000, LoaderFree);
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x6000, 0x40, &Range), STATUS_UNSUCCESSFUL);
    /* A smaller range crossing 4 GiB does not matter. */
    Set(2, 0xFF000, 0x3000, LoaderFree);
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x6000, 0x40, &Range), STATUS_SUCCESS);
    XTEST_CHECK(Range.BasePage == 0x100 && Range.PageCount == 0x5F40);
}

XTEST(FailsWhenTheBlockIsNotInsideOneFreeRange) {
    XT_MEMORY_DESCRIPTOR Range;
    OvmfLike();
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x6EE0, 0x40, &Range), STATUS_NOT_FOUND);
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x6F00, 0x40, &Range), STATUS_NOT_FOUND);
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, ARRAY_SIZE(Map), 0x5000, 0, &Range), STATUS_NOT_FOUND);
    XTEST_CHECK_EQ(Count, 6);
    /* No room for the split: the map is left as it was. */
    XTEST_CHECK_EQ(BlTestPutFramesAtTop(Map, &Count, 6, 0x5000, 0x40, &Range), STATUS_BUFFER_TOO_SMALL);
    XTEST_CHECK_EQ(Count, 6);
    XTEST_CHECK(Is(1, 0x100, 0x6E00, LoaderFree));
}

XTEST(SpreadKeepsEveryDescriptorAndPoisonsTheGaps) {
    static UCHAR Buffer[8 * 40];
    PXT_MEMORY_DESCRIPTOR Packed = (PXT_MEMORY_DESCRIPTOR)Buffer;
    for (ULONG Index = 0; Index < 8; Index++) {
        Packed[Index] = (XT_MEMORY_DESCRIPTOR){0x1000 * Index + 1, Index + 1, Index % LoaderMaximum, 0};
    }
    BlTestSpreadDescriptors(Buffer, 8, 40, BL_TEST_DESCRIPTOR_POISON);
    for (ULONG Index = 0; Index < 8; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = (const XT_MEMORY_DESCRIPTOR *)(Buffer + Index * 40);
        XTEST_CHECK_EQ(Descriptor->BasePage, 0x1000 * Index + 1);
        XTEST_CHECK_EQ(Descriptor->PageCount, Index + 1);
        XTEST_CHECK_EQ(Descriptor->MemoryType, Index % LoaderMaximum);
        for (ULONG Byte = 24; Byte < 40; Byte++) {
            XTEST_CHECK_EQ(Buffer[Index * 40 + Byte], BL_TEST_DESCRIPTOR_POISON);
        }
    }
    /* Read at the structure's size, the array is garbage: what a kernel that ignores the stride would see. */
    XTEST_CHECK(Packed[1].BasePage != 0x1001);
}

XTEST(RamPagesFollowTheKernelsCount) {
    static XT_MEMORY_DESCRIPTOR Spread[6 * 2];
    OvmfLike();
    Set(6, 0x8000, 0x10, LoaderBad);
    Set(7, 0x9000, 0x10, LoaderSpecialMemory);
    XTEST_CHECK_EQ(BlTestCountRamPages(Map, Count, sizeof(XT_MEMORY_DESCRIPTOR)), 0xA0 + 0x6E00 + 0x80 + 0x200 + 0x100);
    RtlCopyMemory(Spread, Map, 6 * sizeof(XT_MEMORY_DESCRIPTOR));
    BlTestSpreadDescriptors(Spread, 6, 2 * sizeof(XT_MEMORY_DESCRIPTOR), 0);
    XTEST_CHECK_EQ(BlTestCountRamPages(Spread, 6, 2 * sizeof(XT_MEMORY_DESCRIPTOR)),
                   0xA0 + 0x6E00 + 0x80 + 0x200 + 0x100);
}

XTEST_SUITE(BlTestMapSuite, XTEST_ENTRY(BlockBecomesTheTopOfTheLargestFreeRange),
            XTEST_ENTRY(TrimmedPartMergesWithAFollowingReclaimableRange), XTEST_ENTRY(BlockAlreadyOnTopNeedsNoSplit),
            XTEST_ENTRY(FailsWhenTheRangeIsNotWhereTheKernelCarves),
            XTEST_ENTRY(FailsWhenTheBlockIsNotInsideOneFreeRange),
            XTEST_ENTRY(SpreadKeepsEveryDescriptorAndPoisonsTheGaps), XTEST_ENTRY(RamPagesFollowTheKernelsCount));

XTEST_HOST_MAIN(&BlTestMapSuite)

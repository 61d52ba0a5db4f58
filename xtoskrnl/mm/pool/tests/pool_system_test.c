/* PoolSystemApiSuite (host-only: it initialises the system's pool): the Mm and Ex entry points. */
#include "pool_host_suites.h"
#include "pool_test_util.h"

typedef struct _SYSTEM_TEST_TEXT {
    CHAR Buffer[1024];
    SIZE_T Length;
} SYSTEM_TEST_TEXT;

static VOID Collect(PVOID Context, PCSTR Characters, SIZE_T Count) {
    SYSTEM_TEST_TEXT *Text = Context;

    while (Count-- != 0 && Text->Length + 1 < sizeof(Text->Buffer)) {
        Text->Buffer[Text->Length++] = *Characters++;
    }
    Text->Buffer[Text->Length] = 0;
}

XTEST(InitialiseAllocateFreeReport) {
    PVOID Small, Big, Special, Ex;
    MM_POOL_TAG_STATISTICS Tag;
    MM_POOL_STATISTICS Statistics;
    SYSTEM_TEST_TEXT Text = {{0}, 0};
    SIZE_T SmallBytes = PoolTestGranules(40) * MI_POOL_GRANULE;
    static const CHAR Header[] = "Tag        Allocs        Frees         Live          Bytes\n";

    XTEST_CHECK_EQ(MmInitializeNonPagedPool(0), STATUS_INVALID_PARAMETER);
    XTEST_ASSERT_EQ(MmInitializeNonPagedPool(POOL_TEST_COOKIE), STATUS_SUCCESS);
    Small = MmAllocatePool(NonPagedPool, 40, POOL_TAG_A);
    Big = MmAllocatePool(NonPagedPool, 2 * MM_PAGE_SIZE, POOL_TAG_B);
    MmSetSpecialPoolTag(POOL_TAG_C);
    Special = MmAllocatePool(NonPagedPool, 32, POOL_TAG_C);
    MmClearSpecialPoolTag();
    Ex = ExAllocatePoolWithTag(NonPagedPool, 40, POOL_TAG_A);
    XTEST_ASSERT(Small != NULL && Big != NULL && Special != NULL && Ex != NULL);
    XTEST_CHECK_EQ(((ULONG_PTR)Special + 32) % MM_PAGE_SIZE, 0);
    XTEST_CHECK(MmQueryPoolTag(POOL_TAG_A, &Tag));
    XTEST_CHECK_EQ(Tag.Allocations, 2);
    XTEST_CHECK_EQ(Tag.BytesInUse, 2 * SmallBytes);
    XTEST_CHECK_EQ(MmCheckPoolConsistency(), 0);
    MmQueryPoolStatistics(&Statistics);
    XTEST_CHECK_EQ(Statistics.SmallPages, 1);
    XTEST_CHECK_EQ(Statistics.BigAllocations, 2);
    XTEST_CHECK_EQ(Statistics.BigPages, 3);
    XTEST_CHECK_EQ(Statistics.Allocations, 4);
    XTEST_CHECK_EQ(Statistics.TagsTracked, 3);
    MmDumpPoolTags(Collect, &Text);
    XtestPrint("%s", Text.Buffer);
    XTEST_CHECK(RtlCompareCString(Text.Buffer, Header, RtlStringLength(Header, 64), FALSE) == 0);
    ExFreePoolWithTag(Ex, POOL_TAG_A);
    MmFreePool(Small, POOL_TAG_A);
    MmFreePool(Big, POOL_TAG_B);
    MmFreePool(Special, POOL_TAG_C);
    MmQueryPoolStatistics(&Statistics);
    XTEST_CHECK_EQ(Statistics.Frees, 4);
    XTEST_CHECK_EQ(Statistics.BigAllocations, 0);
    XTEST_CHECK_EQ(MmCheckPoolConsistency(), 0);
}

XTEST_SUITE(PoolSystemApiSuite, XTEST_ENTRY(InitialiseAllocateFreeReport));

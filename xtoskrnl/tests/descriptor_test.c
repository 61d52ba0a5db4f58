/* Segment descriptor encoding against the well-known flat descriptors. */
#include <descriptor.h>
#include <tests/kernel_suites.h>

XTEST(FlatDescriptors) {
    XTEST_CHECK_EQ(ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT),
                   0x00CF9A000000FFFFull);
    XTEST_CHECK_EQ(ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT),
                   0x00CF92000000FFFFull);
    XTEST_CHECK_EQ(ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_LONG_MODE),
                   0x00AF9A000000FFFFull);
    XTEST_CHECK_EQ(ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_LONG_MODE),
                   0x00AFFA000000FFFFull);
}

XTEST(TssDescriptorSplitsTheBase) {
    XTEST_CHECK_EQ(ArMakeSegmentDescriptor(0x12345678, 0x67, AR_ACCESS_TSS, 0), 0x1200893456780067ull);
}

XTEST_SUITE(ArDescriptorSuite, XTEST_ENTRY(FlatDescriptors), XTEST_ENTRY(TssDescriptorSplitsTheBase));

XTEST_HOST_MAIN(&ArDescriptorSuite)

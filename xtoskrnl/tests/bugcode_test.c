/* KiClassifyTrap (exception -> STOP code and parameters) and KiWalkFrameChain over synthetic stacks. */
#include <rtl.h>

#include <bugcode.h>
#include <tests/kernel_suites.h>

XTEST(PageFaultNotPresentIs0x50) {
    KI_TRAP_INFO Info = {14, KI_PF_WRITE, 0x1234, 0x8000, 0, 0xDEAD000};
    KI_STOP Stop;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, PAGE_FAULT_IN_NONPAGED_AREA);
    XTEST_CHECK_EQ(Stop.Parameters[0], 0xDEAD000);
    XTEST_CHECK_EQ(Stop.Parameters[1], 1);
    XTEST_CHECK_EQ(Stop.Parameters[2], 0x1234);
    Info.ErrorCode = 0;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, PAGE_FAULT_IN_NONPAGED_AREA);
    XTEST_CHECK_EQ(Stop.Parameters[1], 0);
}

XTEST(ProtectionFaultsHaveTheirOwnCodes) {
    KI_TRAP_INFO Info = {14, KI_PF_PRESENT | KI_PF_WRITE, 0x1234, 0x8000, 0, 0x5000};
    KI_STOP Stop;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, ATTEMPTED_WRITE_TO_READONLY_MEMORY);
    Info.ErrorCode = KI_PF_PRESENT | KI_PF_FETCH;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY);
}

XTEST(OtherVectorsAreUnexpectedKernelModeTraps) {
    KI_TRAP_INFO Info = {8, 0, 0x4321, 0x9000, 0, 0};
    KI_STOP Stop;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, UNEXPECTED_KERNEL_MODE_TRAP);
    XTEST_CHECK_EQ(Stop.Parameters[0], 8);
    XTEST_CHECK_EQ(Stop.Parameters[2], 0x4321);
    XTEST_CHECK_EQ(Stop.Parameters[3], 0x9000);
    Info.Vector = 13;
    Info.ErrorCode = 0xFFF8;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, UNEXPECTED_KERNEL_MODE_TRAP);
    XTEST_CHECK_EQ(Stop.Parameters[0], 13);
    XTEST_CHECK_EQ(Stop.Parameters[1], 0xFFF8);
    Info.Vector = 2;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, NMI_HARDWARE_FAILURE);
    Info.Vector = 18;
    KiClassifyTrap(&Info, &Stop);
    XTEST_CHECK_EQ(Stop.Code, MACHINE_CHECK_EXCEPTION);
}

XTEST(NamesOfCodesAndVectors) {
    XTEST_CHECK(RtlCompareCString(KiBugCheckName(0x50), "PAGE_FAULT_IN_NONPAGED_AREA", 64, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KiBugCheckName(0x1E0), "KERNEL_UBSAN_VIOLATION", 64, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KiBugCheckName(0x12345), "UNKNOWN", 64, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KiVectorName(14), "#PF", 8, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KiVectorName(8), "#DF", 8, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KiVectorName(200), "#??", 8, FALSE) == 0);
}

/* A synthetic stack: frames at words 4, 10 and 20, each {previous frame, return address}. */
static VOID BuildStack(ULONG_PTR *Stack) {
    RtlZeroMemory(Stack, 32 * sizeof(ULONG_PTR));
    Stack[4] = (ULONG_PTR)&Stack[10];
    Stack[5] = 0x1111;
    Stack[10] = (ULONG_PTR)&Stack[20];
    Stack[11] = 0x2222;
    Stack[20] = 0;
    Stack[21] = 0x3333;
}

XTEST(WalkFollowsTheChainUpTheStack) {
    ULONG_PTR Stack[32], Out[8];
    BuildStack(Stack);
    ULONG Count = KiWalkFrameChain((ULONG_PTR)&Stack[4], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[32], Out, 8);
    XTEST_ASSERT_EQ(Count, 3);
    XTEST_CHECK_EQ(Out[0], 0x1111);
    XTEST_CHECK_EQ(Out[1], 0x2222);
    XTEST_CHECK_EQ(Out[2], 0x3333);
}

XTEST(WalkStopsAtBoundsLoopsAndLimit) {
    ULONG_PTR Stack[32], Out[8];
    BuildStack(Stack);
    /* The upper bound cuts the last frame off. */
    XTEST_CHECK_EQ(KiWalkFrameChain((ULONG_PTR)&Stack[4], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[21], Out, 8), 2);
    /* A frame pointer below the stack, misaligned, or NULL: nothing read. */
    XTEST_CHECK_EQ(KiWalkFrameChain((ULONG_PTR)&Stack[4], (ULONG_PTR)&Stack[5], (ULONG_PTR)&Stack[32], Out, 8), 0);
    XTEST_CHECK_EQ(KiWalkFrameChain((ULONG_PTR)&Stack[4] + 1, (ULONG_PTR)Stack, (ULONG_PTR)&Stack[32], Out, 8), 0);
    XTEST_CHECK_EQ(KiWalkFrameChain(0, (ULONG_PTR)Stack, (ULONG_PTR)&Stack[32], Out, 8), 0);
    /* A chain pointing down (or at itself) ends the walk. */
    Stack[10] = (ULONG_PTR)&Stack[4];
    XTEST_CHECK_EQ(KiWalkFrameChain((ULONG_PTR)&Stack[4], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[32], Out, 8), 2);
    /* MaxFrames bounds the output. */
    BuildStack(Stack);
    XTEST_CHECK_EQ(KiWalkFrameChain((ULONG_PTR)&Stack[4], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[32], Out, 1), 1);
    /* A zero return address ends the walk. */
    Stack[11] = 0;
    XTEST_CHECK_EQ(KiWalkFrameChain((ULONG_PTR)&Stack[4], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[32], Out, 8), 1);
}

XTEST(ScanFindsCodeAddressesInsideTheBounds) {
    ULONG_PTR Stack[16] = {0}, Out[4];
    Stack[0] = 0x5000; /* below SP: never read */
    Stack[3] = 0x4010;
    Stack[5] = 0x3FFF; /* just below the code range */
    Stack[6] = 0x5000; /* just above */
    Stack[9] = 0x4FFF;
    Stack[15] = 0x4001;
    XTEST_ASSERT_EQ(
        KiScanStackForCode((ULONG_PTR)&Stack[2], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[16], 0x4000, 0x1000, 64, Out, 4),
        3);
    XTEST_CHECK_EQ(Out[0], 0x4010);
    XTEST_CHECK_EQ(Out[1], 0x4FFF);
    XTEST_CHECK_EQ(Out[2], 0x4001);
    /* MaxWords, MaxFound and the upper bound limit the scan. */
    XTEST_CHECK_EQ(
        KiScanStackForCode((ULONG_PTR)&Stack[2], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[16], 0x4000, 0x1000, 4, Out, 4),
        1);
    XTEST_CHECK_EQ(
        KiScanStackForCode((ULONG_PTR)&Stack[2], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[16], 0x4000, 0x1000, 64, Out, 2),
        2);
    XTEST_CHECK_EQ(
        KiScanStackForCode((ULONG_PTR)&Stack[2], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[15], 0x4000, 0x1000, 64, Out, 4),
        2);
    /* A stack pointer outside the stack reads nothing above the stack. */
    XTEST_CHECK_EQ(
        KiScanStackForCode((ULONG_PTR)&Stack[16], (ULONG_PTR)Stack, (ULONG_PTR)&Stack[16], 0x4000, 0x1000, 64, Out, 4),
        0);
}

XTEST_SUITE(KeBugCodeSuite, XTEST_ENTRY(PageFaultNotPresentIs0x50), XTEST_ENTRY(ProtectionFaultsHaveTheirOwnCodes),
            XTEST_ENTRY(OtherVectorsAreUnexpectedKernelModeTraps), XTEST_ENTRY(NamesOfCodesAndVectors),
            XTEST_ENTRY(WalkFollowsTheChainUpTheStack), XTEST_ENTRY(WalkStopsAtBoundsLoopsAndLimit),
            XTEST_ENTRY(ScanFindsCodeAddressesInsideTheBounds));

XTEST_HOST_MAIN(&KeBugCodeSuite)

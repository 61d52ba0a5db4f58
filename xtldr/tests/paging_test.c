/* Page-table builder tests for all four modes, checked by an independent reference walker. */
#include <rtl.h>
#include <pagewalk.h>
#include <xtest.h>

#include "../paging.h"

#define SIM_BASE  0x00200000ull
#define SIM_PAGES 256

static ULONGLONG SimMemory[SIM_PAGES][512];
static ULONG SimUsed;
static ULONG SimLimit;
static ULONGLONG Frames[SIM_PAGES];

static ULONGLONG SimAllocate(PVOID Context) {
    if (SimUsed == SimLimit) {
        return 0;
    }
    RtlZeroMemory(SimMemory[SimUsed], MM_PAGE_SIZE);
    return SIM_BASE + (ULONGLONG)(SimUsed++) * MM_PAGE_SIZE;
}

static PVOID SimPointer(PVOID Context, ULONGLONG Address) {
    return (PUCHAR)SimMemory + (Address - SIM_BASE);
}

static ULONGLONG SimRead(ULONGLONG Address, ULONG Size) {
    PUCHAR Byte = SimPointer(NULL, Address);
    return Size == 4 ? *(PULONG)Byte : *(PULONGLONG)Byte;
}

/* The reference walker (testing/pagewalk) over this test's simulated memory. */
static PW_RESULT Walk(ULONG Mode, ULONGLONG Root, ULONGLONG Va) {
    return PwWalk(Mode, Root, Va, SimRead);
}

static BL_PAGE_MAP Map;

static XTSTATUS Setup(ULONG Mode, BOOLEAN Nx, ULONG Limit) {
    SimUsed = 0;
    SimLimit = Limit;
    return BlInitializePageMap(&Map, Mode, Nx, SimAllocate, SimPointer, NULL, Frames, ARRAY_SIZE(Frames));
}

static ULONGLONG KernelBase(ULONG Mode) {
    return Mode >= XtPagingModePml4 ? 0xFFFFF80800000000ull : 0x80800000ull;
}

/* Maps a kernel-like image (RX code, R data, RW data) and checks every page with the walker. */
static VOID CheckKernelLayout(PXTEST_CONTEXT XtestContext, ULONG Mode, BOOLEAN Nx) {
    ULONGLONG Base = KernelBase(Mode), Pa = 0x1000000;
    static const ULONG Protections[] = {BL_MAP_EXECUTE, BL_MAP_READ, BL_MAP_WRITE};
    static const ULONG Counts[] = {3, 2, 600};
    ULONGLONG Va = Base;

    XTEST_ASSERT_EQ(Setup(Mode, Nx, SIM_PAGES), STATUS_SUCCESS);
    for (ULONG Section = 0; Section < 3; Section++) {
        XTEST_ASSERT_EQ(BlMapPages(&Map, Va, Pa, Counts[Section], Protections[Section]), STATUS_SUCCESS);
        for (ULONG Page = 0; Page < Counts[Section]; Page++) {
            PW_RESULT Result = Walk(Mode, Map.Root, Va + Page * 4096ull);
            BOOLEAN HardwareNx = Nx && Mode != XtPagingModePml2;
            XTEST_ASSERT(Result.Present);
            XTEST_CHECK_EQ(Result.Physical, Pa + Page * 4096ull);
            XTEST_CHECK_EQ(Result.Writable, (Protections[Section] & BL_MAP_WRITE) != 0);
            XTEST_CHECK_EQ(Result.Executable, HardwareNx ? (Protections[Section] & BL_MAP_EXECUTE) != 0 : TRUE);
            XTEST_CHECK(!(HardwareNx && Result.Writable && Result.Executable));
        }
        Va += Counts[Section] * 4096ull;
        Pa += Counts[Section] * 4096ull;
    }
    XTEST_CHECK(!Walk(Mode, Map.Root, Va).Present);
    XTEST_CHECK(!Walk(Mode, Map.Root, Base - 4096).Present);
    XTEST_CHECK_EQ(Map.FrameCount, SimUsed);
    XTEST_CHECK_EQ(Map.Frames[0], Map.Root >> 12);
}

XTEST(Pml2KernelLayout) {
    CheckKernelLayout(XtestContext, XtPagingModePml2, TRUE);
}
XTEST(Pml3KernelLayout) {
    CheckKernelLayout(XtestContext, XtPagingModePml3, TRUE);
}
XTEST(Pml3WithoutNx) {
    CheckKernelLayout(XtestContext, XtPagingModePml3, FALSE);
}
XTEST(Pml4KernelLayout) {
    CheckKernelLayout(XtestContext, XtPagingModePml4, TRUE);
}
XTEST(Pml5KernelLayout) {
    CheckKernelLayout(XtestContext, XtPagingModePml5, TRUE);
}

/* The PTE of Va seen through the self-map must be the very entry the walker used. */
static VOID CheckSelfMap(PXTEST_CONTEXT XtestContext, ULONG Mode, ULONGLONG PteBase, ULONG VaBits) {
    ULONGLONG Va = KernelBase(Mode) + 0x5000, Size = Mode == XtPagingModePml2 ? 4 : 8;
    ULONGLONG VaMask = VaBits == 64 ? ~0ull : (1ull << VaBits) - 1;
    ULONGLONG PteVa = PteBase + ((Va & VaMask) >> 12) * Size;
    PW_RESULT Pte;

    XTEST_ASSERT_EQ(Setup(Mode, TRUE, SIM_PAGES), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlMapPages(&Map, Va, 0x7000, 1, BL_MAP_WRITE), STATUS_SUCCESS);
    Pte = Walk(Mode, Map.Root, PteVa & ~0xFFFull);
    XTEST_ASSERT(Pte.Present);
    XTEST_CHECK(Pte.Writable);
    XTEST_CHECK(!Pte.Executable || Mode == XtPagingModePml2);
    XTEST_CHECK_EQ(SimRead(Pte.Physical + (PteVa & 0xFFF), Size) & ~0xFFFull & 0x000FFFFFFFFFFFFFull, 0x7000);
}

XTEST(SelfMapPml2) {
    CheckSelfMap(XtestContext, XtPagingModePml2, MM_PML2_PTE_BASE, 32);
}
XTEST(SelfMapPml3) {
    CheckSelfMap(XtestContext, XtPagingModePml3, MM_PML3_PTE_BASE, 32);
}
XTEST(SelfMapPml4) {
    CheckSelfMap(XtestContext, XtPagingModePml4, MM_PML4_PTE_BASE, 48);
}
XTEST(SelfMapPml5) {
    CheckSelfMap(XtestContext, XtPagingModePml5, MM_PML5_PTE_BASE, 57);
}

XTEST(RejectsBadMappings) {
    XTEST_ASSERT_EQ(Setup(XtPagingModePml4, TRUE, SIM_PAGES), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFF80800000000ull, 0x1000, 1, BL_MAP_WRITE | BL_MAP_EXECUTE),
                   STATUS_INVALID_IMAGE_PROTECT);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0x0000800000000000ull, 0x1000, 1, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFF80800000800ull, 0x1000, 1, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFF80800000000ull, 1ull << 52, 1, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFF80800000000ull, 0x1000, 2, 0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFF80800001000ull, 0x9000, 1, 0), STATUS_CONFLICTING_ADDRESSES);
    XTEST_ASSERT_EQ(Setup(XtPagingModePml2, TRUE, SIM_PAGES), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0x80000000ull, 0x100000000ull, 1, 0), STATUS_INVALID_PARAMETER);
    XTEST_ASSERT_EQ(Setup(XtPagingModePml5, TRUE, SIM_PAGES), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0x0100000000000000ull, 0x1000, 1, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0x00FF000000000000ull, 0x1000, 1, 0), STATUS_SUCCESS);
}

XTEST(ExhaustedTableMemoryFails) {
    XTEST_ASSERT_EQ(Setup(XtPagingModePml4, TRUE, 3), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFF80800000000ull, 0x1000, 1, 0), STATUS_NO_MEMORY);
    XTEST_CHECK_EQ(Setup(XtPagingModePml3, TRUE, 4), STATUS_NO_MEMORY);
}

XTEST(PrepareCreatesTablesWithoutMappings) {
    XTEST_ASSERT_EQ(Setup(XtPagingModePml4, TRUE, SIM_PAGES), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlPreparePageTables(&Map, 0xFFFFFFFFFFC00000ull, 512), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Map.FrameCount, 4);
    XTEST_CHECK(!Walk(XtPagingModePml4, Map.Root, 0xFFFFFFFFFFC00000ull).Present);
    XTEST_CHECK_EQ(BlMapPages(&Map, 0xFFFFFFFFFFC01000ull, 0x3000, 1, BL_MAP_WRITE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Map.FrameCount, 4);
    XTEST_ASSERT_EQ(Setup(XtPagingModePml2, TRUE, SIM_PAGES), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlPreparePageTables(&Map, 0xFFC00000ull, 512), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Map.FrameCount, 2);
}

XTEST_SUITE(BlPagingSuite, XTEST_ENTRY(Pml2KernelLayout), XTEST_ENTRY(Pml3KernelLayout), XTEST_ENTRY(Pml3WithoutNx),
            XTEST_ENTRY(Pml4KernelLayout), XTEST_ENTRY(Pml5KernelLayout), XTEST_ENTRY(SelfMapPml2),
            XTEST_ENTRY(SelfMapPml3), XTEST_ENTRY(SelfMapPml4), XTEST_ENTRY(SelfMapPml5),
            XTEST_ENTRY(RejectsBadMappings), XTEST_ENTRY(ExhaustedTableMemoryFails),
            XTEST_ENTRY(PrepareCreatesTablesWithoutMappings));

XTEST_HOST_MAIN(&BlPagingSuite)

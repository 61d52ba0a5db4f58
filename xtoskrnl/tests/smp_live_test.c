/* KeSmpLiveSuite (SELFTEST only): every processor the kernel started checked in with its own KPRCB (through GS/FS),
 * its own local APIC timer ticks, an IPI generic call runs on all of them at IPI_LEVEL, and a targeted call runs on
 * exactly the processor named. With one processor every case still runs (on the boot processor alone); the boot
 * tests' cpus= key says how many there had to be. */
#include <ke.h>
#include <mm.h>
#include <rtl.h>
#include <tests/kernel_suites.h>

#define SMP_TICK_WAIT_US 1000000 /* 250 ticks at the default clock: every processor must tick twice in this */
#define SMP_TICK_POLL_US 1000

XTEST(EveryProcessorCheckedIn) {
    ULONG Count = KeQueryActiveProcessorCount();

    XTEST_CHECK(Count >= 1 && Count <= KE_MAXIMUM_PROCESSORS);
    XTEST_CHECK_EQ(KeGetCurrentProcessorNumber(), 0);
    XTEST_CHECK(KeGetCurrentPrcb() == KeGetProcessorBlock(0));
    XTEST_CHECK(KeGetProcessorBlock(Count) == NULL);
    for (ULONG Number = 0; Number < Count; Number++) {
        PKPRCB Prcb = KeGetProcessorBlock(Number);

        if (!XTEST_CHECK(Prcb != NULL)) {
            continue;
        }
        XTEST_CHECK(Prcb->Self == Prcb);
        XTEST_CHECK_EQ(Prcb->Number, Number);
        XTEST_CHECK(Number == 0 || Prcb->Started);
        XTEST_CHECK(!Prcb->Frozen);
        for (ULONG Other = 0; Other < Number; Other++) {
            XTEST_CHECK(KeGetProcessorBlock(Other)->ApicId != Prcb->ApicId);
        }
    }
}

/* Every processor's kernel, double-fault, NMI and machine-check stack: mapped from its base to its top, the page
 * below it not mapped (the guard), no two stacks overlapping. */
XTEST(EveryProcessorHasGuardedStacks) {
    ULONG Count = KeQueryActiveProcessorCount();

    for (ULONG Number = 0; Number < Count; Number++) {
        PKPRCB Prcb = KeGetProcessorBlock(Number);

        for (ULONG Stack = 0; Stack < 4; Stack++) {
            ULONG_PTR Base = Prcb->StackBase[Stack], Top = Prcb->StackTop[Stack];

            if (!XTEST_CHECK(Base != 0 && Top > Base && (Base & (MM_PAGE_SIZE - 1)) == 0)) {
                continue;
            }
            XTEST_CHECK(MmIsAddressValid(Base) && MmIsAddressValid(Top - 1));
            if (!XTEST_CHECK(!MmIsAddressValid(Base - MM_PAGE_SIZE))) {
                XtestPrint("  processor %u stack %u at 0x%p: the page below is mapped\n", Number, Stack, (PVOID)Base);
            }
            for (ULONG Other = 0; Other < Number; Other++) {
                for (ULONG OtherStack = 0; OtherStack < 4; OtherStack++) {
                    PKPRCB Earlier = KeGetProcessorBlock(Other);
                    XTEST_CHECK(Top <= Earlier->StackBase[OtherStack] || Base >= Earlier->StackTop[OtherStack]);
                }
            }
        }
    }
}

XTEST(EveryProcessorClockTicks) {
    ULONG Count = KeQueryActiveProcessorCount(), Waited = 0, Behind;
    ULONGLONG Start[KE_MAXIMUM_PROCESSORS];

    for (ULONG Number = 0; Number < Count; Number++) {
        Start[Number] = KeGetProcessorBlock(Number)->ClockTicks;
    }
    do {
        KeStallExecutionProcessor(SMP_TICK_POLL_US);
        Waited += SMP_TICK_POLL_US;
        Behind = 0;
        for (ULONG Number = 0; Number < Count; Number++) {
            Behind += KeGetProcessorBlock(Number)->ClockTicks < Start[Number] + 2;
        }
    } while (Behind != 0 && Waited < SMP_TICK_WAIT_US);
    for (ULONG Number = 0; Number < Count; Number++) {
        if (!XTEST_CHECK(KeGetProcessorBlock(Number)->ClockTicks >= Start[Number] + 2)) {
            XtestPrint("  processor %u: %llu clock ticks in %u us\n", Number,
                       KeGetProcessorBlock(Number)->ClockTicks - Start[Number], Waited);
        }
    }
}

static volatile ULONGLONG SmpSeen;
static volatile ULONG SmpWrongLevel, SmpWrongBlock;

/* Generic-call worker: marks its processor, checks its RunLevel and that GS/FS lead to its own KPRCB. */
static ULONG_PTR MarkProcessor(ULONG_PTR Argument) {
    ULONG Number = KeGetCurrentProcessorNumber();

    __atomic_or_fetch(&SmpSeen, 1ull << Number, __ATOMIC_SEQ_CST);
    if (KeGetCurrentRunLevel() != IPI_LEVEL) {
        __atomic_add_fetch(&SmpWrongLevel, 1, __ATOMIC_SEQ_CST);
    }
    if (KeGetCurrentPrcb() != KeGetProcessorBlock(Number) || KeGetCurrentPrcb()->Number != Number) {
        __atomic_add_fetch(&SmpWrongBlock, 1, __ATOMIC_SEQ_CST);
    }
    return Argument + Number;
}

XTEST(GenericCallRunsOnEveryProcessor) {
    ULONG Count = KeQueryActiveProcessorCount();
    ULONGLONG All = Count >= 64 ? ~0ull : (1ull << Count) - 1, IpisBefore[KE_MAXIMUM_PROCESSORS];
    KRUNLEVEL Before = KeGetCurrentRunLevel();

    for (ULONG Number = 0; Number < Count; Number++) {
        IpisBefore[Number] = KeGetProcessorBlock(Number)->IpiCount;
    }
    LARGE_INTEGER Frequency, Start = KeQueryPerformanceCounter(&Frequency), End;

    for (ULONG Round = 0; Round < 100; Round++) {
        SmpSeen = 0;
        XTEST_CHECK_EQ(KeIpiGenericCall(MarkProcessor, 1000), 1000); /* the caller's (processor 0's) result */
        if (!XTEST_CHECK_EQ(SmpSeen, All)) {
            break;
        }
    }
    End = KeQueryPerformanceCounter(NULL);
    XtestPrint("  KeSmpLiveSuite: a generic call on %u processors took %llu us on average (100 calls, wall clock)\n",
               Count, (ULONGLONG)(End.QuadPart - Start.QuadPart) * 10000 / (ULONGLONG)Frequency.QuadPart);
    XTEST_CHECK_EQ(SmpWrongLevel, 0);
    XTEST_CHECK_EQ(SmpWrongBlock, 0);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), Before);
    for (ULONG Number = 1; Number < Count; Number++) {
        XTEST_CHECK(KeGetProcessorBlock(Number)->IpiCount >= IpisBefore[Number] + 100);
    }
}

XTEST(TargetedCallRunsOnTheNamedProcessorOnly) {
    ULONG Count = KeQueryActiveProcessorCount();
    ULONG_PTR Result = 0;

    for (ULONG Number = 0; Number < Count; Number++) {
        SmpSeen = 0;
        XTEST_CHECK(KeIpiProcessorCall(Number, MarkProcessor, 500, &Result));
        XTEST_CHECK_EQ(Result, 500 + Number);
        XTEST_CHECK_EQ(SmpSeen, 1ull << Number);
    }
    XTEST_CHECK(!KeIpiProcessorCall(Count, MarkProcessor, 0, &Result));
    XTEST_CHECK_EQ(SmpWrongLevel, 0);
    XTEST_CHECK_EQ(SmpWrongBlock, 0);
}

XTEST_SUITE(KeSmpLiveSuite, XTEST_ENTRY(EveryProcessorCheckedIn), XTEST_ENTRY(EveryProcessorHasGuardedStacks),
            XTEST_ENTRY(EveryProcessorClockTicks), XTEST_ENTRY(GenericCallRunsOnEveryProcessor),
            XTEST_ENTRY(TargetedCallRunsOnTheNamedProcessorOnly));

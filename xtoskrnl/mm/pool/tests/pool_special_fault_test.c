/* PoolSpecialFaultSuite (host-only): a one-byte overrun of a special-pool block faults at once on the guard page
 * (caught here as SIGSEGV with sigsetjmp/siglongjmp). */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "pool_host_suites.h"
#include "pool_test_util.h"

static MI_POOL_DESCRIPTOR SpecialPool;
/* Host-only: static blocks for every processor number the host model may give a thread. */
static MI_POOL_PROCESSOR SpecialProcessors[KE_MAXIMUM_PROCESSORS];
static sigjmp_buf FaultCatcher;
static volatile PVOID FaultAddress;

static void OnFault(int Signal, siginfo_t *Information, void *Context) {
    (void)Signal;
    (void)Context;
    FaultAddress = Information->si_addr;
    siglongjmp(FaultCatcher, 1);
}

/* Writes Value at Address; returns TRUE when the write faulted (FaultAddress tells where). */
static BOOLEAN WriteFaults(volatile PUCHAR Address, UCHAR Value) {
    struct sigaction Action, Previous;
    BOOLEAN Faulted = FALSE;

    memset(&Action, 0, sizeof(Action));
    Action.sa_sigaction = OnFault;
    Action.sa_flags = SA_SIGINFO;
    sigemptyset(&Action.sa_mask);
    sigaction(SIGSEGV, &Action, &Previous);
    FaultAddress = NULL;
    if (sigsetjmp(FaultCatcher, 1) == 0) {
        *Address = Value;
    } else {
        Faulted = TRUE;
    }
    sigaction(SIGSEGV, &Previous, NULL);
    return Faulted;
}

XTEST(OneByteOverrunFaults) {
    static const SIZE_T Sizes[] = {MI_POOL_GRANULE, 64, 1024, MM_PAGE_SIZE, 3 * MM_PAGE_SIZE + 2 * MI_POOL_GRANULE};
    ULONG Index;

    MiInitializePool(&SpecialPool, POOL_TEST_COOKIE, SpecialProcessors, KE_MAXIMUM_PROCESSORS);
    MiSetSpecialPoolTag(&SpecialPool, POOL_TAG_C, TRUE);
    for (Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        PUCHAR Block = MiAllocatePool(&SpecialPool, NonPagedPool, Sizes[Index], POOL_TAG_C);

        XTEST_ASSERT(Block != NULL);
        XTEST_CHECK(!WriteFaults(Block, 1));
        XTEST_CHECK(!WriteFaults(Block + Sizes[Index] - 1, 2));
        XTEST_CHECK(WriteFaults(Block + Sizes[Index], 3));
        XTEST_CHECK(FaultAddress == Block + Sizes[Index]);
        MiFreePool(&SpecialPool, Block, POOL_TAG_C);
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&SpecialPool), 0);
    MiReleasePool(&SpecialPool);
}

XTEST(OrdinaryBlocksDoNotFault) {
    PUCHAR Block;

    MiInitializePool(&SpecialPool, POOL_TEST_COOKIE, SpecialProcessors, KE_MAXIMUM_PROCESSORS);
    MiSetSpecialPoolTag(&SpecialPool, POOL_TAG_C, TRUE);
    Block = MiAllocatePool(&SpecialPool, NonPagedPool, 64, POOL_TAG_A);
    XTEST_ASSERT(Block != NULL);
    /* The byte after the block is the next header: no fault (its value is written back unchanged). */
    XTEST_CHECK(!WriteFaults(Block + 64, Block[64]));
    MiReleasePool(&SpecialPool);
}

XTEST_SUITE(PoolSpecialFaultSuite, XTEST_ENTRY(OneByteOverrunFaults), XTEST_ENTRY(OrdinaryBlocksDoNotFault));

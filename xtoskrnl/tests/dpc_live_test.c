/* KeDpcLiveSuite and KeTimerLiveSuite (SELFTEST only, interrupts on, the clock ticking): software interrupts held
 * while the RunLevel masks them and delivered when it drops; DPCs at DISPATCH_LEVEL with interrupts on, in importance
 * order, removable before they run; kernel timers firing in due-time order, periodic ones repeating, cancelled ones
 * never firing; the non-paged pool hammered from DPCs and a periodic timer's DPC while PASSIVE_LEVEL code uses it too.
 *
 * Time limits are generous (TCG: a vCPU may be descheduled for tens of milliseconds on a loaded host): a timer must
 * never fire before its due time, and must fire within DPC_WAIT_MS of it. */
#include <ke.h>
#include <mm.h>
#include <rtl.h>
#include <tests/kernel_suites.h>
#include <xtintrin.h>

#define DPC_WAIT_MS      2000
#define TIMER_COUNT      8
#define MS               10000LL /* 100-ns units per millisecond */
#define STRESS_BLOCKS    16
#define STRESS_ROUNDS    64
#define STRESS_TAG       0x53637044 /* 'DpcS' */
#define STRESS_PERIOD_MS 4

/* Spins (interrupts on) until *Value reaches Target or Milliseconds pass on the TSC; TRUE when it did. */
static BOOLEAN WaitFor(volatile ULONG *Value, ULONG Target, ULONG Milliseconds) {
    LARGE_INTEGER Frequency, Start = KeQueryPerformanceCounter(&Frequency);
    ULONGLONG Limit = (ULONGLONG)Frequency.QuadPart / 1000 * Milliseconds;

    while (*Value < Target) {
        if ((ULONGLONG)(KeQueryPerformanceCounter(NULL).QuadPart - Start.QuadPart) > Limit) {
            return FALSE;
        }
        __asm__ volatile("pause" : : : "memory");
    }
    return TRUE;
}

/* Spins until software interrupts of Level reach Target or Milliseconds pass; TRUE when they did. */
static BOOLEAN WaitForSoftwareInterrupts(KRUNLEVEL Level, ULONG Target, ULONG Milliseconds) {
    LARGE_INTEGER Frequency, Start = KeQueryPerformanceCounter(&Frequency);
    ULONGLONG Limit = (ULONGLONG)Frequency.QuadPart / 1000 * Milliseconds;

    while (KeGetSoftwareInterruptCount(Level) < Target) {
        if ((ULONGLONG)(KeQueryPerformanceCounter(NULL).QuadPart - Start.QuadPart) > Limit) {
            return FALSE;
        }
        __asm__ volatile("pause" : : : "memory");
    }
    return TRUE;
}

/* Busy-waits Milliseconds with interrupts on. */
static VOID Spin(ULONG Milliseconds) {
    KeStallExecutionProcessor(Milliseconds * 1000);
}

/* The DPC and timer objects the tests use: static, so one left queued by a failed check never points into a dead
 * stack frame; each is taken off its queue before it is initialised again. */
static KDPC TestDpcs[TIMER_COUNT + 1];
static KTIMER TestTimers[TIMER_COUNT];

static PKDPC PrepareDpc(ULONG Index, PKDEFERRED_ROUTINE Routine, PVOID Context) {
    PKDPC Dpc = &TestDpcs[Index];

    if (Dpc->DeferredRoutine != NULL) {
        KeRemoveQueueDpc(Dpc);
    }
    KeInitializeDpc(Dpc, Routine, Context);
    return Dpc;
}

static PKTIMER PrepareTimer(ULONG Index) {
    PKTIMER Timer = &TestTimers[Index];

    if (Timer->QueueEntry.Inserted) {
        KeCancelTimer(Timer);
    }
    KeInitializeTimer(Timer);
    return Timer;
}

typedef struct _DPC_RECORD {
    volatile ULONG Runs;
    volatile ULONG Order[8];
    KRUNLEVEL Level;
    BOOLEAN InterruptsOn;
    PVOID Context;
    PVOID Argument1;
    PVOID Argument2;
} DPC_RECORD, *PDPC_RECORD;

static DPC_RECORD Record;

/* Records the run: level, IF, context and arguments, and its place in Record.Order (the DPC's context is its tag). */
static VOID RecordingRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc;
    if (Record.Runs < ARRAY_SIZE(Record.Order)) {
        Record.Order[Record.Runs] = (ULONG)(ULONG_PTR)Context;
    }
    Record.Level = KeGetCurrentRunLevel();
    Record.InterruptsOn = ArAreInterruptsEnabled();
    Record.Context = Context;
    Record.Argument1 = Argument1;
    Record.Argument2 = Argument2;
    Record.Runs++;
}

XTEST(DpcRunsAtDispatchWithInterruptsOn) {
    PKDPC Dpc;

    RtlZeroMemory((PVOID)&Record, sizeof(Record));
    XTEST_ASSERT(ArAreInterruptsEnabled());
    XTEST_ASSERT_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    Dpc = PrepareDpc(0, RecordingRoutine, (PVOID)7);
    XTEST_CHECK(KeInsertQueueDpc(Dpc, (PVOID)11, (PVOID)13));
    XTEST_ASSERT(WaitFor(&Record.Runs, 1, DPC_WAIT_MS));
    XTEST_CHECK_EQ(Record.Level, DISPATCH_LEVEL);
    XTEST_CHECK(Record.InterruptsOn);
    XTEST_CHECK_EQ((ULONG_PTR)Record.Context, 7);
    XTEST_CHECK_EQ((ULONG_PTR)Record.Argument1, 11);
    XTEST_CHECK_EQ((ULONG_PTR)Record.Argument2, 13);
    XTEST_CHECK(Dpc->DpcData == NULL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

XTEST(DpcHeldAtDispatchRunsWhenTheLevelDrops) {
    ULONG Interrupts;
    KRUNLEVEL Old;
    PKDPC Dpc;

    RtlZeroMemory((PVOID)&Record, sizeof(Record));
    Dpc = PrepareDpc(0, RecordingRoutine, (PVOID)1);
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    Interrupts = KeGetSoftwareInterruptCount(DISPATCH_LEVEL); /* at DISPATCH: a quantum end may come before */
    XTEST_CHECK(KeInsertQueueDpc(Dpc, (PVOID)1, NULL));
    XTEST_CHECK(!KeInsertQueueDpc(Dpc, (PVOID)2, NULL)); /* already queued: arguments unchanged */
    Spin(10);
    XTEST_CHECK_EQ(Record.Runs, 0);
    XTEST_CHECK_EQ(KeQueryDpcQueueDepth(), 1);
    XTEST_CHECK_EQ(KeGetSoftwareInterruptCount(DISPATCH_LEVEL), Interrupts);
    KeLowerRunLevel(Old);
    XTEST_ASSERT(WaitFor(&Record.Runs, 1, DPC_WAIT_MS));
    XTEST_CHECK_EQ((ULONG_PTR)Record.Argument1, 1);
    XTEST_CHECK(KeGetSoftwareInterruptCount(DISPATCH_LEVEL) > Interrupts);
    XTEST_CHECK_EQ(KeQueryDpcQueueDepth(), 0);
}

XTEST(DpcsRunInImportanceOrder) {
    PKDPC Medium1, Medium2, High, Low;
    KRUNLEVEL Old;

    RtlZeroMemory((PVOID)&Record, sizeof(Record));
    Medium1 = PrepareDpc(0, RecordingRoutine, (PVOID)1);
    Medium2 = PrepareDpc(1, RecordingRoutine, (PVOID)2);
    High = PrepareDpc(2, RecordingRoutine, (PVOID)3);
    Low = PrepareDpc(3, RecordingRoutine, (PVOID)4);
    KeSetImportanceDpc(High, HighImportance);
    KeSetImportanceDpc(Low, LowImportance);
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    KeInsertQueueDpc(Low, NULL, NULL);
    KeInsertQueueDpc(Medium1, NULL, NULL);
    KeInsertQueueDpc(High, NULL, NULL);
    KeInsertQueueDpc(Medium2, NULL, NULL);
    KeLowerRunLevel(Old);
    XTEST_ASSERT(WaitFor(&Record.Runs, 4, DPC_WAIT_MS));
    XTEST_CHECK_EQ(Record.Order[0], 3); /* high: head of the queue */
    XTEST_CHECK_EQ(Record.Order[1], 4); /* then in insertion order */
    XTEST_CHECK_EQ(Record.Order[2], 1);
    XTEST_CHECK_EQ(Record.Order[3], 2);
}

XTEST(RemovedDpcNeverRuns) {
    KRUNLEVEL Old;
    PKDPC Dpc;

    RtlZeroMemory((PVOID)&Record, sizeof(Record));
    Dpc = PrepareDpc(0, RecordingRoutine, NULL);
    XTEST_CHECK(!KeRemoveQueueDpc(Dpc));
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    KeInsertQueueDpc(Dpc, NULL, NULL);
    XTEST_CHECK(KeRemoveQueueDpc(Dpc));
    XTEST_CHECK(!KeRemoveQueueDpc(Dpc));
    KeLowerRunLevel(Old);
    Spin(20);
    XTEST_CHECK_EQ(Record.Runs, 0);
    XTEST_CHECK_EQ(KeQueryDpcQueueDepth(), 0);
}

XTEST(LowImportanceDpcWaitsForTheClockOrADeepQueue) {
    ULONGLONG Ticks = KeQueryTickCount();
    PKDPC Low[KE_MAXIMUM_DPC_QUEUE_DEPTH];
    KRUNLEVEL Old;

    RtlZeroMemory((PVOID)&Record, sizeof(Record));
    for (ULONG Index = 0; Index < ARRAY_SIZE(Low); Index++) {
        Low[Index] = PrepareDpc(Index, RecordingRoutine, (PVOID)(ULONG_PTR)Index);
        KeSetImportanceDpc(Low[Index], LowImportance);
    }
    /* One low-importance DPC requests nothing: it is not run on the way down, only at the next drain of the queue (a
     * clock tick, or a DISPATCH interrupt another source requested: a quantum end, a readied thread). */
    Old = KeRaiseRunLevel(APC_LEVEL);
    KeInsertQueueDpc(Low[0], NULL, NULL);
    KeLowerRunLevel(Old);
    XTEST_CHECK(Record.Runs == 0 || KeQueryTickCount() > Ticks);
    XTEST_ASSERT(WaitFor(&Record.Runs, 1, DPC_WAIT_MS));
    /* A queue KE_MAXIMUM_DPC_QUEUE_DEPTH deep requests the interrupt at once (from DISPATCH: delivered on the way
     * down, before any tick could). */
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Low); Index++) {
        KeInsertQueueDpc(Low[Index], NULL, NULL);
    }
    Ticks = KeQueryTickCount();
    KeLowerRunLevel(Old);
    XTEST_CHECK(WaitFor(&Record.Runs, 1 + KE_MAXIMUM_DPC_QUEUE_DEPTH, 1));
    XTEST_CHECK(KeQueryTickCount() - Ticks <= 1); /* within a millisecond, not on a later tick */
}

XTEST(ApcInterruptHeldAtApcLevel) {
    ULONG Before = KeGetSoftwareInterruptCount(APC_LEVEL);
    KRUNLEVEL Old = KeRaiseRunLevel(APC_LEVEL);

    KeRequestSoftwareInterrupt(APC_LEVEL);
    Spin(5);
    XTEST_CHECK_EQ(KeGetSoftwareInterruptCount(APC_LEVEL), Before);
    KeLowerRunLevel(Old);
    XTEST_CHECK(WaitForSoftwareInterrupts(APC_LEVEL, Before + 1, 1)); /* delivered once the level dropped */
    XTEST_CHECK_EQ(KeGetSoftwareInterruptCount(APC_LEVEL), Before + 1);
    /* A DISPATCH request at APC level is delivered there (its vector is above APC's). */
    Before = KeGetSoftwareInterruptCount(DISPATCH_LEVEL);
    Old = KeRaiseRunLevel(APC_LEVEL);
    KeRequestSoftwareInterrupt(DISPATCH_LEVEL);
    XTEST_CHECK(WaitForSoftwareInterrupts(DISPATCH_LEVEL, Before + 1, 1));
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), APC_LEVEL);
    KeLowerRunLevel(Old);
}

/* ---- targeted DPCs and per-processor work (every processor; with one processor only the refusals) ---- */

typedef struct _WHERE_RECORD {
    volatile ULONG Runs;
    volatile ULONG Processor;
    KRUNLEVEL Level;
    BOOLEAN InterruptsOn;
    volatile ULONG Order[2];
    volatile BOOLEAN Release; /* a holding routine spins until it is set */
} WHERE_RECORD, *PWHERE_RECORD;

static WHERE_RECORD Where[2];
static KPROCESSOR_WORK_ITEM TestWork[2];

static VOID RecordWhere(PWHERE_RECORD Record, ULONG Tag) {
    Record->Processor = KeGetCurrentProcessorNumber();
    Record->Level = KeGetCurrentRunLevel();
    Record->InterruptsOn = ArAreInterruptsEnabled();
    if (Record->Runs < ARRAY_SIZE(Record->Order)) {
        Record->Order[Record->Runs] = Tag;
    }
    __atomic_fetch_add(&Record->Runs, 1, __ATOMIC_RELEASE);
}

static VOID WhereDpcRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Argument2;
    RecordWhere(Context, (ULONG)(ULONG_PTR)Argument1);
}

/* A work item: records where it runs; Where[1]'s first item then holds its processor until released. */
static VOID WhereWorkRoutine(PVOID Context) {
    PWHERE_RECORD Record = &Where[(ULONG_PTR)Context >> 8];

    RecordWhere(Record, (ULONG)(ULONG_PTR)Context & 0xFF);
    while (!__atomic_load_n(&Record->Release, __ATOMIC_ACQUIRE)) {
        __asm__ volatile("pause" : : : "memory");
    }
}

/* Holds the processor it runs on at DISPATCH_LEVEL until released (its DISPATCH interrupt stays pending). */
static VOID HoldAtDispatchRoutine(PVOID Context) {
    PWHERE_RECORD Record = Context;
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    RecordWhere(Record, 0);
    while (!__atomic_load_n(&Record->Release, __ATOMIC_ACQUIRE)) {
        __asm__ volatile("pause" : : : "memory");
    }
    KeLowerRunLevel(Old);
}

/* A DPC targeted at each processor runs there, at DISPATCH_LEVEL with interrupts on, counted in that processor's
 * DpcCount (and, for another processor, in its IPI-requested DISPATCH interrupts); a target that was never started
 * is refused. */
XTEST(TargetedDpcRunsOnItsProcessor) {
    ULONG Count = KeQueryActiveProcessorCount();
    PKDPC Dpc = PrepareDpc(0, WhereDpcRoutine, &Where[0]);

    XTEST_CHECK(!KeSetTargetProcessorDpc(Dpc, Count));
    XTEST_CHECK_EQ(Dpc->Number, KE_DPC_CURRENT_PROCESSOR);
    for (ULONG Number = 0; Number < Count; Number++) {
        PKPRCB Prcb = KeGetProcessorBlock(Number);
        ULONG DpcCount = Prcb->DpcData.DpcCount, Requests = Prcb->DpcData.DpcRequests;

        RtlZeroMemory((PVOID)&Where[0], sizeof(Where[0]));
        XTEST_ASSERT(KeSetTargetProcessorDpc(Dpc, Number));
        XTEST_CHECK(KeInsertQueueDpc(Dpc, (PVOID)(ULONG_PTR)Number, NULL));
        XTEST_ASSERT(WaitFor(&Where[0].Runs, 1, DPC_WAIT_MS));
        XTEST_CHECK_EQ(Where[0].Processor, Number);
        XTEST_CHECK_EQ(Where[0].Level, DISPATCH_LEVEL);
        XTEST_CHECK(Where[0].InterruptsOn);
        XTEST_CHECK_EQ(Where[0].Order[0], Number);
        XTEST_CHECK(WaitFor(&Prcb->DpcData.DpcCount, DpcCount + 1, DPC_WAIT_MS)); /* counted after the routine */
        XTEST_CHECK(Number == 0 || Prcb->DpcData.DpcRequests > Requests);
    }
    XTEST_CHECK(KeSetTargetProcessorDpc(Dpc, KE_DPC_CURRENT_PROCESSOR));
}

/* A DPC queued on a processor that holds DISPATCH_LEVEL waits in that processor's queue; KeRemoveQueueDpc on the
 * boot processor takes it off there, and it never runs. */
XTEST(TargetedDpcRemovedFromAnotherProcessor) {
    ULONG Count = KeQueryActiveProcessorCount();
    PKDPC Dpc = PrepareDpc(0, WhereDpcRoutine, &Where[0]);
    ULONG WorkCount;
    PKPRCB Target;

    if (Count < 2) {
        XTEST_CHECK(!KeQueueProcessorWork(&TestWork[0], 1));
        return;
    }
    Target = KeGetProcessorBlock(Count - 1);
    WorkCount = Target->WorkCount;
    RtlZeroMemory((PVOID)Where, sizeof(Where));
    KeInitializeProcessorWork(&TestWork[0], HoldAtDispatchRoutine, &Where[1]);
    XTEST_ASSERT(KeQueueProcessorWork(&TestWork[0], Count - 1));
    XTEST_ASSERT(WaitFor(&Where[1].Runs, 1, DPC_WAIT_MS));
    XTEST_CHECK(KeSetTargetProcessorDpc(Dpc, Count - 1));
    XTEST_CHECK(KeInsertQueueDpc(Dpc, NULL, NULL));
    XTEST_CHECK(!KeInsertQueueDpc(Dpc, NULL, NULL)); /* queued there: refused here too */
    Spin(5);
    XTEST_CHECK_EQ(Target->DpcData.DpcQueueDepth, 1);
    XTEST_CHECK(Dpc->DpcData == &Target->DpcData);
    XTEST_CHECK(KeRemoveQueueDpc(Dpc));
    XTEST_CHECK(Dpc->DpcData == NULL);
    XTEST_CHECK_EQ(Target->DpcData.DpcQueueDepth, 0);
    __atomic_store_n(&Where[1].Release, TRUE, __ATOMIC_RELEASE);
    XTEST_CHECK(WaitFor(&Target->WorkCount, WorkCount + 1, DPC_WAIT_MS)); /* it lowered and returned */
    Spin(5);
    XTEST_CHECK_EQ(Where[0].Runs, 0);
}

/* Work queued for an application processor runs there at PASSIVE_LEVEL with interrupts on, in queue order; an item
 * already queued is refused, and so are processor 0 and processors that were never started. */
XTEST(ProcessorWorkRunsAtPassiveOnItsProcessor) {
    ULONG Count = KeQueryActiveProcessorCount();

    KeInitializeProcessorWork(&TestWork[0], WhereWorkRoutine, (PVOID)0x101);
    XTEST_CHECK(!KeQueueProcessorWork(&TestWork[0], 0));
    XTEST_CHECK(!KeQueueProcessorWork(&TestWork[0], Count));
    for (ULONG Number = 1; Number < Count; Number++) {
        PKPRCB Prcb = KeGetProcessorBlock(Number);
        ULONG WorkCount = Prcb->WorkCount;

        RtlZeroMemory((PVOID)Where, sizeof(Where));
        KeInitializeProcessorWork(&TestWork[0], WhereWorkRoutine, (PVOID)0x101);
        KeInitializeProcessorWork(&TestWork[1], WhereWorkRoutine, (PVOID)0x102);
        XTEST_ASSERT(KeQueueProcessorWork(&TestWork[0], Number));
        XTEST_ASSERT(WaitFor(&Where[1].Runs, 1, DPC_WAIT_MS)); /* the first item now holds the processor */
        XTEST_CHECK(KeQueueProcessorWork(&TestWork[1], Number));
        XTEST_CHECK(!KeQueueProcessorWork(&TestWork[1], Number));
        XTEST_CHECK_EQ(Prcb->WorkQueueDepth, 1);
        __atomic_store_n(&Where[1].Release, TRUE, __ATOMIC_RELEASE);
        XTEST_ASSERT(WaitFor(&Where[1].Runs, 2, DPC_WAIT_MS));
        XTEST_CHECK_EQ(Where[1].Processor, Number);
        XTEST_CHECK_EQ(Where[1].Level, PASSIVE_LEVEL);
        XTEST_CHECK(Where[1].InterruptsOn);
        XTEST_CHECK_EQ(Where[1].Order[0], 1);
        XTEST_CHECK_EQ(Where[1].Order[1], 2);
        XTEST_CHECK(WaitFor(&Prcb->WorkCount, WorkCount + 2, DPC_WAIT_MS));
        XTEST_CHECK_EQ(Prcb->WorkQueueDepth, 0);
    }
}

/* ---- pool stress from DPCs and a periodic timer ---- */

typedef struct _STRESS {
    PVOID Blocks[STRESS_BLOCKS];
    SIZE_T Sizes[STRESS_BLOCKS];
    ULONG Seed;
    volatile ULONG Runs;
    volatile ULONG Errors;
    volatile ULONG Failures; /* allocations that returned NULL */
    KRUNLEVEL Level;
} STRESS, *PSTRESS;

static ULONG NextRandom(PULONG Seed) {
    *Seed = *Seed * 1103515245u + 12345u;
    return *Seed >> 8;
}

/* Frees slot Index after checking its pattern, then refills it with a new block of a random size and pattern. */
static VOID StressSlot(PSTRESS Stress, ULONG Index) {
    PUCHAR Block = Stress->Blocks[Index];
    UCHAR Pattern = (UCHAR)(Index * 37 + 1);

    if (Block != NULL) {
        for (SIZE_T Byte = 0; Byte < Stress->Sizes[Index]; Byte++) {
            if (Block[Byte] != (UCHAR)(Pattern + Byte)) {
                Stress->Errors++;
                break;
            }
        }
        MmFreePool(Block, STRESS_TAG);
    }
    Stress->Sizes[Index] = 1 + NextRandom(&Stress->Seed) % 700;
    Block = MmAllocatePool(NonPagedPool, Stress->Sizes[Index], STRESS_TAG);
    Stress->Blocks[Index] = Block;
    if (Block == NULL) {
        Stress->Failures++;
        return;
    }
    for (SIZE_T Byte = 0; Byte < Stress->Sizes[Index]; Byte++) {
        Block[Byte] = (UCHAR)(Pattern + Byte);
    }
}

static VOID StressRound(PSTRESS Stress) {
    for (ULONG Step = 0; Step < STRESS_BLOCKS; Step++) {
        StressSlot(Stress, NextRandom(&Stress->Seed) % STRESS_BLOCKS);
    }
    Stress->Level = KeGetCurrentRunLevel();
    Stress->Runs++;
}

static VOID StressRelease(PSTRESS Stress) {
    for (ULONG Index = 0; Index < STRESS_BLOCKS; Index++) {
        if (Stress->Blocks[Index] != NULL) {
            MmFreePool(Stress->Blocks[Index], STRESS_TAG);
            Stress->Blocks[Index] = NULL;
        }
    }
}

static STRESS DpcStress, PassiveStress;

/* A DPC (or a timer's DPC) that works the pool once per run. */
static VOID StressRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Argument1, (VOID)Argument2;
    StressRound(Context);
}

XTEST(PoolStressFromDpcsAgainstPassive) {
    PKDPC Dpc;

    RtlZeroMemory(&DpcStress, sizeof(DpcStress));
    RtlZeroMemory(&PassiveStress, sizeof(PassiveStress));
    DpcStress.Seed = 1;
    PassiveStress.Seed = 2;
    Dpc = PrepareDpc(0, StressRoutine, &DpcStress);
    /* Low importance: each run waits for a clock tick, which lands anywhere in the PASSIVE rounds below. */
    KeSetImportanceDpc(Dpc, LowImportance);
    while (DpcStress.Runs < STRESS_ROUNDS && PassiveStress.Runs < 1000000) {
        KeInsertQueueDpc(Dpc, NULL, NULL); /* FALSE while still queued */
        StressRound(&PassiveStress);
    }
    XTEST_ASSERT(WaitFor(&DpcStress.Runs, STRESS_ROUNDS, DPC_WAIT_MS * 4));
    XTEST_CHECK_EQ(DpcStress.Level, DISPATCH_LEVEL);
    XTEST_CHECK_EQ(PassiveStress.Level, PASSIVE_LEVEL);
    XTEST_CHECK(PassiveStress.Runs >= STRESS_ROUNDS);
    XTEST_CHECK_EQ(DpcStress.Errors + PassiveStress.Errors, 0);
    XTEST_CHECK_EQ(DpcStress.Failures + PassiveStress.Failures, 0);
    StressRelease(&DpcStress);
    StressRelease(&PassiveStress);
    XTEST_CHECK_EQ(MmCheckPoolConsistency(), 0);
}

XTEST(PoolStressFromATimerAgainstPassive) {
    LARGE_INTEGER Due = {.QuadPart = -STRESS_PERIOD_MS * MS};
    PKTIMER Timer;
    PKDPC Dpc;

    RtlZeroMemory(&DpcStress, sizeof(DpcStress));
    RtlZeroMemory(&PassiveStress, sizeof(PassiveStress));
    DpcStress.Seed = 3;
    PassiveStress.Seed = 4;
    Dpc = PrepareDpc(0, StressRoutine, &DpcStress);
    Timer = PrepareTimer(0);
    KeSetTimerEx(Timer, Due, STRESS_PERIOD_MS, Dpc);
    while (DpcStress.Runs < 32 && PassiveStress.Runs < 1000000) {
        StressRound(&PassiveStress);
    }
    XTEST_CHECK(KeCancelTimer(Timer));
    Spin(2 * STRESS_PERIOD_MS);
    KeRemoveQueueDpc(Dpc); /* an expiry queued just before the cancel */
    XTEST_CHECK(DpcStress.Runs >= 32);
    XTEST_CHECK_EQ(DpcStress.Level, DISPATCH_LEVEL);
    XTEST_CHECK_EQ(DpcStress.Errors + PassiveStress.Errors, 0);
    XTEST_CHECK_EQ(DpcStress.Failures + PassiveStress.Failures, 0);
    StressRelease(&DpcStress);
    StressRelease(&PassiveStress);
    XTEST_CHECK_EQ(MmCheckPoolConsistency(), 0);
}

XTEST_SUITE(KeDpcLiveSuite, XTEST_ENTRY(DpcRunsAtDispatchWithInterruptsOn),
            XTEST_ENTRY(DpcHeldAtDispatchRunsWhenTheLevelDrops), XTEST_ENTRY(DpcsRunInImportanceOrder),
            XTEST_ENTRY(RemovedDpcNeverRuns), XTEST_ENTRY(LowImportanceDpcWaitsForTheClockOrADeepQueue),
            XTEST_ENTRY(ApcInterruptHeldAtApcLevel), XTEST_ENTRY(TargetedDpcRunsOnItsProcessor),
            XTEST_ENTRY(TargetedDpcRemovedFromAnotherProcessor), XTEST_ENTRY(ProcessorWorkRunsAtPassiveOnItsProcessor),
            XTEST_ENTRY(PoolStressFromDpcsAgainstPassive), XTEST_ENTRY(PoolStressFromATimerAgainstPassive));

/* ---- timers ---- */

typedef struct _TIMER_RECORD {
    volatile ULONG Fired;
    volatile ULONG Order[TIMER_COUNT];
    ULONGLONG FiredAt[TIMER_COUNT]; /* interrupt time */
} TIMER_RECORD;

static TIMER_RECORD Timers;

/* A timer's DPC: notes which timer (context) fired and when. */
static VOID TimerRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    ULONG Index = (ULONG)(ULONG_PTR)Context;

    (VOID) Dpc, (VOID)Argument1, (VOID)Argument2;
    if (Timers.Fired < TIMER_COUNT) {
        Timers.Order[Timers.Fired] = Index;
    }
    if (Index < TIMER_COUNT) {
        Timers.FiredAt[Index] = KeQueryInterruptTime();
    }
    Timers.Fired++;
}

/* Timers set in scrambled order fire in the order of their due times (the interrupt time each KeSetTimer computed,
 * read back from the timer: a host stall between two KeSetTimer calls may shift one relative due time past
 * another), never before their due time. */
XTEST(TimersFireInDueTimeOrder) {
    static const ULONG DueMs[TIMER_COUNT] = {50, 10, 90, 30, 70, 20, 40, 80};
    ULONGLONG DueTime[TIMER_COUNT];
    PKTIMER Timer[TIMER_COUNT];
    PKDPC Dpc[TIMER_COUNT];
    LARGE_INTEGER Due;

    RtlZeroMemory(&Timers, sizeof(Timers));
    for (ULONG Index = 0; Index < TIMER_COUNT; Index++) {
        ULONGLONG Before = KeQueryInterruptTime();

        Due.QuadPart = -(LONGLONG)DueMs[Index] * MS;
        Dpc[Index] = PrepareDpc(Index, TimerRoutine, (PVOID)(ULONG_PTR)Index);
        Timer[Index] = PrepareTimer(Index);
        XTEST_CHECK(!KeSetTimer(Timer[Index], Due, Dpc[Index]));
        DueTime[Index] = Timer[Index]->QueueEntry.DueTime;
        XTEST_CHECK(DueTime[Index] >= Before + (ULONGLONG)DueMs[Index] * MS);
    }
    XTEST_CHECK(KeQueryTimerQueueLength() + Timers.Fired >= TIMER_COUNT);
    XTEST_ASSERT(WaitFor(&Timers.Fired, TIMER_COUNT, DPC_WAIT_MS));
    for (ULONG Slot = 0; Slot < TIMER_COUNT; Slot++) {
        ULONG Index = Timers.Order[Slot];
        XTEST_CHECK(Slot == 0 || DueTime[Index] >= DueTime[Timers.Order[Slot - 1]]);
        XTEST_CHECK(Timers.FiredAt[Index] >= DueTime[Index]); /* never early */
        XTEST_CHECK(KeReadStateTimer(Timer[Index]));
    }
}

XTEST(PeriodicTimerRepeatsUntilCancelled) {
    LARGE_INTEGER Due = {.QuadPart = -10 * MS};
    PKTIMER Timer;
    ULONG Fired;
    PKDPC Dpc;

    RtlZeroMemory(&Timers, sizeof(Timers));
    Dpc = PrepareDpc(TIMER_COUNT, TimerRoutine, (PVOID)TIMER_COUNT);
    Timer = PrepareTimer(0);
    KeSetTimerEx(Timer, Due, 10, Dpc);
    XTEST_ASSERT(WaitFor(&Timers.Fired, 5, DPC_WAIT_MS));
    XTEST_CHECK(KeCancelTimer(Timer));
    Fired = Timers.Fired;
    Spin(50);
    XTEST_CHECK_EQ(Timers.Fired, Fired); /* no expiry after the cancel */
    XTEST_CHECK(!KeCancelTimer(Timer));
}

XTEST(CancelledTimerNeverFires) {
    LARGE_INTEGER Due = {.QuadPart = -20 * MS};
    PKTIMER Timer;
    PKDPC Dpc;

    RtlZeroMemory(&Timers, sizeof(Timers));
    Dpc = PrepareDpc(0, TimerRoutine, (PVOID)0);
    Timer = PrepareTimer(0);
    XTEST_CHECK(!KeCancelTimer(Timer));
    XTEST_CHECK(!KeSetTimer(Timer, Due, Dpc));
    XTEST_CHECK(KeSetTimer(Timer, Due, Dpc)); /* re-set while queued: moved, reported as queued before */
    XTEST_CHECK(KeCancelTimer(Timer));
    Spin(60);
    XTEST_CHECK_EQ(Timers.Fired, 0);
    XTEST_CHECK(!KeReadStateTimer(Timer));
}

XTEST(AbsoluteDueTimeOnTheSystemClock) {
    ULONGLONG SetAt = KeQueryInterruptTime();
    LARGE_INTEGER Due;
    PKTIMER Timer;
    PKDPC Dpc;

    RtlZeroMemory(&Timers, sizeof(Timers));
    KeQuerySystemTime(&Due);
    Due.QuadPart += 30 * MS;
    Dpc = PrepareDpc(0, TimerRoutine, (PVOID)0);
    Timer = PrepareTimer(0);
    KeSetTimer(Timer, Due, Dpc);
    XTEST_ASSERT(WaitFor(&Timers.Fired, 1, DPC_WAIT_MS));
    /* The system time runs up to one increment ahead of the interrupt time (TSC refinement between ticks). */
    XTEST_CHECK(Timers.FiredAt[0] - SetAt + KeQueryTimeIncrement() >= 30 * MS);
    XTEST_CHECK(KeReadStateTimer(Timer));
}

/* ---- timers and the clock on every processor at once ---- */

#define SMP_TIMER_ROUNDS 20000
#define SMP_TIMERS       8

typedef struct _SMP_TIMER_CONTEXT {
    KDPC Dpc;
    KTIMER Timers[SMP_TIMERS];
    KDPC ExpiryDpcs[SMP_TIMERS];
} SMP_TIMER_CONTEXT, *PSMP_TIMER_CONTEXT;

static SMP_TIMER_CONTEXT SmpTimers[KE_MAXIMUM_PROCESSORS];
static volatile ULONG SmpTimerStarted, SmpTimerDone, SmpTimerFired, SmpTimerFailures;

static VOID SmpTimerExpired(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Context, (VOID)Argument1, (VOID)Argument2;
    __atomic_add_fetch(&SmpTimerFired, 1, __ATOMIC_RELEASE);
}

/* On one processor at DISPATCH_LEVEL: sets and cancels its timers thousands of times while the other processors do the
 * same and the boot processor's clock interrupt peeks at the queue; reads the clock on every round (it must never go
 * back); finally leaves its timers due in a few milliseconds, each with a DPC. */
static VOID SmpTimerRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    PSMP_TIMER_CONTEXT Timers = Context;
    ULONGLONG Last = KeQueryInterruptTime(), Now;
    LARGE_INTEGER LastTime, Time, Due;
    ULONG Failures = 0;

    (VOID) Dpc, (VOID)Argument2;
    /* Start together (for at most a second), so the processors really do overlap. */
    __atomic_add_fetch(&SmpTimerStarted, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&SmpTimerStarted, __ATOMIC_ACQUIRE) < (ULONG)(ULONG_PTR)Argument1 &&
           KeQueryInterruptTime() - Last < 1000 * MS) {
        KeYieldProcessor();
    }
    KeQuerySystemTime(&LastTime);
    for (ULONG Round = 0; Round < SMP_TIMER_ROUNDS; Round++) {
        PKTIMER Timer = &Timers->Timers[Round % SMP_TIMERS];

        Due.QuadPart = -(LONGLONG)(1000 + Round % 7) * MS; /* far enough never to fire here */
        Failures += KeSetTimer(Timer, Due, NULL);          /* not queued before */
        Failures += !KeCancelTimer(Timer);                 /* queued now */
        Now = KeQueryInterruptTime();
        KeQuerySystemTime(&Time);
        Failures += Now < Last || Time.QuadPart < LastTime.QuadPart;
        Last = Now;
        LastTime = Time;
    }
    for (ULONG Index = 0; Index < SMP_TIMERS; Index++) {
        Due.QuadPart = -(LONGLONG)(2 + Index) * MS;
        KeSetTimer(&Timers->Timers[Index], Due, &Timers->ExpiryDpcs[Index]);
    }
    __atomic_add_fetch(&SmpTimerFailures, Failures, __ATOMIC_RELAXED);
    __atomic_add_fetch(&SmpTimerDone, 1, __ATOMIC_RELEASE);
}

/* Every processor sets and cancels timers at once (the timer lock against the clock interrupt's peek and expiry) and
 * reads the clock (the sequence lock: never backwards); then every timer left fires exactly once and the queue is back
 * to where it was. */
XTEST(EveryProcessorSetsAndCancelsTimers) {
    ULONG Count = KeQueryActiveProcessorCount();
    ULONG_PTR Queued = KeQueryTimerQueueLength();

    SmpTimerStarted = SmpTimerDone = SmpTimerFired = SmpTimerFailures = 0;
    for (ULONG Number = 0; Number < Count; Number++) {
        KeInitializeDpc(&SmpTimers[Number].Dpc, SmpTimerRoutine, &SmpTimers[Number]);
        for (ULONG Index = 0; Index < SMP_TIMERS; Index++) {
            KeInitializeTimer(&SmpTimers[Number].Timers[Index]);
            KeInitializeDpc(&SmpTimers[Number].ExpiryDpcs[Index], SmpTimerExpired, NULL);
        }
        XTEST_ASSERT(KeSetTargetProcessorDpc(&SmpTimers[Number].Dpc, Number));
    }
    for (ULONG Number = 0; Number < Count; Number++) {
        XTEST_CHECK(KeInsertQueueDpc(&SmpTimers[Number].Dpc, (PVOID)(ULONG_PTR)Count, NULL));
    }
    XTEST_ASSERT(WaitFor(&SmpTimerDone, Count, 30000));
    XTEST_CHECK(WaitFor(&SmpTimerFired, Count * SMP_TIMERS, DPC_WAIT_MS));
    XTEST_CHECK_EQ(SmpTimerFailures, 0);
    XTEST_CHECK_EQ(KeQueryTimerQueueLength(), Queued);
    XtestPrint("  KeTimerLiveSuite: %u processors set and cancelled %u timers each, %u expiries\n", Count,
               (ULONG)SMP_TIMER_ROUNDS, SmpTimerFired);
}

XTEST_SUITE(KeTimerLiveSuite, XTEST_ENTRY(TimersFireInDueTimeOrder), XTEST_ENTRY(PeriodicTimerRepeatsUntilCancelled),
            XTEST_ENTRY(CancelledTimerNeverFires), XTEST_ENTRY(AbsoluteDueTimeOnTheSystemClock),
            XTEST_ENTRY(EveryProcessorSetsAndCancelsTimers));

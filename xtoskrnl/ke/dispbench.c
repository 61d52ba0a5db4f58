/* Dispatcher benchmarks (BENCH): TSC ticks for a thread switch through the scheduler (two threads yielding to each
 * other with KeYieldExecution; and the same with the two threads in different processes, so every switch loads CR3),
 * for a process create + delete (its address space included), for an event set -> the waiting thread running (a
 * synchronization event, the waiter pre-empting the setter through the DISPATCH interrupt), and for a system thread's
 * create + exit + wait + reaping. Under QEMU -icount shift=4,sleep=off the TSC counts guest instructions << 4
 * (/work/helpers/lead/kebench.sh). Runs before the clock starts: everything is pinned to the boot processor at
 * priorities above the system threads', and no wait has a timeout. */
#include <kd.h>
#include <kprocess.h>
#include <kthread.h>
#include <xtintrin.h>

#include "ki.h"

#define KI_YIELD_ROUNDS   2048 /* per thread */
#define KI_EVENT_ROUNDS   1024
#define KI_CREATE_ROUNDS  64
#define KI_PROCESS_ROUNDS 64
#define KI_BENCH_HIGH     30

static struct {
    KEVENT Wake, Back;
    volatile ULONGLONG Start, End, SetAt, Latency;
    volatile ULONG Yields;
} KiDispBench;

/* Yields to its peer until the pair switched 2 * KI_YIELD_ROUNDS times; the first yield starts the clock, the last
 * switch stops it. */
static VOID KiBenchYieldThread(PVOID Context) {
    (VOID) Context;
    if (KiDispBench.Start == 0) {
        KiDispBench.Start = ArReadTimeStampCounter();
    }
    while (KiDispBench.Yields < 2 * KI_YIELD_ROUNDS) {
        if (KeYieldExecution() == STATUS_SUCCESS && ++KiDispBench.Yields == 2 * KI_YIELD_ROUNDS) {
            KiDispBench.End = ArReadTimeStampCounter();
        }
    }
}

/* The waiter: each time the setter's KeSetEvent readies it, adds the ticks since the set, then hands back. */
static VOID KiBenchWaiterThread(PVOID Context) {
    (VOID) Context;
    for (ULONG Round = 0; Round < KI_EVENT_ROUNDS; Round++) {
        KeWaitForSingleObject(&KiDispBench.Wake, Executive, KernelMode, FALSE, NULL);
        KiDispBench.Latency += ArReadTimeStampCounter() - KiDispBench.SetAt;
        KeSetEvent(&KiDispBench.Back, 0, FALSE);
    }
}

/* The setter (one priority below the waiter): sets the event, the waiter pre-empts it at once. */
static VOID KiBenchSetterThread(PVOID Context) {
    (VOID) Context;
    for (ULONG Round = 0; Round < KI_EVENT_ROUNDS; Round++) {
        KiDispBench.SetAt = ArReadTimeStampCounter();
        KeSetEvent(&KiDispBench.Wake, 0, FALSE);
        KeWaitForSingleObject(&KiDispBench.Back, Executive, KernelMode, FALSE, NULL);
    }
}

static VOID KiBenchEmptyThread(PVOID Context) {
    (VOID) Context;
}

/* Starts two threads (of Processes[0] and [1]; NULL: the system process) at FirstPriority and SecondPriority pinned
 * to this processor and waits for both; FALSE when they could not be made. */
static BOOLEAN KiBenchRunPairIn(PKPROCESS Processes[2], PKSTART_ROUTINE First, KPRIORITY FirstPriority,
                                PKSTART_ROUTINE Second, KPRIORITY SecondPriority) {
    KAFFINITY Here = 1ull << KeGetCurrentProcessorNumber();
    PVOID Threads[2] = {NULL, NULL};

    if (!XT_SUCCESS(KeCreateThread((PKTHREAD *)&Threads[0], Processes[0], FirstPriority, Here, First, NULL, 0)) ||
        !XT_SUCCESS(KeCreateThread((PKTHREAD *)&Threads[1], Processes[1], SecondPriority, Here, Second, NULL, 0))) {
        return FALSE;
    }
    KeWaitForMultipleObjects(2, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    KeDereferenceThread(Threads[0]);
    KeDereferenceThread(Threads[1]);
    return TRUE;
}

static BOOLEAN KiBenchRunPair(PKSTART_ROUTINE First, KPRIORITY FirstPriority, PKSTART_ROUTINE Second,
                              KPRIORITY SecondPriority) {
    PKPROCESS System[2] = {NULL, NULL};

    return KiBenchRunPairIn(System, First, FirstPriority, Second, SecondPriority);
}

/* Ticks per switch of two threads of two new processes yielding to each other (each switch loads CR3); 0 when the
 * processes or threads could not be made. */
static ULONGLONG KiBenchProcessSwitch(VOID) {
    PKPROCESS Processes[2] = {NULL, NULL};
    ULONGLONG Switch = 0;

    KiDispBench.Start = KiDispBench.End = 0;
    KiDispBench.Yields = 0;
    if (XT_SUCCESS(KeCreateProcess(&Processes[0], 8, 0)) && XT_SUCCESS(KeCreateProcess(&Processes[1], 8, 0)) &&
        KiBenchRunPairIn(Processes, KiBenchYieldThread, KI_BENCH_HIGH, KiBenchYieldThread, KI_BENCH_HIGH) &&
        KiDispBench.End != 0) {
        Switch = (KiDispBench.End - KiDispBench.Start) / (2 * KI_YIELD_ROUNDS);
    }
    for (ULONG Index = 0; Index < 2; Index++) {
        if (Processes[Index] != NULL) {
            KeDeleteProcess(Processes[Index]);
        }
    }
    return Switch;
}

/* Ticks per KeCreateProcess + KeDeleteProcess (a new address space made and torn down); 0 without memory. */
static ULONGLONG KiBenchProcessCreateDelete(VOID) {
    ULONGLONG Start = ArReadTimeStampCounter();
    PKPROCESS Process;

    for (ULONG Round = 0; Round < KI_PROCESS_ROUNDS; Round++) {
        if (!XT_SUCCESS(KeCreateProcess(&Process, 8, 0))) {
            return 0;
        }
        KeDeleteProcess(Process);
    }
    return (ArReadTimeStampCounter() - Start) / KI_PROCESS_ROUNDS;
}

VOID KiRunDispatcherBenchmarks(VOID) {
    KAFFINITY Affinity = KeSetAffinityThread(1ull << KeGetCurrentProcessorNumber());
    ULONGLONG Switch = 0, Event = 0, Create = 0, ProcessSwitch, ProcessCreate, Start;
    PKTHREAD Thread;

    RtlZeroMemory(&KiDispBench, sizeof(KiDispBench));
    KeInitializeEvent(&KiDispBench.Wake, SynchronizationEvent, FALSE);
    KeInitializeEvent(&KiDispBench.Back, SynchronizationEvent, FALSE);
    /* The peer's last yield after the count was reached adds one more: the clock stopped at the count. */
    if (KiBenchRunPair(KiBenchYieldThread, KI_BENCH_HIGH, KiBenchYieldThread, KI_BENCH_HIGH) && KiDispBench.End != 0) {
        Switch = (KiDispBench.End - KiDispBench.Start) / (2 * KI_YIELD_ROUNDS);
    }
    if (KiBenchRunPair(KiBenchWaiterThread, KI_BENCH_HIGH, KiBenchSetterThread, KI_BENCH_HIGH - 1)) {
        Event = KiDispBench.Latency / KI_EVENT_ROUNDS;
    }
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_CREATE_ROUNDS; Round++) {
        if (!XT_SUCCESS(KeCreateSystemThread(&Thread, KI_BENCH_HIGH, 1ull << KeGetCurrentProcessorNumber(),
                                             KiBenchEmptyThread, NULL, 0))) {
            break;
        }
        KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL); /* the reaper runs before this returns */
        KeDereferenceThread(Thread);
        Create = (ArReadTimeStampCounter() - Start) / (Round + 1);
    }
    ProcessSwitch = KiBenchProcessSwitch();
    ProcessCreate = KiBenchProcessCreateDelete();
    KeSetAffinityThread(Affinity);
    KdPrint("KE-BENCH dispatcher_yield_switch=%llu event_set_to_waiter_running=%llu thread_create_exit=%llu "
            "process_yield_switch=%llu process_create_delete=%llu\n",
            Switch, Event, Create, ProcessSwitch, ProcessCreate);
}

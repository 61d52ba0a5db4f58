/* KeProcessSuite (SELFTEST only): processes over the live kernel on every processor. 1,000 processes created and
 * deleted and 10,000 threads created and terminated with every frame and pool byte back; two processes mapping
 * different frames at one user address, their threads each reading their own while switched back and forth (on one
 * processor and on all); KeAttachProcess and KeStackAttachProcess (nested, across pre-emption) seeing the attached
 * process's page and detach restoring; a process signalled when its last thread ends; x87/SSE state kept across
 * switches between threads of different processes. */
#include <ke.h>
#include <kprocess.h>
#include <kithread.h>
#include <kthread.h>
#include <mm.h>
#include <rtl.h>
#include <xtest.h>

#include "ke_suites.h"

#define KP_THREAD_TAG    0x6854654B   /* 'KeTh' (ke/dispatch.c) */
#define KP_PROCESS_TAG   0x7250654B   /* 'KePr' (ke/process.c) */
#define KP_USER_VA       0x40000000ul /* in the user half of every paging mode */
#define KP_MS            10000LL
#define KP_JOIN_MS       60000
#define KP_PROCESSES     1000
#define KP_BATCH_THREADS 100   /* threads per process in the 10,000-thread case */
#define KP_THREADS       10000 /* on 1 processor; on more, fewer (KpThreadCount) */
#define KP_ROUNDS        200   /* reads and yields per thread in the switching cases */
#define KP_FPU_ROUNDS    100

/* ---- helpers ---- */

static LARGE_INTEGER KpRelative(LONGLONG Milliseconds) {
    LARGE_INTEGER Value = {.QuadPart = -Milliseconds * KP_MS};

    return Value;
}

static VOID KpSleep(LONGLONG Milliseconds) {
    LARGE_INTEGER Interval = KpRelative(Milliseconds);

    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

/* Waits (bounded) until the reaper freed every terminated thread; TRUE when it did. */
static BOOLEAN KpWaitForReaper(VOID) {
    KDISPATCHER_STATISTICS Statistics;

    for (ULONG Round = 0; Round < 3000; Round++) {
        KeQueryDispatcherStatistics(&Statistics);
        if (Statistics.ReaperPending == 0) {
            return TRUE;
        }
        KpSleep(1);
    }
    XtestPrint("KE: the reaper left %u threads: %llu created, %llu reaped\n", Statistics.ReaperPending,
               Statistics.ThreadsCreated, Statistics.ThreadsReaped);
    return FALSE;
}

/* Waits for Object (a process or a thread) with the join timeout; TRUE when it was signalled. */
static BOOLEAN KpWait(PVOID Object) {
    LARGE_INTEGER Timeout = KpRelative(KP_JOIN_MS);

    return KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &Timeout) == STATUS_WAIT_0;
}

static ULONG KpReadUserWord(VOID) {
    return *(volatile ULONG *)KP_USER_VA;
}

/* Writes Value to Process's word at KP_USER_VA through a stack attach. */
static VOID KpWriteUserWord(PKPROCESS Process, ULONG Value) {
    KAPC_STATE State;

    KeStackAttachProcess(Process, &State);
    *(volatile ULONG *)KP_USER_VA = Value;
    KeUnstackDetachProcess(&State);
}

/* A process with a zeroed page at KP_USER_VA holding Value (written through a stack attach); NULL on failure. */
static PKPROCESS KpCreateProcessWithPage(ULONG Value) {
    PKPROCESS Process;

    if (!XT_SUCCESS(KeCreateProcess(&Process, 8, 0))) {
        return NULL;
    }
    if (!XT_SUCCESS(MmMapNewUserPage(Process->AddressSpace, KP_USER_VA))) {
        KeDeleteProcess(Process);
        return NULL;
    }
    KpWriteUserWord(Process, Value);
    return Process;
}

/* What the no-leak cases compare: pool tags, free frames (with the pool's pages), spaces, processes, threads. */
typedef struct _KP_SNAPSHOT {
    MM_POOL_TAG_STATISTICS Threads, Processes;
    MM_POOL_STATISTICS Pool;
    MM_BOOT_REPORT Mm;
    MM_SPACE_STATISTICS Spaces;
    KDISPATCHER_STATISTICS Dispatcher;
    KPROCESS_STATISTICS ProcessFigures;
    ULONG_PTR PteTables; /* page tables of system PTE space */
} KP_SNAPSHOT, *PKP_SNAPSHOT;

static VOID KpSnapshot(PKP_SNAPSHOT Snapshot) {
    RtlZeroMemory(Snapshot, sizeof(*Snapshot));
    MmFlushDeferredSystemPages();
    Snapshot->PteTables = MmQuerySystemPteTableFrames();
    MmQueryPoolTag(KP_THREAD_TAG, &Snapshot->Threads);
    MmQueryPoolTag(KP_PROCESS_TAG, &Snapshot->Processes);
    MmQueryPoolStatistics(&Snapshot->Pool);
    MmQueryBootReport(&Snapshot->Mm);
    MmQueryAddressSpaces(&Snapshot->Spaces);
    KeQueryDispatcherStatistics(&Snapshot->Dispatcher);
    KeQueryProcessStatistics(&Snapshot->ProcessFigures);
}

/* Free frames plus the pool's pages (a freed block's page may stay in a pool cache) plus the page tables system PTE
 * space grew (stacks freed in deferred batches let new ones land further on, into a new table, on SMP): equal before
 * and after. */
static ULONGLONG KpFramesAndPoolPages(PKP_SNAPSHOT Snapshot) {
    return Snapshot->Mm.FreePages + Snapshot->Pool.SmallPages + Snapshot->Pool.BigPages +
           Snapshot->Pool.BigCachedPages + Snapshot->PteTables;
}

/* The gate the threads of a test wait at until all of them exist (a process whose last thread ended takes no new
 * one). */
static KEVENT KpGate;

static VOID KpWaitAtGate(VOID) {
    KeWaitForSingleObject(&KpGate, Executive, KernelMode, FALSE, NULL);
}

/* ---- 1,000 processes, 10,000 threads ---- */

/* Creates and deletes Count processes, each with a user page (its page table and frame go back too); TRUE when all
 * were made. */
static BOOLEAN KpCycleProcesses(ULONG Count) {
    for (ULONG Index = 0; Index < Count; Index++) {
        PKPROCESS Process = KpCreateProcessWithPage(Index);

        if (Process == NULL) {
            return FALSE;
        }
        KeDeleteProcess(Process);
    }
    return TRUE;
}

/* 1,000 processes created (each with a user page) and deleted: the KPROCESS tag, the address spaces, the free frames
 * and the pool's pages are back at their baseline. */
XTEST(ThousandProcessesReturnEveryFrameAndPoolByte) {
    KP_SNAPSHOT Before, After;
    ULONGLONG Start;

    XTEST_ASSERT(KpCycleProcesses(8)); /* page tables, pool pages, lookaside depths reached once */
    KpSnapshot(&Before);
    Start = KeQueryInterruptTime();
    XTEST_ASSERT(KpCycleProcesses(KP_PROCESSES));
    KpSnapshot(&After);
    XtestPrint("KE: %u processes created and deleted in %llu ms\n", KP_PROCESSES,
               (KeQueryInterruptTime() - Start) / KP_MS);
    XTEST_CHECK_EQ(After.ProcessFigures.Created - Before.ProcessFigures.Created, KP_PROCESSES);
    XTEST_CHECK_EQ(After.ProcessFigures.Deleted - Before.ProcessFigures.Deleted, KP_PROCESSES);
    XTEST_CHECK_EQ(After.ProcessFigures.Live, Before.ProcessFigures.Live);
    XTEST_CHECK_EQ(After.Spaces.Created - Before.Spaces.Created, KP_PROCESSES);
    XTEST_CHECK_EQ(After.Spaces.Spaces, Before.Spaces.Spaces);
    XTEST_CHECK_EQ(After.Processes.BytesInUse, Before.Processes.BytesInUse);
    XTEST_CHECK_EQ(After.Processes.Allocations - Before.Processes.Allocations, KP_PROCESSES);
    XTEST_CHECK_EQ(After.Processes.Frees - Before.Processes.Frees, KP_PROCESSES);
    XTEST_CHECK_EQ(KpFramesAndPoolPages(&After), KpFramesAndPoolPages(&Before));
}

static struct {
    KEVENT Gate;
    volatile ULONG Runs, WrongValues, WrongProcess;
} KpBatch;

/* One thread of a batch: checks it runs in its process (and sees its page), then ends. */
static VOID KpBatchThread(PVOID Context) {
    PKPROCESS Process = Context;

    KpBatch.WrongProcess += KeGetCurrentProcess() != Process;
    KpBatch.WrongValues += KpReadUserWord() != (ULONG)(ULONG_PTR)Process;
    __atomic_add_fetch(&KpBatch.Runs, 1, __ATOMIC_RELAXED);
}

/* A batch's first thread: keeps the process alive (a process whose last thread ended takes no new one) until the gate
 * opens. */
static VOID KpAnchorThread(PVOID Context) {
    KpBatchThread(Context);
    KeWaitForSingleObject(&KpBatch.Gate, Executive, KernelMode, FALSE, NULL);
}

/* Runs Batches processes of KP_BATCH_THREADS threads each: the first waits at a gate until all are made (the others run
 * and end meanwhile), the gate opens, the process is waited on (its last thread signals it) and deleted, and the
 * reaper frees the batch's stacks. TRUE when every step worked. */
static BOOLEAN KpRunThreadBatches(ULONG Batches) {
    for (ULONG Batch = 0; Batch < Batches; Batch++) {
        PKPROCESS Process = KpCreateProcessWithPage(0);
        BOOLEAN Ok = TRUE;

        if (Process == NULL) {
            XtestPrint("KE: batch %u: no process\n", Batch);
            return FALSE;
        }
        KpWriteUserWord(Process, (ULONG)(ULONG_PTR)Process);
        KeInitializeEvent(&KpBatch.Gate, NotificationEvent, FALSE);
        for (ULONG Index = 0; Index < KP_BATCH_THREADS && Ok; Index++) {
            Ok = XT_SUCCESS(
                KeCreateThread(NULL, Process, 0, 0, Index == 0 ? KpAnchorThread : KpBatchThread, Process, 0));
        }
        KeSetEvent(&KpBatch.Gate, 0, FALSE);
        if (!KpWait(Process)) {
            XtestPrint("KE: process 0x%p still has %u threads\n", (PVOID)Process, Process->ThreadCount);
            return FALSE; /* leaked on purpose: its threads still run */
        }
        KeDeleteProcess(Process);
        if (!Ok) {
            KP_SNAPSHOT Now;

            KpSnapshot(&Now);
            XtestPrint("KE: batch %u: a thread could not be made: %llu created, %llu reaped, %u pending, %llu free "
                       "pages, %llu KTHREAD bytes, %u spaces\n",
                       Batch, Now.Dispatcher.ThreadsCreated, Now.Dispatcher.ThreadsReaped, Now.Dispatcher.ReaperPending,
                       (ULONGLONG)Now.Mm.FreePages, (ULONGLONG)Now.Threads.BytesInUse, (ULONG)Now.Spaces.Spaces);
            return FALSE;
        }
        if (!KpWaitForReaper()) { /* the stacks of this batch back before the next one takes more */
            return FALSE;
        }
    }
    return TRUE;
}

/* How many threads the 10,000-thread case runs: 10,000 on one processor (about 2 s under TCG); with more, the
 * dispatcher lock and every reaped stack's shootdown IPI go through vCPUs the 2-core host deschedules (10,000 took
 * 7 s on 2 processors and 96 s on 4): 2,000 on 2 or 3 processors, 500 on 4 or more. */
static ULONG KpThreadCount(VOID) {
    ULONG Processors = KeQueryActiveProcessorCount();

    return Processors == 1 ? KP_THREADS : Processors < 4 ? 2000 : 500;
}

/* 10,000 threads in 100 processes (fewer on SMP: KpThreadCount) created and terminated: each ran in its process
 * (its page, KeGetCurrentProcess), the reaper freed every stack, and the KTHREAD and KPROCESS tags, the free frames and
 * the pool's pages are back. */
XTEST(TenThousandThreadsReturnEveryFrameAndPoolByte) {
    ULONG Threads = KpThreadCount();
    KP_SNAPSHOT Before, After;
    ULONGLONG Start;

    XTEST_ASSERT(KpRunThreadBatches(3)); /* the stacks' system PTE tables, pool pages, lookasides reached once */
    KpSnapshot(&Before);
    RtlZeroMemory((PVOID)&KpBatch, sizeof(KpBatch));
    Start = KeQueryInterruptTime();
    XTEST_ASSERT(KpRunThreadBatches(Threads / KP_BATCH_THREADS));
    KpSnapshot(&After);
    XtestPrint("KE: %u threads in %u processes created and terminated in %llu ms (system PTE space grew %zu page "
               "tables)\n",
               Threads, Threads / KP_BATCH_THREADS, (KeQueryInterruptTime() - Start) / KP_MS,
               (SIZE_T)(After.PteTables - Before.PteTables));
    XTEST_CHECK_EQ(KpBatch.Runs, Threads);
    XTEST_CHECK_EQ(KpBatch.WrongValues, 0);
    XTEST_CHECK_EQ(KpBatch.WrongProcess, 0);
    XTEST_CHECK_EQ(After.Dispatcher.ThreadsCreated - Before.Dispatcher.ThreadsCreated, Threads);
    XTEST_CHECK_EQ(After.Dispatcher.ThreadsReaped - Before.Dispatcher.ThreadsReaped, Threads);
    XTEST_CHECK_EQ(After.Dispatcher.ReaperPending, 0);
    XTEST_CHECK_EQ(After.Threads.BytesInUse, Before.Threads.BytesInUse);
    XTEST_CHECK_EQ(After.Threads.Allocations - Before.Threads.Allocations, Threads);
    XTEST_CHECK_EQ(After.Threads.Frees - Before.Threads.Frees, Threads);
    XTEST_CHECK_EQ(After.Processes.BytesInUse, Before.Processes.BytesInUse);
    XTEST_CHECK_EQ(After.ProcessFigures.Live, Before.ProcessFigures.Live);
    XTEST_CHECK_EQ(After.Spaces.Spaces, Before.Spaces.Spaces);
    XTEST_CHECK_EQ(KpFramesAndPoolPages(&After), KpFramesAndPoolPages(&Before));
}

/* ---- Two processes, one user address ---- */

#define KP_VALUE(Index) (0x5EED0000u + (Index))

static struct {
    volatile ULONG Errors, Rounds;
    volatile ULONGLONG Processors[2]; /* per process: the processors its threads ran on */
} KpShared;

/* Reads the process's word KP_ROUNDS times, yielding (and now and then sleeping) between reads. */
static VOID KpReaderThread(PVOID Context) {
    ULONG Index = (ULONG)(ULONG_PTR)Context;

    KpWaitAtGate();
    for (ULONG Round = 0; Round < KP_ROUNDS; Round++) {
        KpShared.Errors += KpReadUserWord() != KP_VALUE(Index);
        __atomic_or_fetch(&KpShared.Processors[Index], 1ull << KeGetCurrentProcessorNumber(), __ATOMIC_RELAXED);
        __atomic_add_fetch(&KpShared.Rounds, 1, __ATOMIC_RELAXED);
        if ((Round & 31) == 31) {
            KpSleep(1);
        } else {
            KeYieldExecution();
        }
    }
}

/* Two processes map different frames at KP_USER_VA. Two threads of each pinned to processor 0 yield to each other
 * (every other switch changes CR3), and one thread of each per processor runs anywhere: every read sees its own
 * process's value. */
XTEST(TwoProcessesSeeTheirOwnFrameAtOneAddress) {
    ULONG Count = KeQueryActiveProcessorCount(), Threads = 0;
    MM_SPACE_STATISTICS Before, After;
    PKPROCESS Processes[2];

    RtlZeroMemory((PVOID)&KpShared, sizeof(KpShared));
    KeInitializeEvent(&KpGate, NotificationEvent, FALSE);
    for (ULONG Index = 0; Index < 2; Index++) {
        Processes[Index] = KpCreateProcessWithPage(KP_VALUE(Index));
        XTEST_ASSERT(Processes[Index] != NULL);
    }
    MmQueryAddressSpaces(&Before);
    for (ULONG Index = 0; Index < 2; Index++) {
        for (ULONG Pinned = 0; Pinned < 2; Pinned++) {
            XTEST_ASSERT(
                XT_SUCCESS(KeCreateThread(NULL, Processes[Index], 9, 1, KpReaderThread, (PVOID)(ULONG_PTR)Index, 0)));
            Threads++;
        }
        for (ULONG Number = 0; Number < Count; Number++) {
            XTEST_ASSERT(
                XT_SUCCESS(KeCreateThread(NULL, Processes[Index], 9, 0, KpReaderThread, (PVOID)(ULONG_PTR)Index, 0)));
            Threads++;
        }
    }
    KeSetEvent(&KpGate, 0, FALSE);
    XTEST_ASSERT(KpWait(Processes[0]) && KpWait(Processes[1]));
    MmQueryAddressSpaces(&After);
    XtestPrint("KE: two processes: %u reads, processors 0x%llx and 0x%llx, %llu CR3 loads\n", KpShared.Rounds,
               KpShared.Processors[0], KpShared.Processors[1], After.Switches - Before.Switches);
    KeDeleteProcess(Processes[0]);
    KeDeleteProcess(Processes[1]);
    XTEST_CHECK_EQ(KpShared.Errors, 0);
    XTEST_CHECK_EQ(KpShared.Rounds, Threads * KP_ROUNDS);
    /* Processor 0's queue holds threads of both processes: however they are ordered, at least one switch in each round
     * of it changes the process (the pinned pairs alone give 2 * KP_ROUNDS CR3 loads when alternating). */
    XTEST_CHECK(After.Switches - Before.Switches >= KP_ROUNDS);
    XTEST_CHECK(KpShared.Processors[0] & KpShared.Processors[1] & 1);
    XTEST_ASSERT(KpWaitForReaper());
}

/* ---- Attach ---- */

static struct {
    volatile ULONG Seen;
    volatile BOOLEAN Ran;
} KpPreempt;

/* Runs on the attached thread's processor at a higher priority (pre-empting it): reads its own process's page. */
static VOID KpPreemptingThread(PVOID Context) {
    (VOID) Context;
    KpPreempt.Seen = KpReadUserWord();
    KpPreempt.Ran = TRUE;
}

/* KeAttachProcess: the attached process's page, KeGetCurrentProcess, kept across a pre-emption by a thread of another
 * process and a sleep; KeDetachProcess: back in the system process, the page gone. Attaching to the process the
 * thread runs in and detaching when not attached do nothing. */
XTEST(AttachSeesTheProcessAndDetachRestores) {
    PKPROCESS System = KeGetSystemProcess(), Processes[2];
    KAFFINITY OldAffinity;
    ULONG Here;

    for (ULONG Index = 0; Index < 2; Index++) {
        Processes[Index] = KpCreateProcessWithPage(KP_VALUE(Index));
        XTEST_ASSERT(Processes[Index] != NULL);
    }
    XTEST_CHECK(KeGetCurrentProcess() == System);
    XTEST_CHECK(!MmIsAddressValid(KP_USER_VA));
    KeAttachProcess(System); /* its own process: nothing */
    XTEST_CHECK_EQ(KeGetCurrentThread()->ApcStateIndex, 0);
    KeDetachProcess(); /* not attached: nothing */
    KeAttachProcess(Processes[0]);
    XTEST_CHECK(KeGetCurrentProcess() == Processes[0]);
    XTEST_CHECK_EQ(Processes[0]->AttachCount, 1);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    Here = KeGetCurrentProcessorNumber();
    OldAffinity = KeSetAffinityThread(1ull << Here);
    KpPreempt.Ran = FALSE;
    XTEST_ASSERT(XT_SUCCESS(KeCreateThread(NULL, Processes[1], 20, 1ull << Here, KpPreemptingThread, NULL, 0)));
    XTEST_CHECK(KpPreempt.Ran); /* it pre-empted this thread at once (higher priority, same processor) */
    XTEST_CHECK_EQ(KpPreempt.Seen, KP_VALUE(1));
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0)); /* switched back in: the attached space again */
    KeSetAffinityThread(OldAffinity);
    KpSleep(2);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    XTEST_CHECK(MmGetCurrentAddressSpace() == Processes[0]->AddressSpace);
    KeDetachProcess();
    XTEST_CHECK(KeGetCurrentProcess() == System);
    XTEST_CHECK(MmGetCurrentAddressSpace() == &MmSystemAddressSpace);
    XTEST_CHECK(!MmIsAddressValid(KP_USER_VA));
    XTEST_CHECK_EQ(Processes[0]->AttachCount, 0);
    XTEST_ASSERT(KpWait(Processes[1]));
    KeDeleteProcess(Processes[0]);
    KeDeleteProcess(Processes[1]);
}

/* KeStackAttachProcess nests: system -> A -> B -> A (each seeing its page), unstacked innermost first back to the
 * system; inside KeAttachProcess too, and KeDetachProcess then ends the outer attach; a stack attach to the current
 * process does nothing. */
XTEST(StackAttachNestsAndUnstacksInOrder) {
    PKPROCESS System = KeGetSystemProcess(), Processes[2];
    KAPC_STATE States[3], Same;

    for (ULONG Index = 0; Index < 2; Index++) {
        Processes[Index] = KpCreateProcessWithPage(KP_VALUE(Index));
        XTEST_ASSERT(Processes[Index] != NULL);
    }
    KeStackAttachProcess(Processes[0], &States[0]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    KeStackAttachProcess(Processes[1], &States[1]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(1));
    KeStackAttachProcess(Processes[1], &Same); /* already there: nothing */
    XTEST_CHECK(KeGetCurrentProcess() == Processes[1]);
    KeStackAttachProcess(Processes[0], &States[2]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    KpSleep(1);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    KeUnstackDetachProcess(&States[2]);
    KeUnstackDetachProcess(&Same);
    XTEST_CHECK(KeGetCurrentProcess() == Processes[1]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(1));
    KeUnstackDetachProcess(&States[1]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    KeUnstackDetachProcess(&States[0]);
    XTEST_CHECK(KeGetCurrentProcess() == System);
    XTEST_CHECK(!MmIsAddressValid(KP_USER_VA));
    XTEST_CHECK_EQ(KeGetCurrentThread()->ApcStateIndex, 0);
    /* A stack attach inside KeAttachProcess returns to the attached process; KeDetachProcess ends the outer one. */
    KeAttachProcess(Processes[1]);
    KeStackAttachProcess(Processes[0], &States[0]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(0));
    KeUnstackDetachProcess(&States[0]);
    XTEST_CHECK_EQ(KpReadUserWord(), KP_VALUE(1));
    KeDetachProcess();
    XTEST_CHECK(KeGetCurrentProcess() == System);
    XTEST_CHECK_EQ(Processes[0]->AttachCount + Processes[1]->AttachCount, 0);
    KeDeleteProcess(Processes[0]);
    KeDeleteProcess(Processes[1]);
}

/* ---- The process object ---- */

static KEVENT KpRelease;

static VOID KpWaitingThread(PVOID Context) {
    (VOID) Context;
    KeWaitForSingleObject(&KpRelease, Executive, KernelMode, FALSE, NULL);
}

/* A process with three threads is not signalled until the last ends; then a wait on it returns STATUS_WAIT_0, it
 * takes no new thread (STATUS_PROCESS_IS_TERMINATING), and WaitAny over it and an unsignalled event picks it. */
XTEST(ProcessSignalledWhenItsLastThreadEnds) {
    LARGE_INTEGER Zero = {.QuadPart = 0}, Short = KpRelative(20);
    KEVENT Never;
    PVOID Objects[2] = {&Never, NULL};
    PKPROCESS Process;

    XTEST_ASSERT(XT_SUCCESS(KeCreateProcess(&Process, 8, 0)));
    XTEST_CHECK_EQ(KeCreateProcess(&Process, 0, 0), STATUS_INVALID_PARAMETER);
    Objects[1] = Process;
    KeInitializeEvent(&KpRelease, NotificationEvent, FALSE);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    for (ULONG Index = 0; Index < 3; Index++) {
        XTEST_ASSERT(XT_SUCCESS(KeCreateThread(NULL, Process, 0, 0, KpWaitingThread, NULL, 0)));
    }
    XTEST_CHECK_EQ(KeWaitForSingleObject(Process, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(KeWaitForSingleObject(Process, Executive, KernelMode, FALSE, &Short), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(KeReadStateProcess(Process), 0);
    XTEST_CHECK_EQ(Process->ThreadCount, 3);
    KeSetEvent(&KpRelease, 0, FALSE);
    XTEST_CHECK(KpWait(Process));
    XTEST_CHECK_EQ(KeReadStateProcess(Process), 1);
    XTEST_CHECK_EQ(Process->ThreadCount, 0);
    XTEST_CHECK_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
                   STATUS_WAIT_0 + 1);
    XTEST_CHECK_EQ(KeCreateThread(NULL, Process, 0, 0, KpWaitingThread, NULL, 0), STATUS_PROCESS_IS_TERMINATING);
    XTEST_CHECK_EQ(Process->AddressSpace->ActiveProcessors, 0); /* its last thread left the space before the signal */
    KeDeleteProcess(Process);
    XTEST_ASSERT(KpWaitForReaper());
}

/* ---- Floating-point state across processes ---- */

static volatile ULONG KpFpuErrors, KpFpuRounds;

/* Loads XMM6/XMM7 (and MXCSR's rounding bits) with a pattern of its own, yields KP_FPU_ROUNDS times to threads of the
 * other process on the same processor, and checks the registers after each switch back. */
static VOID KpFpuThread(PVOID Context) {
    ULONG Seed = (ULONG)(ULONG_PTR)Context;
    ULONG In[8], Out[8], Mxcsr = 0x1F80 | ((Seed & 3) << 13), MxcsrOut = 0;

    for (ULONG Index = 0; Index < 8; Index++) {
        In[Index] = Seed * 0x01010101u + Index * 0x11111111u;
    }
    KpWaitAtGate();
    __asm__ volatile("movups (%0), %%xmm6\n\tmovups 16(%0), %%xmm7\n\tldmxcsr %1" : : "r"(In), "m"(Mxcsr) : "memory");
    for (ULONG Round = 0; Round < KP_FPU_ROUNDS; Round++) {
        KeYieldExecution();
        __asm__ volatile("movups %%xmm6, (%0)\n\tmovups %%xmm7, 16(%0)\n\tstmxcsr %1"
                         :
                         : "r"(Out), "m"(MxcsrOut)
                         : "memory");
        KpFpuErrors += RtlCompareMemory(In, Out, sizeof(In)) != sizeof(In) || MxcsrOut != Mxcsr;
        __atomic_add_fetch(&KpFpuRounds, 1, __ATOMIC_RELAXED);
    }
}

/* Two threads of each of two processes on processor 0 keep their XMM registers and MXCSR across KP_FPU_ROUNDS yields
 * each (switches between processes: FXSAVE/XSAVE and a CR3 load). */
XTEST(FloatingPointStateSurvivesSwitchesBetweenProcesses) {
    PKPROCESS Processes[2];

    XTEST_ASSERT(KiGetFloatSaveAreaSize() != 0);
    KpFpuErrors = KpFpuRounds = 0;
    KeInitializeEvent(&KpGate, NotificationEvent, FALSE);
    for (ULONG Index = 0; Index < 2; Index++) {
        XTEST_ASSERT(XT_SUCCESS(KeCreateProcess(&Processes[Index], 8, 1)));
    }
    for (ULONG Index = 0; Index < 4; Index++) {
        XTEST_ASSERT(XT_SUCCESS(
            KeCreateThread(NULL, Processes[Index & 1], 9, 1, KpFpuThread, (PVOID)(ULONG_PTR)(Index + 1), 0)));
    }
    KeSetEvent(&KpGate, 0, FALSE);
    XTEST_ASSERT(KpWait(Processes[0]) && KpWait(Processes[1]));
    KeDeleteProcess(Processes[0]);
    KeDeleteProcess(Processes[1]);
    XTEST_CHECK_EQ(KpFpuRounds, 4 * KP_FPU_ROUNDS);
    XTEST_CHECK_EQ(KpFpuErrors, 0);
    XTEST_ASSERT(KpWaitForReaper());
}

XTEST_SUITE(KeProcessSuite, XTEST_ENTRY(ThousandProcessesReturnEveryFrameAndPoolByte),
            XTEST_ENTRY(TenThousandThreadsReturnEveryFrameAndPoolByte),
            XTEST_ENTRY(TwoProcessesSeeTheirOwnFrameAtOneAddress), XTEST_ENTRY(AttachSeesTheProcessAndDetachRestores),
            XTEST_ENTRY(StackAttachNestsAndUnstacksInOrder), XTEST_ENTRY(ProcessSignalledWhenItsLastThreadEnds),
            XTEST_ENTRY(FloatingPointStateSurvivesSwitchesBetweenProcesses));

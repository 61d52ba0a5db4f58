/* PsProcessSuite (SELFTEST, both arches, every paging mode; also the smp4 boots): processes and threads as objects.
 * Threads made in a process by handle run in it; thread and process handles are waited on through
 * NtWaitForSingleObject/NtWaitForMultipleObjects; a handle made by a thread of a process lands in that process's
 * table (not the kernel's, not another process's) and NtDuplicateObject copies it between two processes by process
 * handle; a process's exit closes every handle of its table; 1,000 processes created and exited give every pool byte
 * and frame back; bad handles and wrong types give NT's status. */
#include <kprocess.h>
#include <kthread.h>
#include <mm.h>
#include <ps.h>
#include <rtl.h>

#include "ps_suites.h"

#define PT_MS            10000LL
#define PT_JOIN_MS       20000
#define PT_PROCESSES     1000 /* on one processor */
#define PT_PROCESSES_SMP 200  /* with more: 3-4 hand-overs between processors a round, ~5 ms each on a loaded host */
#define PT_TAG_KEPR      MM_POOL_TAG('K', 'e', 'P', 'r') /* ke/process.c's KPROCESSes */
#define PT_TAG_KETH      MM_POOL_TAG('K', 'e', 'T', 'h') /* ke/dispatch.c's KTHREADs */
#define PT_TAG_TABLE     MM_POOL_TAG('O', 'b', 'H', 't') /* Ob's handle tables and their pages */
#define PT_TAG_COUNT     6

static LARGE_INTEGER PtRelative(LONGLONG Milliseconds) {
    LARGE_INTEGER Time;

    Time.QuadPart = -Milliseconds * PT_MS;
    return Time;
}

static POBJECT_ATTRIBUTES PtKernelAttributes(POBJECT_ATTRIBUTES Attributes) {
    InitializeObjectAttributes(Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    return Attributes;
}

static XTSTATUS PtWaitHandle(HANDLE Handle, LONGLONG Milliseconds) {
    LARGE_INTEGER Timeout = PtRelative(Milliseconds);

    return NtWaitForSingleObject(Handle, FALSE, &Timeout);
}

static VOID PtSleep(LONGLONG Milliseconds) {
    LARGE_INTEGER Interval = PtRelative(Milliseconds);

    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

/* The body a kernel handle names (its reference dropped: only the address). */
static PVOID PtObjectOf(HANDLE Handle, POBJECT_TYPE Type) {
    PVOID Object = NULL;

    if (ObReferenceObjectByHandle(Handle, 0, Type, KernelMode, &Object, NULL) != STATUS_SUCCESS) {
        return NULL;
    }
    ObDereferenceObject(Object);
    return Object;
}

/* Runs Routine(Context) in a new thread of ProcessHandle and waits for its end; the thread handle is closed. */
static XTSTATUS PtRunIn(HANDLE ProcessHandle, PKSTART_ROUTINE Routine, PVOID Context) {
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Thread;
    XTSTATUS Status;

    Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, PtKernelAttributes(&Attributes), ProcessHandle, Routine,
                                  Context);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = PtWaitHandle(Thread, PT_JOIN_MS);
    NtClose(Thread);
    return Status;
}

/* A thread that keeps its process alive until its gate opens. */
static VOID PtKeeper(PVOID Context) {
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, NULL);
}

static XTSTATUS PtCreateKeptProcess(PHANDLE Process, PHANDLE Keeper, PKEVENT Gate) {
    OBJECT_ATTRIBUTES Attributes;
    XTSTATUS Status;

    KeInitializeEvent(Gate, NotificationEvent, FALSE);
    Status = PsCreateSystemProcess(Process, PROCESS_ALL_ACCESS, PtKernelAttributes(&Attributes));
    if (Status == STATUS_SUCCESS) {
        Status = PsCreateSystemThread(Keeper, THREAD_ALL_ACCESS, &Attributes, *Process, PtKeeper, Gate);
    }
    return Status;
}

/* Opens Gate and waits for the process to exit; both handles closed. */
static XTSTATUS PtEndKeptProcess(HANDLE Process, HANDLE Keeper, PKEVENT Gate) {
    XTSTATUS Status;

    KeSetEvent(Gate, 0, FALSE);
    Status = PtWaitHandle(Process, PT_JOIN_MS);
    NtClose(Keeper);
    NtClose(Process);
    return Status;
}

XTEST(TypesAndTheSystemProcessExist) {
    UNICODE_STRING Name;
    PVOID Object = NULL;

    XTEST_ASSERT(PsProcessType != NULL && PsThreadType != NULL && PsInitialSystemProcess != NULL);
    RtlInitUnicodeString(&Name, u"\\ObjectTypes\\PROCESS");
    XTEST_CHECK_EQ(ObReferenceObjectByName(&Name, OBJ_CASE_INSENSITIVE, NULL, 0, NULL, KernelMode, NULL, &Object),
                   STATUS_SUCCESS);
    XTEST_CHECK(Object == PsProcessType);
    if (Object != NULL) {
        ObDereferenceObject(Object);
    }
    XTEST_CHECK(PsProcessType->TypeInfo.WaitableObject && PsThreadType->TypeInfo.WaitableObject);
    XTEST_CHECK(PsProcessType->TypeInfo.DeleteProcedure != NULL && PsThreadType->TypeInfo.DeleteProcedure != NULL);
    XTEST_CHECK_EQ((ULONG_PTR)PsInitialSystemProcess->UniqueProcessId, 4);
    XTEST_CHECK(PsInitialSystemProcess->Pcb == KeGetSystemProcess());
    XTEST_CHECK(PsGetCurrentProcess() == PsInitialSystemProcess);
    XTEST_CHECK(PsGetCurrentThread() == NULL);                                         /* SELFTEST is a Ke thread */
    XTEST_CHECK_EQ(PsTerminateSystemThread(STATUS_SUCCESS), STATUS_INVALID_PARAMETER); /* ... so it refuses */
}

static struct {
    KEVENT Gate;
    PEPROCESS Expected;
    volatile LONG Runs, Wrong;
} PtRun;

static VOID PtCheckedThread(PVOID Context) {
    PETHREAD Self = PsGetCurrentThread();

    KeWaitForSingleObject(&PtRun.Gate, Executive, KernelMode, FALSE, NULL);
    if (PsGetCurrentProcess() != PtRun.Expected || KeGetCurrentProcess() != PtRun.Expected->Pcb || Self == NULL ||
        Self->Process != PtRun.Expected || Self->StartContext != Context || Self->Tcb != KeGetCurrentThread()) {
        __atomic_add_fetch(&PtRun.Wrong, 1, __ATOMIC_RELAXED);
    }
    __atomic_add_fetch(&PtRun.Runs, 1, __ATOMIC_RELAXED);
    if (Context == (PVOID)2) {
        PsTerminateSystemThread(0x1234);
        __atomic_add_fetch(&PtRun.Wrong, 1, __ATOMIC_RELAXED); /* never reached */
    }
}

/* Three threads made by process handle run in the process; their handles and the process's are waited on; the
 * process exits with its last thread and then takes no new thread. */
XTEST(ThreadsRunInTheirProcessAndHandlesWait) {
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Process, Threads[3], Late = NULL;
    PETHREAD Bodies[3];
    PEX_HANDLE_TABLE Table;

    RtlZeroMemory(&PtRun, sizeof(PtRun));
    KeInitializeEvent(&PtRun.Gate, NotificationEvent, FALSE);
    XTEST_ASSERT_EQ(PsCreateSystemProcess(&Process, PROCESS_ALL_ACCESS, PtKernelAttributes(&Attributes)),
                    STATUS_SUCCESS);
    PtRun.Expected = PtObjectOf(Process, PsProcessType);
    XTEST_ASSERT(PtRun.Expected != NULL);
    Table = PtRun.Expected->ObjectTable;
    XTEST_CHECK(Table != NULL && Table != ObGetKernelHandleTable());
    for (ULONG Index = 0; Index < 3; Index++) {
        XTEST_ASSERT_EQ(PsCreateSystemThread(&Threads[Index], THREAD_ALL_ACCESS, &Attributes, Process, PtCheckedThread,
                                             (PVOID)(ULONG_PTR)Index),
                        STATUS_SUCCESS);
        Bodies[Index] = PtObjectOf(Threads[Index], PsThreadType);
        XTEST_CHECK(Bodies[Index] != NULL && Bodies[Index]->Process == PtRun.Expected);
    }
    XTEST_CHECK(Bodies[0]->UniqueThreadId != Bodies[1]->UniqueThreadId &&
                Bodies[1]->UniqueThreadId != Bodies[2]->UniqueThreadId &&
                Bodies[0]->UniqueThreadId != PtRun.Expected->UniqueProcessId);
    XTEST_CHECK_EQ(PtWaitHandle(Threads[0], 0), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(PtWaitHandle(Process, 0), STATUS_TIMEOUT);
    KeSetEvent(&PtRun.Gate, 0, FALSE);
    LARGE_INTEGER Timeout = PtRelative(PT_JOIN_MS);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Threads, WaitAll, FALSE, &Timeout), STATUS_SUCCESS);
    XTEST_CHECK_EQ(PtWaitHandle(Process, PT_JOIN_MS), STATUS_SUCCESS);
    XTEST_CHECK_EQ(PtRun.Runs, 3);
    XTEST_CHECK_EQ(PtRun.Wrong, 0);
    XTEST_CHECK_EQ(Bodies[0]->ExitStatus, STATUS_SUCCESS);
    XTEST_CHECK_EQ(Bodies[2]->ExitStatus, 0x1234);
    XTEST_CHECK(PtRun.Expected->Flags & PS_PROCESS_FLAG_EXITED);
    /* Swept at exit (every handle closed), kept until the process object goes. */
    XTEST_CHECK(PtRun.Expected->ObjectTable == Table);
    XTEST_CHECK_EQ(Table->HandleCount, 0);
    XTEST_CHECK_EQ(PsCreateSystemThread(&Late, 0, &Attributes, Process, PtCheckedThread, NULL),
                   STATUS_PROCESS_IS_TERMINATING);
    XTEST_CHECK(Late == NULL);
    for (ULONG Index = 0; Index < 3; Index++) {
        NtClose(Threads[Index]);
    }
    NtClose(Process);
}

static struct {
    HANDLE Handle, Copy;
    PVOID Event;
    XTSTATUS Create, Lookup, Set, SetCopy;
} PtTable;

static VOID PtCreateEventHere(PVOID Context) {
    (VOID) Context;
    PtTable.Create = NtCreateEvent(&PtTable.Handle, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);
    if (PtTable.Create == STATUS_SUCCESS && ObReferenceObjectByHandle(PtTable.Handle, 0, ExEventObjectType, KernelMode,
                                                                      &PtTable.Event, NULL) == STATUS_SUCCESS) {
        ObDereferenceObject(PtTable.Event);
    }
}

static VOID PtUseHandlesHere(PVOID Context) {
    PVOID Object;

    (VOID) Context;
    PtTable.Lookup = ObReferenceObjectByHandle(PtTable.Handle, 0, NULL, KernelMode, &Object, NULL);
    if (PtTable.Lookup == STATUS_SUCCESS) {
        ObDereferenceObject(Object);
    }
    PtTable.Set = NtSetEvent(PtTable.Handle, NULL);
    PtTable.SetCopy = PtTable.Copy != NULL ? NtSetEvent(PtTable.Copy, NULL) : STATUS_INVALID_HANDLE;
}

/* An event made by a thread of A lands in A's table: valid there (and for a thread attached to A), not in the kernel
 * table, not in B; NtDuplicateObject by process handles copies it into B, where B's thread sets it. */
XTEST(HandlesLandInTheirProcessTableAndDuplicateAcross) {
    HANDLE A, B, KeeperA, KeeperB;
    KEVENT GateA, GateB;
    PEPROCESS BodyA, BodyB;
    PVOID Object = NULL;
    KAPC_STATE ApcState;
    ULONG KernelHandles = ObGetKernelHandleTable()->HandleCount;

    RtlZeroMemory(&PtTable, sizeof(PtTable));
    XTEST_ASSERT_EQ(PtCreateKeptProcess(&A, &KeeperA, &GateA), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(PtCreateKeptProcess(&B, &KeeperB, &GateB), STATUS_SUCCESS);
    BodyA = PtObjectOf(A, PsProcessType);
    BodyB = PtObjectOf(B, PsProcessType);
    XTEST_ASSERT(BodyA != NULL && BodyB != NULL && BodyA->UniqueProcessId != BodyB->UniqueProcessId);
    KernelHandles = ObGetKernelHandleTable()->HandleCount;
    XTEST_ASSERT_EQ(PtRunIn(A, PtCreateEventHere, NULL), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(PtTable.Create, STATUS_SUCCESS);
    XTEST_CHECK(PtTable.Event != NULL);
    XTEST_CHECK(((ULONG_PTR)PtTable.Handle & OB_KERNEL_HANDLE_FLAG) != OB_KERNEL_HANDLE_FLAG);
    XTEST_CHECK_EQ(BodyA->ObjectTable->HandleCount, 1);
    XTEST_CHECK_EQ(ObGetKernelHandleTable()->HandleCount, KernelHandles);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(BodyA->ObjectTable, PtTable.Handle, EVENT_MODIFY_STATE,
                                                    ExEventObjectType, &Object, NULL),
                   STATUS_SUCCESS);
    XTEST_CHECK(Object == PtTable.Event);
    if (Object != NULL) {
        ObDereferenceObject(Object);
    }
    Object = NULL;
    if (ObReferenceObjectByHandleInTable(ObGetKernelHandleTable(),
                                         (HANDLE)((ULONG_PTR)PtTable.Handle | OB_KERNEL_HANDLE_FLAG), 0, NULL, &Object,
                                         NULL) == STATUS_SUCCESS) {
        XTEST_CHECK(Object != PtTable.Event);
        ObDereferenceObject(Object);
    }
    /* Attached to A, the handle resolves in A's table. */
    Object = NULL;
    KeStackAttachProcess(BodyA->Pcb, &ApcState);
    XTEST_CHECK(PsGetCurrentProcess() == BodyA);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(PtTable.Handle, 0, ExEventObjectType, KernelMode, &Object, NULL),
                   STATUS_SUCCESS);
    KeUnstackDetachProcess(&ApcState);
    XTEST_CHECK(Object == PtTable.Event);
    if (Object != NULL) {
        ObDereferenceObject(Object);
    }
    /* Not valid in B. */
    XTEST_ASSERT_EQ(PtRunIn(B, PtUseHandlesHere, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(PtTable.Lookup, STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(PtTable.Set, STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(KeReadStateEvent(PtTable.Event), 0);
    /* Duplicated into B by process handles, B's thread sets it through its own handle. */
    XTEST_ASSERT_EQ(NtDuplicateObject(A, PtTable.Handle, B, &PtTable.Copy, 0, 0, DUPLICATE_SAME_ACCESS),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(BodyB->ObjectTable->HandleCount, 1);
    Object = NULL;
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(BodyB->ObjectTable, PtTable.Copy, EVENT_ALL_ACCESS,
                                                    ExEventObjectType, &Object, NULL),
                   STATUS_SUCCESS);
    XTEST_CHECK(Object == PtTable.Event);
    if (Object != NULL) {
        ObDereferenceObject(Object);
    }
    PtTable.Handle = PtTable.Copy; /* B's own handle now: both lookups succeed in B */
    XTEST_ASSERT_EQ(PtRunIn(B, PtUseHandlesHere, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(PtTable.Lookup, STATUS_SUCCESS);
    XTEST_CHECK_EQ(PtTable.SetCopy, STATUS_SUCCESS);
    XTEST_CHECK_EQ(KeReadStateEvent(PtTable.Event), 1);
    XTEST_CHECK_EQ(ObGetKernelHandleTable()->HandleCount, KernelHandles);
    XTEST_CHECK_EQ(PtEndKeptProcess(A, KeeperA, &GateA), STATUS_SUCCESS);
    XTEST_CHECK_EQ(PtEndKeptProcess(B, KeeperB, &GateB), STATUS_SUCCESS);
}

static VOID PtLeaveHandlesOpen(PVOID Context) {
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    HANDLE Event, Semaphore;
    XTSTATUS *Status = Context;

    RtlInitUnicodeString(&Name, u"\\BaseNamedObjects\\PsExitClosesMe");
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status[0] = NtCreateEvent(&Event, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
    Status[1] = NtCreateSemaphore(&Semaphore, SEMAPHORE_ALL_ACCESS, NULL, 0, 4);
}

/* The process's exit closes every handle of its table: the objects only it referenced are deleted (the named event's
 * name goes with it). */
XTEST(ProcessExitClosesEveryHandleInItsTable) {
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    HANDLE Process, Keeper, Opened;
    KEVENT Gate;
    PEPROCESS Body;
    XTSTATUS Status[2] = {STATUS_UNSUCCESSFUL, STATUS_UNSUCCESSFUL};
    LONG Events = ExEventObjectType->TotalNumberOfObjects;
    LONG Semaphores = ExSemaphoreObjectType->TotalNumberOfObjects;

    XTEST_ASSERT_EQ(PtCreateKeptProcess(&Process, &Keeper, &Gate), STATUS_SUCCESS);
    Body = PtObjectOf(Process, PsProcessType);
    XTEST_ASSERT(Body != NULL);
    XTEST_ASSERT_EQ(PtRunIn(Process, PtLeaveHandlesOpen, Status), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Status[0], STATUS_SUCCESS);
    XTEST_CHECK_EQ(Status[1], STATUS_SUCCESS);
    XTEST_CHECK_EQ(Body->ObjectTable->HandleCount, 2);
    XTEST_CHECK_EQ(ExEventObjectType->TotalNumberOfObjects, Events + 1);
    XTEST_CHECK_EQ(ExSemaphoreObjectType->TotalNumberOfObjects, Semaphores + 1);
    RtlInitUnicodeString(&Name, u"\\BaseNamedObjects\\psexitclosesme");
    InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    XTEST_CHECK_EQ(NtOpenEvent(&Opened, SYNCHRONIZE, &Attributes), STATUS_SUCCESS);
    NtClose(Opened);
    XTEST_CHECK_EQ(PtEndKeptProcess(Process, Keeper, &Gate), STATUS_SUCCESS);
    ObProcessDeferredDeletes();
    XTEST_CHECK_EQ(NtOpenEvent(&Opened, SYNCHRONIZE, &Attributes), STATUS_OBJECT_NAME_NOT_FOUND);
    XTEST_CHECK_EQ(ExEventObjectType->TotalNumberOfObjects, Events);
    XTEST_CHECK_EQ(ExSemaphoreObjectType->TotalNumberOfObjects, Semaphores);
}

static VOID PtNothing(PVOID Context) {
    (VOID) Context;
}

/* Bad handles, wrong types and missing rights give NT's status; nothing is made. */
XTEST(BadHandlesAndWrongTypesGiveTheNtStatus) {
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Process, Keeper, Event, Thread = NULL, Weak, Copy, Closed;
    KEVENT Gate;
    PS_STATISTICS Before, After;

    PtKernelAttributes(&Attributes);
    XTEST_ASSERT_EQ(PtCreateKeptProcess(&Process, &Keeper, &Gate), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateEvent(&Event, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    PsQueryStatistics(&Before);
    XTEST_CHECK_EQ(PsCreateSystemProcess(NULL, 0, &Attributes), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(PsCreateSystemThread(NULL, 0, &Attributes, Process, PtNothing, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(PsCreateSystemThread(&Thread, 0, &Attributes, Process, NULL, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(PsCreateSystemThread(&Thread, 0, &Attributes, Event, PtNothing, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(PsCreateSystemThread(&Thread, 0, &Attributes, Keeper, PtNothing, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), Process, NtCurrentProcess(), &Closed, 0, OBJ_KERNEL_HANDLE,
                                      DUPLICATE_SAME_ACCESS),
                    STATUS_SUCCESS);
    NtClose(Closed);
    XTEST_CHECK_EQ(PsCreateSystemThread(&Thread, 0, &Attributes, Closed, PtNothing, NULL), STATUS_INVALID_HANDLE);
    /* A process handle with SYNCHRONIZE only: no thread, no duplicate through it, but a wait. */
    XTEST_ASSERT_EQ(
        NtDuplicateObject(NtCurrentProcess(), Process, NtCurrentProcess(), &Weak, SYNCHRONIZE, OBJ_KERNEL_HANDLE, 0),
        STATUS_SUCCESS);
    XTEST_CHECK_EQ(PsCreateSystemThread(&Thread, 0, &Attributes, Weak, PtNothing, NULL), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtDuplicateObject(Weak, Event, Process, &Copy, 0, 0, DUPLICATE_SAME_ACCESS), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Event, Keeper, &Copy, 0, 0, DUPLICATE_SAME_ACCESS),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(PtWaitHandle(Weak, 0), STATUS_TIMEOUT);
    XTEST_CHECK(Thread == NULL);
    PsQueryStatistics(&After);
    XTEST_CHECK_EQ(After.ThreadsCreated, Before.ThreadsCreated);
    XTEST_CHECK_EQ(After.ProcessesCreated, Before.ProcessesCreated);
    NtClose(Weak);
    NtClose(Event);
    XTEST_CHECK_EQ(PtEndKeptProcess(Process, Keeper, &Gate), STATUS_SUCCESS);
}

/* ---- 1,000 processes ---- */

typedef struct _PT_SNAPSHOT {
    MM_POOL_TAG_STATISTICS Tags[PT_TAG_COUNT];
    MM_POOL_STATISTICS Pool;
    MM_BOOT_REPORT Mm;
    PS_STATISTICS Ps;
} PT_SNAPSHOT, *PPT_SNAPSHOT;

static VOID PtSnapshot(PPT_SNAPSHOT Snapshot) {
    const ULONG Tags[PT_TAG_COUNT] = {PsProcessType->Key, PsThreadType->Key, ExEventObjectType->Key,
                                      PT_TAG_KEPR,        PT_TAG_KETH,       PT_TAG_TABLE};

    RtlZeroMemory(Snapshot, sizeof(*Snapshot));
    MmFlushDeferredSystemPages();
    for (ULONG Index = 0; Index < PT_TAG_COUNT; Index++) {
        MmQueryPoolTag(Tags[Index], &Snapshot->Tags[Index]);
    }
    MmQueryPoolStatistics(&Snapshot->Pool);
    MmQueryBootReport(&Snapshot->Mm);
    PsQueryStatistics(&Snapshot->Ps);
}

static ULONGLONG PtFramesAndPoolPages(PPT_SNAPSHOT Snapshot) {
    return Snapshot->Mm.FreePages + Snapshot->Pool.SmallPages + Snapshot->Pool.BigPages + Snapshot->Pool.BigCachedPages;
}

/* Waits (up to 5 s) until every process Ps made is deleted, Ob's deferred deletions ran and Ke's reaper freed every
 * ended thread's stack. */
static BOOLEAN PtSettle(VOID) {
    KDISPATCHER_STATISTICS Dispatcher;
    PS_STATISTICS Ps;

    for (ULONG Round = 0; Round < 5000; Round++) {
        ObProcessDeferredDeletes();
        PsQueryStatistics(&Ps);
        KeQueryDispatcherStatistics(&Dispatcher);
        if (Ps.ProcessesDeleted == Ps.ProcessesCreated && Ps.ThreadsDeleted == Ps.ThreadsCreated &&
            ObQueryDeferredDeleteCount() == 0 && Dispatcher.ReaperPending == 0) {
            return TRUE;
        }
        PtSleep(1);
    }
    XtestPrint("PS: not settled: %lu/%lu processes, %lu/%lu threads deleted, reaper %u\n",
               (unsigned long)Ps.ProcessesDeleted, (unsigned long)Ps.ProcessesCreated, (unsigned long)Ps.ThreadsDeleted,
               (unsigned long)Ps.ThreadsCreated, Dispatcher.ReaperPending);
    return FALSE;
}

/* One process's thread: an event and a semaphore left open in its table (closed by the exit). */
static VOID PtLeaveTwoHandles(PVOID Context) {
    XTSTATUS *Status = Context;
    HANDLE Event, Semaphore;

    Status[0] = NtCreateEvent(&Event, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, FALSE);
    Status[1] = NtCreateSemaphore(&Semaphore, SEMAPHORE_ALL_ACCESS, NULL, 1, 1);
}

/* Count processes one after the other (not in batches: many threads of new processes at once on 4 vCPUs of a
 * loaded 2-core host turned the locks' holders' preemptions into a minute), each running one PtLeaveTwoHandles
 * thread; only the process is waited on. TRUE when all were made and exited with their handles made. */
static BOOLEAN PtCycleProcesses(ULONG Count) {
    OBJECT_ATTRIBUTES Attributes;
    XTSTATUS Made[2], Status = STATUS_SUCCESS;
    HANDLE Process, Thread;

    PtKernelAttributes(&Attributes);
    for (ULONG Index = 0; Index < Count && Status == STATUS_SUCCESS; Index++) {
        Made[0] = Made[1] = STATUS_UNSUCCESSFUL;
        Status = PsCreateSystemProcess(&Process, PROCESS_ALL_ACCESS, &Attributes);
        if (Status != STATUS_SUCCESS) {
            break;
        }
        Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, &Attributes, Process, PtLeaveTwoHandles, Made);
        if (Status == STATUS_SUCCESS) {
            NtClose(Thread); /* the process's exit is what is waited for */
            Status = PtWaitHandle(Process, PT_JOIN_MS);
        }
        Status = Status == STATUS_SUCCESS ? Made[0] : Status;
        Status = Status == STATUS_SUCCESS ? Made[1] : Status;
        NtClose(Process);
    }
    if (Status != STATUS_SUCCESS) {
        XtestPrint("PS: process cycle: status 0x%x\n", (ULONG)Status);
    }
    return Status == STATUS_SUCCESS;
}

/* 1,000 processes on one processor (every paging mode's full SELFTEST boots), PT_PROCESSES_SMP on more (as
 * KeProcessSuite scales its 10,000 threads): the count is in the report line. */
XTEST(ThousandProcessesReturnEveryFrameAndPoolByte) {
    ULONG Processes = KeQueryActiveProcessorCount() == 1 ? PT_PROCESSES : PT_PROCESSES_SMP;
    PT_SNAPSHOT Before, After;
    ULONGLONG Start;

    XTEST_ASSERT(PtCycleProcesses(8) && PtSettle()); /* page tables, pool pages, lookaside depths reached once */
    PtSnapshot(&Before);
    Start = KeQueryInterruptTime();
    XTEST_ASSERT(PtCycleProcesses(Processes));
    XTEST_ASSERT(PtSettle());
    PtSnapshot(&After);
    XtestPrint("PS: %u processes (a thread and two handles each) created and exited in %llu ms\n", Processes,
               (KeQueryInterruptTime() - Start) / PT_MS);
    XTEST_CHECK_EQ(After.Ps.ProcessesCreated - Before.Ps.ProcessesCreated, Processes);
    XTEST_CHECK_EQ(After.Ps.ProcessesExited - Before.Ps.ProcessesExited, Processes);
    XTEST_CHECK_EQ(After.Ps.ProcessesDeleted - Before.Ps.ProcessesDeleted, Processes);
    XTEST_CHECK_EQ(After.Ps.ThreadsDeleted - Before.Ps.ThreadsDeleted, Processes);
    for (ULONG Index = 0; Index < PT_TAG_COUNT; Index++) {
        XTEST_CHECK_EQ(After.Tags[Index].BytesInUse, Before.Tags[Index].BytesInUse);
        XTEST_CHECK_EQ(After.Tags[Index].Allocations - Before.Tags[Index].Allocations,
                       After.Tags[Index].Frees - Before.Tags[Index].Frees);
    }
    XTEST_CHECK(After.Tags[0].Allocations - Before.Tags[0].Allocations >= Processes);
    XTEST_CHECK(After.Tags[2].Allocations - Before.Tags[2].Allocations >= Processes);
    XTEST_CHECK_EQ(PtFramesAndPoolPages(&After), PtFramesAndPoolPages(&Before));
}

/* ---- A process exiting while another processor duplicates out of its table ---- */

static struct {
    HANDLE Process, Handle;
    volatile BOOLEAN Stop;
    volatile ULONG Copies, Refused, Other;
} PtRace;

/* Duplicates PtRace.Handle out of the process into the kernel table and closes the copy, until told to stop. */
static VOID PtDuplicateLoop(PVOID Context) {
    (VOID) Context;
    while (!__atomic_load_n(&PtRace.Stop, __ATOMIC_ACQUIRE)) {
        HANDLE Copy = NULL;
        XTSTATUS Status = NtDuplicateObject(PtRace.Process, PtRace.Handle, NtCurrentProcess(), &Copy, 0,
                                            OBJ_KERNEL_HANDLE, DUPLICATE_SAME_ACCESS);
        if (Status == STATUS_SUCCESS) {
            PtRace.Copies++;
            NtClose(Copy);
        } else if (Status == STATUS_INVALID_HANDLE) {
            PtRace.Refused++;
        } else {
            PtRace.Other++;
        }
    }
}

/* A's last thread ends (its table swept) while a thread on another processor (when there is one) keeps duplicating
 * A's event handle by process handle: every call either copies it or finds it closed, never anything else; after
 * the exit the handle is gone, the table is consistent and empty, and the event died with its last handle. */
XTEST(ExitWhileAnotherProcessorDuplicatesOutOfTheTable) {
    HANDLE Keeper;
    PEPROCESS Body;
    KEVENT Gate;
    KAFFINITY Affinity = KeQueryActiveProcessorCount() > 1 ? 2 : 1;
    PKTHREAD LoopThread;

    RtlZeroMemory((PVOID)&PtRace, sizeof(PtRace));
    RtlZeroMemory(&PtTable, sizeof(PtTable));
    XTEST_ASSERT_EQ(PtCreateKeptProcess(&PtRace.Process, &Keeper, &Gate), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(PtRunIn(PtRace.Process, PtCreateEventHere, NULL), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(PtTable.Create, STATUS_SUCCESS);
    PtRace.Handle = PtTable.Handle;
    Body = PtObjectOf(PtRace.Process, PsProcessType);
    XTEST_ASSERT(Body != NULL);
    XTEST_ASSERT_EQ(KeCreateSystemThread(&LoopThread, KE_DEFAULT_PRIORITY, Affinity, PtDuplicateLoop, NULL, 0),
                    STATUS_SUCCESS);
    while (__atomic_load_n(&PtRace.Copies, __ATOMIC_ACQUIRE) < 20) {
        PtSleep(1);
    }
    KeSetEvent(&Gate, 0, FALSE); /* the keeper ends: A exits, its table is swept under the loop */
    XTEST_CHECK_EQ(PtWaitHandle(PtRace.Process, PT_JOIN_MS), STATUS_SUCCESS);
    for (ULONG Round = 0; Round < 1000 && __atomic_load_n(&PtRace.Refused, __ATOMIC_ACQUIRE) < 20; Round++) {
        PtSleep(1);
    }
    __atomic_store_n(&PtRace.Stop, TRUE, __ATOMIC_RELEASE);
    XTEST_CHECK_EQ(KeWaitForSingleObject(LoopThread, Executive, KernelMode, FALSE, NULL), STATUS_WAIT_0);
    KeDereferenceThread(LoopThread);
    XtestPrint("  PsProcessSuite: %u copies before the exit, %u refusals after it\n", PtRace.Copies, PtRace.Refused);
    XTEST_CHECK(PtRace.Copies >= 20);
    XTEST_CHECK(PtRace.Refused >= 20);
    XTEST_CHECK_EQ(PtRace.Other, 0);
    XTEST_CHECK_EQ(Body->ObjectTable->HandleCount, 0);
    XTEST_CHECK_EQ(ExCheckHandleTable(Body->ObjectTable), 0);
    NtClose(Keeper);
    NtClose(PtRace.Process);
}

XTEST_SUITE(PsProcessSuite, XTEST_ENTRY(TypesAndTheSystemProcessExist),
            XTEST_ENTRY(ThreadsRunInTheirProcessAndHandlesWait),
            XTEST_ENTRY(HandlesLandInTheirProcessTableAndDuplicateAcross),
            XTEST_ENTRY(ProcessExitClosesEveryHandleInItsTable), XTEST_ENTRY(BadHandlesAndWrongTypesGiveTheNtStatus),
            XTEST_ENTRY(ExitWhileAnotherProcessorDuplicatesOutOfTheTable),
            XTEST_ENTRY(ThousandProcessesReturnEveryFrameAndPoolByte));

/* The dispatcher (NT's scheduler): 32 priorities, per-processor ready queues with a 32-bit summary, the idle thread of
 * every processor, quantum end on the clock tick, pre-emption through the DISPATCH-level software interrupt, hard
 * affinity, thread creation, termination and the reaper. One dispatcher lock (kidisp.h) guards it all; every switch
 * happens at DISPATCH_LEVEL with it held, and the thread switched to frees it. docs/kernel.md "The dispatcher". */
#include <kd.h>
#include <kprocess.h>
#include <mm.h>
#include <rtl.h>
#include <xtintrin.h>

#include "ki.h"
#include "kidisp.h"
#include "kimp.h"
#include "kithread.h"

#define KI_THREAD_TAG         0x6854654B /* 'KeTh': KeCreateSystemThread's KTHREADs */
#define KI_INITIAL_FLOAT_SIZE 4096       /* the boot thread's save area, static (XSAVE areas larger: pool) */
#define KI_REAPER_PRIORITY    9
#define KI_DYNAMIC_LIMIT      (LOW_REALTIME_PRIORITY - 1) /* boosts stop at 15 */

static KTHREAD KiInitialThread;  /* the boot processor's start-up code, from KiInitializeDispatcher on */
static KTHREAD KiBootIdleThread; /* the boot processor's idle thread (the APs' start-up code is theirs) */
static UCHAR KiInitialFloatArea[KI_INITIAL_FLOAT_SIZE] __attribute__((aligned(64)));
static volatile KAFFINITY KiIdleSummary;      /* processors running their idle thread with nothing Standby */
static volatile KAFFINITY KiActiveProcessors; /* processors the dispatcher schedules on */
static volatile ULONG KiReadyCount;           /* threads in any ready queue */
static LIST_ENTRY KiReaperListHead;           /* terminated threads whose stacks wait for the reaper */
static KEVENT KiReaperEvent;
static volatile ULONGLONG KiThreadsCreated, KiThreadsReaped;
static volatile ULONG KiReaperPending;

/* ---- Ready queues ---- */

static VOID KiInsertReadyQueue(PKPRCB Prcb, PKTHREAD Thread) {
    Thread->State = Ready;
    Thread->NextProcessor = Prcb->Number;
    RtlInsertTailList(&Prcb->ReadyListHead[Thread->Priority], &Thread->WaitListEntry);
    Prcb->ReadySummary |= 1u << Thread->Priority;
    KiReadyCount++;
}

static VOID KiRemoveReadyQueue(PKPRCB Prcb, PKTHREAD Thread) {
    if (RtlRemoveEntryList(&Thread->WaitListEntry)) {
        Prcb->ReadySummary &= ~(1u << Thread->Priority);
    }
    KiReadyCount--;
}

/* The first thread of the highest non-empty queue of Prcb at or above MinPriority (O(1): the summary's top bit),
 * taken off its queue. Steal: else the best thread of another processor's queues that may run on Prcb. */
static PKTHREAD KiSelectReadyThread(PKPRCB Prcb, ULONG MinPriority, BOOLEAN Steal) {
    ULONG Mask = MinPriority >= KE_PRIORITY_LEVELS ? 0 : ~0u << MinPriority;
    ULONG Summary = Prcb->ReadySummary & Mask;
    PKTHREAD Thread, Best = NULL;
    PLIST_ENTRY Entry;

    if (Summary != 0) {
        Entry = Prcb->ReadyListHead[31 - __builtin_clz(Summary)].Flink;
        Thread = CONTAINING_RECORD(Entry, KTHREAD, WaitListEntry);
        KiRemoveReadyQueue(Prcb, Thread);
        return Thread;
    }
    if (!Steal || KiReadyCount == 0) {
        return NULL;
    }
    for (ULONG Number = 0; Number < KiProcessorCount; Number++) {
        PKPRCB Other = KiProcessorBlock[Number];

        for (Summary = Other->ReadySummary & Mask; Summary != 0 && Other != Prcb; Summary &= Summary - 1) {
            ULONG Priority = __builtin_ctz(Summary); /* lowest first: a later, higher one replaces Best */
            for (Entry = Other->ReadyListHead[Priority].Flink; Entry != &Other->ReadyListHead[Priority];
                 Entry = Entry->Flink) {
                Thread = CONTAINING_RECORD(Entry, KTHREAD, WaitListEntry);
                if ((Thread->Affinity & (1ull << Prcb->Number)) && (Best == NULL || Priority > (ULONG)Best->Priority)) {
                    Best = Thread;
                    break;
                }
            }
        }
    }
    if (Best != NULL) {
        KiRemoveReadyQueue(KiProcessorBlock[Best->NextProcessor], Best);
    }
    return Best;
}

/* Asks Prcb's processor for its DISPATCH interrupt: a self-IPI here, else an IPI (which also ends its halt). */
static VOID KiRequestDispatch(PKPRCB Prcb) {
    if (Prcb == KeGetCurrentPrcb()) {
        KeRequestSoftwareInterrupt(DISPATCH_LEVEL);
    } else {
        KiIpiSendRequest(Prcb, KI_IPI_REQUEST_DPC);
    }
}

/* Makes Thread Prcb's Standby thread (a Standby thread it replaces goes back to the ready queue). */
static VOID KiSetStandbyThread(PKPRCB Prcb, PKTHREAD Thread) {
    PKTHREAD Previous = Prcb->NextThread;

    if (Previous != NULL) {
        KiInsertReadyQueue(Prcb, Previous);
    }
    Thread->State = Standby;
    Thread->NextProcessor = Prcb->Number;
    Prcb->NextThread = Thread;
    KiRequestDispatch(Prcb);
}

VOID KiReadyThread(PKTHREAD Thread) {
    KAFFINITY Affinity = Thread->Affinity & KiActiveProcessors;
    KAFFINITY Idle = KiIdleSummary & Affinity;
    ULONG Number;
    PKTHREAD Target;
    PKPRCB Prcb;

    if (Affinity == 0) {
        Affinity = 1; /* processors it named are not running yet: the boot processor runs it meanwhile */
    }
    if (Idle != 0) {
        Number = (Idle & (1ull << Thread->NextProcessor)) ? Thread->NextProcessor : (ULONG)__builtin_ctzll(Idle);
        KiIdleSummary &= ~(1ull << Number);
        KiSetStandbyThread(KiProcessorBlock[Number], Thread);
        return;
    }
    Number = (Affinity & (1ull << Thread->NextProcessor)) ? Thread->NextProcessor : (ULONG)__builtin_ctzll(Affinity);
    Prcb = KiProcessorBlock[Number];
    Target = Prcb->NextThread != NULL ? Prcb->NextThread : Prcb->CurrentThread;
    if (Target != Thread && Thread->Priority > Target->Priority) {
        KiSetStandbyThread(Prcb, Thread);
    } else {
        KiInsertReadyQueue(Prcb, Thread);
    }
}

/* Runs New instead of Old on this processor (lock held, DISPATCH_LEVEL); returns when Old runs again. */
static VOID KiSwitchTo(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New) {
    ULONG_PTR Flags;

    New->State = Running;
    New->NextProcessor = Prcb->Number;
    if (New == Old) {
        return;
    }
    if (New == Prcb->IdleThread) {
        KiIdleSummary |= 1ull << Prcb->Number;
    }
    Prcb->ContextSwitches++;
    if (Old->Quantum <= 0) {
        Old->Quantum = KE_QUANTUM_TICKS;
    }
    Flags = ArDisableInterrupts();
    Prcb->QuantumEnd = FALSE; /* a quantum end still pending was Old's: New starts a fresh count */
    __atomic_store_n(&Prcb->CurrentThread, New, __ATOMIC_RELAXED);
    if (__builtin_expect(New->ApcState.Process != Old->ApcState.Process, 0)) {
        /* Another process (its own or the one it is attached to): its address space, before its stack is used. */
        MmSwitchAddressSpace(New->ApcState.Process->AddressSpace);
    }
    KiSwapContext(Old, New);
    ArRestoreInterrupts(Flags);
}

VOID KiSwapThread(PKTHREAD Old) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD New = Prcb->NextThread;

    if (New != NULL) {
        Prcb->NextThread = NULL;
    } else {
        New = KiSelectReadyThread(Prcb, 0, TRUE);
        if (New == NULL) {
            New = Prcb->IdleThread;
        }
    }
    KiSwitchTo(Prcb, Old, New);
}

VOID KiStartDispatchedThread(PKTHREAD Thread) {
    (VOID) Thread;
    KiReleaseDispatcherLockFromDpcLevel();
    ArEnableInterrupts();
    KeLowerRunLevel(PASSIVE_LEVEL);
}

/* ---- The clock tick and the DISPATCH interrupt ---- */

VOID KiUpdateRunTime(PKPRCB Prcb) {
    PKTHREAD Thread = Prcb->CurrentThread;

    if (Thread != NULL && Thread != Prcb->IdleThread && --Thread->Quantum <= 0 && !Prcb->QuantumEnd) {
        Prcb->QuantumEnd = TRUE;
        KeRequestSoftwareInterrupt(DISPATCH_LEVEL);
    }
}

/* The running thread's quantum ended: a new quantum, a dynamic boost decays by one, and a ready thread of the same or
 * higher priority here becomes Standby (round robin). */
static VOID KiQuantumEnd(PKPRCB Prcb, PKTHREAD Thread) {
    PKTHREAD Next;

    Thread->Quantum = KE_QUANTUM_TICKS;
    if (Thread->Priority < LOW_REALTIME_PRIORITY && Thread->Priority > Thread->BasePriority) {
        Thread->Priority--;
    }
    if (Prcb->NextThread == NULL) {
        Next = KiSelectReadyThread(Prcb, (ULONG)Thread->Priority, FALSE);
        if (Next != NULL) {
            Next->State = Standby;
            Prcb->NextThread = Next;
        }
    }
}

VOID KiDispatchScheduler(VOID) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Old, New;

    if (Prcb->CurrentThread == NULL || (Prcb->NextThread == NULL && !Prcb->QuantumEnd)) {
        return;
    }
    ArEnableInterrupts();
    KiAcquireDispatcherLockAtDpcLevel();
    Old = Prcb->CurrentThread;
    if (Prcb->QuantumEnd) {
        Prcb->QuantumEnd = FALSE;
        if (Old != Prcb->IdleThread) {
            KiQuantumEnd(Prcb, Old);
        }
    }
    New = Prcb->NextThread;
    if (New != NULL) {
        Prcb->NextThread = NULL;
        if (Old != Prcb->IdleThread) {
            KiReadyThread(Old); /* pre-empted: Ready again (its stack is in use until the switch: the lock covers it) */
        } else {
            KiIdleSummary &= ~(1ull << Prcb->Number);
        }
        KiSwitchTo(Prcb, Old, New);
    }
    KiReleaseDispatcherLockFromDpcLevel();
    ArDisableInterrupts();
}

/* ---- Start-up, the idle loop ---- */

static VOID KiInitializeThreadDispatch(PKTHREAD Thread, PKPROCESS Process, KPRIORITY Priority, KAFFINITY Affinity) {
    KiInitializeDispatcherHeader(&Thread->Header, ThreadObject, 0);
    KiInsertProcessThread(Process, Thread); /* the boot processor's first threads before any other runs; else locked */
    RtlInitializeListHead(&Thread->WaitListEntry);
    RtlInitializeListHead(&Thread->MutantListHead);
    KeInitializeTimerEx(&Thread->Timer, NotificationTimer);
    Thread->Priority = Thread->BasePriority = (SCHAR)Priority;
    Thread->Affinity = Affinity;
    Thread->Quantum = KE_QUANTUM_TICKS;
    Thread->NextProcessor = KeGetCurrentProcessorNumber();
}

static VOID KiInitializePrcbDispatcher(PKPRCB Prcb, PKTHREAD Idle) {
    for (ULONG Priority = 0; Priority < KE_PRIORITY_LEVELS; Priority++) {
        RtlInitializeListHead(&Prcb->ReadyListHead[Priority]);
    }
    Prcb->ReadySummary = 0;
    Prcb->NextThread = NULL;
    Prcb->IdleThread = Idle;
}

static VOID KiIdleThreadStart(PVOID Context) {
    (VOID) Context;
    KiIdleLoop();
}

VOID KiInitializeDispatcher(VOID) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONG FloatSize = KiGetFloatSaveAreaSize();
    XTSTATUS Status;

    PKPROCESS System = KiInitializeSystemProcess();

    RtlInitializeListHead(&KiReaperListHead);
    KeInitializeEvent(&KiReaperEvent, SynchronizationEvent, FALSE);
    /* The boot thread's save area is static (its pool block would count against the pool's tags forever). */
    Status = KiInitializeCurrentThread(&KiInitialThread,
                                       FloatSize <= KI_INITIAL_FLOAT_SIZE ? KE_THREAD_NO_FLOATING_STATE : 0);
    if (XT_SUCCESS(Status) && FloatSize != 0 && FloatSize <= KI_INITIAL_FLOAT_SIZE) {
        KiInitialThread.FloatSaveArea = KiInitialFloatArea;
    }
    if (XT_SUCCESS(Status)) {
        Status = KeInitializeThread(&KiBootIdleThread, KiIdleThreadStart, NULL, KE_THREAD_NO_FLOATING_STATE);
    }
    if (!XT_SUCCESS(Status)) {
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1100, (ULONG_PTR)Status, 0, 0); /* no room for the first threads */
    }
    /* The boot thread stays on the boot processor (affinity 1): start-up, SELFTEST and the TESTFAULT boots speak of
     * "processor 0" as the one they run on; a wait could otherwise wake it on another processor. */
    KiInitializeThreadDispatch(&KiInitialThread, System, KE_DEFAULT_PRIORITY, 1);
    KiInitializeThreadDispatch(&KiBootIdleThread, System, LOW_PRIORITY, 1);
    KiBootIdleThread.ThreadFlags |= KTHREAD_FLAG_DISPATCHED | KTHREAD_FLAG_IDLE;
    KiBootIdleThread.State = Ready; /* never queued: chosen when nothing else is ready */
    KiInitializePrcbDispatcher(Prcb, &KiBootIdleThread);
    KiActiveProcessors = 1;
    __atomic_store_n(&Prcb->CurrentThread, &KiInitialThread, __ATOMIC_RELEASE);
    KdPrint("KE: dispatcher: 32 priorities, quantum %u clock ticks, boot thread 0x%p, idle thread 0x%p\n",
            KE_QUANTUM_TICKS, (PVOID)&KiInitialThread, (PVOID)&KiBootIdleThread);
}

VOID KiInitializeProcessorDispatcher(PKTHREAD Thread) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    KRUNLEVEL Old;

    if (!XT_SUCCESS(KiInitializeCurrentThread(Thread, KE_THREAD_NO_FLOATING_STATE))) {
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1101, Prcb->Number, 0, 0);
    }
    Old = KiAcquireDispatcherLock();
    KiInitializeThreadDispatch(Thread, KeGetSystemProcess(), LOW_PRIORITY, 1ull << Prcb->Number);
    Thread->ThreadFlags |= KTHREAD_FLAG_IDLE;
    KiInitializePrcbDispatcher(Prcb, Thread);
    __atomic_store_n(&Prcb->CurrentThread, Thread, __ATOMIC_RELEASE);
    KiIdleSummary |= 1ull << Prcb->Number;
    KiActiveProcessors |= 1ull << Prcb->Number;
    KiReleaseDispatcherLock(Old);
}

XTNORETURN VOID KiIdleLoop(VOID) {
    PKPRCB Prcb;
    PKTHREAD New;
    KRUNLEVEL Old;

    for (;;) {
        ArDisableInterrupts();
        Prcb = KeGetCurrentPrcb();
        if (__atomic_load_n(&Prcb->NextThread, __ATOMIC_RELAXED) == NULL) {
            __asm__ volatile("sti; hlt" : : : "memory"); /* sti's shadow covers hlt: a wake-up is never lost */
            continue;
        }
        ArEnableInterrupts();
        Old = KiAcquireDispatcherLock();
        New = Prcb->NextThread;
        if (New != NULL) {
            Prcb->NextThread = NULL;
            KiIdleSummary &= ~(1ull << Prcb->Number);
            KiSwitchTo(Prcb, Prcb->IdleThread, New);
        }
        KiReleaseDispatcherLock(Old);
    }
}

/* ---- Threads: creation, priority, affinity, yield, termination, the reaper ---- */

XTSTATUS KeCreateThread(PKTHREAD *Thread, PKPROCESS Process, KPRIORITY Priority, KAFFINITY Affinity,
                        PKSTART_ROUTINE StartRoutine, PVOID StartContext, ULONG Flags) {
    PKTHREAD New;
    XTSTATUS Status;
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Process = Process != NULL ? Process : KeGetSystemProcess();
    Priority = Priority == 0 ? Process->BasePriority : Priority;
    Affinity = (Affinity == 0 ? ~0ull : Affinity) & Process->Affinity;
    if (Priority <= LOW_PRIORITY || Priority > HIGH_PRIORITY || (Affinity & KiActiveProcessors) == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    New = MmAllocatePool(NonPagedPool, sizeof(KTHREAD), KI_THREAD_TAG);
    if (New == NULL) {
        return STATUS_NO_MEMORY;
    }
    Status = KeInitializeThread(New, StartRoutine, StartContext, Flags);
    if (!XT_SUCCESS(Status)) {
        MmFreePool(New, KI_THREAD_TAG);
        return Status;
    }
    Old = KiAcquireDispatcherLock();
    if (!KiCanCreateThread(Process)) {
        KiReleaseDispatcherLock(Old);
        KeUninitializeThread(New);
        MmFreePool(New, KI_THREAD_TAG);
        return STATUS_PROCESS_IS_TERMINATING;
    }
    KiInitializeThreadDispatch(New, Process, Priority, Affinity);
    New->ThreadFlags |= KTHREAD_FLAG_DISPATCHED | KTHREAD_FLAG_POOL_THREAD;
    New->ReferenceCount = Thread != NULL ? 2 : 1;
    if (Thread != NULL) {
        *Thread = New;
    }
    KiThreadsCreated++;
    KiReadyThread(New);
    KiReleaseDispatcherLock(Old);
    return STATUS_SUCCESS;
}

XTSTATUS KeCreateSystemThread(PKTHREAD *Thread, KPRIORITY Priority, KAFFINITY Affinity, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext, ULONG Flags) {
    if (Priority == 0) {
        return STATUS_INVALID_PARAMETER; /* 0 is the idle threads' (KeCreateThread would take the base priority) */
    }
    return KeCreateThread(Thread, NULL, Priority, Affinity, StartRoutine, StartContext, Flags);
}

VOID KeDereferenceThread(PKTHREAD Thread) {
    if (__atomic_sub_fetch(&Thread->ReferenceCount, 1, __ATOMIC_ACQ_REL) == 0 &&
        (Thread->ThreadFlags & KTHREAD_FLAG_POOL_THREAD)) {
        MmFreePool(Thread, KI_THREAD_TAG);
    }
}

XTNORETURN VOID KeTerminateThread(XTSTATUS ExitStatus) {
    PKTHREAD Thread = KeGetCurrentThread();

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    KiAcquireDispatcherLock();
    Thread->ExitStatus = ExitStatus;
    KiAbandonMutants(Thread);
    KiRemoveProcessThread(Thread); /* back in the system's address space; the process signalled after its last */
    Thread->Header.SignalState = 1;
    KiWaitTest(&Thread->Header, 0);
    Thread->State = Terminated;
    RtlInsertTailList(&KiReaperListHead, &Thread->WaitListEntry);
    __atomic_add_fetch(&KiReaperPending, 1, __ATOMIC_RELEASE); /* the reaper decrements it without the lock */
    KiReaperEvent.Header.SignalState = 1;
    KiWaitTest(&KiReaperEvent.Header, 0);
    KiSwapThread(Thread);
    KeBugCheckEx(SYSTEM_THREAD_RETURNED, (ULONG_PTR)Thread, (ULONG_PTR)Thread->StartRoutine,
                 (ULONG_PTR)Thread->StartContext, 2); /* a terminated thread was switched to */
}

/* The reaper thread: frees the stacks of terminated threads (they switched away for good: the switch held the
 * dispatcher lock the reaper takes to unlink them) and drops their running reference. */
static VOID KiReaperThread(PVOID Context) {
    PLIST_ENTRY Entry;
    PKTHREAD Thread;
    KRUNLEVEL Old;

    (VOID) Context;
    for (;;) {
        KeWaitForSingleObject(&KiReaperEvent, Executive, KernelMode, FALSE, NULL);
        for (;;) {
            Old = KiAcquireDispatcherLock();
            Entry = RtlRemoveHeadList(&KiReaperListHead);
            KiReleaseDispatcherLock(Old);
            if (Entry == &KiReaperListHead) {
                break;
            }
            Thread = CONTAINING_RECORD(Entry, KTHREAD, WaitListEntry);
            KeUninitializeThread(Thread);
            KeDereferenceThread(Thread);
            __atomic_add_fetch(&KiThreadsReaped, 1, __ATOMIC_RELEASE);
            __atomic_sub_fetch(&KiReaperPending, 1, __ATOMIC_RELEASE); /* its stack and structure are back */
        }
    }
}

VOID KiStartSystemThreads(VOID) {
    XTSTATUS Status = KeCreateSystemThread(NULL, KI_REAPER_PRIORITY, 0, KiReaperThread, NULL, 0);

    if (!XT_SUCCESS(Status)) {
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1102, (ULONG_PTR)Status, 0, 0);
    }
    for (ULONG Number = 1; Number < KiProcessorCount; Number++) {
        KiStartProcessorWorker(Number);
    }
}

VOID KeQueryDispatcherStatistics(PKDISPATCHER_STATISTICS Statistics) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();

    Statistics->ThreadsCreated = KiThreadsCreated;
    Statistics->ThreadsReaped = __atomic_load_n(&KiThreadsReaped, __ATOMIC_ACQUIRE);
    Statistics->ReaperPending = __atomic_load_n(&KiReaperPending, __ATOMIC_ACQUIRE);
    KiReleaseDispatcherLock(Old);
}

KPRIORITY KeQueryPriorityThread(PKTHREAD Thread) {
    return Thread->Priority;
}

KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();
    KPRIORITY Previous = Thread->Priority;
    PKPRCB Prcb = KiProcessorBlock[Thread->NextProcessor];
    PKTHREAD Next;

    Priority = Priority < 1 ? 1 : Priority > HIGH_PRIORITY ? HIGH_PRIORITY : Priority;
    if (Thread->State == Ready) {
        KiRemoveReadyQueue(Prcb, Thread);
        Thread->Priority = Thread->BasePriority = (SCHAR)Priority;
        KiReadyThread(Thread);
    } else {
        Thread->Priority = Thread->BasePriority = (SCHAR)Priority;
        if (Thread->State == Running && Priority < Previous && Prcb->NextThread == NULL) {
            Next = KiSelectReadyThread(Prcb, (ULONG)Priority + 1, FALSE);
            if (Next != NULL) {
                KiSetStandbyThread(Prcb, Next); /* it outranks the running thread now: pre-empt it */
            }
        }
    }
    KiReleaseDispatcherLock(Old);
    return Previous;
}

KAFFINITY KeSetAffinityThread(KAFFINITY Affinity) {
    PKTHREAD Thread = KeGetCurrentThread();
    KAFFINITY Previous;
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    Old = KiAcquireDispatcherLock();
    Previous = Thread->Affinity;
    if ((Affinity & KiActiveProcessors) != 0) {
        Thread->Affinity = Affinity;
        if (!(Affinity & (1ull << KeGetCurrentProcessorNumber()))) {
            KiReadyThread(Thread); /* Standby or queued on a processor it may use; its stack is ours until the switch */
            KiSwapThread(Thread);
        }
    }
    KiReleaseDispatcherLock(Old);
    return Previous;
}

XTSTATUS KeYieldExecution(VOID) {
    PKTHREAD Thread = KeGetCurrentThread(), Next;
    XTSTATUS Status = STATUS_NO_YIELD_PERFORMED;
    KRUNLEVEL Old;
    PKPRCB Prcb;

    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    Old = KiAcquireDispatcherLock();
    Prcb = KeGetCurrentPrcb();
    Next = Prcb->NextThread;
    if (Next != NULL) {
        Prcb->NextThread = NULL;
    } else {
        Next = KiSelectReadyThread(Prcb, (ULONG)Thread->Priority, FALSE);
    }
    if (Next != NULL) {
        Thread->Quantum = KE_QUANTUM_TICKS;
        KiInsertReadyQueue(Prcb, Thread);
        KiSwitchTo(Prcb, Thread, Next);
        Status = STATUS_SUCCESS;
    }
    KiReleaseDispatcherLock(Old);
    return Status;
}

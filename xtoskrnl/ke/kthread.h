/* The kernel thread object (NT's KTHREAD): its kernel stack, the saved context, its state and priorities, and its
 * floating-point/SSE save area. Issue 11 groundwork: no scheduler yet. What exists is a thread's creation (a guarded
 * kernel stack and an initial frame), the context switch (ke/<arch>/ctxswap.S, Ke-internal: kithread.h) and the
 * return path of a start routine. Part of //xtoskrnl/ke's public headers but not included by ke.h: Ps and the
 * dispatcher include it (ke.h will once KeGetCurrentThread exists). docs/kernel.md "Threads". */
#ifndef XTOSKRNL_KE_KTHREAD_H
#define XTOSKRNL_KE_KTHREAD_H

#include <ke.h>
#include <xtbase.h>
#include <xtstatus.h>

/* NT's signed byte (KTHREAD's priorities); KPRIORITY is in ke.h. */
typedef signed char SCHAR, *PSCHAR;

/* NT's thread states, with NT's values (the dispatcher moves threads between them: docs/kernel.md "The dispatcher").
 * NT also has Transition (6) and DeferredReady (7). */
typedef enum _KTHREAD_STATE {
    Initialized = 0, /* created, never run */
    Ready = 1,       /* in a ready queue */
    Running = 2,     /* on a processor */
    Standby = 3,     /* chosen to run next on a processor */
    Terminated = 4,  /* its start routine returned (or it terminated itself): it never runs again */
    Waiting = 5      /* waiting on dispatcher objects */
} KTHREAD_STATE;

/* NT's priorities: 0 idle, 1-15 dynamic, 16-31 real-time. */
#define LOW_PRIORITY          0
#define LOW_REALTIME_PRIORITY 16
#define HIGH_PRIORITY         31
#define MAXIMUM_PRIORITY      32
#define KE_DEFAULT_PRIORITY   8 /* NT's NORMAL base priority of a system process's threads */

/* A thread's start routine: runs with StartContext; when it returns, the thread terminates (KiRunThread). */
typedef VOID (*PKSTART_ROUTINE)(PVOID StartContext);

/* KeInitializeThread Flags. */
#define KE_THREAD_NO_FLOATING_STATE 0x1 /* the thread never touches x87/SSE/AVX: no save area, nothing saved */

/* KTHREAD.ThreadFlags (Ke-internal). */
#define KTHREAD_FLAG_OWNS_STACK      0x1 /* KeInitializeThread created the stack: KeUninitializeThread deletes it */
#define KTHREAD_FLAG_POOL_SAVE_AREA  0x2 /* the save area is a pool block (FloatSaveBlock), not the stack's top */
#define KTHREAD_FLAG_INITIAL_CONTEXT 0x4 /* the stack holds the initial frame: the first switch to it starts it */
#define KTHREAD_FLAG_DISPATCHED                                                                                        \
    0x8 /* the dispatcher runs it: it starts holding the dispatcher lock, and ends                                     \
           through KeTerminateThread when its start routine returns */
#define KTHREAD_FLAG_POOL_THREAD                                                                                       \
    0x10                       /* the KTHREAD is a pool block (KeCreateSystemThread): freed at its last                \
                                  reference */
#define KTHREAD_FLAG_IDLE 0x20 /* a processor's idle thread */

/* The room NT's DISPATCHER_HEADER takes (Type, Abandoned/Size/Inserted, SignalState, WaitListHead): the header is
 * first, so a thread can be waited on like any dispatcher object (signalled when it terminates). */
#define KTHREAD_DISPATCHER_HEADER_BYTES (8 + 2 * sizeof(PVOID))
STATIC_ASSERT(sizeof(DISPATCHER_HEADER) == KTHREAD_DISPATCHER_HEADER_BYTES);

/* The wait block of a thread's own timer (timeouts, KeDelayExecutionThread), after its THREAD_WAIT_OBJECTS blocks. */
#define KTIMER_WAIT_BLOCK THREAD_WAIT_OBJECTS

typedef struct _KTHREAD KTHREAD, *PKTHREAD;

/* A process (kprocess.h, target //xtoskrnl/ke:process: it embeds the memory manager's address space). */
typedef struct _KPROCESS KPROCESS, *PKPROCESS;

/* NT's KAPC_STATE, as far as attaching goes (no APCs yet): the process whose address space a thread runs in. A
 * thread's ApcState names its current process (its own, or the one it is attached to); SavedApcState keeps its own
 * while it is attached; a KeStackAttachProcess caller's KAPC_STATE keeps what the attach replaced (Previous: the
 * thread's innermost stack attach before it). kprocess.h has the rules. */
typedef struct _KAPC_STATE {
    PKPROCESS Process;
    struct _KAPC_STATE *Previous;
} KAPC_STATE, *PKAPC_STATE;

struct _KTHREAD {
    DISPATCHER_HEADER Header; /* ThreadObject: signalled when the thread terminates */
    /* ---- What KiSwapContext reads and writes (fixed offsets: KTHREAD_* in <kiswitch.h>, asserted) ---- */
    PVOID KernelStack;     /* the saved stack pointer while the thread is switched out */
    PVOID FloatSaveArea;   /* its x87/SSE/AVX state image (FXSAVE or XSAVE format, aligned); NULL: none kept */
    PVOID StackBase;       /* the address just above its kernel stack */
    PVOID StackLimit;      /* the lowest byte of its kernel stack (the guard page is right below) */
    ULONG ContextSwitches; /* times a switch made it run */
    ULONG Reserved0;
    /* ---- Creation ---- */
    PVOID InitialStack; /* where its first frame was built: below the save area at the stack's top */
    PKSTART_ROUTINE StartRoutine;
    PVOID StartContext;
    PVOID FloatSaveBlock; /* KTHREAD_FLAG_POOL_SAVE_AREA: the pool block holding FloatSaveArea */
    /* ---- Scheduling state (issue 11's dispatcher owns these) ---- */
    UCHAR State;        /* KTHREAD_STATE */
    SCHAR Priority;     /* current priority (0..31) */
    SCHAR BasePriority; /* the priority dynamic boosts decay back to */
    UCHAR ThreadFlags;  /* KTHREAD_FLAG_* */
    /* ---- The dispatcher's (ke/dispatch.c, ke/wait.c), under the dispatcher lock ---- */
    LIST_ENTRY WaitListEntry;   /* in a ready queue (Ready) or the reaper's list (Terminated) */
    KAFFINITY Affinity;         /* the processors it may run on (hard affinity) */
    LONG Quantum;               /* clock ticks left of its time slice */
    ULONG NextProcessor;        /* where it runs, is Standby, is queued, or last ran */
    PKWAIT_BLOCK WaitBlockList; /* the blocks of its current wait (circular through NextWaitBlock) */
    LONG_PTR WaitStatus;        /* what its wait returns, set by whoever satisfies it */
    UCHAR WaitReason;           /* KWAIT_REASON */
    BOOLEAN TimerArmed;         /* its Timer times the current wait */
    UCHAR Reserved1[2];
    volatile LONG ReferenceCount; /* KTHREAD_FLAG_POOL_THREAD: one for running, one per KeCreateSystemThread caller */
    XTSTATUS ExitStatus;          /* KeTerminateThread's */
    LIST_ENTRY MutantListHead;    /* the mutants it owns (abandoned when it terminates) */
    KTIMER Timer;                 /* its wait timeouts and delays */
    KWAIT_BLOCK WaitBlock[THREAD_WAIT_OBJECTS + 1]; /* [KTIMER_WAIT_BLOCK]: the timer's */
    /* ---- Its process (ke/process.c; kprocess.h) ---- */
    PKPROCESS Process;          /* the process it belongs to (the system process for system threads) */
    LIST_ENTRY ThreadListEntry; /* in Process->ThreadListHead, under the dispatcher lock */
    KAPC_STATE ApcState;        /* ApcState.Process: whose address space it runs in (a switch loads it into CR3) */
    KAPC_STATE SavedApcState;   /* its own state while it is attached */
    PKAPC_STATE AttachStack;    /* its innermost KeStackAttachProcess state; NULL: none (or KeAttachProcess's) */
    UCHAR ApcStateIndex;        /* 0: in its own process; 1: attached to another */
    UCHAR Reserved2[sizeof(PVOID) - 1];
};

/* Fills Thread: a kernel stack of KERNEL_STACK_SIZE bytes (<kiswitch.h>) from system PTEs with a guard page below,
 * the floating-point save area at its top (unless KE_THREAD_NO_FLOATING_STATE; a clean x87/SSE state), and the
 * initial frame: the first switch to the thread runs StartRoutine(StartContext) at the switch's RunLevel. State
 * Initialized, priority and base priority KE_DEFAULT_PRIORITY. STATUS_NO_MEMORY when the stack cannot be made. */
XTSTATUS KeInitializeThread(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine, PVOID StartContext, ULONG Flags);

/* Frees what KeInitializeThread (or KiInitializeCurrentThread) allocated for Thread. The thread must not run and not
 * be switched to again: Initialized or Terminated, and not the caller itself (its stack is freed). */
VOID KeUninitializeThread(PKTHREAD Thread);

/* ---- The dispatcher's thread interface (ke/dispatch.c; docs/kernel.md "The dispatcher") ---- */

/* The quantum a thread gets when it starts running or its time slice ends, in clock ticks. */
#define KE_QUANTUM_TICKS 3

/* Creates a system thread (NT's PsCreateSystemThread core): a pool KTHREAD with its own guarded stack (Flags as for
 * KeInitializeThread) that runs StartRoutine(StartContext) at PASSIVE_LEVEL with interrupts on, at Priority (0 is
 * the idle threads': 1..31), on the processors of Affinity (0: any; processors not started are ignored; none left:
 * STATUS_INVALID_PARAMETER). It is made Ready at once. When Thread is not NULL it receives the KTHREAD with one
 * reference for the caller (KeDereferenceThread): wait on it to learn of its end. When StartRoutine returns, the thread
 * terminates with STATUS_SUCCESS. RunLevel PASSIVE_LEVEL. */
XTSTATUS KeCreateSystemThread(PKTHREAD *Thread, KPRIORITY Priority, KAFFINITY Affinity, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext, ULONG Flags);

/* Drops a reference KeCreateSystemThread gave; the last one frees the KTHREAD (its stack went with the reaper). */
VOID KeDereferenceThread(PKTHREAD Thread);

/* Ends the calling thread (NT's PsTerminateSystemThread core): the mutants it owns are abandoned, its thread object
 * is signalled, and the reaper frees its stack once it switched away for good. At RunLevel PASSIVE_LEVEL. */
XTNORETURN VOID KeTerminateThread(XTSTATUS ExitStatus);

/* Sets Thread's base and current priority (1..31); returns the old current priority. The change takes effect at once:
 * a ready thread moves queues, a running thread that is now below a ready one is pre-empted. RunLevel <= DISPATCH. */
KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority);
KPRIORITY KeQueryPriorityThread(PKTHREAD Thread);

/* Sets the calling thread's hard affinity (a subset of the started processors, not 0) and moves it to one of them if
 * it runs elsewhere; returns the old affinity. RunLevel < DISPATCH_LEVEL. */
KAFFINITY KeSetAffinityThread(KAFFINITY Affinity);

/* Waits Interval (NT's convention: negative = relative in 100-ns units, else an absolute system time). A zero
 * interval yields. Returns STATUS_SUCCESS. RunLevel < DISPATCH_LEVEL. */
XTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval);

/* Gives the processor to a ready thread of the same or higher priority, the caller going to the tail of its ready
 * queue; STATUS_NO_YIELD_PERFORMED when there is none. RunLevel < DISPATCH_LEVEL. */
XTSTATUS KeYieldExecution(VOID);

/* Dispatcher figures: threads made, threads the reaper freed, terminated threads not reaped yet. */
typedef struct _KDISPATCHER_STATISTICS {
    ULONGLONG ThreadsCreated;
    ULONGLONG ThreadsReaped;
    ULONG ReaperPending;
} KDISPATCHER_STATISTICS, *PKDISPATCHER_STATISTICS;

VOID KeQueryDispatcherStatistics(PKDISPATCHER_STATISTICS Statistics);

#endif

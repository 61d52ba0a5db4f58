/* Kernel executive core (Ke): what other subsystems may call. Ke's internals are in ki.h. */
#ifndef XTOSKRNL_KE_KE_H
#define XTOSKRNL_KE_KE_H

#include <rtl.h>
#include <xtbase.h>
#include <xtboot.h>
#include <xtbugcode.h>

/* The KTIMER queue entry (an intrusive heap node, ke/timerq.h). */
#include <timerq.h>

/* The RunLevel constants (PASSIVE_LEVEL ... HIGH_LEVEL) of the arch, selected by BUILD. */
#include <kelevel.h>

/* Stops the system with Code (xtbugcode.h) and its four parameters: prints the STOP line, a register dump of the
 * caller and a backtrace, then halts (or ends a TESTEXIT run). Never returns. */
XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);

/* The init block the loader handed over: checked (signature, version, size, stacks, memory map, paging mode) and
 * stored once at start-up, never changed afterwards. NULL before the checks passed. */
const XT_INIT_BLOCK *KeGetLoaderBlock(VOID);

/* TRUE when this kernel was compiled with the undefined-behaviour sanitizer (its handlers are in ke/ubsan.c). */
BOOLEAN KeIsUbsanBuiltIn(VOID);

/* XT's IRQL: the processor's interrupt priority. Interrupts whose vector's level is at or below it are held. */
typedef UCHAR KRUNLEVEL, *PKRUNLEVEL;

/* The processor control block (KPRCB) and, in the kernel, its accessors through GS/FS (<kepcr.h> per arch). */
#include <kprcb.h>
#ifndef XTOS_HOST_RUNLEVEL_MODEL
#include <kepcr.h>
#endif

/* The level register: inline per arch (<kerunlevel.h>: amd64 CR8; i686 a software level mirrored into the local
 * APIC's task priority). Host tests of code that raises and lowers supply a model of these two instead. */
#ifdef XTOS_HOST_RUNLEVEL_MODEL
KRUNLEVEL KiReadRunLevel(VOID);
VOID KiWriteRunLevel(KRUNLEVEL Level);
/* The modelled processor's number (0 with one modelled processor; one per host thread in the threaded model). */
ULONG KeGetCurrentProcessorNumber(VOID);
#else
#include <kerunlevel.h>
#endif

/* STOP for a refused raise (IRQL_NOT_GREATER_OR_EQUAL, or IRQL_NOT_LESS_OR_EQUAL above HIGH_LEVEL) or lower
 * (IRQL_NOT_LESS_OR_EQUAL): parameters current level, requested level, 0, and the address of the caller's raise or
 * lower (the return address of this call, which is inlined there). */
XTNORETURN VOID KiRaiseRunLevelFailure(KRUNLEVEL Current, KRUNLEVEL NewRunLevel);
XTNORETURN VOID KiLowerRunLevelFailure(KRUNLEVEL Current, KRUNLEVEL OldRunLevel);

/* STOP IRQL_NOT_LESS_OR_EQUAL for an API called above its RunLevel limit (P3 IRQL_CALL_ABOVE_LIMIT, P4 Caller). */
XTNORETURN VOID KiRunLevelLimitFailure(KRUNLEVEL Current, KRUNLEVEL Limit, PVOID Caller);

/* The current RunLevel. */
XTFORCEINLINE KRUNLEVEL KeGetCurrentRunLevel(VOID) {
    return KiReadRunLevel();
}

/* Raises the RunLevel to NewRunLevel and returns the previous one. NewRunLevel below the current level is a STOP
 * IRQL_NOT_GREATER_OR_EQUAL, above HIGH_LEVEL a STOP IRQL_NOT_LESS_OR_EQUAL (both name the caller). Inline: a raise
 * is a handful of instructions (benchmarked by BENCH). */
XTFORCEINLINE KRUNLEVEL KeRaiseRunLevel(KRUNLEVEL NewRunLevel) {
    KRUNLEVEL Current = KiReadRunLevel();

    if (__builtin_expect(NewRunLevel < Current || NewRunLevel > HIGH_LEVEL, 0)) {
        KiRaiseRunLevelFailure(Current, NewRunLevel);
    }
    KiWriteRunLevel(NewRunLevel);
    return Current;
}

/* An API's entry check: a STOP IRQL_NOT_LESS_OR_EQUAL naming Caller (the API's return address) when the current
 * RunLevel is above Limit, the highest level the API may be called at. */
XTFORCEINLINE VOID KeCheckRunLevelLimit(KRUNLEVEL Limit, PVOID Caller) {
    KRUNLEVEL Current = KiReadRunLevel();

    if (__builtin_expect(Current > Limit, 0)) {
        KiRunLevelLimitFailure(Current, Limit, Caller);
    }
}

/* Lowers the RunLevel back to OldRunLevel (what KeRaiseRunLevel returned). OldRunLevel above the current level is a
 * STOP IRQL_NOT_LESS_OR_EQUAL naming the caller. Pending software interrupts (DPCs, APCs) the new level unmasks are
 * delivered by the local APIC as soon as it is written. */
XTFORCEINLINE VOID KeLowerRunLevel(KRUNLEVEL OldRunLevel) {
    KRUNLEVEL Current = KiReadRunLevel();

    if (__builtin_expect(OldRunLevel > Current, 0)) {
        KiLowerRunLevelFailure(Current, OldRunLevel);
    }
    KiWriteRunLevel(OldRunLevel);
}

/* Raises to DISPATCH_LEVEL from Current, the level the caller has just read with KeGetCurrentRunLevel and found at or
 * below DISPATCH_LEVEL: one write of the level register, no second read and no check. KeLowerRunLevelToKnown(Current)
 * goes back. For the hottest per-processor paths; KE_RUNLEVEL_WRITE_IS_CHEAP says whether it beats disabling
 * interrupts on this arch (amd64: one CR8 move; i686: a KPRCB store and an APIC register write with interrupts off). */
XTFORCEINLINE VOID KeRaiseRunLevelFromKnown(KRUNLEVEL Current) {
    (VOID) Current;
    KiWriteRunLevel(DISPATCH_LEVEL);
}

/* Back to Current after KeRaiseRunLevelFromKnown(Current) (pending software interrupts it unmasks are delivered). */
XTFORCEINLINE VOID KeLowerRunLevelToKnown(KRUNLEVEL Current) {
    KiWriteRunLevel(Current);
}

/* Spin locks and queued spin locks (KSPIN_LOCK, KeAcquireSpinLock, KeAcquireInStackQueuedSpinLock, ...). */
#include <kelock.h>

/* The RunLevel an interrupt on Vector (32..255) runs at, which also masks it (amd64: Vector >> 4; i686: the lowest
 * level whose APIC task priority class covers the vector's class). */
KRUNLEVEL KeGetVectorRunLevel(ULONG Vector);

typedef struct _KINTERRUPT KINTERRUPT, *PKINTERRUPT;

/* An interrupt's handler: runs at the object's RunLevel with interrupts off; TRUE when it serviced its device. */
typedef BOOLEAN (*PKSERVICE_ROUTINE)(PKINTERRUPT Interrupt, PVOID ServiceContext);

/* An interrupt object: one service routine on one vector (one object per vector on this processor). */
struct _KINTERRUPT {
    PKSERVICE_ROUTINE ServiceRoutine;
    PVOID ServiceContext;
    ULONG Vector;
    KRUNLEVEL RunLevel; /* KeGetVectorRunLevel(Vector) */
    BOOLEAN Connected;
};

/* Fills Interrupt for Vector (not connected yet). */
VOID KeInitializeInterrupt(PKINTERRUPT Interrupt, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext, ULONG Vector);

/* Connects Interrupt to its vector; FALSE when the vector is an exception (< 32), out of range, Ke's own (APC_VECTOR,
 * DPC_VECTOR), or taken. */
BOOLEAN KeConnectInterrupt(PKINTERRUPT Interrupt);

/* Disconnects Interrupt; FALSE when it was not connected. */
BOOLEAN KeDisconnectInterrupt(PKINTERRUPT Interrupt);

/* How many interrupts arrived on Vector with no object connected (each vector is reported once with KdPrint). */
ULONG KeGetUnexpectedInterruptCount(ULONG Vector);
/* ---- Software interrupts and DPCs ----
 * Ke requests a software interrupt at APC_LEVEL or DISPATCH_LEVEL as a self-IPI on APC_VECTOR / DPC_VECTOR
 * (kelevel.h): the local APIC holds it while the RunLevel masks it and delivers it as soon as the level drops below.
 * The DISPATCH_LEVEL interrupt retires the processor's own DPC queue with interrupts enabled. Every processor has its
 * DPC queue in its KPRCB (KPRCB.DpcData); a DPC goes to the queue of the processor that queues it, or of its target
 * processor (KeSetTargetProcessorDpc), which is then asked for its DISPATCH interrupt by IPI. */

/* Requests the software interrupt of Level (APC_LEVEL or DISPATCH_LEVEL; other levels are ignored) on the current
 * processor. Any RunLevel. */
VOID KeRequestSoftwareInterrupt(KRUNLEVEL Level);

/* How many software interrupts of Level (APC_LEVEL or DISPATCH_LEVEL) the current processor took since boot. */
ULONG KeGetSoftwareInterruptCount(KRUNLEVEL Level);

typedef struct _KDPC KDPC, *PKDPC;

/* A deferred routine: runs at DISPATCH_LEVEL with interrupts enabled and must return at DISPATCH_LEVEL. */
typedef VOID (*PKDEFERRED_ROUTINE)(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2);

/* Where KeInsertQueueDpc puts a DPC: High at the head; Medium and Low at the tail. High and Medium request the
 * DISPATCH_LEVEL interrupt at once; Low only when the queue is KE_MAXIMUM_DPC_QUEUE_DEPTH deep, else the next clock
 * tick of that processor does (NT's rule). */
typedef enum _KDPC_IMPORTANCE { LowImportance = 0, MediumImportance = 1, HighImportance = 2 } KDPC_IMPORTANCE;

#define KE_MAXIMUM_DPC_QUEUE_DEPTH 4

/* KDPC.Number when the DPC has no target: it runs on the processor that queues it. */
#define KE_DPC_CURRENT_PROCESSOR 0xFFFFFFFFu

/* A deferred procedure call: initialised once, queued any number of times (at most once at a time, on one queue). */
struct _KDPC {
    LIST_ENTRY DpcListEntry;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    PKDPC_DATA volatile DpcData; /* the queue holding it; NULL while not queued (set and cleared under its lock) */
    ULONG Number;                /* its target processor, or KE_DPC_CURRENT_PROCESSOR */
    UCHAR Importance;            /* KDPC_IMPORTANCE */
};

/* Fills Dpc (medium importance, no target processor, not queued). */
VOID KeInitializeDpc(PKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext);

/* Sets where the next KeInsertQueueDpc of Dpc puts it. */
VOID KeSetImportanceDpc(PKDPC Dpc, KDPC_IMPORTANCE Importance);

/* Makes the next KeInsertQueueDpc of Dpc queue it on processor Number (KE_DPC_CURRENT_PROCESSOR: on the processor that
 * queues it, the default). FALSE, the target unchanged, when no processor Number was started. Any RunLevel. */
BOOLEAN KeSetTargetProcessorDpc(PKDPC Dpc, ULONG Number);

/* Queues Dpc with two arguments for its routine on its target processor's queue (none: the current processor's);
 * FALSE (arguments unchanged) when it is already queued on any processor. Any RunLevel, interrupts on or off. The DPC
 * runs when that processor's RunLevel drops below DISPATCH_LEVEL (at once from PASSIVE or APC level); another
 * processor is sent an IPI that requests its DISPATCH interrupt. A DPC taken off a queue to run may be queued again
 * (and run elsewhere) while its routine still runs. */
BOOLEAN KeInsertQueueDpc(PKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);

/* Takes Dpc off whichever processor's queue holds it, before it ran; FALSE when it was not queued. Any RunLevel. */
BOOLEAN KeRemoveQueueDpc(PKDPC Dpc);

/* DPCs waiting in the current processor's queue now, and DPC routines run on all processors since boot (each
 * processor's own figures: KeGetProcessorBlock(N)->DpcData). */
ULONG KeQueryDpcQueueDepth(VOID);
ULONGLONG KeQueryDpcCount(VOID);

/* ---- Per-processor PASSIVE_LEVEL work (ke/work.c) ----
 * A work item queued for an application processor runs in that processor's work thread (pinned there, priority 12),
 * at PASSIVE_LEVEL with interrupts enabled, one after the other in queue order; the thread is woken by a DPC targeted
 * at its processor. Work may touch paged memory, wait (on dispatcher objects or by polling), allocate paged pool; it
 * must return at PASSIVE_LEVEL (else STOP IRQL_UNEXPECTED_VALUE) and must not wait for its own processor's work
 * thread. Processor 0 runs the start-up thread and has no work thread: it takes no work. */

typedef VOID (*PKPROCESSOR_WORK_ROUTINE)(PVOID Context);

/* A work item: caller-owned (like NT's WORK_QUEUE_ITEM), initialised once, queued at most once at a time. */
typedef struct _KPROCESSOR_WORK_ITEM {
    LIST_ENTRY ListEntry;
    PKPROCESSOR_WORK_ROUTINE Routine;
    PVOID Context;
    PKPRCB volatile Processor; /* the processor whose queue holds it; NULL while not queued */
} KPROCESSOR_WORK_ITEM, *PKPROCESSOR_WORK_ITEM;

/* Fills Item (not queued). */
VOID KeInitializeProcessorWork(PKPROCESSOR_WORK_ITEM Item, PKPROCESSOR_WORK_ROUTINE Routine, PVOID Context);

/* Queues Item on processor Number's work queue (at its tail) and wakes it; the item may be queued again once its
 * routine started. FALSE when Item is queued already, or Number is 0 or no started processor. Any RunLevel. */
BOOLEAN KeQueueProcessorWork(PKPROCESSOR_WORK_ITEM Item, ULONG Number);

/* ---- Processors and inter-processor interrupts (ke/mpinit.c, ke/ipi.c) ---- */

/* Processors started (the boot processor included); they never stop. */
ULONG KeQueryActiveProcessorCount(VOID);

/* The KPRCB of processor Number; NULL when no such processor was started. */
PKPRCB KeGetProcessorBlock(ULONG Number);

/* A function run on other processors at IPI_LEVEL with interrupts off; returns a value for the caller. */
typedef ULONG_PTR (*PKIPI_BROADCAST_WORKER)(ULONG_PTR Argument);

/* Runs Function(Argument) on every started processor (the caller's included, at IPI_LEVEL) and waits until all have
 * returned; returns the caller's processor's result. RunLevel <= DISPATCH_LEVEL (above: STOP IRQL_NOT_LESS_OR_EQUAL);
 * concurrent calls from several processors run one after the other. A processor that does not run it within seconds
 * is a STOP IPI_WATCHDOG_TIMEOUT. */
ULONG_PTR KeIpiGenericCall(PKIPI_BROADCAST_WORKER Function, ULONG_PTR Argument);

/* Runs Function(Argument) on processor Number only (a targeted IPI; on the caller's at IPI_LEVEL when it is the
 * current one) and waits; *Result (optional) receives its return value. FALSE when there is no such processor. Same
 * RunLevel rule as KeIpiGenericCall. */
BOOLEAN KeIpiProcessorCall(ULONG Number, PKIPI_BROADCAST_WORKER Function, ULONG_PTR Argument, PULONG_PTR Result);

/* ---- TLB shootdown (ke/tbflush.c) ----
 * The memory manager clears kernel PTEs without flushing, then invalidates them on every started processor with one
 * call (one IPI generic call for any number of pages; the whole TLB above KE_FLUSH_TB_PAGE_LIMIT pages) before it
 * reuses the VA or the frame. With one processor only the local invlpg runs. RunLevel <= DISPATCH_LEVEL when other
 * processors run (the IPI's rule); never with the PFN lock held (its waiters may spin with interrupts off). */
#define KE_FLUSH_TB_PAGE_LIMIT 32

/* Invalidates one page / Pages pages from Va / Count pages at Addresses / every translation, on every processor. */
VOID KeFlushSingleTb(PVOID Va);
VOID KeFlushRangeTb(PVOID Va, SIZE_T Pages);
VOID KeFlushMultipleTb(SIZE_T Count, const PVOID *Addresses);
VOID KeFlushEntireTb(VOID);

typedef struct _KTB_FLUSH_STATISTICS {
    ULONGLONG Flushes;       /* KeFlush...Tb requests since boot */
    ULONGLONG Ipis;          /* of those, the ones that interrupted the other processors (one IPI round each) */
    ULONGLONG Pages;         /* pages named by requests at or below the limit */
    ULONGLONG EntireFlushes; /* whole-TLB flushes run, on any processor */
} KTB_FLUSH_STATISTICS, *PKTB_FLUSH_STATISTICS;

VOID KeQueryTbFlushStatistics(PKTB_FLUSH_STATISTICS Statistics);

/* ---- Dispatcher objects and waits (ke/wait.c; docs/kernel.md "The dispatcher") ----
 * NT's model: every waitable object begins with a DISPATCHER_HEADER (its type, its signal state and the list of wait
 * blocks of the threads waiting on it); a waiting thread links one KWAIT_BLOCK per object into those lists. Everything
 * below is guarded by the one dispatcher lock (the numbered queued lock LockQueueDispatcherLock, held at
 * DISPATCH_LEVEL). */

typedef struct _KTHREAD KTHREAD, *PKTHREAD;

/* A processor set: bit n = processor n (KE_MAXIMUM_PROCESSORS <= 64). */
typedef ULONGLONG KAFFINITY, *PKAFFINITY;

/* NT's scheduling priority (0..31) and the priority increment given on a wait's satisfaction. */
typedef LONG KPRIORITY;

/* NT's object types (DISPATCHER_HEADER.Type), with NT's values. */
typedef enum _KOBJECTS {
    EventNotificationObject = 0,
    EventSynchronizationObject = 1,
    MutantObject = 2,
    ProcessObject = 3,
    SemaphoreObject = 5,
    ThreadObject = 6,
    TimerNotificationObject = 8,
    TimerSynchronizationObject = 9
} KOBJECTS;

typedef struct _DISPATCHER_HEADER {
    UCHAR Type;                /* KOBJECTS */
    UCHAR Reserved[3];         /* NT's Absolute/Size/Inserted bytes */
    volatile LONG SignalState; /* > 0: signalled (a semaphore's count; a mutant: 1 free, <= 0 owned recursively) */
    LIST_ENTRY WaitListHead;   /* the KWAIT_BLOCKs of the threads waiting on it */
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef enum _WAIT_TYPE { WaitAll = 0, WaitAny = 1 } WAIT_TYPE;

/* Why a thread waits (NT's KWAIT_REASON, a few of its values); its mode is a KPROCESSOR_MODE (xtbase.h). */
typedef enum _KWAIT_REASON { Executive = 0, DelayExecution = 4, UserRequest = 6, WrQueue = 15 } KWAIT_REASON;

/* One thread's wait on one object. */
typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry;           /* in the object's WaitListHead */
    PKTHREAD Thread;                    /* the waiting thread */
    PVOID Object;                       /* the DISPATCHER_HEADER waited on */
    struct _KWAIT_BLOCK *NextWaitBlock; /* the thread's next block of this wait (circular) */
    USHORT WaitKey; /* the object's index in the wait (STATUS_WAIT_0 + n), STATUS_TIMEOUT for the timer */
    UCHAR WaitType; /* WAIT_TYPE */
    UCHAR Reserved;
} KWAIT_BLOCK, *PKWAIT_BLOCK;

/* Wait blocks inside every KTHREAD (more objects need the caller's array), and the most objects one wait may name. */
#define THREAD_WAIT_OBJECTS  3
#define MAXIMUM_WAIT_OBJECTS 64

typedef enum _EVENT_TYPE { NotificationEvent = 0, SynchronizationEvent = 1 } EVENT_TYPE;

/* An event: a notification event stays signalled and releases every waiter; a synchronization event releases one
 * waiter and resets itself. */
typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT;

/* A semaphore: its count is Header.SignalState (0..Limit); each satisfied wait takes one. */
typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE;

/* A mutant (NT's kernel mutex with abandonment): owned recursively by one thread (Header.SignalState 1 free, 0 owned
 * once, -n owned n+1 times); a thread that ends while owning it abandons it: the next wait that takes it returns
 * STATUS_ABANDONED_WAIT_n. */
typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry; /* in the owner's KTHREAD.MutantListHead */
    PKTHREAD OwnerThread;       /* NULL when free */
    BOOLEAN Abandoned;          /* its owner ended while owning it; cleared by the next acquisition */
} KMUTANT, *PKMUTANT;

/* KeGetCurrentThread (the running thread, NULL before the dispatcher starts on this processor) is inline in
 * <kepcr.h>: one GS/FS-relative load of KPRCB.CurrentThread. */

/* Events. KeSetEvent and KeResetEvent return the previous signal state. RunLevel <= DISPATCH_LEVEL. Increment: the
 * priority boost for the threads the set releases (dynamic priorities only). Wait is NT's "a wait follows at once"
 * hint: accepted and ignored. */
VOID KeInitializeEvent(PKEVENT Event, EVENT_TYPE Type, BOOLEAN State);
LONG KeSetEvent(PKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
LONG KeResetEvent(PKEVENT Event);
VOID KeClearEvent(PKEVENT Event);
LONG KeReadStateEvent(PKEVENT Event);

/* Semaphores: KeReleaseSemaphore adds Adjustment (> 0) to the count and releases that many waiters; past Limit it
 * changes nothing and returns STATUS_SEMAPHORE_LIMIT_EXCEEDED (NT raises that status; XT has no kernel exceptions and
 * returns it). *PreviousCount (optional) receives the count before. RunLevel <= DISPATCH_LEVEL. */
VOID KeInitializeSemaphore(PKSEMAPHORE Semaphore, LONG Count, LONG Limit);
XTSTATUS KeReleaseSemaphore(PKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait,
                            PLONG PreviousCount);
LONG KeReadStateSemaphore(PKSEMAPHORE Semaphore);

/* Mutants: InitialOwner makes the caller own it once. KeReleaseMutant undoes one acquisition by the owner (the last
 * one frees it and satisfies a waiter); called by any other thread it changes nothing and returns
 * STATUS_MUTANT_NOT_OWNED (NT raises it). Abandoned = TRUE frees it at once as abandoned (what thread exit does).
 * *PreviousState (optional) receives the signal state before. RunLevel <= DISPATCH_LEVEL. */
VOID KeInitializeMutant(PKMUTANT Mutant, BOOLEAN InitialOwner);
XTSTATUS KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandoned, BOOLEAN Wait, PLONG PreviousState);
LONG KeReadStateMutant(PKMUTANT Mutant);

/* NT's wait status codes (STATUS_WAIT_0 + n, STATUS_ABANDONED_WAIT_0 + n, STATUS_TIMEOUT) come from xtstatus.h. */

/* Waits until Object (an event, semaphore, mutant, timer or thread) is signalled, or Timeout (optional; NT's
 * convention: negative = relative in 100-ns units, otherwise an absolute system time; 0 = test only) passes.
 * Returns STATUS_WAIT_0, STATUS_ABANDONED_WAIT_0 (a mutant its owner abandoned) or STATUS_TIMEOUT. RunLevel below
 * DISPATCH_LEVEL, or DISPATCH_LEVEL with a zero timeout; otherwise STOP IRQL_NOT_LESS_OR_EQUAL naming the thread.
 * WaitMode and Alertable are accepted for NT's signature (kernel mode only, no APCs yet). */
XTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                               PLARGE_INTEGER Timeout);

/* The same for Count (1..MAXIMUM_WAIT_OBJECTS) objects: WaitAny returns STATUS_WAIT_0 + n (or STATUS_ABANDONED_WAIT_0
 * + n) for the first signalled object n; WaitAll waits until every object is signalled at once, takes them all
 * together and returns STATUS_WAIT_0 (STATUS_ABANDONED_WAIT_0 when one was abandoned). More than THREAD_WAIT_OBJECTS
 * objects need WaitBlockArray (Count blocks, in place until the wait returns). Bad counts STOP
 * MAXIMUM_WAIT_OBJECTS_EXCEEDED. */
XTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                                  KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray);

/* ---- Keyed events and keyed mutexes (ke/keyed.c) ----
 * A keyed wait blocks the calling thread on an address until a keyed release of the same address; whichever of the
 * two comes first blocks until the other arrives (NT's keyed-event rendezvous: a release is never lost). RunLevel
 * <= APC_LEVEL, the dispatcher running. */
VOID KeWaitForKeyedEvent(PVOID Key);
VOID KeReleaseKeyedEvent(PVOID Key);

/* A sleeping mutex in one pointer-sized word, 0 when free (no initialisation beyond zero): the holder and the
 * threads waiting for it counted in the word, waiters asleep on the keyed event of its address; the release hands it
 * to one waiter. Not recursive, no owner check. Callers raise to APC_LEVEL first when the holder must not be
 * suspended (NT's guarded/fast mutex); the uncontended pair is two atomic operations. RunLevel <= APC_LEVEL. */
typedef volatile ULONG_PTR KKEYED_MUTEX, *PKKEYED_MUTEX;

VOID KeAcquireKeyedMutex(PKKEYED_MUTEX Mutex);
VOID KeReleaseKeyedMutex(PKKEYED_MUTEX Mutex);

/* ---- Kernel timers ----
 * A KTIMER expires at a due time in interrupt time (KeQueryInterruptTime): the clock interrupt notices the earliest
 * one due and queues the timer-expiry DPC, which signals every due timer, re-queues periodic ones and queues their
 * DPCs. Timers wait in a binary min-heap (ke/timerq.h): O(log n) insert, cancel and expiry. */

typedef enum _TIMER_TYPE { NotificationTimer = 0, SynchronizationTimer = 1 } TIMER_TYPE;

/* A timer is a dispatcher object: signalled on expiry (Header.SignalState), cleared by KeSetTimer; a notification
 * timer releases every waiter and stays signalled, a synchronization timer releases one waiter and resets. */
typedef struct _KTIMER {
    DISPATCHER_HEADER Header;      /* TimerNotificationObject or TimerSynchronizationObject */
    KTIMER_QUEUE_ENTRY QueueEntry; /* DueTime: interrupt time */
    PKDPC Dpc;                     /* queued on expiry (SystemArgument1/2: the system time's low/high part) */
    ULONG Period;                  /* milliseconds; 0: one-shot */
    UCHAR Type;                    /* TIMER_TYPE */
} KTIMER, *PKTIMER;

/* Fills Timer: not queued, not signalled. KeInitializeTimer makes a notification timer. */
VOID KeInitializeTimer(PKTIMER Timer);
VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type);

/* Queues Timer to expire at DueTime (NT's convention: negative = relative, in 100-ns units; otherwise an absolute
 * system time, KeQuerySystemTime's scale; a past time expires on the next clock tick), then every Period
 * milliseconds when Period is non-zero, queueing Dpc (optional) on each expiry. Re-setting a queued timer moves it.
 * TRUE when the timer was queued before. RunLevel <= DISPATCH_LEVEL. */
BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);

/* Takes Timer off the queue; TRUE when it was queued (then it never fires). RunLevel <= DISPATCH_LEVEL. */
BOOLEAN KeCancelTimer(PKTIMER Timer);

/* TRUE once Timer expired (until it is set again). */
BOOLEAN KeReadStateTimer(PKTIMER Timer);

/* Timers queued now, and timer expiries since boot. */
ULONG_PTR KeQueryTimerQueueLength(VOID);
ULONGLONG KeQueryTimerExpiryCount(VOID);

/* The TSC (calibrated at start-up against the HPET, PM timer or PIT); *Frequency (optional) receives its rate in Hz. */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER Frequency);

/* Busy-waits at least Microseconds on the calibrated TSC (any RunLevel, interrupts on or off). */
VOID KeStallExecutionProcessor(ULONG Microseconds);

/* The system time in NT units (100 ns since 1601-01-01 UTC): the CMOS RTC read at start-up plus the interrupt time,
 * refined between ticks by the TSC (at most one time increment, so it never runs ahead of the next tick and never
 * goes backwards). Before the clock interrupt starts: the RTC time plus the TSC time since it was read. */
VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime);

/* The interrupt time: 100-ns units since the CMOS RTC was read at start-up, advanced by KeQueryTimeIncrement() (and
 * its fraction) on every clock interrupt; between ticks it does not move (like NT's). Before the clock interrupt
 * starts: the TSC time since start-up. Any RunLevel. */
ULONGLONG KeQueryInterruptTime(VOID);

/* Clock interrupts since the clock started (NT's KeTickCount). */
ULONGLONG KeQueryTickCount(VOID);

/* The time one clock interrupt adds to the interrupt time, in 100-ns units (integer part; 0 without a clock). */
ULONG KeQueryTimeIncrement(VOID);

#endif

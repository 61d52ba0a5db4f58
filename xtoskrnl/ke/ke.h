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
 * The stand-in for system worker threads until threads exist (issue 11 replaces it by worker threads and
 * ExQueueWorkItem): a work item queued for an application processor runs in that processor's idle loop, at
 * PASSIVE_LEVEL with interrupts enabled, one after the other in queue order; the processor is woken by an IPI. Work
 * may touch paged memory, wait by polling, allocate paged pool; it must return at PASSIVE_LEVEL (else STOP
 * IRQL_UNEXPECTED_VALUE) and must not wait for the processor it runs on to do anything else. Processor 0 runs the
 * start-up thread and has no idle loop: it takes no work. */

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

/* ---- Kernel timers ----
 * A KTIMER expires at a due time in interrupt time (KeQueryInterruptTime): the clock interrupt notices the earliest
 * one due and queues the timer-expiry DPC, which signals every due timer, re-queues periodic ones and queues their
 * DPCs. Timers wait in a binary min-heap (ke/timerq.h): O(log n) insert, cancel and expiry. */

typedef enum _TIMER_TYPE { NotificationTimer = 0, SynchronizationTimer = 1 } TIMER_TYPE;

typedef struct _KTIMER {
    KTIMER_QUEUE_ENTRY QueueEntry; /* DueTime: interrupt time */
    PKDPC Dpc;                     /* queued on expiry (SystemArgument1/2: the system time's low/high part) */
    ULONG Period;                  /* milliseconds; 0: one-shot */
    UCHAR Type;                    /* TIMER_TYPE (waits arrive with the dispatcher, issue 11) */
    volatile BOOLEAN Signaled;     /* set on expiry, cleared by KeSetTimer */
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

/* The processor control block (NT's KPRCB/KPCR in one): one per processor, reached through GS (amd64: IA32_GS_BASE)
 * or FS (i686: the per-processor KGDT_R0_PCR segment). The fields the inline accessors and assembly read through the
 * segment sit at fixed offsets, checked below. Included by ke.h. */
#ifndef XTOSKRNL_KE_KPRCB_H
#define XTOSKRNL_KE_KPRCB_H

#include <kelocktypes.h>
#include <rtl.h>
#include <xtbase.h>

/* Processors the kernel starts at most (MAXCPUS= lowers it). */
#define KE_MAXIMUM_PROCESSORS 64

typedef struct _KPRCB KPRCB, *PKPRCB;
typedef struct _KTHREAD KTHREAD, *PKTHREAD;

/* Scheduling priorities (0..31): one ready queue per priority in every KPRCB. */
#define KE_PRIORITY_LEVELS 32

/* One processor's DPC queue (NT's KDPC_DATA, KPRCB.DpcData). DpcLock is a spin lock taken with interrupts off and
 * without a RunLevel change (interrupt handlers queue DPCs: the clock queues the timer-expiry DPC), held only to link
 * or unlink; a queued KDPC points here (KDPC.DpcData). */
typedef struct _KDPC_DATA {
    LIST_ENTRY DpcListHead;       /* high importance at the head, medium and low at the tail */
    KSPIN_LOCK DpcLock;           /* guards the list, the depth and every queued KDPC's DpcData and list entry */
    volatile ULONG DpcQueueDepth; /* DPCs waiting */
    volatile ULONG DpcCount;      /* DPC routines run on this processor since boot */
    volatile ULONG DpcRequests;   /* DISPATCH interrupts other processors requested here by IPI (targeted DPCs) */
} __attribute__((aligned(64))) KDPC_DATA, *PKDPC_DATA;

struct _KPRCB {
    PKPRCB Self;                 /* this block: what KeGetCurrentPrcb reads through the segment */
    ULONG Number;                /* 0 for the boot processor, then in start-up order */
    ULONG ApicId;                /* its local APIC's ID */
    volatile KRUNLEVEL RunLevel; /* i686: the current RunLevel (mirrored into the TPR); amd64 keeps it in CR8 */
    volatile BOOLEAN Started;    /* the processor finished its start-up and idles with interrupts on */
    volatile BOOLEAN Frozen;     /* parked by a STOP on another processor (NMI) */
    UCHAR Reserved0;
    volatile LONG IpiRequest; /* KI_IPI_* requests other processors posted before sending the IPI vector */
    volatile ULONGLONG ClockTicks __attribute__((aligned(8))); /* clock interrupts here (its local APIC timer) */
    volatile ULONGLONG IpiCount;                               /* IPI requests this processor serviced */
    ULONG_PTR StackBase[4]; /* lowest byte of its kernel, double-fault, NMI and machine-check stacks (guard below) */
    ULONG_PTR StackTop[4];  /* the address just above each */
    ULONG_PTR FrozenAt;     /* where the STOP's NMI found it (instruction pointer) */
    /* The memory manager's: this processor's block of the system non-paged pool's per-processor lists (NT keeps its
     * pool lookasides in the KPRCB), set by MmInitializeProcessorPool; Ke only carries it. */
    PVOID PoolLookaside;
    /* The software interrupts delivered here (ke/dpc.c): [0] APC_LEVEL, [1] DISPATCH_LEVEL. */
    volatile ULONG SoftwareInterruptCount[2];
    /* This processor's DPC queue (ke/dpc.c), on its own cache line: other processors queue targeted DPCs here. */
    KDPC_DATA DpcData;
    /* This processor's PASSIVE_LEVEL work queue, run by its idle loop (ke/work.c; issue 11's worker threads replace
     * it): WorkLock is taken with interrupts off, like DpcLock. */
    LIST_ENTRY WorkListHead;
    KSPIN_LOCK WorkLock;
    volatile ULONG WorkQueueDepth; /* work items waiting */
    volatile ULONG WorkCount;      /* work routines run here since boot */
    /* Timer state: only the boot processor advances the interrupt time and expires KTIMERs; each processor counts
     * its own ticks (ClockTicks). */
    /* This processor's entry in each numbered queued lock (KeInitializeLockQueues; KeAcquireQueuedSpinLock). */
    KSPIN_LOCK_QUEUE LockQueue[LockQueueMaximumLock];
    /* ---- The dispatcher (ke/dispatch.c; docs/kernel.md "The dispatcher"): under the dispatcher lock, except
     * CurrentThread (written by this processor only, read through the segment by KeGetCurrentThread) and QuantumEnd
     * (set by this processor's clock tick) ---- */
    PKTHREAD volatile CurrentThread; /* the running thread */
    PKTHREAD volatile NextThread;    /* Standby: chosen to run here at the next dispatch; NULL: none */
    PKTHREAD IdleThread;             /* runs when nothing else is ready; never queued */
    volatile ULONG ReadySummary;     /* bit p: ReadyListHead[p] is not empty (O(1) selection) */
    volatile BOOLEAN QuantumEnd;     /* the running thread's quantum ran out: the DISPATCH interrupt decides */
    UCHAR Reserved1[3];
    volatile ULONGLONG ContextSwitches;           /* dispatcher switches on this processor */
    LIST_ENTRY ReadyListHead[KE_PRIORITY_LEVELS]; /* threads Ready to run here, one FIFO per priority */
};

/* Offsets the segment-relative accessors use (kepcr.h per arch). */
#define KPRCB_SELF_OFFSET     0
#define KPRCB_NUMBER_OFFSET   (sizeof(PVOID))
#define KPRCB_RUNLEVEL_OFFSET (sizeof(PVOID) + 8)

STATIC_ASSERT(offsetof(KPRCB, Self) == KPRCB_SELF_OFFSET);
STATIC_ASSERT(offsetof(KPRCB, Number) == KPRCB_NUMBER_OFFSET);
STATIC_ASSERT(offsetof(KPRCB, ApicId) == KPRCB_NUMBER_OFFSET + 4);
STATIC_ASSERT(offsetof(KPRCB, RunLevel) == KPRCB_RUNLEVEL_OFFSET);
STATIC_ASSERT(offsetof(KPRCB, IpiRequest) % 4 == 0 && offsetof(KPRCB, ClockTicks) % 8 == 0);
STATIC_ASSERT(offsetof(KPRCB, CurrentThread) % sizeof(PVOID) == 0);
STATIC_ASSERT(offsetof(KPRCB, PoolLookaside) % sizeof(PVOID) == 0);

#endif

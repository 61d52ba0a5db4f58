/* Per-processor PASSIVE_LEVEL work: each processor's queue lives in its KPRCB under WorkLock (taken with interrupts
 * off, any RunLevel, like the DPC queues); every application processor has a work thread pinned to it (priority
 * KI_WORKER_PRIORITY) that runs the items one at a time at PASSIVE_LEVEL with interrupts on and otherwise waits on its
 * synchronization event. KeQueueProcessorWork may run at any RunLevel, so it does not set the event itself: it queues
 * the processor's wake DPC there (an IPI for another processor), which sets it at DISPATCH_LEVEL. */
#include <xtbugcode.h>

#include "ki.h"
#include "kimp.h"

#define KI_WORKER_PRIORITY 12

static KEVENT KiWorkEvent[KE_MAXIMUM_PROCESSORS];
static KDPC KiWorkDpc[KE_MAXIMUM_PROCESSORS];

/* The wake DPC, on the work's processor: wakes its work thread. */
static VOID KiWorkWakeRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Argument1, (VOID)Argument2;
    KeSetEvent(Context, 0, FALSE);
}

/* A processor's work thread: runs what is queued, then waits for more. */
static VOID KiProcessorWorkThread(PVOID Context) {
    for (;;) {
        ArDisableInterrupts();
        while (KiRunProcessorWork()) {
        }
        ArEnableInterrupts();
        KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, NULL);
    }
}

VOID KiStartProcessorWorker(ULONG Number) {
    XTSTATUS Status;

    KeInitializeEvent(&KiWorkEvent[Number], SynchronizationEvent, FALSE);
    KeInitializeDpc(&KiWorkDpc[Number], KiWorkWakeRoutine, &KiWorkEvent[Number]);
    KeSetImportanceDpc(&KiWorkDpc[Number], HighImportance);
    KeSetTargetProcessorDpc(&KiWorkDpc[Number], Number);
    Status =
        KeCreateSystemThread(NULL, KI_WORKER_PRIORITY, 1ull << Number, KiProcessorWorkThread, &KiWorkEvent[Number], 0);
    if (!XT_SUCCESS(Status)) {
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1103, Number, (ULONG_PTR)Status, 0);
    }
}

VOID KiInitializeWorkQueue(PKPRCB Prcb) {
    RtlInitializeListHead(&Prcb->WorkListHead);
    KeInitializeSpinLock(&Prcb->WorkLock);
}

VOID KeInitializeProcessorWork(PKPROCESSOR_WORK_ITEM Item, PKPROCESSOR_WORK_ROUTINE Routine, PVOID Context) {
    RtlInitializeListHead(&Item->ListEntry);
    Item->Routine = Routine;
    Item->Context = Context;
    Item->Processor = NULL;
}

BOOLEAN KeQueueProcessorWork(PKPROCESSOR_WORK_ITEM Item, ULONG Number) {
    PKPRCB Target, Expected = NULL;
    ULONG_PTR Flags;

    if (Number == 0 || Number >= KiProcessorCount) {
        return FALSE; /* processor 0 runs the start-up thread: it has no work thread */
    }
    Target = KiProcessorBlock[Number];
    Flags = ArDisableInterrupts();
    KiAcquireSpinLock(&Target->WorkLock);
    if (!__atomic_compare_exchange_n(&Item->Processor, &Expected, Target, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KiReleaseSpinLock(&Target->WorkLock);
        ArRestoreInterrupts(Flags);
        return FALSE;
    }
    RtlInsertTailList(&Target->WorkListHead, &Item->ListEntry);
    Target->WorkQueueDepth++;
    KiReleaseSpinLock(&Target->WorkLock);
    KeInsertQueueDpc(&KiWorkDpc[Number], NULL, NULL); /* wakes its work thread there */
    ArRestoreInterrupts(Flags);
    return TRUE;
}

BOOLEAN KiRunProcessorWork(VOID) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKPROCESSOR_WORK_ROUTINE Routine;
    PKPROCESSOR_WORK_ITEM Item;
    PVOID Context;

    if (__atomic_load_n(&Prcb->WorkListHead.Flink, __ATOMIC_RELAXED) == &Prcb->WorkListHead) {
        return FALSE;
    }
    KiAcquireSpinLock(&Prcb->WorkLock);
    Item = CONTAINING_RECORD(RtlRemoveHeadList(&Prcb->WorkListHead), KPROCESSOR_WORK_ITEM, ListEntry);
    Prcb->WorkQueueDepth--;
    Routine = Item->Routine;
    Context = Item->Context;
    __atomic_store_n(&Item->Processor, NULL, __ATOMIC_RELEASE); /* from here it may be queued again */
    KiReleaseSpinLock(&Prcb->WorkLock);
    ArEnableInterrupts();
    Routine(Context);
    Prcb->WorkCount++;
    if (KeGetCurrentRunLevel() != PASSIVE_LEVEL) {
        KeBugCheckEx(IRQL_UNEXPECTED_VALUE, KeGetCurrentRunLevel(), PASSIVE_LEVEL, (ULONG_PTR)Routine, (ULONG_PTR)Item);
    }
    ArDisableInterrupts();
    return TRUE;
}

/* Per-processor PASSIVE_LEVEL work: the pre-threads stand-in for system worker threads (issue 11 replaces it by
 * worker threads). Each processor's queue lives in its KPRCB under WorkLock (taken with interrupts off, any RunLevel,
 * like the DPC queues); an application processor's idle loop (KiStartProcessor) runs the items one at a time at
 * PASSIVE_LEVEL with interrupts on, and is woken by an IPI (KI_IPI_REQUEST_WORK) when work arrives. */
#include <xtbugcode.h>

#include "ki.h"
#include "kimp.h"

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
        return FALSE; /* processor 0 runs the start-up thread: it has no idle loop */
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
    if (Target != KeGetCurrentPrcb()) {
        KiIpiSendRequest(Target, KI_IPI_REQUEST_WORK); /* its idle loop may be halted */
    }
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

/* Software interrupts (self-IPIs on APC_VECTOR / DPC_VECTOR) and the per-processor DPC queues (KPRCB.DpcData, NT's
 * KDPC_DATA). Each queue has its own spin lock, taken with interrupts off and without a RunLevel change so that
 * interrupt handlers may queue DPCs; a queued DPC records its queue (KDPC.DpcData, claimed by compare-exchange), so
 * KeRemoveQueueDpc finds it on any processor and two processors can never queue it twice. A DPC for another processor
 * asks that processor for its DISPATCH interrupt by IPI (KI_IPI_REQUEST_DPC). */
#include <hl.h>
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"
#include "kimp.h"

/* A queue lock is taken only here, with interrupts off, and freed in the same function: the release is the plain
 * store-release, without KiReleaseSpinLock's owner check (a few instructions on every DPC; BENCH dpc_queue_to_run). */
XTFORCEINLINE VOID KiReleaseDpcLock(PKDPC_DATA Data) {
    __atomic_store_n(&Data->DpcLock, 0, __ATOMIC_RELEASE);
}

VOID KeRequestSoftwareInterrupt(KRUNLEVEL Level) {
    if (Level == DISPATCH_LEVEL) {
        HlSendSelfInterrupt(DPC_VECTOR);
    } else if (Level == APC_LEVEL) {
        HlSendSelfInterrupt(APC_VECTOR);
    }
}

ULONG KeGetSoftwareInterruptCount(KRUNLEVEL Level) {
    if (Level != APC_LEVEL && Level != DISPATCH_LEVEL) {
        return 0;
    }
    return KeGetCurrentPrcb()->SoftwareInterruptCount[Level == DISPATCH_LEVEL];
}

VOID KiInitializeDpcQueue(PKPRCB Prcb) {
    RtlInitializeListHead(&Prcb->DpcData.DpcListHead);
    KeInitializeSpinLock(&Prcb->DpcData.DpcLock);
}

VOID KeInitializeDpc(PKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext) {
    RtlInitializeListHead(&Dpc->DpcListEntry);
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = NULL;
    Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
    Dpc->Number = KE_DPC_CURRENT_PROCESSOR;
    Dpc->Importance = MediumImportance;
}

VOID KeSetImportanceDpc(PKDPC Dpc, KDPC_IMPORTANCE Importance) {
    Dpc->Importance = (UCHAR)Importance;
}

BOOLEAN KeSetTargetProcessorDpc(PKDPC Dpc, ULONG Number) {
    if (Number != KE_DPC_CURRENT_PROCESSOR && Number >= KiProcessorCount) {
        return FALSE;
    }
    Dpc->Number = Number;
    return TRUE;
}

BOOLEAN KeInsertQueueDpc(PKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2) {
    ULONG_PTR Flags = ArDisableInterrupts();
    PKPRCB Current = KeGetCurrentPrcb();
    PKPRCB Target = Dpc->Number == KE_DPC_CURRENT_PROCESSOR ? Current : KiProcessorBlock[Dpc->Number];
    PKDPC_DATA Data = &Target->DpcData, Expected = NULL;
    BOOLEAN Request;

    KiAcquireSpinLock(&Data->DpcLock);
    if (!__atomic_compare_exchange_n(&Dpc->DpcData, &Expected, Data, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KiReleaseDpcLock(Data);
        ArRestoreInterrupts(Flags);
        return FALSE; /* queued already, here or on another processor */
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    if (Dpc->Importance == HighImportance) {
        RtlInsertHeadList(&Data->DpcListHead, &Dpc->DpcListEntry);
    } else {
        RtlInsertTailList(&Data->DpcListHead, &Dpc->DpcListEntry);
    }
    Data->DpcQueueDepth++;
    Request = Dpc->Importance != LowImportance || Data->DpcQueueDepth >= KE_MAXIMUM_DPC_QUEUE_DEPTH;
    KiReleaseDpcLock(Data);
    if (Request) {
        if (Target == Current) {
            KeRequestSoftwareInterrupt(DISPATCH_LEVEL);
        } else {
            KiIpiSendRequest(Target, KI_IPI_REQUEST_DPC);
        }
    }
    ArRestoreInterrupts(Flags);
    return TRUE;
}

BOOLEAN KeRemoveQueueDpc(PKDPC Dpc) {
    ULONG_PTR Flags = ArDisableInterrupts();
    BOOLEAN Removed = FALSE;
    PKDPC_DATA Data;

    /* The queue may change under us (the DPC retired, then queued elsewhere): retry until it is seen unqueued or
     * taken off the queue its DpcData names while holding that queue's lock. */
    while (!Removed && (Data = __atomic_load_n(&Dpc->DpcData, __ATOMIC_ACQUIRE)) != NULL) {
        KiAcquireSpinLock(&Data->DpcLock);
        if (Dpc->DpcData == Data) {
            RtlRemoveEntryList(&Dpc->DpcListEntry);
            Data->DpcQueueDepth--;
            __atomic_store_n(&Dpc->DpcData, NULL, __ATOMIC_RELEASE);
            Removed = TRUE;
        }
        KiReleaseDpcLock(Data);
    }
    ArRestoreInterrupts(Flags);
    return Removed;
}

ULONG KeQueryDpcQueueDepth(VOID) {
    return KeGetCurrentPrcb()->DpcData.DpcQueueDepth;
}

ULONGLONG KeQueryDpcCount(VOID) {
    ULONG Count = KiProcessorCount;
    ULONGLONG Total = 0;

    for (ULONG Number = 0; Number < Count; Number++) {
        Total += KiProcessorBlock[Number]->DpcData.DpcCount;
    }
    return Total;
}

/* A dequeued DPC: what its run needs, read under the queue's lock (it may be queued again right after). */
typedef struct _KI_DPC_CALL {
    PKDPC Dpc;
    PKDEFERRED_ROUTINE Routine;
    PVOID Context;
    PVOID Argument1;
    PVOID Argument2;
} KI_DPC_CALL;

/* Takes the first DPC off Data into *Call; FALSE when the queue is empty. Interrupts off on entry. The emptiness
 * test needs no lock: a DPC queued meanwhile requests another DISPATCH interrupt. */
static BOOLEAN KiDequeueDpc(PKDPC_DATA Data, KI_DPC_CALL *Call) {
    PKDPC Dpc;

    if (__atomic_load_n(&Data->DpcListHead.Flink, __ATOMIC_RELAXED) == &Data->DpcListHead) {
        return FALSE;
    }
    KiAcquireSpinLock(&Data->DpcLock);
    if (RtlListEmpty(&Data->DpcListHead)) { /* another processor removed it meanwhile */
        KiReleaseDpcLock(Data);
        return FALSE;
    }
    Dpc = CONTAINING_RECORD(RtlRemoveHeadList(&Data->DpcListHead), KDPC, DpcListEntry);
    Call->Dpc = Dpc;
    Call->Routine = Dpc->DeferredRoutine;
    Call->Context = Dpc->DeferredContext;
    Call->Argument1 = Dpc->SystemArgument1;
    Call->Argument2 = Dpc->SystemArgument2;
    Data->DpcQueueDepth--;
    __atomic_store_n(&Dpc->DpcData, NULL, __ATOMIC_RELEASE); /* from here it may be queued again */
    KiReleaseDpcLock(Data);
    return TRUE;
}

/* Runs every DPC queued on this processor, including those queued meanwhile, at DISPATCH_LEVEL with interrupts
 * enabled. A routine that returns at another RunLevel is a STOP IRQL_UNEXPECTED_VALUE. */
static VOID KiRetireDpcList(PKDPC_DATA Data) {
    KI_DPC_CALL Call;

    for (;;) {
        __asm__ volatile("cli" : : : "memory");
        if (!KiDequeueDpc(Data, &Call)) {
            return; /* with interrupts off, as the dispatcher expects */
        }
        ArEnableInterrupts();
        Call.Routine(Call.Dpc, Call.Context, Call.Argument1, Call.Argument2);
        Data->DpcCount++;
        if (KeGetCurrentRunLevel() != DISPATCH_LEVEL) {
            KeBugCheckEx(IRQL_UNEXPECTED_VALUE, KeGetCurrentRunLevel(), DISPATCH_LEVEL, (ULONG_PTR)Call.Routine,
                         (ULONG_PTR)Call.Dpc);
        }
    }
}

VOID KiDispatchSoftwareInterrupt(ULONG Vector) {
    PKPRCB Prcb = KeGetCurrentPrcb();

    if (Vector == DPC_VECTOR) {
        Prcb->SoftwareInterruptCount[1]++;
        KiRetireDpcList(&Prcb->DpcData);
        KiDispatchScheduler(); /* a quantum end or a Standby thread switches here (ke/dispatch.c) */
    } else {
        /* The APC delivery point: kernel APCs arrive with threads (issue 11); until then it only counts. */
        Prcb->SoftwareInterruptCount[0]++;
    }
}

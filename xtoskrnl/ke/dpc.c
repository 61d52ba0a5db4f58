/* Software interrupts (self-IPIs on APC_VECTOR / DPC_VECTOR) and the DPC queue. One processor: the queue lock is
 * "interrupts off" (HIGH_LEVEL), held only to link or unlink; the SMP issue turns it into a per-processor spinlock. */
#include <hl.h>
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"

static LIST_ENTRY KiDpcListHead = {&KiDpcListHead, &KiDpcListHead};
static volatile ULONG KiDpcQueueDepth;
static volatile ULONGLONG KiDpcCount;
static volatile ULONG KiSoftwareInterruptCount[DISPATCH_LEVEL + 1];

VOID KeRequestSoftwareInterrupt(KRUNLEVEL Level) {
    if (Level == DISPATCH_LEVEL) {
        HlSendSelfInterrupt(DPC_VECTOR);
    } else if (Level == APC_LEVEL) {
        HlSendSelfInterrupt(APC_VECTOR);
    }
}

ULONG KeGetSoftwareInterruptCount(KRUNLEVEL Level) {
    return Level == APC_LEVEL || Level == DISPATCH_LEVEL ? KiSoftwareInterruptCount[Level] : 0;
}

VOID KeInitializeDpc(PKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext) {
    RtlInitializeListHead(&Dpc->DpcListEntry);
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = NULL;
    Dpc->SystemArgument2 = NULL;
    Dpc->Importance = MediumImportance;
    Dpc->Inserted = FALSE;
}

VOID KeSetImportanceDpc(PKDPC Dpc, KDPC_IMPORTANCE Importance) {
    Dpc->Importance = (UCHAR)Importance;
}

BOOLEAN KeInsertQueueDpc(PKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2) {
    ULONG_PTR Flags = ArDisableInterrupts();
    BOOLEAN Request;

    if (Dpc->Inserted) {
        ArRestoreInterrupts(Flags);
        return FALSE;
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->Inserted = TRUE;
    if (Dpc->Importance == HighImportance) {
        RtlInsertHeadList(&KiDpcListHead, &Dpc->DpcListEntry);
    } else {
        RtlInsertTailList(&KiDpcListHead, &Dpc->DpcListEntry);
    }
    KiDpcQueueDepth++;
    Request = Dpc->Importance != LowImportance || KiDpcQueueDepth >= KE_MAXIMUM_DPC_QUEUE_DEPTH;
    ArRestoreInterrupts(Flags);
    if (Request) {
        KeRequestSoftwareInterrupt(DISPATCH_LEVEL);
    }
    return TRUE;
}

BOOLEAN KeRemoveQueueDpc(PKDPC Dpc) {
    ULONG_PTR Flags = ArDisableInterrupts();
    BOOLEAN Removed = Dpc->Inserted;

    if (Removed) {
        RtlRemoveEntryList(&Dpc->DpcListEntry);
        Dpc->Inserted = FALSE;
        KiDpcQueueDepth--;
    }
    ArRestoreInterrupts(Flags);
    return Removed;
}

ULONG KeQueryDpcQueueDepth(VOID) {
    return KiDpcQueueDepth;
}

ULONGLONG KeQueryDpcCount(VOID) {
    return KiDpcCount;
}

/* Takes the first DPC off the queue with its arguments; FALSE when the queue is empty. Interrupts off on entry. */
static BOOLEAN KiDequeueDpc(PKDPC *Dpc, PVOID *Argument1, PVOID *Argument2) {
    if (RtlListEmpty(&KiDpcListHead)) {
        return FALSE;
    }
    *Dpc = CONTAINING_RECORD(RtlRemoveHeadList(&KiDpcListHead), KDPC, DpcListEntry);
    *Argument1 = (*Dpc)->SystemArgument1;
    *Argument2 = (*Dpc)->SystemArgument2;
    (*Dpc)->Inserted = FALSE;
    KiDpcQueueDepth--;
    return TRUE;
}

/* Runs every queued DPC, including those queued meanwhile, at DISPATCH_LEVEL with interrupts enabled. A routine that
 * returns at another RunLevel is a STOP IRQL_UNEXPECTED_VALUE. */
static VOID KiRetireDpcList(VOID) {
    PVOID Argument1, Argument2;
    PKDEFERRED_ROUTINE Routine;
    PVOID Context;
    PKDPC Dpc;

    for (;;) {
        ArDisableInterrupts();
        if (!KiDequeueDpc(&Dpc, &Argument1, &Argument2)) {
            return; /* with interrupts off, as the dispatcher expects */
        }
        Routine = Dpc->DeferredRoutine;
        Context = Dpc->DeferredContext;
        ArEnableInterrupts();
        Routine(Dpc, Context, Argument1, Argument2);
        KiDpcCount++;
        if (KeGetCurrentRunLevel() != DISPATCH_LEVEL) {
            KeBugCheckEx(IRQL_UNEXPECTED_VALUE, KeGetCurrentRunLevel(), DISPATCH_LEVEL, (ULONG_PTR)Routine,
                         (ULONG_PTR)Dpc);
        }
    }
}

VOID KiDispatchSoftwareInterrupt(ULONG Vector) {
    if (Vector == DPC_VECTOR) {
        KiSoftwareInterruptCount[DISPATCH_LEVEL]++;
        KiRetireDpcList();
    } else {
        /* The APC delivery point: kernel APCs arrive with threads (issue 11); until then it only counts. */
        KiSoftwareInterruptCount[APC_LEVEL]++;
    }
}

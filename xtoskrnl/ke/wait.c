/* Dispatcher objects and waits (NT's model): events, semaphores, mutants, timers and threads share a DISPATCHER_HEADER;
 * a waiting thread links one KWAIT_BLOCK per object into the objects' wait lists and switches away; whoever signals
 * an object satisfies the waits its state allows on the waiter's behalf (KiWaitTest: takes the semaphore count, resets
 * the synchronization event, acquires the mutant) and readies the thread with the status its wait returns. All under
 * the dispatcher lock (kidisp.h). docs/kernel.md "The dispatcher: objects and waits". */
#include <kd.h>
#include <rtl.h>

#include "ki.h"
#include "kidisp.h"

VOID KiInitializeDispatcherHeader(PDISPATCHER_HEADER Header, UCHAR Type, LONG SignalState) {
    Header->Type = Type;
    Header->Reserved[0] = Header->Reserved[1] = Header->Reserved[2] = 0;
    Header->SignalState = SignalState;
    RtlInitializeListHead(&Header->WaitListHead);
}

/* TRUE when Object would satisfy a wait of Thread now (a mutant Thread owns does, up to its recursion limit). */
static BOOLEAN KiIsObjectSignaled(PDISPATCHER_HEADER Object, PKTHREAD Thread) {
    if (Object->Type == MutantObject) {
        return Object->SignalState > 0 || ((PKMUTANT)Object)->OwnerThread == Thread;
    }
    return Object->SignalState > 0;
}

/* Takes Object for Thread (its wait on it is satisfied): returns STATUS_ABANDONED_WAIT_0 when Object was a mutant its
 * previous owner abandoned, else STATUS_WAIT_0. */
static LONG_PTR KiWaitSatisfy(PDISPATCHER_HEADER Object, PKTHREAD Thread) {
    PKMUTANT Mutant;

    switch (Object->Type) {
        case EventSynchronizationObject:
        case TimerSynchronizationObject:
            Object->SignalState = 0;
            break;
        case SemaphoreObject:
            Object->SignalState--;
            break;
        case MutantObject:
            Mutant = (PKMUTANT)Object;
            if (--Object->SignalState == 0) {
                Mutant->OwnerThread = Thread;
                RtlInsertHeadList(&Thread->MutantListHead, &Mutant->MutantListEntry);
            }
            if (Mutant->Abandoned) {
                Mutant->Abandoned = FALSE;
                return STATUS_ABANDONED_WAIT_0;
            }
            break;
        default:
            break; /* notification events and timers, threads: stay signalled */
    }
    return STATUS_WAIT_0;
}

/* TRUE when every object of Thread's WaitAll wait is signalled for it. */
static BOOLEAN KiIsWaitAllSatisfied(PKTHREAD Thread) {
    PKWAIT_BLOCK Block = Thread->WaitBlockList;

    do {
        if (!KiIsObjectSignaled(Block->Object, Thread)) {
            return FALSE;
        }
        Block = Block->NextWaitBlock;
    } while (Block != Thread->WaitBlockList);
    return TRUE;
}

/* Takes every object of Thread's WaitAll wait; STATUS_ABANDONED_WAIT_0 when one was abandoned. */
static LONG_PTR KiWaitSatisfyAll(PKTHREAD Thread) {
    PKWAIT_BLOCK Block = Thread->WaitBlockList;
    LONG_PTR Status = STATUS_WAIT_0;

    do {
        Status |= KiWaitSatisfy(Block->Object, Thread);
        Block = Block->NextWaitBlock;
    } while (Block != Thread->WaitBlockList);
    return Status;
}

VOID KiUnwaitThread(PKTHREAD Thread, LONG_PTR WaitStatus, KPRIORITY Increment) {
    PKWAIT_BLOCK Block = Thread->WaitBlockList;
    KPRIORITY Boosted;

    if (Block != NULL) {
        do {
            RtlRemoveEntryList(&Block->WaitListEntry);
            Block = Block->NextWaitBlock;
        } while (Block != Thread->WaitBlockList);
        Thread->WaitBlockList = NULL;
    }
    if (Thread->TimerArmed) {
        RtlRemoveEntryList(&Thread->WaitBlock[KTIMER_WAIT_BLOCK].WaitListEntry);
        KiCancelWaitTimer(&Thread->Timer);
        Thread->TimerArmed = FALSE;
    }
    Thread->WaitStatus = WaitStatus;
    if (Increment > 0 && Thread->Priority < LOW_REALTIME_PRIORITY) {
        Boosted = Thread->BasePriority + Increment;
        Boosted = Boosted >= LOW_REALTIME_PRIORITY ? LOW_REALTIME_PRIORITY - 1 : Boosted;
        if (Boosted > Thread->Priority) {
            Thread->Priority = (SCHAR)Boosted; /* decays by one per quantum end (ke/dispatch.c) */
        }
    }
    KiReadyThread(Thread);
}

VOID KiWaitTest(PDISPATCHER_HEADER Object, KPRIORITY Increment) {
    PLIST_ENTRY Entry = Object->WaitListHead.Flink;
    PKWAIT_BLOCK Block;
    PKTHREAD Thread;
    LONG_PTR Status;

    while (Object->SignalState > 0 && Entry != &Object->WaitListHead) {
        Block = CONTAINING_RECORD(Entry, KWAIT_BLOCK, WaitListEntry);
        Thread = Block->Thread;
        if (Block->WaitType == WaitAny) {
            Status = Block->WaitKey == STATUS_TIMEOUT ? STATUS_TIMEOUT : Block->WaitKey | KiWaitSatisfy(Object, Thread);
        } else if (KiIsWaitAllSatisfied(Thread)) {
            Status = KiWaitSatisfyAll(Thread);
        } else {
            Entry = Entry->Flink;
            continue;
        }
        KiUnwaitThread(Thread, Status, Increment);
        Entry = Object->WaitListHead.Flink; /* the unwait took the thread's blocks off every list */
    }
}

VOID KiAbandonMutants(PKTHREAD Thread) {
    PKMUTANT Mutant;

    while (!RtlListEmpty(&Thread->MutantListHead)) {
        Mutant = CONTAINING_RECORD(RtlRemoveHeadList(&Thread->MutantListHead), KMUTANT, MutantListEntry);
        Mutant->OwnerThread = NULL;
        Mutant->Abandoned = TRUE;
        Mutant->Header.SignalState = 1;
        KiWaitTest(&Mutant->Header, 0);
    }
}

/* ---- Events, semaphores, mutants ---- */

VOID KeInitializeEvent(PKEVENT Event, EVENT_TYPE Type, BOOLEAN State) {
    KiInitializeDispatcherHeader(&Event->Header,
                                 Type == SynchronizationEvent ? EventSynchronizationObject : EventNotificationObject,
                                 State ? 1 : 0);
}

LONG KeSetEvent(PKEVENT Event, KPRIORITY Increment, BOOLEAN Wait) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();
    LONG Previous = Event->Header.SignalState;

    (VOID) Wait;
    Event->Header.SignalState = 1;
    if (Previous == 0) {
        KiWaitTest(&Event->Header, Increment);
    }
    KiReleaseDispatcherLock(Old);
    return Previous;
}

LONG KeResetEvent(PKEVENT Event) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();
    LONG Previous = Event->Header.SignalState;

    Event->Header.SignalState = 0;
    KiReleaseDispatcherLock(Old);
    return Previous;
}

VOID KeClearEvent(PKEVENT Event) {
    __atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_RELAXED);
}

LONG KeReadStateEvent(PKEVENT Event) {
    return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_RELAXED);
}

VOID KeInitializeSemaphore(PKSEMAPHORE Semaphore, LONG Count, LONG Limit) {
    KiInitializeDispatcherHeader(&Semaphore->Header, SemaphoreObject, Count);
    Semaphore->Limit = Limit;
}

XTSTATUS KeReleaseSemaphore(PKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait,
                            PLONG PreviousCount) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();
    LONG Previous = Semaphore->Header.SignalState;
    XTSTATUS Status = STATUS_SUCCESS;

    (VOID) Wait;
    if (Adjustment <= 0 || Semaphore->Limit - Previous < Adjustment) {
        Status = STATUS_SEMAPHORE_LIMIT_EXCEEDED;
    } else {
        Semaphore->Header.SignalState = Previous + Adjustment;
        if (Previous == 0) {
            KiWaitTest(&Semaphore->Header, Increment);
        }
    }
    KiReleaseDispatcherLock(Old);
    if (PreviousCount != NULL) {
        *PreviousCount = Previous;
    }
    return Status;
}

LONG KeReadStateSemaphore(PKSEMAPHORE Semaphore) {
    return __atomic_load_n(&Semaphore->Header.SignalState, __ATOMIC_RELAXED);
}

VOID KeInitializeMutant(PKMUTANT Mutant, BOOLEAN InitialOwner) {
    PKTHREAD Thread = KeGetCurrentThread();
    KRUNLEVEL Old;

    KiInitializeDispatcherHeader(&Mutant->Header, MutantObject, 1);
    Mutant->OwnerThread = NULL;
    Mutant->Abandoned = FALSE;
    RtlInitializeListHead(&Mutant->MutantListEntry);
    if (InitialOwner && Thread != NULL) {
        Old = KiAcquireDispatcherLock();
        KiWaitSatisfy(&Mutant->Header, Thread);
        KiReleaseDispatcherLock(Old);
    }
}

XTSTATUS KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandoned, BOOLEAN Wait, PLONG PreviousState) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();
    LONG Previous = Mutant->Header.SignalState;
    XTSTATUS Status = STATUS_SUCCESS;

    (VOID) Wait;
    if (Abandoned) {
        if (Mutant->OwnerThread != NULL) {
            RtlRemoveEntryList(&Mutant->MutantListEntry);
        }
        Mutant->OwnerThread = NULL;
        Mutant->Abandoned = TRUE;
        Mutant->Header.SignalState = 1;
    } else if (Mutant->OwnerThread != KeGetCurrentThread() || Previous > 0) {
        Status = STATUS_MUTANT_NOT_OWNED;
    } else if (++Mutant->Header.SignalState == 1) {
        RtlRemoveEntryList(&Mutant->MutantListEntry);
        Mutant->OwnerThread = NULL;
    }
    if (XT_SUCCESS(Status) && Mutant->Header.SignalState == 1) {
        KiWaitTest(&Mutant->Header, Increment);
    }
    KiReleaseDispatcherLock(Old);
    if (PreviousState != NULL) {
        *PreviousState = Previous;
    }
    return Status;
}

LONG KeReadStateMutant(PKMUTANT Mutant) {
    return __atomic_load_n(&Mutant->Header.SignalState, __ATOMIC_RELAXED);
}

/* ---- Waits ---- */

/* A wait at DISPATCH_LEVEL must not block: STOP IRQL_NOT_LESS_OR_EQUAL naming the thread (P3: the thread, P4 the
 * caller); so must a wait before the dispatcher runs. */
static VOID KiCheckWait(PLARGE_INTEGER Timeout, PVOID Caller) {
    KRUNLEVEL Current = KeGetCurrentRunLevel();
    PKTHREAD Thread = KeGetCurrentThread();

    if (Current > DISPATCH_LEVEL || (Current == DISPATCH_LEVEL && (Timeout == NULL || Timeout->QuadPart != 0))) {
        KdPrint("KE: thread 0x%p (start routine 0x%p) waits at RunLevel %u %s\n", (PVOID)Thread,
                Thread != NULL ? (PVOID)Thread->StartRoutine : NULL, Current,
                Timeout == NULL ? "without a timeout" : "with a non-zero timeout");
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, Current, DISPATCH_LEVEL - 1, (ULONG_PTR)Thread, (ULONG_PTR)Caller);
    }
}

/* Tries to satisfy the wait at once; returns the status, or -1 when the thread must block. */
static LONG_PTR KiTrySatisfyWait(PKTHREAD Thread, ULONG Count, PVOID Object[], WAIT_TYPE WaitType) {
    ULONG Index;
    LONG_PTR Status = STATUS_WAIT_0;

    if (WaitType == WaitAny) {
        for (Index = 0; Index < Count; Index++) {
            if (KiIsObjectSignaled(Object[Index], Thread)) {
                return (LONG_PTR)Index | KiWaitSatisfy(Object[Index], Thread);
            }
        }
        return -1;
    }
    for (Index = 0; Index < Count; Index++) {
        if (!KiIsObjectSignaled(Object[Index], Thread)) {
            return -1;
        }
    }
    for (Index = 0; Index < Count; Index++) {
        Status |= KiWaitSatisfy(Object[Index], Thread);
    }
    return Status;
}

/* Links the thread's wait blocks into the objects' lists (and its timer's, when Timeout is given) and switches away;
 * returns what the satisfying side put in WaitStatus. Lock held; the thread runs again with it held. */
static LONG_PTR KiBlockThread(PKTHREAD Thread, ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                              PLARGE_INTEGER Timeout, PKWAIT_BLOCK Blocks) {
    PKWAIT_BLOCK TimerBlock = &Thread->WaitBlock[KTIMER_WAIT_BLOCK];

    if (Timeout != NULL) {
        if (!KiInsertWaitTimer(&Thread->Timer, *Timeout)) {
            return STATUS_TIMEOUT; /* an absolute time that passed already */
        }
        TimerBlock->Thread = Thread;
        TimerBlock->Object = &Thread->Timer;
        TimerBlock->WaitKey = (USHORT)STATUS_TIMEOUT;
        TimerBlock->WaitType = WaitAny;
        TimerBlock->NextWaitBlock = TimerBlock;
        RtlInsertTailList(&Thread->Timer.Header.WaitListHead, &TimerBlock->WaitListEntry);
        Thread->TimerArmed = TRUE;
    }
    Thread->WaitBlockList = Count != 0 ? Blocks : NULL;
    for (ULONG Index = 0; Index < Count; Index++) {
        Blocks[Index].Thread = Thread;
        Blocks[Index].Object = Object[Index];
        Blocks[Index].WaitKey = (USHORT)Index;
        Blocks[Index].WaitType = (UCHAR)WaitType;
        Blocks[Index].NextWaitBlock = &Blocks[Index + 1 == Count ? 0 : Index + 1];
        RtlInsertTailList(&((PDISPATCHER_HEADER)Object[Index])->WaitListHead, &Blocks[Index].WaitListEntry);
    }
    Thread->WaitReason = (UCHAR)WaitReason;
    Thread->WaitStatus = STATUS_WAIT_0;
    Thread->State = Waiting;
    KiSwapThread(Thread);
    return Thread->WaitStatus;
}

XTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                                  KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray) {
    PKTHREAD Thread = KeGetCurrentThread();
    LONG_PTR Status;
    KRUNLEVEL Old;

    (VOID) WaitMode, (VOID)Alertable;
    if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && WaitBlockArray == NULL)) {
        KeBugCheckEx(MAXIMUM_WAIT_OBJECTS_EXCEEDED, Count, (ULONG_PTR)WaitBlockArray, (ULONG_PTR)Thread, 0);
    }
    KiCheckWait(Timeout, __builtin_return_address(0));
    Old = KiAcquireDispatcherLock();
    Status = KiTrySatisfyWait(Thread, Count, Object, WaitType);
    if (Status < 0) {
        if (Timeout != NULL && Timeout->QuadPart == 0) {
            Status = STATUS_TIMEOUT;
        } else {
            Status = KiBlockThread(Thread, Count, Object, WaitType, WaitReason, Timeout,
                                   WaitBlockArray != NULL ? WaitBlockArray : Thread->WaitBlock);
        }
    }
    KiReleaseDispatcherLock(Old);
    return (XTSTATUS)Status;
}

XTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                               PLARGE_INTEGER Timeout) {
    PVOID Objects[1] = {Object};

    return KeWaitForMultipleObjects(1, Objects, WaitAny, WaitReason, WaitMode, Alertable, Timeout, NULL);
}

XTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval) {
    PKTHREAD Thread = KeGetCurrentThread();
    KRUNLEVEL Old;

    (VOID) WaitMode, (VOID)Alertable;
    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    if (Interval->QuadPart == 0) {
        KeYieldExecution();
        return STATUS_SUCCESS;
    }
    Old = KiAcquireDispatcherLock();
    KiBlockThread(Thread, 0, NULL, WaitAny, DelayExecution, Interval, NULL);
    KiReleaseDispatcherLock(Old);
    return STATUS_SUCCESS;
}

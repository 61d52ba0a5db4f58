/* The executive's dispatcher-backed object types (Event, Semaphore, Mutant, Timer: bodies are Ke's KEVENT,
 * KSEMAPHORE, KMUTANT, KTIMER), their native API for kernel callers, the waits by handle, and the deferred-delete
 * worker thread. docs/objects.md "Executive objects". */
#include <kthread.h>

#include "obp.h"

/* The worker's priority: the boot thread's (KE_DEFAULT_PRIORITY), not NT's delayed work queue's 12. A higher one
 * pre-empts the boot thread when the worker is made ready at start-up, and the boot thread can then carry on (and run
 * SELFTEST) on another processor; KeDpcLiveSuite assumes SELFTEST runs on processor 0 (docs/objects.md). */
#define OB_DELETE_WORKER_PRIORITY KE_DEFAULT_PRIORITY
#define OB_TAG_WAIT               OB_POOL_TAG('O', 'b', 'W', 't') /* wait blocks of a wait on more than 3 handles */

POBJECT_TYPE ExEventObjectType;
POBJECT_TYPE ExSemaphoreObjectType;
POBJECT_TYPE ExMutantObjectType;
POBJECT_TYPE ExTimerObjectType;

static KEVENT ObpDeleteWorkerEvent;
static PKTHREAD ObpDeleteWorkerThread;

/* ---- Types ---- */

/* A mutant dies abandoned (NT's ExpDeleteMutant): off its owner's list, so the owner's exit never touches it. */
static VOID ObpDeleteMutant(PVOID Object) {
    KeReleaseMutant(Object, 0, TRUE, FALSE, NULL);
}

/* A timer dies cancelled: the timer queue keeps no pointer to freed memory. */
static VOID ObpDeleteTimer(PVOID Object) {
    KeCancelTimer(Object);
}

POBJECT_TYPE ObCreateExecutiveObjectType(PCWSTR Name, ACCESS_MASK AllAccess, ACCESS_MASK Query, ACCESS_MASK Modify,
                                         OB_DELETE_METHOD Delete, ULONG Step) {
    OBJECT_TYPE_INITIALIZER Initializer;
    UNICODE_STRING TypeName;
    POBJECT_TYPE Type;
    XTSTATUS Status;

    RtlZeroMemory(&Initializer, sizeof(Initializer));
    Initializer.Length = sizeof(Initializer);
    Initializer.WaitableObject = TRUE;
    Initializer.PoolType = OB_NON_PAGED_POOL;
    Initializer.ValidAccessMask = AllAccess;
    Initializer.GenericMapping.GenericRead = READ_CONTROL | Query;
    Initializer.GenericMapping.GenericWrite = READ_CONTROL | Modify;
    Initializer.GenericMapping.GenericExecute = READ_CONTROL | SYNCHRONIZE;
    Initializer.GenericMapping.GenericAll = AllAccess;
    Initializer.DeleteProcedure = Delete;
    RtlInitUnicodeString(&TypeName, Name);
    Status = ObCreateObjectType(&TypeName, &Initializer, &Type);
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, Step, (ULONG_PTR)Status, 0, 0);
    }
    return Type;
}

/* The worker: deletes what ObpDereferenceToZero queued above PASSIVE_LEVEL, each time the list becomes non-empty. */
static VOID ObpDeleteWorker(PVOID Context) {
    (VOID) Context;
    for (;;) {
        KeWaitForSingleObject(&ObpDeleteWorkerEvent, WrQueue, KernelMode, FALSE, NULL);
        ObProcessDeferredDeletes();
    }
}

/* ObpDereferenceToZero's notification (any RunLevel <= DISPATCH_LEVEL). */
static VOID ObpSignalDeleteWorker(VOID) {
    KeSetEvent(&ObpDeleteWorkerEvent, 0, FALSE);
}

VOID ObInitializeExecutive(VOID) {
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (ExEventObjectType != NULL) {
        return; /* once */
    }
    ExEventObjectType =
        ObCreateExecutiveObjectType(u"Event", EVENT_ALL_ACCESS, EVENT_QUERY_STATE, EVENT_MODIFY_STATE, NULL, 20);
    ExSemaphoreObjectType = ObCreateExecutiveObjectType(u"Semaphore", SEMAPHORE_ALL_ACCESS, SEMAPHORE_QUERY_STATE,
                                                        SEMAPHORE_MODIFY_STATE, NULL, 21);
    ExMutantObjectType =
        ObCreateExecutiveObjectType(u"Mutant", MUTANT_ALL_ACCESS, MUTANT_QUERY_STATE, 0, ObpDeleteMutant, 22);
    ExTimerObjectType = ObCreateExecutiveObjectType(u"Timer", TIMER_ALL_ACCESS, TIMER_QUERY_STATE, TIMER_MODIFY_STATE,
                                                    ObpDeleteTimer, 23);
    KeInitializeEvent(&ObpDeleteWorkerEvent, SynchronizationEvent, FALSE);
    Status = KeCreateSystemThread(&ObpDeleteWorkerThread, OB_DELETE_WORKER_PRIORITY, 0, ObpDeleteWorker, NULL, 0);
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 24, (ULONG_PTR)Status, 0, 0);
    }
    ObpSetDeferredDeleteNotify(ObpSignalDeleteWorker);
    ObpSignalDeleteWorker(); /* whatever was queued before the worker existed */
}

PVOID ObQueryDeleteWorkerThread(VOID) {
    return ObpDeleteWorkerThread;
}

/* ---- Creation and opening ---- */

typedef VOID (*OBP_INITIALIZE_BODY)(PVOID Body, LONG First, LONG Second);

/* Creates an object of Type (BodySize bytes, initialised by Initialize), names it, makes a handle. */
static XTSTATUS ObpCreateExecutiveObject(PHANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                         POBJECT_TYPE Type, ULONG BodySize, OBP_INITIALIZE_BODY Initialize, LONG First,
                                         LONG Second) {
    PVOID Object;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (Handle == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Handle = NULL;
    Status = ObCreateObject(KernelMode, Type, ObjectAttributes, BodySize, &Object);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Initialize(Object, First, Second);
    return ObInsertObject(Object, DesiredAccess, NULL, Handle);
}

static VOID ObpInitializeEvent(PVOID Body, LONG Type, LONG State) {
    KeInitializeEvent(Body, (EVENT_TYPE)Type, State != 0);
}

static VOID ObpInitializeSemaphore(PVOID Body, LONG Count, LONG Limit) {
    KeInitializeSemaphore(Body, Count, Limit);
}

static VOID ObpInitializeMutant(PVOID Body, LONG InitialOwner, LONG Unused) {
    (VOID) Unused;
    KeInitializeMutant(Body, InitialOwner != 0);
}

static VOID ObpInitializeTimer(PVOID Body, LONG Type, LONG Unused) {
    (VOID) Unused;
    KeInitializeTimerEx(Body, (TIMER_TYPE)Type);
}

XTSTATUS NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       EVENT_TYPE EventType, BOOLEAN InitialState) {
    if (EventType != NotificationEvent && EventType != SynchronizationEvent) {
        return STATUS_INVALID_PARAMETER;
    }
    return ObpCreateExecutiveObject(EventHandle, DesiredAccess, ObjectAttributes, ExEventObjectType, sizeof(KEVENT),
                                    ObpInitializeEvent, EventType, InitialState);
}

XTSTATUS NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           LONG InitialCount, LONG MaximumCount) {
    XTSTATUS Status = ObCheckSemaphoreArguments(InitialCount, MaximumCount);

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    return ObpCreateExecutiveObject(SemaphoreHandle, DesiredAccess, ObjectAttributes, ExSemaphoreObjectType,
                                    sizeof(KSEMAPHORE), ObpInitializeSemaphore, InitialCount, MaximumCount);
}

XTSTATUS NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        BOOLEAN InitialOwner) {
    return ObpCreateExecutiveObject(MutantHandle, DesiredAccess, ObjectAttributes, ExMutantObjectType, sizeof(KMUTANT),
                                    ObpInitializeMutant, InitialOwner, 0);
}

XTSTATUS NtCreateTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       TIMER_TYPE TimerType) {
    if (TimerType != NotificationTimer && TimerType != SynchronizationTimer) {
        return STATUS_INVALID_PARAMETER;
    }
    return ObpCreateExecutiveObject(TimerHandle, DesiredAccess, ObjectAttributes, ExTimerObjectType, sizeof(KTIMER),
                                    ObpInitializeTimer, TimerType, 0);
}

XTSTATUS NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return ObOpenObjectByName(ObjectAttributes, ExEventObjectType, KernelMode, NULL, DesiredAccess, NULL, EventHandle);
}

XTSTATUS NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return ObOpenObjectByName(ObjectAttributes, ExSemaphoreObjectType, KernelMode, NULL, DesiredAccess, NULL,
                              SemaphoreHandle);
}

XTSTATUS NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return ObOpenObjectByName(ObjectAttributes, ExMutantObjectType, KernelMode, NULL, DesiredAccess, NULL,
                              MutantHandle);
}

XTSTATUS NtOpenTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return ObOpenObjectByName(ObjectAttributes, ExTimerObjectType, KernelMode, NULL, DesiredAccess, NULL, TimerHandle);
}

/* ---- Operations ---- */

/* References Handle's object of Type with Access, at PASSIVE_LEVEL. */
static XTSTATUS ObpReferenceExecutive(HANDLE Handle, ACCESS_MASK Access, POBJECT_TYPE Type, PVOID *Object,
                                      PVOID Caller) {
    KeCheckRunLevelLimit(PASSIVE_LEVEL, Caller);
    return ObReferenceObjectByHandle(Handle, Access, Type, KernelMode, Object, NULL);
}

XTSTATUS NtSetEvent(HANDLE EventHandle, PLONG PreviousState) {
    PVOID Event;
    XTSTATUS Status =
        ObpReferenceExecutive(EventHandle, EVENT_MODIFY_STATE, ExEventObjectType, &Event, __builtin_return_address(0));
    LONG Previous;

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Previous = KeSetEvent(Event, 1, FALSE);
    ObDereferenceObject(Event);
    if (PreviousState != NULL) {
        *PreviousState = Previous;
    }
    return STATUS_SUCCESS;
}

XTSTATUS NtResetEvent(HANDLE EventHandle, PLONG PreviousState) {
    PVOID Event;
    XTSTATUS Status =
        ObpReferenceExecutive(EventHandle, EVENT_MODIFY_STATE, ExEventObjectType, &Event, __builtin_return_address(0));
    LONG Previous;

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Previous = KeResetEvent(Event);
    ObDereferenceObject(Event);
    if (PreviousState != NULL) {
        *PreviousState = Previous;
    }
    return STATUS_SUCCESS;
}

XTSTATUS NtClearEvent(HANDLE EventHandle) {
    PVOID Event;
    XTSTATUS Status =
        ObpReferenceExecutive(EventHandle, EVENT_MODIFY_STATE, ExEventObjectType, &Event, __builtin_return_address(0));

    if (Status == STATUS_SUCCESS) {
        KeClearEvent(Event);
        ObDereferenceObject(Event);
    }
    return Status;
}

XTSTATUS NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount) {
    PVOID Semaphore;
    XTSTATUS Status;
    LONG Previous;

    if (ReleaseCount <= 0) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = ObpReferenceExecutive(SemaphoreHandle, SEMAPHORE_MODIFY_STATE, ExSemaphoreObjectType, &Semaphore,
                                   __builtin_return_address(0));
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = KeReleaseSemaphore(Semaphore, 1, ReleaseCount, FALSE, &Previous);
    ObDereferenceObject(Semaphore);
    if (Status == STATUS_SUCCESS && PreviousCount != NULL) {
        *PreviousCount = Previous;
    }
    return Status;
}

XTSTATUS NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount) {
    PVOID Mutant;
    XTSTATUS Status = ObpReferenceExecutive(MutantHandle, MUTANT_QUERY_STATE, ExMutantObjectType, &Mutant,
                                            __builtin_return_address(0));
    LONG Previous;

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = KeReleaseMutant(Mutant, 1, FALSE, FALSE, &Previous);
    ObDereferenceObject(Mutant);
    if (Status == STATUS_SUCCESS && PreviousCount != NULL) {
        *PreviousCount = Previous;
    }
    return Status;
}

XTSTATUS NtSetTimer(HANDLE TimerHandle, PLARGE_INTEGER DueTime, PVOID TimerApcRoutine, PVOID TimerContext,
                    BOOLEAN ResumeTimer, LONG Period, PBOOLEAN PreviousState) {
    PVOID Timer;
    XTSTATUS Status;
    BOOLEAN Previous;

    (VOID) TimerContext;
    if (DueTime == NULL || TimerApcRoutine != NULL || ResumeTimer || Period < 0) {
        return STATUS_INVALID_PARAMETER;
    }
    Status =
        ObpReferenceExecutive(TimerHandle, TIMER_MODIFY_STATE, ExTimerObjectType, &Timer, __builtin_return_address(0));
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Previous = KeReadStateTimer(Timer);
    KeSetTimerEx(Timer, *DueTime, Period, NULL);
    ObDereferenceObject(Timer);
    if (PreviousState != NULL) {
        *PreviousState = Previous;
    }
    return STATUS_SUCCESS;
}

XTSTATUS NtCancelTimer(HANDLE TimerHandle, PBOOLEAN CurrentState) {
    PVOID Timer;
    XTSTATUS Status =
        ObpReferenceExecutive(TimerHandle, TIMER_MODIFY_STATE, ExTimerObjectType, &Timer, __builtin_return_address(0));

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    KeCancelTimer(Timer);
    if (CurrentState != NULL) {
        *CurrentState = KeReadStateTimer(Timer);
    }
    ObDereferenceObject(Timer);
    return STATUS_SUCCESS;
}

/* ---- Waits ---- */

/* References Handle's object for a wait: SYNCHRONIZE, and a type whose body is a dispatcher object. */
static XTSTATUS ObpReferenceWaitable(HANDLE Handle, PVOID *Object) {
    XTSTATUS Status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, NULL, KernelMode, Object, NULL);

    if (Status == STATUS_SUCCESS && !OBJECT_TO_OBJECT_HEADER(*Object)->Type->TypeInfo.WaitableObject) {
        ObDereferenceObject(*Object);
        *Object = NULL;
        Status = STATUS_OBJECT_TYPE_MISMATCH;
    }
    return Status;
}

XTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
    PVOID Object;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Status = ObpReferenceWaitable(Handle, &Object);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = KeWaitForSingleObject(Object, UserRequest, KernelMode, Alertable, Timeout);
    ObDereferenceObject(Object);
    return Status;
}

/* References the Count objects of Handles into Objects (none referenced on failure). */
static XTSTATUS ObpReferenceWaitObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, PVOID Objects[]) {
    XTSTATUS Status = STATUS_SUCCESS;
    ULONG Index;

    for (Index = 0; Index < Count && Status == STATUS_SUCCESS; Index++) {
        Status = ObpReferenceWaitable(Handles[Index], &Objects[Index]);
        for (ULONG Other = 0; Status == STATUS_SUCCESS && WaitType == WaitAll && Other < Index; Other++) {
            if (Objects[Other] == Objects[Index]) {
                ObDereferenceObject(Objects[Index]);
                Status = STATUS_INVALID_PARAMETER_MIX; /* NT: one object twice in a wait-all */
            }
        }
    }
    if (Status != STATUS_SUCCESS) {
        for (Index--; Index-- > 0;) {
            ObDereferenceObject(Objects[Index]);
        }
    }
    return Status;
}

XTSTATUS NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable,
                                  PLARGE_INTEGER Timeout) {
    PVOID Objects[MAXIMUM_WAIT_OBJECTS];
    PKWAIT_BLOCK Blocks = NULL;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Status = ObCheckWaitArguments(Count, Handles, WaitType);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    if (Count > THREAD_WAIT_OBJECTS) {
        Blocks = ObpAllocatePool(Count * sizeof(KWAIT_BLOCK), OB_TAG_WAIT);
        if (Blocks == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    Status = ObpReferenceWaitObjects(Count, Handles, WaitType, Objects);
    if (Status == STATUS_SUCCESS) {
        Status =
            KeWaitForMultipleObjects(Count, Objects, WaitType, UserRequest, KernelMode, Alertable, Timeout, Blocks);
        for (ULONG Index = 0; Index < Count; Index++) {
            ObDereferenceObject(Objects[Index]);
        }
    }
    if (Blocks != NULL) {
        ObpFreePool(Blocks, OB_TAG_WAIT);
    }
    return Status;
}

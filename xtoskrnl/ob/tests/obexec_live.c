/* ObExecSuite (SELFTEST, both arches, every paging mode; also the smp4 boots): the executive objects and their native
 * API over the live dispatcher: producer/consumer through handles, named opens in mixed case, the argument checks,
 * mutant and timer deletion, waits on several handles, the deferred-delete worker, two handle tables and a
 * duplicate/close race across tables on every processor (up to four). */
#include <kthread.h>
#include <mm.h>

#include "ob_cases.h"

#include <obp.h>

#define EXEC_TAG_MUTANT OB_POOL_TAG('M', 'u', 't', 'a')

static UNICODE_STRING ExecString(PCWSTR Text) {
    UNICODE_STRING String;

    RtlInitUnicodeString(&String, Text);
    return String;
}

/* Object attributes for a kernel handle, named Path (NULL: unnamed). */
static POBJECT_ATTRIBUTES ExecAttributes(POBJECT_ATTRIBUTES Attributes, PUNICODE_STRING Name, PCWSTR Path,
                                         ULONG Flags) {
    if (Path != NULL) {
        *Name = ExecString(Path);
    }
    InitializeObjectAttributes(Attributes, Path != NULL ? Name : NULL, Flags | OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,
                               NULL, NULL);
    return Attributes;
}

static LARGE_INTEGER ExecRelative(LONGLONG Milliseconds) {
    LARGE_INTEGER Time;

    Time.QuadPart = -Milliseconds * 10000;
    return Time;
}

/* The object a handle names (referenced, then released: only its address). */
static PVOID ExecObjectOf(HANDLE Handle) {
    PVOID Object = NULL;

    if (ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Object, NULL) == STATUS_SUCCESS) {
        ObDereferenceObject(Object);
    }
    return Object;
}

XTEST(ExecutiveTypesExistInObjectTypes) {
    static const PCWSTR Names[] = {u"\\ObjectTypes\\Event", u"\\ObjectTypes\\semaphore", u"\\OBJECTTYPES\\Mutant",
                                   u"\\ObjectTypes\\Timer", u"\\ObjectTypes\\Directory", u"\\ObjectTypes\\SymbolicLink",
                                   u"\\ObjectTypes\\Type"};
    POBJECT_TYPE Types[] = {ExEventObjectType,      ExSemaphoreObjectType,     ExMutantObjectType, ExTimerObjectType,
                            ObpDirectoryObjectType, ObpSymbolicLinkObjectType, ObpTypeObjectType};

    for (ULONG Index = 0; Index < ARRAY_SIZE(Names); Index++) {
        UNICODE_STRING Name = ExecString(Names[Index]);
        PVOID Object = NULL;

        XTEST_CHECK_EQ(
            ObReferenceObjectByName(&Name, OBJ_CASE_INSENSITIVE, NULL, 0, ObpTypeObjectType, KernelMode, NULL, &Object),
            STATUS_SUCCESS);
        XTEST_CHECK(Object == Types[Index]);
        if (Object != NULL) {
            XTEST_CHECK_EQ(((POBJECT_TYPE)Object)->TypeInfo.WaitableObject, Index < 4);
            XTEST_CHECK(((POBJECT_TYPE)Object)->TypeInfo.GenericMapping.GenericAll != 0);
            ObDereferenceObject(Object);
        }
    }
    XTEST_CHECK_EQ(ExEventObjectType->TypeInfo.ValidAccessMask, EVENT_ALL_ACCESS);
    XTEST_CHECK_EQ(ExMutantObjectType->TypeInfo.GenericMapping.GenericExecute, READ_CONTROL | SYNCHRONIZE);
    XTEST_CHECK(ExMutantObjectType->TypeInfo.DeleteProcedure != NULL);
    XTEST_CHECK(ExTimerObjectType->TypeInfo.DeleteProcedure != NULL);
    XTEST_CHECK(ObQueryDeleteWorkerThread() != NULL);
}

XTEST(EventsSetResetAndWaitThroughHandles) {
    OBJECT_ATTRIBUTES Attributes;
    LARGE_INTEGER Zero = {.QuadPart = 0};
    HANDLE Notification, Synchronization;
    LONG Previous = -1;

    XTEST_ASSERT_EQ(NtCreateEvent(&Notification, EVENT_ALL_ACCESS, ExecAttributes(&Attributes, NULL, NULL, 0),
                                  NotificationEvent, FALSE),
                    STATUS_SUCCESS);
    XTEST_ASSERT_EQ(
        NtCreateEvent(&Synchronization, 0, ExecAttributes(&Attributes, NULL, NULL, 0), SynchronizationEvent, TRUE),
        STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Notification, FALSE, &Zero), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(NtSetEvent(Notification, &Previous), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Previous, 0);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Notification, FALSE, &Zero), STATUS_WAIT_0);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Notification, FALSE, NULL), STATUS_WAIT_0); /* stays signalled */
    XTEST_CHECK_EQ(NtResetEvent(Notification, &Previous), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Previous, 1);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Notification, FALSE, &Zero), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(NtSetEvent(Notification, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClearEvent(Notification), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Notification, FALSE, &Zero), STATUS_TIMEOUT);
    /* a handle made with no access asked for has none of the event's rights (no default access) */
    XTEST_CHECK_EQ(NtSetEvent(Synchronization, NULL), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Synchronization, FALSE, &Zero), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtClose(Synchronization), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateEvent(&Synchronization, GENERIC_ALL, NULL, SynchronizationEvent, TRUE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Synchronization, FALSE, &Zero), STATUS_WAIT_0);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Synchronization, FALSE, &Zero), STATUS_TIMEOUT); /* reset by the wait */
    XTEST_CHECK_EQ(NtClose(Synchronization), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Notification), STATUS_SUCCESS);
}

/* ---- Producer/consumer ---- */

#define EXEC_ITEMS 2000

static struct {
    HANDLE Items, Space, Done;
    volatile LONG Consumed, Errors;
    volatile LONG Buffer[16];
    volatile LONG Sum;
} Exec;

/* The consumer thread: takes EXEC_ITEMS items through the semaphore handles, then sets Done. */
static VOID ExecConsumer(PVOID Context) {
    LARGE_INTEGER Timeout = ExecRelative(5000);

    (VOID) Context;
    for (LONG Index = 0; Index < EXEC_ITEMS; Index++) {
        if (NtWaitForSingleObject(Exec.Items, FALSE, &Timeout) != STATUS_WAIT_0) {
            __atomic_add_fetch(&Exec.Errors, 1, __ATOMIC_RELAXED);
            break;
        }
        __atomic_add_fetch(&Exec.Sum, Exec.Buffer[Index % 16], __ATOMIC_RELAXED);
        __atomic_add_fetch(&Exec.Consumed, 1, __ATOMIC_RELAXED);
        if (NtReleaseSemaphore(Exec.Space, 1, NULL) != STATUS_SUCCESS) {
            __atomic_add_fetch(&Exec.Errors, 1, __ATOMIC_RELAXED);
        }
    }
    if (NtSetEvent(Exec.Done, NULL) != STATUS_SUCCESS) {
        __atomic_add_fetch(&Exec.Errors, 1, __ATOMIC_RELAXED);
    }
}

XTEST(ProducerAndConsumerThroughHandles) {
    LARGE_INTEGER Timeout = ExecRelative(5000), Zero = {.QuadPart = 0};
    LONG Previous = -1, Expected = 0;
    PKTHREAD Thread;

    RtlZeroMemory(&Exec, sizeof(Exec));
    XTEST_ASSERT_EQ(NtCreateSemaphore(&Exec.Items, SEMAPHORE_ALL_ACCESS, NULL, 0, 16), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateSemaphore(&Exec.Space, SEMAPHORE_ALL_ACCESS, NULL, 16, 16), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateEvent(&Exec.Done, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(KeCreateSystemThread(&Thread, KE_DEFAULT_PRIORITY, 0, ExecConsumer, NULL, 0), STATUS_SUCCESS);
    for (LONG Index = 0; Index < EXEC_ITEMS; Index++) {
        if (NtWaitForSingleObject(Exec.Space, FALSE, &Timeout) != STATUS_WAIT_0) {
            __atomic_add_fetch(&Exec.Errors, 1, __ATOMIC_RELAXED);
            break;
        }
        Exec.Buffer[Index % 16] = Index;
        Expected += Index;
        XTEST_CHECK_EQ(NtReleaseSemaphore(Exec.Items, 1, NULL), STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(NtWaitForSingleObject(Exec.Done, FALSE, &Timeout), STATUS_WAIT_0);
    XTEST_CHECK_EQ(KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, &Timeout), STATUS_WAIT_0);
    KeDereferenceThread(Thread);
    XTEST_CHECK_EQ(Exec.Errors, 0);
    XTEST_CHECK_EQ(Exec.Consumed, EXEC_ITEMS);
    XTEST_CHECK_EQ(Exec.Sum, Expected);
    /* exact counts: nothing left to take, all space back */
    XTEST_CHECK_EQ(NtWaitForSingleObject(Exec.Items, FALSE, &Zero), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Exec.Space, 1, &Previous), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Exec.Items, 16, &Previous), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Previous, 0);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Exec.Items, 1, NULL), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    XTEST_CHECK_EQ(NtClose(Exec.Items), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Exec.Space), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Exec.Done), STATUS_SUCCESS);
}

/* ---- Names ---- */

XTEST(EachTypeOpensByNameInMixedCase) {
    static const PCWSTR Created[] = {u"\\BaseNamedObjects\\XtExecEvent", u"\\BaseNamedObjects\\XtExecSemaphore",
                                     u"\\BaseNamedObjects\\XtExecMutant", u"\\KernelObjects\\XtExecTimer"};
    static const PCWSTR Mixed[] = {u"\\basenamedobjects\\XTEXECEVENT", u"\\BASENAMEDOBJECTS\\xtexecsemaphore",
                                   u"\\BaseNamedObjects\\xTeXeCmUtAnT", u"\\kernelOBJECTS\\xtexectimer"};
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    HANDLE Handles[4], Opened[4], Again;

    XTEST_ASSERT_EQ(NtCreateEvent(&Handles[0], EVENT_ALL_ACCESS, ExecAttributes(&Attributes, &Name, Created[0], 0),
                                  NotificationEvent, FALSE),
                    STATUS_SUCCESS);
    XTEST_ASSERT_EQ(
        NtCreateSemaphore(&Handles[1], SEMAPHORE_ALL_ACCESS, ExecAttributes(&Attributes, &Name, Created[1], 0), 1, 5),
        STATUS_SUCCESS);
    XTEST_ASSERT_EQ(
        NtCreateMutant(&Handles[2], MUTANT_ALL_ACCESS, ExecAttributes(&Attributes, &Name, Created[2], 0), FALSE),
        STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateTimer(&Handles[3], TIMER_ALL_ACCESS, ExecAttributes(&Attributes, &Name, Created[3], 0),
                                  NotificationTimer),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtOpenEvent(&Opened[0], SYNCHRONIZE, ExecAttributes(&Attributes, &Name, Mixed[0], 0)),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtOpenSemaphore(&Opened[1], SYNCHRONIZE, ExecAttributes(&Attributes, &Name, Mixed[1], 0)),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtOpenMutant(&Opened[2], GENERIC_READ, ExecAttributes(&Attributes, &Name, Mixed[2], 0)),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtOpenTimer(&Opened[3], TIMER_QUERY_STATE, ExecAttributes(&Attributes, &Name, Mixed[3], 0)),
                   STATUS_SUCCESS);
    for (ULONG Index = 0; Index < 4; Index++) {
        XTEST_CHECK(ExecObjectOf(Opened[Index]) == ExecObjectOf(Handles[Index]));
        XTEST_CHECK(ExecObjectOf(Opened[Index]) != NULL);
    }
    /* another type's open of the name, a collision, OBJ_OPENIF, a missing name and a missing directory */
    XTEST_CHECK_EQ(NtOpenEvent(&Again, SYNCHRONIZE, ExecAttributes(&Attributes, &Name, Mixed[1], 0)),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK(Again == NULL);
    XTEST_CHECK_EQ(NtCreateEvent(&Again, EVENT_ALL_ACCESS, ExecAttributes(&Attributes, &Name, Mixed[0], 0),
                                 NotificationEvent, FALSE),
                   STATUS_OBJECT_NAME_COLLISION);
    XTEST_CHECK_EQ(NtCreateEvent(&Again, EVENT_ALL_ACCESS, ExecAttributes(&Attributes, &Name, Mixed[0], OBJ_OPENIF),
                                 NotificationEvent, FALSE),
                   STATUS_OBJECT_NAME_EXISTS);
    XTEST_CHECK(ExecObjectOf(Again) == ExecObjectOf(Handles[0]));
    XTEST_CHECK_EQ(NtClose(Again), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtCreateSemaphore(&Again, 0, ExecAttributes(&Attributes, &Name, Mixed[0], OBJ_OPENIF), 0, 1),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(
        NtOpenEvent(&Again, SYNCHRONIZE, ExecAttributes(&Attributes, &Name, u"\\BaseNamedObjects\\XtExecNone", 0)),
        STATUS_OBJECT_NAME_NOT_FOUND);
    XTEST_CHECK_EQ(
        NtOpenMutant(&Again, SYNCHRONIZE, ExecAttributes(&Attributes, &Name, u"\\NoSuchDir\\XtExecMutant", 0)),
        STATUS_OBJECT_PATH_NOT_FOUND);
    XTEST_CHECK_EQ(NtCreateTimer(&Again, 0, ExecAttributes(&Attributes, &Name, u"BaseNamedObjects\\XtExecTimer", 0),
                                 NotificationTimer),
                   STATUS_OBJECT_PATH_SYNTAX_BAD);
    XTEST_CHECK_EQ(NtCreateEvent(&Again, 0, ExecAttributes(&Attributes, &Name, u"\\BaseNamedObjects\\\\XtExec", 0),
                                 NotificationEvent, FALSE),
                   STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK_EQ(NtOpenEvent(&Again, SYNCHRONIZE, ExecAttributes(&Attributes, &Name, NULL, 0)),
                   STATUS_OBJECT_NAME_INVALID);
    for (ULONG Index = 0; Index < 4; Index++) {
        XTEST_CHECK_EQ(NtClose(Opened[Index]), STATUS_SUCCESS);
        XTEST_CHECK_EQ(NtClose(Handles[Index]), STATUS_SUCCESS);
    }
    /* temporary objects: the names went with the last handles */
    XTEST_CHECK_EQ(NtOpenEvent(&Again, SYNCHRONIZE, ExecAttributes(&Attributes, &Name, Mixed[0], 0)),
                   STATUS_OBJECT_NAME_NOT_FOUND);
}

/* ---- Argument checks ---- */

XTEST(NativeCallsCheckTheirArguments) {
    LARGE_INTEGER Zero = {.QuadPart = 0}, Due = ExecRelative(1000);
    HANDLE Event, Semaphore, Handles[MAXIMUM_WAIT_OBJECTS + 1], Reused;
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    LONG Previous;

    XTEST_CHECK_EQ(NtCreateEvent(NULL, 0, NULL, NotificationEvent, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateEvent(&Event, 0, NULL, (EVENT_TYPE)2, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateSemaphore(&Semaphore, 0, NULL, 2, 1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateSemaphore(&Semaphore, 0, NULL, -1, 1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateSemaphore(&Semaphore, 0, NULL, 0, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateMutant(NULL, 0, NULL, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateTimer(&Event, 0, NULL, (TIMER_TYPE)7), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtOpenEvent(NULL, 0, ExecAttributes(&Attributes, &Name, u"\\BaseNamedObjects", 0)),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtOpenSemaphore(&Semaphore, 0, NULL), STATUS_INVALID_PARAMETER);
    Attributes.Length = 3;
    XTEST_CHECK_EQ(NtCreateEvent(&Event, 0, &Attributes, NotificationEvent, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtCreateEvent(&Event, EVENT_ALL_ACCESS | 0x100, NULL, NotificationEvent, FALSE),
                   STATUS_ACCESS_DENIED);
    XTEST_ASSERT_EQ(NtCreateEvent(&Event, EVENT_QUERY_STATE | SYNCHRONIZE, NULL, NotificationEvent, FALSE),
                    STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateSemaphore(&Semaphore, SEMAPHORE_ALL_ACCESS, NULL, 0, 4), STATUS_SUCCESS);
    /* access, type, bad handles */
    XTEST_CHECK_EQ(NtSetEvent(Event, NULL), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtSetEvent(Semaphore, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Event, 1, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(NtReleaseMutant(Event, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(NtCancelTimer(Semaphore, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Semaphore, 0, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Semaphore, -3, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtSetEvent(NULL, NULL), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtResetEvent((HANDLE)(ULONG_PTR)0x7FFFFFF0, NULL), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtWaitForSingleObject(NtCurrentProcess(), FALSE, &Zero), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtSetTimer(Event, NULL, NULL, NULL, FALSE, 0, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtSetTimer(Event, &Due, NULL, NULL, FALSE, -1, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtSetTimer(Event, &Due, NULL, NULL, FALSE, 0, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    /* waits: counts, arrays, wait types, a non-waitable object, one object twice in a wait-all */
    for (ULONG Index = 0; Index < ARRAY_SIZE(Handles); Index++) {
        Handles[Index] = Semaphore;
    }
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(0, Handles, WaitAny, FALSE, &Zero), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, Handles, WaitAny, FALSE, &Zero),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(2, NULL, WaitAny, FALSE, &Zero), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(2, Handles, (WAIT_TYPE)5, FALSE, &Zero), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(2, Handles, WaitAll, FALSE, &Zero), STATUS_INVALID_PARAMETER_MIX);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Handles, WaitAny, FALSE, &Zero), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(NtReleaseSemaphore(Semaphore, 1, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Handles, WaitAny, FALSE, &Zero), STATUS_WAIT_0);
    Handles[1] = NULL;
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(2, Handles, WaitAny, FALSE, &Zero), STATUS_INVALID_HANDLE);
    XTEST_ASSERT_EQ(NtOpenDirectoryObject(&Handles[1], MAXIMUM_ALLOWED,
                                          ExecAttributes(&Attributes, &Name, u"\\BaseNamedObjects", 0)),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Handles[1], FALSE, &Zero), STATUS_ACCESS_DENIED); /* no SYNCHRONIZE */
    XTEST_CHECK_EQ(NtSetEvent(Handles[1], NULL), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(NtClose(Handles[1]), STATUS_SUCCESS);
    /* a stale handle fails even when its slot is reused at once */
    XTEST_CHECK_EQ(NtClose(Event), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NtCreateEvent(&Reused, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    XTEST_CHECK_EQ((ULONG_PTR)Reused & 0x00FFFFFC, (ULONG_PTR)Event & 0x00FFFFFC);
    XTEST_CHECK_EQ(NtSetEvent(Event, &Previous), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Event, FALSE, &Zero), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtClose(Event), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtSetEvent(Reused, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Reused), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Semaphore), STATUS_SUCCESS);
}

/* ---- Mutants and timers ---- */

XTEST(MutantsAbandonAndTimersCancelOnDelete) {
    LARGE_INTEGER Zero = {.QuadPart = 0}, Short = ExecRelative(10), Long = ExecRelative(60000);
    PKTHREAD Self = KeGetCurrentThread();
    ULONG_PTR Queued = KeQueryTimerQueueLength();
    HANDLE Mutant, Timer, Copy;
    BOOLEAN State = TRUE;
    LONG Previous = 7;

    XTEST_ASSERT_EQ(NtCreateMutant(&Mutant, MUTANT_ALL_ACCESS, NULL, TRUE), STATUS_SUCCESS);
    XTEST_CHECK(!RtlListEmpty(&Self->MutantListHead));
    XTEST_CHECK_EQ(NtWaitForSingleObject(Mutant, FALSE, &Zero), STATUS_WAIT_0); /* recursive: owned twice */
    XTEST_CHECK_EQ(NtReleaseMutant(Mutant, &Previous), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Previous, -1);
    XTEST_CHECK_EQ(NtReleaseMutant(Mutant, &Previous), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Previous, 0);
    XTEST_CHECK_EQ(NtReleaseMutant(Mutant, NULL), STATUS_MUTANT_NOT_OWNED);
    XTEST_CHECK(RtlListEmpty(&Self->MutantListHead));
    /* deleted while owned: abandoned, off this thread's list (the thread's end would otherwise touch freed memory) */
    XTEST_CHECK_EQ(NtWaitForSingleObject(Mutant, FALSE, &Zero), STATUS_WAIT_0);
    XTEST_CHECK(!RtlListEmpty(&Self->MutantListHead));
    XTEST_CHECK_EQ(NtClose(Mutant), STATUS_SUCCESS);
    XTEST_CHECK(RtlListEmpty(&Self->MutantListHead));
    /* timers: expiry wakes a wait; a set timer deleted leaves the queue */
    XTEST_ASSERT_EQ(NtCreateTimer(&Timer, TIMER_ALL_ACCESS, NULL, NotificationTimer), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtSetTimer(Timer, &Short, NULL, NULL, FALSE, 0, &State), STATUS_SUCCESS);
    XTEST_CHECK_EQ(State, FALSE);
    XTEST_CHECK_EQ(NtWaitForSingleObject(Timer, FALSE, &Long), STATUS_WAIT_0);
    XTEST_CHECK_EQ(NtSetTimer(Timer, &Long, NULL, NULL, FALSE, 0, &State), STATUS_SUCCESS);
    XTEST_CHECK_EQ(State, TRUE);
    XTEST_CHECK_EQ(NtCancelTimer(Timer, &State), STATUS_SUCCESS);
    XTEST_CHECK_EQ(State, FALSE);
    XTEST_CHECK_EQ(NtSetTimer(Timer, &Long, NULL, NULL, FALSE, 0, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(KeQueryTimerQueueLength(), Queued + 1);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Timer, NtCurrentProcess(), &Copy, TIMER_QUERY_STATE,
                                     OBJ_KERNEL_HANDLE, 0),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtCancelTimer(Copy, NULL), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtClose(Copy), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Timer), STATUS_SUCCESS);
    XTEST_CHECK_EQ(KeQueryTimerQueueLength(), Queued);
}

/* ---- Several handles ---- */

XTEST(WaitsOnSeveralHandles) {
    LARGE_INTEGER Zero = {.QuadPart = 0};
    HANDLE Handles[MAXIMUM_WAIT_OBJECTS];
    ULONG Made = 0;

    for (; Made < 3; Made++) {
        XTEST_ASSERT_EQ(NtCreateEvent(&Handles[Made], EVENT_ALL_ACCESS, NULL, SynchronizationEvent, FALSE),
                        STATUS_SUCCESS);
    }
    for (; Made < MAXIMUM_WAIT_OBJECTS; Made++) {
        XTEST_ASSERT_EQ(NtCreateSemaphore(&Handles[Made], SEMAPHORE_ALL_ACCESS, NULL, 1, 1), STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Handles, WaitAny, FALSE, &Zero), STATUS_TIMEOUT);
    XTEST_CHECK_EQ(NtSetEvent(Handles[2], NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Handles, WaitAny, FALSE, &Zero), STATUS_WAIT_0 + 2);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Handles, WaitAny, FALSE, &Zero), STATUS_TIMEOUT); /* auto-reset */
    XTEST_CHECK_EQ(NtSetEvent(Handles[0], NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtSetEvent(Handles[1], NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Handles, WaitAll, FALSE, &Zero), STATUS_TIMEOUT); /* 2 still clear */
    XTEST_CHECK_EQ(NtWaitForSingleObject(Handles[0], FALSE, &Zero), STATUS_WAIT_0); /* nothing taken by the above */
    XTEST_CHECK_EQ(NtSetEvent(Handles[0], NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtSetEvent(Handles[2], NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Handles, WaitAll, FALSE, &Zero), STATUS_WAIT_0);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(3, Handles, WaitAny, FALSE, &Zero), STATUS_TIMEOUT); /* all taken */
    /* 64 handles at once: 3 clear events, then 61 signalled semaphores: WaitAny finds the first of them */
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Handles, WaitAny, FALSE, &Zero), STATUS_WAIT_0 + 3);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS - 3, &Handles[3], WaitAll, FALSE, &Zero),
                   STATUS_TIMEOUT); /* the first semaphore was taken */
    XTEST_CHECK_EQ(NtReleaseSemaphore(Handles[3], 1, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS - 3, &Handles[3], WaitAll, FALSE, &Zero),
                   STATUS_WAIT_0);
    XTEST_CHECK_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Handles, WaitAny, FALSE, &Zero), STATUS_TIMEOUT);
    for (ULONG Index = 0; Index < Made; Index++) {
        XTEST_CHECK_EQ(NtClose(Handles[Index]), STATUS_SUCCESS);
    }
}

/* ---- The deferred-delete worker ---- */

static POBJECT_TYPE ExecWorkerType;
static KEVENT ExecWorkerDeleted;
static volatile KRUNLEVEL ExecWorkerLevel;
static PVOID volatile ExecWorkerThread;

static VOID ExecWorkerDelete(PVOID Object) {
    (VOID) Object;
    ExecWorkerLevel = KeGetCurrentRunLevel();
    ExecWorkerThread = KeGetCurrentThread();
    KeSetEvent(&ExecWorkerDeleted, 0, FALSE);
}

XTEST(LastReferenceAtDispatchIsDeletedByTheWorker) {
    OBJECT_TYPE_INITIALIZER Initializer = {
        .Length = sizeof(Initializer), .ValidAccessMask = STANDARD_RIGHTS_ALL | 1, .DeleteProcedure = ExecWorkerDelete};
    LARGE_INTEGER Timeout = ExecRelative(5000);
    UNICODE_STRING Name = ExecString(u"XtExecWorkerTest");
    OB_STATISTICS Before, After;
    KRUNLEVEL Old;
    PVOID Object;

    if (ExecWorkerType == NULL) {
        XTEST_ASSERT_EQ(ObCreateObjectType(&Name, &Initializer, &ExecWorkerType), STATUS_SUCCESS);
    }
    KeInitializeEvent(&ExecWorkerDeleted, NotificationEvent, FALSE);
    ExecWorkerThread = NULL;
    ExecWorkerLevel = HIGH_LEVEL;
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, ExecWorkerType, NULL, 32, &Object), STATUS_SUCCESS);
    ObQueryStatistics(&Before);
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    ObDereferenceObject(Object); /* the last reference, at DISPATCH_LEVEL: queued, the worker told */
    KeLowerRunLevel(Old);
    /* no Ob call here (each PASSIVE entry point would drain the list itself): only the worker can delete it */
    XTEST_CHECK_EQ(KeWaitForSingleObject(&ExecWorkerDeleted, Executive, KernelMode, FALSE, &Timeout), STATUS_WAIT_0);
    XTEST_CHECK(ExecWorkerThread == ObQueryDeleteWorkerThread());
    XTEST_CHECK(ExecWorkerThread != KeGetCurrentThread());
    XTEST_CHECK_EQ(ExecWorkerLevel, PASSIVE_LEVEL);
    /* The event is set inside the delete procedure: the boosted waiter may run before the worker counts the delete
     * (on one processor it pre-empts it). Let the worker finish (at most 5 s). */
    for (ULONG Round = 0; Round < 5000; Round++) {
        LARGE_INTEGER Millisecond = ExecRelative(1);
        ObQueryStatistics(&After);
        if (After.ObjectsDeleted != Before.ObjectsDeleted && ObQueryDeferredDeleteCount() == 0) {
            break;
        }
        KeDelayExecutionThread(KernelMode, FALSE, &Millisecond);
    }
    ObQueryStatistics(&After);
    XTEST_CHECK_EQ(After.DeferredDeletes - Before.DeferredDeletes, 1);
    XTEST_CHECK_EQ(After.ObjectsDeleted - Before.ObjectsDeleted, 1);
    XTEST_CHECK_EQ(ObQueryDeferredDeleteCount(), 0);
}

/* ---- Two tables ---- */

#define XRACE_SOURCES 8
#define XRACE_SLOTS   128
#define XRACE_PHASES  24
#define XRACE_WORKERS 4

static struct {
    PEX_HANDLE_TABLE Source, Target;
    HANDLE Sources[XRACE_SOURCES];
    PVOID Objects[XRACE_SOURCES];
    HANDLE Slots[XRACE_WORKERS][XRACE_SLOTS];
    ULONG Workers;
    volatile LONG Arrived, Generation;
    volatile LONG Closed, Stale, Errors;
} XRace;

static VOID XRaceBarrier(VOID) {
    LONG Generation = __atomic_load_n(&XRace.Generation, __ATOMIC_ACQUIRE);

    if (__atomic_add_fetch(&XRace.Arrived, 1, __ATOMIC_ACQ_REL) == (LONG)XRace.Workers) {
        __atomic_store_n(&XRace.Arrived, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&XRace.Generation, 1, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&XRace.Generation, __ATOMIC_ACQUIRE) == Generation) {
        KeYieldProcessor();
    }
}

/* One worker: per phase, duplicates the source table's handles into the target table, then every worker references
 * and closes every duplicate: exactly one close of each succeeds, the rest find STATUS_INVALID_HANDLE. */
static VOID XRaceWorker(ULONG Worker) {
    ULONG Total = XRace.Workers * XRACE_SLOTS;
    PVOID Object;

    for (ULONG Phase = 0; Phase < XRACE_PHASES; Phase++) {
        for (ULONG Slot = 0; Slot < XRACE_SLOTS; Slot++) {
            ULONG Source = (Slot + Worker + Phase) % XRACE_SOURCES;

            if (ObDuplicateObject(XRace.Source, XRace.Sources[Source], XRace.Target, &XRace.Slots[Worker][Slot],
                                  (Slot & 1) ? SYNCHRONIZE : 0, 0,
                                  (Slot & 1) ? 0 : DUPLICATE_SAME_ACCESS) != STATUS_SUCCESS) {
                __atomic_add_fetch(&XRace.Errors, 1, __ATOMIC_RELAXED);
            }
        }
        XRaceBarrier();
        for (ULONG Step = 0; Step < Total; Step++) {
            ULONG Index = (Step + Worker * (Total / XRace.Workers + 5)) % Total;
            ULONG Owner = Index / XRACE_SLOTS, Slot = Index % XRACE_SLOTS;
            HANDLE Handle = XRace.Slots[Owner][Slot];
            XTSTATUS Status =
                ObReferenceObjectByHandleInTable(XRace.Target, Handle, SYNCHRONIZE, ExEventObjectType, &Object, NULL);

            if (Status == STATUS_SUCCESS) {
                if (Object != XRace.Objects[(Slot + Owner + Phase) % XRACE_SOURCES]) {
                    __atomic_add_fetch(&XRace.Errors, 1, __ATOMIC_RELAXED);
                }
                ObDereferenceObject(Object);
            } else if (Status != STATUS_INVALID_HANDLE) {
                __atomic_add_fetch(&XRace.Errors, 1, __ATOMIC_RELAXED);
            }
            Status = ObCloseHandleInTable(XRace.Target, Handle);
            __atomic_add_fetch(Status == STATUS_SUCCESS          ? &XRace.Closed
                               : Status == STATUS_INVALID_HANDLE ? &XRace.Stale
                                                                 : &XRace.Errors,
                               1, __ATOMIC_RELAXED);
        }
        XRaceBarrier();
    }
}

XTEST(DuplicateAndCloseRaceAcrossTwoTables) {
    ULONG Limit = ObTestWorkerLimit(), Ran, Expected;
    SIZE_T Events = ObTestPoolBytes(ExEventObjectType->Key), Tables = ObTestPoolBytes(OB_TAG_TABLE);
    OB_STATISTICS Before, After;
    HANDLE Handle;

    RtlZeroMemory(&XRace, sizeof(XRace));
    ObQueryStatistics(&Before);
    XTEST_ASSERT_EQ(ObCreateHandleTable(&XRace.Source), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObCreateHandleTable(&XRace.Target), STATUS_SUCCESS);
    for (ULONG Index = 0; Index < XRACE_SOURCES; Index++) {
        XTEST_ASSERT_EQ(NtCreateEvent(&Handle, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
        XRace.Objects[Index] = ExecObjectOf(Handle);
        /* into the source table, the kernel handle closed on the way */
        XTEST_ASSERT_EQ(ObDuplicateObject(ObGetKernelHandleTable(), Handle, XRace.Source, &XRace.Sources[Index], 0, 0,
                                          DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
                        STATUS_SUCCESS);
        XTEST_CHECK_EQ(NtClose(Handle), STATUS_INVALID_HANDLE);
        XTEST_CHECK_EQ(((ULONG_PTR)XRace.Sources[Index] & OB_KERNEL_HANDLE_FLAG), 0);
    }
    /* a duplicate never gains access, and the target table's handles are not the kernel table's */
    XTEST_CHECK_EQ(
        ObDuplicateObject(XRace.Source, XRace.Sources[0], XRace.Target, &Handle, EVENT_ALL_ACCESS | 0x100, 0, 0),
        STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(ObDuplicateObject(NULL, XRace.Sources[0], XRace.Target, &Handle, 0, 0, DUPLICATE_SAME_ACCESS),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObDuplicateObject(XRace.Source, XRace.Sources[0], XRace.Target, NULL, 0, 0, DUPLICATE_SAME_ACCESS),
                   STATUS_INVALID_PARAMETER);
    XRace.Workers = Limit < XRACE_WORKERS ? Limit : XRACE_WORKERS;
    Ran = ObTestRunConcurrently(XRaceWorker, XRace.Workers);
    XTEST_ASSERT(Ran >= 1);
    XTEST_CHECK_EQ(Ran, XRace.Workers);
    Expected = XRACE_PHASES * XRace.Workers * XRACE_SLOTS;
    XTEST_CHECK_EQ(XRace.Errors, 0);
    XTEST_CHECK_EQ(XRace.Closed, Expected);
    XTEST_CHECK_EQ(XRace.Stale, Expected * (XRace.Workers - 1));
    XTEST_CHECK_EQ(ExCheckHandleTable(XRace.Source), 0);
    XTEST_CHECK_EQ(ExCheckHandleTable(XRace.Target), 0);
    XTEST_CHECK_EQ(XRace.Target->HandleCount, 0);
    XTEST_CHECK_EQ(XRace.Source->HandleCount, XRACE_SOURCES);
    for (ULONG Index = 0; Index < XRACE_SOURCES; Index++) {
        XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(XRace.Objects[Index])->HandleCount, 1);
        XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(XRace.Objects[Index])->PointerCount, 1);
    }
    /* the owner's exit: destroying the tables closes every handle; the objects go with them */
    XTEST_CHECK_EQ(
        ObDuplicateObject(XRace.Source, XRace.Sources[1], XRace.Target, &Handle, 0, 0, DUPLICATE_SAME_ACCESS),
        STATUS_SUCCESS);
    ObDestroyHandleTable(XRace.Source);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(XRace.Objects[1])->HandleCount, 1); /* the target's duplicate */
    ObDestroyHandleTable(XRace.Target);
    ObQueryStatistics(&After);
    XTEST_CHECK_EQ(After.ObjectsDeleted - Before.ObjectsDeleted, XRACE_SOURCES);
    XTEST_CHECK_EQ(ObTestPoolBytes(ExEventObjectType->Key), Events);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_TAG_TABLE), Tables);
}

/* ---- Pool ---- */

#define EXEC_ROUNDS 20000

XTEST(CreateAndCloseLeaveEachTypesPoolAtBaseline) {
    POBJECT_TYPE Types[] = {ExEventObjectType, ExSemaphoreObjectType, ExMutantObjectType, ExTimerObjectType};
    LARGE_INTEGER Due = ExecRelative(60000);
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    SIZE_T Bytes[4], Names = ObTestPoolBytes(OB_TAG_NAME);
    ULONG Failures = 0;
    HANDLE Handle;

    for (ULONG Index = 0; Index < 4; Index++) {
        Bytes[Index] = ObTestPoolBytes(Types[Index]->Key);
    }
    for (ULONG Round = 0; Round < EXEC_ROUNDS; Round++) {
        PCWSTR Path = (Round & 15) == 0 ? u"\\BaseNamedObjects\\XtExecPoolObject" : NULL;

        ExecAttributes(&Attributes, &Name, Path, 0);
        switch (Round & 3) {
            case 0:
                Failures += NtCreateEvent(&Handle, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE) != 0;
                break;
            case 1:
                Failures += NtCreateSemaphore(&Handle, SEMAPHORE_ALL_ACCESS, &Attributes, 0, 3) != 0;
                break;
            case 2:
                Failures += NtCreateMutant(&Handle, MUTANT_ALL_ACCESS, &Attributes, (Round & 4) != 0) != 0;
                break;
            default:
                Failures += NtCreateTimer(&Handle, TIMER_ALL_ACCESS, &Attributes, NotificationTimer) != 0;
                Failures += NtSetTimer(Handle, &Due, NULL, NULL, FALSE, 0, NULL) != 0; /* cancelled by the delete */
                break;
        }
        Failures += NtClose(Handle) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Failures, 0);
    for (ULONG Index = 0; Index < 4; Index++) {
        XTEST_CHECK_EQ(ObTestPoolBytes(Types[Index]->Key), Bytes[Index]);
        XTEST_CHECK_EQ(Types[Index]->TotalNumberOfHandles, 0);
    }
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_TAG_NAME), Names);
    XTEST_CHECK(RtlListEmpty(&KeGetCurrentThread()->MutantListHead));
}

/* ---- Query ---- */

XTEST(QueryObjectOfExecutiveObjects) {
    OBJECT_ATTRIBUTES Attributes;
    OBJECT_BASIC_INFORMATION Basic;
    UNICODE_STRING Name, Expected = ExecString(u"\\BaseNamedObjects\\XtExecQuery");
    ULONG Length = 0;
    union {
        OBJECT_NAME_INFORMATION Information;
        UCHAR Bytes[256];
    } Buffer;
    HANDLE Handle, Unnamed;

    XTEST_ASSERT_EQ(NtCreateMutant(&Handle, MUTANT_QUERY_STATE | SYNCHRONIZE,
                                   ExecAttributes(&Attributes, &Name, u"\\basenamedobjects\\XtExecQuery", 0), FALSE),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectBasicInformation, &Basic, sizeof(Basic), &Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Basic.GrantedAccess, MUTANT_QUERY_STATE | SYNCHRONIZE);
    XTEST_CHECK_EQ(Basic.HandleCount, 1);
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectNameInformation, &Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Buffer.Information.Name.Length, Expected.Length); /* the directory's spelling, the name's own */
    XTEST_CHECK(RtlEqualUnicodeString(&Buffer.Information.Name, &Expected, TRUE));
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectNameInformation, &Buffer, 4, &Length), STATUS_INFO_LENGTH_MISMATCH);
    XTEST_CHECK_EQ(NtQueryObject(Handle, (OBJECT_INFORMATION_CLASS)9, &Buffer, sizeof(Buffer), NULL),
                   STATUS_INVALID_INFO_CLASS);
    XTEST_ASSERT_EQ(NtCreateTimer(&Unnamed, TIMER_ALL_ACCESS, NULL, SynchronizationTimer), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtQueryObject(Unnamed, ObjectNameInformation, &Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Buffer.Information.Name.Length, 0);
    XTEST_CHECK_EQ(NtQueryObject(Unnamed, ObjectBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Basic.GrantedAccess, TIMER_ALL_ACCESS);
    XTEST_CHECK_EQ(NtClose(Unnamed), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_INVALID_HANDLE);
}

XTEST_SUITE(ObExecSuite, XTEST_ENTRY(ExecutiveTypesExistInObjectTypes),
            XTEST_ENTRY(EventsSetResetAndWaitThroughHandles), XTEST_ENTRY(ProducerAndConsumerThroughHandles),
            XTEST_ENTRY(EachTypeOpensByNameInMixedCase), XTEST_ENTRY(NativeCallsCheckTheirArguments),
            XTEST_ENTRY(MutantsAbandonAndTimersCancelOnDelete), XTEST_ENTRY(WaitsOnSeveralHandles),
            XTEST_ENTRY(LastReferenceAtDispatchIsDeletedByTheWorker), XTEST_ENTRY(DuplicateAndCloseRaceAcrossTwoTables),
            XTEST_ENTRY(CreateAndCloseLeaveEachTypesPoolAtBaseline), XTEST_ENTRY(QueryObjectOfExecutiveObjects));

/* Processes and threads as objects (ps.h; docs/objects.md "Processes and threads as objects (ps/)"): creation by
 * handle, the start and end of a Ps thread, process exit when its last thread ends, and the delete procedures that
 * return the KTHREAD, the KPROCESS and its address space when the last reference goes. */
#include <rtl.h>

#include "psp.h"

/* References the process ProcessHandle names for creating a thread (NULL: System, NtCurrentProcess(): the caller's). */
static XTSTATUS PspReferenceProcess(HANDLE ProcessHandle, PEPROCESS *Process) {
    if (ProcessHandle == NULL || ProcessHandle == NtCurrentProcess()) {
        *Process = ProcessHandle == NULL ? PsInitialSystemProcess : PsGetCurrentProcess();
        if (*Process == NULL) {
            return STATUS_INVALID_HANDLE; /* running in a KPROCESS Ps did not make */
        }
        ObReferenceObject(*Process);
        return STATUS_SUCCESS;
    }
    return ObReferenceObjectByHandle(ProcessHandle, PROCESS_CREATE_THREAD, PsProcessType, KernelMode, (PVOID *)Process,
                                     NULL);
}

XTSTATUS PsCreateSystemProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    PEPROCESS Process;
    XTSTATUS Status;
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (ProcessHandle == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = ObCreateObject(KernelMode, PsProcessType, ObjectAttributes, sizeof(EPROCESS), (PVOID *)&Process);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    KeInitializeEvent(&Process->ExitEvent, NotificationEvent, FALSE);
    Status = ObCreateHandleTable(&Process->ObjectTable);
    if (Status == STATUS_SUCCESS) {
        Status = KeCreateProcess(&Process->Pcb, KE_DEFAULT_PRIORITY, 0);
    }
    if (Status != STATUS_SUCCESS) {
        ObDereferenceObject(Process); /* the delete procedure returns what was made */
        return Status;
    }
    Process->UniqueProcessId = PspAllocateId();
    Process->Pcb->ExecutiveProcess = Process; /* before its first thread, attach or handle: nobody reads it yet */
    KeAcquireSpinLock(&PspLock, &Old);
    PspStatistics.ProcessesCreated++;
    KeReleaseSpinLock(&PspLock, Old);
    return ObInsertObject(Process, DesiredAccess, NULL, ProcessHandle);
}

/* Counts a thread about to be created in Process; STATUS_PROCESS_IS_TERMINATING once it exited. */
static XTSTATUS PspAddActiveThread(PEPROCESS Process) {
    XTSTATUS Status = STATUS_SUCCESS;
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    if (Process->Flags & PS_PROCESS_FLAG_EXITED) {
        Status = STATUS_PROCESS_IS_TERMINATING;
    } else {
        Process->ActiveThreads++;
        PspStatistics.ThreadsCreated++;
    }
    KeReleaseSpinLock(&PspLock, Old);
    return Status;
}

/* Closes every handle of Table through the ordinary close path (PASSIVE_LEVEL), so it is safe against threads of
 * other processes using the table at the same time (NtDuplicateObject naming the process, a thread attached to it);
 * protected handles stay until the table is destroyed. */
static VOID PspSweepHandleTable(PEX_HANDLE_TABLE Table) {
    HANDLE Handle;

    for (ULONG Index = 1; Index < __atomic_load_n(&Table->PageCount, __ATOMIC_ACQUIRE) * EX_HANDLE_ENTRIES_PER_PAGE;
         Index++) {
        if (ExGetHandleAtIndex(Table, Index, &Handle)) {
            (VOID) ObCloseHandleInTable(Table, Handle); /* closed meanwhile or protected: left to the destroy */
        }
    }
}

/* The process's last thread ended: every handle in its table is closed (at PASSIVE_LEVEL in the ending thread), then
 * the process object is signalled. The table itself lives as long as the process object (PspDeleteProcess destroys
 * it): whoever can still reach it holds a reference to the process. */
static VOID PspExitProcess(PEPROCESS Process, XTSTATUS ExitStatus) {
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    Process->ExitStatus = ExitStatus;
    PspStatistics.ProcessesExited++;
    KeReleaseSpinLock(&PspLock, Old);
    PspSweepHandleTable(Process->ObjectTable);
    KeSetEvent(&Process->ExitEvent, 0, FALSE);
}

/* Uncounts a thread of Process (it ends, or its creation failed); the last one of a process that ran threads exits
 * the process. */
static VOID PspDropActiveThread(PEPROCESS Process, XTSTATUS ExitStatus) {
    BOOLEAN Last;
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    Last = --Process->ActiveThreads == 0 && (Process->Flags & PS_PROCESS_FLAG_HAD_THREAD) &&
           !(Process->Flags & PS_PROCESS_FLAG_SYSTEM);
    if (Last) {
        Process->Flags |= PS_PROCESS_FLAG_EXITED;
    }
    KeReleaseSpinLock(&PspLock, Old);
    if (Last) {
        PspExitProcess(Process, ExitStatus);
    }
}

/* Every Ps thread starts here (Ke's StartContext is its ETHREAD: how PsGetCurrentThread finds it). */
static VOID PspSystemThreadStartup(PVOID Context) {
    PETHREAD Thread = Context;
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    Thread->Process->Flags |= PS_PROCESS_FLAG_HAD_THREAD;
    KeReleaseSpinLock(&PspLock, Old);
    Thread->StartRoutine(Thread->StartContext);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

PETHREAD PsGetCurrentThread(VOID) {
    PKTHREAD Current = KeGetCurrentThread();

    return Current != NULL && Current->StartRoutine == PspSystemThreadStartup ? Current->StartContext : NULL;
}

XTSTATUS PsTerminateSystemThread(XTSTATUS ExitStatus) {
    PETHREAD Thread = PsGetCurrentThread();
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (Thread == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Thread->ExitStatus = ExitStatus;
    PspDropActiveThread(Thread->Process, ExitStatus);
    KeSetEvent(&Thread->ExitEvent, 0, FALSE);
    /* The running thread's reference goes above PASSIVE_LEVEL: if it is the last, Ob's worker deletes the ETHREAD
     * (and perhaps the process, whose delete waits for this KTHREAD to leave it), never this thread itself. */
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    ObDereferenceObject(Thread);
    KeLowerRunLevel(Old);
    KeTerminateThread(ExitStatus);
}

/* Makes an ETHREAD of Process with a handle (its running reference in *Thread). */
static XTSTATUS PspCreateThreadObject(PEPROCESS Process, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                      PKSTART_ROUTINE StartRoutine, PVOID StartContext, PHANDLE Handle,
                                      PETHREAD *Thread) {
    PETHREAD New;
    XTSTATUS Status;

    Status = ObCreateObject(KernelMode, PsThreadType, ObjectAttributes, sizeof(ETHREAD), (PVOID *)&New);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    KeInitializeEvent(&New->ExitEvent, NotificationEvent, FALSE);
    ObReferenceObject(Process);
    New->Process = Process;
    New->UniqueThreadId = PspAllocateId();
    New->StartRoutine = StartRoutine;
    New->StartContext = StartContext;
    return ObInsertObject(New, DesiredAccess, (PVOID *)Thread, Handle);
}

XTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PKSTART_ROUTINE StartRoutine, PVOID StartContext) {
    PEPROCESS Process;
    PETHREAD Thread;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (ThreadHandle == NULL || StartRoutine == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = PspReferenceProcess(ProcessHandle, &Process);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = PspAddActiveThread(Process);
    if (Status == STATUS_SUCCESS) {
        Status = PspCreateThreadObject(Process, DesiredAccess, ObjectAttributes, StartRoutine, StartContext,
                                       ThreadHandle, &Thread);
        if (Status == STATUS_SUCCESS) {
            /* Thread's reference (from the insert) becomes the running thread's; the handle keeps the object alive
             * until Tcb is set (a close racing with it would be the caller's own error). */
            Status = KeCreateThread(&Thread->Tcb, Process->Pcb, 0, 0, PspSystemThreadStartup, Thread, 0);
            if (Status != STATUS_SUCCESS) {
                ObDereferenceObject(Thread);
                NtClose(*ThreadHandle);
                *ThreadHandle = NULL;
            }
        }
        if (Status != STATUS_SUCCESS) {
            PspDropActiveThread(Process, Status);
        }
    }
    ObDereferenceObject(Process);
    return Status;
}

VOID PspDeleteThread(PVOID Object) {
    PETHREAD Thread = Object;
    KRUNLEVEL Old;

    if (Thread->Tcb != NULL) {
        KeDereferenceThread(Thread->Tcb);
    }
    if (Thread->Process != NULL) {
        ObDereferenceObject(Thread->Process);
    }
    KeAcquireSpinLock(&PspLock, &Old);
    PspStatistics.ThreadsDeleted++;
    KeReleaseSpinLock(&PspLock, Old);
}

VOID PspDeleteProcess(PVOID Object) {
    PEPROCESS Process = Object;
    KRUNLEVEL Old;

    if (Process->ObjectTable != NULL) {
        ObDestroyHandleTable(Process->ObjectTable); /* what was left: protected handles, handles made after the exit */
    }
    if (Process->Pcb != NULL) {
        if (Process->Flags & PS_PROCESS_FLAG_HAD_THREAD) {
            /* Its last KTHREAD may still be on its way out of the address space (Ke signals the KPROCESS then). */
            KeWaitForSingleObject(Process->Pcb, Executive, KernelMode, FALSE, NULL);
        }
        KeDeleteProcess(Process->Pcb);
    }
    KeAcquireSpinLock(&PspLock, &Old);
    PspStatistics.ProcessesDeleted++;
    KeReleaseSpinLock(&PspLock, Old);
}

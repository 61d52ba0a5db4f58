/* Processes (kprocess.h; docs/kernel.md "Processes"): the system process, process creation and deletion, the thread
 * list and the signal on the last thread's end, and attaching a thread to another process's address space (NT's
 * KeAttachProcess and KeStackAttachProcess). The thread list and the signal state are under the dispatcher lock; an
 * attach only raises to DISPATCH_LEVEL (no switch can happen on this processor meanwhile, and no other processor
 * reads a running thread's ApcState). */
#include <kd.h>
#include <kprocess.h>
#include <mm.h>
#include <rtl.h>

#include "kidisp.h"

#define KI_PROCESS_TAG    0x7250654B     /* 'KePr': KeCreateProcess's KPROCESSes */
#define KI_ATTACH_NOTHING ((PKPROCESS)1) /* a stack attach to the process the thread ran in: nothing to undo */

static KPROCESS KiSystemProcess;
static KPROCESS_STATISTICS KiProcessStatistics;

/* Fills the parts of Process every process has. */
static VOID KiInitializeProcessObject(PKPROCESS Process, KPRIORITY BasePriority, KAFFINITY Affinity) {
    KiInitializeDispatcherHeader(&Process->Header, ProcessObject, 0);
    RtlInitializeListHead(&Process->ThreadListHead);
    Process->Affinity = Affinity == 0 ? ~0ull : Affinity;
    Process->BasePriority = (SCHAR)BasePriority;
}

PKPROCESS KiInitializeSystemProcess(VOID) {
    RtlZeroMemory(&KiSystemProcess, sizeof(KiSystemProcess));
    KiInitializeProcessObject(&KiSystemProcess, KE_DEFAULT_PRIORITY, 0);
    KiSystemProcess.AddressSpace = &MmSystemAddressSpace;
    KiSystemProcess.ProcessFlags = KPROCESS_FLAG_SYSTEM;
    return &KiSystemProcess;
}

PKPROCESS KeGetSystemProcess(VOID) {
    return &KiSystemProcess;
}

VOID KiInsertProcessThread(PKPROCESS Process, PKTHREAD Thread) {
    Thread->Process = Process;
    Thread->ApcState.Process = Process;
    Thread->ApcState.Previous = NULL;
    Thread->SavedApcState.Process = NULL;
    Thread->AttachStack = NULL;
    Thread->ApcStateIndex = 0;
    RtlInsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
    Process->ThreadCount++;
}

VOID KiRemoveProcessThread(PKTHREAD Thread) {
    PKPROCESS Process = Thread->Process;

    if (Thread->ApcStateIndex != 0) {
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Process, (ULONG_PTR)Thread->ApcState.Process,
                     Thread->ApcStateIndex, (ULONG_PTR)Thread);
    }
    RtlRemoveEntryList(&Thread->ThreadListEntry);
    if (Process != &KiSystemProcess) {
        /* The thread leaves the address space now (its stack is kernel memory, in every space): once the process is
         * signalled, no processor runs in it on this thread's behalf and it may be deleted. */
        MmSwitchAddressSpace(KiSystemProcess.AddressSpace);
        Thread->ApcState.Process = &KiSystemProcess;
    }
    if (--Process->ThreadCount == 0 && !(Process->ProcessFlags & KPROCESS_FLAG_SYSTEM)) {
        Process->ProcessFlags |= KPROCESS_FLAG_EXITED;
        Process->Header.SignalState = 1;
        KiWaitTest(&Process->Header, 0);
    }
}

BOOLEAN KiCanCreateThread(PKPROCESS Process) {
    return !(Process->ProcessFlags & KPROCESS_FLAG_EXITED);
}

XTSTATUS KeCreateProcess(PKPROCESS *Process, KPRIORITY BasePriority, KAFFINITY Affinity) {
    PKPROCESS New;
    XTSTATUS Status;
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (BasePriority <= LOW_PRIORITY || BasePriority > HIGH_PRIORITY) {
        return STATUS_INVALID_PARAMETER;
    }
    New = MmAllocatePool(NonPagedPool, sizeof(KPROCESS), KI_PROCESS_TAG);
    if (New == NULL) {
        return STATUS_NO_MEMORY;
    }
    RtlZeroMemory(New, sizeof(*New));
    KiInitializeProcessObject(New, BasePriority, Affinity);
    Status = MmCreateProcessAddressSpace(&New->Space);
    if (!XT_SUCCESS(Status)) {
        MmFreePool(New, KI_PROCESS_TAG);
        return Status;
    }
    New->AddressSpace = &New->Space;
    Old = KiAcquireDispatcherLock();
    KiProcessStatistics.Created++;
    KiProcessStatistics.Live++;
    KiReleaseDispatcherLock(Old);
    *Process = New;
    return STATUS_SUCCESS;
}

VOID KeDeleteProcess(PKPROCESS Process) {
    ULONG Threads;
    LONG Attached;
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Old = KiAcquireDispatcherLock();
    Threads = Process->ThreadCount;
    Attached = __atomic_load_n(&Process->AttachCount, __ATOMIC_ACQUIRE);
    if (Threads != 0 || Attached != 0 || (Process->ProcessFlags & KPROCESS_FLAG_SYSTEM)) {
        KeBugCheckEx(PROCESS_DELETED_IN_USE, (ULONG_PTR)Process, Threads, (ULONG_PTR)Attached, 0);
    }
    KiProcessStatistics.Deleted++;
    KiProcessStatistics.Live--;
    KiReleaseDispatcherLock(Old);
    MmDeleteProcessAddressSpace(&Process->Space);
    MmFreePool(Process, KI_PROCESS_TAG);
}

LONG KeReadStateProcess(PKPROCESS Process) {
    return __atomic_load_n(&Process->Header.SignalState, __ATOMIC_RELAXED);
}

VOID KeQueryProcessStatistics(PKPROCESS_STATISTICS Statistics) {
    KRUNLEVEL Old = KiAcquireDispatcherLock();

    *Statistics = KiProcessStatistics;
    KiReleaseDispatcherLock(Old);
}

/* ---- Attaching ---- */

/* Makes Process the calling thread's current process and loads its address space (at DISPATCH_LEVEL); keeps the
 * attach counts: a process counts the threads of other processes that run in it. */
static VOID KiSetCurrentProcess(PKTHREAD Thread, PKPROCESS Process) {
    PKPROCESS Previous = Thread->ApcState.Process;

    if (Previous != Thread->Process) {
        __atomic_sub_fetch(&Previous->AttachCount, 1, __ATOMIC_RELEASE);
    }
    if (Process != Thread->Process) {
        __atomic_add_fetch(&Process->AttachCount, 1, __ATOMIC_RELEASE);
    }
    Thread->ApcState.Process = Process;
    if (Previous->AddressSpace != Process->AddressSpace) {
        MmSwitchAddressSpace(Process->AddressSpace);
    }
}

VOID KeAttachProcess(PKPROCESS Process) {
    PKTHREAD Thread = KeGetCurrentThread();
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    if (Thread->ApcStateIndex != 0) {
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Process, (ULONG_PTR)Thread->ApcState.Process,
                     Thread->ApcStateIndex, (ULONG_PTR)Thread->AttachStack);
    }
    if (Process == Thread->ApcState.Process) {
        return; /* NT: attaching to the process it runs in changes nothing (and its detach does nothing) */
    }
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    Thread->SavedApcState = Thread->ApcState;
    Thread->ApcStateIndex = 1;
    Thread->AttachStack = NULL;
    KiSetCurrentProcess(Thread, Process);
    KeLowerRunLevel(Old);
}

VOID KeDetachProcess(VOID) {
    PKTHREAD Thread = KeGetCurrentThread();
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    if (Thread->ApcStateIndex == 0) {
        return;
    }
    if (Thread->AttachStack != NULL) {
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, 0, (ULONG_PTR)Thread, (ULONG_PTR)Thread->ApcState.Process,
                     (ULONG_PTR)Thread->AttachStack);
    }
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    KiSetCurrentProcess(Thread, Thread->SavedApcState.Process);
    Thread->ApcState = Thread->SavedApcState;
    Thread->ApcStateIndex = 0;
    KeLowerRunLevel(Old);
}

VOID KeStackAttachProcess(PKPROCESS Process, PKAPC_STATE ApcState) {
    PKTHREAD Thread = KeGetCurrentThread();
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    if (Process == Thread->ApcState.Process) {
        ApcState->Process = KI_ATTACH_NOTHING;
        ApcState->Previous = NULL;
        return;
    }
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    if (Thread->ApcStateIndex != 0) {
        ApcState->Process = Thread->ApcState.Process; /* nested: the caller's state keeps the outer attach */
    } else {
        Thread->SavedApcState = Thread->ApcState;
        Thread->ApcStateIndex = 1;
        ApcState->Process = NULL; /* the first: the thread's SavedApcState keeps its own */
    }
    ApcState->Previous = Thread->AttachStack;
    Thread->AttachStack = ApcState;
    KiSetCurrentProcess(Thread, Process);
    KeLowerRunLevel(Old);
}

VOID KeUnstackDetachProcess(PKAPC_STATE ApcState) {
    PKTHREAD Thread = KeGetCurrentThread();
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    if (ApcState->Process == KI_ATTACH_NOTHING) {
        return;
    }
    if (Thread->ApcStateIndex == 0 || Thread->AttachStack != ApcState) {
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, (ULONG_PTR)ApcState, (ULONG_PTR)Thread,
                     (ULONG_PTR)Thread->ApcState.Process, (ULONG_PTR)Thread->AttachStack);
    }
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    Thread->AttachStack = ApcState->Previous;
    if (ApcState->Process == NULL) {
        KiSetCurrentProcess(Thread, Thread->SavedApcState.Process);
        Thread->ApcState = Thread->SavedApcState;
        Thread->ApcStateIndex = 0;
    } else {
        KiSetCurrentProcess(Thread, ApcState->Process);
    }
    KeLowerRunLevel(Old);
}

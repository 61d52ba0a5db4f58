/* Ps's object types and the System process's object (ps.h; docs/objects.md "Processes and threads as objects"),
 * and the process handle-table hook Ob calls to find the current process's table. */
#include <rtl.h>

#include "psp.h"

POBJECT_TYPE PsProcessType;
POBJECT_TYPE PsThreadType;
PEPROCESS PsInitialSystemProcess;

KSPIN_LOCK PspLock;
PS_STATISTICS PspStatistics;
static volatile ULONG_PTR PspNextId = 4;

HANDLE PspAllocateId(VOID) {
    return (HANDLE)__atomic_add_fetch(&PspNextId, 4, __ATOMIC_RELAXED);
}

/* The EPROCESS of the process the calling thread runs in or is attached to: its KPROCESS's back pointer (NULL for a
 * KPROCESS Ps did not make, and for System before PsInitializeSystem). No lock: the pointer is written once before the
 * KPROCESS can be current anywhere (System's: before the hook is registered, and NULL meant the same until then). */
XTFORCEINLINE PEPROCESS PspCurrentProcess(VOID) {
    return __atomic_load_n(&KeGetCurrentProcess()->ExecutiveProcess, __ATOMIC_ACQUIRE);
}

PEPROCESS PsGetCurrentProcess(VOID) {
    return PspCurrentProcess();
}

/* Ob's hook (ObRegisterProcessHandleTables): Process's table, or with NULL the current process's (the thread's own
 * or the one it is attached to); NULL means the kernel table (System, whose ObjectTable is NULL, and KPROCESSes Ps
 * did not make, whose threads keep the pre-Ps behaviour). Loads only, no lock: O(1) at any RunLevel <=
 * DISPATCH_LEVEL. The table lives until the process object is deleted, and whoever uses it holds a reference to the
 * process (its thread's, an attacher's, the duplicate's). */
static PEX_HANDLE_TABLE PspProcessHandleTable(PVOID Object) {
    PEPROCESS Process = Object != NULL ? Object : PspCurrentProcess();

    return Process != NULL ? __atomic_load_n(&Process->ObjectTable, __ATOMIC_ACQUIRE) : NULL;
}

/* The System process's object: the boot KPROCESS, the kernel handle table, id 4; one permanent reference. */
static VOID PspCreateSystemProcessObject(VOID) {
    PEPROCESS Process;
    XTSTATUS Status;

    Status = ObCreateObject(KernelMode, PsProcessType, NULL, sizeof(EPROCESS), (PVOID *)&Process);
    if (Status == STATUS_SUCCESS) {
        KeInitializeEvent(&Process->ExitEvent, NotificationEvent, FALSE);
        Process->Pcb = KeGetSystemProcess();
        Process->UniqueProcessId = (HANDLE)4;
        Process->Flags = PS_PROCESS_FLAG_SYSTEM;
        Status = ObInsertObject(Process, 0, (PVOID *)&PsInitialSystemProcess, NULL);
    }
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 0x5053, (ULONG_PTR)Status, 0, 0);
    }
    __atomic_store_n(&KeGetSystemProcess()->ExecutiveProcess, PsInitialSystemProcess, __ATOMIC_RELEASE);
}

VOID PsInitializeSystem(VOID) {
    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    KeInitializeSpinLock(&PspLock);
    PsProcessType = ObCreateExecutiveObjectType(u"Process", PROCESS_ALL_ACCESS, PROCESS_QUERY_INFORMATION,
                                                PROCESS_ALL_ACCESS & 0xFFFFu & ~PROCESS_QUERY_INFORMATION,
                                                PspDeleteProcess, 0x5050);
    PsThreadType =
        ObCreateExecutiveObjectType(u"Thread", THREAD_ALL_ACCESS, THREAD_QUERY_INFORMATION,
                                    THREAD_ALL_ACCESS & 0xFFFFu & ~THREAD_QUERY_INFORMATION, PspDeleteThread, 0x5054);
    PspCreateSystemProcessObject();
    ObRegisterProcessHandleTables(PsProcessType, PspProcessHandleTable);
}

VOID PsQueryStatistics(PPS_STATISTICS Statistics) {
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    *Statistics = PspStatistics;
    KeReleaseSpinLock(&PspLock, Old);
}

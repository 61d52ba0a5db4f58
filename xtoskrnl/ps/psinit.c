/* Ps's object types and the System process's object (ps.h; docs/objects.md "Processes and threads as objects"),
 * and the process handle-table hook Ob calls to find the current process's table. */
#include <rtl.h>

#include "psp.h"

POBJECT_TYPE PsProcessType;
POBJECT_TYPE PsThreadType;
PEPROCESS PsInitialSystemProcess;

KSPIN_LOCK PspLock;
PS_STATISTICS PspStatistics;
static PEPROCESS PspProcessHash[PSP_HASH_BUCKETS];
static volatile ULONG_PTR PspNextId = 4;

HANDLE PspAllocateId(VOID) {
    return (HANDLE)__atomic_add_fetch(&PspNextId, 4, __ATOMIC_RELAXED);
}

static ULONG PspHashBucket(PKPROCESS Process) {
    return (ULONG)(((ULONG_PTR)Process >> 6) % PSP_HASH_BUCKETS);
}

VOID PspInsertProcess(PEPROCESS Process) {
    ULONG Bucket = PspHashBucket(Process->Pcb);
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    Process->HashLink = PspProcessHash[Bucket];
    PspProcessHash[Bucket] = Process;
    KeReleaseSpinLock(&PspLock, Old);
}

VOID PspRemoveProcess(PEPROCESS Process) {
    PEPROCESS *Link = &PspProcessHash[PspHashBucket(Process->Pcb)];
    KRUNLEVEL Old;

    KeAcquireSpinLock(&PspLock, &Old);
    while (*Link != NULL && *Link != Process) {
        Link = &(*Link)->HashLink;
    }
    if (*Link == Process) {
        *Link = Process->HashLink;
    }
    KeReleaseSpinLock(&PspLock, Old);
}

/* The EPROCESS over Pcb (under PspLock), or NULL when Ps did not make Pcb. */
static PEPROCESS PspLookupProcessLocked(PKPROCESS Pcb) {
    PEPROCESS Process = PspProcessHash[PspHashBucket(Pcb)];

    while (Process != NULL && Process->Pcb != Pcb) {
        Process = Process->HashLink;
    }
    return Process;
}

PEPROCESS PsGetCurrentProcess(VOID) {
    PKPROCESS Pcb = KeGetCurrentProcess();
    PEPROCESS Process;
    KRUNLEVEL Old;

    if (Pcb == KeGetSystemProcess()) {
        return PsInitialSystemProcess;
    }
    KeAcquireSpinLock(&PspLock, &Old);
    Process = PspLookupProcessLocked(Pcb);
    KeReleaseSpinLock(&PspLock, Old);
    return Process;
}

/* Ob's hook (ObRegisterProcessHandleTables): Process's table, or with NULL the current process's; NULL means the
 * kernel table (System, and KPROCESSes Ps did not make, whose threads keep the pre-Ps behaviour). RunLevel <=
 * DISPATCH_LEVEL. */
static PEX_HANDLE_TABLE PspProcessHandleTable(PVOID Object) {
    PEPROCESS Process = Object;
    PEX_HANDLE_TABLE Table = NULL;
    PKPROCESS Pcb;
    KRUNLEVEL Old;

    if (Process != NULL) {
        return __atomic_load_n(&Process->ObjectTable, __ATOMIC_ACQUIRE);
    }
    Pcb = KeGetCurrentProcess();
    if (Pcb == KeGetSystemProcess()) {
        return NULL;
    }
    KeAcquireSpinLock(&PspLock, &Old);
    Process = PspLookupProcessLocked(Pcb);
    if (Process != NULL) {
        Table = Process->ObjectTable;
    }
    KeReleaseSpinLock(&PspLock, Old);
    return Table;
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

/* The Process and Thread Manager's object types (Ps; issues 11 and 12; docs/objects.md "Processes and threads as
 * objects (ps/)"): EPROCESS and ETHREAD are Object Manager bodies over Ke's KPROCESS and KTHREAD. A process owns a
 * handle table (the current one for handles without OB_KERNEL_HANDLE_FLAG while a thread runs in or is attached to it)
 * and an id; its threads are made by handle with PsCreateSystemThread. When a process's last Ps thread ends, its
 * handle table is destroyed (every handle closed) and the process object is signalled; its KPROCESS and address space
 * go when the last reference to the object goes. */
#ifndef XTOSKRNL_PS_PS_H
#define XTOSKRNL_PS_PS_H

#include <ex.h>
#include <ke.h>
#include <kprocess.h>
#include <kthread.h>
#include <ob.h>
#include <xtbase.h>
#include <xtstatus.h>

/* ---- Access rights (NT values; PROCESS_DUP_HANDLE is in ob.h) ---- */
#define PROCESS_TERMINATE         0x0001u
#define PROCESS_CREATE_THREAD     0x0002u
#define PROCESS_QUERY_INFORMATION 0x0400u
#define PROCESS_ALL_ACCESS        (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFFu)
#define THREAD_TERMINATE          0x0001u
#define THREAD_QUERY_INFORMATION  0x0040u
#define THREAD_ALL_ACCESS         (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFFu)

/* EPROCESS.Flags. */
#define PS_PROCESS_FLAG_SYSTEM     0x1 /* the System process: the kernel table, never exits, never deleted */
#define PS_PROCESS_FLAG_HAD_THREAD 0x2 /* a Ps thread of it started: its KPROCESS will be signalled */
#define PS_PROCESS_FLAG_EXITED     0x4 /* its last Ps thread ended: no new thread, its table is destroyed */

/* The Process object's body. ExitEvent comes first: the body is the dispatcher object NtWaitFor* waits on (Ob waits
 * on the start of a waitable body), set once the handle table is destroyed. Pcb is Ke's pool KPROCESS, not embedded
 * (KeCreateProcess allocates it); its ExecutiveProcess points back here (set before the process can run a thread or
 * be named by a handle), so the current process's EPROCESS and table are loads away, without a lock. */
typedef struct _EPROCESS {
    KEVENT ExitEvent;             /* notification event: signalled when the process exited */
    PKPROCESS Pcb;                /* its KPROCESS (the System process: KeGetSystemProcess()) */
    PEX_HANDLE_TABLE ObjectTable; /* its handles (NULL for System: the kernel table; after exit an empty table) */
    HANDLE UniqueProcessId;       /* 4 for System, then multiples of 4 shared with thread ids, never reused */
    volatile LONG ActiveThreads;  /* its Ps threads not yet in PsTerminateSystemThread (under PspLock) */
    ULONG Flags;                  /* PS_PROCESS_FLAG_* (under PspLock) */
    XTSTATUS ExitStatus;          /* its last thread's exit status */
} EPROCESS, *PEPROCESS;

/* The Thread object's body: ExitEvent first, as for processes (set as the thread ends). Tcb is Ke's pool KTHREAD; the
 * ETHREAD holds one KTHREAD reference (KeDereferenceThread at deletion) and one reference to its process object. */
typedef struct _ETHREAD {
    KEVENT ExitEvent;             /* notification event: signalled when the thread terminated */
    PKTHREAD Tcb;                 /* its KTHREAD */
    PEPROCESS Process;            /* its process (referenced) */
    HANDLE UniqueThreadId;        /* from the same counter as process ids */
    PKSTART_ROUTINE StartRoutine; /* what PsCreateSystemThread was given */
    PVOID StartContext;
    XTSTATUS ExitStatus; /* PsTerminateSystemThread's (STATUS_SUCCESS when the start routine returned) */
} ETHREAD, *PETHREAD;

STATIC_ASSERT(FIELD_OFFSET(EPROCESS, ExitEvent) == 0);
STATIC_ASSERT(FIELD_OFFSET(ETHREAD, ExitEvent) == 0);

/* The types (valid after PsInitializeSystem) and the System process's object. */
extern POBJECT_TYPE PsProcessType;
extern POBJECT_TYPE PsThreadType;
extern PEPROCESS PsInitialSystemProcess;

/* Creates the Process and Thread types, the System process's object and registers the process handle-table hook
 * with Ob. Once, at PASSIVE_LEVEL, after ObInitializeExecutive; a failure is STOP OBJECT_INITIALIZATION_FAILED. */
VOID PsInitializeSystem(VOID);

/* Creates a process (a KPROCESS with its own address space, base priority KE_DEFAULT_PRIORITY, an empty handle
 * table, a new id), no thread yet, and opens a handle with DesiredAccess (ObjectAttributes as ObInsertObject: NULL or
 * a name, OBJ_KERNEL_HANDLE for the kernel table). STATUS_INVALID_PARAMETER for a NULL ProcessHandle, the status of
 * the allocation or of Ob otherwise (nothing kept). PASSIVE_LEVEL. */
XTSTATUS PsCreateSystemProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);

/* Creates a thread of the process ProcessHandle names (PROCESS_CREATE_THREAD; NULL: the System process;
 * NtCurrentProcess(): the caller's) running StartRoutine(StartContext) at PASSIVE_LEVEL in that process's address
 * space, at its base priority, and opens a handle to it. When StartRoutine returns the thread ends as with
 * PsTerminateSystemThread(STATUS_SUCCESS). STATUS_INVALID_PARAMETER for a NULL ThreadHandle or StartRoutine,
 * ObReferenceObjectByHandle's status for a bad process handle, STATUS_PROCESS_IS_TERMINATING once the process
 * exited. PASSIVE_LEVEL. */
XTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PKSTART_ROUTINE StartRoutine, PVOID StartContext);

/* Ends the calling thread, which PsCreateSystemThread made, with ExitStatus: its thread object is signalled; when it
 * is its process's last thread, the process's handle table is destroyed (every handle closed) and then the process
 * object is signalled. Returns STATUS_INVALID_PARAMETER (and does nothing) when the caller is not a Ps thread.
 * PASSIVE_LEVEL, not attached to another process. */
XTSTATUS PsTerminateSystemThread(XTSTATUS ExitStatus);

/* The calling thread's ETHREAD (NULL for a thread Ps did not make) / the EPROCESS of the process whose address space
 * it runs in (PsInitialSystemProcess for System; NULL for a KPROCESS Ps did not make). Not referenced. */
PETHREAD PsGetCurrentThread(VOID);
PEPROCESS PsGetCurrentProcess(VOID);

/* Ps's figures (tests and the report). */
typedef struct _PS_STATISTICS {
    ULONG_PTR ProcessesCreated;
    ULONG_PTR ProcessesExited;  /* handle table destroyed, object signalled */
    ULONG_PTR ProcessesDeleted; /* object deleted: KPROCESS and address space gone */
    ULONG_PTR ThreadsCreated;
    ULONG_PTR ThreadsDeleted;
} PS_STATISTICS, *PPS_STATISTICS;

VOID PsQueryStatistics(PPS_STATISTICS Statistics);

/* BENCH: prints one KE-BENCH line of references by process-table handles (ps/psbench.c). PASSIVE_LEVEL, after
 * PsInitializeSystem, one processor. */
VOID PsRunBenchmarks(VOID);

#endif

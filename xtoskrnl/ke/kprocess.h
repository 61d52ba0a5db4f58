/* The kernel process object (NT's KPROCESS; ke/process.c; docs/kernel.md "Processes"): a dispatcher object with its
 * own address space (the memory manager's MMADDRESS_SPACE, mmspace.h), its threads, a base priority and an affinity.
 * The system process owns the boot, idle and system threads and runs in the boot tables (MmSystemAddressSpace).
 * A context switch loads the new thread's address space into CR3 only when its current process (ApcState.Process:
 * its own, or the one it is attached to) differs from the old thread's. Its own target (//xtoskrnl/ke:process) because
 * it embeds mm.h's MMADDRESS_SPACE while ke.h and kthread.h sit below the memory manager. */
#ifndef XTOSKRNL_KE_KPROCESS_H
#define XTOSKRNL_KE_KPROCESS_H

#include <ke.h>
#include <kthread.h>
#include <mm.h>
#include <xtbase.h>
#include <xtstatus.h>

/* KPROCESS.ProcessFlags. */
#define KPROCESS_FLAG_SYSTEM 0x1 /* the system process: never deleted, never signalled */
#define KPROCESS_FLAG_EXITED 0x2 /* its last thread terminated: it takes no new thread */

/* KPROCESS.ExecutiveProcess is owned by the executive and opaque to Ke, which zeroes it at creation and never reads
 * it: Ps's process object (EPROCESS), so that the current process's EPROCESS and handle table are found from
 * KeGetCurrentProcess() with loads and no lock. Written once, before the process can be current anywhere (before its
 * first thread is created and before a handle to it exists; the system process's before Ps registers its handle-table
 * hook), and never changed while the KPROCESS lives. NULL: a process the executive did not make. */
struct _KPROCESS {
    DISPATCHER_HEADER Header;      /* ProcessObject: signalled when its last thread terminated */
    PMMADDRESS_SPACE AddressSpace; /* &Space, or &MmSystemAddressSpace for the system process */
    PVOID ExecutiveProcess;        /* the executive's, opaque to Ke (above) */
    LIST_ENTRY ThreadListHead;     /* its threads that have not terminated (KTHREAD.ThreadListEntry) */
    KAFFINITY Affinity;            /* its threads' affinity is within it */
    ULONG ThreadCount;             /* threads in ThreadListHead (under the dispatcher lock) */
    volatile LONG AttachCount;     /* threads of other processes attached to it now */
    SCHAR BasePriority;            /* the priority KeCreateThread gives when asked for 0 */
    UCHAR ProcessFlags;            /* KPROCESS_FLAG_* */
    UCHAR Reserved[sizeof(PVOID) - 2];
    MMADDRESS_SPACE Space; /* its own address space (unused by the system process) */
};

/* The system process (every thread KeCreateSystemThread makes belongs to it). */
PKPROCESS KeGetSystemProcess(VOID);

/* The process whose address space the calling thread runs in now: the one it is attached to, else its own. Inline
 * (two loads): ApcState.Process changes only in the thread itself (attach, detach), so a thread moved to another
 * processor between the loads still reads its own. After the dispatcher starts on this processor. */
XTFORCEINLINE PKPROCESS KeGetCurrentProcess(VOID) {
    return KeGetCurrentThread()->ApcState.Process;
}

/* Creates a process (a pool KPROCESS, tag 'KePr') with a new address space (MmCreateProcessAddressSpace: the kernel
 * half shared, an empty user half), no threads, not signalled; BasePriority 1..31, Affinity 0 for every processor.
 * STATUS_INVALID_PARAMETER for a bad priority, STATUS_NO_MEMORY when pool or frames run out (nothing kept).
 * RunLevel PASSIVE_LEVEL. */
XTSTATUS KeCreateProcess(PKPROCESS *Process, KPRIORITY BasePriority, KAFFINITY Affinity);

/* Deletes a process KeCreateProcess made: every frame of its address space and its pool bytes go back. It must have
 * no live thread (wait on it first: it is signalled when its last thread terminated; that thread left the address
 * space before the signal) and no thread attached: STOP PROCESS_DELETED_IN_USE otherwise. RunLevel PASSIVE_LEVEL. */
VOID KeDeleteProcess(PKPROCESS Process);

/* TRUE once Process's last thread terminated. */
LONG KeReadStateProcess(PKPROCESS Process);

/* Creates a thread of Process (NULL: the system process) like KeCreateSystemThread: Priority 1..31 (0: the process's
 * base priority), Affinity within the process's (0: the process's). STATUS_PROCESS_IS_TERMINATING once the process's
 * last thread terminated. The thread runs in the process's address space. RunLevel PASSIVE_LEVEL. */
XTSTATUS KeCreateThread(PKTHREAD *Thread, PKPROCESS Process, KPRIORITY Priority, KAFFINITY Affinity,
                        PKSTART_ROUTINE StartRoutine, PVOID StartContext, ULONG Flags);

/* Attaches the calling thread to Process's address space until KeDetachProcess (NT's rules): attaching to the
 * process it runs in does nothing; attaching while attached is STOP INVALID_PROCESS_ATTACH_ATTEMPT. The address space
 * stays the thread's across pre-emptions and waits. KeDetachProcess returns it to its own process (nothing when it is
 * not attached); undoing a KeStackAttachProcess with it is STOP INVALID_PROCESS_DETACH_ATTEMPT. A thread must not
 * terminate attached (STOP INVALID_PROCESS_ATTACH_ATTEMPT). RunLevel <= DISPATCH_LEVEL. */
VOID KeAttachProcess(PKPROCESS Process);
VOID KeDetachProcess(VOID);

/* Attaches the calling thread to Process, attached or not, saving what it replaces in ApcState (caller storage,
 * in place until the matching KeUnstackDetachProcess); attaches nest, and must be undone innermost first:
 * KeUnstackDetachProcess with another state is STOP INVALID_PROCESS_DETACH_ATTEMPT. Attaching to the process it runs
 * in already does nothing (and so does its detach). RunLevel <= DISPATCH_LEVEL. */
VOID KeStackAttachProcess(PKPROCESS Process, PKAPC_STATE ApcState);
VOID KeUnstackDetachProcess(PKAPC_STATE ApcState);

/* Process figures: made, deleted, live (the system process not counted). */
typedef struct _KPROCESS_STATISTICS {
    ULONGLONG Created;
    ULONGLONG Deleted;
    ULONG Live;
} KPROCESS_STATISTICS, *PKPROCESS_STATISTICS;

VOID KeQueryProcessStatistics(PKPROCESS_STATISTICS Statistics);

#endif

/* Ps-internal: the lock, ids and the delete procedures (ps/). */
#ifndef XTOSKRNL_PS_PSP_H
#define XTOSKRNL_PS_PSP_H

#include <ke.h>
#include <kelock.h>
#include <ps.h>

/* DISPATCH_LEVEL: EPROCESS.ActiveThreads/Flags/ExitStatus, the statistics. Not the way to a process's table: that is
 * KPROCESS.ExecutiveProcess (set once at creation) and EPROCESS.ObjectTable (set once, before any handle to the
 * process exists), read without a lock. */
extern KSPIN_LOCK PspLock;
extern PS_STATISTICS PspStatistics;

HANDLE PspAllocateId(VOID);
VOID PspDeleteProcess(PVOID Object);
VOID PspDeleteThread(PVOID Object);

#endif

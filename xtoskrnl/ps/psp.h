/* Ps-internal: the lock, the KPROCESS -> EPROCESS map, ids and the delete procedures (ps/). */
#ifndef XTOSKRNL_PS_PSP_H
#define XTOSKRNL_PS_PSP_H

#include <ke.h>
#include <kelock.h>
#include <ps.h>

#define PSP_HASH_BUCKETS 64

/* DISPATCH_LEVEL: the process map, EPROCESS.ActiveThreads/Flags/ObjectTable changes, the statistics. */
extern KSPIN_LOCK PspLock;
extern PS_STATISTICS PspStatistics;

HANDLE PspAllocateId(VOID);
VOID PspInsertProcess(PEPROCESS Process);
VOID PspRemoveProcess(PEPROCESS Process);
VOID PspDeleteProcess(PVOID Object);
VOID PspDeleteThread(PVOID Object);

#endif

/* Kernel pager: system PTE space (a bitmap of VA pages backed on demand) and the kernel VA regions. */
#ifndef XTOSKRNL_MM_PAGER_MMPAGER_H
#define XTOSKRNL_MM_PAGER_MMPAGER_H

#include <xtboot.h>
#include <xtstatus.h>

#include "pager.h"

#define MM_SYSTEM_PTE_MISUSE 0xDA /* NT SYSTEM_PTE_MISUSE */

/* Sets up the system PTE bitmap (its own pages at the start of the region). Needs the PFN database. */
XTSTATUS MmInitializePager(PXT_INIT_BLOCK InitBlock);

/* Pages of system PTE space in use and in total. */
VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total);

/* Names the kernel region Va belongs to, for fault reports ("system PTEs (unmapped: guard or freed page)", ...). */
PCSTR MmDescribeAddress(ULONG_PTR Va);

#endif

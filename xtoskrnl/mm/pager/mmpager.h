/* Kernel pager: system PTE space (a bitmap of VA pages backed on demand). */
#ifndef XTOSKRNL_MM_PAGER_MMPAGER_H
#define XTOSKRNL_MM_PAGER_MMPAGER_H

#include <xtboot.h>
#include <xtstatus.h>

#include "pager.h"

/* Sets up the system PTE bitmap (its own pages at the start of the region). Needs the PFN database. */
XTSTATUS MmInitializePager(VOID);

/* Pages of system PTE space in use and in total. */
VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total);

#endif

/* Kernel pager: system PTE space (a bitmap of VA pages backed on demand). */
#ifndef XTOSKRNL_MM_PAGER_MMPAGER_H
#define XTOSKRNL_MM_PAGER_MMPAGER_H

#include <xtboot.h>
#include <xtstatus.h>

#include "pager.h"

/* Sets up the system PTE bitmap (its own pages at the start of the region). Needs the PFN database. */
XTSTATUS MmInitializePager(VOID);

/* Maps Count frames of device memory from FirstPfn (frames without PFN entries: a framebuffer, MMIO) into
 * contiguous system PTE space, read-write and no-execute, with no physical frame taken for them. Returns the VA of
 * the first page, or NULL when VA or page-table frames run out or a frame is beyond what the paging mode maps. */
PVOID MmMapSystemIoPages(ULONGLONG FirstPfn, SIZE_T Count);

/* Unmaps pages mapped by MmMapSystemIoPages (same Count); the frames stay untouched. A bad range is a STOP. */
VOID MmUnmapSystemIoPages(PVOID Address, SIZE_T Count);

/* Pages of system PTE space in use and in total. */
VOID MmQuerySystemPtes(PULONG_PTR Used, PULONG_PTR Total);

#endif

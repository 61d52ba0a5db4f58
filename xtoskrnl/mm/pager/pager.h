/* Memory manager pager: system virtual address space backed by physical frames (interface; implemented by the
 * kernel's pager, and by fake pagers in host tests). */
#ifndef XTOSKRNL_MM_PAGER_PAGER_H
#define XTOSKRNL_MM_PAGER_PAGER_H

#include <xtbase.h>

#define MM_SYSTEM_PAGES_GUARD_AFTER  0x1 /* leave one unmapped guard page right after the block (special pool) */
#define MM_SYSTEM_PAGES_GUARD_BEFORE 0x2 /* and/or right before it (kernel stacks: MmCreateKernelStack) */

/* Reserves Count contiguous system VA pages and backs them with physical frames, read-write, non-executable; a guard
 * page (MM_SYSTEM_PAGES_GUARD_*) is reserved VA that never gets a frame. Returns the first backed page; NULL when VA
 * or frames are exhausted. */
PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags);

/* Releases pages obtained from MmAllocateSystemPages (same Count and Flags). With other processors running, the
 * frames and VA of ranges below MM_DEFERRED_FLUSH_PAGES pages (not special pool) wait for a batched shootdown. */
VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags);

/* Shoots down the system pages whose release MmFreeSystemPages deferred (up to 16 freed ranges or 64 pages wait for
 * one IPI round), then frees their frames and VA; returns how many pages that was. RunLevel <= DISPATCH_LEVEL, no MM
 * lock held. Tests call it before counting free frames. */
ULONG_PTR MmFlushDeferredSystemPages(VOID);

/* Page tables created for system PTE space so far (they are never freed): tests that count free frames across
 * allocations whose VA wanders add them back. */
ULONG_PTR MmQuerySystemPteTableFrames(VOID);

/* Frees of this many pages or more are never deferred. */
#define MM_DEFERRED_FLUSH_PAGES 64

#endif

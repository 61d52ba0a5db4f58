/* XTLDR page-table builder: the kernel's tables for PML2, PML3 (PAE), PML4 and PML5, built in memory the loader
 * allocated. Generic code: the same source builds every mode and is host-tested against a reference walker. */
#ifndef XTLDR_PAGING_H
#define XTLDR_PAGING_H

#include <xtboot.h>
#include <xtpaging.h>
#include <xtstatus.h>

/* Protection of a mapping; read access is implied. */
#define BL_MAP_READ    0x0
#define BL_MAP_WRITE   0x1
#define BL_MAP_EXECUTE 0x2

typedef struct _BL_PAGING_MODE_INFO {
    ULONG Mode;            /* XT_PAGING_MODE */
    ULONG Levels;          /* table levels, 2..5 */
    ULONG EntrySize;       /* 4 (PML2) or 8 bytes */
    ULONG IndexBits;       /* bits of VA per level below the top: 10 (PML2) or 9 */
    ULONG TopIndexBits;    /* bits of VA resolved by the top level: 10, 2, 9, 9 */
    ULONG VaBits;          /* canonical VA width: 32, 32, 48, 57 */
    ULONGLONG MaxPhysical; /* first physical address an entry cannot hold */
} BL_PAGING_MODE_INFO, *PBL_PAGING_MODE_INFO;

/* Allocates one zeroed, 4 KiB-aligned page-table frame; returns its physical address or 0. */
typedef ULONGLONG (*PBL_ALLOCATE_TABLE)(PVOID Context);
/* Returns a pointer through which the loader can write physical address Address. */
typedef PVOID (*PBL_PHYSICAL_TO_POINTER)(PVOID Context, ULONGLONG Address);

typedef struct _BL_PAGE_MAP {
    const BL_PAGING_MODE_INFO *Mode;
    BOOLEAN NxEnabled; /* set NX on non-executable leaves (64-bit entries only) */
    ULONGLONG Root;    /* physical address of the top-level table (CR3) */
    PBL_ALLOCATE_TABLE AllocateTable;
    PBL_PHYSICAL_TO_POINTER PhysicalToPointer;
    PVOID Context;
    PULONGLONG Frames; /* PFN of every table frame, Root first */
    ULONG FrameCount;
    ULONG FrameCapacity;
} BL_PAGE_MAP, *PBL_PAGE_MAP;

/* Returns the description of a paging mode, or NULL for an unknown mode. */
const BL_PAGING_MODE_INFO *BlGetPagingModeInfo(ULONG Mode);

/* Creates an empty hierarchy (PML3: the PDPT and its four page directories) with the recursive self-map. */
XTSTATUS BlInitializePageMap(PBL_PAGE_MAP Map, ULONG Mode, BOOLEAN NxEnabled, PBL_ALLOCATE_TABLE AllocateTable,
                             PBL_PHYSICAL_TO_POINTER PhysicalToPointer, PVOID Context, PULONGLONG Frames,
                             ULONG FrameCapacity);

/* Maps Pages 4 KiB pages from VirtualAddress to PhysicalAddress with Protection. Fails on an existing mapping,
 * a non-canonical or unaligned address, a physical address the mode cannot hold, or W+X. */
XTSTATUS BlMapPages(PBL_PAGE_MAP Map, ULONGLONG VirtualAddress, ULONGLONG PhysicalAddress, ULONGLONG Pages,
                    ULONG Protection);

/* Creates the page tables covering [VirtualAddress, +Pages) without mapping anything (for kernel windows). */
XTSTATUS BlPreparePageTables(PBL_PAGE_MAP Map, ULONGLONG VirtualAddress, ULONGLONG Pages);

/* Returns TRUE when VirtualAddress is canonical for the mode. */
BOOLEAN BlIsCanonicalAddress(const BL_PAGING_MODE_INFO *Mode, ULONGLONG VirtualAddress);

#endif

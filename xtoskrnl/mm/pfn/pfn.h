/* Memory manager PFN database: one entry per physical frame, free and zeroed lists, O(1) allocation. */
#ifndef XTOSKRNL_MM_PFN_PFN_H
#define XTOSKRNL_MM_PFN_PFN_H

#include <xtboot.h>
#include <xtstatus.h>

/* Frame states. Zero is a hole: entries of frames that do not exist, in database pages shared with real ones. */
typedef enum _MMPFN_STATE {
    MmPfnHole = 0,
    MmPfnFree,          /* on the free list */
    MmPfnZeroed,        /* on the zeroed list */
    MmPfnActive,        /* allocated */
    MmPfnBad,           /* never handed out */
    MmPfnFirmware,      /* firmware-owned RAM (ACPI, runtime services): never handed out */
    MmPfnLoader,        /* the loader's hand-over: kernel image, init block, stacks, page tables */
    MmPfnReclaimable,   /* boot-services and loader memory, freed by MmReclaimLoaderMemory */
    MmPfnDatabaseFrame, /* backs the PFN database itself or its page tables */
    MmPfnStateCount
} MMPFN_STATE;

#define MM_PFN_NONE ((ULONG_PTR) ~(ULONG_PTR)0)

/* 20 bytes on i686, 32 on amd64 (NT: 24/28/48). Links are frame numbers, not pointers. */
typedef struct _MMPFN {
    ULONG_PTR Flink;       /* next frame on the entry's list */
    ULONG_PTR Blink;       /* previous frame on the entry's list */
    ULONG_PTR PteAddress;  /* VA of the PTE that maps the frame (active frames), 0 when none */
    ULONG ShareCount;      /* number of PTEs mapping the frame */
    USHORT ReferenceCount; /* references that keep the frame allocated */
    UCHAR State;           /* MMPFN_STATE */
    UCHAR Flags;
} MMPFN, *PMMPFN;

STATIC_ASSERT(sizeof(MMPFN) == (sizeof(PVOID) == 8 ? 32 : 20));
STATIC_ASSERT(sizeof(MMPFN) <= (sizeof(PVOID) == 8 ? 32 : 24)); /* design.md section 6 */

typedef struct _MMPFN_LIST {
    ULONG_PTR Head;
    ULONG_PTR Tail;
    ULONG_PTR Count;
} MMPFN_LIST, *PMMPFN_LIST;

/* Zones: frames below 4 GiB (page tables, 32-bit devices) and above. Ordinary allocations use the high zone first. */
#define MM_PFN_ZONE_LOW   0
#define MM_PFN_ZONE_HIGH  1
#define MM_PFN_ZONE_COUNT 2
#define MM_PFN_LOW_LIMIT  0x100000 /* first frame of the high zone: 4 GiB */

typedef struct _MMPFN_DATABASE {
    PMMPFN Entries;       /* indexed by frame number; only pages covering real frames are backed */
    ULONG_PTR HighestPfn; /* last frame with an entry */
    MMPFN_LIST FreeList[MM_PFN_ZONE_COUNT];
    MMPFN_LIST ZeroedList[MM_PFN_ZONE_COUNT];
    ULONG_PTR StateCount[MmPfnStateCount];
    const XT_MEMORY_DESCRIPTOR *Descriptors; /* the ranges that have entries */
    ULONG DescriptorCount;
} MMPFN_DATABASE, *PMMPFN_DATABASE;

/* TRUE for descriptor types whose frames get PFN entries (RAM); MMIO and persistent memory get none. */
BOOLEAN MmIsRamDescriptor(ULONG MemoryType);

/* Copies the RAM descriptors of a loader map that may be hostile into Output: drops empty ranges, clips them below
 * Limit (a frame number), sorts them, and resolves overlaps so that a frame is never free when any range says it is
 * in use (a free range loses the overlap, and is split around a used range it encloses). Returns the count. */
ULONG MmSanitizeDescriptors(const XT_MEMORY_DESCRIPTOR *Input, ULONG Count, ULONGLONG Limit,
                            PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity);

/* Highest frame of any RAM descriptor + 1; 0 when there is none. */
ULONG_PTR MmGetPfnDatabaseEntryCount(const XT_MEMORY_DESCRIPTOR *Descriptors, ULONG Count);

/* Writes every entry of every RAM descriptor once, whole, and builds the lists (Entries backed; entries of frames
 * outside RAM descriptors must already be zero). Descriptors must stay valid (the consistency checker walks them). */
VOID MmInitializePfnEntries(PMMPFN_DATABASE Database, PMMPFN Entries, const XT_MEMORY_DESCRIPTOR *Descriptors,
                            ULONG Count);

/* Takes a frame off the zeroed list (PreferZeroed) or the free list first, falling back to the other list, from the
 * high zone then the low one (LowOnly: the low zone only); the frame's state becomes Active with one reference.
 * *Zeroed tells whether its content is known to be zero. MM_PFN_NONE when no frame is left. O(1). */
ULONG_PTR MmAllocatePfn(PMMPFN_DATABASE Database, BOOLEAN PreferZeroed, BOOLEAN LowOnly, PBOOLEAN Zeroed);

/* Free and zeroed frames, all zones. */
ULONG_PTR MmCountFreePfns(const MMPFN_DATABASE *Database);

/* Returns an Active frame to the free list (Zeroed: its content is zero, so it goes to the zeroed list). O(1).
 * STATUS_INVALID_PARAMETER for a frame that is not Active (double free, stray number): nothing changes. */
XTSTATUS MmFreePfn(PMMPFN_DATABASE Database, ULONG_PTR Pfn, BOOLEAN Zeroed);

/* Allocates Count contiguous free frames below MaxPfn (exclusive) whose first frame is a multiple of Alignment
 * (a power of two, in frames). Returns the first frame or MM_PFN_NONE. Linear in the database: for rare callers. */
ULONG_PTR MmAllocateContiguousPfns(PMMPFN_DATABASE Database, ULONG_PTR Count, ULONG_PTR MaxPfn, ULONG_PTR Alignment);

/* Moves a frame of any non-list state to State (used to keep loader frames found in use). */
VOID MmSetPfnState(PMMPFN_DATABASE Database, ULONG_PTR Pfn, MMPFN_STATE State);

/* Moves every frame in State to the free list; returns how many. State must be an initial state (Reclaimable):
 * only the ranges that started in it are scanned. */
ULONG_PTR MmReleasePfnState(PMMPFN_DATABASE Database, MMPFN_STATE State);

/* Checks that every frame is in exactly one state, list links are consistent, list lengths and per-state counters
 * match the entries. Returns the number of problems (0 = consistent). */
ULONG_PTR MmCheckPfnDatabase(const MMPFN_DATABASE *Database);

#endif

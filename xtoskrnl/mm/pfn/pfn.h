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
    ULONG ReleasedStates; /* 1 << state for each state MmReleasePfnState has released: later entries start free */
    ULONG_PTR ReadyLimit; /* entries of frames below it are written and counted; above it they are not yet backed */
} MMPFN_DATABASE, *PMMPFN_DATABASE;

/* Entries of frames [First, Limit) written outside the PFN lock and not yet visible: their free frames are chained
 * per zone but not on the database's lists, and their states are not counted (deferred initialisation). */
typedef struct _MMPFN_CHUNK {
    ULONG_PTR First;
    ULONG_PTR Limit;
    MMPFN_LIST Free[MM_PFN_ZONE_COUNT];
    ULONG_PTR StateCount[MmPfnStateCount];
    ULONG ReleasedStates; /* the database's when the chunk was prepared */
} MMPFN_CHUNK, *PMMPFN_CHUNK;

/* TRUE for descriptor types whose frames get PFN entries (RAM); MMIO and persistent memory get none. */
BOOLEAN MmIsRamDescriptor(ULONG MemoryType);

/* What MmSanitizeMemoryMap did. */
typedef struct _MM_SANITIZE_RESULT {
    ULONG Count;                /* descriptors written to Output */
    ULONG RamRanges;            /* input ranges considered: RAM types, not empty, starting below Limit */
    ULONGLONG FreePagesDropped; /* free pages left out because Output was full (never used: safe) */
    BOOLEAN InUseDropped;       /* in-use ranges did not fit in Output: then no frame at all is left free */
    ULONGLONG Steps;            /* comparisons and segments: the work done, O(n log n) in RamRanges */
} MM_SANITIZE_RESULT, *PMM_SANITIZE_RESULT;

/* Scratch ULONGs MmSanitizeMemoryMap needs for a map of Ranges RAM ranges. */
#define MM_SANITIZE_SCRATCH_ENTRIES(Ranges) (2 * (SIZE_T)(Ranges))

/* Turns the RAM descriptors of a loader map that may be hostile into Output: empty ranges dropped, ranges clipped
 * below Limit (a frame number), sorted, without overlaps, adjacent ranges of one type merged. Where ranges overlap,
 * each frame takes the most restrictive type that covers it: bad > in use > reclaimable (firmware temporary, loader
 * heap) > free, then the higher type value; so a frame is never free (nor reclaimable) when any range says it is in
 * use. O(n log n) in the number of ranges, whatever their overlaps. Scratch holds MM_SANITIZE_SCRATCH_ENTRIES(RAM
 * ranges) ULONGs. Returns STATUS_SUCCESS; STATUS_BUFFER_OVERFLOW when free ranges did not fit in Capacity and were
 * left out (safe, less memory); STATUS_BUFFER_TOO_SMALL when in-use ranges did not fit: Output then holds no free
 * frame, and the map must be refused; STATUS_INSUFFICIENT_RESOURCES when Scratch is too small (Output empty). */
XTSTATUS MmSanitizeMemoryMap(const XT_MEMORY_DESCRIPTOR *Input, ULONG Count, ULONGLONG Limit, PULONG Scratch,
                             SIZE_T ScratchEntries, PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity,
                             PMM_SANITIZE_RESULT Result);

/* Highest frame of any RAM descriptor + 1; 0 when there is none. */
ULONG_PTR MmGetPfnDatabaseEntryCount(const XT_MEMORY_DESCRIPTOR *Descriptors, ULONG Count);

/* Writes every entry of every RAM descriptor once, whole, and builds the lists (Entries backed; entries of frames
 * outside RAM descriptors must already be zero). Descriptors must be sorted and must not overlap (as
 * MmSanitizeMemoryMap leaves them), and stay valid: frame checks and the consistency checker walk them. */
VOID MmInitializePfnEntries(PMMPFN_DATABASE Database, PMMPFN Entries, const XT_MEMORY_DESCRIPTOR *Descriptors,
                            ULONG Count);

/* MmInitializePfnEntries for the frames below ReadyLimit only, as the database's first chunk (the rest of the
 * descriptors' entries stay unwritten and unbacked until MmPreparePfnEntries / MmPublishPfnEntries reach them, in
 * ascending order). */
VOID MmInitializePfnEntriesBelow(PMMPFN_DATABASE Database, PMMPFN Entries, const XT_MEMORY_DESCRIPTOR *Descriptors,
                                 ULONG Count, ULONG_PTR ReadyLimit);

/* Writes the entries of the RAM frames in [First, Limit) into Chunk's keeping without touching anything another
 * processor reads: no lock needed. First must be the database's ReadyLimit when the chunk is published; the
 * database pages holding those entries must be backed and zeroed (holes read as zero). */
VOID MmPreparePfnEntries(PMMPFN_DATABASE Database, PMMPFN_CHUNK Chunk, ULONG_PTR First, ULONG_PTR Limit);

/* Makes a prepared chunk part of the database (under the PFN lock): its free frames join the lists in O(1), its
 * states are counted, ReadyLimit moves to its end, and states released since it was prepared are released in it.
 * STATUS_INVALID_PARAMETER (nothing changes) when the chunk does not start at ReadyLimit. */
XTSTATUS MmPublishPfnEntries(PMMPFN_DATABASE Database, PMMPFN_CHUNK Chunk);

/* Takes a frame off the zeroed list (PreferZeroed) or the free list first, falling back to the other list, from the
 * high zone then the low one (LowOnly: the low zone only); the frame's state becomes Active with one reference.
 * *Zeroed tells whether its content is known to be zero. MM_PFN_NONE when no frame is left. O(1). */
ULONG_PTR MmAllocatePfn(PMMPFN_DATABASE Database, BOOLEAN PreferZeroed, BOOLEAN LowOnly, PBOOLEAN Zeroed);

/* TRUE for RAM descriptor types whose frames count as usable RAM: neither the firmware's nor bad. */
BOOLEAN MmIsUsableRamDescriptor(ULONG MemoryType);

/* Frames of [First, Limit) in RAM descriptors whose frames count as usable RAM (neither firmware nor bad), whether
 * their entries are written yet or not. O(descriptors). */
ULONGLONG MmCountRamPfns(const MMPFN_DATABASE *Database, ULONG_PTR First, ULONG_PTR Limit);

/* Free and zeroed frames, all zones. */
ULONG_PTR MmCountFreePfns(const MMPFN_DATABASE *Database);

/* TRUE when Pfn lies in a RAM descriptor of the database below ReadyLimit, so that its entry is backed and written.
 * O(log descriptors). */
BOOLEAN MmIsPfnBacked(const MMPFN_DATABASE *Database, ULONG_PTR Pfn);

/* Returns an Active frame to the free list (Zeroed: its content is zero, so it goes to the zeroed list).
 * O(log descriptors). STATUS_NOT_FOUND for a frame without an entry (outside every RAM descriptor: its entry is
 * never read, its database page may not be mapped); STATUS_INVALID_PARAMETER for a frame that is not Active (double
 * free): nothing changes. */
XTSTATUS MmFreePfn(PMMPFN_DATABASE Database, ULONG_PTR Pfn, BOOLEAN Zeroed);

/* Allocates Count contiguous free frames below MaxPfn (exclusive) whose first frame is a multiple of Alignment
 * (a power of two, in frames), inside one RAM descriptor. Returns the first frame or MM_PFN_NONE (also for counts
 * and alignments too large for any range: no arithmetic wraps). Linear in the database: for rare callers. */
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

/* Per-process address spaces (mm/space.c; docs/memory-manager.md "Per-process address spaces"): the object the
 * dispatcher embeds in KPROCESS, its creation and deletion, the CR3 switch and the attach primitive.
 *
 * Contract. An MMADDRESS_SPACE is caller storage (KPROCESS embeds one), initialised by MmCreateProcessAddressSpace
 * and torn down by MmDeleteProcessAddressSpace, which returns every frame it took (top-level tables, the user half's
 * page tables and the pages mapped there). Its kernel half is the kernel's in every paging mode: a kernel page table
 * created at any time, in any space, is visible in every space at once (kernel-directory entries are copied into
 * every space under the PFN lock); its user half starts empty; its self-map shows its own tables. A processor runs in
 * one space at a time: MmSwitchAddressSpace loads CR3 at DISPATCH_LEVEL or above (the dispatcher calls it on a
 * context switch between processes; no thread switch can happen meanwhile). A space may only be deleted when no
 * processor runs in it (a STOP otherwise). */
#ifndef XTOSKRNL_MM_MMSPACE_H
#define XTOSKRNL_MM_MMSPACE_H

#include <ke.h>
#include <xtstatus.h>

typedef struct _MMADDRESS_SPACE {
    ULONGLONG DirectoryTableBase;   /* NT's KPROCESS field: the CR3 value (PML3: the PDPT, below 4 GiB) */
    ULONGLONG TableFrames[4];       /* the top-level frames it owns: 1, or PML3's PDPT, PD0, PD1, PD3 */
    ULONG TableFrameCount;          /* 1 or 4 */
    ULONGLONG KernelDirectory;      /* the frame whose kernel entries mirror every space's (PML3: PD3) */
    struct _MMADDRESS_SPACE *Flink; /* every space, under the PFN lock (kernel entries are copied to each) */
    struct _MMADDRESS_SPACE *Blink;
    volatile ULONGLONG ActiveProcessors; /* bit N: processor N's CR3 is this space (shootdowns reach these) */
    volatile ULONGLONG PcidValid;  /* bit N: processor N's TLB entries of Pcid match the tables (no flush needed) */
    ULONG Pcid;                    /* amd64 with PCIDs: 1..4094 its own, 4095 shared (always flushed); else 0 */
    volatile ULONG_PTR UserPages;  /* pages mapped in the user half (MmMapUserPage) */
    volatile ULONG_PTR UserTables; /* page-table frames of the user half */
} MMADDRESS_SPACE, *PMMADDRESS_SPACE;

/* The kernel's own space: the boot tables (the idle and system processes run in it). */
extern MMADDRESS_SPACE MmSystemAddressSpace;

/* Initialises Space as a new address space: top-level table(s) from the low zone (below 4 GiB), the kernel half
 * shared, its own self-map, an empty user half. RunLevel <= DISPATCH_LEVEL. STATUS_NO_MEMORY when frames run out
 * (nothing taken). */
XTSTATUS MmCreateProcessAddressSpace(PMMADDRESS_SPACE Space);

/* Returns every frame of Space (the pages mapped in its user half, its page tables, its top-level tables). No
 * processor may run in it: a STOP MEMORY_MANAGEMENT (MM_SPACE_IN_USE) otherwise. RunLevel <= DISPATCH_LEVEL. */
VOID MmDeleteProcessAddressSpace(PMMADDRESS_SPACE Space);

/* Loads New's CR3 on this processor at RunLevel >= DISPATCH_LEVEL (below: STOP IRQL_NOT_GREATER_OR_EQUAL) and
 * returns the space it ran in. Without PCIDs the load drops every translation (no kernel page is global then). With
 * PCIDs (amd64 CPUs that have them) the load keeps New's translations (CR3 bit 63) when this processor's bit is in
 * New->PcidValid, else flushes New's PCID; kernel pages are global and belong to every PCID. */
PMMADDRESS_SPACE MmSwitchAddressSpace(PMMADDRESS_SPACE New);

/* Sets up this processor's paging for address spaces (CR4.PGE and CR4.PCIDE when PCIDs are used); every application
 * processor calls it once at start, in the system's space. */
VOID MmInitializeProcessorPaging(VOID);

/* The space this processor runs in. */
PMMADDRESS_SPACE MmGetCurrentAddressSpace(VOID);

/* What MmAttachAddressSpace saved. */
typedef struct _MM_ATTACH_STATE {
    PMMADDRESS_SPACE Previous;
    KRUNLEVEL RunLevel; /* the RunLevel to return to */
    BOOLEAN Raised;
} MM_ATTACH_STATE, *PMM_ATTACH_STATE;

/* Runs this processor in Space until MmDetachAddressSpace(State): raises to DISPATCH_LEVEL (kept if higher), so no
 * thread switch can happen meanwhile. The base KeAttachProcess / KeStackAttachProcess build on. */
VOID MmAttachAddressSpace(PMMADDRESS_SPACE Space, PMM_ATTACH_STATE State);
VOID MmDetachAddressSpace(PMM_ATTACH_STATE State);

/* Test-facing: maps frame Pfn (now owned by Space: freed by MmUnmapUserPage or the deletion) at the user-half page Va
 * of Space, read-write and (where the mode has it) no-execute, creating the user page tables it needs. Supervisor
 * pages: there is no user mode yet (and SMAP would forbid the kernel's own reads). STATUS_INVALID_PARAMETER for a
 * kernel or unaligned Va, STATUS_CONFLICTING_ADDRESSES when mapped, STATUS_NO_MEMORY without table frames. */
XTSTATUS MmMapUserPage(PMMADDRESS_SPACE Space, ULONG_PTR Va, ULONG_PTR Pfn);

/* Test-facing: MmMapUserPage of a new zeroed frame (freed like the others); STATUS_NO_MEMORY without a frame. For
 * callers that cannot reach the PFN allocator (the process tests in ke/tests). */
XTSTATUS MmMapNewUserPage(PMMADDRESS_SPACE Space, ULONG_PTR Va);

/* Unmaps the user page Va of Space, shoots its translation down on every processor running in Space, and frees its
 * frame. STATUS_NOT_FOUND when it is not mapped. RunLevel < DISPATCH_LEVEL when other processors run (the IPI). */
XTSTATUS MmUnmapUserPage(PMMADDRESS_SPACE Space, ULONG_PTR Va);

/* Counters for tests and benchmarks. */
typedef struct _MM_SPACE_STATISTICS {
    ULONG_PTR Spaces;  /* live spaces, the system's included */
    ULONGLONG Created; /* MmCreateProcessAddressSpace successes */
    ULONGLONG Deleted;
    ULONGLONG EntriesCopied; /* kernel-directory entries written into other spaces after they were created */
    ULONGLONG Switches;      /* CR3 loads by MmSwitchAddressSpace */
    ULONGLONG Shootdowns;    /* MmUnmapUserPage flushes sent to other processors */
    ULONGLONG CleanSwitches; /* switches that keep (with PCIDs) the space's translations: no flush */
    BOOLEAN Pcids;           /* CR4.PCIDE is on: a PCID per space, kernel pages global */
    BOOLEAN PcidsTracked;    /* amd64: PCIDs assigned and PcidValid kept even where the CPU has none */
} MM_SPACE_STATISTICS, *PMM_SPACE_STATISTICS;

VOID MmQueryAddressSpaces(PMM_SPACE_STATISTICS Statistics);

#endif

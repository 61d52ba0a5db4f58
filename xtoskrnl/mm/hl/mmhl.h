/* Memory manager hardware layer (Mmh): one table of page-map operations per paging mode (PML2, PML3, PML4, PML5),
 * bound once at boot from the init block and checked against the CPU's paging registers. Generic code calls the
 * bound table and never branches on the mode. Also: the early "HAL window" for mapping physical pages. */
#ifndef XTOSKRNL_MM_HL_MMHL_H
#define XTOSKRNL_MM_HL_MMHL_H

#include <xtbase.h>
#include <xtboot.h>
#include <xtpaging.h>
#include <xtstatus.h>

/* The HAL window: a VA range whose page table(s) the loader pre-creates (all PTEs not present), where the kernel
 * maps physical pages before the memory manager is up (ACPI tables, ...). 2 MiB on both arches:
 *   amd64 (PML4, PML5): 0xFFFFFFFFFFC00000 .. 0xFFFFFFFFFFDFFFFF  (PML4/PML5 slot 511, PDPT 511, PD 510: 1 table)
 *   i686 (PML2, PML3):  0xFFC00000 .. 0xFFDFFFFF  (PML3: PD[3] slot 0x1FE; PML2: PDE 0x3FF, whose table spans 4 MiB)
 * The last page of the window is never mapped: a known-unmapped VA with a page table (TESTFAULT=PAGE/DOUBLE). */
#define MM_HAL_WINDOW_PAGES (MM_HAL_WINDOW_SIZE / MM_PAGE_SIZE)

/* MakeLeafEntry flags. */
#define MMH_MAP_WRITABLE   0x1
#define MMH_MAP_NO_EXECUTE 0x2 /* ignored by PML2 (no NX bit); honoured only while EFER.NXE is on */

/* The page-map operations of one paging mode. Virtual addresses are ULONGLONG so that the arithmetic of every mode
 * builds (and is unit-tested) on any host; entries are returned widened to 64 bits. */
typedef struct _MMH_PAGE_MAP_OPS {
    ULONG Mode;             /* XT_PAGING_MODE */
    PCSTR Name;             /* "PML2" .. "PML5" */
    ULONG Levels;           /* levels of translation the self-map exposes: PML3 exposes 2 (its PDPT is not a table) */
    ULONG EntrySize;        /* bytes per entry: 4 or 8 */
    ULONG VaBits;           /* 32, 48 or 57 */
    ULONGLONG MaxPfn;       /* largest page frame number an entry can hold */
    ULONGLONG NoExecuteBit; /* the NX bit of an entry, 0 when the mode has none */
    ULONG Cr4Required;      /* CR4 bits that must be set in this mode */
    ULONG Cr4Absent;        /* CR4 bits that must be clear */
    BOOLEAN LongMode;       /* EFER.LMA must be 1 (TRUE) or 0 when EFER exists (FALSE) */
    /* VA, through the self-map, of the level-Level entry (1 = PTE, 2 = PDE, ...) that maps Va. */
    ULONGLONG (*GetEntryAddress)(ULONGLONG Va, ULONG Level);
    /* A present leaf (4 KiB) entry for Pfn with MMH_MAP_* Flags. */
    ULONGLONG (*MakeLeafEntry)(ULONGLONG Pfn, ULONG Flags);
    /* Reads / writes the entry at EntryVa (writes order the halves so the CPU never sees a torn present entry). */
    ULONGLONG (*ReadEntry)(ULONGLONG EntryVa);
    VOID (*WriteEntry)(ULONGLONG EntryVa, ULONGLONG Value);
} MMH_PAGE_MAP_OPS, *PMMH_PAGE_MAP_OPS;

typedef const MMH_PAGE_MAP_OPS *PCMMH_PAGE_MAP_OPS;

/* The four modes (each file builds on any host; a kernel links the two of its arch). */
extern const MMH_PAGE_MAP_OPS MmhPml2Ops;
extern const MMH_PAGE_MAP_OPS MmhPml3Ops;
extern const MMH_PAGE_MAP_OPS MmhPml4Ops;
extern const MMH_PAGE_MAP_OPS MmhPml5Ops;

/* Address of the level-Level entry for Va in a recursive map whose level-1 entries start at PteBase: applies
 * "PteBase + ((A & VaMask) >> 12) * EntrySize" Level times (the self-map identity). */
ULONGLONG MmhSelfMapEntryAddress(ULONGLONG PteBase, ULONGLONG VaMask, ULONG EntrySize, ULONGLONG Va, ULONG Level);

/* Why a paging mode does not match the CPU (MmhCheckPagingRegisters). */
typedef enum _MMH_MODE_CHECK {
    MmhModeOk = 0,
    MmhModeUnknown,       /* no table for this mode in this kernel (wrong arch) */
    MmhModePagingOff,     /* CR0.PG = 0 */
    MmhModeCr4Missing,    /* a bit of Cr4Required is clear */
    MmhModeCr4Unexpected, /* a bit of Cr4Absent is set */
    MmhModeLongMode       /* EFER.LMA does not match */
} MMH_MODE_CHECK;

/* Checks that Ops' mode is the one CR0/CR4/EFER describe (EferPresent: the CPU has IA32_EFER). Pure. */
MMH_MODE_CHECK MmhCheckPagingRegisters(PCMMH_PAGE_MAP_OPS Ops, ULONG_PTR Cr0, ULONG_PTR Cr4, ULONGLONG Efer,
                                       BOOLEAN EferPresent);

/* Text for a MMH_MODE_CHECK value. */
PCSTR MmhModeCheckText(MMH_MODE_CHECK Check);

/* The table for Mode among the modes this kernel's arch supports; NULL when there is none. */
PCMMH_PAGE_MAP_OPS MmhFindPagingMode(ULONG Mode);

/* Binds the table for InitBlock->PagingMode after checking it against the CPU, and prepares the HAL window.
 * NoExecute: EFER.NXE is on (MMH_MAP_NO_EXECUTE takes effect). Returns the check result; only MmhModeOk binds. */
MMH_MODE_CHECK MmhInitialize(PXT_INIT_BLOCK InitBlock, BOOLEAN NoExecute);

/* The bound table (NULL before MmhInitialize succeeded). */
PCMMH_PAGE_MAP_OPS MmhGetPageMapOps(VOID);

/* TRUE when the bound mode has an NX bit and EFER.NXE was on at MmhInitialize. */
BOOLEAN MmhIsNoExecuteActive(VOID);

/* TRUE when Va is mapped: every level down to a present leaf (a 4 KiB entry or a large page) is present. */
BOOLEAN MmhIsAddressValid(ULONGLONG Va);

/* TRUE when the HAL window's page table is present (the loader pre-created it). */
BOOLEAN MmhIsHalWindowReady(VOID);

/* Maps Length bytes of physical memory starting at Address (any alignment) read/write, no-execute, into free HAL
 * window pages; *Va receives the VA of Address. STATUS_INSUFFICIENT_RESOURCES when the window is full,
 * STATUS_NOT_FOUND when the window has no page table, STATUS_INVALID_PARAMETER for a frame the mode cannot map. */
XTSTATUS MmhMapPhysicalMemory(PHYSICAL_ADDRESS Address, SIZE_T Length, PVOID *Va);

/* Unmaps what MmhMapPhysicalMemory(…, Length, &Va) mapped. */
VOID MmhUnmapPhysicalMemory(PVOID Va, SIZE_T Length);

/* A VA inside the HAL window that is never mapped (its page table exists when the window is ready). */
ULONG_PTR MmhGetUnmappedAddress(VOID);

/* Per arch (mm/hl/amd64 or mm/hl/i686): the modes this kernel supports, its HAL window base and the kernel VA
 * regions of the memory manager (docs/memory-manager.md). */
extern const PCMMH_PAGE_MAP_OPS MmhArchModes[];
extern const ULONG MmhArchModeCount;
extern const ULONG_PTR MmhHalWindowBase;
extern const ULONG_PTR MmhPfnDatabaseBase;
extern const ULONG_PTR MmhPfnDatabaseLimit;
extern const ULONG_PTR MmhSystemPteBase;
extern const ULONG_PTR MmhSystemPtePages;
extern const ULONG_PTR MmhKernelWindowBase; /* where the loader places the image and its boot region (KASLR) */
extern const ULONG_PTR MmhKernelWindowSize;

#define MMH_NO_FRAME (~0ull)

/* Supplies a zeroed-or-not physical frame for a new page table; returns its PFN, or MMH_NO_FRAME. */
typedef ULONGLONG (*PMMH_ALLOCATE_FRAME)(PVOID Context);

/* Maps the 4 KiB page at Va to Pfn with MMH_MAP_* Flags (NX honoured only when active), creating missing page
 * tables with frames from AllocateTable (zeroed here). STATUS_CONFLICTING_ADDRESSES when Va is already mapped,
 * STATUS_NO_MEMORY when a table frame is missing, STATUS_INVALID_PARAMETER for a frame the mode cannot hold. */
XTSTATUS MmhMapPage(ULONGLONG Va, ULONGLONG Pfn, ULONG Flags, PMMH_ALLOCATE_FRAME AllocateTable, PVOID Context);

/* Forgets which page tables MmhMapPage found complete: call after binding another page-table hierarchy. */
VOID MmhForgetPageTables(VOID);

/* Flushes the TLB entry of Va (invlpg in the kernel). */
VOID MmhFlushTlbEntry(ULONGLONG Va);

/* Unmaps the page at Va and flushes its TLB entry; returns the PFN it mapped, or MMH_NO_FRAME. */
ULONGLONG MmhUnmapPage(ULONGLONG Va);

/* Returns the PFN Va maps (4 KiB leaf) and its MMH_MAP_* protection, or MMH_NO_FRAME when not mapped. */
ULONGLONG MmhQueryPage(ULONGLONG Va, PULONG Flags);

#endif

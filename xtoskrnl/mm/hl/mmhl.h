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
#define MMH_MAP_NO_CACHE   0x4 /* PCD and PWT: uncached with the power-on PAT (device registers) */
#define MMH_MAP_GLOBAL     0x8 /* G: survives CR3 loads and belongs to every PCID (kernel pages once PCIDs are on) */

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
    /* The shape of a per-process address space (mm/hl/space.c). The "kernel directory" is the table whose kernel
     * entries every address space holds a copy of: the top-level table, or PML3's PD3 (PD2 is shared whole). It is
     * the top-level table of KernelDirectoryBase; its kernel slots start at KernelFirstSlot; SelfMapSlots entries
     * from SelfMapSlot are the self-map (PML3: PD3[0..3] point at the four page directories). */
    ULONGLONG KernelDirectoryBase;
    ULONG KernelFirstSlot;
    ULONG SelfMapSlot;
    ULONG SelfMapSlots;
    ULONG DirectoryPointers; /* PML3: the 4-entry PDPT above the page directories; 0 in the other modes */
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

/* ---- Software PTEs: "not present but valid" entries (docs/memory-manager.md) ----
 * When bit 0 (present) is clear the CPU ignores every other bit, so the memory manager keeps its own states there.
 * The layout is the same in the low 12 bits of both entry widths; what lies above differs per width:
 *   bit  0      Valid: 0 (1 is a hardware entry)
 *   bits 1-4    PageFileLow: the paging file (0 now; paging to disk is not implemented)
 *   bits 5-9    Protection: MM_PROTECT_* (0 with every other field 0: a free PTE)
 *   bit  10     Prototype (0 now; shared sections)
 *   bit  11     Transition: the frame still holds the page (bits 12.. as in a hardware entry)
 *   PML2 (32-bit entries):      bits 12-31 PageFileHigh (20 bits of page-file offset) or the transition frame
 *   PML3/PML4/PML5 (64-bit):    bits 12-51 the transition frame; bits 32-63 PageFileHigh (page-file offset) for
 *                               paging-file entries
 * Demand-zero: Protection != 0, every other field 0. A guard page: Protection has MM_PROTECT_GUARD. */
#define MMH_SWPTE_PAGEFILE_LOW_SHIFT    1
#define MMH_SWPTE_PAGEFILE_LOW_MASK     0x1Eull
#define MMH_SWPTE_PROTECTION_SHIFT      5
#define MMH_SWPTE_PROTECTION_MASK       0x3E0ull
#define MMH_SWPTE_PROTOTYPE             0x400ull
#define MMH_SWPTE_TRANSITION            0x800ull
#define MMH_SWPTE32_PAGEFILE_HIGH_SHIFT 12
#define MMH_SWPTE64_PAGEFILE_HIGH_SHIFT 32

/* Protections (NT's MM_* values): the low 3 bits are the access, then the cache and guard modifiers. */
#define MM_PROTECT_NOACCESS          0
#define MM_PROTECT_READONLY          1
#define MM_PROTECT_EXECUTE           2
#define MM_PROTECT_EXECUTE_READ      3
#define MM_PROTECT_READWRITE         4
#define MM_PROTECT_WRITECOPY         5
#define MM_PROTECT_EXECUTE_READWRITE 6
#define MM_PROTECT_EXECUTE_WRITECOPY 7
#define MM_PROTECT_NOCACHE           0x08
#define MM_PROTECT_GUARD             0x10

STATIC_ASSERT(MMH_SWPTE_PROTECTION_MASK == (0x1Full << MMH_SWPTE_PROTECTION_SHIFT));
STATIC_ASSERT((MMH_SWPTE_PROTECTION_MASK &
               (PTE_PRESENT | MMH_SWPTE_PAGEFILE_LOW_MASK | MMH_SWPTE_PROTOTYPE | MMH_SWPTE_TRANSITION)) == 0);
STATIC_ASSERT((MMH_SWPTE_PAGEFILE_LOW_MASK & PTE_PRESENT) == 0);
STATIC_ASSERT(MMH_SWPTE_PROTOTYPE == (1ull << 10) && MMH_SWPTE_TRANSITION == (1ull << 11));
STATIC_ASSERT((PTE32_FRAME_MASK >> MMH_SWPTE32_PAGEFILE_HIGH_SHIFT) == 0xFFFFF); /* 20 bits */
STATIC_ASSERT(((PTE64_FRAME_MASK | PTE_NO_EXECUTE) & 0xFFFull) == 0);            /* above the fields */
STATIC_ASSERT((MM_PROTECT_GUARD | MM_PROTECT_NOCACHE | 7) < (1u << 5));          /* fits Protection */

/* What a PTE holds. */
typedef enum _MMH_PTE_KIND {
    MmhPteFree = 0,   /* zero: nothing reserved here */
    MmhPteValid,      /* a hardware entry (present) */
    MmhPteDemandZero, /* reserved: a zeroed frame on first touch, with Protection */
    MmhPteTransition, /* the frame still holds the page (not produced yet) */
    MmhPtePageFile,   /* the page is in a paging file (not produced yet) */
    MmhPtePrototype   /* shared through a prototype PTE (not produced yet) */
} MMH_PTE_KIND;

typedef struct _MMH_SOFTWARE_PTE {
    MMH_PTE_KIND Kind;
    ULONG Protection;         /* MM_PROTECT_* (not for Valid/Free) */
    ULONG PageFile;           /* PageFile entries */
    ULONGLONG PageFileOffset; /* PageFile entries: page-file offset in pages */
    ULONGLONG Frame;          /* Transition entries, and the frame of a Valid one */
} MMH_SOFTWARE_PTE, *PMMH_SOFTWARE_PTE;

/* Entries of Ops' width (pure, host-tested per mode). A demand-zero PTE with Protection (non-zero). */
ULONGLONG MmhMakeDemandZeroPte(PCMMH_PAGE_MAP_OPS Ops, ULONG Protection);
/* A transition PTE for Frame, and a paging-file PTE (file 0..15, Offset below 2^20 pages on PML2, 2^32 else). */
ULONGLONG MmhMakeTransitionPte(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Frame, ULONG Protection);
ULONGLONG MmhMakePageFilePte(PCMMH_PAGE_MAP_OPS Ops, ULONG PageFile, ULONGLONG Offset, ULONG Protection);
/* Decodes Entry of Ops' width. */
VOID MmhDecodePte(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Entry, PMMH_SOFTWARE_PTE Pte);
/* MMH_MAP_* flags of a present mapping with Protection (no-execute unless an EXECUTE protection). */
ULONG MmhProtectionToMapFlags(ULONG Protection);

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

/* The same for device registers (local APIC, I/O APIC, HPET): mapped uncached (MMH_MAP_NO_CACHE); unmapped with
 * MmhUnmapPhysicalMemory. */
XTSTATUS MmhMapDeviceMemory(PHYSICAL_ADDRESS Address, SIZE_T Length, PVOID *Va);

/* Unmaps what MmhMapPhysicalMemory(…, Length, &Va) mapped. Both flush this processor's TLB only: a mapping of the
 * shared pages that another processor used must not be unmapped without a shootdown (the kernel's are either used by
 * the processor that made them, or never unmapped: APIC, I/O APIC, HPET). */
VOID MmhUnmapPhysicalMemory(PVOID Va, SIZE_T Length);

/* Per-processor temporary mappings (NT's per-processor zeroing PTEs): one HAL-window page per processor number,
 * below the never-mapped last page; the shared pages above never use them. */
#define MMH_PROCESSOR_SLOTS 64

/* Maps frame Pfn read-write (no-execute) at processor Processor's slot and returns its VA (NULL without a HAL
 * window, for a bad slot or frame). Only that processor uses its slot, at DISPATCH_LEVEL or above (nothing else on
 * it maps the slot meanwhile); the TLB flushes are local, and no other processor ever holds a translation for it. */
PVOID MmhMapProcessorPage(ULONG Processor, ULONGLONG Pfn);

/* Unmaps processor Processor's slot (local flush). */
VOID MmhUnmapProcessorPage(ULONG Processor);

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
extern const ULONG_PTR MmhPagedPoolBase; /* paged pool: VA reserved at allocation, frames on first touch */
extern const ULONG_PTR MmhPagedPoolPages;
extern const ULONG_PTR MmhKernelWindowBase; /* where the loader places the image and its boot region (KASLR) */
extern const ULONG_PTR MmhKernelWindowSize;

#define MMH_NO_FRAME (~0ull)

/* Supplies a zeroed physical frame for a new page table (installed as it is: the table must be complete before its
 * entry makes it visible to other processors); returns its PFN, or MMH_NO_FRAME. */
typedef ULONGLONG (*PMMH_ALLOCATE_FRAME)(PVOID Context);

/* Maps the 4 KiB page at Va to Pfn with MMH_MAP_* Flags (NX honoured only when active), creating missing page
 * tables with (zeroed) frames from AllocateTable. Creating tables is not atomic: the kernel's callers hold the PFN
 * lock, so two processors never both install a table for one slot (docs/memory-manager.md "Locks").
 * STATUS_CONFLICTING_ADDRESSES when Va is already mapped, STATUS_NO_MEMORY when a table frame is missing,
 * STATUS_INVALID_PARAMETER for a frame the mode cannot hold. */
XTSTATUS MmhMapPage(ULONGLONG Va, ULONGLONG Pfn, ULONG Flags, PMMH_ALLOCATE_FRAME AllocateTable, PVOID Context);

/* TRUE when every table above Va's PTE is present (no large page on the way): its PTE can be read. */
BOOLEAN MmhIsPageTablePresent(ULONGLONG Va);

/* Makes every table above Va's PTE present as MmhMapPage does; *Created: a new leaf table was made (its PTEs zero). */
XTSTATUS MmhEnsurePageTables(ULONGLONG Va, PMMH_ALLOCATE_FRAME AllocateTable, PVOID Context, PBOOLEAN Created);

/* Reads / writes Va's PTE (the table must be present). MmhWritePte flushes this processor's TLB entry of Va. */
ULONGLONG MmhReadPte(ULONGLONG Va);
VOID MmhWritePte(ULONGLONG Va, ULONGLONG Entry);

/* Writes Va's PTE (table present) and returns the previous entry, flushing no TLB: the caller invalidates the page on
 * every processor (KeFlush...Tb) before the VA or the frame is used again (the batched unmaps of mm/pager). */
ULONGLONG MmhExchangePte(ULONGLONG Va, ULONGLONG Entry);

/* From now on every kernel leaf MmhMapPage and the HAL window make is global (MMH_MAP_GLOBAL): set before PCIDs are
 * turned on, so that an invlpg reaches a kernel page whatever PCID cached it (docs/memory-manager.md). */
VOID MmhSetGlobalKernelPages(BOOLEAN Global);

/* MMH_MAP_GLOBAL while global kernel pages are on, else 0. */
ULONG MmhGetKernelMapFlags(VOID);

/* Forgets which page tables MmhMapPage found complete: call after binding another page-table hierarchy. */
VOID MmhForgetPageTables(VOID);

/* Flushes the TLB entry of Va (invlpg in the kernel). */
VOID MmhFlushTlbEntry(ULONGLONG Va);

/* Unmaps the page at Va and flushes this processor's TLB entry of it (only: on several processors the pager's
 * unmaps shoot it down everywhere); returns the PFN it mapped, or MMH_NO_FRAME. */
ULONGLONG MmhUnmapPage(ULONGLONG Va);

/* Returns the PFN Va maps (4 KiB leaf) and its MMH_MAP_* protection, or MMH_NO_FRAME when not mapped. */
ULONGLONG MmhQueryPage(ULONGLONG Va, PULONG Flags);

/* ---- Per-process address spaces (mm/hl/space.c; docs/memory-manager.md "Per-process address spaces") ---- */

/* TRUE when Va lies in the user half of the bound mode (below 2^(VaBits - 1)). */
BOOLEAN MmhIsUserAddress(ULONGLONG Va);

/* Called by MmhMapPage / MmhEnsurePageTables right after they installed Entry at Slot of the current space's kernel
 * directory (a new kernel table under a kernel slot), with the PFN lock held: the memory manager copies it into every
 * other address space, so a kernel table is visible in every space the moment it exists. */
typedef VOID (*PMMH_KERNEL_ENTRY_HOOK)(ULONG Slot, ULONGLONG Entry);
VOID MmhSetKernelEntryHook(PMMH_KERNEL_ENTRY_HOOK Hook);

/* The top-level frames of one address space. */
#define MMH_SPACE_FRAMES 4
typedef struct _MMH_SPACE_TABLES {
    ULONGLONG Frames[MMH_SPACE_FRAMES]; /* PML2/4/5: [0] the top-level table; PML3: PDPT, PD0, PD1, PD3 */
    ULONG Count;                        /* MmhGetSpaceFrameCount() */
    ULONGLONG KernelDirectory;          /* the frame of the kernel directory (PML3: PD3; else Frames[0]) */
    ULONGLONG PageMapBase;              /* the CR3 value: Frames[0]'s physical address */
} MMH_SPACE_TABLES, *PMMH_SPACE_TABLES;

/* Frames a new address space's top level needs: 1, or 4 in PML3 (the PDPT and its own PD0, PD1, PD3). */
ULONG MmhGetSpaceFrameCount(VOID);

/* Describes the current space (the boot tables): PML3 finds its PDPT and page directories through CR3 and PD3's
 * self-map entries. */
VOID MmhDescribeCurrentSpace(PMMH_SPACE_TABLES Tables);

/* Fills Tables->Frames (zeroed frames below 4 GiB, Count of them) as a new space: every kernel slot of the kernel
 * directory copied from the current space's (PML3: PDPT[2] points at the shared PD2), the self-map slots pointing at
 * its own tables, the user half empty; sets KernelDirectory and PageMapBase. Writes through this processor's HAL
 * slot (Processor: this processor's number): DISPATCH_LEVEL, with the PFN lock held so that no kernel table appears
 * meanwhile. */
VOID MmhBuildSpace(ULONG Processor, PMMH_SPACE_TABLES Tables);

/* Writes Entry at Slot of the kernel directory in frame Directory through processor Processor's HAL slot (this
 * processor's number; DISPATCH_LEVEL). */
VOID MmhWriteDirectoryEntry(ULONG Processor, ULONGLONG Directory, ULONG Slot, ULONGLONG Entry);

/* Loads CR3 (every non-global translation of this processor is flushed; PML3 reloads the four PDPT entries). */
VOID MmhLoadPageMapBase(ULONGLONG Base);

/* Receives each frame MmhReleaseUserHalf takes out of the current space: a page table (Table) or a mapped page. */
typedef VOID (*PMMH_RELEASE_FRAME)(ULONGLONG Pfn, BOOLEAN Table, PVOID Context);

/* Clears every entry of the current space's user half, handing each page table and each mapped frame to Release
 * (children before their table). The caller flushes the TLB afterwards (CR3 reload). */
VOID MmhReleaseUserHalf(PMMH_RELEASE_FRAME Release, PVOID Context);

#endif

/* XT SDK: x86 paging structures shared by the loader's table builder and the kernel's memory manager.
 * Entries are plain integers with masks (no bit-fields): bit positions are fixed by the hardware. */
#ifndef XT_SDK_XTPAGING_H
#define XT_SDK_XTPAGING_H

#include <xtbase.h>

/* 32-bit entries (PML2, classic i686 paging) and 64-bit entries (PML3/PAE, PML4, PML5). */
typedef ULONG HARDWARE_PTE32, *PHARDWARE_PTE32;
typedef ULONGLONG HARDWARE_PTE64, *PHARDWARE_PTE64;

#define PTE_PRESENT       (1ull << 0)
#define PTE_WRITABLE      (1ull << 1)
#define PTE_USER          (1ull << 2)
#define PTE_WRITE_THROUGH (1ull << 3)
#define PTE_CACHE_DISABLE (1ull << 4)
#define PTE_ACCESSED      (1ull << 5)
#define PTE_DIRTY         (1ull << 6)
#define PTE_LARGE_PAGE    (1ull << 7) /* PS in a directory entry; PAT in a 4 KiB PTE */
#define PTE_GLOBAL        (1ull << 8)
#define PTE_NO_EXECUTE    (1ull << 63) /* 64-bit entries only, effective when EFER.NXE = 1 */

/* Frame address fields: 4 KiB aligned, up to bit 31 (PML2), bit 51 (64-bit entries: 52-bit physical). */
#define PTE32_FRAME_MASK 0xFFFFF000u
#define PTE64_FRAME_MASK 0x000FFFFFFFFFF000ull
/* PAE's 4-entry PDPT: bits 1, 2, 5-8 and 63 are reserved there; only P, PWT and PCD may be set. */
#define PTE_PDPT_ALLOWED (PTE_PRESENT | PTE_WRITE_THROUGH | PTE_CACHE_DISABLE | PTE64_FRAME_MASK)

/* Control-register bits the loader and the kernel both check. */
#define CR0_PE   (1u << 0)
#define CR0_WP   (1u << 16)
#define CR0_PG   (1u << 31)
#define CR4_PSE  (1u << 4)
#define CR4_PAE  (1u << 5)
#define CR4_PGE  (1u << 7)
#define CR4_LA57 (1u << 12)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define MSR_EFER 0xC0000080u
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* CR4.PCIDE: CR3 bits 11:0 name the current PCID (long mode only; per-process address spaces, mm/space.c). */
#define CR4_PCIDE (1u << 17)

/* Recursive self-map: the slot of the top-level table that points at itself, per mode, and the VAs it yields. */
#define MM_PML2_SELFMAP_INDEX 0x300u /* PDE 0x300: PTEs at 0xC0000000, PDEs at 0xC0300000 */
#define MM_PML2_PTE_BASE      0xC0000000u
#define MM_PML2_PDE_BASE      0xC0300000u
#define MM_PML3_PTE_BASE      0xC0000000u /* the 4 PDs in PD[3] slots 0..3: PDEs at 0xC0600000 */
#define MM_PML3_PDE_BASE      0xC0600000u
#define MM_PML4_SELFMAP_INDEX 0x1EDu /* PTEs at 0xFFFFF68000000000 (as NT) */
#define MM_PML4_PTE_BASE      0xFFFFF68000000000ull
#define MM_PML5_SELFMAP_INDEX 0x1EDu /* PTEs at 0xFFED000000000000 */
#define MM_PML5_PTE_BASE      0xFFED000000000000ull

/* HAL window: VAs whose page table the loader creates (nothing mapped) for the kernel's early mappings. */
#define MM_HAL_WINDOW_BASE_AMD64 0xFFFFFFFFFFC00000ull
#define MM_HAL_WINDOW_BASE_I686  0xFFC00000ull
#define MM_HAL_WINDOW_SIZE       0x200000ull

/* Kernel-image window (KASLR): the loader puts the kernel image, and the boot region it maps after the image (init
 * block, stacks), inside [BASE, BASE + SIZE) at a random multiple of ALIGNMENT (docs/boot-protocol.md). amd64: PML4
 * slot 0x1F0 (512 GiB, the same in PML5), 2 MiB steps. i686: 512 MiB above the user half, 64 KiB steps; the
 * 512 MiB up to the self-map stay free for later kernel regions. The link bases (NOKASLR) lie inside. */
#define MM_KERNEL_WINDOW_BASE_AMD64      0xFFFFF80000000000ull
#define MM_KERNEL_WINDOW_SIZE_AMD64      0x0000008000000000ull
#define MM_KERNEL_WINDOW_ALIGNMENT_AMD64 0x200000ull
#define MM_KERNEL_WINDOW_BASE_I686       0x80000000ull
#define MM_KERNEL_WINDOW_SIZE_I686       0x20000000ull
#define MM_KERNEL_WINDOW_ALIGNMENT_I686  0x10000ull

/* The other fixed kernel regions (the memory manager's address map, docs/memory-manager.md). */
#define MM_PFN_DATABASE_BASE_AMD64 0xFFFFFA8000000000ull
#define MM_PFN_DATABASE_END_AMD64  0xFFFFFB0000000000ull
#define MM_SYSTEM_PTE_BASE_AMD64   0xFFFFF88000000000ull
#define MM_SYSTEM_PTE_PAGES_AMD64  0x400000ull /* 16 GiB */
#define MM_PFN_DATABASE_BASE_I686  0xC1000000ull
#define MM_PFN_DATABASE_END_I686   0xDD000000ull
#define MM_SYSTEM_PTE_BASE_I686    0xDD000000ull
#define MM_SYSTEM_PTE_PAGES_I686   0x22000ull /* 544 MiB, up to 0xFF000000 */
/* Paged pool: VA reserved at allocation, frames materialised on first touch (docs/memory-manager.md). amd64: 4 GiB
 * after system PTEs (NT's 0xFFFFF8A0'00000000); i686: the 512 MiB between the kernel-image window and the self-map. */
#define MM_PAGED_POOL_BASE_AMD64  0xFFFFF8A000000000ull
#define MM_PAGED_POOL_PAGES_AMD64 0x100000ull /* 4 GiB */
#define MM_PAGED_POOL_BASE_I686   0xA0000000ull
#define MM_PAGED_POOL_PAGES_I686  0x20000ull /* 512 MiB, up to 0xC0000000 */

STATIC_ASSERT(sizeof(HARDWARE_PTE32) == 4);
STATIC_ASSERT(sizeof(HARDWARE_PTE64) == 8);
STATIC_ASSERT(PTE_NO_EXECUTE == 0x8000000000000000ull);
STATIC_ASSERT(PTE_LARGE_PAGE == 0x80 && PTE_GLOBAL == 0x100);
STATIC_ASSERT((PTE64_FRAME_MASK >> 12) == 0xFFFFFFFFFFull); /* 40 frame bits: 52-bit physical addresses */
STATIC_ASSERT((PTE64_FRAME_MASK & PTE_NO_EXECUTE) == 0);
STATIC_ASSERT(MM_PML4_PTE_BASE == (0xFFFF000000000000ull | ((ULONGLONG)MM_PML4_SELFMAP_INDEX << 39)));
STATIC_ASSERT(MM_PML5_PTE_BASE == (0xFE00000000000000ull | ((ULONGLONG)MM_PML5_SELFMAP_INDEX << 48)));
STATIC_ASSERT(MM_PML2_PTE_BASE == (MM_PML2_SELFMAP_INDEX << 22));
STATIC_ASSERT(MM_PML2_PDE_BASE == MM_PML2_PTE_BASE + (MM_PML2_SELFMAP_INDEX << 12));
/* The kernel-image windows: aligned, and clear of the self-map, the PFN database, system PTEs and the HAL window. */
STATIC_ASSERT((MM_KERNEL_WINDOW_BASE_AMD64 & (MM_KERNEL_WINDOW_ALIGNMENT_AMD64 - 1)) == 0);
STATIC_ASSERT((MM_KERNEL_WINDOW_BASE_I686 & (MM_KERNEL_WINDOW_ALIGNMENT_I686 - 1)) == 0);
STATIC_ASSERT(MM_KERNEL_WINDOW_BASE_AMD64 >= MM_PML4_PTE_BASE + (1ull << 39)); /* PML4 self-map: one slot */
STATIC_ASSERT(MM_KERNEL_WINDOW_BASE_AMD64 + MM_KERNEL_WINDOW_SIZE_AMD64 <= MM_SYSTEM_PTE_BASE_AMD64);
STATIC_ASSERT(MM_SYSTEM_PTE_BASE_AMD64 + MM_SYSTEM_PTE_PAGES_AMD64 * 0x1000 <= MM_PFN_DATABASE_BASE_AMD64);
STATIC_ASSERT(MM_PFN_DATABASE_END_AMD64 <= MM_HAL_WINDOW_BASE_AMD64);
STATIC_ASSERT(MM_PML5_PTE_BASE + (1ull << 48) <= MM_KERNEL_WINDOW_BASE_AMD64); /* PML5 self-map: one slot */
STATIC_ASSERT(MM_KERNEL_WINDOW_BASE_I686 >= 0x80000000ull);                    /* the user half holds the trampoline */
STATIC_ASSERT(MM_KERNEL_WINDOW_BASE_I686 + MM_KERNEL_WINDOW_SIZE_I686 <= MM_PML3_PTE_BASE);
STATIC_ASSERT(MM_PML3_PTE_BASE + 0x800000 <= MM_PFN_DATABASE_BASE_I686); /* the PML3 self-map is 8 MiB */
STATIC_ASSERT(MM_PFN_DATABASE_END_I686 <= MM_SYSTEM_PTE_BASE_I686);
STATIC_ASSERT(MM_SYSTEM_PTE_BASE_I686 + MM_SYSTEM_PTE_PAGES_I686 * 0x1000 <= MM_HAL_WINDOW_BASE_I686);
/* The paged pools: clear of system PTEs and the PFN database (amd64), of the image window and the self-map (i686). */
STATIC_ASSERT(MM_SYSTEM_PTE_BASE_AMD64 + MM_SYSTEM_PTE_PAGES_AMD64 * 0x1000 <= MM_PAGED_POOL_BASE_AMD64);
STATIC_ASSERT(MM_PAGED_POOL_BASE_AMD64 + MM_PAGED_POOL_PAGES_AMD64 * 0x1000 <= MM_PFN_DATABASE_BASE_AMD64);
STATIC_ASSERT(MM_KERNEL_WINDOW_BASE_I686 + MM_KERNEL_WINDOW_SIZE_I686 <= MM_PAGED_POOL_BASE_I686);
STATIC_ASSERT(MM_PAGED_POOL_BASE_I686 + MM_PAGED_POOL_PAGES_I686 * 0x1000 <= MM_PML3_PTE_BASE);

#endif

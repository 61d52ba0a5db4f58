/* XTLDR memory map: the firmware's map read robustly and converted into the kernel's NT-style descriptors. */
#ifndef XTLDR_MEMMAP_H
#define XTLDR_MEMMAP_H

#include <xtboot.h>
#include <xtstatus.h>
#include <xtuefi.h>

/* OS-loader memory types (UEFI reserves 0x80000000.. for OS loaders): every allocation that outlives the hand-off
 * carries one, so the firmware's own map says which frames the kernel must keep. */
#define BL_EFI_PAGE_TABLES  0x80000001u /* -> LoaderMemoryData */
#define BL_EFI_KERNEL_IMAGE 0x80000002u /* -> LoaderSystemCode */
#define BL_EFI_INIT_BLOCK   0x80000003u /* -> LoaderSystemBlock */
#define BL_EFI_KERNEL_STACK 0x80000004u /* -> LoaderStartupKernelStack */
#define BL_EFI_PANIC_STACK  0x80000005u /* -> LoaderStartupPanicStack */
#define BL_EFI_TRAMPOLINE   0x80000006u /* -> LoaderMemoryData */

/* BlBuildMemoryMap flags. */
#define BL_MEMMAP_TEST_PAGE_TABLES_FREE 0x1 /* test only: report page-table frames as LoaderFree */

#define BL_MEMMAP_SPARE_DESCRIPTORS 128 /* growth while reading, and again before a retried ExitBootServices */
#define BL_MEMMAP_MAX_DESCRIPTORS   8192

typedef struct _BL_MEMORY_RANGE {
    ULONGLONG Start; /* physical, page aligned */
    ULONGLONG End;   /* exclusive */
    ULONG Type;      /* LOADER_TYPE_OF_MEMORY */
    ULONG Reserved;
} BL_MEMORY_RANGE, *PBL_MEMORY_RANGE;

/* Scratch memory BlBuildMemoryMap needs for Count firmware descriptors, in bytes. */
SIZE_T BlMemoryMapScratchSize(ULONG Count);

/* Returns the kernel's type for a firmware type: conservative, unknown types are never free. */
ULONG BlConvertEfiMemoryType(ULONG EfiType, ULONG Flags);

/* Converts a firmware map (MapSize bytes, DescriptorSize stride) into sorted, non-overlapping, merged
 * descriptors. Overlaps resolve to the type that may not be reused (never to free). Uses Scratch only. */
XTSTATUS BlBuildMemoryMap(PCVOID EfiMap, SIZE_T MapSize, SIZE_T DescriptorSize, ULONG Flags, PVOID Scratch,
                          SIZE_T ScratchSize, PXT_MEMORY_DESCRIPTOR Output, ULONG OutputCapacity, PULONG OutputCount);

#define BL_MEMMAP_MAX_EXTRA_RANGES 8

/* As BlBuildMemoryMap, with Extra[0..ExtraCount) (page-aligned ranges already in kernel types, such as the GOP
 * framebuffer as LoaderSpecialMemory) laid over the firmware's ranges under the same rule: where they overlap, the
 * type that may not be reused wins, so an extra range is never reported free. Scratch must hold
 * BlMemoryMapScratchSize(firmware descriptors + ExtraCount); a misaligned extra range is STATUS_INVALID_PARAMETER. */
XTSTATUS BlBuildMemoryMapWithRanges(PCVOID EfiMap, SIZE_T MapSize, SIZE_T DescriptorSize, ULONG Flags,
                                    const BL_MEMORY_RANGE *Extra, ULONG ExtraCount, PVOID Scratch, SIZE_T ScratchSize,
                                    PXT_MEMORY_DESCRIPTOR Output, ULONG OutputCapacity, PULONG OutputCount);

/* Firmware access used by BlReadMemoryMap: Boot Services in the loader, a fake firmware in tests. */
typedef struct _BL_FIRMWARE_MEMORY {
    EFI_STATUS(*GetMemoryMap)
    (PVOID Context, PUINTN Size, PEFI_MEMORY_DESCRIPTOR Map, PUINTN Key, PUINTN DescriptorSize);
    EFI_STATUS (*AllocatePool)(PVOID Context, UINTN Size, PVOID *Buffer);
    VOID (*FreePool)(PVOID Context, PVOID Buffer);
    PVOID Context;
} BL_FIRMWARE_MEMORY, *PBL_FIRMWARE_MEMORY;

/* A firmware memory map in a buffer with spare room, so it can be re-read later without allocating. */
typedef struct _BL_EFI_MEMORY_MAP {
    PEFI_MEMORY_DESCRIPTOR Buffer;
    UINTN Capacity;       /* bytes allocated */
    UINTN Size;           /* bytes valid */
    UINTN DescriptorSize; /* stride */
    UINTN Key;            /* for ExitBootServices */
} BL_EFI_MEMORY_MAP, *PBL_EFI_MEMORY_MAP;

/* Allocates a buffer with BL_MEMMAP_SPARE_DESCRIPTORS spare entries and reads the map, growing the buffer when the
 * map grew in between (bounded retries). */
EFI_STATUS BlReadMemoryMap(PBL_FIRMWARE_MEMORY Firmware, PBL_EFI_MEMORY_MAP Map);

/* Re-reads the map into the existing buffer without allocating (after a failed ExitBootServices). */
EFI_STATUS BlRefreshMemoryMap(PBL_FIRMWARE_MEMORY Firmware, PBL_EFI_MEMORY_MAP Map);

#endif

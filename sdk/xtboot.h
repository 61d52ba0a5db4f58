/* XT SDK: the boot protocol between XTLDR and the kernel (design.md section 3, contract).
 * Fixed-width fields only, 8-byte fields at 8-aligned offsets with explicit padding: one layout for i686 and
 * amd64, under any C ABI. Addresses are ULONGLONG; "VA" means mapped by the loader's page tables at hand-off,
 * "PA" means physical. */
#ifndef XT_SDK_XTBOOT_H
#define XT_SDK_XTBOOT_H

#include <xtbase.h>

/* NT TYPE_OF_MEMORY values: the type of each range in the memory map handed to the kernel. */
typedef enum _LOADER_TYPE_OF_MEMORY {
    LoaderExceptionBlock = 0,
    LoaderSystemBlock = 1,
    LoaderFree = 2,
    LoaderBad = 3,
    LoaderLoadedProgram = 4,
    LoaderFirmwareTemporary = 5,
    LoaderFirmwarePermanent = 6,
    LoaderOsloaderHeap = 7,
    LoaderOsloaderStack = 8,
    LoaderSystemCode = 9,
    LoaderHalCode = 10,
    LoaderBootDriver = 11,
    LoaderConsoleInDriver = 12,
    LoaderConsoleOutDriver = 13,
    LoaderStartupDpcStack = 14,
    LoaderStartupKernelStack = 15,
    LoaderStartupPanicStack = 16,
    LoaderStartupPcrPage = 17,
    LoaderStartupPdrPage = 18,
    LoaderRegistryData = 19,
    LoaderMemoryData = 20,
    LoaderNlsData = 21,
    LoaderSpecialMemory = 22,
    LoaderBBTMemory = 23,
    LoaderReserve = 24,
    LoaderXIPRom = 25,
    LoaderHALCachedMemory = 26,
    LoaderLargePageFiller = 27,
    LoaderErrorLogMemory = 28,
    LoaderMaximum = 29
} LOADER_TYPE_OF_MEMORY,
    *PLOADER_TYPE_OF_MEMORY;

/* One range of physical memory. The array is sorted by BasePage, ranges do not overlap, and adjacent ranges of
 * equal type are merged. Only LoaderFree ranges may be used by the kernel's allocator before it has claimed the
 * loader's memory. */
typedef struct _XT_MEMORY_DESCRIPTOR {
    ULONGLONG BasePage;  /* first physical page frame number (4 KiB pages) */
    ULONGLONG PageCount; /* number of 4 KiB pages, never 0 */
    ULONG MemoryType;    /* LOADER_TYPE_OF_MEMORY */
    ULONG Reserved;      /* 0 */
} XT_MEMORY_DESCRIPTOR, *PXT_MEMORY_DESCRIPTOR;

/* Number of page-table levels in use at hand-off. */
typedef enum _XT_PAGING_MODE {
    XtPagingModeNone = 0,
    XtPagingModePml2 = 2, /* i686, 32-bit entries, no PAE */
    XtPagingModePml3 = 3, /* i686, PAE */
    XtPagingModePml4 = 4, /* amd64, 4-level */
    XtPagingModePml5 = 5  /* amd64, LA57 */
} XT_PAGING_MODE;

/* XT_INIT_BLOCK.CpuFeatures: what CPUID reports (supported), whether or not it is in use. */
#define XT_CPU_FEATURE_PAE       0x00000001 /* CPUID.1.EDX[6] */
#define XT_CPU_FEATURE_NX        0x00000002 /* CPUID.80000001h.EDX[20] */
#define XT_CPU_FEATURE_LA57      0x00000004 /* CPUID.7.0.ECX[16] */
#define XT_CPU_FEATURE_PSE       0x00000008 /* CPUID.1.EDX[3] */
#define XT_CPU_FEATURE_PGE       0x00000010 /* CPUID.1.EDX[13] */
#define XT_CPU_FEATURE_PAGE1GB   0x00000020 /* CPUID.80000001h.EDX[26] */
#define XT_CPU_FEATURE_LONG_MODE 0x00000040 /* CPUID.80000001h.EDX[29] */
#define XT_CPU_FEATURE_SMEP      0x00000080 /* CPUID.7.0.EBX[7] */
#define XT_CPU_FEATURE_SMAP      0x00000100 /* CPUID.7.0.EBX[20] */
#define XT_CPU_FEATURE_APIC      0x00000200 /* CPUID.1.EDX[9] */
#define XT_CPU_FEATURE_RDRAND    0x00000400 /* CPUID.1.ECX[30] */

/* Indices of XT_INIT_BLOCK.PanicStackBase. */
#define XT_PANIC_STACK_DOUBLE_FAULT  0
#define XT_PANIC_STACK_NMI           1
#define XT_PANIC_STACK_MACHINE_CHECK 2

/* XT_INIT_BLOCK.PagingFlags: what the loader turned on for the hand-off page tables. */
#define XT_PAGING_FLAG_NX_ENABLED    0x00000001 /* EFER.NXE = 1, NX bits are set in the tables */
#define XT_PAGING_FLAG_WP_ENABLED    0x00000002 /* CR0.WP = 1 */
#define XT_PAGING_FLAG_PGE_ENABLED   0x00000004 /* CR4.PGE = 1 */
#define XT_PAGING_FLAG_FIRMWARE_LA57 0x00000008 /* firmware already ran with LA57 (informational) */

/* XT_FRAMEBUFFER_INFO.PixelFormat (UEFI GOP's pixel formats; a blt-only GOP mode is handed over as NONE). */
#define XT_FRAMEBUFFER_NONE    0 /* no linear framebuffer: the other fields are 0 */
#define XT_FRAMEBUFFER_RGBX8   1 /* 32-bit pixels: byte 0 red, 1 green, 2 blue, 3 reserved */
#define XT_FRAMEBUFFER_BGRX8   2 /* 32-bit pixels: byte 0 blue, 1 green, 2 red, 3 reserved */
#define XT_FRAMEBUFFER_BITMASK 3 /* 32-bit pixels (little-endian) whose colour bits the masks give */

/* The linear framebuffer of the firmware's graphics output (GOP), in the mode the loader left it in. Its pages are
 * described in the memory map as LoaderSpecialMemory (never free, never RAM); the kernel maps it itself. */
typedef struct _XT_FRAMEBUFFER_INFO {
    ULONGLONG Address;       /* PA of the first pixel */
    ULONGLONG Size;          /* bytes (at least Pitch * Height) */
    ULONG Width;             /* visible pixels per line */
    ULONG Height;            /* visible lines */
    ULONG Pitch;             /* bytes per line: PixelsPerScanLine * BitsPerPixel / 8 */
    ULONG BitsPerPixel;      /* 32 in every format GOP defines */
    ULONG PixelFormat;       /* XT_FRAMEBUFFER_* */
    ULONG RedMask;           /* bits of a pixel that hold red: 0x000000FF (RGBX8), 0x00FF0000 (BGRX8), GOP's mask */
    ULONG GreenMask;         /* likewise green: 0x0000FF00 in RGBX8 and BGRX8 */
    ULONG BlueMask;          /* likewise blue: 0x00FF0000 (RGBX8), 0x000000FF (BGRX8) */
    ULONG ReservedMask;      /* the unused bits: 0xFF000000 (RGBX8, BGRX8) */
    ULONG PixelsPerScanLine; /* pixels per line in memory (>= Width), GOP's PixelsPerScanLine */
} XT_FRAMEBUFFER_INFO, *PXT_FRAMEBUFFER_INFO;

#define XT_INIT_BLOCK_SIGNATURE 0x42495458 /* "XTIB" in memory order */
/* Version 2: the framebuffer always carries its colour masks and PixelsPerScanLine, and may be BITMASK. */
#define XT_INIT_BLOCK_VERSION           2
#define XT_INIT_BLOCK_PARAMETERS_MAX    512
#define XT_LOADER_VERSION(Major, Minor) (((ULONG)(Major) << 16) | (ULONG)(Minor))

/* Everything the loader tells the kernel. The kernel checks Signature, Version and Size before anything else.
 * The block itself, the descriptor array and the page-table frame list lie in LoaderSystemBlock/LoaderMemoryData
 * memory and are mapped at hand-off. */
typedef struct _XT_INIT_BLOCK {
    ULONG Signature;                 /* XT_INIT_BLOCK_SIGNATURE */
    USHORT Version;                  /* XT_INIT_BLOCK_VERSION */
    USHORT Reserved0;                /* 0 */
    ULONG Size;                      /* sizeof(XT_INIT_BLOCK) as the loader knows it */
    ULONG LoaderVersion;             /* XT_LOADER_VERSION(major, minor) of XTLDR */
    ULONG PagingMode;                /* XT_PAGING_MODE in use; the kernel checks it against CR4/EFER */
    ULONG CpuFeatures;               /* XT_CPU_FEATURE_* supported by the boot CPU */
    ULONGLONG KernelPhysicalBase;    /* PA of the loaded kernel image (SizeOfImage bytes, contiguous) */
    ULONGLONG KernelVirtualBase;     /* VA the image is mapped and relocated at */
    ULONGLONG KernelImageSize;       /* SizeOfImage, bytes */
    ULONGLONG KernelEntryPoint;      /* VA of the entry point */
    ULONGLONG KernelFileSize;        /* bytes of the kernel file as read from disk */
    UCHAR KernelSha1[20];            /* SHA-1 of the kernel file as read from disk */
    ULONG PagingFlags;               /* XT_PAGING_FLAG_* */
    ULONGLONG KernelStackBase;       /* VA of the lowest byte of the initial kernel stack (guard page below) */
    ULONGLONG KernelStackSize;       /* bytes; the stack pointer starts at Base + Size */
    ULONGLONG MemoryDescriptors;     /* VA of the XT_MEMORY_DESCRIPTOR array */
    ULONG MemoryDescriptorCount;     /* entries in that array */
    ULONG MemoryDescriptorSize;      /* bytes per entry: sizeof(XT_MEMORY_DESCRIPTOR) in this version */
    ULONGLONG PageTableFrames;       /* VA of a ULONGLONG array: the PFN of every page-table frame in use */
    ULONG PageTableFrameCount;       /* entries in that array (top-level table included) */
    ULONG Reserved1;                 /* 0 */
    ULONGLONG PageMapBase;           /* PA of the top-level page table (CR3 without flags) */
    ULONGLONG AcpiRsdp;              /* PA of the ACPI RSDP (2.0 preferred, else 1.0), 0 if absent */
    ULONGLONG SmbiosEntryPoint;      /* PA of the SMBIOS 2.x entry point, 0 if absent */
    ULONGLONG Smbios3EntryPoint;     /* PA of the SMBIOS 3.x entry point, 0 if absent */
    ULONGLONG EfiSystemTable;        /* PA of the EFI system table (runtime services only), 0 if none */
    XT_FRAMEBUFFER_INFO Framebuffer; /* linear framebuffer, PixelFormat XT_FRAMEBUFFER_NONE if none */
    ULONG ParameterLength;           /* bytes used in Parameters, NUL excluded (< PARAMETERS_MAX) */
    ULONG Reserved2;                 /* 0 */
    ULONGLONG PanicStackBase[3];     /* VA of the lowest byte of the double-fault, NMI and machine-check stacks */
    ULONGLONG PanicStackSize;        /* bytes of each panic stack; an unmapped guard page lies below every stack */
    CHAR Parameters[XT_INIT_BLOCK_PARAMETERS_MAX]; /* kernel parameters (ASCII, space separated), NUL terminated */
} XT_INIT_BLOCK, *PXT_INIT_BLOCK;

/* The kernel's entry point: receives the VA of the init block. `KiSystemStartup(PXT_INIT_BLOCK)`. */

STATIC_ASSERT(sizeof(LOADER_TYPE_OF_MEMORY) == 4 && LoaderMaximum == 29);
STATIC_ASSERT(sizeof(XT_MEMORY_DESCRIPTOR) == 24);
STATIC_ASSERT(offsetof(XT_MEMORY_DESCRIPTOR, PageCount) == 8);
STATIC_ASSERT(offsetof(XT_MEMORY_DESCRIPTOR, MemoryType) == 16);
STATIC_ASSERT(sizeof(XT_FRAMEBUFFER_INFO) == 56);
STATIC_ASSERT(offsetof(XT_FRAMEBUFFER_INFO, Width) == 16 && offsetof(XT_FRAMEBUFFER_INFO, PixelFormat) == 32);
STATIC_ASSERT(offsetof(XT_FRAMEBUFFER_INFO, Pitch) == 24 && offsetof(XT_FRAMEBUFFER_INFO, RedMask) == 36);
STATIC_ASSERT(offsetof(XT_FRAMEBUFFER_INFO, ReservedMask) == 48 &&
              offsetof(XT_FRAMEBUFFER_INFO, PixelsPerScanLine) == 52);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, Version) == 0x004);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, Size) == 0x008);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, PagingMode) == 0x010);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, KernelPhysicalBase) == 0x018);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, KernelEntryPoint) == 0x030);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, KernelSha1) == 0x040);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, PagingFlags) == 0x054);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, KernelStackBase) == 0x058);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, MemoryDescriptors) == 0x068);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, MemoryDescriptorCount) == 0x070);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, PageTableFrames) == 0x078);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, PageMapBase) == 0x088);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, AcpiRsdp) == 0x090);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, EfiSystemTable) == 0x0A8);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, Framebuffer) == 0x0B0);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, ParameterLength) == 0x0E8);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, PanicStackBase) == 0x0F0);
STATIC_ASSERT(offsetof(XT_INIT_BLOCK, Parameters) == 0x110);
STATIC_ASSERT(sizeof(XT_INIT_BLOCK) == 0x310);

#endif

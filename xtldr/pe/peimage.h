/* XTLDR PE/COFF image library: validates an image file completely, loads and relocates it, and describes its
 * sections for the page-table builder. Freestanding; the same code runs in the loader and in host tests. */
#ifndef XTLDR_PE_PEIMAGE_H
#define XTLDR_PE_PEIMAGE_H

#include <xtbase.h>
#include <xtpecoff.h>
#include <xtstatus.h>

/* Most sections an accepted image may have (the limit of the classic Windows loader). */
#define PE_MAX_SECTIONS 96

/* What a validated image looks like; filled by BlPeValidateImage and consumed by the other routines. */
typedef struct _PE_IMAGE_INFO {
    ULONGLONG ImageBase;        /* preferred base address */
    USHORT Machine;             /* IMAGE_FILE_MACHINE_* (equals the expected machine) */
    USHORT Subsystem;           /* IMAGE_SUBSYSTEM_* (equals the expected subsystem) */
    USHORT Magic;               /* IMAGE_NT_OPTIONAL_HDR32_MAGIC or IMAGE_NT_OPTIONAL_HDR64_MAGIC */
    USHORT Characteristics;     /* IMAGE_FILE_HEADER.Characteristics */
    USHORT DllCharacteristics;  /* IMAGE_OPTIONAL_HEADER.DllCharacteristics */
    BOOLEAN Relocatable;        /* FALSE when the relocations are stripped: loads only at ImageBase */
    UCHAR Reserved0;            /* 0 */
    ULONG SizeOfImage;          /* bytes of the loaded image, a multiple of SectionAlignment */
    ULONG SizeOfHeaders;        /* bytes of headers copied to the start of the image */
    ULONG EntryPointRva;        /* inside an executable section */
    ULONG SectionAlignment;     /* power of two */
    ULONG FileAlignment;        /* power of two, <= SectionAlignment */
    ULONG SectionCount;         /* 1..PE_MAX_SECTIONS */
    ULONG NtHeadersOffset;      /* file offset of IMAGE_NT_HEADERS (e_lfanew) */
    ULONG SectionTableOffset;   /* file offset of IMAGE_SECTION_HEADER[0] */
    ULONG RelocationRva;        /* base relocation directory, 0 when there is none */
    ULONG RelocationSize;       /* its size in bytes */
    ULONG RelocationFileOffset; /* its file offset */
    ULONG RelocationCount;      /* fixups other than IMAGE_REL_BASED_ABSOLUTE padding */
    ULONG Reserved1;            /* 0 (no padding anywhere: the structure compares bytewise) */
} PE_IMAGE_INFO, *PPE_IMAGE_INFO;

typedef const PE_IMAGE_INFO *PCPE_IMAGE_INFO;

STATIC_ASSERT(sizeof(PE_IMAGE_INFO) == 72);

#define PE_ERROR_FIELD_SIZE  64
#define PE_ERROR_REASON_SIZE 112

/* Why an image was rejected: the offending field by its PE name, e.g. "IMAGE_SECTION_HEADER[2].SizeOfRawData" or
 * "IMAGE_BASE_RELOCATION[0].TypeOffset[3]", the file offset of that field, and a sentence with the values. Routine
 * parameters that are wrong are named by the parameter ("NewBase", "DestinationSize"). */
typedef struct _PE_ERROR {
    CHAR Field[PE_ERROR_FIELD_SIZE];
    ULONG Offset;
    CHAR Reason[PE_ERROR_REASON_SIZE];
} PE_ERROR, *PPE_ERROR;

/* Page protection a section needs, from its IMAGE_SCN_MEM_* bits. */
#define PE_PROTECT_READ    0x1
#define PE_PROTECT_WRITE   0x2
#define PE_PROTECT_EXECUTE 0x4

typedef struct _PE_SECTION_INFO {
    CHAR Name[IMAGE_SIZEOF_SHORT_NAME + 1]; /* NUL-terminated copy of the 8-byte name */
    BOOLEAN Discardable;                    /* IMAGE_SCN_MEM_DISCARDABLE: not needed after loading (.reloc) */
    ULONG VirtualAddress;                   /* RVA, a multiple of SectionAlignment */
    ULONG VirtualSize;                      /* bytes the section occupies in the image */
    ULONG MappedSize;                       /* VirtualSize rounded up to SectionAlignment (0 for an empty one) */
    ULONG FileOffset;                       /* file offset of the raw data */
    ULONG FileSize;                         /* raw bytes copied; the rest of VirtualSize is zero-filled */
    ULONG Characteristics;                  /* IMAGE_SCN_* */
    ULONG Protection;                       /* PE_PROTECT_* */
} PE_SECTION_INFO, *PPE_SECTION_INFO;

/* Checks that File (FileSize bytes) is a complete, consistent PE/COFF executable for ExpectedMachine
 * (IMAGE_FILE_MACHINE_I386 -> PE32, AMD64 -> PE32+) and ExpectedSubsystem: headers, section table and ranges,
 * alignments, data directories, base relocations and the entry point, all with overflow-checked arithmetic. Reads
 * nothing outside the file. On success fills *Info; on failure fills *Error (if not NULL) and returns
 * STATUS_INVALID_IMAGE_NOT_MZ (no "MZ"), STATUS_INVALID_IMAGE_FORMAT (any other defect) or
 * STATUS_INVALID_PARAMETER (bad arguments). */
XTSTATUS BlPeValidateImage(PCVOID File, SIZE_T FileSize, USHORT ExpectedMachine, USHORT ExpectedSubsystem,
                           PPE_IMAGE_INFO Info, PPE_ERROR Error);

/* Checks the page-mapping policy of the kernel on a validated image: sections are page aligned
 * (SectionAlignment >= MM_PAGE_SIZE) and no section is both writable and executable.
 * STATUS_INVALID_IMAGE_PROTECT with *Error filled otherwise. */
XTSTATUS BlPeCheckPageProtection(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info, PPE_ERROR Error);

/* Describes section Index (0..SectionCount-1) of a validated image. */
XTSTATUS BlPeGetSection(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info, ULONG Index, PPE_SECTION_INFO Section);

/* Lays the image out at Destination (DestinationSize >= SizeOfImage bytes, not overlapping File) as it runs at
 * NewBase: copies the headers and each section's raw data, zero-fills everything else (BSS, gaps, tails), applies
 * the base relocations for NewBase - ImageBase and stores NewBase in the copy's OptionalHeader.ImageBase. NewBase
 * must be page aligned and keep the image inside the machine's address space. The file is re-validated first and
 * must match Info (from BlPeValidateImage); Destination is untouched when any check fails. */
XTSTATUS BlPeLoadImage(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info, PVOID Destination, SIZE_T DestinationSize,
                       ULONGLONG NewBase, PPE_ERROR Error);

#endif

/* XT SDK: PE/COFF image format (Microsoft PE/COFF specification names; identical layout on every arch). */
#ifndef XT_SDK_XTPECOFF_H
#define XT_SDK_XTPECOFF_H

#include <xtbase.h>

#define IMAGE_DOS_SIGNATURE 0x5A4D     /* "MZ" */
#define IMAGE_NT_SIGNATURE  0x00004550 /* "PE\0\0" */

#define IMAGE_FILE_MACHINE_UNKNOWN 0x0000
#define IMAGE_FILE_MACHINE_I386    0x014C
#define IMAGE_FILE_MACHINE_AMD64   0x8664
#define IMAGE_FILE_MACHINE_ARM64   0xAA64

/* IMAGE_FILE_HEADER.Characteristics. */
#define IMAGE_FILE_RELOCS_STRIPPED     0x0001
#define IMAGE_FILE_EXECUTABLE_IMAGE    0x0002
#define IMAGE_FILE_LARGE_ADDRESS_AWARE 0x0020
#define IMAGE_FILE_32BIT_MACHINE       0x0100
#define IMAGE_FILE_DEBUG_STRIPPED      0x0200
#define IMAGE_FILE_SYSTEM              0x1000
#define IMAGE_FILE_DLL                 0x2000

#define IMAGE_NT_OPTIONAL_HDR32_MAGIC 0x010B
#define IMAGE_NT_OPTIONAL_HDR64_MAGIC 0x020B

#define IMAGE_SUBSYSTEM_UNKNOWN                 0
#define IMAGE_SUBSYSTEM_NATIVE                  1
#define IMAGE_SUBSYSTEM_WINDOWS_GUI             2
#define IMAGE_SUBSYSTEM_WINDOWS_CUI             3
#define IMAGE_SUBSYSTEM_EFI_APPLICATION         10
#define IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER 11
#define IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER      12
#define IMAGE_SUBSYSTEM_EFI_ROM                 13

/* IMAGE_OPTIONAL_HEADER.DllCharacteristics. */
#define IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA 0x0020
#define IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE    0x0040
#define IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY 0x0080
#define IMAGE_DLLCHARACTERISTICS_NX_COMPAT       0x0100
#define IMAGE_DLLCHARACTERISTICS_NO_SEH          0x0400

/* Data directory indices. */
#define IMAGE_DIRECTORY_ENTRY_EXPORT         0
#define IMAGE_DIRECTORY_ENTRY_IMPORT         1
#define IMAGE_DIRECTORY_ENTRY_RESOURCE       2
#define IMAGE_DIRECTORY_ENTRY_EXCEPTION      3
#define IMAGE_DIRECTORY_ENTRY_SECURITY       4 /* a file offset, not an RVA */
#define IMAGE_DIRECTORY_ENTRY_BASERELOC      5
#define IMAGE_DIRECTORY_ENTRY_DEBUG          6
#define IMAGE_DIRECTORY_ENTRY_ARCHITECTURE   7
#define IMAGE_DIRECTORY_ENTRY_GLOBALPTR      8
#define IMAGE_DIRECTORY_ENTRY_TLS            9
#define IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG    10
#define IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT   11
#define IMAGE_DIRECTORY_ENTRY_IAT            12
#define IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT   13
#define IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR 14
#define IMAGE_NUMBEROF_DIRECTORY_ENTRIES     16

/* IMAGE_SECTION_HEADER.Characteristics. */
#define IMAGE_SCN_TYPE_NO_PAD            0x00000008
#define IMAGE_SCN_CNT_CODE               0x00000020
#define IMAGE_SCN_CNT_INITIALIZED_DATA   0x00000040
#define IMAGE_SCN_CNT_UNINITIALIZED_DATA 0x00000080
#define IMAGE_SCN_LNK_INFO               0x00000200
#define IMAGE_SCN_LNK_REMOVE             0x00000800
#define IMAGE_SCN_ALIGN_MASK             0x00F00000
#define IMAGE_SCN_LNK_NRELOC_OVFL        0x01000000
#define IMAGE_SCN_MEM_DISCARDABLE        0x02000000
#define IMAGE_SCN_MEM_NOT_CACHED         0x04000000
#define IMAGE_SCN_MEM_NOT_PAGED          0x08000000
#define IMAGE_SCN_MEM_SHARED             0x10000000
#define IMAGE_SCN_MEM_EXECUTE            0x20000000
#define IMAGE_SCN_MEM_READ               0x40000000
#define IMAGE_SCN_MEM_WRITE              0x80000000

/* Base relocation types (the top 4 bits of each 16-bit entry; the low 12 bits are the page offset). */
#define IMAGE_REL_BASED_ABSOLUTE 0
#define IMAGE_REL_BASED_HIGH     1
#define IMAGE_REL_BASED_LOW      2
#define IMAGE_REL_BASED_HIGHLOW  3
#define IMAGE_REL_BASED_HIGHADJ  4
#define IMAGE_REL_BASED_DIR64    10

#define IMAGE_SIZEOF_SHORT_NAME 8

typedef struct _IMAGE_DOS_HEADER {
    USHORT e_magic; /* IMAGE_DOS_SIGNATURE */
    USHORT e_cblp;
    USHORT e_cp;
    USHORT e_crlc;
    USHORT e_cparhdr;
    USHORT e_minalloc;
    USHORT e_maxalloc;
    USHORT e_ss;
    USHORT e_sp;
    USHORT e_csum;
    USHORT e_ip;
    USHORT e_cs;
    USHORT e_lfarlc;
    USHORT e_ovno;
    USHORT e_res[4];
    USHORT e_oemid;
    USHORT e_oeminfo;
    USHORT e_res2[10];
    LONG e_lfanew; /* file offset of IMAGE_NT_HEADERS */
} IMAGE_DOS_HEADER, *PIMAGE_DOS_HEADER;

typedef struct _IMAGE_FILE_HEADER {
    USHORT Machine;
    USHORT NumberOfSections;
    ULONG TimeDateStamp;
    ULONG PointerToSymbolTable;
    ULONG NumberOfSymbols;
    USHORT SizeOfOptionalHeader;
    USHORT Characteristics;
} IMAGE_FILE_HEADER, *PIMAGE_FILE_HEADER;

typedef struct _IMAGE_DATA_DIRECTORY {
    ULONG VirtualAddress;
    ULONG Size;
} IMAGE_DATA_DIRECTORY, *PIMAGE_DATA_DIRECTORY;

typedef struct _IMAGE_OPTIONAL_HEADER32 {
    USHORT Magic; /* IMAGE_NT_OPTIONAL_HDR32_MAGIC */
    UCHAR MajorLinkerVersion;
    UCHAR MinorLinkerVersion;
    ULONG SizeOfCode;
    ULONG SizeOfInitializedData;
    ULONG SizeOfUninitializedData;
    ULONG AddressOfEntryPoint;
    ULONG BaseOfCode;
    ULONG BaseOfData;
    ULONG ImageBase;
    ULONG SectionAlignment;
    ULONG FileAlignment;
    USHORT MajorOperatingSystemVersion;
    USHORT MinorOperatingSystemVersion;
    USHORT MajorImageVersion;
    USHORT MinorImageVersion;
    USHORT MajorSubsystemVersion;
    USHORT MinorSubsystemVersion;
    ULONG Win32VersionValue;
    ULONG SizeOfImage;
    ULONG SizeOfHeaders;
    ULONG CheckSum;
    USHORT Subsystem;
    USHORT DllCharacteristics;
    ULONG SizeOfStackReserve;
    ULONG SizeOfStackCommit;
    ULONG SizeOfHeapReserve;
    ULONG SizeOfHeapCommit;
    ULONG LoaderFlags;
    ULONG NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER32, *PIMAGE_OPTIONAL_HEADER32;

/* PE32+: no BaseOfData; ImageBase and the stack/heap sizes are 64-bit. ULONGLONG fields are 8-aligned as laid out. */
typedef struct _IMAGE_OPTIONAL_HEADER64 {
    USHORT Magic; /* IMAGE_NT_OPTIONAL_HDR64_MAGIC */
    UCHAR MajorLinkerVersion;
    UCHAR MinorLinkerVersion;
    ULONG SizeOfCode;
    ULONG SizeOfInitializedData;
    ULONG SizeOfUninitializedData;
    ULONG AddressOfEntryPoint;
    ULONG BaseOfCode;
    ULONGLONG ImageBase;
    ULONG SectionAlignment;
    ULONG FileAlignment;
    USHORT MajorOperatingSystemVersion;
    USHORT MinorOperatingSystemVersion;
    USHORT MajorImageVersion;
    USHORT MinorImageVersion;
    USHORT MajorSubsystemVersion;
    USHORT MinorSubsystemVersion;
    ULONG Win32VersionValue;
    ULONG SizeOfImage;
    ULONG SizeOfHeaders;
    ULONG CheckSum;
    USHORT Subsystem;
    USHORT DllCharacteristics;
    ULONGLONG SizeOfStackReserve;
    ULONGLONG SizeOfStackCommit;
    ULONGLONG SizeOfHeapReserve;
    ULONGLONG SizeOfHeapCommit;
    ULONG LoaderFlags;
    ULONG NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER64, *PIMAGE_OPTIONAL_HEADER64;

/* In a file these start at e_lfanew, which need only be 4-aligned (8 for PE32+ is not guaranteed): read
 * IMAGE_NT_HEADERS64 fields from a file buffer through a copy or a 4-aligned-safe accessor. */
typedef struct _IMAGE_NT_HEADERS32 {
    ULONG Signature; /* IMAGE_NT_SIGNATURE */
    IMAGE_FILE_HEADER FileHeader;
    IMAGE_OPTIONAL_HEADER32 OptionalHeader;
} IMAGE_NT_HEADERS32, *PIMAGE_NT_HEADERS32;

typedef struct _IMAGE_NT_HEADERS64 {
    ULONG Signature; /* IMAGE_NT_SIGNATURE */
    IMAGE_FILE_HEADER FileHeader;
    IMAGE_OPTIONAL_HEADER64 OptionalHeader;
} IMAGE_NT_HEADERS64, *PIMAGE_NT_HEADERS64;

typedef struct _IMAGE_SECTION_HEADER {
    UCHAR Name[IMAGE_SIZEOF_SHORT_NAME];
    ULONG VirtualSize; /* Misc.VirtualSize in the Windows headers */
    ULONG VirtualAddress;
    ULONG SizeOfRawData;
    ULONG PointerToRawData;
    ULONG PointerToRelocations;
    ULONG PointerToLinenumbers;
    USHORT NumberOfRelocations;
    USHORT NumberOfLinenumbers;
    ULONG Characteristics;
} IMAGE_SECTION_HEADER, *PIMAGE_SECTION_HEADER;

typedef struct _IMAGE_BASE_RELOCATION {
    ULONG VirtualAddress; /* RVA of the 4 KiB page the entries patch */
    ULONG SizeOfBlock;    /* bytes, this header included */
} IMAGE_BASE_RELOCATION, *PIMAGE_BASE_RELOCATION;

#define IMAGE_REL_TYPE(Entry)   ((USHORT)(Entry) >> 12)
#define IMAGE_REL_OFFSET(Entry) ((USHORT)(Entry)&0x0FFF)

/* File offset of the first section header, given the file offset of IMAGE_NT_HEADERS. */
#define IMAGE_FIRST_SECTION_OFFSET(NtOffset, SizeOfOptionalHeader)                                                     \
    ((NtOffset) + 4 + sizeof(IMAGE_FILE_HEADER) + (SizeOfOptionalHeader))

STATIC_ASSERT(sizeof(IMAGE_DOS_HEADER) == 64);
STATIC_ASSERT(offsetof(IMAGE_DOS_HEADER, e_lfanew) == 0x3C);
STATIC_ASSERT(sizeof(IMAGE_FILE_HEADER) == 20);
STATIC_ASSERT(offsetof(IMAGE_FILE_HEADER, SizeOfOptionalHeader) == 16);
STATIC_ASSERT(sizeof(IMAGE_DATA_DIRECTORY) == 8);
STATIC_ASSERT(sizeof(IMAGE_OPTIONAL_HEADER32) == 224);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, AddressOfEntryPoint) == 16);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase) == 28);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, SectionAlignment) == 32);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, SizeOfImage) == 56);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, Subsystem) == 68);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, NumberOfRvaAndSizes) == 92);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory) == 96);
STATIC_ASSERT(sizeof(IMAGE_OPTIONAL_HEADER64) == 240);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase) == 24);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, SectionAlignment) == 32);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfImage) == 56);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, Subsystem) == 68);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfStackReserve) == 72);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, NumberOfRvaAndSizes) == 108);
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory) == 112);
STATIC_ASSERT(sizeof(IMAGE_NT_HEADERS32) == 248);
STATIC_ASSERT(offsetof(IMAGE_NT_HEADERS64, OptionalHeader) == 24 && sizeof(IMAGE_NT_HEADERS64) == 264);
STATIC_ASSERT(sizeof(IMAGE_SECTION_HEADER) == 40);
STATIC_ASSERT(offsetof(IMAGE_SECTION_HEADER, VirtualAddress) == 12);
STATIC_ASSERT(offsetof(IMAGE_SECTION_HEADER, PointerToRawData) == 20);
STATIC_ASSERT(offsetof(IMAGE_SECTION_HEADER, Characteristics) == 36);
STATIC_ASSERT(sizeof(IMAGE_BASE_RELOCATION) == 8);

#endif

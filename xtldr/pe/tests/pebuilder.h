/* Test helper: builds small, valid PE32 / PE32+ kernel-like images in memory, with known offsets to corrupt. */
#ifndef XTLDR_PE_TESTS_PEBUILDER_H
#define XTLDR_PE_TESTS_PEBUILDER_H

#include <xtbase.h>
#include <xtpecoff.h>

/* Layout of every built image (file offsets and RVAs):
 *   headers  file 0x000-0x400, e_lfanew 0x80, SizeOfHeaders 0x400
 *   [0] .text   RVA 0x1000 VirtualSize 0x100  raw 0x200 at 0x400  R-X (raw bytes after 0x100 are 0xEE junk)
 *   [1] .data   RVA 0x2000 VirtualSize 0x1800 raw 0x200 at 0x600  RW- (0x2200-0x3800 is BSS)
 *   [2] .bss    RVA 0x4000 VirtualSize 0x800  no raw data         RW-
 *   [3] .reloc  RVA 0x5000 VirtualSize 0x10   raw 0x200 at 0x800  R-- discardable
 *   SizeOfImage 0x6000, entry point 0x1010, file size 0xA00.
 * Relocations: one block for page 0x2000 with two fixups (DIR64 on PE32+, HIGHLOW on PE32) and two ABSOLUTE pads:
 *   .data+0x10 holds ImageBase + 0x1010 (the entry point), .data+0x21 (unaligned) holds ImageBase + 0x2000. */
#define TEST_PE_FILE_SIZE       0xA00
#define TEST_PE_NT_OFFSET       0x80
#define TEST_PE_FILE_HEADER     (TEST_PE_NT_OFFSET + 4)
#define TEST_PE_OPTIONAL_HEADER (TEST_PE_FILE_HEADER + 20)
#define TEST_PE_SECTION_COUNT   4
#define TEST_PE_SIZE_OF_IMAGE   0x6000
#define TEST_PE_ENTRY_RVA       0x1010
#define TEST_PE_RELOC_RVA       0x5000
#define TEST_PE_RELOC_FILE      0x800
#define TEST_PE_RELOC_SIZE      16
#define TEST_PE_FIXUP1_RVA      0x2010
#define TEST_PE_FIXUP2_RVA      0x2021
#define TEST_PE_BASE32          0x80800000ull
#define TEST_PE_BASE64          0xFFFFF80800000000ull

typedef struct _TEST_PE_IMAGE {
    UCHAR Bytes[TEST_PE_FILE_SIZE + 0x200]; /* spare room for tests that grow the file */
    SIZE_T Size;
    USHORT Machine;
    ULONG SectionTableOffset;
    ULONG DataDirectoryOffset; /* file offset of OptionalHeader.DataDirectory[0] */
} TEST_PE_IMAGE, *PTEST_PE_IMAGE;

/* Builds the image above for IMAGE_FILE_MACHINE_AMD64 (PE32+) or IMAGE_FILE_MACHINE_I386 (PE32). */
VOID TestPeBuild(PTEST_PE_IMAGE Image, USHORT Machine);

/* Little-endian stores and loads at a file offset. */
VOID TestPePut16(PTEST_PE_IMAGE Image, ULONG Offset, USHORT Value);
VOID TestPePut32(PTEST_PE_IMAGE Image, ULONG Offset, ULONG Value);
ULONG TestPeGet32(const UCHAR *Bytes, ULONG Offset);
ULONGLONG TestPeGet64(const UCHAR *Bytes, ULONG Offset);

/* File offset of field FieldOffset of section header Index, and of optional-header field FieldOffset. */
ULONG TestPeSectionField(const TEST_PE_IMAGE *Image, ULONG Index, ULONG FieldOffset);
#define TEST_PE_SECTION(Image, Index, Field) TestPeSectionField((Image), (Index), offsetof(IMAGE_SECTION_HEADER, Field))
#define TEST_PE_OPTIONAL(Field)              (TEST_PE_OPTIONAL_HEADER + offsetof(IMAGE_OPTIONAL_HEADER64, Field))

/* File offset of relocation entry Entry of the (single) block; the block header is at TEST_PE_RELOC_FILE. */
#define TEST_PE_RELOC_ENTRY(Entry) (TEST_PE_RELOC_FILE + 8 + 2 * (Entry))

#endif

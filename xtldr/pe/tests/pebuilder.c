/* Test helper: builds small, valid PE32 / PE32+ images in memory (layout in pebuilder.h). */
#include <rtl.h>

#include "pebuilder.h"

typedef struct _TEST_PE_SECTION_SPEC {
    CHAR Name[8];
    ULONG VirtualAddress;
    ULONG VirtualSize;
    ULONG SizeOfRawData;
    ULONG PointerToRawData;
    ULONG Characteristics;
} TEST_PE_SECTION_SPEC;

static const TEST_PE_SECTION_SPEC TestPeSections[TEST_PE_SECTION_COUNT] = {
    {".text", 0x1000, 0x100, 0x200, 0x400, IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ},
    {".data", 0x2000, 0x1800, 0x200, 0x600, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE},
    {".bss", 0x4000, 0x800, 0, 0, IMAGE_SCN_CNT_UNINITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE},
    {".reloc", TEST_PE_RELOC_RVA, TEST_PE_RELOC_SIZE, 0x200, TEST_PE_RELOC_FILE,
     IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_DISCARDABLE},
};

VOID TestPePut16(PTEST_PE_IMAGE Image, ULONG Offset, USHORT Value) {
    RtlCopyMemory(Image->Bytes + Offset, &Value, sizeof(Value));
}

VOID TestPePut32(PTEST_PE_IMAGE Image, ULONG Offset, ULONG Value) {
    RtlCopyMemory(Image->Bytes + Offset, &Value, sizeof(Value));
}

static VOID TestPePut64(PTEST_PE_IMAGE Image, ULONG Offset, ULONGLONG Value) {
    RtlCopyMemory(Image->Bytes + Offset, &Value, sizeof(Value));
}

ULONG TestPeGet32(const UCHAR *Bytes, ULONG Offset) {
    ULONG Value;
    RtlCopyMemory(&Value, Bytes + Offset, sizeof(Value));
    return Value;
}

ULONGLONG TestPeGet64(const UCHAR *Bytes, ULONG Offset) {
    ULONGLONG Value;
    RtlCopyMemory(&Value, Bytes + Offset, sizeof(Value));
    return Value;
}

ULONG TestPeSectionField(const TEST_PE_IMAGE *Image, ULONG Index, ULONG FieldOffset) {
    return Image->SectionTableOffset + Index * sizeof(IMAGE_SECTION_HEADER) + FieldOffset;
}

/* DOS header, "PE\0\0" and the file header. */
static VOID TestPeBuildFileHeader(PTEST_PE_IMAGE Image, BOOLEAN Pe32) {
    IMAGE_FILE_HEADER Header = {0};

    TestPePut16(Image, 0, IMAGE_DOS_SIGNATURE);
    TestPePut32(Image, offsetof(IMAGE_DOS_HEADER, e_lfanew), TEST_PE_NT_OFFSET);
    TestPePut32(Image, TEST_PE_NT_OFFSET, IMAGE_NT_SIGNATURE);
    Header.Machine = Image->Machine;
    Header.NumberOfSections = TEST_PE_SECTION_COUNT;
    Header.SizeOfOptionalHeader = Pe32 ? sizeof(IMAGE_OPTIONAL_HEADER32) : sizeof(IMAGE_OPTIONAL_HEADER64);
    Header.Characteristics =
        IMAGE_FILE_EXECUTABLE_IMAGE | (Pe32 ? IMAGE_FILE_32BIT_MACHINE : IMAGE_FILE_LARGE_ADDRESS_AWARE);
    RtlCopyMemory(Image->Bytes + TEST_PE_FILE_HEADER, &Header, sizeof(Header));
    Image->SectionTableOffset = TEST_PE_OPTIONAL_HEADER + Header.SizeOfOptionalHeader;
}

/* The optional header fields both formats share sit at the same offsets; ImageBase and the directories differ. */
static VOID TestPeBuildOptionalHeader(PTEST_PE_IMAGE Image, BOOLEAN Pe32) {
    ULONG DirectoryOffset;

    TestPePut16(Image, TEST_PE_OPTIONAL(Magic), Pe32 ? IMAGE_NT_OPTIONAL_HDR32_MAGIC : IMAGE_NT_OPTIONAL_HDR64_MAGIC);
    TestPePut32(Image, TEST_PE_OPTIONAL(AddressOfEntryPoint), TEST_PE_ENTRY_RVA);
    TestPePut32(Image, TEST_PE_OPTIONAL(SectionAlignment), 0x1000);
    TestPePut32(Image, TEST_PE_OPTIONAL(FileAlignment), 0x200);
    TestPePut32(Image, TEST_PE_OPTIONAL(SizeOfImage), TEST_PE_SIZE_OF_IMAGE);
    TestPePut32(Image, TEST_PE_OPTIONAL(SizeOfHeaders), 0x400);
    TestPePut16(Image, TEST_PE_OPTIONAL(Subsystem), IMAGE_SUBSYSTEM_NATIVE);
    TestPePut16(Image, TEST_PE_OPTIONAL(DllCharacteristics),
                IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE | IMAGE_DLLCHARACTERISTICS_NX_COMPAT);
    if (Pe32) {
        TestPePut32(Image, TEST_PE_OPTIONAL_HEADER + offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase),
                    (ULONG)TEST_PE_BASE32);
        TestPePut32(Image, TEST_PE_OPTIONAL_HEADER + offsetof(IMAGE_OPTIONAL_HEADER32, NumberOfRvaAndSizes), 16);
        DirectoryOffset = TEST_PE_OPTIONAL_HEADER + offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory);
    } else {
        TestPePut64(Image, TEST_PE_OPTIONAL(ImageBase), TEST_PE_BASE64);
        TestPePut32(Image, TEST_PE_OPTIONAL(NumberOfRvaAndSizes), 16);
        DirectoryOffset = TEST_PE_OPTIONAL(DataDirectory);
    }
    Image->DataDirectoryOffset = DirectoryOffset;
    TestPePut32(Image, DirectoryOffset + 8 * IMAGE_DIRECTORY_ENTRY_BASERELOC, TEST_PE_RELOC_RVA);
    TestPePut32(Image, DirectoryOffset + 8 * IMAGE_DIRECTORY_ENTRY_BASERELOC + 4, TEST_PE_RELOC_SIZE);
}

/* Section table, section contents (patterns, junk past VirtualSize) and the relocation block. */
static VOID TestPeBuildSections(PTEST_PE_IMAGE Image, BOOLEAN Pe32) {
    ULONGLONG Base = Pe32 ? TEST_PE_BASE32 : TEST_PE_BASE64;
    USHORT Type = Pe32 ? IMAGE_REL_BASED_HIGHLOW : IMAGE_REL_BASED_DIR64;
    IMAGE_SECTION_HEADER Header;
    ULONG Index;

    for (Index = 0; Index < TEST_PE_SECTION_COUNT; Index++) {
        RtlZeroMemory(&Header, sizeof(Header));
        RtlCopyMemory(Header.Name, TestPeSections[Index].Name, sizeof(Header.Name));
        Header.VirtualAddress = TestPeSections[Index].VirtualAddress;
        Header.VirtualSize = TestPeSections[Index].VirtualSize;
        Header.SizeOfRawData = TestPeSections[Index].SizeOfRawData;
        Header.PointerToRawData = TestPeSections[Index].PointerToRawData;
        Header.Characteristics = TestPeSections[Index].Characteristics;
        RtlCopyMemory(Image->Bytes + TestPeSectionField(Image, Index, 0), &Header, sizeof(Header));
    }
    for (Index = 0; Index < 0x200; Index++) {
        Image->Bytes[0x400 + Index] = Index < 0x100 ? (UCHAR)(0x90 + (Index & 7)) : 0xEE;
        Image->Bytes[0x600 + Index] = (UCHAR)(Index ^ 0x5A);
    }
    RtlFillMemory(Image->Bytes + TEST_PE_RELOC_FILE + TEST_PE_RELOC_SIZE, 0x200 - TEST_PE_RELOC_SIZE, 0xEE);
    if (Pe32) {
        TestPePut32(Image, 0x600 + 0x10, (ULONG)Base + TEST_PE_ENTRY_RVA);
        TestPePut32(Image, 0x600 + 0x21, (ULONG)Base + 0x2000);
    } else {
        TestPePut64(Image, 0x600 + 0x10, Base + TEST_PE_ENTRY_RVA);
        TestPePut64(Image, 0x600 + 0x21, Base + 0x2000);
    }
    TestPePut32(Image, TEST_PE_RELOC_FILE, 0x2000);
    TestPePut32(Image, TEST_PE_RELOC_FILE + 4, TEST_PE_RELOC_SIZE);
    TestPePut16(Image, TEST_PE_RELOC_ENTRY(0), (USHORT)((Type << 12) | 0x010));
    TestPePut16(Image, TEST_PE_RELOC_ENTRY(1), (USHORT)((Type << 12) | 0x021));
    TestPePut16(Image, TEST_PE_RELOC_ENTRY(2), 0);
    TestPePut16(Image, TEST_PE_RELOC_ENTRY(3), 0);
}

VOID TestPeBuild(PTEST_PE_IMAGE Image, USHORT Machine) {
    BOOLEAN Pe32 = (BOOLEAN)(Machine == IMAGE_FILE_MACHINE_I386);

    RtlZeroMemory(Image, sizeof(*Image));
    Image->Machine = Machine;
    Image->Size = TEST_PE_FILE_SIZE;
    TestPeBuildFileHeader(Image, Pe32);
    TestPeBuildOptionalHeader(Image, Pe32);
    TestPeBuildSections(Image, Pe32);
}

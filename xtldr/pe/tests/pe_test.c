/* Host tests of the PE/COFF validator and loader: valid PE32 and PE32+ images built in memory load and relocate
 * correctly; every crafted defect is rejected with the expected field. */
#include <stdlib.h>

#include <peimage.h>
#include <rtl.h>

#include "pebuilder.h"
#include "xtest.h"

static const USHORT TestMachines[] = {IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_MACHINE_I386};

static ULONGLONG TestPeBase(USHORT Machine) {
    return Machine == IMAGE_FILE_MACHINE_I386 ? TEST_PE_BASE32 : TEST_PE_BASE64;
}

static BOOLEAN TestStringsEqual(PCSTR Left, PCSTR Right) {
    return (BOOLEAN)(RtlCompareCString(Left, Right, 1000, FALSE) == 0);
}

/* Validates the first Size bytes of Image from an exactly sized heap copy (so an over-read leaves the buffer) and
 * reports whether it failed with Status on Field at file offset Offset. */
static BOOLEAN TestPeRejects(const TEST_PE_IMAGE *Image, SIZE_T Size, XTSTATUS Status, PCSTR Field, ULONG Offset) {
    PUCHAR Copy = malloc(Size ? Size : 1);
    PE_IMAGE_INFO Info;
    PE_ERROR Error;
    XTSTATUS Actual;
    BOOLEAN Match;

    RtlCopyMemory(Copy, Image->Bytes, Size);
    Actual = BlPeValidateImage(Copy, Size, Image->Machine, IMAGE_SUBSYSTEM_NATIVE, &Info, &Error);
    free(Copy);
    Match = (BOOLEAN)(Actual == Status && TestStringsEqual(Error.Field, Field) && Error.Offset == Offset &&
                      Info.SizeOfImage == 0);
    if (!Match) {
        XtestPrint("  machine 0x%x size 0x%x: status 0x%x field '%s' offset 0x%x (%s); expected 0x%x '%s' 0x%x\n",
                   Image->Machine, (ULONG)Size, (ULONG)Actual, Error.Field, Error.Offset, Error.Reason, (ULONG)Status,
                   Field, Offset);
    }
    return Match;
}

#define TEST_PE_REJECTS(Image, Field, Offset)                                                                          \
    TestPeRejects((Image), (Image)->Size, STATUS_INVALID_IMAGE_FORMAT, (Field), (Offset))

XTEST(ValidImagesValidate) {
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info;
    PE_ERROR Error;

    for (ULONG Index = 0; Index < ARRAY_SIZE(TestMachines); Index++) {
        TestPeBuild(&Image, TestMachines[Index]);
        XTEST_ASSERT_EQ(
            BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, IMAGE_SUBSYSTEM_NATIVE, &Info, &Error),
            STATUS_SUCCESS);
        XTEST_CHECK_EQ(Error.Field[0], 0);
        XTEST_CHECK_EQ(Info.Machine, TestMachines[Index]);
        XTEST_CHECK_EQ(Info.Magic, Image.Machine == IMAGE_FILE_MACHINE_I386 ? IMAGE_NT_OPTIONAL_HDR32_MAGIC
                                                                            : IMAGE_NT_OPTIONAL_HDR64_MAGIC);
        XTEST_CHECK_EQ(Info.ImageBase, TestPeBase(Image.Machine));
        XTEST_CHECK_EQ(Info.Subsystem, IMAGE_SUBSYSTEM_NATIVE);
        XTEST_CHECK_EQ(Info.SizeOfImage, TEST_PE_SIZE_OF_IMAGE);
        XTEST_CHECK_EQ(Info.SizeOfHeaders, 0x400);
        XTEST_CHECK_EQ(Info.EntryPointRva, TEST_PE_ENTRY_RVA);
        XTEST_CHECK_EQ(Info.SectionCount, TEST_PE_SECTION_COUNT);
        XTEST_CHECK_EQ(Info.NtHeadersOffset, TEST_PE_NT_OFFSET);
        XTEST_CHECK_EQ(Info.SectionTableOffset, Image.SectionTableOffset);
        XTEST_CHECK_EQ(Info.RelocationRva, TEST_PE_RELOC_RVA);
        XTEST_CHECK_EQ(Info.RelocationSize, TEST_PE_RELOC_SIZE);
        XTEST_CHECK_EQ(Info.RelocationFileOffset, TEST_PE_RELOC_FILE);
        XTEST_CHECK_EQ(Info.RelocationCount, 2);
        XTEST_CHECK(Info.Relocatable);
        /* A NULL Error is allowed. */
        XTEST_CHECK_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, IMAGE_SUBSYSTEM_NATIVE, &Info, NULL),
                       STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(BlPeValidateImage(NULL, 0x1000, IMAGE_FILE_MACHINE_AMD64, 1, &Info, &Error),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlPeValidateImage(Image.Bytes, Image.Size, 0x1C0, 1, &Info, &Error), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(TestStringsEqual(Error.Field, "ExpectedMachine"));
}

XTEST(WrongSubsystemRejected) {
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info;
    PE_ERROR Error;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    XTEST_CHECK_EQ(
        BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, IMAGE_SUBSYSTEM_EFI_APPLICATION, &Info, &Error),
        STATUS_INVALID_IMAGE_FORMAT);
    XTEST_CHECK(TestStringsEqual(Error.Field, "IMAGE_OPTIONAL_HEADER.Subsystem"));
    XTEST_CHECK_EQ(Error.Offset, TEST_PE_OPTIONAL(Subsystem));
}

/* Loads Image at NewBase into a 0xCC-filled buffer of SizeOfImage bytes; returns the buffer (caller frees). */
static PUCHAR TestPeLoad(const TEST_PE_IMAGE *Image, ULONGLONG NewBase, XTSTATUS *Status, PPE_ERROR Error) {
    PUCHAR Destination = malloc(TEST_PE_SIZE_OF_IMAGE);
    PE_IMAGE_INFO Info;

    RtlFillMemory(Destination, TEST_PE_SIZE_OF_IMAGE, 0xCC);
    *Status = BlPeValidateImage(Image->Bytes, Image->Size, Image->Machine, IMAGE_SUBSYSTEM_NATIVE, &Info, Error);
    if (XT_SUCCESS(*Status)) {
        *Status = BlPeLoadImage(Image->Bytes, Image->Size, &Info, Destination, TEST_PE_SIZE_OF_IMAGE, NewBase, Error);
    }
    return Destination;
}

static BOOLEAN TestAllBytes(const UCHAR *Bytes, ULONG Start, ULONG End, UCHAR Value) {
    for (ULONG Index = Start; Index < End; Index++) {
        if (Bytes[Index] != Value) {
            XtestPrint("  byte 0x%x is 0x%x, expected 0x%x\n", Index, Bytes[Index], Value);
            return FALSE;
        }
    }
    return TRUE;
}

XTEST(LoadCopiesSectionsAndZeroFills) {
    TEST_PE_IMAGE Image;
    PE_ERROR Error;
    XTSTATUS Status;
    PUCHAR Loaded;

    for (ULONG Index = 0; Index < ARRAY_SIZE(TestMachines); Index++) {
        TestPeBuild(&Image, TestMachines[Index]);
        Loaded = TestPeLoad(&Image, TestPeBase(Image.Machine), &Status, &Error);
        XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
        XTEST_CHECK_EQ(RtlCompareMemory(Loaded, Image.Bytes, 0x400), 0x400);                  /* headers */
        XTEST_CHECK(TestAllBytes(Loaded, 0x400, 0x1000, 0));                                  /* gap after headers */
        XTEST_CHECK_EQ(RtlCompareMemory(Loaded + 0x1000, Image.Bytes + 0x400, 0x100), 0x100); /* .text */
        XTEST_CHECK(TestAllBytes(Loaded, 0x1100, 0x2000, 0));                                 /* raw junk not copied */
        XTEST_CHECK_EQ(RtlCompareMemory(Loaded + 0x2000, Image.Bytes + 0x600, 0x200), 0x200); /* .data */
        XTEST_CHECK(TestAllBytes(Loaded, 0x2200, 0x5000, 0));                                 /* BSS, gap, .bss */
        XTEST_CHECK_EQ(RtlCompareMemory(Loaded + 0x5000, Image.Bytes + 0x800, 0x10), 0x10);   /* .reloc */
        XTEST_CHECK(TestAllBytes(Loaded, 0x5010, TEST_PE_SIZE_OF_IMAGE, 0));
        XTEST_CHECK_EQ(TestPeGet32(Loaded, 0x2010), (ULONG)TestPeBase(Image.Machine) + TEST_PE_ENTRY_RVA);
        free(Loaded);
    }
}

XTEST(LoadAppliesDir64Relocations) {
    const ULONGLONG NewBase = 0xFFFFF80000400000ull;
    TEST_PE_IMAGE Image;
    PE_ERROR Error;
    XTSTATUS Status;
    PUCHAR Loaded;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    Loaded = TestPeLoad(&Image, NewBase, &Status, &Error);
    XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
    XTEST_CHECK_EQ(TestPeGet64(Loaded, TEST_PE_FIXUP1_RVA), NewBase + TEST_PE_ENTRY_RVA);
    XTEST_CHECK_EQ(TestPeGet64(Loaded, TEST_PE_FIXUP2_RVA), NewBase + 0x2000); /* unaligned target */
    XTEST_CHECK_EQ(Loaded[TEST_PE_FIXUP1_RVA - 1], Image.Bytes[0x600 + 0x0F]); /* neighbours untouched */
    XTEST_CHECK_EQ(Loaded[TEST_PE_FIXUP1_RVA + 8], Image.Bytes[0x600 + 0x18]);
    XTEST_CHECK_EQ(Loaded[TEST_PE_FIXUP2_RVA + 8], Image.Bytes[0x600 + 0x29]);
    XTEST_CHECK_EQ(TestPeGet64(Loaded, TEST_PE_OPTIONAL(ImageBase)), NewBase);
    /* The file itself is never modified. */
    XTEST_CHECK_EQ(TestPeGet64(Image.Bytes, 0x600 + 0x10), TEST_PE_BASE64 + TEST_PE_ENTRY_RVA);
    free(Loaded);
}

XTEST(LoadAppliesHighLowRelocations) {
    const ULONGLONG NewBase = 0x00400000ull; /* below ImageBase: the delta wraps */
    TEST_PE_IMAGE Image;
    PE_ERROR Error;
    XTSTATUS Status;
    PUCHAR Loaded;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_I386);
    Loaded = TestPeLoad(&Image, NewBase, &Status, &Error);
    XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
    XTEST_CHECK_EQ(TestPeGet32(Loaded, TEST_PE_FIXUP1_RVA), (ULONG)NewBase + TEST_PE_ENTRY_RVA);
    XTEST_CHECK_EQ(TestPeGet32(Loaded, TEST_PE_FIXUP2_RVA), (ULONG)NewBase + 0x2000);
    XTEST_CHECK_EQ(Loaded[TEST_PE_FIXUP1_RVA + 4], Image.Bytes[0x600 + 0x14]);
    XTEST_CHECK_EQ(Loaded[TEST_PE_FIXUP2_RVA + 4], Image.Bytes[0x600 + 0x25]);
    XTEST_CHECK_EQ(TestPeGet32(Loaded, TEST_PE_OPTIONAL_HEADER + offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase)),
                   (ULONG)NewBase);
    free(Loaded);
}

/* Loads with one bad argument; checks the failing field and that the destination stayed untouched. */
static BOOLEAN TestPeLoadRejects(const TEST_PE_IMAGE *Image, PCPE_IMAGE_INFO Info, SIZE_T DestinationSize,
                                 ULONGLONG NewBase, PCSTR Field) {
    UCHAR *Destination = malloc(TEST_PE_SIZE_OF_IMAGE);
    PE_ERROR Error;
    XTSTATUS Status;
    BOOLEAN Match;

    RtlFillMemory(Destination, TEST_PE_SIZE_OF_IMAGE, 0xCC);
    Status = BlPeLoadImage(Image->Bytes, Image->Size, Info, Destination, DestinationSize, NewBase, &Error);
    Match = (BOOLEAN)(Status == STATUS_INVALID_PARAMETER && TestStringsEqual(Error.Field, Field) &&
                      TestAllBytes(Destination, 0, TEST_PE_SIZE_OF_IMAGE, 0xCC));
    if (!Match) {
        XtestPrint("  load: status 0x%x field '%s' (%s), expected '%s'\n", (ULONG)Status, Error.Field, Error.Reason,
                   Field);
    }
    free(Destination);
    return Match;
}

XTEST(LoadRejectsBadArguments) {
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info, Changed;
    PE_ERROR Error;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_I386);
    XTEST_ASSERT_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, &Error), STATUS_SUCCESS);
    XTEST_CHECK(TestPeLoadRejects(&Image, &Info, TEST_PE_SIZE_OF_IMAGE - 1, TEST_PE_BASE32, "DestinationSize"));
    XTEST_CHECK(TestPeLoadRejects(&Image, &Info, TEST_PE_SIZE_OF_IMAGE, TEST_PE_BASE32 + 0x800, "NewBase"));
    XTEST_CHECK(TestPeLoadRejects(&Image, &Info, TEST_PE_SIZE_OF_IMAGE, 0xFFFFC000ull, "NewBase")); /* past 4 GiB */
    XTEST_CHECK(TestPeLoadRejects(&Image, &Info, TEST_PE_SIZE_OF_IMAGE, 0x100000000ull, "NewBase"));
    Changed = Info;
    Changed.SizeOfImage = 0x5000;
    XTEST_CHECK(TestPeLoadRejects(&Image, &Changed, TEST_PE_SIZE_OF_IMAGE, TEST_PE_BASE32, "Info"));
    XTEST_CHECK(TestPeLoadRejects(&Image, NULL, TEST_PE_SIZE_OF_IMAGE, TEST_PE_BASE32, "Info"));
    /* Relocations stripped (and no directory): loads only at ImageBase. */
    TestPePut32(&Image, Image.DataDirectoryOffset + 8 * IMAGE_DIRECTORY_ENTRY_BASERELOC + 4, 0);
    TestPePut16(&Image, TEST_PE_FILE_HEADER + offsetof(IMAGE_FILE_HEADER, Characteristics),
                IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_RELOCS_STRIPPED);
    XTEST_ASSERT_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, &Error), STATUS_SUCCESS);
    XTEST_CHECK(!Info.Relocatable);
    XTEST_CHECK(TestPeLoadRejects(&Image, &Info, TEST_PE_SIZE_OF_IMAGE, 0x00400000ull, "NewBase"));
}

XTEST(SectionsDescribeMappings) {
    static const struct {
        PCSTR Name;
        ULONG VirtualAddress, VirtualSize, MappedSize, FileSize, Protection;
        BOOLEAN Discardable;
    } Expected[TEST_PE_SECTION_COUNT] = {
        {".text", 0x1000, 0x100, 0x1000, 0x100, PE_PROTECT_READ | PE_PROTECT_EXECUTE, FALSE},
        {".data", 0x2000, 0x1800, 0x2000, 0x200, PE_PROTECT_READ | PE_PROTECT_WRITE, FALSE},
        {".bss", 0x4000, 0x800, 0x1000, 0, PE_PROTECT_READ | PE_PROTECT_WRITE, FALSE},
        {".reloc", 0x5000, 0x10, 0x1000, 0x10, PE_PROTECT_READ, TRUE},
    };
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info;
    PE_SECTION_INFO Section;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    XTEST_ASSERT_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, NULL), STATUS_SUCCESS);
    for (ULONG Index = 0; Index < TEST_PE_SECTION_COUNT; Index++) {
        XTEST_ASSERT_EQ(BlPeGetSection(Image.Bytes, Image.Size, &Info, Index, &Section), STATUS_SUCCESS);
        XTEST_CHECK(TestStringsEqual(Section.Name, Expected[Index].Name));
        XTEST_CHECK_EQ(Section.VirtualAddress, Expected[Index].VirtualAddress);
        XTEST_CHECK_EQ(Section.VirtualSize, Expected[Index].VirtualSize);
        XTEST_CHECK_EQ(Section.MappedSize, Expected[Index].MappedSize);
        XTEST_CHECK_EQ(Section.FileSize, Expected[Index].FileSize);
        XTEST_CHECK_EQ(Section.Protection, Expected[Index].Protection);
        XTEST_CHECK_EQ(Section.Discardable, Expected[Index].Discardable);
    }
    XTEST_CHECK_EQ(BlPeGetSection(Image.Bytes, Image.Size, &Info, TEST_PE_SECTION_COUNT, &Section),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlPeGetSection(Image.Bytes, 0x100, &Info, 0, &Section), STATUS_INVALID_PARAMETER);
}

XTEST(PageProtectionPolicy) {
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info;
    PE_ERROR Error;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    XTEST_ASSERT_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlPeCheckPageProtection(Image.Bytes, Image.Size, &Info, &Error), STATUS_SUCCESS);

    TestPePut32(&Image, TEST_PE_SECTION(&Image, 0, Characteristics),
                IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE);
    XTEST_ASSERT_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlPeCheckPageProtection(Image.Bytes, Image.Size, &Info, &Error), STATUS_INVALID_IMAGE_PROTECT);
    XTEST_CHECK(TestStringsEqual(Error.Field, "IMAGE_SECTION_HEADER[0].Characteristics"));
    XTEST_CHECK_EQ(Error.Offset, TEST_PE_SECTION(&Image, 0, Characteristics));

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_I386);
    TestPePut32(&Image, TEST_PE_OPTIONAL(SectionAlignment), 0x200); /* valid PE, but sections share pages */
    XTEST_ASSERT_EQ(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlPeCheckPageProtection(Image.Bytes, Image.Size, &Info, &Error), STATUS_INVALID_IMAGE_PROTECT);
    XTEST_CHECK(TestStringsEqual(Error.Field, "IMAGE_OPTIONAL_HEADER.SectionAlignment"));
}

XTEST(TruncatedImagesRejected) {
    TEST_PE_IMAGE Image;

    for (ULONG Index = 0; Index < ARRAY_SIZE(TestMachines); Index++) {
        TestPeBuild(&Image, TestMachines[Index]);
        XTEST_CHECK(TestPeRejects(&Image, 0, STATUS_INVALID_IMAGE_NOT_MZ, "IMAGE_DOS_HEADER.e_magic", 0));
        XTEST_CHECK(TestPeRejects(&Image, 1, STATUS_INVALID_IMAGE_NOT_MZ, "IMAGE_DOS_HEADER.e_magic", 0));
        XTEST_CHECK(TestPeRejects(&Image, 63, STATUS_INVALID_IMAGE_FORMAT, "IMAGE_DOS_HEADER.e_lfanew", 0x3C));
        XTEST_CHECK(TestPeRejects(&Image, TEST_PE_NT_OFFSET - 1, STATUS_INVALID_IMAGE_FORMAT,
                                  "IMAGE_DOS_HEADER.e_lfanew", 0x3C));
        XTEST_CHECK(TestPeRejects(&Image, TEST_PE_FILE_HEADER + 10, STATUS_INVALID_IMAGE_FORMAT, "IMAGE_NT_HEADERS",
                                  TEST_PE_NT_OFFSET));
        XTEST_CHECK(TestPeRejects(&Image, TEST_PE_OPTIONAL_HEADER + 50, STATUS_INVALID_IMAGE_FORMAT,
                                  "IMAGE_OPTIONAL_HEADER", TEST_PE_OPTIONAL_HEADER));
        XTEST_CHECK(TestPeRejects(&Image, TEST_PE_SECTION(&Image, 2, Name) + 5, STATUS_INVALID_IMAGE_FORMAT,
                                  "IMAGE_SECTION_HEADER[2]", TEST_PE_SECTION(&Image, 2, Name)));
        XTEST_CHECK(TestPeRejects(&Image, 0x300, STATUS_INVALID_IMAGE_FORMAT, "IMAGE_OPTIONAL_HEADER.SizeOfHeaders",
                                  TEST_PE_OPTIONAL(SizeOfHeaders)));
        XTEST_CHECK(TestPeRejects(&Image, 0x700, STATUS_INVALID_IMAGE_FORMAT, "IMAGE_SECTION_HEADER[1].SizeOfRawData",
                                  TEST_PE_SECTION(&Image, 1, SizeOfRawData)));
        XTEST_CHECK(TestPeRejects(&Image, TEST_PE_FILE_SIZE - 1, STATUS_INVALID_IMAGE_FORMAT,
                                  "IMAGE_SECTION_HEADER[3].SizeOfRawData", TEST_PE_SECTION(&Image, 3, SizeOfRawData)));
    }
}

XTEST(EveryTruncationRejected) {
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info;
    ULONG Accepted = 0;

    for (ULONG Index = 0; Index < ARRAY_SIZE(TestMachines); Index++) {
        TestPeBuild(&Image, TestMachines[Index]);
        for (SIZE_T Size = 0; Size < Image.Size; Size++) {
            PUCHAR Copy = malloc(Size ? Size : 1);
            RtlCopyMemory(Copy, Image.Bytes, Size);
            if (XT_SUCCESS(BlPeValidateImage(Copy, Size, Image.Machine, 1, &Info, NULL))) {
                Accepted++;
            }
            free(Copy);
        }
    }
    XTEST_CHECK_EQ(Accepted, 0);
}

/* One corruption of a freshly built image, the field it must be reported on and that field's file offset (from the
 * PE/COFF layout of the built image, not from the validator). */
typedef struct _TEST_PE_CORRUPTION {
    PCSTR Name;
    VOID (*Corrupt)(PTEST_PE_IMAGE Image);
    ULONG (*Offset)(const TEST_PE_IMAGE *Image);
    PCSTR Field;
} TEST_PE_CORRUPTION;

/* File offsets of e_lfanew, of an IMAGE_FILE_HEADER field, and of data directory Index. */
#define TEST_PE_LFANEW                  offsetof(IMAGE_DOS_HEADER, e_lfanew)
#define TEST_PE_FILE_FIELD(Field)       (TEST_PE_FILE_HEADER + offsetof(IMAGE_FILE_HEADER, Field))
#define TEST_PE_DIRECTORY(Image, Index) ((Image)->DataDirectoryOffset + (Index) * sizeof(IMAGE_DATA_DIRECTORY))

/* ImageBase is 4 bytes at 28 in PE32 (after BaseOfData), 8 bytes at 24 in PE32+. */
static ULONG TestPeImageBaseOffset(const TEST_PE_IMAGE *Image) {
    return TEST_PE_OPTIONAL_HEADER + (Image->Machine == IMAGE_FILE_MACHINE_I386
                                          ? offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase)
                                          : offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase));
}

/* Defines the corruption Name (Body, with Image in scope) and Name##Offset, the expected file offset. */
#define CORRUPTION(Name, ExpectedOffset, Body)                                                                         \
    static VOID Name(PTEST_PE_IMAGE Image) {                                                                           \
        Body;                                                                                                          \
    }                                                                                                                  \
    static ULONG Name##Offset(const TEST_PE_IMAGE *Image) {                                                            \
        UNUSED(Image);                                                                                                 \
        return (ULONG)(ExpectedOffset);                                                                                \
    }

CORRUPTION(BadMz, 0, TestPePut16(Image, 0, 0x5A4E))
CORRUPTION(BadPeSignature, TEST_PE_NT_OFFSET, TestPePut32(Image, TEST_PE_NT_OFFSET, 0x00004551))
CORRUPTION(LfanewPastEnd, TEST_PE_LFANEW, TestPePut32(Image, 0x3C, 0x7FFFFFF0))
CORRUPTION(LfanewNegative, TEST_PE_LFANEW, TestPePut32(Image, 0x3C, 0xFFFFFFFC))
CORRUPTION(LfanewInsideDos, TEST_PE_LFANEW, TestPePut32(Image, 0x3C, 0x20))
CORRUPTION(LfanewMisaligned, TEST_PE_LFANEW, TestPePut32(Image, 0x3C, 0x82))
CORRUPTION(LfanewAtEnd, TEST_PE_FILE_SIZE - 8, TestPePut32(Image, 0x3C, TEST_PE_FILE_SIZE - 8))
CORRUPTION(WrongMachine, TEST_PE_FILE_FIELD(Machine),
           TestPePut16(Image, TEST_PE_FILE_HEADER,
                       Image->Machine == IMAGE_FILE_MACHINE_I386 ? IMAGE_FILE_MACHINE_AMD64 : IMAGE_FILE_MACHINE_I386))
CORRUPTION(NoSections, TEST_PE_FILE_FIELD(NumberOfSections), TestPePut16(Image, TEST_PE_FILE_HEADER + 2, 0))
CORRUPTION(TooManySections, TEST_PE_FILE_FIELD(NumberOfSections),
           TestPePut16(Image, TEST_PE_FILE_HEADER + 2, PE_MAX_SECTIONS + 1))
CORRUPTION(NotExecutable, TEST_PE_FILE_FIELD(Characteristics),
           TestPePut16(Image, TEST_PE_FILE_HEADER + 18, IMAGE_FILE_LARGE_ADDRESS_AWARE))
CORRUPTION(StrippedButRelocated, TEST_PE_FILE_FIELD(Characteristics),
           TestPePut16(Image, TEST_PE_FILE_HEADER + 18, IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_RELOCS_STRIPPED))
CORRUPTION(WrongMagic, TEST_PE_OPTIONAL(Magic),
           TestPePut16(Image, TEST_PE_OPTIONAL_HEADER,
                       Image->Machine == IMAGE_FILE_MACHINE_I386 ? IMAGE_NT_OPTIONAL_HDR64_MAGIC
                                                                 : IMAGE_NT_OPTIONAL_HDR32_MAGIC))
CORRUPTION(RomMagic, TEST_PE_OPTIONAL(Magic), TestPePut16(Image, TEST_PE_OPTIONAL_HEADER, 0x107))
CORRUPTION(OptionalHeaderEmpty, TEST_PE_FILE_FIELD(SizeOfOptionalHeader),
           TestPePut16(Image, TEST_PE_FILE_HEADER + 16, 0))
CORRUPTION(OptionalHeaderTooSmall, TEST_PE_FILE_FIELD(SizeOfOptionalHeader),
           TestPePut16(Image, TEST_PE_FILE_HEADER + 16, 90))
CORRUPTION(OptionalHeaderShortOfDirectories, TEST_PE_FILE_FIELD(SizeOfOptionalHeader),
           TestPePut16(Image, TEST_PE_FILE_HEADER + 16,
                       (USHORT)(Image->DataDirectoryOffset - TEST_PE_OPTIONAL_HEADER + 8)))
CORRUPTION(TooManyDirectories, Image->DataDirectoryOffset - 4, TestPePut32(Image, Image->DataDirectoryOffset - 4, 17))
CORRUPTION(SectionAlignmentNotPowerOfTwo, TEST_PE_OPTIONAL(SectionAlignment),
           TestPePut32(Image, TEST_PE_OPTIONAL(SectionAlignment), 0x1800))
CORRUPTION(SectionAlignmentZero, TEST_PE_OPTIONAL(SectionAlignment),
           TestPePut32(Image, TEST_PE_OPTIONAL(SectionAlignment), 0))
CORRUPTION(FileAlignmentNotPowerOfTwo, TEST_PE_OPTIONAL(FileAlignment),
           TestPePut32(Image, TEST_PE_OPTIONAL(FileAlignment), 0x300))
CORRUPTION(FileAlignmentAboveSectionAlignment, TEST_PE_OPTIONAL(FileAlignment),
           TestPePut32(Image, TEST_PE_OPTIONAL(FileAlignment), 0x2000))
CORRUPTION(SizeOfImageUnaligned, TEST_PE_OPTIONAL(SizeOfImage),
           TestPePut32(Image, TEST_PE_OPTIONAL(SizeOfImage), 0x5800))
CORRUPTION(ImageBaseUnaligned, TestPeImageBaseOffset(Image),
           TestPePut32(Image, TEST_PE_OPTIONAL_HEADER + (Image->Machine == IMAGE_FILE_MACHINE_I386 ? 28 : 24),
                       0x80801000))
CORRUPTION(SizeOfHeadersUnaligned, TEST_PE_OPTIONAL(SizeOfHeaders),
           TestPePut32(Image, TEST_PE_OPTIONAL(SizeOfHeaders), 0x3F0))
CORRUPTION(SizeOfHeadersBelowSectionTable, TEST_PE_OPTIONAL(SizeOfHeaders),
           TestPePut32(Image, TEST_PE_OPTIONAL(SizeOfHeaders), 0x200))
CORRUPTION(DirectoryPastImage, TEST_PE_DIRECTORY(Image, 2),
           TestPePut32(Image, Image->DataDirectoryOffset + 8 * 2, 0x5FF0);
           TestPePut32(Image, Image->DataDirectoryOffset + 8 * 2 + 4, 0x20))
CORRUPTION(SectionUnaligned, TEST_PE_SECTION(Image, 1, VirtualAddress),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, VirtualAddress), 0x2100))
CORRUPTION(SectionPastImage, TEST_PE_SECTION(Image, 3, VirtualAddress),
           TestPePut32(Image, TEST_PE_SECTION(Image, 3, VirtualAddress), 0x6000))
CORRUPTION(SectionsOverlap, TEST_PE_SECTION(Image, 2, VirtualAddress),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, VirtualSize), 0x2001))
CORRUPTION(SectionsOutOfOrder, TEST_PE_SECTION(Image, 1, VirtualAddress),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, VirtualAddress), 0x1000))
CORRUPTION(SectionOverHeaders, TEST_PE_SECTION(Image, 0, VirtualAddress),
           TestPePut32(Image, TEST_PE_SECTION(Image, 0, VirtualAddress), 0))
CORRUPTION(SectionSizeOverflows, TEST_PE_SECTION(Image, 3, VirtualSize),
           TestPePut32(Image, TEST_PE_SECTION(Image, 3, VirtualSize), 0xFFFFF000))
CORRUPTION(SectionEndsPastImage, TEST_PE_SECTION(Image, 3, VirtualSize),
           TestPePut32(Image, TEST_PE_SECTION(Image, 3, VirtualSize), 0x1001))
CORRUPTION(RawDataPastEnd, TEST_PE_SECTION(Image, 1, SizeOfRawData),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, SizeOfRawData), 0x10000))
CORRUPTION(RawPointerWraps, TEST_PE_SECTION(Image, 1, SizeOfRawData),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, PointerToRawData), 0xFFFFFE00))
CORRUPTION(RawPointerInHeaders, TEST_PE_SECTION(Image, 1, PointerToRawData),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, PointerToRawData), 0x200))
CORRUPTION(RawPointerUnaligned, TEST_PE_SECTION(Image, 1, PointerToRawData),
           TestPePut32(Image, TEST_PE_SECTION(Image, 1, PointerToRawData), 0x610))
CORRUPTION(EntryInData, TEST_PE_OPTIONAL(AddressOfEntryPoint),
           TestPePut32(Image, TEST_PE_OPTIONAL(AddressOfEntryPoint), 0x2000))
CORRUPTION(EntryPastCode, TEST_PE_OPTIONAL(AddressOfEntryPoint),
           TestPePut32(Image, TEST_PE_OPTIONAL(AddressOfEntryPoint), 0x1100))
CORRUPTION(EntryZero, TEST_PE_OPTIONAL(AddressOfEntryPoint),
           TestPePut32(Image, TEST_PE_OPTIONAL(AddressOfEntryPoint), 0))
CORRUPTION(RelocationsInBss, TEST_PE_DIRECTORY(Image, 5),
           TestPePut32(Image, Image->DataDirectoryOffset + 8 * 5, 0x4000))
CORRUPTION(RelocationsPastRawData, TEST_PE_DIRECTORY(Image, 5),
           TestPePut32(Image, Image->DataDirectoryOffset + 8 * 5 + 4, 0x11))
CORRUPTION(RelocationBlockPastDirectory, TEST_PE_RELOC_FILE + 4, TestPePut32(Image, TEST_PE_RELOC_FILE + 4, 24))
CORRUPTION(RelocationBlockTooSmall, TEST_PE_RELOC_FILE + 4, TestPePut32(Image, TEST_PE_RELOC_FILE + 4, 6))
CORRUPTION(RelocationBlockOdd, TEST_PE_RELOC_FILE + 4, TestPePut32(Image, TEST_PE_RELOC_FILE + 4, 13))
CORRUPTION(RelocationBlockHeaderTruncated, TEST_PE_RELOC_FILE + 12, TestPePut32(Image, TEST_PE_RELOC_FILE + 4, 12);
           TestPePut32(Image, Image->DataDirectoryOffset + 8 * 5 + 4, 16))
CORRUPTION(RelocationPageUnaligned, TEST_PE_RELOC_FILE, TestPePut32(Image, TEST_PE_RELOC_FILE, 0x2004))
CORRUPTION(RelocationPagePastImage, TEST_PE_RELOC_FILE, TestPePut32(Image, TEST_PE_RELOC_FILE, 0x6000))
CORRUPTION(RelocationTargetPastImage, TEST_PE_RELOC_ENTRY(1), TestPePut32(Image, TEST_PE_RELOC_FILE, 0x5000);
           TestPePut16(Image, TEST_PE_RELOC_ENTRY(1),
                       (USHORT)((Image->Machine == IMAGE_FILE_MACHINE_I386 ? 0x3000 : 0xA000) | 0xFFD)))
CORRUPTION(RelocationTargetInHeaders, TEST_PE_RELOC_ENTRY(0), TestPePut32(Image, TEST_PE_RELOC_FILE, 0))
CORRUPTION(RelocationTypeUnknown, TEST_PE_RELOC_ENTRY(1), TestPePut16(Image, TEST_PE_RELOC_ENTRY(1), 0x5021))
CORRUPTION(RelocationTypeWrongMachine, TEST_PE_RELOC_ENTRY(1),
           TestPePut16(Image, TEST_PE_RELOC_ENTRY(1),
                       (USHORT)((Image->Machine == IMAGE_FILE_MACHINE_I386 ? 0xA000 : 0x3000) | 0x021)))

static const TEST_PE_CORRUPTION TestPeCorruptions[] = {
    {"BadMz", BadMz, BadMzOffset, "IMAGE_DOS_HEADER.e_magic"},
    {"BadPeSignature", BadPeSignature, BadPeSignatureOffset, "IMAGE_NT_HEADERS.Signature"},
    {"LfanewPastEnd", LfanewPastEnd, LfanewPastEndOffset, "IMAGE_DOS_HEADER.e_lfanew"},
    {"LfanewNegative", LfanewNegative, LfanewNegativeOffset, "IMAGE_DOS_HEADER.e_lfanew"},
    {"LfanewInsideDos", LfanewInsideDos, LfanewInsideDosOffset, "IMAGE_DOS_HEADER.e_lfanew"},
    {"LfanewMisaligned", LfanewMisaligned, LfanewMisalignedOffset, "IMAGE_DOS_HEADER.e_lfanew"},
    {"LfanewAtEnd", LfanewAtEnd, LfanewAtEndOffset, "IMAGE_NT_HEADERS"},
    {"WrongMachine", WrongMachine, WrongMachineOffset, "IMAGE_FILE_HEADER.Machine"},
    {"NoSections", NoSections, NoSectionsOffset, "IMAGE_FILE_HEADER.NumberOfSections"},
    {"TooManySections", TooManySections, TooManySectionsOffset, "IMAGE_FILE_HEADER.NumberOfSections"},
    {"NotExecutable", NotExecutable, NotExecutableOffset, "IMAGE_FILE_HEADER.Characteristics"},
    {"StrippedButRelocated", StrippedButRelocated, StrippedButRelocatedOffset, "IMAGE_FILE_HEADER.Characteristics"},
    {"WrongMagic", WrongMagic, WrongMagicOffset, "IMAGE_OPTIONAL_HEADER.Magic"},
    {"RomMagic", RomMagic, RomMagicOffset, "IMAGE_OPTIONAL_HEADER.Magic"},
    {"OptionalHeaderEmpty", OptionalHeaderEmpty, OptionalHeaderEmptyOffset, "IMAGE_FILE_HEADER.SizeOfOptionalHeader"},
    {"OptionalHeaderTooSmall", OptionalHeaderTooSmall, OptionalHeaderTooSmallOffset,
     "IMAGE_FILE_HEADER.SizeOfOptionalHeader"},
    {"OptionalHeaderShortOfDirectories", OptionalHeaderShortOfDirectories, OptionalHeaderShortOfDirectoriesOffset,
     "IMAGE_FILE_HEADER.SizeOfOptionalHeader"},
    {"TooManyDirectories", TooManyDirectories, TooManyDirectoriesOffset, "IMAGE_OPTIONAL_HEADER.NumberOfRvaAndSizes"},
    {"SectionAlignmentNotPowerOfTwo", SectionAlignmentNotPowerOfTwo, SectionAlignmentNotPowerOfTwoOffset,
     "IMAGE_OPTIONAL_HEADER.SectionAlignment"},
    {"SectionAlignmentZero", SectionAlignmentZero, SectionAlignmentZeroOffset,
     "IMAGE_OPTIONAL_HEADER.SectionAlignment"},
    {"FileAlignmentNotPowerOfTwo", FileAlignmentNotPowerOfTwo, FileAlignmentNotPowerOfTwoOffset,
     "IMAGE_OPTIONAL_HEADER.FileAlignment"},
    {"FileAlignmentAboveSectionAlignment", FileAlignmentAboveSectionAlignment, FileAlignmentAboveSectionAlignmentOffset,
     "IMAGE_OPTIONAL_HEADER.FileAlignment"},
    {"SizeOfImageUnaligned", SizeOfImageUnaligned, SizeOfImageUnalignedOffset, "IMAGE_OPTIONAL_HEADER.SizeOfImage"},
    {"ImageBaseUnaligned", ImageBaseUnaligned, ImageBaseUnalignedOffset, "IMAGE_OPTIONAL_HEADER.ImageBase"},
    {"SizeOfHeadersUnaligned", SizeOfHeadersUnaligned, SizeOfHeadersUnalignedOffset,
     "IMAGE_OPTIONAL_HEADER.SizeOfHeaders"},
    {"SizeOfHeadersBelowSectionTable", SizeOfHeadersBelowSectionTable, SizeOfHeadersBelowSectionTableOffset,
     "IMAGE_OPTIONAL_HEADER.SizeOfHeaders"},
    {"DirectoryPastImage", DirectoryPastImage, DirectoryPastImageOffset, "IMAGE_OPTIONAL_HEADER.DataDirectory[2]"},
    {"SectionUnaligned", SectionUnaligned, SectionUnalignedOffset, "IMAGE_SECTION_HEADER[1].VirtualAddress"},
    {"SectionPastImage", SectionPastImage, SectionPastImageOffset, "IMAGE_SECTION_HEADER[3].VirtualAddress"},
    {"SectionsOverlap", SectionsOverlap, SectionsOverlapOffset, "IMAGE_SECTION_HEADER[2].VirtualAddress"},
    {"SectionsOutOfOrder", SectionsOutOfOrder, SectionsOutOfOrderOffset, "IMAGE_SECTION_HEADER[1].VirtualAddress"},
    {"SectionOverHeaders", SectionOverHeaders, SectionOverHeadersOffset, "IMAGE_SECTION_HEADER[0].VirtualAddress"},
    {"SectionSizeOverflows", SectionSizeOverflows, SectionSizeOverflowsOffset, "IMAGE_SECTION_HEADER[3].VirtualSize"},
    {"SectionEndsPastImage", SectionEndsPastImage, SectionEndsPastImageOffset, "IMAGE_SECTION_HEADER[3].VirtualSize"},
    {"RawDataPastEnd", RawDataPastEnd, RawDataPastEndOffset, "IMAGE_SECTION_HEADER[1].SizeOfRawData"},
    {"RawPointerWraps", RawPointerWraps, RawPointerWrapsOffset, "IMAGE_SECTION_HEADER[1].SizeOfRawData"},
    {"RawPointerInHeaders", RawPointerInHeaders, RawPointerInHeadersOffset, "IMAGE_SECTION_HEADER[1].PointerToRawData"},
    {"RawPointerUnaligned", RawPointerUnaligned, RawPointerUnalignedOffset, "IMAGE_SECTION_HEADER[1].PointerToRawData"},
    {"EntryInData", EntryInData, EntryInDataOffset, "IMAGE_OPTIONAL_HEADER.AddressOfEntryPoint"},
    {"EntryPastCode", EntryPastCode, EntryPastCodeOffset, "IMAGE_OPTIONAL_HEADER.AddressOfEntryPoint"},
    {"EntryZero", EntryZero, EntryZeroOffset, "IMAGE_OPTIONAL_HEADER.AddressOfEntryPoint"},
    {"RelocationsInBss", RelocationsInBss, RelocationsInBssOffset, "IMAGE_OPTIONAL_HEADER.DataDirectory[5]"},
    {"RelocationsPastRawData", RelocationsPastRawData, RelocationsPastRawDataOffset,
     "IMAGE_OPTIONAL_HEADER.DataDirectory[5]"},
    {"RelocationBlockPastDirectory", RelocationBlockPastDirectory, RelocationBlockPastDirectoryOffset,
     "IMAGE_BASE_RELOCATION[0].SizeOfBlock"},
    {"RelocationBlockTooSmall", RelocationBlockTooSmall, RelocationBlockTooSmallOffset,
     "IMAGE_BASE_RELOCATION[0].SizeOfBlock"},
    {"RelocationBlockOdd", RelocationBlockOdd, RelocationBlockOddOffset, "IMAGE_BASE_RELOCATION[0].SizeOfBlock"},
    {"RelocationBlockHeaderTruncated", RelocationBlockHeaderTruncated, RelocationBlockHeaderTruncatedOffset,
     "IMAGE_BASE_RELOCATION[1]"},
    {"RelocationPageUnaligned", RelocationPageUnaligned, RelocationPageUnalignedOffset,
     "IMAGE_BASE_RELOCATION[0].VirtualAddress"},
    {"RelocationPagePastImage", RelocationPagePastImage, RelocationPagePastImageOffset,
     "IMAGE_BASE_RELOCATION[0].VirtualAddress"},
    {"RelocationTargetPastImage", RelocationTargetPastImage, RelocationTargetPastImageOffset,
     "IMAGE_BASE_RELOCATION[0].TypeOffset[1]"},
    {"RelocationTargetInHeaders", RelocationTargetInHeaders, RelocationTargetInHeadersOffset,
     "IMAGE_BASE_RELOCATION[0].TypeOffset[0]"},
    {"RelocationTypeUnknown", RelocationTypeUnknown, RelocationTypeUnknownOffset,
     "IMAGE_BASE_RELOCATION[0].TypeOffset[1]"},
    {"RelocationTypeWrongMachine", RelocationTypeWrongMachine, RelocationTypeWrongMachineOffset,
     "IMAGE_BASE_RELOCATION[0].TypeOffset[1]"},
};

XTEST(CorruptImagesRejected) {
    TEST_PE_IMAGE Image;
    XTSTATUS Status;

    for (ULONG Machine = 0; Machine < ARRAY_SIZE(TestMachines); Machine++) {
        for (ULONG Index = 0; Index < ARRAY_SIZE(TestPeCorruptions); Index++) {
            TestPeBuild(&Image, TestMachines[Machine]);
            TestPeCorruptions[Index].Corrupt(&Image);
            Status = Index == 0 ? STATUS_INVALID_IMAGE_NOT_MZ : STATUS_INVALID_IMAGE_FORMAT;
            if (!XTEST_CHECK(TestPeRejects(&Image, Image.Size, Status, TestPeCorruptions[Index].Field,
                                           TestPeCorruptions[Index].Offset(&Image)))) {
                XtestPrint("  corruption %s\n", TestPeCorruptions[Index].Name);
            }
        }
    }
}

XTEST(ErrorOffsetsPointAtFields) {
    TEST_PE_IMAGE Image;

    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    WrongMachine(&Image);
    XTEST_CHECK(TEST_PE_REJECTS(&Image, "IMAGE_FILE_HEADER.Machine", TEST_PE_FILE_HEADER));
    TestPeBuild(&Image, IMAGE_FILE_MACHINE_I386);
    RawDataPastEnd(&Image);
    XTEST_CHECK(
        TEST_PE_REJECTS(&Image, "IMAGE_SECTION_HEADER[1].SizeOfRawData", TEST_PE_SECTION(&Image, 1, SizeOfRawData)));
    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    RelocationTypeUnknown(&Image);
    XTEST_CHECK(TEST_PE_REJECTS(&Image, "IMAGE_BASE_RELOCATION[0].TypeOffset[1]", TEST_PE_RELOC_ENTRY(1)));
    TestPeBuild(&Image, IMAGE_FILE_MACHINE_AMD64);
    RelocationBlockOdd(&Image);
    XTEST_CHECK(TEST_PE_REJECTS(&Image, "IMAGE_BASE_RELOCATION[0].SizeOfBlock", TEST_PE_RELOC_FILE + 4));
    TestPeBuild(&Image, IMAGE_FILE_MACHINE_I386);
    RelocationsInBss(&Image);
    XTEST_CHECK(TEST_PE_REJECTS(&Image, "IMAGE_OPTIONAL_HEADER.DataDirectory[5]", Image.DataDirectoryOffset + 40));
}

/* Flipping any single header or relocation byte must never crash or read outside the file. When the result still
 * validates it must load if its SizeOfImage fits the destination, and otherwise be refused without a byte written. */
XTEST(SingleByteCorruptionsAreSafe) {
    static UCHAR Destination[TEST_PE_SIZE_OF_IMAGE];
    TEST_PE_IMAGE Image;
    PE_IMAGE_INFO Info;
    ULONG Rejected = 0, Loaded = 0, TooLarge = 0;

    for (ULONG Machine = 0; Machine < ARRAY_SIZE(TestMachines); Machine++) {
        for (ULONG Offset = 0; Offset < 0x400 + TEST_PE_RELOC_SIZE; Offset++) {
            ULONG FileOffset = Offset < 0x400 ? Offset : TEST_PE_RELOC_FILE + Offset - 0x400;
            XTSTATUS Status;
            TestPeBuild(&Image, TestMachines[Machine]);
            Image.Bytes[FileOffset] ^= 0xA5;
            if (!XT_SUCCESS(BlPeValidateImage(Image.Bytes, Image.Size, Image.Machine, 1, &Info, NULL))) {
                Rejected++;
                continue;
            }
            RtlFillMemory(Destination, sizeof(Destination), 0xCC);
            Status =
                BlPeLoadImage(Image.Bytes, Image.Size, &Info, Destination, sizeof(Destination), Info.ImageBase, NULL);
            if (Info.SizeOfImage <= sizeof(Destination)) {
                Loaded += XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
            } else {
                TooLarge += XTEST_CHECK_EQ(Status, STATUS_INVALID_PARAMETER) &&
                            XTEST_CHECK(TestAllBytes(Destination, 0, sizeof(Destination), 0xCC));
            }
            if (!XT_SUCCESS(Status) != (Info.SizeOfImage > sizeof(Destination))) {
                XtestPrint("  machine 0x%x: byte 0x%x flipped, SizeOfImage 0x%x, load status 0x%x\n", Image.Machine,
                           FileOffset, Info.SizeOfImage, (ULONG)Status);
            }
        }
    }
    XtestPrint("  single-byte corruptions: %u rejected, %u still valid and loaded, %u valid but larger than the "
               "destination (refused)\n",
               Rejected, Loaded, TooLarge);
    XTEST_CHECK(Rejected > 100);
    XTEST_CHECK(Loaded > 100);
    XTEST_CHECK(TooLarge > 0);
}

XTEST_SUITE(PeImageSuite, XTEST_ENTRY(ValidImagesValidate), XTEST_ENTRY(WrongSubsystemRejected),
            XTEST_ENTRY(LoadCopiesSectionsAndZeroFills), XTEST_ENTRY(LoadAppliesDir64Relocations),
            XTEST_ENTRY(LoadAppliesHighLowRelocations), XTEST_ENTRY(LoadRejectsBadArguments),
            XTEST_ENTRY(SectionsDescribeMappings), XTEST_ENTRY(PageProtectionPolicy),
            XTEST_ENTRY(TruncatedImagesRejected), XTEST_ENTRY(EveryTruncationRejected),
            XTEST_ENTRY(CorruptImagesRejected), XTEST_ENTRY(ErrorOffsetsPointAtFields),
            XTEST_ENTRY(SingleByteCorruptionsAreSafe));

XTEST_HOST_MAIN(&PeImageSuite)

/* XTLDR PE/COFF image library: validation of the headers, the section table and the entry point. */
#include "pep.h"

#define BLP_PE_NT_FIXED_SIZE            (sizeof(ULONG) + sizeof(IMAGE_FILE_HEADER))
#define BLP_PE_MIN_IMAGE_BASE_ALIGNMENT 0x10000u

XTSTATUS BlpPeFail(PBLP_PE_CONTEXT Context, ULONGLONG Offset, PCSTR Field, PCSTR ReasonFormat, ...) {
    va_list Arguments;

    RtlFormatString(Context->Error->Field, sizeof(Context->Error->Field), "%s", Field);
    Context->Error->Offset = Offset > 0xFFFFFFFFull ? 0xFFFFFFFFu : (ULONG)Offset;
    va_start(Arguments, ReasonFormat);
    RtlFormatStringV(Context->Error->Reason, sizeof(Context->Error->Reason), ReasonFormat, Arguments);
    va_end(Arguments);
    return STATUS_INVALID_IMAGE_FORMAT;
}

PCSTR BlpPeField(PBLP_PE_CONTEXT Context, PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatStringV(Context->FieldScratch, sizeof(Context->FieldScratch), Format, Arguments);
    va_end(Arguments);
    return Context->FieldScratch;
}

BOOLEAN BlpPeRangeInside(ULONGLONG Offset, ULONGLONG Length, ULONGLONG Limit) {
    ULONGLONG End;

    return (BOOLEAN)(XT_SUCCESS(RtlAddUlonglong(Offset, Length, &End)) && End <= Limit);
}

VOID BlpPeReadSectionHeader(const UCHAR *File, PCPE_IMAGE_INFO Info, ULONG Index, PIMAGE_SECTION_HEADER Header) {
    RtlCopyMemory(Header, File + Info->SectionTableOffset + (SIZE_T)Index * sizeof(IMAGE_SECTION_HEADER),
                  sizeof(IMAGE_SECTION_HEADER));
}

ULONG BlpPeSectionSpan(const IMAGE_SECTION_HEADER *Header) {
    return Header->VirtualSize != 0 ? Header->VirtualSize : Header->SizeOfRawData;
}

ULONG BlpPeSectionFileBytes(const IMAGE_SECTION_HEADER *Header) {
    ULONG Span = BlpPeSectionSpan(Header);

    return Header->SizeOfRawData < Span ? Header->SizeOfRawData : Span;
}

static BOOLEAN BlpPeIsPowerOfTwo(ULONG Value) {
    return (BOOLEAN)(Value != 0 && (Value & (Value - 1)) == 0);
}

/* DOS header: "MZ" first (so any non-PE file is reported as such), then a sane e_lfanew. */
static XTSTATUS BlpPeCheckDosHeader(PBLP_PE_CONTEXT Context) {
    IMAGE_DOS_HEADER Dos;
    USHORT Magic;
    const ULONG LfanewOffset = offsetof(IMAGE_DOS_HEADER, e_lfanew);

    if (Context->FileSize < sizeof(USHORT)) {
        BlpPeFail(Context, 0, "IMAGE_DOS_HEADER.e_magic", "file of %u bytes has no DOS header",
                  (ULONG)Context->FileSize);
        return STATUS_INVALID_IMAGE_NOT_MZ;
    }
    RtlCopyMemory(&Magic, Context->File, sizeof(Magic));
    if (Magic != IMAGE_DOS_SIGNATURE) {
        BlpPeFail(Context, 0, "IMAGE_DOS_HEADER.e_magic", "not an MZ executable (0x%04x)", Magic);
        return STATUS_INVALID_IMAGE_NOT_MZ;
    }
    if (Context->FileSize < sizeof(Dos)) {
        return BlpPeFail(Context, LfanewOffset, "IMAGE_DOS_HEADER.e_lfanew",
                         "file ends inside the DOS header (%u bytes)", (ULONG)Context->FileSize);
    }
    RtlCopyMemory(&Dos, Context->File, sizeof(Dos));
    if (Dos.e_lfanew < (LONG)sizeof(Dos) || (Dos.e_lfanew & 3) != 0) {
        return BlpPeFail(Context, LfanewOffset, "IMAGE_DOS_HEADER.e_lfanew",
                         "NT headers offset 0x%x is not 4-byte aligned after the DOS header", (ULONG)Dos.e_lfanew);
    }
    if ((ULONGLONG)Dos.e_lfanew >= Context->FileSize) {
        return BlpPeFail(Context, LfanewOffset, "IMAGE_DOS_HEADER.e_lfanew",
                         "NT headers offset 0x%x is past the end of the file (%u bytes)", (ULONG)Dos.e_lfanew,
                         (ULONG)Context->FileSize);
    }
    Context->Info->NtHeadersOffset = (ULONG)Dos.e_lfanew;
    return STATUS_SUCCESS;
}

/* "PE\0\0", IMAGE_FILE_HEADER and the size of the optional header that follows. */
static XTSTATUS BlpPeCheckFileHeader(PBLP_PE_CONTEXT Context) {
    ULONG NtOffset = Context->Info->NtHeadersOffset;
    ULONG HeaderOffset = NtOffset + sizeof(ULONG);
    IMAGE_FILE_HEADER Header;
    ULONG Signature;

    if (!BlpPeRangeInside(NtOffset, BLP_PE_NT_FIXED_SIZE, Context->FileSize)) {
        return BlpPeFail(Context, NtOffset, "IMAGE_NT_HEADERS", "file ends inside the NT headers");
    }
    RtlCopyMemory(&Signature, Context->File + NtOffset, sizeof(Signature));
    if (Signature != IMAGE_NT_SIGNATURE) {
        return BlpPeFail(Context, NtOffset, "IMAGE_NT_HEADERS.Signature", "no PE signature (0x%08x)", Signature);
    }
    RtlCopyMemory(&Header, Context->File + HeaderOffset, sizeof(Header));
    if (Header.Machine != Context->ExpectedMachine) {
        return BlpPeFail(Context, HeaderOffset + offsetof(IMAGE_FILE_HEADER, Machine), "IMAGE_FILE_HEADER.Machine",
                         "machine 0x%04x, expected 0x%04x", Header.Machine, Context->ExpectedMachine);
    }
    if (Header.NumberOfSections == 0 || Header.NumberOfSections > PE_MAX_SECTIONS) {
        return BlpPeFail(Context, HeaderOffset + offsetof(IMAGE_FILE_HEADER, NumberOfSections),
                         "IMAGE_FILE_HEADER.NumberOfSections", "%u sections (1 to %u accepted)",
                         Header.NumberOfSections, PE_MAX_SECTIONS);
    }
    if ((Header.Characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) == 0) {
        return BlpPeFail(Context, HeaderOffset + offsetof(IMAGE_FILE_HEADER, Characteristics),
                         "IMAGE_FILE_HEADER.Characteristics", "not an executable image (0x%04x)",
                         Header.Characteristics);
    }
    Context->Info->Machine = Header.Machine;
    Context->Info->Characteristics = Header.Characteristics;
    Context->Info->SectionCount = Header.NumberOfSections;
    Context->SizeOfOptionalHeader = Header.SizeOfOptionalHeader;
    Context->OptionalHeaderOffset = NtOffset + BLP_PE_NT_FIXED_SIZE;
    return STATUS_SUCCESS;
}

/* Optional header: magic matching the machine, a size consistent with NumberOfRvaAndSizes, then normalised into
 * Info and Context->Directories. */
static XTSTATUS BlpPeReadOptionalHeader(PBLP_PE_CONTEXT Context) {
    const ULONG SizeOffset =
        Context->Info->NtHeadersOffset + sizeof(ULONG) + offsetof(IMAGE_FILE_HEADER, SizeOfOptionalHeader);
    const PCSTR SizeField = "IMAGE_FILE_HEADER.SizeOfOptionalHeader";
    ULONG Offset = Context->OptionalHeaderOffset;
    ULONG Size = Context->SizeOfOptionalHeader;
    USHORT ExpectedMagic, Magic;
    ULONG FixedSize, CountOffset, Count;

    ExpectedMagic = Context->ExpectedMachine == IMAGE_FILE_MACHINE_I386 ? IMAGE_NT_OPTIONAL_HDR32_MAGIC
                                                                        : IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    FixedSize = ExpectedMagic == IMAGE_NT_OPTIONAL_HDR32_MAGIC ? offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory)
                                                               : offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory);
    CountOffset = FixedSize - sizeof(ULONG);
    if (Size < sizeof(USHORT)) {
        return BlpPeFail(Context, SizeOffset, SizeField, "optional header of %u bytes has no magic", Size);
    }
    if (!BlpPeRangeInside(Offset, Size, Context->FileSize)) {
        return BlpPeFail(Context, Offset, "IMAGE_OPTIONAL_HEADER", "file ends inside the %u-byte optional header",
                         Size);
    }
    RtlCopyMemory(&Magic, Context->File + Offset, sizeof(Magic));
    if (Magic != ExpectedMagic) {
        return BlpPeFail(Context, Offset, "IMAGE_OPTIONAL_HEADER.Magic",
                         "magic 0x%03x, expected 0x%03x for machine 0x%04x", Magic, ExpectedMagic,
                         Context->ExpectedMachine);
    }
    if (Size < FixedSize) {
        return BlpPeFail(Context, SizeOffset, SizeField, "%u bytes, the fixed part alone is %u", Size, FixedSize);
    }
    RtlCopyMemory(&Count, Context->File + Offset + CountOffset, sizeof(Count));
    if (Count > IMAGE_NUMBEROF_DIRECTORY_ENTRIES) {
        return BlpPeFail(Context, Offset + CountOffset, "IMAGE_OPTIONAL_HEADER.NumberOfRvaAndSizes",
                         "%u data directories (at most %u)", Count, IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
    }
    if (Size < FixedSize + Count * sizeof(IMAGE_DATA_DIRECTORY)) {
        return BlpPeFail(Context, SizeOffset, SizeField, "%u bytes cannot hold %u data directories", Size, Count);
    }
    Context->Info->Magic = Magic;
    Context->NumberOfRvaAndSizes = Count;
    RtlZeroMemory(Context->Directories, sizeof(Context->Directories));
    RtlCopyMemory(Context->Directories, Context->File + Offset + FixedSize, Count * sizeof(IMAGE_DATA_DIRECTORY));
    return STATUS_SUCCESS;
}

/* Copies the fields both optional-header formats share (same offsets) and the ones that differ into Info. */
static VOID BlpPeNormaliseOptionalHeader(PBLP_PE_CONTEXT Context) {
    const UCHAR *Header = Context->File + Context->OptionalHeaderOffset;
    PPE_IMAGE_INFO Info = Context->Info;
    ULONG ImageBase32;

    RtlCopyMemory(&Info->EntryPointRva, Header + offsetof(IMAGE_OPTIONAL_HEADER64, AddressOfEntryPoint), 4);
    RtlCopyMemory(&Info->SectionAlignment, Header + offsetof(IMAGE_OPTIONAL_HEADER64, SectionAlignment), 4);
    RtlCopyMemory(&Info->FileAlignment, Header + offsetof(IMAGE_OPTIONAL_HEADER64, FileAlignment), 4);
    RtlCopyMemory(&Info->SizeOfImage, Header + offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfImage), 4);
    RtlCopyMemory(&Info->SizeOfHeaders, Header + offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfHeaders), 4);
    RtlCopyMemory(&Info->Subsystem, Header + offsetof(IMAGE_OPTIONAL_HEADER64, Subsystem), 2);
    RtlCopyMemory(&Info->DllCharacteristics, Header + offsetof(IMAGE_OPTIONAL_HEADER64, DllCharacteristics), 2);
    if (Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC) {
        RtlCopyMemory(&ImageBase32, Header + offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase), 4);
        Info->ImageBase = ImageBase32;
    } else {
        RtlCopyMemory(&Info->ImageBase, Header + offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase), 8);
    }
}

STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, AddressOfEntryPoint) ==
              offsetof(IMAGE_OPTIONAL_HEADER64, AddressOfEntryPoint));
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, SectionAlignment) ==
              offsetof(IMAGE_OPTIONAL_HEADER64, SectionAlignment));
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, SizeOfHeaders) == offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfHeaders));
STATIC_ASSERT(offsetof(IMAGE_OPTIONAL_HEADER32, DllCharacteristics) ==
              offsetof(IMAGE_OPTIONAL_HEADER64, DllCharacteristics));

/* Alignments, image base, image and header sizes, subsystem. */
static XTSTATUS BlpPeCheckImageLayout(PBLP_PE_CONTEXT Context) {
    PPE_IMAGE_INFO Info = Context->Info;
    ULONG Base = Context->OptionalHeaderOffset;
    ULONGLONG Limit = Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC ? 0x100000000ull : ~0ull;

    if (!BlpPeIsPowerOfTwo(Info->SectionAlignment)) {
        return BlpPeFail(Context, Base + offsetof(IMAGE_OPTIONAL_HEADER64, SectionAlignment),
                         "IMAGE_OPTIONAL_HEADER.SectionAlignment", "0x%x is not a power of two",
                         Info->SectionAlignment);
    }
    if (!BlpPeIsPowerOfTwo(Info->FileAlignment) || Info->FileAlignment > Info->SectionAlignment ||
        (Info->SectionAlignment < MM_PAGE_SIZE && Info->FileAlignment != Info->SectionAlignment)) {
        return BlpPeFail(Context, Base + offsetof(IMAGE_OPTIONAL_HEADER64, FileAlignment),
                         "IMAGE_OPTIONAL_HEADER.FileAlignment",
                         "0x%x is not a power of two compatible with SectionAlignment 0x%x", Info->FileAlignment,
                         Info->SectionAlignment);
    }
    if (Info->SizeOfImage == 0 || (Info->SizeOfImage & (Info->SectionAlignment - 1)) != 0) {
        return BlpPeFail(Context, Base + offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfImage),
                         "IMAGE_OPTIONAL_HEADER.SizeOfImage", "0x%x is not a non-zero multiple of SectionAlignment",
                         Info->SizeOfImage);
    }
    if ((Info->ImageBase & (BLP_PE_MIN_IMAGE_BASE_ALIGNMENT - 1)) != 0 ||
        !BlpPeRangeInside(Info->ImageBase, Info->SizeOfImage, Limit)) {
        return BlpPeFail(Context, Base + (Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC ? 28u : 24u),
                         "IMAGE_OPTIONAL_HEADER.ImageBase",
                         "0x%llx is not 64 KiB aligned or the image does not fit above it",
                         (unsigned long long)Info->ImageBase);
    }
    if (Info->SizeOfHeaders == 0 || (Info->SizeOfHeaders & (Info->FileAlignment - 1)) != 0 ||
        Info->SizeOfHeaders > Info->SizeOfImage) {
        return BlpPeFail(Context, Base + offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfHeaders),
                         "IMAGE_OPTIONAL_HEADER.SizeOfHeaders",
                         "0x%x is not a non-zero multiple of FileAlignment inside the image", Info->SizeOfHeaders);
    }
    if (Info->Subsystem != Context->ExpectedSubsystem) {
        return BlpPeFail(Context, Base + offsetof(IMAGE_OPTIONAL_HEADER64, Subsystem),
                         "IMAGE_OPTIONAL_HEADER.Subsystem", "subsystem %u, expected %u", Info->Subsystem,
                         Context->ExpectedSubsystem);
    }
    return STATUS_SUCCESS;
}

/* Every present data directory lies inside the image (the security directory: inside the file). */
static XTSTATUS BlpPeCheckDirectories(PBLP_PE_CONTEXT Context) {
    ULONG FixedSize = Context->Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC
                          ? offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory)
                          : offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory);
    ULONG Index;

    for (Index = 0; Index < Context->NumberOfRvaAndSizes; Index++) {
        const IMAGE_DATA_DIRECTORY *Directory = &Context->Directories[Index];
        ULONGLONG Limit = Index == IMAGE_DIRECTORY_ENTRY_SECURITY ? Context->FileSize : Context->Info->SizeOfImage;

        if (Directory->Size == 0) {
            continue;
        }
        if (!BlpPeRangeInside(Directory->VirtualAddress, Directory->Size, Limit)) {
            return BlpPeFail(Context, Context->OptionalHeaderOffset + FixedSize + Index * sizeof(IMAGE_DATA_DIRECTORY),
                             BlpPeField(Context, "IMAGE_OPTIONAL_HEADER.DataDirectory[%u]", Index),
                             "0x%x bytes at 0x%x lie outside the %s", Directory->Size, Directory->VirtualAddress,
                             Index == IMAGE_DIRECTORY_ENTRY_SECURITY ? "file" : "image");
        }
    }
    return STATUS_SUCCESS;
}

/* One section header: aligned, ascending and non-overlapping virtual range inside SizeOfImage, raw data inside the
 * file after the headers. *NextFreeRva is where the next section may start. */
static XTSTATUS BlpPeCheckSection(PBLP_PE_CONTEXT Context, ULONG Index, PULONGLONG NextFreeRva) {
    PPE_IMAGE_INFO Info = Context->Info;
    ULONG Offset = Info->SectionTableOffset + Index * sizeof(IMAGE_SECTION_HEADER);
    IMAGE_SECTION_HEADER Header;
    ULONGLONG End;

    BlpPeReadSectionHeader(Context->File, Info, Index, &Header);
    if ((Header.VirtualAddress & (Info->SectionAlignment - 1)) != 0 || Header.VirtualAddress >= Info->SizeOfImage) {
        return BlpPeFail(Context, Offset + offsetof(IMAGE_SECTION_HEADER, VirtualAddress),
                         BlpPeField(Context, "IMAGE_SECTION_HEADER[%u].VirtualAddress", Index),
                         "0x%x is not a multiple of SectionAlignment below SizeOfImage 0x%x", Header.VirtualAddress,
                         Info->SizeOfImage);
    }
    if (Header.VirtualAddress < *NextFreeRva) {
        return BlpPeFail(Context, Offset + offsetof(IMAGE_SECTION_HEADER, VirtualAddress),
                         BlpPeField(Context, "IMAGE_SECTION_HEADER[%u].VirtualAddress", Index),
                         "0x%x overlaps the headers or the previous section (free from 0x%llx)", Header.VirtualAddress,
                         (unsigned long long)*NextFreeRva);
    }
    End = (ULONGLONG)Header.VirtualAddress + BlpPeSectionSpan(&Header);
    if (End > 0xFFFFFFFFull || End > Info->SizeOfImage) {
        return BlpPeFail(Context, Offset + offsetof(IMAGE_SECTION_HEADER, VirtualSize),
                         BlpPeField(Context, "IMAGE_SECTION_HEADER[%u].VirtualSize", Index), "0x%x bytes at 0x%x %s",
                         BlpPeSectionSpan(&Header), Header.VirtualAddress,
                         End > 0xFFFFFFFFull ? "overflow the 32-bit RVA space" : "extend past SizeOfImage");
    }
    if (Header.SizeOfRawData != 0 &&
        ((Header.PointerToRawData & (Info->FileAlignment - 1)) != 0 || Header.PointerToRawData < Info->SizeOfHeaders)) {
        return BlpPeFail(Context, Offset + offsetof(IMAGE_SECTION_HEADER, PointerToRawData),
                         BlpPeField(Context, "IMAGE_SECTION_HEADER[%u].PointerToRawData", Index),
                         "0x%x is not a multiple of FileAlignment after the headers", Header.PointerToRawData);
    }
    if (Header.SizeOfRawData != 0 &&
        !BlpPeRangeInside(Header.PointerToRawData, Header.SizeOfRawData, Context->FileSize)) {
        return BlpPeFail(Context, Offset + offsetof(IMAGE_SECTION_HEADER, SizeOfRawData),
                         BlpPeField(Context, "IMAGE_SECTION_HEADER[%u].SizeOfRawData", Index),
                         "0x%x raw bytes at 0x%x extend past the end of the file (0x%x bytes)", Header.SizeOfRawData,
                         Header.PointerToRawData, (ULONG)Context->FileSize);
    }
    *NextFreeRva = (End + Info->SectionAlignment - 1) & ~(ULONGLONG)(Info->SectionAlignment - 1);
    return STATUS_SUCCESS;
}

/* The section table lies inside the file and the headers; then every section is checked in order. */
static XTSTATUS BlpPeCheckSections(PBLP_PE_CONTEXT Context) {
    PPE_IMAGE_INFO Info = Context->Info;
    ULONGLONG TableOffset = (ULONGLONG)Context->OptionalHeaderOffset + Context->SizeOfOptionalHeader;
    ULONGLONG TableSize = (ULONGLONG)Info->SectionCount * sizeof(IMAGE_SECTION_HEADER);
    ULONGLONG NextFreeRva;
    XTSTATUS Status;
    ULONG Index;

    if (!BlpPeRangeInside(TableOffset, TableSize, Context->FileSize)) {
        Index = TableOffset >= Context->FileSize
                    ? 0
                    : (ULONG)((Context->FileSize - TableOffset) / sizeof(IMAGE_SECTION_HEADER));
        return BlpPeFail(Context, TableOffset + Index * sizeof(IMAGE_SECTION_HEADER),
                         BlpPeField(Context, "IMAGE_SECTION_HEADER[%u]", Index),
                         "file ends inside the section table (%u entries)", Info->SectionCount);
    }
    if (TableOffset + TableSize > Info->SizeOfHeaders || Info->SizeOfHeaders > Context->FileSize) {
        return BlpPeFail(Context, Context->OptionalHeaderOffset + offsetof(IMAGE_OPTIONAL_HEADER64, SizeOfHeaders),
                         "IMAGE_OPTIONAL_HEADER.SizeOfHeaders",
                         "0x%x does not cover the section table (ends at 0x%x) or exceeds the file (0x%x bytes)",
                         Info->SizeOfHeaders, (ULONG)(TableOffset + TableSize), (ULONG)Context->FileSize);
    }
    Info->SectionTableOffset = (ULONG)TableOffset;
    NextFreeRva =
        ((ULONGLONG)Info->SizeOfHeaders + Info->SectionAlignment - 1) & ~(ULONGLONG)(Info->SectionAlignment - 1);
    for (Index = 0; Index < Info->SectionCount; Index++) {
        Status = BlpPeCheckSection(Context, Index, &NextFreeRva);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
    }
    return STATUS_SUCCESS;
}

/* The entry point lies inside the virtual range of an executable section. */
static XTSTATUS BlpPeCheckEntryPoint(PBLP_PE_CONTEXT Context) {
    PPE_IMAGE_INFO Info = Context->Info;
    IMAGE_SECTION_HEADER Header;
    ULONG Index;

    for (Index = 0; Index < Info->SectionCount; Index++) {
        BlpPeReadSectionHeader(Context->File, Info, Index, &Header);
        if ((Header.Characteristics & IMAGE_SCN_MEM_EXECUTE) != 0 && Info->EntryPointRva >= Header.VirtualAddress &&
            Info->EntryPointRva - Header.VirtualAddress < BlpPeSectionSpan(&Header)) {
            return STATUS_SUCCESS;
        }
    }
    return BlpPeFail(Context, Context->OptionalHeaderOffset + offsetof(IMAGE_OPTIONAL_HEADER64, AddressOfEntryPoint),
                     "IMAGE_OPTIONAL_HEADER.AddressOfEntryPoint", "0x%x is not inside an executable section",
                     Info->EntryPointRva);
}

XTSTATUS BlpPeValidate(PBLP_PE_CONTEXT Context) {
    XTSTATUS Status;

    Status = BlpPeCheckDosHeader(Context);
    if (XT_SUCCESS(Status)) {
        Status = BlpPeCheckFileHeader(Context);
    }
    if (XT_SUCCESS(Status)) {
        Status = BlpPeReadOptionalHeader(Context);
    }
    if (XT_SUCCESS(Status)) {
        BlpPeNormaliseOptionalHeader(Context);
        Status = BlpPeCheckImageLayout(Context);
    }
    if (XT_SUCCESS(Status)) {
        Status = BlpPeCheckDirectories(Context);
    }
    if (XT_SUCCESS(Status)) {
        Status = BlpPeCheckSections(Context);
    }
    if (XT_SUCCESS(Status)) {
        Status = BlpPeCheckEntryPoint(Context);
    }
    if (XT_SUCCESS(Status)) {
        Status = BlpPeProcessRelocations(Context, NULL, 0);
    }
    return Status;
}

BOOLEAN BlpPeInitializeContext(PBLP_PE_CONTEXT Context, PCVOID File, SIZE_T FileSize, USHORT Machine, USHORT Subsystem,
                               PPE_IMAGE_INFO Info, PPE_ERROR Error) {
    RtlZeroMemory(Context, sizeof(*Context));
    RtlZeroMemory(Error, sizeof(*Error));
    RtlZeroMemory(Info, sizeof(*Info));
    Context->File = File;
    Context->FileSize = FileSize;
    Context->ExpectedMachine = Machine;
    Context->ExpectedSubsystem = Subsystem;
    Context->Info = Info;
    Context->Error = Error;
    if (File == NULL) {
        BlpPeFail(Context, 0, "File", "no file");
        return FALSE;
    }
    if (Machine != IMAGE_FILE_MACHINE_I386 && Machine != IMAGE_FILE_MACHINE_AMD64) {
        BlpPeFail(Context, 0, "ExpectedMachine", "machine 0x%04x is not supported", Machine);
        return FALSE;
    }
    return TRUE;
}

XTSTATUS BlPeValidateImage(PCVOID File, SIZE_T FileSize, USHORT ExpectedMachine, USHORT ExpectedSubsystem,
                           PPE_IMAGE_INFO Info, PPE_ERROR Error) {
    BLP_PE_CONTEXT Context;
    PE_ERROR LocalError;
    PE_IMAGE_INFO LocalInfo;
    XTSTATUS Status;

    if (Error == NULL) {
        Error = &LocalError;
    }
    if (Info == NULL) {
        Info = &LocalInfo;
    }
    if (!BlpPeInitializeContext(&Context, File, FileSize, ExpectedMachine, ExpectedSubsystem, Info, Error)) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = BlpPeValidate(&Context);
    if (!XT_SUCCESS(Status)) {
        RtlZeroMemory(Info, sizeof(*Info));
    }
    return Status;
}

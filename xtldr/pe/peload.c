/* XTLDR PE/COFF image library: section descriptions, the page-protection policy and image loading. */
#include "pep.h"

/* Context for routines that only report errors about an already validated image. */
static VOID BlpPeInitializeReportContext(PBLP_PE_CONTEXT Context, PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info,
                                         PPE_ERROR Error) {
    RtlZeroMemory(Context, sizeof(*Context));
    RtlZeroMemory(Error, sizeof(*Error));
    Context->File = File;
    Context->FileSize = FileSize;
    Context->Info = (PPE_IMAGE_INFO)Info;
    Context->Error = Error;
}

/* TRUE when Info's section table (as validated) is still inside the file. */
static BOOLEAN BlpPeSectionTableUsable(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info) {
    return (BOOLEAN)(File != NULL && Info != NULL && Info->SectionCount <= PE_MAX_SECTIONS &&
                     BlpPeRangeInside(Info->SectionTableOffset,
                                      (ULONGLONG)Info->SectionCount * sizeof(IMAGE_SECTION_HEADER), FileSize));
}

XTSTATUS BlPeGetSection(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info, ULONG Index, PPE_SECTION_INFO Section) {
    IMAGE_SECTION_HEADER Header;
    ULONG Span;

    if (Section == NULL || !BlpPeSectionTableUsable(File, FileSize, Info) || Index >= Info->SectionCount) {
        return STATUS_INVALID_PARAMETER;
    }
    BlpPeReadSectionHeader(File, Info, Index, &Header);
    Span = BlpPeSectionSpan(&Header);
    RtlZeroMemory(Section, sizeof(*Section));
    RtlCopyMemory(Section->Name, Header.Name, IMAGE_SIZEOF_SHORT_NAME);
    Section->Discardable = (BOOLEAN)((Header.Characteristics & IMAGE_SCN_MEM_DISCARDABLE) != 0);
    Section->VirtualAddress = Header.VirtualAddress;
    Section->VirtualSize = Span;
    Section->MappedSize =
        (ULONG)(((ULONGLONG)Span + Info->SectionAlignment - 1) & ~(ULONGLONG)(Info->SectionAlignment - 1));
    Section->FileOffset = Header.PointerToRawData;
    Section->FileSize = BlpPeSectionFileBytes(&Header);
    Section->Characteristics = Header.Characteristics;
    Section->Protection = ((Header.Characteristics & IMAGE_SCN_MEM_READ) ? PE_PROTECT_READ : 0) |
                          ((Header.Characteristics & IMAGE_SCN_MEM_WRITE) ? PE_PROTECT_WRITE : 0) |
                          ((Header.Characteristics & IMAGE_SCN_MEM_EXECUTE) ? PE_PROTECT_EXECUTE : 0);
    return STATUS_SUCCESS;
}

XTSTATUS BlPeCheckPageProtection(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info, PPE_ERROR Error) {
    const ULONG Protection = IMAGE_SCN_MEM_WRITE | IMAGE_SCN_MEM_EXECUTE;
    BLP_PE_CONTEXT Context;
    IMAGE_SECTION_HEADER Header;
    PE_ERROR LocalError;
    ULONG Index;

    BlpPeInitializeReportContext(&Context, File, FileSize, Info, Error != NULL ? Error : &LocalError);
    if (!BlpPeSectionTableUsable(File, FileSize, Info)) {
        BlpPeFail(&Context, 0, "Info", "does not describe a validated image in this file");
        return STATUS_INVALID_PARAMETER;
    }
    if (Info->SectionAlignment < MM_PAGE_SIZE) {
        BlpPeFail(&Context,
                  Info->NtHeadersOffset + sizeof(ULONG) + sizeof(IMAGE_FILE_HEADER) +
                      offsetof(IMAGE_OPTIONAL_HEADER64, SectionAlignment),
                  "IMAGE_OPTIONAL_HEADER.SectionAlignment", "0x%x is below the page size: sections share pages",
                  Info->SectionAlignment);
        return STATUS_INVALID_IMAGE_PROTECT;
    }
    for (Index = 0; Index < Info->SectionCount; Index++) {
        BlpPeReadSectionHeader(File, Info, Index, &Header);
        if ((Header.Characteristics & Protection) == Protection) {
            BlpPeFail(&Context,
                      Info->SectionTableOffset + Index * sizeof(IMAGE_SECTION_HEADER) +
                          offsetof(IMAGE_SECTION_HEADER, Characteristics),
                      BlpPeField(&Context, "IMAGE_SECTION_HEADER[%u].Characteristics", Index),
                      "section is writable and executable (0x%08x)", Header.Characteristics);
            return STATUS_INVALID_IMAGE_PROTECT;
        }
    }
    return STATUS_SUCCESS;
}

/* Destination, its size and NewBase suit the validated image in Context; STATUS_INVALID_PARAMETER otherwise. */
static XTSTATUS BlpPeCheckLoadTarget(PBLP_PE_CONTEXT Context, PVOID Destination, SIZE_T DestinationSize,
                                     ULONGLONG NewBase) {
    PPE_IMAGE_INFO Info = Context->Info;
    ULONGLONG Limit = Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC ? 0x100000000ull : ~0ull;
    ULONG_PTR Start = (ULONG_PTR)Destination, FileStart = (ULONG_PTR)Context->File;

    if (Destination == NULL || DestinationSize < Info->SizeOfImage) {
        BlpPeFail(Context, 0, "DestinationSize", "0x%zx bytes, the image needs 0x%x", DestinationSize,
                  Info->SizeOfImage);
        return STATUS_INVALID_PARAMETER;
    }
    if (Start < FileStart + Context->FileSize && FileStart < Start + Info->SizeOfImage) {
        BlpPeFail(Context, 0, "Destination", "overlaps the file");
        return STATUS_INVALID_PARAMETER;
    }
    if ((NewBase & (MM_PAGE_SIZE - 1)) != 0 || !BlpPeRangeInside(NewBase, Info->SizeOfImage, Limit)) {
        BlpPeFail(Context, 0, "NewBase", "0x%llx is not page aligned or the image does not fit above it",
                  (unsigned long long)NewBase);
        return STATUS_INVALID_PARAMETER;
    }
    if (NewBase != Info->ImageBase && !Info->Relocatable) {
        BlpPeFail(Context, 0, "NewBase", "relocations are stripped: the image loads only at 0x%llx",
                  (unsigned long long)Info->ImageBase);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* Copies headers and raw section data to Image and zero-fills every other byte up to SizeOfImage. */
static VOID BlpPeCopyImage(PBLP_PE_CONTEXT Context, PUCHAR Image) {
    PPE_IMAGE_INFO Info = Context->Info;
    IMAGE_SECTION_HEADER Header;
    ULONG Index, Cursor, Bytes;

    RtlCopyMemory(Image, Context->File, Info->SizeOfHeaders);
    Cursor = Info->SizeOfHeaders;
    for (Index = 0; Index < Info->SectionCount; Index++) {
        BlpPeReadSectionHeader(Context->File, Info, Index, &Header);
        Bytes = BlpPeSectionFileBytes(&Header);
        RtlZeroMemory(Image + Cursor, Header.VirtualAddress - Cursor);
        RtlCopyMemory(Image + Header.VirtualAddress, Context->File + Header.PointerToRawData, Bytes);
        Cursor = Header.VirtualAddress + Bytes;
    }
    RtlZeroMemory(Image + Cursor, Info->SizeOfImage - Cursor);
}

/* Stores NewBase in the loaded copy's OptionalHeader.ImageBase. */
static VOID BlpPeSetImageBase(PBLP_PE_CONTEXT Context, PUCHAR Image, ULONGLONG NewBase) {
    ULONG Base32 = (ULONG)NewBase;

    if (Context->Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC) {
        RtlCopyMemory(Image + Context->OptionalHeaderOffset + offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase), &Base32,
                      sizeof(Base32));
    } else {
        RtlCopyMemory(Image + Context->OptionalHeaderOffset + offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase), &NewBase,
                      sizeof(NewBase));
    }
}

XTSTATUS BlPeLoadImage(PCVOID File, SIZE_T FileSize, PCPE_IMAGE_INFO Info, PVOID Destination, SIZE_T DestinationSize,
                       ULONGLONG NewBase, PPE_ERROR Error) {
    BLP_PE_CONTEXT Context;
    PE_IMAGE_INFO Fresh;
    PE_ERROR LocalError;
    XTSTATUS Status;

    if (Error == NULL) {
        Error = &LocalError;
    }
    if (Info == NULL) {
        RtlZeroMemory(Error, sizeof(*Error));
        RtlFormatString(Error->Field, sizeof(Error->Field), "Info");
        RtlFormatString(Error->Reason, sizeof(Error->Reason), "no image information");
        return STATUS_INVALID_PARAMETER;
    }
    if (!BlpPeInitializeContext(&Context, File, FileSize, Info->Machine, Info->Subsystem, &Fresh, Error)) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = BlpPeValidate(&Context);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    if (RtlCompareMemory(&Fresh, Info, sizeof(Fresh)) != sizeof(Fresh)) {
        BlpPeFail(&Context, 0, "Info", "does not describe this file");
        return STATUS_INVALID_PARAMETER;
    }
    Status = BlpPeCheckLoadTarget(&Context, Destination, DestinationSize, NewBase);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    BlpPeCopyImage(&Context, Destination);
    BlpPeSetImageBase(&Context, Destination, NewBase);
    if (NewBase == Fresh.ImageBase) {
        return STATUS_SUCCESS;
    }
    return BlpPeProcessRelocations(&Context, Destination, NewBase - Fresh.ImageBase);
}

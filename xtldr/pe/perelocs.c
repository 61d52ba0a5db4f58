/* XTLDR PE/COFF image library: base relocations, checked and (when loading) applied. */
#include "pep.h"

#define BLP_PE_RELOCATION_DIRECTORY_OFFSET(Context)                                                                    \
    ((Context)->OptionalHeaderOffset + IMAGE_DIRECTORY_ENTRY_BASERELOC * sizeof(IMAGE_DATA_DIRECTORY) +                \
     ((Context)->Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC ? offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory)       \
                                                              : offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory)))

/* Finds the file bytes behind the relocation directory: they must lie inside one section's raw data. */
static XTSTATUS BlpPeLocateRelocations(PBLP_PE_CONTEXT Context) {
    PPE_IMAGE_INFO Info = Context->Info;
    const IMAGE_DATA_DIRECTORY *Directory = &Context->Directories[IMAGE_DIRECTORY_ENTRY_BASERELOC];
    IMAGE_SECTION_HEADER Header;
    ULONG Index, Start;

    Info->Relocatable = (BOOLEAN)((Info->Characteristics & IMAGE_FILE_RELOCS_STRIPPED) == 0);
    if (Context->NumberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_BASERELOC || Directory->Size == 0) {
        return STATUS_SUCCESS;
    }
    if (!Info->Relocatable) {
        return BlpPeFail(Context, Info->NtHeadersOffset + sizeof(ULONG) + offsetof(IMAGE_FILE_HEADER, Characteristics),
                         "IMAGE_FILE_HEADER.Characteristics",
                         "relocations are marked stripped but a relocation directory is present");
    }
    for (Index = 0; Index < Info->SectionCount; Index++) {
        BlpPeReadSectionHeader(Context->File, Info, Index, &Header);
        Start = Directory->VirtualAddress - Header.VirtualAddress;
        if (Directory->VirtualAddress >= Header.VirtualAddress && Start < BlpPeSectionFileBytes(&Header) &&
            Directory->Size <= BlpPeSectionFileBytes(&Header) - Start) {
            Info->RelocationRva = Directory->VirtualAddress;
            Info->RelocationSize = Directory->Size;
            Info->RelocationFileOffset = Header.PointerToRawData + Start;
            return STATUS_SUCCESS;
        }
    }
    return BlpPeFail(Context, BLP_PE_RELOCATION_DIRECTORY_OFFSET(Context),
                     BlpPeField(Context, "IMAGE_OPTIONAL_HEADER.DataDirectory[%u]", IMAGE_DIRECTORY_ENTRY_BASERELOC),
                     "relocations (0x%x bytes at 0x%x) are not inside one section's raw data", Directory->Size,
                     Directory->VirtualAddress);
}

/* One 16-bit entry of block Block: a type valid for the machine and a target inside the image's sections; applied
 * to Image when it is not NULL. */
static XTSTATUS BlpPeProcessEntry(PBLP_PE_CONTEXT Context, ULONG Block, ULONG Entry, ULONG Offset, ULONG PageRva,
                                  PUCHAR Image, ULONGLONG Delta) {
    PPE_IMAGE_INFO Info = Context->Info;
    USHORT Value;
    ULONG Type, Width, Target, Value32;
    ULONGLONG Value64;

    RtlCopyMemory(&Value, Context->File + Offset, sizeof(Value));
    Type = IMAGE_REL_TYPE(Value);
    if (Type == IMAGE_REL_BASED_ABSOLUTE) {
        return STATUS_SUCCESS;
    }
    Width = Info->Machine == IMAGE_FILE_MACHINE_I386 ? (Type == IMAGE_REL_BASED_HIGHLOW ? 4 : 0)
                                                     : (Type == IMAGE_REL_BASED_DIR64 ? 8 : 0);
    if (Width == 0) {
        return BlpPeFail(Context, Offset, BlpPeField(Context, "IMAGE_BASE_RELOCATION[%u].TypeOffset[%u]", Block, Entry),
                         "relocation type %u is not supported for machine 0x%04x", Type, Info->Machine);
    }
    Target = PageRva + IMAGE_REL_OFFSET(Value);
    if (Target < Info->SizeOfHeaders || !BlpPeRangeInside(Target, Width, Info->SizeOfImage)) {
        return BlpPeFail(Context, Offset, BlpPeField(Context, "IMAGE_BASE_RELOCATION[%u].TypeOffset[%u]", Block, Entry),
                         "%u-byte target at 0x%x is outside the image's sections", Width, Target);
    }
    Info->RelocationCount++;
    if (Image != NULL && Width == 4) {
        RtlCopyMemory(&Value32, Image + Target, sizeof(Value32));
        Value32 += (ULONG)Delta;
        RtlCopyMemory(Image + Target, &Value32, sizeof(Value32));
    } else if (Image != NULL) {
        RtlCopyMemory(&Value64, Image + Target, sizeof(Value64));
        Value64 += Delta;
        RtlCopyMemory(Image + Target, &Value64, sizeof(Value64));
    }
    return STATUS_SUCCESS;
}

/* Block Block at byte Position of the directory: a sane header, then its entries. *BlockSize receives its size. */
static XTSTATUS BlpPeProcessBlock(PBLP_PE_CONTEXT Context, ULONG Block, ULONG Position, PUCHAR Image, ULONGLONG Delta,
                                  PULONG BlockSize) {
    PPE_IMAGE_INFO Info = Context->Info;
    ULONG Offset = Info->RelocationFileOffset + Position;
    ULONG Remaining = Info->RelocationSize - Position;
    IMAGE_BASE_RELOCATION Header;
    XTSTATUS Status;
    ULONG Entry;

    if (Remaining < sizeof(Header)) {
        return BlpPeFail(Context, Offset, BlpPeField(Context, "IMAGE_BASE_RELOCATION[%u]", Block),
                         "only %u bytes left in the relocation directory for a block header", Remaining);
    }
    RtlCopyMemory(&Header, Context->File + Offset, sizeof(Header));
    if (Header.SizeOfBlock < sizeof(Header) || (Header.SizeOfBlock & 1) != 0 || Header.SizeOfBlock > Remaining) {
        return BlpPeFail(Context, Offset + offsetof(IMAGE_BASE_RELOCATION, SizeOfBlock),
                         BlpPeField(Context, "IMAGE_BASE_RELOCATION[%u].SizeOfBlock", Block),
                         "0x%x is below 8, odd, or past the end of the relocation directory (0x%x bytes left)",
                         Header.SizeOfBlock, Remaining);
    }
    if ((Header.VirtualAddress & (MM_PAGE_SIZE - 1)) != 0 || Header.VirtualAddress >= Info->SizeOfImage) {
        return BlpPeFail(Context, Offset, BlpPeField(Context, "IMAGE_BASE_RELOCATION[%u].VirtualAddress", Block),
                         "page 0x%x is not page aligned inside the image", Header.VirtualAddress);
    }
    for (Entry = 0; Entry < (Header.SizeOfBlock - sizeof(Header)) / sizeof(USHORT); Entry++) {
        Status = BlpPeProcessEntry(Context, Block, Entry, Offset + sizeof(Header) + Entry * sizeof(USHORT),
                                   Header.VirtualAddress, Image, Delta);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
    }
    *BlockSize = Header.SizeOfBlock;
    return STATUS_SUCCESS;
}

XTSTATUS BlpPeProcessRelocations(PBLP_PE_CONTEXT Context, PUCHAR Image, ULONGLONG Delta) {
    PPE_IMAGE_INFO Info = Context->Info;
    ULONG Position, Block, BlockSize;
    XTSTATUS Status;

    Status = BlpPeLocateRelocations(Context);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Info->RelocationCount = 0;
    for (Position = 0, Block = 0; Position < Info->RelocationSize; Position += BlockSize, Block++) {
        Status = BlpPeProcessBlock(Context, Block, Position, Image, Delta, &BlockSize);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
    }
    return STATUS_SUCCESS;
}

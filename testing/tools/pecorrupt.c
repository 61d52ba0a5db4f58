/* pecorrupt: writes a deliberately broken copy of a PE image, for the loader's negative boot tests.
 * usage: pecorrupt MODE INPUT OUTPUT, MODE one of: truncate, section-table, reloc-past-end, no-dynamic-base
 * (valid, but not marked IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE: the loader must keep it at its link base) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xtpecoff.h>

static unsigned char Image[16 << 20];

static ULONG Read32(size_t Offset) {
    ULONG Value;
    memcpy(&Value, Image + Offset, sizeof(Value));
    return Value;
}

static void Write32(size_t Offset, ULONG Value) {
    memcpy(Image + Offset, &Value, sizeof(Value));
}

/* Returns the file offset of Rva through the section table, or 0. */
static size_t RvaToOffset(size_t Sections, unsigned Count, ULONG Rva) {
    for (unsigned Index = 0; Index < Count; Index++) {
        const IMAGE_SECTION_HEADER *Section = (const void *)(Image + Sections + Index * sizeof(IMAGE_SECTION_HEADER));
        if (Rva >= Section->VirtualAddress && Rva < Section->VirtualAddress + Section->SizeOfRawData) {
            return Section->PointerToRawData + (Rva - Section->VirtualAddress);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: pecorrupt truncate|section-table|reloc-past-end|no-dynamic-base INPUT OUTPUT\n");
        return 2;
    }
    FILE *In = fopen(argv[2], "rb");
    size_t Size = In ? fread(Image, 1, sizeof(Image), In) : 0;
    if (In)
        fclose(In);
    if (Size < 512) {
        fprintf(stderr, "pecorrupt: cannot read a PE image from %s\n", argv[2]);
        return 1;
    }
    ULONG NtOffset = Read32(0x3C);
    const IMAGE_FILE_HEADER *File = (const void *)(Image + NtOffset + 4);
    USHORT Magic = *(const USHORT *)(Image + NtOffset + 4 + sizeof(IMAGE_FILE_HEADER));
    size_t Directories = NtOffset + 4 + sizeof(IMAGE_FILE_HEADER) + (Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC ? 112 : 96);
    size_t Sections = IMAGE_FIRST_SECTION_OFFSET(NtOffset, File->SizeOfOptionalHeader);

    if (strcmp(argv[1], "truncate") == 0) {
        Size /= 2; /* section raw data now runs past the end of the file */
    } else if (strcmp(argv[1], "section-table") == 0) {
        Write32(Sections + offsetof(IMAGE_SECTION_HEADER, PointerToRawData), 0x7FFFF000);
    } else if (strcmp(argv[1], "reloc-past-end") == 0) {
        size_t Directory = Directories + IMAGE_DIRECTORY_ENTRY_BASERELOC * sizeof(IMAGE_DATA_DIRECTORY);
        size_t Block = RvaToOffset(Sections, File->NumberOfSections, Read32(Directory));
        if (Read32(Directory) == 0 || Block == 0) {
            fprintf(stderr, "pecorrupt: %s has no base relocations\n", argv[2]);
            return 1;
        }
        Write32(Block + 4, Read32(Directory + 4) + 0x1000); /* the first block claims more than the directory */
    } else if (strcmp(argv[1], "no-dynamic-base") == 0) {
        /* DllCharacteristics sits at the same offset in PE32 and PE32+ optional headers. */
        size_t Field = NtOffset + 4 + sizeof(IMAGE_FILE_HEADER) + offsetof(IMAGE_OPTIONAL_HEADER32, DllCharacteristics);
        USHORT Value;
        memcpy(&Value, Image + Field, sizeof(Value));
        if (!(Value & IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE)) {
            fprintf(stderr, "pecorrupt: %s is not marked DYNAMIC_BASE\n", argv[2]);
            return 1;
        }
        Value &= (USHORT)~IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE;
        memcpy(Image + Field, &Value, sizeof(Value));
    } else {
        fprintf(stderr, "pecorrupt: unknown mode %s\n", argv[1]);
        return 2;
    }
    FILE *Out = fopen(argv[3], "wb");
    if (!Out || fwrite(Image, 1, Size, Out) != Size || fclose(Out) != 0) {
        fprintf(stderr, "pecorrupt: cannot write %s\n", argv[3]);
        return 1;
    }
    return 0;
}

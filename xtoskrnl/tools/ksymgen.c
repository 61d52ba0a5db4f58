/* ksymgen: fills the kernel's embedded symbol table (xtoskrnl/ke/ksyms.h) from the COFF symbol table of the linked
 * image (lld-link /debug:symtab). Host build tool; deterministic: the same image gives the same bytes.
 * usage: ksymgen INPUT.exe OUTPUT.exe */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ksyms.h>
#include <xtpecoff.h>

#define COFF_SYMBOL_SIZE  18
#define COFF_CLASS_EXTERN 2
#define COFF_CLASS_STATIC 3
#define COFF_CLASS_LABEL  6

typedef struct _SYMBOL {
    ULONG Rva;
    int External;
    char *Name;
} SYMBOL;

typedef struct _IMAGE {
    unsigned char *Data;
    size_t Size;
    const IMAGE_FILE_HEADER *File;
    const IMAGE_SECTION_HEADER *Sections;
    int I386;
} IMAGE;

static void Fail(const char *Message, const char *Detail) {
    fprintf(stderr, "ksymgen: error: %s%s%s\n", Message, Detail ? ": " : "", Detail ? Detail : "");
    exit(1);
}

static unsigned char *ReadFile(const char *Path, size_t *Size) {
    FILE *File = fopen(Path, "rb");
    unsigned char *Data;
    long Length;

    if (File == NULL || fseek(File, 0, SEEK_END) != 0 || (Length = ftell(File)) <= 0 || fseek(File, 0, SEEK_SET)) {
        Fail("cannot read", Path);
    }
    Data = malloc((size_t)Length);
    if (Data == NULL || fread(Data, 1, (size_t)Length, File) != (size_t)Length) {
        Fail("cannot read", Path);
    }
    fclose(File);
    *Size = (size_t)Length;
    return Data;
}

/* Checks the headers this tool relies on and finds the section table. */
static void ParseImage(IMAGE *Image) {
    IMAGE_DOS_HEADER Dos;
    ULONG Signature;
    size_t NtOffset, SectionsOffset;

    if (Image->Size < sizeof(Dos)) {
        Fail("not a PE image (too small)", NULL);
    }
    memcpy(&Dos, Image->Data, sizeof(Dos));
    NtOffset = (size_t)Dos.e_lfanew;
    if (Dos.e_magic != IMAGE_DOS_SIGNATURE || NtOffset + 4 + sizeof(IMAGE_FILE_HEADER) > Image->Size) {
        Fail("not a PE image (DOS header)", NULL);
    }
    memcpy(&Signature, Image->Data + NtOffset, 4);
    if (Signature != IMAGE_NT_SIGNATURE) {
        Fail("not a PE image (signature)", NULL);
    }
    Image->File = (const IMAGE_FILE_HEADER *)(Image->Data + NtOffset + 4);
    Image->I386 = Image->File->Machine == IMAGE_FILE_MACHINE_I386;
    SectionsOffset = NtOffset + 4 + sizeof(IMAGE_FILE_HEADER) + Image->File->SizeOfOptionalHeader;
    if (SectionsOffset + (size_t)Image->File->NumberOfSections * sizeof(IMAGE_SECTION_HEADER) > Image->Size) {
        Fail("section table past the end of the file", NULL);
    }
    Image->Sections = (const IMAGE_SECTION_HEADER *)(Image->Data + SectionsOffset);
    if (Image->File->PointerToSymbolTable == 0 || Image->File->NumberOfSymbols == 0 ||
        Image->File->PointerToSymbolTable + (size_t)Image->File->NumberOfSymbols * COFF_SYMBOL_SIZE + 4 > Image->Size) {
        Fail("no COFF symbol table (link with /debug:symtab)", NULL);
    }
}

/* The symbol's name: short names inline, long ones in the string table; i386 C decoration removed. */
static char *SymbolName(const IMAGE *Image, const unsigned char *Symbol, const char *Strings, size_t StringsSize) {
    char Buffer[9];
    const char *Name = Buffer;
    ULONG Zeroes, Offset;
    char *Copy, *At;

    memcpy(&Zeroes, Symbol, 4);
    memcpy(&Offset, Symbol + 4, 4);
    if (Zeroes == 0) {
        if (Offset >= StringsSize) {
            Fail("symbol name outside the string table", NULL);
        }
        Name = Strings + Offset;
    } else {
        memcpy(Buffer, Symbol, 8);
        Buffer[8] = 0;
    }
    if (Image->I386 && (Name[0] == '_' || Name[0] == '@')) {
        Name++; /* cdecl '_Name', stdcall '_Name@N', fastcall '@Name@N' */
    }
    Copy = strdup(Name);
    if (Image->I386 && (At = strchr(Copy, '@')) != NULL) {
        *At = 0;
    }
    return Copy;
}

/* Code symbols: defined in an executable section, not a section or compiler-internal label. */
static size_t CollectSymbols(const IMAGE *Image, SYMBOL **Result) {
    const unsigned char *Table = Image->Data + Image->File->PointerToSymbolTable;
    ULONG Count = Image->File->NumberOfSymbols, StringsSize;
    const char *Strings = (const char *)Table + (size_t)Count * COFF_SYMBOL_SIZE;
    SYMBOL *Symbols = calloc(Count, sizeof(SYMBOL));
    size_t Found = 0;

    memcpy(&StringsSize, Strings, 4);
    if ((const unsigned char *)Strings + StringsSize > Image->Data + Image->Size) {
        Fail("string table past the end of the file", NULL);
    }
    for (ULONG Index = 0; Index < Count; Index++) {
        const unsigned char *Symbol = Table + (size_t)Index * COFF_SYMBOL_SIZE;
        ULONG Value;
        SHORT Section;
        UCHAR Class = Symbol[16], Aux = Symbol[17];

        memcpy(&Value, Symbol + 8, 4);
        memcpy(&Section, Symbol + 12, 2);
        Index += Aux;
        if (Section <= 0 || Section > Image->File->NumberOfSections ||
            !(Image->Sections[Section - 1].Characteristics & IMAGE_SCN_MEM_EXECUTE) ||
            (Class != COFF_CLASS_EXTERN && Class != COFF_CLASS_STATIC && Class != COFF_CLASS_LABEL)) {
            continue;
        }
        Symbols[Found].Name = SymbolName(Image, Symbol, Strings, StringsSize);
        if (Symbols[Found].Name[0] == '.' || Symbols[Found].Name[0] == '$' || Symbols[Found].Name[0] == 0) {
            free(Symbols[Found].Name);
            continue;
        }
        Symbols[Found].Rva = Image->Sections[Section - 1].VirtualAddress + Value;
        Symbols[Found].External = Class == COFF_CLASS_EXTERN;
        Found++;
    }
    *Result = Symbols;
    return Found;
}

/* By RVA; at one RVA the external name first, then by name: a total order, so the output is deterministic. */
static int CompareSymbols(const void *Left, const void *Right) {
    const SYMBOL *A = Left, *B = Right;

    if (A->Rva != B->Rva) {
        return A->Rva < B->Rva ? -1 : 1;
    }
    if (A->External != B->External) {
        return B->External - A->External;
    }
    return strcmp(A->Name, B->Name);
}

/* The file offset of the placeholder (its magic must occur exactly once). */
static size_t FindPlaceholder(const IMAGE *Image) {
    size_t Offset = (size_t)-1;

    for (size_t At = 0; At + KSYM_RESERVED_BYTES <= Image->Size; At += 4) {
        if (memcmp(Image->Data + At, KSYM_MAGIC_EMPTY, sizeof(KSYM_MAGIC_EMPTY)) == 0) {
            if (Offset != (size_t)-1) {
                Fail("the symbol table placeholder occurs twice", NULL);
            }
            Offset = At;
        }
    }
    if (Offset == (size_t)-1) {
        Fail("no symbol table placeholder (" KSYM_MAGIC_EMPTY ") in the image", NULL);
    }
    return Offset;
}

/* The RVA after the last executable section. */
static ULONG CodeLimit(const IMAGE *Image) {
    ULONG Limit = 0;

    for (USHORT Index = 0; Index < Image->File->NumberOfSections; Index++) {
        const IMAGE_SECTION_HEADER *Section = &Image->Sections[Index];
        if ((Section->Characteristics & IMAGE_SCN_MEM_EXECUTE) &&
            Section->VirtualAddress + Section->VirtualSize > Limit) {
            Limit = Section->VirtualAddress + Section->VirtualSize;
        }
    }
    return Limit;
}

/* Writes the table for the unique-RVA symbols into the placeholder. */
static void WriteTable(IMAGE *Image, SYMBOL *Symbols, size_t Count) {
    unsigned char *Base = Image->Data + FindPlaceholder(Image);
    KSYM_TABLE Header = {KSYM_MAGIC, KSYM_VERSION, 0, 0, 0, CodeLimit(Image)};
    ULONG *Rvas = (ULONG *)calloc(Count + 1, sizeof(ULONG)), *Names = (ULONG *)calloc(Count + 1, sizeof(ULONG));
    size_t Unique = 0, NamesSize = 0, Size;
    char *Blob = malloc(KSYM_RESERVED_BYTES);

    for (size_t Index = 0; Index < Count; Index++) {
        size_t Length = strlen(Symbols[Index].Name) + 1;
        if (Unique > 0 && Rvas[Unique - 1] == Symbols[Index].Rva) {
            continue; /* an alias at the same address: the first name in CompareSymbols' order wins */
        }
        if (NamesSize + Length > KSYM_RESERVED_BYTES) {
            Fail("symbol names do not fit the placeholder (raise KSYM_RESERVED_BYTES)", NULL);
        }
        Rvas[Unique] = Symbols[Index].Rva;
        Names[Unique++] = (ULONG)NamesSize;
        memcpy(Blob + NamesSize, Symbols[Index].Name, Length);
        NamesSize += Length;
    }
    Header.Count = (ULONG)Unique;
    Header.NamesOffset = (ULONG)(sizeof(Header) + Unique * 2 * sizeof(ULONG));
    Size = Header.NamesOffset + NamesSize;
    if (Unique == 0 || Size > KSYM_RESERVED_BYTES) {
        Fail(Unique == 0 ? "no code symbols found" : "the table does not fit (raise KSYM_RESERVED_BYTES)", NULL);
    }
    Header.Size = (ULONG)Size;
    memset(Base, 0, KSYM_RESERVED_BYTES);
    memcpy(Base, &Header, sizeof(Header));
    memcpy(Base + sizeof(Header), Rvas, Unique * sizeof(ULONG));
    memcpy(Base + sizeof(Header) + Unique * sizeof(ULONG), Names, Unique * sizeof(ULONG));
    memcpy(Base + Header.NamesOffset, Blob, NamesSize);
}

int main(int Count, char **Arguments) {
    IMAGE Image = {0};
    SYMBOL *Symbols;
    size_t Found;
    FILE *Output;

    if (Count != 3) {
        fprintf(stderr, "usage: ksymgen INPUT.exe OUTPUT.exe\n");
        return 2;
    }
    Image.Data = ReadFile(Arguments[1], &Image.Size);
    ParseImage(&Image);
    Found = CollectSymbols(&Image, &Symbols);
    qsort(Symbols, Found, sizeof(SYMBOL), CompareSymbols);
    WriteTable(&Image, Symbols, Found);
    Output = fopen(Arguments[2], "wb");
    if (Output == NULL || fwrite(Image.Data, 1, Image.Size, Output) != Image.Size || fclose(Output) != 0) {
        Fail("cannot write", Arguments[2]);
    }
    return 0;
}

/* XTLDR PE/COFF library (xtldr/pe/): validator, section descriptions, page-protection policy, loader and
 * relocator. Input: an options byte (bit 0: i386/PE32 instead of amd64/PE32+; bit 1: EFI application subsystem;
 * bits 2-7: the relocation delta in 64 KiB steps), then the file. The file and each image are heap blocks of
 * exactly their size, so any read or write outside them is an ASan report. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"
#include "peimage.h"

#define MAX_IMAGE (2u << 20) /* larger images are validated but not loaded (each load is checked byte by byte) */

static BOOLEAN IsPowerOfTwo(ULONG Value) {
    return (BOOLEAN)(Value != 0 && (Value & (Value - 1)) == 0);
}

/* What a validated image promises, checked from the outside (Info and BlPeGetSection). */
static BOOLEAN CheckValidatedImage(const UCHAR *File, SIZE_T Size, const PE_IMAGE_INFO *Info) {
    PE_SECTION_INFO Section;
    ULONGLONG PreviousEnd = Info->SizeOfHeaders;
    BOOLEAN WriteExecute = FALSE, EntryFound = FALSE;
    PE_ERROR Error;
    XTSTATUS Status;

    FUZZ_CHECK(Info->SectionCount >= 1 && Info->SectionCount <= PE_MAX_SECTIONS);
    FUZZ_CHECK(IsPowerOfTwo(Info->SectionAlignment) && IsPowerOfTwo(Info->FileAlignment));
    FUZZ_CHECK(Info->SizeOfHeaders <= Size && Info->SizeOfHeaders <= Info->SizeOfImage);
    FUZZ_CHECK(Info->SizeOfImage % Info->SectionAlignment == 0 && Info->EntryPointRva < Info->SizeOfImage);
    FUZZ_CHECK(Info->RelocationSize == 0 ||
               (Info->RelocationFileOffset <= Size && Info->RelocationSize <= Size - Info->RelocationFileOffset));
    for (ULONG Index = 0; Index < Info->SectionCount; Index++) {
        FUZZ_CHECK(BlPeGetSection(File, Size, Info, Index, &Section) == STATUS_SUCCESS);
        FUZZ_CHECK(Section.Name[IMAGE_SIZEOF_SHORT_NAME] == '\0' && Section.FileSize <= Section.VirtualSize);
        FUZZ_CHECK(Section.VirtualAddress >= PreviousEnd && Section.VirtualAddress % Info->SectionAlignment == 0);
        FUZZ_CHECK(Section.MappedSize >= Section.VirtualSize &&
                   (ULONGLONG)Section.VirtualAddress + Section.MappedSize <= Info->SizeOfImage);
        FUZZ_CHECK(Section.FileSize == 0 || (ULONGLONG)Section.FileOffset + Section.FileSize <= Size);
        PreviousEnd = (ULONGLONG)Section.VirtualAddress + Section.VirtualSize;
        WriteExecute |=
            (Section.Protection & (PE_PROTECT_WRITE | PE_PROTECT_EXECUTE)) == (PE_PROTECT_WRITE | PE_PROTECT_EXECUTE);
        EntryFound |= (Section.Protection & PE_PROTECT_EXECUTE) && Info->EntryPointRva >= Section.VirtualAddress &&
                      Info->EntryPointRva - Section.VirtualAddress < Section.VirtualSize;
    }
    FUZZ_CHECK(EntryFound);
    FUZZ_CHECK(BlPeGetSection(File, Size, Info, Info->SectionCount, &Section) == STATUS_INVALID_PARAMETER);
    Status = BlPeCheckPageProtection(File, Size, Info, &Error);
    FUZZ_CHECK(Status == ((WriteExecute || Info->SectionAlignment < MM_PAGE_SIZE) ? STATUS_INVALID_IMAGE_PROTECT
                                                                                  : STATUS_SUCCESS));
    FUZZ_CHECK(Status == STATUS_SUCCESS || Error.Field[0] != '\0');
    return TRUE;
}

/* Loads the image at its base and at Base + Delta: the first must work, the second (if it fits and relocations are
 * kept) may change only the relocated words and ImageBase; a wrong Info or a short buffer leaves it untouched. */
static VOID CheckLoads(const UCHAR *File, SIZE_T Size, const PE_IMAGE_INFO *Info, ULONGLONG Delta) {
    PUCHAR First = malloc(Info->SizeOfImage), Second = malloc(Info->SizeOfImage);
    ULONGLONG NewBase = Info->ImageBase + Delta;
    PE_IMAGE_INFO Wrong = *Info;
    SIZE_T Changed = 0;
    XTSTATUS Status;

    FUZZ_CHECK(BlPeLoadImage(File, Size, Info, First, Info->SizeOfImage, Info->ImageBase, NULL) == STATUS_SUCCESS);
    FUZZ_CHECK(memcmp(First, File, Info->SizeOfHeaders < 0x40 ? Info->SizeOfHeaders : 0x40) == 0);
    Status = BlPeLoadImage(File, Size, Info, Second, Info->SizeOfImage, NewBase, NULL);
    FUZZ_CHECK(Status == STATUS_SUCCESS || Status == STATUS_INVALID_PARAMETER);
    FUZZ_CHECK(Status == STATUS_SUCCESS || !Info->Relocatable || NewBase < Info->ImageBase ||
               (Info->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC && NewBase + Info->SizeOfImage > 0x100000000ull));
    if (Status == STATUS_SUCCESS) {
        for (ULONG Offset = 0; Offset < Info->SizeOfImage; Offset++) {
            Changed += First[Offset] != Second[Offset];
        }
        FUZZ_CHECK(Changed <= 8ull * Info->RelocationCount + 8);
    }
    memset(Second, 0xA5, Info->SizeOfImage);
    Wrong.SizeOfImage += Info->SectionAlignment;
    FUZZ_CHECK(BlPeLoadImage(File, Size, &Wrong, Second, Info->SizeOfImage, Info->ImageBase, NULL) ==
               STATUS_INVALID_PARAMETER);
    FUZZ_CHECK(BlPeLoadImage(File, Size, Info, Second, Info->SizeOfImage - 1, Info->ImageBase, NULL) ==
               STATUS_INVALID_PARAMETER);
    for (ULONG Offset = 0; Offset < Info->SizeOfImage; Offset++) {
        FUZZ_CHECK(Second[Offset] == 0xA5);
    }
    free(First);
    free(Second);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    PE_IMAGE_INFO Info;
    PE_ERROR Error;
    UCHAR Options;
    USHORT Machine, Subsystem;
    PUCHAR File;
    XTSTATUS Status;

    if (Size == 0) {
        return -1;
    }
    Options = Data[0];
    Machine = (Options & 1) ? IMAGE_FILE_MACHINE_I386 : IMAGE_FILE_MACHINE_AMD64;
    Subsystem = (Options & 2) ? IMAGE_SUBSYSTEM_EFI_APPLICATION : IMAGE_SUBSYSTEM_NATIVE;
    File = malloc(Size - 1 ? Size - 1 : 1);
    memcpy(File, Data + 1, Size - 1);
    Status = BlPeValidateImage(File, Size - 1, Machine, Subsystem, &Info, &Error);
    FUZZ_CHECK(memchr(Error.Field, '\0', sizeof(Error.Field)) && memchr(Error.Reason, '\0', sizeof(Error.Reason)));
    if (Status != STATUS_SUCCESS) {
        FUZZ_CHECK(Status == STATUS_INVALID_IMAGE_NOT_MZ || Status == STATUS_INVALID_IMAGE_FORMAT);
        FUZZ_CHECK(Error.Field[0] != '\0' && Error.Reason[0] != '\0' && Info.SizeOfImage == 0);
    } else if (CheckValidatedImage(File, Size - 1, &Info) && Info.SizeOfImage <= MAX_IMAGE) {
        CheckLoads(File, Size - 1, &Info, (ULONGLONG)(Options >> 2) << 16);
    }
    free(File);
    return 0;
}

/* XTLDR PE/COFF image library: private definitions shared by its modules. */
#ifndef XTLDR_PE_PEP_H
#define XTLDR_PE_PEP_H

#include <rtl.h>

#include "peimage.h"

/* State of one validation pass over a file. */
typedef struct _BLP_PE_CONTEXT {
    const UCHAR *File;
    SIZE_T FileSize;
    USHORT ExpectedMachine;
    USHORT ExpectedSubsystem;
    USHORT SizeOfOptionalHeader;
    ULONG OptionalHeaderOffset;
    ULONG NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY Directories[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
    PPE_IMAGE_INFO Info;
    PPE_ERROR Error;
    CHAR FieldScratch[PE_ERROR_FIELD_SIZE];
} BLP_PE_CONTEXT, *PBLP_PE_CONTEXT;

/* Records the failure (Field, file Offset, formatted reason) and returns STATUS_INVALID_IMAGE_FORMAT. */
XTSTATUS BlpPeFail(PBLP_PE_CONTEXT Context, ULONGLONG Offset, PCSTR Field, PCSTR ReasonFormat, ...)
    RTL_PRINTF_FORMAT(4, 5);

/* Formats a field name with indices into the context's scratch buffer and returns it. */
PCSTR BlpPeField(PBLP_PE_CONTEXT Context, PCSTR Format, ...) RTL_PRINTF_FORMAT(2, 3);

/* TRUE when [Offset, Offset + Length) lies inside [0, Limit), without overflow. */
BOOLEAN BlpPeRangeInside(ULONGLONG Offset, ULONGLONG Length, ULONGLONG Limit);

/* Reads section header Index from the (already bounds-checked) section table. */
VOID BlpPeReadSectionHeader(const UCHAR *File, PCPE_IMAGE_INFO Info, ULONG Index, PIMAGE_SECTION_HEADER Header);

/* Bytes the section occupies in the image: VirtualSize, or SizeOfRawData when VirtualSize is 0. */
ULONG BlpPeSectionSpan(const IMAGE_SECTION_HEADER *Header);

/* Raw bytes loaded from the file: the smaller of SizeOfRawData and the span. */
ULONG BlpPeSectionFileBytes(const IMAGE_SECTION_HEADER *Header);

/* Prepares a validation context (zeroing *Info and *Error); FALSE with *Error filled when the arguments are
 * unusable. */
BOOLEAN BlpPeInitializeContext(PBLP_PE_CONTEXT Context, PCVOID File, SIZE_T FileSize, USHORT Machine, USHORT Subsystem,
                               PPE_IMAGE_INFO Info, PPE_ERROR Error);

/* Runs every check of one validation pass over Context->File, filling Context->Info. */
XTSTATUS BlpPeValidate(PBLP_PE_CONTEXT Context);

/* Checks every base relocation block and entry; with Image not NULL also applies Delta to each target in Image. */
XTSTATUS BlpPeProcessRelocations(PBLP_PE_CONTEXT Context, PUCHAR Image, ULONGLONG Delta);

#endif

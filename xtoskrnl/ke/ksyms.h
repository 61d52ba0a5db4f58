/* The kernel's embedded symbol table (kallsyms-style): a placeholder array in the image that the build fills after
 * the link (xtoskrnl/tools/ksymgen.c) with the code symbols of the linked image, sorted by RVA. Pure: the lookup
 * runs over any table, so it is host-tested. The layout is a contract between the generator and the kernel. */
#ifndef XTOSKRNL_KE_KSYMS_H
#define XTOSKRNL_KE_KSYMS_H

#include <xtbase.h>

#define KSYM_MAGIC_EMPTY    "XTOS-KSYM-EMPTY" /* the placeholder's first 16 bytes: the generator finds it by them */
#define KSYM_MAGIC          "XTOS-KSYM-TABLE" /* a filled table's first 16 bytes */
#define KSYM_VERSION        1
#define KSYM_RESERVED_BYTES (48 * 1024) /* the placeholder's size: header, RVAs, name offsets and names */

/* Followed by ULONG Rva[Count] (ascending), ULONG NameOffset[Count] (from NamesOffset) and the NUL-terminated names. */
typedef struct _KSYM_TABLE {
    CHAR Magic[16];
    ULONG Version;
    ULONG Count;       /* 0 in the placeholder: no symbols */
    ULONG NamesOffset; /* from the start of the table */
    ULONG Size;        /* bytes used, at most KSYM_RESERVED_BYTES */
    ULONG CodeLimit;   /* RVA after the last executable section: addresses at or above it have no symbol */
} KSYM_TABLE, *PKSYM_TABLE;

STATIC_ASSERT(sizeof(KSYM_TABLE) == 36);

/* Finds the symbol at or below Rva in Table (Capacity bytes readable): its name and Rva's offset into it. FALSE for
 * an empty or malformed table, or an Rva below the first symbol or outside the code. Reads only inside the Capacity
 * bytes. */
BOOLEAN KiLookupSymbol(const KSYM_TABLE *Table, SIZE_T Capacity, ULONG Rva, PCSTR *Name, PULONG Offset);

#endif

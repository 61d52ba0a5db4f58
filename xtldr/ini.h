/* XTLDR INI parser: ExectOS-format configuration files, parsed in place without allocation. */
#ifndef XTLDR_INI_H
#define XTLDR_INI_H

#include <xtbase.h>
#include <xtstatus.h>

#define INI_MAX_SECTIONS 32
#define INI_MAX_ENTRIES  256
#define INI_MAX_LINE     1024

typedef struct _INI_ENTRY {
    ULONG Section;
    ULONG Line;
    PCSTR Key;
    PCSTR Value;
} INI_ENTRY, *PINI_ENTRY;

typedef struct _INI_SECTION {
    ULONG Line;
    PCSTR Name;
} INI_SECTION, *PINI_SECTION;

typedef struct _INI_FILE {
    ULONG SectionCount;
    ULONG EntryCount;
    ULONG DiagnosticCount;
    INI_SECTION Sections[INI_MAX_SECTIONS];
    INI_ENTRY Entries[INI_MAX_ENTRIES];
} INI_FILE, *PINI_FILE;

/* Receives one diagnostic: the 1-based line number and what is wrong with it. */
typedef VOID (*PINI_DIAGNOSTIC_ROUTINE)(PVOID Context, ULONG Line, PCSTR Message);

/* Parses Length bytes of Text in place: Text must have room for Length + 1 bytes, is modified, and must stay
 * alive while Ini is used.
 * Bad lines are reported through Diagnostic and skipped; fails only when nothing can be parsed
 * (STATUS_INVALID_PARAMETER) or a table is full (STATUS_INSUFFICIENT_RESOURCES). */
XTSTATUS BlIniParse(PCHAR Text, SIZE_T Length, PINI_FILE Ini, PINI_DIAGNOSTIC_ROUTINE Diagnostic, PVOID Context);

/* Returns the value of Key in Section (both case-insensitive), or NULL. */
PCSTR BlIniGetValue(const INI_FILE *Ini, PCSTR Section, PCSTR Key);

/* Returns the entry of Key in Section (both case-insensitive), with its line, or NULL. */
const INI_ENTRY *BlIniGetEntry(const INI_FILE *Ini, PCSTR Section, PCSTR Key);

/* Returns TRUE when the file has a section named Section (case-insensitive). */
BOOLEAN BlIniHasSection(const INI_FILE *Ini, PCSTR Section);

#endif

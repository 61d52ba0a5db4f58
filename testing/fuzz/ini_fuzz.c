/* XTLDR INI parser (xtldr/ini.c): the input is the file. Checks the parsed tables against the text and the lookups
 * against the tables. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"
#include "xtldr/ini.h"

typedef struct _DIAGNOSTICS {
    ULONG Count;
    ULONG LastLine;
} DIAGNOSTICS;

static VOID CountDiagnostic(PVOID Context, ULONG Line, PCSTR Message) {
    DIAGNOSTICS *Diagnostics = Context;

    FUZZ_CHECK(Message != NULL && Message[0] != '\0' && Line >= Diagnostics->LastLine && Line > 0);
    Diagnostics->LastLine = Line;
    Diagnostics->Count++;
}

/* A string the parser returned: inside the text buffer, terminated inside it, and a valid name when Name. */
static VOID CheckString(PCSTR String, PCSTR Text, SIZE_T Size, BOOLEAN Name) {
    FUZZ_CHECK(String >= Text && String <= Text + Size);
    FUZZ_CHECK(memchr(String, '\0', (SIZE_T)(Text + Size + 1 - String)) != NULL);
    for (PCSTR Cursor = String; Name && *Cursor; Cursor++) {
        FUZZ_CHECK(*Cursor > 0x20 && *Cursor < 0x7F && *Cursor != '[' && *Cursor != ']' && *Cursor != '=');
    }
    FUZZ_CHECK(!Name || String[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    static INI_FILE Ini;
    DIAGNOSTICS Diagnostics = {0, 0};
    ULONG Lines = 1;
    PCHAR Text = malloc(Size + 1); /* Length + 1 bytes, as BlIniParse requires; nothing more */
    XTSTATUS Status;

    memcpy(Text, Data, Size);
    for (SIZE_T Index = 0; Index < Size; Index++) {
        Lines += Data[Index] == '\n';
    }
    Status = BlIniParse(Size ? Text : NULL, Size, &Ini, CountDiagnostic, &Diagnostics);
    FUZZ_CHECK(Status == STATUS_SUCCESS || Status == STATUS_INVALID_PARAMETER ||
               Status == STATUS_INSUFFICIENT_RESOURCES);
    FUZZ_CHECK(Status != STATUS_SUCCESS || Ini.SectionCount > 0);
    FUZZ_CHECK(Ini.SectionCount <= INI_MAX_SECTIONS && Ini.EntryCount <= INI_MAX_ENTRIES);
    FUZZ_CHECK(Ini.DiagnosticCount == Diagnostics.Count && Diagnostics.LastLine <= Lines);
    for (ULONG Index = 0; Index < Ini.SectionCount; Index++) {
        CheckString(Ini.Sections[Index].Name, Text, Size, TRUE);
        FUZZ_CHECK(Ini.Sections[Index].Line >= 1 && Ini.Sections[Index].Line <= Lines);
        FUZZ_CHECK(BlIniHasSection(&Ini, Ini.Sections[Index].Name));
        for (ULONG Other = 0; Other < Index; Other++) { /* duplicates are merged into the first */
            FUZZ_CHECK(RtlCompareCString(Ini.Sections[Index].Name, Ini.Sections[Other].Name, INI_MAX_LINE, TRUE));
        }
    }
    for (ULONG Index = 0; Index < Ini.EntryCount; Index++) {
        const INI_ENTRY *Entry = &Ini.Entries[Index];
        FUZZ_CHECK(Entry->Section < Ini.SectionCount && Entry->Line >= 1 && Entry->Line <= Lines);
        CheckString(Entry->Key, Text, Size, TRUE);
        CheckString(Entry->Value, Text, Size, FALSE);
        /* Keys are unique per section, so the lookup finds this very entry. */
        FUZZ_CHECK(BlIniGetValue(&Ini, Ini.Sections[Entry->Section].Name, Entry->Key) == Entry->Value);
    }
    FUZZ_CHECK(BlIniGetValue(&Ini, "no such section name [", "Key") == NULL);
    free(Text);
    return 0;
}

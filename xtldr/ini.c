/* XTLDR INI parser. Sections "[Name]", "Key=Value" lines, full-line comments starting with ';' or '#'. */
#include <rtl.h>

#include "ini.h"

typedef struct _INI_PARSER {
    PINI_FILE Ini;
    PINI_DIAGNOSTIC_ROUTINE Diagnostic;
    PVOID Context;
    ULONG Line;
    LONG Section;
} INI_PARSER, *PINI_PARSER;

static VOID BlpIniReport(PINI_PARSER Parser, PCSTR Message) {
    Parser->Ini->DiagnosticCount++;
    if (Parser->Diagnostic) {
        Parser->Diagnostic(Parser->Context, Parser->Line, Message);
    }
}

static BOOLEAN BlpIniIsSpace(CHAR Character) {
    return Character == ' ' || Character == '\t';
}

/* Trims blanks at both ends of [Start, End) in place; returns the new start. */
static PCHAR BlpIniTrim(PCHAR Start, PCHAR End) {
    while (Start < End && BlpIniIsSpace(*Start)) {
        Start++;
    }
    while (End > Start && BlpIniIsSpace(End[-1])) {
        End--;
    }
    *End = '\0';
    return Start;
}

/* Checks that a name holds only printable ASCII without the INI's own punctuation. */
static BOOLEAN BlpIniIsValidName(PCSTR Name) {
    if (*Name == '\0') {
        return FALSE;
    }
    for (; *Name; Name++) {
        if (*Name < 0x21 || *Name > 0x7E || *Name == '[' || *Name == ']' || *Name == '=') {
            return FALSE;
        }
    }
    return TRUE;
}

static LONG BlpIniFindSection(const INI_FILE *Ini, PCSTR Name) {
    for (ULONG Index = 0; Index < Ini->SectionCount; Index++) {
        if (RtlCompareCString(Ini->Sections[Index].Name, Name, INI_MAX_LINE, TRUE) == 0) {
            return (LONG)Index;
        }
    }
    return -1;
}

static XTSTATUS BlpIniAddSection(PINI_PARSER Parser, PCHAR Line, PCHAR End) {
    PINI_FILE Ini = Parser->Ini;
    PCHAR Name;
    LONG Existing;

    if (End[-1] != ']') {
        BlpIniReport(Parser, "unterminated section header (missing ']')");
        Parser->Section = -1;
        return STATUS_SUCCESS;
    }
    Name = BlpIniTrim(Line + 1, End - 1);
    if (!BlpIniIsValidName(Name)) {
        BlpIniReport(Parser, "invalid section name");
        Parser->Section = -1;
        return STATUS_SUCCESS;
    }
    Existing = BlpIniFindSection(Ini, Name);
    if (Existing >= 0) {
        BlpIniReport(Parser, "duplicate section: its keys are merged into the first one");
        Parser->Section = Existing;
        return STATUS_SUCCESS;
    }
    if (Ini->SectionCount == INI_MAX_SECTIONS) {
        BlpIniReport(Parser, "too many sections");
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Ini->Sections[Ini->SectionCount].Name = Name;
    Ini->Sections[Ini->SectionCount].Line = Parser->Line;
    Parser->Section = (LONG)Ini->SectionCount++;
    return STATUS_SUCCESS;
}

/* Strips one pair of matching double quotes around a value. */
static PCHAR BlpIniUnquote(PCHAR Value) {
    SIZE_T Length = RtlStringLength(Value, INI_MAX_LINE);
    if (Length >= 2 && Value[0] == '"' && Value[Length - 1] == '"') {
        Value[Length - 1] = '\0';
        return Value + 1;
    }
    return Value;
}

static XTSTATUS BlpIniAddEntry(PINI_PARSER Parser, PCHAR Line, PCHAR End) {
    PINI_FILE Ini = Parser->Ini;
    PCHAR Equals = Line, Key, Value;

    while (Equals < End && *Equals != '=') {
        Equals++;
    }
    if (Equals == End) {
        BlpIniReport(Parser, "missing '=' in key line");
        return STATUS_SUCCESS;
    }
    if (Parser->Section < 0) {
        BlpIniReport(Parser, "key outside of any valid section");
        return STATUS_SUCCESS;
    }
    Key = BlpIniTrim(Line, Equals);
    Value = BlpIniUnquote(BlpIniTrim(Equals + 1, End));
    if (!BlpIniIsValidName(Key)) {
        BlpIniReport(Parser, "invalid or empty key name");
        return STATUS_SUCCESS;
    }
    for (ULONG Index = 0; Index < Ini->EntryCount; Index++) {
        PINI_ENTRY Entry = &Ini->Entries[Index];
        if (Entry->Section == (ULONG)Parser->Section && RtlCompareCString(Entry->Key, Key, INI_MAX_LINE, TRUE) == 0) {
            BlpIniReport(Parser, "duplicate key: the last value wins");
            Entry->Value = Value;
            Entry->Line = Parser->Line;
            return STATUS_SUCCESS;
        }
    }
    if (Ini->EntryCount == INI_MAX_ENTRIES) {
        BlpIniReport(Parser, "too many keys");
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Ini->Entries[Ini->EntryCount] = (INI_ENTRY){(ULONG)Parser->Section, Parser->Line, Key, Value};
    Ini->EntryCount++;
    return STATUS_SUCCESS;
}

/* Parses one line [Line, End); End points at its terminator, which may be overwritten. */
static XTSTATUS BlpIniParseLine(PINI_PARSER Parser, PCHAR Line, PCHAR End) {
    if (End - Line > INI_MAX_LINE) {
        BlpIniReport(Parser, "line too long");
        return STATUS_SUCCESS;
    }
    for (PCHAR Cursor = Line; Cursor < End; Cursor++) {
        if ((UCHAR)*Cursor >= 0x80 || ((UCHAR)*Cursor < 0x20 && *Cursor != '\t')) {
            BlpIniReport(Parser, "non-ASCII or control byte in line");
            return STATUS_SUCCESS;
        }
    }
    Line = BlpIniTrim(Line, End);
    End = Line + RtlStringLength(Line, INI_MAX_LINE);
    if (*Line == '\0' || *Line == ';' || *Line == '#') {
        return STATUS_SUCCESS;
    }
    if (*Line == '[') {
        return BlpIniAddSection(Parser, Line, End);
    }
    return BlpIniAddEntry(Parser, Line, End);
}

XTSTATUS BlIniParse(PCHAR Text, SIZE_T Length, PINI_FILE Ini, PINI_DIAGNOSTIC_ROUTINE Diagnostic, PVOID Context) {
    INI_PARSER Parser = {Ini, Diagnostic, Context, 0, -1};
    PCHAR Cursor, Limit;
    XTSTATUS Status;

    RtlZeroMemory(Ini, sizeof(*Ini));
    if (Text == NULL || Length == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    Cursor = Text; /* only now: Text + Length with a NULL Text is undefined behaviour (found by fuzzing) */
    Limit = Text + Length;
    if (Length >= 3 && (UCHAR)Text[0] == 0xEF && (UCHAR)Text[1] == 0xBB && (UCHAR)Text[2] == 0xBF) {
        Cursor += 3;
    }
    while (Cursor < Limit) {
        PCHAR End = Cursor;
        while (End < Limit && *End != '\n') {
            End++;
        }
        PCHAR Next = End + 1;
        if (End > Cursor && End[-1] == '\r') {
            End--;
        }
        Parser.Line++;
        Status = BlpIniParseLine(&Parser, Cursor, End);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
        Cursor = Next;
    }
    return Ini->SectionCount ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

const INI_ENTRY *BlIniGetEntry(const INI_FILE *Ini, PCSTR Section, PCSTR Key) {
    LONG Index = BlpIniFindSection(Ini, Section);
    if (Index < 0) {
        return NULL;
    }
    for (ULONG Entry = 0; Entry < Ini->EntryCount; Entry++) {
        if (Ini->Entries[Entry].Section == (ULONG)Index &&
            RtlCompareCString(Ini->Entries[Entry].Key, Key, INI_MAX_LINE, TRUE) == 0) {
            return &Ini->Entries[Entry];
        }
    }
    return NULL;
}

PCSTR BlIniGetValue(const INI_FILE *Ini, PCSTR Section, PCSTR Key) {
    const INI_ENTRY *Entry = BlIniGetEntry(Ini, Section, Key);
    return Entry ? Entry->Value : NULL;
}

BOOLEAN BlIniHasSection(const INI_FILE *Ini, PCSTR Section) {
    return BlpIniFindSection(Ini, Section) >= 0;
}

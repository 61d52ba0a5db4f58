/* XTLDR boot configuration: reads the [XTLDR] section and validates the default boot entry. */
#include <rtl.h>

#include "config.h"

XTSTATUS BlConfigParseDebugPort(PCSTR Text, PUSHORT Port, PULONG Baud) {
    ULONGLONG Number, Rate = 115200;
    PCSTR End;

    if (RtlCompareCString(Text, "COM", 3, TRUE) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!XT_SUCCESS(RtlStringToUnsigned(Text + 3, 10, &Number, &End)) || Number < 1 || Number > 4) {
        return STATUS_INVALID_PARAMETER;
    }
    if (*End == ',') {
        if (!XT_SUCCESS(RtlStringToUnsigned(End + 1, 10, &Rate, &End)) || Rate < 50 || Rate > 115200 ||
            115200 % Rate != 0) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (*End != '\0' && *End != ' ') {
        return STATUS_INVALID_PARAMETER;
    }
    *Port = (USHORT)Number;
    *Baud = (ULONG)Rate;
    return STATUS_SUCCESS;
}

BOOLEAN BlConfigHasParameter(PCSTR Parameters, PCSTR Name) {
    SIZE_T Length = RtlStringLength(Name, BL_MAX_PATH);
    PCSTR Cursor = Parameters;

    while (Cursor && *Cursor) {
        while (*Cursor == ' ') {
            Cursor++;
        }
        if (RtlCompareCString(Cursor, Name, Length, TRUE) == 0 &&
            (Cursor[Length] == '\0' || Cursor[Length] == ' ' || Cursor[Length] == '=')) {
            return TRUE;
        }
        while (*Cursor && *Cursor != ' ') {
            Cursor++;
        }
    }
    return FALSE;
}

/* Appends Text to Path with backslash separators, turning '/' into '\'. */
static XTSTATUS BlpConfigAppendPath(PCHAR Path, PCSTR Text) {
    SIZE_T Length = RtlStringLength(Path, BL_MAX_PATH);

    if (Length == 0 || Path[Length - 1] != '\\') {
        if (Length + 1 >= BL_MAX_PATH) {
            return STATUS_NAME_TOO_LONG;
        }
        Path[Length++] = '\\';
    }
    while (*Text == '\\' || *Text == '/') {
        Text++;
    }
    for (; *Text; Text++) {
        if (Length + 1 >= BL_MAX_PATH) {
            return STATUS_NAME_TOO_LONG;
        }
        Path[Length++] = (*Text == '/') ? '\\' : *Text;
    }
    while (Length > 1 && Path[Length - 1] == '\\') {
        Length--;
    }
    Path[Length] = '\0';
    return STATUS_SUCCESS;
}

/* Builds "\SystemPath\KernelFile"; an ARC prefix such as "multi(0)disk(0)...partition(1)" means the boot volume. */
static XTSTATUS BlpConfigKernelPath(PCSTR SystemPath, PCSTR KernelFile, PCHAR Path) {
    PCSTR Cursor = SystemPath;
    for (PCSTR Scan = SystemPath; *Scan; Scan++) {
        if (*Scan == ')') {
            Cursor = Scan + 1;
        }
    }
    Path[0] = '\0';
    if (!XT_SUCCESS(BlpConfigAppendPath(Path, Cursor)) || !XT_SUCCESS(BlpConfigAppendPath(Path, KernelFile))) {
        return STATUS_NAME_TOO_LONG;
    }
    return STATUS_SUCCESS;
}

/* Passes one formatted warning to the caller's routine. */
static VOID BlpConfigWarn(PBL_CONFIG_WARNING_ROUTINE Warning, PVOID Context, ULONG Line, PCSTR Format, ...) {
    CHAR Message[BL_CONFIG_MESSAGE_MAX];
    va_list Arguments;

    if (Warning == NULL) {
        return;
    }
    va_start(Arguments, Format);
    RtlFormatStringV(Message, sizeof(Message), Format, Arguments);
    va_end(Arguments);
    Warning(Context, Line, Message);
}

/* Parses a whole decimal number of seconds up to BL_MAX_TIMEOUT: no sign, no blanks, no other base, no trailing
 * text; FALSE otherwise. */
static BOOLEAN BlpConfigParseSeconds(PCSTR Text, PULONG Seconds) {
    ULONGLONG Value;
    PCSTR End;

    if (*Text < '0' || *Text > '9' || !XT_SUCCESS(RtlStringToUnsigned(Text, 10, &Value, &End)) || *End != '\0' ||
        Value > BL_MAX_TIMEOUT) {
        return FALSE;
    }
    *Seconds = (ULONG)Value;
    return TRUE;
}

/* Reads [XTLDR]: Timeout (an unusable value warns and keeps the default) and Debug (an unusable value fails). */
static XTSTATUS BlpConfigLoadGlobals(const INI_FILE *Ini, PBL_CONFIG Config, PBL_CONFIG_WARNING_ROUTINE Warning,
                                     PVOID Context) {
    const INI_ENTRY *Entry;
    PCSTR Value;

    Config->Timeout = BL_DEFAULT_TIMEOUT;
    Entry = BlIniGetEntry(Ini, "XTLDR", "Timeout");
    if (Entry && !BlpConfigParseSeconds(Entry->Value, &Config->Timeout)) {
        BlpConfigWarn(Warning, Context, Entry->Line,
                      "[XTLDR] Timeout \"%.40s\"%s is not a whole number of seconds from 0 to %u: using the default, "
                      "%u s",
                      Entry->Value, RtlStringLength(Entry->Value, 41) > 40 ? "..." : "", BL_MAX_TIMEOUT,
                      BL_DEFAULT_TIMEOUT);
    }
    Value = BlIniGetValue(Ini, "XTLDR", "Debug");
    if (Value && *Value) {
        BOOLEAN Blank = FALSE;
        for (PCSTR Cursor = Value; *Cursor; Cursor++) {
            Blank |= (*Cursor == ' ' || *Cursor == '\t');
        }
        if (Blank || !XT_SUCCESS(BlConfigParseDebugPort(Value, &Config->DebugPort, &Config->DebugBaud))) {
            RtlFormatString(Config->Error, sizeof(Config->Error),
                            "[XTLDR] Debug must be COM1..COM4 with an optional baud rate, e.g. COM1,115200");
            return STATUS_INVALID_PARAMETER;
        }
    }
    return STATUS_SUCCESS;
}

/* TRUE for a character no FAT (or UEFI file system) name may hold. */
static BOOLEAN BlpConfigIsReservedCharacter(CHAR Character) {
    for (PCSTR Reserved = "\"*:<>?|"; *Reserved; Reserved++) {
        if (Character == *Reserved) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Checks that KernelFile names a file: not empty, no trailing separator, last component not "." or "..", no
 * character a FAT file name may not hold. On failure writes why into Reason. */
static BOOLEAN BlpConfigCheckFileName(PCSTR File, PCHAR Reason, SIZE_T ReasonSize) {
    SIZE_T Length = RtlStringLength(File, BL_MAX_PATH + 1);
    PCSTR Last = File;

    if (Length == 0) {
        RtlFormatString(Reason, ReasonSize, "KernelFile is empty");
        return FALSE;
    }
    for (PCSTR Cursor = File; *Cursor; Cursor++) {
        if (*Cursor == '/' || *Cursor == '\\') {
            Last = Cursor + 1;
        } else if (BlpConfigIsReservedCharacter(*Cursor)) {
            RtlFormatString(Reason, ReasonSize, "KernelFile \"%.64s\" holds '%c', which no file name may hold", File,
                            *Cursor);
            return FALSE;
        }
    }
    if (*Last == '\0') {
        RtlFormatString(Reason, ReasonSize,
                        "KernelFile \"%.64s\" names no file: it ends in a path separator (a directory)", File);
        return FALSE;
    }
    if (RtlCompareCString(Last, ".", 2, FALSE) == 0 || RtlCompareCString(Last, "..", 3, FALSE) == 0) {
        RtlFormatString(Reason, ReasonSize, "KernelFile \"%.64s\" names no file: it ends in \"%s\" (a directory)", File,
                        Last);
        return FALSE;
    }
    return TRUE;
}

/* Fills Entry from Section; FALSE when the section is not a usable XTOS entry. Reason says why, or stays empty
 * for a section that is not an XTOS entry at all; *Line is the INI line concerned. */
static BOOLEAN BlpConfigLoadEntry(const INI_FILE *Ini, const INI_SECTION *Section, PBL_BOOT_ENTRY Entry, PCHAR Reason,
                                  SIZE_T ReasonSize, PULONG Line) {
    PCSTR Name = Section->Name;
    const INI_ENTRY *SystemPath, *KernelFile;

    Reason[0] = '\0';
    *Line = Section->Line;
    Entry->Name = Name;
    Entry->SystemType = BlIniGetValue(Ini, Name, "SystemType");
    if (!Entry->SystemType || RtlCompareCString(Entry->SystemType, "XTOS", INI_MAX_LINE, TRUE) != 0) {
        return FALSE;
    }
    SystemPath = BlIniGetEntry(Ini, Name, "SystemPath");
    KernelFile = BlIniGetEntry(Ini, Name, "KernelFile");
    if (!SystemPath || !KernelFile) {
        RtlFormatString(Reason, ReasonSize, "%s is missing", SystemPath ? "KernelFile" : "SystemPath");
        return FALSE;
    }
    *Line = KernelFile->Line;
    if (!BlpConfigCheckFileName(KernelFile->Value, Reason, ReasonSize)) {
        return FALSE;
    }
    if (!XT_SUCCESS(BlpConfigKernelPath(SystemPath->Value, KernelFile->Value, Entry->KernelPath))) {
        RtlFormatString(Reason, ReasonSize, "the kernel path is longer than %u characters", BL_MAX_PATH - 1);
        return FALSE;
    }
    Entry->SystemName = BlIniGetValue(Ini, Name, "SystemName");
    if (!Entry->SystemName || !*Entry->SystemName) {
        Entry->SystemName = Name;
    }
    Entry->Parameters = BlIniGetValue(Ini, Name, "Parameters");
    if (!Entry->Parameters) {
        Entry->Parameters = "";
    }
    return TRUE;
}

/* Loads every usable entry in file order and picks the default; FALSE when none is usable (Config->Error says
 * why, naming the first XTOS entry's problem). */
static BOOLEAN BlpConfigLoadEntries(const INI_FILE *Ini, PBL_CONFIG Config, PBOOLEAN FoundDefault) {
    PCSTR Default = BlIniGetValue(Ini, "XTLDR", "Default");
    CHAR Reason[BL_CONFIG_MESSAGE_MAX / 2];
    BOOLEAN Explained = FALSE;
    ULONG Line;

    *FoundDefault = FALSE;
    for (ULONG Index = 0; Index < Ini->SectionCount && Config->EntryCount < BL_MAX_ENTRIES; Index++) {
        PCSTR Name = Ini->Sections[Index].Name;
        if (RtlCompareCString(Name, "XTLDR", INI_MAX_LINE, TRUE) == 0) {
            continue;
        }
        if (!BlpConfigLoadEntry(Ini, &Ini->Sections[Index], &Config->Entries[Config->EntryCount], Reason,
                                sizeof(Reason), &Line)) {
            if (!Explained && Reason[0]) {
                RtlFormatString(Config->Error, sizeof(Config->Error), "no usable boot entry: line %u: [%.32s] %s", Line,
                                Name, Reason);
                Explained = TRUE;
            }
            continue;
        }
        if (!*FoundDefault && Default && RtlCompareCString(Name, Default, INI_MAX_LINE, TRUE) == 0) {
            Config->DefaultEntry = Config->EntryCount;
            *FoundDefault = TRUE;
        }
        Config->EntryCount++;
    }
    if (Config->EntryCount == 0 && !Explained) {
        RtlFormatString(Config->Error, sizeof(Config->Error),
                        "no usable boot entry (each needs SystemType=XTOS, SystemPath and KernelFile)");
    }
    return Config->EntryCount > 0;
}

/* Warns about every XTOS entry that cannot boot (called when another one can). */
static VOID BlpConfigWarnSkippedEntries(const INI_FILE *Ini, PBL_CONFIG_WARNING_ROUTINE Warning, PVOID Context) {
    static BL_BOOT_ENTRY Scratch;
    CHAR Reason[BL_CONFIG_MESSAGE_MAX / 2];
    ULONG Line;

    for (ULONG Index = 0; Index < Ini->SectionCount; Index++) {
        PCSTR Name = Ini->Sections[Index].Name;
        if (RtlCompareCString(Name, "XTLDR", INI_MAX_LINE, TRUE) != 0 &&
            !BlpConfigLoadEntry(Ini, &Ini->Sections[Index], &Scratch, Reason, sizeof(Reason), &Line) && Reason[0]) {
            BlpConfigWarn(Warning, Context, Line, "[%.32s] %s: entry skipped", Name, Reason);
        }
    }
}

XTSTATUS BlConfigLoad(const INI_FILE *Ini, PBL_CONFIG Config, PBL_CONFIG_WARNING_ROUTINE Warning, PVOID Context) {
    BOOLEAN FoundDefault;
    XTSTATUS Status;

    RtlZeroMemory(Config, sizeof(*Config));
    if (!BlIniHasSection(Ini, "XTLDR")) {
        RtlFormatString(Config->Error, sizeof(Config->Error), "no [XTLDR] section");
        return STATUS_NOT_FOUND;
    }
    Status = BlpConfigLoadGlobals(Ini, Config, Warning, Context);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    if (!BlpConfigLoadEntries(Ini, Config, &FoundDefault)) {
        return STATUS_NOT_FOUND;
    }
    BlpConfigWarnSkippedEntries(Ini, Warning, Context);
    if (!FoundDefault) {
        BlpConfigWarn(Warning, Context, 0, "%s: booting the first usable entry, [%.32s]",
                      BlIniGetValue(Ini, "XTLDR", "Default") ? "the Default entry is missing or unusable"
                                                             : "[XTLDR] has no Default",
                      Config->Entries[0].Name);
    }
    Config->Entry = Config->Entries[Config->DefaultEntry];
    return STATUS_SUCCESS;
}

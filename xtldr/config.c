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

/* Reads [XTLDR]: Timeout and Debug. */
static XTSTATUS BlpConfigLoadGlobals(const INI_FILE *Ini, PBL_CONFIG Config, PCSTR *Error) {
    PCSTR Value;
    ULONGLONG Timeout;

    Value = BlIniGetValue(Ini, "XTLDR", "Timeout");
    if (Value) {
        if (!XT_SUCCESS(RtlStringToUnsigned(Value, 10, &Timeout, NULL)) || Timeout > 3600) {
            *Error = "[XTLDR] Timeout is not a number of seconds (0..3600)";
            return STATUS_INVALID_PARAMETER;
        }
        Config->Timeout = (ULONG)Timeout;
    }
    Value = BlIniGetValue(Ini, "XTLDR", "Debug");
    if (Value && *Value && !XT_SUCCESS(BlConfigParseDebugPort(Value, &Config->DebugPort, &Config->DebugBaud))) {
        *Error = "[XTLDR] Debug must be COM1..COM4 with an optional baud rate, e.g. COM1,115200";
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* Fills Entry from section Name; FALSE (with the reason) when the section is not a usable XTOS entry. */
static BOOLEAN BlpConfigLoadEntry(const INI_FILE *Ini, PCSTR Name, PBL_BOOT_ENTRY Entry, PCSTR *Reason) {
    PCSTR SystemPath, KernelFile;

    Entry->Name = Name;
    Entry->SystemType = BlIniGetValue(Ini, Name, "SystemType");
    if (!Entry->SystemType || RtlCompareCString(Entry->SystemType, "XTOS", INI_MAX_LINE, TRUE) != 0) {
        *Reason = "SystemType is not XTOS";
        return FALSE;
    }
    SystemPath = BlIniGetValue(Ini, Name, "SystemPath");
    KernelFile = BlIniGetValue(Ini, Name, "KernelFile");
    if (!SystemPath || !KernelFile || !*KernelFile) {
        *Reason = "SystemPath or KernelFile missing";
        return FALSE;
    }
    if (!XT_SUCCESS(BlpConfigKernelPath(SystemPath, KernelFile, Entry->KernelPath))) {
        *Reason = "kernel path too long";
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

XTSTATUS BlConfigLoad(const INI_FILE *Ini, PBL_CONFIG Config, PCSTR *Error, PCSTR *Warning) {
    PCSTR Default, Reason = "no section describes a boot entry";
    BOOLEAN Found = FALSE;
    XTSTATUS Status;

    RtlZeroMemory(Config, sizeof(*Config));
    *Warning = NULL;
    if (!BlIniHasSection(Ini, "XTLDR")) {
        *Error = "no [XTLDR] section";
        return STATUS_NOT_FOUND;
    }
    Status = BlpConfigLoadGlobals(Ini, Config, Error);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Default = BlIniGetValue(Ini, "XTLDR", "Default");
    for (ULONG Index = 0; Index < Ini->SectionCount && Config->EntryCount < BL_MAX_ENTRIES; Index++) {
        PCSTR Name = Ini->Sections[Index].Name;
        if (RtlCompareCString(Name, "XTLDR", INI_MAX_LINE, TRUE) == 0 ||
            !BlpConfigLoadEntry(Ini, Name, &Config->Entries[Config->EntryCount], &Reason)) {
            continue;
        }
        if (!Found && Default && RtlCompareCString(Name, Default, INI_MAX_LINE, TRUE) == 0) {
            Config->DefaultEntry = Config->EntryCount;
            Found = TRUE;
        }
        Config->EntryCount++;
    }
    if (Config->EntryCount == 0) {
        *Error = "no usable boot entry (each needs SystemType=XTOS, SystemPath and KernelFile)";
        return STATUS_NOT_FOUND;
    }
    if (!Found) {
        *Warning = Default ? "the Default entry is missing or unusable: booting the first usable entry"
                           : "[XTLDR] has no Default: booting the first usable entry";
    }
    Config->Entry = Config->Entries[Config->DefaultEntry];
    return STATUS_SUCCESS;
}

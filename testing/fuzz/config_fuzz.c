/* XTLDR configuration (xtldr/config.c) and boot menu (xtldr/menu.c): the input is an INI file; the bytes after a
 * ";KEYS:" comment line drive the menu (each byte a key or a tick). Also the debug-port and parameter helpers. */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "xtldr/config.h"
#include "fuzz_support.h"
#include "xtldr/menu.h"

/* A path the loader will open: "\..." with backslashes only, terminated inside the buffer. */
static VOID CheckPath(PCSTR Path) {
    SIZE_T Length = strnlen(Path, BL_MAX_PATH);

    FUZZ_CHECK(Length < BL_MAX_PATH && Path[0] == '\\' && strchr(Path, '/') == NULL);
}

/* BlConfigHasParameter finds every space-separated name of Parameters (the part before '=' of each token). */
static VOID CheckHasParameter(PCSTR Parameters) {
    CHAR Name[200];

    for (PCSTR Cursor = Parameters; *Cursor;) {
        SIZE_T Length = strcspn(Cursor, " =");
        if (Length > 0 && Length < sizeof(Name)) {
            memcpy(Name, Cursor, Length);
            Name[Length] = '\0';
            FUZZ_CHECK(BlConfigHasParameter(Parameters, Name));
        }
        Cursor += Length;
        Cursor += strcspn(Cursor, " ");
        Cursor += strspn(Cursor, " ");
    }
}

static VOID CheckConfig(const BL_CONFIG *Config) {
    FUZZ_CHECK(Config->EntryCount >= 1 && Config->EntryCount <= BL_MAX_ENTRIES);
    FUZZ_CHECK(Config->DefaultEntry < Config->EntryCount && Config->Timeout <= 3600 && Config->DebugPort <= 4);
    FUZZ_CHECK(Config->DebugPort == 0 || (Config->DebugBaud >= 50 && 115200 % Config->DebugBaud == 0));
    for (ULONG Index = 0; Index < Config->EntryCount; Index++) {
        const BL_BOOT_ENTRY *Entry = &Config->Entries[Index];
        CheckPath(Entry->KernelPath);
        FUZZ_CHECK(Entry->Name && Entry->SystemName && Entry->Parameters && Entry->SystemType);
        FUZZ_CHECK(RtlCompareCString(Entry->SystemType, "XTOS", INI_MAX_LINE, TRUE) == 0);
        CheckHasParameter(Entry->Parameters);
    }
    FUZZ_CHECK(memcmp(&Config->Entry, &Config->Entries[Config->DefaultEntry], sizeof(Config->Entry)) == 0);
}

/* Drives the menu with Keys (bit 7: a tick; else the low 3 bits a key, and a character key takes the next byte as
 * its character); checks its state after each step. */
static VOID RunMenu(PBL_CONFIG Config, const UCHAR *Keys, SIZE_T Count) {
    static const BL_MENU_KEY Decoded[] = {BlMenuKeyNone,   BlMenuKeyUp,        BlMenuKeyDown,      BlMenuKeyEnter,
                                          BlMenuKeyEscape, BlMenuKeyBackspace, BlMenuKeyCharacter, BlMenuKeyCharacter};
    static BL_MENU Menu;

    BlMenuInitialize(&Menu, Config);
    for (SIZE_T Index = 0; Index < Count; Index++) {
        BOOLEAN Tick = (BOOLEAN)((Keys[Index] & 0x80) != 0);
        BL_MENU_KEY Key = Decoded[Keys[Index] & 7];
        CHAR Character = (!Tick && Key == BlMenuKeyCharacter && Index + 1 < Count) ? (CHAR)Keys[++Index] : 'a';
        BL_MENU_ACTION Action = Tick ? BlMenuTick(&Menu) : BlMenuKey(&Menu, Key, Character);
        PCSTR Parameters = BlMenuParameters(&Menu, Menu.Selected);

        FUZZ_CHECK(Menu.Selected < Config->EntryCount && Menu.EditLength < BL_MAX_PARAMETERS);
        FUZZ_CHECK(Menu.Edit[Menu.EditLength] == '\0' && Parameters != NULL);
        /* An INI value (boot refuses more than the init block holds); edited text fits the editor. */
        FUZZ_CHECK(strnlen(Parameters, INI_MAX_LINE + 1) <= INI_MAX_LINE);
        FUZZ_CHECK(Menu.EditedEntry < 0 || strnlen(Config->EditedParameters, BL_MAX_PARAMETERS) < BL_MAX_PARAMETERS);
        if (Action == BlMenuActionBoot) {
            CheckPath(Config->Entry.KernelPath);
            FUZZ_CHECK(Config->Entry.Parameters == BlMenuParameters(&Menu, Menu.Selected));
            return;
        }
    }
}

/* A warning has a message, and its line (0 for none) is inside the file's line count range. */
static VOID CheckWarning(PVOID Context, ULONG Line, PCSTR Message) {
    FUZZ_CHECK(Message != NULL && Message[0] != '\0' && Line < 0x1000000);
    (*(PULONG)Context)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    static INI_FILE Ini;
    static BL_CONFIG Config;
    PCHAR Text = malloc(Size + 1);
    ULONG Warnings = 0;
    PCSTR Keys;
    USHORT Port = 0;
    ULONG Baud = 0;
    XTSTATUS Status;

    memcpy(Text, Data, Size);
    Text[Size] = '\0';
    if (BlConfigParseDebugPort(Text, &Port, &Baud) == STATUS_SUCCESS) {
        FUZZ_CHECK(Port >= 1 && Port <= 4 && Baud >= 50 && 115200 % Baud == 0);
    }
    FUZZ_CHECK(BlConfigHasParameter(Text, "DEBUG") == BlConfigHasParameter(Text, "debug"));
    Keys = strstr(Text, "\n;KEYS:");
    Keys = Keys ? Keys + 7 : Text + Size;
    if (Size == 0 || !XT_SUCCESS(BlIniParse(Text, Size, &Ini, NULL, NULL))) {
        free(Text);
        return 0;
    }
    Status = BlConfigLoad(&Ini, &Config, CheckWarning, &Warnings);
    if (XT_SUCCESS(Status)) {
        CheckConfig(&Config);
        RunMenu(&Config, (const UCHAR *)Data + (Keys - Text), Size - (SIZE_T)(Keys - Text));
    } else {
        FUZZ_CHECK(Config.Error[0] != '\0'); /* a failure always says why */
    }
    free(Text);
    return 0;
}

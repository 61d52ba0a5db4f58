/* XTLDR boot menu on the firmware console: draws the menu, reads keys, counts the timeout down. */
#include "menu.h"
#include "xtldr.h"

#define BL_POLL_MICROSECONDS 10000
#define BL_POLLS_PER_SECOND  100

/* Turns a firmware key into a menu key. */
static BL_MENU_KEY BlpDecodeKey(const EFI_INPUT_KEY *Key, PCHAR Character) {
    *Character = 0;
    switch (Key->ScanCode) {
        case SCAN_UP:
            return BlMenuKeyUp;
        case SCAN_DOWN:
            return BlMenuKeyDown;
        case SCAN_ESC:
            return BlMenuKeyEscape;
        case SCAN_NULL:
            break;
        default:
            return BlMenuKeyNone;
    }
    if (Key->UnicodeChar == u'\r' || Key->UnicodeChar == u'\n') {
        return BlMenuKeyEnter;
    }
    if (Key->UnicodeChar == 0x08 || Key->UnicodeChar == 0x7F) {
        return BlMenuKeyBackspace;
    }
    if (Key->UnicodeChar >= 0x20 && Key->UnicodeChar < 0x7F) {
        *Character = (CHAR)Key->UnicodeChar;
        return BlMenuKeyCharacter;
    }
    return BlMenuKeyNone;
}

static VOID BlpDrawMenu(const BL_MENU *Menu) {
    const BL_CONFIG *Config = Menu->Config;

    BlPrint("\nXTLDR boot menu: Up/Down select, Enter boots, E edits the parameters\n");
    for (ULONG Index = 0; Index < Config->EntryCount; Index++) {
        BlPrint(" %c %s [%s]\n", Index == Menu->Selected ? '>' : ' ', Config->Entries[Index].SystemName,
                Config->Entries[Index].Name);
    }
    if (Menu->Editing) {
        BlPrint("Parameters (Enter accepts, Esc cancels): %s_\n", Menu->Edit);
    } else {
        BlPrint("Parameters: %s\n", BlMenuParameters(Menu, Menu->Selected));
    }
    if (Menu->Counting) {
        BlPrint("Booting in %u s\n", Menu->Remaining);
    }
}

VOID BlRunBootMenu(EFI_SYSTEM_TABLE *SystemTable, PBL_CONFIG Config) {
    static BL_MENU Menu;
    BL_MENU_ACTION Action = BlMenuActionNone;
    ULONG Polls = 0;

    if (Config->Timeout == 0 || !SystemTable->ConIn) {
        return;
    }
    BlMenuInitialize(&Menu, Config);
    BlpDrawMenu(&Menu);
    while (Action != BlMenuActionBoot) {
        EFI_INPUT_KEY Key;
        CHAR Character;
        if (SystemTable->ConIn->ReadKeyStroke(SystemTable->ConIn, &Key) == EFI_SUCCESS) {
            BL_MENU_KEY Decoded = BlpDecodeKey(&Key, &Character);
            Action = (Decoded == BlMenuKeyNone) ? BlMenuActionNone : BlMenuKey(&Menu, Decoded, Character);
        } else {
            SystemTable->BootServices->Stall(BL_POLL_MICROSECONDS);
            Action = (++Polls % BL_POLLS_PER_SECOND == 0) ? BlMenuTick(&Menu) : BlMenuActionNone;
        }
        if (Action == BlMenuActionRedraw) {
            BlpDrawMenu(&Menu);
        } else if (Action == BlMenuActionCountdown) {
            BlPrint("Booting in %u s\n", Menu.Remaining);
        }
    }
    BlPrint("XTLDR: booting entry '%s' with parameters '%s'\n", Config->Entry.Name, Config->Entry.Parameters);
}

/* XTLDR boot menu logic: selection, countdown and a one-line parameter editor. */
#include <rtl.h>

#include "menu.h"

VOID BlMenuInitialize(PBL_MENU Menu, PBL_CONFIG Config) {
    RtlZeroMemory(Menu, sizeof(*Menu));
    Menu->Config = Config;
    Menu->Selected = Config->DefaultEntry;
    Menu->Remaining = Config->Timeout;
    Menu->Counting = TRUE;
    Menu->EditedEntry = -1;
}

PCSTR BlMenuParameters(const BL_MENU *Menu, ULONG Entry) {
    return (Menu->EditedEntry == (LONG)Entry) ? Menu->Config->EditedParameters
                                              : Menu->Config->Entries[Entry].Parameters;
}

/* Makes the selected entry the one to boot. */
static BL_MENU_ACTION BlpMenuBoot(PBL_MENU Menu) {
    PBL_CONFIG Config = Menu->Config;
    Config->Entry = Config->Entries[Menu->Selected];
    Config->Entry.Parameters = BlMenuParameters(Menu, Menu->Selected);
    return BlMenuActionBoot;
}

/* Handles a key while the parameter line is being edited. */
static BL_MENU_ACTION BlpMenuEditKey(PBL_MENU Menu, BL_MENU_KEY Key, CHAR Character) {
    switch (Key) {
        case BlMenuKeyCharacter:
            if (Character < 0x20 || Character > 0x7E || Menu->EditLength + 1 >= sizeof(Menu->Edit)) {
                return BlMenuActionNone;
            }
            Menu->Edit[Menu->EditLength++] = Character;
            Menu->Edit[Menu->EditLength] = '\0';
            return BlMenuActionRedraw;
        case BlMenuKeyBackspace:
            if (Menu->EditLength == 0) {
                return BlMenuActionNone;
            }
            Menu->Edit[--Menu->EditLength] = '\0';
            return BlMenuActionRedraw;
        case BlMenuKeyEnter:
            RtlCopyMemory(Menu->Config->EditedParameters, Menu->Edit, Menu->EditLength + 1);
            Menu->EditedEntry = (LONG)Menu->Selected;
            Menu->Editing = FALSE;
            return BlMenuActionRedraw;
        case BlMenuKeyEscape:
            Menu->Editing = FALSE;
            return BlMenuActionRedraw;
        default:
            return BlMenuActionNone;
    }
}

BL_MENU_ACTION BlMenuKey(PBL_MENU Menu, BL_MENU_KEY Key, CHAR Character) {
    PCSTR Current;

    Menu->Counting = FALSE;
    if (Menu->Editing) {
        return BlpMenuEditKey(Menu, Key, Character);
    }
    switch (Key) {
        case BlMenuKeyUp:
            Menu->Selected = Menu->Selected ? Menu->Selected - 1 : Menu->Config->EntryCount - 1;
            return BlMenuActionRedraw;
        case BlMenuKeyDown:
            Menu->Selected = (Menu->Selected + 1) % Menu->Config->EntryCount;
            return BlMenuActionRedraw;
        case BlMenuKeyEnter:
            return BlpMenuBoot(Menu);
        case BlMenuKeyCharacter:
            if (Character != 'e' && Character != 'E') {
                return BlMenuActionRedraw;
            }
            Current = BlMenuParameters(Menu, Menu->Selected);
            Menu->EditLength = RtlStringLength(Current, sizeof(Menu->Edit) - 1);
            RtlCopyMemory(Menu->Edit, Current, Menu->EditLength);
            Menu->Edit[Menu->EditLength] = '\0';
            Menu->Editing = TRUE;
            return BlMenuActionRedraw;
        default:
            return BlMenuActionRedraw;
    }
}

BL_MENU_ACTION BlMenuTick(PBL_MENU Menu) {
    if (!Menu->Counting) {
        return BlMenuActionNone;
    }
    if (Menu->Remaining <= 1) {
        Menu->Remaining = 0;
        return BlpMenuBoot(Menu);
    }
    Menu->Remaining--;
    return BlMenuActionCountdown;
}

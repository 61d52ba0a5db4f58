/* XTLDR boot menu: a state machine over decoded keys and seconds, independent of the firmware (host-tested). */
#ifndef XTLDR_MENU_H
#define XTLDR_MENU_H

#include "config.h"

typedef enum _BL_MENU_KEY {
    BlMenuKeyNone,
    BlMenuKeyUp,
    BlMenuKeyDown,
    BlMenuKeyEnter,
    BlMenuKeyEscape,
    BlMenuKeyBackspace,
    BlMenuKeyCharacter
} BL_MENU_KEY;

typedef enum _BL_MENU_ACTION {
    BlMenuActionNone,      /* nothing visible changed */
    BlMenuActionRedraw,    /* draw the menu again */
    BlMenuActionCountdown, /* only the countdown changed */
    BlMenuActionBoot       /* Config->Entry holds the entry to boot */
} BL_MENU_ACTION;

typedef struct _BL_MENU {
    PBL_CONFIG Config;
    ULONG Selected;
    ULONG Remaining;  /* seconds left while Counting */
    BOOLEAN Counting; /* any key stops the countdown */
    BOOLEAN Editing;
    LONG EditedEntry; /* entry whose parameters were edited, -1 when none */
    SIZE_T EditLength;
    CHAR Edit[BL_MAX_PARAMETERS];
} BL_MENU, *PBL_MENU;

/* Starts the menu on the default entry with the configured timeout running. */
VOID BlMenuInitialize(PBL_MENU Menu, PBL_CONFIG Config);

/* Applies one key (Character for BlMenuKeyCharacter). */
BL_MENU_ACTION BlMenuKey(PBL_MENU Menu, BL_MENU_KEY Key, CHAR Character);

/* Applies one elapsed second. */
BL_MENU_ACTION BlMenuTick(PBL_MENU Menu);

/* Parameters the selected entry would boot with (edited or from the INI file). */
PCSTR BlMenuParameters(const BL_MENU *Menu, ULONG Entry);

#endif

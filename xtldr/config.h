/* XTLDR boot configuration: the [XTLDR] section and the boot entry it selects. */
#ifndef XTLDR_CONFIG_H
#define XTLDR_CONFIG_H

#include "ini.h"

#define BL_MAX_PATH       260
#define BL_MAX_ENTRIES    16
#define BL_MAX_PARAMETERS 512

typedef struct _BL_BOOT_ENTRY {
    PCSTR Name;                   /* INI section name */
    PCSTR SystemName;             /* display name */
    PCSTR SystemType;             /* must be XTOS */
    PCSTR Parameters;             /* kernel parameters, "" when absent */
    CHAR KernelPath[BL_MAX_PATH]; /* "\SystemPath\KernelFile" on the boot volume */
} BL_BOOT_ENTRY, *PBL_BOOT_ENTRY;

typedef struct _BL_CONFIG {
    ULONG Timeout;    /* seconds before the default entry boots */
    USHORT DebugPort; /* COM port number, 0 when no serial debug output */
    ULONG DebugBaud;
    ULONG EntryCount; /* usable XTOS entries, in file order */
    ULONG DefaultEntry;
    BL_BOOT_ENTRY Entries[BL_MAX_ENTRIES];
    BL_BOOT_ENTRY Entry; /* the entry to boot: the default one until the menu picks another */
    CHAR EditedParameters[BL_MAX_PARAMETERS];
} BL_CONFIG, *PBL_CONFIG;

/* Fills Config from a parsed INI file: every usable XTOS entry, and the default one (the first usable entry,
 * with a warning through Warning, when Default names none). On failure Error says what is missing or wrong. */
XTSTATUS BlConfigLoad(const INI_FILE *Ini, PBL_CONFIG Config, PCSTR *Error, PCSTR *Warning);

/* Parses a "COMn,baud" debug specification (also the kernel's DEBUG= value). */
XTSTATUS BlConfigParseDebugPort(PCSTR Text, PUSHORT Port, PULONG Baud);

/* Returns TRUE when the space-separated Parameters contain Name (case-insensitive, whole word or NAME=...). */
BOOLEAN BlConfigHasParameter(PCSTR Parameters, PCSTR Name);

#endif

/* XTLDR boot configuration: the [XTLDR] section and the boot entry it selects. */
#ifndef XTLDR_CONFIG_H
#define XTLDR_CONFIG_H

#include "ini.h"

#define BL_MAX_PATH           260
#define BL_MAX_ENTRIES        16
#define BL_MAX_PARAMETERS     512
#define BL_DEFAULT_TIMEOUT    0    /* seconds: no menu, the default entry boots at once */
#define BL_MAX_TIMEOUT        3600 /* seconds */
#define BL_CONFIG_MESSAGE_MAX 256

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
    CHAR Error[BL_CONFIG_MESSAGE_MAX]; /* why BlConfigLoad failed */
} BL_CONFIG, *PBL_CONFIG;

/* Receives one warning about the configuration: the INI line it concerns (0 for none) and what is wrong. */
typedef VOID (*PBL_CONFIG_WARNING_ROUTINE)(PVOID Context, ULONG Line, PCSTR Message);

/* Fills Config from a parsed INI file: every usable XTOS entry, and the default one (the first usable entry when
 * Default names none). Problems the loader can live with are reported through Warning (may be NULL): an unusable
 * Timeout (the default applies), an entry that cannot boot while another can, a missing Default. On failure
 * (no [XTLDR], a bad Debug value, no usable entry) Config->Error says what is wrong and where. */
XTSTATUS BlConfigLoad(const INI_FILE *Ini, PBL_CONFIG Config, PBL_CONFIG_WARNING_ROUTINE Warning, PVOID Context);

/* Parses a "COMn,baud" debug specification (also the kernel's DEBUG= value). */
XTSTATUS BlConfigParseDebugPort(PCSTR Text, PUSHORT Port, PULONG Baud);

/* Returns TRUE when the space-separated Parameters contain Name (case-insensitive, whole word or NAME=...). */
BOOLEAN BlConfigHasParameter(PCSTR Parameters, PCSTR Name);

#endif

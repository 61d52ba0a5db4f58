/* XTLDR console routing: which UARTs the firmware's console output (ConOut) already reaches, decided from the
 * ConOut device paths, so that the loader writes a serial port directly only when the firmware does not.
 * Freestanding and host-tested: the firmware is reached through BL_CONOUT_FIRMWARE. */
#ifndef XTLDR_CONOUT_H
#define XTLDR_CONOUT_H

#include <xtbase.h>
#include <xtuefi.h>

#define BL_CONOUT_MAX_UARTS    8
#define BL_CONOUT_MAX_INSTANCE 512 /* bytes of one device-path instance the probe can look up */
#define BL_ACPI_RESOURCES_MAX  256 /* bytes of a Super I/O resource list the probe reads at most */

/* What the decision needs from the firmware. Paths passed in are single instances ending in an End-Entire node. */
typedef struct _BL_CONOUT_FIRMWARE {
    /* TRUE when a text-output device exists at exactly Path (the console is live, not just configured). */
    BOOLEAN (*IsTextOutput)(PVOID Context, const EFI_DEVICE_PATH_PROTOCOL *Path);
    /* The I/O port base of the Super I/O device at exactly Path, or 0 when there is none or it has no I/O range. */
    USHORT (*GetIoBase)(PVOID Context, const EFI_DEVICE_PATH_PROTOCOL *Path);
    PVOID Context;
} BL_CONOUT_FIRMWARE, *PBL_CONOUT_FIRMWARE;

typedef struct _BL_CONOUT_UARTS {
    ULONG Instances;                    /* instances read from ConOut */
    ULONG Count;                        /* distinct I/O bases of live ConOut consoles on a UART */
    USHORT IoBase[BL_CONOUT_MAX_UARTS]; /* their bases */
    ULONG Unresolved;                   /* live (or too long to look up) UART consoles whose base is unknown */
    BOOLEAN Malformed;                  /* a node was cut short or had a bad length: reading stopped there */
} BL_CONOUT_UARTS, *PBL_CONOUT_UARTS;

/* Reads ConOut (a multi-instance device path of Size bytes, e.g. the ConOut variable) and lists the UARTs that
 * live console instances send output to: an instance with a UART node (Messaging, subtype 14) whose device
 * exists, located by the I/O base of the Super I/O device the UART node hangs from. Never reads past Size. */
VOID BlFindConOutUarts(PCVOID ConOut, SIZE_T Size, const BL_CONOUT_FIRMWARE *Firmware, PBL_CONOUT_UARTS Uarts);

/* TRUE when the firmware's console reaches the UART at IoBase. Unknown or unresolvable consoles never count:
 * the loader then writes the port itself, so a line may show twice but is never lost. */
BOOLEAN BlConOutReachesUart(const BL_CONOUT_UARTS *Uarts, USHORT IoBase);

/* Finds the first I/O port range in an ACPI resource descriptor list (small I/O and fixed I/O descriptors), reading
 * at most Size bytes and stopping at the End tag. */
BOOLEAN BlAcpiResourcesFindIoBase(PCVOID Resources, SIZE_T Size, PUSHORT IoBase);

#endif

/* XTLDR console routing: the UARTs the firmware's ConOut reaches, from its device paths. */
#include <rtl.h>

#include "conout.h"

#define BL_ACPI_SMALL_IO       0x08 /* small item name: I/O port descriptor (7 bytes) */
#define BL_ACPI_SMALL_FIXED_IO 0x09 /* small item name: fixed location I/O port descriptor (3 bytes) */
#define BL_ACPI_SMALL_END      0x0F /* small item name: end tag */

static ULONG BlpNodeLength(const UCHAR *Node) {
    return (ULONG)Node[2] | ((ULONG)Node[3] << 8);
}

/* Copies Length bytes of a path and appends an End-Entire node; FALSE when it does not fit Buffer. */
static BOOLEAN BlpTerminatePath(const UCHAR *Path, SIZE_T Length, PUCHAR Buffer, SIZE_T BufferSize) {
    if (Length + sizeof(EFI_DEVICE_PATH_PROTOCOL) > BufferSize) {
        return FALSE;
    }
    RtlCopyMemory(Buffer, Path, Length);
    Buffer[Length] = EFI_DEVICE_PATH_TYPE_END;
    Buffer[Length + 1] = EFI_DEVICE_PATH_END_ENTIRE;
    Buffer[Length + 2] = sizeof(EFI_DEVICE_PATH_PROTOCOL);
    Buffer[Length + 3] = 0;
    return TRUE;
}

/* Records the UART of one instance (UartOffset: where its UART node starts) when the console is live. */
static VOID BlpCheckInstance(const UCHAR *Instance, SIZE_T Length, SIZE_T UartOffset,
                             const BL_CONOUT_FIRMWARE *Firmware, PBL_CONOUT_UARTS Uarts) {
    static UCHAR Buffer[BL_CONOUT_MAX_INSTANCE];
    USHORT IoBase;

    if (!BlpTerminatePath(Instance, Length, Buffer, sizeof(Buffer))) {
        Uarts->Unresolved++;
        return;
    }
    if (!Firmware->IsTextOutput(Firmware->Context, (const EFI_DEVICE_PATH_PROTOCOL *)Buffer)) {
        return; /* configured, but no such console exists (e.g. the UART is absent) */
    }
    BlpTerminatePath(Instance, UartOffset, Buffer, sizeof(Buffer));
    IoBase = Firmware->GetIoBase(Firmware->Context, (const EFI_DEVICE_PATH_PROTOCOL *)Buffer);
    if (IoBase == 0) {
        Uarts->Unresolved++;
        return;
    }
    if (!BlConOutReachesUart(Uarts, IoBase) && Uarts->Count < BL_CONOUT_MAX_UARTS) {
        Uarts->IoBase[Uarts->Count++] = IoBase;
    }
}

VOID BlFindConOutUarts(PCVOID ConOut, SIZE_T Size, const BL_CONOUT_FIRMWARE *Firmware, PBL_CONOUT_UARTS Uarts) {
    const UCHAR *Path = ConOut;
    SIZE_T Offset = 0, Start = 0, UartOffset = 0;
    BOOLEAN HasUart = FALSE;

    RtlZeroMemory(Uarts, sizeof(*Uarts));
    while (Path != NULL && Offset + sizeof(EFI_DEVICE_PATH_PROTOCOL) <= Size) {
        const UCHAR *Node = Path + Offset;
        ULONG Length = BlpNodeLength(Node);
        if (Length < sizeof(EFI_DEVICE_PATH_PROTOCOL) || Length > Size - Offset) {
            break;
        }
        if (Node[0] == EFI_DEVICE_PATH_TYPE_END) {
            Uarts->Instances++;
            if (HasUart) {
                BlpCheckInstance(Path + Start, Offset - Start, UartOffset, Firmware, Uarts);
            }
            Offset += Length;
            if (Node[1] != EFI_DEVICE_PATH_END_INSTANCE) {
                return; /* End-Entire (or an unknown end): the path is complete */
            }
            Start = Offset;
            HasUart = FALSE;
            continue;
        }
        if (Node[0] == EFI_DEVICE_PATH_TYPE_MESSAGING && Node[1] == EFI_DEVICE_PATH_MESSAGING_UART && !HasUart) {
            HasUart = TRUE;
            UartOffset = Offset - Start;
        }
        Offset += Length;
    }
    Uarts->Malformed = (Path != NULL);
}

BOOLEAN BlConOutReachesUart(const BL_CONOUT_UARTS *Uarts, USHORT IoBase) {
    for (ULONG Index = 0; Index < Uarts->Count; Index++) {
        if (Uarts->IoBase[Index] == IoBase) {
            return TRUE;
        }
    }
    return FALSE;
}

BOOLEAN BlAcpiResourcesFindIoBase(PCVOID Resources, SIZE_T Size, PUSHORT IoBase) {
    const UCHAR *Bytes = Resources;
    SIZE_T Offset = 0;

    while (Bytes != NULL && Offset < Size) {
        UCHAR Tag = Bytes[Offset];
        SIZE_T Length;
        if (Tag & 0x80) {
            /* Large item: 16-bit length after the tag. I/O ranges of interest here are small items. */
            if (Size - Offset < 3) {
                return FALSE;
            }
            Length = 3 + ((SIZE_T)Bytes[Offset + 1] | ((SIZE_T)Bytes[Offset + 2] << 8));
        } else {
            ULONG Name = (Tag >> 3) & 0x0F;
            Length = 1 + (Tag & 0x07);
            if (Length > Size - Offset || Name == BL_ACPI_SMALL_END) {
                return FALSE;
            }
            if (Name == BL_ACPI_SMALL_IO && Length == 8) {
                *IoBase = (USHORT)(Bytes[Offset + 2] | (Bytes[Offset + 3] << 8)); /* the range minimum */
                return *IoBase != 0;
            }
            if (Name == BL_ACPI_SMALL_FIXED_IO && Length == 4) {
                *IoBase = (USHORT)((Bytes[Offset + 1] | (Bytes[Offset + 2] << 8)) & 0x3FF); /* 10-bit decode */
                return *IoBase != 0;
            }
        }
        if (Length > Size - Offset) {
            return FALSE;
        }
        Offset += Length;
    }
    return FALSE;
}

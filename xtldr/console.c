/* XTLDR console: every message goes to UEFI ConOut and, when enabled, to a COM port. The loader writes the COM
 * port itself only when the firmware's console does not already reach it (firmware such as OVMF mirrors ConOut to
 * its serial console), and always once boot services are gone. */
#include <xtuart.h>

#include "conout.h"
#include "xtldr.h"

static EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *BlpConOut;
static BL_CONOUT_UARTS BlpConOutUarts; /* the UARTs ConOut reaches, read once at start-up */
static USHORT BlpSerialBase;
static USHORT BlpSerialPort;
static ULONG BlpSerialBaud;
static BOOLEAN BlpSerialMirrored; /* ConOut reaches BlpSerialBase: the loader must not write it as well */

/* TRUE when a text-output device exists at exactly Path. */
static BOOLEAN BlpFirmwareIsTextOutput(PVOID Context, const EFI_DEVICE_PATH_PROTOCOL *Path) {
    EFI_BOOT_SERVICES *BootServices = Context;
    EFI_GUID TextOutput = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
    PEFI_DEVICE_PATH_PROTOCOL Remaining = (PEFI_DEVICE_PATH_PROTOCOL)Path;
    EFI_HANDLE Handle;

    return BootServices->LocateDevicePath(&TextOutput, &Remaining, &Handle) == EFI_SUCCESS &&
           Remaining->Type == EFI_DEVICE_PATH_TYPE_END;
}

/* The I/O base of the Super I/O device at exactly Path, from its current resources; 0 when unknown. */
static USHORT BlpFirmwareGetIoBase(PVOID Context, const EFI_DEVICE_PATH_PROTOCOL *Path) {
    EFI_BOOT_SERVICES *BootServices = Context;
    EFI_GUID SioGuid = EFI_SIO_PROTOCOL_GUID;
    PEFI_DEVICE_PATH_PROTOCOL Remaining = (PEFI_DEVICE_PATH_PROTOCOL)Path;
    EFI_SIO_PROTOCOL *Sio;
    EFI_HANDLE Handle;
    PVOID Resources = NULL;
    USHORT IoBase = 0;

    if (BootServices->LocateDevicePath(&SioGuid, &Remaining, &Handle) != EFI_SUCCESS ||
        Remaining->Type != EFI_DEVICE_PATH_TYPE_END ||
        BootServices->HandleProtocol(Handle, &SioGuid, (PVOID *)&Sio) != EFI_SUCCESS ||
        Sio->GetResources(Sio, &Resources) != EFI_SUCCESS ||
        !BlAcpiResourcesFindIoBase(Resources, BL_ACPI_RESOURCES_MAX, &IoBase)) {
        return 0;
    }
    return IoBase;
}

/* Reads the ConOut variable and finds the UARTs its live consoles reach (none when it cannot be read). */
static VOID BlpProbeConOut(EFI_SYSTEM_TABLE *SystemTable) {
    static UCHAR Static[1024];
    BL_CONOUT_FIRMWARE Firmware = {BlpFirmwareIsTextOutput, BlpFirmwareGetIoBase, SystemTable->BootServices};
    EFI_GUID Global = EFI_GLOBAL_VARIABLE_GUID;
    CHAR16 Name[] = u"ConOut";
    PVOID Buffer = Static;
    UINTN Size = sizeof(Static);
    EFI_STATUS Status;

    Status = SystemTable->RuntimeServices->GetVariable(Name, &Global, NULL, &Size, Buffer);
    if (Status == EFI_BUFFER_TOO_SMALL &&
        SystemTable->BootServices->AllocatePool(EfiLoaderData, Size, &Buffer) == EFI_SUCCESS) {
        Status = SystemTable->RuntimeServices->GetVariable(Name, &Global, NULL, &Size, Buffer);
    }
    BlFindConOutUarts(Status == EFI_SUCCESS ? Buffer : NULL, Status == EFI_SUCCESS ? Size : 0, &Firmware,
                      &BlpConOutUarts);
}

VOID BlConsoleInitialize(EFI_SYSTEM_TABLE *SystemTable) {
    BlpConOut = SystemTable->ConOut;
    BlpProbeConOut(SystemTable);
    BlConsoleSetDebugPort(1, 115200);
}

VOID BlConsoleExitBootServices(VOID) {
    BlpConOut = NULL;
    if (BlpSerialMirrored) {
        BlpSerialBase = HlInitializeComPort(BlpSerialPort, BlpSerialBaud); /* the loader's own settings from now */
    }
}

BOOLEAN BlConsoleBootServicesActive(VOID) {
    return BlpConOut != NULL;
}

BOOLEAN BlConsoleSetDebugPort(USHORT Port, ULONG Baud) {
    USHORT Base = (Port >= 1 && Port <= 4) ? UartComPortBase[Port] : 0;

    BlpSerialPort = Port;
    BlpSerialBaud = Baud;
    BlpSerialMirrored = Base != 0 && BlConOutReachesUart(&BlpConOutUarts, Base);
    /* A port the firmware's console drives keeps the firmware's settings until boot services end. */
    BlpSerialBase = Port ? (BlpSerialMirrored ? Base : HlInitializeComPort(Port, Baud)) : 0;
    return BlpSerialMirrored;
}

/* Writes Length characters of Text to ConOut, expanding "\n" to "\r\n". */
static VOID BlpConsoleWriteConOut(PCSTR Text, SIZE_T Length) {
    WCHAR Wide[130];
    SIZE_T Used = 0;

    for (SIZE_T Index = 0; BlpConOut && Index < Length; Index++) {
        if (Text[Index] == '\n') {
            Wide[Used++] = u'\r';
        }
        Wide[Used++] = (UCHAR)Text[Index] < 0x80 ? (WCHAR)Text[Index] : u'?';
        if (Used >= ARRAY_SIZE(Wide) - 3 || Index + 1 == Length) {
            Wide[Used] = 0;
            BlpConOut->OutputString(BlpConOut, Wide);
            Used = 0;
        }
    }
}

/* Writes Length characters of Text to the serial debug port, expanding "\n" to "\r\n". */
static VOID BlpConsoleWriteSerial(PCSTR Text, SIZE_T Length) {
    for (SIZE_T Index = 0; BlpSerialBase && Index < Length; Index++) {
        if (Text[Index] == '\n') {
            HlWriteComPort(BlpSerialBase, '\r');
        }
        HlWriteComPort(BlpSerialBase, (UCHAR)Text[Index]);
    }
}

VOID BlPrint(PCSTR Format, ...) {
    CHAR Buffer[512];
    va_list Arguments;
    SIZE_T Length;

    va_start(Arguments, Format);
    Length = RtlFormatStringV(Buffer, sizeof(Buffer), Format, Arguments);
    va_end(Arguments);
    if (Length >= sizeof(Buffer)) {
        Length = sizeof(Buffer) - 1;
    }
    /* Once on the screen and once on the serial port: through ConOut when the firmware mirrors it there. */
    BlpConsoleWriteConOut(Buffer, Length);
    if (!BlpSerialMirrored || BlpConOut == NULL) {
        BlpConsoleWriteSerial(Buffer, Length);
    }
}

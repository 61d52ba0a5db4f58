/* XTLDR console: every message goes to UEFI ConOut and, when enabled, to a COM port. */
#include <xtuart.h>

#include "xtldr.h"

static EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *BlpConOut;
static USHORT BlpSerialBase;

VOID BlConsoleInitialize(EFI_SYSTEM_TABLE *SystemTable) {
    BlpConOut = SystemTable->ConOut;
    BlpSerialBase = HlInitializeComPort(1, 115200);
}

VOID BlConsoleExitBootServices(VOID) {
    BlpConOut = NULL;
}

BOOLEAN BlConsoleBootServicesActive(VOID) {
    return BlpConOut != NULL;
}

VOID BlConsoleSetDebugPort(USHORT Port, ULONG Baud) {
    BlpSerialBase = Port ? HlInitializeComPort(Port, Baud) : 0;
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
    /* Whole messages, one device after the other: firmware may mirror ConOut to the same UART. */
    BlpConsoleWriteConOut(Buffer, Length);
    BlpConsoleWriteSerial(Buffer, Length);
}

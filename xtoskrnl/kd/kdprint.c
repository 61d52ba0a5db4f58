/* Serial debug output: KdPrint on the DEBUG= port (and the screen console, screen.c), STOP output that always
 * reaches COM1. */
#include <xtuart.h>

#include "kdp.h"

static USHORT KdpDebugPortBase; /* 0: KdPrint is silent */
static USHORT KdpStopPortBase;  /* 0: not yet set up */

/* Writes Count characters to the UART at Base, "\n" as CR LF. */
static VOID KdpWriteCharacters(USHORT Base, PCSTR Characters, SIZE_T Count) {
    for (SIZE_T Index = 0; Base != 0 && Index < Count; Index++) {
        if (Characters[Index] == '\n') {
            HlWriteComPort(Base, '\r');
        }
        HlWriteComPort(Base, (UCHAR)Characters[Index]);
    }
}

/* RtlFormatOutput sink of KdPrint: the debug port and the screen. */
static VOID KdpPrintOutput(PVOID Context, PCSTR Characters, SIZE_T Count) {
    KdpWriteCharacters(KdpDebugPortBase, Characters, Count);
    KdpScreenWrite(Characters, Count);
}

/* COM1 and, if different, the debug port. */
static VOID KdpWriteStopSerial(PCSTR Characters, SIZE_T Count) {
    KdpWriteCharacters(KdpStopPortBase, Characters, Count);
    if (KdpDebugPortBase != 0 && KdpDebugPortBase != KdpStopPortBase) {
        KdpWriteCharacters(KdpDebugPortBase, Characters, Count);
    }
}

/* RtlFormatOutput sink for STOP reports: COM1, the debug port if different, the screen. */
static VOID KdpStopOutput(PVOID Context, PCSTR Characters, SIZE_T Count) {
    KdpWriteStopSerial(Characters, Count);
    KdpScreenStopWrite(Characters, Count);
}

/* Makes sure the STOP port (COM1) is programmed. */
static VOID KdpPrepareStopPort(VOID) {
    if (KdpStopPortBase == 0) {
        if (KdpDebugPortBase == UartComPortBase[KD_STOP_COM_PORT]) {
            KdpStopPortBase = KdpDebugPortBase;
        } else {
            KdpStopPortBase = HlInitializeComPort(KD_STOP_COM_PORT, KD_STOP_BAUD);
        }
    }
}

BOOLEAN KdInitializeDebugPort(ULONG Port, ULONG Baud) {
    KdpDebugPortBase = (Port >= 1 && Port <= 4) ? HlInitializeComPort((USHORT)Port, Baud) : 0;
    return KdpDebugPortBase != 0;
}

VOID KdInitializeDebugOutput(ULONG Port, ULONG Baud, ULONG Flags) {
    if (Port != 0) {
        KdInitializeDebugPort(Port, Baud);
    }
    KdpSelectScreen(Flags);
}

VOID KdpWriteStopPorts(PCSTR Text) {
    SIZE_T Length = 0;

    KdpPrepareStopPort();
    while (Text[Length] != '\0') {
        Length++;
    }
    KdpWriteStopSerial(Text, Length);
}

VOID KdPrintV(PCSTR Format, va_list Arguments) {
    if (KdpDebugPortBase != 0 || KdpIsScreenSelected()) {
        RtlFormatOutput(KdpPrintOutput, NULL, Format, Arguments);
    }
}

VOID KdPrint(PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    KdPrintV(Format, Arguments);
    va_end(Arguments);
}

VOID KdStopPrint(PCSTR Format, ...) {
    va_list Arguments;

    KdpPrepareStopPort();
    va_start(Arguments, Format);
    RtlFormatOutput(KdpStopOutput, NULL, Format, Arguments);
    va_end(Arguments);
}

VOID KdStopWriteRaw(PCSTR Text, ULONG_PTR Value, BOOLEAN WithValue) {
    CHAR Digits[2 + 2 * sizeof(ULONG_PTR)];
    SIZE_T Length = 0;

    KdpPrepareStopPort();
    while (Text[Length] != '\0') {
        Length++;
    }
    KdpStopOutput(NULL, Text, Length);
    if (WithValue) {
        Digits[0] = '0';
        Digits[1] = 'x';
        for (ULONG Index = 0; Index < 2 * sizeof(ULONG_PTR); Index++) {
            Digits[2 + Index] = "0123456789ABCDEF"[(Value >> (4 * (2 * sizeof(ULONG_PTR) - 1 - Index))) & 0xF];
        }
        KdpStopOutput(NULL, Digits, sizeof(Digits));
    }
}

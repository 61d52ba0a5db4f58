/* Kernel debugger support (Kd): debug output on a serial port. */
#ifndef XTOSKRNL_KD_KD_H
#define XTOSKRNL_KD_KD_H

#include <rtl.h>

/* COM port and speed STOP reports use when no debug port is configured. */
#define KD_STOP_COM_PORT 1
#define KD_STOP_BAUD     115200

/* Enables KdPrint on COM<Port> (1..4) at Baud, 8N1. Returns FALSE (KdPrint stays silent) when no UART answers. */
BOOLEAN KdInitializeDebugPort(ULONG Port, ULONG Baud);

/* Formatted output on the debug port (RtlFormatOutput syntax, "\n" sent as CR LF); silent without a debug port. */
VOID KdPrint(PCSTR Format, ...) RTL_PRINTF_FORMAT(1, 2);
VOID KdPrintV(PCSTR Format, va_list Arguments);

/* Formatted output for STOP reports: always reaches COM1 (programmed to 115200 8N1 on first use unless it already
 * is the debug port) and also the debug port when that is another port. */
VOID KdStopPrint(PCSTR Format, ...) RTL_PRINTF_FORMAT(1, 2);

/* Unformatted STOP output (for a fault inside the STOP printer): Text, then Value in hex when WithValue. */
VOID KdStopWriteRaw(PCSTR Text, ULONG_PTR Value, BOOLEAN WithValue);

#endif

/* Kernel debugger support (Kd): debug output on a serial port and on the screen (the loader's framebuffer). */
#ifndef XTOSKRNL_KD_KD_H
#define XTOSKRNL_KD_KD_H

#include <rtl.h>
#include <xtboot.h>

/* COM port and speed STOP reports use when no debug port is configured. */
#define KD_STOP_COM_PORT 1
#define KD_STOP_BAUD     115200

/* Enables KdPrint on COM<Port> (1..4) at Baud, 8N1. Returns FALSE (KdPrint stays silent) when no UART answers. */
BOOLEAN KdInitializeDebugPort(ULONG Port, ULONG Baud);

/* KdInitializeDebugOutput flags. */
#define KD_OUTPUT_SCREEN       0x1 /* KdPrint also draws on the screen console (DEBUG=...;SCREEN, or no DEBUG) */
#define KD_OUTPUT_TEST_CAPTURE 0x2 /* TESTSCREEN: KdWaitForScreenCapture waits for the test harness */

/* Selects the outputs of KdPrint: COM<Port> at Baud (Port 0: none) and the KD_OUTPUT_* Flags. Screen output printed
 * before KdInitializeScreen is kept and drawn then. */
VOID KdInitializeDebugOutput(ULONG Port, ULONG Baud, ULONG Flags);

/* Maps the framebuffer (through Mm: call once the memory manager is up) and starts the screen console: when KdPrint
 * draws there, the screen is cleared and the output kept so far drawn; otherwise the screen is left as it is. STOP
 * screens appear on it from now on either way. FALSE, with a KdPrint line saying why, when there is no framebuffer
 * or it cannot be mapped or drawn on. */
BOOLEAN KdInitializeScreen(const XT_FRAMEBUFFER_INFO *Framebuffer);

/* TESTSCREEN only (else returns at once), once per boot: before the test exit, says "KD: TESTSCREEN: screen ready
 * for capture" on the serial ports and waits until the harness, having taken its screendump, writes 0xC5 to COM1's
 * scratch register (bounded: gives up after well over a minute). */
VOID KdWaitForScreenCapture(VOID);

/* Formatted output on the debug port (RtlFormatOutput syntax, "\n" sent as CR LF) and the screen console when
 * selected; silent without either. */
VOID KdPrint(PCSTR Format, ...) RTL_PRINTF_FORMAT(1, 2);
VOID KdPrintV(PCSTR Format, va_list Arguments);

/* Formatted output for STOP reports: always reaches COM1 (programmed to 115200 8N1 on first use unless it already
 * is the debug port), also the debug port when that is another port, and the screen (as a STOP screen: cleared,
 * white on blue) whenever the screen console is up. */
VOID KdStopPrint(PCSTR Format, ...) RTL_PRINTF_FORMAT(1, 2);

/* Unformatted STOP output (for a fault inside the STOP printer): Text, then Value in hex when WithValue. */
VOID KdStopWriteRaw(PCSTR Text, ULONG_PTR Value, BOOLEAN WithValue);

#endif

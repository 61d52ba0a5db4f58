/* Kd private: what the serial printer (kdprint.c) and the screen console (screen.c) share. */
#ifndef XTOSKRNL_KD_KDP_H
#define XTOSKRNL_KD_KDP_H

#include "kd.h"

/* Selects the screen for KdPrint (KD_OUTPUT_SCREEN) and the capture hand-shake (KD_OUTPUT_TEST_CAPTURE). */
VOID KdpSelectScreen(ULONG Flags);

/* TRUE when KdPrint output goes to the screen (drawn, or kept until the framebuffer is mapped). */
BOOLEAN KdpIsScreenSelected(VOID);

/* KdPrint output for the screen: drawn when the console is up, else kept for it. */
VOID KdpScreenWrite(PCSTR Characters, SIZE_T Count);

/* STOP output for the screen: the first call turns the screen into the STOP screen (cleared, white on blue). */
VOID KdpScreenStopWrite(PCSTR Characters, SIZE_T Count);

/* Writes Text to the debug port and COM1 (raw, for the capture hand-shake). */
VOID KdpWriteStopPorts(PCSTR Text);

#endif

/* Screen console: KdPrint output and STOP screens drawn on the framebuffer the loader handed over (fbcon.c), with
 * the font converted from a Debian console font at build time (font.h). Output printed before the memory manager
 * can map the framebuffer is kept and drawn once it is mapped. */
#include <mm.h>
#include <xtintrin.h>
#include <xtuart.h>

#include "fbcon.h"
#include "kdp.h"

#define KD_HISTORY_SIZE      16384    /* early output kept for the screen, bytes */
#define KD_TEXT_CELLS        65536    /* characters on the screen: 480x135 cells (3840x2160) fit */
#define KD_COLOR_TEXT        0xAAAAAA /* light grey */
#define KD_COLOR_SCREEN      0x000000 /* black */
#define KD_COLOR_STOP_TEXT   0xFFFFFF /* white */
#define KD_COLOR_STOP_SCREEN 0x0000AA /* blue */

/* TESTSCREEN hand-shake: the harness writes this to COM1's scratch register once it has its screendump. */
#define KD_CAPTURE_PORT     (0x3F8 + UART_REG_SCRATCH)
#define KD_CAPTURE_DONE     0xC5
#define KD_CAPTURE_ATTEMPTS 200000000u /* port reads before giving up (well over a minute under QEMU) */

static CHAR KdpHistory[KD_HISTORY_SIZE];
static UCHAR KdpText[KD_TEXT_CELLS];
static SIZE_T KdpHistoryLength;
static KD_CONSOLE KdpConsole;
static BOOLEAN KdpScreenSelected;       /* KdPrint draws on the screen */
static BOOLEAN KdpCaptureSelected;      /* TESTSCREEN */
static volatile BOOLEAN KdpScreenReady; /* the framebuffer is mapped and the console set up */
static volatile BOOLEAN KdpScreenBusy;  /* a write is drawing (a STOP meanwhile leaves the screen alone) */
static BOOLEAN KdpStopScreen;           /* the STOP screen is up */

VOID KdpSelectScreen(ULONG Flags) {
    KdpScreenSelected = (Flags & KD_OUTPUT_SCREEN) != 0;
    KdpCaptureSelected = (Flags & KD_OUTPUT_TEST_CAPTURE) != 0;
}

BOOLEAN KdpIsScreenSelected(VOID) {
    return KdpScreenSelected && !KdpStopScreen;
}

/* Keeps Count characters for the screen; when full, the older half makes room (the screen shows the end anyway). */
static VOID KdpKeepHistory(PCSTR Characters, SIZE_T Count) {
    if (Count > KD_HISTORY_SIZE / 2) {
        Characters += Count - KD_HISTORY_SIZE / 2;
        Count = KD_HISTORY_SIZE / 2;
    }
    if (KdpHistoryLength + Count > KD_HISTORY_SIZE) {
        RtlMoveMemory(KdpHistory, KdpHistory + KD_HISTORY_SIZE / 2, KdpHistoryLength - KD_HISTORY_SIZE / 2);
        KdpHistoryLength -= KD_HISTORY_SIZE / 2;
    }
    RtlCopyMemory(KdpHistory + KdpHistoryLength, Characters, Count);
    KdpHistoryLength += Count;
}

VOID KdpScreenWrite(PCSTR Characters, SIZE_T Count) {
    if (!KdpScreenSelected || KdpStopScreen) {
        return;
    }
    if (!KdpScreenReady) {
        KdpKeepHistory(Characters, Count);
        return;
    }
    KdpScreenBusy = TRUE;
    KdpConsoleWrite(&KdpConsole, Characters, Count);
    KdpScreenBusy = FALSE;
}

VOID KdpScreenStopWrite(PCSTR Characters, SIZE_T Count) {
    if (!KdpScreenReady) {
        return;
    }
    if (KdpScreenBusy) {
        KdpScreenReady = FALSE; /* the STOP interrupted a drawing (or the drawing faulted): serial only */
        return;
    }
    KdpScreenBusy = TRUE;
    if (!KdpStopScreen) {
        KdpStopScreen = TRUE;
        KdpInitializeConsole(&KdpConsole, &KdpConsole.Fb, KD_COLOR_STOP_TEXT, KD_COLOR_STOP_SCREEN, KdpText,
                             sizeof(KdpText));
    }
    KdpConsoleWrite(&KdpConsole, Characters, Count);
    KdpScreenBusy = FALSE;
}

/* Draws the kept early output, skipping the lines that would scroll off the screen. */
static VOID KdpReplayHistory(VOID) {
    SIZE_T Start = 0;
    ULONG Rows = KdpCountTextRows(KdpHistory, KdpHistoryLength, KdpConsole.Columns);

    while (Rows >= KdpConsole.Rows && Start < KdpHistoryLength) {
        SIZE_T End = Start;
        while (End < KdpHistoryLength && KdpHistory[End] != '\n') {
            End++;
        }
        End = (End < KdpHistoryLength) ? End + 1 : End;
        Rows -= KdpCountTextRows(KdpHistory + Start, End - Start, KdpConsole.Columns);
        Start = End;
    }
    KdpConsoleWrite(&KdpConsole, KdpHistory + Start, KdpHistoryLength - Start);
    KdpHistoryLength = 0;
}

BOOLEAN KdInitializeScreen(const XT_FRAMEBUFFER_INFO *Framebuffer) {
    KD_FRAMEBUFFER Fb;
    PVOID Va;

    if (Framebuffer->PixelFormat == XT_FRAMEBUFFER_NONE) {
        KdpScreenSelected = FALSE; /* nothing to keep output for */
        KdPrint("KD: no framebuffer: the screen console is off\n");
        return FALSE;
    }
    Va = MmMapIoSpace(Framebuffer->Address, (SIZE_T)Framebuffer->Pitch * Framebuffer->Height);
    if (!KdpInitializeFramebuffer(&Fb, Framebuffer, Va)) {
        KdPrint("KD: framebuffer at 0x%llx (%ux%u, format %u) %s: the screen console is off\n", Framebuffer->Address,
                Framebuffer->Width, Framebuffer->Height, Framebuffer->PixelFormat,
                Va ? "has a layout it cannot draw on" : "cannot be mapped");
        if (Va) {
            MmUnmapIoSpace(Va, (SIZE_T)Framebuffer->Pitch * Framebuffer->Height);
        }
        KdpScreenSelected = FALSE;
        return FALSE;
    }
    if (KdpScreenSelected) {
        KdpInitializeConsole(&KdpConsole, &Fb, KD_COLOR_TEXT, KD_COLOR_SCREEN, KdpText, sizeof(KdpText));
        KdpReplayHistory();
    } else {
        KdpConsole.Fb = Fb; /* the screen stays as the loader left it until a STOP clears it */
    }
    KdpScreenReady = TRUE;
    KdPrint("KD: screen console %ux%u (format %u, pitch %u) at 0x%llx mapped at 0x%p: %ux%u characters, font %s%s\n",
            Framebuffer->Width, Framebuffer->Height, Framebuffer->PixelFormat, Framebuffer->Pitch, Framebuffer->Address,
            Va, Fb.Width / KD_FONT_WIDTH, Fb.Height / KD_FONT_HEIGHT, KdpFontName,
            KdpScreenSelected ? "" : " (STOP screens only: DEBUG has no SCREEN)");
    return TRUE;
}

VOID KdWaitForScreenCapture(VOID) {
    static BOOLEAN Waited;

    if (!KdpCaptureSelected || !KdpScreenReady || Waited) {
        return;
    }
    Waited = TRUE;
    HlWritePort8(KD_CAPTURE_PORT, 0);
    KdpWriteStopPorts("KD: TESTSCREEN: screen ready for capture\n");
    for (ULONG Attempt = 0; Attempt < KD_CAPTURE_ATTEMPTS; Attempt++) {
        if (HlReadPort8(KD_CAPTURE_PORT) == KD_CAPTURE_DONE) {
            KdpWriteStopPorts("KD: TESTSCREEN: captured\n");
            return;
        }
    }
    KdpWriteStopPorts("KD: TESTSCREEN: no capture acknowledged, going on\n");
}

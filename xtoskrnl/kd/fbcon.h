/* Framebuffer text console (pure, host-tested): pixel packing for the init block's pixel formats, glyph drawing,
 * and a text grid of KD_FONT_WIDTH x KD_FONT_HEIGHT cells from the top-left pixel that wraps at the right edge and
 * scrolls up one text line when a line is needed below the last one. */
#ifndef XTOSKRNL_KD_FBCON_H
#define XTOSKRNL_KD_FBCON_H

#include <xtboot.h>

#include "font.h"

/* A framebuffer of 32-bit pixels as the console draws on it. */
typedef struct _KD_FRAMEBUFFER {
    PUCHAR Base;    /* VA of pixel (0, 0) */
    ULONG Width;    /* visible pixels per line */
    ULONG Height;   /* visible lines */
    ULONG Pitch;    /* bytes per line in memory */
    UCHAR Shift[3]; /* red, green, blue: the lowest bit of each channel's mask */
    UCHAR Bits[3];  /* red, green, blue: the width of each channel's mask */
} KD_FRAMEBUFFER, *PKD_FRAMEBUFFER;

/* The text grid drawn on a framebuffer. */
typedef struct _KD_CONSOLE {
    KD_FRAMEBUFFER Fb;
    ULONG Columns; /* Fb.Width / KD_FONT_WIDTH */
    ULONG Rows;    /* Fb.Height / KD_FONT_HEIGHT */
    ULONG Column;  /* cursor */
    ULONG Row;
    ULONG Foreground; /* packed pixels */
    ULONG Background;
    ULONG Scrolls; /* text lines scrolled so far */
    PUCHAR Text;   /* the characters on the screen, Columns x Rows; NULL when the screen has more cells than the
                      caller's buffer: scrolling then moves pixels (reading the framebuffer, slow on real video) */
} KD_CONSOLE, *PKD_CONSOLE;

/* Fills *Fb from the loader's description and the VA the framebuffer is mapped at. FALSE (nothing to draw on) for
 * XT_FRAMEBUFFER_NONE, pixels other than 32 bits, masks that are empty, overlap or are not contiguous runs of bits,
 * a pitch shorter than a line, a Size shorter than the lines, or a screen smaller than one character cell. */
BOOLEAN KdpInitializeFramebuffer(PKD_FRAMEBUFFER Fb, const XT_FRAMEBUFFER_INFO *Info, PVOID Va);

/* The pixel value of colour Rgb (0xRRGGBB) in Fb's format: each 8-bit channel scaled to its mask's width. */
ULONG KdpPackColor(const KD_FRAMEBUFFER *Fb, ULONG Rgb);

/* Draws Glyph (KD_FONT_HEIGHT rows of KD_FONT_WIDTH bits, MSB leftmost) with its top-left pixel at (X, Y): set bits in
 * Foreground, clear bits in Background. The cell must lie inside the visible area. */
VOID KdpDrawGlyph(const KD_FRAMEBUFFER *Fb, ULONG X, ULONG Y, const UCHAR *Glyph, ULONG Foreground, ULONG Background);

/* Fills Lines pixel lines from line Y with Pixel (clipped to the visible area). */
VOID KdpFillLines(const KD_FRAMEBUFFER *Fb, ULONG Y, ULONG Lines, ULONG Pixel);

/* Moves the pixel lines [Lines, Used) up to [0, Used - Lines) and fills [Used - Lines, Used) with Background
 * (Used <= Fb->Height: the lines the text grid covers). */
VOID KdpScrollLines(const KD_FRAMEBUFFER *Fb, ULONG Lines, ULONG Used, ULONG Background);

/* Sets up an empty console on Fb (which may be Console->Fb) with the cursor at the top left and clears the screen;
 * Foreground/Background are 0xRRGGBB. Text (TextCapacity bytes) keeps the characters on the screen when it holds
 * every cell: scrolling then redraws only the cells whose character changes and never reads the framebuffer. */
VOID KdpInitializeConsole(PKD_CONSOLE Console, const KD_FRAMEBUFFER *Fb, ULONG Foreground, ULONG Background,
                          PUCHAR Text, SIZE_T TextCapacity);

/* Writes Count characters (Latin-1): '\n' starts a new line, '\r' returns to column 0, '\t' moves to the next
 * multiple of 8 columns, other characters below 0x20 are ignored. A character past the last column wraps to the next
 * line; a new line below the last row scrolls the screen up by one text line (pixel lines below the last text row,
 * if any, are never touched). */
VOID KdpConsoleWrite(PKD_CONSOLE Console, PCSTR Text, SIZE_T Count);

/* The number of text rows Count characters of Text take from column 0 on a screen Columns wide, counting a last
 * line without '\n' (the replay of early output uses it to skip what would scroll away). */
ULONG KdpCountTextRows(PCSTR Text, SIZE_T Count, ULONG Columns);

#endif

/* Screen console tests: pixel formats (RGB, BGR, bit masks), glyph drawing against the font, wrapping, scrolling,
 * and that nothing outside the visible pixels is ever written. */
#include <rtl.h>
#include <xtest.h>

#include "../fbcon.h"

#define SENTINEL   0x5EAD5EADu
#define MAX_PIXELS (64 * 64)

static ULONG Pixels[MAX_PIXELS];
static UCHAR Text[64];
static BOOLEAN UseText = TRUE; /* FALSE: the console without a character buffer (scrolling moves pixels) */

static VOID Start(PKD_CONSOLE Console, const KD_FRAMEBUFFER *Frame, ULONG Foreground, ULONG Background) {
    KdpInitializeConsole(Console, Frame, Foreground, Background, UseText ? Text : NULL, sizeof(Text));
}

/* A framebuffer of Width x Height visible pixels and Stride pixels per line in Pixels, filled with SENTINEL. */
static XT_FRAMEBUFFER_INFO Info(ULONG Width, ULONG Height, ULONG Stride, ULONG Format) {
    XT_FRAMEBUFFER_INFO Fb;

    RtlZeroMemory(&Fb, sizeof(Fb));
    for (ULONG Index = 0; Index < MAX_PIXELS; Index++) {
        Pixels[Index] = SENTINEL;
    }
    Fb.Address = 0x80000000ull;
    Fb.Width = Width;
    Fb.Height = Height;
    Fb.PixelsPerScanLine = Stride;
    Fb.Pitch = Stride * 4;
    Fb.Size = (ULONGLONG)Stride * 4 * Height;
    Fb.BitsPerPixel = 32;
    Fb.PixelFormat = Format;
    if (Format == XT_FRAMEBUFFER_RGBX8) {
        Fb.RedMask = 0x000000FF, Fb.GreenMask = 0x0000FF00, Fb.BlueMask = 0x00FF0000, Fb.ReservedMask = 0xFF000000;
    } else {
        Fb.RedMask = 0x00FF0000, Fb.GreenMask = 0x0000FF00, Fb.BlueMask = 0x000000FF, Fb.ReservedMask = 0xFF000000;
    }
    return Fb;
}

XTEST(PacksRgbBgrAndBitMasks) {
    XT_FRAMEBUFFER_INFO Fb = Info(16, 16, 16, XT_FRAMEBUFFER_RGBX8);
    KD_FRAMEBUFFER Frame;

    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0x123456), 0x00563412);
    Fb = Info(16, 16, 16, XT_FRAMEBUFFER_BGRX8);
    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0x123456), 0x00123456);
    /* 5:6:5 in the low half (GOP PixelBitMask): channels scaled with rounding, white is all ones. */
    Fb.PixelFormat = XT_FRAMEBUFFER_BITMASK;
    Fb.RedMask = 0xF800, Fb.GreenMask = 0x07E0, Fb.BlueMask = 0x001F, Fb.ReservedMask = 0;
    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0xFFFFFF), 0xFFFF);
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0x000000), 0);
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0x808080), (16u << 11) | (32u << 5) | 16u);
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0xFF0000), 0xF800);
    /* 10:10:10:2 with blue on top. */
    Fb.RedMask = 0x000003FF, Fb.GreenMask = 0x000FFC00, Fb.BlueMask = 0x3FF00000, Fb.ReservedMask = 0xC0000000;
    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0x0000FF), 0x3FF00000);
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0x00FF00), 0x000FFC00);
    XTEST_CHECK_EQ(KdpPackColor(&Frame, 0xAA0000), 0x2AA); /* 0xAA * 1023 / 255 = 682 */
}

XTEST(RejectsLayoutsItCannotDraw) {
    XT_FRAMEBUFFER_INFO Fb;
    KD_FRAMEBUFFER Frame;

    Fb = Info(16, 16, 16, XT_FRAMEBUFFER_BGRX8);
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, NULL));
    Fb.PixelFormat = XT_FRAMEBUFFER_NONE;
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb = Info(16, 16, 16, XT_FRAMEBUFFER_BGRX8);
    Fb.BitsPerPixel = 16;
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb = Info(16, 16, 16, XT_FRAMEBUFFER_BGRX8);
    Fb.Pitch = 15 * 4; /* shorter than a line */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb = Info(16, 16, 16, XT_FRAMEBUFFER_BGRX8);
    Fb.Size -= 4; /* shorter than the lines */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb = Info(7, 16, 16, XT_FRAMEBUFFER_BGRX8); /* narrower than a cell */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb = Info(16, 15, 16, XT_FRAMEBUFFER_BGRX8); /* lower than a cell */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb = Info(16, 16, 16, XT_FRAMEBUFFER_BITMASK);
    Fb.GreenMask = 0x00FF00FF; /* not one run of bits */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb.GreenMask = 0x0001FF00; /* overlaps red */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb.GreenMask = 0; /* no green */
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Fb.PixelFormat = 4; /* unknown */
    Fb.GreenMask = 0x0000FF00;
    XTEST_CHECK(!KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
}

/* TRUE when the cell at (Column, Row) shows Character in Foreground on Background, pixel for pixel. */
static BOOLEAN CellShows(const KD_CONSOLE *Console, ULONG Column, ULONG Row, UCHAR Character) {
    ULONG Stride = Console->Fb.Pitch / 4;

    for (ULONG Y = 0; Y < KD_FONT_HEIGHT; Y++) {
        for (ULONG X = 0; X < KD_FONT_WIDTH; X++) {
            ULONG Pixel = Pixels[(Row * KD_FONT_HEIGHT + Y) * Stride + Column * KD_FONT_WIDTH + X];
            ULONG Expected = (KdpFontGlyphs[Character][Y] & (0x80 >> X)) ? Console->Foreground : Console->Background;
            if (Pixel != Expected) {
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* TRUE when Text (one character per cell, row after row) is what the screen shows. */
static BOOLEAN ScreenShows(const KD_CONSOLE *Console, PCSTR Text) {
    for (ULONG Row = 0; Row < Console->Rows; Row++) {
        for (ULONG Column = 0; Column < Console->Columns; Column++) {
            if (!CellShows(Console, Column, Row, (UCHAR)Text[Row * Console->Columns + Column])) {
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* Counts SENTINEL pixels: the padding of every line beyond the visible width must keep it. */
static ULONG SentinelPixels(VOID) {
    ULONG Count = 0;
    for (ULONG Index = 0; Index < MAX_PIXELS; Index++) {
        Count += Pixels[Index] == SENTINEL;
    }
    return Count;
}

XTEST(GlyphsMatchTheFontBitForBit) {
    XT_FRAMEBUFFER_INFO Fb = Info(32, 48, 40, XT_FRAMEBUFFER_BGRX8); /* 4 x 3 cells, 8 pixels of padding per line */
    KD_FRAMEBUFFER Frame;
    KD_CONSOLE Console;

    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Start(&Console, &Frame, 0xAAAAAA, 0x0000AA);
    XTEST_CHECK_EQ(Console.Columns, 4);
    XTEST_CHECK_EQ(Console.Rows, 3);
    XTEST_CHECK_EQ(Console.Foreground, 0x00AAAAAA);
    XTEST_CHECK_EQ(Console.Background, 0x000000AA);
    KdpConsoleWrite(&Console, "Az\n\xE9", 4);
    XTEST_CHECK(ScreenShows(&Console, "Az  \xE9           "));
    XTEST_CHECK_EQ(Console.Row, 1);
    XTEST_CHECK_EQ(Console.Column, 1);
    /* The font really differs between these characters (a blank font would pass the comparison above). */
    XTEST_CHECK(RtlCompareMemory(KdpFontGlyphs['A'], KdpFontGlyphs['z'], KD_FONT_HEIGHT) != KD_FONT_HEIGHT);
    XTEST_CHECK(RtlCompareMemory(KdpFontGlyphs['A'], KdpFontGlyphs[' '], KD_FONT_HEIGHT) != KD_FONT_HEIGHT);
    XTEST_CHECK(RtlCompareMemory(KdpFontGlyphs[0x01], KdpFontGlyphs['?'], KD_FONT_HEIGHT) == KD_FONT_HEIGHT);
    XTEST_CHECK_EQ(SentinelPixels(), MAX_PIXELS - 32 * 48);
}

static VOID WrapAndScroll(PXTEST_CONTEXT XtestContext) {
    XT_FRAMEBUFFER_INFO Fb = Info(32, 48, 40, XT_FRAMEBUFFER_RGBX8);
    KD_FRAMEBUFFER Frame;
    KD_CONSOLE Console;

    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Start(&Console, &Frame, 0xFFFFFF, 0x000000);
    KdpConsoleWrite(&Console, "ABCDEFG", 7);
    XTEST_CHECK(ScreenShows(&Console, "ABCDEFG     "));
    /* A newline right after a full line (the cursor past the last column) makes one new line, not two. */
    KdpConsoleWrite(&Console, "H\nIJ", 4);
    XTEST_CHECK(ScreenShows(&Console, "ABCDEFGHIJ  "));
    XTEST_CHECK_EQ(Console.Scrolls, 0);
    /* The last line is full: the next character scrolls everything up one text line. */
    KdpConsoleWrite(&Console, "KLM", 3);
    XTEST_CHECK(ScreenShows(&Console, "EFGHIJKLM   "));
    XTEST_CHECK_EQ(Console.Scrolls, 1);
    /* Two newlines scroll twice; a tab past the last column starts a new line (a third scroll). */
    KdpConsoleWrite(&Console, "\n\n\tx", 4);
    XTEST_CHECK(ScreenShows(&Console, "        x   "));
    XTEST_CHECK_EQ(Console.Scrolls, 4);
    KdpConsoleWrite(&Console, "ab\rc", 4);
    XTEST_CHECK(ScreenShows(&Console, "        cab "));
    XTEST_CHECK_EQ(SentinelPixels(), MAX_PIXELS - 32 * 48);
}

/* The same with and without the character buffer. */
XTEST(WrapsAtTheRightEdgeAndScrollsOneLine) {
    UseText = TRUE;
    WrapAndScroll(XtestContext);
    XTEST_CHECK(Text[0] == ' ' && Text[8] == 'c' && Text[9] == 'a');
    UseText = FALSE;
    WrapAndScroll(XtestContext);
    UseText = TRUE;
}

/* With the character buffer, scrolling redraws from it and never copies pixels: a stray pixel in a cell that stays
 * blank is left where it is (a pixel copy would move it up one text line). Without the buffer it moves. */
XTEST(ScrollRedrawsFromTheTextNotThePixels) {
    XT_FRAMEBUFFER_INFO Fb = Info(16, 32, 16, XT_FRAMEBUFFER_BGRX8); /* 2 x 2 cells */
    KD_FRAMEBUFFER Frame;
    KD_CONSOLE Console;

    for (ULONG Pass = 0; Pass < 2; Pass++) {
        UseText = Pass == 0;
        Fb = Info(16, 32, 16, XT_FRAMEBUFFER_BGRX8);
        XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
        Start(&Console, &Frame, 0xFFFFFF, 0x000000);
        XTEST_CHECK_EQ(Console.Text != NULL, UseText);
        KdpConsoleWrite(&Console, "AB\nC", 4);
        Pixels[16 * 20 + 12] = 0x00123456; /* row 1, column 1: blank, and blank again after the scroll */
        KdpConsoleWrite(&Console, "\nD", 2);
        XTEST_CHECK(CellShows(&Console, 0, 0, 'C') && CellShows(&Console, 0, 1, 'D'));
        XTEST_CHECK(CellShows(&Console, 1, 0, ' ') == UseText); /* without the buffer the stray pixel moved here */
        XTEST_CHECK_EQ(Pixels[16 * 20 + 12] == 0x00123456, UseText);
    }
    UseText = TRUE;
}

/* A screen with more cells than the buffer holds falls back to moving pixels. */
XTEST(LargerScreensScrollWithoutTheBuffer) {
    XT_FRAMEBUFFER_INFO Fb = Info(64, 64, 64, XT_FRAMEBUFFER_BGRX8); /* 8 x 4 cells = 32: fits 64 */
    KD_FRAMEBUFFER Frame;
    KD_CONSOLE Console;

    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    KdpInitializeConsole(&Console, &Frame, 0xFFFFFF, 0, Text, 32);
    XTEST_CHECK(Console.Text == Text);
    KdpInitializeConsole(&Console, &Frame, 0xFFFFFF, 0, Text, 31);
    XTEST_CHECK(Console.Text == NULL);
    KdpConsoleWrite(&Console, "1\n2\n3\n4\n5", 9);
    XTEST_CHECK(CellShows(&Console, 0, 0, '2') && CellShows(&Console, 0, 3, '5'));
    XTEST_CHECK_EQ(Console.Scrolls, 1);
}

XTEST(ScrollKeepsLinesBelowTheGrid) {
    XT_FRAMEBUFFER_INFO Fb = Info(16, 40, 16, XT_FRAMEBUFFER_BGRX8); /* 2 x 2 cells and 8 lines below the grid */
    KD_FRAMEBUFFER Frame;
    KD_CONSOLE Console;

    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Start(&Console, &Frame, 0xFFFFFF, 0x000000);
    Pixels[16 * 39] = 0x12345678; /* a pixel in the last line, below the text grid */
    KdpConsoleWrite(&Console, "1\n2\n3", 5);
    XTEST_CHECK(ScreenShows(&Console, "2 3 "));
    XTEST_CHECK_EQ(Pixels[16 * 39], 0x12345678);
    KdpScrollLines(&Frame, 40, 32, 0x00FF00FF); /* more than the grid: everything cleared */
    XTEST_CHECK_EQ(Pixels[0], 0x00FF00FF);
    XTEST_CHECK_EQ(Pixels[16 * 32 - 1], 0x00FF00FF);
    XTEST_CHECK_EQ(Pixels[16 * 39], 0x12345678);
}

/* The STOP screen restarts the console on its own framebuffer in other colours. */
XTEST(RestartsOnItsOwnFramebuffer) {
    XT_FRAMEBUFFER_INFO Fb = Info(32, 48, 32, XT_FRAMEBUFFER_BGRX8);
    KD_FRAMEBUFFER Frame;
    KD_CONSOLE Console;

    XTEST_ASSERT(KdpInitializeFramebuffer(&Frame, &Fb, Pixels));
    Start(&Console, &Frame, 0xAAAAAA, 0x000000);
    KdpConsoleWrite(&Console, "boot", 4);
    Start(&Console, &Console.Fb, 0xFFFFFF, 0x0000AA);
    XTEST_CHECK(Console.Fb.Base == (PUCHAR)Pixels);
    XTEST_CHECK_EQ(Console.Columns, 4);
    XTEST_CHECK_EQ(Console.Column, 0);
    XTEST_CHECK_EQ(Console.Foreground, 0x00FFFFFF);
    KdpConsoleWrite(&Console, "STOP", 4);
    XTEST_CHECK(ScreenShows(&Console, "STOP        "));
    XTEST_CHECK_EQ(Pixels[32 * 47 + 31], 0x000000AA);
}

XTEST(CountsTextRowsLikeTheConsole) {
    XTEST_CHECK_EQ(KdpCountTextRows("", 0, 4), 0);
    XTEST_CHECK_EQ(KdpCountTextRows("A", 1, 4), 1);
    XTEST_CHECK_EQ(KdpCountTextRows("A\n", 2, 4), 1);
    XTEST_CHECK_EQ(KdpCountTextRows("ABCD\n", 5, 4), 1);
    XTEST_CHECK_EQ(KdpCountTextRows("ABCDE\n", 6, 4), 2);
    XTEST_CHECK_EQ(KdpCountTextRows("\n\n", 2, 4), 2);
    XTEST_CHECK_EQ(KdpCountTextRows("ABCDEFGH", 8, 4), 2);
    XTEST_CHECK_EQ(KdpCountTextRows("ABCDEFGHI", 9, 4), 3);
    XTEST_CHECK_EQ(KdpCountTextRows("\x01\x02", 2, 4), 0);
}

XTEST_SUITE(KdFramebufferConsoleSuite, XTEST_ENTRY(PacksRgbBgrAndBitMasks), XTEST_ENTRY(RejectsLayoutsItCannotDraw),
            XTEST_ENTRY(GlyphsMatchTheFontBitForBit), XTEST_ENTRY(WrapsAtTheRightEdgeAndScrollsOneLine),
            XTEST_ENTRY(ScrollRedrawsFromTheTextNotThePixels), XTEST_ENTRY(LargerScreensScrollWithoutTheBuffer),
            XTEST_ENTRY(ScrollKeepsLinesBelowTheGrid), XTEST_ENTRY(RestartsOnItsOwnFramebuffer),
            XTEST_ENTRY(CountsTextRowsLikeTheConsole));

XTEST_HOST_MAIN(&KdFramebufferConsoleSuite)

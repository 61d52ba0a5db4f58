/* Framebuffer text console (fbcon.h). */
#include <rtl.h>

#include "fbcon.h"

/* The lowest set bit and the width of a mask that is one contiguous run of bits; FALSE otherwise. */
static BOOLEAN KdpMaskRun(ULONG Mask, PUCHAR Shift, PUCHAR Bits) {
    UCHAR Low = 0, Width = 0;

    if (Mask == 0) {
        return FALSE;
    }
    while (!(Mask & 1)) {
        Mask >>= 1;
        Low++;
    }
    while (Mask & 1) {
        Mask >>= 1;
        Width++;
    }
    *Shift = Low;
    *Bits = Width;
    return Mask == 0;
}

BOOLEAN KdpInitializeFramebuffer(PKD_FRAMEBUFFER Fb, const XT_FRAMEBUFFER_INFO *Info, PVOID Va) {
    ULONG Masks[3] = {Info->RedMask, Info->GreenMask, Info->BlueMask};

    RtlZeroMemory(Fb, sizeof(*Fb));
    if (Va == NULL || Info->PixelFormat == XT_FRAMEBUFFER_NONE || Info->PixelFormat > XT_FRAMEBUFFER_BITMASK ||
        Info->BitsPerPixel != 32 || Info->Width < KD_FONT_WIDTH || Info->Height < KD_FONT_HEIGHT ||
        Info->Pitch / 4 < Info->Width || (ULONGLONG)Info->Pitch * Info->Height > Info->Size || (Masks[0] & Masks[1]) ||
        (Masks[0] & Masks[2]) || (Masks[1] & Masks[2])) {
        return FALSE;
    }
    for (ULONG Channel = 0; Channel < 3; Channel++) {
        if (!KdpMaskRun(Masks[Channel], &Fb->Shift[Channel], &Fb->Bits[Channel])) {
            return FALSE;
        }
    }
    Fb->Base = Va;
    Fb->Width = Info->Width;
    Fb->Height = Info->Height;
    Fb->Pitch = Info->Pitch;
    return TRUE;
}

ULONG KdpPackColor(const KD_FRAMEBUFFER *Fb, ULONG Rgb) {
    ULONG Pixel = 0;

    for (ULONG Channel = 0; Channel < 3; Channel++) {
        ULONG Value = (Rgb >> (16 - 8 * Channel)) & 0xFF, Bits = Fb->Bits[Channel];
        ULONGLONG Scaled;
        /* Round to the nearest value of the channel's width: 0 stays 0, 0xFF becomes all ones. */
        Scaled = ((ULONGLONG)Value * ((1ull << Bits) - 1) + 127) / 255;
        Pixel |= (ULONG)(Scaled << Fb->Shift[Channel]);
    }
    return Pixel;
}

VOID KdpDrawGlyph(const KD_FRAMEBUFFER *Fb, ULONG X, ULONG Y, const UCHAR *Glyph, ULONG Foreground, ULONG Background) {
    for (ULONG Row = 0; Row < KD_FONT_HEIGHT; Row++) {
        volatile ULONG *Line = (volatile ULONG *)(Fb->Base + (SIZE_T)(Y + Row) * Fb->Pitch) + X;
        UCHAR Bits = Glyph[Row];
        for (ULONG Column = 0; Column < KD_FONT_WIDTH; Column++) {
            Line[Column] = (Bits & (0x80 >> Column)) ? Foreground : Background;
        }
    }
}

VOID KdpFillLines(const KD_FRAMEBUFFER *Fb, ULONG Y, ULONG Lines, ULONG Pixel) {
    for (ULONG Line = Y; Line < Y + Lines && Line < Fb->Height; Line++) {
        volatile ULONG *Pixels = (volatile ULONG *)(Fb->Base + (SIZE_T)Line * Fb->Pitch);
        for (ULONG X = 0; X < Fb->Width; X++) {
            Pixels[X] = Pixel;
        }
    }
}

VOID KdpScrollLines(const KD_FRAMEBUFFER *Fb, ULONG Lines, ULONG Used, ULONG Background) {
    if (Lines >= Used) {
        KdpFillLines(Fb, 0, Used, Background);
        return;
    }
    for (ULONG Line = 0; Line + Lines < Used; Line++) {
        RtlCopyMemory(Fb->Base + (SIZE_T)Line * Fb->Pitch, Fb->Base + (SIZE_T)(Line + Lines) * Fb->Pitch,
                      (SIZE_T)Fb->Width * 4);
    }
    KdpFillLines(Fb, Used - Lines, Lines, Background);
}

VOID KdpInitializeConsole(PKD_CONSOLE Console, const KD_FRAMEBUFFER *Fb, ULONG Foreground, ULONG Background,
                          PUCHAR Text, SIZE_T TextCapacity) {
    KD_FRAMEBUFFER Frame = *Fb; /* Fb may be Console->Fb (a console restarted in other colours) */

    RtlZeroMemory(Console, sizeof(*Console));
    Console->Fb = Frame;
    Console->Columns = Frame.Width / KD_FONT_WIDTH;
    Console->Rows = Frame.Height / KD_FONT_HEIGHT;
    Console->Foreground = KdpPackColor(&Frame, Foreground);
    Console->Background = KdpPackColor(&Frame, Background);
    if (Text != NULL && (SIZE_T)Console->Columns * Console->Rows <= TextCapacity) {
        Console->Text = Text;
        RtlFillMemory(Text, (SIZE_T)Console->Columns * Console->Rows, ' ');
    }
    KdpFillLines(&Frame, 0, Frame.Height, Console->Background);
}

/* Draws Character in the cell (Column, Row) and records it. */
static VOID KdpPutCell(PKD_CONSOLE Console, ULONG Column, ULONG Row, UCHAR Character) {
    KdpDrawGlyph(&Console->Fb, Column * KD_FONT_WIDTH, Row * KD_FONT_HEIGHT, KdpFontGlyphs[Character],
                 Console->Foreground, Console->Background);
    if (Console->Text != NULL) {
        Console->Text[(SIZE_T)Row * Console->Columns + Column] = Character;
    }
}

/* Scrolls up one text row from the recorded characters: only the cells whose character changes are drawn. */
static VOID KdpScrollText(PKD_CONSOLE Console) {
    PUCHAR Text = Console->Text;
    ULONG Columns = Console->Columns;

    for (ULONG Row = 0; Row < Console->Rows; Row++) {
        for (ULONG Column = 0; Column < Columns; Column++) {
            SIZE_T Cell = (SIZE_T)Row * Columns + Column;
            UCHAR Below = (Row + 1 < Console->Rows) ? Text[Cell + Columns] : ' ';
            if (Text[Cell] != Below) {
                KdpPutCell(Console, Column, Row, Below);
            }
        }
    }
}

/* Moves the cursor to the start of the next line, scrolling when it was on the last row. */
static VOID KdpNewLine(PKD_CONSOLE Console) {
    Console->Column = 0;
    if (Console->Row + 1 < Console->Rows) {
        Console->Row++;
        return;
    }
    if (Console->Text != NULL) {
        KdpScrollText(Console);
    } else {
        KdpScrollLines(&Console->Fb, KD_FONT_HEIGHT, Console->Rows * KD_FONT_HEIGHT, Console->Background);
    }
    Console->Scrolls++;
}

VOID KdpConsoleWrite(PKD_CONSOLE Console, PCSTR Text, SIZE_T Count) {
    for (SIZE_T Index = 0; Index < Count; Index++) {
        UCHAR Character = (UCHAR)Text[Index];
        if (Character == '\n') {
            KdpNewLine(Console);
        } else if (Character == '\r') {
            Console->Column = 0;
        } else if (Character == '\t') {
            Console->Column = (Console->Column + 8) & ~7u;
            if (Console->Column >= Console->Columns) {
                KdpNewLine(Console);
            }
        } else if (Character >= 0x20) {
            if (Console->Column >= Console->Columns) {
                KdpNewLine(Console);
            }
            KdpPutCell(Console, Console->Column, Console->Row, Character);
            Console->Column++;
        }
    }
}

ULONG KdpCountTextRows(PCSTR Text, SIZE_T Count, ULONG Columns) {
    ULONG Rows = 0, Column = 0;

    for (SIZE_T Index = 0; Index < Count; Index++) {
        UCHAR Character = (UCHAR)Text[Index];
        if (Character == '\n') {
            Rows++;
            Column = 0;
        } else if (Character == '\r') {
            Column = 0;
        } else if (Character == '\t') {
            Column = (Column + 8) & ~7u;
            if (Column >= Columns) {
                Rows++;
                Column = 0;
            }
        } else if (Character >= 0x20) {
            if (Column >= Columns) {
                Rows++;
                Column = 0;
            }
            Column++;
        }
    }
    return Rows + (Column > 0 ? 1 : 0);
}

/* screencheck: reads a QEMU screendump (binary PPM) and recognises the text on it, cell by cell, against a PSF
 * console font rendered on the host: the kernel's screen console draws 8x16 cells from the top-left pixel (kd/fbcon.h)
 * with glyphs of the same Debian font. Prints the recognised screen, then checks the expectations.
 * usage: screencheck SCREEN.ppm FONT.psf [--expect TEXT]... [--expect-line LOG PREFIX]... [--reject TEXT]...
 *                   [--colors FG,BG]
 *   --expect TEXT           TEXT is on the screen (rows joined: a line the console wrapped still matches)
 *   --reject TEXT           TEXT is not on the screen (e.g. a line that must have scrolled away)
 *   --expect-line LOG PREFIX the first line of LOG (e.g. the serial log) that starts with PREFIX is on the screen in
 *                           full (CR and the console-invisible characters below 0x20 dropped)
 *   --colors FG,BG          every cell holding a character shows it in FG on BG (0xRRGGBB, hexadecimal)
 * Every cell must hold a glyph of the font (or be blank): a cell that matches none fails the check. Exit 0 when all
 * expectations hold, 1 otherwise, 2 on bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psf.h"

#define CELL_WIDTH  8
#define CELL_HEIGHT 16

typedef struct _IMAGE {
    unsigned Width, Height;
    unsigned char *Rgb; /* 3 bytes per pixel */
} IMAGE;

static void Fail(const char *Message, const char *Detail) {
    fprintf(stderr, "screencheck: error: %s%s%s\n", Message, Detail ? ": " : "", Detail ? Detail : "");
    exit(2);
}

/* Skips whitespace and # comments of a PPM header, then reads one decimal number. */
static unsigned ReadPpmNumber(FILE *File) {
    int Character;
    unsigned Value = 0, Digits = 0;

    while ((Character = fgetc(File)) != EOF) {
        if (Character == '#') {
            while ((Character = fgetc(File)) != EOF && Character != '\n') {
            }
        } else if (Character > ' ') {
            break;
        }
    }
    while (Character >= '0' && Character <= '9' && Digits++ < 9) {
        Value = Value * 10 + (unsigned)(Character - '0');
        Character = fgetc(File);
    }
    if (Digits == 0) {
        Fail("malformed PPM header", NULL);
    }
    return Value; /* the single whitespace after the number is consumed */
}

static void LoadPpm(const char *Path, IMAGE *Image) {
    FILE *File = fopen(Path, "rb");
    size_t Bytes;

    if (File == NULL) {
        Fail("cannot open the screendump", Path);
    }
    if (fgetc(File) != 'P' || fgetc(File) != '6') {
        Fail("not a binary PPM (P6)", Path);
    }
    Image->Width = ReadPpmNumber(File);
    Image->Height = ReadPpmNumber(File);
    if (ReadPpmNumber(File) != 255 || Image->Width == 0 || Image->Height == 0 || Image->Width > 16384 ||
        Image->Height > 16384) {
        Fail("unsupported PPM (needs maxval 255 and a sane size)", Path);
    }
    Bytes = (size_t)Image->Width * Image->Height * 3;
    Image->Rgb = malloc(Bytes);
    if (Image->Rgb == NULL || fread(Image->Rgb, 1, Bytes, File) != Bytes) {
        Fail("the PPM is truncated", Path);
    }
    fclose(File);
}

static unsigned PixelAt(const IMAGE *Image, unsigned X, unsigned Y) {
    const unsigned char *Pixel = Image->Rgb + ((size_t)Y * Image->Width + X) * 3;
    return (unsigned)Pixel[0] << 16 | (unsigned)Pixel[1] << 8 | Pixel[2];
}

/* Recognises the cell at (Column, Row): the character, ' ' for a blank cell, 0 when no glyph matches. *Foreground
 * and *Background receive its colours (both the one colour of a blank cell). */
static unsigned char RecogniseCell(const IMAGE *Image, const PSF_FONT *Font, unsigned Column, unsigned Row,
                                   unsigned *Foreground, unsigned *Background) {
    unsigned Colors[2] = {PixelAt(Image, Column * CELL_WIDTH, Row * CELL_HEIGHT), 0}, ColorCount = 1;
    unsigned char Bits[2][CELL_HEIGHT] = {{0}};

    for (unsigned Y = 0; Y < CELL_HEIGHT; Y++) {
        for (unsigned X = 0; X < CELL_WIDTH; X++) {
            unsigned Pixel = PixelAt(Image, Column * CELL_WIDTH + X, Row * CELL_HEIGHT + Y);
            if (Pixel != Colors[0] && ColorCount == 1) {
                Colors[ColorCount++] = Pixel;
            } else if (Pixel != Colors[0] && Pixel != Colors[1]) {
                return 0; /* three colours: not a console cell */
            }
            Bits[0][Y] |= (Pixel == Colors[0]) ? (0x80 >> X) : 0; /* colour 0 as the foreground */
            Bits[1][Y] |= (Pixel != Colors[0]) ? (0x80 >> X) : 0; /* colour 1 as the foreground */
        }
    }
    *Foreground = *Background = Colors[0];
    if (ColorCount == 1) {
        return ' ';
    }
    for (unsigned Code = 0x21; Code < 256; Code++) {
        const unsigned char *Glyph;
        if (Code >= 0x7F && Code <= 0xA0) {
            continue;
        }
        Glyph = Font->Glyphs + (size_t)PsfGlyphForLatin1(Font, Code) * Font->BytesPerGlyph;
        for (unsigned Choice = 0; Choice < 2; Choice++) {
            if (memcmp(Glyph, Bits[Choice], CELL_HEIGHT) == 0) {
                *Foreground = Colors[Choice];
                *Background = Colors[1 - Choice];
                return (unsigned char)Code;
            }
        }
    }
    return 0;
}

/* The first line of Log starting with Prefix, CR and control characters dropped; exits when there is none. */
static char *FindLogLine(const char *Log, const char *Prefix) {
    static char Line[8192];
    FILE *File = fopen(Log, "rb");
    size_t PrefixLength = strlen(Prefix);

    if (File == NULL) {
        Fail("cannot open the log", Log);
    }
    while (fgets(Line, sizeof(Line), File)) {
        size_t Out = 0;
        for (size_t In = 0; Line[In] != '\0'; In++) {
            if ((unsigned char)Line[In] >= 0x20) {
                Line[Out++] = Line[In];
            }
        }
        Line[Out] = '\0';
        if (strncmp(Line, Prefix, PrefixLength) == 0) {
            fclose(File);
            return Line;
        }
    }
    fclose(File);
    fprintf(stderr, "screencheck: FAIL: no line of %s starts with '%s'\n", Log, Prefix);
    exit(1);
}

int main(int Argc, char **Argv) {
    IMAGE Image;
    PSF_FONT Font;
    const char *Error;
    unsigned Columns, Rows, Unknown = 0, Characters = 0, WantFg = 0, WantBg = 0, WrongColors = 0;
    int CheckColors = 0, Failures = 0;
    char *Screen;

    if (Argc < 3) {
        Fail("usage: screencheck SCREEN.ppm FONT.psf [--expect TEXT]... [--expect-line LOG PREFIX]... [--reject "
             "TEXT]... "
             "[--colors FG,BG]",
             NULL);
    }
    LoadPpm(Argv[1], &Image);
    Error = PsfLoad(Argv[2], &Font);
    if (Error || Font.Width != CELL_WIDTH || Font.Height != CELL_HEIGHT) {
        Fail(Error ? Error : "the font is not 8x16", Argv[2]);
    }
    for (int Index = 3; Index < Argc; Index++) {
        if (strcmp(Argv[Index], "--colors") == 0 && Index + 1 < Argc) {
            if (sscanf(Argv[++Index], "%x,%x", &WantFg, &WantBg) != 2) {
                Fail("--colors needs FG,BG in hexadecimal", Argv[Index]);
            }
            CheckColors = 1;
        }
    }
    Columns = Image.Width / CELL_WIDTH;
    Rows = Image.Height / CELL_HEIGHT;
    Screen = calloc((size_t)Columns * Rows + 1, 1);
    for (unsigned Row = 0; Row < Rows; Row++) {
        char Line[16384 / CELL_WIDTH + 1];
        int Length = 0;
        for (unsigned Column = 0; Column < Columns; Column++) {
            unsigned Fg, Bg;
            unsigned char Code = RecogniseCell(&Image, &Font, Column, Row, &Fg, &Bg);
            Unknown += Code == 0;
            Characters += Code != 0 && Code != ' ';
            if (CheckColors && Code != 0 && (Code != ' ' ? (Fg != WantFg || Bg != WantBg) : Bg != WantBg)) {
                WrongColors++;
            }
            Screen[(size_t)Row * Columns + Column] = Code ? (char)Code : '\x7F';
            Line[Column] = Code ? (char)Code : '#';
            Length = (Code != ' ') ? (int)Column + 1 : Length;
        }
        printf("%.*s\n", Length, Line);
    }
    printf("screencheck: %ux%u pixels, %ux%u cells: %u characters recognised, %u cells unrecognised\n", Image.Width,
           Image.Height, Columns, Rows, Characters, Unknown);
    if (Unknown != 0) {
        printf("screencheck: FAIL: %u cells match no glyph of the font (shown as #)\n", Unknown);
        Failures++;
    }
    if (CheckColors && WrongColors != 0) {
        printf("screencheck: FAIL: %u cells are not 0x%06X on 0x%06X\n", WrongColors, WantFg, WantBg);
        Failures++;
    }
    for (int Index = 3; Index < Argc; Index++) {
        const char *Text = NULL;
        if (strcmp(Argv[Index], "--reject") == 0 && Index + 1 < Argc) {
            Text = Argv[++Index];
            if (strstr(Screen, Text) != NULL) {
                printf("screencheck: FAIL: on the screen, but must not be: '%s'\n", Text);
                Failures++;
            } else {
                printf("screencheck: not on the screen, as expected: '%s'\n", Text);
            }
            continue;
        }
        if (strcmp(Argv[Index], "--expect") == 0 && Index + 1 < Argc) {
            Text = Argv[++Index];
        } else if (strcmp(Argv[Index], "--expect-line") == 0 && Index + 2 < Argc) {
            Text = FindLogLine(Argv[Index + 1], Argv[Index + 2]);
            Index += 2;
        } else if (strcmp(Argv[Index], "--colors") == 0) {
            Index++;
            continue;
        } else {
            Fail("unknown option", Argv[Index]);
        }
        if (strstr(Screen, Text) == NULL) {
            printf("screencheck: FAIL: not on the screen: '%s'\n", Text);
            Failures++;
        } else {
            printf("screencheck: on the screen: '%s'\n", Text);
        }
    }
    return Failures ? 1 : 0;
}

/* PC Screen Font reader (psf.h). Formats: PSF1 (magic 36 04; 256 or 512 glyphs 8 pixels wide; Unicode table of
 * 16-bit little-endian code points, FFFE starts a sequence, FFFF ends a glyph's entry) and PSF2 (magic 72 B5 4A 86;
 * header with sizes; Unicode table in UTF-8, FE starts a sequence, FF ends an entry). */
#include "psf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t ReadLe32(const unsigned char *Bytes) {
    return (uint32_t)Bytes[0] | (uint32_t)Bytes[1] << 8 | (uint32_t)Bytes[2] << 16 | (uint32_t)Bytes[3] << 24;
}

/* Records Glyph for CodePoint when it is Latin-1 and not yet mapped (the first mapping wins). */
static void MapCodePoint(PSF_FONT *Font, uint32_t CodePoint, uint32_t Glyph) {
    if (CodePoint < 256 && Font->Latin1[CodePoint] == PSF_NO_GLYPH) {
        Font->Latin1[CodePoint] = Glyph;
    }
}

static const char *ReadPsf1Table(PSF_FONT *Font, const unsigned char *Table, const unsigned char *End) {
    int InSequence = 0;

    for (uint32_t Glyph = 0; Glyph < Font->GlyphCount; Glyph++, InSequence = 0) {
        for (;;) {
            if (Table + 2 > End) {
                return "the Unicode table ends early";
            }
            uint32_t Value = (uint32_t)Table[0] | (uint32_t)Table[1] << 8;
            Table += 2;
            if (Value == 0xFFFF) {
                break;
            }
            if (Value == 0xFFFE) {
                InSequence = 1; /* combining sequences follow: never a single Latin-1 character */
            } else if (!InSequence) {
                MapCodePoint(Font, Value, Glyph);
            }
        }
    }
    return NULL;
}

/* Decodes one UTF-8 code point at *Cursor; returns 0xFFFFFFFF on a malformed sequence. */
static uint32_t DecodeUtf8(const unsigned char **Cursor, const unsigned char *End) {
    const unsigned char *Bytes = *Cursor;
    uint32_t Value;
    int Extra;

    if (Bytes[0] < 0x80) {
        Value = Bytes[0], Extra = 0;
    } else if ((Bytes[0] & 0xE0) == 0xC0) {
        Value = Bytes[0] & 0x1F, Extra = 1;
    } else if ((Bytes[0] & 0xF0) == 0xE0) {
        Value = Bytes[0] & 0x0F, Extra = 2;
    } else if ((Bytes[0] & 0xF8) == 0xF0) {
        Value = Bytes[0] & 0x07, Extra = 3;
    } else {
        return 0xFFFFFFFFu;
    }
    if (Bytes + 1 + Extra > End) {
        return 0xFFFFFFFFu;
    }
    for (int Index = 1; Index <= Extra; Index++) {
        if ((Bytes[Index] & 0xC0) != 0x80) {
            return 0xFFFFFFFFu;
        }
        Value = Value << 6 | (Bytes[Index] & 0x3F);
    }
    *Cursor = Bytes + 1 + Extra;
    return Value;
}

static const char *ReadPsf2Table(PSF_FONT *Font, const unsigned char *Table, const unsigned char *End) {
    int InSequence = 0;

    for (uint32_t Glyph = 0; Glyph < Font->GlyphCount; Glyph++, InSequence = 0) {
        for (;;) {
            if (Table >= End) {
                return "the Unicode table ends early";
            }
            if (*Table == 0xFF) {
                Table++;
                break;
            }
            if (*Table == 0xFE) {
                Table++;
                InSequence = 1;
                continue;
            }
            uint32_t Value = DecodeUtf8(&Table, End);
            if (Value == 0xFFFFFFFFu) {
                return "malformed UTF-8 in the Unicode table";
            }
            if (!InSequence) {
                MapCodePoint(Font, Value, Glyph);
            }
        }
    }
    return NULL;
}

static const char *ParseFont(PSF_FONT *Font) {
    const unsigned char *Data = Font->Data, *End = Font->Data + Font->Size;
    size_t Offset;
    int HasTable;

    if (Font->Size >= 4 && Data[0] == 0x36 && Data[1] == 0x04) {
        Font->GlyphCount = (Data[2] & 0x01) ? 512 : 256;
        HasTable = (Data[2] & 0x06) != 0;
        Font->Width = 8;
        Font->Height = Font->BytesPerGlyph = Data[3];
        Offset = 4;
    } else if (Font->Size >= 32 && ReadLe32(Data) == 0x864AB572u) {
        Offset = ReadLe32(Data + 8);
        HasTable = ReadLe32(Data + 12) & 1;
        Font->GlyphCount = ReadLe32(Data + 16);
        Font->BytesPerGlyph = ReadLe32(Data + 20);
        Font->Height = ReadLe32(Data + 24);
        Font->Width = ReadLe32(Data + 28);
        if (Offset < 32 || Font->Width == 0 || Font->Width > 64 ||
            Font->BytesPerGlyph != (Font->Width + 7) / 8 * Font->Height || Font->GlyphCount > 65536) {
            return "inconsistent PSF2 header";
        }
    } else {
        return "not a PSF1 or PSF2 font (decompress .psf.gz first)";
    }
    if (Font->Height == 0 || Font->GlyphCount == 0 ||
        (size_t)Font->GlyphCount * Font->BytesPerGlyph > Font->Size - Offset) {
        return "the glyphs do not fit the file";
    }
    Font->Glyphs = Data + Offset;
    for (unsigned Code = 0; Code < 256; Code++) {
        Font->Latin1[Code] = HasTable ? PSF_NO_GLYPH : (Code < Font->GlyphCount ? Code : PSF_NO_GLYPH);
    }
    if (!HasTable) {
        return NULL;
    }
    const unsigned char *Table = Font->Glyphs + (size_t)Font->GlyphCount * Font->BytesPerGlyph;
    return (Data[0] == 0x36) ? ReadPsf1Table(Font, Table, End) : ReadPsf2Table(Font, Table, End);
}

const char *PsfLoad(const char *Path, PSF_FONT *Font) {
    FILE *File = fopen(Path, "rb");
    long Size;

    memset(Font, 0, sizeof(*Font));
    if (File == NULL) {
        return "cannot open the font";
    }
    if (fseek(File, 0, SEEK_END) != 0 || (Size = ftell(File)) <= 0 || fseek(File, 0, SEEK_SET) != 0) {
        fclose(File);
        return "cannot size the font";
    }
    Font->Data = malloc((size_t)Size);
    Font->Size = (size_t)Size;
    if (Font->Data == NULL || fread(Font->Data, 1, Font->Size, File) != Font->Size) {
        fclose(File);
        return "cannot read the font";
    }
    fclose(File);
    return ParseFont(Font);
}

uint32_t PsfGlyphForLatin1(const PSF_FONT *Font, unsigned Code) {
    uint32_t Replacement = Font->Latin1['?'];

    if (Code < 256 && Font->Latin1[Code] != PSF_NO_GLYPH) {
        return Font->Latin1[Code];
    }
    return Replacement;
}

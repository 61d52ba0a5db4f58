/* PC Screen Font (PSF1 and PSF2) reader for host tools: the glyph bitmaps and the Unicode table of a console font,
 * as Debian's console-setup and kbd packages ship them (decompressed). */
#ifndef XTOSKRNL_TOOLS_PSF_H
#define XTOSKRNL_TOOLS_PSF_H

#include <stddef.h>
#include <stdint.h>

#define PSF_NO_GLYPH 0xFFFFFFFFu

typedef struct _PSF_FONT {
    unsigned char *Data; /* the whole file */
    size_t Size;
    const unsigned char *Glyphs; /* GlyphCount * BytesPerGlyph bytes */
    uint32_t GlyphCount;
    uint32_t BytesPerGlyph;
    uint32_t Width;       /* pixels; rows are padded to whole bytes, most significant bit leftmost */
    uint32_t Height;      /* pixels */
    uint32_t Latin1[256]; /* glyph of U+0000..U+00FF from the Unicode table (or the identity without one) */
} PSF_FONT;

/* Reads a PSF1 or PSF2 file. Returns NULL on success, else a message saying what is wrong. */
const char *PsfLoad(const char *Path, PSF_FONT *Font);

/* The glyph shown for Latin-1 character Code: its own, else the glyph of '?' (PSF_NO_GLYPH when neither). */
uint32_t PsfGlyphForLatin1(const PSF_FONT *Font, unsigned Code);

#endif

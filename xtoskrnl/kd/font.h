/* The screen console's font: a PSF console font from Debian's console-setup-linux, converted at build time by
 * xtoskrnl/tools/psfgen (the generated font.c). One glyph per Latin-1 character. */
#ifndef XTOSKRNL_KD_FONT_H
#define XTOSKRNL_KD_FONT_H

#include <xtbase.h>

#define KD_FONT_WIDTH  8  /* pixels: one byte per glyph row, most significant bit leftmost */
#define KD_FONT_HEIGHT 16 /* pixels (rows) */
#define KD_FONT_GLYPHS 256

/* The glyph of each Latin-1 character (U+0000..U+00FF); characters the font lacks show its '?'. */
extern const UCHAR KdpFontGlyphs[KD_FONT_GLYPHS][KD_FONT_HEIGHT];

/* The font's name, e.g. "Lat15-Fixed16". */
extern const CHAR KdpFontName[];

#endif

/* XTLDR graphics output: the GOP mode's framebuffer described for the kernel (pure, host-tested). */
#ifndef XTLDR_GOP_H
#define XTLDR_GOP_H

#include <xtboot.h>
#include <xtuefi.h>

/* Describes the linear framebuffer of a GOP mode (Base, Size: GOP's FrameBufferBase/Size) in *Framebuffer.
 * RGB/BGR modes get their masks filled in; a PixelBitMask mode keeps GOP's masks (they must be non-zero, disjoint
 * and fit 32 bits). Returns FALSE, with *Framebuffer zeroed (XT_FRAMEBUFFER_NONE), for a blt-only mode, an unknown
 * format, bad masks, zero sizes, a scan line shorter than the width or a framebuffer smaller than its lines. */
BOOLEAN BlDescribeFramebuffer(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *Info, ULONGLONG Base, ULONGLONG Size,
                              PXT_FRAMEBUFFER_INFO Framebuffer);

#endif

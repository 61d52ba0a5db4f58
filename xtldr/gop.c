/* XTLDR graphics output: GOP mode information turned into the init block's framebuffer description. */
#include <rtl.h>

#include "gop.h"

#define BL_GOP_MAX_PHYSICAL (1ull << 52) /* the memory map describes nothing above */

/* Checks a PixelBitMask mode's masks: each colour present, no two masks sharing a bit. */
static BOOLEAN BlpMasksValid(const EFI_PIXEL_BITMASK *Masks) {
    ULONG Red = Masks->RedMask, Green = Masks->GreenMask, Blue = Masks->BlueMask, Reserved = Masks->ReservedMask;

    if (Red == 0 || Green == 0 || Blue == 0) {
        return FALSE;
    }
    return (Red & Green) == 0 && (Red & Blue) == 0 && (Green & Blue) == 0 && ((Red | Green | Blue) & Reserved) == 0;
}

BOOLEAN BlDescribeFramebuffer(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *Info, ULONGLONG Base, ULONGLONG Size,
                              PXT_FRAMEBUFFER_INFO Framebuffer) {
    RtlZeroMemory(Framebuffer, sizeof(*Framebuffer));
    if (Info == NULL || Base == 0 || Base >= BL_GOP_MAX_PHYSICAL || Size > BL_GOP_MAX_PHYSICAL - Base ||
        Info->HorizontalResolution == 0 || Info->VerticalResolution == 0 ||
        Info->PixelsPerScanLine < Info->HorizontalResolution ||
        (ULONGLONG)Info->PixelsPerScanLine * 4 * Info->VerticalResolution > Size) {
        return FALSE;
    }
    switch (Info->PixelFormat) {
        case PixelRedGreenBlueReserved8BitPerColor:
            Framebuffer->PixelFormat = XT_FRAMEBUFFER_RGBX8;
            Framebuffer->RedMask = 0x000000FF;
            Framebuffer->BlueMask = 0x00FF0000;
            break;
        case PixelBlueGreenRedReserved8BitPerColor:
            Framebuffer->PixelFormat = XT_FRAMEBUFFER_BGRX8;
            Framebuffer->RedMask = 0x00FF0000;
            Framebuffer->BlueMask = 0x000000FF;
            break;
        case PixelBitMask:
            if (!BlpMasksValid(&Info->PixelInformation)) {
                return FALSE;
            }
            Framebuffer->PixelFormat = XT_FRAMEBUFFER_BITMASK;
            Framebuffer->RedMask = Info->PixelInformation.RedMask;
            Framebuffer->GreenMask = Info->PixelInformation.GreenMask;
            Framebuffer->BlueMask = Info->PixelInformation.BlueMask;
            Framebuffer->ReservedMask = Info->PixelInformation.ReservedMask;
            break;
        default:
            return FALSE; /* PixelBltOnly and unknown formats: no framebuffer to describe */
    }
    if (Framebuffer->PixelFormat != XT_FRAMEBUFFER_BITMASK) {
        Framebuffer->GreenMask = 0x0000FF00;
        Framebuffer->ReservedMask = 0xFF000000;
    }
    Framebuffer->Address = Base;
    Framebuffer->Size = Size;
    Framebuffer->Width = Info->HorizontalResolution;
    Framebuffer->Height = Info->VerticalResolution;
    Framebuffer->PixelsPerScanLine = Info->PixelsPerScanLine;
    Framebuffer->BitsPerPixel = 32; /* UEFI 2.10, 12.9: every GOP pixel occupies 32 bits */
    Framebuffer->Pitch = Info->PixelsPerScanLine * 4;
    return TRUE;
}

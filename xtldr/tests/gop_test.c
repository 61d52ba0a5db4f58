/* GOP framebuffer description: the three pixel formats, and modes the kernel must not be handed. */
#include <rtl.h>
#include <xtest.h>

#include "../gop.h"

static EFI_GRAPHICS_OUTPUT_MODE_INFORMATION Mode(ULONG Width, ULONG Height, ULONG Stride, ULONG Format) {
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION Info;

    RtlZeroMemory(&Info, sizeof(Info));
    Info.HorizontalResolution = Width;
    Info.VerticalResolution = Height;
    Info.PixelsPerScanLine = Stride;
    Info.PixelFormat = Format;
    return Info;
}

XTEST(RgbAndBgrGetTheirMasks) {
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION Info = Mode(1280, 800, 1280, PixelBlueGreenRedReserved8BitPerColor);
    XT_FRAMEBUFFER_INFO Fb;

    XTEST_ASSERT(BlDescribeFramebuffer(&Info, 0x80000000ull, 1280 * 800 * 4, &Fb));
    XTEST_CHECK_EQ(Fb.PixelFormat, XT_FRAMEBUFFER_BGRX8);
    XTEST_CHECK_EQ(Fb.Address, 0x80000000ull);
    XTEST_CHECK_EQ(Fb.Size, 1280 * 800 * 4);
    XTEST_CHECK_EQ(Fb.Width, 1280);
    XTEST_CHECK_EQ(Fb.Height, 800);
    XTEST_CHECK_EQ(Fb.Pitch, 5120);
    XTEST_CHECK_EQ(Fb.PixelsPerScanLine, 1280);
    XTEST_CHECK_EQ(Fb.BitsPerPixel, 32);
    XTEST_CHECK_EQ(Fb.RedMask, 0x00FF0000);
    XTEST_CHECK_EQ(Fb.GreenMask, 0x0000FF00);
    XTEST_CHECK_EQ(Fb.BlueMask, 0x000000FF);
    XTEST_CHECK_EQ(Fb.ReservedMask, 0xFF000000);
    Info = Mode(800, 600, 832, PixelRedGreenBlueReserved8BitPerColor);
    XTEST_ASSERT(BlDescribeFramebuffer(&Info, 0xC0000000ull, 832 * 600 * 4 + 4096, &Fb));
    XTEST_CHECK_EQ(Fb.PixelFormat, XT_FRAMEBUFFER_RGBX8);
    XTEST_CHECK_EQ(Fb.Pitch, 832 * 4);
    XTEST_CHECK_EQ(Fb.PixelsPerScanLine, 832);
    XTEST_CHECK_EQ(Fb.RedMask, 0x000000FF);
    XTEST_CHECK_EQ(Fb.BlueMask, 0x00FF0000);
}

XTEST(BitMaskKeepsGopMasks) {
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION Info = Mode(640, 480, 640, PixelBitMask);
    XT_FRAMEBUFFER_INFO Fb;

    Info.PixelInformation = (EFI_PIXEL_BITMASK){0x3FF00000, 0x000FFC00, 0x000003FF, 0xC0000000}; /* 10:10:10:2 */
    XTEST_ASSERT(BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    XTEST_CHECK_EQ(Fb.PixelFormat, XT_FRAMEBUFFER_BITMASK);
    XTEST_CHECK_EQ(Fb.RedMask, 0x3FF00000);
    XTEST_CHECK_EQ(Fb.GreenMask, 0x000FFC00);
    XTEST_CHECK_EQ(Fb.BlueMask, 0x000003FF);
    XTEST_CHECK_EQ(Fb.ReservedMask, 0xC0000000);
    XTEST_CHECK_EQ(Fb.Pitch, 2560);
}

XTEST(UnusableModesAreNone) {
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION Info;
    XT_FRAMEBUFFER_INFO Fb;

    Info = Mode(640, 480, 640, PixelBltOnly);
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    XTEST_CHECK_EQ(Fb.PixelFormat, XT_FRAMEBUFFER_NONE);
    XTEST_CHECK_EQ(Fb.Address, 0);
    Info = Mode(640, 480, 640, PixelFormatMax);
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    Info = Mode(640, 480, 640, PixelBitMask);
    Info.PixelInformation = (EFI_PIXEL_BITMASK){0x00FF0000, 0x0000FF00, 0x00000000, 0}; /* no blue */
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    Info.PixelInformation = (EFI_PIXEL_BITMASK){0x00FF0000, 0x0001FF00, 0x000000FF, 0}; /* red and green overlap */
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    Info = Mode(640, 480, 600, PixelBlueGreenRedReserved8BitPerColor); /* scan line shorter than the width */
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    Info = Mode(640, 480, 640, PixelBlueGreenRedReserved8BitPerColor);
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4 - 1, &Fb));   /* too small */
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0, 640 * 480 * 4, &Fb));                   /* no address */
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, (1ull << 52) - 4096, 640 * 480 * 4, &Fb)); /* beyond 52 bits */
    Info = Mode(0, 480, 0, PixelBlueGreenRedReserved8BitPerColor);
    XTEST_CHECK(!BlDescribeFramebuffer(&Info, 0xE0000000ull, 640 * 480 * 4, &Fb));
    XTEST_CHECK(!BlDescribeFramebuffer(NULL, 0xE0000000ull, 640 * 480 * 4, &Fb));
}

XTEST_SUITE(BlGopSuite, XTEST_ENTRY(RgbAndBgrGetTheirMasks), XTEST_ENTRY(BitMaskKeepsGopMasks),
            XTEST_ENTRY(UnusableModesAreNone));

XTEST_HOST_MAIN(&BlGopSuite)

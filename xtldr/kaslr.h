/* XTLDR kernel address space layout randomisation: where the kernel image goes inside its arch's kernel-image window
 * (sdk/xtpaging.h). Pure and freestanding: the loader supplies the random seed, host tests supply many. */
#ifndef XTLDR_KASLR_H
#define XTLDR_KASLR_H

#include <xtbase.h>
#include <xtstatus.h>

/* The boot region (init block, descriptors, stacks: xtldr/boot.c) starts at the first BL_BOOT_REGION_ALIGNMENT
 * boundary at or after the end of the image and takes at most BL_BOOT_REGION_SIZE bytes. The image, the gap and the
 * boot region all lie inside the window. */
#define BL_BOOT_REGION_ALIGNMENT 0x200000ull
#define BL_BOOT_REGION_SIZE      0x100000ull

typedef struct _BL_KERNEL_WINDOW {
    ULONGLONG Base;      /* first VA; a multiple of Alignment */
    ULONGLONG Size;      /* bytes */
    ULONGLONG Alignment; /* of every base chosen: a power of two, at least the page size */
} BL_KERNEL_WINDOW, *PBL_KERNEL_WINDOW;

typedef const BL_KERNEL_WINDOW *PCBL_KERNEL_WINDOW;

/* The windows of the two arches, from the SDK's MM_KERNEL_WINDOW_* constants. */
extern const BL_KERNEL_WINDOW BlKernelWindowAmd64;
extern const BL_KERNEL_WINDOW BlKernelWindowI686;

/* Where the seed came from (XTLDR-REPORT kaslr=...). */
typedef enum _BL_KASLR_SOURCE {
    BlKaslrOff = 0,    /* NOKASLR, or an image that cannot move: the link base */
    BlKaslrRng = 1,    /* EFI_RNG_PROTOCOL */
    BlKaslrRdrand = 2, /* the CPU's RDRAND */
    BlKaslrTsc = 3     /* SHA-1 of time-stamp counter readings, the firmware clock and the memory map */
} BL_KASLR_SOURCE;

/* "off", "rng", "rdrand", "tsc" ("?" for anything else). */
PCSTR BlKaslrSourceName(ULONG Source);

/* First VA after what the loader uses for an image of ImageSize bytes at Base: the image, the gap up to the next
 * BL_BOOT_REGION_ALIGNMENT boundary and the boot region. 0 when that wraps. */
ULONGLONG BlKaslrSpanEnd(ULONGLONG Base, ULONGLONG ImageSize);

/* Number of bases (multiples of the alignment) at which an image of ImageSize bytes and its boot region fit inside
 * Window; 0 when none does or the window is malformed (unaligned, alignment not a power of two >= 4 KiB). */
ULONGLONG BlKaslrSlotCount(PCBL_KERNEL_WINDOW Window, ULONGLONG ImageSize);

/* Number of bases a random choice picks from: the slots, less LinkBase when it is one of them. A KASLR boot never
 * runs at the link base, so every KASLR boot exercises the relocations (and a skipped one cannot go unnoticed). */
ULONGLONG BlKaslrChoiceCount(PCBL_KERNEL_WINDOW Window, ULONGLONG ImageSize, ULONGLONG LinkBase);

/* The base for Seed: choice (Seed mod ChoiceCount) among the slots other than LinkBase's, counted from the window's
 * start (bias below ChoiceCount / 2^64). STATUS_INVALID_PARAMETER when there is no choice; *Base is then untouched. */
XTSTATUS BlKaslrChooseBase(PCBL_KERNEL_WINDOW Window, ULONGLONG ImageSize, ULONGLONG LinkBase, ULONGLONG Seed,
                           PULONGLONG Base);

/* TRUE when an image of ImageSize bytes at the page-aligned Base fits inside Window with its boot region (the check
 * for the link base kept by NOKASLR). */
BOOLEAN BlKaslrBaseFits(PCBL_KERNEL_WINDOW Window, ULONGLONG Base, ULONGLONG ImageSize);

/* Bits of entropy SlotCount equally likely slots give: floor(log2(SlotCount)). */
ULONG BlKaslrEntropyBits(ULONGLONG SlotCount);

#endif

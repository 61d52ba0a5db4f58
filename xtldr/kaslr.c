/* XTLDR kernel address space layout randomisation: the choice of the kernel's base (see kaslr.h). */
#include <xtpaging.h>

#include "kaslr.h"

#define BLP_KASLR_PAGE_SIZE 0x1000ull

const BL_KERNEL_WINDOW BlKernelWindowAmd64 = {
    MM_KERNEL_WINDOW_BASE_AMD64,
    MM_KERNEL_WINDOW_SIZE_AMD64,
    MM_KERNEL_WINDOW_ALIGNMENT_AMD64,
};

const BL_KERNEL_WINDOW BlKernelWindowI686 = {
    MM_KERNEL_WINDOW_BASE_I686,
    MM_KERNEL_WINDOW_SIZE_I686,
    MM_KERNEL_WINDOW_ALIGNMENT_I686,
};

PCSTR BlKaslrSourceName(ULONG Source) {
    static const PCSTR Names[] = {"off", "rng", "rdrand", "tsc"};
    return Source < ARRAY_SIZE(Names) ? Names[Source] : "?";
}

ULONGLONG BlKaslrSpanEnd(ULONGLONG Base, ULONGLONG ImageSize) {
    ULONGLONG End = Base + ImageSize;
    ULONGLONG Region;

    if (End < Base || End > ~0ull - (BL_BOOT_REGION_ALIGNMENT - 1)) {
        return 0;
    }
    Region = (End + BL_BOOT_REGION_ALIGNMENT - 1) & ~(BL_BOOT_REGION_ALIGNMENT - 1);
    return Region + BL_BOOT_REGION_SIZE < Region ? 0 : Region + BL_BOOT_REGION_SIZE;
}

/* TRUE for a window the slot arithmetic can trust. */
static BOOLEAN BlpKaslrWindowValid(PCBL_KERNEL_WINDOW Window) {
    ULONGLONG Alignment = Window->Alignment;

    return Alignment >= BLP_KASLR_PAGE_SIZE && (Alignment & (Alignment - 1)) == 0 &&
           (Window->Base & (Alignment - 1)) == 0 && Window->Size != 0 && Window->Base + Window->Size > Window->Base;
}

ULONGLONG BlKaslrSlotCount(PCBL_KERNEL_WINDOW Window, ULONGLONG ImageSize) {
    ULONGLONG End, RegionLimit, LastBase;

    if (Window == NULL || !BlpKaslrWindowValid(Window) || ImageSize == 0) {
        return 0;
    }
    End = Window->Base + Window->Size;
    if (End - Window->Base < BL_BOOT_REGION_SIZE) {
        return 0;
    }
    /* The boot region starts at an aligned VA no later than End - BL_BOOT_REGION_SIZE, so the image ends there. */
    RegionLimit = (End - BL_BOOT_REGION_SIZE) & ~(BL_BOOT_REGION_ALIGNMENT - 1);
    if (RegionLimit < Window->Base || RegionLimit - Window->Base < ImageSize) {
        return 0;
    }
    LastBase = (RegionLimit - ImageSize) & ~(Window->Alignment - 1);
    if (LastBase < Window->Base) {
        return 0;
    }
    return (LastBase - Window->Base) / Window->Alignment + 1;
}

/* TRUE when LinkBase is one of the Slots bases of Window; *Slot receives its index. */
static BOOLEAN BlpKaslrLinkSlot(PCBL_KERNEL_WINDOW Window, ULONGLONG Slots, ULONGLONG LinkBase, PULONGLONG Slot) {
    if (LinkBase < Window->Base || ((LinkBase - Window->Base) & (Window->Alignment - 1)) != 0) {
        return FALSE;
    }
    *Slot = (LinkBase - Window->Base) / Window->Alignment;
    return *Slot < Slots;
}

ULONGLONG BlKaslrChoiceCount(PCBL_KERNEL_WINDOW Window, ULONGLONG ImageSize, ULONGLONG LinkBase) {
    ULONGLONG Slots = BlKaslrSlotCount(Window, ImageSize), LinkSlot;

    return (Slots != 0 && BlpKaslrLinkSlot(Window, Slots, LinkBase, &LinkSlot)) ? Slots - 1 : Slots;
}

XTSTATUS BlKaslrChooseBase(PCBL_KERNEL_WINDOW Window, ULONGLONG ImageSize, ULONGLONG LinkBase, ULONGLONG Seed,
                           PULONGLONG Base) {
    ULONGLONG Slots = BlKaslrSlotCount(Window, ImageSize), Choices = Slots, LinkSlot = 0, Slot;
    BOOLEAN SkipLink = Slots != 0 && BlpKaslrLinkSlot(Window, Slots, LinkBase, &LinkSlot);

    Choices -= SkipLink ? 1 : 0;
    if (Choices == 0 || Base == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Slot = Seed % Choices;
    Slot += (SkipLink && Slot >= LinkSlot) ? 1 : 0;
    *Base = Window->Base + Slot * Window->Alignment;
    return STATUS_SUCCESS;
}

BOOLEAN BlKaslrBaseFits(PCBL_KERNEL_WINDOW Window, ULONGLONG Base, ULONGLONG ImageSize) {
    ULONGLONG SpanEnd = BlKaslrSpanEnd(Base, ImageSize);

    return Window != NULL && BlpKaslrWindowValid(Window) && (Base & (BLP_KASLR_PAGE_SIZE - 1)) == 0 && ImageSize != 0 &&
           SpanEnd != 0 && Base >= Window->Base && SpanEnd <= Window->Base + Window->Size;
}

ULONG BlKaslrEntropyBits(ULONGLONG SlotCount) {
    ULONG Bits = 0;

    while (SlotCount > 1) {
        SlotCount >>= 1;
        Bits++;
    }
    return Bits;
}

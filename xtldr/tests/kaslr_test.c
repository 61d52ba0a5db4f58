/* KASLR base choice (xtldr/kaslr.c) over many seeds, for both arches' kernel-image windows: alignment, image and boot
 * region inside the window, no overlap with any other fixed kernel region in any of the four paging modes, and the
 * spread of the bases (every slot reachable, uniform buckets, distinct counts) so a constant or biased choice fails. */
#include <rtl.h>
#include <xtest.h>
#include <xtpaging.h>

#include "../kaslr.h"

#define PAGE             0x1000ull
#define TEST_LINK_AMD64  0xFFFFF80800000000ull /* toolchains/cc_toolchain_config.bzl /base: */
#define TEST_LINK_I686   0x80800000ull
#define BUCKETS          64
#define MAX_SLOTS        (1u << 18)
#define DRAWS_PER_REGION 100000
#define NO_LINK          0ull       /* a link base outside both windows: every slot is a choice */
#define KERNEL_SIZE      0x28000ull /* about the size of both kernels today */

typedef struct _TEST_REGION {
    PCSTR Name;
    ULONGLONG Start;
    ULONGLONG End; /* exclusive; 0 means the top of the 64-bit space */
} TEST_REGION;

typedef struct _TEST_ARCH {
    PCSTR Name;
    const BL_KERNEL_WINDOW *Window;
    ULONGLONG LinkBase;
    TEST_REGION Regions[8]; /* every other fixed region, the union over the arch's two paging modes */
} TEST_ARCH;

static const TEST_ARCH Arches[] = {
    {"amd64",
     &BlKernelWindowAmd64,
     TEST_LINK_AMD64,
     {
         {"user half (trampoline pages), PML5 width", 0, 1ull << 56},
         {"PML5 self-map", MM_PML5_PTE_BASE, MM_PML5_PTE_BASE + (1ull << 48)},
         {"PML4 self-map", MM_PML4_PTE_BASE, MM_PML4_PTE_BASE + (1ull << 39)},
         {"system PTEs", MM_SYSTEM_PTE_BASE_AMD64, MM_SYSTEM_PTE_BASE_AMD64 + MM_SYSTEM_PTE_PAGES_AMD64 *PAGE},
         {"PFN database", MM_PFN_DATABASE_BASE_AMD64, MM_PFN_DATABASE_END_AMD64},
         {"HAL window", MM_HAL_WINDOW_BASE_AMD64, 0},
     }},
    {"i686",
     &BlKernelWindowI686,
     TEST_LINK_I686,
     {
         {"user half (trampoline pages)", 0, 0x80000000ull},
         {"PML3 self-map (PML2's is its first half)", MM_PML3_PTE_BASE, MM_PML3_PTE_BASE + 0x800000ull},
         {"PML2 page directory", MM_PML2_PDE_BASE, MM_PML2_PDE_BASE + PAGE},
         {"PFN database", MM_PFN_DATABASE_BASE_I686, MM_PFN_DATABASE_END_I686},
         {"system PTEs", MM_SYSTEM_PTE_BASE_I686, MM_SYSTEM_PTE_BASE_I686 + MM_SYSTEM_PTE_PAGES_I686 *PAGE},
         {"HAL window", MM_HAL_WINDOW_BASE_I686, MM_HAL_WINDOW_BASE_I686 + MM_HAL_WINDOW_SIZE},
     }},
};

/* Image sizes: tiny, the kernels' size today, exactly one and just over one boot-region step, large. */
static const ULONGLONG ImageSizes[] = {PAGE, KERNEL_SIZE, 0x100000, 0x200000, 0x201000, 0x4000000};

static UCHAR SlotSeen[MAX_SLOTS / 8];

/* splitmix64: an independent stream of test seeds. */
static ULONGLONG TestNext(PULONGLONG State) {
    ULONGLONG Z = (*State += 0x9E3779B97F4A7C15ull);
    Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ull;
    Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBull;
    return Z ^ (Z >> 31);
}

/* TRUE when [Start, End) and the region overlap. */
static BOOLEAN TestOverlaps(ULONGLONG Start, ULONGLONG End, const TEST_REGION *Region) {
    ULONGLONG RegionEnd = Region->End ? Region->End : ~0ull;
    return Region->Name != NULL && Start < RegionEnd && Region->Start < End;
}

/* Counts the ways Base (for an image of Size bytes) breaks the contract of Arch's window. */
static ULONG TestBaseProblems(const TEST_ARCH *Arch, ULONGLONG Base, ULONGLONG Size) {
    const BL_KERNEL_WINDOW *Window = Arch->Window;
    ULONGLONG SpanEnd = BlKaslrSpanEnd(Base, Size);
    ULONG Problems = 0;

    Problems += (Base & (Window->Alignment - 1)) != 0;
    Problems += Base < Window->Base;
    Problems += SpanEnd == 0 || Base + Size > Window->Base + Window->Size;
    Problems += SpanEnd > Window->Base + Window->Size;
    for (ULONG Index = 0; Index < ARRAY_SIZE(Arch->Regions); Index++) {
        Problems += TestOverlaps(Base, SpanEnd, &Arch->Regions[Index]);
    }
    return Problems;
}

XTEST(WindowsComeFromTheSdk) {
    XTEST_CHECK_EQ(BlKernelWindowAmd64.Base, MM_KERNEL_WINDOW_BASE_AMD64);
    XTEST_CHECK_EQ(BlKernelWindowAmd64.Size, MM_KERNEL_WINDOW_SIZE_AMD64);
    XTEST_CHECK_EQ(BlKernelWindowAmd64.Alignment, 0x200000);
    XTEST_CHECK_EQ(BlKernelWindowI686.Base, MM_KERNEL_WINDOW_BASE_I686);
    XTEST_CHECK_EQ(BlKernelWindowI686.Size, MM_KERNEL_WINDOW_SIZE_I686);
    XTEST_CHECK_EQ(BlKernelWindowI686.Alignment, 0x10000);
    /* amd64: PML4 slot 0x1F0 exactly (the same slot of PML5's top-most PML4). */
    XTEST_CHECK_EQ((BlKernelWindowAmd64.Base >> 39) & 0x1FF, 0x1F0);
    XTEST_CHECK_EQ(BlKernelWindowAmd64.Size, 1ull << 39);
}

/* The windows themselves overlap no other region, and the link bases (NOKASLR) fit in them. */
XTEST(WindowsAvoidEveryOtherRegion) {
    for (ULONG Arch = 0; Arch < ARRAY_SIZE(Arches); Arch++) {
        const BL_KERNEL_WINDOW *Window = Arches[Arch].Window;
        for (ULONG Index = 0; Index < ARRAY_SIZE(Arches[Arch].Regions); Index++) {
            XTEST_CHECK(!TestOverlaps(Window->Base, Window->Base + Window->Size, &Arches[Arch].Regions[Index]));
        }
        XTEST_CHECK(BlKaslrBaseFits(Window, Arches[Arch].LinkBase, KERNEL_SIZE));
        XTEST_CHECK_EQ(TestBaseProblems(&Arches[Arch], Arches[Arch].LinkBase, KERNEL_SIZE), 0);
    }
}

/* Random seeds, every image size, both arches: every base keeps the contract and lies in a counted slot. */
XTEST(EveryChosenBaseKeepsTheContract) {
    ULONGLONG State = 0x1234;

    for (ULONG Arch = 0; Arch < ARRAY_SIZE(Arches); Arch++) {
        const BL_KERNEL_WINDOW *Window = Arches[Arch].Window;
        for (ULONG SizeIndex = 0; SizeIndex < ARRAY_SIZE(ImageSizes); SizeIndex++) {
            ULONGLONG Size = ImageSizes[SizeIndex], Slots = BlKaslrSlotCount(Window, Size), Base;
            ULONG Problems = 0, Failures = 0, OutOfSlots = 0, AtLinkBase = 0;
            XTEST_ASSERT(Slots > 1);
            XTEST_CHECK_EQ(BlKaslrChoiceCount(Window, Size, Arches[Arch].LinkBase), Slots - 1);
            for (ULONG Draw = 0; Draw < DRAWS_PER_REGION; Draw++) {
                if (!XT_SUCCESS(BlKaslrChooseBase(Window, Size, Arches[Arch].LinkBase, TestNext(&State), &Base))) {
                    Failures++;
                    continue;
                }
                Problems += TestBaseProblems(&Arches[Arch], Base, Size);
                Problems += !BlKaslrBaseFits(Window, Base, Size);
                OutOfSlots += (Base - Window->Base) / Window->Alignment >= Slots;
                AtLinkBase += Base == Arches[Arch].LinkBase;
            }
            XTEST_CHECK_EQ(Failures, 0);
            XTEST_CHECK_EQ(Problems, 0);
            XTEST_CHECK_EQ(OutOfSlots, 0);
            XTEST_CHECK_EQ(AtLinkBase, 0);
        }
    }
}

/* Slot 0 is the window's start; the last slot is the highest base that fits: one step more does not. */
XTEST(SlotCountIsExact) {
    for (ULONG Arch = 0; Arch < ARRAY_SIZE(Arches); Arch++) {
        const BL_KERNEL_WINDOW *Window = Arches[Arch].Window;
        for (ULONG SizeIndex = 0; SizeIndex < ARRAY_SIZE(ImageSizes); SizeIndex++) {
            ULONGLONG Size = ImageSizes[SizeIndex], Slots = BlKaslrSlotCount(Window, Size), First, Last, Again;
            XTEST_CHECK_EQ(BlKaslrChoiceCount(Window, Size, NO_LINK), Slots);
            XTEST_ASSERT(XT_SUCCESS(BlKaslrChooseBase(Window, Size, NO_LINK, 0, &First)));
            XTEST_ASSERT(XT_SUCCESS(BlKaslrChooseBase(Window, Size, NO_LINK, Slots - 1, &Last)));
            XTEST_ASSERT(XT_SUCCESS(BlKaslrChooseBase(Window, Size, NO_LINK, Slots, &Again)));
            XTEST_CHECK_EQ(First, Window->Base);
            XTEST_CHECK_EQ(Again, Window->Base);
            XTEST_CHECK_EQ(Last, Window->Base + (Slots - 1) * Window->Alignment);
            XTEST_CHECK(BlKaslrBaseFits(Window, Last, Size));
            XTEST_CHECK(!BlKaslrBaseFits(Window, Last + Window->Alignment, Size));
            XTEST_CHECK(BlKaslrSpanEnd(Last + Window->Alignment, Size) > Window->Base + Window->Size);
        }
    }
    /* A 160 KiB image (the kernels today): 2^18 - 1 slots of 2 MiB on amd64, 8158 of 64 KiB on i686. */
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BlKernelWindowAmd64, KERNEL_SIZE), (1ull << 18) - 1);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BlKernelWindowI686, KERNEL_SIZE), 8158);
    XTEST_CHECK_EQ(BlKaslrEntropyBits(8155), 12);
    XTEST_CHECK_EQ(BlKaslrEntropyBits((1ull << 18) - 1), 17);
    XTEST_CHECK_EQ(BlKaslrEntropyBits(1ull << 18), 18);
    XTEST_CHECK_EQ(BlKaslrEntropyBits(1), 0);
}

/* Seeds 0..Choices-1 give every slot but the link base's exactly once: the mapping wastes no entropy. */
XTEST(ConsecutiveSeedsCoverEverySlotOnce) {
    for (ULONG Arch = 0; Arch < ARRAY_SIZE(Arches); Arch++) {
        const BL_KERNEL_WINDOW *Window = Arches[Arch].Window;
        ULONGLONG Link = Arches[Arch].LinkBase, Slots = BlKaslrSlotCount(Window, KERNEL_SIZE), Base, Seen = 0,
                  Twice = 0;
        ULONGLONG Choices = BlKaslrChoiceCount(Window, KERNEL_SIZE, Link),
                  LinkSlot = (Link - Window->Base) / Window->Alignment;
        XTEST_ASSERT(Slots <= MAX_SLOTS);
        XTEST_CHECK_EQ(Choices, Slots - 1);
        RtlZeroMemory(SlotSeen, sizeof(SlotSeen));
        for (ULONGLONG Seed = 0; Seed < Choices; Seed++) {
            XTEST_ASSERT(XT_SUCCESS(BlKaslrChooseBase(Window, KERNEL_SIZE, Link, Seed, &Base)));
            ULONGLONG Slot = (Base - Window->Base) / Window->Alignment;
            Twice += (SlotSeen[Slot / 8] >> (Slot % 8)) & 1;
            Seen += !((SlotSeen[Slot / 8] >> (Slot % 8)) & 1);
            SlotSeen[Slot / 8] |= (UCHAR)(1u << (Slot % 8));
        }
        XTEST_CHECK_EQ(Seen, Choices);
        XTEST_CHECK_EQ(Twice, 0);
        XTEST_CHECK_EQ((SlotSeen[LinkSlot / 8] >> (LinkSlot % 8)) & 1, 0);
    }
}

/* Random seeds reach every slot (30 draws per slot: a slot is missed with probability e^-30 per run), buckets of
 * the window fill evenly (chi-square, 63 degrees of freedom, below 130: p < 1e-6 for a uniform choice), and 20000
 * draws give nearly as many distinct bases as a uniform choice would. A constant, a choice that ignores the high
 * seed bits or one that favours part of the window fails all three. */
XTEST(RandomSeedsSpreadUniformly) {
    ULONGLONG State = 0xC0FFEE;

    for (ULONG Arch = 0; Arch < ARRAY_SIZE(Arches); Arch++) {
        const BL_KERNEL_WINDOW *Window = Arches[Arch].Window;
        ULONGLONG Link = Arches[Arch].LinkBase, Slots = BlKaslrSlotCount(Window, KERNEL_SIZE), Base, Seen = 0;
        ULONGLONG Choices = BlKaslrChoiceCount(Window, KERNEL_SIZE, Link), Draws = 30 * Choices;
        ULONGLONG LinkSlot = (Link - Window->Base) / Window->Alignment;
        ULONGLONG Buckets[BUCKETS] = {0}, Distinct = 0;
        double ChiSquare = 0, Expected, Uniform;

        RtlZeroMemory(SlotSeen, sizeof(SlotSeen));
        for (ULONGLONG Draw = 0; Draw < Draws; Draw++) {
            XTEST_ASSERT(XT_SUCCESS(BlKaslrChooseBase(Window, KERNEL_SIZE, Link, TestNext(&State), &Base)));
            ULONGLONG Slot = (Base - Window->Base) / Window->Alignment;
            Seen += !((SlotSeen[Slot / 8] >> (Slot % 8)) & 1);
            SlotSeen[Slot / 8] |= (UCHAR)(1u << (Slot % 8));
            Buckets[Slot * BUCKETS / Slots]++;
            if (Draw + 1 == 20000) {
                Distinct = Seen;
            }
        }
        XTEST_CHECK_EQ(Seen, Choices);
        for (ULONG Index = 0; Index < BUCKETS; Index++) {
            /* Bucket Index holds the slots s with s * BUCKETS / Slots == Index (the link base's is never chosen). */
            ULONGLONG First = (Index * Slots + BUCKETS - 1) / BUCKETS;
            ULONGLONG Next = ((Index + 1) * Slots + BUCKETS - 1) / BUCKETS;
            ULONGLONG InBucket = Next - First - (LinkSlot >= First && LinkSlot < Next);
            Expected = (double)Draws * (double)InBucket / (double)Choices;
            ChiSquare += ((double)Buckets[Index] - Expected) * ((double)Buckets[Index] - Expected) / Expected;
        }
        XtestPrint("kaslr_test: %s: %llu bases, chi-square %.1f over %u buckets, %llu distinct of 20000 draws\n",
                   Arches[Arch].Name, Choices, ChiSquare, BUCKETS, Distinct);
        XTEST_CHECK(ChiSquare < 130.0);
        /* Expected distinct values of 20000 uniform draws: Choices * (1 - (1 - 1/Choices)^20000). */
        Uniform = (double)Choices;
        for (ULONG Draw = 0; Draw < 20000; Draw++) {
            Uniform *= 1.0 - 1.0 / (double)Choices;
        }
        Uniform = (double)Choices - Uniform;
        XTEST_CHECK((double)Distinct > 0.98 * Uniform);
    }
}

XTEST(BadWindowsAndImagesAreRefused) {
    const BL_KERNEL_WINDOW Unaligned = {0x80001000ull, 0x20000000ull, 0x10000ull};
    const BL_KERNEL_WINDOW NotPowerOfTwo = {0x80000000ull, 0x20000000ull, 0x30000ull};
    const BL_KERNEL_WINDOW BelowPage = {0x80000000ull, 0x20000000ull, 0x800ull};
    const BL_KERNEL_WINDOW Tiny = {0x80000000ull, BL_BOOT_REGION_SIZE, 0x10000ull};
    const BL_KERNEL_WINDOW Wraps = {0xFFFFFFFFFFE00000ull, 0x400000ull, 0x200000ull};
    ULONGLONG Base = 0x1234;

    XTEST_CHECK_EQ(BlKaslrSlotCount(&Unaligned, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&NotPowerOfTwo, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BelowPage, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&Tiny, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&Wraps, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BlKernelWindowI686, 0), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BlKernelWindowI686, MM_KERNEL_WINDOW_SIZE_I686), 0);
    XTEST_CHECK_EQ(BlKaslrSlotCount(NULL, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrChooseBase(&BlKernelWindowI686, MM_KERNEL_WINDOW_SIZE_I686, NO_LINK, 7, &Base),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(Base, 0x1234);
    XTEST_CHECK_EQ(BlKaslrChooseBase(&BlKernelWindowI686, PAGE, NO_LINK, 7, NULL), STATUS_INVALID_PARAMETER);
    /* The largest image that fits i686: everything but the boot region, in one slot; when that slot is the link
     * base there is no other choice. */
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BlKernelWindowI686, MM_KERNEL_WINDOW_SIZE_I686 - 0x200000ull), 1);
    XTEST_CHECK_EQ(
        BlKaslrChoiceCount(&BlKernelWindowI686, MM_KERNEL_WINDOW_SIZE_I686 - 0x200000ull, MM_KERNEL_WINDOW_BASE_I686),
        0);
    XTEST_CHECK_EQ(BlKaslrChooseBase(&BlKernelWindowI686, MM_KERNEL_WINDOW_SIZE_I686 - 0x200000ull,
                                     MM_KERNEL_WINDOW_BASE_I686, 7, &Base),
                   STATUS_INVALID_PARAMETER);
    /* A link base between slots (not a multiple of the step) takes no choice away. */
    XTEST_CHECK_EQ(BlKaslrChoiceCount(&BlKernelWindowI686, KERNEL_SIZE, TEST_LINK_I686 + PAGE),
                   BlKaslrSlotCount(&BlKernelWindowI686, KERNEL_SIZE));
    XTEST_CHECK_EQ(BlKaslrSlotCount(&BlKernelWindowI686, MM_KERNEL_WINDOW_SIZE_I686 - 0x200000ull + PAGE), 0);
    /* Fits: page alignment, below and above the window, wrap-around. */
    XTEST_CHECK(!BlKaslrBaseFits(&BlKernelWindowI686, TEST_LINK_I686 + 0x800, PAGE));
    XTEST_CHECK(!BlKaslrBaseFits(&BlKernelWindowI686, MM_KERNEL_WINDOW_BASE_I686 - PAGE, PAGE));
    XTEST_CHECK(!BlKaslrBaseFits(&BlKernelWindowI686, MM_KERNEL_WINDOW_BASE_I686 + MM_KERNEL_WINDOW_SIZE_I686, PAGE));
    XTEST_CHECK(!BlKaslrBaseFits(&BlKernelWindowAmd64, ~0ull - PAGE + 1, PAGE));
    XTEST_CHECK_EQ(BlKaslrSpanEnd(~0ull - PAGE + 1, PAGE), 0);
    XTEST_CHECK_EQ(BlKaslrSpanEnd(0x80800000ull, 0x28000), 0x80A00000ull + BL_BOOT_REGION_SIZE);
    XTEST_CHECK_EQ(BlKaslrSpanEnd(0x80800000ull, 0x200000), 0x80A00000ull + BL_BOOT_REGION_SIZE);
}

XTEST(SourceNames) {
    XTEST_CHECK(RtlCompareMemory(BlKaslrSourceName(BlKaslrOff), "off", 4) == 4);
    XTEST_CHECK(RtlCompareMemory(BlKaslrSourceName(BlKaslrRng), "rng", 4) == 4);
    XTEST_CHECK(RtlCompareMemory(BlKaslrSourceName(BlKaslrRdrand), "rdrand", 7) == 7);
    XTEST_CHECK(RtlCompareMemory(BlKaslrSourceName(BlKaslrTsc), "tsc", 4) == 4);
    XTEST_CHECK(RtlCompareMemory(BlKaslrSourceName(4), "?", 2) == 2);
}

XTEST_SUITE(KaslrSuite, XTEST_ENTRY(WindowsComeFromTheSdk), XTEST_ENTRY(WindowsAvoidEveryOtherRegion),
            XTEST_ENTRY(EveryChosenBaseKeepsTheContract), XTEST_ENTRY(SlotCountIsExact),
            XTEST_ENTRY(ConsecutiveSeedsCoverEverySlotOnce), XTEST_ENTRY(RandomSeedsSpreadUniformly),
            XTEST_ENTRY(BadWindowsAndImagesAreRefused), XTEST_ENTRY(SourceNames));

XTEST_HOST_MAIN(&KaslrSuite)

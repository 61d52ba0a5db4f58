/* Software PTEs of every paging mode (host): demand-zero, transition and paging-file entries encode and decode back,
 * never look present, keep their fields apart, and protections give the right hardware flags. */
#include <xtest.h>

#include "../mmhl.h"

static const PCMMH_PAGE_MAP_OPS SwpteModes[] = {&MmhPml2Ops, &MmhPml3Ops, &MmhPml4Ops, &MmhPml5Ops};

XTEST(DemandZeroRoundTripsEveryProtectionInEveryMode) {
    for (ULONG Mode = 0; Mode < ARRAY_SIZE(SwpteModes); Mode++) {
        for (ULONG Protection = 1; Protection < 32; Protection++) {
            ULONGLONG Entry = MmhMakeDemandZeroPte(SwpteModes[Mode], Protection);
            MMH_SOFTWARE_PTE Pte;

            XTEST_CHECK_EQ(Entry & PTE_PRESENT, 0);
            XTEST_CHECK_EQ(Entry, (ULONGLONG)Protection << 5); /* bits 5-9 */
            XTEST_CHECK(SwpteModes[Mode]->EntrySize == 8 || Entry <= 0xFFFFFFFFull);
            MmhDecodePte(SwpteModes[Mode], Entry, &Pte);
            XTEST_CHECK_EQ(Pte.Kind, MmhPteDemandZero);
            XTEST_CHECK_EQ(Pte.Protection, Protection);
        }
    }
}

XTEST(ZeroIsFreeAndPresentIsHardware) {
    for (ULONG Mode = 0; Mode < ARRAY_SIZE(SwpteModes); Mode++) {
        MMH_SOFTWARE_PTE Pte;

        MmhDecodePte(SwpteModes[Mode], 0, &Pte);
        XTEST_CHECK_EQ(Pte.Kind, MmhPteFree);
        /* A present entry is the hardware's, whatever its other bits say. */
        MmhDecodePte(SwpteModes[Mode], SwpteModes[Mode]->MakeLeafEntry(0x1234, MMH_MAP_WRITABLE) | 0xFE0, &Pte);
        XTEST_CHECK_EQ(Pte.Kind, MmhPteValid);
        XTEST_CHECK_EQ(Pte.Frame, 0x1234);
    }
}

XTEST(TransitionKeepsTheFrameOfEachWidth) {
    for (ULONG Mode = 0; Mode < ARRAY_SIZE(SwpteModes); Mode++) {
        ULONGLONG Frame = SwpteModes[Mode]->MaxPfn; /* the largest frame an entry holds: 20 or 40 bits */
        ULONGLONG Entry = MmhMakeTransitionPte(SwpteModes[Mode], Frame, MM_PROTECT_READWRITE);
        MMH_SOFTWARE_PTE Pte;

        XTEST_CHECK_EQ(Entry & PTE_PRESENT, 0);
        MmhDecodePte(SwpteModes[Mode], Entry, &Pte);
        XTEST_CHECK_EQ(Pte.Kind, MmhPteTransition);
        XTEST_CHECK_EQ(Pte.Frame, Frame);
        XTEST_CHECK_EQ(Pte.Protection, MM_PROTECT_READWRITE);
    }
}

XTEST(PageFileOffsetsFitTheirWidth) {
    for (ULONG Mode = 0; Mode < ARRAY_SIZE(SwpteModes); Mode++) {
        BOOLEAN Narrow = SwpteModes[Mode]->EntrySize == 4;
        ULONGLONG Offset = Narrow ? 0xFFFFF : 0xFFFFFFFFull;
        ULONGLONG Entry = MmhMakePageFilePte(SwpteModes[Mode], 15, Offset, MM_PROTECT_EXECUTE_READ);
        MMH_SOFTWARE_PTE Pte;

        XTEST_CHECK_EQ(Entry & (PTE_PRESENT | MMH_SWPTE_TRANSITION | MMH_SWPTE_PROTOTYPE), 0);
        MmhDecodePte(SwpteModes[Mode], Entry, &Pte);
        XTEST_CHECK_EQ(Pte.Kind, MmhPtePageFile);
        XTEST_CHECK_EQ(Pte.PageFile, 15);
        XTEST_CHECK_EQ(Pte.PageFileOffset, Offset);
        XTEST_CHECK_EQ(Pte.Protection, MM_PROTECT_EXECUTE_READ);
        /* File 1, offset 1: nothing spills into the protection field. */
        MmhDecodePte(SwpteModes[Mode], MmhMakePageFilePte(SwpteModes[Mode], 1, 1, MM_PROTECT_READONLY), &Pte);
        XTEST_CHECK_EQ(Pte.Kind, MmhPtePageFile);
        XTEST_CHECK_EQ(Pte.PageFileOffset, 1);
        XTEST_CHECK_EQ(Pte.Protection, MM_PROTECT_READONLY);
    }
}

XTEST(PrototypeBitWins) {
    MMH_SOFTWARE_PTE Pte;

    MmhDecodePte(&MmhPml4Ops, MMH_SWPTE_PROTOTYPE | MMH_SWPTE_TRANSITION | (4 << 5), &Pte);
    XTEST_CHECK_EQ(Pte.Kind, MmhPtePrototype);
    /* A PML2 entry has no upper half: bits above 31 are not part of it. */
    MmhDecodePte(&MmhPml2Ops, 0xFFFFFFFF00000000ull | (4 << 5), &Pte);
    XTEST_CHECK_EQ(Pte.Kind, MmhPteDemandZero);
}

XTEST(ProtectionsGiveHardwareFlags) {
    XTEST_CHECK_EQ(MmhProtectionToMapFlags(MM_PROTECT_READONLY), MMH_MAP_NO_EXECUTE);
    XTEST_CHECK_EQ(MmhProtectionToMapFlags(MM_PROTECT_READWRITE), MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE);
    XTEST_CHECK_EQ(MmhProtectionToMapFlags(MM_PROTECT_EXECUTE_READ), 0);
    XTEST_CHECK_EQ(MmhProtectionToMapFlags(MM_PROTECT_EXECUTE_READWRITE), MMH_MAP_WRITABLE);
    XTEST_CHECK_EQ(MmhProtectionToMapFlags(MM_PROTECT_READWRITE | MM_PROTECT_NOCACHE),
                   MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE);
    XTEST_CHECK_EQ(MmhProtectionToMapFlags(MM_PROTECT_NOACCESS | MM_PROTECT_GUARD), MMH_MAP_NO_EXECUTE);
}

XTEST_SUITE(MmhSoftwarePteSuite, XTEST_ENTRY(DemandZeroRoundTripsEveryProtectionInEveryMode),
            XTEST_ENTRY(ZeroIsFreeAndPresentIsHardware), XTEST_ENTRY(TransitionKeepsTheFrameOfEachWidth),
            XTEST_ENTRY(PageFileOffsetsFitTheirWidth), XTEST_ENTRY(PrototypeBitWins),
            XTEST_ENTRY(ProtectionsGiveHardwareFlags));

XTEST_HOST_MAIN(&MmhSoftwarePteSuite)

/* Page-map operations of the four paging modes: self-map addresses per level, leaf entries, register checks. */
#include <mmhl.h>

#include <tests/kernel_suites.h>

XTEST(Pml2SelfMapAddresses) {
    PCMMH_PAGE_MAP_OPS Ops = &MmhPml2Ops;
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 1), 0xC0000000);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFC00000, 1), 0xC0000000 + (0xFFC00000 >> 12) * 4);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFC00000, 2), 0xC0300000 + 0x3FF * 4);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0x80801234, 2), 0xC0300000 + 0x202 * 4);
    /* The self-map entry maps the page directory itself. */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(MM_PML2_PDE_BASE, 1), MM_PML2_PDE_BASE + MM_PML2_SELFMAP_INDEX * 4);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0x1000, 3), 0);
    XTEST_CHECK_EQ(Ops->EntrySize, 4);
    XTEST_CHECK_EQ(Ops->NoExecuteBit, 0);
}

XTEST(Pml3SelfMapAddresses) {
    PCMMH_PAGE_MAP_OPS Ops = &MmhPml3Ops;
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0x80800000, 1), 0xC0000000 + (0x80800000ull >> 12) * 8);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0x80800000, 2), MM_PML3_PDE_BASE + (0x80800000ull >> 21) * 8);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFC00000, 2), 0xC0600000 + 0x7FE * 8); /* PD[3] slot 0x1FE */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0x80800000, 3), 0);                      /* the PDPT has no self-map VA */
    XTEST_CHECK_EQ(Ops->Levels, 2);
}

XTEST(Pml4SelfMapAddresses) {
    PCMMH_PAGE_MAP_OPS Ops = &MmhPml4Ops;
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 1), 0xFFFFF68000000000ull);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 2), 0xFFFFF6FB40000000ull); /* NT's PDE base */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 3), 0xFFFFF6FB7DA00000ull); /* PPE base */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 4), 0xFFFFF6FB7DBED000ull); /* PXE base */
    /* Kernel base: PML4 slot 0x1F0. */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFFFF80800000000ull, 4), 0xFFFFF6FB7DBED000ull + 0x1F0 * 8);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFFFF80800000000ull, 1),
                   0xFFFFF68000000000ull + ((0xFFFFF80800000000ull & 0xFFFFFFFFFFFFull) >> 12) * 8);
    /* The HAL window: PML4 511, PDPT 511, PD 510. */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(MM_HAL_WINDOW_BASE_AMD64, 4), 0xFFFFF6FB7DBED000ull + 511 * 8);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(MM_HAL_WINDOW_BASE_AMD64, 2),
                   0xFFFFF6FB40000000ull + ((MM_HAL_WINDOW_BASE_AMD64 & 0xFFFFFFFFFFFFull) >> 21) * 8);
    /* The top-level entry of the self-map slot points at the PML4 itself. */
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFFFF6FB7DBED000ull, 1), 0xFFFFF6FB7DBED000ull + 0x1ED * 8);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 5), 0);
}

XTEST(Pml5SelfMapAddresses) {
    PCMMH_PAGE_MAP_OPS Ops = &MmhPml5Ops;
    ULONGLONG Top = 0xFFED000000000000ull;
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 1), Top);
    for (ULONG Level = 2; Level <= 5; Level++) {
        ULONGLONG Base = Ops->GetEntryAddress(0, Level);
        /* Each level's base is the previous level's entry for the previous base. */
        XTEST_CHECK_EQ(Base, Ops->GetEntryAddress(Ops->GetEntryAddress(0, Level - 1), 1));
    }
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0, 5), 0xFFEDF6FB7DBED000ull);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFFFF80800000000ull, 5), 0xFFEDF6FB7DBED000ull + 511 * 8);
    XTEST_CHECK_EQ(Ops->GetEntryAddress(0xFFFFF80800000000ull, 4),
                   Ops->GetEntryAddress(0, 4) + (511ull * 512 + 0x1F0) * 8);
}

XTEST(LeafEntries) {
    XTEST_CHECK_EQ(MmhPml2Ops.MakeLeafEntry(0x12345, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE), 0x12345003);
    XTEST_CHECK_EQ(MmhPml2Ops.MakeLeafEntry(0x12345, 0), 0x12345001);
    XTEST_CHECK_EQ(MmhPml3Ops.MakeLeafEntry(0xFFFFFF, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE), 0x8000000FFFFFF003ull);
    XTEST_CHECK_EQ(MmhPml4Ops.MakeLeafEntry(0xFFFFFFFFFFull, MMH_MAP_WRITABLE), 0x000FFFFFFFFFF003ull);
    XTEST_CHECK_EQ(MmhPml5Ops.MakeLeafEntry(1, MMH_MAP_NO_EXECUTE), 0x8000000000001001ull);
    /* Device registers: PCD and PWT (bits 4 and 3), uncached with the power-on PAT, in every mode. */
    XTEST_CHECK_EQ(MmhPml2Ops.MakeLeafEntry(0x12345, MMH_MAP_WRITABLE | MMH_MAP_NO_CACHE), 0x1234501B);
    XTEST_CHECK_EQ(MmhPml3Ops.MakeLeafEntry(1, MMH_MAP_NO_CACHE), 0x1019);
    XTEST_CHECK_EQ(MmhPml4Ops.MakeLeafEntry(1, MMH_MAP_WRITABLE | MMH_MAP_NO_CACHE | MMH_MAP_NO_EXECUTE),
                   0x800000000000101Bull);
    XTEST_CHECK_EQ(MmhPml5Ops.MakeLeafEntry(1, MMH_MAP_NO_CACHE), 0x1019);
    XTEST_CHECK_EQ(MmhPml2Ops.MaxPfn, 0xFFFFF);
}

XTEST(RegisterChecks) {
    ULONG_PTR Pg = CR0_PG;
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml2Ops, Pg, 0, 0, FALSE), MmhModeOk);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml2Ops, Pg, CR4_PAE, 0, FALSE), MmhModeCr4Unexpected);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml2Ops, 0, 0, 0, FALSE), MmhModePagingOff);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml3Ops, Pg, CR4_PAE, EFER_NXE, TRUE), MmhModeOk);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml3Ops, Pg, 0, 0, TRUE), MmhModeCr4Missing);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml3Ops, Pg, CR4_PAE, EFER_LMA, TRUE), MmhModeLongMode);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml4Ops, Pg, CR4_PAE, EFER_LMA | EFER_LME, TRUE), MmhModeOk);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml4Ops, Pg, CR4_PAE | CR4_LA57, EFER_LMA, TRUE), MmhModeCr4Unexpected);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml4Ops, Pg, CR4_PAE, 0, TRUE), MmhModeLongMode);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml5Ops, Pg, CR4_PAE | CR4_LA57, EFER_LMA, TRUE), MmhModeOk);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(&MmhPml5Ops, Pg, CR4_PAE, EFER_LMA, TRUE), MmhModeCr4Missing);
    XTEST_CHECK_EQ(MmhCheckPagingRegisters(NULL, Pg, 0, 0, FALSE), MmhModeUnknown);
}

XTEST_SUITE(MmhPageMapSuite, XTEST_ENTRY(Pml2SelfMapAddresses), XTEST_ENTRY(Pml3SelfMapAddresses),
            XTEST_ENTRY(Pml4SelfMapAddresses), XTEST_ENTRY(Pml5SelfMapAddresses), XTEST_ENTRY(LeafEntries),
            XTEST_ENTRY(RegisterChecks));

XTEST_HOST_MAIN(&MmhPageMapSuite)

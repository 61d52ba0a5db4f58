/* XTLDR test modes: the firmware side (reservations, table frames) and the hand-off adjustments. */
#include "config.h"
#include "fail.h"
#include "memmap.h"
#include "testmap.h"
#include "testmode.h"
#include "xtldr.h"

VOID BlTestReadModes(PCSTR Parameters, PBL_TEST_MODES Test) {
    RtlZeroMemory(Test, sizeof(*Test));
    Test->PageTablesInDatabase = BlConfigHasParameter(Parameters, "TESTPTDB");
    Test->PageTablesFree = Test->PageTablesInDatabase || BlConfigHasParameter(Parameters, "TESTPTFREE");
    Test->DescriptorStride = sizeof(XT_MEMORY_DESCRIPTOR);
    if (BlConfigHasParameter(Parameters, "TESTDESCSTRIDE")) {
        Test->DescriptorStride += BL_TEST_DESCRIPTOR_PADDING;
    }
    Test->DescriptorCountClaimed = BlConfigHasParameter(Parameters, "TESTDESCCOUNT");
}

/* Conventional memory below 4 GiB in the firmware's current map: the largest range ([*Base, +pages), the first on
 * a tie, as the kernel chooses) and the largest range above it (*Above pages). Returns the pages of the largest. */
static ULONGLONG BlpFindLowFreeRanges(EFI_BOOT_SERVICES *BootServices, PULONGLONG Base, PULONGLONG Above) {
    UINTN Size = 0, Key, DescriptorSize;
    ULONG Version;
    PUCHAR Map = NULL;
    ULONGLONG Largest = 0;

    *Above = 0;
    if (BootServices->GetMemoryMap(&Size, NULL, &Key, &DescriptorSize, &Version) != EFI_BUFFER_TOO_SMALL ||
        BootServices->AllocatePool(EfiLoaderData, Size + 16 * DescriptorSize, (PVOID *)&Map) != EFI_SUCCESS) {
        return 0;
    }
    Size += 16 * DescriptorSize;
    if (BootServices->GetMemoryMap(&Size, (PEFI_MEMORY_DESCRIPTOR)Map, &Key, &DescriptorSize, &Version) !=
        EFI_SUCCESS) {
        Size = 0;
    }
    for (ULONG Pass = 0; Pass < 2; Pass++) {
        for (UINTN Offset = 0; Offset + DescriptorSize <= Size; Offset += DescriptorSize) {
            const EFI_MEMORY_DESCRIPTOR *Descriptor = (const EFI_MEMORY_DESCRIPTOR *)(Map + Offset);
            ULONGLONG First = Descriptor->PhysicalStart / MM_PAGE_SIZE, Last = First + Descriptor->NumberOfPages;
            Last = Last > BL_TEST_LOW_PFN_LIMIT ? BL_TEST_LOW_PFN_LIMIT : Last;
            if (Descriptor->Type != EfiConventionalMemory || Last <= First) {
                continue;
            }
            if (Pass == 0 && Last - First > Largest) {
                Largest = Last - First;
                *Base = First;
            } else if (Pass == 1 && First >= *Base + Largest && Last - First > *Above) {
                *Above = Last - First;
            }
        }
    }
    BootServices->FreePool(Map);
    return Largest;
}

EFI_STATUS BlTestReserveTableBlock(EFI_BOOT_SERVICES *BootServices, PBL_TEST_MODES Test) {
    ULONGLONG Base = 0, Above, Pages = BlpFindLowFreeRanges(BootServices, &Base, &Above);
    ULONGLONG Margin = BL_TEST_TABLE_BLOCK_MARGIN / MM_PAGE_SIZE;
    EFI_PHYSICAL_ADDRESS Block;

    /* The firmware allocates top-down from the highest free range that fits. With a large free range above, the
     * loader's later allocations land there and the block can sit right at the top of the largest range. Without
     * one they land above the block: leave them room, and keep at least three quarters of the range below. */
    if (Above >= Margin) {
        Margin = 0;
    } else if (Pages < 4 * Margin) {
        Margin = Pages / 4;
    }
    if (Pages < Margin + 4 * BL_TEST_TABLE_BLOCK_PAGES) {
        return BlFail(EFI_OUT_OF_RESOURCES, "TESTPTDB: no free range below 4 GiB large enough (%llu pages)", Pages);
    }
    Block = (Base + Pages - Margin - BL_TEST_TABLE_BLOCK_PAGES) * MM_PAGE_SIZE;
    if (BootServices->AllocatePages(AllocateAddress, (EFI_MEMORY_TYPE)BL_EFI_PAGE_TABLES, BL_TEST_TABLE_BLOCK_PAGES,
                                    &Block) != EFI_SUCCESS) {
        return BlFail(EFI_OUT_OF_RESOURCES, "TESTPTDB: cannot reserve %u table frames at 0x%llx",
                      BL_TEST_TABLE_BLOCK_PAGES, (ULONGLONG)Block);
    }
    Test->TableBlock = Block;
    return EFI_SUCCESS;
}

ULONGLONG BlTestAllocateTable(PBL_TEST_MODES Test) {
    ULONGLONG Frame;

    if (Test->TableBlockUsed == BL_TEST_TABLE_BLOCK_PAGES) {
        return 0;
    }
    Test->TableBlockUsed++;
    Frame = Test->TableBlock + (ULONGLONG)(BL_TEST_TABLE_BLOCK_PAGES - Test->TableBlockUsed) * MM_PAGE_SIZE;
    RtlZeroMemory((PVOID)(ULONG_PTR)Frame, MM_PAGE_SIZE);
    return Frame;
}

ULONG BlTestDescriptorCapacity(const BL_TEST_MODES *Test, SIZE_T Bytes) {
    return (ULONG)(Bytes / Test->DescriptorStride) - 1;
}

EFI_STATUS BlTestAdjustMemoryMap(PBL_TEST_MODES Test, PXT_MEMORY_DESCRIPTOR Descriptors, PULONG Count, ULONG Capacity,
                                 PULONG DescriptorSize) {
    XTSTATUS Status;

    if (Test->PageTablesInDatabase) {
        Status = BlTestPutFramesAtTop(Descriptors, Count, Capacity, Test->TableBlock / MM_PAGE_SIZE,
                                      BL_TEST_TABLE_BLOCK_PAGES, &Test->TableRange);
        if (!XT_SUCCESS(Status)) {
            return BlFail(EFI_LOAD_ERROR,
                          "TESTPTDB: the table frames at 0x%llx cannot top the largest free range (status 0x%x)",
                          Test->TableBlock, (ULONG)Status);
        }
    }
    Test->RamPages = BlTestCountRamPages(Descriptors, *Count, sizeof(XT_MEMORY_DESCRIPTOR));
    if (Test->DescriptorStride != sizeof(XT_MEMORY_DESCRIPTOR)) {
        BlTestSpreadDescriptors(Descriptors, *Count, Test->DescriptorStride, BL_TEST_DESCRIPTOR_POISON);
    }
    *DescriptorSize = Test->DescriptorStride;
    if (Test->DescriptorCountClaimed) {
        *Count = BL_TEST_DESCRIPTOR_CLAIM;
    }
    return EFI_SUCCESS;
}

VOID BlTestReport(const BL_TEST_MODES *Test, ULONG DescriptorCount) {
    if (Test->PageTablesInDatabase) {
        ULONGLONG Top = Test->TableRange.BasePage + Test->TableRange.PageCount;
        BlPrint("XTLDR: TESTPTDB: %u page-table frames (reported free) at PFN 0x%llx-0x%llx, the top of the "
                "largest free range, PFN 0x%llx-0x%llx (%llu pages)\n",
                Test->TableBlockUsed, Top - Test->TableBlockUsed, Top - 1, Test->TableRange.BasePage, Top - 1,
                Test->TableRange.PageCount);
    }
    if (Test->DescriptorCountClaimed) {
        BlPrint("XTLDR: TESTDESCCOUNT: the init block claims %u descriptors\n", DescriptorCount);
    }
    if (Test->DescriptorStride != sizeof(XT_MEMORY_DESCRIPTOR)) {
        BlPrint("XTLDR: TESTDESCSTRIDE: %u descriptors %u bytes apart (%u + %u bytes of 0x%02x) "
                "handed_ram_pages=%llu\n",
                DescriptorCount, Test->DescriptorStride, (ULONG)sizeof(XT_MEMORY_DESCRIPTOR),
                Test->DescriptorStride - (ULONG)sizeof(XT_MEMORY_DESCRIPTOR), BL_TEST_DESCRIPTOR_POISON,
                Test->RamPages);
    }
}

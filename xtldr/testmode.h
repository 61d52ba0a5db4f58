/* XTLDR test modes (kernel parameters read by the loader): TESTPTFREE and TESTPTDB report the page-table frames
 * as free, TESTPTDB also places them where the kernel builds its PFN database, TESTDESCSTRIDE hands over memory
 * descriptors at a larger stride than the structure. Each is a legal hand-off that a kernel bug would trip on.
 * TESTDESCCOUNT claims far more descriptors than any kernel accepts: the kernel must refuse the map, not read it. */
#ifndef XTLDR_TESTMODE_H
#define XTLDR_TESTMODE_H

#include <xtboot.h>
#include <xtuefi.h>

#define BL_TEST_TABLE_BLOCK_PAGES  64            /* TESTPTDB: frames reserved for page tables */
#define BL_TEST_TABLE_BLOCK_MARGIN (16ull << 20) /* ... this far below the top of their free range */
#define BL_TEST_DESCRIPTOR_CLAIM   0x10000       /* TESTDESCCOUNT: the descriptor count the init block claims */

typedef struct _BL_TEST_MODES {
    BOOLEAN PageTablesFree;          /* TESTPTFREE or TESTPTDB: page-table frames reported LoaderFree */
    BOOLEAN PageTablesInDatabase;    /* TESTPTDB */
    ULONG DescriptorStride;          /* bytes per descriptor handed over: sizeof, or more with TESTDESCSTRIDE */
    BOOLEAN DescriptorCountClaimed;  /* TESTDESCCOUNT: MemoryDescriptorCount = BL_TEST_DESCRIPTOR_CLAIM */
    ULONGLONG TableBlock;            /* TESTPTDB: physical base of the reserved table frames, 0 before */
    ULONG TableBlockUsed;            /* frames given out, from the top of the block down */
    XT_MEMORY_DESCRIPTOR TableRange; /* TESTPTDB: the free range the tables top, after the hand-off map is built */
    ULONGLONG RamPages;              /* TESTDESCSTRIDE: pages the kernel should count as RAM */
} BL_TEST_MODES, *PBL_TEST_MODES;

/* Reads the test parameters from the boot entry's kernel parameters. */
VOID BlTestReadModes(PCSTR Parameters, PBL_TEST_MODES Test);

/* TESTPTDB: reserves BL_TEST_TABLE_BLOCK_PAGES frames in the largest free range below 4 GiB, far enough below
 * its top that the loader's later allocations land above them, so that the range below stays free. */
EFI_STATUS BlTestReserveTableBlock(EFI_BOOT_SERVICES *BootServices, PBL_TEST_MODES Test);

/* TESTPTDB: the next page-table frame from the block (zeroed), from the top down; 0 when the block is used up. */
ULONGLONG BlTestAllocateTable(PBL_TEST_MODES Test);

/* Descriptors the init block's area (Bytes long) holds at the test stride, with one spare for a TESTPTDB split. */
ULONG BlTestDescriptorCapacity(const BL_TEST_MODES *Test, SIZE_T Bytes);

/* Applies the test modes to the converted memory map (packed descriptors): TESTPTDB puts the table block on top of
 * the largest free range, TESTDESCSTRIDE spreads the array to the test stride, TESTDESCCOUNT overstates *Count (the
 * array itself is unchanged). Sets *DescriptorSize. Runs after
 * ExitBootServices (fails through BlFail, serial only). */
EFI_STATUS BlTestAdjustMemoryMap(PBL_TEST_MODES Test, PXT_MEMORY_DESCRIPTOR Descriptors, PULONG Count, ULONG Capacity,
                                 PULONG DescriptorSize);

/* Prints one line per active test mode (before the hand-off report). */
VOID BlTestReport(const BL_TEST_MODES *Test, ULONG DescriptorCount);

#endif

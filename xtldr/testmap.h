/* XTLDR test modes on the kernel's memory map: legal but unusual hand-offs that make kernel bugs show. Pure
 * functions on the converted descriptors, host-tested; the firmware side is in testmode.c. */
#ifndef XTLDR_TESTMAP_H
#define XTLDR_TESTMAP_H

#include <xtboot.h>
#include <xtstatus.h>

#define BL_TEST_DESCRIPTOR_PADDING 16          /* TESTDESCSTRIDE: bytes after each descriptor */
#define BL_TEST_DESCRIPTOR_POISON  0xA5        /* ... filled with this byte */
#define BL_TEST_LOW_PFN_LIMIT      0x100000ull /* the kernel's page tables come from below 4 GiB */

/* TESTPTDB: with frames [First, First + Pages) reported free, makes them the top of the free range the kernel
 * carves its PFN database from: the largest free range, the first one on a tie, overall and below 4 GiB
 * (xtoskrnl/mm/pfn). Free frames above them in the same range are reported LoaderFirmwareTemporary instead (a
 * legal, conservative report; they are reclaimed later). *Range receives the free range they now top.
 * Fails: STATUS_NOT_FOUND when the frames are not inside one free range, STATUS_UNSUCCESSFUL when that range is not
 * the largest, STATUS_BUFFER_TOO_SMALL when a split needs a descriptor beyond Capacity. */
XTSTATUS BlTestPutFramesAtTop(PXT_MEMORY_DESCRIPTOR Descriptors, PULONG Count, ULONG Capacity, ULONGLONG First,
                              ULONGLONG Pages, PXT_MEMORY_DESCRIPTOR Range);

/* TESTDESCSTRIDE: spreads Count descriptors, packed at sizeof(XT_MEMORY_DESCRIPTOR), to Stride bytes each (Stride
 * larger than the structure), filling the bytes after each with Poison. The buffer must hold Count * Stride bytes. */
VOID BlTestSpreadDescriptors(PVOID Descriptors, ULONG Count, ULONG Stride, UCHAR Poison);

/* The pages the kernel counts as its RAM (XTOS-REPORT ram_pages): every descriptor except LoaderBad,
 * LoaderFirmwarePermanent, LoaderSpecialMemory and LoaderXIPRom; descriptors Stride bytes apart. */
ULONGLONG BlTestCountRamPages(PCVOID Descriptors, ULONG Count, ULONG Stride);

#endif

/* Synthetic ACPI tables for the Hl ACPI suites: one fake physical memory at TEST_ACPI_BASE, reached through
 * HL_ACPI_ACCESS as the kernel reaches the HAL window, and the helpers that write tables into it. */
#ifndef XTOSKRNL_TESTS_ACPI_FAKE_H
#define XTOSKRNL_TESTS_ACPI_FAKE_H

#include <acpi.h>

#define TEST_ACPI_BASE 0x1000
#define TEST_ACPI_SIZE 0x3000

typedef struct _TEST_ACPI_MEMORY {
    UCHAR Bytes[TEST_ACPI_SIZE];
    LONG Mapped; /* maps minus unmaps: must return to 0 */
} TEST_ACPI_MEMORY;

extern TEST_ACPI_MEMORY TestAcpiMemory;
extern const HL_ACPI_ACCESS TestAcpiAccess;

/* Zeroes the memory and the mapping count. */
VOID TestAcpiReset(VOID);

/* The byte at physical address Pa. */
PUCHAR TestAcpiAt(ULONG Pa);

/* Little-endian stores at Pa. */
VOID TestAcpiPut16(ULONG Pa, USHORT Value);
VOID TestAcpiPut32(ULONG Pa, ULONG Value);
VOID TestAcpiPut64(ULONG Pa, ULONGLONG Value);

/* Makes the Length bytes at Pa sum to 0 by adjusting the byte at ChecksumPa. */
VOID TestAcpiChecksum(ULONG Pa, ULONG Length, ULONG ChecksumPa);

/* A table header at Pa: signature, length and revision. */
VOID TestAcpiHeader(ULONG Pa, PCSTR Signature, ULONG Length, UCHAR Revision);

#endif

/* Fake physical memory for the ACPI fuzz targets, served through HL_ACPI_ACCESS: the input bytes start at physical
 * FUZZ_ACPI_MEMORY_BASE. Each mapping is a separate heap block of exactly the mapped length (a read past it is an
 * ASan report); every unmap must match a live mapping with its length. Optionally the accessor fixes the checksums of
 * what it maps (the RSDP's two, a table's one), so the fuzzer gets past them. */
#ifndef TESTING_FUZZ_ACPI_FAKE_H
#define TESTING_FUZZ_ACPI_FAKE_H

#include <acpi.h>

#define FUZZ_ACPI_MEMORY_BASE  0x1000ull
#define FUZZ_ACPI_MAX_MAPPINGS 8

typedef struct _FUZZ_ACPI_MEMORY {
    const UCHAR *Bytes;
    SIZE_T Size;
    BOOLEAN FixChecksums;
    ULONGLONG Rsdp;
    PVOID Live[FUZZ_ACPI_MAX_MAPPINGS];
    SIZE_T LiveLength[FUZZ_ACPI_MAX_MAPPINGS];
} FUZZ_ACPI_MEMORY;

/* HL_ACPI_ACCESS.Map / .Unmap over a FUZZ_ACPI_MEMORY (Context). */
XTSTATUS FuzzAcpiMap(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va);
VOID FuzzAcpiUnmap(PVOID Context, PVOID Va, SIZE_T Length);

/* Aborts unless every mapping was undone. */
VOID FuzzAcpiCheckNoLiveMappings(const FUZZ_ACPI_MEMORY *Memory);

#endif

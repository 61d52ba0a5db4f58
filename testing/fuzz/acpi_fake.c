/* Fake physical memory for the ACPI fuzz targets (acpi_fake.h). */
#include <stdlib.h>
#include <string.h>

#include "acpi_fake.h"
#include "fuzz_support.h"

static VOID FixChecksum(PUCHAR Bytes, SIZE_T Length, SIZE_T Slot) {
    UCHAR Sum = 0;
    Bytes[Slot] = 0;
    for (SIZE_T Index = 0; Index < Length; Index++) {
        Sum = (UCHAR)(Sum + Bytes[Index]);
    }
    Bytes[Slot] = (UCHAR)(0x100 - Sum);
}

XTSTATUS FuzzAcpiMap(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    FUZZ_ACPI_MEMORY *Memory = Context;
    PUCHAR Copy;
    ULONG Slot = 0;

    FUZZ_CHECK(Length > 0 && Length <= ACPI_MAX_TABLE_LENGTH);
    if (Address < FUZZ_ACPI_MEMORY_BASE || Address - FUZZ_ACPI_MEMORY_BASE > Memory->Size ||
        Length > Memory->Size - (Address - FUZZ_ACPI_MEMORY_BASE)) {
        return STATUS_INVALID_PARAMETER;
    }
    while (Slot < FUZZ_ACPI_MAX_MAPPINGS && Memory->Live[Slot] != NULL) {
        Slot++;
    }
    FUZZ_CHECK(Slot < FUZZ_ACPI_MAX_MAPPINGS); /* the walk never holds more than a few mappings at once */
    Copy = malloc(Length);
    memcpy(Copy, Memory->Bytes + (Address - FUZZ_ACPI_MEMORY_BASE), Length);
    if (Memory->FixChecksums && Address == Memory->Rsdp && Length == 36) {
        FixChecksum(Copy, 20, 8);
        FixChecksum(Copy, 36, 32);
    } else if (Memory->FixChecksums && Length >= ACPI_SDT_HEADER_SIZE &&
               Length == ((ULONG)Copy[4] | (ULONG)Copy[5] << 8 | (ULONG)Copy[6] << 16 | (ULONG)Copy[7] << 24)) {
        FixChecksum(Copy, Length, 9);
    }
    Memory->Live[Slot] = Copy;
    Memory->LiveLength[Slot] = Length;
    *Va = Copy;
    return STATUS_SUCCESS;
}

VOID FuzzAcpiUnmap(PVOID Context, PVOID Va, SIZE_T Length) {
    FUZZ_ACPI_MEMORY *Memory = Context;

    for (ULONG Slot = 0; Slot < FUZZ_ACPI_MAX_MAPPINGS; Slot++) {
        if (Memory->Live[Slot] == Va) {
            FUZZ_CHECK(Memory->LiveLength[Slot] == Length); /* unmapped with the length it was mapped with */
            free(Va);
            Memory->Live[Slot] = NULL;
            return;
        }
    }
    FUZZ_CHECK(!"unmap of an address that is not mapped");
}

VOID FuzzAcpiCheckNoLiveMappings(const FUZZ_ACPI_MEMORY *Memory) {
    for (ULONG Slot = 0; Slot < FUZZ_ACPI_MAX_MAPPINGS; Slot++) {
        FUZZ_CHECK(Memory->Live[Slot] == NULL); /* every mapping was undone */
    }
}

/* ACPI S5 search (xtoskrnl/hl/acpi.c) over a fake physical memory made of the input, through its accessor. Each
 * mapping is a separate heap block of exactly the mapped length, so any read past what was mapped is an ASan report;
 * every unmap must match a live mapping, and none may be left at the end. Input: a mode byte (bit 0: the accessor
 * fixes the checksum of what it maps, so the fuzzer gets past them; bit 1: the RSDP is at a fuzzed address), then
 * the memory, which starts at physical 0x1000 (the RSDP's default place). The AML scanner also gets the raw input. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"
#include <acpi.h>

#define MEMORY_BASE  0x1000ull
#define MAX_MAPPINGS 8

typedef struct _FAKE_MEMORY {
    const UCHAR *Bytes;
    SIZE_T Size;
    BOOLEAN FixChecksums;
    ULONGLONG Rsdp;
    PVOID Live[MAX_MAPPINGS];
    SIZE_T LiveLength[MAX_MAPPINGS];
    ULONG Maps;
} FAKE_MEMORY;

static VOID FixChecksum(PUCHAR Bytes, SIZE_T Length, SIZE_T Slot) {
    UCHAR Sum = 0;
    Bytes[Slot] = 0;
    for (SIZE_T Index = 0; Index < Length; Index++) {
        Sum = (UCHAR)(Sum + Bytes[Index]);
    }
    Bytes[Slot] = (UCHAR)(0x100 - Sum);
}

static XTSTATUS FakeMap(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    FAKE_MEMORY *Memory = Context;
    PUCHAR Copy;
    ULONG Slot = 0;

    FUZZ_CHECK(Length > 0 && Length <= ACPI_MAX_TABLE_LENGTH);
    if (Address < MEMORY_BASE || Address - MEMORY_BASE > Memory->Size ||
        Length > Memory->Size - (Address - MEMORY_BASE)) {
        return STATUS_INVALID_PARAMETER;
    }
    while (Slot < MAX_MAPPINGS && Memory->Live[Slot] != NULL) {
        Slot++;
    }
    FUZZ_CHECK(Slot < MAX_MAPPINGS); /* the walk never holds more than a few mappings at once */
    Copy = malloc(Length);
    memcpy(Copy, Memory->Bytes + (Address - MEMORY_BASE), Length);
    if (Memory->FixChecksums && Address == Memory->Rsdp && Length == 36) {
        FixChecksum(Copy, 20, 8);
        FixChecksum(Copy, 36, 32);
    } else if (Memory->FixChecksums && Length >= ACPI_SDT_HEADER_SIZE &&
               Length == ((ULONG)Copy[4] | (ULONG)Copy[5] << 8 | (ULONG)Copy[6] << 16 | (ULONG)Copy[7] << 24)) {
        FixChecksum(Copy, Length, 9);
    }
    Memory->Live[Slot] = Copy;
    Memory->LiveLength[Slot] = Length;
    Memory->Maps++;
    *Va = Copy;
    return STATUS_SUCCESS;
}

static VOID FakeUnmap(PVOID Context, PVOID Va, SIZE_T Length) {
    FAKE_MEMORY *Memory = Context;

    for (ULONG Slot = 0; Slot < MAX_MAPPINGS; Slot++) {
        if (Memory->Live[Slot] == Va) {
            FUZZ_CHECK(Memory->LiveLength[Slot] == Length); /* unmapped with the length it was mapped with */
            free(Va);
            Memory->Live[Slot] = NULL;
            return;
        }
    }
    FUZZ_CHECK(!"unmap of an address that is not mapped");
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    FAKE_MEMORY Memory;
    HL_ACPI_ACCESS Access = {&Memory, FakeMap, FakeUnmap};
    HL_ACPI_S5_INFO Info;
    FUZZ_INPUT Input = {Data, Size};
    UCHAR Mode = FuzzTake8(&Input), SlpTypA = 0xEE, SlpTypB = 0xEE;
    PUCHAR Aml;
    XTSTATUS Status;

    memset(&Memory, 0, sizeof(Memory));
    Memory.FixChecksums = (BOOLEAN)(Mode & 1);
    Memory.Rsdp = (Mode & 2) ? MEMORY_BASE + FuzzTake16(&Input) : MEMORY_BASE;
    Memory.Bytes = Input.Data;
    Memory.Size = Input.Size;
    Status = HlAcpiFindS5(&Access, Memory.Rsdp, &Info);
    for (ULONG Slot = 0; Slot < MAX_MAPPINGS; Slot++) {
        FUZZ_CHECK(Memory.Live[Slot] == NULL); /* every mapping was undone */
    }
    FUZZ_CHECK(memchr(Info.Error, '\0', sizeof(Info.Error)) != NULL);
    if (XT_SUCCESS(Status)) {
        FUZZ_CHECK(Status == STATUS_SUCCESS && Info.Error[0] == '\0');
        FUZZ_CHECK(Info.Pm1aControl >= 1 && Info.Pm1aControl <= 0xFFFF && Info.Pm1bControl <= 0xFFFF);
        FUZZ_CHECK(Info.SlpTypA <= 7 && Info.SlpTypB <= 7);
    } else {
        FUZZ_CHECK(Info.Error[0] != '\0');
    }

    Aml = malloc(Input.Size ? Input.Size : 1);
    memcpy(Aml, Input.Data, Input.Size);
    Status = HlAcpiParseS5Package(Aml, Input.Size, &SlpTypA, &SlpTypB);
    FUZZ_CHECK(Status == STATUS_SUCCESS || Status == STATUS_NOT_FOUND || Status == STATUS_DATA_ERROR);
    FUZZ_CHECK(Status == STATUS_SUCCESS ? (SlpTypA <= 7 && SlpTypB <= 7) : (SlpTypA == 0xEE && SlpTypB == 0xEE));
    free(Aml);
    return 0;
}

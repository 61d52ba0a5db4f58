/* ACPI S5 search (xtoskrnl/hl/acpi.c) over a fake physical memory made of the input, through its accessor. Each
 * mapping is a separate heap block of exactly the mapped length, so any read past what was mapped is an ASan report;
 * every unmap must match a live mapping, and none may be left at the end. Input: a mode byte (bit 0: the accessor
 * fixes the checksum of what it maps, so the fuzzer gets past them; bit 1: the RSDP is at a fuzzed address), then
 * the memory, which starts at physical 0x1000 (the RSDP's default place). The AML scanner also gets the raw input. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "acpi_fake.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    FUZZ_ACPI_MEMORY Memory;
    HL_ACPI_ACCESS Access = {&Memory, FuzzAcpiMap, FuzzAcpiUnmap};
    HL_ACPI_S5_INFO Info;
    FUZZ_INPUT Input = {Data, Size};
    UCHAR Mode = FuzzTake8(&Input), SlpTypA = 0xEE, SlpTypB = 0xEE;
    PUCHAR Aml;
    XTSTATUS Status;

    memset(&Memory, 0, sizeof(Memory));
    Memory.FixChecksums = (BOOLEAN)(Mode & 1);
    Memory.Rsdp = (Mode & 2) ? FUZZ_ACPI_MEMORY_BASE + FuzzTake16(&Input) : FUZZ_ACPI_MEMORY_BASE;
    Memory.Bytes = Input.Data;
    Memory.Size = Input.Size;
    Status = HlAcpiFindS5(&Access, Memory.Rsdp, &Info);
    FuzzAcpiCheckNoLiveMappings(&Memory);
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

/* MADT, HPET and FADT clock parsing (xtoskrnl/hl/madt.c, acpitime.c) over a fake physical memory made of the input,
 * through the accessor, as acpi_fuzz.c does for S5. Each mapping is a separate heap block of exactly the mapped length,
 * so a read past what was mapped is an ASan report; every unmap must match a live mapping, none may be left at the end.
 * Input: a mode byte (bit 0: the accessor fixes the checksum of the RSDP and of any table it maps whole, so the
 * fuzzer gets past them; bit 1: the RSDP is at a fuzzed offset), then the memory, which starts at physical 0x1000 (the
 * RSDP's default place). The three Parse functions also get the raw memory as a table of exactly its size, and the
 * results are checked against the invariants acpi.h promises. Seeds: madt_seeds.c. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "acpi_fake.h"
#include "fuzz_support.h"

/* The error message contract shared by every *_INFO: terminated; empty exactly on success. */
static VOID CheckError(XTSTATUS Status, const CHAR *Error) {
    FUZZ_CHECK(memchr(Error, '\0', HL_ACPI_ERROR_SIZE) != NULL);
    FUZZ_CHECK(XT_SUCCESS(Status) ? (Status == STATUS_SUCCESS && Error[0] == '\0') : Error[0] != '\0');
}

static VOID CheckCount(ULONG Count, ULONG Total, ULONG Capacity, BOOLEAN Truncated) {
    FUZZ_CHECK(Count <= Capacity && Count <= Total);
    FUZZ_CHECK(Total == Count || Truncated);
}

static VOID CheckMadt(XTSTATUS Status, const HL_MADT_INFO *Info) {
    HL_ACPI_IRQ_ROUTE Route;

    CheckError(Status, Info->Error);
    CheckCount(Info->ProcessorCount, Info->ProcessorTotal, HL_MADT_MAX_PROCESSORS, Info->Truncated);
    CheckCount(Info->IoApicCount, Info->IoApicTotal, HL_MADT_MAX_IO_APICS, Info->Truncated);
    CheckCount(Info->OverrideCount, Info->OverrideTotal, HL_MADT_MAX_OVERRIDES, Info->Truncated);
    CheckCount(Info->NmiSourceCount, Info->NmiSourceTotal, HL_MADT_MAX_NMI_SOURCES, Info->Truncated);
    CheckCount(Info->LocalNmiCount, Info->LocalNmiTotal, HL_MADT_MAX_LOCAL_NMIS, Info->Truncated);
    FUZZ_CHECK(!Info->Truncated || Info->ProcessorTotal > HL_MADT_MAX_PROCESSORS ||
               Info->IoApicTotal > HL_MADT_MAX_IO_APICS || Info->OverrideTotal > HL_MADT_MAX_OVERRIDES ||
               Info->NmiSourceTotal > HL_MADT_MAX_NMI_SOURCES || Info->LocalNmiTotal > HL_MADT_MAX_LOCAL_NMIS);
    if (!XT_SUCCESS(Status)) {
        return;
    }
    FUZZ_CHECK(Info->LocalApicAddress != 0);
    FUZZ_CHECK(Info->LocalApicOverridden || Info->LocalApicAddress == Info->LocalApicAddress32);
    for (ULONG Index = 0; Index < Info->ProcessorCount; Index++) {
        const HL_MADT_PROCESSOR *Processor = &Info->Processors[Index];
        FUZZ_CHECK(!Processor->OnlineCapable || (!Processor->Enabled && Info->Revision >= 5));
        FUZZ_CHECK(Processor->X2Apic || (Processor->ApicId <= 0xFF && Processor->ProcessorUid <= 0xFF));
    }
    for (ULONG Index = 0; Index < Info->LocalNmiCount; Index++) {
        const HL_MADT_LOCAL_NMI *Nmi = &Info->LocalNmis[Index];
        FUZZ_CHECK(Nmi->X2Apic || Nmi->ProcessorUid < 0xFF || Nmi->ProcessorUid == ACPI_MADT_ALL_PROCESSORS);
    }
    for (ULONG Irq = 0; Irq < 256; Irq++) {
        XTSTATUS RouteStatus = HlAcpiResolveIsaIrq(Info, (UCHAR)Irq, &Route);
        BOOLEAN Named = FALSE;

        if (Irq > 15) {
            FUZZ_CHECK(RouteStatus == STATUS_INVALID_PARAMETER);
            continue;
        }
        FUZZ_CHECK(RouteStatus == STATUS_SUCCESS);
        for (ULONG Index = 0; Index < Info->OverrideCount; Index++) {
            Named |= Info->Overrides[Index].Bus == 0 && Info->Overrides[Index].SourceIrq == Irq;
        }
        FUZZ_CHECK(Route.Overridden == Named);
        FUZZ_CHECK(Named || (Route.Gsi == Irq && !Route.ActiveLow && !Route.LevelTriggered));
    }
}

static VOID CheckHpet(XTSTATUS Status, const HL_HPET_INFO *Info) {
    CheckError(Status, Info->Error);
    if (XT_SUCCESS(Status)) {
        FUZZ_CHECK(Info->BaseAddress != 0);
        FUZZ_CHECK(Info->ComparatorCount >= 1 && Info->ComparatorCount <= 32);
        FUZZ_CHECK(Info->PageProtection <= 0xF);
    }
}

static VOID CheckFadt(XTSTATUS Status, const HL_FADT_CLOCK_INFO *Info) {
    CheckError(Status, Info->Error);
    if (!XT_SUCCESS(Status)) {
        return;
    }
    FUZZ_CHECK(Info->Length >= ACPI_FADT_V1_LENGTH);
    FUZZ_CHECK(!Info->PmTimerPresent || Info->PmTimerAddress != 0);
    FUZZ_CHECK(Info->PmTimerPresent || (Info->PmTimerAddress == 0 && !Info->PmTimer32Bit && !Info->PmTimerFromX));
    FUZZ_CHECK(Info->PmTimerIsMemory ? Info->PmTimerFromX : Info->PmTimerAddress <= 0xFFFF);
    FUZZ_CHECK(!Info->PmTimerFromX || (Info->Revision >= 3 && Info->Length >= ACPI_FADT_X_PM_TMR_BLK + 12));
    FUZZ_CHECK(!(Info->PmTimerPresent && (Info->Flags & ACPI_FADT_HW_REDUCED_ACPI)));
    FUZZ_CHECK(Info->BootArchValid == (Info->Revision >= 3));
    FUZZ_CHECK(Info->BootArchValid || (Info->BootArch == 0 && Info->Has8042));
    FUZZ_CHECK(Info->Revision >= 5 || Info->CmosRtcPresent);
}

/* Runs the Parse functions on the raw bytes as a table of exactly their size (the header's length is ignored). */
static VOID ParseRaw(const UCHAR *Data, SIZE_T Size) {
    static HL_MADT_INFO Madt;
    HL_HPET_INFO Hpet;
    HL_FADT_CLOCK_INFO Fadt;
    ULONG Length = Size > ACPI_MAX_TABLE_LENGTH ? ACPI_MAX_TABLE_LENGTH : (ULONG)Size;
    PUCHAR Table = malloc(Length ? Length : 1);

    memcpy(Table, Data, Length);
    CheckMadt(HlAcpiParseMadt(Table, Length, &Madt), &Madt);
    CheckHpet(HlAcpiParseHpet(Table, Length, &Hpet), &Hpet);
    CheckFadt(HlAcpiParseFadtClock(Table, Length, &Fadt), &Fadt);
    free(Table);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    static HL_MADT_INFO Madt; /* static: about 1.5 KiB */
    FUZZ_ACPI_MEMORY Memory;
    HL_ACPI_ACCESS Access = {&Memory, FuzzAcpiMap, FuzzAcpiUnmap};
    HL_HPET_INFO Hpet;
    HL_FADT_CLOCK_INFO Fadt;
    FUZZ_INPUT Input = {Data, Size};
    UCHAR Mode = FuzzTake8(&Input);
    XTSTATUS Status;

    memset(&Memory, 0, sizeof(Memory));
    Memory.FixChecksums = (BOOLEAN)(Mode & 1);
    Memory.Rsdp = (Mode & 2) ? FUZZ_ACPI_MEMORY_BASE + FuzzTake16(&Input) : FUZZ_ACPI_MEMORY_BASE;
    Memory.Bytes = Input.Data;
    Memory.Size = Input.Size;

    Status = HlAcpiReadMadt(&Access, Memory.Rsdp, &Madt);
    FuzzAcpiCheckNoLiveMappings(&Memory);
    CheckMadt(Status, &Madt);
    Status = HlAcpiReadHpet(&Access, Memory.Rsdp, &Hpet);
    FuzzAcpiCheckNoLiveMappings(&Memory);
    CheckHpet(Status, &Hpet);
    Status = HlAcpiReadFadtClock(&Access, Memory.Rsdp, &Fadt);
    FuzzAcpiCheckNoLiveMappings(&Memory);
    CheckFadt(Status, &Fadt);

    ParseRaw(Input.Data, Input.Size);
    return 0;
}

/* ACPI power-off (S5) through the PM1 control registers. */
#include <kd.h>
#include <mmhl.h>
#include <xtintrin.h>

#include "acpi.h"
#include "hl.h"

/* HL_ACPI_ACCESS.Map over the HAL window. */
static XTSTATUS HlpMapPhysical(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    return MmhMapPhysicalMemory(Address, Length, Va);
}

/* HL_ACPI_ACCESS.Unmap over the HAL window. */
static VOID HlpUnmapPhysical(PVOID Context, PVOID Va, SIZE_T Length) {
    MmhUnmapPhysicalMemory(Va, Length);
}

/* Enters ACPI mode through SMI_CMD when SCI_EN is clear (firmware may still own the PM registers). */
static VOID HlpEnableAcpiMode(const HL_ACPI_S5_INFO *Info) {
    if ((HlReadPort16((USHORT)Info->Pm1aControl) & ACPI_SCI_EN) || Info->SmiCommand == 0 || Info->AcpiEnable == 0 ||
        Info->SmiCommand > 0xFFFF) {
        return;
    }
    HlWritePort8((USHORT)Info->SmiCommand, Info->AcpiEnable);
    for (ULONG Spin = 0; Spin < 10000000 && !(HlReadPort16((USHORT)Info->Pm1aControl) & ACPI_SCI_EN); Spin++) {
    }
}

/* Writes SLP_TYP | SLP_EN to one PM1 control port, keeping its other bits. */
static VOID HlpWriteSleepControl(ULONG Port, UCHAR SlpTyp) {
    USHORT Value = HlReadPort16((USHORT)Port) & ~(USHORT)(7u << ACPI_SLP_TYP_SHIFT);

    HlWritePort16((USHORT)Port, (USHORT)(Value | (SlpTyp << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN));
}

XTSTATUS HlShutdownSystem(PXT_INIT_BLOCK InitBlock) {
    HL_ACPI_ACCESS Access = {NULL, HlpMapPhysical, HlpUnmapPhysical};
    HL_ACPI_S5_INFO Info;
    XTSTATUS Status;

    if (!MmhIsHalWindowReady()) {
        KdPrint("HL: ACPI power-off impossible: the HAL window has no page table\n");
        return STATUS_NOT_FOUND;
    }
    Status = HlAcpiFindS5(&Access, InitBlock->AcpiRsdp, &Info);
    if (!XT_SUCCESS(Status)) {
        KdPrint("HL: ACPI power-off impossible: %s (status 0x%08x)\n", Info.Error, (ULONG)Status);
        return Status;
    }
    HlpEnableAcpiMode(&Info);
    KdPrint("HL: ACPI S5 via PM1a 0x%x SLP_TYP %u", Info.Pm1aControl, Info.SlpTypA);
    if (Info.Pm1bControl != 0) {
        KdPrint(" PM1b 0x%x SLP_TYP %u", Info.Pm1bControl, Info.SlpTypB);
    }
    KdPrint(" (%s, ACPI %u)\n", Info.UsedXsdt ? "XSDT" : "RSDT", Info.RsdpRevision);
    if (Info.Pm1bControl != 0) {
        HlpWriteSleepControl(Info.Pm1bControl, Info.SlpTypB);
    }
    HlpWriteSleepControl(Info.Pm1aControl, Info.SlpTypA);
    for (ULONG Spin = 0; Spin < 100000000; Spin++) {
        __asm__ volatile("pause");
    }
    KdPrint("HL: ACPI S5 write did not power the machine off\n");
    return STATUS_UNSUCCESSFUL;
}

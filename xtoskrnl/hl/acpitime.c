/* The clock sources' ACPI facts: the HPET table and the FADT's PM timer, RTC century and boot architecture flags
 * (see acpi.h). Every field is read only when the table's length covers it. */
#include <rtl.h>

#include "acpip.h"

XTSTATUS HlAcpiParseHpet(const UCHAR *Table, ULONG Length, PHL_HPET_INFO Info) {
    ULONG BlockId;

    RtlZeroMemory(Info, sizeof(*Info));
    if (Length < ACPI_HPET_LENGTH) {
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "HPET table too short (%u bytes, needs %u)", Length,
                           ACPI_HPET_LENGTH);
    }
    BlockId = HlpRead32(Table + 36);
    Info->EventTimerBlockId = BlockId;
    Info->HardwareRevision = (UCHAR)BlockId;
    Info->ComparatorCount = (UCHAR)(((BlockId >> 8) & 0x1F) + 1);
    Info->Counter64Bit = (BlockId & (1u << 13)) != 0;
    Info->LegacyReplacementCapable = (BlockId & (1u << 15)) != 0;
    Info->VendorId = (USHORT)(BlockId >> 16);
    Info->BaseAddress = HlpRead64(Table + 44);
    Info->HpetNumber = Table[52];
    Info->MinimumTick = HlpRead16(Table + 53);
    Info->PageProtection = Table[55] & 0xF;
    if (Table[40] != ACPI_GAS_SYSTEM_MEMORY) {
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "HPET base is in address space %u, not system memory",
                           Table[40]);
    }
    if (Info->BaseAddress == 0) {
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "HPET base address is 0");
    }
    return STATUS_SUCCESS;
}

XTSTATUS HlAcpiReadHpet(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_HPET_INFO Info) {
    ULONGLONG Address = 0;
    const UCHAR *Table;
    ULONG Length;
    XTSTATUS Status;

    RtlZeroMemory(Info, sizeof(*Info));
    Status = HlpAcpiMapTableBySignature(Access, RsdpAddress, "HPET", Info->Error, &Address, &Table, &Length);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Status = HlAcpiParseHpet(Table, Length, Info);
    Access->Unmap(Access->Context, (PVOID)Table, Length);
    Info->TableAddress = Address;
    return Status;
}

/* The PM timer block: X_PM_TMR_BLK (revision >= 3, inside the table, I/O or memory space, non-zero), else
 * PM_TMR_BLK when PM_TMR_LEN is 4; none on hardware-reduced platforms. */
static VOID HlpReadPmTimer(const UCHAR *Fadt, ULONG Length, PHL_FADT_CLOCK_INFO Info) {
    if (Info->Flags & ACPI_FADT_HW_REDUCED_ACPI) {
        return;
    }
    if (Info->Revision >= 3 && Length >= ACPI_FADT_X_PM_TMR_BLK + 12) {
        const UCHAR *Gas = Fadt + ACPI_FADT_X_PM_TMR_BLK;
        ULONGLONG Address = HlpRead64(Gas + 4);

        if (Address != 0 && (Gas[0] == ACPI_GAS_SYSTEM_MEMORY || (Gas[0] == ACPI_GAS_SYSTEM_IO && Address <= 0xFFFF))) {
            Info->PmTimerAddress = Address;
            Info->PmTimerIsMemory = Gas[0] == ACPI_GAS_SYSTEM_MEMORY;
            Info->PmTimerFromX = TRUE;
            Info->PmTimerPresent = TRUE;
            return;
        }
    }
    if (Fadt[ACPI_FADT_PM_TMR_LEN] == 4 && HlpRead32(Fadt + ACPI_FADT_PM_TMR_BLK) != 0 &&
        HlpRead32(Fadt + ACPI_FADT_PM_TMR_BLK) <= 0xFFFF) {
        Info->PmTimerAddress = HlpRead32(Fadt + ACPI_FADT_PM_TMR_BLK);
        Info->PmTimerPresent = TRUE;
    }
}

XTSTATUS HlAcpiParseFadtClock(const UCHAR *Table, ULONG Length, PHL_FADT_CLOCK_INFO Info) {
    RtlZeroMemory(Info, sizeof(*Info));
    Info->Length = Length;
    if (Length < ACPI_FADT_V1_LENGTH) {
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "FADT too short for its clock fields (%u bytes, needs %u)",
                           Length, ACPI_FADT_V1_LENGTH);
    }
    Info->Revision = Table[8];
    Info->Flags = HlpRead32(Table + ACPI_FADT_FLAGS);
    Info->SciInterrupt = HlpRead16(Table + ACPI_FADT_SCI_INT);
    Info->Century = Table[ACPI_FADT_CENTURY];
    HlpReadPmTimer(Table, Length, Info);
    Info->PmTimer32Bit = Info->PmTimerPresent && (Info->Flags & ACPI_FADT_TMR_VAL_EXT) != 0;
    Info->BootArchValid = Info->Revision >= 3;
    if (Info->BootArchValid) {
        Info->BootArch = HlpRead16(Table + ACPI_FADT_IAPC_BOOT_ARCH);
        if (Info->Revision < 5) {
            Info->BootArch &= (USHORT)~ACPI_BOOT_CMOS_RTC_NOT_PRESENT;
        }
    }
    Info->Has8042 = !Info->BootArchValid || (Info->BootArch & ACPI_BOOT_8042) != 0;
    Info->CmosRtcPresent = (Info->BootArch & ACPI_BOOT_CMOS_RTC_NOT_PRESENT) == 0;
    return STATUS_SUCCESS;
}

XTSTATUS HlAcpiReadFadtClock(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_FADT_CLOCK_INFO Info) {
    ULONGLONG Address = 0;
    const UCHAR *Table;
    ULONG Length;
    XTSTATUS Status;

    RtlZeroMemory(Info, sizeof(*Info));
    Status = HlpAcpiMapTableBySignature(Access, RsdpAddress, "FACP", Info->Error, &Address, &Table, &Length);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Status = HlAcpiParseFadtClock(Table, Length, Info);
    Access->Unmap(Access->Context, (PVOID)Table, Length);
    Info->TableAddress = Address;
    return Status;
}

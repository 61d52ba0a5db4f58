/* ACPI table walk for S5 (see acpi.h). Every read is bounds-checked against the mapped length. */
#include <rtl.h>

#include "acpi.h"

/* Little-endian reads from byte arrays (tables are not aligned). */
static ULONG HlpRead32(const UCHAR *Bytes) {
    return (ULONG)Bytes[0] | ((ULONG)Bytes[1] << 8) | ((ULONG)Bytes[2] << 16) | ((ULONG)Bytes[3] << 24);
}

static ULONGLONG HlpRead64(const UCHAR *Bytes) {
    return (ULONGLONG)HlpRead32(Bytes) | ((ULONGLONG)HlpRead32(Bytes + 4) << 32);
}

/* Records a failure message and returns Status. */
static XTSTATUS HlpFail(PHL_ACPI_S5_INFO Info, XTSTATUS Status, PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatStringV(Info->Error, sizeof(Info->Error), Format, Arguments);
    va_end(Arguments);
    return Status;
}

BOOLEAN HlAcpiChecksumValid(const VOID *Data, SIZE_T Length) {
    UCHAR Sum = 0;

    for (SIZE_T Index = 0; Index < Length; Index++) {
        Sum = (UCHAR)(Sum + ((const UCHAR *)Data)[Index]);
    }
    return Sum == 0;
}

/* Maps the table at Address: checks its signature (unless NULL), length and checksum; Table and Length describe the
 * mapping, which the caller unmaps with Access->Unmap. */
static XTSTATUS HlpMapTable(const HL_ACPI_ACCESS *Access, ULONGLONG Address, PCSTR Signature, PHL_ACPI_S5_INFO Info,
                            const UCHAR **Table, PULONG Length) {
    PVOID Header;
    XTSTATUS Status;
    CHAR Name[5];

    *Table = NULL;
    if (Address == 0) {
        return HlpFail(Info, STATUS_NOT_FOUND, "%s address is 0", Signature);
    }
    Status = Access->Map(Access->Context, Address, ACPI_SDT_HEADER_SIZE, &Header);
    if (!XT_SUCCESS(Status)) {
        return HlpFail(Info, Status, "cannot map the table header at 0x%llx", Address);
    }
    RtlCopyMemory(Name, Header, 4);
    Name[4] = '\0';
    *Length = HlpRead32((const UCHAR *)Header + 4);
    Access->Unmap(Access->Context, Header, ACPI_SDT_HEADER_SIZE);
    if (Signature != NULL && RtlCompareMemory(Name, Signature, 4) != 4) {
        return HlpFail(Info, STATUS_DATA_ERROR, "table at 0x%llx has signature '%.4s', expected %s", Address, Name,
                       Signature);
    }
    if (*Length < ACPI_SDT_HEADER_SIZE || *Length > ACPI_MAX_TABLE_LENGTH) {
        return HlpFail(Info, STATUS_DATA_ERROR, "%.4s at 0x%llx has a bad length %u", Name, Address, *Length);
    }
    Status = Access->Map(Access->Context, Address, *Length, &Header);
    if (!XT_SUCCESS(Status)) {
        return HlpFail(Info, Status, "cannot map %.4s at 0x%llx (%u bytes)", Name, Address, *Length);
    }
    if (!HlAcpiChecksumValid(Header, *Length)) {
        Access->Unmap(Access->Context, Header, *Length);
        return HlpFail(Info, STATUS_DATA_ERROR, "%.4s at 0x%llx has a bad checksum", Name, Address);
    }
    *Table = Header;
    return STATUS_SUCCESS;
}

/* Reads the RSDP: revision and the XSDT (preferred) or RSDT address. */
static XTSTATUS HlpReadRsdp(const HL_ACPI_ACCESS *Access, ULONGLONG Address, PHL_ACPI_S5_INFO Info,
                            PULONGLONG RootAddress) {
    PVOID Mapping;
    const UCHAR *Rsdp;
    XTSTATUS Status = STATUS_SUCCESS;
    ULONG Length;

    if (!XT_SUCCESS(Access->Map(Access->Context, Address, 36, &Mapping))) {
        return HlpFail(Info, STATUS_NOT_FOUND, "cannot map the RSDP at 0x%llx", Address);
    }
    Rsdp = Mapping;
    Info->RsdpRevision = Rsdp[15];
    Length = HlpRead32(Rsdp + 20);
    if (RtlCompareMemory(Rsdp, "RSD PTR ", 8) != 8) {
        Status = HlpFail(Info, STATUS_DATA_ERROR, "no RSDP signature at 0x%llx", Address);
    } else if (!HlAcpiChecksumValid(Rsdp, 20)) {
        Status = HlpFail(Info, STATUS_DATA_ERROR, "RSDP at 0x%llx has a bad checksum", Address);
    } else if (Info->RsdpRevision >= 2 && (Length < 36 || !HlAcpiChecksumValid(Rsdp, 36))) {
        Status = HlpFail(Info, STATUS_DATA_ERROR, "RSDP at 0x%llx has a bad extended checksum", Address);
    } else if (Info->RsdpRevision >= 2 && HlpRead64(Rsdp + 24) != 0) {
        Info->UsedXsdt = TRUE;
        *RootAddress = HlpRead64(Rsdp + 24);
    } else {
        *RootAddress = HlpRead32(Rsdp + 16);
    }
    Access->Unmap(Access->Context, Mapping, 36);
    return Status;
}

/* Finds the FADT ("FACP") among the root table's entries. */
static XTSTATUS HlpFindFadt(const HL_ACPI_ACCESS *Access, ULONGLONG RootAddress, PHL_ACPI_S5_INFO Info,
                            PULONGLONG FadtAddress) {
    const UCHAR *Root;
    ULONG Length, EntrySize = Info->UsedXsdt ? 8 : 4;
    PCSTR Signature = Info->UsedXsdt ? "XSDT" : "RSDT";
    PVOID Header;
    XTSTATUS Status = HlpMapTable(Access, RootAddress, Signature, Info, &Root, &Length);

    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    *FadtAddress = 0;
    for (ULONG Offset = ACPI_SDT_HEADER_SIZE; Offset + EntrySize <= Length && *FadtAddress == 0; Offset += EntrySize) {
        ULONGLONG Entry = Info->UsedXsdt ? HlpRead64(Root + Offset) : HlpRead32(Root + Offset);
        if (Entry != 0 && XT_SUCCESS(Access->Map(Access->Context, Entry, 4, &Header))) {
            if (RtlCompareMemory(Header, "FACP", 4) == 4) {
                *FadtAddress = Entry;
            }
            Access->Unmap(Access->Context, Header, 4);
        }
    }
    Access->Unmap(Access->Context, (PVOID)Root, Length);
    return *FadtAddress ? STATUS_SUCCESS : HlpFail(Info, STATUS_NOT_FOUND, "no FADT (FACP) in the %s", Signature);
}

/* Reads a generic address structure's I/O port, 0 when absent or not in I/O space. */
static ULONG HlpReadIoGas(const UCHAR *Fadt, ULONG Length, ULONG Offset) {
    if (Offset + 12 > Length || Fadt[Offset] != ACPI_GAS_SYSTEM_IO) {
        return 0;
    }
    ULONGLONG Address = HlpRead64(Fadt + Offset + 4);
    return Address <= 0xFFFF ? (ULONG)Address : 0;
}

/* Reads the PM1 control ports, the SMI command and the DSDT address from the FADT. */
static XTSTATUS HlpReadFadt(const HL_ACPI_ACCESS *Access, ULONGLONG FadtAddress, PHL_ACPI_S5_INFO Info,
                            PULONGLONG DsdtAddress) {
    const UCHAR *Fadt;
    ULONG Length;
    XTSTATUS Status = HlpMapTable(Access, FadtAddress, "FACP", Info, &Fadt, &Length);

    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    if (Length < ACPI_FADT_PM1B_CNT_BLK + 4) {
        Access->Unmap(Access->Context, (PVOID)Fadt, Length);
        return HlpFail(Info, STATUS_DATA_ERROR, "FADT too short (%u bytes)", Length);
    }
    Info->Pm1aControl = HlpReadIoGas(Fadt, Length, ACPI_FADT_X_PM1A_CNT_BLK);
    Info->Pm1bControl = HlpReadIoGas(Fadt, Length, ACPI_FADT_X_PM1B_CNT_BLK);
    if (Info->Pm1aControl == 0) {
        Info->Pm1aControl = HlpRead32(Fadt + ACPI_FADT_PM1A_CNT_BLK);
        Info->Pm1bControl = HlpRead32(Fadt + ACPI_FADT_PM1B_CNT_BLK);
    }
    Info->SmiCommand = HlpRead32(Fadt + ACPI_FADT_SMI_CMD);
    Info->AcpiEnable = Fadt[ACPI_FADT_ACPI_ENABLE];
    *DsdtAddress = (Length >= ACPI_FADT_X_DSDT + 8) ? HlpRead64(Fadt + ACPI_FADT_X_DSDT) : 0;
    if (*DsdtAddress == 0) {
        *DsdtAddress = HlpRead32(Fadt + ACPI_FADT_DSDT);
    }
    Access->Unmap(Access->Context, (PVOID)Fadt, Length);
    if (Info->Pm1aControl == 0 || Info->Pm1aControl > 0xFFFF || Info->Pm1bControl > 0xFFFF) {
        return HlpFail(Info, STATUS_NOT_FOUND, "FADT has no usable PM1a control port (0x%x)", Info->Pm1aControl);
    }
    return STATUS_SUCCESS;
}

/* Reads one AML integer (ZeroOp, OneOp, BytePrefix, WordPrefix, DWordPrefix) at *Offset. */
static BOOLEAN HlpReadAmlInteger(const UCHAR *Aml, SIZE_T Length, SIZE_T *Offset, PULONG Value) {
    static const UCHAR Sizes[] = {1, 2, 4}; /* 0x0A, 0x0B, 0x0C */
    UCHAR Op;

    if (*Offset >= Length) {
        return FALSE;
    }
    Op = Aml[(*Offset)++];
    if (Op == 0x00 || Op == 0x01) {
        *Value = Op;
        return TRUE;
    }
    if (Op < 0x0A || Op > 0x0C || *Offset + Sizes[Op - 0x0A] > Length) {
        return FALSE;
    }
    *Value = 0;
    for (ULONG Index = 0; Index < Sizes[Op - 0x0A]; Index++) {
        *Value |= (ULONG)Aml[*Offset + Index] << (8 * Index);
    }
    *Offset += Sizes[Op - 0x0A];
    return TRUE;
}

XTSTATUS HlAcpiParseS5Package(const UCHAR *Aml, SIZE_T Length, PUCHAR SlpTypA, PUCHAR SlpTypB) {
    for (SIZE_T Index = 1; Index + 5 <= Length; Index++) {
        SIZE_T Offset = Index + 5;
        ULONG ValueA, ValueB = 0, Elements;

        if (RtlCompareMemory(Aml + Index, "_S5_", 4) != 4 || Aml[Index + 4] != 0x12 ||
            !(Aml[Index - 1] == 0x08 || (Index >= 2 && Aml[Index - 1] == '\\' && Aml[Index - 2] == 0x08))) {
            continue;
        }
        if (Offset >= Length) {
            break;
        }
        Offset += 1 + (Aml[Offset] >> 6); /* PkgLength: lead byte + 0..3 more bytes */
        if (Offset >= Length) {
            break;
        }
        Elements = Aml[Offset++];
        if (Elements < 1 || !HlpReadAmlInteger(Aml, Length, &Offset, &ValueA) ||
            (Elements >= 2 && !HlpReadAmlInteger(Aml, Length, &Offset, &ValueB)) || ValueA > 7 || ValueB > 7) {
            return STATUS_DATA_ERROR;
        }
        *SlpTypA = (UCHAR)ValueA;
        *SlpTypB = (UCHAR)ValueB;
        return STATUS_SUCCESS;
    }
    return STATUS_NOT_FOUND;
}

XTSTATUS HlAcpiFindS5(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_ACPI_S5_INFO Info) {
    ULONGLONG RootAddress = 0, FadtAddress, DsdtAddress;
    const UCHAR *Dsdt;
    ULONG Length;
    XTSTATUS Status;

    RtlZeroMemory(Info, sizeof(*Info));
    if (RsdpAddress == 0) {
        return HlpFail(Info, STATUS_NOT_FOUND, "the loader passed no RSDP");
    }
    Status = HlpReadRsdp(Access, RsdpAddress, Info, &RootAddress);
    if (XT_SUCCESS(Status)) {
        Status = HlpFindFadt(Access, RootAddress, Info, &FadtAddress);
    }
    if (XT_SUCCESS(Status)) {
        Status = HlpReadFadt(Access, FadtAddress, Info, &DsdtAddress);
    }
    if (XT_SUCCESS(Status)) {
        Status = HlpMapTable(Access, DsdtAddress, "DSDT", Info, &Dsdt, &Length);
    }
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Status = HlAcpiParseS5Package(Dsdt + ACPI_SDT_HEADER_SIZE, Length - ACPI_SDT_HEADER_SIZE, &Info->SlpTypA,
                                  &Info->SlpTypB);
    Access->Unmap(Access->Context, (PVOID)Dsdt, Length);
    if (Status == STATUS_NOT_FOUND) {
        return HlpFail(Info, Status, "no \\_S5_ package in the DSDT");
    }
    if (!XT_SUCCESS(Status)) {
        return HlpFail(Info, Status, "malformed \\_S5_ package in the DSDT");
    }
    return STATUS_SUCCESS;
}

/* ACPI table walk: RSDP -> XSDT/RSDT -> a table by signature, and power-off (S5) (see acpi.h). Every read is
 * bounds-checked against the mapped length. */
#include <rtl.h>

#include "acpip.h"

XTSTATUS HlpAcpiFail(PCHAR Error, XTSTATUS Status, PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatStringV(Error, HL_ACPI_ERROR_SIZE, Format, Arguments);
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
static XTSTATUS HlpMapTable(const HL_ACPI_ACCESS *Access, ULONGLONG Address, PCSTR Signature, PCHAR Error,
                            const UCHAR **Table, PULONG Length) {
    PVOID Header;
    XTSTATUS Status;
    CHAR Name[5];

    *Table = NULL;
    if (Address == 0) {
        return HlpAcpiFail(Error, STATUS_NOT_FOUND, "%s address is 0", Signature);
    }
    Status = Access->Map(Access->Context, Address, ACPI_SDT_HEADER_SIZE, &Header);
    if (!XT_SUCCESS(Status)) {
        return HlpAcpiFail(Error, Status, "cannot map the table header at 0x%llx", Address);
    }
    RtlCopyMemory(Name, Header, 4);
    Name[4] = '\0';
    *Length = HlpRead32((const UCHAR *)Header + 4);
    Access->Unmap(Access->Context, Header, ACPI_SDT_HEADER_SIZE);
    if (Signature != NULL && RtlCompareMemory(Name, Signature, 4) != 4) {
        return HlpAcpiFail(Error, STATUS_DATA_ERROR, "table at 0x%llx has signature '%.4s', expected %s", Address, Name,
                           Signature);
    }
    if (*Length < ACPI_SDT_HEADER_SIZE || *Length > ACPI_MAX_TABLE_LENGTH) {
        return HlpAcpiFail(Error, STATUS_DATA_ERROR, "%.4s at 0x%llx has a bad length %u", Name, Address, *Length);
    }
    Status = Access->Map(Access->Context, Address, *Length, &Header);
    if (!XT_SUCCESS(Status)) {
        return HlpAcpiFail(Error, Status, "cannot map %.4s at 0x%llx (%u bytes)", Name, Address, *Length);
    }
    if (!HlAcpiChecksumValid(Header, *Length)) {
        Access->Unmap(Access->Context, Header, *Length);
        return HlpAcpiFail(Error, STATUS_DATA_ERROR, "%.4s at 0x%llx has a bad checksum", Name, Address);
    }
    *Table = Header;
    return STATUS_SUCCESS;
}

/* Reads the RSDP: revision and the XSDT (preferred) or RSDT address. */
static XTSTATUS HlpReadRsdp(const HL_ACPI_ACCESS *Access, ULONGLONG Address, PCHAR Error, PUCHAR Revision,
                            PBOOLEAN UsedXsdt, PULONGLONG RootAddress) {
    PVOID Mapping;
    const UCHAR *Rsdp;
    XTSTATUS Status = STATUS_SUCCESS;
    ULONG Length;

    if (Address == 0) {
        return HlpAcpiFail(Error, STATUS_NOT_FOUND, "the loader passed no RSDP");
    }
    if (!XT_SUCCESS(Access->Map(Access->Context, Address, 36, &Mapping))) {
        return HlpAcpiFail(Error, STATUS_NOT_FOUND, "cannot map the RSDP at 0x%llx", Address);
    }
    Rsdp = Mapping;
    *Revision = Rsdp[15];
    *UsedXsdt = FALSE;
    Length = HlpRead32(Rsdp + 20);
    if (RtlCompareMemory(Rsdp, "RSD PTR ", 8) != 8) {
        Status = HlpAcpiFail(Error, STATUS_DATA_ERROR, "no RSDP signature at 0x%llx", Address);
    } else if (!HlAcpiChecksumValid(Rsdp, 20)) {
        Status = HlpAcpiFail(Error, STATUS_DATA_ERROR, "RSDP at 0x%llx has a bad checksum", Address);
    } else if (*Revision >= 2 && (Length < 36 || !HlAcpiChecksumValid(Rsdp, 36))) {
        Status = HlpAcpiFail(Error, STATUS_DATA_ERROR, "RSDP at 0x%llx has a bad extended checksum", Address);
    } else if (*Revision >= 2 && HlpRead64(Rsdp + 24) != 0) {
        *UsedXsdt = TRUE;
        *RootAddress = HlpRead64(Rsdp + 24);
    } else {
        *RootAddress = HlpRead32(Rsdp + 16);
    }
    Access->Unmap(Access->Context, Mapping, 36);
    return Status;
}

/* Finds the first table with Signature among the root table's (XSDT or RSDT) entries. */
static XTSTATUS HlpFindInRoot(const HL_ACPI_ACCESS *Access, ULONGLONG RootAddress, BOOLEAN UsedXsdt, PCSTR Signature,
                              PCHAR Error, PULONGLONG Address) {
    const UCHAR *Root;
    ULONG Length, EntrySize = UsedXsdt ? 8 : 4;
    PCSTR RootName = UsedXsdt ? "XSDT" : "RSDT";
    PVOID Header;
    XTSTATUS Status = HlpMapTable(Access, RootAddress, RootName, Error, &Root, &Length);

    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    *Address = 0;
    for (ULONG Offset = ACPI_SDT_HEADER_SIZE; Offset + EntrySize <= Length && *Address == 0; Offset += EntrySize) {
        ULONGLONG Entry = UsedXsdt ? HlpRead64(Root + Offset) : HlpRead32(Root + Offset);
        if (Entry != 0 && XT_SUCCESS(Access->Map(Access->Context, Entry, 4, &Header))) {
            if (RtlCompareMemory(Header, Signature, 4) == 4) {
                *Address = Entry;
            }
            Access->Unmap(Access->Context, Header, 4);
        }
    }
    Access->Unmap(Access->Context, (PVOID)Root, Length);
    return *Address ? STATUS_SUCCESS
                    : HlpAcpiFail(Error, STATUS_NOT_FOUND, "no %.4s table in the %s", Signature, RootName);
}

/* RSDP -> root table -> the table with Signature; also reports the RSDP revision and which root table was used. */
static XTSTATUS HlpFindTable(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PCSTR Signature, PCHAR Error,
                             PUCHAR Revision, PBOOLEAN UsedXsdt, PULONGLONG Address) {
    ULONGLONG RootAddress = 0;
    XTSTATUS Status = HlpReadRsdp(Access, RsdpAddress, Error, Revision, UsedXsdt, &RootAddress);

    return XT_SUCCESS(Status) ? HlpFindInRoot(Access, RootAddress, *UsedXsdt, Signature, Error, Address) : Status;
}

XTSTATUS HlAcpiFindTable(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PCSTR Signature, PULONGLONG Address,
                         PCHAR Error) {
    UCHAR Revision;
    BOOLEAN UsedXsdt;

    Error[0] = '\0';
    *Address = 0;
    return HlpFindTable(Access, RsdpAddress, Signature, Error, &Revision, &UsedXsdt, Address);
}

XTSTATUS HlpAcpiMapTableBySignature(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PCSTR Signature, PCHAR Error,
                                    PULONGLONG Address, const UCHAR **Table, PULONG Length) {
    XTSTATUS Status = HlAcpiFindTable(Access, RsdpAddress, Signature, Address, Error);

    *Table = NULL;
    return XT_SUCCESS(Status) ? HlpMapTable(Access, *Address, Signature, Error, Table, Length) : Status;
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
    XTSTATUS Status = HlpMapTable(Access, FadtAddress, "FACP", Info->Error, &Fadt, &Length);

    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    if (Length < ACPI_FADT_PM1B_CNT_BLK + 4) {
        Access->Unmap(Access->Context, (PVOID)Fadt, Length);
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "FADT too short (%u bytes)", Length);
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
        return HlpAcpiFail(Info->Error, STATUS_NOT_FOUND, "FADT has no usable PM1a control port (0x%x)",
                           Info->Pm1aControl);
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
    ULONGLONG FadtAddress = 0, DsdtAddress;
    const UCHAR *Dsdt;
    ULONG Length;
    XTSTATUS Status;

    RtlZeroMemory(Info, sizeof(*Info));
    Status = HlpFindTable(Access, RsdpAddress, "FACP", Info->Error, &Info->RsdpRevision, &Info->UsedXsdt, &FadtAddress);
    if (XT_SUCCESS(Status)) {
        Status = HlpReadFadt(Access, FadtAddress, Info, &DsdtAddress);
    }
    if (XT_SUCCESS(Status)) {
        Status = HlpMapTable(Access, DsdtAddress, "DSDT", Info->Error, &Dsdt, &Length);
    }
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Status = HlAcpiParseS5Package(Dsdt + ACPI_SDT_HEADER_SIZE, Length - ACPI_SDT_HEADER_SIZE, &Info->SlpTypA,
                                  &Info->SlpTypB);
    Access->Unmap(Access->Context, (PVOID)Dsdt, Length);
    if (Status == STATUS_NOT_FOUND) {
        return HlpAcpiFail(Info->Error, Status, "no \\_S5_ package in the DSDT");
    }
    if (!XT_SUCCESS(Status)) {
        return HlpAcpiFail(Info->Error, Status, "malformed \\_S5_ package in the DSDT");
    }
    return STATUS_SUCCESS;
}

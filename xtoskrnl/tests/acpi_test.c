/* HlAcpiFindS5 over a synthetic set of ACPI tables in a fake physical memory, including broken tables. */
#include <rtl.h>

#include <acpi.h>
#include <tests/kernel_suites.h>

#define FAKE_BASE 0x1000
#define FAKE_SIZE 0x1000
#define RSDP_PA   0x1000
#define RSDT_PA   0x1080
#define XSDT_PA   0x1100
#define APIC_PA   0x1200
#define FADT_PA   0x1300
#define DSDT_PA   0x1500
#define FADT_LEN  276

typedef struct _FAKE_MEMORY {
    UCHAR Bytes[FAKE_SIZE];
    LONG Mapped; /* maps minus unmaps: must return to 0 */
} FAKE_MEMORY;

static FAKE_MEMORY Fake;

static XTSTATUS FakeMap(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    FAKE_MEMORY *Memory = Context;
    if (Address < FAKE_BASE || Address - FAKE_BASE > FAKE_SIZE || Length > FAKE_SIZE - (Address - FAKE_BASE)) {
        return STATUS_INVALID_PARAMETER;
    }
    Memory->Mapped++;
    *Va = Memory->Bytes + (Address - FAKE_BASE);
    return STATUS_SUCCESS;
}

static VOID FakeUnmap(PVOID Context, PVOID Va, SIZE_T Length) {
    ((FAKE_MEMORY *)Context)->Mapped--;
}

static const HL_ACPI_ACCESS FakeAccess = {&Fake, FakeMap, FakeUnmap};

static PUCHAR At(ULONG Pa) {
    return Fake.Bytes + (Pa - FAKE_BASE);
}

static VOID Put32(ULONG Pa, ULONG Value) {
    for (ULONG Index = 0; Index < 4; Index++) {
        At(Pa)[Index] = (UCHAR)(Value >> (8 * Index));
    }
}

static VOID Put64(ULONG Pa, ULONGLONG Value) {
    Put32(Pa, (ULONG)Value);
    Put32(Pa + 4, (ULONG)(Value >> 32));
}

/* Makes the Length bytes at Pa sum to 0 by adjusting the byte at ChecksumPa. */
static VOID FixChecksum(ULONG Pa, ULONG Length, ULONG ChecksumPa) {
    UCHAR Sum = 0;
    *At(ChecksumPa) = 0;
    for (ULONG Index = 0; Index < Length; Index++) {
        Sum = (UCHAR)(Sum + At(Pa)[Index]);
    }
    *At(ChecksumPa) = (UCHAR)(0x100 - Sum);
}

static VOID Header(ULONG Pa, PCSTR Signature, ULONG Length) {
    RtlCopyMemory(At(Pa), Signature, 4);
    Put32(Pa + 4, Length);
    At(Pa)[8] = 2;
}

static VOID SealAll(VOID) {
    FixChecksum(RSDP_PA, 20, RSDP_PA + 8);
    FixChecksum(RSDP_PA, 36, RSDP_PA + 32);
    FixChecksum(RSDT_PA, 44, RSDT_PA + 9);
    FixChecksum(XSDT_PA, 52, XSDT_PA + 9);
    FixChecksum(APIC_PA, 36, APIC_PA + 9);
    FixChecksum(FADT_PA, FADT_LEN, FADT_PA + 9);
    FixChecksum(DSDT_PA, 36 + 32, DSDT_PA + 9);
}

/* RSDP rev 2 -> XSDT/RSDT {APIC, FACP}; FADT with PM1a 0x604 (legacy and X_ GAS); DSDT with Name(_S5_, {0,0,0,0})
 * preceded by a "_S5_" that is not a NameOp. */
static VOID BuildTables(VOID) {
    static const UCHAR Aml[] = {0x10, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x00, /* decoy: no NameOp before */
                                0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
    RtlZeroMemory(&Fake, sizeof(Fake));
    RtlCopyMemory(At(RSDP_PA), "RSD PTR ", 8);
    At(RSDP_PA)[15] = 2;
    Put32(RSDP_PA + 16, RSDT_PA);
    Put32(RSDP_PA + 20, 36);
    Put64(RSDP_PA + 24, XSDT_PA);
    Header(RSDT_PA, "RSDT", 44);
    Put32(RSDT_PA + 36, APIC_PA);
    Put32(RSDT_PA + 40, FADT_PA);
    Header(XSDT_PA, "XSDT", 52);
    Put64(XSDT_PA + 36, APIC_PA);
    Put64(XSDT_PA + 44, FADT_PA);
    Header(APIC_PA, "APIC", 36);
    Header(FADT_PA, "FACP", FADT_LEN);
    Put32(FADT_PA + ACPI_FADT_DSDT, DSDT_PA);
    Put32(FADT_PA + ACPI_FADT_SMI_CMD, 0xB2);
    At(FADT_PA)[ACPI_FADT_ACPI_ENABLE] = 0xF1;
    Put32(FADT_PA + ACPI_FADT_PM1A_CNT_BLK, 0x604);
    Put64(FADT_PA + ACPI_FADT_X_DSDT, DSDT_PA);
    At(FADT_PA)[ACPI_FADT_X_PM1A_CNT_BLK] = ACPI_GAS_SYSTEM_IO;
    At(FADT_PA)[ACPI_FADT_X_PM1A_CNT_BLK + 1] = 16;
    Put64(FADT_PA + ACPI_FADT_X_PM1A_CNT_BLK + 4, 0x604);
    Header(DSDT_PA, "DSDT", 36 + 32);
    RtlCopyMemory(At(DSDT_PA + 36), Aml, sizeof(Aml));
    SealAll();
}

static BOOLEAN Contains(PCSTR Text, PCSTR Part) {
    SIZE_T PartLength = RtlStringLength(Part, 256);
    for (; *Text != '\0'; Text++) {
        if (RtlCompareMemory(Text, Part, PartLength) == PartLength) {
            return TRUE;
        }
    }
    return FALSE;
}

XTEST(XsdtPathFindsS5) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    XTEST_ASSERT_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_SUCCESS);
    XTEST_CHECK(Info.UsedXsdt);
    XTEST_CHECK_EQ(Info.RsdpRevision, 2);
    XTEST_CHECK_EQ(Info.Pm1aControl, 0x604);
    XTEST_CHECK_EQ(Info.Pm1bControl, 0);
    XTEST_CHECK_EQ(Info.SlpTypA, 0);
    XTEST_CHECK_EQ(Info.SmiCommand, 0xB2);
    XTEST_CHECK_EQ(Info.AcpiEnable, 0xF1);
    XTEST_CHECK_EQ(Info.Error[0], 0);
    XTEST_CHECK_EQ(Fake.Mapped, 0);
}

XTEST(RsdtPathForAcpi1) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    At(RSDP_PA)[15] = 0;
    Put64(XSDT_PA, 0); /* the XSDT must not be used */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_SUCCESS);
    XTEST_CHECK(!Info.UsedXsdt);
    XTEST_CHECK_EQ(Info.Pm1aControl, 0x604);
    XTEST_CHECK_EQ(Fake.Mapped, 0);
}

XTEST(ByteValuesPm1bAndLegacyPorts) {
    static const UCHAR Aml[] = {0x08, 0x5C, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x0A, 0x04, 0x0A, 0x05, 0x0A, 0x07};
    HL_ACPI_S5_INFO Info;
    BuildTables();
    RtlZeroMemory(At(DSDT_PA + 36), 32);
    RtlCopyMemory(At(DSDT_PA + 36), Aml, sizeof(Aml));
    At(FADT_PA)[ACPI_FADT_X_PM1A_CNT_BLK] = 0; /* memory space: fall back to the legacy ports */
    Put32(FADT_PA + ACPI_FADT_PM1A_CNT_BLK, 0xB004);
    Put32(FADT_PA + ACPI_FADT_PM1B_CNT_BLK, 0xB008);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Info.Pm1aControl, 0xB004);
    XTEST_CHECK_EQ(Info.Pm1bControl, 0xB008);
    XTEST_CHECK_EQ(Info.SlpTypA, 5);
    XTEST_CHECK_EQ(Info.SlpTypB, 7);
}

XTEST(BadChecksumsAreReported) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    At(RSDP_PA)[9] ^= 1;
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "RSDP") && Contains(Info.Error, "checksum"));
    BuildTables();
    At(XSDT_PA + 20)[0] ^= 1;
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "XSDT") && Contains(Info.Error, "bad checksum"));
    BuildTables();
    At(DSDT_PA + 40)[0] ^= 1;
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "DSDT"));
    XTEST_CHECK_EQ(Fake.Mapped, 0);
}

XTEST(MissingPiecesAreReported) {
    HL_ACPI_S5_INFO Info;
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, 0, &Info), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Info.Error, "RSDP"));
    BuildTables();
    RtlCopyMemory(At(RSDP_PA), "RSD PTX ", 8);
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    BuildTables();
    Put64(XSDT_PA + 44, 0x9000); /* FADT entry outside memory */
    SealAll();
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Info.Error, "FACP"));
    BuildTables();
    At(DSDT_PA + 36 + 8)[0] = 'X'; /* the real _S5_ becomes _X5_... */
    At(DSDT_PA + 36 + 8)[1] = 'X';
    SealAll();
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Info.Error, "_S5_"));
    XTEST_CHECK_EQ(Fake.Mapped, 0);
}

XTEST(AbsurdLengthsAreRefused) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    Put32(FADT_PA + 4, 0xFFFFFFF0);
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "bad length"));
    BuildTables();
    Put32(DSDT_PA + 4, 12);
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    BuildTables();
    Put32(FADT_PA + 4, 60); /* too short to hold PM1 ports */
    FixChecksum(FADT_PA, 60, FADT_PA + 9);
    XTEST_CHECK_EQ(HlAcpiFindS5(&FakeAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "short"));
    XTEST_CHECK_EQ(Fake.Mapped, 0);
}

XTEST(S5PackageEncodings) {
    static const UCHAR TwoBytePkgLength[] = {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02, 0x01, 0x0B, 0x03, 0x00};
    static const UCHAR Truncated[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A};
    static const UCHAR TooLarge[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x09, 0x00};
    UCHAR A = 0xFF, B = 0xFF;
    XTEST_CHECK_EQ(HlAcpiParseS5Package(TwoBytePkgLength, sizeof(TwoBytePkgLength), &A, &B), STATUS_SUCCESS);
    XTEST_CHECK_EQ(A, 1);
    XTEST_CHECK_EQ(B, 3);
    XTEST_CHECK_EQ(HlAcpiParseS5Package(Truncated, sizeof(Truncated), &A, &B), STATUS_DATA_ERROR);
    XTEST_CHECK_EQ(HlAcpiParseS5Package(TooLarge, sizeof(TooLarge), &A, &B), STATUS_DATA_ERROR);
    XTEST_CHECK_EQ(HlAcpiParseS5Package(TooLarge, 4, &A, &B), STATUS_NOT_FOUND);
}

XTEST_SUITE(HlAcpiSuite, XTEST_ENTRY(XsdtPathFindsS5), XTEST_ENTRY(RsdtPathForAcpi1),
            XTEST_ENTRY(ByteValuesPm1bAndLegacyPorts), XTEST_ENTRY(BadChecksumsAreReported),
            XTEST_ENTRY(MissingPiecesAreReported), XTEST_ENTRY(AbsurdLengthsAreRefused),
            XTEST_ENTRY(S5PackageEncodings));

XTEST_HOST_MAIN(&HlAcpiSuite)

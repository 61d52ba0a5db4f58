/* HlAcpiFindS5 over a synthetic set of ACPI tables in a fake physical memory, including broken tables. */
#include <rtl.h>

#include <tests/kernel_suites.h>

#include "acpi_fake.h"

#define RSDP_PA  0x1000
#define RSDT_PA  0x1080
#define XSDT_PA  0x1100
#define APIC_PA  0x1200
#define FADT_PA  0x1300
#define DSDT_PA  0x1500
#define FADT_LEN 276

static VOID SealAll(VOID) {
    TestAcpiChecksum(RSDP_PA, 20, RSDP_PA + 8);
    TestAcpiChecksum(RSDP_PA, 36, RSDP_PA + 32);
    TestAcpiChecksum(RSDT_PA, 44, RSDT_PA + 9);
    TestAcpiChecksum(XSDT_PA, 52, XSDT_PA + 9);
    TestAcpiChecksum(APIC_PA, 36, APIC_PA + 9);
    TestAcpiChecksum(FADT_PA, FADT_LEN, FADT_PA + 9);
    TestAcpiChecksum(DSDT_PA, 36 + 32, DSDT_PA + 9);
}

/* RSDP rev 2 -> XSDT/RSDT {APIC, FACP}; FADT with PM1a 0x604 (legacy and X_ GAS); DSDT with Name(_S5_, {0,0,0,0})
 * preceded by a "_S5_" that is not a NameOp. */
static VOID BuildTables(VOID) {
    static const UCHAR Aml[] = {0x10, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x00, /* decoy: no NameOp before */
                                0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
    TestAcpiReset();
    RtlCopyMemory(TestAcpiAt(RSDP_PA), "RSD PTR ", 8);
    TestAcpiAt(RSDP_PA)[15] = 2;
    TestAcpiPut32(RSDP_PA + 16, RSDT_PA);
    TestAcpiPut32(RSDP_PA + 20, 36);
    TestAcpiPut64(RSDP_PA + 24, XSDT_PA);
    TestAcpiHeader(RSDT_PA, "RSDT", 44, 2);
    TestAcpiPut32(RSDT_PA + 36, APIC_PA);
    TestAcpiPut32(RSDT_PA + 40, FADT_PA);
    TestAcpiHeader(XSDT_PA, "XSDT", 52, 2);
    TestAcpiPut64(XSDT_PA + 36, APIC_PA);
    TestAcpiPut64(XSDT_PA + 44, FADT_PA);
    TestAcpiHeader(APIC_PA, "APIC", 36, 2);
    TestAcpiHeader(FADT_PA, "FACP", FADT_LEN, 2);
    TestAcpiPut32(FADT_PA + ACPI_FADT_DSDT, DSDT_PA);
    TestAcpiPut32(FADT_PA + ACPI_FADT_SMI_CMD, 0xB2);
    TestAcpiAt(FADT_PA)[ACPI_FADT_ACPI_ENABLE] = 0xF1;
    TestAcpiPut32(FADT_PA + ACPI_FADT_PM1A_CNT_BLK, 0x604);
    TestAcpiPut64(FADT_PA + ACPI_FADT_X_DSDT, DSDT_PA);
    TestAcpiAt(FADT_PA)[ACPI_FADT_X_PM1A_CNT_BLK] = ACPI_GAS_SYSTEM_IO;
    TestAcpiAt(FADT_PA)[ACPI_FADT_X_PM1A_CNT_BLK + 1] = 16;
    TestAcpiPut64(FADT_PA + ACPI_FADT_X_PM1A_CNT_BLK + 4, 0x604);
    TestAcpiHeader(DSDT_PA, "DSDT", 36 + 32, 2);
    RtlCopyMemory(TestAcpiAt(DSDT_PA + 36), Aml, sizeof(Aml));
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
    XTEST_ASSERT_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_SUCCESS);
    XTEST_CHECK(Info.UsedXsdt);
    XTEST_CHECK_EQ(Info.RsdpRevision, 2);
    XTEST_CHECK_EQ(Info.Pm1aControl, 0x604);
    XTEST_CHECK_EQ(Info.Pm1bControl, 0);
    XTEST_CHECK_EQ(Info.SlpTypA, 0);
    XTEST_CHECK_EQ(Info.SmiCommand, 0xB2);
    XTEST_CHECK_EQ(Info.AcpiEnable, 0xF1);
    XTEST_CHECK_EQ(Info.Error[0], 0);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(RsdtPathForAcpi1) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    TestAcpiAt(RSDP_PA)[15] = 0;
    TestAcpiPut64(XSDT_PA, 0); /* the XSDT must not be used */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_SUCCESS);
    XTEST_CHECK(!Info.UsedXsdt);
    XTEST_CHECK_EQ(Info.Pm1aControl, 0x604);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(ByteValuesPm1bAndLegacyPorts) {
    static const UCHAR Aml[] = {0x08, 0x5C, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x0A, 0x04, 0x0A, 0x05, 0x0A, 0x07};
    HL_ACPI_S5_INFO Info;
    BuildTables();
    RtlZeroMemory(TestAcpiAt(DSDT_PA + 36), 32);
    RtlCopyMemory(TestAcpiAt(DSDT_PA + 36), Aml, sizeof(Aml));
    TestAcpiAt(FADT_PA)[ACPI_FADT_X_PM1A_CNT_BLK] = 0; /* memory space: fall back to the legacy ports */
    TestAcpiPut32(FADT_PA + ACPI_FADT_PM1A_CNT_BLK, 0xB004);
    TestAcpiPut32(FADT_PA + ACPI_FADT_PM1B_CNT_BLK, 0xB008);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Info.Pm1aControl, 0xB004);
    XTEST_CHECK_EQ(Info.Pm1bControl, 0xB008);
    XTEST_CHECK_EQ(Info.SlpTypA, 5);
    XTEST_CHECK_EQ(Info.SlpTypB, 7);
}

XTEST(BadChecksumsAreReported) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    TestAcpiAt(RSDP_PA)[9] ^= 1;
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "RSDP") && Contains(Info.Error, "checksum"));
    BuildTables();
    TestAcpiAt(XSDT_PA + 20)[0] ^= 1;
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "XSDT") && Contains(Info.Error, "bad checksum"));
    BuildTables();
    TestAcpiAt(DSDT_PA + 40)[0] ^= 1;
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "DSDT"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(MissingPiecesAreReported) {
    HL_ACPI_S5_INFO Info;
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, 0, &Info), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Info.Error, "RSDP"));
    BuildTables();
    RtlCopyMemory(TestAcpiAt(RSDP_PA), "RSD PTX ", 8);
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    BuildTables();
    TestAcpiPut64(XSDT_PA + 44, 0x9000); /* FADT entry outside memory */
    SealAll();
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Info.Error, "FACP"));
    BuildTables();
    TestAcpiAt(DSDT_PA + 36 + 8)[0] = 'X'; /* the real _S5_ becomes _X5_... */
    TestAcpiAt(DSDT_PA + 36 + 8)[1] = 'X';
    SealAll();
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Info.Error, "_S5_"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(AbsurdLengthsAreRefused) {
    HL_ACPI_S5_INFO Info;
    BuildTables();
    TestAcpiPut32(FADT_PA + 4, 0xFFFFFFF0);
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "bad length"));
    BuildTables();
    TestAcpiPut32(DSDT_PA + 4, 12);
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    BuildTables();
    TestAcpiPut32(FADT_PA + 4, 60); /* too short to hold PM1 ports */
    TestAcpiChecksum(FADT_PA, 60, FADT_PA + 9);
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &Info), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Info.Error, "short"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
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

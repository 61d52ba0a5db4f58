/* MADT, HPET and FADT clock parsing (hl/madt.c, hl/acpitime.c) over synthetic tables in a fake physical memory,
 * reached through the accessor as the kernel reaches the HAL window: QEMU-shaped tables, then variants and damage. */
#include <rtl.h>

#include <tests/kernel_suites.h>

#include "acpi_fake.h"

#define RSDP_PA  0x1000
#define XSDT_PA  0x1040
#define RSDT_PA  0x1100
#define FADT_PA  0x1200
#define HPET_PA  0x1400
#define MADT_PA  0x1800
#define MADT_MAX 0x1800 /* room for the truncation test's entries */
#define FADT_LEN 276

static ULONG MadtLength, FadtLength; /* what the headers will declare */
static HL_MADT_INFO Madt;            /* static: large for a kernel stack */

/* Sets the lengths the headers declare and fixes every checksum. */
static VOID SealAll(VOID) {
    TestAcpiPut32(MADT_PA + 4, MadtLength);
    TestAcpiPut32(FADT_PA + 4, FadtLength);
    TestAcpiChecksum(RSDP_PA, 20, RSDP_PA + 8);
    TestAcpiChecksum(RSDP_PA, 36, RSDP_PA + 32);
    TestAcpiChecksum(XSDT_PA, 60, XSDT_PA + 9);
    TestAcpiChecksum(RSDT_PA, 48, RSDT_PA + 9);
    TestAcpiChecksum(FADT_PA, FadtLength, FADT_PA + 9);
    TestAcpiChecksum(HPET_PA, ACPI_HPET_LENGTH, HPET_PA + 9);
    TestAcpiChecksum(MADT_PA, MadtLength, MADT_PA + 9);
}

/* Appends one MADT entry of Length bytes (Type, Length, then Body). */
static VOID MadtAdd(UCHAR Type, UCHAR Length, const UCHAR *Body) {
    ULONG Pa = MADT_PA + MadtLength;
    TestAcpiAt(Pa)[0] = Type;
    TestAcpiAt(Pa)[1] = Length;
    if (Length > 2) {
        RtlCopyMemory(TestAcpiAt(Pa + 2), Body, Length - 2);
    }
    MadtLength += Length;
}

static VOID MadtLocalApic(UCHAR Uid, UCHAR ApicId, ULONG Flags) {
    UCHAR Body[6] = {Uid, ApicId, (UCHAR)Flags, (UCHAR)(Flags >> 8), (UCHAR)(Flags >> 16), (UCHAR)(Flags >> 24)};
    MadtAdd(ACPI_MADT_LOCAL_APIC, 8, Body);
}

static VOID MadtOverride(UCHAR Irq, ULONG Gsi, USHORT Flags) {
    UCHAR Body[8] = {0,
                     Irq,
                     (UCHAR)Gsi,
                     (UCHAR)(Gsi >> 8),
                     (UCHAR)(Gsi >> 16),
                     (UCHAR)(Gsi >> 24),
                     (UCHAR)Flags,
                     (UCHAR)(Flags >> 8)};
    MadtAdd(ACPI_MADT_SOURCE_OVERRIDE, 10, Body);
}

/* The tables QEMU 7.2 builds for q35 with one CPU: MADT {LAPIC 0, IOAPIC 0 at 0xFEC00000 GSI 0, IRQ0 -> GSI 2,
 * SCI IRQ9 level/active high, LINT1 NMI for all}, HPET at 0xFED00000, FADT rev 3 with the PM timer at 0x608. */
static VOID BuildQ35(VOID) {
    static const UCHAR IoApic[10] = {0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0};
    static const UCHAR LocalNmi[4] = {0xFF, 0, 0, 1};

    TestAcpiReset();
    MadtLength = FadtLength = 0;
    RtlCopyMemory(TestAcpiAt(RSDP_PA), "RSD PTR ", 8);
    TestAcpiAt(RSDP_PA)[15] = 2;
    TestAcpiPut32(RSDP_PA + 16, RSDT_PA);
    TestAcpiPut32(RSDP_PA + 20, 36);
    TestAcpiPut64(RSDP_PA + 24, XSDT_PA);
    TestAcpiHeader(XSDT_PA, "XSDT", 60, 1);
    TestAcpiPut64(XSDT_PA + 36, FADT_PA);
    TestAcpiPut64(XSDT_PA + 44, MADT_PA);
    TestAcpiPut64(XSDT_PA + 52, HPET_PA);
    TestAcpiHeader(RSDT_PA, "RSDT", 48, 1);
    TestAcpiPut32(RSDT_PA + 36, FADT_PA);
    TestAcpiPut32(RSDT_PA + 40, MADT_PA);
    TestAcpiPut32(RSDT_PA + 44, HPET_PA);

    FadtLength = FADT_LEN;
    TestAcpiHeader(FADT_PA, "FACP", FADT_LEN, 3);
    TestAcpiPut16(FADT_PA + ACPI_FADT_SCI_INT, 9);
    TestAcpiPut32(FADT_PA + ACPI_FADT_PM1A_CNT_BLK, 0x604);
    TestAcpiPut32(FADT_PA + ACPI_FADT_PM_TMR_BLK, 0x608);
    TestAcpiAt(FADT_PA)[ACPI_FADT_PM_TMR_LEN] = 4;
    TestAcpiAt(FADT_PA)[ACPI_FADT_CENTURY] = 0x32;
    TestAcpiPut16(FADT_PA + ACPI_FADT_IAPC_BOOT_ARCH, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042);
    TestAcpiPut32(FADT_PA + ACPI_FADT_FLAGS, ACPI_FADT_TMR_VAL_EXT | 0xA5);
    TestAcpiAt(FADT_PA)[ACPI_FADT_X_PM_TMR_BLK] = ACPI_GAS_SYSTEM_IO;
    TestAcpiAt(FADT_PA)[ACPI_FADT_X_PM_TMR_BLK + 1] = 32;
    TestAcpiPut64(FADT_PA + ACPI_FADT_X_PM_TMR_BLK + 4, 0x608);

    TestAcpiHeader(HPET_PA, "HPET", ACPI_HPET_LENGTH, 1);
    TestAcpiPut32(HPET_PA + 36, 0x8086A201);
    TestAcpiAt(HPET_PA)[40] = ACPI_GAS_SYSTEM_MEMORY;
    TestAcpiPut64(HPET_PA + 44, 0xFED00000);
    TestAcpiPut16(HPET_PA + 53, 0x80);

    TestAcpiHeader(MADT_PA, "APIC", 0, 1);
    TestAcpiPut32(MADT_PA + 36, 0xFEE00000);
    TestAcpiPut32(MADT_PA + 40, ACPI_MADT_PCAT_COMPAT);
    MadtLength = ACPI_MADT_ENTRIES;
    MadtLocalApic(0, 0, ACPI_MADT_ENABLED);
    MadtAdd(ACPI_MADT_IO_APIC, 12, IoApic);
    MadtOverride(0, 2, 0);
    MadtOverride(9, 9, ACPI_MPS_TRIGGER_LEVEL | ACPI_MPS_POLARITY_HIGH);
    MadtAdd(ACPI_MADT_LOCAL_APIC_NMI, 6, LocalNmi);
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

XTEST(Q35MadtThroughTheXsdt) {
    BuildQ35();
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Madt.TableAddress, MADT_PA);
    XTEST_CHECK_EQ(Madt.LocalApicAddress, 0xFEE00000);
    XTEST_CHECK(!Madt.LocalApicOverridden && !Madt.Truncated);
    XTEST_CHECK_EQ(Madt.Flags, ACPI_MADT_PCAT_COMPAT);
    XTEST_ASSERT_EQ(Madt.ProcessorCount, 1);
    XTEST_CHECK_EQ(Madt.Processors[0].ApicId, 0);
    XTEST_CHECK(Madt.Processors[0].Enabled && !Madt.Processors[0].X2Apic && !Madt.Processors[0].OnlineCapable);
    XTEST_ASSERT_EQ(Madt.IoApicCount, 1);
    XTEST_CHECK_EQ(Madt.IoApics[0].Address, 0xFEC00000);
    XTEST_CHECK_EQ(Madt.IoApics[0].GsiBase, 0);
    XTEST_ASSERT_EQ(Madt.OverrideCount, 2);
    XTEST_CHECK_EQ(Madt.Overrides[0].SourceIrq, 0);
    XTEST_CHECK_EQ(Madt.Overrides[0].Gsi, 2);
    XTEST_CHECK_EQ(Madt.Overrides[1].Flags, 0xD);
    XTEST_ASSERT_EQ(Madt.LocalNmiCount, 1);
    XTEST_CHECK_EQ(Madt.LocalNmis[0].ProcessorUid, ACPI_MADT_ALL_PROCESSORS);
    XTEST_CHECK_EQ(Madt.LocalNmis[0].Lint, 1);
    XTEST_CHECK_EQ(Madt.NmiSourceCount + Madt.UnknownEntries, 0);
    XTEST_CHECK_EQ(Madt.Error[0], 0);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(Q35IsaRoutesApplyOverrides) {
    HL_ACPI_IRQ_ROUTE Route;
    BuildQ35();
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(HlAcpiResolveIsaIrq(&Madt, 0, &Route), STATUS_SUCCESS); /* the PIT */
    XTEST_CHECK_EQ(Route.Gsi, 2);
    XTEST_CHECK(Route.Overridden && !Route.LevelTriggered && !Route.ActiveLow);
    XTEST_ASSERT_EQ(HlAcpiResolveIsaIrq(&Madt, 9, &Route), STATUS_SUCCESS); /* the SCI */
    XTEST_CHECK_EQ(Route.Gsi, 9);
    XTEST_CHECK(Route.Overridden && Route.LevelTriggered && !Route.ActiveLow);
    XTEST_ASSERT_EQ(HlAcpiResolveIsaIrq(&Madt, 8, &Route), STATUS_SUCCESS); /* the RTC: ISA default */
    XTEST_CHECK_EQ(Route.Gsi, 8);
    XTEST_CHECK(!Route.Overridden && !Route.LevelTriggered && !Route.ActiveLow);
    XTEST_CHECK_EQ(HlAcpiResolveIsaIrq(&Madt, 16, &Route), STATUS_INVALID_PARAMETER);
}

XTEST(OverrideFlagsAndNonIsaBus) {
    HL_ACPI_IRQ_ROUTE Route;
    static const UCHAR PciOverride[8] = {1, 5, 20, 0, 0, 0, 0xF, 0}; /* bus 1: not ISA, ignored for IRQ5 */
    BuildQ35();
    MadtOverride(11, 11, ACPI_MPS_TRIGGER_LEVEL | ACPI_MPS_POLARITY_LOW);
    MadtOverride(10, 10, 0x2 | 0x8); /* reserved polarity and trigger: the ISA defaults */
    MadtAdd(ACPI_MADT_SOURCE_OVERRIDE, 10, PciOverride);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Madt.OverrideCount, 5);
    HlAcpiResolveIsaIrq(&Madt, 11, &Route);
    XTEST_CHECK(Route.LevelTriggered && Route.ActiveLow && Route.Gsi == 11);
    HlAcpiResolveIsaIrq(&Madt, 10, &Route);
    XTEST_CHECK(Route.Overridden && !Route.LevelTriggered && !Route.ActiveLow);
    HlAcpiResolveIsaIrq(&Madt, 5, &Route);
    XTEST_CHECK(!Route.Overridden && Route.Gsi == 5);
}

XTEST(DisabledAndOnlineCapableCpus) {
    BuildQ35();
    TestAcpiAt(MADT_PA)[8] = 5;                    /* ACPI 6.3+: the online-capable bit is defined */
    MadtLocalApic(1, 1, 0);                        /* disabled, cannot come online */
    MadtLocalApic(2, 2, ACPI_MADT_ONLINE_CAPABLE); /* hot-pluggable */
    MadtLocalApic(3, 3, ACPI_MADT_ENABLED | ACPI_MADT_ONLINE_CAPABLE); /* enabled: the bit is reserved */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(Madt.ProcessorCount, 4);
    XTEST_CHECK(!Madt.Processors[1].Enabled && !Madt.Processors[1].OnlineCapable);
    XTEST_CHECK(!Madt.Processors[2].Enabled && Madt.Processors[2].OnlineCapable);
    XTEST_CHECK_EQ(Madt.Processors[2].ProcessorUid, 2);
    XTEST_CHECK(Madt.Processors[3].Enabled && !Madt.Processors[3].OnlineCapable);
    TestAcpiAt(MADT_PA)[8] = 4; /* before revision 5 the bit is reserved */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_CHECK(!Madt.Processors[2].Enabled && !Madt.Processors[2].OnlineCapable);
}

XTEST(X2ApicEntriesAndAddressOverride) {
    static const UCHAR X2Apic[14] = {0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 0x07, 0x01, 0, 0}; /* id 0x100, uid 0x107 */
    static const UCHAR X2Nmi[10] = {0x5, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0};
    static const UCHAR NmiSource[6] = {0xD, 0, 23, 0, 0, 0};
    static const UCHAR Override[10] = {0, 0, 0x00, 0x00, 0xE0, 0xFE, 0x01, 0, 0, 0};
    BuildQ35();
    MadtAdd(ACPI_MADT_LOCAL_X2APIC, 16, X2Apic);
    MadtAdd(ACPI_MADT_LOCAL_X2APIC_NMI, 12, X2Nmi);
    MadtAdd(ACPI_MADT_NMI_SOURCE, 8, NmiSource);
    MadtAdd(ACPI_MADT_LOCAL_APIC_OVERRIDE, 12, Override);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(Madt.ProcessorCount, 2);
    XTEST_CHECK(Madt.Processors[1].X2Apic && Madt.Processors[1].Enabled);
    XTEST_CHECK_EQ(Madt.Processors[1].ApicId, 0x100);
    XTEST_CHECK_EQ(Madt.Processors[1].ProcessorUid, 0x107);
    XTEST_ASSERT_EQ(Madt.LocalNmiCount, 2);
    XTEST_CHECK(Madt.LocalNmis[1].X2Apic && Madt.LocalNmis[1].Lint == 1 && Madt.LocalNmis[1].Flags == 5);
    XTEST_CHECK_EQ(Madt.LocalNmis[1].ProcessorUid, ACPI_MADT_ALL_PROCESSORS);
    XTEST_ASSERT_EQ(Madt.NmiSourceCount, 1);
    XTEST_CHECK_EQ(Madt.NmiSources[0].Gsi, 23);
    XTEST_CHECK_EQ(Madt.NmiSources[0].Flags, 0xD);
    XTEST_CHECK(Madt.LocalApicOverridden);
    XTEST_CHECK_EQ(Madt.LocalApicAddress, 0x1FEE00000ull);
    XTEST_CHECK_EQ(Madt.LocalApicAddress32, 0xFEE00000);
}

XTEST(ManyEntriesAreTruncated) {
    static const UCHAR IoApic[10] = {1, 0, 0x00, 0x10, 0xC0, 0xFE, 24, 0, 0, 0};
    static const UCHAR Unknown[3] = {1, 2, 3};
    BuildQ35();
    for (ULONG Cpu = 1; Cpu < HL_MADT_MAX_PROCESSORS + 6; Cpu++) {
        MadtLocalApic((UCHAR)Cpu, (UCHAR)Cpu, ACPI_MADT_ENABLED);
    }
    for (ULONG Irq = 0; Irq < HL_MADT_MAX_OVERRIDES; Irq++) {
        MadtOverride((UCHAR)Irq, Irq + 100, 0);
    }
    MadtAdd(0x7F, 5, Unknown);              /* unknown type: skipped by its length */
    MadtAdd(ACPI_MADT_IO_APIC, 12, IoApic); /* entries after the full arrays are still read */
    SealAll();
    XTEST_ASSERT(MadtLength <= MADT_MAX);
    XTEST_ASSERT_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_SUCCESS);
    XTEST_CHECK(Madt.Truncated);
    XTEST_CHECK_EQ(Madt.ProcessorCount, HL_MADT_MAX_PROCESSORS);
    XTEST_CHECK_EQ(Madt.ProcessorTotal, HL_MADT_MAX_PROCESSORS + 6);
    XTEST_CHECK_EQ(Madt.Processors[HL_MADT_MAX_PROCESSORS - 1].ApicId, HL_MADT_MAX_PROCESSORS - 1);
    XTEST_CHECK_EQ(Madt.OverrideCount, HL_MADT_MAX_OVERRIDES);
    XTEST_CHECK_EQ(Madt.OverrideTotal, HL_MADT_MAX_OVERRIDES + 2);
    XTEST_CHECK_EQ(Madt.UnknownEntries, 1);
    XTEST_ASSERT_EQ(Madt.IoApicCount, 2);
    XTEST_CHECK_EQ(Madt.IoApics[1].GsiBase, 24);
    XTEST_CHECK_EQ(Madt.IoApics[1].Address, 0xFEC01000);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

/* Parses the q35 MADT with Bytes appended and returns the status. */
static XTSTATUS ReadWithTail(const UCHAR *Bytes, ULONG Length) {
    BuildQ35();
    RtlCopyMemory(TestAcpiAt(MADT_PA + MadtLength), Bytes, Length);
    MadtLength += Length;
    SealAll();
    return HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt);
}

XTEST(MalformedEntriesAreRefused) {
    static const UCHAR ZeroLength[8] = {ACPI_MADT_LOCAL_APIC, 0, 0, 0, 0, 0, 0, 0};
    static const UCHAR PastEnd[8] = {ACPI_MADT_IO_APIC, 12, 0, 0, 0, 0, 0, 0};
    static const UCHAR TooShort[8] = {ACPI_MADT_IO_APIC, 8, 0, 0, 0, 0, 0, 0};
    static const UCHAR OneByte[1] = {ACPI_MADT_LOCAL_APIC};
    static const UCHAR UnknownLength1[4] = {0x42, 1, 0, 0};
    XTEST_CHECK_EQ(ReadWithTail(ZeroLength, sizeof(ZeroLength)), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "type 0") && Contains(Madt.Error, "length 0"));
    XTEST_CHECK_EQ(ReadWithTail(PastEnd, sizeof(PastEnd)), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "past the table end"));
    XTEST_CHECK_EQ(ReadWithTail(TooShort, sizeof(TooShort)), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "type 1") && Contains(Madt.Error, "length 8"));
    XTEST_CHECK_EQ(ReadWithTail(OneByte, sizeof(OneByte)), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "cut by the table end"));
    XTEST_CHECK_EQ(ReadWithTail(UnknownLength1, sizeof(UnknownLength1)), STATUS_DATA_ERROR);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(BrokenMadtTables) {
    BuildQ35();
    MadtLength = 40; /* no room for the flags */
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "MADT too short"));
    BuildQ35();
    TestAcpiAt(MADT_PA + 50)[0] ^= 0x10;
    XTEST_CHECK_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "APIC") && Contains(Madt.Error, "checksum"));
    BuildQ35();
    TestAcpiPut32(MADT_PA + 4, 0x10000); /* declares more than memory holds: the accessor refuses, nothing is read */
    XTEST_CHECK(!XT_SUCCESS(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt)));
    XTEST_CHECK(Contains(Madt.Error, "cannot map APIC"));
    BuildQ35();
    TestAcpiPut32(MADT_PA + 36, 0);
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Madt.Error, "local APIC address"));
    BuildQ35();
    TestAcpiAt(RSDP_PA)[15] = 0; /* ACPI 1.0: the RSDT, where the MADT entry is gone */
    TestAcpiPut32(RSDT_PA + 40, 0);
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadMadt(&TestAcpiAccess, RSDP_PA, &Madt), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Madt.Error, "no APIC table in the RSDT"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST_SUITE(HlMadtSuite, XTEST_ENTRY(Q35MadtThroughTheXsdt), XTEST_ENTRY(Q35IsaRoutesApplyOverrides),
            XTEST_ENTRY(OverrideFlagsAndNonIsaBus), XTEST_ENTRY(DisabledAndOnlineCapableCpus),
            XTEST_ENTRY(X2ApicEntriesAndAddressOverride), XTEST_ENTRY(ManyEntriesAreTruncated),
            XTEST_ENTRY(MalformedEntriesAreRefused), XTEST_ENTRY(BrokenMadtTables));

XTEST(Q35Hpet) {
    HL_HPET_INFO Hpet;
    BuildQ35();
    XTEST_ASSERT_EQ(HlAcpiReadHpet(&TestAcpiAccess, RSDP_PA, &Hpet), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Hpet.TableAddress, HPET_PA);
    XTEST_CHECK_EQ(Hpet.BaseAddress, 0xFED00000);
    XTEST_CHECK_EQ(Hpet.HardwareRevision, 1);
    XTEST_CHECK_EQ(Hpet.ComparatorCount, 3);
    XTEST_CHECK(Hpet.Counter64Bit && Hpet.LegacyReplacementCapable);
    XTEST_CHECK_EQ(Hpet.VendorId, 0x8086);
    XTEST_CHECK_EQ(Hpet.MinimumTick, 0x80);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(HpetVariantsAndDamage) {
    HL_HPET_INFO Hpet;
    BuildQ35();
    TestAcpiPut32(HPET_PA + 36, 0x10DE1F00); /* 32 comparators, 32-bit counter, no legacy routing */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadHpet(&TestAcpiAccess, RSDP_PA, &Hpet), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Hpet.ComparatorCount, 32);
    XTEST_CHECK(!Hpet.Counter64Bit && !Hpet.LegacyReplacementCapable);
    BuildQ35();
    TestAcpiAt(HPET_PA)[40] = ACPI_GAS_SYSTEM_IO;
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadHpet(&TestAcpiAccess, RSDP_PA, &Hpet), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Hpet.Error, "not system memory"));
    BuildQ35();
    TestAcpiPut64(HPET_PA + 44, 0);
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadHpet(&TestAcpiAccess, RSDP_PA, &Hpet), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Hpet.Error, "base address is 0"));
    BuildQ35();
    TestAcpiPut32(HPET_PA + 4, 52); /* cut before the minimum tick */
    TestAcpiChecksum(HPET_PA, 52, HPET_PA + 9);
    XTEST_CHECK_EQ(HlAcpiReadHpet(&TestAcpiAccess, RSDP_PA, &Hpet), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Hpet.Error, "too short"));
    BuildQ35();
    TestAcpiPut64(XSDT_PA + 52, 0); /* -no-hpet */
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadHpet(&TestAcpiAccess, RSDP_PA, &Hpet), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Hpet.Error, "no HPET table"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(Q35FadtClockFields) {
    HL_FADT_CLOCK_INFO Fadt;
    HL_ACPI_S5_INFO S5;
    BuildQ35();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Fadt.TableAddress, FADT_PA);
    XTEST_CHECK_EQ(Fadt.Revision, 3);
    XTEST_CHECK_EQ(Fadt.SciInterrupt, 9);
    XTEST_CHECK(Fadt.PmTimerPresent && Fadt.PmTimerFromX && !Fadt.PmTimerIsMemory && Fadt.PmTimer32Bit);
    XTEST_CHECK_EQ(Fadt.PmTimerAddress, 0x608);
    XTEST_CHECK_EQ(Fadt.Century, 0x32);
    XTEST_CHECK(Fadt.BootArchValid && Fadt.Has8042 && Fadt.CmosRtcPresent);
    XTEST_CHECK_EQ(Fadt.BootArch, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042);
    XTEST_CHECK_EQ(Fadt.Error[0], 0);
    XTEST_CHECK_EQ(HlAcpiFindS5(&TestAcpiAccess, RSDP_PA, &S5), STATUS_NOT_FOUND); /* no DSDT here: S5 says so */
    XTEST_CHECK(Contains(S5.Error, "DSDT"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(OldFadtWithoutExtendedFields) {
    HL_FADT_CLOCK_INFO Fadt;
    BuildQ35();
    FadtLength = ACPI_FADT_V1_LENGTH; /* ACPI 1.0: ends with Flags, no X_ fields, no boot flags */
    RtlZeroMemory(TestAcpiAt(FADT_PA + ACPI_FADT_V1_LENGTH), FADT_LEN - ACPI_FADT_V1_LENGTH);
    TestAcpiAt(FADT_PA)[8] = 1;
    TestAcpiPut32(FADT_PA + ACPI_FADT_PM_TMR_BLK, 0xB008);
    TestAcpiPut32(FADT_PA + ACPI_FADT_FLAGS, 0);
    TestAcpiPut16(FADT_PA + ACPI_FADT_IAPC_BOOT_ARCH, 0xFFFF); /* reserved in 1.0: ignored */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(Fadt.PmTimerPresent && !Fadt.PmTimerFromX && !Fadt.PmTimer32Bit);
    XTEST_CHECK_EQ(Fadt.PmTimerAddress, 0xB008);
    XTEST_CHECK(!Fadt.BootArchValid && Fadt.BootArch == 0 && Fadt.Has8042 && Fadt.CmosRtcPresent);
    TestAcpiAt(FADT_PA)[ACPI_FADT_PM_TMR_LEN] = 0; /* no PM timer */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(!Fadt.PmTimerPresent && Fadt.PmTimerAddress == 0);
    FadtLength = ACPI_FADT_V1_LENGTH - 4; /* Flags cut off */
    SealAll();
    XTEST_CHECK_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_DATA_ERROR);
    XTEST_CHECK(Contains(Fadt.Error, "FADT too short"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(FadtRevisionRules) {
    HL_FADT_CLOCK_INFO Fadt;
    BuildQ35();
    TestAcpiAt(FADT_PA)[8] = 2; /* X_PM_TMR_BLK present but the revision predates it: PM_TMR_BLK */
    TestAcpiPut64(FADT_PA + ACPI_FADT_X_PM_TMR_BLK + 4, 0x1008);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(!Fadt.PmTimerFromX && Fadt.PmTimerAddress == 0x608 && !Fadt.BootArchValid);
    TestAcpiAt(FADT_PA)[8] = 4; /* X_ used; "CMOS RTC not present" is reserved before revision 5 */
    TestAcpiPut16(FADT_PA + ACPI_FADT_IAPC_BOOT_ARCH, ACPI_BOOT_CMOS_RTC_NOT_PRESENT);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(Fadt.PmTimerFromX && Fadt.PmTimerAddress == 0x1008);
    XTEST_CHECK(Fadt.CmosRtcPresent && !Fadt.Has8042 && Fadt.BootArch == 0);
    TestAcpiAt(FADT_PA)[8] = 6;
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(!Fadt.CmosRtcPresent && !Fadt.Has8042);
    TestAcpiPut64(FADT_PA + ACPI_FADT_X_PM_TMR_BLK + 4, 0); /* X_ empty: PM_TMR_BLK */
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(!Fadt.PmTimerFromX && Fadt.PmTimerAddress == 0x608);
    TestAcpiAt(FADT_PA)[ACPI_FADT_X_PM_TMR_BLK] = ACPI_GAS_SYSTEM_MEMORY; /* a memory-mapped PM timer */
    TestAcpiPut64(FADT_PA + ACPI_FADT_X_PM_TMR_BLK + 4, 0xFED80008ull);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(Fadt.PmTimerFromX && Fadt.PmTimerIsMemory && Fadt.PmTimerAddress == 0xFED80008ull);
    TestAcpiPut32(FADT_PA + ACPI_FADT_FLAGS, ACPI_FADT_HW_REDUCED_ACPI | ACPI_FADT_TMR_VAL_EXT);
    SealAll();
    XTEST_ASSERT_EQ(HlAcpiReadFadtClock(&TestAcpiAccess, RSDP_PA, &Fadt), STATUS_SUCCESS);
    XTEST_CHECK(!Fadt.PmTimerPresent && !Fadt.PmTimer32Bit);
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST(FindTableLooksUpBySignature) {
    CHAR Error[HL_ACPI_ERROR_SIZE];
    ULONGLONG Address = 1;
    BuildQ35();
    XTEST_CHECK_EQ(HlAcpiFindTable(&TestAcpiAccess, RSDP_PA, "HPET", &Address, Error), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Address, HPET_PA);
    XTEST_CHECK_EQ(HlAcpiFindTable(&TestAcpiAccess, RSDP_PA, "SRAT", &Address, Error), STATUS_NOT_FOUND);
    XTEST_CHECK(Address == 0 && Contains(Error, "no SRAT table in the XSDT"));
    XTEST_CHECK_EQ(HlAcpiFindTable(&TestAcpiAccess, 0, "APIC", &Address, Error), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Error, "RSDP"));
    XTEST_CHECK_EQ(TestAcpiMemory.Mapped, 0);
}

XTEST_SUITE(HlAcpiTimeSuite, XTEST_ENTRY(Q35Hpet), XTEST_ENTRY(HpetVariantsAndDamage), XTEST_ENTRY(Q35FadtClockFields),
            XTEST_ENTRY(OldFadtWithoutExtendedFields), XTEST_ENTRY(FadtRevisionRules),
            XTEST_ENTRY(FindTableLooksUpBySignature));

XTEST_HOST_MAIN(&HlMadtSuite, &HlAcpiTimeSuite)

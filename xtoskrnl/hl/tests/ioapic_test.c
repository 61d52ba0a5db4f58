/* HlIoApicSuite: the I/O APIC routing library (ioapicops.c) against a register model of the 82093AA's IOREGSEL /
 * IOWIN pair, with crafted MADTs parsed by the real MADT parser: no overrides, QEMU's IRQ0->GSI2, a level/low SCI
 * override, two I/O APICs with GSI bases, a GSI outside every I/O APIC, overrides the ISA routing must ignore, NMI
 * sources. Every test checks the exact redirection entries the model holds. */
#include <acpi.h>
#include <ioapicregs.h>
#include <rtl.h>
#include <xtest.h>

#define MODEL_UNITS     3
#define BOOT_APIC_ID    0x05
#define DEST            ((ULONGLONG)BOOT_APIC_ID << 56)
#define FIRMWARE_ENTRY  0x00000031u /* what the model's pins hold before start-up: unmasked, vector 0x31 */
#define MADT_BUFFER_MAX 512

/* One I/O APIC: the selected register, the 256 indirect registers, and the write discipline seen. */
typedef struct _MODEL_IOAPIC {
    ULONG Select;
    ULONG Registers[0x100];
    BOOLEAN Absent;       /* reads all ones (nothing decodes the address) */
    ULONG LiveHighWrites; /* destination (high dword) writes while the pin was unmasked */
    ULONG ReadOnlyWrites; /* writes to the read-only version register */
} MODEL_IOAPIC, *PMODEL_IOAPIC;

static MODEL_IOAPIC Models[MODEL_UNITS];
static PVOID ModelContexts[MODEL_UNITS] = {&Models[0], &Models[1], &Models[2]};

static ULONG ModelRead(PVOID Context, ULONG Offset) {
    PMODEL_IOAPIC Model = Context;

    if (Model->Absent) {
        return 0xFFFFFFFFu;
    }
    return Offset == IOAPIC_IOREGSEL ? Model->Select : Model->Registers[Model->Select];
}

static VOID ModelWrite(PVOID Context, ULONG Offset, ULONG Value) {
    PMODEL_IOAPIC Model = Context;
    ULONG Register = Model->Select;

    if (Offset == IOAPIC_IOREGSEL) {
        Model->Select = Value & 0xFF;
        return;
    }
    if (Register == IOAPIC_REGISTER_VERSION) {
        Model->ReadOnlyWrites++;
        return;
    }
    if (Register >= IOAPIC_REGISTER_REDIRECTION && (Register & 1) &&
        !(Model->Registers[Register - 1] & (ULONG)IOAPIC_RTE_MASKED)) {
        Model->LiveHighWrites++;
    }
    if (Register >= IOAPIC_REGISTER_REDIRECTION && !(Register & 1)) {
        Value = (Value & (ULONG)IOAPIC_RTE_WRITABLE) |
                (Model->Registers[Register] & (ULONG)(IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVERY_PENDING));
    }
    Model->Registers[Register] = Value;
}

static const HL_IOAPIC_OPS ModelOps = {ModelRead, ModelWrite};

/* A model I/O APIC with Pins pins, every pin holding FIRMWARE_ENTRY (unmasked) and destination 0xFF. */
static VOID ModelReset(ULONG Index, ULONG Pins) {
    PMODEL_IOAPIC Model = &Models[Index];

    RtlZeroMemory(Model, sizeof(*Model));
    Model->Registers[IOAPIC_REGISTER_VERSION] = ((Pins - 1) << 16) | 0x20;
    for (ULONG Pin = 0; Pin < Pins; Pin++) {
        Model->Registers[IOAPIC_REGISTER_REDIRECTION + 2 * Pin] = FIRMWARE_ENTRY;
        Model->Registers[IOAPIC_REGISTER_REDIRECTION + 2 * Pin + 1] = 0xFF000000u;
    }
}

static ULONGLONG ModelEntry(ULONG Index, ULONG Pin) {
    PMODEL_IOAPIC Model = &Models[Index];

    return ((ULONGLONG)Model->Registers[IOAPIC_REGISTER_REDIRECTION + 2 * Pin + 1] << 32) |
           Model->Registers[IOAPIC_REGISTER_REDIRECTION + 2 * Pin];
}

/* A crafted MADT: header, local APIC address, PC-AT flag, then the entries appended below. */
static UCHAR Madt[MADT_BUFFER_MAX];
static ULONG MadtLength;
static HL_MADT_INFO MadtInfo;
static HL_IOAPIC_SYSTEM System;

static VOID Put32(PUCHAR Bytes, ULONG Value) {
    for (ULONG Index = 0; Index < 4; Index++) {
        Bytes[Index] = (UCHAR)(Value >> (8 * Index));
    }
}

static VOID MadtBegin(VOID) {
    RtlZeroMemory(Madt, sizeof(Madt));
    RtlCopyMemory(Madt, "APIC", 4);
    Madt[8] = 5;
    Put32(Madt + 36, 0xFEE00000u);
    Put32(Madt + 40, ACPI_MADT_PCAT_COMPAT);
    MadtLength = ACPI_MADT_ENTRIES;
    Madt[MadtLength++] = ACPI_MADT_LOCAL_APIC; /* the boot processor */
    Madt[MadtLength++] = 8;
    Madt[MadtLength++] = 0;
    Madt[MadtLength++] = BOOT_APIC_ID;
    Put32(Madt + MadtLength, ACPI_MADT_ENABLED);
    MadtLength += 4;
}

static VOID MadtIoApic(UCHAR Id, ULONG Address, ULONG GsiBase) {
    PUCHAR Entry = Madt + MadtLength;

    Entry[0] = ACPI_MADT_IO_APIC;
    Entry[1] = 12;
    Entry[2] = Id;
    Put32(Entry + 4, Address);
    Put32(Entry + 8, GsiBase);
    MadtLength += 12;
}

static VOID MadtOverride(UCHAR Bus, UCHAR Irq, ULONG Gsi, USHORT Flags) {
    PUCHAR Entry = Madt + MadtLength;

    Entry[0] = ACPI_MADT_SOURCE_OVERRIDE;
    Entry[1] = 10;
    Entry[2] = Bus;
    Entry[3] = Irq;
    Put32(Entry + 4, Gsi);
    Entry[8] = (UCHAR)Flags;
    Entry[9] = (UCHAR)(Flags >> 8);
    MadtLength += 10;
}

static VOID MadtNmiSource(USHORT Flags, ULONG Gsi) {
    PUCHAR Entry = Madt + MadtLength;

    Entry[0] = ACPI_MADT_NMI_SOURCE;
    Entry[1] = 8;
    Entry[2] = (UCHAR)Flags;
    Entry[3] = (UCHAR)(Flags >> 8);
    Put32(Entry + 4, Gsi);
    MadtLength += 8;
}

/* Parses the MADT (its length written into the header) and starts the library on the models. */
static XTSTATUS MadtStart(VOID) {
    UCHAR Sum = 0;
    XTSTATUS Status;

    Put32(Madt + 4, MadtLength);
    Madt[9] = 0;
    for (ULONG Index = 0; Index < MadtLength; Index++) {
        Sum += Madt[Index];
    }
    Madt[9] = (UCHAR)(0x100 - Sum);
    Status = HlAcpiParseMadt(Madt, MadtLength, &MadtInfo);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    return HlIoApicInitialize(&System, &MadtInfo, &ModelOps, ModelContexts, BOOT_APIC_ID);
}

/* TRUE when every pin of model Index except Skip (~0: none) holds exactly "masked, everything else 0". */
static BOOLEAN AllMaskedExcept(ULONG Index, ULONG Pins, ULONG Skip) {
    for (ULONG Pin = 0; Pin < Pins; Pin++) {
        if (Pin != Skip && ModelEntry(Index, Pin) != IOAPIC_RTE_MASKED) {
            return FALSE;
        }
    }
    return TRUE;
}

/* A routing of ISA IRQ Irq on Vector through the resolver, as HlEnableIsaInterrupt does. */
static XTSTATUS EnableIsa(ULONG Irq, ULONG Vector) {
    HL_ACPI_IRQ_ROUTE Route;
    XTSTATUS Status = HlIoApicResolveIsaIrq(&System, Irq, &Route);

    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    return HlIoApicRouteGsi(&System, Route.Gsi, Vector, Route.ActiveLow, Route.LevelTriggered);
}

XTEST(EntryEncodingBitPositions) {
    HL_IOAPIC_ENTRY Entry = {0}, Back;

    Entry.Vector = 0xAB;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0xABull);
    Entry.DeliveryMode = 4;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0x4ABull);
    Entry.LogicalDestination = TRUE;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0xCABull);
    Entry.ActiveLow = TRUE;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0x2CABull);
    Entry.LevelTriggered = TRUE;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0xACABull);
    Entry.Masked = TRUE;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0x1ACABull);
    Entry.Destination = 0xC3;
    XTEST_CHECK_EQ(HlIoApicEncodeEntry(&Entry), 0xC30000000001ACABull);
    HlIoApicDecodeEntry(0xC30000000001ACABull | IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVERY_PENDING, &Back);
    XTEST_CHECK(RtlCompareMemory(&Entry, &Back, sizeof(Entry)) == sizeof(Entry));
}

XTEST(RegisterPairAndPinCount) {
    ULONG Version = 0;

    ModelReset(0, 24);
    XTEST_CHECK_EQ(HlIoApicQueryPinCount(&ModelOps, &Models[0], &Version), 24);
    XTEST_CHECK_EQ(Version, 0x170020);
    XTEST_CHECK_EQ(Models[0].Select, IOAPIC_REGISTER_VERSION);
    HlIoApicWriteRegister(&ModelOps, &Models[0], IOAPIC_REGISTER_ID, 0x02000000u);
    XTEST_CHECK_EQ(Models[0].Registers[IOAPIC_REGISTER_ID], 0x02000000u);
    XTEST_CHECK_EQ(HlIoApicReadRegister(&ModelOps, &Models[0], IOAPIC_REGISTER_ID), 0x02000000u);
    HlIoApicWriteEntry(&ModelOps, &Models[0], 23, 0x1234567800000042ull);
    XTEST_CHECK_EQ(ModelEntry(0, 23), 0x1234567800000042ull);
    XTEST_CHECK_EQ(HlIoApicReadEntry(&ModelOps, &Models[0], 23), 0x1234567800000042ull);
    Models[1].Absent = TRUE;
    XTEST_CHECK_EQ(HlIoApicQueryPinCount(&ModelOps, &Models[1], &Version), 0);
    XTEST_CHECK_EQ(Version, 0xFFFFFFFFu);
}

XTEST(NoOverridesIdentityRoutes) {
    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.UnitCount, 1);
    XTEST_CHECK_EQ(System.Units[0].PinCount, 24);
    XTEST_CHECK_EQ(System.Units[0].OverridesApplied, 0);
    XTEST_CHECK(AllMaskedExcept(0, 24, ~0u));
    XTEST_CHECK(XT_SUCCESS(EnableIsa(1, 0x51)));
    XTEST_CHECK_EQ(ModelEntry(0, 1), 0x51ull | DEST);
    XTEST_CHECK(XT_SUCCESS(EnableIsa(0, 0x30)));
    XTEST_CHECK_EQ(ModelEntry(0, 0), 0x30ull | DEST);
    XTEST_CHECK(XT_SUCCESS(HlIoApicMaskGsi(&System, 1)));
    XTEST_CHECK_EQ(ModelEntry(0, 1), 0x51ull | IOAPIC_RTE_MASKED | DEST);
    XTEST_CHECK_EQ(ModelEntry(0, 0), 0x30ull | DEST);
    XTEST_CHECK_EQ(EnableIsa(16, 0x52), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(HlIoApicRouteGsi(&System, 3, 0x1F, FALSE, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(HlIoApicRouteGsi(&System, 3, 0xFF, FALSE, FALSE), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ModelEntry(0, 3), IOAPIC_RTE_MASKED);
    XTEST_CHECK_EQ(Models[0].ReadOnlyWrites, 0);
}

XTEST(QemuIrq0OverrideToGsi2) {
    HL_ACPI_IRQ_ROUTE Route;

    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtOverride(0, 0, 2, 0);
    MadtOverride(0, 9, 9, ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.Units[0].OverridesApplied, 2);
    XTEST_ASSERT(XT_SUCCESS(HlIoApicResolveIsaIrq(&System, 0, &Route)));
    XTEST_CHECK_EQ(Route.Gsi, 2);
    XTEST_CHECK(Route.Overridden && !Route.ActiveLow && !Route.LevelTriggered);
    XTEST_CHECK(XT_SUCCESS(EnableIsa(0, 0xD1)));
    XTEST_CHECK_EQ(ModelEntry(0, 2), 0xD1ull | DEST);
    XTEST_CHECK(AllMaskedExcept(0, 24, 2));
    XTEST_CHECK(XT_SUCCESS(EnableIsa(9, 0x61)));
    XTEST_CHECK_EQ(ModelEntry(0, 9), 0x61ull | IOAPIC_RTE_LEVEL | DEST);
}

XTEST(LevelLowSciOverride) {
    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtOverride(0, 9, 20, ACPI_MPS_POLARITY_LOW | ACPI_MPS_TRIGGER_LEVEL);
    MadtOverride(0, 4, 4, ACPI_MPS_POLARITY_LOW);  /* trigger "conforms": ISA edge */
    MadtOverride(0, 3, 3, ACPI_MPS_TRIGGER_LEVEL); /* polarity "conforms": ISA high */
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK(XT_SUCCESS(EnableIsa(9, 0x71)));
    XTEST_CHECK_EQ(ModelEntry(0, 20), 0x71ull | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | DEST);
    XTEST_CHECK_EQ(ModelEntry(0, 9), IOAPIC_RTE_MASKED);
    XTEST_CHECK(XT_SUCCESS(EnableIsa(4, 0x72)));
    XTEST_CHECK_EQ(ModelEntry(0, 4), 0x72ull | IOAPIC_RTE_ACTIVE_LOW | DEST);
    XTEST_CHECK(XT_SUCCESS(EnableIsa(3, 0x73)));
    XTEST_CHECK_EQ(ModelEntry(0, 3), 0x73ull | IOAPIC_RTE_LEVEL | DEST);
    XTEST_CHECK_EQ(Models[0].Registers[IOAPIC_REGISTER_REDIRECTION + 2 * 20] & 0xFFFF, 0xA071);
}

XTEST(TwoIoApicsWithGsiBases) {
    PHL_IOAPIC_UNIT Unit;
    ULONG Pin = 0;

    ModelReset(0, 24);
    ModelReset(1, 32);
    MadtBegin();
    MadtIoApic(2, 0xFEC00000u, 0);
    MadtIoApic(3, 0xFEC01000u, 24);
    MadtOverride(0, 11, 30, ACPI_MPS_POLARITY_LOW | ACPI_MPS_TRIGGER_LEVEL);
    MadtOverride(0, 0, 2, 0);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.UnitCount, 2);
    XTEST_CHECK_EQ(System.Units[1].Id, 3);
    XTEST_CHECK_EQ(System.Units[1].PinCount, 32);
    XTEST_CHECK_EQ(System.Units[0].OverridesApplied, 1);
    XTEST_CHECK_EQ(System.Units[1].OverridesApplied, 1);
    XTEST_CHECK(AllMaskedExcept(0, 24, ~0u) && AllMaskedExcept(1, 32, ~0u));
    XTEST_ASSERT(XT_SUCCESS(HlIoApicFindGsi(&System, 55, &Unit, &Pin)));
    XTEST_CHECK(Unit == &System.Units[1] && Pin == 31);
    XTEST_CHECK_EQ(HlIoApicFindGsi(&System, 56, &Unit, &Pin), STATUS_NOT_FOUND);
    XTEST_CHECK(XT_SUCCESS(EnableIsa(11, 0x81)));
    XTEST_CHECK_EQ(ModelEntry(1, 6), 0x81ull | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | DEST);
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 24, 0x82, FALSE, TRUE)));
    XTEST_CHECK_EQ(ModelEntry(1, 0), 0x82ull | IOAPIC_RTE_LEVEL | DEST);
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 23, 0x83, FALSE, FALSE)));
    XTEST_CHECK_EQ(ModelEntry(0, 23), 0x83ull | DEST);
    XTEST_CHECK(AllMaskedExcept(0, 23, ~0u));
}

XTEST(GsiOutsideEveryIoApicIsAnError) {
    ModelReset(0, 24);
    ModelReset(1, 8);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtIoApic(1, 0xFEC01000u, 64);
    MadtOverride(0, 3, 40, 0);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.Units[0].OverridesApplied + System.Units[1].OverridesApplied, 0);
    XTEST_CHECK_EQ(EnableIsa(3, 0x91), STATUS_NOT_FOUND);
    XTEST_CHECK(RtlCompareCString(System.Error, "GSI 40 is outside every I/O APIC (2 of them, first GSI 0-23)",
                                  HL_IOAPIC_ERROR_SIZE, FALSE) == 0);
    XTEST_CHECK_EQ(HlIoApicMaskGsi(&System, 72), STATUS_NOT_FOUND);
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 71, 0x92, FALSE, FALSE)));
    XTEST_CHECK_EQ(System.Error[0], '\0');
    XTEST_CHECK(AllMaskedExcept(0, 24, ~0u) && AllMaskedExcept(1, 7, ~0u));
}

XTEST(OverridesIsaRoutingIgnores) {
    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtOverride(0, 20, 20, ACPI_MPS_POLARITY_LOW | ACPI_MPS_TRIGGER_LEVEL); /* "IRQ 20": no such ISA IRQ */
    MadtOverride(1, 4, 14, ACPI_MPS_POLARITY_LOW | ACPI_MPS_TRIGGER_LEVEL);  /* not the ISA bus */
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.IgnoredOverrides, 2);
    XTEST_CHECK_EQ(System.Units[0].OverridesApplied, 0);
    XTEST_CHECK_EQ(EnableIsa(20, 0xA1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(RtlCompareCString(System.Error, "ISA IRQ 20: ISA has IRQs 0-15", HL_IOAPIC_ERROR_SIZE, FALSE) == 0);
    XTEST_CHECK(XT_SUCCESS(EnableIsa(4, 0xA2)));
    XTEST_CHECK_EQ(ModelEntry(0, 4), 0xA2ull | DEST);
    XTEST_CHECK(AllMaskedExcept(0, 24, 4));
}

XTEST(NmiSourcePinsAreNmi) {
    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtNmiSource(ACPI_MPS_POLARITY_LOW | ACPI_MPS_TRIGGER_LEVEL, 5);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.Units[0].NmiPins, 1);
    XTEST_CHECK_EQ(ModelEntry(0, 5), IOAPIC_RTE_DELIVERY_NMI | IOAPIC_RTE_ACTIVE_LOW | DEST);
    XTEST_CHECK(AllMaskedExcept(0, 24, 5));
    XTEST_CHECK_EQ(EnableIsa(5, 0xB1), STATUS_DEVICE_BUSY);
    XTEST_CHECK_EQ(ModelEntry(0, 5), IOAPIC_RTE_DELIVERY_NMI | IOAPIC_RTE_ACTIVE_LOW | DEST);
    XTEST_CHECK_EQ(HlIoApicMaskVector(&System, 0, &(ULONG){0}), 0); /* an NMI pin is not a fixed line */

    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtNmiSource(0, 24);
    XTEST_CHECK_EQ(MadtStart(), STATUS_DATA_ERROR);
    XTEST_CHECK(RtlCompareCString(System.Error, "MADT NMI source on GSI 24: no I/O APIC has that pin",
                                  HL_IOAPIC_ERROR_SIZE, FALSE) == 0);
}

XTEST(BadTopologies) {
    ModelReset(0, 24);
    ModelReset(1, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtIoApic(1, 0xFEC01000u, 16);
    XTEST_CHECK_EQ(MadtStart(), STATUS_DATA_ERROR);
    XTEST_CHECK(RtlCompareCString(System.Error, "I/O APIC id 1 (GSI 16-39) overlaps I/O APIC id 0 (GSI 0-23)",
                                  HL_IOAPIC_ERROR_SIZE, FALSE) == 0);

    MadtBegin();
    XTEST_CHECK_EQ(MadtStart(), STATUS_NOT_FOUND);

    ModelReset(0, 24);
    ModelReset(1, 24);
    Models[1].Absent = TRUE;
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtIoApic(1, 0xFEC01000u, 24);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK_EQ(System.Units[1].PinCount, 0);
    XTEST_CHECK_EQ(HlIoApicRouteGsi(&System, 24, 0x40, FALSE, FALSE), STATUS_NOT_FOUND);
}

XTEST(WritesNeverLeaveAPinHalfProgrammed) {
    ModelReset(0, 24);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    /* A pin programmed to one destination, then reprogrammed: the model sees the mask set before the high dword
     * changes, and the unmasked low dword written last. */
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 7, 0x47, FALSE, FALSE)));
    System.BootApicId = 0x09;
    Models[0].Registers[IOAPIC_REGISTER_REDIRECTION + 2 * 7] |= (ULONG)IOAPIC_RTE_REMOTE_IRR;
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 7, 0x48, TRUE, TRUE)));
    XTEST_CHECK_EQ(ModelEntry(0, 7),
                   0x0900000000000048ull | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_REMOTE_IRR);
    XTEST_CHECK_EQ(Models[0].Select, IOAPIC_REGISTER_REDIRECTION + 2 * 7);
    XTEST_CHECK_EQ(Models[0].LiveHighWrites, 0);
}

XTEST(MaskVectorFindsEveryLine) {
    ULONG Gsi = 0xDEAD;

    ModelReset(0, 24);
    ModelReset(1, 8);
    MadtBegin();
    MadtIoApic(0, 0xFEC00000u, 0);
    MadtIoApic(1, 0xFEC01000u, 24);
    XTEST_ASSERT(XT_SUCCESS(MadtStart()));
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 10, 0x61, TRUE, TRUE)));
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 26, 0x61, FALSE, FALSE)));
    XTEST_CHECK(XT_SUCCESS(HlIoApicRouteGsi(&System, 11, 0x62, FALSE, FALSE)));
    XTEST_CHECK_EQ(HlIoApicMaskVector(&System, 0x63, &Gsi), 0);
    XTEST_CHECK_EQ(Gsi, 0xDEAD);
    XTEST_CHECK_EQ(HlIoApicMaskVector(&System, 0x61, &Gsi), 2);
    XTEST_CHECK_EQ(Gsi, 10);
    XTEST_CHECK_EQ(ModelEntry(0, 10), 0x61ull | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | DEST);
    XTEST_CHECK_EQ(ModelEntry(1, 2), 0x61ull | IOAPIC_RTE_MASKED | DEST);
    XTEST_CHECK_EQ(ModelEntry(0, 11), 0x62ull | DEST);
    XTEST_CHECK_EQ(HlIoApicMaskVector(&System, 0x61, &Gsi), 0);
}

XTEST_SUITE(HlIoApicSuite, XTEST_ENTRY(EntryEncodingBitPositions), XTEST_ENTRY(RegisterPairAndPinCount),
            XTEST_ENTRY(NoOverridesIdentityRoutes), XTEST_ENTRY(QemuIrq0OverrideToGsi2),
            XTEST_ENTRY(LevelLowSciOverride), XTEST_ENTRY(TwoIoApicsWithGsiBases),
            XTEST_ENTRY(GsiOutsideEveryIoApicIsAnError), XTEST_ENTRY(OverridesIsaRoutingIgnores),
            XTEST_ENTRY(NmiSourcePinsAreNmi), XTEST_ENTRY(BadTopologies),
            XTEST_ENTRY(WritesNeverLeaveAPinHalfProgrammed), XTEST_ENTRY(MaskVectorFindsEveryLine));
XTEST_HOST_MAIN(&HlIoApicSuite)

/* I/O APIC programming (see ioapicregs.h): entry encoding, the IOREGSEL/IOWIN pair, and GSI routing over every I/O
 * APIC of the MADT. Pure: registers are reached through an HL_IOAPIC_OPS table. */
#include <rtl.h>

#include "ioapicregs.h"

static ULONG HlpIoApicMmioRead(PVOID Context, ULONG Offset) {
    return *(volatile ULONG *)((PUCHAR)Context + Offset);
}

static VOID HlpIoApicMmioWrite(PVOID Context, ULONG Offset, ULONG Value) {
    *(volatile ULONG *)((PUCHAR)Context + Offset) = Value;
}

const HL_IOAPIC_OPS HlIoApicMmioOps = {HlpIoApicMmioRead, HlpIoApicMmioWrite};

ULONGLONG HlIoApicEncodeEntry(const HL_IOAPIC_ENTRY *Entry) {
    ULONGLONG Value = Entry->Vector;

    Value |= ((ULONGLONG)(Entry->DeliveryMode & 7) << IOAPIC_RTE_DELIVERY_SHIFT);
    Value |= Entry->LogicalDestination ? IOAPIC_RTE_DEST_LOGICAL : 0;
    Value |= Entry->ActiveLow ? IOAPIC_RTE_ACTIVE_LOW : 0;
    Value |= Entry->LevelTriggered ? IOAPIC_RTE_LEVEL : 0;
    Value |= Entry->Masked ? IOAPIC_RTE_MASKED : 0;
    Value |= (ULONGLONG)Entry->Destination << IOAPIC_RTE_DESTINATION_SHIFT;
    return Value;
}

VOID HlIoApicDecodeEntry(ULONGLONG Value, PHL_IOAPIC_ENTRY Entry) {
    Entry->Vector = (UCHAR)(Value & IOAPIC_RTE_VECTOR_MASK);
    Entry->DeliveryMode = (UCHAR)((Value & IOAPIC_RTE_DELIVERY_MASK) >> IOAPIC_RTE_DELIVERY_SHIFT);
    Entry->LogicalDestination = (Value & IOAPIC_RTE_DEST_LOGICAL) != 0;
    Entry->ActiveLow = (Value & IOAPIC_RTE_ACTIVE_LOW) != 0;
    Entry->LevelTriggered = (Value & IOAPIC_RTE_LEVEL) != 0;
    Entry->Masked = (Value & IOAPIC_RTE_MASKED) != 0;
    Entry->Destination = (UCHAR)(Value >> IOAPIC_RTE_DESTINATION_SHIFT);
}

ULONG HlIoApicReadRegister(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Register) {
    Ops->Write(Context, IOAPIC_IOREGSEL, Register);
    return Ops->Read(Context, IOAPIC_IOWIN);
}

VOID HlIoApicWriteRegister(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Register, ULONG Value) {
    Ops->Write(Context, IOAPIC_IOREGSEL, Register);
    Ops->Write(Context, IOAPIC_IOWIN, Value);
}

ULONGLONG HlIoApicReadEntry(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Pin) {
    ULONG Low = HlIoApicReadRegister(Ops, Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin);
    ULONG High = HlIoApicReadRegister(Ops, Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin + 1);

    return ((ULONGLONG)High << 32) | Low;
}

VOID HlIoApicWriteEntry(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Pin, ULONGLONG Value) {
    ULONG Low = (ULONG)(Value & IOAPIC_RTE_WRITABLE);

    HlIoApicWriteRegister(Ops, Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin, Low | (ULONG)IOAPIC_RTE_MASKED);
    HlIoApicWriteRegister(Ops, Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin + 1, (ULONG)(Value >> 32));
    if (!(Value & IOAPIC_RTE_MASKED)) {
        HlIoApicWriteRegister(Ops, Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin, Low);
    }
}

ULONG HlIoApicQueryPinCount(PCHL_IOAPIC_OPS Ops, PVOID Context, PULONG Version) {
    ULONG Value = HlIoApicReadRegister(Ops, Context, IOAPIC_REGISTER_VERSION);
    ULONG Pins = IOAPIC_VERSION_MAX_ENTRY(Value);

    *Version = Value;
    if (Value == 0xFFFFFFFFu || Pins > IOAPIC_MAX_PINS) {
        return 0;
    }
    return Pins;
}

/* Writes a message into System->Error and returns Status. */
static XTSTATUS HlpIoApicFail(PHL_IOAPIC_SYSTEM System, XTSTATUS Status, PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatStringV(System->Error, sizeof(System->Error), Format, Arguments);
    va_end(Arguments);
    return Status;
}

XTSTATUS HlIoApicFindGsi(PHL_IOAPIC_SYSTEM System, ULONG Gsi, PHL_IOAPIC_UNIT *Unit, PULONG Pin) {
    for (ULONG Index = 0; Index < System->UnitCount; Index++) {
        PHL_IOAPIC_UNIT Candidate = &System->Units[Index];

        if (Gsi >= Candidate->GsiBase && Gsi - Candidate->GsiBase < Candidate->PinCount) {
            *Unit = Candidate;
            *Pin = Gsi - Candidate->GsiBase;
            return STATUS_SUCCESS;
        }
    }
    if (System->UnitCount == 0) {
        return HlpIoApicFail(System, STATUS_NOT_FOUND, "GSI %u: no I/O APIC", Gsi);
    }
    return HlpIoApicFail(System, STATUS_NOT_FOUND, "GSI %u is outside every I/O APIC (%u of them, first GSI %u-%u)",
                         Gsi, System->UnitCount, System->Units[0].GsiBase,
                         System->Units[0].GsiBase + System->Units[0].PinCount - 1);
}

/* The NMI sources' pins: delivery NMI, edge (the SDM requires it for NMI), the entry's polarity, unmasked. */
static XTSTATUS HlpIoApicProgramNmiSources(PHL_IOAPIC_SYSTEM System) {
    const HL_MADT_INFO *Madt = System->Madt;

    for (ULONG Index = 0; Index < Madt->NmiSourceCount && Index < HL_MADT_MAX_NMI_SOURCES; Index++) {
        const HL_MADT_NMI_SOURCE *Source = &Madt->NmiSources[Index];
        HL_IOAPIC_ENTRY Entry = {0};
        PHL_IOAPIC_UNIT Unit;
        ULONG Pin;

        if (!XT_SUCCESS(HlIoApicFindGsi(System, Source->Gsi, &Unit, &Pin))) {
            return HlpIoApicFail(System, STATUS_DATA_ERROR, "MADT NMI source on GSI %u: no I/O APIC has that pin",
                                 Source->Gsi);
        }
        Entry.DeliveryMode = (UCHAR)(IOAPIC_RTE_DELIVERY_NMI >> IOAPIC_RTE_DELIVERY_SHIFT);
        Entry.ActiveLow = (Source->Flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW;
        Entry.Destination = System->BootApicId;
        HlIoApicWriteEntry(Unit->Ops, Unit->Context, Pin, HlIoApicEncodeEntry(&Entry));
        Unit->NmiPins++;
    }
    return STATUS_SUCCESS;
}

/* Counts the ISA overrides per unit (those of another bus or of an IRQ >= 16 are ignored). */
static VOID HlpIoApicCountOverrides(PHL_IOAPIC_SYSTEM System) {
    const HL_MADT_INFO *Madt = System->Madt;

    for (ULONG Index = 0; Index < Madt->OverrideCount && Index < HL_MADT_MAX_OVERRIDES; Index++) {
        const HL_MADT_OVERRIDE *Override = &Madt->Overrides[Index];
        PHL_IOAPIC_UNIT Unit;
        ULONG Pin;

        if (Override->Bus != 0 || Override->SourceIrq > 15) {
            System->IgnoredOverrides++;
        } else if (XT_SUCCESS(HlIoApicFindGsi(System, Override->Gsi, &Unit, &Pin))) {
            Unit->OverridesApplied++;
        }
    }
}

/* Reads each unit's pin count and masks all its pins; a second unit overlapping an earlier one's GSIs is refused. */
static XTSTATUS HlpIoApicAddUnits(PHL_IOAPIC_SYSTEM System, PCHL_IOAPIC_OPS Ops, PVOID const *Contexts) {
    const HL_MADT_INFO *Madt = System->Madt;

    for (ULONG Index = 0; Index < Madt->IoApicCount && Index < HL_MADT_MAX_IO_APICS; Index++) {
        PHL_IOAPIC_UNIT Unit = &System->Units[Index];

        Unit->Id = Madt->IoApics[Index].Id;
        Unit->Address = Madt->IoApics[Index].Address;
        Unit->GsiBase = Madt->IoApics[Index].GsiBase;
        Unit->Ops = Ops;
        Unit->Context = Contexts[Index];
        Unit->PinCount = HlIoApicQueryPinCount(Ops, Unit->Context, &Unit->Version);
        for (ULONG Other = 0; Other < Index; Other++) {
            PHL_IOAPIC_UNIT Earlier = &System->Units[Other];

            if (Unit->PinCount != 0 && Earlier->PinCount != 0 && Unit->GsiBase < Earlier->GsiBase + Earlier->PinCount &&
                Earlier->GsiBase < Unit->GsiBase + Unit->PinCount) {
                return HlpIoApicFail(System, STATUS_DATA_ERROR,
                                     "I/O APIC id %u (GSI %u-%u) overlaps I/O APIC id %u (GSI %u-%u)", Unit->Id,
                                     Unit->GsiBase, Unit->GsiBase + Unit->PinCount - 1, Earlier->Id, Earlier->GsiBase,
                                     Earlier->GsiBase + Earlier->PinCount - 1);
            }
        }
        for (ULONG Pin = 0; Pin < Unit->PinCount; Pin++) {
            HlIoApicWriteEntry(Ops, Unit->Context, Pin, IOAPIC_RTE_MASKED);
        }
        System->UnitCount = Index + 1;
    }
    return STATUS_SUCCESS;
}

XTSTATUS HlIoApicInitialize(PHL_IOAPIC_SYSTEM System, const HL_MADT_INFO *Madt, PCHL_IOAPIC_OPS Ops,
                            PVOID const *Contexts, UCHAR BootApicId) {
    XTSTATUS Status;

    RtlZeroMemory(System, sizeof(*System));
    System->Madt = Madt;
    System->BootApicId = BootApicId;
    if (Madt->IoApicCount == 0) {
        return HlpIoApicFail(System, STATUS_NOT_FOUND, "the MADT lists no I/O APIC");
    }
    Status = HlpIoApicAddUnits(System, Ops, Contexts);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    HlpIoApicCountOverrides(System);
    return HlpIoApicProgramNmiSources(System);
}

XTSTATUS HlIoApicResolveIsaIrq(PHL_IOAPIC_SYSTEM System, ULONG Irq, PHL_ACPI_IRQ_ROUTE Route) {
    if (Irq > 15) {
        return HlpIoApicFail(System, STATUS_INVALID_PARAMETER, "ISA IRQ %u: ISA has IRQs 0-15", Irq);
    }
    return HlAcpiResolveIsaIrq(System->Madt, (UCHAR)Irq, Route);
}

XTSTATUS HlIoApicRouteGsi(PHL_IOAPIC_SYSTEM System, ULONG Gsi, ULONG Vector, BOOLEAN ActiveLow,
                          BOOLEAN LevelTriggered) {
    HL_IOAPIC_ENTRY Entry = {0};
    PHL_IOAPIC_UNIT Unit;
    ULONG Pin;
    XTSTATUS Status;

    if (Vector < 32 || Vector > 0xFE) {
        return HlpIoApicFail(System, STATUS_INVALID_PARAMETER, "vector 0x%x cannot carry a device interrupt", Vector);
    }
    Status = HlIoApicFindGsi(System, Gsi, &Unit, &Pin);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    HlIoApicDecodeEntry(HlIoApicReadEntry(Unit->Ops, Unit->Context, Pin), &Entry);
    if (Entry.DeliveryMode == (UCHAR)(IOAPIC_RTE_DELIVERY_NMI >> IOAPIC_RTE_DELIVERY_SHIFT)) {
        return HlpIoApicFail(System, STATUS_DEVICE_BUSY, "GSI %u is an NMI source", Gsi);
    }
    RtlZeroMemory(&Entry, sizeof(Entry));
    Entry.Vector = (UCHAR)Vector;
    Entry.ActiveLow = ActiveLow;
    Entry.LevelTriggered = LevelTriggered;
    Entry.Destination = System->BootApicId;
    HlIoApicWriteEntry(Unit->Ops, Unit->Context, Pin, HlIoApicEncodeEntry(&Entry));
    System->Error[0] = '\0';
    return STATUS_SUCCESS;
}

XTSTATUS HlIoApicMaskGsi(PHL_IOAPIC_SYSTEM System, ULONG Gsi) {
    PHL_IOAPIC_UNIT Unit;
    ULONG Pin;
    ULONG Low;
    XTSTATUS Status;

    Status = HlIoApicFindGsi(System, Gsi, &Unit, &Pin);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Low = HlIoApicReadRegister(Unit->Ops, Unit->Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin);
    HlIoApicWriteRegister(Unit->Ops, Unit->Context, IOAPIC_REGISTER_REDIRECTION + 2 * Pin,
                          (Low & (ULONG)IOAPIC_RTE_WRITABLE) | (ULONG)IOAPIC_RTE_MASKED);
    return STATUS_SUCCESS;
}

ULONG HlIoApicMaskVector(PHL_IOAPIC_SYSTEM System, ULONG Vector, PULONG FirstGsi) {
    ULONG Masked = 0;

    for (ULONG Index = 0; Index < System->UnitCount; Index++) {
        PHL_IOAPIC_UNIT Unit = &System->Units[Index];

        for (ULONG Pin = 0; Pin < Unit->PinCount; Pin++) {
            ULONG Register = IOAPIC_REGISTER_REDIRECTION + 2 * Pin;
            ULONG Low = HlIoApicReadRegister(Unit->Ops, Unit->Context, Register);

            if ((Low & IOAPIC_RTE_MASKED) || (Low & IOAPIC_RTE_DELIVERY_MASK) != IOAPIC_RTE_DELIVERY_FIXED ||
                (Low & IOAPIC_RTE_VECTOR_MASK) != Vector) {
                continue;
            }
            HlIoApicWriteRegister(Unit->Ops, Unit->Context, Register,
                                  (Low & (ULONG)IOAPIC_RTE_WRITABLE) | (ULONG)IOAPIC_RTE_MASKED);
            if (Masked++ == 0) {
                *FirstGsi = Unit->GsiBase + Pin;
            }
        }
    }
    return Masked;
}

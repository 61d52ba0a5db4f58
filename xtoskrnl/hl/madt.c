/* MADT ("APIC") parsing and the ISA IRQ routes it implies (see acpi.h). Every entry is checked to lie inside the
 * table and to be long enough for its type before a byte of it is read. */
#include <rtl.h>

#include "acpip.h"

/* The smallest length of each known entry type (0: unknown, skipped by its own length). */
static UCHAR HlpMadtMinimumLength(UCHAR Type) {
    switch (Type) {
        case ACPI_MADT_LOCAL_APIC:
        case ACPI_MADT_NMI_SOURCE:
            return 8;
        case ACPI_MADT_IO_APIC:
        case ACPI_MADT_LOCAL_APIC_OVERRIDE:
        case ACPI_MADT_LOCAL_X2APIC_NMI:
            return 12;
        case ACPI_MADT_SOURCE_OVERRIDE:
            return 10;
        case ACPI_MADT_LOCAL_APIC_NMI:
            return 6;
        case ACPI_MADT_LOCAL_X2APIC:
            return 16;
        default:
            return 0;
    }
}

/* Claims the next slot of an array of Capacity: returns its index, or -1 (and sets Truncated) when full. */
static LONG HlpMadtSlot(PHL_MADT_INFO Info, PULONG Count, PULONG Total, ULONG Capacity) {
    (*Total)++;
    if (*Count >= Capacity) {
        Info->Truncated = TRUE;
        return -1;
    }
    return (LONG)(*Count)++;
}

/* Records a local APIC (type 0) or local x2APIC (type 9) entry. */
static VOID HlpMadtAddProcessor(PHL_MADT_INFO Info, const UCHAR *Entry, UCHAR Type) {
    LONG Slot = HlpMadtSlot(Info, &Info->ProcessorCount, &Info->ProcessorTotal, HL_MADT_MAX_PROCESSORS);
    PHL_MADT_PROCESSOR Processor;
    ULONG Flags;

    if (Slot < 0) {
        return;
    }
    Processor = &Info->Processors[Slot];
    if (Type == ACPI_MADT_LOCAL_APIC) {
        Processor->ProcessorUid = Entry[2];
        Processor->ApicId = Entry[3];
        Flags = HlpRead32(Entry + 4);
    } else {
        Processor->ApicId = HlpRead32(Entry + 4);
        Flags = HlpRead32(Entry + 8);
        Processor->ProcessorUid = HlpRead32(Entry + 12);
        Processor->X2Apic = TRUE;
    }
    Processor->Enabled = (Flags & ACPI_MADT_ENABLED) != 0;
    Processor->OnlineCapable = !Processor->Enabled && Info->Revision >= 5 && (Flags & ACPI_MADT_ONLINE_CAPABLE) != 0;
}

/* Records a local APIC NMI (type 4) or local x2APIC NMI (type 10) entry. */
static VOID HlpMadtAddLocalNmi(PHL_MADT_INFO Info, const UCHAR *Entry, UCHAR Type) {
    LONG Slot = HlpMadtSlot(Info, &Info->LocalNmiCount, &Info->LocalNmiTotal, HL_MADT_MAX_LOCAL_NMIS);
    PHL_MADT_LOCAL_NMI Nmi;

    if (Slot < 0) {
        return;
    }
    Nmi = &Info->LocalNmis[Slot];
    if (Type == ACPI_MADT_LOCAL_APIC_NMI) {
        Nmi->ProcessorUid = Entry[2] == 0xFF ? ACPI_MADT_ALL_PROCESSORS : Entry[2];
        Nmi->Flags = HlpRead16(Entry + 3);
        Nmi->Lint = Entry[5];
    } else {
        Nmi->Flags = HlpRead16(Entry + 2);
        Nmi->ProcessorUid = HlpRead32(Entry + 4);
        Nmi->Lint = Entry[8];
        Nmi->X2Apic = TRUE;
    }
}

/* Records one entry whose length has been checked against its type. */
static VOID HlpMadtAddEntry(PHL_MADT_INFO Info, const UCHAR *Entry) {
    LONG Slot;

    switch (Entry[0]) {
        case ACPI_MADT_LOCAL_APIC:
        case ACPI_MADT_LOCAL_X2APIC:
            HlpMadtAddProcessor(Info, Entry, Entry[0]);
            break;
        case ACPI_MADT_IO_APIC:
            Slot = HlpMadtSlot(Info, &Info->IoApicCount, &Info->IoApicTotal, HL_MADT_MAX_IO_APICS);
            if (Slot >= 0) {
                Info->IoApics[Slot].Id = Entry[2];
                Info->IoApics[Slot].Address = HlpRead32(Entry + 4);
                Info->IoApics[Slot].GsiBase = HlpRead32(Entry + 8);
            }
            break;
        case ACPI_MADT_SOURCE_OVERRIDE:
            Slot = HlpMadtSlot(Info, &Info->OverrideCount, &Info->OverrideTotal, HL_MADT_MAX_OVERRIDES);
            if (Slot >= 0) {
                Info->Overrides[Slot].Bus = Entry[2];
                Info->Overrides[Slot].SourceIrq = Entry[3];
                Info->Overrides[Slot].Gsi = HlpRead32(Entry + 4);
                Info->Overrides[Slot].Flags = HlpRead16(Entry + 8);
            }
            break;
        case ACPI_MADT_NMI_SOURCE:
            Slot = HlpMadtSlot(Info, &Info->NmiSourceCount, &Info->NmiSourceTotal, HL_MADT_MAX_NMI_SOURCES);
            if (Slot >= 0) {
                Info->NmiSources[Slot].Flags = HlpRead16(Entry + 2);
                Info->NmiSources[Slot].Gsi = HlpRead32(Entry + 4);
            }
            break;
        case ACPI_MADT_LOCAL_APIC_NMI:
        case ACPI_MADT_LOCAL_X2APIC_NMI:
            HlpMadtAddLocalNmi(Info, Entry, Entry[0]);
            break;
        case ACPI_MADT_LOCAL_APIC_OVERRIDE:
            Info->LocalApicAddress = HlpRead64(Entry + 4);
            Info->LocalApicOverridden = TRUE;
            break;
        default:
            Info->UnknownEntries++;
            break;
    }
}

XTSTATUS HlAcpiParseMadt(const UCHAR *Table, ULONG Length, PHL_MADT_INFO Info) {
    ULONG Offset;

    RtlZeroMemory(Info, sizeof(*Info));
    if (Length < ACPI_MADT_ENTRIES) {
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "MADT too short (%u bytes, needs %u)", Length,
                           ACPI_MADT_ENTRIES);
    }
    Info->Revision = Table[8];
    Info->LocalApicAddress32 = HlpRead32(Table + 36);
    Info->LocalApicAddress = Info->LocalApicAddress32;
    Info->Flags = HlpRead32(Table + 40);
    for (Offset = ACPI_MADT_ENTRIES; Offset < Length;) {
        UCHAR Type, EntryLength, Minimum;

        if (Length - Offset < 2) {
            return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "MADT entry at offset %u cut by the table end (%u)",
                               Offset, Length);
        }
        Type = Table[Offset];
        EntryLength = Table[Offset + 1];
        Minimum = HlpMadtMinimumLength(Type);
        if (EntryLength < 2 || EntryLength < Minimum) {
            return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "MADT entry type %u at offset %u has length %u", Type,
                               Offset, EntryLength);
        }
        if (EntryLength > Length - Offset) {
            return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR,
                               "MADT entry type %u at offset %u (length %u) runs past the table end (%u)", Type, Offset,
                               EntryLength, Length);
        }
        HlpMadtAddEntry(Info, Table + Offset);
        Offset += EntryLength;
    }
    if (Info->LocalApicAddress == 0) {
        return HlpAcpiFail(Info->Error, STATUS_DATA_ERROR, "MADT gives no local APIC address");
    }
    return STATUS_SUCCESS;
}

XTSTATUS HlAcpiReadMadt(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_MADT_INFO Info) {
    ULONGLONG Address = 0;
    const UCHAR *Table;
    ULONG Length;
    XTSTATUS Status;

    RtlZeroMemory(Info, sizeof(*Info));
    Status = HlpAcpiMapTableBySignature(Access, RsdpAddress, "APIC", Info->Error, &Address, &Table, &Length);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    Status = HlAcpiParseMadt(Table, Length, Info);
    Access->Unmap(Access->Context, (PVOID)Table, Length);
    Info->TableAddress = Address;
    return Status;
}

XTSTATUS HlAcpiResolveIsaIrq(const HL_MADT_INFO *Info, UCHAR Irq, PHL_ACPI_IRQ_ROUTE Route) {
    RtlZeroMemory(Route, sizeof(*Route));
    if (Irq > 15) {
        return STATUS_INVALID_PARAMETER;
    }
    Route->Gsi = Irq;
    for (ULONG Index = 0; Index < Info->OverrideCount && Index < HL_MADT_MAX_OVERRIDES; Index++) {
        const HL_MADT_OVERRIDE *Override = &Info->Overrides[Index];

        if (Override->Bus == 0 && Override->SourceIrq == Irq) {
            Route->Gsi = Override->Gsi;
            Route->ActiveLow = (Override->Flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW;
            Route->LevelTriggered = (Override->Flags & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL;
            Route->Overridden = TRUE;
            break;
        }
    }
    return STATUS_SUCCESS;
}

/* The I/O APICs in the kernel: each one of the MADT mapped through the HAL window and all its pins masked at
 * start-up; lines routed to the boot processor on request (hl.h). The register programming is ioapicops.c's. */
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <rtl.h>
#include <xtintrin.h>

#include "hlp.h"
#include "ioapicregs.h"

static HL_MADT_INFO HlpIoApicMadt;
static HL_IOAPIC_SYSTEM HlpIoApics;
static BOOLEAN HlpIoApicReady;

/* Guards every IOREGSEL/IOWIN sequence, at HIGH_LEVEL: the storm detector masks lines from interrupt handlers, and
 * another processor must not select a register in between either. */
static KSPIN_LOCK HlpIoApicSpinLock;

/* Takes the I/O APIC lock at HIGH_LEVEL; returns the RunLevel to go back to. */
static KRUNLEVEL HlpIoApicLock(VOID) {
    return KeAcquireSpinLockRaiseToLevel(&HlpIoApicSpinLock, HIGH_LEVEL);
}

static VOID HlpIoApicUnlock(KRUNLEVEL OldRunLevel) {
    KeReleaseSpinLock(&HlpIoApicSpinLock, OldRunLevel);
}

static XTSTATUS HlpMapTable(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    return MmhMapPhysicalMemory(Address, Length, Va);
}

static VOID HlpUnmapTable(PVOID Context, PVOID Va, SIZE_T Length) {
    MmhUnmapPhysicalMemory(Va, Length);
}

/* Describes the ISA overrides that land on Unit ("IRQ0->GSI2 edge high, ...") into Text. */
static VOID HlpDescribeOverrides(PHL_IOAPIC_UNIT Unit, PCHAR Text, SIZE_T Size) {
    SIZE_T Used = 0;

    Text[0] = '\0';
    for (ULONG Index = 0; Index < HlpIoApicMadt.OverrideCount && Index < HL_MADT_MAX_OVERRIDES; Index++) {
        const HL_MADT_OVERRIDE *Override = &HlpIoApicMadt.Overrides[Index];
        HL_ACPI_IRQ_ROUTE Route;

        if (Override->Bus != 0 || Override->SourceIrq > 15 || Override->Gsi < Unit->GsiBase ||
            Override->Gsi - Unit->GsiBase >= Unit->PinCount ||
            !XT_SUCCESS(HlIoApicResolveIsaIrq(&HlpIoApics, Override->SourceIrq, &Route)) || Used >= Size) {
            continue;
        }
        Used += RtlFormatString(Text + Used, Size - Used, "%sIRQ%u->GSI%u %s %s", Used ? ", " : "", Override->SourceIrq,
                                Route.Gsi, Route.LevelTriggered ? "level" : "edge", Route.ActiveLow ? "low" : "high");
    }
}

/* Prints the start-up line of every unit. */
static VOID HlpReportIoApics(VOID) {
    CHAR Overrides[200];

    for (ULONG Index = 0; Index < HlpIoApics.UnitCount; Index++) {
        PHL_IOAPIC_UNIT Unit = &HlpIoApics.Units[Index];

        if (Unit->PinCount == 0) {
            KdPrint("HL: I/O APIC id %u at 0x%08X: version register reads 0x%08X: unusable\n", Unit->Id, Unit->Address,
                    Unit->Version);
            continue;
        }
        HlpDescribeOverrides(Unit, Overrides, sizeof(Overrides));
        KdPrint("HL: I/O APIC id %u at 0x%08X: %u pins, GSI %u-%u, %u override%s applied%s%s%s, all masked", Unit->Id,
                Unit->Address, Unit->PinCount, Unit->GsiBase, Unit->GsiBase + Unit->PinCount - 1,
                Unit->OverridesApplied, Unit->OverridesApplied == 1 ? "" : "s", Overrides[0] ? " (" : "", Overrides,
                Overrides[0] ? ")" : "");
        KdPrint(Unit->NmiPins ? " but %u NMI source pin%s\n" : "\n", Unit->NmiPins, Unit->NmiPins == 1 ? "" : "s");
    }
    if (HlpIoApics.IgnoredOverrides != 0) {
        KdPrint("HL: %u MADT interrupt source override%s ignored (not ISA, or IRQ >= 16)\n",
                HlpIoApics.IgnoredOverrides, HlpIoApics.IgnoredOverrides == 1 ? "" : "s");
    }
}

VOID HlpInitializeIoApics(PXT_INIT_BLOCK InitBlock) {
    HL_ACPI_ACCESS Access = {NULL, HlpMapTable, HlpUnmapTable};
    PVOID Contexts[HL_MADT_MAX_IO_APICS] = {0};
    CPUID_REGISTERS Registers;
    XTSTATUS Status;
    KRUNLEVEL OldRunLevel;

    Status = HlAcpiReadMadt(&Access, InitBlock->AcpiRsdp, &HlpIoApicMadt);
    if (!XT_SUCCESS(Status) || HlpIoApicMadt.IoApicCount == 0) {
        KdPrint("HL: no I/O APIC (%s): device interrupts unavailable\n",
                XT_SUCCESS(Status) ? "the MADT lists none" : HlpIoApicMadt.Error);
        return;
    }
    for (ULONG Index = 0; Index < HlpIoApicMadt.IoApicCount; Index++) {
        Status = MmhMapDeviceMemory(HlpIoApicMadt.IoApics[Index].Address, IOAPIC_MMIO_LENGTH, &Contexts[Index]);
        if (!XT_SUCCESS(Status)) {
            KdPrint("HL: I/O APIC id %u at 0x%08X not mapped (status 0x%08X): device interrupts unavailable\n",
                    HlpIoApicMadt.IoApics[Index].Id, HlpIoApicMadt.IoApics[Index].Address, (ULONG)Status);
            return;
        }
    }
    ArCpuId(1, 0, &Registers);
    OldRunLevel = HlpIoApicLock();
    Status = HlIoApicInitialize(&HlpIoApics, &HlpIoApicMadt, &HlIoApicMmioOps, Contexts, (UCHAR)(Registers.Ebx >> 24));
    HlpIoApicUnlock(OldRunLevel);
    if (!XT_SUCCESS(Status)) {
        KdPrint("HL: I/O APIC start-up failed: %s: device interrupts unavailable\n", HlpIoApics.Error);
        return;
    }
    HlpIoApicReady = TRUE;
    HlpReportIoApics();
}

BOOLEAN HlIsIoApicReady(VOID) {
    return HlpIoApicReady;
}

XTSTATUS HlQueryIsaInterrupt(ULONG IsaIrq, PULONG Gsi, PBOOLEAN ActiveLow, PBOOLEAN LevelTriggered) {
    HL_ACPI_IRQ_ROUTE Route;
    XTSTATUS Status;

    if (!HlpIoApicReady) {
        return STATUS_DEVICE_NOT_READY;
    }
    Status = HlIoApicResolveIsaIrq(&HlpIoApics, IsaIrq, &Route);
    if (XT_SUCCESS(Status)) {
        if (Gsi != NULL) {
            *Gsi = Route.Gsi;
        }
        if (ActiveLow != NULL) {
            *ActiveLow = Route.ActiveLow;
        }
        if (LevelTriggered != NULL) {
            *LevelTriggered = Route.LevelTriggered;
        }
    }
    return Status;
}

XTSTATUS HlEnableGsiInterrupt(ULONG Gsi, ULONG Vector, BOOLEAN ActiveLow, BOOLEAN LevelTriggered) {
    XTSTATUS Status;
    KRUNLEVEL OldRunLevel;

    if (!HlpIoApicReady) {
        return STATUS_DEVICE_NOT_READY;
    }
    if (Vector == HL_APIC_SPURIOUS_VECTOR) {
        return STATUS_INVALID_PARAMETER;
    }
    OldRunLevel = HlpIoApicLock();
    Status = HlIoApicRouteGsi(&HlpIoApics, Gsi, Vector, ActiveLow, LevelTriggered);
    HlpIoApicUnlock(OldRunLevel);
    return Status;
}

XTSTATUS HlDisableGsiInterrupt(ULONG Gsi) {
    XTSTATUS Status;
    KRUNLEVEL OldRunLevel;

    if (!HlpIoApicReady) {
        return STATUS_DEVICE_NOT_READY;
    }
    OldRunLevel = HlpIoApicLock();
    Status = HlIoApicMaskGsi(&HlpIoApics, Gsi);
    HlpIoApicUnlock(OldRunLevel);
    return Status;
}

XTSTATUS HlEnableIsaInterrupt(ULONG IsaIrq, ULONG Vector) {
    HL_ACPI_IRQ_ROUTE Route;
    XTSTATUS Status;

    if (!HlpIoApicReady) {
        return STATUS_DEVICE_NOT_READY;
    }
    Status = HlIoApicResolveIsaIrq(&HlpIoApics, IsaIrq, &Route);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    return HlEnableGsiInterrupt(Route.Gsi, Vector, Route.ActiveLow, Route.LevelTriggered);
}

XTSTATUS HlDisableIsaInterrupt(ULONG IsaIrq) {
    HL_ACPI_IRQ_ROUTE Route;
    XTSTATUS Status;

    if (!HlpIoApicReady) {
        return STATUS_DEVICE_NOT_READY;
    }
    Status = HlIoApicResolveIsaIrq(&HlpIoApics, IsaIrq, &Route);
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    return HlDisableGsiInterrupt(Route.Gsi);
}

ULONG HlMaskInterruptVector(ULONG Vector, PULONG Gsi) {
    ULONG FirstGsi = 0;
    ULONG Masked;
    KRUNLEVEL OldRunLevel;

    if (!HlpIoApicReady) {
        return 0;
    }
    OldRunLevel = HlpIoApicLock();
    Masked = HlIoApicMaskVector(&HlpIoApics, Vector, &FirstGsi);
    HlpIoApicUnlock(OldRunLevel);
    if (Masked != 0 && Gsi != NULL) {
        *Gsi = FirstGsi;
    }
    return Masked;
}

/* Processors and inter-processor interrupts: the MADT's processor list, an application processor's local APIC (the
 * boot processor's mode and vectors), INIT-SIPI-SIPI, fixed IPIs and the STOP's NMIs. The ICR is written with
 * interrupts off, so an interrupt on this processor never splits a destination from its command. */
#include <ar.h>
#include <kd.h>
#include <ke.h>
#include <mmhl.h>

#include "acpi.h"
#include "hlp.h"

#define HL_ICR_FIXED        0x000
#define HL_ICR_NMI          0x400
#define HL_ICR_INIT         0x500
#define HL_ICR_STARTUP      0x600
#define HL_ICR_ALL_BUT_SELF (3u << 18)
#define HL_ICR_IDLE_POLLS   1000000
#define HL_INIT_DELAY_US    10000 /* SDM vol. 3 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI, 200 us */
#define HL_STARTUP_DELAY_US 200

static XTSTATUS HlpMapTable(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    return MmhMapPhysicalMemory(Address, Length, Va);
}

static VOID HlpUnmapTable(PVOID Context, PVOID Va, SIZE_T Length) {
    MmhUnmapPhysicalMemory(Va, Length);
}

XTSTATUS HlQueryProcessors(PXT_INIT_BLOCK InitBlock, ULONG MaxCpus, PHL_PROCESSOR_LIST List) {
    static HL_MADT_INFO Madt;
    HL_ACPI_ACCESS Access = {NULL, HlpMapTable, HlpUnmapTable};
    XTSTATUS Status;

    Status = HlAcpiReadMadt(&Access, InitBlock->AcpiRsdp, &Madt);
    if (!XT_SUCCESS(Status)) {
        KdPrint("HL: no usable MADT (%s): the boot processor alone\n", Madt.Error);
        RtlZeroMemory(&Madt, sizeof(Madt));
    }
    HlAcpiBuildProcessorList(&Madt, HlGetCurrentApicId(), MaxCpus, List);
    return Status;
}

ULONG HlGetCurrentApicId(VOID) {
    PVOID Context;
    PCHL_APIC_OPS Ops = HlpGetApicOps(&Context);

    return Ops ? HlApicReadId(Ops, Context) : 0;
}

XTSTATUS HlInitializeProcessorInterrupts(VOID) {
    PVOID Context;
    PCHL_APIC_OPS Ops = HlpGetApicOps(&Context);
    ULONGLONG Msr, NewMsr;

    if (Ops == NULL) {
        return STATUS_NOT_FOUND;
    }
    Msr = ArReadMsr(APIC_BASE_MSR);
    NewMsr = Msr | APIC_BASE_ENABLE | (Ops == &HlX2ApicOps ? APIC_BASE_X2APIC : 0);
    if (NewMsr != Msr) {
        if (Ops == &HlX2ApicOps) {
            ArWriteMsr(APIC_BASE_MSR, Msr | APIC_BASE_ENABLE); /* xAPIC first: EXTD needs EN (SDM 10.12.5) */
        }
        ArWriteMsr(APIC_BASE_MSR, NewMsr);
    }
    HlApicProgram(Ops, Context, HL_APIC_SPURIOUS_VECTOR, HL_APIC_ERROR_VECTOR);
    return STATUS_SUCCESS;
}

/* Writes the ICR with interrupts off and waits (bounded) until an xAPIC accepted it. FALSE before the APIC. */
static BOOLEAN HlpSendIcr(ULONG Destination, ULONG Command) {
    PVOID Context;
    PCHL_APIC_OPS Ops = HlpGetApicOps(&Context);
    ULONG_PTR Flags;

    if (Ops == NULL) {
        return FALSE;
    }
    Flags = ArDisableInterrupts();
    Ops->WriteIcr(Context, Destination, Command);
    if (Ops == &HlXApicOps) {
        for (ULONG Poll = 0;
             Poll < HL_ICR_IDLE_POLLS && (Ops->Read(Context, APIC_REGISTER_ICR_LOW) & APIC_ICR_DELIVERY_BUSY); Poll++) {
            __asm__ volatile("pause");
        }
    }
    ArRestoreInterrupts(Flags);
    return TRUE;
}

BOOLEAN HlStartProcessor(ULONG ApicId, ULONG StartPage) {
    if (!HlpSendIcr(ApicId, HL_ICR_INIT | APIC_ICR_LEVEL_ASSERT)) {
        return FALSE;
    }
    KeStallExecutionProcessor(HL_INIT_DELAY_US);
    for (ULONG Attempt = 0; Attempt < 2; Attempt++) {
        HlpSendIcr(ApicId, HL_ICR_STARTUP | APIC_ICR_LEVEL_ASSERT | (StartPage & 0xFF));
        KeStallExecutionProcessor(HL_STARTUP_DELAY_US);
    }
    return TRUE;
}

VOID HlResetProcessor(ULONG ApicId) {
    HlpSendIcr(ApicId, HL_ICR_INIT | APIC_ICR_LEVEL_ASSERT);
}

VOID HlSendInterProcessorInterrupt(ULONG ApicId, ULONG Vector) {
    HlpSendIcr(ApicId, HL_ICR_FIXED | APIC_ICR_LEVEL_ASSERT | (Vector & 0xFF));
}

VOID HlSendNmiToOthers(VOID) {
    HlpSendIcr(0, HL_ICR_NMI | APIC_ICR_LEVEL_ASSERT | HL_ICR_ALL_BUT_SELF);
}

/* The boot processor's local APIC in xAPIC mode: found through IA32_APIC_BASE (and the MADT's address), mapped
 * through the HAL window, software-enabled with the spurious vector, its error vector connected, every other local
 * interrupt masked. All register access goes through an HL_APIC_OPS table (apicops.c). */
#include <ar.h>
#include <kd.h>
#include <ke.h>
#include <mmhl.h>

#include "acpi.h"
#include "apicregs.h"
#include "hlp.h"

typedef struct _HL_APIC_STATE {
    PCHL_APIC_OPS Ops;
    PVOID Context; /* xAPIC: the mapped register page */
    ULONGLONG PhysicalBase;
    ULONG Id;
    ULONG Version;
    volatile ULONG SpuriousCount;
    volatile ULONG ErrorCount;
    ULONG LastError;
    KINTERRUPT SpuriousInterrupt;
    KINTERRUPT ErrorInterrupt;
} HL_APIC_STATE;

static HL_APIC_STATE HlpApic;

/* HL_ACPI_ACCESS over the HAL window, for the MADT. */
static XTSTATUS HlpMapTable(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    return MmhMapPhysicalMemory(Address, Length, Va);
}

static VOID HlpUnmapTable(PVOID Context, PVOID Va, SIZE_T Length) {
    MmhUnmapPhysicalMemory(Va, Length);
}

/* Spurious vector: counted, never acknowledged (a spurious interrupt sets no in-service bit). */
static BOOLEAN HlpSpuriousInterrupt(PKINTERRUPT Interrupt, PVOID Context) {
    HlpApic.SpuriousCount++;
    return TRUE;
}

/* APIC error vector: latches and reports the error status register. */
static BOOLEAN HlpApicErrorInterrupt(PKINTERRUPT Interrupt, PVOID Context) {
    HlpApic.Ops->Write(HlpApic.Context, APIC_REGISTER_ESR, 0);
    HlpApic.LastError = HlpApic.Ops->Read(HlpApic.Context, APIC_REGISTER_ESR);
    if (HlpApic.ErrorCount++ == 0) {
        KdPrint("HL: local APIC error, ESR=0x%x (reported once, counted)\n", HlpApic.LastError);
    }
    return TRUE;
}

/* The APIC's physical base: IA32_APIC_BASE, cross-checked against the MADT (a difference is reported). */
static BOOLEAN HlpFindApic(PXT_INIT_BLOCK InitBlock, PULONGLONG Base) {
    static HL_MADT_INFO Madt;
    HL_ACPI_ACCESS Access = {NULL, HlpMapTable, HlpUnmapTable};
    CPUID_REGISTERS Registers;
    ULONGLONG Msr;

    ArCpuId(1, 0, &Registers);
    if (!(Registers.Edx & (1u << 9))) {
        KdPrint("HL: no local APIC (CPUID.1:EDX[9] clear): interrupts stay off\n");
        return FALSE;
    }
    Msr = ArReadMsr(APIC_BASE_MSR);
    *Base = Msr & APIC_BASE_ADDRESS;
    if (XT_SUCCESS(HlAcpiReadMadt(&Access, InitBlock->AcpiRsdp, &Madt)) && Madt.LocalApicAddress != *Base) {
        KdPrint("HL: MADT local APIC 0x%llx differs from IA32_APIC_BASE 0x%llx (using the MSR)\n",
                Madt.LocalApicAddress, *Base);
    }
    if (!(Msr & APIC_BASE_ENABLE)) {
        ArWriteMsr(APIC_BASE_MSR, Msr | APIC_BASE_ENABLE);
    }
    return TRUE;
}

XTSTATUS HlInitializeInterrupts(PXT_INIT_BLOCK InitBlock) {
    ULONGLONG Base;
    XTSTATUS Status;

    HlpMaskLegacyPics();
    if (!HlpFindApic(InitBlock, &Base)) {
        return STATUS_NOT_FOUND;
    }
    Status = MmhMapPhysicalMemory(Base, MM_PAGE_SIZE, &HlpApic.Context);
    if (!XT_SUCCESS(Status)) {
        KdPrint("HL: local APIC at 0x%llx not mapped (status 0x%08x): interrupts stay off\n", Base, (ULONG)Status);
        return Status;
    }
    HlpApic.Ops = &HlXApicOps;
    HlpApic.PhysicalBase = Base;
    KeInitializeInterrupt(&HlpApic.SpuriousInterrupt, HlpSpuriousInterrupt, NULL, HL_APIC_SPURIOUS_VECTOR);
    KeInitializeInterrupt(&HlpApic.ErrorInterrupt, HlpApicErrorInterrupt, NULL, HL_APIC_ERROR_VECTOR);
    KeConnectInterrupt(&HlpApic.SpuriousInterrupt);
    KeConnectInterrupt(&HlpApic.ErrorInterrupt);
    HlApicProgram(HlpApic.Ops, HlpApic.Context, HL_APIC_SPURIOUS_VECTOR, HL_APIC_ERROR_VECTOR);
    HlpApic.Id = HlApicReadId(HlpApic.Ops, HlpApic.Context);
    HlpApic.Version = HlpApic.Ops->Read(HlpApic.Context, APIC_REGISTER_VERSION);
    KdPrint("HL: local APIC %s at 0x%llx id %u version 0x%x, 8259 PICs at 0x%x/0x%x masked: %s; spurious 0x%02x, "
            "error 0x%02x\n",
            HlpApic.Ops->Name, Base, HlpApic.Id, HlpApic.Version & 0xFF, HL_PIC_MASTER_VECTOR, HL_PIC_SLAVE_VECTOR,
            HlpAreLegacyPicsMasked() ? "yes" : "no", HL_APIC_SPURIOUS_VECTOR, HL_APIC_ERROR_VECTOR);
    return STATUS_SUCCESS;
}

BOOLEAN HlIsApicReady(VOID) {
    return HlpApic.Ops != NULL;
}

VOID HlEndOfInterrupt(ULONG Vector) {
    if (HlpApic.Ops != NULL && Vector != HL_APIC_SPURIOUS_VECTOR) {
        HlpApic.Ops->Write(HlpApic.Context, APIC_REGISTER_EOI, 0);
    }
}

VOID HlSetTaskPriority(ULONG TaskPriority) {
    if (HlpApic.Ops != NULL) {
        HlpApic.Ops->Write(HlpApic.Context, APIC_REGISTER_TPR, TaskPriority);
    }
}

BOOLEAN HlSendSelfInterrupt(ULONG Vector) {
    if (HlpApic.Ops == NULL || Vector < 32 || Vector > 0xFF) {
        return FALSE;
    }
    HlpApic.Ops->WriteIcr(HlpApic.Context, 0, APIC_ICR_SELF | APIC_ICR_LEVEL_ASSERT | Vector);
    return TRUE;
}

ULONG HlGetSpuriousInterruptCount(VOID) {
    return HlpApic.SpuriousCount;
}

ULONG HlGetApicErrorCount(VOID) {
    return HlpApic.ErrorCount;
}

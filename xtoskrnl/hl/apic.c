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

/* rdmsr/wrmsr for the x2APIC register table. */
static ULONGLONG HlpReadMsr(ULONG Msr) {
    return ArReadMsr(Msr);
}

static VOID HlpWriteMsr(ULONG Msr, ULONGLONG Value) {
    ArWriteMsr(Msr, Value);
}

static HL_X2APIC_CONTEXT HlpX2ApicContext = {HlpReadMsr, HlpWriteMsr};

/* Chooses xAPIC or x2APIC (HlApicChooseMode), switches IA32_APIC_BASE to it and reports a MADT address that differs
 * from the MSR's. Returns the mode; *Base is the physical register page. */
static HL_APIC_MODE HlpEnableApic(PXT_INIT_BLOCK InitBlock, BOOLEAN NoX2Apic, PULONGLONG Base) {
    static HL_MADT_INFO Madt;
    HL_ACPI_ACCESS Access = {NULL, HlpMapTable, HlpUnmapTable};
    CPUID_REGISTERS Registers;
    ULONGLONG Msr = 0, NewMsr;
    HL_APIC_MODE Mode;

    ArCpuId(1, 0, &Registers);
    if (Registers.Edx & APIC_CPUID1_EDX_APIC) {
        Msr = ArReadMsr(APIC_BASE_MSR);
    }
    Mode = HlApicChooseMode(Registers.Ecx, Registers.Edx, Msr, NoX2Apic, &NewMsr);
    if (Mode == HlApicModeNone) {
        KdPrint("HL: no local APIC (CPUID.1:EDX[9] clear): interrupts stay off\n");
        return Mode;
    }
    *Base = Msr & APIC_BASE_ADDRESS;
    if (XT_SUCCESS(HlAcpiReadMadt(&Access, InitBlock->AcpiRsdp, &Madt)) && Madt.LocalApicAddress != *Base) {
        KdPrint("HL: MADT local APIC 0x%llx differs from IA32_APIC_BASE 0x%llx (using the MSR)\n",
                Madt.LocalApicAddress, *Base);
    }
    if (NewMsr != Msr) {
        ArWriteMsr(APIC_BASE_MSR, NewMsr);
    }
    return Mode;
}

XTSTATUS HlInitializeInterrupts(PXT_INIT_BLOCK InitBlock, BOOLEAN NoX2Apic) {
    ULONGLONG Base = 0;
    XTSTATUS Status;
    HL_APIC_MODE Mode;

    HlpMaskLegacyPics();
    Mode = HlpEnableApic(InitBlock, NoX2Apic, &Base);
    if (Mode == HlApicModeNone) {
        return STATUS_NOT_FOUND;
    }
    if (Mode == HlApicModeX2Apic) {
        HlpApic.Context = &HlpX2ApicContext;
    } else {
        Status = MmhMapDeviceMemory(Base, MM_PAGE_SIZE, &HlpApic.Context);
        if (!XT_SUCCESS(Status)) {
            KdPrint("HL: local APIC at 0x%llx not mapped (status 0x%08x): interrupts stay off\n", Base, (ULONG)Status);
            return Status;
        }
    }
    HlpApic.Ops = Mode == HlApicModeX2Apic ? &HlX2ApicOps : &HlXApicOps;
    HlpApic.PhysicalBase = Base;
    KeInitializeInterrupt(&HlpApic.SpuriousInterrupt, HlpSpuriousInterrupt, NULL, HL_APIC_SPURIOUS_VECTOR);
    KeInitializeInterrupt(&HlpApic.ErrorInterrupt, HlpApicErrorInterrupt, NULL, HL_APIC_ERROR_VECTOR);
    KeConnectInterrupt(&HlpApic.SpuriousInterrupt);
    KeConnectInterrupt(&HlpApic.ErrorInterrupt);
    HlApicProgram(HlpApic.Ops, HlpApic.Context, HL_APIC_SPURIOUS_VECTOR, HL_APIC_ERROR_VECTOR);
    HlpApic.Id = HlApicReadId(HlpApic.Ops, HlpApic.Context);
    HlpApic.Version = HlpApic.Ops->Read(HlpApic.Context, APIC_REGISTER_VERSION);
    KdPrint("HL: local APIC %s%s at 0x%llx id %u version 0x%x, 8259 PICs at 0x%x/0x%x masked: %s; spurious 0x%02x, "
            "error 0x%02x\n",
            HlpApic.Ops->Name, NoX2Apic ? " (NOX2APIC)" : "", Base, HlpApic.Id, HlpApic.Version & 0xFF,
            HL_PIC_MASTER_VECTOR, HL_PIC_SLAVE_VECTOR, HlpAreLegacyPicsMasked() ? "yes" : "no", HL_APIC_SPURIOUS_VECTOR,
            HL_APIC_ERROR_VECTOR);
    HlpInitializeIoApics(InitBlock); /* every I/O APIC pin masked until a driver enables its line */
    return STATUS_SUCCESS;
}

PCHL_APIC_OPS HlpGetApicOps(PVOID *Context) {
    *Context = HlpApic.Context;
    return HlpApic.Ops;
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

volatile ULONG *HlGetTaskPriorityRegister(VOID) {
    if (HlpApic.Ops != &HlXApicOps) {
        return NULL;
    }
    return (volatile ULONG *)((PUCHAR)HlpApic.Context + APIC_REGISTER_TPR);
}

BOOLEAN HlSendSelfInterrupt(ULONG Vector) {
    if (HlpApic.Ops == NULL || Vector < 16 || Vector > 0xFF) {
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

/* Local APIC register access: xAPIC (MMIO page) and x2APIC (MSRs), and the programming sequence over either. Pure:
 * the MSR accessors come from the context, so host tests run both against register models. */
#include "apicregs.h"

static ULONG HlpXApicRead(PVOID Context, ULONG Register) {
    return *(volatile ULONG *)((PUCHAR)Context + Register);
}

static VOID HlpXApicWrite(PVOID Context, ULONG Register, ULONG Value) {
    *(volatile ULONG *)((PUCHAR)Context + Register) = Value;
}

/* xAPIC ICR: the destination into the high half first; the write of the low half sends. */
static VOID HlpXApicWriteIcr(PVOID Context, ULONG Destination, ULONG Command) {
    HlpXApicWrite(Context, APIC_REGISTER_ICR_HI, Destination << 24);
    HlpXApicWrite(Context, APIC_REGISTER_ICR_LOW, Command);
}

const HL_APIC_OPS HlXApicOps = {"xAPIC", HlpXApicRead, HlpXApicWrite, HlpXApicWriteIcr, 24};

ULONG HlApicRegisterMsr(ULONG Register) {
    return APIC_X2APIC_MSR_BASE + (Register >> 4);
}

static ULONG HlpX2ApicRead(PVOID Context, ULONG Register) {
    return (ULONG)((PHL_X2APIC_CONTEXT)Context)->ReadMsr(HlApicRegisterMsr(Register));
}

static VOID HlpX2ApicWrite(PVOID Context, ULONG Register, ULONG Value) {
    ((PHL_X2APIC_CONTEXT)Context)->WriteMsr(HlApicRegisterMsr(Register), Value);
}

/* x2APIC ICR: one 64-bit write, the 32-bit destination in the high half. */
static VOID HlpX2ApicWriteIcr(PVOID Context, ULONG Destination, ULONG Command) {
    ((PHL_X2APIC_CONTEXT)Context)->WriteMsr(APIC_X2APIC_ICR_MSR, ((ULONGLONG)Destination << 32) | Command);
}

const HL_APIC_OPS HlX2ApicOps = {"x2APIC", HlpX2ApicRead, HlpX2ApicWrite, HlpX2ApicWriteIcr, 0};

VOID HlApicProgram(PCHL_APIC_OPS Ops, PVOID Context, ULONG SpuriousVector, ULONG ErrorVector) {
    Ops->Write(Context, APIC_REGISTER_TPR, 0xFF);
    Ops->Write(Context, APIC_REGISTER_LVT_TIMER, APIC_LVT_MASKED);
    Ops->Write(Context, APIC_REGISTER_LVT_THERMAL, APIC_LVT_MASKED);
    Ops->Write(Context, APIC_REGISTER_LVT_PERF, APIC_LVT_MASKED);
    Ops->Write(Context, APIC_REGISTER_LVT_LINT0, APIC_LVT_MASKED);
    Ops->Write(Context, APIC_REGISTER_LVT_ERROR, ErrorVector);
    Ops->Write(Context, APIC_REGISTER_SVR, APIC_SVR_ENABLE | SpuriousVector);
    Ops->Write(Context, APIC_REGISTER_ESR, 0);
    Ops->Write(Context, APIC_REGISTER_ESR, 0);
    Ops->Write(Context, APIC_REGISTER_EOI, 0);
    Ops->Write(Context, APIC_REGISTER_TPR, 0);
}

ULONG HlApicReadId(PCHL_APIC_OPS Ops, PVOID Context) {
    return Ops->Read(Context, APIC_REGISTER_ID) >> Ops->IdShift;
}

HL_APIC_MODE HlApicChooseMode(ULONG Cpuid1Ecx, ULONG Cpuid1Edx, ULONGLONG ApicBase, BOOLEAN NoX2Apic,
                              PULONGLONG NewApicBase) {
    BOOLEAN InX2Apic = (ApicBase & (APIC_BASE_ENABLE | APIC_BASE_X2APIC)) == (APIC_BASE_ENABLE | APIC_BASE_X2APIC);

    *NewApicBase = ApicBase;
    if (!(Cpuid1Edx & APIC_CPUID1_EDX_APIC)) {
        return HlApicModeNone;
    }
    if (InX2Apic || ((Cpuid1Ecx & APIC_CPUID1_ECX_X2APIC) && !NoX2Apic)) {
        *NewApicBase = ApicBase | APIC_BASE_ENABLE | APIC_BASE_X2APIC;
        return HlApicModeX2Apic;
    }
    *NewApicBase = (ApicBase | APIC_BASE_ENABLE) & ~(ULONGLONG)APIC_BASE_X2APIC;
    return HlApicModeXApic;
}

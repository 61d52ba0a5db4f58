/* Local APIC registers (xAPIC MMIO offsets; x2APIC MSR = 0x800 + offset / 16) and the register-access ops table
 * the APIC code goes through (xAPIC MMIO in the kernel; x2APIC MSRs and register models in host tests). */
#ifndef XTOSKRNL_HL_APICREGS_H
#define XTOSKRNL_HL_APICREGS_H

#include <xtbase.h>

#define APIC_BASE_MSR             0x1B
#define APIC_BASE_ENABLE          (1u << 11)
#define APIC_BASE_X2APIC          (1u << 10)
#define APIC_BASE_ADDRESS         0xFFFFFF000ull
#define APIC_X2APIC_MSR_BASE      0x800
#define APIC_REGISTER_ID          0x020
#define APIC_REGISTER_VERSION     0x030
#define APIC_REGISTER_TPR         0x080
#define APIC_REGISTER_EOI         0x0B0
#define APIC_REGISTER_SVR         0x0F0
#define APIC_REGISTER_ISR         0x100 /* 8 registers, 0x10 apart */
#define APIC_REGISTER_ESR         0x280
#define APIC_REGISTER_ICR_LOW     0x300
#define APIC_REGISTER_ICR_HI      0x310
#define APIC_REGISTER_LVT_TIMER   0x320
#define APIC_REGISTER_LVT_THERMAL 0x330
#define APIC_REGISTER_LVT_PERF    0x340
#define APIC_REGISTER_LVT_LINT0   0x350
#define APIC_REGISTER_LVT_ERROR   0x370
#define APIC_X2APIC_ICR_MSR       0x830 /* x2APIC: the whole ICR, destination in bits 63:32 */

#define APIC_SVR_ENABLE        (1u << 8)
#define APIC_LVT_MASKED        (1u << 16)
#define APIC_ICR_DELIVERY_BUSY (1u << 12)
#define APIC_ICR_LEVEL_ASSERT  (1u << 14)
#define APIC_ICR_SELF          (1u << 18) /* destination shorthand 01: self */

/* How the APIC code reaches the registers. Offsets are xAPIC offsets; the x2APIC variant turns them into MSRs
 * (0x800 + offset / 16) and writes the ICR as one 64-bit MSR. */
typedef struct _HL_APIC_OPS {
    PCSTR Name;
    ULONG (*Read)(PVOID Context, ULONG Register);
    VOID (*Write)(PVOID Context, ULONG Register, ULONG Value);
    VOID (*WriteIcr)(PVOID Context, ULONG Destination, ULONG Command);
    ULONG IdShift; /* the APIC ID's position in the ID register: 24 (xAPIC), 0 (x2APIC: all 32 bits) */
} HL_APIC_OPS, *PHL_APIC_OPS;
typedef const HL_APIC_OPS *PCHL_APIC_OPS;

/* The x2APIC variant's context: the MSR accessors (rdmsr/wrmsr in the kernel, a model in host tests). */
typedef struct _HL_X2APIC_CONTEXT {
    ULONGLONG (*ReadMsr)(ULONG Msr);
    VOID (*WriteMsr)(ULONG Msr, ULONGLONG Value);
} HL_X2APIC_CONTEXT, *PHL_X2APIC_CONTEXT;

/* xAPIC: Context is the mapped 4 KiB register page. */
extern const HL_APIC_OPS HlXApicOps;

/* x2APIC: Context is a PHL_X2APIC_CONTEXT. */
extern const HL_APIC_OPS HlX2ApicOps;

/* The x2APIC MSR of an xAPIC register offset. */
ULONG HlApicRegisterMsr(ULONG Register);

/* Which register interface the local APIC is driven through. */
typedef enum _HL_APIC_MODE {
    HlApicModeNone = 0, /* no local APIC (CPUID.1:EDX[9] clear) */
    HlApicModeXApic,
    HlApicModeX2Apic
} HL_APIC_MODE;

#define APIC_CPUID1_EDX_APIC   (1u << 9)
#define APIC_CPUID1_ECX_X2APIC (1u << 21)

/* Chooses the mode from CPUID leaf 1 and the current IA32_APIC_BASE: x2APIC when the CPU has it, unless NoX2Apic;
 * but a firmware that already switched to x2APIC keeps it (leaving x2APIC needs the APIC disabled first). Stores the
 * IA32_APIC_BASE value that enables that mode (base kept, EN set, EXTD set for x2APIC) in *NewApicBase. */
HL_APIC_MODE HlApicChooseMode(ULONG Cpuid1Ecx, ULONG Cpuid1Edx, ULONGLONG ApicBase, BOOLEAN NoX2Apic,
                              PULONGLONG NewApicBase);

/* Programs an APIC for the kernel: TPR 0xFF while it works, LVT timer, thermal, performance and LINT0 masked (LINT1
 * left to the firmware: NMI), LVT error = ErrorVector, SVR = software enable | SpuriousVector, ESR cleared, a
 * pending in-service interrupt acknowledged, TPR 0. */
VOID HlApicProgram(PCHL_APIC_OPS Ops, PVOID Context, ULONG SpuriousVector, ULONG ErrorVector);

/* The APIC ID from the ID register. */
ULONG HlApicReadId(PCHL_APIC_OPS Ops, PVOID Context);

#endif

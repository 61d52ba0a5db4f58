/* CPU feature detection and enabling (generic: CPUID, control registers and EFER exist on both arches). */
#include "ar.h"

#define CPUID_1_EDX_PAE       (1u << 6)
#define CPUID_1_EDX_MCE       (1u << 7)
#define CR4_MCE               (1u << 6)
#define CPUID_7_EBX_SMEP      (1u << 7)
#define CPUID_7_EBX_SMAP      (1u << 20)
#define CPUID_80000001_EDX_NX (1u << 20)
#define CPUID_80000001_EDX_LM (1u << 29)

VOID ArQueryCpuFeatures(PAR_CPU_FEATURES Features) {
    CPUID_REGISTERS Registers;
    ULONGLONG Efer = 0;

    *Features = (AR_CPU_FEATURES){0};
    ArCpuId(0, 0, &Registers);
    Features->MaxLeaf = Registers.Eax;
    if (Features->MaxLeaf >= 7) {
        ArCpuId(7, 0, &Registers);
        Features->SmepSupported = (Registers.Ebx & CPUID_7_EBX_SMEP) != 0;
        Features->SmapSupported = (Registers.Ebx & CPUID_7_EBX_SMAP) != 0;
    }
    ArCpuId(0x80000000u, 0, &Registers);
    if (Registers.Eax >= 0x80000001u && Registers.Eax <= 0x8000FFFFu) {
        Features->MaxExtendedLeaf = Registers.Eax;
        ArCpuId(0x80000001u, 0, &Registers);
        Features->NxSupported = (Registers.Edx & CPUID_80000001_EDX_NX) != 0;
        Features->EferPresent = (Registers.Edx & (CPUID_80000001_EDX_NX | CPUID_80000001_EDX_LM)) != 0;
    }
    if (Features->EferPresent) {
        Efer = ArReadMsr(MSR_EFER);
    }
    Features->NxEnabled = (Efer & EFER_NXE) != 0;
    Features->WpEnabled = (ArReadCr0() & CR0_WP) != 0;
    Features->SmepEnabled = (ArReadCr4() & CR4_SMEP) != 0;
    Features->SmapEnabled = (ArReadCr4() & CR4_SMAP) != 0;
}

VOID ArEnableCpuFeatures(PAR_CPU_FEATURES Features) {
    ULONG_PTR Cr4 = ArReadCr4();
    CPUID_REGISTERS Registers;

    ArWriteCr0(ArReadCr0() | CR0_WP);
    if (Features->NxSupported && Features->EferPresent) {
        ArWriteMsr(MSR_EFER, ArReadMsr(MSR_EFER) | EFER_NXE);
    }
    if (Features->SmepSupported) {
        Cr4 |= CR4_SMEP;
    }
    if (Features->SmapSupported) {
        Cr4 |= CR4_SMAP;
    }
    ArCpuId(1, 0, &Registers);
    if (Registers.Edx & CPUID_1_EDX_MCE) {
        Cr4 |= CR4_MCE; /* a machine check raises #MC (vector 18) instead of shutting the CPU down */
    }
    ArWriteCr4(Cr4);
    ArQueryCpuFeatures(Features);
}

BOOLEAN ArReadEfer(PULONGLONG Value) {
    CPUID_REGISTERS Registers;

    *Value = 0;
    ArCpuId(0x80000000u, 0, &Registers);
    if (Registers.Eax < 0x80000001u || Registers.Eax > 0x8000FFFFu) {
        return FALSE;
    }
    ArCpuId(0x80000001u, 0, &Registers);
    if (!(Registers.Edx & (CPUID_80000001_EDX_NX | CPUID_80000001_EDX_LM))) {
        return FALSE;
    }
    *Value = ArReadMsr(MSR_EFER);
    return TRUE;
}

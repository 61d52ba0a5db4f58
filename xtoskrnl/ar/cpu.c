/* CPU feature detection and enabling (generic: CPUID, control registers and EFER exist on both arches). */
#include "ar.h"

#define CPUID_1_EDX_PAE       (1u << 6)
#define CPUID_1_EDX_MCE       (1u << 7)
#define CPUID_1_EDX_FXSR      (1u << 24)
#define CPUID_1_EDX_SSE       (1u << 25)
#define CPUID_1_ECX_XSAVE     (1u << 26)
#define CPUID_1_ECX_AVX       (1u << 28)
#define CPUID_XSAVE_LEAF      0x0D
#define AR_MXCSR_DEFAULT      0x1F80u /* every SIMD floating-point exception masked, round to nearest */
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
    ArCpuId(1, 0, &Registers);
    Features->FxsrSupported = (Registers.Edx & CPUID_1_EDX_FXSR) != 0;
    Features->SseSupported = (Registers.Edx & CPUID_1_EDX_SSE) != 0;
    Features->XsaveSupported = (Registers.Ecx & CPUID_1_ECX_XSAVE) != 0 && Features->MaxLeaf >= CPUID_XSAVE_LEAF;
    Features->FxsrEnabled = (ArReadCr4() & CR4_OSFXSR) != 0;
    Features->XsaveEnabled = (ArReadCr4() & CR4_OSXSAVE) != 0;
    if (Features->XsaveEnabled) {
        Features->XsaveFeatures = ArReadXcr(0);
        ArCpuId(CPUID_XSAVE_LEAF, 0, &Registers);
        Features->XsaveAreaSize = Registers.Ebx;
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

/* The XCR0 the kernel runs with: x87 and SSE, plus AVX when CPUID.1.ECX and CPUID.(0Dh,0).EAX both report it. */
static ULONGLONG ArpChooseXsaveFeatures(VOID) {
    CPUID_REGISTERS Registers;
    ULONGLONG Features = XCR0_X87 | XCR0_SSE;
    BOOLEAN Avx;

    ArCpuId(1, 0, &Registers);
    Avx = (Registers.Ecx & CPUID_1_ECX_AVX) != 0;
    ArCpuId(CPUID_XSAVE_LEAF, 0, &Registers);
    if (Avx && (Registers.Eax & XCR0_AVX)) {
        Features |= XCR0_AVX;
    }
    return Features;
}

/* Floating point and SSE: the x87 unit in native mode with no trapping (eager save on every switch, docs/kernel.md),
 * FXSAVE/SSE and XSAVE enabled where present, then a clean x87 and MXCSR state. */
static VOID ArpEnableFloatingPoint(const AR_CPU_FEATURES *Features) {
    ULONG Mxcsr = AR_MXCSR_DEFAULT;
    ULONG_PTR Cr4 = ArReadCr4();

    ArWriteCr0((ArReadCr0() | CR0_MP | CR0_NE) & ~(ULONG_PTR)(CR0_EM | CR0_TS));
    if (Features->FxsrSupported) {
        Cr4 |= CR4_OSFXSR | (Features->SseSupported ? CR4_OSXMMEXCPT : 0);
    }
    if (Features->XsaveSupported) {
        Cr4 |= CR4_OSXSAVE;
    }
    ArWriteCr4(Cr4);
    if (Features->XsaveSupported) {
        ArWriteXcr(0, ArpChooseXsaveFeatures());
    }
    __asm__ volatile("fninit" : : : "memory");
    if (Features->SseSupported && Features->FxsrSupported) {
        __asm__ volatile("ldmxcsr %0" : : "m"(Mxcsr) : "memory");
    }
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
    ArpEnableFloatingPoint(Features);
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

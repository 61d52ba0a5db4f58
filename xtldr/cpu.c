/* XTLDR CPU detection: CPUID features and the paging state the firmware left. */
#include <rtl.h>
#include <xtboot.h>
#include <xtintrin.h>

#include "handoff.h"
#include "xtldr.h"

ULONGLONG BlEntryTimeStamp;

/* Reads a control register (CR0 or CR4); the same instruction on both arches at native width. */
#define BLP_READ_CR(Register, Value) __asm__ volatile("mov %%" #Register ", %0" : "=r"(Value))

VOID BlDetectCpu(PBL_CPU_INFO Cpu) {
    CPUID_REGISTERS Basic, Leaf7 = {0}, Extended = {0};
    ULONG MaxLeaf, MaxExtended;

    ArCpuId(0, 0, &Basic);
    MaxLeaf = Basic.Eax;
    ArCpuId(1, 0, &Basic);
    if (MaxLeaf >= 7) {
        ArCpuId(7, 0, &Leaf7);
    }
    ArCpuId(0x80000000, 0, &Extended);
    MaxExtended = Extended.Eax;
    RtlZeroMemory(&Extended, sizeof(Extended));
    if (MaxExtended >= 0x80000001 && MaxExtended < 0x8000FFFF) {
        ArCpuId(0x80000001, 0, &Extended);
    }
    Cpu->Features = 0;
    Cpu->Features |= (Basic.Edx & (1u << 6)) ? XT_CPU_FEATURE_PAE : 0;
    Cpu->Features |= (Basic.Edx & (1u << 3)) ? XT_CPU_FEATURE_PSE : 0;
    Cpu->Features |= (Basic.Edx & (1u << 13)) ? XT_CPU_FEATURE_PGE : 0;
    Cpu->Features |= (Basic.Edx & (1u << 9)) ? XT_CPU_FEATURE_APIC : 0;
    Cpu->Features |= (Basic.Ecx & (1u << 30)) ? XT_CPU_FEATURE_RDRAND : 0;
    Cpu->Features |= (Leaf7.Ecx & (1u << 16)) ? XT_CPU_FEATURE_LA57 : 0;
    Cpu->Features |= (Leaf7.Ebx & (1u << 7)) ? XT_CPU_FEATURE_SMEP : 0;
    Cpu->Features |= (Leaf7.Ebx & (1u << 20)) ? XT_CPU_FEATURE_SMAP : 0;
    Cpu->Features |= (Extended.Edx & (1u << 20)) ? XT_CPU_FEATURE_NX : 0;
    Cpu->Features |= (Extended.Edx & (1u << 26)) ? XT_CPU_FEATURE_PAGE1GB : 0;
    Cpu->Features |= (Extended.Edx & (1u << 29)) ? XT_CPU_FEATURE_LONG_MODE : 0;
    BLP_READ_CR(cr0, Cpu->Cr0);
    BLP_READ_CR(cr4, Cpu->Cr4);
}

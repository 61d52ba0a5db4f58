/* Machine-check report for the #MC STOP: IA32_MCG_CAP/MCG_STATUS and every bank whose status holds a valid error
 * (Intel SDM vol. 3B, chapter 16: MCi_CTL at 0x400 + 4i, then MCi_STATUS, MCi_ADDR, MCi_MISC). */
#include <kd.h>
#include "ki.h"

#define KI_CPUID_1_EDX_MCA    (1u << 14) /* the machine-check architecture: MCG_CAP and the bank registers exist */
#define KI_MSR_MCG_CAP        0x179u
#define KI_MSR_MCG_STATUS     0x17Au
#define KI_MSR_MC_STATUS(i)   (0x401u + 4u * (i))
#define KI_MSR_MC_ADDR(i)     (0x402u + 4u * (i))
#define KI_MSR_MC_MISC(i)     (0x403u + 4u * (i))
#define KI_MCG_CAP_COUNT_MASK 0xFFu
#define KI_MC_BANKS_MAX       32u /* the architectural bank MSRs end at 0x47F */
#define KI_MC_STATUS_VAL      (1ull << 63)
#define KI_MC_STATUS_MISCV    (1ull << 59)
#define KI_MC_STATUS_ADDRV    (1ull << 58)

STATIC_ASSERT(KI_MSR_MC_MISC(KI_MC_BANKS_MAX - 1) == 0x47Fu);

VOID KiDumpMachineCheck(VOID) {
    CPUID_REGISTERS Registers;
    ULONGLONG Capabilities, Status;
    ULONG Banks, Valid = 0;

    ArCpuId(1, 0, &Registers);
    if (!(Registers.Edx & KI_CPUID_1_EDX_MCA)) {
        KdStopPrint("KE: machine check: the CPU reports no machine-check architecture (no bank registers)\n");
        return;
    }
    Capabilities = ArReadMsr(KI_MSR_MCG_CAP);
    Banks = (ULONG)(Capabilities & KI_MCG_CAP_COUNT_MASK);
    KdStopPrint("KE: machine check: MCG_CAP=0x%016llX (%u banks) MCG_STATUS=0x%016llX\n", Capabilities, Banks,
                ArReadMsr(KI_MSR_MCG_STATUS));
    for (ULONG Bank = 0; Bank < Banks && Bank < KI_MC_BANKS_MAX; Bank++) {
        Status = ArReadMsr(KI_MSR_MC_STATUS(Bank));
        if (!(Status & KI_MC_STATUS_VAL)) {
            continue;
        }
        Valid++;
        KdStopPrint("KE: MC%u_STATUS=0x%016llX", Bank, Status);
        if (Status & KI_MC_STATUS_ADDRV) {
            KdStopPrint(" MC%u_ADDR=0x%016llX", Bank, ArReadMsr(KI_MSR_MC_ADDR(Bank)));
        }
        if (Status & KI_MC_STATUS_MISCV) {
            KdStopPrint(" MC%u_MISC=0x%016llX", Bank, ArReadMsr(KI_MSR_MC_MISC(Bank)));
        }
        KdStopPrint("\n");
    }
    if (Valid == 0) {
        KdStopPrint("KE: machine check: no bank holds a valid error\n");
    }
}

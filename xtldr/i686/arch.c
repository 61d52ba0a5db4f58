/* XTLDR facts and paging choices for the i686 (ia32 UEFI) build. */
#include <xtboot.h>
#include <xtpaging.h>
#include <xtpecoff.h>

#include "../handoff.h"
#include "../xtldr.h"

const USHORT BlArchMachine = IMAGE_FILE_MACHINE_I386;
const CHAR BlArchName[] = "i686";

/* The kernel's early-mapping window: 2 MiB at 0xFFC00000 (one page table in either mode). */
const ULONGLONG BlArchHalWindowBase = MM_HAL_WINDOW_BASE_I686;
const ULONG BlArchHalWindowPages = MM_HAL_WINDOW_SIZE / MM_PAGE_SIZE;

/* The kernel-image window KASLR chooses from (sdk/xtpaging.h MM_KERNEL_WINDOW_*_I686). */
const BL_KERNEL_WINDOW *const BlArchKernelWindow = &BlKernelWindowI686;

ULONG BlArchChoosePagingMode(const BL_CPU_INFO *Cpu, BOOLEAN NoXpa) {
    return ((Cpu->Features & XT_CPU_FEATURE_PAE) && !NoXpa) ? XtPagingModePml3 : XtPagingModePml2;
}

VOID BlArchPrepareHandOff(const BL_CPU_INFO *Cpu, ULONG Mode, PBL_HANDOFF_BLOCK Block) {
    BOOLEAN Pae = (Mode == XtPagingModePml3);

    /* The trampoline always turns paging off first, so firmware that already runs PAE is handled alike. */
    Block->SwitchMode = 1;
    Block->Cr4Set = Pae ? CR4_PAE : 0;
    Block->Cr4Clear = Pae ? 0 : CR4_PAE;
    Block->FarSelector = BL_GDT_CODE32;
    Block->EnableNx = Pae && (Cpu->Features & XT_CPU_FEATURE_NX) != 0;
}

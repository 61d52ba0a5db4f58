/* XTLDR facts and paging choices for the amd64 (x86_64 UEFI) build. */
#include <xtboot.h>
#include <xtpaging.h>
#include <xtpecoff.h>

#include "../handoff.h"
#include "../xtldr.h"

const USHORT BlArchMachine = IMAGE_FILE_MACHINE_AMD64;
const CHAR BlArchName[] = "amd64";

/* The kernel's early-mapping window: the last 2 MiB of the address space (one page table). */
const ULONGLONG BlArchHalWindowBase = MM_HAL_WINDOW_BASE_AMD64;
const ULONG BlArchHalWindowPages = MM_HAL_WINDOW_SIZE / MM_PAGE_SIZE;

/* The kernel-image window KASLR chooses from (sdk/xtpaging.h MM_KERNEL_WINDOW_*_AMD64). */
const BL_KERNEL_WINDOW *const BlArchKernelWindow = &BlKernelWindowAmd64;

ULONG BlArchChoosePagingMode(const BL_CPU_INFO *Cpu, BOOLEAN NoXpa) {
    return ((Cpu->Features & XT_CPU_FEATURE_LA57) && !NoXpa) ? XtPagingModePml5 : XtPagingModePml4;
}

VOID BlArchPrepareHandOff(const BL_CPU_INFO *Cpu, ULONG Mode, PBL_HANDOFF_BLOCK Block) {
    BOOLEAN WantLa57 = (Mode == XtPagingModePml5);
    BOOLEAN FirmwareLa57 = (Cpu->Cr4 & CR4_LA57) != 0;

    /* CR4.LA57 can change only with paging off, which long mode allows only from 32-bit code. */
    Block->SwitchMode = (WantLa57 != FirmwareLa57);
    Block->Cr4Set = WantLa57 ? CR4_LA57 : 0;
    Block->Cr4Clear = WantLa57 ? 0 : CR4_LA57;
    Block->FarSelector = BL_GDT_CODE64;
    Block->EnableNx = (Cpu->Features & XT_CPU_FEATURE_NX) != 0;
}

/* Debugger hand-shake for ./xt run --gdb (README, "Developing XTOS"): where the loader and the kernel really run.
 * Only active when QEMU passes the fw_cfg file opt/xtos/debugger; otherwise the loader neither waits nor prints. */
#include "xtldr.h"

#define BL_DEBUGGER_FW_CFG_FILE "opt/xtos/debugger"

/* gdb clears this (set var) once it has the loader's symbols; the loader spins until then. */
volatile ULONG BlDebuggerWaiting;
/* The kernel's base, written just before the hand-off (the debugger breaks in BlDebuggerKernelReady). */
volatile ULONGLONG BlDebuggerKernelBase;

/* Prints the loader's image base and waits for the debugger to clear BlDebuggerWaiting (debugger mode only). */
VOID BlDebuggerWaitForAttach(EFI_HANDLE ImageHandle, EFI_BOOT_SERVICES *BootServices) {
    EFI_GUID LoadedImageGuid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    EFI_LOADED_IMAGE_PROTOCOL *LoadedImage;

    if (!BlFwCfgHasFile(BL_DEBUGGER_FW_CFG_FILE)) {
        return;
    }
    if (BootServices->HandleProtocol(ImageHandle, &LoadedImageGuid, (VOID **)&LoadedImage) != EFI_SUCCESS) {
        BlPrint("XTLDR: debugger: no loaded-image protocol: not waiting\n");
        return;
    }
    BlPrint("XTLDR: debugger: loader image at 0x%llx, waiting for gdb\n", (ULONGLONG)(ULONG_PTR)LoadedImage->ImageBase);
    BlDebuggerWaiting = 1;
    while (BlDebuggerWaiting) {
        __asm__ volatile("pause");
    }
}

/* Called with the kernel's base right before the jump into it: the debugger's breakpoint for the kernel symbols. */
__attribute__((noinline)) VOID BlDebuggerKernelReady(ULONGLONG KernelBase) {
    BlDebuggerKernelBase = KernelBase;
    __asm__ volatile("" ::: "memory");
}

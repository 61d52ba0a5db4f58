/* XTLDR internals shared by the loader's modules. */
#ifndef XTLDR_XTLDR_H
#define XTLDR_XTLDR_H

#include <rtl.h>
#include <xtbase.h>
#include <xtstatus.h>
#include <xtuefi.h>

#define XTLDR_VERSION_MAJOR 0
#define XTLDR_VERSION_MINOR 2
#define XTLDR_VERSION       "0.2.0"
#define XTLDR_INI_PATH      "\\EFI\\BOOT\\XTLDR\\XTLDR.INI"

/* Per-arch facts, defined in amd64/ and i686/. */
extern const USHORT BlArchMachine; /* IMAGE_FILE_MACHINE_* the kernel must have */
extern const CHAR BlArchName[];    /* "amd64" or "i686" */

/* Console: ConOut plus the serial debug port (COM1 until the INI file says otherwise). Each line appears once on
 * the port: written by the loader, or by the firmware when its console (ConOut) already reaches that UART. */
VOID BlConsoleInitialize(EFI_SYSTEM_TABLE *SystemTable);
/* Selects the debug port (0: none); returns TRUE when the firmware's console reaches it (no direct writes). */
BOOLEAN BlConsoleSetDebugPort(USHORT Port, ULONG Baud);
VOID BlPrint(PCSTR Format, ...);
/* After ExitBootServices: stop using ConOut; the serial port goes on. */
VOID BlConsoleExitBootServices(VOID);
BOOLEAN BlConsoleBootServicesActive(VOID);

/* Boot menu: lets the user pick and edit an entry until the timeout ends (Timeout=0: no menu). */
struct _BL_CONFIG;
VOID BlRunBootMenu(EFI_SYSTEM_TABLE *SystemTable, struct _BL_CONFIG *Config);

/* Time-stamp counter at loader entry (defined in cpu.c, set by the entry point), for the hand-off benchmark. */
extern ULONGLONG BlEntryTimeStamp;

/* QEMU fw_cfg: TRUE when the host passed a file of that name (the test harness's exit request). */
BOOLEAN BlFwCfgHasFile(PCSTR Name);

/* Debugger hand-shake (./xt run --gdb, only with the fw_cfg file opt/xtos/debugger): the loader prints its image
 * base and waits until gdb clears BlDebuggerWaiting; BlDebuggerKernelReady is called with the kernel's base right
 * before the hand-off. */
VOID BlDebuggerWaitForAttach(EFI_HANDLE ImageHandle, EFI_BOOT_SERVICES *BootServices);
VOID BlDebuggerKernelReady(ULONGLONG KernelBase);

/* Boot volume files: whole-file reads into pool memory with one spare zero byte after the data. */
EFI_STATUS BlOpenBootVolume(EFI_HANDLE ImageHandle, EFI_BOOT_SERVICES *BootServices);
EFI_STATUS BlReadFile(PCSTR Path, PVOID *Buffer, SIZE_T *Size, PCSTR *Reason);

#endif

/* Kernel executive core (Ke): start-up, traps and STOP reports. */
#ifndef XTOSKRNL_KE_KE_H
#define XTOSKRNL_KE_KE_H

#include <xtbase.h>
#include <xtboot.h>

#include "ar/ar.h"
#include "ke/bugcode.h"
#include "ke/params.h"

/* Per-arch name ("amd64", "i686"), defined in ke/<arch>/trap.c. */
extern const CHAR KeArchName[];

/* Kernel entry point, called by XTLDR with the init block. */
XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock);

/* Stops the system: prints the STOP line, a register dump of the caller and a backtrace. */
XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);

/* Stops the system for an exception described by Frame and Info (from the trap stubs). */
XTNORETURN VOID KiBugCheckTrap(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info);

/* Makes every later STOP end a QEMU run through isa-debug-exit (TESTEXIT). */
VOID KiSetStopTestExit(BOOLEAN Enable);

/* Records the kernel image and the stacks, for backtraces and stack-overflow detection. */
VOID KiSetStopContext(PXT_INIT_BLOCK InitBlock);

/* Arch: fills Info from a trap frame (reads CR2 for the fault address). */
VOID KiGetTrapInfo(PKTRAP_FRAME Frame, PKI_TRAP_INFO Info);

/* Arch: prints the register dump of Frame (instruction and stack pointer, CR0/2/3/4, EFER, error code, GPRs). */
VOID KiDumpTrapFrame(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info);

/* Checks that the image was relocated for InitBlock->KernelVirtualBase (addresses the linker stored in data, the
 * header's ImageBase); STOP LOADER_BLOCK_MISMATCH otherwise. Returns the number of addresses checked. */
ULONG KiVerifyImageRelocation(PXT_INIT_BLOCK InitBlock);

/* Runs the built-in test suites (SELFTEST); returns the number of failed cases. */
ULONG KiRunSelfTests(VOID);

/* Provokes the TESTFAULT fault; returns only if no fault happened. */
VOID KiRaiseTestFault(ULONG TestFault);

#endif

/* Kernel executive core: start-up and debug output. */
#ifndef XTOSKRNL_KE_KE_H
#define XTOSKRNL_KE_KE_H

#include <xtbase.h>
#include <xtboot.h>

/* Per-arch facts, defined in amd64/ and i686/. */
extern const CHAR KeArchName[];

/* Kernel entry point, called by XTLDR with the init block. */
XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock);

/* Formatted debug output on the serial debug port. */
VOID KdPrint(PCSTR Format, ...);

#endif

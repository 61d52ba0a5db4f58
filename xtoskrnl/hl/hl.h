/* Hardware layer (Hl): platform services of the kernel. */
#ifndef XTOSKRNL_HL_HL_H
#define XTOSKRNL_HL_HL_H

#include <xtboot.h>
#include <xtstatus.h>

/* Powers the machine off through ACPI S5 (tables from InitBlock->AcpiRsdp, reached through the HAL window).
 * Prints "HL: ACPI S5 via PM1a 0x... SLP_TYP n" before the write. Returns only on failure, after printing why. */
XTSTATUS HlShutdownSystem(PXT_INIT_BLOCK InitBlock);

#endif

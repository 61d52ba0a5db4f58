/* Hl internals shared by its implementation files. */
#ifndef XTOSKRNL_HL_HLP_H
#define XTOSKRNL_HL_HLP_H

#include <xtbase.h>

#include "apicregs.h"
#include "hl.h"

/* Remaps the 8259 pair to HL_PIC_MASTER_VECTOR / HL_PIC_SLAVE_VECTOR and masks every IRQ. */
VOID HlpMaskLegacyPics(VOID);

/* TRUE when both 8259 interrupt mask registers read back 0xFF. */
BOOLEAN HlpAreLegacyPicsMasked(VOID);

/* The local APIC's register ops and context (NULL before HlInitializeInterrupts enabled it). */
PCHL_APIC_OPS HlpGetApicOps(PVOID *Context);

/* The mapped HPET register block and its counter's rate (NULL when HlInitializeClockSources found none). */
PUCHAR HlpGetHpetRegisters(PULONGLONG Hz);

/* Maps every I/O APIC of the MADT (InitBlock->AcpiRsdp) through the HAL window and masks all their pins; prints one
 * "HL: I/O APIC" line per unit, or why there is none. */
VOID HlpInitializeIoApics(PXT_INIT_BLOCK InitBlock);

#endif

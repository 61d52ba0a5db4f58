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

#endif

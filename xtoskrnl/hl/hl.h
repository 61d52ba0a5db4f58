/* Hardware layer (Hl): platform services of the kernel. */
#ifndef XTOSKRNL_HL_HL_H
#define XTOSKRNL_HL_HL_H

#include <xtboot.h>
#include <xtstatus.h>

/* Powers the machine off through ACPI S5 (tables from InitBlock->AcpiRsdp, reached through the HAL window).
 * Prints "HL: ACPI S5 via PM1a 0x... SLP_TYP n" before the write. Returns only on failure, after printing why. */
XTSTATUS HlShutdownSystem(PXT_INIT_BLOCK InitBlock);

/* Interrupt vectors Hl owns (design.md section 8): the 8259 pair is remapped here (and masked); the local APIC's
 * spurious and error vectors. */
#define HL_PIC_MASTER_VECTOR    0x20
#define HL_PIC_SLAVE_VECTOR     0x28
#define HL_APIC_SPURIOUS_VECTOR 0x3F
#define HL_APIC_ERROR_VECTOR    0xE3

/* Remaps and masks the 8259 PICs, then enables the boot processor's local APIC (x2APIC when the CPU has it unless
 * NoX2Apic, else xAPIC mapped through the HAL window) with its spurious and error vectors connected and every other
 * local source masked. Interrupts stay disabled (IF) - the caller decides. STATUS_NOT_FOUND without an APIC.
 * Prints one "HL: local APIC" line. */
XTSTATUS HlInitializeInterrupts(PXT_INIT_BLOCK InitBlock, BOOLEAN NoX2Apic);

/* TRUE once HlInitializeInterrupts enabled the local APIC. */
BOOLEAN HlIsApicReady(VOID);

/* Acknowledges the interrupt on Vector at the local APIC (nothing for the spurious vector or before the APIC). */
VOID HlEndOfInterrupt(ULONG Vector);

/* Writes the local APIC's task-priority register (i686 RunLevels; amd64 uses CR8). Nothing before the APIC. */
VOID HlSetTaskPriority(ULONG TaskPriority);

/* Sends a fixed interrupt on Vector (32..255) to this processor; FALSE before the APIC or for a bad vector. */
BOOLEAN HlSendSelfInterrupt(ULONG Vector);

/* How many spurious interrupts arrived, and how many APIC error interrupts. */
ULONG HlGetSpuriousInterruptCount(VOID);
ULONG HlGetApicErrorCount(VOID);

#endif

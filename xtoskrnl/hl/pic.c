/* The legacy 8259 pair: remapped off the exception vectors (master 0x20, slave 0x28) and fully masked, so no ISA
 * interrupt reaches the CPU through them (the local APIC and, later, the I/O APIC deliver interrupts). */
#include <xtintrin.h>

#include "hlp.h"

#define PIC_MASTER_COMMAND 0x20
#define PIC_MASTER_DATA    0x21
#define PIC_SLAVE_COMMAND  0xA0
#define PIC_SLAVE_DATA     0xA1
#define PIC_ICW1_INIT_ICW4 0x11 /* edge triggered, cascaded, ICW4 follows */
#define PIC_ICW4_8086      0x01

VOID HlpMaskLegacyPics(VOID) {
    HlWritePort8(PIC_MASTER_COMMAND, PIC_ICW1_INIT_ICW4);
    HlWritePort8(PIC_SLAVE_COMMAND, PIC_ICW1_INIT_ICW4);
    HlWritePort8(PIC_MASTER_DATA, HL_PIC_MASTER_VECTOR);
    HlWritePort8(PIC_SLAVE_DATA, HL_PIC_SLAVE_VECTOR);
    HlWritePort8(PIC_MASTER_DATA, 1u << 2); /* slave on IRQ 2 */
    HlWritePort8(PIC_SLAVE_DATA, 2);        /* cascade identity */
    HlWritePort8(PIC_MASTER_DATA, PIC_ICW4_8086);
    HlWritePort8(PIC_SLAVE_DATA, PIC_ICW4_8086);
    HlWritePort8(PIC_MASTER_DATA, 0xFF);
    HlWritePort8(PIC_SLAVE_DATA, 0xFF);
}

BOOLEAN HlpAreLegacyPicsMasked(VOID) {
    return HlReadPort8(PIC_MASTER_DATA) == 0xFF && HlReadPort8(PIC_SLAVE_DATA) == 0xFF;
}

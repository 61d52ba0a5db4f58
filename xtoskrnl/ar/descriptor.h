/* Encoders for x86 segment descriptors and gate descriptors (pure arithmetic, host-testable). */
#ifndef XTOSKRNL_AR_DESCRIPTOR_H
#define XTOSKRNL_AR_DESCRIPTOR_H

#include <xtbase.h>

/* Access bytes: present, DPL, type. */
#define AR_ACCESS_CODE_R0 0x9A /* present, DPL 0, code, execute/read */
#define AR_ACCESS_DATA_R0 0x92 /* present, DPL 0, data, read/write */
#define AR_ACCESS_CODE_R3 0xFA /* present, DPL 3, code, execute/read */
#define AR_ACCESS_DATA_R3 0xF2 /* present, DPL 3, data, read/write */
#define AR_ACCESS_TSS     0x89 /* present, DPL 0, available 32-bit TSS (or 64-bit TSS in long mode) */
/* Flags nibble (descriptor bits 52..55): granularity, default size, long mode. */
#define AR_FLAGS_GRANULARITY 0x8
#define AR_FLAGS_32BIT       0x4
#define AR_FLAGS_LONG_MODE   0x2
/* Gate type/attribute bytes. */
#define AR_GATE_INTERRUPT 0x8E /* present, DPL 0, interrupt gate (IF cleared on entry) */
#define AR_GATE_TASK      0x85 /* present, DPL 0, task gate (i686) */

/* Encodes an 8-byte segment descriptor (Limit has 20 bits; in pages when Flags has G). */
XTINLINE ULONGLONG ArMakeSegmentDescriptor(ULONG Base, ULONG Limit, UCHAR Access, UCHAR Flags) {
    return (ULONGLONG)(Limit & 0xFFFF) | ((ULONGLONG)(Base & 0xFFFFFF) << 16) | ((ULONGLONG)Access << 40) |
           ((ULONGLONG)((Limit >> 16) & 0xF) << 48) | ((ULONGLONG)(Flags & 0xF) << 52) |
           ((ULONGLONG)(Base >> 24) << 56);
}

#endif

/* XT SDK: x86 instructions shared by the loader and the kernel on both arches (port I/O, CPUID, halt). */
#ifndef XT_SDK_XTINTRIN_H
#define XT_SDK_XTINTRIN_H

#include <xtbase.h>

typedef struct _CPUID_REGISTERS {
    ULONG Eax;
    ULONG Ebx;
    ULONG Ecx;
    ULONG Edx;
} CPUID_REGISTERS, *PCPUID_REGISTERS;

/* Reads one byte from an I/O port. */
XTINLINE UCHAR HlReadPort8(USHORT Port) {
    UCHAR Value;
    __asm__ volatile("inb %1, %0" : "=a"(Value) : "Nd"(Port));
    return Value;
}

/* Reads one 16-bit word from an I/O port. */
XTINLINE USHORT HlReadPort16(USHORT Port) {
    USHORT Value;
    __asm__ volatile("inw %1, %0" : "=a"(Value) : "Nd"(Port));
    return Value;
}

/* Writes one byte to an I/O port. */
XTINLINE VOID HlWritePort8(USHORT Port, UCHAR Value) {
    __asm__ volatile("outb %0, %1" : : "a"(Value), "Nd"(Port));
}

/* Writes one 16-bit word to an I/O port. */
XTINLINE VOID HlWritePort16(USHORT Port, USHORT Value) {
    __asm__ volatile("outw %0, %1" : : "a"(Value), "Nd"(Port));
}

/* Writes one 32-bit word to an I/O port. */
XTINLINE VOID HlWritePort32(USHORT Port, ULONG Value) {
    __asm__ volatile("outl %0, %1" : : "a"(Value), "Nd"(Port));
}

/* Executes CPUID for Leaf and SubLeaf. */
XTINLINE VOID ArCpuId(ULONG Leaf, ULONG SubLeaf, PCPUID_REGISTERS Registers) {
    __asm__ volatile("cpuid"
                     : "=a"(Registers->Eax), "=b"(Registers->Ebx), "=c"(Registers->Ecx), "=d"(Registers->Edx)
                     : "a"(Leaf), "c"(SubLeaf));
}

/* Reads the time-stamp counter (under QEMU -icount: guest instructions << shift). */
XTINLINE ULONGLONG ArReadTimeStampCounter(VOID) {
    ULONG Low, High;
    __asm__ volatile("rdtsc" : "=a"(Low), "=d"(High));
    return ((ULONGLONG)High << 32) | Low;
}

/* Reads 32 random bits with RDRAND (CPUID.1.ECX[30] must be set); FALSE when the generator had none ready. */
XTINLINE BOOLEAN ArReadRandom32(PULONG Value) {
    UCHAR Ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*Value), "=qm"(Ok) : : "cc");
    return Ok != 0;
}

/* Returns TRUE when CPUID leaf 1 reports a hypervisor (ECX bit 31). */
XTINLINE BOOLEAN ArIsHypervisorPresent(VOID) {
    CPUID_REGISTERS Registers;
    ArCpuId(1, 0, &Registers);
    return (Registers.Ecx & (1u << 31)) != 0;
}

/* Disables interrupts (IF) and returns the flags as they were, for ArRestoreInterrupts. */
XTINLINE ULONG_PTR ArDisableInterrupts(VOID) {
    ULONG_PTR Flags;

    __asm__ volatile("pushf; pop %0; cli" : "=r"(Flags) : : "memory");
    return Flags;
}

/* Restores the flags ArDisableInterrupts returned (IF back as it was). */
XTINLINE VOID ArRestoreInterrupts(ULONG_PTR Flags) {
    __asm__ volatile("push %0; popf" : : "r"(Flags) : "memory", "cc");
}

XTINLINE VOID ArEnableInterrupts(VOID) {
    __asm__ volatile("sti" : : : "memory");
}

/* TRUE when interrupts are enabled (IF, EFLAGS bit 9). */
XTINLINE BOOLEAN ArAreInterruptsEnabled(VOID) {
    ULONG_PTR Flags;

    __asm__ volatile("pushf; pop %0" : "=r"(Flags));
    return (Flags & 0x200) != 0;
}

/* Disables interrupts and halts forever. */
XTINLINE XTNORETURN VOID ArHaltSystem(VOID) {
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

#endif

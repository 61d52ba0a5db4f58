/* i686 RunLevel register: a software level (the current processor's KPRCB.RunLevel, read through FS) mirrored into the
 * local APIC's task-priority register (xAPIC: one MMIO store through KiTaskPriorityRegister; x2APIC or no APIC yet:
 * KiSetTaskPriority). Both are written with interrupts off, so an interrupt never sees the software level and the TPR
 * disagree. */
#ifndef XTOSKRNL_KE_I686_KERUNLEVEL_H
#define XTOSKRNL_KE_I686_KERUNLEVEL_H

/* The xAPIC TPR, mapped; NULL before the APIC is up and with x2APIC. */
extern volatile ULONG *KiTaskPriorityRegister;
/* Task priority for each RunLevel (ExectOS's): APC 0x3D, DISPATCH 0x41, DEVICE1..7 0x51..0xB1, CLOCK 0xD1, IPI 0xE1. */
extern const UCHAR KiRunLevelToTaskPriority[HIGH_LEVEL + 1];

/* Writes the TPR when there is no MMIO register to store to (x2APIC MSR; nothing before the APIC). */
VOID KiSetTaskPriority(ULONG TaskPriority);

/* A level write is a KPRCB store and an APIC register write with interrupts off (KeRaiseRunLevelFromKnown). */
#define KE_RUNLEVEL_WRITE_IS_CHEAP 0

XTFORCEINLINE KRUNLEVEL KiReadRunLevel(VOID) {
    KRUNLEVEL Level;

    __asm__ volatile("movb %%fs:%c1, %0" : "=q"(Level) : "i"(KPRCB_RUNLEVEL_OFFSET));
    return Level;
}

/* The caller has checked Level <= HIGH_LEVEL. */
XTFORCEINLINE VOID KiWriteRunLevel(KRUNLEVEL Level) {
    volatile ULONG *Register = KiTaskPriorityRegister;
    ULONG_PTR Flags;

    __asm__ volatile("pushf; pop %0; cli" : "=r"(Flags) : : "memory");
    __asm__ volatile("movb %0, %%fs:%c1" : : "q"(Level), "i"(KPRCB_RUNLEVEL_OFFSET) : "memory");
    if (__builtin_expect(Register != 0, 1)) {
        *Register = KiRunLevelToTaskPriority[Level];
    } else {
        KiSetTaskPriority(KiRunLevelToTaskPriority[Level]);
    }
    __asm__ volatile("push %0; popf" : : "r"(Flags) : "memory", "cc");
}

#endif

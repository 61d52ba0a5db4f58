/* amd64 RunLevel register: CR8, the local APIC's task priority class (a vector's upper nibble). One move each way. */
#ifndef XTOSKRNL_KE_AMD64_KERUNLEVEL_H
#define XTOSKRNL_KE_AMD64_KERUNLEVEL_H

/* A level write is one register move (KeRaiseRunLevelFromKnown). */
#define KE_RUNLEVEL_WRITE_IS_CHEAP 1

XTFORCEINLINE KRUNLEVEL KiReadRunLevel(VOID) {
    ULONG_PTR Value;

    __asm__ volatile("mov %%cr8, %0" : "=r"(Value));
    /* CR8's upper bits are reserved (zero): said, so a level read and written back needs no zero extension. */
    __builtin_assume(Value <= 15);
    return (KRUNLEVEL)Value;
}

/* The caller has checked Level <= HIGH_LEVEL. */
XTFORCEINLINE VOID KiWriteRunLevel(KRUNLEVEL Level) {
    __asm__ volatile("mov %0, %%cr8" : : "r"((ULONG_PTR)Level) : "memory");
}

#endif

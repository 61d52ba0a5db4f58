/* amd64 RunLevel register: CR8 (the local APIC's task priority class, vectors >> 4). */
#include <runlevel.h>

KRUNLEVEL KiReadRunLevel(VOID) {
    ULONG_PTR Value;

    __asm__ volatile("mov %%cr8, %0" : "=r"(Value));
    return (KRUNLEVEL)Value;
}

VOID KiWriteRunLevel(KRUNLEVEL Level) {
    __asm__ volatile("mov %0, %%cr8" : : "r"((ULONG_PTR)Level) : "memory");
}

KRUNLEVEL KeGetVectorRunLevel(ULONG Vector) {
    return (KRUNLEVEL)((Vector >> 4) & 0xF);
}

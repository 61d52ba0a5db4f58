/* i686: the current processor's control block through FS (the per-processor KGDT_R0_PCR segment, kprcb.h). */
#ifndef XTOSKRNL_KE_I686_KEPCR_H
#define XTOSKRNL_KE_I686_KEPCR_H

/* The current processor's control block. */
XTFORCEINLINE PKPRCB KeGetCurrentPrcb(VOID) {
    PKPRCB Prcb;

    __asm__ volatile("movl %%fs:%c1, %0" : "=r"(Prcb) : "i"(KPRCB_SELF_OFFSET));
    return Prcb;
}

/* The current processor's number (0 = boot processor). */
XTFORCEINLINE ULONG KeGetCurrentProcessorNumber(VOID) {
    ULONG Number;

    __asm__ volatile("movl %%fs:%c1, %0" : "=r"(Number) : "i"(KPRCB_NUMBER_OFFSET));
    return Number;
}

/* KPRCB.PoolLookaside of the current processor (the memory manager's; one load through the segment). */
XTFORCEINLINE PVOID KeGetCurrentPoolLookaside(VOID) {
    PVOID Lookaside;

    __asm__ volatile("movl %%fs:%c1, %0" : "=r"(Lookaside) : "i"(offsetof(KPRCB, PoolLookaside)));
    return Lookaside;
}

/* The running thread (NULL before the dispatcher runs on this processor): one load through the segment, so a thread
 * moved to another processor between two instructions still reads itself. */
XTFORCEINLINE PKTHREAD KeGetCurrentThread(VOID) {
    PKTHREAD Thread;

    __asm__ volatile("movl %%fs:%c1, %0" : "=r"(Thread) : "i"(offsetof(KPRCB, CurrentThread)));
    return Thread;
}

#endif

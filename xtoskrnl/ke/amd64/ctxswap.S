/* amd64 context switch and thread start (docs/kernel.md "Threads: stacks, context switch, FPU state").
 * KiSwapContext saves the MS x64 callee-saved registers on the old thread's stack (the switch frame, <kiswitch.h>),
 * its x87/SSE/AVX state into its save area (eager: on every switch, XSAVE64 or FXSAVE64), swaps the stack pointer,
 * points the KPRCB's current-stack bounds at the new thread's stack and restores the new thread's state the same way.
 * The assembly reads KTHREAD and KPRCB at the offsets of <kiswitch.h>, which ke/thread.c asserts. */
#include <kiswitch.h>

    .text

/* VOID KiSwapContext(PKTHREAD Old [RCX], PKTHREAD New [RDX]) */
    .globl KiSwapContext
    .p2align 4
KiSwapContext:
    pushq %rbp
    pushq %rbx
    pushq %rdi
    pushq %rsi
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq KTHREAD_FLOAT_SAVE_AREA(%rcx), %r8
    testq %r8, %r8
    jz 2f
    cmpb $KI_FLOAT_SAVE_XSAVE, KiFloatSaveMethod(%rip)
    jne 1f
    movq %rdx, %r9
    movl KiXsaveMask(%rip), %eax
    movl KiXsaveMask+4(%rip), %edx
    xsave64 (%r8)
    movq %r9, %rdx
    jmp 2f
1:  fxsave64 (%r8)
2:  movq %rsp, KTHREAD_KERNEL_STACK(%rcx)
    movq KTHREAD_KERNEL_STACK(%rdx), %rsp
    movq KTHREAD_STACK_LIMIT(%rdx), %rax
    movq %rax, %gs:KI_PRCB_KERNEL_STACK_BASE
    movq KTHREAD_STACK_BASE(%rdx), %rax
    movq %rax, %gs:KI_PRCB_KERNEL_STACK_TOP
    incl KTHREAD_CONTEXT_SWITCHES(%rdx)
    movq KTHREAD_FLOAT_SAVE_AREA(%rdx), %r8
    testq %r8, %r8
    jz 4f
    cmpb $KI_FLOAT_SAVE_XSAVE, KiFloatSaveMethod(%rip)
    jne 3f
    movl KiXsaveMask(%rip), %eax
    movl KiXsaveMask+4(%rip), %edx
    xrstor64 (%r8)
    jmp 4f
3:  fxrstor64 (%r8)
4:  popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rsi
    popq %rdi
    popq %rbx
    popq %rbp
    ret

/* A new thread's first instructions, entered by KiSwapContext's RET from the frame KiBuildSwitchFrame built: RBX holds
 * the KTHREAD, RBP is 0 (KiRunThread's saved frame pointer ends the chain: STOP backtraces stop at this function),
 * RSP is the 16-byte aligned InitialStack. Calls KiRunThread(Thread) with the MS x64 shadow space; never returns. */
    .globl KiThreadStartup
    .p2align 4
KiThreadStartup:
    movq %rbx, %rcx
    subq $32, %rsp
    call KiRunThread
    ud2

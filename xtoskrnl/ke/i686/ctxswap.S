/* i686 context switch and thread start (docs/kernel.md "Threads: stacks, context switch, FPU state").
 * KiSwapContext (cdecl) saves the callee-saved EBP, EBX, EDI and ESI on the old thread's stack (the switch frame,
 * <kiswitch.h>), its x87/SSE/AVX state into its save area (eager: on every switch, XSAVE or FXSAVE), swaps the stack
 * pointer, points the KPRCB's current-stack bounds at the new thread's stack and restores the new thread's state the
 * same way. The assembly reads KTHREAD and KPRCB at the offsets of <kiswitch.h>, which ke/thread.c asserts. */
#include <kiswitch.h>

    .text

/* VOID KiSwapContext(PKTHREAD Old, PKTHREAD New) */
    .globl _KiSwapContext
    .p2align 4
_KiSwapContext:
    pushl %ebp
    pushl %ebx
    pushl %edi
    pushl %esi
    movl KI_SWITCH_FRAME + 0(%esp), %edi /* Old */
    movl KI_SWITCH_FRAME + 4(%esp), %esi /* New */
    movl KTHREAD_FLOAT_SAVE_AREA(%edi), %ecx
    testl %ecx, %ecx
    jz 2f
    cmpb $KI_FLOAT_SAVE_XSAVE, _KiFloatSaveMethod
    jne 1f
    movl _KiXsaveMask, %eax
    movl _KiXsaveMask+4, %edx
    xsave (%ecx)
    jmp 2f
1:  fxsave (%ecx)
2:  movl %esp, KTHREAD_KERNEL_STACK(%edi)
    movl KTHREAD_KERNEL_STACK(%esi), %esp
    movl KTHREAD_STACK_LIMIT(%esi), %eax
    movl %eax, %fs:KI_PRCB_KERNEL_STACK_BASE
    movl KTHREAD_STACK_BASE(%esi), %eax
    movl %eax, %fs:KI_PRCB_KERNEL_STACK_TOP
    incl KTHREAD_CONTEXT_SWITCHES(%esi)
    movl KTHREAD_FLOAT_SAVE_AREA(%esi), %ecx
    testl %ecx, %ecx
    jz 4f
    cmpb $KI_FLOAT_SAVE_XSAVE, _KiFloatSaveMethod
    jne 3f
    movl _KiXsaveMask, %eax
    movl _KiXsaveMask+4, %edx
    xrstor (%ecx)
    jmp 4f
3:  fxrstor (%ecx)
4:  popl %esi
    popl %edi
    popl %ebx
    popl %ebp
    ret

/* A new thread's first instructions, entered by KiSwapContext's RET from the frame KiBuildSwitchFrame built: EBX holds
 * the KTHREAD, EBP is 0 (KiRunThread's saved frame pointer ends the chain: STOP backtraces stop at this function),
 * ESP is InitialStack. Calls KiRunThread(Thread); never returns. */
    .globl _KiThreadStartup
    .p2align 4
_KiThreadStartup:
    pushl %ebx
    call _KiRunThread
    ud2

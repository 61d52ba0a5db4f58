/* amd64 CPU routines in assembly: register capture, segment reload and the deliberate faults of TESTFAULT. */

    .text

/* VOID ArCaptureTrapFrame(PKTRAP_FRAME Frame): RCX = Frame. Records the caller's registers; Rip is the return
 * address, Rsp the caller's stack pointer after the return, Vector = ~0 (no exception). */
    .globl ArCaptureTrapFrame
    .p2align 4
ArCaptureTrapFrame:
    movq %r15, 0x00(%rcx)
    movq %r14, 0x08(%rcx)
    movq %r13, 0x10(%rcx)
    movq %r12, 0x18(%rcx)
    movq %r11, 0x20(%rcx)
    movq %r10, 0x28(%rcx)
    movq %r9, 0x30(%rcx)
    movq %r8, 0x38(%rcx)
    movq %rbp, 0x40(%rcx)
    movq %rdi, 0x48(%rcx)
    movq %rsi, 0x50(%rcx)
    movq %rdx, 0x58(%rcx)
    movq %rcx, 0x60(%rcx)
    movq %rbx, 0x68(%rcx)
    movq %rax, 0x70(%rcx)
    movq $-1, 0x78(%rcx)
    movq $0, 0x80(%rcx)
    movq (%rsp), %rax
    movq %rax, 0x88(%rcx)
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, 0x90(%rcx)
    pushfq
    popq %rax
    movq %rax, 0x98(%rcx)
    leaq 8(%rsp), %rax
    movq %rax, 0xA0(%rcx)
    xorl %eax, %eax
    movw %ss, %ax
    movq %rax, 0xA8(%rcx)
    movq 0x70(%rcx), %rax
    ret

/* VOID ArTouchStackAt(ULONG_PTR StackPointer): loads RSP and pushes (TESTFAULT=DOUBLE). */
    .globl ArTouchStackAt
    .p2align 4
ArTouchStackAt:
    movq %rcx, %rsp
    pushq $0
1:  hlt
    jmp 1b

/* VOID ArRaiseGeneralProtection(VOID): reads a non-canonical address (TESTFAULT=GP). */
    .globl ArRaiseGeneralProtection
    .p2align 4
ArRaiseGeneralProtection:
    movabsq $0x8000000000000000, %rax
    movq (%rax), %rax
1:  hlt
    jmp 1b

/* VOID ArpLoadSegments(USHORT CodeSelector, USHORT DataSelector): reloads CS through a far return and the data
 * segment registers. */
    .globl ArpLoadSegments
    .p2align 4
ArpLoadSegments:
    movzwl %cx, %ecx
    leaq 1f(%rip), %rax
    pushq %rcx
    pushq %rax
    lretq
1:  movw %dx, %ds
    movw %dx, %es
    movw %dx, %ss
    movw %dx, %fs
    movw %dx, %gs
    ret

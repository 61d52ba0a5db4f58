/* i686 CPU routines in assembly: register capture, segment reload and the deliberate faults of TESTFAULT. */

    .text

/* VOID ArCaptureTrapFrame(PKTRAP_FRAME Frame): records the caller's registers; Eip is the return address,
 * PushadEsp the caller's ESP after the return, Vector = ~0 (no exception). */
    .globl _ArCaptureTrapFrame
    .p2align 4
_ArCaptureTrapFrame:
    pushl %eax
    movl 8(%esp), %eax
    movl %edi, 0x10(%eax)
    movl %esi, 0x14(%eax)
    movl %ebp, 0x18(%eax)
    movl %ebx, 0x20(%eax)
    movl %edx, 0x24(%eax)
    movl %ecx, 0x28(%eax)
    popl %ecx
    movl %ecx, 0x2C(%eax)
    movl %gs, %ecx
    movl %ecx, 0x00(%eax)
    movl %fs, %ecx
    movl %ecx, 0x04(%eax)
    movl %es, %ecx
    movl %ecx, 0x08(%eax)
    movl %ds, %ecx
    movl %ecx, 0x0C(%eax)
    movl $-1, 0x30(%eax)
    movl $0, 0x34(%eax)
    movl (%esp), %ecx
    movl %ecx, 0x38(%eax)
    movl %cs, %ecx
    movl %ecx, 0x3C(%eax)
    pushfl
    popl %ecx
    movl %ecx, 0x40(%eax)
    leal 4(%esp), %ecx
    movl %ecx, 0x1C(%eax)
    movl 0x28(%eax), %ecx
    movl 0x2C(%eax), %eax
    ret

/* VOID ArTouchStackAt(ULONG_PTR StackPointer): loads ESP and pushes (TESTFAULT=DOUBLE). */
    .globl _ArTouchStackAt
    .p2align 4
_ArTouchStackAt:
    movl 4(%esp), %esp
    pushl $0
1:  hlt
    jmp 1b

/* VOID ArRaiseGeneralProtection(VOID): loads a selector beyond the GDT limit into DS (TESTFAULT=GP). */
    .globl _ArRaiseGeneralProtection
    .p2align 4
_ArRaiseGeneralProtection:
    movl $0xFFF8, %eax
    movw %ax, %ds
1:  hlt
    jmp 1b

/* VOID ArpLoadSegments(USHORT CodeSelector, USHORT DataSelector): reloads CS through a far return and the data
 * segment registers. */
    .globl _ArpLoadSegments
    .p2align 4
_ArpLoadSegments:
    movzwl 4(%esp), %ecx
    movzwl 8(%esp), %edx
    pushl %ecx
    pushl $1f
    lretl
1:  movw %dx, %ds
    movw %dx, %es
    movw %dx, %ss
    movw %dx, %fs
    movw %dx, %gs
    ret

/* XTLDR amd64 hand-off trampoline: copied to a page below 4 GiB and entered with RCX = BL_HANDOFF_BLOCK.
 * Loads its own GDT, enables NX, switches to the kernel's page tables (through 32-bit mode with paging off when
 * LA57 must change), then jumps to the kernel with RCX = init block. Keep offsets in sync with handoff.h. */
    .text
    .globl BlpHandOffCode
    .globl BlpHandOffCodeEnd
    .globl BlpHandOffFarTarget
    .p2align 4
BlpHandOffCode:
    cli
    movq %rcx, %rsi
    movq 0x20(%rsi), %rsp
    lgdt 0x46(%rsi)
    leaq 1f(%rip), %rax
    pushq $0x10
    pushq %rax
    lretq
1:  movl $0x18, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    cmpl $0, 0x34(%rsi)
    je 2f
    movl $0xC0000080, %ecx
    rdmsr
    orl $0x800, %eax
    wrmsr
2:  cmpl $0, 0x30(%rsi)
    jne 3f
    movq 0x00(%rsi), %rax
    movq %rax, %cr3
    jmp BlpHandOffFarTarget
3:  leaq 4f(%rip), %rax
    pushq $0x08
    pushq %rax
    lretq
    .code32
4:  movl %cr0, %eax
    andl $0x7FFFFFFF, %eax
    movl %eax, %cr0
    movl %cr4, %eax
    movl 0x2C(%esi), %ecx
    notl %ecx
    andl %ecx, %eax
    orl 0x28(%esi), %eax
    movl %eax, %cr4
    movl 0x00(%esi), %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    ljmpl *0x50(%esi)
    .code64
BlpHandOffFarTarget:
    movq %cr0, %rax
    andq $~0x60000000, %rax         /* caches on: CR0.CD and CR0.NW clear */
    orq $0x10000, %rax              /* WP */
    movq %rax, %cr0
    movq 0x10(%rsi), %rsp
    subq $0x28, %rsp                /* the x64 ABI's entry state: shadow space and a return slot, RSP = 8 mod 16 */
    movq 0x18(%rsi), %rcx
    movq 0x08(%rsi), %rax
    xorl %ebp, %ebp
    jmpq *%rax
BlpHandOffCodeEnd:

/* XTLDR i686 hand-off trampoline: copied to a page below 4 GiB and entered (cdecl) with a BL_HANDOFF_BLOCK.
 * Loads its own GDT, turns paging off, sets CR4 for the new mode (PAE or not), enables NX, loads CR3, turns paging,
 * write protection and caching (CR0.CD/NW clear) on, then jumps to the kernel with the init block as its cdecl argument. */
    .text
    .globl _BlpHandOffCode
    .globl _BlpHandOffCodeEnd
    .globl _BlpHandOffFarTarget
    .p2align 4
_BlpHandOffCode:
    cli
    movl 4(%esp), %esi
    movl 0x20(%esi), %esp
    lgdt 0x46(%esi)
    ljmpl *0x50(%esi)
_BlpHandOffFarTarget:
    movl $0x18, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movl %cr0, %eax
    andl $0x7FFFFFFF, %eax
    movl %eax, %cr0
    cmpl $0, 0x34(%esi)
    je 1f
    movl $0xC0000080, %ecx
    rdmsr
    orl $0x800, %eax
    wrmsr
1:  movl %cr4, %eax
    movl 0x2C(%esi), %ecx
    notl %ecx
    andl %ecx, %eax
    orl 0x28(%esi), %eax
    movl %eax, %cr4
    movl 0x00(%esi), %eax
    movl %eax, %cr3
    movl %cr0, %eax
    andl $0x9FFFFFFF, %eax          /* caches on: OVMF ia32 leaves CR0.CD set */
    orl $0x80010000, %eax           /* PG | WP */
    movl %eax, %cr0
    jmp 2f
2:  movl 0x10(%esi), %esp
    pushl 0x18(%esi)
    pushl $0
    jmp *0x08(%esi)
_BlpHandOffCodeEnd:

/* i686 application-processor trampoline: copied to a page below 1 MiB (KiPrepareTrampoline), entered by a SIPI in
 * real mode at offset 0 with CS = page >> 4. Real mode -> 32-bit protected mode (trampoline GDT) -> CR4 (PSE, PAE for
 * PML3, ...), CR3, EFER (NXE, when the CPU has it), CR0 (PG; the page is identity-mapped) -> the kernel's
 * _KiStartProcessor on the AP's own stack. Position-independent: every address comes from the parameter block
 * (mptramp.h) at KI_TP_BLOCK_OFFSET in the same page. Copied as data, never run in place. */
#include "mptramp.h"

    .section .rdata, "dr"
    .p2align 4
    .globl _KiTrampolineStart
    .globl _KiTrampolineProtected
    .globl _KiTrampolineEnd
_KiTrampolineStart:
    .code16
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    xorl %ebx, %ebx
    movw %ax, %bx
    shll $4, %ebx                                   /* EBX = the page's physical address */
    movl $1, KI_TP_BLOCK_OFFSET + KI_TP_STARTED
    lgdtl KI_TP_BLOCK_OFFSET + KI_TP_GDTR
    movl %cr0, %eax
    orl $1, %eax                                    /* PE */
    movl %eax, %cr0
    ljmpl *(KI_TP_BLOCK_OFFSET + KI_TP_FAR32)

    .code32
_KiTrampolineProtected:
    movl $KI_TRAMPOLINE_DATA, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    leal KI_TP_BLOCK_OFFSET(%ebx), %esi
    movl KI_TP_CR4(%esi), %eax                      /* PAE (PML3) before paging */
    movl %eax, %cr4
    movl KI_TP_CR3(%esi), %eax
    movl %eax, %cr3
    testl $KI_TP_FLAG_EFER, KI_TP_FLAGS(%esi)
    jz 1f
    movl $0xC0000080, %ecx
    movl KI_TP_EFER(%esi), %eax
    movl KI_TP_EFER + 4(%esi), %edx
    wrmsr                                           /* NXE */
1:  movl KI_TP_CR0(%esi), %eax
    movl %eax, %cr0                                 /* PG */
    movl KI_TP_STACK(%esi), %esp
    pushl KI_TP_ARGUMENT(%esi)
    pushl $0                                        /* no return address: KiStartProcessor never returns */
    xorl %ebp, %ebp                                 /* the end of the frame-pointer chain */
    jmp *KI_TP_ENTRY(%esi)
_KiTrampolineEnd:

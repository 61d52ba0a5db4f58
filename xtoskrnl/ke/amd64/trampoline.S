/* amd64 application-processor trampoline: copied to a page below 1 MiB (KiPrepareTrampoline), entered by a SIPI in
 * real mode at offset 0 with CS = page >> 4. Real mode -> 32-bit protected mode (trampoline GDT) -> CR4 (PAE, LA57:
 * before paging), CR3, EFER (LME, NXE), CR0 (PG: compatibility mode, the page identity-mapped) -> 64-bit mode -> the
 * kernel's KiStartProcessor on the AP's own stack. Position-independent: every address comes from the parameter
 * block (mptramp.h) at KI_TP_BLOCK_OFFSET in the same page. Copied as data, never run in place. */
#include "mptramp.h"

    .section .rdata, "dr"
    .p2align 4
    .globl KiTrampolineStart
    .globl KiTrampolineProtected
    .globl KiTrampolineLong
    .globl KiTrampolineEnd
KiTrampolineStart:
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
KiTrampolineProtected:
    movl $KI_TRAMPOLINE_DATA, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    leal KI_TP_BLOCK_OFFSET(%ebx), %esi
    movl KI_TP_CR4(%esi), %eax                      /* PAE and LA57 must be set before paging */
    movl %eax, %cr4
    movl KI_TP_CR3(%esi), %eax
    movl %eax, %cr3
    testl $KI_TP_FLAG_EFER, KI_TP_FLAGS(%esi)
    jz 1f
    movl $0xC0000080, %ecx
    movl KI_TP_EFER(%esi), %eax
    movl KI_TP_EFER + 4(%esi), %edx
    wrmsr                                           /* LME, NXE */
1:  movl KI_TP_CR0(%esi), %eax
    movl %eax, %cr0                                 /* PG: IA-32e compatibility mode */
    ljmpl *KI_TP_FAR64(%esi)

    .code64
KiTrampolineLong:
    movl %esi, %esi                                 /* the upper halves are undefined after the switch */
    movq KI_TP_STACK(%rsi), %rsp
    movq KI_TP_ARGUMENT(%rsi), %rcx
    subq $40, %rsp                                  /* shadow space and a (never used) return slot */
    xorl %ebp, %ebp                                 /* the end of the frame-pointer chain */
    jmpq *KI_TP_ENTRY(%rsi)
KiTrampolineEnd:

/* amd64 application-processor trampoline: copied to a page below 1 MiB (KiPrepareTrampoline), entered by a SIPI in
 * real mode at offset 0 with CS = page >> 4. Real mode -> 32-bit protected mode (trampoline GDT) -> CR4 (PAE, LA57:
 * before paging), CR3, EFER (LME, NXE), CR0 (PG: compatibility mode, the page identity-mapped) -> 64-bit mode -> the
 * kernel's KiStartProcessor on the AP's own stack. Position-independent: every address comes from the parameter
 * block (mptramp.h) at KI_TP_BLOCK_OFFSET in the same page. Copied as data, never run in place. */
#include "mptramp.h"
#include "trampoline.inc"

    .section .rdata, "dr"
    .p2align 4
    .globl KiTrampolineStart
    .globl KiTrampolineProtected
    .globl KiTrampolineLong
    .globl KiTrampolineEnd
    KI_TRAMPOLINE_ENABLE_PAGING KiTrampolineStart, KiTrampolineProtected
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

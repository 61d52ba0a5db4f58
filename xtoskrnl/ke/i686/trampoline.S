/* i686 application-processor trampoline: copied to a page below 1 MiB (KiPrepareTrampoline), entered by a SIPI in
 * real mode at offset 0 with CS = page >> 4. Real mode -> 32-bit protected mode (trampoline GDT) -> CR4 (PSE, PAE for
 * PML3, ...), CR3, EFER (NXE, when the CPU has it), CR0 (PG; the page is identity-mapped) -> the kernel's
 * _KiStartProcessor on the AP's own stack. Position-independent: every address comes from the parameter block
 * (mptramp.h) at KI_TP_BLOCK_OFFSET in the same page. Copied as data, never run in place. */
#include "mptramp.h"
#include "trampoline.inc"

    .section .rdata, "dr"
    .p2align 4
    .globl _KiTrampolineStart
    .globl _KiTrampolineProtected
    .globl _KiTrampolineEnd
    KI_TRAMPOLINE_ENABLE_PAGING _KiTrampolineStart, _KiTrampolineProtected
    movl KI_TP_STACK(%esi), %esp
    pushl KI_TP_ARGUMENT(%esi)
    pushl $0                                        /* no return address: KiStartProcessor never returns */
    xorl %ebp, %ebp                                 /* the end of the frame-pointer chain */
    jmp *KI_TP_ENTRY(%esi)
_KiTrampolineEnd:

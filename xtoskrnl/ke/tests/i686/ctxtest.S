/* i686 register probe for KeContextSwitchSuite (ctxtest.h): cdecl arguments Old, New, In, Out. */
#include <ctxtest.h>

    .text

    .globl _KiTestSwapContextChecked
    .p2align 4
_KiTestSwapContextChecked:
    pushl %ebp
    pushl %ebx
    pushl %edi
    pushl %esi                     /* the arguments are at 20, 24, 28 and 32(%esp) */
    movl 28(%esp), %eax
    cmpl $0, KI_TEST_AVX(%eax)
    je 1f
    .irp i,0,1,2,3,4,5,6,7
    vmovdqu KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%eax), %ymm\i
    .endr
    jmp 2f
1:
    .irp i,0,1,2,3,4,5,6,7
    movups KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%eax), %xmm\i
    .endr
2:  ldmxcsr KI_TEST_MXCSR(%eax)
    pushl 24(%esp)                 /* New */
    pushl 24(%esp)                 /* Old (the push moved it up by 4) */
    movl KI_TEST_GPR + 0x00(%eax), %ebx
    movl KI_TEST_GPR + 0x08(%eax), %ebp
    movl KI_TEST_GPR + 0x10(%eax), %edi
    movl KI_TEST_GPR + 0x18(%eax), %esi
    call _KiSwapContext
    addl $8, %esp
    movl 32(%esp), %eax
    movl %ebx, KI_TEST_GPR + 0x00(%eax)
    movl %ebp, KI_TEST_GPR + 0x08(%eax)
    movl %edi, KI_TEST_GPR + 0x10(%eax)
    movl %esi, KI_TEST_GPR + 0x18(%eax)
    stmxcsr KI_TEST_MXCSR(%eax)
    movl 28(%esp), %ecx
    cmpl $0, KI_TEST_AVX(%ecx)
    je 3f
    .irp i,0,1,2,3,4,5,6,7
    vmovdqu %ymm\i, KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%eax)
    .endr
    vzeroupper
    jmp 4f
3:
    .irp i,0,1,2,3,4,5,6,7
    movups %xmm\i, KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%eax)
    .endr
4:  popl %esi
    popl %edi
    popl %ebx
    popl %ebp
    ret

    .section .rdata, "dr"
    .p2align 2
    .globl _KiTestCalleeSavedCount
_KiTestCalleeSavedCount:
    .long 4
    .globl _KiTestVectorCount
_KiTestVectorCount:
    .long 8

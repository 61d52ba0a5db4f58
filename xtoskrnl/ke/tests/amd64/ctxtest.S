/* amd64 register probe for KeContextSwitchSuite (ctxtest.h): MS x64 arguments RCX Old, RDX New, R8 In, R9 Out. */
#include <ctxtest.h>

    .text

    .globl KiTestSwapContextChecked
    .p2align 4
KiTestSwapContextChecked:
    pushq %rbp
    pushq %rbx
    pushq %rdi
    pushq %rsi
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $56, %rsp                 /* shadow space, In and Out, alignment: RSP = 0 mod 16 at the call */
    movq %r8, 32(%rsp)
    movq %r9, 40(%rsp)
    cmpl $0, KI_TEST_AVX(%r8)
    je 1f
    .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vmovdqu KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%r8), %ymm\i
    .endr
    jmp 2f
1:
    .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movups KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%r8), %xmm\i
    .endr
2:  ldmxcsr KI_TEST_MXCSR(%r8)
    movq KI_TEST_GPR + 0x00(%r8), %rbx
    movq KI_TEST_GPR + 0x08(%r8), %rbp
    movq KI_TEST_GPR + 0x10(%r8), %rdi
    movq KI_TEST_GPR + 0x18(%r8), %rsi
    movq KI_TEST_GPR + 0x20(%r8), %r12
    movq KI_TEST_GPR + 0x28(%r8), %r13
    movq KI_TEST_GPR + 0x30(%r8), %r14
    movq KI_TEST_GPR + 0x38(%r8), %r15
    call KiSwapContext
    movq 40(%rsp), %r9
    movq %rbx, KI_TEST_GPR + 0x00(%r9)
    movq %rbp, KI_TEST_GPR + 0x08(%r9)
    movq %rdi, KI_TEST_GPR + 0x10(%r9)
    movq %rsi, KI_TEST_GPR + 0x18(%r9)
    movq %r12, KI_TEST_GPR + 0x20(%r9)
    movq %r13, KI_TEST_GPR + 0x28(%r9)
    movq %r14, KI_TEST_GPR + 0x30(%r9)
    movq %r15, KI_TEST_GPR + 0x38(%r9)
    stmxcsr KI_TEST_MXCSR(%r9)
    movq 32(%rsp), %r8
    cmpl $0, KI_TEST_AVX(%r8)
    je 3f
    .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vmovdqu %ymm\i, KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%r9)
    .endr
    vzeroupper
    jmp 4f
3:
    .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movups %xmm\i, KI_TEST_VECTOR + KI_TEST_VECTOR_BYTES * \i(%r9)
    .endr
4:  addq $56, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rsi
    popq %rdi
    popq %rbx
    popq %rbp
    ret

    .section .rdata, "dr"
    .p2align 2
    .globl KiTestCalleeSavedCount
KiTestCalleeSavedCount:
    .long 8
    .globl KiTestVectorCount
KiTestVectorCount:
    .long 16

/* amd64 exception entry stubs: each saves a full KTRAP_FRAME (ar/amd64/ararch.h) and calls KiDispatchTrap.
 * Vectors 0..31; the CPU pushes an error code for 8, 10-14, 17, 21, 29 and 30, the others get a 0. */

    .text

.macro TRAP_NO_ERROR vector
    .p2align 4
KiTrap\vector:
    pushq $0
    pushq $\vector
    jmp KiTrapCommon
.endm

.macro TRAP_ERROR vector
    .p2align 4
KiTrap\vector:
    pushq $\vector
    jmp KiTrapCommon
.endm

TRAP_NO_ERROR 0
TRAP_NO_ERROR 1
TRAP_NO_ERROR 2
TRAP_NO_ERROR 3
TRAP_NO_ERROR 4
TRAP_NO_ERROR 5
TRAP_NO_ERROR 6
TRAP_NO_ERROR 7
TRAP_ERROR 8
TRAP_NO_ERROR 9
TRAP_ERROR 10
TRAP_ERROR 11
TRAP_ERROR 12
TRAP_ERROR 13
TRAP_ERROR 14
TRAP_NO_ERROR 15
TRAP_NO_ERROR 16
TRAP_ERROR 17
TRAP_NO_ERROR 18
TRAP_NO_ERROR 19
TRAP_NO_ERROR 20
TRAP_ERROR 21
TRAP_NO_ERROR 22
TRAP_NO_ERROR 23
TRAP_NO_ERROR 24
TRAP_NO_ERROR 25
TRAP_NO_ERROR 26
TRAP_NO_ERROR 27
TRAP_NO_ERROR 28
TRAP_ERROR 29
TRAP_ERROR 30
TRAP_NO_ERROR 31

/* Interrupt stubs for vectors 32..255: 16 bytes apart, each pushes a 0 error code and its vector and joins the
 * exception path (KiDispatchTrap hands vectors >= 32 to KiDispatchInterrupt). */
    .p2align 4
KiInterruptStubs:
    .set KiStubVector, 32
    .rept 224
    .p2align 4
    pushq $0
    pushq $KiStubVector
    jmp KiTrapCommon
    .set KiStubVector, KiStubVector + 1
    .endr

/* Saves the general registers below the vector/error code, calls KiDispatchTrap(frame) with an aligned stack and
 * the MS ABI shadow space, and resumes the interrupted code if it returns. */
    .p2align 4
KiTrapCommon:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rcx
    movq %rsp, %rbx
    andq $-16, %rsp
    subq $32, %rsp
    call KiDispatchTrap
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq

/* The entry address of every stub (exceptions and interrupts), indexed by vector: AR_IDT_VECTORS entries. */
    .section .rdata, "dr"
    .p2align 3
    .globl KiTrapEntryTable
KiTrapEntryTable:
    .quad KiTrap0, KiTrap1, KiTrap2, KiTrap3, KiTrap4, KiTrap5, KiTrap6, KiTrap7
    .quad KiTrap8, KiTrap9, KiTrap10, KiTrap11, KiTrap12, KiTrap13, KiTrap14, KiTrap15
    .quad KiTrap16, KiTrap17, KiTrap18, KiTrap19, KiTrap20, KiTrap21, KiTrap22, KiTrap23
    .quad KiTrap24, KiTrap25, KiTrap26, KiTrap27, KiTrap28, KiTrap29, KiTrap30, KiTrap31
    .set KiStubVector, 32
    .rept 224
    .quad KiInterruptStubs + (KiStubVector - 32) * 16
    .set KiStubVector, KiStubVector + 1
    .endr

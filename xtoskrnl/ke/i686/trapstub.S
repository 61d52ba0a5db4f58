/* i686 exception entry stubs: each saves a full KTRAP_FRAME (ar/i686/ararch.h) and calls KiDispatchTrap.
 * Vectors 0..31 (2, 8 and 18 are task gates: see the task entries below); the CPU pushes an error code for 8,
 * 10-14, 17, 21, 29 and 30, the others get a 0. cdecl symbols carry a leading underscore. */

    .text

.macro TRAP_NO_ERROR vector
    .p2align 4
KiTrap\vector:
    pushl $0
    pushl $\vector
    jmp KiTrapCommon
.endm

.macro TRAP_ERROR vector
    .p2align 4
KiTrap\vector:
    pushl $\vector
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
    pushl $0
    pushl $KiStubVector
    jmp KiTrapCommon
    .set KiStubVector, KiStubVector + 1
    .endr

/* Saves PUSHAD and the data segments, loads the kernel data segment, calls KiDispatchTrap(frame) and resumes the
 * interrupted code if it returns. */
    .p2align 4
KiTrapCommon:
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl $0x10, %eax
    movw %ax, %ds
    movw %ax, %es
    cld
    movl %esp, %ebx
    pushl %esp
    call _KiDispatchTrap
    movl %ebx, %esp
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    iretl

/* Task-gate entries (double fault, NMI, machine check): each runs in its own TSS on its own panic stack.
 * A double fault pushes an error code on the new stack; the others do not. They call
 * KiDispatchTaskTrap(Vector, ErrorCode), which never returns. */
    .globl _KiDoubleFaultTaskEntry
    .p2align 4
_KiDoubleFaultTaskEntry:
    pushl $8
    call _KiDispatchTaskTrap
1:  cli
    hlt
    jmp 1b

    .globl _KiNmiTaskEntry
    .p2align 4
_KiNmiTaskEntry:
    pushl $0
    pushl $2
    call _KiDispatchTaskTrap
1:  cli
    hlt
    jmp 1b

    .globl _KiMachineCheckTaskEntry
    .p2align 4
_KiMachineCheckTaskEntry:
    pushl $0
    pushl $18
    call _KiDispatchTaskTrap
1:  cli
    hlt
    jmp 1b

/* The entry address of every stub (exceptions and interrupts), indexed by vector: AR_IDT_VECTORS entries. */
    .section .rdata, "dr"
    .p2align 2
    .globl _KiTrapEntryTable
_KiTrapEntryTable:
    .long KiTrap0, KiTrap1, KiTrap2, KiTrap3, KiTrap4, KiTrap5, KiTrap6, KiTrap7
    .long KiTrap8, KiTrap9, KiTrap10, KiTrap11, KiTrap12, KiTrap13, KiTrap14, KiTrap15
    .long KiTrap16, KiTrap17, KiTrap18, KiTrap19, KiTrap20, KiTrap21, KiTrap22, KiTrap23
    .long KiTrap24, KiTrap25, KiTrap26, KiTrap27, KiTrap28, KiTrap29, KiTrap30, KiTrap31
    .set KiStubVector, 32
    .rept 224
    .long KiInterruptStubs + (KiStubVector - 32) * 16
    .set KiStubVector, KiStubVector + 1
    .endr

/* amd64 thread context (ke/amd64/ctxswap.S): the kernel stack size, the switch frame and the KTHREAD/KPRCB offsets
 * the assembly uses (checked against the C structures in ke/thread.c). Included by C and by assembly. */
#ifndef XTOSKRNL_KE_AMD64_KISWITCH_H
#define XTOSKRNL_KE_AMD64_KISWITCH_H

/* NT's KERNEL_STACK_SIZE on x64 (0x6000): six pages, plus the guard page below. */
#define KERNEL_STACK_SIZE 0x6000

/* KiFloatSaveMethod's value for XSAVE (KiFloatSaveXsave, kithread.h); any other non-NULL save area uses FXSAVE. */
#define KI_FLOAT_SAVE_XSAVE 2

/* KTHREAD fields (kthread.h). */
#define KTHREAD_KERNEL_STACK     0x18
#define KTHREAD_FLOAT_SAVE_AREA  0x20
#define KTHREAD_STACK_BASE       0x28
#define KTHREAD_STACK_LIMIT      0x30
#define KTHREAD_CONTEXT_SWITCHES 0x38

/* KPRCB.StackBase[0] / StackTop[0] (kprcb.h): the current kernel stack's bounds, which the STOP report walks. */
#define KI_PRCB_KERNEL_STACK_BASE 0x28
#define KI_PRCB_KERNEL_STACK_TOP  0x48

/* The switch frame: what KiSwapContext pushes below its return address (MS x64 callee-saved registers), lowest
 * address first; KTHREAD.KernelStack points at R15 while the thread is switched out. XMM6-15 are callee-saved too but
 * the kernel is built with -mgeneral-regs-only: only threads that use SSE on purpose have XMM state, and their whole
 * x87/SSE/AVX state is in the save area. */
#define KI_SWITCH_R15    0x00
#define KI_SWITCH_R14    0x08
#define KI_SWITCH_R13    0x10
#define KI_SWITCH_R12    0x18
#define KI_SWITCH_RSI    0x20
#define KI_SWITCH_RDI    0x28
#define KI_SWITCH_RBX    0x30
#define KI_SWITCH_RBP    0x38
#define KI_SWITCH_RETURN 0x40
#define KI_SWITCH_FRAME  0x48

/* KiThreadStartup's call leaves KiRunThread's frame record right below the 32-byte shadow space: the return address
 * into KiThreadStartup at InitialStack - 0x28, and the frame pointer KiRunThread's prologue pushes (0: the chain ends)
 * at InitialStack - 0x30. */
#define KI_STARTUP_RETURN_OFFSET        0x28
#define KI_STARTUP_FRAME_POINTER_OFFSET 0x30

#ifndef __ASSEMBLER__
typedef struct _KSWITCH_FRAME {
    ULONG_PTR R15;
    ULONG_PTR R14;
    ULONG_PTR R13;
    ULONG_PTR R12;
    ULONG_PTR Rsi;
    ULONG_PTR Rdi;
    ULONG_PTR Rbx; /* a new thread: its KTHREAD, for KiThreadStartup */
    ULONG_PTR Rbp; /* a new thread: 0, the end of the frame-pointer chain */
    ULONG_PTR Return;
} KSWITCH_FRAME, *PKSWITCH_FRAME;

/* Builds a new thread's first switch frame right below InitialStack (16-byte aligned): KiSwapContext's pops give
 * RBX = Thread and RBP = 0, and its return enters Startup with RSP = InitialStack. Returns the KernelStack value. */
XTINLINE PVOID KiBuildSwitchFrame(PVOID InitialStack, PVOID Thread, VOID (*Startup)(VOID)) {
    PKSWITCH_FRAME Frame = (PKSWITCH_FRAME)InitialStack - 1;

    *Frame = (KSWITCH_FRAME){0};
    Frame->Rbx = (ULONG_PTR)Thread;
    Frame->Return = (ULONG_PTR)Startup;
    return Frame;
}
#endif

#endif

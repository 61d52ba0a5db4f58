/* i686 thread context (ke/i686/ctxswap.S): the kernel stack size, the switch frame and the KTHREAD/KPRCB offsets the
 * assembly uses (checked against the C structures in ke/thread.c). Included by C and by assembly. */
#ifndef XTOSKRNL_KE_I686_KISWITCH_H
#define XTOSKRNL_KE_I686_KISWITCH_H

/* NT's KERNEL_STACK_SIZE on x86 (0x3000): three pages, plus the guard page below. */
#define KERNEL_STACK_SIZE 0x3000

/* KiFloatSaveMethod's value for XSAVE (KiFloatSaveXsave, kithread.h); any other non-NULL save area uses FXSAVE. */
#define KI_FLOAT_SAVE_XSAVE 2

/* KTHREAD fields (kthread.h). */
#define KTHREAD_KERNEL_STACK     0x10
#define KTHREAD_FLOAT_SAVE_AREA  0x14
#define KTHREAD_STACK_BASE       0x18
#define KTHREAD_STACK_LIMIT      0x1C
#define KTHREAD_CONTEXT_SWITCHES 0x20

/* KPRCB.StackBase[0] / StackTop[0] (kprcb.h): the current kernel stack's bounds, which the STOP report walks. */
#define KI_PRCB_KERNEL_STACK_BASE 0x28
#define KI_PRCB_KERNEL_STACK_TOP  0x38

/* The switch frame: what KiSwapContext (cdecl) pushes below its return address (the callee-saved EBP, EBX, EDI, ESI),
 * lowest address first; KTHREAD.KernelStack points at Esi while the thread is switched out. */
#define KI_SWITCH_ESI    0x00
#define KI_SWITCH_EDI    0x04
#define KI_SWITCH_EBX    0x08
#define KI_SWITCH_EBP    0x0C
#define KI_SWITCH_RETURN 0x10
#define KI_SWITCH_FRAME  0x14

/* KiThreadStartup's call leaves KiRunThread's argument (the KTHREAD) at InitialStack - 4, the return address into
 * KiThreadStartup at InitialStack - 8, and the frame pointer KiRunThread's prologue pushes (0: the chain ends) at
 * InitialStack - 0x0C. */
#define KI_STARTUP_RETURN_OFFSET        0x08
#define KI_STARTUP_FRAME_POINTER_OFFSET 0x0C

#ifndef __ASSEMBLER__
typedef struct _KSWITCH_FRAME {
    ULONG_PTR Esi;
    ULONG_PTR Edi;
    ULONG_PTR Ebx; /* a new thread: its KTHREAD, for KiThreadStartup */
    ULONG_PTR Ebp; /* a new thread: 0, the end of the frame-pointer chain */
    ULONG_PTR Return;
} KSWITCH_FRAME, *PKSWITCH_FRAME;

/* Builds a new thread's first switch frame right below InitialStack: KiSwapContext's pops give EBX = Thread and
 * EBP = 0, and its return enters Startup with ESP = InitialStack. Returns the KernelStack value. */
XTINLINE PVOID KiBuildSwitchFrame(PVOID InitialStack, PVOID Thread, VOID (*Startup)(VOID)) {
    PKSWITCH_FRAME Frame = (PKSWITCH_FRAME)InitialStack - 1;

    *Frame = (KSWITCH_FRAME){0};
    Frame->Ebx = (ULONG_PTR)Thread;
    Frame->Return = (ULONG_PTR)Startup;
    return Frame;
}
#endif

#endif

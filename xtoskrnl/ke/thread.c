/* Threads without a scheduler (issue 11 groundwork): a thread's kernel stack and floating-point save area, its initial
 * context, the termination of a thread whose start routine returned, and the choice of how x87/SSE/AVX state is
 * saved. The switch itself is ke/<arch>/ctxswap.S. docs/kernel.md "Threads: stacks, context switch, FPU state". */
#include <kd.h>
#include <mm.h>
#include <rtl.h>

#include "kithread.h"

#define KI_FLOAT_SAVE_TAG    0x7046744B /* 'KtFp': the save areas of threads running on a stack they do not own */
#define KI_FX_CONTROL_WORD   0x037F     /* FNINIT's x87 control word: every exception masked, 64-bit precision */
#define KI_FX_MXCSR          0x1F80     /* every SIMD exception masked, round to nearest */
#define KI_FX_MXCSR_OFFSET   24         /* in the FXSAVE image (and XSAVE's legacy region) */
#define KI_XSAVE_LEGACY_SIZE 576        /* the legacy region and the XSAVE header: the smallest XSAVE area */

/* The assembly's view of KTHREAD and KPRCB (<kiswitch.h>) is the C one. */
STATIC_ASSERT(KTHREAD_DISPATCHER_HEADER_BYTES % sizeof(ULONG_PTR) == 0);
STATIC_ASSERT(offsetof(KTHREAD, KernelStack) == KTHREAD_KERNEL_STACK);
STATIC_ASSERT(offsetof(KTHREAD, FloatSaveArea) == KTHREAD_FLOAT_SAVE_AREA);
STATIC_ASSERT(offsetof(KTHREAD, StackBase) == KTHREAD_STACK_BASE);
STATIC_ASSERT(offsetof(KTHREAD, StackLimit) == KTHREAD_STACK_LIMIT);
STATIC_ASSERT(offsetof(KTHREAD, ContextSwitches) == KTHREAD_CONTEXT_SWITCHES);
STATIC_ASSERT(offsetof(KPRCB, StackBase) == KI_PRCB_KERNEL_STACK_BASE);
STATIC_ASSERT(offsetof(KPRCB, StackTop) == KI_PRCB_KERNEL_STACK_TOP);
STATIC_ASSERT(sizeof(KSWITCH_FRAME) == KI_SWITCH_FRAME && offsetof(KSWITCH_FRAME, Return) == KI_SWITCH_RETURN);
STATIC_ASSERT(KERNEL_STACK_SIZE % MM_PAGE_SIZE == 0);
STATIC_ASSERT(KI_FLOAT_SAVE_XSAVE == KiFloatSaveXsave);

UCHAR KiFloatSaveMethod = KiFloatSaveNone;
ULONGLONG KiXsaveMask;
static ULONG KiFloatSaveAreaSize;
static ULONG KiFloatSaveAreaAlignment = 16;
static PKI_THREAD_TERMINATION_HOOK KiThreadTerminationHook;

VOID KiInitializeFloatingSupport(const AR_CPU_FEATURES *Features) {
    if (Features->XsaveEnabled && Features->XsaveAreaSize >= KI_XSAVE_LEGACY_SIZE) {
        KiXsaveMask = Features->XsaveFeatures;
        KiFloatSaveAreaSize = Features->XsaveAreaSize;
        KiFloatSaveAreaAlignment = 64;
        KiFloatSaveMethod = KiFloatSaveXsave;
        KdPrint("KE: floating-point state: XSAVE of XCR0 0x%llx (x87 SSE%s), %u-byte save area per thread, saved "
                "and restored on every switch\n",
                KiXsaveMask, (KiXsaveMask & XCR0_AVX) ? " AVX" : "", KiFloatSaveAreaSize);
    } else if (Features->FxsrEnabled) {
        KiFloatSaveAreaSize = 512;
        KiFloatSaveAreaAlignment = 16;
        KiFloatSaveMethod = KiFloatSaveFxsave;
        KdPrint("KE: floating-point state: FXSAVE (x87 SSE), %u-byte save area per thread, saved and restored on "
                "every switch\n",
                KiFloatSaveAreaSize);
    } else {
        KiFloatSaveMethod = KiFloatSaveNone;
        KdPrint("KE: floating-point state: no FXSAVE on this processor: not saved on switches\n");
    }
}

KI_FLOAT_SAVE_METHOD KiGetFloatSaveMethod(VOID) {
    return (KI_FLOAT_SAVE_METHOD)KiFloatSaveMethod;
}

ULONG KiGetFloatSaveAreaSize(VOID) {
    return KiFloatSaveMethod == KiFloatSaveNone ? 0 : KiFloatSaveAreaSize;
}

ULONG KiGetFloatSaveAreaAlignment(VOID) {
    return KiFloatSaveAreaAlignment;
}

/* A clean state in Area: FNINIT's x87 control word, MXCSR 0x1F80, everything else zero (for XSAVE: XSTATE_BV = 0, so
 * XRSTOR puts every component in its initial state and loads MXCSR). */
static VOID KiInitializeFloatSaveArea(PVOID Area) {
    PUCHAR Bytes = Area;
    USHORT ControlWord = KI_FX_CONTROL_WORD;
    ULONG Mxcsr = KI_FX_MXCSR;

    RtlZeroMemory(Area, KiFloatSaveAreaSize);
    RtlCopyMemory(Bytes, &ControlWord, sizeof(ControlWord));
    RtlCopyMemory(Bytes + KI_FX_MXCSR_OFFSET, &Mxcsr, sizeof(Mxcsr));
}

/* The bytes a save area takes at the top of a stack: its size rounded up to its alignment (0 without one). */
static ULONG_PTR KiGetStackSaveAreaBytes(VOID) {
    ULONG_PTR Align = KiFloatSaveAreaAlignment;

    return KiFloatSaveMethod == KiFloatSaveNone ? 0 : ((ULONG_PTR)KiFloatSaveAreaSize + Align - 1) & ~(Align - 1);
}

VOID KiInitializeThreadContext(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine, PVOID StartContext) {
    Thread->StartRoutine = StartRoutine;
    Thread->StartContext = StartContext;
    if (Thread->FloatSaveArea != NULL) {
        KiInitializeFloatSaveArea(Thread->FloatSaveArea);
    }
    Thread->KernelStack = KiBuildSwitchFrame(Thread->InitialStack, Thread, KiThreadStartup);
    Thread->ThreadFlags |= KTHREAD_FLAG_INITIAL_CONTEXT;
}

XTSTATUS KeInitializeThread(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine, PVOID StartContext, ULONG Flags) {
    PUCHAR StackBase = MmCreateKernelStack(KERNEL_STACK_SIZE);

    if (StackBase == NULL) {
        return STATUS_NO_MEMORY;
    }
    RtlZeroMemory(Thread, sizeof(*Thread));
    Thread->StackBase = StackBase;
    Thread->StackLimit = StackBase - KERNEL_STACK_SIZE;
    Thread->InitialStack = StackBase;
    if (!(Flags & KE_THREAD_NO_FLOATING_STATE) && KiFloatSaveMethod != KiFloatSaveNone) {
        Thread->FloatSaveArea = StackBase - KiGetStackSaveAreaBytes(); /* NT: the NPX area tops the kernel stack */
        Thread->InitialStack = Thread->FloatSaveArea;
    }
    Thread->ThreadFlags = KTHREAD_FLAG_OWNS_STACK;
    Thread->State = Initialized;
    Thread->Priority = Thread->BasePriority = KE_DEFAULT_PRIORITY;
    KiInitializeThreadContext(Thread, StartRoutine, StartContext);
    return STATUS_SUCCESS;
}

XTSTATUS KiInitializeCurrentThread(PKTHREAD Thread, ULONG Flags) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    ULONG_PTR Align = KiFloatSaveAreaAlignment;
    PVOID Block;

    RtlZeroMemory(Thread, sizeof(*Thread));
    Thread->StackBase = (PVOID)Prcb->StackTop[0];
    Thread->StackLimit = (PVOID)Prcb->StackBase[0];
    Thread->InitialStack = Thread->StackBase;
    if (!(Flags & KE_THREAD_NO_FLOATING_STATE) && KiFloatSaveMethod != KiFloatSaveNone) {
        Block = MmAllocatePool(NonPagedPool, KiFloatSaveAreaSize + Align - 1, KI_FLOAT_SAVE_TAG);
        if (Block == NULL) {
            return STATUS_NO_MEMORY;
        }
        Thread->FloatSaveBlock = Block;
        Thread->FloatSaveArea = (PVOID)(((ULONG_PTR)Block + Align - 1) & ~(Align - 1));
        KiInitializeFloatSaveArea(Thread->FloatSaveArea); /* overwritten by the first switch away */
        Thread->ThreadFlags |= KTHREAD_FLAG_POOL_SAVE_AREA;
    }
    Thread->State = Running;
    Thread->Priority = Thread->BasePriority = KE_DEFAULT_PRIORITY;
    return STATUS_SUCCESS;
}

VOID KeUninitializeThread(PKTHREAD Thread) {
    if (Thread->ThreadFlags & KTHREAD_FLAG_OWNS_STACK) {
        MmDeleteKernelStack(Thread->StackBase, KERNEL_STACK_SIZE);
    }
    if (Thread->ThreadFlags & KTHREAD_FLAG_POOL_SAVE_AREA) {
        MmFreePool(Thread->FloatSaveBlock, KI_FLOAT_SAVE_TAG);
    }
    Thread->StackBase = Thread->StackLimit = Thread->InitialStack = Thread->KernelStack = NULL;
    Thread->FloatSaveArea = Thread->FloatSaveBlock = NULL;
    Thread->ThreadFlags &= ~(KTHREAD_FLAG_OWNS_STACK | KTHREAD_FLAG_POOL_SAVE_AREA | KTHREAD_FLAG_INITIAL_CONTEXT);
}

PKI_THREAD_TERMINATION_HOOK KiSetThreadTerminationHook(PKI_THREAD_TERMINATION_HOOK Hook) {
    return __atomic_exchange_n(&KiThreadTerminationHook, Hook, __ATOMIC_ACQ_REL);
}

XTNORETURN VOID KiRunThread(PKTHREAD Thread) {
    PKI_THREAD_TERMINATION_HOOK Hook;

    Thread->ThreadFlags &= ~KTHREAD_FLAG_INITIAL_CONTEXT; /* started: its stack no longer holds the initial frame */
    if (Thread->ThreadFlags & KTHREAD_FLAG_DISPATCHED) {
        KiStartDispatchedThread(Thread); /* the dispatcher's switch: lock held at DISPATCH_LEVEL -> PASSIVE_LEVEL */
    }
    Thread->StartRoutine(Thread->StartContext);
    if (Thread->ThreadFlags & KTHREAD_FLAG_DISPATCHED) {
        KeTerminateThread(STATUS_SUCCESS);
    }
    Thread->State = Terminated;
    Hook = __atomic_load_n(&KiThreadTerminationHook, __ATOMIC_ACQUIRE);
    if (Hook != NULL) {
        Hook(Thread); /* switches away for good */
    }
    KdPrint("KE: thread 0x%p (start routine 0x%p, context 0x%p) returned and %s\n", (PVOID)Thread,
            (PVOID)Thread->StartRoutine, Thread->StartContext,
            Hook ? "its termination hook returned" : "no termination hook is installed");
    KeBugCheckEx(SYSTEM_THREAD_RETURNED, (ULONG_PTR)Thread, (ULONG_PTR)Thread->StartRoutine,
                 (ULONG_PTR)Thread->StartContext, Hook != NULL);
}

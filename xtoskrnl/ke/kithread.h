/* Ke internals of threads (ke/thread.c, ke/<arch>/ctxswap.S): the context switch, a thread's initial context, the
 * floating-point save policy and the start/termination path. For Ke itself and its tests (ke/tests); issue 11's
 * dispatcher is the switch's only caller outside tests and benchmarks. docs/kernel.md "Threads". */
#ifndef XTOSKRNL_KE_KITHREAD_H
#define XTOSKRNL_KE_KITHREAD_H

#include <ar.h>
#include <ke.h>
#include <kthread.h>
#include <xtbase.h>

/* KERNEL_STACK_SIZE, the switch frame and the offsets KiSwapContext uses, per arch (selected by BUILD). */
#include <kiswitch.h>

/* How KiSwapContext saves a thread's x87/SSE/AVX state: chosen once at start-up from the boot processor's CPUID. */
typedef enum _KI_FLOAT_SAVE_METHOD {
    KiFloatSaveNone = 0, /* no FXSAVE: nothing saved, threads get no save area */
    KiFloatSaveFxsave,   /* FXSAVE/FXRSTOR: 512 bytes, 16-byte aligned (x87, MMX, XMM, MXCSR) */
    KiFloatSaveXsave     /* XSAVE/XRSTOR of the XCR0 components: CPUID.(0Dh,0).EBX bytes, 64-byte aligned */
} KI_FLOAT_SAVE_METHOD;

/* Read by ctxswap.S on every switch: the method (a KI_FLOAT_SAVE_METHOD) and XSAVE's requested-feature mask (XCR0). */
extern UCHAR KiFloatSaveMethod;
extern ULONGLONG KiXsaveMask;

/* Chooses the save method and size from what ArEnableCpuFeatures turned on (Features, the boot processor's) and
 * prints it ("KE: floating-point state: ..."). Once, before the first thread is made; every processor runs the same
 * ArEnableCpuFeatures, so one choice fits all. */
VOID KiInitializeFloatingSupport(const AR_CPU_FEATURES *Features);

/* The method and the size of one save area in bytes (0 with KiFloatSaveNone), and its alignment. */
KI_FLOAT_SAVE_METHOD KiGetFloatSaveMethod(VOID);
ULONG KiGetFloatSaveAreaSize(VOID);
ULONG KiGetFloatSaveAreaAlignment(VOID);

/* Saves the calling processor's Old context (callee-saved registers, and its x87/SSE/AVX state into
 * Old->FloatSaveArea when it has one) and resumes New where it was switched out (or at its start). Also moves the
 * processor's current kernel stack bounds (KPRCB StackBase[0]/StackTop[0]) to New's and counts New's switch. Returns
 * when another switch comes back to Old. No state or queue bookkeeping: that is the dispatcher's (issue 11). Any
 * RunLevel, interrupts on or off (they stay as they are); Old must be the running thread and New not running. */
VOID KiSwapContext(PKTHREAD Old, PKTHREAD New);

/* Builds Thread's initial frame on its stack (Thread->InitialStack): the first KiSwapContext to it enters
 * KiThreadStartup, which calls StartRoutine(StartContext) with the frame-pointer chain ended there; if the routine
 * returns, KiRunThread terminates the thread. Also gives Thread a clean x87/SSE/AVX state when it has a save area. */
VOID KiInitializeThreadContext(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine, PVOID StartContext);

/* The first code of every new thread (ctxswap.S): RBX/EBX holds the thread; calls KiRunThread. Never called. */
VOID KiThreadStartup(VOID);

/* Runs Thread's start routine, then terminates the thread: State Terminated, then the termination hook (which must
 * not return: it switches away for good). Without a hook (or when it returns): STOP SYSTEM_THREAD_RETURNED naming the
 * thread. Issue 11's PsTerminateSystemThread replaces the hook. */
XTNORETURN VOID KiRunThread(PKTHREAD Thread);

/* A KTHREAD_FLAG_DISPATCHED thread's first code (ke/dispatch.c, from KiRunThread): the switch that started it holds
 * the dispatcher lock at DISPATCH_LEVEL with interrupts off; frees the lock, enables interrupts and lowers to
 * PASSIVE_LEVEL. */
VOID KiStartDispatchedThread(PKTHREAD Thread);

/* What KiRunThread calls when a start routine returned: must never return. */
typedef VOID (*PKI_THREAD_TERMINATION_HOOK)(PKTHREAD Thread);

/* Installs Hook (NULL: none) and returns the previous one. Tests and benchmarks install theirs around their threads. */
PKI_THREAD_TERMINATION_HOOK KiSetThreadTerminationHook(PKI_THREAD_TERMINATION_HOOK Hook);

/* Describes the code running now as Thread (NT: the boot and idle threads): its stack is the processor's current
 * kernel stack (KPRCB StackBase[0]/StackTop[0]), its save area a non-paged pool block (unless
 * KE_THREAD_NO_FLOATING_STATE). State Running. STATUS_NO_MEMORY when the pool has no room. */
XTSTATUS KiInitializeCurrentThread(PKTHREAD Thread, ULONG Flags);

/* BENCH: prints the KE-BENCH line of context-switch round trips with and without floating-point state
 * (ke/threadbench.c). Interrupts off. */
VOID KiRunThreadBenchmarks(VOID);

#endif

/* The kernel thread object (NT's KTHREAD): its kernel stack, the saved context, its state and priorities, and its
 * floating-point/SSE save area. Issue 11 groundwork: no scheduler yet. What exists is a thread's creation (a guarded
 * kernel stack and an initial frame), the context switch (ke/<arch>/ctxswap.S, Ke-internal: kithread.h) and the
 * return path of a start routine. Part of //xtoskrnl/ke's public headers but not included by ke.h: Ps and the
 * dispatcher include it (ke.h will once KeGetCurrentThread exists). docs/kernel.md "Threads". */
#ifndef XTOSKRNL_KE_KTHREAD_H
#define XTOSKRNL_KE_KTHREAD_H

#include <ke.h>
#include <xtbase.h>
#include <xtstatus.h>

/* NT's signed byte (KTHREAD's priorities) and priority type. */
typedef signed char SCHAR, *PSCHAR;
typedef LONG KPRIORITY;

/* NT's thread states, with NT's values (issue 11's dispatcher moves threads between them; today only Initialized,
 * Running and Terminated are used). NT also has Transition (6) and DeferredReady (7). */
typedef enum _KTHREAD_STATE {
    Initialized = 0, /* created, never run */
    Ready = 1,       /* in a ready queue */
    Running = 2,     /* on a processor */
    Standby = 3,     /* chosen to run next on a processor */
    Terminated = 4,  /* its start routine returned (or it terminated itself): it never runs again */
    Waiting = 5      /* waiting on dispatcher objects */
} KTHREAD_STATE;

/* NT's priorities: 0 idle, 1-15 dynamic, 16-31 real-time. */
#define LOW_PRIORITY          0
#define LOW_REALTIME_PRIORITY 16
#define HIGH_PRIORITY         31
#define MAXIMUM_PRIORITY      32
#define KE_DEFAULT_PRIORITY   8 /* NT's NORMAL base priority of a system process's threads */

/* A thread's start routine: runs with StartContext; when it returns, the thread terminates (KiRunThread). */
typedef VOID (*PKSTART_ROUTINE)(PVOID StartContext);

/* KeInitializeThread Flags. */
#define KE_THREAD_NO_FLOATING_STATE 0x1 /* the thread never touches x87/SSE/AVX: no save area, nothing saved */

/* KTHREAD.ThreadFlags (Ke-internal). */
#define KTHREAD_FLAG_OWNS_STACK      0x1 /* KeInitializeThread created the stack: KeUninitializeThread deletes it */
#define KTHREAD_FLAG_POOL_SAVE_AREA  0x2 /* the save area is a pool block (FloatSaveBlock), not the stack's top */
#define KTHREAD_FLAG_INITIAL_CONTEXT 0x4 /* the stack holds the initial frame: the first switch to it starts it */

/* The room NT's DISPATCHER_HEADER takes (Type, Abandoned/Size/Inserted, SignalState, WaitListHead): issue 11 puts
 * the header here, first, so a thread can be waited on like any dispatcher object without moving the fields below. */
#define KTHREAD_DISPATCHER_HEADER_BYTES (8 + 2 * sizeof(PVOID))

typedef struct _KTHREAD KTHREAD, *PKTHREAD;

struct _KTHREAD {
    /* Reserved for the DISPATCHER_HEADER (issue 11); zero until then. */
    ULONG_PTR DispatcherHeaderReserved[KTHREAD_DISPATCHER_HEADER_BYTES / sizeof(ULONG_PTR)];
    /* ---- What KiSwapContext reads and writes (fixed offsets: KTHREAD_* in <kiswitch.h>, asserted) ---- */
    PVOID KernelStack;     /* the saved stack pointer while the thread is switched out */
    PVOID FloatSaveArea;   /* its x87/SSE/AVX state image (FXSAVE or XSAVE format, aligned); NULL: none kept */
    PVOID StackBase;       /* the address just above its kernel stack */
    PVOID StackLimit;      /* the lowest byte of its kernel stack (the guard page is right below) */
    ULONG ContextSwitches; /* times a switch made it run */
    ULONG Reserved0;
    /* ---- Creation ---- */
    PVOID InitialStack; /* where its first frame was built: below the save area at the stack's top */
    PKSTART_ROUTINE StartRoutine;
    PVOID StartContext;
    PVOID FloatSaveBlock; /* KTHREAD_FLAG_POOL_SAVE_AREA: the pool block holding FloatSaveArea */
    /* ---- Scheduling state (issue 11's dispatcher owns these) ---- */
    UCHAR State;        /* KTHREAD_STATE */
    SCHAR Priority;     /* current priority (0..31) */
    SCHAR BasePriority; /* the priority dynamic boosts decay back to */
    UCHAR ThreadFlags;  /* KTHREAD_FLAG_* */
    /* Issue 11 adds after this point: wait blocks and status, ready-queue links, affinity, quantum, the owning
     * process, APC state. The fields above keep their offsets. */
};

/* Fills Thread: a kernel stack of KERNEL_STACK_SIZE bytes (<kiswitch.h>) from system PTEs with a guard page below,
 * the floating-point save area at its top (unless KE_THREAD_NO_FLOATING_STATE; a clean x87/SSE state), and the
 * initial frame: the first switch to the thread runs StartRoutine(StartContext) at the switch's RunLevel. State
 * Initialized, priority and base priority KE_DEFAULT_PRIORITY. STATUS_NO_MEMORY when the stack cannot be made. */
XTSTATUS KeInitializeThread(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine, PVOID StartContext, ULONG Flags);

/* Frees what KeInitializeThread (or KiInitializeCurrentThread) allocated for Thread. The thread must not run and not
 * be switched to again: Initialized or Terminated, and not the caller itself (its stack is freed). */
VOID KeUninitializeThread(PKTHREAD Thread);

#endif

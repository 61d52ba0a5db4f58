/* One modelled processor per host thread (processor_model.h): thread-local RunLevel register and owner tag, a
 * yielding KeYieldProcessor, and a per-thread catcher for KeBugCheckEx. */
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "processor_model.h"

static _Thread_local KRUNLEVEL KiModelRunLevel;
static _Thread_local ULONG_PTR KiModelOwner;
static _Thread_local jmp_buf *KiModelCatcher;
static _Thread_local PKI_MODEL_STOP KiModelStop;
static ULONG_PTR KiModelProcessors;

KRUNLEVEL KiReadRunLevel(VOID) {
    return KiModelRunLevel;
}

VOID KiWriteRunLevel(KRUNLEVEL Level) {
    KiModelRunLevel = Level;
}

VOID KiModelSetRunLevel(KRUNLEVEL Level) {
    KiModelRunLevel = Level;
}

ULONG_PTR KiGetCurrentLockOwner(VOID) {
    if (KiModelOwner == 0) {
        KiModelOwner = __atomic_add_fetch(&KiModelProcessors, 1, __ATOMIC_RELAXED);
    }
    return KiModelOwner;
}

ULONG KeGetCurrentProcessorNumber(VOID) {
    return (ULONG)(KiGetCurrentLockOwner() - 1);
}

/* Spins with PAUSE, giving the time slice away every KI_MODEL_SPINS_PER_YIELD calls: a waiter behind a preempted
 * thread lets it run instead of spinning out its own slice. */
#define KI_MODEL_SPINS_PER_YIELD 64

VOID KeYieldProcessor(VOID) {
    static _Thread_local ULONG Spins;

    __asm__ volatile("pause" : : : "memory");
    if (++Spins % KI_MODEL_SPINS_PER_YIELD == 0) {
        sched_yield();
    }
}

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    if (KiModelCatcher == NULL) {
        fprintf(stderr, "*** STOP 0x%08X (0x%lx, 0x%lx, 0x%lx, 0x%lx) outside a catcher\n", Code,
                (unsigned long)Parameter1, (unsigned long)Parameter2, (unsigned long)Parameter3,
                (unsigned long)Parameter4);
        abort();
    }
    KiModelStop->Code = Code;
    KiModelStop->Parameters[0] = Parameter1;
    KiModelStop->Parameters[1] = Parameter2;
    KiModelStop->Parameters[2] = Parameter3;
    KiModelStop->Parameters[3] = Parameter4;
    longjmp(*KiModelCatcher, 1);
}

BOOLEAN KiModelCatchStop(VOID (*Routine)(PVOID Context), PVOID Context, PKI_MODEL_STOP Stop) {
    jmp_buf Here;

    Stop->Code = 0;
    KiModelStop = Stop;
    if (setjmp(Here) != 0) {
        KiModelCatcher = NULL;
        return TRUE;
    }
    KiModelCatcher = &Here;
    Routine(Context);
    KiModelCatcher = NULL;
    return FALSE;
}

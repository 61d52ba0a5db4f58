/* A modelled processor per host thread, for threaded host tests of Ke's locks: each thread has its own RunLevel
 * register and lock-owner tag (its "processor number" + 1), and can catch a STOP (KeBugCheckEx) it causes. */
#ifndef XTOSKRNL_KE_TESTS_PROCESSOR_MODEL_H
#define XTOSKRNL_KE_TESTS_PROCESSOR_MODEL_H

#include <ke.h>

typedef struct _KI_MODEL_STOP {
    ULONG Code;
    ULONG_PTR Parameters[4];
} KI_MODEL_STOP, *PKI_MODEL_STOP;

/* Runs Routine(Context) on this thread; TRUE when it stopped (*Stop filled, the thread's RunLevel left as it was at
 * the STOP). A STOP outside a catcher prints it and aborts the test. */
BOOLEAN KiModelCatchStop(VOID (*Routine)(PVOID Context), PVOID Context, PKI_MODEL_STOP Stop);

/* Sets this thread's RunLevel register directly (test set-up). */
VOID KiModelSetRunLevel(KRUNLEVEL Level);

#endif

/* Host KeBugCheckEx (and RtlFailFast): longjmps back into PoolTestCatchBugCheck, or prints the STOP and aborts when
 * nothing catches it. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <rtl.h>

#include "pool_test_env.h"

XTNORETURN VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);

static jmp_buf *PoolTestCatcher;
static POOL_TEST_STOP PoolTestLastStop;

XTNORETURN VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    if (PoolTestCatcher == NULL) {
        fprintf(stderr, "*** STOP 0x%08X (0x%zx, 0x%zx, 0x%zx, 0x%zx) outside a test catcher\n", BugCheckCode,
                (size_t)Parameter1, (size_t)Parameter2, (size_t)Parameter3, (size_t)Parameter4);
        abort();
    }
    PoolTestLastStop.Code = BugCheckCode;
    PoolTestLastStop.Parameters[0] = Parameter1;
    PoolTestLastStop.Parameters[1] = Parameter2;
    PoolTestLastStop.Parameters[2] = Parameter3;
    PoolTestLastStop.Parameters[3] = Parameter4;
    longjmp(*PoolTestCatcher, 1);
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    KeBugCheckEx(0x139, Code, Parameter1, Parameter2, 0);
}

BOOLEAN PoolTestCatchBugCheck(PPOOL_TEST_ROUTINE Routine, PVOID Context, PPOOL_TEST_STOP Stop) {
    jmp_buf Catcher;
    jmp_buf *volatile Previous = PoolTestCatcher;

    if (setjmp(Catcher) != 0) {
        PoolTestCatcher = Previous;
        *Stop = PoolTestLastStop;
        return TRUE;
    }
    PoolTestCatcher = &Catcher;
    Routine(Context);
    PoolTestCatcher = Previous;
    return FALSE;
}

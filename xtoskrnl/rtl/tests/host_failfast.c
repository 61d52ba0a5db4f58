/* Host-only RtlFailFast: longjmps back into RtlTestCatchFailFast, or aborts when nothing catches it. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "host_failfast.h"

static jmp_buf *RtlpTestCatcher;
static ULONG RtlpTestCode;
static ULONG_PTR RtlpTestParameter1;

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    if (RtlpTestCatcher == NULL) {
        fprintf(stderr, "RtlFailFast(%u, %#lx, %#lx) outside a test catcher\n", Code, (unsigned long)Parameter1,
                (unsigned long)Parameter2);
        abort();
    }
    RtlpTestCode = Code;
    RtlpTestParameter1 = Parameter1;
    longjmp(*RtlpTestCatcher, 1);
}

BOOLEAN RtlTestCatchFailFast(PRTL_TEST_ROUTINE Routine, PVOID Context, PULONG Code, PULONG_PTR Parameter1) {
    jmp_buf Catcher;
    jmp_buf *volatile Previous = RtlpTestCatcher;

    if (setjmp(Catcher) != 0) {
        RtlpTestCatcher = Previous;
        *Code = RtlpTestCode;
        *Parameter1 = RtlpTestParameter1;
        return TRUE;
    }
    RtlpTestCatcher = &Catcher;
    Routine(Context);
    RtlpTestCatcher = Previous;
    return FALSE;
}

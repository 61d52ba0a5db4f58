/* Host-only: an RtlFailFast that tests can catch (setjmp/longjmp). */
#ifndef XT_RTL_TESTS_HOST_FAILFAST_H
#define XT_RTL_TESTS_HOST_FAILFAST_H

#include <rtl.h>

typedef VOID (*PRTL_TEST_ROUTINE)(PVOID Context);

/* Runs Routine(Context); returns TRUE and stores the code and parameters when it called RtlFailFast. */
BOOLEAN RtlTestCatchFailFast(PRTL_TEST_ROUTINE Routine, PVOID Context, PULONG Code, PULONG_PTR Parameter1);

#endif

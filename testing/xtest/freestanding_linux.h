/* XTEST freestanding Linux runtime: output and exit through raw system calls, for suites built without a C
 * library as static i686 and x86_64 binaries (the RTL's and the pool's freestanding tests). */
#ifndef XT_TESTING_XTEST_FREESTANDING_LINUX_H
#define XT_TESTING_XTEST_FREESTANDING_LINUX_H

#include "xtest.h"

/* Ends the process with Status. */
XTNORETURN VOID FsExit(LONG Status);

#endif

/* XTEST output for host test binaries. */
#include <stdio.h>

#include "xtest.h"

VOID XtestPrint(PCSTR Format, ...) {
    va_list Arguments;
    va_start(Arguments, Format);
    vprintf(Format, Arguments);
    va_end(Arguments);
    fflush(stdout);
}

/* Host test binaries: RtlFailFast ends the test with a message (the kernel's version stops the system). */
#include <stdio.h>
#include <stdlib.h>

#include <rtl.h>

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    fprintf(stderr, "RtlFailFast(%u, 0x%zx, 0x%zx)\n", Code, (size_t)Parameter1, (size_t)Parameter2);
    abort();
}

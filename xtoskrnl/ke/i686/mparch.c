/* i686 processor start-up: the trampoline has no 64-bit part. */
#include "kimp.h"

ULONG KiArchTrampolineLongOffset(VOID) {
    return 0;
}

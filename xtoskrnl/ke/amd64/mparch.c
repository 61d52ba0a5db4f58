/* amd64 processor start-up: where the trampoline's 64-bit part begins. */
#include "kimp.h"

extern const UCHAR KiTrampolineStart[], KiTrampolineLong[];

ULONG KiArchTrampolineLongOffset(VOID) {
    return (ULONG)(KiTrampolineLong - KiTrampolineStart);
}

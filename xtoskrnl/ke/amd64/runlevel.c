/* amd64 vector -> RunLevel map: CR8 is the task priority class, so a vector's upper nibble is the level masking it. */
#include "ki.h"

VOID KiBindRunLevelRegister(VOID) {
    KiWriteRunLevel(KiReadRunLevel());
}

KRUNLEVEL KeGetVectorRunLevel(ULONG Vector) {
    return (KRUNLEVEL)((Vector >> 4) & 0xF);
}

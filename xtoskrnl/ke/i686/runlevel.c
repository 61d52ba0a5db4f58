/* i686 RunLevel register state (kerunlevel.h) and the vector -> RunLevel map of the TPR table. */
#include <hl.h>

#include "ki.h"

const UCHAR KiRunLevelToTaskPriority[HIGH_LEVEL + 1] = {
    0x00, 0x3D, 0x41, 0x41, 0x41, 0x41, 0x51, 0x61, 0x71, 0x81, 0x91, 0xA1, 0xB1, 0xC1, 0xC1, 0xC1,
    0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xD1, 0xE1, 0xEF, 0xFF,
};

volatile ULONG *KiTaskPriorityRegister;

VOID KiSetTaskPriority(ULONG TaskPriority) {
    HlSetTaskPriority(TaskPriority);
}

VOID KiBindRunLevelRegister(VOID) {
    KiTaskPriorityRegister = HlGetTaskPriorityRegister();
    KiWriteRunLevel(KiReadRunLevel());
}

/* The lowest RunLevel whose task priority class (KiRunLevelToTaskPriority >> 4) covers each vector class. */
static const KRUNLEVEL KiVectorClassToRunLevel[16] = {
    HIGH_LEVEL, APC_LEVEL, APC_LEVEL, APC_LEVEL, DISPATCH_LEVEL, 6,         7,          8, 9,
    10,         11,        12,        13,        CLOCK_LEVEL,    IPI_LEVEL, HIGH_LEVEL,
};

KRUNLEVEL KeGetVectorRunLevel(ULONG Vector) {
    return KiVectorClassToRunLevel[(Vector >> 4) & 0xF];
}

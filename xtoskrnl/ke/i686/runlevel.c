/* i686 RunLevel register: a software level, mirrored into the local APIC's task-priority register through
 * ExectOS's table (HlSetTaskPriority does nothing before the APIC is up: then only the software level exists). */
#include <hl.h>
#include <runlevel.h>

/* Task priority for each RunLevel: APC 0x3D, DISPATCH 0x41, DEVICE1..7 0x51..0xB1, CLOCK 0xD1, IPI 0xE1. */
static const UCHAR KiRunLevelToTaskPriority[HIGH_LEVEL + 1] = {
    0x00, 0x3D, 0x41, 0x41, 0x41, 0x41, 0x51, 0x61, 0x71, 0x81, 0x91, 0xA1, 0xB1, 0xC1, 0xC1, 0xC1,
    0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xD1, 0xE1, 0xEF, 0xFF,
};

static volatile KRUNLEVEL KiCurrentRunLevel;

KRUNLEVEL KiReadRunLevel(VOID) {
    return KiCurrentRunLevel;
}

VOID KiWriteRunLevel(KRUNLEVEL Level) {
    KiCurrentRunLevel = Level;
    HlSetTaskPriority(KiRunLevelToTaskPriority[Level]);
}

/* The lowest RunLevel whose task priority class (KiRunLevelToTaskPriority >> 4) covers each vector class. */
static const KRUNLEVEL KiVectorClassToRunLevel[16] = {
    HIGH_LEVEL, HIGH_LEVEL, APC_LEVEL, APC_LEVEL, DISPATCH_LEVEL, 6,         7,          8, 9,
    10,         11,         12,        13,        CLOCK_LEVEL,    IPI_LEVEL, HIGH_LEVEL,
};

KRUNLEVEL KeGetVectorRunLevel(ULONG Vector) {
    return KiVectorClassToRunLevel[(Vector >> 4) & 0xF];
}

/* A modelled RunLevel register for host builds of code that raises and lowers (XTOS_HOST_RUNLEVEL_MODEL): a plain
 * variable, so the rules of ke.h run unchanged and their STOPs reach the host's KeBugCheckEx. */
#include <ke.h>

static KRUNLEVEL KiModelRunLevel;

KRUNLEVEL KiReadRunLevel(VOID) {
    return KiModelRunLevel;
}

VOID KiWriteRunLevel(KRUNLEVEL Level) {
    KiModelRunLevel = Level;
}

/* One modelled processor: number 0; waiting only yields the pause hint. */
ULONG KeGetCurrentProcessorNumber(VOID) {
    return 0;
}

VOID KeYieldProcessor(VOID) {
    __asm__ volatile("pause" : : : "memory");
}

/* Start-up check of the instruction the interlocked lists (RTL SLIST) need: amd64 CMPXCHG16B, i686 CMPXCHG8B. Without
 * it XTOS stops rather than fall back to a locked list (docs/kernel.md "Locks": every x86-64 CPU since 2006 and every
 * QEMU model but the first Opterons has it; Windows 8.1 x64 makes the same demand). */
#include <kd.h>

#include "ki.h"

VOID KiCheckInterlockedSupport(VOID) {
    ULONG Leaf, Register, Bit;

    if (RtlIsInterlockedSListSupported(&Leaf, &Register, &Bit)) {
        return;
    }
    KdPrint("KE: the processor lacks %s (CPUID.%u:%s[%u]), which the interlocked lists need\n",
            Bit == 13 ? "CMPXCHG16B" : "CMPXCHG8B", Leaf, Register == 2 ? "ECX" : "EDX", Bit);
    KeBugCheckEx(UNSUPPORTED_PROCESSOR, Leaf, Register, Bit, 0);
}

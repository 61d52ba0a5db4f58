/* TESTFAULT=...: faults provoked on purpose to test the STOP path. */

#include <kd.h>
#include <mm.h>

#include "ki.h"

static volatile ULONG KiRecursionLimit = 0xFFFFFFFFu;

/* Recurses with a 1 KiB frame (smaller than the guard page, so the overflow lands in it) until the stack ends. */
__attribute__((noinline)) static ULONG KiRecurse(ULONG Depth) {
    volatile UCHAR Frame[1024];

    Frame[Depth % sizeof(Frame)] = (UCHAR)Depth;
    if (Depth < KiRecursionLimit) {
        return KiRecurse(Depth + 1) + Frame[0];
    }
    return Frame[1];
}

VOID KiRaiseTestFault(ULONG TestFault) {
    ULONG_PTR Unmapped = MmGetUnmappedAddress();

    KdPrint("KE: TESTFAULT=%s\n", KeTestFaultName(TestFault));
    switch (TestFault) {
        case KeTestFaultPage:
            KdPrint("KE: reading unmapped 0x%p (mapped: %u)\n", (PVOID)Unmapped, MmIsAddressValid(Unmapped));
            (VOID) * (volatile ULONG_PTR *)Unmapped;
            break;
        case KeTestFaultGp:
            ArRaiseGeneralProtection();
        case KeTestFaultStack:
            KiRecurse(0);
            break;
        case KeTestFaultDouble:
            KdPrint("KE: stack pointer -> unmapped 0x%p\n", (PVOID)(Unmapped + MM_PAGE_SIZE / 2));
            ArTouchStackAt(Unmapped + MM_PAGE_SIZE / 2);
        case KeTestFaultPoolOverrun:
            MmTestPoolCorruption(MmPoolTestOverrun);
            break;
        case KeTestFaultPoolDoubleFree:
            MmTestPoolCorruption(MmPoolTestDoubleFree);
            break;
        case KeTestFaultPoolTag:
            MmTestPoolCorruption(MmPoolTestTagMismatch);
            break;
        case KeTestFaultSpecialPool:
            MmTestPoolCorruption(MmPoolTestSpecialOverrun);
            break;
        case KeTestFaultBadPfn:
            MmTestBadFrameFree();
            break;
        default:
            break;
    }
    KdPrint("KE: TESTFAULT=%s did not fault\n", KeTestFaultName(TestFault));
}

/* TESTFAULT=PAGE|GP|STACK|DOUBLE|...|UBSAN: faults provoked on purpose to test the STOP path. */
#include <mmhl.h>

#include "kd/kd.h"
#include "ke/ke.h"
#include "mm.h"

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

/* Adds 1 to the largest LONGLONG read through a volatile (the compiler cannot fold it): a signed overflow, which
 * the sanitized kernel reports and STOPs on. Never called in a kernel without UBSan (the overflow is real UB). */
__attribute__((noinline)) static LONGLONG KiOverflowSigned(VOID) {
    static volatile LONGLONG Largest = 0x7FFFFFFFFFFFFFFFll;

    /* The fault_ubsan boot tests expect the report at this file and line (_UBSAN_LINE in kernel_tests.bzl). */
    STATIC_ASSERT(__LINE__ + 1 == 28);
    return Largest + 1;
}

ULONG KiRaiseTestFault(ULONG TestFault) {
    ULONG_PTR Unmapped = MmhGetUnmappedAddress();

    KdPrint("KE: TESTFAULT=%s\n", KeTestFaultName(TestFault));
    switch (TestFault) {
        case KeTestFaultPage:
            KdPrint("KE: reading unmapped 0x%p (mapped: %u)\n", (PVOID)Unmapped, MmhIsAddressValid(Unmapped));
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
        case KeTestFaultUbsan:
            if (!KeIsUbsanBuiltIn()) {
                KdPrint("KE: UBSan is not built into this kernel: TESTFAULT=UBSAN cannot fault (feature xt_ubsan)\n");
                break;
            }
            KdPrint("KE: LONGLONG overflow: %lld\n", KiOverflowSigned());
            break;
        default:
            break;
    }
    KdPrint("KE: TESTFAULT=%s did not fault\n", KeTestFaultName(TestFault));
    return 1;
}

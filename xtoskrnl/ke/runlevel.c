/* RunLevel raise and lower with NT's rules: a raise never lowers, a lower never raises (STOP otherwise). */
#include "runlevel.h"

KRUNLEVEL KeGetCurrentRunLevel(VOID) {
    return KiReadRunLevel();
}

__attribute__((noinline)) KRUNLEVEL KeRaiseRunLevel(KRUNLEVEL NewRunLevel) {
    KRUNLEVEL Current = KiReadRunLevel();

    if (NewRunLevel < Current) {
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, Current, NewRunLevel, 0,
                     (ULONG_PTR)__builtin_extract_return_addr(__builtin_return_address(0)));
    }
    if (NewRunLevel > HIGH_LEVEL) {
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, Current, NewRunLevel, 0,
                     (ULONG_PTR)__builtin_extract_return_addr(__builtin_return_address(0)));
    }
    KiWriteRunLevel(NewRunLevel);
    return Current;
}

__attribute__((noinline)) VOID KeLowerRunLevel(KRUNLEVEL OldRunLevel) {
    KRUNLEVEL Current = KiReadRunLevel();

    if (OldRunLevel > Current) {
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, Current, OldRunLevel, 0,
                     (ULONG_PTR)__builtin_extract_return_addr(__builtin_return_address(0)));
    }
    KiWriteRunLevel(OldRunLevel);
}

/* The out-of-line halves of the inline RunLevel rules (ke.h): the STOPs for a raise that lowers and a lower that
 * raises, and for an API called above its limit, naming the caller. */
#include <ke.h>

__attribute__((noinline)) XTNORETURN VOID KiRaiseRunLevelFailure(KRUNLEVEL Current, KRUNLEVEL NewRunLevel) {
    KeBugCheckEx(NewRunLevel > HIGH_LEVEL ? IRQL_NOT_LESS_OR_EQUAL : IRQL_NOT_GREATER_OR_EQUAL, Current, NewRunLevel, 0,
                 (ULONG_PTR)__builtin_extract_return_addr(__builtin_return_address(0)));
}

__attribute__((noinline)) XTNORETURN VOID KiLowerRunLevelFailure(KRUNLEVEL Current, KRUNLEVEL OldRunLevel) {
    KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, Current, OldRunLevel, 0,
                 (ULONG_PTR)__builtin_extract_return_addr(__builtin_return_address(0)));
}

XTNORETURN VOID KiRunLevelLimitFailure(KRUNLEVEL Current, KRUNLEVEL Limit, PVOID Caller) {
    KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, Current, Limit, IRQL_CALL_ABOVE_LIMIT, (ULONG_PTR)Caller);
}

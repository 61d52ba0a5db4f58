/* i686 MSVC-ABI 64-bit division helpers called by clang: arguments on the stack, callee pops 16 bytes, result in
 * EDX:EAX (__stdcall). The asm labels bind the exact undecorated names; the arithmetic is RtlDivide*64. */
#include <rtl.h>

LONGLONG __stdcall RtlpAlldiv(LONGLONG Dividend, LONGLONG Divisor) __asm__("__alldiv");
ULONGLONG __stdcall RtlpAulldiv(ULONGLONG Dividend, ULONGLONG Divisor) __asm__("__aulldiv");
LONGLONG __stdcall RtlpAllrem(LONGLONG Dividend, LONGLONG Divisor) __asm__("__allrem");
ULONGLONG __stdcall RtlpAullrem(ULONGLONG Dividend, ULONGLONG Divisor) __asm__("__aullrem");

/* Signed quotient (truncated toward zero). */
LONGLONG __stdcall RtlpAlldiv(LONGLONG Dividend, LONGLONG Divisor) {
    return RtlDivideSigned64(Dividend, Divisor, NULL);
}

/* Unsigned quotient. */
ULONGLONG __stdcall RtlpAulldiv(ULONGLONG Dividend, ULONGLONG Divisor) {
    return RtlDivideUnsigned64(Dividend, Divisor, NULL);
}

/* Signed remainder (sign of the dividend). */
LONGLONG __stdcall RtlpAllrem(LONGLONG Dividend, LONGLONG Divisor) {
    LONGLONG Remainder;

    RtlDivideSigned64(Dividend, Divisor, &Remainder);
    return Remainder;
}

/* Unsigned remainder. */
ULONGLONG __stdcall RtlpAullrem(ULONGLONG Dividend, ULONGLONG Divisor) {
    ULONGLONG Remainder;

    RtlDivideUnsigned64(Dividend, Divisor, &Remainder);
    return Remainder;
}

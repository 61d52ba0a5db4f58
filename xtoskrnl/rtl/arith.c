/* Checked arithmetic and portable 64-bit division. */
#include <rtl.h>

XTSTATUS RtlAddSizeT(SIZE_T Augend, SIZE_T Addend, PSIZE_T Result) {
    if (__builtin_add_overflow(Augend, Addend, Result)) {
        *Result = ~(SIZE_T)0;
        return STATUS_INTEGER_OVERFLOW;
    }
    return STATUS_SUCCESS;
}

XTSTATUS RtlMultiplySizeT(SIZE_T Multiplicand, SIZE_T Multiplier, PSIZE_T Result) {
    if (__builtin_mul_overflow(Multiplicand, Multiplier, Result)) {
        *Result = ~(SIZE_T)0;
        return STATUS_INTEGER_OVERFLOW;
    }
    return STATUS_SUCCESS;
}

XTSTATUS RtlAddUlonglong(ULONGLONG Augend, ULONGLONG Addend, PULONGLONG Result) {
    if (__builtin_add_overflow(Augend, Addend, Result)) {
        *Result = ~0ULL;
        return STATUS_INTEGER_OVERFLOW;
    }
    return STATUS_SUCCESS;
}

XTSTATUS RtlMultiplyUlonglong(ULONGLONG Multiplicand, ULONGLONG Multiplier, PULONGLONG Result) {
    if (__builtin_mul_overflow(Multiplicand, Multiplier, Result)) {
        *Result = ~0ULL;
        return STATUS_INTEGER_OVERFLOW;
    }
    return STATUS_SUCCESS;
}

/* Number of leading zero bits of a non-zero 64-bit value, using 32-bit operations only. */
static ULONG RtlpLeadingZeros64(ULONGLONG Value) {
    ULONG High = (ULONG)(Value >> 32);

    return (High != 0) ? (ULONG)__builtin_clz(High) : 32 + (ULONG)__builtin_clz((ULONG)Value);
}

ULONGLONG RtlDivideUnsigned64(ULONGLONG Dividend, ULONGLONG Divisor, PULONGLONG Remainder) {
    ULONGLONG Quotient = 0;
    LONG Shift;

    if ((Dividend >> 32) == 0 && (Divisor >> 32) == 0) {
        /* Both fit in 32 bits: one native 32-bit division. */
        ULONG Quotient32 = (ULONG)Dividend / (ULONG)Divisor;
        if (Remainder != NULL) {
            *Remainder = (ULONG)Dividend - Quotient32 * (ULONG)Divisor;
        }
        return Quotient32;
    }
    if (Divisor <= Dividend) {
        /* Restoring binary long division over the bits where the quotient can be non-zero. */
        Shift = (LONG)RtlpLeadingZeros64(Divisor) - (LONG)RtlpLeadingZeros64(Dividend);
        Divisor <<= Shift;
        for (; Shift >= 0; Shift--) {
            Quotient <<= 1;
            if (Dividend >= Divisor) {
                Dividend -= Divisor;
                Quotient |= 1;
            }
            Divisor >>= 1;
        }
    }
    if (Remainder != NULL) {
        *Remainder = Dividend;
    }
    return Quotient;
}

LONGLONG RtlDivideSigned64(LONGLONG Dividend, LONGLONG Divisor, PLONGLONG Remainder) {
    ULONGLONG Magnitude1 = (Dividend < 0) ? 0 - (ULONGLONG)Dividend : (ULONGLONG)Dividend;
    ULONGLONG Magnitude2 = (Divisor < 0) ? 0 - (ULONGLONG)Divisor : (ULONGLONG)Divisor;
    ULONGLONG Rest;
    ULONGLONG Quotient = RtlDivideUnsigned64(Magnitude1, Magnitude2, &Rest);

    if ((Dividend < 0) != (Divisor < 0)) {
        Quotient = 0 - Quotient;
    }
    if (Remainder != NULL) {
        *Remainder = (LONGLONG)((Dividend < 0) ? 0 - Rest : Rest);
    }
    return (LONGLONG)Quotient;
}

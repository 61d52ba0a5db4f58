/* Number parsing with overflow detection. */
#include <rtl.h>

/* Value of Character as a digit, or 99 when it is not a digit or letter. */
static ULONG RtlpDigitValue(CHAR Character) {
    if (Character >= '0' && Character <= '9') {
        return (ULONG)(Character - '0');
    }
    Character = RtlUpcaseChar(Character);
    if (Character >= 'A' && Character <= 'Z') {
        return (ULONG)(Character - 'A' + 10);
    }
    return 99;
}

/* Skips spaces and tabs. */
static PCSTR RtlpSkipBlanks(PCSTR String) {
    while (*String == ' ' || *String == '\t') {
        String++;
    }
    return String;
}

/* Consumes a radix prefix (0x, 0o, 0b) that matches Base (or any when Base is 0) if a digit of that radix follows. */
static PCSTR RtlpParsePrefix(PCSTR String, PULONG Base) {
    ULONG PrefixBase = 0;

    if (String[0] == '0') {
        switch (RtlUpcaseChar(String[1])) {
            case 'X':
                PrefixBase = 16;
                break;
            case 'O':
                PrefixBase = 8;
                break;
            case 'B':
                PrefixBase = 2;
                break;
            default:
                break;
        }
    }
    if (PrefixBase != 0 && (*Base == 0 || *Base == PrefixBase) && RtlpDigitValue(String[2]) < PrefixBase) {
        *Base = PrefixBase;
        return String + 2;
    }
    if (*Base == 0) {
        *Base = 10;
    }
    return String;
}

/* Accumulates the digits at String in Base; returns the first non-digit. *Overflow tells whether 64 bits overflowed. */
static PCSTR RtlpParseDigits(PCSTR String, ULONG Base, PULONGLONG Value, PBOOLEAN Overflow) {
    ULONGLONG Result = 0;
    ULONG Digit;

    *Overflow = FALSE;
    while ((Digit = RtlpDigitValue(*String)) < Base) {
        if (__builtin_mul_overflow(Result, (ULONGLONG)Base, &Result) ||
            __builtin_add_overflow(Result, (ULONGLONG)Digit, &Result)) {
            *Overflow = TRUE;
        }
        String++;
    }
    *Value = *Overflow ? ~0ULL : Result;
    return String;
}

XTSTATUS RtlStringToUnsigned(PCSTR String, ULONG Base, PULONGLONG Value, PCSTR *End) {
    PCSTR Digits;
    PCSTR Cursor;
    BOOLEAN Overflow;

    *Value = 0;
    if (End != NULL) {
        *End = String;
    }
    if (String == NULL || Base == 1 || Base > 36) {
        return STATUS_INVALID_PARAMETER;
    }
    Digits = RtlpParsePrefix(RtlpSkipBlanks(String), &Base);
    Cursor = RtlpParseDigits(Digits, Base, Value, &Overflow);
    if (Cursor == Digits) {
        return STATUS_INVALID_PARAMETER;
    }
    if (End != NULL) {
        *End = Cursor;
    }
    return Overflow ? STATUS_INTEGER_OVERFLOW : STATUS_SUCCESS;
}

XTSTATUS RtlStringToSigned(PCSTR String, ULONG Base, PLONGLONG Value, PCSTR *End) {
    const ULONGLONG Limit = (ULONGLONG)INT64_MAX;
    BOOLEAN Negative = FALSE;
    ULONGLONG Magnitude;
    PCSTR Cursor;
    XTSTATUS Status;

    *Value = 0;
    if (End != NULL) {
        *End = String;
    }
    if (String == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Cursor = RtlpSkipBlanks(String);
    if (*Cursor == '-' || *Cursor == '+') {
        Negative = (BOOLEAN)(*Cursor == '-');
        Cursor++;
    }
    Status = RtlStringToUnsigned(Cursor, Base, &Magnitude, &Cursor);
    if (Status == STATUS_INVALID_PARAMETER) {
        return Status;
    }
    if (End != NULL) {
        *End = Cursor;
    }
    if (Status == STATUS_INTEGER_OVERFLOW || Magnitude > Limit + (Negative ? 1 : 0)) {
        *Value = Negative ? INT64_MIN : INT64_MAX;
        return STATUS_INTEGER_OVERFLOW;
    }
    *Value = Negative ? (LONGLONG)(0 - Magnitude) : (LONGLONG)Magnitude;
    return STATUS_SUCCESS;
}

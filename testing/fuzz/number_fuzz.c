/* RTL number parsing (xtoskrnl/rtl/number.c) against a reference written from docs/rtl.md: first byte selects the
 * base (0..37, so 1 and 37 are invalid), the rest is the NUL-terminated string. */
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"

/* Digit value of Character in bases up to 36, or 99. */
static ULONG ReferenceDigit(CHAR Character) {
    if (Character >= '0' && Character <= '9') {
        return (ULONG)(Character - '0');
    }
    if (Character >= 'a' && Character <= 'z') {
        return (ULONG)(Character - 'a' + 10);
    }
    if (Character >= 'A' && Character <= 'Z') {
        return (ULONG)(Character - 'A' + 10);
    }
    return 99;
}

/* The unsigned contract: blanks, a prefix matching the base (or choosing it when 0) before a digit of its radix,
 * digits until the first non-digit, saturation to ~0 on overflow. */
static XTSTATUS ReferenceUnsigned(PCSTR String, ULONG Base, PULONGLONG Value, PCSTR *End) {
    static const struct {
        CHAR Letter;
        ULONG Base;
    } Prefixes[] = {{'x', 16}, {'o', 8}, {'b', 2}};
    unsigned __int128 Result = 0;
    PCSTR Cursor = String;
    BOOLEAN Overflow = FALSE;

    *Value = 0;
    *End = String;
    if (Base == 1 || Base > 36) {
        return STATUS_INVALID_PARAMETER;
    }
    while (*Cursor == ' ' || *Cursor == '\t') {
        Cursor++;
    }
    for (ULONG Index = 0; Index < 3 && Cursor[0] == '0'; Index++) {
        if ((Cursor[1] | 0x20) == Prefixes[Index].Letter && (Base == 0 || Base == Prefixes[Index].Base) &&
            ReferenceDigit(Cursor[2]) < Prefixes[Index].Base) {
            Base = Prefixes[Index].Base;
            Cursor += 2;
            break;
        }
    }
    Base = Base ? Base : 10;
    if (ReferenceDigit(*Cursor) >= Base) {
        return STATUS_INVALID_PARAMETER;
    }
    for (; ReferenceDigit(*Cursor) < Base; Cursor++) {
        Result = Result * Base + ReferenceDigit(*Cursor);
        if (Result > ~0ULL) {
            Overflow = TRUE;
            Result = (unsigned __int128)~0ULL + 1; /* stays above the limit, never wraps */
        }
    }
    *Value = Overflow ? ~0ULL : (ULONGLONG)Result;
    *End = Cursor;
    return Overflow ? STATUS_INTEGER_OVERFLOW : STATUS_SUCCESS;
}

/* The signed contract: blanks, an optional sign, then the unsigned form; saturation to LONGLONG's range. */
static XTSTATUS ReferenceSigned(PCSTR String, ULONG Base, PLONGLONG Value, PCSTR *End) {
    PCSTR Cursor = String;
    BOOLEAN Negative = FALSE;
    ULONGLONG Magnitude;
    XTSTATUS Status;

    *Value = 0;
    *End = String;
    while (*Cursor == ' ' || *Cursor == '\t') {
        Cursor++;
    }
    if (*Cursor == '-' || *Cursor == '+') {
        Negative = (BOOLEAN)(*Cursor++ == '-');
    }
    Status = ReferenceUnsigned(Cursor, Base, &Magnitude, &Cursor);
    if (Status == STATUS_INVALID_PARAMETER) {
        return Status;
    }
    *End = Cursor;
    if (Status == STATUS_INTEGER_OVERFLOW || Magnitude > (ULONGLONG)INT64_MAX + Negative) {
        *Value = Negative ? INT64_MIN : INT64_MAX;
        return STATUS_INTEGER_OVERFLOW;
    }
    *Value = Negative ? (LONGLONG)(0 - Magnitude) : (LONGLONG)Magnitude;
    return STATUS_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    ULONG Base;
    PCHAR Text;
    ULONGLONG Unsigned, ExpectedUnsigned;
    LONGLONG Signed, ExpectedSigned;
    PCSTR End, ExpectedEnd;
    XTSTATUS Status;

    if (Size == 0) {
        return -1;
    }
    Base = Data[0] % 38;
    Text = malloc(Size); /* Size - 1 characters and the NUL: ASan sees any read past it */
    memcpy(Text, Data + 1, Size - 1);
    Text[Size - 1] = '\0';

    Status = RtlStringToUnsigned(Text, Base, &Unsigned, &End);
    FUZZ_CHECK(Status == ReferenceUnsigned(Text, Base, &ExpectedUnsigned, &ExpectedEnd));
    FUZZ_CHECK(Unsigned == ExpectedUnsigned && End == ExpectedEnd);
    FUZZ_CHECK(RtlStringToUnsigned(Text, Base, &Unsigned, NULL) == Status && Unsigned == ExpectedUnsigned);

    Status = RtlStringToSigned(Text, Base, &Signed, &End);
    FUZZ_CHECK(Status == ReferenceSigned(Text, Base, &ExpectedSigned, &ExpectedEnd));
    FUZZ_CHECK(Signed == ExpectedSigned && End == ExpectedEnd);
    free(Text);
    return 0;
}

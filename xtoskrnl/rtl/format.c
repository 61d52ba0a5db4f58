/* The one formatter: printf-style conversions streamed to an output routine; the buffer variants sit on top of it. */
#include <rtl.h>

#define RTLP_FLAG_LEFT      0x01
#define RTLP_FLAG_ZERO      0x02
#define RTLP_FLAG_PLUS      0x04
#define RTLP_FLAG_SPACE     0x08
#define RTLP_FLAG_ALTERNATE 0x10
#define RTLP_FLAG_UPPER     0x20
#define RTLP_FLAG_POINTER   0x40
#define RTLP_NO_PRECISION   (~(SIZE_T)0)

typedef enum _RTLP_FORMAT_SIZE {
    RtlpSizeDefault,
    RtlpSizeChar,
    RtlpSizeShort,
    RtlpSizeLong,
    RtlpSizeLongLong,
    RtlpSizeSizeT,
    RtlpSizeMax,
    RtlpSizePtrDiff
} RTLP_FORMAT_SIZE;

typedef struct _RTLP_FORMAT_STATE {
    PRTL_OUTPUT_ROUTINE Output;
    PVOID Context;
    SIZE_T Count;
} RTLP_FORMAT_STATE, *PRTLP_FORMAT_STATE;

typedef struct _RTLP_FORMAT_SPEC {
    ULONG Flags;
    SIZE_T Width;
    SIZE_T Precision;
    RTLP_FORMAT_SIZE Size;
} RTLP_FORMAT_SPEC, *PRTLP_FORMAT_SPEC;

typedef struct _RTLP_BUFFER_SINK {
    PCHAR Buffer;
    SIZE_T Size;
    SIZE_T Used;
} RTLP_BUFFER_SINK, *PRTLP_BUFFER_SINK;

/* Passes Count characters to the output routine and counts them. */
static VOID RtlpEmit(PRTLP_FORMAT_STATE State, PCSTR Characters, SIZE_T Count) {
    if (Count != 0) {
        State->Output(State->Context, Characters, Count);
        State->Count += Count;
    }
}

/* Emits Character Count times. */
static VOID RtlpEmitRepeated(PRTLP_FORMAT_STATE State, CHAR Character, SIZE_T Count) {
    CHAR Chunk[16];
    SIZE_T Index;

    for (Index = 0; Index < sizeof(Chunk); Index++) {
        Chunk[Index] = Character;
    }
    while (Count != 0) {
        SIZE_T Take = (Count < sizeof(Chunk)) ? Count : sizeof(Chunk);
        RtlpEmit(State, Chunk, Take);
        Count -= Take;
    }
}

/* Emits Prefix and Body (Zeros leading zeros between them) padded with spaces to the spec's width. */
static VOID RtlpEmitField(PRTLP_FORMAT_STATE State, PRTLP_FORMAT_SPEC Spec, PCSTR Prefix, SIZE_T PrefixLength,
                          SIZE_T Zeros, PCSTR Body, SIZE_T BodyLength) {
    SIZE_T Length = PrefixLength + Zeros + BodyLength;
    SIZE_T Padding = (Spec->Width > Length) ? Spec->Width - Length : 0;

    if (!(Spec->Flags & RTLP_FLAG_LEFT)) {
        RtlpEmitRepeated(State, ' ', Padding);
    }
    RtlpEmit(State, Prefix, PrefixLength);
    RtlpEmitRepeated(State, '0', Zeros);
    RtlpEmit(State, Body, BodyLength);
    if (Spec->Flags & RTLP_FLAG_LEFT) {
        RtlpEmitRepeated(State, ' ', Padding);
    }
}

/* Writes the digits of Value in Base (8, 10 or 16) to the end of Digits; returns how many. Never calls a 64-bit
 * division helper: constant divisors compile to multiplications and shifts on every target. */
static SIZE_T RtlpConvertDigits(ULONGLONG Value, ULONG Base, BOOLEAN Upper, PCHAR DigitsEnd) {
    PCSTR Alphabet = Upper ? "0123456789ABCDEF" : "0123456789abcdef";
    SIZE_T Count = 0;

    while (Value != 0) {
        ULONG Digit;
        if (Base == 10) {
            Digit = (ULONG)(Value % 10);
            Value /= 10;
        } else if (Base == 16) {
            Digit = (ULONG)(Value & 15);
            Value >>= 4;
        } else {
            Digit = (ULONG)(Value & 7);
            Value >>= 3;
        }
        *--DigitsEnd = Alphabet[Digit];
        Count++;
    }
    return Count;
}

/* Formats an integer conversion: sign or radix prefix, precision zeros, zero or space padding. */
static VOID RtlpFormatInteger(PRTLP_FORMAT_STATE State, PRTLP_FORMAT_SPEC Spec, ULONGLONG Value, BOOLEAN Negative,
                              ULONG Base) {
    CHAR Digits[24];
    CHAR Prefix[2];
    SIZE_T PrefixLength = 0;
    SIZE_T Count =
        RtlpConvertDigits(Value, Base, (BOOLEAN)((Spec->Flags & RTLP_FLAG_UPPER) != 0), Digits + sizeof(Digits));
    SIZE_T Zeros = 0;

    if (Negative) {
        Prefix[PrefixLength++] = '-';
    } else if (Base == 10 && (Spec->Flags & RTLP_FLAG_PLUS)) {
        Prefix[PrefixLength++] = '+';
    } else if (Base == 10 && (Spec->Flags & RTLP_FLAG_SPACE)) {
        Prefix[PrefixLength++] = ' ';
    } else if (Base == 16 && (Spec->Flags & RTLP_FLAG_ALTERNATE) && (Value != 0 || (Spec->Flags & RTLP_FLAG_POINTER))) {
        /* %#x: 0x for non-zero values, %#X: 0X; %#p: always 0x. */
        Prefix[PrefixLength++] = '0';
        Prefix[PrefixLength++] = (Spec->Flags & (RTLP_FLAG_UPPER | RTLP_FLAG_POINTER)) == RTLP_FLAG_UPPER ? 'X' : 'x';
    }
    if (Spec->Precision != RTLP_NO_PRECISION) {
        Zeros = (Spec->Precision > Count) ? Spec->Precision - Count : 0;
    } else {
        if (Count == 0) {
            Zeros = 1; /* the value 0 */
        }
        if ((Spec->Flags & (RTLP_FLAG_ZERO | RTLP_FLAG_LEFT)) == RTLP_FLAG_ZERO &&
            Spec->Width > PrefixLength + Count + Zeros) {
            Zeros = Spec->Width - PrefixLength - Count;
        }
    }
    if (Base == 8 && (Spec->Flags & RTLP_FLAG_ALTERNATE) && Zeros == 0) {
        Zeros = 1; /* %#o always starts with 0 */
    }
    RtlpEmitField(State, Spec, Prefix, PrefixLength, Zeros, Digits + sizeof(Digits) - Count, Count);
}

/* Formats %S: a UCS-2 string narrowed to ASCII ('?' above 0x7F), at most Spec->Precision characters. */
static VOID RtlpFormatWideString(PRTLP_FORMAT_STATE State, PRTLP_FORMAT_SPEC Spec, PCWSTR String) {
    SIZE_T Length = RtlWideStringLength(String, Spec->Precision);
    SIZE_T Padding = (Spec->Width > Length) ? Spec->Width - Length : 0;
    CHAR Chunk[32];

    if (!(Spec->Flags & RTLP_FLAG_LEFT)) {
        RtlpEmitRepeated(State, ' ', Padding);
    }
    while (Length != 0) {
        SIZE_T Take = (Length < sizeof(Chunk)) ? Length : sizeof(Chunk);
        SIZE_T Index;
        for (Index = 0; Index < Take; Index++) {
            Chunk[Index] = (String[Index] < 0x80) ? (CHAR)String[Index] : '?';
        }
        RtlpEmit(State, Chunk, Take);
        String += Take;
        Length -= Take;
    }
    if (Spec->Flags & RTLP_FLAG_LEFT) {
        RtlpEmitRepeated(State, ' ', Padding);
    }
}

/* Reads a signed integer argument of the spec's size; returns its magnitude and sign. */
static ULONGLONG RtlpFetchSigned(PRTLP_FORMAT_SPEC Spec, va_list *Arguments, PBOOLEAN Negative) {
    LONGLONG Value;

    switch (Spec->Size) {
        case RtlpSizeChar:
            Value = (signed char)va_arg(*Arguments, int);
            break;
        case RtlpSizeShort:
            Value = (short)va_arg(*Arguments, int);
            break;
        case RtlpSizeLong:
            Value = va_arg(*Arguments, long);
            break;
        case RtlpSizeLongLong:
        case RtlpSizeMax:
            Value = va_arg(*Arguments, long long);
            break;
        case RtlpSizeSizeT:
        case RtlpSizePtrDiff:
            Value = va_arg(*Arguments, ptrdiff_t);
            break;
        default:
            Value = va_arg(*Arguments, int);
            break;
    }
    *Negative = (BOOLEAN)(Value < 0);
    return (Value < 0) ? 0 - (ULONGLONG)Value : (ULONGLONG)Value;
}

/* Reads an unsigned integer argument of the spec's size. */
static ULONGLONG RtlpFetchUnsigned(PRTLP_FORMAT_SPEC Spec, va_list *Arguments) {
    switch (Spec->Size) {
        case RtlpSizeChar:
            return (unsigned char)va_arg(*Arguments, unsigned int);
        case RtlpSizeShort:
            return (unsigned short)va_arg(*Arguments, unsigned int);
        case RtlpSizeLong:
            return va_arg(*Arguments, unsigned long);
        case RtlpSizeLongLong:
        case RtlpSizeMax:
            return va_arg(*Arguments, unsigned long long);
        case RtlpSizeSizeT:
        case RtlpSizePtrDiff:
            return va_arg(*Arguments, size_t);
        default:
            return va_arg(*Arguments, unsigned int);
    }
}

/* Parses the size modifier (hh h l ll z j t) at Format; returns the address after it. */
static PCSTR RtlpParseSize(PCSTR Format, PRTLP_FORMAT_SPEC Spec) {
    switch (*Format) {
        case 'h':
            Format++;
            Spec->Size = (*Format == 'h') ? (Format++, RtlpSizeChar) : RtlpSizeShort;
            break;
        case 'l':
            Format++;
            Spec->Size = (*Format == 'l') ? (Format++, RtlpSizeLongLong) : RtlpSizeLong;
            break;
        case 'z':
            Format++;
            Spec->Size = RtlpSizeSizeT;
            break;
        case 'j':
            Format++;
            Spec->Size = RtlpSizeMax;
            break;
        case 't':
            Format++;
            Spec->Size = RtlpSizePtrDiff;
            break;
        default:
            break;
    }
    return Format;
}

/* Parses flags, width, precision and size after a '%'; returns the conversion character's address. */
static PCSTR RtlpParseSpec(PCSTR Format, PRTLP_FORMAT_SPEC Spec, va_list *Arguments) {
    Spec->Flags = 0;
    Spec->Width = 0;
    Spec->Precision = RTLP_NO_PRECISION;
    Spec->Size = RtlpSizeDefault;
    for (;; Format++) {
        if (*Format == '-') {
            Spec->Flags |= RTLP_FLAG_LEFT;
        } else if (*Format == '0') {
            Spec->Flags |= RTLP_FLAG_ZERO;
        } else if (*Format == '+') {
            Spec->Flags |= RTLP_FLAG_PLUS;
        } else if (*Format == ' ') {
            Spec->Flags |= RTLP_FLAG_SPACE;
        } else if (*Format == '#') {
            Spec->Flags |= RTLP_FLAG_ALTERNATE;
        } else {
            break;
        }
    }
    if (*Format == '*') {
        int Width = va_arg(*Arguments, int);
        if (Width < 0) {
            Spec->Flags |= RTLP_FLAG_LEFT;
        }
        Spec->Width = (Width < 0) ? 0 - (SIZE_T)Width : (SIZE_T)Width;
        Format++;
    } else {
        for (; *Format >= '0' && *Format <= '9'; Format++) {
            Spec->Width = Spec->Width * 10 + (SIZE_T)(*Format - '0');
        }
    }
    if (*Format == '.') {
        Format++;
        Spec->Precision = 0;
        if (*Format == '*') {
            int Precision = va_arg(*Arguments, int);
            Spec->Precision = (Precision < 0) ? RTLP_NO_PRECISION : (SIZE_T)Precision;
            Format++;
        } else {
            for (; *Format >= '0' && *Format <= '9'; Format++) {
                Spec->Precision = Spec->Precision * 10 + (SIZE_T)(*Format - '0');
            }
        }
    }
    return RtlpParseSize(Format, Spec);
}

/* Formats one conversion (Conversion points at its character); returns FALSE for an unknown conversion. */
static BOOLEAN RtlpFormatConversion(PRTLP_FORMAT_STATE State, PRTLP_FORMAT_SPEC Spec, CHAR Conversion,
                                    va_list *Arguments) {
    BOOLEAN Negative;
    ULONGLONG Value;
    PCSTR String;
    CHAR Character;

    switch (Conversion) {
        case 'd':
        case 'i':
            Value = RtlpFetchSigned(Spec, Arguments, &Negative);
            RtlpFormatInteger(State, Spec, Value, Negative, 10);
            return TRUE;
        case 'u':
            Spec->Flags &= ~(RTLP_FLAG_PLUS | RTLP_FLAG_SPACE); /* a sign only for signed conversions (C17 7.21.6.1) */
            RtlpFormatInteger(State, Spec, RtlpFetchUnsigned(Spec, Arguments), FALSE, 10);
            return TRUE;
        case 'X':
            Spec->Flags |= RTLP_FLAG_UPPER;
            /* fall through */
        case 'x':
            RtlpFormatInteger(State, Spec, RtlpFetchUnsigned(Spec, Arguments), FALSE, 16);
            return TRUE;
        case 'o':
            RtlpFormatInteger(State, Spec, RtlpFetchUnsigned(Spec, Arguments), FALSE, 8);
            return TRUE;
        case 'p':
            Spec->Flags = (Spec->Flags & (RTLP_FLAG_LEFT | RTLP_FLAG_ALTERNATE)) | RTLP_FLAG_UPPER | RTLP_FLAG_POINTER;
            Spec->Precision = 2 * sizeof(PVOID);
            RtlpFormatInteger(State, Spec, (ULONG_PTR)va_arg(*Arguments, PVOID), FALSE, 16);
            return TRUE;
        case 'c':
            Character = (CHAR)va_arg(*Arguments, int);
            RtlpEmitField(State, Spec, NULL, 0, 0, &Character, 1);
            return TRUE;
        case 's':
            String = va_arg(*Arguments, PCSTR);
            if (String == NULL) {
                String = "(null)";
            }
            RtlpEmitField(State, Spec, NULL, 0, 0, String, RtlStringLength(String, Spec->Precision));
            return TRUE;
        case 'S':
            String = (PCSTR)va_arg(*Arguments, PCWSTR);
            if (String == NULL) {
                RtlpEmitField(State, Spec, NULL, 0, 0, "(null)", RtlStringLength("(null)", Spec->Precision));
            } else {
                RtlpFormatWideString(State, Spec, (PCWSTR)String);
            }
            return TRUE;
        case '%':
            RtlpEmit(State, "%", 1);
            return TRUE;
        default:
            return FALSE;
    }
}

SIZE_T RtlFormatOutput(PRTL_OUTPUT_ROUTINE Output, PVOID Context, PCSTR Format, va_list Arguments) {
    RTLP_FORMAT_STATE State = {Output, Context, 0};
    RTLP_FORMAT_SPEC Spec;
    va_list Copy;

    va_copy(Copy, Arguments);
    while (*Format != '\0') {
        PCSTR Start = Format;
        PCSTR Conversion;
        while (*Format != '\0' && *Format != '%') {
            Format++;
        }
        RtlpEmit(&State, Start, (SIZE_T)(Format - Start));
        if (*Format == '\0') {
            break;
        }
        Conversion = RtlpParseSpec(Format + 1, &Spec, &Copy);
        if (*Conversion == '\0' || !RtlpFormatConversion(&State, &Spec, *Conversion, &Copy)) {
            /* Unknown or truncated conversion: print it as written. */
            RtlpEmit(&State, Format, (SIZE_T)(Conversion - Format) + (*Conversion != '\0'));
        }
        Format = Conversion + (*Conversion != '\0');
    }
    va_end(Copy);
    return State.Count;
}

/* Output routine of the buffer variants: keeps what fits before the terminator's slot. */
static VOID RtlpBufferOutput(PVOID Context, PCSTR Characters, SIZE_T Count) {
    PRTLP_BUFFER_SINK Sink = Context;
    SIZE_T Room = (Sink->Size != 0) ? Sink->Size - 1 - Sink->Used : 0;
    SIZE_T Take = (Count < Room) ? Count : Room;
    SIZE_T Index;

    for (Index = 0; Index < Take; Index++) {
        Sink->Buffer[Sink->Used + Index] = Characters[Index];
    }
    Sink->Used += Take;
}

SIZE_T RtlFormatStringV(PCHAR Buffer, SIZE_T Size, PCSTR Format, va_list Arguments) {
    RTLP_BUFFER_SINK Sink = {Buffer, Size, 0};
    SIZE_T Length = RtlFormatOutput(RtlpBufferOutput, &Sink, Format, Arguments);

    if (Size != 0) {
        Buffer[Sink.Used] = '\0';
    }
    return Length;
}

SIZE_T RtlFormatString(PCHAR Buffer, SIZE_T Size, PCSTR Format, ...) {
    va_list Arguments;
    SIZE_T Length;

    va_start(Arguments, Format);
    Length = RtlFormatStringV(Buffer, Size, Format, Arguments);
    va_end(Arguments);
    return Length;
}

/* RTL formatter (xtoskrnl/rtl/format.c). Two modes, chosen by the first byte:
 * - even: one conversion built from the input (flags, width, precision, size, conversion, value, buffer size) is
 *   formatted by RtlFormatString and by the C library's snprintf, which must agree (text, length, truncation);
 * - odd: the rest of the input is a format string of its own, formatted with 32 harmless arguments (every '*' is
 *   replaced, digit runs are cut to 3 digits and at most 32 '%' are kept, so no conversion reads past them or pads
 *   for gigabytes). Only memory safety and the buffer contract are checked there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtl.h>

#include "fuzz_support.h"

#define FORMAT_BUFFER 320

static const CHAR FuzzFlags[] = "-0+ #";
static const PCSTR FuzzSizes[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
static const CHAR FuzzConversions[] = "diuxXocs%";

/* Checks the buffer contract for a call that returned Length into Buffer of Size bytes, given the full text. */
static VOID CheckTruncation(PCSTR Buffer, SIZE_T Size, PCSTR Full, SIZE_T Length) {
    SIZE_T Kept;

    FUZZ_CHECK(Full[Length] == '\0'); /* %c may put NULs inside: lengths are counted, not measured */
    if (Size == 0) {
        return;
    }
    Kept = Length < Size - 1 ? Length : Size - 1;
    FUZZ_CHECK(memcmp(Buffer, Full, Kept) == 0 && Buffer[Kept] == '\0');
}

/* Appends one format directive built from the input to Format; returns the conversion character. */
static CHAR BuildDirective(PFUZZ_INPUT Input, PCHAR Format, PULONG Stars, int *StarValues) {
    UCHAR Flags = FuzzTake8(Input), Width = FuzzTake8(Input), Precision = FuzzTake8(Input);
    CHAR Conversion = FuzzConversions[FuzzTake8(Input) % (sizeof(FuzzConversions) - 1)];
    PCSTR Size = FuzzSizes[FuzzTake8(Input) % ARRAY_SIZE(FuzzSizes)];
    SIZE_T Length = 1;

    Format[0] = '%';
    if (Conversion == '%') {
        strcpy(Format, "%%"); /* flags, width or precision on %% are undefined in C */
        return Conversion;
    }
    /* Undefined in C, so the C library is no reference: '#' except with x X o, '0' with c and s, precision with c. */
    Flags &= strchr("xXo", Conversion) ? 0x1F : 0x0F;
    Flags &= strchr("cs", Conversion) ? 0x1D : 0x1F;
    Precision &= (Conversion == 'c') ? 0x00 : 0xFF;
    for (ULONG Flag = 0; Flag < 5; Flag++) {
        if (Flags & (1u << Flag)) {
            Format[Length++] = FuzzFlags[Flag];
        }
    }
    if (Width & 0x80) {
        Format[Length++] = '*';
        StarValues[(*Stars)++] = (int)(Width & 0x3F) - 20; /* negative: left-justified */
    } else if (Width != 0) {
        Length += (SIZE_T)sprintf(Format + Length, "%u", Width % 100);
    }
    if (Precision & 0x80) {
        Format[Length++] = '.';
        if (Precision & 0x40) {
            Format[Length++] = '*';
            StarValues[(*Stars)++] = (int)(Precision & 0x3F) - 8; /* negative: as if omitted */
        } else {
            Length += (SIZE_T)sprintf(Format + Length, "%u", Precision % 40);
        }
    }
    if (strchr("diuxXo", Conversion) != NULL) {
        strcpy(Format + Length, Size);
        Length += strlen(Size);
    }
    Format[Length++] = Conversion;
    Format[Length] = '\0';
    return Conversion;
}

#pragma clang diagnostic ignored "-Wformat-nonliteral"
#pragma clang diagnostic ignored "-Wformat"

/* Calls Routine(Buffer, Size, Format, stars..., Argument) with 0, 1 or 2 star arguments first. */
#define FORMAT_WITH_STARS(Result, Routine, Buffer, Size, Argument)                                                     \
    do {                                                                                                               \
        if (Stars == 2) {                                                                                              \
            Result = Routine(Buffer, Size, Format, StarValues[0], StarValues[1], Argument);                            \
        } else if (Stars == 1) {                                                                                       \
            Result = Routine(Buffer, Size, Format, StarValues[0], Argument);                                           \
        } else {                                                                                                       \
            Result = Routine(Buffer, Size, Format, Argument);                                                          \
        }                                                                                                              \
    } while (0)

/* Formats with both formatters and compares. */
#define COMPARE(Argument)                                                                                              \
    do {                                                                                                               \
        int Expected_;                                                                                                 \
        SIZE_T Actual_;                                                                                                \
        FORMAT_WITH_STARS(Expected_, snprintf, Reference, sizeof(Reference), Argument);                                \
        FORMAT_WITH_STARS(Actual_, RtlFormatString, Actual, BufferSize, Argument);                                     \
        FUZZ_CHECK(Expected_ >= 0 && (SIZE_T)Expected_ < sizeof(Reference));                                           \
        CheckTruncation(Actual, BufferSize, Reference, Actual_);                                                       \
        FUZZ_CHECK(Actual_ == (SIZE_T)Expected_);                                                                      \
    } while (0)

static VOID FuzzOneConversion(PFUZZ_INPUT Input) {
    CHAR Format[32], Reference[FORMAT_BUFFER], Actual[FORMAT_BUFFER], String[24];
    int StarValues[2] = {0, 0};
    ULONG Stars = 0;
    CHAR Conversion = BuildDirective(Input, Format, &Stars, StarValues);
    SIZE_T BufferSize = FuzzTake8(Input) % 200;
    ULONGLONG Value = FuzzTake64(Input);
    PCSTR Size = strchr(Format, 'l') ? (strstr(Format, "ll") ? "ll" : "l") : "";

    for (ULONG Index = 0; Index < sizeof(String); Index++) {
        String[Index] = (CHAR)FuzzTake8(Input);
    }
    String[sizeof(String) - 1] = '\0';
    if (Conversion == 's') {
        COMPARE((PCSTR)String);
    } else if (Conversion == 'c') {
        COMPARE((int)(CHAR)Value);
    } else if (Conversion == '%') {
        COMPARE(0);
    } else if (strchr(Format, 'z') != NULL) {
        COMPARE((size_t)Value);
    } else if (strchr(Format, 'j') != NULL) {
        COMPARE((unsigned long long)Value);
    } else if (strchr(Format, 't') != NULL) {
        COMPARE((ptrdiff_t)Value);
    } else if (Size[0] == 'l' && Size[1] == 'l') {
        COMPARE((unsigned long long)Value);
    } else if (Size[0] == 'l') {
        COMPARE((unsigned long)Value);
    } else {
        COMPARE((unsigned int)Value); /* hh and h take an int too */
    }
}

/* Rewrites Text in place into a format that is safe with 32 arguments (see the file comment). */
static VOID TameFormat(PCHAR Text) {
    ULONG Percents = 0, Digits = 0;

    for (PCHAR Cursor = Text; *Cursor; Cursor++) {
        if (*Cursor == '*') {
            *Cursor = '1';
        }
        Digits = (*Cursor >= '0' && *Cursor <= '9') ? Digits + 1 : 0;
        if (Digits > 3) {
            *Cursor = '.';
            Digits = 0;
        }
        if (*Cursor == '%' && ++Percents > 32) {
            *Cursor = '\0';
            return;
        }
    }
}

static VOID FuzzFreeFormat(const UCHAR *Data, SIZE_T Size) {
    /* One argument valid for every conversion: %s reads "w", %S a terminated UCS-2 string, integers its address. */
    static const WCHAR Text[] = {'w', 0xE9, 'd', 'e', 0};
    static CHAR Full[1 << 17];
    const PVOID Argument = (PVOID)Text;
    PCHAR Format = malloc(Size + 1);
    CHAR Actual[FORMAT_BUFFER];
    SIZE_T BufferSize = Size ? Data[0] % sizeof(Actual) : 0, Length, Truncated;

    memcpy(Format, Data, Size);
    Format[Size] = '\0';
    TameFormat(Format);
#define ARGUMENTS_8 Argument, Argument, Argument, Argument, Argument, Argument, Argument, Argument
    Length = RtlFormatString(Full, sizeof(Full), Format, ARGUMENTS_8, ARGUMENTS_8, ARGUMENTS_8, ARGUMENTS_8);
    Truncated = RtlFormatString(Actual, BufferSize, Format, ARGUMENTS_8, ARGUMENTS_8, ARGUMENTS_8, ARGUMENTS_8);
    FUZZ_CHECK(Length == Truncated && Length < sizeof(Full));
    CheckTruncation(Actual, BufferSize, Full, Length);
    free(Format);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    FUZZ_INPUT Input = {Data, Size};

    if (Size == 0) {
        return -1;
    }
    if (Data[0] & 1) {
        FuzzFreeFormat(Data + 1, Size - 1);
    } else {
        Input.Data++;
        Input.Size--;
        FuzzOneConversion(&Input);
    }
    return 0;
}

/* The kernel's UBSan handlers (ke/ubsan.c) fed by real compiler checks: this file is compiled with
 * -fsanitize=undefined -fno-sanitize-recover, each case commits one kind of undefined behaviour, and the stubs below
 * catch the report line and the STOP. Host only (setjmp/longjmp). */
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>

#include <rtl.h>
#include <xtest.h>

#include <kd.h>
#include <ke.h>

static jmp_buf UbsanCatch;
static CHAR UbsanOutput[1024];
static SIZE_T UbsanOutputLength;
static ULONG UbsanStopCode;
static ULONG_PTR UbsanStop[4];
static ULONG UbsanLine; /* the line of the statement under test */

/* Stubs for the kernel services the handlers call. */
VOID KdStopPrint(PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    UbsanOutputLength +=
        RtlFormatStringV(UbsanOutput + UbsanOutputLength, sizeof(UbsanOutput) - UbsanOutputLength, Format, Arguments);
    va_end(Arguments);
    if (UbsanOutputLength >= sizeof(UbsanOutput)) {
        UbsanOutputLength = sizeof(UbsanOutput) - 1;
    }
}

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    UbsanStopCode = Code;
    UbsanStop[0] = Parameter1;
    UbsanStop[1] = Parameter2;
    UbsanStop[2] = Parameter3;
    UbsanStop[3] = Parameter4;
    longjmp(UbsanCatch, 1);
}

/* TRUE when Text occurs in the captured output. */
static BOOLEAN UbsanSaw(PCSTR Text) {
    SIZE_T Length = RtlStringLength(Text, 256);

    for (SIZE_T Start = 0; Start + Length <= UbsanOutputLength; Start++) {
        if (RtlCompareMemory(UbsanOutput + Start, Text, Length) == Length) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Runs Trigger; TRUE when it ended in KERNEL_UBSAN_VIOLATION for Check on the recorded line, after a report line
 * "UBSAN: <Name> at xtoskrnl/tests/ubsan_test.c:<line>:" containing Detail. */
static BOOLEAN UbsanCatches(VOID (*Trigger)(VOID), ULONG Check, PCSTR Name, PCSTR Detail) {
    CHAR Prefix[96];

    UbsanOutputLength = 0;
    UbsanOutput[0] = '\0';
    UbsanStopCode = 0;
    UbsanLine = 0;
    if (setjmp(UbsanCatch) == 0) {
        Trigger();
        XtestPrint("  no UBSan report for %s\n", Name);
        return FALSE;
    }
    RtlFormatString(Prefix, sizeof(Prefix), "\nUBSAN: %s at xtoskrnl/tests/ubsan_test.c:%u:", Name, UbsanLine);
    if (UbsanStopCode != KERNEL_UBSAN_VIOLATION || UbsanStop[0] != Check || UbsanStop[1] != UbsanLine ||
        !UbsanSaw(Prefix) || !UbsanSaw(Detail)) {
        XtestPrint("  %s: STOP 0x%X (%zu, %zu), output: %s\n", Name, UbsanStopCode, (SIZE_T)UbsanStop[0],
                   (SIZE_T)UbsanStop[1], UbsanOutput);
        return FALSE;
    }
    return TRUE;
}

/* Operands the compiler cannot see through. */
static volatile int IntMax = INT_MAX, IntMin = INT_MIN, One = 1, MinusOne = -1, Zero = 0, Five = 5, Forty = 40;
static volatile long long LongLongMax = LLONG_MAX;
static volatile __int128 Int128Max = (__int128)(((unsigned __int128)1 << 127) - 1);
static int Array[4];

/* Marks the next line as the one the report must name. */
#define UBSAN_NEXT_LINE() (UbsanLine = __LINE__ + 1)

static VOID AddInt(VOID) {
    UBSAN_NEXT_LINE();
    IntMax = IntMax + One;
}

static VOID SubInt(VOID) {
    UBSAN_NEXT_LINE();
    IntMin = IntMin - One;
}

static VOID MulLongLong(VOID) {
    UBSAN_NEXT_LINE();
    LongLongMax = LongLongMax * 2;
}

static VOID NegateInt(VOID) {
    UBSAN_NEXT_LINE();
    IntMin = -IntMin;
}

static VOID DivideByZero(VOID) {
    UBSAN_NEXT_LINE();
    Five = Five / Zero;
}

static VOID DivideOverflow(VOID) {
    UBSAN_NEXT_LINE();
    IntMin = IntMin / MinusOne;
}

static VOID AddInt128(VOID) {
    UBSAN_NEXT_LINE();
    Int128Max = Int128Max + One;
}

XTEST(ArithmeticOverflowReportsOperandsAndType) {
    XTEST_CHECK(KeIsUbsanBuiltIn());
    XTEST_CHECK(UbsanCatches(AddInt, UBSAN_SIGNED_OVERFLOW, "signed-integer-overflow",
                             ": 2147483647 + 1 cannot be represented in type 'int'"));
    XTEST_CHECK_EQ(UbsanStop[2], 2147483647);
    XTEST_CHECK_EQ(UbsanStop[3], 1);
    XTEST_CHECK(UbsanCatches(SubInt, UBSAN_SIGNED_OVERFLOW, "signed-integer-overflow",
                             ": -2147483648 - 1 cannot be represented in type 'int'"));
    XTEST_CHECK(UbsanCatches(MulLongLong, UBSAN_SIGNED_OVERFLOW, "signed-integer-overflow",
                             ": 9223372036854775807 * 2 cannot be represented in type 'long long"));
    XTEST_CHECK(UbsanCatches(NegateInt, UBSAN_SIGNED_OVERFLOW, "signed-integer-overflow",
                             ": negation of -2147483648 cannot be represented in type 'int'"));
    XTEST_CHECK(UbsanCatches(DivideByZero, UBSAN_DIVIDE_BY_ZERO, "integer-divide-by-zero",
                             ": division of 5 by zero in type 'int'"));
    XTEST_CHECK(UbsanCatches(DivideOverflow, UBSAN_SIGNED_OVERFLOW, "signed-integer-overflow",
                             ": -2147483648 / -1 cannot be represented in type 'int'"));
    /* Wider than a pointer: passed by address, printed as the handle. */
    XTEST_CHECK(UbsanCatches(AddInt128, UBSAN_SIGNED_OVERFLOW, "signed-integer-overflow", ": <value 0x"));
}

static VOID ShiftTooFar(VOID) {
    UBSAN_NEXT_LINE();
    Five = One << Forty;
}

static VOID ShiftNegativeExponent(VOID) {
    UBSAN_NEXT_LINE();
    Five = One << MinusOne;
}

static VOID ShiftNegativeBase(VOID) {
    UBSAN_NEXT_LINE();
    Five = MinusOne << One;
}

static VOID ShiftOutOfRange(VOID) {
    UBSAN_NEXT_LINE();
    Five = IntMax << Five;
}

XTEST(ShiftsReportExponentAndBase) {
    XTEST_CHECK(UbsanCatches(ShiftTooFar, UBSAN_SHIFT_EXPONENT, "shift-exponent",
                             ": shift exponent 40 is too large for 32-bit type 'int'"));
    XTEST_CHECK_EQ(UbsanStop[2], 1);
    XTEST_CHECK_EQ(UbsanStop[3], 40);
    XTEST_CHECK(
        UbsanCatches(ShiftNegativeExponent, UBSAN_SHIFT_EXPONENT, "shift-exponent", ": shift exponent -1 is negative"));
    XTEST_CHECK(UbsanCatches(ShiftNegativeBase, UBSAN_SHIFT_BASE, "shift-base", ": left shift of negative value -1"));
    XTEST_CHECK(UbsanCatches(ShiftOutOfRange, UBSAN_SHIFT_BASE, "shift-base",
                             ": left shift of 2147483647 by 5 places cannot be represented in type 'int'"));
}

static VOID IndexPastEnd(VOID) {
    UBSAN_NEXT_LINE();
    Array[Five] = 1;
}

static VOID LoadMisaligned(VOID) {
    static ULONGLONG Storage[2];
    int *volatile Pointer = (int *)((PUCHAR)Storage + 1);

    UBSAN_NEXT_LINE();
    Five = *Pointer;
}

static VOID LoadNull(VOID) {
    int *volatile Pointer = NULL;

    UBSAN_NEXT_LINE();
    Five = *Pointer;
}

static VOID PointerWraps(VOID) {
    PUCHAR volatile Base = (PUCHAR)(ULONG_PTR)-16;
    PUCHAR volatile Result;

    UBSAN_NEXT_LINE();
    Result = Base + 32 * One;
    UNUSED(Result);
}

XTEST(MemoryChecksReportTheAddress) {
    XTEST_CHECK(UbsanCatches(IndexPastEnd, UBSAN_BOUNDS, "array-bounds", ": index 5 out of bounds for type 'int"));
    XTEST_CHECK_EQ(UbsanStop[2], 5);
    XTEST_CHECK(UbsanCatches(LoadMisaligned, UBSAN_ALIGNMENT, "alignment", "load of misaligned address 0x") &&
                UbsanSaw("for type 'int', which requires 4-byte alignment"));
    XTEST_CHECK_EQ(UbsanStop[3], 4);
    XTEST_CHECK(UbsanCatches(LoadNull, UBSAN_NULL, "null", ": load of null pointer of type 'int'"));
    XTEST_CHECK(
        UbsanCatches(PointerWraps, UBSAN_POINTER_OVERFLOW, "pointer-overflow",
                     ": pointer index expression with base 0xFFFFFFFFFFFFFFF0 overflowed to 0x0000000000000010"));
}

static volatile UCHAR BadBoolByte = 5;

static VOID LoadBadBool(VOID) {
    volatile bool *Pointer = (volatile bool *)&BadBoolByte;

    UBSAN_NEXT_LINE();
    Five = *Pointer ? 1 : 2;
}

static VOID VlaOfMinusOne(VOID) {
    UBSAN_NEXT_LINE();
    volatile char Buffer[MinusOne];
    Buffer[0] = 0;
    Five = Buffer[0];
}

static __attribute__((noinline)) int CountTrailingZeros(unsigned Value) {
    UBSAN_NEXT_LINE();
    return __builtin_ctz(Value);
}

static VOID CtzOfZero(VOID) {
    Five = CountTrailingZeros((unsigned)Zero);
}

static __attribute__((noinline, nonnull(1))) VOID TakesNonNull(volatile int *Pointer) {
    *Pointer = 1;
}

static VOID PassNull(VOID) {
    volatile int *volatile Pointer = NULL;

    UBSAN_NEXT_LINE();
    TakesNonNull(Pointer);
}

static __attribute__((noinline, returns_nonnull)) PVOID ReturnsNull(VOID) {
    static PVOID volatile Nothing;

    UBSAN_NEXT_LINE();
    return Nothing;
}

static VOID ReturnNull(VOID) {
    PVOID volatile Result = ReturnsNull();
    UNUSED(Result);
}

static VOID ReachUnreachable(VOID) {
    if (Zero == 0) {
        UBSAN_NEXT_LINE();
        __builtin_unreachable();
    }
}

XTEST(OtherChecksNameTheirKind) {
    XTEST_CHECK(UbsanCatches(LoadBadBool, UBSAN_INVALID_VALUE, "invalid-value",
                             ": load of value 5, which is not a valid value for type '"));
    XTEST_CHECK(UbsanCatches(VlaOfMinusOne, UBSAN_VLA_BOUND, "vla-bound",
                             ": variable length array bound evaluates to non-positive value -1"));
    XTEST_CHECK(
        UbsanCatches(CtzOfZero, UBSAN_BUILTIN, "builtin", ": passing zero to ctz(), which is not a valid argument"));
    XTEST_CHECK(UbsanCatches(PassNull, UBSAN_NONNULL_ARGUMENT, "nonnull-attribute",
                             ": null pointer passed as argument 1, which is declared to never be null"));
    XTEST_CHECK(UbsanCatches(ReturnNull, UBSAN_NONNULL_RETURN, "returns-nonnull-attribute",
                             ": null pointer returned from a function declared to never return null"));
    XTEST_CHECK(UbsanCatches(ReachUnreachable, UBSAN_UNREACHABLE, "unreachable",
                             ": execution reached an unreachable program point"));
}

XTEST_SUITE(KeUbsanSuite, XTEST_ENTRY(ArithmeticOverflowReportsOperandsAndType),
            XTEST_ENTRY(ShiftsReportExponentAndBase), XTEST_ENTRY(MemoryChecksReportTheAddress),
            XTEST_ENTRY(OtherChecksNameTheirKind));

XTEST_HOST_MAIN(&KeUbsanSuite)

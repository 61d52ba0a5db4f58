/* The kernel's undefined-behaviour sanitizer runtime: clang's __ubsan_handle_*_abort entry points, freestanding.
 * Built into the sanitized kernel only (the toolchain feature xt_ubsan, docs/kernel.md); each handler prints one
 * "UBSAN: <check> at <file>:<line>:<column>: <what>" line and STOPs with KERNEL_UBSAN_VIOLATION. */
#include <rtl.h>

#include <kd.h>
#include <ke.h>

/* The handlers exist when clang instruments the kernel, and in the host test of the handlers (ubsan_test). */
#if defined(KI_UBSAN_HOST_TEST)
#define KI_UBSAN_RUNTIME 1
#elif __has_feature(undefined_behavior_sanitizer)
#define KI_UBSAN_RUNTIME 1
#else
#define KI_UBSAN_RUNTIME 0
#endif

#if KI_UBSAN_RUNTIME

/* The runtime must not check itself: a failed check in here would re-enter it. */
#ifdef __clang__
#pragma clang attribute push(__attribute__((no_sanitize("undefined"))), apply_to = function)
#endif

/* The data clang passes to the handlers (the ABI of compiler-rt's ubsan_handlers.h). */
typedef struct _UBSAN_LOCATION {
    PCSTR File;
    ULONG Line;
    ULONG Column;
} KI_UBSAN_LOCATION;

#define KI_UBSAN_TYPE_INTEGER 0x0000 /* Info: bit 0 signed, bits 1-15 log2 of the width in bits */

typedef struct _UBSAN_TYPE {
    USHORT Kind;
    USHORT Info;
    CHAR Name[]; /* quoted, as clang spells the type: "'LONGLONG' (aka 'long long')" */
} KI_UBSAN_TYPE;

typedef struct _UBSAN_TYPE_MISMATCH_DATA {
    KI_UBSAN_LOCATION Location;
    const KI_UBSAN_TYPE *Type;
    UCHAR LogAlignment;
    UCHAR TypeCheckKind;
} KI_UBSAN_TYPE_MISMATCH_DATA;

typedef struct _UBSAN_ASSUMPTION_DATA {
    KI_UBSAN_LOCATION Location;
    KI_UBSAN_LOCATION AssumptionLocation;
    const KI_UBSAN_TYPE *Type;
} KI_UBSAN_ASSUMPTION_DATA;

/* Overflow, divide, negate, VLA bound, invalid load, function type: a location and one type. */
typedef struct _UBSAN_TYPED_DATA {
    KI_UBSAN_LOCATION Location;
    const KI_UBSAN_TYPE *Type;
} KI_UBSAN_TYPED_DATA;

/* Shift (left and right operand types) and array bounds (array and index types). */
typedef struct _UBSAN_TWO_TYPES_DATA {
    KI_UBSAN_LOCATION Location;
    const KI_UBSAN_TYPE *First;
    const KI_UBSAN_TYPE *Second;
} KI_UBSAN_TWO_TYPES_DATA;

typedef struct _UBSAN_BUILTIN_DATA {
    KI_UBSAN_LOCATION Location;
    UCHAR Kind; /* 0 ctz of zero, 1 clz of zero, 2 assume of false */
} KI_UBSAN_BUILTIN_DATA;

typedef struct _UBSAN_NONNULL_DATA {
    KI_UBSAN_LOCATION Location;
    KI_UBSAN_LOCATION AttributeLocation;
    LONG ArgumentIndex;
} KI_UBSAN_NONNULL_DATA;

/* A clang value handle: the value itself when the type fits in a pointer, else the address of the value. */
typedef ULONG_PTR KI_UBSAN_VALUE;

static volatile LONG KiUbsanPrinting; /* a report line is being formatted */

BOOLEAN KeIsUbsanBuiltIn(VOID) {
    return TRUE;
}

/* Width in bits of an integer type descriptor (0 for any other kind). */
static ULONG KiUbsanIntegerBits(const KI_UBSAN_TYPE *Type) {
    return Type->Kind == KI_UBSAN_TYPE_INTEGER && (Type->Info >> 1) < 16 ? 1u << (Type->Info >> 1) : 0;
}

/* TRUE for a signed integer type. */
static BOOLEAN KiUbsanIsSigned(const KI_UBSAN_TYPE *Type) {
    return Type->Kind == KI_UBSAN_TYPE_INTEGER && (Type->Info & 1);
}

/* Reads an integer of at most 64 bits, sign-extended when its type is signed; FALSE for any other value. */
static BOOLEAN KiUbsanReadInteger(const KI_UBSAN_TYPE *Type, KI_UBSAN_VALUE Value, PULONGLONG Integer) {
    ULONG Bits = KiUbsanIntegerBits(Type);
    ULONGLONG Raw;

    if (Bits == 0 || Bits > 64) {
        return FALSE;
    }
    Raw = Bits <= sizeof(KI_UBSAN_VALUE) * 8 ? (ULONGLONG)Value : *(const ULONGLONG *)Value;
    if (Bits < 64) {
        Raw &= (1ull << Bits) - 1;
        if (KiUbsanIsSigned(Type) && (Raw >> (Bits - 1)) != 0) {
            Raw |= ~0ull << Bits;
        }
    }
    *Integer = Raw;
    return TRUE;
}

/* TRUE when Value (of Type) is a negative integer. */
static BOOLEAN KiUbsanIsNegative(const KI_UBSAN_TYPE *Type, KI_UBSAN_VALUE Value) {
    ULONGLONG Integer;

    return KiUbsanIsSigned(Type) && KiUbsanReadInteger(Type, Value, &Integer) && (LONGLONG)Integer < 0;
}

/* A STOP parameter for Value (of Type): the integer's low pointer-width bits, else the value handle itself. */
static ULONG_PTR KiUbsanParameter(const KI_UBSAN_TYPE *Type, KI_UBSAN_VALUE Value) {
    ULONGLONG Integer;

    return KiUbsanReadInteger(Type, Value, &Integer) ? (ULONG_PTR)Integer : Value;
}

/* Formats Value (of Type) into Buffer: decimal for integers up to 64 bits, else the raw value handle. */
static PCSTR KiUbsanFormatValue(const KI_UBSAN_TYPE *Type, KI_UBSAN_VALUE Value, PCHAR Buffer, SIZE_T Size) {
    ULONGLONG Integer;

    if (!KiUbsanReadInteger(Type, Value, &Integer)) {
        RtlFormatString(Buffer, Size, "<value 0x%zx>", (SIZE_T)Value);
    } else {
        if (KiUbsanIsSigned(Type)) {
            RtlFormatString(Buffer, Size, "%lld", (long long)Integer);
        } else {
            RtlFormatString(Buffer, Size, "%llu", (unsigned long long)Integer);
        }
    }
    return Buffer;
}

/* Prints the report line "UBSAN: <Check> at <file>:<line>:<column>: <Format...>" and STOPs with
 * KERNEL_UBSAN_VIOLATION (Check, line, First, Second). A check failing inside the report STOPs without formatting. */
static XTNORETURN VOID KiUbsanReport(ULONG Check, const KI_UBSAN_LOCATION *Location, ULONG_PTR First, ULONG_PTR Second,
                                     PCSTR Format, ...) RTL_PRINTF_FORMAT(5, 6);

static XTNORETURN VOID KiUbsanReport(ULONG Check, const KI_UBSAN_LOCATION *Location, ULONG_PTR First, ULONG_PTR Second,
                                     PCSTR Format, ...) {
    static const PCSTR Names[] = {
        [UBSAN_NULL] = "null",
        [UBSAN_ALIGNMENT] = "alignment",
        [UBSAN_OBJECT_SIZE] = "object-size",
        [UBSAN_SIGNED_OVERFLOW] = "signed-integer-overflow",
        [UBSAN_UNSIGNED_OVERFLOW] = "unsigned-integer-overflow",
        [UBSAN_DIVIDE_BY_ZERO] = "integer-divide-by-zero",
        [UBSAN_SHIFT_EXPONENT] = "shift-exponent",
        [UBSAN_SHIFT_BASE] = "shift-base",
        [UBSAN_BOUNDS] = "array-bounds",
        [UBSAN_POINTER_OVERFLOW] = "pointer-overflow",
        [UBSAN_UNREACHABLE] = "unreachable",
        [UBSAN_VLA_BOUND] = "vla-bound",
        [UBSAN_INVALID_VALUE] = "invalid-value",
        [UBSAN_BUILTIN] = "builtin",
        [UBSAN_NONNULL_ARGUMENT] = "nonnull-attribute",
        [UBSAN_NONNULL_RETURN] = "returns-nonnull-attribute",
        [UBSAN_FUNCTION] = "function",
        [UBSAN_ALIGNMENT_ASSUMPTION] = "alignment-assumption",
    };
    CHAR What[192];
    va_list Arguments;

    if (__atomic_exchange_n(&KiUbsanPrinting, 1, __ATOMIC_SEQ_CST) == 0) {
        va_start(Arguments, Format);
        RtlFormatStringV(What, sizeof(What), Format, Arguments);
        va_end(Arguments);
        KdStopPrint("\nUBSAN: %s at %s:%u:%u: %s\n", Names[Check], Location->File ? Location->File : "<unknown>",
                    Location->Line, Location->Column, What);
        __atomic_store_n(&KiUbsanPrinting, 0, __ATOMIC_SEQ_CST);
    }
    KeBugCheckEx(KERNEL_UBSAN_VIOLATION, Check, Location->Line, First, Second);
}

/* The verb of a type-mismatch check ("load of", ...): compiler-rt's TypeCheckKinds order. */
static PCSTR KiUbsanAccessName(UCHAR Kind) {
    static const PCSTR Names[] = {"load of",
                                  "store to",
                                  "reference binding to",
                                  "member access within",
                                  "member call on",
                                  "constructor call on",
                                  "downcast of",
                                  "downcast of",
                                  "upcast of",
                                  "cast to virtual base of",
                                  "_Nonnull binding to",
                                  "dynamic operation on"};

    return Kind < ARRAY_SIZE(Names) ? Names[Kind] : "access to";
}

XTNORETURN VOID __ubsan_handle_type_mismatch_v1_abort(const KI_UBSAN_TYPE_MISMATCH_DATA *Data, KI_UBSAN_VALUE Pointer) {
    ULONG_PTR Alignment = (ULONG_PTR)1 << Data->LogAlignment;
    PCSTR Access = KiUbsanAccessName(Data->TypeCheckKind);

    if (Pointer == 0) {
        KiUbsanReport(UBSAN_NULL, &Data->Location, 0, 0, "%s null pointer of type %s", Access, Data->Type->Name);
    }
    if (Pointer & (Alignment - 1)) {
        KiUbsanReport(UBSAN_ALIGNMENT, &Data->Location, Pointer, Alignment,
                      "%s misaligned address 0x%p for type %s, which requires %zu-byte alignment", Access,
                      (PVOID)Pointer, Data->Type->Name, (SIZE_T)Alignment);
    }
    KiUbsanReport(UBSAN_OBJECT_SIZE, &Data->Location, Pointer, 0,
                  "%s address 0x%p with insufficient space for an object of type %s", Access, (PVOID)Pointer,
                  Data->Type->Name);
}

XTNORETURN VOID __ubsan_handle_alignment_assumption_abort(const KI_UBSAN_ASSUMPTION_DATA *Data, KI_UBSAN_VALUE Pointer,
                                                          KI_UBSAN_VALUE Alignment, KI_UBSAN_VALUE Offset) {
    KiUbsanReport(UBSAN_ALIGNMENT_ASSUMPTION, &Data->Location, Pointer, Alignment,
                  "assumption of %zu-byte alignment (offset %zu) for pointer 0x%p of type %s failed", (SIZE_T)Alignment,
                  (SIZE_T)Offset, (PVOID)Pointer, Data->Type->Name);
}

/* Arithmetic overflow: "<Left> <Operator> <Right> cannot be represented in type T". */
static XTNORETURN VOID KiUbsanOverflow(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Left, KI_UBSAN_VALUE Right,
                                       CHAR Operator) {
    CHAR LeftText[24], RightText[24];

    KiUbsanReport(KiUbsanIsSigned(Data->Type) ? UBSAN_SIGNED_OVERFLOW : UBSAN_UNSIGNED_OVERFLOW, &Data->Location,
                  KiUbsanParameter(Data->Type, Left), KiUbsanParameter(Data->Type, Right),
                  "%s %c %s cannot be represented in type %s",
                  KiUbsanFormatValue(Data->Type, Left, LeftText, sizeof(LeftText)), Operator,
                  KiUbsanFormatValue(Data->Type, Right, RightText, sizeof(RightText)), Data->Type->Name);
}

XTNORETURN VOID __ubsan_handle_add_overflow_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Left,
                                                  KI_UBSAN_VALUE Right) {
    KiUbsanOverflow(Data, Left, Right, '+');
}

XTNORETURN VOID __ubsan_handle_sub_overflow_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Left,
                                                  KI_UBSAN_VALUE Right) {
    KiUbsanOverflow(Data, Left, Right, '-');
}

XTNORETURN VOID __ubsan_handle_mul_overflow_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Left,
                                                  KI_UBSAN_VALUE Right) {
    KiUbsanOverflow(Data, Left, Right, '*');
}

XTNORETURN VOID __ubsan_handle_negate_overflow_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Value) {
    CHAR Text[24];

    KiUbsanReport(KiUbsanIsSigned(Data->Type) ? UBSAN_SIGNED_OVERFLOW : UBSAN_UNSIGNED_OVERFLOW, &Data->Location,
                  KiUbsanParameter(Data->Type, Value), 0, "negation of %s cannot be represented in type %s",
                  KiUbsanFormatValue(Data->Type, Value, Text, sizeof(Text)), Data->Type->Name);
}

XTNORETURN VOID __ubsan_handle_divrem_overflow_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Left,
                                                     KI_UBSAN_VALUE Right) {
    CHAR LeftText[24];
    ULONGLONG Divisor;

    if (KiUbsanReadInteger(Data->Type, Right, &Divisor) && Divisor == 0) {
        KiUbsanReport(UBSAN_DIVIDE_BY_ZERO, &Data->Location, KiUbsanParameter(Data->Type, Left), 0,
                      "division of %s by zero in type %s",
                      KiUbsanFormatValue(Data->Type, Left, LeftText, sizeof(LeftText)), Data->Type->Name);
    }
    KiUbsanOverflow(Data, Left, Right, '/');
}

XTNORETURN VOID __ubsan_handle_shift_out_of_bounds_abort(const KI_UBSAN_TWO_TYPES_DATA *Data, KI_UBSAN_VALUE Left,
                                                         KI_UBSAN_VALUE Right) {
    CHAR LeftText[24], RightText[24];
    PCSTR LeftValue = KiUbsanFormatValue(Data->First, Left, LeftText, sizeof(LeftText));
    PCSTR RightValue = KiUbsanFormatValue(Data->Second, Right, RightText, sizeof(RightText));
    ULONG_PTR Base = KiUbsanParameter(Data->First, Left), Shift = KiUbsanParameter(Data->Second, Right);
    ULONG Bits = KiUbsanIntegerBits(Data->First);
    ULONGLONG Exponent;

    if (KiUbsanIsNegative(Data->Second, Right)) {
        KiUbsanReport(UBSAN_SHIFT_EXPONENT, &Data->Location, Base, Shift, "shift exponent %s is negative", RightValue);
    }
    if (KiUbsanReadInteger(Data->Second, Right, &Exponent) && Exponent >= Bits) {
        KiUbsanReport(UBSAN_SHIFT_EXPONENT, &Data->Location, Base, Shift,
                      "shift exponent %s is too large for %u-bit type %s", RightValue, Bits, Data->First->Name);
    }
    if (KiUbsanIsNegative(Data->First, Left)) {
        KiUbsanReport(UBSAN_SHIFT_BASE, &Data->Location, Base, Shift, "left shift of negative value %s", LeftValue);
    }
    KiUbsanReport(UBSAN_SHIFT_BASE, &Data->Location, Base, Shift,
                  "left shift of %s by %s places cannot be represented in type %s", LeftValue, RightValue,
                  Data->First->Name);
}

XTNORETURN VOID __ubsan_handle_out_of_bounds_abort(const KI_UBSAN_TWO_TYPES_DATA *Data, KI_UBSAN_VALUE Index) {
    CHAR Text[24];

    KiUbsanReport(UBSAN_BOUNDS, &Data->Location, KiUbsanParameter(Data->Second, Index), 0,
                  "index %s out of bounds for type %s", KiUbsanFormatValue(Data->Second, Index, Text, sizeof(Text)),
                  Data->First->Name);
}

XTNORETURN VOID __ubsan_handle_pointer_overflow_abort(const KI_UBSAN_LOCATION *Location, KI_UBSAN_VALUE Base,
                                                      KI_UBSAN_VALUE Result) {
    if (Base == 0 && Result == 0) {
        KiUbsanReport(UBSAN_POINTER_OVERFLOW, Location, Base, Result, "applying zero offset to null pointer");
    }
    if (Base == 0) {
        KiUbsanReport(UBSAN_POINTER_OVERFLOW, Location, Base, Result, "applying non-zero offset 0x%p to null pointer",
                      (PVOID)Result);
    }
    if (Result == 0) {
        KiUbsanReport(UBSAN_POINTER_OVERFLOW, Location, Base, Result,
                      "applying non-zero offset to non-null pointer 0x%p produced null pointer", (PVOID)Base);
    }
    KiUbsanReport(UBSAN_POINTER_OVERFLOW, Location, Base, Result,
                  "pointer index expression with base 0x%p overflowed to 0x%p", (PVOID)Base, (PVOID)Result);
}

XTNORETURN VOID __ubsan_handle_builtin_unreachable(const KI_UBSAN_LOCATION *Location) {
    KiUbsanReport(UBSAN_UNREACHABLE, Location, 0, 0, "execution reached an unreachable program point");
}

XTNORETURN VOID __ubsan_handle_vla_bound_not_positive_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Bound) {
    CHAR Text[24];

    KiUbsanReport(UBSAN_VLA_BOUND, &Data->Location, KiUbsanParameter(Data->Type, Bound), 0,
                  "variable length array bound evaluates to non-positive value %s",
                  KiUbsanFormatValue(Data->Type, Bound, Text, sizeof(Text)));
}

XTNORETURN VOID __ubsan_handle_load_invalid_value_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Value) {
    CHAR Text[24];

    KiUbsanReport(UBSAN_INVALID_VALUE, &Data->Location, KiUbsanParameter(Data->Type, Value), 0,
                  "load of value %s, which is not a valid value for type %s",
                  KiUbsanFormatValue(Data->Type, Value, Text, sizeof(Text)), Data->Type->Name);
}

XTNORETURN VOID __ubsan_handle_invalid_builtin_abort(const KI_UBSAN_BUILTIN_DATA *Data) {
    static const PCSTR Names[] = {"ctz()", "clz()", "assume()"};

    KiUbsanReport(UBSAN_BUILTIN, &Data->Location, Data->Kind, 0, "passing %s to %s, which is not a valid argument",
                  Data->Kind == 2 ? "false" : "zero", Data->Kind < ARRAY_SIZE(Names) ? Names[Data->Kind] : "a builtin");
}

XTNORETURN VOID __ubsan_handle_nonnull_arg_abort(const KI_UBSAN_NONNULL_DATA *Data) {
    KiUbsanReport(UBSAN_NONNULL_ARGUMENT, &Data->Location, (ULONG_PTR)Data->ArgumentIndex, 0,
                  "null pointer passed as argument %d, which is declared to never be null (%s:%u)",
                  (int)Data->ArgumentIndex, Data->AttributeLocation.File ? Data->AttributeLocation.File : "?",
                  Data->AttributeLocation.Line);
}

XTNORETURN VOID __ubsan_handle_nonnull_return_v1_abort(const KI_UBSAN_LOCATION *AttributeLocation,
                                                       const KI_UBSAN_LOCATION *Location) {
    KiUbsanReport(UBSAN_NONNULL_RETURN, Location, 0, 0,
                  "null pointer returned from a function declared to never return null (%s:%u)",
                  AttributeLocation->File ? AttributeLocation->File : "?", AttributeLocation->Line);
}

XTNORETURN VOID __ubsan_handle_function_type_mismatch_abort(const KI_UBSAN_TYPED_DATA *Data, KI_UBSAN_VALUE Function) {
    KiUbsanReport(UBSAN_FUNCTION, &Data->Location, Function, 0,
                  "call to function 0x%p through pointer to incorrect function type %s", (PVOID)Function,
                  Data->Type->Name);
}

#ifdef __clang__
#pragma clang attribute pop
#endif

#else

BOOLEAN KeIsUbsanBuiltIn(VOID) {
    return FALSE;
}

#endif

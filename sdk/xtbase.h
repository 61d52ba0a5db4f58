/* XT SDK: base types. NT-style names over fixed-width C types, identical on the host and on every XT target. */
#ifndef XT_SDK_XTBASE_H
#define XT_SDK_XTBASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef void VOID, *PVOID;
typedef const void *PCVOID;
typedef uint8_t BOOLEAN, *PBOOLEAN;
typedef char CHAR, *PCHAR;
typedef const char *PCSTR;
typedef uint8_t UCHAR, *PUCHAR;
typedef int16_t SHORT, *PSHORT;
typedef uint16_t USHORT, *PUSHORT;
typedef uint16_t WCHAR, *PWCHAR;
typedef const uint16_t *PCWSTR;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef int64_t LONGLONG, *PLONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef intptr_t LONG_PTR, *PLONG_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef size_t SIZE_T, *PSIZE_T;
typedef ULONG_PTR PAGE_FRAME_NUMBER, *PPAGE_FRAME_NUMBER;
typedef ULONGLONG PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;
typedef LONG XTSTATUS;
typedef PVOID HANDLE, *PHANDLE;           /* an object handle (ex.h: a handle-table index in steps of 4) */
typedef ULONG ACCESS_MASK, *PACCESS_MASK; /* NT access rights */
/* The mode a call or a wait comes from (NT's KPROCESSOR_MODE and MODE values); Ke (waits) and Ob (access checks)
 * share it. */
typedef UCHAR KPROCESSOR_MODE;
typedef enum _MODE { KernelMode = 0, UserMode = 1, MaximumMode = 2 } MODE;

#define TRUE  ((BOOLEAN)1)
#define FALSE ((BOOLEAN)0)
#ifndef NULL
#define NULL ((void *)0)
#endif

#define XTAPI
#define XTCDECL
#define XTINLINE static inline
/* Inlined even without optimisation: for code whose return address or cost must be that of its caller. */
#define XTFORCEINLINE static inline __attribute__((always_inline))
#define XTNORETURN    _Noreturn
/* A return statement's call made as a jump in the caller's frame (clang; other compilers, the host tests' gcc, may
 * still make it one and need not). */
#if defined(__clang__)
#define XTMUSTTAIL __attribute__((musttail))
#else
#define XTMUSTTAIL
#endif
#define UNUSED(Value) ((void)(Value))

#define ARRAY_SIZE(Array)                       (sizeof(Array) / sizeof((Array)[0]))
#define FIELD_OFFSET(Type, Field)               ((LONG)offsetof(Type, Field))
#define CONTAINING_RECORD(Address, Type, Field) ((Type *)((PUCHAR)(Address)-offsetof(Type, Field)))
#define ALIGN_UP(Value, Alignment)              (((Value) + (Alignment)-1) & ~((Alignment)-1))
#define ALIGN_DOWN(Value, Alignment)            ((Value) & ~((Alignment)-1))
#define STATIC_ASSERT(Expression)               _Static_assert(Expression, #Expression)

#define EFI_PAGE_SIZE 4096
#define MM_PAGE_SIZE  4096
#define MM_PAGE_SHIFT 12

STATIC_ASSERT(sizeof(ULONG) == 4);
STATIC_ASSERT(sizeof(ULONGLONG) == 8);
STATIC_ASSERT(sizeof(WCHAR) == 2);
STATIC_ASSERT(sizeof(ULONG_PTR) == sizeof(PVOID));

#endif

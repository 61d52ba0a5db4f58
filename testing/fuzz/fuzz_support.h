/* Shared pieces of the libFuzzer harnesses: an input reader, invariant checks that abort, the RTL's fail-fast. */
#ifndef XT_TESTING_FUZZ_FUZZ_SUPPORT_H
#define XT_TESTING_FUZZ_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <xtbase.h>

/* The fuzzer's bytes, consumed front to back; reads past the end give zeros. */
typedef struct _FUZZ_INPUT {
    const UCHAR *Data;
    SIZE_T Size;
} FUZZ_INPUT, *PFUZZ_INPUT;

UCHAR FuzzTake8(PFUZZ_INPUT Input);
USHORT FuzzTake16(PFUZZ_INPUT Input);
ULONG FuzzTake32(PFUZZ_INPUT Input);
ULONGLONG FuzzTake64(PFUZZ_INPUT Input);

/* Prints the broken invariant with its location and aborts (libFuzzer then saves the input as a crash). */
XTNORETURN VOID FuzzFail(PCSTR File, ULONG Line, PCSTR Expression);

#define FUZZ_CHECK(Expression) ((Expression) ? (VOID)0 : FuzzFail(__FILE__, __LINE__, #Expression))

/* The harness entry point, called by libFuzzer once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

#endif

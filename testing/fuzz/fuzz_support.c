/* Shared pieces of the libFuzzer harnesses (see fuzz_support.h). */
#include <stdio.h>
#include <stdlib.h>

#include <rtl.h>

#include "fuzz_support.h"

int LLVMFuzzerInitialize(int *Argc, char ***Argv);

/* rep movsb/stosb (inline assembly) are invisible to ASan: the word loops are instrumented. */
int LLVMFuzzerInitialize(int *Argc, char ***Argv) {
    (VOID) Argc;
    (VOID) Argv;
    RtlSetStringInstructions(FALSE);
    return 0;
}

UCHAR FuzzTake8(PFUZZ_INPUT Input) {
    if (Input->Size == 0) {
        return 0;
    }
    Input->Size--;
    return *Input->Data++;
}

USHORT FuzzTake16(PFUZZ_INPUT Input) {
    USHORT Low = FuzzTake8(Input);
    return (USHORT)(Low | (FuzzTake8(Input) << 8));
}

ULONG FuzzTake32(PFUZZ_INPUT Input) {
    ULONG Low = FuzzTake16(Input);
    return Low | ((ULONG)FuzzTake16(Input) << 16);
}

ULONGLONG FuzzTake64(PFUZZ_INPUT Input) {
    ULONGLONG Low = FuzzTake32(Input);
    return Low | ((ULONGLONG)FuzzTake32(Input) << 32);
}

XTNORETURN VOID FuzzFail(PCSTR File, ULONG Line, PCSTR Expression) {
    fprintf(stderr, "FUZZ INVARIANT BROKEN at %s:%u: %s\n", File, Line, Expression);
    abort();
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    fprintf(stderr, "RtlFailFast(%u, %#lx, %#lx)\n", Code, (unsigned long)Parameter1, (unsigned long)Parameter2);
    abort();
}

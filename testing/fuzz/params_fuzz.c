/* Kernel parameter parser (xtoskrnl/ke/params.c): the input is the parameter string, not NUL-terminated. */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include <stdlib.h>
#include <string.h>

#include <rtl.h>
#include <xtboot.h>

#include "fuzz_support.h"
#include <params.h>

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    KE_PARAMETERS Parameters, Again;
    PCHAR Text;
    SIZE_T Length, End = 0;

    if (Size > XT_INIT_BLOCK_PARAMETERS_MAX) {
        return -1; /* the kernel reads at most this many bytes of the init block's string */
    }
    Text = malloc(Size ? Size : 1); /* exactly Size bytes: a read past Length is an ASan report */
    memcpy(Text, Data, Size);
    KeParseParameters(Text, Size, &Parameters);
    Length = strnlen(Text, Size);

    FUZZ_CHECK(!Parameters.DebugEnabled || (Parameters.DebugPort >= 1 && Parameters.DebugPort <= 4));
    FUZZ_CHECK(!Parameters.DebugEnabled || (Parameters.DebugBaud != 0 && 115200 % Parameters.DebugBaud == 0));
    FUZZ_CHECK(Parameters.DebugEnabled == (Parameters.DebugPort != 0)); /* DEBUG=SCREEN alone: no serial port */
    FUZZ_CHECK(Parameters.TestFault <= KeTestFaultSpecialPool);
    FUZZ_CHECK(KeTestFaultName(Parameters.TestFault) != NULL);
    for (ULONG Index = 0; Index < Parameters.IgnoredCount && Index < KE_PARAMETER_IGNORED_MAX; Index++) {
        const KE_IGNORED_PARAMETER *Ignored = &Parameters.Ignored[Index];
        /* In order, inside the string, one whole token each: no blank inside, blanks or the end around it. */
        FUZZ_CHECK(Ignored->Offset >= End && Ignored->Length > 0 && Ignored->Offset + Ignored->Length <= Length);
        FUZZ_CHECK(Ignored->Problem == KeParameterUnknown || Ignored->Problem == KeParameterBadValue);
        for (SIZE_T Offset = Ignored->Offset; Offset < (SIZE_T)Ignored->Offset + Ignored->Length; Offset++) {
            FUZZ_CHECK(Text[Offset] != ' ' && Text[Offset] != '\t' && Text[Offset] != '\0');
        }
        FUZZ_CHECK(Ignored->Offset == 0 || Text[Ignored->Offset - 1] == ' ' || Text[Ignored->Offset - 1] == '\t');
        End = (SIZE_T)Ignored->Offset + Ignored->Length;
        FUZZ_CHECK(End == Length || Text[End] == ' ' || Text[End] == '\t');
    }
    /* Deterministic, and nothing beyond the first NUL counts. */
    KeParseParameters(Text, Length, &Again);
    FUZZ_CHECK(memcmp(&Parameters, &Again, sizeof(Parameters)) == 0);
    free(Text);
    return 0;
}

/* Object names (xtoskrnl/ob/obname.c): the input bytes are a UTF-16 path (the first byte picks an odd length or a
 * short MaximumLength now and then). Validation must agree with a reference written from obname.h; a valid path's
 * components must be non-empty, separator- and NUL-free, inside the path and rebuild it exactly; each component's
 * bucket must not change with its case; splitting the path at any separator and reparsing the halves gives it back. */
#include <stdlib.h>
#include <string.h>

#include <obname.h>

#include "fuzz_support.h"

/* The contract of ObpValidateObjectPath, stated directly. */
static XTSTATUS ReferenceValidate(const WCHAR *Text, SIZE_T Bytes, SIZE_T Maximum) {
    SIZE_T Count = Bytes / 2;

    if ((Bytes & 1) || Bytes > Maximum) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    if (Count == 0 || Text[0] != u'\\') {
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    for (SIZE_T Index = 0; Index < Count; Index++) {
        if (Text[Index] == 0 || (Index > 0 && Text[Index] == u'\\' && Text[Index - 1] == u'\\')) {
            return STATUS_OBJECT_NAME_INVALID;
        }
    }
    return Count > 1 && Text[Count - 1] == u'\\' ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS;
}

static VOID CheckComponents(PCUNICODE_STRING Path) {
    UNICODE_STRING Remaining = *Path, Component;
    WCHAR *Rebuilt = malloc(Path->Length + 2), Upper[256], Lower[256];
    SIZE_T Length = 0;

    while (ObpGetNextComponent(&Remaining, &Component)) {
        SIZE_T Count = Component.Length / 2;

        FUZZ_CHECK(Count > 0 && Component.Buffer > Path->Buffer &&
                   Component.Buffer + Count <= Path->Buffer + Path->Length / 2);
        Rebuilt[Length++] = u'\\';
        for (SIZE_T Index = 0; Index < Count; Index++) {
            FUZZ_CHECK(Component.Buffer[Index] != u'\\' && Component.Buffer[Index] != 0);
            Rebuilt[Length++] = Component.Buffer[Index];
        }
        if (Count <= 256) {
            UNICODE_STRING U = {(USHORT)(Count * 2), (USHORT)(Count * 2), Upper}, L = U;

            L.Buffer = Lower;
            for (SIZE_T Index = 0; Index < Count; Index++) {
                WCHAR C = Component.Buffer[Index];
                Upper[Index] = RtlUpcaseWideChar(C);
                Lower[Index] = (C >= u'A' && C <= u'Z') ? (WCHAR)(C - u'A' + u'a') : C;
            }
            FUZZ_CHECK(ObpHashComponent(&Component) < OBP_DIRECTORY_BUCKETS);
            FUZZ_CHECK(ObpHashComponent(&U) == ObpHashComponent(&Component));
            FUZZ_CHECK(ObpHashComponent(&L) == ObpHashComponent(&Component));
        }
    }
    if (Length == 0) {
        Rebuilt[Length++] = u'\\'; /* the root */
    }
    FUZZ_CHECK(Length * 2 == Path->Length && memcmp(Rebuilt, Path->Buffer, Path->Length) == 0);
    free(Rebuilt);
}

/* Splits Path before each separator and reparses: Target + Remaining must give Path back. */
static VOID CheckReparse(PCUNICODE_STRING Path) {
    WCHAR *Buffer = malloc(Path->Length + 2);
    UNICODE_STRING Result;

    for (SIZE_T Split = 1; Split < Path->Length / 2; Split++) {
        if (Path->Buffer[Split] == u'\\') {
            UNICODE_STRING Target = {(USHORT)(Split * 2), (USHORT)(Split * 2), Path->Buffer};
            UNICODE_STRING Rest = {(USHORT)(Path->Length - Split * 2), (USHORT)(Path->Length - Split * 2),
                                   Path->Buffer + Split};

            FUZZ_CHECK(ObpBuildReparsePath(&Target, &Rest, Buffer, Path->Length, &Result) == STATUS_SUCCESS);
            FUZZ_CHECK(Result.Length == Path->Length && memcmp(Result.Buffer, Path->Buffer, Path->Length) == 0);
            FUZZ_CHECK(ObpBuildReparsePath(&Target, &Rest, Buffer, Path->Length - 2, &Result) ==
                       STATUS_BUFFER_TOO_SMALL);
        }
    }
    free(Buffer);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    UCHAR Mode = Size > 0 ? Data[0] : 0;
    SIZE_T Bytes = Size > 0 ? Size - 1 : 0;
    WCHAR *Text = malloc(Bytes + 1); /* exact size (rounded up to whole characters): ASan sees overreads */
    UNICODE_STRING Path;

    if (Bytes > RTL_MAX_UNICODE_LENGTH) {
        free(Text);
        return 0;
    }
    memcpy(Text, Data + (Size > 0), Bytes);
    Path.Buffer = Text;
    Path.Length = (USHORT)((Mode & 1) ? Bytes : Bytes & ~(SIZE_T)1);
    Path.MaximumLength = (USHORT)((Mode & 6) == 6 && Path.Length >= 2 ? Path.Length - 2 : Bytes);
    FUZZ_CHECK(ObpValidateObjectPath(&Path) == ReferenceValidate(Text, Path.Length, Path.MaximumLength));
    if (ObpValidateObjectPath(&Path) == STATUS_SUCCESS) {
        CheckComponents(&Path);
        CheckReparse(&Path);
    }
    free(Text);
    return 0;
}

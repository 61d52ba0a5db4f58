/* Object names: path validation, component iteration, bucket hashing and reparse paths (obname.h). Pure: the host
 * tests and the fuzzer build it unchanged. */
#include "obname.h"

XTSTATUS ObpValidateObjectPath(PCUNICODE_STRING Path) {
    SIZE_T Count;

    if (Path == NULL || (Path->Length & 1) != 0 || Path->Length > Path->MaximumLength ||
        (Path->Length != 0 && Path->Buffer == NULL)) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    Count = Path->Length / sizeof(WCHAR);
    if (Count == 0 || Path->Buffer[0] != OBJ_NAME_PATH_SEPARATOR) {
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    for (SIZE_T Index = 1; Index < Count; Index++) {
        if (Path->Buffer[Index] == 0 ||
            (Path->Buffer[Index] == OBJ_NAME_PATH_SEPARATOR && Path->Buffer[Index - 1] == OBJ_NAME_PATH_SEPARATOR)) {
            return STATUS_OBJECT_NAME_INVALID;
        }
    }
    if (Count > 1 && Path->Buffer[Count - 1] == OBJ_NAME_PATH_SEPARATOR) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    return STATUS_SUCCESS;
}

BOOLEAN ObpGetNextComponent(PUNICODE_STRING Remaining, PUNICODE_STRING Component) {
    PWCHAR Cursor = Remaining->Buffer;
    SIZE_T Count = Remaining->Length / sizeof(WCHAR), Length = 0;

    if (Count > 0 && Cursor[0] == OBJ_NAME_PATH_SEPARATOR) {
        Cursor++;
        Count--;
    }
    while (Length < Count && Cursor[Length] != OBJ_NAME_PATH_SEPARATOR) {
        Length++;
    }
    Component->Buffer = Cursor;
    Component->Length = Component->MaximumLength = (USHORT)(Length * sizeof(WCHAR));
    Remaining->Buffer = Cursor + Length;
    Remaining->Length = Remaining->MaximumLength = (USHORT)((Count - Length) * sizeof(WCHAR));
    return Length > 0;
}

ULONG ObpHashComponent(PCUNICODE_STRING Component) {
    ULONG Hash = 0;

    for (SIZE_T Index = 0; Index < Component->Length / sizeof(WCHAR); Index++) {
        Hash = Hash * 31 + RtlUpcaseWideChar(Component->Buffer[Index]);
    }
    return Hash % OBP_DIRECTORY_BUCKETS;
}

XTSTATUS ObpBuildReparsePath(PCUNICODE_STRING Target, PCUNICODE_STRING Remaining, PWCHAR Buffer, SIZE_T Size,
                             PUNICODE_STRING Result) {
    SIZE_T Length = (SIZE_T)Target->Length + Remaining->Length;

    if (Length > RTL_MAX_UNICODE_LENGTH) {
        return STATUS_NAME_TOO_LONG;
    }
    if (Length > Size) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    RtlCopyMemory(Buffer, Target->Buffer, Target->Length);
    RtlCopyMemory((PUCHAR)Buffer + Target->Length, Remaining->Buffer, Remaining->Length);
    Result->Buffer = Buffer;
    Result->Length = (USHORT)Length;
    Result->MaximumLength = (USHORT)((Size > RTL_MAX_UNICODE_LENGTH ? RTL_MAX_UNICODE_LENGTH : Size) & ~(SIZE_T)1);
    return STATUS_SUCCESS;
}

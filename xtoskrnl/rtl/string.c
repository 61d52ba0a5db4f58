/* Counted and NUL-terminated strings: lengths, initialisation, ASCII case-folding comparisons, UCS-2 <-> ASCII. */
#include <rtl.h>

SIZE_T RtlStringLength(PCSTR String, SIZE_T MaxLength) {
    SIZE_T Length = 0;

    if (String == NULL) {
        return 0;
    }
    while (Length < MaxLength && String[Length] != '\0') {
        Length++;
    }
    return Length;
}

SIZE_T RtlWideStringLength(PCWSTR String, SIZE_T MaxLength) {
    SIZE_T Length = 0;

    if (String == NULL) {
        return 0;
    }
    while (Length < MaxLength && String[Length] != 0) {
        Length++;
    }
    return Length;
}

VOID RtlInitAnsiString(PANSI_STRING Destination, PCSTR Source) {
    SIZE_T Length = RtlStringLength(Source, RTL_MAX_ANSI_LENGTH);

    Destination->Buffer = (PCHAR)Source;
    Destination->Length = (USHORT)Length;
    Destination->MaximumLength = (Source == NULL) ? 0 : (USHORT)(Length + 1);
}

VOID RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source) {
    SIZE_T Length = RtlWideStringLength(Source, RTL_MAX_UNICODE_LENGTH / sizeof(WCHAR)) * sizeof(WCHAR);

    Destination->Buffer = (PWCHAR)Source;
    Destination->Length = (USHORT)Length;
    Destination->MaximumLength = (Source == NULL) ? 0 : (USHORT)(Length + sizeof(WCHAR));
}

/* Compares Count1 and Count2 characters (the shorter one sorting first when it is a prefix of the other). */
static LONG RtlpCompareCharacters(PCSTR String1, SIZE_T Count1, PCSTR String2, SIZE_T Count2, BOOLEAN CaseInsensitive) {
    SIZE_T Count = (Count1 < Count2) ? Count1 : Count2;
    SIZE_T Index;

    for (Index = 0; Index < Count; Index++) {
        UCHAR Character1 = (UCHAR)String1[Index];
        UCHAR Character2 = (UCHAR)String2[Index];
        if (CaseInsensitive) {
            Character1 = (UCHAR)RtlUpcaseChar((CHAR)Character1);
            Character2 = (UCHAR)RtlUpcaseChar((CHAR)Character2);
        }
        if (Character1 != Character2) {
            return (LONG)Character1 - (LONG)Character2;
        }
    }
    return (Count1 < Count2) ? -1 : (Count1 > Count2) ? 1 : 0;
}

static LONG RtlpCompareWideCharacters(PCWSTR String1, SIZE_T Count1, PCWSTR String2, SIZE_T Count2,
                                      BOOLEAN CaseInsensitive) {
    SIZE_T Count = (Count1 < Count2) ? Count1 : Count2;
    SIZE_T Index;

    for (Index = 0; Index < Count; Index++) {
        WCHAR Character1 = String1[Index];
        WCHAR Character2 = String2[Index];
        if (CaseInsensitive) {
            Character1 = RtlUpcaseWideChar(Character1);
            Character2 = RtlUpcaseWideChar(Character2);
        }
        if (Character1 != Character2) {
            return (LONG)Character1 - (LONG)Character2;
        }
    }
    return (Count1 < Count2) ? -1 : (Count1 > Count2) ? 1 : 0;
}

LONG RtlCompareString(PCANSI_STRING String1, PCANSI_STRING String2, BOOLEAN CaseInsensitive) {
    return RtlpCompareCharacters(String1->Buffer, String1->Length, String2->Buffer, String2->Length, CaseInsensitive);
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInsensitive) {
    return RtlpCompareWideCharacters(String1->Buffer, String1->Length / sizeof(WCHAR), String2->Buffer,
                                     String2->Length / sizeof(WCHAR), CaseInsensitive);
}

BOOLEAN RtlEqualString(PCANSI_STRING String1, PCANSI_STRING String2, BOOLEAN CaseInsensitive) {
    return (BOOLEAN)(String1->Length == String2->Length && RtlCompareString(String1, String2, CaseInsensitive) == 0);
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInsensitive) {
    return (BOOLEAN)(String1->Length == String2->Length &&
                     RtlCompareUnicodeString(String1, String2, CaseInsensitive) == 0);
}

LONG RtlCompareCString(PCSTR String1, PCSTR String2, SIZE_T MaxLength, BOOLEAN CaseInsensitive) {
    SIZE_T Length1 = RtlStringLength(String1, MaxLength);
    SIZE_T Length2 = RtlStringLength(String2, MaxLength);

    return RtlpCompareCharacters(String1, Length1, String2, Length2, CaseInsensitive);
}

LONG RtlCompareWideCString(PCWSTR String1, PCWSTR String2, SIZE_T MaxLength, BOOLEAN CaseInsensitive) {
    SIZE_T Length1 = RtlWideStringLength(String1, MaxLength);
    SIZE_T Length2 = RtlWideStringLength(String2, MaxLength);

    return RtlpCompareWideCharacters(String1, Length1, String2, Length2, CaseInsensitive);
}

/* Copies Count characters narrowing UCS-2 to ASCII ('?' for anything above 0x7F). */
static VOID RtlpNarrow(PCHAR Destination, PCWSTR Source, SIZE_T Count) {
    SIZE_T Index;

    for (Index = 0; Index < Count; Index++) {
        Destination[Index] = (Source[Index] < 0x80) ? (CHAR)Source[Index] : '?';
    }
}

/* Copies Count characters widening ASCII to UCS-2 (u'?' for bytes above 0x7F). */
static VOID RtlpWiden(PWCHAR Destination, PCSTR Source, SIZE_T Count) {
    SIZE_T Index;

    for (Index = 0; Index < Count; Index++) {
        Destination[Index] = ((UCHAR)Source[Index] < 0x80) ? (WCHAR)Source[Index] : u'?';
    }
}

XTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PCUNICODE_STRING Source) {
    SIZE_T Count = Source->Length / sizeof(WCHAR);
    SIZE_T Capacity = Destination->MaximumLength;
    XTSTATUS Status = STATUS_SUCCESS;

    if (Count > Capacity) {
        Count = Capacity;
        Status = STATUS_BUFFER_OVERFLOW;
    }
    RtlpNarrow(Destination->Buffer, Source->Buffer, Count);
    if (Count < Capacity) {
        Destination->Buffer[Count] = '\0';
    }
    Destination->Length = (USHORT)Count;
    return Status;
}

XTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PCANSI_STRING Source) {
    SIZE_T Count = Source->Length;
    SIZE_T Capacity = Destination->MaximumLength / sizeof(WCHAR);
    XTSTATUS Status = STATUS_SUCCESS;

    if (Count > RTL_MAX_UNICODE_LENGTH / sizeof(WCHAR)) {
        Count = RTL_MAX_UNICODE_LENGTH / sizeof(WCHAR);
        Status = STATUS_BUFFER_OVERFLOW;
    }
    if (Count > Capacity) {
        Count = Capacity;
        Status = STATUS_BUFFER_OVERFLOW;
    }
    RtlpWiden(Destination->Buffer, Source->Buffer, Count);
    if (Count < Capacity) {
        Destination->Buffer[Count] = 0;
    }
    Destination->Length = (USHORT)(Count * sizeof(WCHAR));
    return Status;
}

SIZE_T RtlWideToAnsi(PCHAR Destination, SIZE_T DestinationSize, PCWSTR Source, SIZE_T SourceLength) {
    SIZE_T Count;

    if (DestinationSize == 0) {
        return 0;
    }
    Count = RtlWideStringLength(Source, SourceLength < DestinationSize - 1 ? SourceLength : DestinationSize - 1);
    RtlpNarrow(Destination, Source, Count);
    Destination[Count] = '\0';
    return Count;
}

SIZE_T RtlAnsiToWide(PWCHAR Destination, SIZE_T DestinationSize, PCSTR Source, SIZE_T SourceLength) {
    SIZE_T Count;

    if (DestinationSize == 0) {
        return 0;
    }
    Count = RtlStringLength(Source, SourceLength < DestinationSize - 1 ? SourceLength : DestinationSize - 1);
    RtlpWiden(Destination, Source, Count);
    Destination[Count] = 0;
    return Count;
}

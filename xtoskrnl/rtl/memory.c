/* Memory copy, fill and compare: word-wide loops, or the CPU's string instructions for large blocks when fast. */
#include "rtlp.h"

#define RTLP_WORD_SIZE sizeof(ULONG_PTR)
/* Blocks at least this long use rep movsb / rep stosb when enabled (their start-up cost dominates below). */
#define RTLP_STRING_THRESHOLD 128

typedef ULONG_PTR __attribute__((may_alias)) RTLP_WORD;
typedef ULONG_PTR __attribute__((may_alias, aligned(1))) RTLP_UNALIGNED_WORD;

/* -1: not probed yet; otherwise TRUE or FALSE. */
static LONG RtlpUseStringInstructions = -1;

/* TRUE when blocks of Length bytes should use the string instructions. */
static BOOLEAN RtlpUseStrings(SIZE_T Length) {
    if (Length < RTLP_STRING_THRESHOLD) {
        return FALSE;
    }
    if (RtlpUseStringInstructions < 0) {
        RtlpUseStringInstructions = RtlpCpuHasErms();
    }
    return (BOOLEAN)RtlpUseStringInstructions;
}

BOOLEAN RtlSetStringInstructions(BOOLEAN Enable) {
    BOOLEAN Previous;

    if (RtlpUseStringInstructions < 0) {
        RtlpUseStringInstructions = RtlpCpuHasErms();
    }
    Previous = (BOOLEAN)RtlpUseStringInstructions;
    RtlpUseStringInstructions = Enable ? 1 : 0;
    return Previous;
}

/* Fills with the word loop: bytes up to word alignment, words, then the tail. */
static VOID RtlpFillWords(PUCHAR Destination, UCHAR Value, SIZE_T Length) {
    ULONG_PTR Pattern = ((ULONG_PTR)-1 / 0xFF) * Value;

    while (Length != 0 && ((ULONG_PTR)Destination & (RTLP_WORD_SIZE - 1)) != 0) {
        *Destination++ = Value;
        Length--;
    }
    for (; Length >= 4 * RTLP_WORD_SIZE; Length -= 4 * RTLP_WORD_SIZE, Destination += 4 * RTLP_WORD_SIZE) {
        ((RTLP_WORD *)Destination)[0] = Pattern;
        ((RTLP_WORD *)Destination)[1] = Pattern;
        ((RTLP_WORD *)Destination)[2] = Pattern;
        ((RTLP_WORD *)Destination)[3] = Pattern;
    }
    for (; Length >= RTLP_WORD_SIZE; Length -= RTLP_WORD_SIZE, Destination += RTLP_WORD_SIZE) {
        *(RTLP_WORD *)Destination = Pattern;
    }
    while (Length-- != 0) {
        *Destination++ = Value;
    }
}

/* Copies upward with aligned word stores; correct when Destination is below Source even if they overlap. */
static VOID RtlpCopyWordsForward(PUCHAR Destination, const UCHAR *Source, SIZE_T Length) {
    while (Length != 0 && ((ULONG_PTR)Destination & (RTLP_WORD_SIZE - 1)) != 0) {
        *Destination++ = *Source++;
        Length--;
    }
    for (; Length >= 4 * RTLP_WORD_SIZE; Length -= 4 * RTLP_WORD_SIZE) {
        /* All loads before the stores: safe when Destination is below an overlapping Source. */
        ULONG_PTR Word0 = ((const RTLP_UNALIGNED_WORD *)Source)[0];
        ULONG_PTR Word1 = ((const RTLP_UNALIGNED_WORD *)Source)[1];
        ULONG_PTR Word2 = ((const RTLP_UNALIGNED_WORD *)Source)[2];
        ULONG_PTR Word3 = ((const RTLP_UNALIGNED_WORD *)Source)[3];
        ((RTLP_WORD *)Destination)[0] = Word0;
        ((RTLP_WORD *)Destination)[1] = Word1;
        ((RTLP_WORD *)Destination)[2] = Word2;
        ((RTLP_WORD *)Destination)[3] = Word3;
        Destination += 4 * RTLP_WORD_SIZE;
        Source += 4 * RTLP_WORD_SIZE;
    }
    for (; Length >= RTLP_WORD_SIZE; Length -= RTLP_WORD_SIZE) {
        *(RTLP_WORD *)Destination = *(const RTLP_UNALIGNED_WORD *)Source;
        Destination += RTLP_WORD_SIZE;
        Source += RTLP_WORD_SIZE;
    }
    while (Length-- != 0) {
        *Destination++ = *Source++;
    }
}

/* Copies downward from the end; correct when Destination is above Source even if they overlap. */
static VOID RtlpCopyWordsBackward(PUCHAR Destination, const UCHAR *Source, SIZE_T Length) {
    Destination += Length;
    Source += Length;
    while (Length != 0 && ((ULONG_PTR)Destination & (RTLP_WORD_SIZE - 1)) != 0) {
        *--Destination = *--Source;
        Length--;
    }
    for (; Length >= 4 * RTLP_WORD_SIZE; Length -= 4 * RTLP_WORD_SIZE) {
        /* All loads before the stores: safe when Destination is above an overlapping Source. */
        Destination -= 4 * RTLP_WORD_SIZE;
        Source -= 4 * RTLP_WORD_SIZE;
        ULONG_PTR Word3 = ((const RTLP_UNALIGNED_WORD *)Source)[3];
        ULONG_PTR Word2 = ((const RTLP_UNALIGNED_WORD *)Source)[2];
        ULONG_PTR Word1 = ((const RTLP_UNALIGNED_WORD *)Source)[1];
        ULONG_PTR Word0 = ((const RTLP_UNALIGNED_WORD *)Source)[0];
        ((RTLP_WORD *)Destination)[3] = Word3;
        ((RTLP_WORD *)Destination)[2] = Word2;
        ((RTLP_WORD *)Destination)[1] = Word1;
        ((RTLP_WORD *)Destination)[0] = Word0;
    }
    for (; Length >= RTLP_WORD_SIZE; Length -= RTLP_WORD_SIZE) {
        Destination -= RTLP_WORD_SIZE;
        Source -= RTLP_WORD_SIZE;
        *(RTLP_WORD *)Destination = *(const RTLP_UNALIGNED_WORD *)Source;
    }
    while (Length-- != 0) {
        *--Destination = *--Source;
    }
}

VOID RtlZeroMemory(PVOID Destination, SIZE_T Length) {
    RtlFillMemory(Destination, Length, 0);
}

VOID RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Value) {
    if (RtlpUseStrings(Length)) {
        RtlpStringFill(Destination, Value, Length);
    } else {
        RtlpFillWords(Destination, Value, Length);
    }
}

VOID RtlCopyMemory(PVOID Destination, PCVOID Source, SIZE_T Length) {
    if (RtlpUseStrings(Length)) {
        RtlpStringCopyForward(Destination, Source, Length);
    } else {
        RtlpCopyWordsForward(Destination, Source, Length);
    }
}

VOID RtlMoveMemory(PVOID Destination, PCVOID Source, SIZE_T Length) {
    ULONG_PTR Distance = (ULONG_PTR)Destination - (ULONG_PTR)Source;

    if (Distance >= Length) {
        /* Destination below Source (the subtraction wrapped) or past its end: an upward copy is safe. */
        RtlCopyMemory(Destination, Source, Length);
    } else if (Distance != 0) {
        RtlpCopyWordsBackward(Destination, Source, Length);
    }
}

SIZE_T RtlCompareMemory(PCVOID Source1, PCVOID Source2, SIZE_T Length) {
    const UCHAR *Bytes1 = Source1;
    const UCHAR *Bytes2 = Source2;
    SIZE_T Index = 0;

    while (Length - Index >= RTLP_WORD_SIZE &&
           *(const RTLP_UNALIGNED_WORD *)(Bytes1 + Index) == *(const RTLP_UNALIGNED_WORD *)(Bytes2 + Index)) {
        Index += RTLP_WORD_SIZE;
    }
    while (Index < Length && Bytes1[Index] == Bytes2[Index]) {
        Index++;
    }
    return Index;
}

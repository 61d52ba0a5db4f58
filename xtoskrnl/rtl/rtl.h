/* XTOS Runtime Library: the freestanding C library shared by the loader, the kernel and host unit tests.
 * Contracts are summarised in docs/rtl.md. */
#ifndef XT_RTL_RTL_H
#define XT_RTL_RTL_H

#include <xtbase.h>
#include <xtstatus.h>

/* printf-style argument checking for the formatter. */
#define RTL_PRINTF_FORMAT(FormatIndex, FirstArgument) __attribute__((format(printf, FormatIndex, FirstArgument)))

/* ------------------------------------------------------------------------------------------------------------ */
/* Fail-fast                                                                                                    */
/* ------------------------------------------------------------------------------------------------------------ */

/* Fail-fast codes (NT FAST_FAIL_* values where they exist). */
#define RTL_FAIL_CORRUPT_LIST_ENTRY 3

/* Provided by the environment (loader, kernel, host test): reports an unrecoverable corruption and never returns. */
XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2);

/* ------------------------------------------------------------------------------------------------------------ */
/* Linked lists                                                                                                 */
/* ------------------------------------------------------------------------------------------------------------ */

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* Makes ListHead an empty circular list (both links point to itself). */
XTINLINE VOID RtlInitializeListHead(PLIST_ENTRY ListHead) {
    ListHead->Flink = ListHead;
    ListHead->Blink = ListHead;
}

/* TRUE when the list headed by ListHead has no entries. */
XTINLINE BOOLEAN RtlListEmpty(const LIST_ENTRY *ListHead) {
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* Inserts Entry right after ListHead. Fails fast (RTL_FAIL_CORRUPT_LIST_ENTRY) if ListHead's links are broken. */
VOID RtlInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry);

/* Inserts Entry right before ListHead (at the tail). Fails fast if ListHead's links are broken. */
VOID RtlInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry);

/* Unlinks Entry from its list; returns TRUE when the list became empty. Fails fast if the neighbours' links do not
 * point back to Entry. */
BOOLEAN RtlRemoveEntryList(PLIST_ENTRY Entry);

/* Unlinks and returns the first entry; returns ListHead itself when the list is empty. Fails fast on corruption. */
PLIST_ENTRY RtlRemoveHeadList(PLIST_ENTRY ListHead);

/* Unlinks and returns the last entry; returns ListHead itself when the list is empty. Fails fast on corruption. */
PLIST_ENTRY RtlRemoveTailList(PLIST_ENTRY ListHead);

/* Pushes Entry on the front of the singly linked list ListHead. */
XTINLINE VOID RtlPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry) {
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

/* Pops the front entry of the singly linked list ListHead; NULL when empty. */
XTINLINE PSINGLE_LIST_ENTRY RtlPopEntryList(PSINGLE_LIST_ENTRY ListHead) {
    PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;
    if (FirstEntry != NULL) {
        ListHead->Next = FirstEntry->Next;
    }
    return FirstEntry;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Interlocked singly linked lists (SLIST)                                                                      */
/* ------------------------------------------------------------------------------------------------------------ */

/* A lock-free LIFO any processor may push to and pop from at any RunLevel. The header is two pointer-sized words
 * swapped as one by a double-width compare-exchange (amd64 CMPXCHG16B, i686 CMPXCHG8B: arch files chosen by BUILD).
 * Every push adds one to the header's sequence, so a pop that read the header before another processor popped its
 * first entry and pushed it back (ABA) fails its compare-exchange and retries. The sequence has 48 bits on amd64 and
 * 16 on i686 (NT's width: a stale pop succeeds only if exactly a multiple of 65536 pushes happened in between). An
 * entry's memory must stay mapped while it may be popped (a pop may read the link of an entry another processor just
 * took). amd64 kernels need CMPXCHG16B: RtlIsInterlockedSListSupported says whether the processor has it. */

typedef struct _SLIST_ENTRY {
    struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

/* Aligned to its size, as the double-width compare-exchange requires. */
typedef struct __attribute__((aligned(2 * sizeof(PVOID)))) _SLIST_HEADER {
    PSLIST_ENTRY Next;       /* the first entry; NULL when empty */
    ULONG_PTR DepthSequence; /* bits 0-15: the depth (modulo 65536); bits 16 and up: the push sequence */
} SLIST_HEADER, *PSLIST_HEADER;

#define RTL_SLIST_DEPTH_MASK     0xFFFFu
#define RTL_SLIST_SEQUENCE_SHIFT 16
#define RTL_SLIST_SEQUENCE_ONE   ((ULONG_PTR)1 << RTL_SLIST_SEQUENCE_SHIFT)

STATIC_ASSERT(sizeof(SLIST_HEADER) == 2 * sizeof(PVOID));
STATIC_ASSERT(_Alignof(SLIST_HEADER) == 2 * sizeof(PVOID));
STATIC_ASSERT(offsetof(SLIST_HEADER, Next) == 0);
STATIC_ASSERT(offsetof(SLIST_HEADER, DepthSequence) == sizeof(PVOID));

/* Makes ListHead empty (depth 0, sequence 0). Not interlocked: before the list is shared. */
VOID RtlInitializeSListHead(PSLIST_HEADER ListHead);

/* Pushes ListEntry on ListHead; returns the entry that was first before (NULL if the list was empty). */
PSLIST_ENTRY RtlInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry);

/* Pops the first entry of ListHead; NULL when the list is empty. */
PSLIST_ENTRY RtlInterlockedPopEntrySList(PSLIST_HEADER ListHead);

/* Empties ListHead at once and returns its former entries as a NULL-terminated chain (NULL if it was empty). */
PSLIST_ENTRY RtlInterlockedFlushSList(PSLIST_HEADER ListHead);

/* The number of entries on ListHead (a snapshot; modulo 65536). */
USHORT RtlQueryDepthSList(PSLIST_HEADER ListHead);

/* Swaps *ListHead for *Exchange if it equals *Comparand, atomically (both words); on failure *Comparand receives the
 * current header. TRUE when swapped. The arch's double-width compare-exchange (amd64/slist.c, i686/slist.c). */
BOOLEAN RtlpCompareExchangeSListHeader(PSLIST_HEADER ListHead, PSLIST_HEADER Comparand, const SLIST_HEADER *Exchange);

/* TRUE when the processor has the compare-exchange the SLIST needs (amd64: CPUID.1:ECX[13] CMPXCHG16B; i686:
 * CPUID.1:EDX[8] CMPXCHG8B). *Leaf, *Register (0 EAX .. 3 EDX) and *Bit (optional) name the feature flag. */
BOOLEAN RtlIsInterlockedSListSupported(PULONG Leaf, PULONG Register, PULONG Bit);

/* ------------------------------------------------------------------------------------------------------------ */
/* Memory                                                                                                       */
/* ------------------------------------------------------------------------------------------------------------ */

/* Sets Length bytes at Destination to zero. */
VOID RtlZeroMemory(PVOID Destination, SIZE_T Length);

/* Sets Length bytes at Destination to Value. */
VOID RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Value);

/* Same as RtlFillMemory. */
#define RtlSetMemory(Destination, Length, Value) RtlFillMemory((Destination), (Length), (Value))

/* Copies Length bytes from Source to Destination; the two ranges must not overlap (use RtlMoveMemory). */
VOID RtlCopyMemory(PVOID Destination, PCVOID Source, SIZE_T Length);

/* Copies Length bytes from Source to Destination; correct for overlapping ranges in either direction. */
VOID RtlMoveMemory(PVOID Destination, PCVOID Source, SIZE_T Length);

/* Returns the number of leading bytes that are equal in both ranges (Length when they match entirely). */
SIZE_T RtlCompareMemory(PCVOID Source1, PCVOID Source2, SIZE_T Length);

/* Chooses whether the copy and fill routines use the CPU's string instructions (rep movsb / rep stosb) for large
 * blocks; the default is "the CPU advertises ERMS". Returns the previous setting. For tests and benchmarks. */
BOOLEAN RtlSetStringInstructions(BOOLEAN Enable);

/* ------------------------------------------------------------------------------------------------------------ */
/* Bitmaps                                                                                                      */
/* ------------------------------------------------------------------------------------------------------------ */

/* A bitmap of SizeOfBitMap bits stored in ULONG_PTR words, bit N in word N / RTL_BITMAP_WORD_BITS. Bits of the
 * last word beyond SizeOfBitMap are never read as part of the map nor modified by range operations. */
typedef struct _RTL_BITMAP {
    ULONG_PTR SizeOfBitMap;
    PULONG_PTR Buffer;
} RTL_BITMAP, *PRTL_BITMAP;

typedef const RTL_BITMAP *PCRTL_BITMAP;

#define RTL_BITMAP_WORD_BITS (sizeof(ULONG_PTR) * 8)
/* Number of ULONG_PTR words a map of Bits bits needs. */
#define RTL_BITMAP_WORDS(Bits) (((Bits) + RTL_BITMAP_WORD_BITS - 1) / RTL_BITMAP_WORD_BITS)
/* Returned by the find routines when no run fits. */
#define RTL_BITMAP_NOT_FOUND (~(ULONG_PTR)0)

/* Binds BitMap to Buffer (at least RTL_BITMAP_WORDS(SizeOfBitMap) words); does not modify the buffer. */
VOID RtlInitializeBitMap(PRTL_BITMAP BitMap, PULONG_PTR Buffer, ULONG_PTR SizeOfBitMap);

/* Clears (sets) every bit of the map. */
VOID RtlClearAllBits(PRTL_BITMAP BitMap);
VOID RtlSetAllBits(PRTL_BITMAP BitMap);

/* Sets, clears or tests bit Index; Index must be below SizeOfBitMap. */
VOID RtlSetBit(PRTL_BITMAP BitMap, ULONG_PTR Index);
VOID RtlClearBit(PRTL_BITMAP BitMap, ULONG_PTR Index);
BOOLEAN RtlTestBit(PCRTL_BITMAP BitMap, ULONG_PTR Index);

/* Sets (clears) Count bits from StartIndex; the range must lie within the map. */
VOID RtlSetBits(PRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count);
VOID RtlClearBits(PRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count);

/* TRUE when all Count bits from StartIndex are clear (set); FALSE if the range leaves the map. TRUE for Count 0. */
BOOLEAN RtlAreBitsClear(PCRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count);
BOOLEAN RtlAreBitsSet(PCRTL_BITMAP BitMap, ULONG_PTR StartIndex, ULONG_PTR Count);

/* First fit: the index of a run of Count clear (set) bits, searching from HintIndex to the end of the map and then
 * wrapping around to runs that start before HintIndex. RTL_BITMAP_NOT_FOUND when none fits. A HintIndex outside the
 * map counts as 0; Count 0 returns the (adjusted) HintIndex. */
ULONG_PTR RtlFindClearBits(PCRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex);
ULONG_PTR RtlFindSetBits(PCRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex);

/* RtlFindClearBits (RtlFindSetBits) and then sets (clears) the run found. */
ULONG_PTR RtlFindClearBitsAndSet(PRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex);
ULONG_PTR RtlFindSetBitsAndClear(PRTL_BITMAP BitMap, ULONG_PTR Count, ULONG_PTR HintIndex);

/* Finds the first run of clear bits at or after FromIndex: returns its length (0 when none) and its start index in
 * *StartingRunIndex (SizeOfBitMap when none). */
ULONG_PTR RtlFindNextForwardRunClear(PCRTL_BITMAP BitMap, ULONG_PTR FromIndex, PULONG_PTR StartingRunIndex);

/* Number of set (clear) bits in the whole map. */
ULONG_PTR RtlNumberOfSetBits(PCRTL_BITMAP BitMap);
ULONG_PTR RtlNumberOfClearBits(PCRTL_BITMAP BitMap);

/* ------------------------------------------------------------------------------------------------------------ */
/* Strings                                                                                                      */
/* ------------------------------------------------------------------------------------------------------------ */

/* Counted strings: Length and MaximumLength in bytes, Buffer not necessarily NUL-terminated. */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWCHAR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _ANSI_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} ANSI_STRING, *PANSI_STRING;

typedef const ANSI_STRING *PCANSI_STRING;

/* Largest length that fits in a USHORT byte count (keeping room for a terminator). */
#define RTL_MAX_ANSI_LENGTH    0xFFFEu
#define RTL_MAX_UNICODE_LENGTH 0xFFFCu

/* Length of the NUL-terminated String in characters, at most MaxLength (String may be NULL: 0). */
SIZE_T RtlStringLength(PCSTR String, SIZE_T MaxLength);
SIZE_T RtlWideStringLength(PCWSTR String, SIZE_T MaxLength);

/* Describes the NUL-terminated Source (may be NULL: empty string, NULL buffer); lengths beyond the USHORT range are
 * clamped to RTL_MAX_*_LENGTH. Does not copy. */
VOID RtlInitAnsiString(PANSI_STRING Destination, PCSTR Source);
VOID RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source);

/* ASCII case folding; other characters are returned unchanged. */
XTINLINE CHAR RtlUpcaseChar(CHAR Character) {
    return (Character >= 'a' && Character <= 'z') ? (CHAR)(Character - 'a' + 'A') : Character;
}
XTINLINE CHAR RtlDowncaseChar(CHAR Character) {
    return (Character >= 'A' && Character <= 'Z') ? (CHAR)(Character - 'A' + 'a') : Character;
}
XTINLINE WCHAR RtlUpcaseWideChar(WCHAR Character) {
    return (Character >= u'a' && Character <= u'z') ? (WCHAR)(Character - u'a' + u'A') : Character;
}

/* Compares two counted strings (< 0, 0, > 0), optionally folding ASCII case; a shorter prefix sorts first. */
LONG RtlCompareString(PCANSI_STRING String1, PCANSI_STRING String2, BOOLEAN CaseInsensitive);
LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInsensitive);

/* TRUE when the two counted strings are equal, optionally folding ASCII case. */
BOOLEAN RtlEqualString(PCANSI_STRING String1, PCANSI_STRING String2, BOOLEAN CaseInsensitive);
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInsensitive);

/* Compares at most MaxLength characters of two NUL-terminated strings (strncmp / _strnicmp semantics). */
LONG RtlCompareCString(PCSTR String1, PCSTR String2, SIZE_T MaxLength, BOOLEAN CaseInsensitive);
LONG RtlCompareWideCString(PCWSTR String1, PCWSTR String2, SIZE_T MaxLength, BOOLEAN CaseInsensitive);

/* UCS-2 -> ASCII into Destination's buffer (MaximumLength bytes): non-ASCII characters become '?'. NUL-terminates
 * when room remains. STATUS_BUFFER_OVERFLOW when the result was truncated (Destination holds what fit). */
XTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PCUNICODE_STRING Source);

/* ASCII -> UCS-2 into Destination's buffer; bytes above 0x7F become u'?'. Otherwise as above. */
XTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PCANSI_STRING Source);

/* Converts up to SourceLength characters of Source (stopping at a NUL) into Destination (DestinationSize characters,
 * always NUL-terminated when DestinationSize > 0); non-ASCII -> '?'. Returns the characters written without the NUL. */
SIZE_T RtlWideToAnsi(PCHAR Destination, SIZE_T DestinationSize, PCWSTR Source, SIZE_T SourceLength);
SIZE_T RtlAnsiToWide(PWCHAR Destination, SIZE_T DestinationSize, PCSTR Source, SIZE_T SourceLength);

/* ------------------------------------------------------------------------------------------------------------ */
/* Number parsing                                                                                               */
/* ------------------------------------------------------------------------------------------------------------ */

/* Parses an unsigned number after optional spaces/tabs. Base 2..36, or 0 for automatic (0x/0X hexadecimal, 0o octal,
 * 0b binary, otherwise decimal); bases 16, 8 and 2 also accept their own prefix. Stops at the first character that is
 * not a digit of the base and stores its address in *End (if End is not NULL). Returns STATUS_INVALID_PARAMETER for a
 * bad base or no digits (*Value = 0, *End = String), STATUS_INTEGER_OVERFLOW when the value does not fit 64 bits
 * (*Value = ~0, all digits consumed), STATUS_SUCCESS otherwise. */
XTSTATUS RtlStringToUnsigned(PCSTR String, ULONG Base, PULONGLONG Value, PCSTR *End);

/* As RtlStringToUnsigned with an optional sign; overflow stores LONGLONG's max or min. */
XTSTATUS RtlStringToSigned(PCSTR String, ULONG Base, PLONGLONG Value, PCSTR *End);

/* ------------------------------------------------------------------------------------------------------------ */
/* Formatting                                                                                                   */
/* ------------------------------------------------------------------------------------------------------------ */

/* Receives Count characters (not NUL-terminated) of formatted output. */
typedef VOID (*PRTL_OUTPUT_ROUTINE)(PVOID Context, PCSTR Characters, SIZE_T Count);

/* The formatter: %d %i %u %x %X %o %p %s %S (UCS-2) %c %%, flags - 0 + space #, width and precision (number or *),
 * sizes hh h l ll z j t. %p prints the pointer as zero-padded upper-case hex of pointer width (with # a 0x prefix).
 * NULL %s / %S prints "(null)". Streams the output through Output and returns the number of characters produced. */
SIZE_T RtlFormatOutput(PRTL_OUTPUT_ROUTINE Output, PVOID Context, PCSTR Format, va_list Arguments);

/* snprintf semantics: writes at most Size - 1 characters and a NUL (when Size > 0), never past Buffer + Size, and
 * returns the length the complete output has (excluding the NUL). */
SIZE_T RtlFormatStringV(PCHAR Buffer, SIZE_T Size, PCSTR Format, va_list Arguments);
SIZE_T RtlFormatString(PCHAR Buffer, SIZE_T Size, PCSTR Format, ...) RTL_PRINTF_FORMAT(3, 4);

/* ------------------------------------------------------------------------------------------------------------ */
/* SHA-1 (FIPS 180-4)                                                                                           */
/* ------------------------------------------------------------------------------------------------------------ */

#define RTL_SHA1_DIGEST_SIZE 20
#define RTL_SHA1_BLOCK_SIZE  64

typedef struct _RTL_SHA1_CONTEXT {
    ULONG State[5];
    ULONGLONG Length; /* bytes hashed so far */
    UCHAR Block[RTL_SHA1_BLOCK_SIZE];
} RTL_SHA1_CONTEXT, *PRTL_SHA1_CONTEXT;

/* Starts a new hash. */
VOID RtlSha1Init(PRTL_SHA1_CONTEXT Context);
/* Hashes Length more bytes; any split of the message gives the same digest. */
VOID RtlSha1Update(PRTL_SHA1_CONTEXT Context, PCVOID Data, SIZE_T Length);
/* Pads, writes the 20-byte digest and leaves the context unusable until RtlSha1Init. */
VOID RtlSha1Final(PRTL_SHA1_CONTEXT Context, UCHAR Digest[RTL_SHA1_DIGEST_SIZE]);
/* One-shot SHA-1 of Length bytes. */
VOID RtlSha1Digest(PCVOID Data, SIZE_T Length, UCHAR Digest[RTL_SHA1_DIGEST_SIZE]);

/* ------------------------------------------------------------------------------------------------------------ */
/* Checked and portable arithmetic                                                                              */
/* ------------------------------------------------------------------------------------------------------------ */

/* *Result = A op B, or STATUS_INTEGER_OVERFLOW with *Result set to all ones. */
XTSTATUS RtlAddSizeT(SIZE_T Augend, SIZE_T Addend, PSIZE_T Result);
XTSTATUS RtlMultiplySizeT(SIZE_T Multiplicand, SIZE_T Multiplier, PSIZE_T Result);
XTSTATUS RtlAddUlonglong(ULONGLONG Augend, ULONGLONG Addend, PULONGLONG Result);
XTSTATUS RtlMultiplyUlonglong(ULONGLONG Multiplicand, ULONGLONG Multiplier, PULONGLONG Result);

/* 64-bit division that never calls compiler helpers (the i686 __aulldiv & co. are built on it). Divisor must not be
 * 0. Returns the quotient and stores the remainder in *Remainder when it is not NULL. The signed form truncates
 * toward zero (remainder has the dividend's sign); LONGLONG min / -1 wraps to LONGLONG min. */
ULONGLONG RtlDivideUnsigned64(ULONGLONG Dividend, ULONGLONG Divisor, PULONGLONG Remainder);
LONGLONG RtlDivideSigned64(LONGLONG Dividend, LONGLONG Divisor, PLONGLONG Remainder);

/* ------------------------------------------------------------------------------------------------------------ */
/* Calendar time (NT: 100-ns units since 1601-01-01 00:00:00 UTC, proleptic Gregorian calendar)                 */
/* ------------------------------------------------------------------------------------------------------------ */

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef const LARGE_INTEGER *PCLARGE_INTEGER;

/* NT's TIME_FIELDS: Month 1..12, Day 1..31, Weekday 0 (Sunday)..6 (output only). */
typedef struct _TIME_FIELDS {
    SHORT Year;
    SHORT Month;
    SHORT Day;
    SHORT Hour;
    SHORT Minute;
    SHORT Second;
    SHORT Milliseconds;
    SHORT Weekday;
} TIME_FIELDS, *PTIME_FIELDS;

typedef const TIME_FIELDS *PCTIME_FIELDS;

#define RTL_TIME_TICKS_PER_SECOND 10000000LL
#define RTL_TIME_MIN_YEAR         1601
#define RTL_TIME_MAX_YEAR         30827 /* the last whole year a LARGE_INTEGER holds */
/* Buffer size RtlFormatIsoTime needs for any time it accepts ("30827-12-31T23:59:59Z" and the NUL). */
#define RTL_ISO_TIME_SIZE 22

/* TRUE for Gregorian leap years (divisible by 4, except centuries not divisible by 400). */
BOOLEAN RtlIsLeapYear(ULONG Year);

/* Converts TimeFields (Weekday ignored) to *Time. FALSE, leaving *Time untouched, when a field is out of range:
 * Year outside RTL_TIME_MIN_YEAR..RTL_TIME_MAX_YEAR, Month 1..12, Day beyond the month (Feb 29 only in leap years),
 * Hour 0..23, Minute and Second 0..59, Milliseconds 0..999. */
BOOLEAN RtlTimeFieldsToTime(PCTIME_FIELDS TimeFields, PLARGE_INTEGER Time);

/* Splits *Time into calendar fields (sub-millisecond ticks are dropped) and the weekday. FALSE, leaving TimeFields
 * untouched, for a negative time (before 1601). */
BOOLEAN RtlTimeToTimeFields(PCLARGE_INTEGER Time, PTIME_FIELDS TimeFields);

/* Writes *Time as ISO 8601 UTC to the second ("2026-11-30T11:40:00Z"; 5-digit years past 9999) with a NUL.
 * STATUS_INVALID_PARAMETER for a negative time, STATUS_BUFFER_TOO_SMALL (Buffer untouched) when it does not fit. */
XTSTATUS RtlFormatIsoTime(PCLARGE_INTEGER Time, PCHAR Buffer, SIZE_T Size);

#endif

/* The C runtime symbols the compiler emits calls to (struct copies, zeroing): for freestanding images only. */
#include <rtl.h>

void *memcpy(void *Destination, const void *Source, size_t Length);
void *memmove(void *Destination, const void *Source, size_t Length);
void *memset(void *Destination, int Value, size_t Length);
int memcmp(const void *Source1, const void *Source2, size_t Length);

/* C memcpy: RtlCopyMemory; returns Destination. */
void *memcpy(void *Destination, const void *Source, size_t Length) {
    RtlCopyMemory(Destination, Source, Length);
    return Destination;
}

/* C memmove: RtlMoveMemory; returns Destination. */
void *memmove(void *Destination, const void *Source, size_t Length) {
    RtlMoveMemory(Destination, Source, Length);
    return Destination;
}

/* C memset: RtlFillMemory with the low byte of Value; returns Destination. */
void *memset(void *Destination, int Value, size_t Length) {
    RtlFillMemory(Destination, Length, (UCHAR)Value);
    return Destination;
}

/* C memcmp: sign of the first differing byte pair (as unsigned char), 0 when equal. */
int memcmp(const void *Source1, const void *Source2, size_t Length) {
    SIZE_T Index = RtlCompareMemory(Source1, Source2, Length);

    if (Index == Length) {
        return 0;
    }
    return (int)((const UCHAR *)Source1)[Index] - (int)((const UCHAR *)Source2)[Index];
}

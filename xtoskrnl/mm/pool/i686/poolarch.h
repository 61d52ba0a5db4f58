/* i686 pool header: NT x86's 8-byte POOL_HEADER shape (granularity 8 bytes); PoolIndex holds a 7-bit check. */
#ifndef XTOSKRNL_MM_POOL_POOLARCH_H
#define XTOSKRNL_MM_POOL_POOLARCH_H

#include <xtbase.h>

#define MI_POOL_GRANULE_SHIFT     3 /* 8-byte granules */
#define MI_POOL_SIZE_BITS         9 /* PreviousSize and BlockSize, in granules */
#define MI_POOL_HEADER_CHECK_BITS 7 /* the header check's width: how often a corrupt header passes it */
#define MI_POOL_TYPE_BITS         7

/* Bits 0-8 PreviousSize, 9-15 PoolIndex (a keyed 7-bit digest of the rest of the header, its address and the
 * per-boot cookie), 16-24 BlockSize, 25-31 PoolType; then the tag. */
typedef struct _POOL_HEADER {
    union {
        struct {
            ULONG PreviousSize : 9;
            ULONG PoolIndex : 7;
            ULONG BlockSize : 9;
            ULONG PoolType : 7;
        };
        ULONG Ulong1;
    };
    ULONG PoolTag;
} POOL_HEADER, *PPOOL_HEADER;

STATIC_ASSERT(sizeof(PVOID) == 4);
STATIC_ASSERT(sizeof(POOL_HEADER) == 8);
STATIC_ASSERT(offsetof(POOL_HEADER, PoolTag) == 4);

#define MI_POOL_INDEX_SHIFT 9
#define MI_POOL_INDEX_MASK  (0x7Fu << MI_POOL_INDEX_SHIFT)
/* The bits of the first header word that hold its check. */
#define MI_POOL_ULONG1_CHECK_MASK MI_POOL_INDEX_MASK

/* The state and the size of a header (bit fields: no byte of their own). */
XTFORCEINLINE ULONG MiPoolReadState(const POOL_HEADER *Header) {
    return Header->PoolType;
}
XTFORCEINLINE ULONG MiPoolReadBlockSize(const POOL_HEADER *Header) {
    return Header->BlockSize;
}

/* The bits of the first header word that hold the block state. */
#define MI_POOL_ULONG1_STATE 0xFE000000u /* PoolType */

/* A tag as the pool's fast paths compare it (per-processor counter slots, the special-pool tag): never 0. */
#define MI_POOL_SLOT_KEY(Tag) ((ULONGLONG)(Tag) | (1ULL << 32)) /* a constant high word */
/* The tag of a slot key. */
#define MI_POOL_SLOT_TAG(Key) ((ULONG)(Key))

/* TRUE when the slot key at Key is Tag's: its high word not 0 and its low word the tag (two 32-bit compares, where a
 * 64-bit equality takes two loads, two XORs and an OR; an empty key, such as the special-pool key without a special
 * tag, fails at the first). */
XTFORCEINLINE BOOLEAN MiPoolSlotKeyIs(const ULONGLONG *Key, ULONG Tag) {
    ULONG Words[2];

    __builtin_memcpy(Words, Key, sizeof(Words));
    return (BOOLEAN)(Words[1] != 0 && Words[0] == Tag);
}

/* The first header word from its fields (PoolIndex left 0: the check goes there). */
#define MI_POOL_ULONG1(PreviousSize, BlockSize, PoolType)                                                              \
    ((ULONG)(PreviousSize) | ((ULONG)(BlockSize) << 16) | ((ULONG)(PoolType) << 25))

/* A bijective 32-bit mixer (multiply by an odd constant, then fold the high half down). */
XTINLINE ULONG_PTR MiPoolMix(ULONG_PTR Value) {
    Value *= 0x7F4A7C15u;
    return Value ^ (Value >> 16);
}

/* The second multiplier of the header check: none of its shifts left (mod 2^32) has its top 7 bits all zero or all
 * one, so flipping any one bit of the product's input always changes the check. */
#define MI_POOL_CHECK_MULTIPLIER 0x2C1B3C6Du

/* The 7-bit check of a header at Header holding Ulong1 (its PoolIndex bits ignored): the top bits of the first word
 * XORed into a keyed multiple of the address, times MI_POOL_CHECK_MULTIPLIER. Any one changed bit of the first word
 * always fails it, any other change 127 times in 128, and so does the header copied to another address (the address
 * goes through its own multiply). The tag is not covered: its owner may retag a block without the pool lock
 * (docs/pool.md "Keyed headers"). */
XTINLINE ULONG MiPoolHeaderCheck(const POOL_HEADER *Header, ULONG Ulong1, ULONG_PTR Cookie) {
    ULONG_PTR Value = ((ULONG_PTR)Header ^ Cookie) * 0x7F4A7C15u;

    return (ULONG)(((Value ^ (Ulong1 & ~MI_POOL_INDEX_MASK)) * MI_POOL_CHECK_MULTIPLIER) >> 25);
}

/* Writes a whole header (fields, tag and check). */
XTINLINE VOID MiPoolWriteHeader(PPOOL_HEADER Header, ULONG Ulong1, ULONG Tag, ULONG_PTR Cookie) {
    Header->PoolTag = Tag;
    Header->Ulong1 =
        (Ulong1 & ~MI_POOL_INDEX_MASK) | (MiPoolHeaderCheck(Header, Ulong1, Cookie) << MI_POOL_INDEX_SHIFT);
}

/* Rewrites the first word (fields and check, one store) and leaves the tag alone (the lock holder's neighbour
 * updates: the block's owner may be retagging it meanwhile). */
XTINLINE VOID MiPoolWriteHeaderFields(PPOOL_HEADER Header, ULONG Ulong1, ULONG_PTR Cookie) {
    Header->Ulong1 =
        (Ulong1 & ~MI_POOL_INDEX_MASK) | (MiPoolHeaderCheck(Header, Ulong1, Cookie) << MI_POOL_INDEX_SHIFT);
}

/* TRUE when the header's check value matches its contents. */
XTINLINE BOOLEAN MiPoolHeaderIntact(const POOL_HEADER *Header, ULONG_PTR Cookie) {
    return (BOOLEAN)(Header->PoolIndex == MiPoolHeaderCheck(Header, Header->Ulong1, Cookie));
}

#endif

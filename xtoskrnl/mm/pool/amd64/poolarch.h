/* amd64 pool header: NT x64's 16-byte POOL_HEADER shape (granularity 16 bytes) with a 64-bit check value. */
#ifndef XTOSKRNL_MM_POOL_POOLARCH_H
#define XTOSKRNL_MM_POOL_POOLARCH_H

#include <xtbase.h>

#define MI_POOL_GRANULE_SHIFT     4  /* 16-byte granules */
#define MI_POOL_SIZE_BITS         8  /* PreviousSize and BlockSize, in granules */
#define MI_POOL_HEADER_CHECK_BITS 64 /* the header check's width: how often a corrupt header passes it */
#define MI_POOL_TYPE_BITS         8

/* Bits 0-7 PreviousSize, 8-15 PoolIndex (unused: 0), 16-23 BlockSize, 24-31 PoolType; then the tag; then Check, a
 * keyed digest of the first 8 bytes, the header's address and the per-boot cookie. */
typedef struct _POOL_HEADER {
    union {
        struct {
            ULONG PreviousSize : 8;
            ULONG PoolIndex : 8;
            ULONG BlockSize : 8;
            ULONG PoolType : 8;
        };
        ULONG Ulong1;
    };
    ULONG PoolTag;
    ULONG_PTR Check;
} POOL_HEADER, *PPOOL_HEADER;

STATIC_ASSERT(sizeof(PVOID) == 8);
STATIC_ASSERT(sizeof(POOL_HEADER) == 16);
STATIC_ASSERT(offsetof(POOL_HEADER, PoolTag) == 4);
STATIC_ASSERT(offsetof(POOL_HEADER, Check) == 8);

/* The state and the size of a header as fresh byte loads (the fast path compares them in memory instead of
 * extracting them from a word it has read). */
XTFORCEINLINE ULONG MiPoolReadState(const POOL_HEADER *Header) {
    return ((const volatile UCHAR *)Header)[3];
}
XTFORCEINLINE ULONG MiPoolReadBlockSize(const POOL_HEADER *Header) {
    return ((const volatile UCHAR *)Header)[2];
}

/* The bits of the first header word that hold its check (none: Check is a word of its own). */
#define MI_POOL_ULONG1_CHECK_MASK 0u

/* The bits of the first header word that hold the block state. */
#define MI_POOL_ULONG1_STATE 0xFF000000u /* PoolType */

/* A tag as the pool's fast paths compare it (per-processor counter slots, the special-pool tag): never 0. */
#define MI_POOL_SLOT_KEY(Tag) ((ULONGLONG)(Tag) + 1) /* one add */
/* The tag of a slot key. */
#define MI_POOL_SLOT_TAG(Key) ((ULONG)((Key)-1))

/* TRUE when the slot key at Key is Tag's (one 64-bit compare). */
XTFORCEINLINE BOOLEAN MiPoolSlotKeyIs(const ULONGLONG *Key, ULONG Tag) {
    return (BOOLEAN)(*Key == MI_POOL_SLOT_KEY(Tag));
}

/* The first header word from its fields. */
#define MI_POOL_ULONG1(PreviousSize, BlockSize, PoolType)                                                              \
    ((ULONG)(PreviousSize) | ((ULONG)(BlockSize) << 16) | ((ULONG)(PoolType) << 24))

/* A bijective 64-bit mixer (multiply by an odd constant, then fold the high half down). */
XTINLINE ULONG_PTR MiPoolMix(ULONG_PTR Value) {
    Value *= 0x9E3779B97F4A7C15ULL;
    return Value ^ (Value >> 32);
}

/* The check value of a header at Header holding Ulong1, keyed with the cookie and the header's own address. Any change
 * of the first 4 bytes changes it. The tag is not
 * covered: its owner may retag a block without the pool lock (docs/pool.md "Keyed headers"), and only the tag
 * compare at free (and a parked block's keyed mark) guard it. */
XTINLINE ULONG_PTR MiPoolHeaderCheck(const POOL_HEADER *Header, ULONG Ulong1, ULONG_PTR Cookie) {
    /* A plain XOR, bijective in Ulong1 like the mixer was: a whole 64-bit word needs no diffusion to catch any change
     * of the first word, or a header copied to another address; the mixer adds nothing against a reader of one header
     * (it is public and invertible), and it cost a multiply and a fold on every check. */
    /* Keyed with the block's address (the header's end): the address the free path holds in a register. */
    return (ULONG_PTR)Ulong1 ^ (ULONG_PTR)(Header + 1) ^ Cookie;
}

/* Writes a whole header (fields, tag and check). */
XTINLINE VOID MiPoolWriteHeader(PPOOL_HEADER Header, ULONG Ulong1, ULONG Tag, ULONG_PTR Cookie) {
    Header->Ulong1 = Ulong1;
    Header->PoolTag = Tag;
    Header->Check = MiPoolHeaderCheck(Header, Ulong1, Cookie);
}

/* Rewrites the first word and the check and leaves the tag alone (the lock holder's neighbour updates: the block's
 * owner may be retagging it meanwhile). */
XTINLINE VOID MiPoolWriteHeaderFields(PPOOL_HEADER Header, ULONG Ulong1, ULONG_PTR Cookie) {
    Header->Ulong1 = Ulong1;
    Header->Check = MiPoolHeaderCheck(Header, Ulong1, Cookie);
}

/* TRUE when the header's check value matches its contents. */
XTINLINE BOOLEAN MiPoolHeaderIntact(const POOL_HEADER *Header, ULONG_PTR Cookie) {
    return (BOOLEAN)(Header->Check == MiPoolHeaderCheck(Header, Header->Ulong1, Cookie));
}

#endif

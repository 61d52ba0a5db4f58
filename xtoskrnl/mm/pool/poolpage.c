/* Non-paged pool: pages carved into blocks, per-size free lists with keyed link checks, splitting and coalescing. */
#include "poolp.h"

#define MI_POOL_BITMAP_WORD_BITS (sizeof(ULONG_PTR) * 8)

/* TRUE when Links is one of Pool's list heads (not the body of a block). */
static BOOLEAN MiIsListHead(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_FREE_LINKS Links) {
    return (BOOLEAN)((ULONG_PTR)Links - (ULONG_PTR)Pool->ListHeads < sizeof(Pool->ListHeads));
}

BOOLEAN MiPoolFreeLinksIntact(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_FREE_LINKS Links) {
    PPOOL_HEADER Header = (PPOOL_HEADER)Links - 1;

    if (MiIsListHead(Pool, Links)) {
        return TRUE;
    }
    return (BOOLEAN)(MiPoolHeaderIntact(Header, Pool->Cookie) && Header->PoolType == MI_POOL_BLOCK_FREE &&
                     Header->PoolTag == MiPoolFreeLinksCheck(Pool, Links, Links->Flink, Links->Blink));
}

/* Stores Links' neighbours and, for a block, the keyed check of its links. */
static VOID MiSetLinks(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_FREE_LINKS Links, PMI_POOL_FREE_LINKS Flink,
                       PMI_POOL_FREE_LINKS Blink) {
    PPOOL_HEADER Header = (PPOOL_HEADER)Links - 1;

    Links->Flink = Flink;
    Links->Blink = Blink;
    if (!MiIsListHead(Pool, Links)) {
        MiPoolWriteHeader(Header, Header->Ulong1, MiPoolFreeLinksCheck(Pool, Links, Flink, Blink), Pool->Cookie);
    }
}

/* Puts the free block Header (state and size already written) at the head of the list of its size. */
static VOID MiInsertFreeBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header) {
    ULONG Granules = Header->BlockSize;
    PMI_POOL_FREE_LINKS Head = &Pool->ListHeads[Granules];
    PMI_POOL_FREE_LINKS First = Head->Flink;
    PMI_POOL_FREE_LINKS Links = (PMI_POOL_FREE_LINKS)(Header + 1);

    if (First->Blink != Head || !MiPoolFreeLinksIntact(Pool, First)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREE_LIST_CORRUPT, (ULONG_PTR)First, (ULONG_PTR)First->Flink,
                     (ULONG_PTR)First->Blink);
    }
    MiSetLinks(Pool, Links, First, Head);
    MiSetLinks(Pool, First, First->Flink, Links);
    MiSetLinks(Pool, Head, Links, Head->Blink);
    Pool->ListCounts[Granules]++;
    Pool->FreeBlocks++;
    Pool->NonEmptyLists[Granules / MI_POOL_BITMAP_WORD_BITS] |= (ULONG_PTR)1 << (Granules % MI_POOL_BITMAP_WORD_BITS);
}

/* Unlinks the free block Header from its list after checking its links and both neighbours' links. */
static VOID MiRemoveFreeBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header) {
    ULONG Granules = Header->BlockSize;
    PMI_POOL_FREE_LINKS Links = (PMI_POOL_FREE_LINKS)(Header + 1);
    PMI_POOL_FREE_LINKS Flink, Blink;

    if (!MiPoolFreeLinksIntact(Pool, Links)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREE_LIST_CORRUPT, (ULONG_PTR)Links, (ULONG_PTR)Links->Flink,
                     (ULONG_PTR)Links->Blink);
    }
    Flink = Links->Flink;
    Blink = Links->Blink;
    if (Flink->Blink != Links || Blink->Flink != Links || !MiPoolFreeLinksIntact(Pool, Flink) ||
        !MiPoolFreeLinksIntact(Pool, Blink)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREE_LIST_CORRUPT, (ULONG_PTR)Links, (ULONG_PTR)Blink->Flink,
                     (ULONG_PTR)Flink->Blink);
    }
    MiSetLinks(Pool, Blink, Flink, Blink->Blink);
    MiSetLinks(Pool, Flink, Flink->Flink, Blink);
    Pool->FreeBlocks--;
    if (--Pool->ListCounts[Granules] == 0) {
        Pool->NonEmptyLists[Granules / MI_POOL_BITMAP_WORD_BITS] &=
            ~((ULONG_PTR)1 << (Granules % MI_POOL_BITMAP_WORD_BITS));
    }
}

/* The smallest non-empty list of blocks of at least Granules granules; 0 when there is none. */
static ULONG MiFindFreeList(PMI_POOL_DESCRIPTOR Pool, ULONG Granules) {
    ULONG Word = Granules / MI_POOL_BITMAP_WORD_BITS;
    ULONG_PTR Bits = Pool->NonEmptyLists[Word] & (~(ULONG_PTR)0 << (Granules % MI_POOL_BITMAP_WORD_BITS));

    for (;;) {
        if (Bits != 0) {
            return Word * (ULONG)MI_POOL_BITMAP_WORD_BITS + (ULONG)__builtin_ctzll((ULONGLONG)Bits);
        }
        if (++Word == ARRAY_SIZE(Pool->NonEmptyLists)) {
            return 0;
        }
        Bits = Pool->NonEmptyLists[Word];
    }
}

/* Tells the block after the one at Header (Granules long), if any, that its neighbour now has Granules granules. */
static VOID MiSetNextPreviousSize(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header, ULONG Granules) {
    PPOOL_HEADER Next;

    if (MiPoolBlockEndsPage(Header, Granules)) {
        return;
    }
    Next = MiPoolHeaderAt(Header, Granules);
    if (!MiPoolHeaderIntact(Next, Pool->Cookie)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_NEXT_BLOCK_CORRUPT, (ULONG_PTR)Header, (ULONG_PTR)Next, MiPoolPageOf(Header));
    }
    MiPoolWriteHeaderFields(Next, MI_POOL_ULONG1(Granules, Next->BlockSize, Next->PoolType), Pool->Cookie);
}

/* Gets a page from the pager and puts it on the free lists as one page-sized free block. FALSE when none. */
static BOOLEAN MiAddPoolPage(PMI_POOL_DESCRIPTOR Pool) {
    PMI_POOL_PAGE Page = MiPoolAllocatePages(Pool, 1, 0);
    PPOOL_HEADER Header;

    if (Page == NULL) {
        return FALSE;
    }
    Page->Signature = MiPoolPageSignature(Pool, (ULONG_PTR)Page);
    Page->Reserved = 0;
    RtlInsertTailList(&Pool->PageList, &Page->PageLinks);
    Pool->SmallPages++;
    Pool->EmptyPages++;
    Header = (PPOOL_HEADER)(Page + 1);
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(0, MI_POOL_PAGE_GRANULES, MI_POOL_BLOCK_FREE), 0, Pool->Cookie);
    MiInsertFreeBlock(Pool, Header);
    return TRUE;
}

/* Gives the page holding the page-sized free block Header (on no list) back to the pager. */
static VOID MiReleasePage(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header) {
    PMI_POOL_PAGE Page = (PMI_POOL_PAGE)MiPoolPageOf(Header);

    RtlRemoveEntryList(&Page->PageLinks);
    Page->Signature = 0;
    Pool->SmallPages--;
    MiPoolFreePages(Pool, Page, 1, 0);
}

VOID MiReleaseEmptyPages(PMI_POOL_DESCRIPTOR Pool) {
    PPOOL_HEADER Header;

    while (Pool->ListCounts[MI_POOL_PAGE_GRANULES] != 0) {
        Header = (PPOOL_HEADER)Pool->ListHeads[MI_POOL_PAGE_GRANULES].Flink - 1;
        MiRemoveFreeBlock(Pool, Header);
        Pool->EmptyPages--;
        MiReleasePage(Pool, Header);
    }
}

/* Cuts the in-use block Header down to Granules granules when the rest can stand as a free block. */
static VOID MiSplitBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header, ULONG Granules) {
    ULONG Remainder = Header->BlockSize - Granules;
    PPOOL_HEADER Rest;

    if (Remainder < MI_POOL_MIN_BLOCK) {
        return;
    }
    Rest = MiPoolHeaderAt(Header, Granules);
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(Header->PreviousSize, Granules, Header->PoolType), Header->PoolTag,
                      Pool->Cookie);
    MiPoolWriteHeader(Rest, MI_POOL_ULONG1(Granules, Remainder, MI_POOL_BLOCK_FREE), 0, Pool->Cookie);
    MiSetNextPreviousSize(Pool, Rest, Remainder);
    MiInsertFreeBlock(Pool, Rest);
}

PPOOL_HEADER MiAllocateSmallBlock(PMI_POOL_DESCRIPTOR Pool, ULONG Granules, ULONG Tag) {
    ULONG Index = MiFindFreeList(Pool, Granules);
    PPOOL_HEADER Header;

    if (Index == 0) {
        if (!MiAddPoolPage(Pool)) {
            return NULL;
        }
        Index = MI_POOL_PAGE_GRANULES;
    }
    Header = (PPOOL_HEADER)Pool->ListHeads[Index].Flink - 1;
    MiRemoveFreeBlock(Pool, Header);
    if (Index == MI_POOL_PAGE_GRANULES) {
        Pool->EmptyPages--;
    }
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(Header->PreviousSize, Index, MI_POOL_BLOCK_IN_USE), Tag, Pool->Cookie);
    MiSplitBlock(Pool, Header, Granules);
    return Header;
}

/* Carves up to Count blocks of Granules out of the free block at the head of list Index (at least Granules long): the
 * first goes to *First when it is NULL, the others are parked on Processor's list; a remainder of at least
 * MI_POOL_MIN_BLOCK goes back to the free lists (a smaller one makes the only block that much longer). */
static ULONG MiCarveFreeBlock(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Index, ULONG Granules,
                              ULONG Count, ULONG Tag, PPOOL_HEADER *First) {
    PPOOL_HEADER Header = (PPOOL_HEADER)Pool->ListHeads[Index].Flink - 1, Base;
    ULONG Previous = Header->PreviousSize, Pieces = Index / Granules, Rest, Piece, Size;

    Pieces = Pieces < Count ? Pieces : Count;
    Rest = Index - Pieces * Granules;
    if (Rest != 0 && Rest < MI_POOL_MIN_BLOCK) {
        if (Pieces == 1 && *First != NULL) {
            return 0; /* one block longer than the size: not one to park */
        }
        if (Pieces > 1) {
            Pieces--;
            Rest += Granules;
        }
    }
    MiRemoveFreeBlock(Pool, Header);
    if (Index == MI_POOL_PAGE_GRANULES) {
        Pool->EmptyPages--;
    }
    Base = Header;
    for (Piece = 0; Piece < Pieces; Piece++) {
        Size = Granules + (Rest < MI_POOL_MIN_BLOCK ? Rest : 0) * (Piece + 1 == Pieces);
        MiPoolWriteHeader(Header, MI_POOL_ULONG1(Previous, Size, MI_POOL_BLOCK_IN_USE), Tag, Pool->Cookie);
        Previous = Size;
        Header = MiPoolHeaderAt(Header, Size);
    }
    if (Rest >= MI_POOL_MIN_BLOCK) {
        MiPoolWriteHeader(Header, MI_POOL_ULONG1(Previous, Rest, MI_POOL_BLOCK_FREE), 0, Pool->Cookie);
        MiSetNextPreviousSize(Pool, Header, Rest);
        MiInsertFreeBlock(Pool, Header);
    } else {
        MiSetNextPreviousSize(Pool, MiPoolHeaderAt(Header, -(LONG_PTR)Previous), Previous);
    }
    /* Parked from the last to the second, so that the list hands them out in address order. */
    Piece = 0;
    if (*First == NULL) {
        *First = Base;
        Piece = 1;
    }
    for (Size = Pieces; Size-- > Piece;) {
        MiPoolParkBlock(Pool, Processor, MiPoolHeaderAt(Base, (LONG_PTR)Size * Granules));
    }
    return Pieces;
}

ULONG MiCarveSmallBlocks(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Granules, ULONG Count, ULONG Tag,
                         PPOOL_HEADER *First) {
    ULONG Taken = 0, Index;

    while (Taken < Count) {
        Index = MiFindFreeList(Pool, Granules);
        if (Index == 0) {
            if (Taken != 0 || *First != NULL || !MiAddPoolPage(Pool)) {
                break;
            }
            Index = MI_POOL_PAGE_GRANULES;
        }
        Index = MiCarveFreeBlock(Pool, Processor, Index, Granules, Count - Taken, Tag, First);
        if (Index == 0) {
            break;
        }
        Taken += Index;
    }
    return Taken;
}

VOID MiFreeSmallBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header) {
    ULONG Granules = Header->BlockSize;
    PPOOL_HEADER Neighbour;

    /* The freed header stays behind marked free: a later free of the same address is caught as a double free. */
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(Header->PreviousSize, Granules, MI_POOL_BLOCK_FREE), Header->PoolTag,
                      Pool->Cookie);
    if (!MiPoolBlockEndsPage(Header, Granules)) {
        Neighbour = MiPoolHeaderAt(Header, Granules);
        if (!MiPoolHeaderIntact(Neighbour, Pool->Cookie) || Neighbour->PreviousSize != Granules) {
            KeBugCheckEx(BAD_POOL_HEADER, BPH_NEXT_BLOCK_CORRUPT, (ULONG_PTR)Header, (ULONG_PTR)Neighbour,
                         MiPoolPageOf(Header));
        }
        if (Neighbour->PoolType == MI_POOL_BLOCK_FREE) {
            MiRemoveFreeBlock(Pool, Neighbour);
            Granules += Neighbour->BlockSize;
        }
    }
    if (Header->PreviousSize != 0) {
        Neighbour = MiPoolHeaderAt(Header, -(LONG_PTR)Header->PreviousSize);
        if ((ULONG_PTR)Neighbour < MiPoolPageOf(Header) + MI_POOL_PAGE_HEADER_BYTES ||
            !MiPoolHeaderIntact(Neighbour, Pool->Cookie) || Neighbour->BlockSize != Header->PreviousSize) {
            KeBugCheckEx(BAD_POOL_HEADER, BPH_NEIGHBOURS_DISAGREE, (ULONG_PTR)Header, 0, (ULONG_PTR)Neighbour);
        }
        if (Neighbour->PoolType == MI_POOL_BLOCK_FREE) {
            MiRemoveFreeBlock(Pool, Neighbour);
            Granules += Neighbour->BlockSize;
            Header = Neighbour;
        }
    }
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(Header->PreviousSize, Granules, MI_POOL_BLOCK_FREE), 0, Pool->Cookie);
    MiSetNextPreviousSize(Pool, Header, Granules);
    if (Granules == MI_POOL_PAGE_GRANULES) {
        if (Pool->EmptyPages >= MI_POOL_EMPTY_PAGE_LIMIT) {
            MiReleasePage(Pool, Header);
            return;
        }
        Pool->EmptyPages++;
    }
    MiInsertFreeBlock(Pool, Header);
}

/* RtlSListSuite: the interlocked singly linked list on one processor (host, freestanding i686/x86_64, SELFTEST):
 * header layout, LIFO order, depth and push sequence, flush, wrap-around, and the ABA interleaving replayed step by
 * step: the SLIST's compare-exchange refuses the stale pop a pointer-only compare-exchange would accept. */
#include <rtl.h>
#include <xtest.h>

#define SLIST_TEST_ENTRIES 5

static SLIST_HEADER Header;
static SLIST_ENTRY Entries[SLIST_TEST_ENTRIES];

static ULONG_PTR Sequence(VOID) {
    return Header.DepthSequence >> RTL_SLIST_SEQUENCE_SHIFT;
}

/* The address as the machine has it: the compiler would fold the remainder of a declared-aligned object to 0. */
static ULONG_PTR RealAddress(PVOID Object) {
    ULONG_PTR Address = (ULONG_PTR)Object;

    __asm__ volatile("" : "+r"(Address));
    return Address;
}

XTEST(HeaderIsTwoAlignedWords) {
    SLIST_HEADER Local;

    XTEST_CHECK_EQ(sizeof(SLIST_HEADER), 2 * sizeof(PVOID));
    XTEST_CHECK_EQ(_Alignof(SLIST_HEADER), 2 * sizeof(PVOID));
    /* A header on the stack is aligned too (the kernel's stack is: CMPXCHG16B faults on a misaligned one). */
    XTEST_CHECK_EQ(RealAddress(&Local) % (2 * sizeof(PVOID)), 0);
    XTEST_CHECK_EQ(RealAddress(&Header) % (2 * sizeof(PVOID)), 0);
    RtlInitializeSListHead(&Local);
    XTEST_CHECK(Local.Next == NULL);
    XTEST_CHECK_EQ(Local.DepthSequence, 0);
    XTEST_CHECK_EQ(RtlQueryDepthSList(&Local), 0);
}

XTEST(PushPopIsLastInFirstOut) {
    RtlInitializeSListHead(&Header);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == NULL);
    for (ULONG Index = 0; Index < SLIST_TEST_ENTRIES; Index++) {
        PSLIST_ENTRY Previous = RtlInterlockedPushEntrySList(&Header, &Entries[Index]);

        XTEST_CHECK(Previous == (Index == 0 ? NULL : &Entries[Index - 1]));
        XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), Index + 1);
        XTEST_CHECK(Header.Next == &Entries[Index]);
    }
    for (ULONG Index = SLIST_TEST_ENTRIES; Index-- > 0;) {
        XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == &Entries[Index]);
        XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), Index);
    }
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == NULL);
    XTEST_CHECK(Header.Next == NULL);
}

XTEST(EveryPushAdvancesTheSequence) {
    RtlInitializeSListHead(&Header);
    for (ULONG Round = 1; Round <= 3; Round++) {
        RtlInterlockedPushEntrySList(&Header, &Entries[0]);
        XTEST_CHECK_EQ(Sequence(), 2 * Round - 1);
        RtlInterlockedPushEntrySList(&Header, &Entries[1]);
        XTEST_CHECK_EQ(Sequence(), 2 * Round);
        RtlInterlockedPopEntrySList(&Header);
        RtlInterlockedPopEntrySList(&Header);
        XTEST_CHECK_EQ(Sequence(), 2 * Round);
        XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), 0);
    }
}

XTEST(FlushReturnsTheChain) {
    PSLIST_ENTRY Chain;
    ULONG_PTR Before;

    RtlInitializeSListHead(&Header);
    XTEST_CHECK(RtlInterlockedFlushSList(&Header) == NULL);
    for (ULONG Index = 0; Index < SLIST_TEST_ENTRIES; Index++) {
        RtlInterlockedPushEntrySList(&Header, &Entries[Index]);
    }
    Before = Sequence();
    Chain = RtlInterlockedFlushSList(&Header);
    XTEST_CHECK(Header.Next == NULL);
    XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), 0);
    XTEST_CHECK_EQ(Sequence(), Before);
    for (ULONG Index = SLIST_TEST_ENTRIES; Index-- > 0; Chain = Chain->Next) {
        XTEST_ASSERT(Chain == &Entries[Index]);
    }
    XTEST_CHECK(Chain == NULL);
}

XTEST(SequenceAndDepthWrap) {
    RtlInitializeSListHead(&Header);
    Header.DepthSequence = ~(ULONG_PTR)RTL_SLIST_DEPTH_MASK | RTL_SLIST_DEPTH_MASK; /* last sequence, depth 65535 */
    RtlInterlockedPushEntrySList(&Header, &Entries[0]);
    XTEST_CHECK_EQ(Header.DepthSequence, 0); /* both wrap, neither spills into the other */
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == &Entries[0]);
    XTEST_CHECK_EQ(Header.DepthSequence, RTL_SLIST_DEPTH_MASK);
}

XTEST(FailedCompareExchangeReturnsTheHeader) {
    SLIST_HEADER Comparand = {NULL, 0}, Exchange = {&Entries[3], 7};

    RtlInitializeSListHead(&Header);
    RtlInterlockedPushEntrySList(&Header, &Entries[2]);
    XTEST_CHECK(!RtlpCompareExchangeSListHeader(&Header, &Comparand, &Exchange));
    XTEST_CHECK(Comparand.Next == &Entries[2]);
    XTEST_CHECK_EQ(Comparand.DepthSequence, RTL_SLIST_SEQUENCE_ONE | 1);
    XTEST_CHECK(RtlpCompareExchangeSListHeader(&Header, &Comparand, &Exchange));
    XTEST_CHECK(Header.Next == &Entries[3]);
    XTEST_CHECK_EQ(Header.DepthSequence, 7);
}

/* Processor 1 starts a pop of A (reads the header and A's link, B), stalls; processor 2 pops A, pops B and pushes A
 * back. Processor 1's compare-exchange must fail: the first entry is A again, but the sequence moved. A list whose
 * compare-exchange looks at the first-entry pointer alone accepts it and makes B, which processor 2 owns, the head. */
XTEST(StalePopAfterPopPopPushFails) {
    PSLIST_ENTRY A = &Entries[0], B = &Entries[1], C = &Entries[2], NaiveHead = A, Expected = A;
    SLIST_HEADER Snapshot, Stale;

    RtlInitializeSListHead(&Header);
    RtlInterlockedPushEntrySList(&Header, C);
    RtlInterlockedPushEntrySList(&Header, B);
    RtlInterlockedPushEntrySList(&Header, A);
    Snapshot = Header;
    Stale.Next = Snapshot.Next->Next;
    Stale.DepthSequence = Snapshot.DepthSequence - 1;
    XTEST_CHECK(Stale.Next == B);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == A);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == B);
    RtlInterlockedPushEntrySList(&Header, A);
    XTEST_CHECK(Header.Next == A && A->Next == C);
    XTEST_CHECK(!RtlpCompareExchangeSListHeader(&Header, &Snapshot, &Stale));
    XTEST_CHECK(Header.Next == A);
    XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), 2);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == A);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == C);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == NULL);
    /* The same interleaving on a pointer-only list: the stale compare-exchange goes through. */
    XTEST_CHECK(__atomic_compare_exchange_n(&NaiveHead, &Expected, B, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    XTEST_CHECK(NaiveHead == B);
}

XTEST(ProcessorHasTheCompareExchange) {
    ULONG Leaf = 0, Register = 0, Bit = 0;

    XTEST_CHECK(RtlIsInterlockedSListSupported(&Leaf, &Register, &Bit));
    XTEST_CHECK_EQ(Leaf, 1);
    XTEST_CHECK(Register == 2 || Register == 3);
    XTEST_CHECK(Bit == 13 || Bit == 8);
}

XTEST_SUITE(RtlSListSuite, XTEST_ENTRY(HeaderIsTwoAlignedWords), XTEST_ENTRY(PushPopIsLastInFirstOut),
            XTEST_ENTRY(EveryPushAdvancesTheSequence), XTEST_ENTRY(FlushReturnsTheChain),
            XTEST_ENTRY(SequenceAndDepthWrap), XTEST_ENTRY(FailedCompareExchangeReturnsTheHeader),
            XTEST_ENTRY(StalePopAfterPopPopPushFails), XTEST_ENTRY(ProcessorHasTheCompareExchange));

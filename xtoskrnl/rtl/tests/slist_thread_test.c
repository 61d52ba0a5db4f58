/* RtlSListThreadSuite (host, real threads): the SLIST under concurrent push and pop. Threads pop an entry, claim it,
 * and push it straight back (the pattern that makes ABA likely: the same few entries keep returning to the head), and
 * producers hand unique entries to consumers; no entry may be lost, duplicated or seen by two threads at once. */
#include <pthread.h>
#include <sched.h>

#include <rtl.h>
#include <xtest.h>

#define CHURN_THREADS 4
#define CHURN_ENTRIES 8
#define CHURN_ROUNDS  200000
#define HANDOFF_PAIRS 2
#define HANDOFF_COUNT 100000

typedef struct _TEST_ENTRY {
    SLIST_ENTRY Link;
    volatile ULONG Holders; /* threads that popped it and have not pushed it back: 0 or 1 */
    ULONG Seen;
} TEST_ENTRY;

static SLIST_HEADER Header;
static TEST_ENTRY ChurnEntries[CHURN_ENTRIES];
static volatile ULONG Violations;

static void *Churn(void *Argument) {
    (VOID) Argument;
    for (ULONG Round = 0; Round < CHURN_ROUNDS; Round++) {
        TEST_ENTRY *Entry = (TEST_ENTRY *)RtlInterlockedPopEntrySList(&Header);

        if (Entry == NULL) {
            sched_yield();
            continue;
        }
        if (__atomic_add_fetch(&Entry->Holders, 1, __ATOMIC_ACQ_REL) != 1) {
            __atomic_add_fetch(&Violations, 1, __ATOMIC_RELAXED);
        }
        __atomic_sub_fetch(&Entry->Holders, 1, __ATOMIC_ACQ_REL);
        RtlInterlockedPushEntrySList(&Header, &Entry->Link);
    }
    return NULL;
}

XTEST(ChurnLosesAndDuplicatesNothing) {
    pthread_t Threads[CHURN_THREADS];
    PSLIST_ENTRY Chain;
    ULONG Count = 0;

    RtlInitializeSListHead(&Header);
    Violations = 0;
    for (ULONG Index = 0; Index < CHURN_ENTRIES; Index++) {
        ChurnEntries[Index].Holders = 0;
        ChurnEntries[Index].Seen = 0;
        RtlInterlockedPushEntrySList(&Header, &ChurnEntries[Index].Link);
    }
    for (ULONG Index = 0; Index < CHURN_THREADS; Index++) {
        pthread_create(&Threads[Index], NULL, Churn, NULL);
    }
    for (ULONG Index = 0; Index < CHURN_THREADS; Index++) {
        pthread_join(Threads[Index], NULL);
    }
    XTEST_CHECK_EQ(Violations, 0);
    XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), CHURN_ENTRIES);
    /* Every push advanced the sequence: the initial pushes plus one per successful pop. */
    XTEST_CHECK(Header.DepthSequence >> RTL_SLIST_SEQUENCE_SHIFT >= CHURN_ENTRIES);
    for (Chain = RtlInterlockedFlushSList(&Header); Chain != NULL && Count <= CHURN_ENTRIES; Chain = Chain->Next) {
        ((TEST_ENTRY *)Chain)->Seen++;
        Count++;
    }
    XTEST_CHECK_EQ(Count, CHURN_ENTRIES);
    for (ULONG Index = 0; Index < CHURN_ENTRIES; Index++) {
        XTEST_CHECK_EQ(ChurnEntries[Index].Seen, 1);
    }
}

static TEST_ENTRY HandoffEntries[HANDOFF_PAIRS][HANDOFF_COUNT];
static volatile ULONG Consumed;

static void *Produce(void *Argument) {
    TEST_ENTRY *Entries = Argument;

    for (ULONG Index = 0; Index < HANDOFF_COUNT; Index++) {
        RtlInterlockedPushEntrySList(&Header, &Entries[Index].Link);
    }
    return NULL;
}

static void *Consume(void *Argument) {
    (VOID) Argument;
    while (__atomic_load_n(&Consumed, __ATOMIC_RELAXED) < HANDOFF_PAIRS * HANDOFF_COUNT) {
        TEST_ENTRY *Entry = (TEST_ENTRY *)RtlInterlockedPopEntrySList(&Header);

        if (Entry == NULL) {
            sched_yield();
            continue;
        }
        if (__atomic_add_fetch(&Entry->Seen, 1, __ATOMIC_RELAXED) != 1) {
            __atomic_add_fetch(&Violations, 1, __ATOMIC_RELAXED);
        }
        __atomic_add_fetch(&Consumed, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

XTEST(ProducersAndConsumersMeetExactlyOnce) {
    pthread_t Producers[HANDOFF_PAIRS], Consumers[HANDOFF_PAIRS];
    ULONG Unseen = 0;

    RtlInitializeSListHead(&Header);
    Violations = 0;
    Consumed = 0;
    for (ULONG Pair = 0; Pair < HANDOFF_PAIRS; Pair++) {
        pthread_create(&Consumers[Pair], NULL, Consume, NULL);
        pthread_create(&Producers[Pair], NULL, Produce, HandoffEntries[Pair]);
    }
    for (ULONG Pair = 0; Pair < HANDOFF_PAIRS; Pair++) {
        pthread_join(Producers[Pair], NULL);
        pthread_join(Consumers[Pair], NULL);
    }
    for (ULONG Pair = 0; Pair < HANDOFF_PAIRS; Pair++) {
        for (ULONG Index = 0; Index < HANDOFF_COUNT; Index++) {
            Unseen += HandoffEntries[Pair][Index].Seen != 1;
        }
    }
    XTEST_CHECK_EQ(Violations, 0);
    XTEST_CHECK_EQ(Unseen, 0);
    XTEST_CHECK_EQ(Consumed, HANDOFF_PAIRS * HANDOFF_COUNT);
    XTEST_CHECK(RtlInterlockedPopEntrySList(&Header) == NULL);
    XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), 0);
}

XTEST_SUITE(RtlSListThreadSuite, XTEST_ENTRY(ChurnLosesAndDuplicatesNothing),
            XTEST_ENTRY(ProducersAndConsumersMeetExactlyOnce));

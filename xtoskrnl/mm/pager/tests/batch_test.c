/* The deferred-shootdown batch (batch.c, as the kernel compiles it): a full batch takes nothing more (the overrun
 * the pager once made, when a processor queued into a batch another had filled and not yet flushed), the page limit
 * fills it too, and a model of processors queueing and flushing in every interleaving takes each range exactly once,
 * never more than 16 at a time, with the guard after the array untouched. */
#include <xtest.h>

#include <batch.h>

#define TEST_PAGE_LIMIT 64
#define TEST_PROCESSORS 4
#define TEST_RANGES     20000

static MI_DEFERRED_BATCH Batch;

static VOID ResetBatch(VOID) {
    MI_DEFERRED_BATCH Empty = {.PageLimit = TEST_PAGE_LIMIT};

    Batch = Empty;
}

static MI_DEFERRED_RANGE OnePage(ULONG_PTR Serial) {
    MI_DEFERRED_RANGE Range = {0x10000000 + Serial * 0x2000, 1, 100 + Serial * 2, 2};

    return Range;
}

/* 16 one-page ranges fill the batch (the 16th says so); a 17th before the take finds it full and queues nothing;
 * the take returns the 16 in order and empties it; the 17th then queues. */
XTEST(AFullBatchTakesNothingMore) {
    MI_DEFERRED_RANGE Out[MI_DEFERRED_RANGES], Late = OnePage(16);
    ULONG_PTR Pages;

    ResetBatch();
    for (ULONG_PTR Serial = 0; Serial < MI_DEFERRED_RANGES; Serial++) {
        MI_DEFERRED_RANGE Range = OnePage(Serial);

        XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Range),
                       Serial + 1 == MI_DEFERRED_RANGES ? MiDeferQueuedFull : MiDeferQueued);
    }
    XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Late), MiDeferFoundFull);
    XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Late), MiDeferFoundFull);
    XTEST_CHECK_EQ(Batch.Count, MI_DEFERRED_RANGES);
    XTEST_CHECK(MiIsDeferredBatchIntact(&Batch));
    XTEST_CHECK_EQ(Batch.Guard.Va, 0);
    XTEST_CHECK_EQ(Batch.Statistics.FoundFull, 2);
    XTEST_CHECK_EQ(Batch.Statistics.Deferred, MI_DEFERRED_RANGES);
    XTEST_ASSERT_EQ(MiTakeDeferredBatch(&Batch, Out, &Pages), MI_DEFERRED_RANGES);
    XTEST_CHECK_EQ(Pages, MI_DEFERRED_RANGES);
    for (ULONG_PTR Serial = 0; Serial < MI_DEFERRED_RANGES; Serial++) {
        XTEST_CHECK_EQ(Out[Serial].Va, OnePage(Serial).Va);
        XTEST_CHECK_EQ(Out[Serial].Index, OnePage(Serial).Index);
    }
    XTEST_CHECK_EQ(Batch.Count, 0);
    XTEST_CHECK_EQ(MiTakeDeferredBatch(&Batch, Out, &Pages), 0);
    XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Late), MiDeferQueued);
    XTEST_CHECK_EQ(Batch.Statistics.Flushes, 1);
    XTEST_CHECK_EQ(Batch.Statistics.LargestBatch, MI_DEFERRED_RANGES);
}

/* 20-page ranges: the fourth reaches the page limit and says the batch is full; a range queued before the take still
 * fits (the limit is a flush hint, the array the hard bound). A corrupted count or guard is reported. */
XTEST(ThePageLimitFillsTheBatch) {
    MI_DEFERRED_RANGE Range = {0x20000000, 20, 5, 20}, Out[MI_DEFERRED_RANGES];
    ULONG_PTR Pages;

    ResetBatch();
    for (ULONG Index = 0; Index < 3; Index++) {
        XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Range), MiDeferQueued);
    }
    XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Range), MiDeferQueuedFull);
    XTEST_CHECK_EQ(MiQueueDeferredRange(&Batch, &Range), MiDeferQueuedFull);
    XTEST_CHECK_EQ(MiTakeDeferredBatch(&Batch, Out, &Pages), 5);
    XTEST_CHECK_EQ(Pages, 100);
    XTEST_CHECK(MiIsDeferredBatchIntact(&Batch));
    Batch.Guard.Va = 1;
    XTEST_CHECK(!MiIsDeferredBatchIntact(&Batch));
    Batch.Guard.Va = 0;
    Batch.Count = MI_DEFERRED_RANGES + 1;
    XTEST_CHECK(!MiIsDeferredBatchIntact(&Batch));
}

/* One modelled processor: the pager's MmFreeSystemPages around the batch (queue; on "found full" flush and queue
 * again; on "queued full" flush later, after the lock was dropped). */
typedef enum _TEST_STEP { TestQueue, TestFlushThenQueue, TestFlushAfterFill } TEST_STEP;

typedef struct _TEST_PROCESSOR {
    TEST_STEP Step;
    ULONG_PTR Range; /* the serial it is freeing */
} TEST_PROCESSOR;

static ULONG TestRandom(PULONG State) {
    *State ^= *State << 13;
    *State ^= *State >> 17;
    *State ^= *State << 5;
    return *State;
}

/* Every lock-held step of TEST_PROCESSORS processors freeing TEST_RANGES one-page ranges, interleaved at random (a
 * processor that filled the batch often loses the lock to the others before its flush: the window of the old
 * overrun): every range is taken exactly once, no take returns more than 16, the guard stays untouched, and the
 * "found full" path was taken. */
XTEST(EveryInterleavingTakesEachRangeOnce) {
    static UCHAR Taken[TEST_RANGES];
    TEST_PROCESSOR Processors[TEST_PROCESSORS] = {0};
    MI_DEFERRED_RANGE Out[MI_DEFERRED_RANGES + 1];
    ULONG_PTR Next = 0, Done = 0, Pages;
    ULONG State = 0x12345678u, Twice = 0, TooMany = 0, Broken = 0;

    ResetBatch();
    for (ULONG Index = 0; Index < TEST_PROCESSORS; Index++) {
        Processors[Index].Range = Next++;
    }
    while (Done < TEST_RANGES) {
        TEST_PROCESSOR *Processor = &Processors[TestRandom(&State) % TEST_PROCESSORS];
        MI_DEFERRED_RANGE Range = OnePage(Processor->Range);
        ULONG Count;

        Broken += !MiIsDeferredBatchIntact(&Batch);
        if (Processor->Range >= TEST_RANGES && Processor->Step == TestQueue) {
            continue; /* this processor has nothing left to free */
        }
        if (Processor->Step != TestQueue) { /* a flush: the take under the lock (the shootdown follows outside) */
            Count = MiTakeDeferredBatch(&Batch, Out, &Pages);
            TooMany += Count > MI_DEFERRED_RANGES;
            for (ULONG Index = 0; Index < Count && Index < MI_DEFERRED_RANGES; Index++) {
                ULONG_PTR Serial = (Out[Index].Va - 0x10000000) / 0x2000;

                Twice += Serial >= TEST_RANGES || Taken[Serial]++ != 0;
                Done++;
            }
            if (Processor->Step == TestFlushAfterFill) {
                Processor->Range = Next++;
            }
            Processor->Step = TestQueue;
            continue;
        }
        switch (MiQueueDeferredRange(&Batch, &Range)) {
            case MiDeferQueued:
                Processor->Range = Next++;
                break;
            case MiDeferQueuedFull:
                Processor->Step = TestFlushAfterFill;
                break;
            case MiDeferFoundFull:
                Processor->Step = TestFlushThenQueue;
                break;
        }
        if (Next >= TEST_RANGES && Processor->Step == TestQueue && Processor->Range >= TEST_RANGES &&
            Batch.Count != 0) {
            Processor->Step = TestFlushThenQueue; /* the last frees: flush what is left (a later flush, as in tests) */
        }
    }
    XTEST_CHECK_EQ(Twice, 0);
    XTEST_CHECK_EQ(TooMany, 0);
    XTEST_CHECK_EQ(Broken, 0);
    XTEST_CHECK_EQ(Done, TEST_RANGES);
    for (ULONG_PTR Serial = 0; Serial < TEST_RANGES; Serial++) {
        Twice += Taken[Serial] != 1;
    }
    XTEST_CHECK_EQ(Twice, 0);
    XTEST_CHECK(Batch.Statistics.FoundFull > 0);
    XTEST_CHECK(Batch.Statistics.LargestBatch <= MI_DEFERRED_RANGES);
    XTEST_CHECK_EQ(Batch.Statistics.Deferred, TEST_RANGES);
}

XTEST_SUITE(MmDeferredBatchSuite, XTEST_ENTRY(AFullBatchTakesNothingMore), XTEST_ENTRY(ThePageLimitFillsTheBatch),
            XTEST_ENTRY(EveryInterleavingTakesEachRangeOnce));

XTEST_HOST_MAIN(&MmDeferredBatchSuite)

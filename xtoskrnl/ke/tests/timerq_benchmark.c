/* Host benchmark of the timer queue: ns per insert+pop pair (the clock's steady state: a timer is set, the earliest
 * expires) and per insert+cancel pair, with 1, 1000 and 100000 timers queued. Run with
 * bazel run -c opt //xtoskrnl/ke/tests:timerq_benchmark */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <timerq.h>

typedef struct _BENCH_TIMER {
    ULONG Id;
    KTIMER_QUEUE_ENTRY Entry;
} BENCH_TIMER;

static ULONGLONG State = 0xBE4C;

static ULONGLONG NextRandom(VOID) {
    State ^= State >> 12;
    State ^= State << 25;
    State ^= State >> 27;
    return State * 0x2545F4914F6CDD1DULL;
}

static double NowNs(VOID) {
    struct timespec Time;
    clock_gettime(CLOCK_MONOTONIC, &Time);
    return (double)Time.tv_sec * 1e9 + (double)Time.tv_nsec;
}

/* Average ns of one insert+pop (Cancel FALSE) or insert+cancel (TRUE) with Active timers queued. */
static double Measure(ULONG Active, BOOLEAN Cancel, ULONG Rounds) {
    BENCH_TIMER *Timers = calloc(Active + 1, sizeof(BENCH_TIMER));
    KTIMER_QUEUE Queue;
    ULONGLONG Now = 0;
    double Start;
    double Elapsed;
    PKTIMER_QUEUE_ENTRY Spare;

    KiInitializeTimerQueue(&Queue);
    for (ULONG Index = 0; Index <= Active; Index++) {
        KiInitializeTimerQueueEntry(&Timers[Index].Entry);
    }
    /* Due times spread over the next ~Active*1000 ticks, as periodic timers would be. */
    for (ULONG Index = 0; Index < Active; Index++) {
        KiInsertTimerQueue(&Queue, &Timers[Index].Entry, NextRandom() % ((ULONGLONG)Active * 1000 + 1));
    }
    Spare = &Timers[Active].Entry;
    Start = NowNs();
    for (ULONG Round = 0; Round < Rounds; Round++) {
        ULONGLONG Due = Now + NextRandom() % ((ULONGLONG)Active * 1000 + 1);
        KiInsertTimerQueue(&Queue, Spare, Due);
        if (Cancel) {
            /* Cancel a random queued timer (the one just set is as likely as any). */
            PKTIMER_QUEUE_ENTRY Victim = &Timers[NextRandom() % (Active + 1)].Entry;
            if (!KiRemoveTimerQueue(&Queue, Victim)) {
                Victim = Spare;
                KiRemoveTimerQueue(&Queue, Victim);
            }
            Spare = Victim;
        } else {
            Spare = KiPopTimerQueue(&Queue);
            Now = Spare->DueTime;
        }
    }
    Elapsed = NowNs() - Start;
    if (Queue.Count != Active) {
        fprintf(stderr, "queue size drifted: %lu != %u\n", (unsigned long)Queue.Count, Active);
        exit(1);
    }
    free(Timers);
    return Elapsed / Rounds;
}

int main(VOID) {
    static const ULONG Sizes[] = {1, 1000, 100000};

    printf("%-10s %18s %21s\n", "timers", "insert+pop ns/op", "insert+cancel ns/op");
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        double Pop = Measure(Sizes[Index], FALSE, 2000000);
        double Cancel = Measure(Sizes[Index], TRUE, 2000000);
        printf("%-10u %18.1f %21.1f\n", Sizes[Index], Pop, Cancel);
    }
    return 0;
}

/* Contended throughput of Ke's locks and the RTL SLIST on the host: 1, 2 and 4 threads (one modelled processor each)
 * hammer one lock (a counter increment inside) or one SLIST (pop then push back), against glibc's pthread spin lock
 * and mutex on the same work. Prints ns per operation (wall time / all threads' operations) and Mops/s.
 * bazel run -c opt //xtoskrnl/ke/tests:lock_benchmark
 * The host model's KeYieldProcessor yields the time slice (a preempted host thread must not convoy a queued lock):
 * with more threads than free cores the contended figures measure the scheduler as much as the lock. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include <rtl.h>

#include "processor_model.h"

#define BENCH_OPERATIONS 1000000 /* per thread */
#define BENCH_ENTRIES    64

typedef enum { BenchPlain, BenchInStack, BenchNumbered, BenchSList, BenchPthreadSpin, BenchPthreadMutex } BENCH_KIND;

static const char *const BenchNames[] = {"KeAcquireSpinLock", "in-stack queued (MCS)", "numbered queued (MCS)",
                                         "SLIST pop+push",    "pthread_spin_lock",     "pthread_mutex_lock"};

static KSPIN_LOCK Lock;
static volatile ULONGLONG Counter;
static SLIST_HEADER Header;
static SLIST_ENTRY Entries[BENCH_ENTRIES];
static pthread_spinlock_t Spin;
static pthread_mutex_t Mutex = PTHREAD_MUTEX_INITIALIZER;

static void *Worker(void *Argument) {
    BENCH_KIND Kind = (BENCH_KIND)(ULONG_PTR)Argument;
    KSPIN_LOCK_QUEUE LockQueues[LockQueueMaximumLock];
    KLOCK_QUEUE_HANDLE Handle;
    KRUNLEVEL Old;

    KeInitializeLockQueues(LockQueues);
    for (ULONG Index = 0; Index < BENCH_OPERATIONS; Index++) {
        switch (Kind) {
            case BenchPlain:
                KeAcquireSpinLock(&Lock, &Old);
                Counter++;
                KeReleaseSpinLock(&Lock, Old);
                break;
            case BenchInStack:
                KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
                Counter++;
                KeReleaseInStackQueuedSpinLock(&Handle);
                break;
            case BenchNumbered:
                Old = KeRaiseRunLevel(DISPATCH_LEVEL);
                KeAcquireQueuedSpinLockAtDpcLevel(&LockQueues[LockQueuePfnLock]);
                Counter++;
                KeReleaseQueuedSpinLockFromDpcLevel(&LockQueues[LockQueuePfnLock]);
                KeLowerRunLevel(Old);
                break;
            case BenchSList: {
                PSLIST_ENTRY Entry = RtlInterlockedPopEntrySList(&Header);

                if (Entry != NULL) {
                    RtlInterlockedPushEntrySList(&Header, Entry);
                }
                break;
            }
            case BenchPthreadSpin:
                pthread_spin_lock(&Spin);
                Counter++;
                pthread_spin_unlock(&Spin);
                break;
            case BenchPthreadMutex:
                pthread_mutex_lock(&Mutex);
                Counter++;
                pthread_mutex_unlock(&Mutex);
                break;
        }
    }
    return NULL;
}

static double Seconds(VOID) {
    struct timespec Now;

    clock_gettime(CLOCK_MONOTONIC, &Now);
    return Now.tv_sec + Now.tv_nsec / 1e9;
}

int main(void) {
    static const ULONG ThreadCounts[] = {1, 2, 4};

    pthread_spin_init(&Spin, PTHREAD_PROCESS_PRIVATE);
    printf("| work | threads | ns/op | Mops/s |\n|---|---|---|---|\n");
    for (ULONG Kind = BenchPlain; Kind <= BenchPthreadMutex; Kind++) {
        for (ULONG Count = 0; Count < ARRAY_SIZE(ThreadCounts); Count++) {
            pthread_t Threads[4];
            ULONG ThreadCount = ThreadCounts[Count];
            double Start, Elapsed;
            ULONGLONG Operations = (ULONGLONG)ThreadCount * BENCH_OPERATIONS;

            KeInitializeSpinLock(&Lock);
            Counter = 0;
            RtlInitializeSListHead(&Header);
            for (ULONG Index = 0; Index < BENCH_ENTRIES; Index++) {
                RtlInterlockedPushEntrySList(&Header, &Entries[Index]);
            }
            Start = Seconds();
            for (ULONG Index = 0; Index < ThreadCount; Index++) {
                pthread_create(&Threads[Index], NULL, Worker, (void *)(ULONG_PTR)Kind);
            }
            for (ULONG Index = 0; Index < ThreadCount; Index++) {
                pthread_join(Threads[Index], NULL);
            }
            Elapsed = Seconds() - Start;
            if (Kind != BenchSList && Counter != Operations) {
                printf("COUNTER WRONG: %llu != %llu\n", (unsigned long long)Counter, (unsigned long long)Operations);
                return 1;
            }
            if (Kind == BenchSList && RtlQueryDepthSList(&Header) != BENCH_ENTRIES) {
                printf("SLIST DEPTH WRONG: %u\n", RtlQueryDepthSList(&Header));
                return 1;
            }
            printf("| %s | %u | %.1f | %.1f |\n", BenchNames[Kind], ThreadCount, Elapsed * 1e9 / Operations,
                   Operations / Elapsed / 1e6);
        }
    }
    return 0;
}

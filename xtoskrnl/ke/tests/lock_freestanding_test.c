/* Spin locks, queued locks and the SLIST under real threads in a freestanding static Linux binary (no C library,
 * clang -O2, i686 and x86_64; lock_freestanding_test.sh): the i686 code (4-byte lock words, CMPXCHG8B) runs under
 * concurrency on the host too. Threads are raw clone() calls on static stacks; each thread models one processor, found
 * from its stack pointer: its RunLevel register and lock-owner tag. The exit status is the number of failures. */
#include <freestanding_linux.h>
#include <ke.h>
#include <rtl.h>

#define FS_THREADS    4
#define FS_STACK_SIZE 65536
#define FS_ITERATIONS 50000
#define FS_ENTRIES    8

/* ---- Threads ---- */

static UCHAR FspStacks[FS_THREADS][FS_STACK_SIZE] __attribute__((aligned(64)));
static volatile ULONG FspDone[FS_THREADS];
static KRUNLEVEL FspRunLevels[FS_THREADS + 1]; /* the last: the main thread */

#define FSP_CLONE_FLAGS 0x50F00 /* CLONE_VM | FS | FILES | SIGHAND | THREAD | SYSVSEM */

typedef struct _FSP_START {
    VOID (*Routine)(ULONG Index);
    ULONG Index;
} FSP_START;

static FSP_START FspStarts[FS_THREADS];

/* The new thread's first and only frame: runs the routine, marks it done, exits the thread. */
static VOID FspThreadMain(FSP_START *Start) {
    Start->Routine(Start->Index);
    __atomic_store_n(&FspDone[Start->Index], 1, __ATOMIC_RELEASE);
}

#if defined(__i386__)
static long FspClone(PVOID StackTop, FSP_START *Start) {
    ULONG_PTR *Stack = (ULONG_PTR *)StackTop;
    long Result;

    Stack -= 3; /* padding: the argument lands on a 16-byte boundary, as the i386 ABI wants at a call */
    *--Stack = (ULONG_PTR)Start;         /* the argument */
    *--Stack = (ULONG_PTR)FspThreadMain; /* popped by the child */
    __asm__ volatile("int $0x80\n"
                     "test %%eax, %%eax\n"
                     "jnz 1f\n"
                     "pop %%eax\n"
                     "call *%%eax\n"
                     "mov $1, %%eax\n" /* exit: this thread only */
                     "xor %%ebx, %%ebx\n"
                     "int $0x80\n"
                     "1:\n"
                     : "=a"(Result), "+c"(Stack)
                     : "a"(120), "b"(FSP_CLONE_FLAGS), "d"(0), "S"(0), "D"(0)
                     : "memory", "cc");
    return Result;
}

static VOID FspYield(VOID) {
    __asm__ volatile("int $0x80" : : "a"(158) : "memory", "cc");
}
#else
static long FspClone(PVOID StackTop, FSP_START *Start) {
    register ULONG_PTR Routine __asm__("r9") = (ULONG_PTR)FspThreadMain;
    register ULONG_PTR Argument __asm__("r12") = (ULONG_PTR)Start;
    register ULONG_PTR Zero10 __asm__("r10") = 0;
    register ULONG_PTR Zero8 __asm__("r8") = 0;
    long Result;

    __asm__ volatile("syscall\n"
                     "test %%rax, %%rax\n"
                     "jnz 1f\n"
                     "xor %%ebp, %%ebp\n"
                     "mov %%r12, %%rdi\n"
                     "call *%%r9\n"
                     "mov $60, %%eax\n" /* exit: this thread only */
                     "xor %%edi, %%edi\n"
                     "syscall\n"
                     "1:\n"
                     : "=a"(Result)
                     : "a"(56), "D"(FSP_CLONE_FLAGS), "S"(StackTop), "d"(0), "r"(Zero10), "r"(Zero8), "r"(Routine),
                       "r"(Argument)
                     : "rcx", "r11", "memory", "cc");
    return Result;
}

static VOID FspYield(VOID) {
    long Result;
    __asm__ volatile("syscall" : "=a"(Result) : "a"(24) : "rcx", "r11", "memory", "cc");
}
#endif

/* Runs Routine(0..FS_THREADS-1) on FS_THREADS threads at once and waits for all. */
static VOID FspRunThreads(VOID (*Routine)(ULONG Index)) {
    for (ULONG Index = 0; Index < FS_THREADS; Index++) {
        FspDone[Index] = 0;
        FspRunLevels[Index] = PASSIVE_LEVEL;
        FspStarts[Index] = (FSP_START){Routine, Index};
        long Result = FspClone(FspStacks[Index] + FS_STACK_SIZE, &FspStarts[Index]);

        if (Result <= 0) {
            XtestPrint("clone failed: %ld\n", Result);
            FsExit(97);
        }
    }
    for (ULONG Index = 0; Index < FS_THREADS; Index++) {
        while (!__atomic_load_n(&FspDone[Index], __ATOMIC_ACQUIRE)) {
            FspYield();
        }
    }
}

/* ---- The modelled processor of the calling thread ---- */

static ULONG FspCurrent(VOID) {
    ULONG_PTR Here = (ULONG_PTR)__builtin_frame_address(0), Base = (ULONG_PTR)FspStacks;

    return Here >= Base && Here < Base + sizeof(FspStacks) ? (ULONG)((Here - Base) / FS_STACK_SIZE) : FS_THREADS;
}

KRUNLEVEL KiReadRunLevel(VOID) {
    return FspRunLevels[FspCurrent()];
}

VOID KiWriteRunLevel(KRUNLEVEL Level) {
    FspRunLevels[FspCurrent()] = Level;
}

ULONG_PTR KiGetCurrentLockOwner(VOID) {
    return FspCurrent() + 1;
}

/* Gives the time slice away every 64 spins of a thread (a preempted thread may be the one handed a queued lock). */
VOID KeYieldProcessor(VOID) {
    static ULONG Spins[FS_THREADS + 1][16]; /* one cache line each */

    __asm__ volatile("pause" : : : "memory");
    if (++Spins[FspCurrent()][0] % 64 == 0) {
        FspYield();
    }
}

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    XtestPrint("*** STOP 0x%08X (%p, %p, %p, %p)\n", Code, (PVOID)Parameter1, (PVOID)Parameter2, (PVOID)Parameter3,
               (PVOID)Parameter4);
    FsExit(98);
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    XtestPrint("RtlFailFast(%u, %p, %p)\n", Code, (PVOID)Parameter1, (PVOID)Parameter2);
    FsExit(99);
}

/* ---- The work ---- */

static KSPIN_LOCK Lock;
static volatile ULONG Counter;
static volatile ULONG Violations;

static VOID Increment(VOID) {
    ULONG Value = Counter;

    __asm__ volatile("" : : : "memory");
    Counter = Value + 1;
}

static VOID PlainWorker(ULONG Index) {
    KRUNLEVEL Old;

    (VOID) Index;
    for (ULONG Round = 0; Round < FS_ITERATIONS; Round++) {
        KeAcquireSpinLock(&Lock, &Old);
        Increment();
        KeReleaseSpinLock(&Lock, Old);
    }
}

static VOID InStackWorker(ULONG Index) {
    KLOCK_QUEUE_HANDLE Handle;

    (VOID) Index;
    for (ULONG Round = 0; Round < FS_ITERATIONS; Round++) {
        KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
        Increment();
        KeReleaseInStackQueuedSpinLock(&Handle);
    }
}

static VOID NumberedWorker(ULONG Index) {
    KSPIN_LOCK_QUEUE LockQueues[LockQueueMaximumLock];
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    (VOID) Index;
    KeInitializeLockQueues(LockQueues);
    for (ULONG Round = 0; Round < FS_ITERATIONS; Round++) {
        KeAcquireQueuedSpinLockAtDpcLevel(&LockQueues[LockQueuePfnLock]);
        Increment();
        KeReleaseQueuedSpinLockFromDpcLevel(&LockQueues[LockQueuePfnLock]);
    }
    KeLowerRunLevel(Old);
}

typedef struct _FS_ENTRY {
    SLIST_ENTRY Link;
    volatile ULONG Holders;
    ULONG Seen;
} FS_ENTRY;

static SLIST_HEADER Header;
static FS_ENTRY Entries[FS_ENTRIES];

static VOID ChurnWorker(ULONG Index) {
    (VOID) Index;
    for (ULONG Round = 0; Round < FS_ITERATIONS; Round++) {
        FS_ENTRY *Entry = (FS_ENTRY *)RtlInterlockedPopEntrySList(&Header);

        if (Entry == NULL) {
            continue;
        }
        if (__atomic_add_fetch(&Entry->Holders, 1, __ATOMIC_ACQ_REL) != 1) {
            __atomic_add_fetch(&Violations, 1, __ATOMIC_RELAXED);
        }
        __atomic_sub_fetch(&Entry->Holders, 1, __ATOMIC_ACQ_REL);
        RtlInterlockedPushEntrySList(&Header, &Entry->Link);
    }
}

static BOOLEAN RunCounter(VOID (*Worker)(ULONG Index)) {
    Counter = 0;
    KeInitializeSpinLock(&Lock);
    FspRunThreads(Worker);
    return Counter == FS_THREADS * FS_ITERATIONS && FspRunLevels[0] == PASSIVE_LEVEL;
}

XTEST(PlainLockCounterIsExact) {
    XTEST_CHECK(RunCounter(PlainWorker));
    XTEST_CHECK_EQ(Counter, FS_THREADS * FS_ITERATIONS);
    XTEST_CHECK_EQ(Lock, 0);
}

XTEST(InStackQueuedCounterIsExact) {
    XTEST_CHECK(RunCounter(InStackWorker));
    XTEST_CHECK_EQ(Counter, FS_THREADS * FS_ITERATIONS);
    XTEST_CHECK_EQ(Lock, 0);
}

XTEST(NumberedQueuedCounterIsExact) {
    XTEST_CHECK(RunCounter(NumberedWorker));
    XTEST_CHECK_EQ(Counter, FS_THREADS * FS_ITERATIONS);
    XTEST_CHECK_EQ(*KeGetQueuedSpinLock(LockQueuePfnLock), 0);
}

XTEST(SListChurnLosesAndDuplicatesNothing) {
    ULONG Count = 0;

    RtlInitializeSListHead(&Header);
    Violations = 0;
    for (ULONG Index = 0; Index < FS_ENTRIES; Index++) {
        RtlInterlockedPushEntrySList(&Header, &Entries[Index].Link);
    }
    FspRunThreads(ChurnWorker);
    XTEST_CHECK_EQ(Violations, 0);
    XTEST_CHECK_EQ(RtlQueryDepthSList(&Header), FS_ENTRIES);
    for (PSLIST_ENTRY Chain = RtlInterlockedFlushSList(&Header); Chain != NULL && Count <= FS_ENTRIES;
         Chain = Chain->Next) {
        ((FS_ENTRY *)Chain)->Seen++;
        Count++;
    }
    XTEST_CHECK_EQ(Count, FS_ENTRIES);
    for (ULONG Index = 0; Index < FS_ENTRIES; Index++) {
        XTEST_CHECK_EQ(Entries[Index].Seen, 1);
    }
}

XTEST_SUITE(KeLockFreestandingSuite, XTEST_ENTRY(PlainLockCounterIsExact), XTEST_ENTRY(InStackQueuedCounterIsExact),
            XTEST_ENTRY(NumberedQueuedCounterIsExact), XTEST_ENTRY(SListChurnLosesAndDuplicatesNothing));

VOID _start(VOID);

/* Linux enters with the stack pointer 16-byte aligned, not as a call leaves it: realign. */
__attribute__((force_align_arg_pointer)) VOID _start(VOID) {
    static const XTEST_SUITE *const Suites[] = {&KeLockFreestandingSuite};
    ULONG Failures = XtestRunSuites(Suites, ARRAY_SIZE(Suites));

    XtestPrint("%u-bit freestanding build, %u threads\n", (ULONG)(8 * sizeof(PVOID)), FS_THREADS);
    FsExit((long)Failures);
}

/* KeContextSwitchSuite (SELFTEST only): threads without a scheduler. Threads get guarded kernel stacks with their
 * floating-point save area on top; three of them and the boot thread switch round-robin thousands of times with
 * KiSwapContext, each loading its own callee-saved registers, MXCSR and XMM (YMM with AVX) pattern before every
 * switch and finding it intact after; a thread that returns reaches the termination hook on its own stack; the
 * processor's floating-point set-up is the one Ke chose, on every processor; creating and deleting threads gives
 * every frame back. */
#include <ar.h>
#include <ke.h>
#include <kithread.h>
#include <kthread.h>
#include <mm.h>
#include <rtl.h>
#include <xtest.h>

#include "ctxtest.h"
#include "ke_suites.h"

STATIC_ASSERT(offsetof(KI_TEST_REGISTERS, Gpr) == KI_TEST_GPR);
STATIC_ASSERT(offsetof(KI_TEST_REGISTERS, Mxcsr) == KI_TEST_MXCSR);
STATIC_ASSERT(offsetof(KI_TEST_REGISTERS, Avx) == KI_TEST_AVX);
STATIC_ASSERT(offsetof(KI_TEST_REGISTERS, Vector) == KI_TEST_VECTOR);
STATIC_ASSERT(sizeof(KI_TEST_REGISTERS) == KI_TEST_SIZE);

#define KI_TEST_THREADS        3
#define KI_TEST_ROUNDS         2000 /* per thread: 3 * 2000 + 7 switches in the round-robin case */
#define KI_TEST_LOCALS         16
#define KI_TEST_NOFLOAT_ROUNDS 200
#define KI_TEST_CYCLES         400 /* thread creations and deletions in the memory case */
#define KI_TEST_MXCSR_DEFAULT  0x1F80
#define KI_TEST_STARTUP_BYTES  16         /* KiThreadStartup is shorter than this */
#define KI_TEST_FLOAT_TAG      0x7046744B /* 'KtFp' (ke/thread.c) */

/* What the termination hook saw. */
typedef struct _KI_TEST_HOOK {
    PKTHREAD ReturnTo; /* the boot thread of the running case: where the hook switches */
    ULONG Calls;
    ULONG ThreadMask; /* bit i: the hook ran for the case's thread i */
    ULONG Errors;     /* not Terminated, or not running on the thread's own stack */
    ULONG Resumed;    /* a terminated thread was switched to again */
    PKTHREAD Threads[KI_TEST_THREADS];
} KI_TEST_HOOK;

/* The round-robin case's threads and results (index KI_TEST_THREADS: the boot thread). */
typedef struct _KI_SWITCH_TEST {
    KTHREAD Boot;
    KTHREAD Threads[KI_TEST_THREADS];
    BOOLEAN Avx;
    ULONG Rounds;
    ULONG Completed[KI_TEST_THREADS];
    ULONG RegisterErrors[KI_TEST_THREADS + 1];
    ULONG LocalErrors[KI_TEST_THREADS];
    ULONG BoundsErrors[KI_TEST_THREADS + 1];
    ULONG FirstErrorThread, FirstErrorRound, FirstErrorWhat; /* the first mismatch, for the report */
} KI_SWITCH_TEST;

static KI_TEST_HOOK KiTestHook;
static KI_SWITCH_TEST KiSwitchTest;

/* A 64-bit mix (splitmix64's finaliser): distinct, irregular patterns from small seeds. */
static ULONGLONG KiTestMix(ULONGLONG Value) {
    Value ^= Value >> 33;
    Value *= 0xFF51AFD7ED558CCDull;
    Value ^= Value >> 33;
    Value *= 0xC4CEB9FE1A85EC53ull;
    return Value ^ (Value >> 33);
}

/* Thread Index's register image for Round (Avx: 32-byte vectors). MXCSR differs in its rounding control. */
static VOID KiTestFillRegisters(PKI_TEST_REGISTERS Registers, ULONG Index, ULONG Round, BOOLEAN Avx) {
    ULONGLONG Seed = ((ULONGLONG)(Index + 1) << 40) ^ ((ULONGLONG)Round << 8), Word;

    RtlZeroMemory(Registers, sizeof(*Registers));
    for (ULONG Register = 0; Register < ARRAY_SIZE(Registers->Gpr); Register++) {
        Registers->Gpr[Register] = KiTestMix(Seed + Register);
    }
    Registers->Mxcsr = KI_TEST_MXCSR_DEFAULT | (((Index + Round) & 3) << 13);
    Registers->Avx = Avx;
    for (ULONG Vector = 0; Vector < KiTestVectorCount; Vector++) {
        for (ULONG Offset = 0; Offset < KI_TEST_VECTOR_BYTES; Offset += sizeof(Word)) {
            Word = KiTestMix(Seed + 0x100 + Vector * KI_TEST_VECTOR_BYTES + Offset);
            RtlCopyMemory(&Registers->Vector[Vector][Offset], &Word, sizeof(Word));
        }
    }
}

/* What differs between the image loaded before a switch and the registers found after it: 0 none, else 1 + the first
 * differing item (callee-saved register i: 1 + i; MXCSR: 9; vector register v: 10 + v). GprOnly: only the general
 * registers (a thread without a save area keeps no vector state). */
static ULONG KiTestCompareRegisters(const KI_TEST_REGISTERS *In, const KI_TEST_REGISTERS *Out, BOOLEAN GprOnly) {
    ULONG VectorBytes = In->Avx ? KI_TEST_VECTOR_BYTES : 16;

    for (ULONG Register = 0; Register < KiTestCalleeSavedCount; Register++) {
        if ((ULONG_PTR)In->Gpr[Register] != (ULONG_PTR)Out->Gpr[Register]) {
            return 1 + Register;
        }
    }
    if (GprOnly) {
        return 0;
    }
    if (In->Mxcsr != Out->Mxcsr) {
        return 9;
    }
    for (ULONG Vector = 0; Vector < KiTestVectorCount; Vector++) {
        if (RtlCompareMemory(In->Vector[Vector], Out->Vector[Vector], VectorBytes) != VectorBytes) {
            return 10 + Vector;
        }
    }
    return 0;
}

/* TRUE when the processor's current-stack bounds (KPRCB StackBase[0]/StackTop[0]) are Thread's stack. */
static BOOLEAN KiTestBoundsAre(PKTHREAD Thread) {
    PKPRCB Prcb = KeGetCurrentPrcb();

    return Prcb->StackBase[0] == (ULONG_PTR)Thread->StackLimit && Prcb->StackTop[0] == (ULONG_PTR)Thread->StackBase;
}

/* A switch with the register probe; records a mismatch of thread Index (KI_TEST_THREADS: the boot thread). */
static VOID KiTestCheckedSwitch(ULONG Index, ULONG Round, PKTHREAD Self, PKTHREAD Next) {
    KI_SWITCH_TEST *Test = &KiSwitchTest;
    KI_TEST_REGISTERS In, Out;
    ULONG What;

    KiTestFillRegisters(&In, Index, Round, Test->Avx);
    RtlZeroMemory(&Out, sizeof(Out));
    KiTestSwapContextChecked(Self, Next, &In, &Out);
    What = KiTestCompareRegisters(&In, &Out, FALSE);
    if (What != 0 && Test->FirstErrorWhat == 0) {
        Test->FirstErrorThread = Index;
        Test->FirstErrorRound = Round;
        Test->FirstErrorWhat = What;
    }
    Test->RegisterErrors[Index] += What != 0;
    Test->BoundsErrors[Index] += !KiTestBoundsAre(Self);
}

/* Puts MXCSR back to its default (the probe leaves the last image's rounding control in it). */
static VOID KiTestResetMxcsr(VOID) {
    ULONG Mxcsr = KI_TEST_MXCSR_DEFAULT;

    __asm__ volatile("ldmxcsr %0" : : "m"(Mxcsr) : "memory");
}

/* The local variable Local of thread Index in Round. */
static ULONG_PTR KiTestLocalValue(ULONG Index, ULONG Round, ULONG Local) {
    return (ULONG_PTR)KiTestMix(((ULONGLONG)Index << 48) ^ ((ULONGLONG)Round << 16) ^ Local);
}

/* Round-robin thread Index: Rounds switches to the next thread (the last one's last switch goes to the boot thread),
 * each with its own register image and locals checked afterwards; then it returns. */
static VOID KiTestRoundRobinThread(PVOID Context) {
    ULONG Index = (ULONG)(ULONG_PTR)Context;
    KI_SWITCH_TEST *Test = &KiSwitchTest;
    PKTHREAD Self = &Test->Threads[Index], Next;
    volatile ULONG_PTR Locals[KI_TEST_LOCALS];

    for (ULONG Round = 0; Round < Test->Rounds; Round++) {
        for (ULONG Local = 0; Local < KI_TEST_LOCALS; Local++) {
            Locals[Local] = KiTestLocalValue(Index, Round, Local);
        }
        if (Index + 1 < KI_TEST_THREADS) {
            Next = &Test->Threads[Index + 1];
        } else {
            Next = Round + 1 == Test->Rounds ? &Test->Boot : &Test->Threads[0];
        }
        KiTestCheckedSwitch(Index, Round, Self, Next);
        for (ULONG Local = 0; Local < KI_TEST_LOCALS; Local++) {
            Test->LocalErrors[Index] += Locals[Local] != KiTestLocalValue(Index, Round, Local);
        }
        Test->Completed[Index]++;
    }
}

/* The termination hook: records the returned thread, then switches to the case's boot thread for good. */
static VOID KiTestTerminationHook(PKTHREAD Thread) {
    volatile UCHAR Marker = 0;
    ULONG_PTR Here = (ULONG_PTR)&Marker;

    KiTestHook.Calls++;
    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        if (KiTestHook.Threads[Index] == Thread) {
            KiTestHook.ThreadMask |= 1u << Index;
        }
    }
    if (Thread->State != Terminated || Here < (ULONG_PTR)Thread->StackLimit || Here >= (ULONG_PTR)Thread->StackBase) {
        KiTestHook.Errors++;
    }
    for (;;) {
        KiSwapContext(Thread, KiTestHook.ReturnTo);
        KiTestHook.Resumed++; /* never: a terminated thread is not switched to again */
    }
}

/* Installs the termination hook for threads Threads[0..Count) returning to Boot; returns the previous hook. */
static PKI_THREAD_TERMINATION_HOOK KiTestInstallHook(PKTHREAD Boot, PKTHREAD Threads, ULONG Count) {
    RtlZeroMemory(&KiTestHook, sizeof(KiTestHook));
    KiTestHook.ReturnTo = Boot;
    for (ULONG Index = 0; Index < Count; Index++) {
        KiTestHook.Threads[Index] = &Threads[Index];
    }
    return KiSetThreadTerminationHook(KiTestTerminationHook);
}

/* A start routine that must never run (threads only created and deleted). */
static VOID KiTestNeverRuns(PVOID Context) {
    *(volatile ULONG *)Context += 1;
}

/* Runs on every processor (generic call): 1 when its CR0/CR4/XCR0 floating-point set-up is the one Ke chose. */
static ULONG_PTR KiTestFloatingSetupWorker(ULONG_PTR Context) {
    ULONG_PTR Cr0 = ArReadCr0(), Cr4 = ArReadCr4();
    KI_FLOAT_SAVE_METHOD Method = KiGetFloatSaveMethod();
    BOOLEAN Ok = (Cr0 & (CR0_EM | CR0_TS)) == 0 && (Cr0 & CR0_MP) != 0;

    (VOID) Context;
    if (Method != KiFloatSaveNone) {
        Ok &= (Cr4 & (CR4_OSFXSR | CR4_OSXMMEXCPT)) == (CR4_OSFXSR | CR4_OSXMMEXCPT);
    }
    if (Method == KiFloatSaveXsave) {
        Ok &= (Cr4 & CR4_OSXSAVE) != 0 && ArReadXcr(0) == KiXsaveMask;
    }
    return Ok;
}

/* Counts the processors whose set-up is the expected one. */
static volatile LONG KiTestFloatingSetupCount;

static ULONG_PTR KiTestCountFloatingSetup(ULONG_PTR Context) {
    if (KiTestFloatingSetupWorker(Context)) {
        __atomic_add_fetch(&KiTestFloatingSetupCount, 1, __ATOMIC_SEQ_CST);
    }
    return 0;
}

XTEST(FloatingStateMatchesProcessor) {
    CPUID_REGISTERS Leaf1, LeafD;
    ULONGLONG Expected = XCR0_X87 | XCR0_SSE;
    KI_FLOAT_SAVE_METHOD Method = KiGetFloatSaveMethod();

    ArCpuId(1, 0, &Leaf1);
    XTEST_ASSERT((Leaf1.Edx & (1u << 24)) && (Leaf1.Edx & (1u << 25))); /* every CPU XTOS boots on: FXSR and SSE */
    if (Leaf1.Ecx & (1u << 26)) {
        ArCpuId(0x0D, 0, &LeafD);
        if ((Leaf1.Ecx & (1u << 28)) && (LeafD.Eax & XCR0_AVX)) {
            Expected |= XCR0_AVX;
        }
        XTEST_CHECK_EQ(Method, KiFloatSaveXsave);
        XTEST_CHECK_EQ(KiXsaveMask, Expected);
        XTEST_CHECK_EQ(KiGetFloatSaveAreaSize(), LeafD.Ebx); /* CPUID's size for the XCR0 now in force */
        XTEST_CHECK_EQ(KiGetFloatSaveAreaAlignment(), 64);
    } else {
        XTEST_CHECK_EQ(Method, KiFloatSaveFxsave);
        XTEST_CHECK_EQ(KiGetFloatSaveAreaSize(), 512);
        XTEST_CHECK_EQ(KiGetFloatSaveAreaAlignment(), 16);
    }
    __atomic_store_n(&KiTestFloatingSetupCount, 0, __ATOMIC_SEQ_CST);
    KeIpiGenericCall(KiTestCountFloatingSetup, 0);
    XTEST_CHECK_EQ(__atomic_load_n(&KiTestFloatingSetupCount, __ATOMIC_SEQ_CST), KeQueryActiveProcessorCount());
    XtestPrint("  %s, %u-byte save area, XCR0 0x%llx, on %u processor(s)\n",
               Method == KiFloatSaveXsave ? "XSAVE" : "FXSAVE", KiGetFloatSaveAreaSize(),
               Method == KiFloatSaveXsave ? KiXsaveMask : 0ull, KeQueryActiveProcessorCount());
}

/* Checks a created thread's stack, guard page, save area and initial frame. */
static VOID KiTestCheckNewThread(PXTEST_CONTEXT XtestContext, PKTHREAD Thread) {
    ULONG_PTR Limit = (ULONG_PTR)Thread->StackLimit, Base = (ULONG_PTR)Thread->StackBase;
    ULONG_PTR Area = (ULONG_PTR)Thread->FloatSaveArea;
    PUCHAR Bytes = Thread->FloatSaveArea;
    USHORT ControlWord;
    ULONG Mxcsr;

    XTEST_CHECK_EQ(Base - Limit, KERNEL_STACK_SIZE);
    XTEST_CHECK_EQ(Limit & (MM_PAGE_SIZE - 1), 0);
    XTEST_CHECK_EQ(MmQueryPageState(Limit - MM_PAGE_SIZE), MmPageNotMapped); /* the guard page */
    XTEST_CHECK_EQ(MmQueryPageState(Limit), MmPageResident);
    XTEST_CHECK_EQ(MmQueryPageState(Base - MM_PAGE_SIZE), MmPageResident);
    XTEST_CHECK_EQ(Thread->State, Initialized);
    XTEST_CHECK_EQ(Thread->Priority, KE_DEFAULT_PRIORITY);
    XTEST_CHECK_EQ(Thread->BasePriority, KE_DEFAULT_PRIORITY);
    XTEST_CHECK_EQ(Thread->ContextSwitches, 0);
    XTEST_CHECK_EQ(Thread->ThreadFlags, KTHREAD_FLAG_OWNS_STACK | KTHREAD_FLAG_INITIAL_CONTEXT);
    XTEST_ASSERT(Area != 0);
    XTEST_CHECK_EQ(Area & (KiGetFloatSaveAreaAlignment() - 1), 0);
    XTEST_CHECK(Area + KiGetFloatSaveAreaSize() <= Base && Base - Area < KiGetFloatSaveAreaSize() + 64);
    XTEST_CHECK_EQ((ULONG_PTR)Thread->InitialStack, Area);
    RtlCopyMemory(&ControlWord, Bytes, sizeof(ControlWord));
    RtlCopyMemory(&Mxcsr, Bytes + 24, sizeof(Mxcsr));
    XTEST_CHECK_EQ(ControlWord, 0x037F);
    XTEST_CHECK_EQ(Mxcsr, KI_TEST_MXCSR_DEFAULT);
    XTEST_CHECK_EQ((ULONG_PTR)Thread->KernelStack, Area - KI_SWITCH_FRAME);
    XTEST_CHECK_EQ(*(PULONG_PTR)((ULONG_PTR)Thread->KernelStack + KI_SWITCH_RETURN), (ULONG_PTR)KiThreadStartup);
}

XTEST(ThreadStacksHaveGuardPages) {
    KTHREAD Threads[KI_TEST_THREADS];
    volatile ULONG Ran = 0;

    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        XTEST_ASSERT(XT_SUCCESS(KeInitializeThread(&Threads[Index], KiTestNeverRuns, (PVOID)&Ran, 0)));
        KiTestCheckNewThread(XtestContext, &Threads[Index]);
        for (ULONG Other = 0; Other < Index; Other++) { /* separate stacks, guard pages included */
            XTEST_CHECK((ULONG_PTR)Threads[Index].StackLimit - MM_PAGE_SIZE >= (ULONG_PTR)Threads[Other].StackBase ||
                        (ULONG_PTR)Threads[Other].StackLimit - MM_PAGE_SIZE >= (ULONG_PTR)Threads[Index].StackBase);
        }
    }
    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        ULONG_PTR Limit = (ULONG_PTR)Threads[Index].StackLimit, Base = (ULONG_PTR)Threads[Index].StackBase;

        KeUninitializeThread(&Threads[Index]);
        XTEST_CHECK_EQ(MmQueryPageState(Limit), MmPageNotMapped);
        XTEST_CHECK_EQ(MmQueryPageState(Base - MM_PAGE_SIZE), MmPageNotMapped);
        XTEST_CHECK(Threads[Index].StackBase == NULL && Threads[Index].FloatSaveArea == NULL);
    }
    XTEST_CHECK_EQ(Ran, 0);
}

XTEST(RoundRobinKeepsEveryThreadsState) {
    KI_SWITCH_TEST *Test = &KiSwitchTest;
    BOOLEAN Interrupts = ArAreInterruptsEnabled();
    PKI_THREAD_TERMINATION_HOOK Previous;
    ULONG Switches;

    RtlZeroMemory(Test, sizeof(*Test));
    Test->Rounds = KI_TEST_ROUNDS;
    Test->Avx = KiGetFloatSaveMethod() == KiFloatSaveXsave && (KiXsaveMask & XCR0_AVX) != 0;
    XTEST_ASSERT(XT_SUCCESS(KiInitializeCurrentThread(&Test->Boot, 0)));
    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        XTEST_ASSERT(
            XT_SUCCESS(KeInitializeThread(&Test->Threads[Index], KiTestRoundRobinThread, (PVOID)(ULONG_PTR)Index, 0)));
    }
    Previous = KiTestInstallHook(&Test->Boot, Test->Threads, KI_TEST_THREADS);
    /* The threads run their rounds; the last thread's last switch comes back here. */
    KiTestCheckedSwitch(KI_TEST_THREADS, 0, &Test->Boot, &Test->Threads[0]);
    /* Each thread finishes its last round, returns and comes back through the termination hook. */
    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        KiTestCheckedSwitch(KI_TEST_THREADS, 1 + Index, &Test->Boot, &Test->Threads[Index]);
    }
    KiSetThreadTerminationHook(Previous);
    KiTestResetMxcsr();
    Switches = Test->Boot.ContextSwitches;
    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        XTEST_CHECK_EQ(Test->Completed[Index], Test->Rounds);
        XTEST_CHECK_EQ(Test->RegisterErrors[Index], 0);
        XTEST_CHECK_EQ(Test->LocalErrors[Index], 0);
        XTEST_CHECK_EQ(Test->BoundsErrors[Index], 0);
        XTEST_CHECK_EQ(Test->Threads[Index].State, Terminated);
        XTEST_CHECK_EQ(Test->Threads[Index].ContextSwitches, Test->Rounds + 1);
        Switches += Test->Threads[Index].ContextSwitches;
    }
    XTEST_CHECK_EQ(Test->RegisterErrors[KI_TEST_THREADS], 0); /* the boot thread's own registers */
    XTEST_CHECK_EQ(Test->BoundsErrors[KI_TEST_THREADS], 0);
    XTEST_CHECK_EQ(Test->Boot.ContextSwitches, 1 + KI_TEST_THREADS);
    XTEST_CHECK_EQ(KiTestHook.Calls, KI_TEST_THREADS);
    XTEST_CHECK_EQ(KiTestHook.ThreadMask, (1u << KI_TEST_THREADS) - 1);
    XTEST_CHECK_EQ(KiTestHook.Errors, 0);
    XTEST_CHECK_EQ(KiTestHook.Resumed, 0);
    XTEST_CHECK_EQ(ArAreInterruptsEnabled(), Interrupts);
    if (Test->FirstErrorWhat != 0) {
        XtestPrint("  first mismatch: thread %u round %u, item %u (1-8 callee-saved, 9 MXCSR, 10+ vector)\n",
                   Test->FirstErrorThread, Test->FirstErrorRound, Test->FirstErrorWhat);
    }
    XtestPrint("  %u switches among %u threads and the boot thread, %s state checked on each\n", Switches,
               KI_TEST_THREADS, Test->Avx ? "GPR+MXCSR+YMM" : "GPR+MXCSR+XMM");
    for (ULONG Index = 0; Index < KI_TEST_THREADS; Index++) {
        KeUninitializeThread(&Test->Threads[Index]);
    }
    KeUninitializeThread(&Test->Boot);
}

/* What a single thread saw at its start. */
static struct {
    PKTHREAD Self;
    ULONG_PTR StartupReturn;
    ULONG_PTR StartupFramePointer;
    BOOLEAN Bounds;
    BOOLEAN Ran;
} KiTestStart;

/* Records KiRunThread's outermost frame record and the processor's stack bounds, then returns. */
static VOID KiTestStartupThread(PVOID Context) {
    PKTHREAD Self = Context;
    ULONG_PTR Initial = (ULONG_PTR)Self->InitialStack;

    KiTestStart.StartupReturn = *(PULONG_PTR)(Initial - KI_STARTUP_RETURN_OFFSET);
    KiTestStart.StartupFramePointer = *(PULONG_PTR)(Initial - KI_STARTUP_FRAME_POINTER_OFFSET);
    KiTestStart.Bounds = KiTestBoundsAre(Self) && Self->ThreadFlags == KTHREAD_FLAG_OWNS_STACK;
    KiTestStart.Ran = TRUE;
}

/* Creates one thread running Routine(Thread itself), switches to it until it returned through the hook. */
static BOOLEAN KiTestRunOneThread(PXTEST_CONTEXT XtestContext, PKSTART_ROUTINE Routine, ULONG Flags) {
    KTHREAD Boot, Thread;
    PKI_THREAD_TERMINATION_HOOK Previous;

    RtlZeroMemory(&KiTestStart, sizeof(KiTestStart));
    if (!XTEST_CHECK(XT_SUCCESS(KiInitializeCurrentThread(&Boot, 0)))) {
        return FALSE;
    }
    if (!XTEST_CHECK(XT_SUCCESS(KeInitializeThread(&Thread, Routine, &Thread, Flags)))) {
        KeUninitializeThread(&Boot);
        return FALSE;
    }
    Previous = KiTestInstallHook(&Boot, &Thread, 1);
    KiSwapContext(&Boot, &Thread);
    KiSetThreadTerminationHook(Previous);
    XTEST_CHECK(KiTestBoundsAre(&Boot));
    XTEST_CHECK_EQ(Thread.State, Terminated);
    XTEST_CHECK_EQ(Thread.ContextSwitches, 1);
    XTEST_CHECK_EQ(Boot.ContextSwitches, 1);
    XTEST_CHECK_EQ(KiTestHook.Calls, 1);
    XTEST_CHECK_EQ(KiTestHook.ThreadMask, 1);
    XTEST_CHECK_EQ(KiTestHook.Errors, 0);
    KeUninitializeThread(&Thread);
    KeUninitializeThread(&Boot);
    return TRUE;
}

XTEST(ThreadStartEndsTheFrameChain) {
    ULONG_PTR Startup = (ULONG_PTR)KiThreadStartup;

    XTEST_ASSERT(KiTestRunOneThread(XtestContext, KiTestStartupThread, 0));
    XTEST_CHECK(KiTestStart.Ran);
    XTEST_CHECK(KiTestStart.Bounds); /* a STOP on the thread walks the thread's own stack */
    XTEST_CHECK_EQ(KiTestStart.StartupFramePointer, 0);
    XTEST_CHECK(KiTestStart.StartupReturn > Startup && KiTestStart.StartupReturn < Startup + KI_TEST_STARTUP_BYTES);
}

/* Returns at once: the thread must reach the termination hook. */
static VOID KiTestReturningThread(PVOID Context) {
    KiTestStart.Self = Context;
    KiTestStart.Ran = TRUE;
}

XTEST(ReturningThreadReachesTerminationHook) {
    PKI_THREAD_TERMINATION_HOOK Before = KiSetThreadTerminationHook(NULL);

    KiSetThreadTerminationHook(Before);
    XTEST_ASSERT(KiTestRunOneThread(XtestContext, KiTestReturningThread, 0));
    XTEST_CHECK(KiTestStart.Ran);
    XTEST_CHECK(KiTestStart.Self == KiTestHook.Threads[0]); /* the routine got its context */
    XTEST_CHECK_EQ(KiTestHook.Resumed, 0);
    XTEST_CHECK(KiSetThreadTerminationHook(Before) == Before); /* the test's hook was taken out again */
}

/* The no-floating-state case: a thread without a save area and the boot thread (with one) switch back and forth. */
static struct {
    KTHREAD Boot;
    KTHREAD Plain;
    ULONG PlainErrors;
} KiTestNoFloat;

/* Switches back to the boot thread KI_TEST_NOFLOAT_ROUNDS times, checking only its general registers. */
static VOID KiTestPlainThread(PVOID Context) {
    KI_TEST_REGISTERS In, Out;

    (VOID) Context;
    for (ULONG Round = 0; Round < KI_TEST_NOFLOAT_ROUNDS; Round++) {
        KiTestFillRegisters(&In, 7, Round, FALSE);
        RtlZeroMemory(&Out, sizeof(Out));
        KiTestSwapContextChecked(&KiTestNoFloat.Plain, &KiTestNoFloat.Boot, &In, &Out);
        KiTestNoFloat.PlainErrors += KiTestCompareRegisters(&In, &Out, TRUE) != 0;
    }
}

XTEST(ThreadWithoutFloatingStateSkipsTheSave) {
    KI_SWITCH_TEST *Test = &KiSwitchTest;
    PKI_THREAD_TERMINATION_HOOK Previous;

    RtlZeroMemory(Test, sizeof(*Test));
    RtlZeroMemory(&KiTestNoFloat, sizeof(KiTestNoFloat));
    Test->Avx = KiGetFloatSaveMethod() == KiFloatSaveXsave && (KiXsaveMask & XCR0_AVX) != 0;
    XTEST_ASSERT(XT_SUCCESS(KiInitializeCurrentThread(&KiTestNoFloat.Boot, 0)));
    XTEST_ASSERT(
        XT_SUCCESS(KeInitializeThread(&KiTestNoFloat.Plain, KiTestPlainThread, NULL, KE_THREAD_NO_FLOATING_STATE)));
    XTEST_CHECK(KiTestNoFloat.Plain.FloatSaveArea == NULL);
    XTEST_CHECK(KiTestNoFloat.Plain.InitialStack == KiTestNoFloat.Plain.StackBase);
    Previous = KiTestInstallHook(&KiTestNoFloat.Boot, &KiTestNoFloat.Plain, 1);
    /* The boot thread keeps its vector registers although the plain thread loads its own and saves nothing. */
    for (ULONG Round = 0; Round <= KI_TEST_NOFLOAT_ROUNDS; Round++) {
        KiTestCheckedSwitch(KI_TEST_THREADS, Round, &KiTestNoFloat.Boot, &KiTestNoFloat.Plain);
    }
    KiSetThreadTerminationHook(Previous);
    KiTestResetMxcsr();
    XTEST_CHECK_EQ(Test->RegisterErrors[KI_TEST_THREADS], 0);
    XTEST_CHECK_EQ(KiTestNoFloat.PlainErrors, 0);
    XTEST_CHECK_EQ(KiTestNoFloat.Plain.State, Terminated);
    XTEST_CHECK_EQ(KiTestHook.Calls, 1);
    KeUninitializeThread(&KiTestNoFloat.Plain);
    KeUninitializeThread(&KiTestNoFloat.Boot);
}

XTEST(CreateAndDeleteReturnEveryFrame) {
    MM_BOOT_REPORT Before, After;
    MM_POOL_TAG_STATISTICS Tag;
    PVOID FirstStack = NULL;
    ULONG SameStack = 0;
    volatile ULONG Ran = 0;
    KTHREAD Thread;

    XTEST_ASSERT(XT_SUCCESS(KeInitializeThread(&Thread, KiTestNeverRuns, (PVOID)&Ran, 0))); /* page tables made */
    KeUninitializeThread(&Thread);
    MmFlushDeferredSystemPages(); /* with other processors up, freed stacks wait for a batched shootdown */
    MmQueryBootReport(&Before);
    for (ULONG Cycle = 0; Cycle < KI_TEST_CYCLES; Cycle++) {
        XTEST_ASSERT(XT_SUCCESS(KeInitializeThread(&Thread, KiTestNeverRuns, (PVOID)&Ran, Cycle & 1)));
        FirstStack = Cycle == 0 ? Thread.StackBase : FirstStack;
        SameStack += Thread.StackBase == FirstStack;
        KeUninitializeThread(&Thread);
        MmFlushDeferredSystemPages();
        XTEST_ASSERT(XT_SUCCESS(KiInitializeCurrentThread(&Thread, 0)));
        KeUninitializeThread(&Thread);
        MmFlushDeferredSystemPages();
    }
    MmQueryBootReport(&After);
    XTEST_CHECK_EQ(After.FreePages, Before.FreePages);
    XTEST_CHECK_EQ(SameStack, KI_TEST_CYCLES); /* the guard page's VA came back with the stack each time */
    XTEST_CHECK_EQ(Ran, 0);
    if (MmQueryPoolTag(KI_TEST_FLOAT_TAG, &Tag)) {
        XTEST_CHECK_EQ(Tag.BytesInUse, 0);
        XTEST_CHECK(Tag.Allocations == Tag.Frees && Tag.Allocations >= KI_TEST_CYCLES);
    } else {
        XTEST_CHECK(KiGetFloatSaveMethod() == KiFloatSaveNone);
    }
}

XTEST_SUITE(KeContextSwitchSuite, XTEST_ENTRY(FloatingStateMatchesProcessor), XTEST_ENTRY(ThreadStacksHaveGuardPages),
            XTEST_ENTRY(RoundRobinKeepsEveryThreadsState), XTEST_ENTRY(ThreadStartEndsTheFrameChain),
            XTEST_ENTRY(ReturningThreadReachesTerminationHook), XTEST_ENTRY(ThreadWithoutFloatingStateSkipsTheSave),
            XTEST_ENTRY(CreateAndDeleteReturnEveryFrame));

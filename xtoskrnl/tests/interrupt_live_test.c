/* KeInterruptLiveSuite (SELFTEST only): software interrupts (INT n) through the real IDT stubs and the dispatcher:
 * a connected object runs once per interrupt at its vector's RunLevel with its context, the level is restored after
 * it, a vector with no object is counted (never a STOP), and connect/disconnect follow their rules. */
#include <hl.h>
#include <ke.h>
#include <tests/kernel_suites.h>
#include <xtintrin.h>

#define TEST_VECTOR       0x45
#define UNEXPECTED_VECTOR 0x42
#define HIGH_VECTOR       0xF3
#define DEVICE_VECTOR     0x51 /* amd64 RunLevel 5, i686 DEVICE1_LEVEL */
#define LATE_VECTOR       0x62 /* above DEVICE_VECTOR's class, never connected */
#define SPIN_LIMIT        1000000

static ULONG_PTR KiTestSavedFlags;

/* Enables interrupts for a delivery check; KiTestDisableInterrupts puts IF back as it was (on for the rest of the
 * boot once the clock ticks). */
static VOID KiTestEnableInterrupts(VOID) {
    KiTestSavedFlags = ArDisableInterrupts();
    ArEnableInterrupts();
}

/* Back to the interrupt flag KiTestEnableInterrupts found. */
static VOID KiTestDisableInterrupts(VOID) {
    ArRestoreInterrupts(KiTestSavedFlags);
}

/* Spins until *Counter reaches Target (interrupts enabled); returns the spins left (0: it never did). */
static ULONG KiTestWaitFor(volatile ULONG *Counter, ULONG Target) {
    ULONG Spins = SPIN_LIMIT;

    while (*Counter < Target && Spins > 0) {
        __asm__ volatile("pause" : : : "memory");
        Spins--;
    }
    return Spins;
}

typedef struct _TEST_RECORD {
    volatile ULONG Calls;
    KRUNLEVEL SeenLevel;
    PKINTERRUPT SeenInterrupt;
} TEST_RECORD, *PTEST_RECORD;

static BOOLEAN KiTestServiceRoutine(PKINTERRUPT Interrupt, PVOID ServiceContext) {
    PTEST_RECORD Record = ServiceContext;

    Record->Calls++;
    Record->SeenLevel = KeGetCurrentRunLevel();
    Record->SeenInterrupt = Interrupt;
    return TRUE;
}

XTEST(VectorLevelsRiseWithTheVector) {
    for (ULONG Vector = 33; Vector < 256; Vector++) {
        XTEST_CHECK(KeGetVectorRunLevel(Vector) >= KeGetVectorRunLevel(Vector - 1));
    }
    XTEST_CHECK(KeGetVectorRunLevel(0x20) > PASSIVE_LEVEL);
    XTEST_CHECK_EQ(KeGetVectorRunLevel(0xFF), HIGH_LEVEL);
    XTEST_CHECK(KeGetVectorRunLevel(0x2F) <= DISPATCH_LEVEL);
}

XTEST(ConnectedObjectRunsAtItsLevel) {
    TEST_RECORD Record = {0};
    KINTERRUPT Interrupt;

    KeInitializeInterrupt(&Interrupt, KiTestServiceRoutine, &Record, TEST_VECTOR);
    XTEST_CHECK_EQ(Interrupt.RunLevel, KeGetVectorRunLevel(TEST_VECTOR));
    XTEST_ASSERT(KeConnectInterrupt(&Interrupt));
    __asm__ volatile("int %0" : : "i"(TEST_VECTOR) : "memory");
    XTEST_CHECK_EQ(Record.Calls, 1);
    XTEST_CHECK_EQ(Record.SeenLevel, KeGetVectorRunLevel(TEST_VECTOR));
    XTEST_CHECK(Record.SeenInterrupt == &Interrupt);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    __asm__ volatile("int %0" : : "i"(TEST_VECTOR) : "memory");
    XTEST_CHECK_EQ(Record.Calls, 2);
    XTEST_CHECK(KeDisconnectInterrupt(&Interrupt));
    XTEST_CHECK(!KeDisconnectInterrupt(&Interrupt));
}

XTEST(HighVectorRunsAtItsLevel) {
    TEST_RECORD Record = {0};
    KINTERRUPT Interrupt;

    KeInitializeInterrupt(&Interrupt, KiTestServiceRoutine, &Record, HIGH_VECTOR);
    XTEST_ASSERT(KeConnectInterrupt(&Interrupt));
    __asm__ volatile("int %0" : : "i"(HIGH_VECTOR) : "memory");
    XTEST_CHECK_EQ(Record.Calls, 1);
    XTEST_CHECK_EQ(Record.SeenLevel, HIGH_LEVEL);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    XTEST_CHECK(KeDisconnectInterrupt(&Interrupt));
}

XTEST(UnexpectedVectorIsCounted) {
    TEST_RECORD Record = {0};
    KINTERRUPT Interrupt;
    ULONG Before = KeGetUnexpectedInterruptCount(UNEXPECTED_VECTOR);

    __asm__ volatile("int %0" : : "i"(UNEXPECTED_VECTOR) : "memory");
    __asm__ volatile("int %0" : : "i"(UNEXPECTED_VECTOR) : "memory");
    XTEST_CHECK_EQ(KeGetUnexpectedInterruptCount(UNEXPECTED_VECTOR), Before + 2);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    KeInitializeInterrupt(&Interrupt, KiTestServiceRoutine, &Record, UNEXPECTED_VECTOR);
    XTEST_ASSERT(KeConnectInterrupt(&Interrupt));
    XTEST_CHECK(KeDisconnectInterrupt(&Interrupt));
    __asm__ volatile("int %0" : : "i"(UNEXPECTED_VECTOR) : "memory");
    XTEST_CHECK_EQ(Record.Calls, 0);
    XTEST_CHECK_EQ(KeGetUnexpectedInterruptCount(UNEXPECTED_VECTOR), Before + 3);
}

XTEST(ConnectRules) {
    TEST_RECORD Record = {0};
    KINTERRUPT First, Second, Exception;

    KeInitializeInterrupt(&First, KiTestServiceRoutine, &Record, TEST_VECTOR);
    KeInitializeInterrupt(&Second, KiTestServiceRoutine, &Record, TEST_VECTOR);
    KeInitializeInterrupt(&Exception, KiTestServiceRoutine, &Record, 14);
    XTEST_CHECK(!KeConnectInterrupt(&Exception));
    XTEST_ASSERT(KeConnectInterrupt(&First));
    XTEST_CHECK(!KeConnectInterrupt(&First));
    XTEST_CHECK(!KeConnectInterrupt(&Second));
    XTEST_CHECK(!KeDisconnectInterrupt(&Second));
    XTEST_CHECK(KeDisconnectInterrupt(&First));
    XTEST_CHECK(KeConnectInterrupt(&Second));
    XTEST_CHECK(KeDisconnectInterrupt(&Second));
}

XTEST(SelfInterruptHeldWhileTheLevelMasksIt) {
    TEST_RECORD Record = {0};
    KINTERRUPT Interrupt;
    KRUNLEVEL Old;

    XTEST_ASSERT(HlIsApicReady());
    KeInitializeInterrupt(&Interrupt, KiTestServiceRoutine, &Record, DEVICE_VECTOR);
    XTEST_ASSERT(KeConnectInterrupt(&Interrupt));
    Old = KeRaiseRunLevel(KeGetVectorRunLevel(DEVICE_VECTOR));
    KiTestEnableInterrupts();
    XTEST_CHECK(HlSendSelfInterrupt(DEVICE_VECTOR));
    KiTestWaitFor(&Record.Calls, 1);
    XTEST_CHECK_EQ(Record.Calls, 0); /* held by the RunLevel */
    KeLowerRunLevel(Old);
    XTEST_CHECK(KiTestWaitFor(&Record.Calls, 1) > 0);
    KiTestWaitFor(&Record.Calls, 2);
    KiTestDisableInterrupts();
    XTEST_CHECK_EQ(Record.Calls, 1); /* delivered exactly once */
    XTEST_CHECK_EQ(Record.SeenLevel, KeGetVectorRunLevel(DEVICE_VECTOR));
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
    XTEST_CHECK(KeDisconnectInterrupt(&Interrupt));
}

XTEST(UnexpectedSelfInterruptIsCountedAndAcknowledged) {
    TEST_RECORD Record = {0};
    KINTERRUPT Interrupt;
    ULONG Before = KeGetUnexpectedInterruptCount(LATE_VECTOR);

    XTEST_ASSERT(HlIsApicReady());
    KiTestEnableInterrupts();
    XTEST_CHECK(HlSendSelfInterrupt(LATE_VECTOR));
    KiTestWaitFor((volatile ULONG *)&Record.Calls, 1); /* a pause: nothing connected counts it */
    KiTestDisableInterrupts();
    XTEST_CHECK_EQ(KeGetUnexpectedInterruptCount(LATE_VECTOR), Before + 1);
    /* Acknowledged: a lower-priority interrupt still gets through afterwards. */
    KeInitializeInterrupt(&Interrupt, KiTestServiceRoutine, &Record, DEVICE_VECTOR);
    XTEST_ASSERT(KeConnectInterrupt(&Interrupt));
    KiTestEnableInterrupts();
    XTEST_CHECK(HlSendSelfInterrupt(DEVICE_VECTOR));
    XTEST_CHECK(KiTestWaitFor(&Record.Calls, 1) > 0);
    KiTestDisableInterrupts();
    XTEST_CHECK_EQ(Record.Calls, 1);
    XTEST_CHECK(KeDisconnectInterrupt(&Interrupt));
}

XTEST(SpuriousVectorIsCountedNotAcknowledged) {
    ULONG Before = HlGetSpuriousInterruptCount();

    XTEST_ASSERT(HlIsApicReady());
    __asm__ volatile("int %0" : : "i"(HL_APIC_SPURIOUS_VECTOR) : "memory");
    XTEST_CHECK_EQ(HlGetSpuriousInterruptCount(), Before + 1);
    XTEST_CHECK_EQ(KeGetUnexpectedInterruptCount(HL_APIC_SPURIOUS_VECTOR), 0);
    XTEST_CHECK_EQ(HlGetApicErrorCount(), 0);
}

XTEST_SUITE(KeInterruptLiveSuite, XTEST_ENTRY(VectorLevelsRiseWithTheVector),
            XTEST_ENTRY(ConnectedObjectRunsAtItsLevel), XTEST_ENTRY(HighVectorRunsAtItsLevel),
            XTEST_ENTRY(UnexpectedVectorIsCounted), XTEST_ENTRY(ConnectRules),
            XTEST_ENTRY(SelfInterruptHeldWhileTheLevelMasksIt),
            XTEST_ENTRY(UnexpectedSelfInterruptIsCountedAndAcknowledged),
            XTEST_ENTRY(SpuriousVectorIsCountedNotAcknowledged));

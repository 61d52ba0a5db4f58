/* HlApicSuite: the local APIC register access and programming sequence against register models: an xAPIC 4 KiB
 * register page, and an x2APIC MSR file that logs every write in order and flags MSRs x2APIC mode does not have
 * (QEMU's TCG emulates no x2APIC, so this is that path's only test). */
#include <apicregs.h>
#include <xtest.h>

#define MODEL_LOG_MAX 64

/* The x2APIC model: MSRs 0x800..0x83F, a write log, and a count of accesses to MSRs that do not exist. */
static ULONGLONG ModelMsr[0x40];
static struct {
    ULONG Msr;
    ULONGLONG Value;
} ModelLog[MODEL_LOG_MAX];
static ULONG ModelLogCount;
static ULONG ModelBadAccesses;

/* x2APIC MSRs that do not exist: 0x831 (ICR high half in xAPIC), 0x80E (DFR), 0x809 (APR), 0x80C (remote read). */
static BOOLEAN ModelMsrExists(ULONG Msr) {
    return Msr >= 0x800 && Msr < 0x840 && Msr != 0x831 && Msr != 0x80E && Msr != 0x809 && Msr != 0x80C;
}

static ULONGLONG ModelReadMsr(ULONG Msr) {
    if (!ModelMsrExists(Msr)) {
        ModelBadAccesses++;
        return 0;
    }
    return ModelMsr[Msr - 0x800];
}

static VOID ModelWriteMsr(ULONG Msr, ULONGLONG Value) {
    if (!ModelMsrExists(Msr)) {
        ModelBadAccesses++;
        return;
    }
    ModelMsr[Msr - 0x800] = Value;
    if (ModelLogCount < MODEL_LOG_MAX) {
        ModelLog[ModelLogCount].Msr = Msr;
        ModelLog[ModelLogCount].Value = Value;
    }
    ModelLogCount++;
}

static HL_X2APIC_CONTEXT ModelContext = {ModelReadMsr, ModelWriteMsr};

static VOID ModelReset(VOID) {
    for (ULONG Index = 0; Index < ARRAY_SIZE(ModelMsr); Index++) {
        ModelMsr[Index] = 0;
    }
    ModelLogCount = 0;
    ModelBadAccesses = 0;
}

XTEST(X2ApicMsrNumbers) {
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_ID), 0x802);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_VERSION), 0x803);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_TPR), 0x808);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_EOI), 0x80B);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_SVR), 0x80F);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_ESR), 0x828);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_ICR_LOW), 0x830);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_LVT_TIMER), 0x832);
    XTEST_CHECK_EQ(HlApicRegisterMsr(APIC_REGISTER_LVT_ERROR), 0x837);
}

XTEST(X2ApicProgramSequence) {
    static const struct {
        ULONG Msr;
        ULONGLONG Value;
    } Expected[] = {
        {0x808, 0xFF},
        {0x832, APIC_LVT_MASKED},
        {0x833, APIC_LVT_MASKED},
        {0x834, APIC_LVT_MASKED},
        {0x835, APIC_LVT_MASKED},
        {0x837, 0xE3},
        {0x80F, 0x13F},
        {0x828, 0},
        {0x828, 0},
        {0x80B, 0},
        {0x808, 0},
    };

    ModelReset();
    ModelMsr[0x836 - 0x800] = 0x400; /* LINT1 as the firmware left it: NMI */
    HlApicProgram(&HlX2ApicOps, &ModelContext, 0x3F, 0xE3);
    XTEST_CHECK_EQ(ModelBadAccesses, 0);
    XTEST_ASSERT_EQ(ModelLogCount, ARRAY_SIZE(Expected));
    for (ULONG Index = 0; Index < ARRAY_SIZE(Expected); Index++) {
        XTEST_CHECK_EQ(ModelLog[Index].Msr, Expected[Index].Msr);
        XTEST_CHECK_EQ(ModelLog[Index].Value, Expected[Index].Value);
    }
    XTEST_CHECK_EQ(ModelMsr[0x836 - 0x800], 0x400);
}

XTEST(X2ApicIcrIsOneWrite) {
    ModelReset();
    HlX2ApicOps.WriteIcr(&ModelContext, 0x12345678, APIC_ICR_SELF | APIC_ICR_LEVEL_ASSERT | 0x51);
    XTEST_CHECK_EQ(ModelBadAccesses, 0);
    XTEST_ASSERT_EQ(ModelLogCount, 1);
    XTEST_CHECK_EQ(ModelLog[0].Msr, APIC_X2APIC_ICR_MSR);
    XTEST_CHECK_EQ(ModelLog[0].Value, 0x1234567800044051ull);
}

XTEST(X2ApicIdIsThirtyTwoBits) {
    ModelReset();
    ModelMsr[0x802 - 0x800] = 0x12345678;
    XTEST_CHECK_EQ(HlApicReadId(&HlX2ApicOps, &ModelContext), 0x12345678);
    XTEST_CHECK_EQ(ModelBadAccesses, 0);
}

XTEST(XApicProgramAndIcr) {
    static ULONG Page[1024] __attribute__((aligned(4096)));

    for (ULONG Index = 0; Index < ARRAY_SIZE(Page); Index++) {
        Page[Index] = 0xDEADBEEF;
    }
    Page[0x360 / 4] = 0x400;
    Page[APIC_REGISTER_ID / 4] = 0x05000000;
    HlApicProgram(&HlXApicOps, Page, 0x3F, 0xE3);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_SVR / 4], 0x13F);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_LVT_ERROR / 4], 0xE3);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_LVT_TIMER / 4], APIC_LVT_MASKED);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_LVT_THERMAL / 4], APIC_LVT_MASKED);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_LVT_PERF / 4], APIC_LVT_MASKED);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_LVT_LINT0 / 4], APIC_LVT_MASKED);
    XTEST_CHECK_EQ(Page[0x360 / 4], 0x400);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_TPR / 4], 0);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_ESR / 4], 0);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_EOI / 4], 0);
    XTEST_CHECK_EQ(HlApicReadId(&HlXApicOps, Page), 5);
    HlXApicOps.WriteIcr(Page, 3, APIC_ICR_SELF | 0x51);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_ICR_HI / 4], 3u << 24);
    XTEST_CHECK_EQ(Page[APIC_REGISTER_ICR_LOW / 4], APIC_ICR_SELF | 0x51);
    XTEST_CHECK_EQ(Page[0x200 / 4], 0xDEADBEEF); /* nothing else touched (IRR) */
}

XTEST(ModeChoice) {
    const ULONGLONG Base = 0xFEE00000ull | APIC_BASE_ENABLE | (1u << 8); /* BSP flag kept */
    ULONGLONG New;

    XTEST_CHECK_EQ(HlApicChooseMode(APIC_CPUID1_ECX_X2APIC, 0, Base, FALSE, &New), HlApicModeNone);
    XTEST_CHECK_EQ(New, Base);
    XTEST_CHECK_EQ(HlApicChooseMode(0, APIC_CPUID1_EDX_APIC, Base, FALSE, &New), HlApicModeXApic);
    XTEST_CHECK_EQ(New, Base);
    XTEST_CHECK_EQ(HlApicChooseMode(APIC_CPUID1_ECX_X2APIC, APIC_CPUID1_EDX_APIC, Base, FALSE, &New), HlApicModeX2Apic);
    XTEST_CHECK_EQ(New, Base | APIC_BASE_X2APIC);
    XTEST_CHECK_EQ(HlApicChooseMode(APIC_CPUID1_ECX_X2APIC, APIC_CPUID1_EDX_APIC, Base, TRUE, &New), HlApicModeXApic);
    XTEST_CHECK_EQ(New, Base);
    /* Firmware left the APIC globally disabled: enabling sets EN and keeps the base. */
    XTEST_CHECK_EQ(HlApicChooseMode(0, APIC_CPUID1_EDX_APIC, 0xFEE00000ull, FALSE, &New), HlApicModeXApic);
    XTEST_CHECK_EQ(New, 0xFEE00000ull | APIC_BASE_ENABLE);
    /* Already in x2APIC: NOX2APIC cannot go back without disabling the APIC, so x2APIC stays. */
    XTEST_CHECK_EQ(HlApicChooseMode(APIC_CPUID1_ECX_X2APIC, APIC_CPUID1_EDX_APIC, Base | APIC_BASE_X2APIC, TRUE, &New),
                   HlApicModeX2Apic);
    XTEST_CHECK_EQ(New, Base | APIC_BASE_X2APIC);
}

XTEST_SUITE(HlApicSuite, XTEST_ENTRY(X2ApicMsrNumbers), XTEST_ENTRY(X2ApicProgramSequence),
            XTEST_ENTRY(X2ApicIcrIsOneWrite), XTEST_ENTRY(X2ApicIdIsThirtyTwoBits), XTEST_ENTRY(XApicProgramAndIcr),
            XTEST_ENTRY(ModeChoice));
XTEST_HOST_MAIN(&HlApicSuite)

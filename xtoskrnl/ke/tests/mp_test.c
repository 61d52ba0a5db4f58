/* Host tests of the pure parts of processor start-up: the trampoline page's parameter block as the assembly reads it
 * (ke/mptramp.h, byte offsets checked one by one), the inputs it refuses, and the MADT -> processor list with
 * MAXCPUS (hl/cpulist.c). */
#include <acpi.h>
#include <mptramp.h>
#include <rtl.h>
#include <xtest.h>

static UCHAR TestPage[0x1000];
static const UCHAR TestCode[] = {0xFA, 0xFC, 0x8C, 0xC8, 0x8E, 0xD8, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xEB, 0xFE};

static ULONGLONG Read(ULONG Offset, ULONG Size) {
    ULONGLONG Value = 0;

    for (ULONG Index = 0; Index < Size; Index++) {
        Value |= (ULONGLONG)TestPage[Offset + Index] << (8 * Index);
    }
    return Value;
}

static KI_TRAMPOLINE_SETUP TestSetup(VOID) {
    KI_TRAMPOLINE_SETUP Setup = {0};

    Setup.PagePhysical = 0x9F000;
    Setup.Cr0 = 0x80010033;
    Setup.Cr3 = 0x7FE01000;
    Setup.Cr4 = 0x3006A0 | KI_CR4_PCIDE; /* PAE, PGE, LA57-free, SMEP, SMAP, and PCIDE which must be dropped */
    Setup.Efer = 0xD01;                  /* SCE, LME, LMA (dropped), NXE */
    Setup.EferPresent = TRUE;
    Setup.Entry = 0xFFFFF80012345678ull;
    Setup.StackTop = 0xFFFFF88000090000ull;
    Setup.Argument = 0xFFFFF880000A0000ull;
    return Setup;
}

static const KI_TRAMPOLINE_CODE TestTrampoline = {TestCode, sizeof(TestCode), 6, 10};

XTEST(ParameterBlockAsTheAssemblyReadsIt) {
    KI_TRAMPOLINE_SETUP Setup = TestSetup();
    ULONG Block = KI_TP_BLOCK_OFFSET;

    RtlFillMemory(TestPage, sizeof(TestPage), 0xCC);
    XTEST_ASSERT(KiPrepareTrampoline(TestPage, &TestTrampoline, &Setup) == STATUS_SUCCESS);
    XTEST_CHECK(RtlCompareMemory(TestPage, TestCode, sizeof(TestCode)) == sizeof(TestCode));
    XTEST_CHECK_EQ(TestPage[sizeof(TestCode)], 0); /* the rest of the page is cleared */
    XTEST_CHECK_EQ(Block, 0xE00);
    XTEST_CHECK_EQ(Read(Block + 0x00, 4), 0x7FE01000);
    XTEST_CHECK_EQ(Read(Block + 0x04, 4), 0x3006A0);
    XTEST_CHECK_EQ(Read(Block + 0x08, 4), 0x80010033);
    XTEST_CHECK_EQ(Read(Block + 0x0C, 4), KI_TP_FLAG_EFER);
    XTEST_CHECK_EQ(Read(Block + 0x10, 8), 0x901);
    XTEST_CHECK_EQ(Read(Block + 0x18, 8), 0xFFFFF80012345678ull);
    XTEST_CHECK_EQ(Read(Block + 0x20, 8), 0xFFFFF88000090000ull);
    XTEST_CHECK_EQ(Read(Block + 0x28, 8), 0xFFFFF880000A0000ull);
    XTEST_CHECK_EQ(Read(Block + 0x30, 4), 0);
    XTEST_CHECK_EQ(Read(Block + 0x38, 8), 0);
    XTEST_CHECK_EQ(Read(Block + 0x40, 8), 0x00CF9A000000FFFFull); /* 0x08: 32-bit code, base 0, 4 GiB */
    XTEST_CHECK_EQ(Read(Block + 0x48, 8), 0x00CF92000000FFFFull); /* 0x10: data */
    XTEST_CHECK_EQ(Read(Block + 0x50, 8), 0x00AF9A000000FFFFull); /* 0x18: 64-bit code (L=1, D=0) */
    XTEST_CHECK_EQ(Read(Block + 0x58, 2), 31);
    XTEST_CHECK_EQ(Read(Block + 0x5A, 4), 0x9F000 + 0xE38); /* the GDT's physical address */
    XTEST_CHECK_EQ(Read(Block + 0x60, 4), 0x9F006);         /* far jump to 32-bit code: page + entry offset */
    XTEST_CHECK_EQ(Read(Block + 0x64, 2), 0x08);
    XTEST_CHECK_EQ(Read(Block + 0x68, 4), 0x9F00A);
    XTEST_CHECK_EQ(Read(Block + 0x6C, 2), 0x18);
    XTEST_CHECK_EQ(TestPage[Block + KI_TP_SIZE], 0);
}

XTEST(WithoutEferNothingIsWrittenToIt) {
    KI_TRAMPOLINE_SETUP Setup = TestSetup();

    Setup.EferPresent = FALSE; /* i686 PML2 on a CPU without NX or long mode */
    XTEST_ASSERT(KiPrepareTrampoline(TestPage, &TestTrampoline, &Setup) == STATUS_SUCCESS);
    XTEST_CHECK_EQ(Read(KI_TP_BLOCK_OFFSET + KI_TP_FLAGS, 4), 0);
    XTEST_CHECK_EQ(Read(KI_TP_BLOCK_OFFSET + KI_TP_EFER, 8), 0);
}

XTEST(PagesCr3AndCodeThatCannotWorkAreRefused) {
    static const ULONG BadPages[] = {0, 0x100000, 0x9F800, 0x200000};
    KI_TRAMPOLINE_SETUP Setup = TestSetup();
    KI_TRAMPOLINE_CODE Big = {TestCode, KI_TP_BLOCK_OFFSET + 1, 6, 10};
    KI_TRAMPOLINE_CODE BadEntry = {TestCode, sizeof(TestCode), sizeof(TestCode), 10};

    for (ULONG Index = 0; Index < ARRAY_SIZE(BadPages); Index++) {
        Setup.PagePhysical = BadPages[Index];
        XTEST_CHECK_EQ(KiPrepareTrampoline(TestPage, &TestTrampoline, &Setup), STATUS_INVALID_PARAMETER);
    }
    Setup = TestSetup();
    Setup.Cr3 = 0x100000000ull; /* loaded in 32-bit mode: must lie below 4 GiB */
    XTEST_CHECK_EQ(KiPrepareTrampoline(TestPage, &TestTrampoline, &Setup), STATUS_INVALID_PARAMETER);
    Setup = TestSetup();
    XTEST_CHECK_EQ(KiPrepareTrampoline(TestPage, &Big, &Setup), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(KiPrepareTrampoline(TestPage, &BadEntry, &Setup), STATUS_INVALID_PARAMETER);
    Setup.PagePhysical = 0x1000; /* the lowest usable page */
    XTEST_CHECK_EQ(KiPrepareTrampoline(TestPage, &TestTrampoline, &Setup), STATUS_SUCCESS);
}

/* A MADT's processors: enabled 0 and 1, disabled 2, online-capable 3, 1 again (an x2APIC entry repeating it),
 * enabled 5 and 6. */
static VOID TestMadt(PHL_MADT_INFO Info) {
    static const struct {
        ULONG ApicId;
        BOOLEAN Enabled, OnlineCapable;
    } Entries[] = {{0, TRUE, FALSE}, {1, TRUE, FALSE}, {2, FALSE, FALSE}, {3, FALSE, TRUE},
                   {1, TRUE, FALSE}, {5, TRUE, FALSE}, {6, TRUE, FALSE}};

    RtlZeroMemory(Info, sizeof(*Info));
    for (ULONG Index = 0; Index < ARRAY_SIZE(Entries); Index++) {
        Info->Processors[Index].ApicId = Entries[Index].ApicId;
        Info->Processors[Index].Enabled = Entries[Index].Enabled;
        Info->Processors[Index].OnlineCapable = Entries[Index].OnlineCapable;
    }
    Info->ProcessorCount = Info->ProcessorTotal = ARRAY_SIZE(Entries);
}

static HL_MADT_INFO TestInfo;
static HL_PROCESSOR_LIST TestList;

XTEST(MadtListsBootProcessorFirstThenUsableOnesInOrder) {
    static const ULONG Expected[] = {0, 1, 3, 5, 6};

    TestMadt(&TestInfo);
    HlAcpiBuildProcessorList(&TestInfo, 0, 0, &TestList);
    XTEST_ASSERT(TestList.Count == ARRAY_SIZE(Expected));
    for (ULONG Index = 0; Index < ARRAY_SIZE(Expected); Index++) {
        XTEST_CHECK_EQ(TestList.ApicIds[Index], Expected[Index]);
    }
    XTEST_CHECK(TestList.OnlineCapable[2] && !TestList.OnlineCapable[1]);
    XTEST_CHECK_EQ(TestList.Usable, 5);
    XTEST_CHECK_EQ(TestList.Disabled, 1);
    XTEST_CHECK_EQ(TestList.LeftOut, 0);
    XTEST_CHECK(TestList.BootListed);
}

XTEST(MaxCpusKeepsTheFirstOnes) {
    TestMadt(&TestInfo);
    HlAcpiBuildProcessorList(&TestInfo, 0, 2, &TestList);
    XTEST_CHECK_EQ(TestList.Count, 2);
    XTEST_CHECK_EQ(TestList.ApicIds[0], 0);
    XTEST_CHECK_EQ(TestList.ApicIds[1], 1);
    XTEST_CHECK_EQ(TestList.Usable, 5);
    XTEST_CHECK_EQ(TestList.LeftOut, 3);
    HlAcpiBuildProcessorList(&TestInfo, 5, 1, &TestList); /* MAXCPUS=1: the boot processor alone, wherever listed */
    XTEST_CHECK_EQ(TestList.Count, 1);
    XTEST_CHECK_EQ(TestList.ApicIds[0], 5);
    XTEST_CHECK_EQ(TestList.LeftOut, 4);
    HlAcpiBuildProcessorList(&TestInfo, 0, 1000, &TestList); /* above the capacity: no limit but the capacity */
    XTEST_CHECK_EQ(TestList.Count, 5);
}

XTEST(UnlistedBootProcessorAndEmptyMadt) {
    TestMadt(&TestInfo);
    HlAcpiBuildProcessorList(&TestInfo, 7, 0, &TestList);
    XTEST_CHECK(!TestList.BootListed);
    XTEST_CHECK_EQ(TestList.Count, 6);
    XTEST_CHECK_EQ(TestList.ApicIds[0], 7);
    XTEST_CHECK_EQ(TestList.ApicIds[1], 0);
    RtlZeroMemory(&TestInfo, sizeof(TestInfo)); /* no usable MADT */
    HlAcpiBuildProcessorList(&TestInfo, 3, 0, &TestList);
    XTEST_CHECK_EQ(TestList.Count, 1);
    XTEST_CHECK_EQ(TestList.ApicIds[0], 3);
    XTEST_CHECK_EQ(TestList.Usable, 1);
}

XTEST(SixtyFiveProcessorsFillTheListAndCountTheRest) {
    RtlZeroMemory(&TestInfo, sizeof(TestInfo));
    for (ULONG Index = 0; Index < HL_MADT_MAX_PROCESSORS; Index++) {
        TestInfo.Processors[Index].ApicId = Index + 1; /* the boot processor (APIC id 0) is not among them */
        TestInfo.Processors[Index].Enabled = TRUE;
    }
    TestInfo.ProcessorCount = HL_MADT_MAX_PROCESSORS;
    HlAcpiBuildProcessorList(&TestInfo, 0, 0, &TestList);
    XTEST_CHECK_EQ(TestList.Count, HL_MAXIMUM_PROCESSORS);
    XTEST_CHECK_EQ(TestList.ApicIds[HL_MAXIMUM_PROCESSORS - 1], HL_MAXIMUM_PROCESSORS - 1);
    XTEST_CHECK_EQ(TestList.Usable, HL_MADT_MAX_PROCESSORS + 1);
    XTEST_CHECK_EQ(TestList.LeftOut, 1);
}

XTEST_SUITE(KeProcessorStartupSuite, XTEST_ENTRY(ParameterBlockAsTheAssemblyReadsIt),
            XTEST_ENTRY(WithoutEferNothingIsWrittenToIt), XTEST_ENTRY(PagesCr3AndCodeThatCannotWorkAreRefused),
            XTEST_ENTRY(MadtListsBootProcessorFirstThenUsableOnesInOrder), XTEST_ENTRY(MaxCpusKeepsTheFirstOnes),
            XTEST_ENTRY(UnlistedBootProcessorAndEmptyMadt), XTEST_ENTRY(SixtyFiveProcessorsFillTheListAndCountTheRest));

XTEST_HOST_MAIN(&KeProcessorStartupSuite)

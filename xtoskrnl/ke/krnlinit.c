/* Kernel start-up: checks the init block, takes over the CPU (GDT/IDT/TSS, CR bits), binds the paging mode,
 * reports, then runs SELFTEST / TESTFAULT and ends (TESTEXIT, SHUTDOWN or halt). */
#include <hl.h>
#include <kd.h>
#include <mm.h>
#include <ob.h>
#include <ps.h>
#include <rtl.h>
#include <xtintrin.h>
#include <xttest.h>

#include "ki.h"
#include "kimp.h"
#include "kithread.h"
#include "storm.h"

static KE_PARAMETERS KiParameters;
static const XT_INIT_BLOCK *KiLoaderBlock;

const XT_INIT_BLOCK *KeGetLoaderBlock(VOID) {
    return KiLoaderBlock;
}

/* Prints why the init block is unusable and stops with LOADER_BLOCK_MISMATCH (0x100). */
static XTNORETURN VOID KiInitBlockMismatch(ULONG Reason, PCSTR What, ULONG_PTR Found, ULONG_PTR Expected) {
    KdStopPrint("KE: init block check failed: %s (found 0x%zx, expected 0x%zx)\n", What, (SIZE_T)Found,
                (SIZE_T)Expected);
    KeBugCheckEx(LOADER_BLOCK_MISMATCH, Reason, Found, Expected, 0);
}

/* Signature, version and size: what must hold before any other field is read. */
static VOID KiCheckInitBlockHeader(PXT_INIT_BLOCK InitBlock) {
    if (InitBlock == NULL) {
        KiInitBlockMismatch(LOADER_BLOCK_NULL, "no init block", 0, 1);
    }
    if (InitBlock->Signature != XT_INIT_BLOCK_SIGNATURE) {
        KiInitBlockMismatch(LOADER_BLOCK_SIGNATURE, "signature", InitBlock->Signature, XT_INIT_BLOCK_SIGNATURE);
    }
    if (InitBlock->Version != XT_INIT_BLOCK_VERSION) {
        KiInitBlockMismatch(LOADER_BLOCK_VERSION, "version", InitBlock->Version, XT_INIT_BLOCK_VERSION);
    }
    if (InitBlock->Size < sizeof(XT_INIT_BLOCK)) {
        KiInitBlockMismatch(LOADER_BLOCK_SIZE, "size", InitBlock->Size, sizeof(XT_INIT_BLOCK));
    }
}

/* Stacks, memory map and the relocation of the image for its base: what must hold before the init block is stored
 * and the CPU taken over. */
static VOID KiCheckInitBlockContents(PXT_INIT_BLOCK InitBlock) {
    if (InitBlock->KernelStackBase == 0 || InitBlock->KernelStackSize < MM_PAGE_SIZE ||
        InitBlock->PanicStackSize < MM_PAGE_SIZE || InitBlock->PanicStackBase[0] == 0 ||
        InitBlock->PanicStackBase[1] == 0 || InitBlock->PanicStackBase[2] == 0) {
        KiInitBlockMismatch(LOADER_BLOCK_STACKS, "kernel/panic stacks", (ULONG_PTR)InitBlock->PanicStackSize,
                            MM_PAGE_SIZE);
    }
    if (InitBlock->MemoryDescriptors == 0 || InitBlock->MemoryDescriptorCount == 0 ||
        InitBlock->MemoryDescriptorSize < sizeof(XT_MEMORY_DESCRIPTOR)) {
        KiInitBlockMismatch(LOADER_BLOCK_MEMORY_MAP, "memory descriptor size", InitBlock->MemoryDescriptorSize,
                            sizeof(XT_MEMORY_DESCRIPTOR));
    }
    KdPrint("KE: kernel image at 0x%p: relocation verified (%u addresses)\n",
            (PVOID)(ULONG_PTR)InitBlock->KernelVirtualBase, KiVerifyImageRelocation(InitBlock));
}

/* Binds the loader's paging mode after checking it against CR0/CR4/EFER; a mismatch is a STOP. */
static VOID KiBindPagingMode(PXT_INIT_BLOCK InitBlock, BOOLEAN NoExecute) {
    ULONGLONG Efer = 0;
    PCSTR Reason;
    ULONG Check;

    if (!MmInitializeHardwareLayer(InitBlock, NoExecute, &Check, &Reason)) {
        ArReadEfer(&Efer);
        KdStopPrint("KE: paging mode %u from the loader: %s (CR0 0x%zx CR4 0x%zx EFER 0x%llx)\n", InitBlock->PagingMode,
                    Reason, (SIZE_T)ArReadCr0(), (SIZE_T)ArReadCr4(), Efer);
        KiInitBlockMismatch(LOADER_BLOCK_PAGING_MODE, "paging mode", InitBlock->PagingMode, Check);
    }
}

/* Reports every ignored parameter. */
static VOID KiReportParameters(PXT_INIT_BLOCK InitBlock) {
    ULONG Count = KiParameters.IgnoredCount;

    for (ULONG Index = 0; Index < Count && Index < KE_PARAMETER_IGNORED_MAX; Index++) {
        const KE_IGNORED_PARAMETER *Ignored = &KiParameters.Ignored[Index];
        KdPrint("KE: %s parameter '%.*s' ignored\n",
                Ignored->Problem == KeParameterUnknown ? "unknown" : "invalid value in", (int)Ignored->Length,
                InitBlock->Parameters + Ignored->Offset);
    }
    if (Count > KE_PARAMETER_IGNORED_MAX) {
        KdPrint("KE: %u more parameters ignored\n", Count - KE_PARAMETER_IGNORED_MAX);
    }
}

/* The banner: the first line the kernel prints, as soon as the debug port is up. */
static VOID KiPrintBanner(PXT_INIT_BLOCK InitBlock) {
    SIZE_T ParameterLength = RtlStringLength(InitBlock->Parameters, XT_INIT_BLOCK_PARAMETERS_MAX);

    KdPrint("XTOS kernel (%s): init block v%u, XTLDR %u.%u, parameters '%.*s'\n", KeArchName, InitBlock->Version,
            InitBlock->LoaderVersion >> 16, InitBlock->LoaderVersion & 0xFFFF, (int)ParameterLength,
            InitBlock->Parameters);
    if (KeIsUbsanBuiltIn()) {
        KdPrint("KE: UBSan built in: undefined behaviour STOPs with 0x%08X\n", KERNEL_UBSAN_VIOLATION);
    }
    KiReportParameters(InitBlock);
}

/* Prints the XTOS-REPORT line. */
static VOID KiReport(const AR_CPU_FEATURES *Features) {
    KI_CLOCK_REPORT Clock;
    MM_BOOT_REPORT Mm;

    MmQueryBootReport(&Mm);
    KiQueryClockReport(&Clock);
    KdPrint("XTOS-REPORT arch=%s paging=%s ram_pages=%llu free_pages=%llu pfn_entry_bytes=%u "
            "loader_ptables_verified=%zu loader_ptables_kept=%zu pool_ok=%u nx=%u smep=%u smap=%u "
            "ram_ignored_pages=%llu clock_hz=%u timer=%s tsc_ref=%s tsc_hz=%llu boot_time=%s cpus=%u\n",
            KeArchName, Mm.PagingMode, Mm.RamPages, Mm.FreePages, Mm.PfnEntryBytes, (SIZE_T)Mm.TablesVerified,
            (SIZE_T)Mm.LoaderFramesKept, Mm.PoolOk, Mm.NoExecute ? 1 : 0, Features->SmepEnabled ? 1 : 0,
            Features->SmapEnabled ? 1 : 0, Mm.RamIgnoredPages, Clock.ClockHz, Clock.Timer, Clock.TscReference,
            Clock.TscHz, Clock.BootTime, KeQueryActiveProcessorCount());
}

/* The end of start-up: TESTEXIT (0x10, or 0x11 after failed self-tests), else SHUTDOWN, else halt. */
static XTNORETURN VOID KiFinishStartup(PXT_INIT_BLOCK InitBlock, ULONG SelfTestFailures) {
    if (KiParameters.TestExit) {
        KdPrint("KE: TESTEXIT\n");
        KdWaitForScreenCapture(); /* TESTSCREEN only */
        XtTestExit(SelfTestFailures ? XT_TEST_EXIT_SELFTEST_FAILED : XT_TEST_EXIT_SUCCESS);
    }
    if (KiParameters.Shutdown) {
        HlShutdownSystem(InitBlock);
    }
    KdPrint("KE: start-up complete, halting\n");
    ArHaltSystem();
}

/* The loader jumps here with the stack as a call leaves it (amd64: RSP = 8 mod 16 below a shadow space); the
 * prologue realigns anyway, so 16-byte-aligned locals (an SLIST_HEADER for CMPXCHG16B) never depend on the loader. */
__attribute__((force_align_arg_pointer)) XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock) {
    ULONGLONG EntryTimeStamp = ArReadTimeStampCounter(), ClockTicks;
    AR_CPU_FEATURES Features;
    ULONG SelfTestFailures = 0;

    KiCheckInitBlockHeader(InitBlock);
    KeParseParameters(InitBlock->Parameters, XT_INIT_BLOCK_PARAMETERS_MAX, &KiParameters);
    KdInitializeDebugOutput(KiParameters.DebugEnabled ? KiParameters.DebugPort : 0, KiParameters.DebugBaud,
                            (KiParameters.DebugScreen ? KD_OUTPUT_SCREEN : 0) |
                                (KiParameters.TestScreen ? KD_OUTPUT_TEST_CAPTURE : 0));
    KiPrintBanner(InitBlock);
    KiSetStopTestExit(KiParameters.TestExit);
    KiCheckInitBlockContents(InitBlock);
    KiLoaderBlock = InitBlock;
    KiInitializeBootProcessor(InitBlock); /* GDT, IDT, TSS; the boot processor's KPRCB through GS/FS */
    ArQueryCpuFeatures(&Features);
    ArEnableCpuFeatures(&Features);
    KiInitializeFloatingSupport(&Features); /* how threads' x87/SSE/AVX state is saved (ke/thread.c) */
    KiCheckInterlockedSupport();
    KiBindPagingMode(InitBlock, Features.NxEnabled);
    if (KiParameters.NoXpa) {
        KdPrint("KE: NOXPA: the loader chose %s\n", MmGetPagingModeName());
    }
    MmInitializeMemoryManager(InitBlock, KiParameters.TestFault == KeTestFaultPoolStart ? MM_TEST_POOL_START_CHECK : 0);
    KdInitializeScreen(&InitBlock->Framebuffer); /* needs Mm to map the framebuffer */
    ObInitializeSystem();                        /* types, the kernel handle table, the namespace (needs the pool) */
    if (KiParameters.SpecialPoolTag) {
        MmSetSpecialPool(KiParameters.SpecialPoolTag);
    }
    HlInitializeInterrupts(InitBlock, KiParameters.NoX2Apic); /* PICs masked, local APIC on; interrupts stay off */
    KiBindRunLevelRegister();                                 /* the level register into the APIC (i686 TPR) */
    ClockTicks = ArReadTimeStampCounter();
    KiInitializeTimers();
    KiInitializeClock(KiParameters.Timer, KiParameters.ClockHz);
    ClockTicks = ArReadTimeStampCounter() - ClockTicks;
    KiInitializeIpi();
    KiInitializeDispatcher(); /* this code becomes the boot thread; the boot processor's idle thread */
    KiStartApplicationProcessors(InitBlock, KiParameters.MaxCpus,
                                 KiParameters.TestApHang); /* they idle, their clocks start with ours */
    KiStartSystemThreads();                                /* the reaper, the APs' work threads */
    MmStartSystemThreads();                                /* the PFN entries above the first GiB, in the background */
    ObInitializeExecutive(); /* Event/Semaphore/Mutant/Timer types, the deferred-delete worker thread */
    PsInitializeSystem();    /* Process/Thread types, the System process object, per-process handle tables */
    KiReport(&Features);
    if (KiParameters.Bench) {
        /* The TSC and local APIC timer calibrations' fixed polling is reported apart, not as start-up work. */
        KdPrint("KE-BENCH entry_to_report=%llu clock_init=%llu\n",
                ArReadTimeStampCounter() - EntryTimeStamp - ClockTicks, ClockTicks);
        MmRunBenchmarks();
        KiRunBenchmarks();
        ObRunBenchmarks();
        PsRunBenchmarks();
    }
    /* The clock ticks from here on, with interrupts on for the rest of the boot (the benchmarks above run without it,
     * so their instruction counts stay deterministic under -icount). A STOP turns interrupts off (KiStop). */
    KiStartClock();
    ArEnableInterrupts();
    KiStartProcessorClocks();
    MmWaitForStartupWork(); /* every frame usable (and counted) before the tests and the exit */
    if (KiParameters.SelfTest) {
        SelfTestFailures = KiRunSelfTests(KiParameters.SelfTestSuites, KiParameters.SelfTestSuitesLength,
                                          KiParameters.TortureOperations);
    }
    if (KiParameters.TestStorm) {
        SelfTestFailures += KiRunStormTest();
    }
    if (KiParameters.TestFault != KeTestFaultNone) {
        /* Provoked faults run with interrupts off, as they were written for: no tick lands on an overflowing stack. */
        ArDisableInterrupts();
        SelfTestFailures += KiRaiseTestFault(KiParameters.TestFault);
    }
    KiFinishStartup(InitBlock, SelfTestFailures);
}

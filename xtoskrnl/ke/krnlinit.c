/* Kernel start-up: checks the init block, takes over the CPU (GDT/IDT/TSS, CR bits), binds the paging mode,
 * reports, then runs SELFTEST / TESTFAULT and ends (TESTEXIT, SHUTDOWN or halt). */
#include <mmhl.h>
#include <rtl.h>
#include <xttest.h>

#include "hl/hl.h"
#include "kd/kd.h"
#include "ke/ke.h"
#include "mm.h"

static KE_PARAMETERS KiParameters;
static ULONG KiImageAddressesVerified;

/* Prints why the init block is unusable and stops with LOADER_BLOCK_MISMATCH (0x100). */
static XTNORETURN VOID KiInitBlockMismatch(ULONG Reason, PCSTR What, ULONG_PTR Found, ULONG_PTR Expected) {
    KdStopPrint("KE: init block check failed: %s (found 0x%zx, expected 0x%zx)\n", What, (SIZE_T)Found,
                (SIZE_T)Expected);
    KeBugCheckEx(LOADER_BLOCK_MISMATCH, Reason, Found, Expected, 0);
}

/* Signature, version and size: what must hold before any other field is read. */
static VOID KiCheckInitBlockHeader(PXT_INIT_BLOCK InitBlock) {
    if (InitBlock == NULL) {
        KiInitBlockMismatch(KI_LOADER_BLOCK_NULL, "no init block", 0, 1);
    }
    if (InitBlock->Signature != XT_INIT_BLOCK_SIGNATURE) {
        KiInitBlockMismatch(KI_LOADER_BLOCK_SIGNATURE, "signature", InitBlock->Signature, XT_INIT_BLOCK_SIGNATURE);
    }
    if (InitBlock->Version != XT_INIT_BLOCK_VERSION) {
        KiInitBlockMismatch(KI_LOADER_BLOCK_VERSION, "version", InitBlock->Version, XT_INIT_BLOCK_VERSION);
    }
    if (InitBlock->Size < sizeof(XT_INIT_BLOCK)) {
        KiInitBlockMismatch(KI_LOADER_BLOCK_SIZE, "size", InitBlock->Size, sizeof(XT_INIT_BLOCK));
    }
}

/* Stacks, memory map, the paging mode against CR0/CR4/EFER and the relocation of the image for its base. */
static VOID KiCheckInitBlockContents(PXT_INIT_BLOCK InitBlock) {
    PCMMH_PAGE_MAP_OPS Ops = MmhFindPagingMode(InitBlock->PagingMode);
    ULONGLONG Efer;
    BOOLEAN EferPresent = ArReadEfer(&Efer);
    MMH_MODE_CHECK Check = MmhCheckPagingRegisters(Ops, ArReadCr0(), ArReadCr4(), Efer, EferPresent);

    if (Check != MmhModeOk) {
        KdStopPrint("KE: paging mode %u from the loader: %s (CR0 0x%zx CR4 0x%zx EFER 0x%llx)\n", InitBlock->PagingMode,
                    MmhModeCheckText(Check), (SIZE_T)ArReadCr0(), (SIZE_T)ArReadCr4(), Efer);
        KiInitBlockMismatch(KI_LOADER_BLOCK_PAGING_MODE, "paging mode", InitBlock->PagingMode, Check);
    }
    if (InitBlock->KernelStackBase == 0 || InitBlock->KernelStackSize < MM_PAGE_SIZE ||
        InitBlock->PanicStackSize < MM_PAGE_SIZE || InitBlock->PanicStackBase[0] == 0 ||
        InitBlock->PanicStackBase[1] == 0 || InitBlock->PanicStackBase[2] == 0) {
        KiInitBlockMismatch(KI_LOADER_BLOCK_STACKS, "kernel/panic stacks", (ULONG_PTR)InitBlock->PanicStackSize,
                            MM_PAGE_SIZE);
    }
    if (InitBlock->MemoryDescriptors == 0 || InitBlock->MemoryDescriptorCount == 0 ||
        InitBlock->MemoryDescriptorSize < sizeof(XT_MEMORY_DESCRIPTOR)) {
        KiInitBlockMismatch(KI_LOADER_BLOCK_MEMORY_MAP, "memory descriptor size", InitBlock->MemoryDescriptorSize,
                            sizeof(XT_MEMORY_DESCRIPTOR));
    }
    KiImageAddressesVerified = KiVerifyImageRelocation(InitBlock);
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
    if (KiParameters.NoXpa) {
        KdPrint("KE: NOXPA: the loader chose %s\n", MmhGetPageMapOps()->Name);
    }
}

/* Prints the banner and the XTOS-REPORT line. */
static VOID KiReport(PXT_INIT_BLOCK InitBlock, const AR_CPU_FEATURES *Features) {
    MM_BOOT_REPORT Mm;
    SIZE_T ParameterLength = RtlStringLength(InitBlock->Parameters, XT_INIT_BLOCK_PARAMETERS_MAX);

    KdPrint("XTOS kernel (%s): init block v%u, XTLDR %u.%u, parameters '%.*s'\n", KeArchName, InitBlock->Version,
            InitBlock->LoaderVersion >> 16, InitBlock->LoaderVersion & 0xFFFF, (int)ParameterLength,
            InitBlock->Parameters);
    KdPrint("KE: kernel image at 0x%p: relocation verified (%u addresses)\n",
            (PVOID)(ULONG_PTR)InitBlock->KernelVirtualBase, KiImageAddressesVerified);
    KiReportParameters(InitBlock);
    KdPrint("MM: paging %s, HAL window 0x%p (%u pages) %s\n", MmhGetPageMapOps()->Name, (PVOID)MmhHalWindowBase,
            (ULONG)MM_HAL_WINDOW_PAGES, MmhIsHalWindowReady() ? "ready" : "has no page table");
    MmQueryBootReport(&Mm);
    KdPrint("XTOS-REPORT arch=%s paging=%s ram_pages=%llu free_pages=%llu pfn_entry_bytes=%u "
            "loader_ptables_verified=%zu loader_ptables_kept=%zu pool_ok=%u nx=%u smep=%u smap=%u\n",
            KeArchName, MmhGetPageMapOps()->Name, Mm.RamPages, Mm.FreePages, Mm.PfnEntryBytes,
            (SIZE_T)Mm.TablesVerified, (SIZE_T)Mm.LoaderFramesKept, Mm.PoolOk, MmhIsNoExecuteActive() ? 1 : 0,
            Features->SmepEnabled ? 1 : 0, Features->SmapEnabled ? 1 : 0);
}

/* The end of start-up: TESTEXIT (0x10, or 0x11 after failed self-tests), else SHUTDOWN, else halt. */
static XTNORETURN VOID KiFinishStartup(PXT_INIT_BLOCK InitBlock, ULONG SelfTestFailures) {
    if (KiParameters.TestExit) {
        KdPrint("KE: TESTEXIT\n");
        XtTestExit(SelfTestFailures ? XT_TEST_EXIT_SELFTEST_FAILED : XT_TEST_EXIT_SUCCESS);
    }
    if (KiParameters.Shutdown) {
        HlShutdownSystem(InitBlock);
    }
    KdPrint("KE: start-up complete, halting\n");
    ArHaltSystem();
}

XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock) {
    ULONGLONG EntryTimeStamp = ArReadTimeStampCounter();
    AR_CPU_FEATURES Features;
    ULONG SelfTestFailures = 0;

    KiCheckInitBlockHeader(InitBlock);
    KeParseParameters(InitBlock->Parameters, XT_INIT_BLOCK_PARAMETERS_MAX, &KiParameters);
    KiSetStopTestExit(KiParameters.TestExit);
    KiSetStopContext(InitBlock);
    KiCheckInitBlockContents(InitBlock);
    ArInitializeProcessor(InitBlock);
    ArQueryCpuFeatures(&Features);
    ArEnableCpuFeatures(&Features);
    MmhInitialize(InitBlock, Features.NxEnabled); /* the mode was checked above */
    if (KiParameters.DebugEnabled) {
        KdInitializeDebugPort(KiParameters.DebugPort, KiParameters.DebugBaud);
    }
    if (!XT_SUCCESS(MmInitializeMemoryManager(InitBlock))) {
        KeBugCheckEx(MM_MEMORY_MANAGEMENT, 0x1000, 0, 0, 0);
    }
    if (KiParameters.SpecialPoolTag) {
        MmSetSpecialPool(KiParameters.SpecialPoolTag);
    }
    KiReport(InitBlock, &Features);
    if (KiParameters.Bench) {
        KdPrint("KE-BENCH entry_to_report=%llu\n", ArReadTimeStampCounter() - EntryTimeStamp);
        MmRunBenchmarks();
    }
    if (KiParameters.SelfTest) {
        SelfTestFailures = KiRunSelfTests();
    }
    if (KiParameters.TestFault != KeTestFaultNone) {
        KiRaiseTestFault(KiParameters.TestFault);
    }
    KiFinishStartup(InitBlock, SelfTestFailures);
}

/* Architecture support (Ar): CPU registers, descriptor tables and CPU features. The interface is generic; the
 * implementation lives in ar/amd64 or ar/i686, chosen by the platform in BUILD. */
#ifndef XTOSKRNL_AR_AR_H
#define XTOSKRNL_AR_AR_H

#include <xtbase.h>
#include <xtboot.h>
#include <xtintrin.h>
#include <xtpaging.h>

/* The arch's register frame (struct _KTRAP_FRAME) comes from <ararch.h>, selected per arch by BUILD. */
#include <ararch.h>

/* Reads CR0. */
XTINLINE ULONG_PTR ArReadCr0(VOID) {
    ULONG_PTR Value;
    __asm__ volatile("mov %%cr0, %0" : "=r"(Value));
    return Value;
}

/* Reads CR2 (the last page-fault address). */
XTINLINE ULONG_PTR ArReadCr2(VOID) {
    ULONG_PTR Value;
    __asm__ volatile("mov %%cr2, %0" : "=r"(Value));
    return Value;
}

/* Reads CR3 (the page-map base). */
XTINLINE ULONG_PTR ArReadCr3(VOID) {
    ULONG_PTR Value;
    __asm__ volatile("mov %%cr3, %0" : "=r"(Value));
    return Value;
}

/* Reads CR4. */
XTINLINE ULONG_PTR ArReadCr4(VOID) {
    ULONG_PTR Value;
    __asm__ volatile("mov %%cr4, %0" : "=r"(Value));
    return Value;
}

/* Writes CR0. */
XTINLINE VOID ArWriteCr0(ULONG_PTR Value) {
    __asm__ volatile("mov %0, %%cr0" : : "r"(Value) : "memory");
}

/* Writes CR4. */
XTINLINE VOID ArWriteCr4(ULONG_PTR Value) {
    __asm__ volatile("mov %0, %%cr4" : : "r"(Value) : "memory");
}

/* Reads a model-specific register (the caller makes sure it exists). */
XTINLINE ULONGLONG ArReadMsr(ULONG Msr) {
    ULONG Low, High;
    __asm__ volatile("rdmsr" : "=a"(Low), "=d"(High) : "c"(Msr));
    return ((ULONGLONG)High << 32) | Low;
}

/* Writes a model-specific register (the caller makes sure it exists). */
XTINLINE VOID ArWriteMsr(ULONG Msr, ULONGLONG Value) {
    __asm__ volatile("wrmsr" : : "c"(Msr), "a"((ULONG)Value), "d"((ULONG)(Value >> 32)) : "memory");
}

/* Flushes the TLB entry of one virtual address. */
XTINLINE VOID ArInvalidatePage(PCVOID Address) {
    __asm__ volatile("invlpg (%0)" : : "r"(Address) : "memory");
}

/* CR0 and CR4 bits of the floating-point/SSE set-up (ArEnableCpuFeatures). */
#define CR0_MP         (1u << 1)  /* WAIT/FWAIT honour CR0.TS */
#define CR0_EM         (1u << 2)  /* x87/SSE instructions trap (#NM/#UD): kept clear */
#define CR0_TS         (1u << 3)  /* task switched: the next x87/SSE instruction raises #NM (no lazy switching) */
#define CR0_NE         (1u << 5)  /* x87 errors as #MF, not the legacy IRQ 13 */
#define CR4_OSFXSR     (1u << 9)  /* FXSAVE/FXRSTOR cover the SSE state; SSE instructions allowed */
#define CR4_OSXMMEXCPT (1u << 10) /* unmasked SIMD floating-point exceptions raise #XM */
#define CR4_OSXSAVE    (1u << 18) /* XGETBV/XSETBV/XSAVE/XRSTOR allowed; XCR0 selects the state components */

/* XCR0 (the extended control register XSAVE saves by) state components. */
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2) /* the upper halves of YMM0-15 */

/* Reads extended control register Index (XGETBV; CR4.OSXSAVE must be on). */
XTINLINE ULONGLONG ArReadXcr(ULONG Index) {
    ULONG Low, High;
    __asm__ volatile("xgetbv" : "=a"(Low), "=d"(High) : "c"(Index));
    return ((ULONGLONG)High << 32) | Low;
}

/* Writes extended control register Index (XSETBV; CR4.OSXSAVE must be on and the value valid for the CPU). */
XTINLINE VOID ArWriteXcr(ULONG Index, ULONGLONG Value) {
    __asm__ volatile("xsetbv" : : "c"(Index), "a"((ULONG)Value), "d"((ULONG)(Value >> 32)) : "memory");
}

/* Returns the current frame pointer. */
XTINLINE ULONG_PTR ArGetFramePointer(VOID) {
    return (ULONG_PTR)__builtin_frame_address(0);
}

/* What the boot CPU supports and what the kernel turned on. */
typedef struct _AR_CPU_FEATURES {
    ULONG MaxLeaf;         /* CPUID.0.EAX */
    ULONG MaxExtendedLeaf; /* CPUID.80000000h.EAX (0 when the extended range is absent) */
    BOOLEAN EferPresent;   /* IA32_EFER exists (NX or long mode reported) */
    BOOLEAN NxSupported;
    BOOLEAN SmepSupported;
    BOOLEAN SmapSupported;
    BOOLEAN NxEnabled; /* EFER.NXE = 1 after ArEnableCpuFeatures */
    BOOLEAN SmepEnabled;
    BOOLEAN SmapEnabled;
    BOOLEAN WpEnabled;
    BOOLEAN FxsrSupported;   /* FXSAVE/FXRSTOR (CPUID.1.EDX[24]) */
    BOOLEAN SseSupported;    /* CPUID.1.EDX[25] */
    BOOLEAN XsaveSupported;  /* XSAVE/XRSTOR/XSETBV (CPUID.1.ECX[26]) */
    BOOLEAN FxsrEnabled;     /* CR4.OSFXSR = 1 after ArEnableCpuFeatures */
    BOOLEAN XsaveEnabled;    /* CR4.OSXSAVE = 1 after ArEnableCpuFeatures */
    ULONGLONG XsaveFeatures; /* XCR0 (0 while XSAVE is off) */
    ULONG XsaveAreaSize;     /* CPUID.(0Dh,0).EBX: the XSAVE area for the components XCR0 enables (0: off) */
} AR_CPU_FEATURES, *PAR_CPU_FEATURES;

/* Fills Features from CPUID (the "Enabled" fields read back the current CR0/CR4/EFER). Checks the maximum leaf
 * before reading leaf 7 and the extended maximum before 80000001h. */
VOID ArQueryCpuFeatures(PAR_CPU_FEATURES Features);

/* Turns on CR0.WP, EFER.NXE, CR4.SMEP, CR4.SMAP and CR4.MCE where the CPU has them, and the floating-point/SSE
 * state: CR0.MP and NE on, EM and TS off; CR4.OSFXSR and OSXMMEXCPT with FXSR/SSE; CR4.OSXSAVE and XCR0 = x87 | SSE
 * (| AVX when the CPU has it) with XSAVE; then FNINIT and MXCSR = 0x1F80 (all SIMD exceptions masked). Run by every
 * processor at start-up (the same XCR0 everywhere: Ke sizes every thread's save area once). Updates the "Enabled"
 * fields. */
VOID ArEnableCpuFeatures(PAR_CPU_FEATURES Features);

/* Reads IA32_EFER into *Value when the CPU has it; FALSE (and *Value = 0) otherwise. */
BOOLEAN ArReadEfer(PULONGLONG Value);

/* The IDT's size, and its first vector that is not an exception (external and software interrupts). */
#define AR_IDT_VECTORS            256
#define AR_FIRST_INTERRUPT_VECTOR 32

/* The trap and interrupt entry points Ke supplies for the IDT: one stub per vector, and on i686 the entries of the
 * double fault, NMI and machine-check tasks (task gates; unused on amd64, where those vectors switch stacks by IST). */
typedef struct _AR_TRAP_ENTRIES {
    const ULONG_PTR *Vectors; /* AR_IDT_VECTORS entries, indexed by vector */
    ULONG_PTR DoubleFaultTask;
    ULONG_PTR NmiTask;
    ULONG_PTR MachineCheckTask;
} AR_TRAP_ENTRIES, *PAR_TRAP_ENTRIES;

/* The stacks one processor's TSS(s) name: the kernel stack (RSP0/ESP0) and the double-fault, NMI and machine-check
 * stacks (XT_PANIC_STACK_* order), as the addresses just above their tops. */
typedef struct _AR_PROCESSOR_STACKS {
    ULONG_PTR KernelStackTop;
    ULONG_PTR PanicStackTop[3];
} AR_PROCESSOR_STACKS, *PAR_PROCESSOR_STACKS;

/* Builds the shared IDT and the boot CPU's GDT and TSS(s), loads them and reloads every segment register; binds
 * ProcessorBlock (Ke's control block) to GS (amd64: IA32_GS_BASE) or FS (i686: the KGDT_R0_PCR segment). Double
 * fault, NMI and machine check run on the loader's panic stacks (InitBlock->PanicStackBase). */
VOID ArInitializeProcessor(PXT_INIT_BLOCK InitBlock, const AR_TRAP_ENTRIES *Entries, PVOID ProcessorBlock);

/* On an application processor: builds its own GDT and TSS(s) in Tables from Stacks, loads them with the shared IDT
 * (ArInitializeProcessor built it) and binds ProcessorBlock to GS / FS as above. */
VOID ArInitializeApplicationProcessor(PAR_PROCESSOR_TABLES Tables, const AR_PROCESSOR_STACKS *Stacks,
                                      PVOID ProcessorBlock);

/* Fills Frame with the caller's registers (instruction pointer = the return address of this call). */
VOID ArCaptureTrapFrame(PKTRAP_FRAME Frame);

/* Loads StackPointer into the stack pointer and writes to it (a fault on purpose: TESTFAULT=DOUBLE). */
XTNORETURN VOID ArTouchStackAt(ULONG_PTR StackPointer);

/* Causes a general protection fault on purpose (TESTFAULT=GP). */
XTNORETURN VOID ArRaiseGeneralProtection(VOID);

#endif

/* The page below every stack the loader hands over (the kernel stack and the double-fault, NMI and machine-check
 * panic stacks) is a guard: not present in the live page tables, while the stack's own pages are. SELFTEST only. */
#include <ke.h>
#include <mm.h>
#include <tests/kernel_suites.h>

/* Checks one stack of Size bytes at Base: its first and last pages mapped, the page below it not. */
static BOOLEAN KiTestStackGuard(PXTEST_CONTEXT XtestContext, PCSTR Name, ULONGLONG Base, ULONGLONG Size) {
    BOOLEAN Ok = TRUE;

    Ok &= XTEST_CHECK(Base != 0 && Size >= MM_PAGE_SIZE && (Base & (MM_PAGE_SIZE - 1)) == 0);
    Ok &= XTEST_CHECK(MmIsAddressValid((ULONG_PTR)Base));
    Ok &= XTEST_CHECK(MmIsAddressValid((ULONG_PTR)Base + Size - MM_PAGE_SIZE));
    Ok &= XTEST_CHECK(!MmIsAddressValid((ULONG_PTR)Base - MM_PAGE_SIZE));
    if (!Ok) {
        XtestPrint("  %s at 0x%llx (%llu bytes): guard page 0x%llx is %s\n", Name, Base, Size, Base - MM_PAGE_SIZE,
                   MmIsAddressValid((ULONG_PTR)Base - MM_PAGE_SIZE) ? "mapped" : "not mapped");
    }
    return Ok;
}

XTEST(KernelStackHasGuardPage) {
    const XT_INIT_BLOCK *Block = KeGetLoaderBlock();

    XTEST_ASSERT(Block != NULL);
    KiTestStackGuard(XtestContext, "kernel stack", Block->KernelStackBase, Block->KernelStackSize);
}

XTEST(PanicStacksHaveGuardPages) {
    static const PCSTR Names[] = {"double-fault stack", "NMI stack", "machine-check stack"};
    const XT_INIT_BLOCK *Block = KeGetLoaderBlock();

    XTEST_ASSERT(Block != NULL);
    STATIC_ASSERT(ARRAY_SIZE(Names) == ARRAY_SIZE(Block->PanicStackBase));
    XTEST_CHECK_EQ(XT_PANIC_STACK_MACHINE_CHECK, ARRAY_SIZE(Names) - 1);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Names); Index++) {
        KiTestStackGuard(XtestContext, Names[Index], Block->PanicStackBase[Index], Block->PanicStackSize);
    }
}

XTEST_SUITE(KeStackGuardSuite, XTEST_ENTRY(KernelStackHasGuardPage), XTEST_ENTRY(PanicStacksHaveGuardPages));

/* XTEST freestanding Linux runtime: XtestPrint and FsExit over raw system calls (write, exit). Test tooling for the
 * host only: the two ABIs are told apart by the compiler's own macro. */
#include <rtl.h>

#include "freestanding_linux.h"

#if defined(__i386__)
static long FspSyscall3(long Number, long Argument1, long Argument2, long Argument3) {
    long Result;
    __asm__ volatile("int $0x80"
                     : "=a"(Result)
                     : "a"(Number), "b"(Argument1), "c"(Argument2), "d"(Argument3)
                     : "memory");
    return Result;
}
#define FSP_WRITE 4
#define FSP_EXIT  1
#else
static long FspSyscall3(long Number, long Argument1, long Argument2, long Argument3) {
    long Result;
    __asm__ volatile("syscall"
                     : "=a"(Result)
                     : "a"(Number), "D"(Argument1), "S"(Argument2), "d"(Argument3)
                     : "rcx", "r11", "memory");
    return Result;
}
#define FSP_WRITE 1
#define FSP_EXIT  60
#endif

static VOID FspOutput(PVOID Context, PCSTR Characters, SIZE_T Count) {
    UNUSED(Context);
    FspSyscall3(FSP_WRITE, 1, (long)Characters, (long)Count);
}

VOID XtestPrint(PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatOutput(FspOutput, NULL, Format, Arguments);
    va_end(Arguments);
}

XTNORETURN VOID FsExit(LONG Status) {
    FspSyscall3(FSP_EXIT, Status, 0, 0);
    for (;;) {
    }
}

/* The libgcc-ABI 64-bit division helpers clang calls on i686 Linux, routed to the RTL's division (unused on
 * x86_64, where the instructions are native). */
ULONGLONG __udivdi3(ULONGLONG Dividend, ULONGLONG Divisor);
ULONGLONG __umoddi3(ULONGLONG Dividend, ULONGLONG Divisor);
LONGLONG __divdi3(LONGLONG Dividend, LONGLONG Divisor);
LONGLONG __moddi3(LONGLONG Dividend, LONGLONG Divisor);

ULONGLONG __udivdi3(ULONGLONG Dividend, ULONGLONG Divisor) {
    return RtlDivideUnsigned64(Dividend, Divisor, NULL);
}

ULONGLONG __umoddi3(ULONGLONG Dividend, ULONGLONG Divisor) {
    ULONGLONG Remainder;
    RtlDivideUnsigned64(Dividend, Divisor, &Remainder);
    return Remainder;
}

LONGLONG __divdi3(LONGLONG Dividend, LONGLONG Divisor) {
    return RtlDivideSigned64(Dividend, Divisor, NULL);
}

LONGLONG __moddi3(LONGLONG Dividend, LONGLONG Divisor) {
    LONGLONG Remainder;
    RtlDivideSigned64(Dividend, Divisor, &Remainder);
    return Remainder;
}

/* XTLDR failure handling: loader errors and RTL fail-fast reports, and how each ends the boot attempt. */
#include <xttest.h>

#include "fail.h"
#include "xtldr.h"

#define BL_FAIL_PAUSE_MICROSECONDS (5 * 1000 * 1000)

static EFI_BOOT_SERVICES *BlpFailBootServices;
static BOOLEAN BlpTestExit;

VOID BlFailInitialize(EFI_SYSTEM_TABLE *SystemTable) {
    BlpFailBootServices = SystemTable->BootServices;
}

VOID BlTestSetRequested(BOOLEAN Requested) {
    BlpTestExit = Requested;
}

BOOLEAN BlTestRequested(VOID) {
    return BlpTestExit;
}

EFI_STATUS BlFail(EFI_STATUS Status, PCSTR Format, ...) {
    CHAR Message[400];
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatStringV(Message, sizeof(Message), Format, Arguments);
    va_end(Arguments);
    BlPrint("XTLDR: error: %s\n", Message);
    if (BlpTestExit) {
        XtTestExit(XT_TEST_EXIT_LOADER_ERROR);
    }
    if (!BlConsoleBootServicesActive() || BlpFailBootServices == NULL) {
        ArHaltSystem(); /* boot services are gone: nothing to return to */
    }
    /* Leave the message on screen for a while, then return to the firmware's boot manager. */
    BlpFailBootServices->Stall(BL_FAIL_PAUSE_MICROSECONDS);
    return Status;
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    BlPrint("XTLDR: error: internal corruption detected (RTL fail-fast code %u, 0x%llx, 0x%llx)\n", Code,
            (ULONGLONG)Parameter1, (ULONGLONG)Parameter2);
    if (BlpTestExit) {
        XtTestExit(XT_TEST_EXIT_LOADER_ERROR);
    }
    ArHaltSystem();
}

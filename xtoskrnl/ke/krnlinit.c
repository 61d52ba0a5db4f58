/* Kernel start-up: for now, serial output and halt (the boot path arrives with the loader's hand-off). */
#include <rtl.h>
#include <xtintrin.h>
#include <xtuart.h>

#include "ke.h"

static USHORT KdpSerialBase;

/* Writes Length characters to the debug port, expanding "\n" to "\r\n". */
static VOID KdpWrite(PCSTR Text, SIZE_T Length) {
    for (SIZE_T Index = 0; KdpSerialBase && Index < Length; Index++) {
        if (Text[Index] == '\n') {
            HlWriteComPort(KdpSerialBase, '\r');
        }
        HlWriteComPort(KdpSerialBase, (UCHAR)Text[Index]);
    }
}

VOID KdPrint(PCSTR Format, ...) {
    CHAR Buffer[512];
    va_list Arguments;
    SIZE_T Length;

    va_start(Arguments, Format);
    Length = RtlFormatStringV(Buffer, sizeof(Buffer), Format, Arguments);
    va_end(Arguments);
    KdpWrite(Buffer, Length < sizeof(Buffer) ? Length : sizeof(Buffer) - 1);
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    KdPrint("*** STOP 0x%08x (0x%p, 0x%p): runtime library fail-fast\n", Code, (PVOID)Parameter1, (PVOID)Parameter2);
    ArHaltSystem();
}

XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock) {
    KdpSerialBase = HlInitializeComPort(1, 115200);
    KdPrint("XTOS kernel (%s) started, init block at %p\n", KeArchName, (PVOID)InitBlock);
    ArHaltSystem();
}

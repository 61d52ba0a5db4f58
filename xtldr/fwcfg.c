/* QEMU fw_cfg probe: lets a test harness ask for isa-debug-exit before the loader has read its INI file. */
#include <rtl.h>
#include <xtintrin.h>

#include "xtldr.h"

#define FW_CFG_PORT_SELECTOR 0x510
#define FW_CFG_PORT_DATA     0x511
#define FW_CFG_SIGNATURE     0x0000
#define FW_CFG_FILE_DIR      0x0019
#define FW_CFG_MAX_FILES     4096

/* Reads Length bytes from the currently selected fw_cfg item. */
static VOID BlpFwCfgRead(PUCHAR Buffer, ULONG Length) {
    for (ULONG Index = 0; Index < Length; Index++) {
        Buffer[Index] = HlReadPort8(FW_CFG_PORT_DATA);
    }
}

static ULONG BlpFwCfgReadBigEndian32(VOID) {
    UCHAR Bytes[4];
    BlpFwCfgRead(Bytes, sizeof(Bytes));
    return ((ULONG)Bytes[0] << 24) | ((ULONG)Bytes[1] << 16) | ((ULONG)Bytes[2] << 8) | Bytes[3];
}

BOOLEAN BlFwCfgHasFile(PCSTR Name) {
    UCHAR Signature[4];
    UCHAR Entry[64];
    ULONG Count;

    /* fw_cfg exists only under QEMU: never touch its ports on a machine without a hypervisor. */
    if (!ArIsHypervisorPresent()) {
        return FALSE;
    }
    HlWritePort16(FW_CFG_PORT_SELECTOR, FW_CFG_SIGNATURE);
    BlpFwCfgRead(Signature, sizeof(Signature));
    if (RtlCompareMemory(Signature, "QEMU", 4) != 4) {
        return FALSE;
    }
    HlWritePort16(FW_CFG_PORT_SELECTOR, FW_CFG_FILE_DIR);
    Count = BlpFwCfgReadBigEndian32();
    for (ULONG Index = 0; Index < Count && Index < FW_CFG_MAX_FILES; Index++) {
        /* Entry: size (4, big-endian), select (2), reserved (2), name (56, NUL-terminated). */
        BlpFwCfgRead(Entry, sizeof(Entry));
        Entry[63] = 0;
        if (RtlCompareCString((PCSTR)&Entry[8], Name, 56, FALSE) == 0) {
            return TRUE;
        }
    }
    return FALSE;
}

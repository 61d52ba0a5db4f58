/* Host checks of SDK values that are easiest to state at run time: byte order, signatures, status encoding. */
#include <xtbase.h>
#include <xtstatus.h>
#include <xtuefi.h>
#include <xtpecoff.h>
#include <xtboot.h>
#include "xtest.h"

ULONG SdkPointerWidth(VOID);

static BOOLEAN SdkBytesEqual(PCVOID Left, PCVOID Right, SIZE_T Length) {
    const UCHAR *L = Left, *R = Right;
    for (SIZE_T Index = 0; Index < Length; Index++) {
        if (L[Index] != R[Index]) {
            return FALSE;
        }
    }
    return TRUE;
}

XTEST(EfiStatusEncoding) {
    XTEST_CHECK_EQ(SdkPointerWidth(), 8);
    XTEST_CHECK_EQ(EFI_BUFFER_TOO_SMALL, 0x8000000000000005ull);
    XTEST_CHECK_EQ(EFI_NOT_FOUND, 0x800000000000000Eull);
    XTEST_CHECK_EQ(EFI_END_OF_FILE, 0x800000000000001Full);
    XTEST_CHECK(EFI_ERROR(EFI_INVALID_PARAMETER));
    XTEST_CHECK(!EFI_ERROR(EFI_SUCCESS));
    XTEST_CHECK(!EFI_ERROR(EFI_WARN_BUFFER_TOO_SMALL));
}

XTEST(EfiGuidByteOrder) {
    /* The ACPI 2.0 table GUID 8868E871-E4F1-11D3-BC22-0080C73C8881 as it appears in memory. */
    static const UCHAR Expected[16] = {0x71, 0xE8, 0x68, 0x88, 0xF1, 0xE4, 0xD3, 0x11,
                                       0xBC, 0x22, 0x00, 0x80, 0xC7, 0x3C, 0x88, 0x81};
    EFI_GUID Guid = EFI_ACPI_20_TABLE_GUID;
    XTEST_CHECK(SdkBytesEqual(&Guid, Expected, sizeof(Expected)));
}

XTEST(EfiSignatures) {
    ULONGLONG Signature = EFI_SYSTEM_TABLE_SIGNATURE;
    XTEST_CHECK(SdkBytesEqual(&Signature, "IBI SYST", 8));
    Signature = EFI_BOOT_SERVICES_SIGNATURE;
    XTEST_CHECK(SdkBytesEqual(&Signature, "BOOTSERV", 8));
    Signature = EFI_RUNTIME_SERVICES_SIGNATURE;
    XTEST_CHECK(SdkBytesEqual(&Signature, "RUNTSERV", 8));
}

XTEST(EfiTableOffsetsAmd64) {
    /* Offsets firmware relies on, spelled out for the x64 binding. */
    XTEST_CHECK_EQ(offsetof(EFI_BOOT_SERVICES, ExitBootServices), 0xE8);
    XTEST_CHECK_EQ(offsetof(EFI_BOOT_SERVICES, LocateProtocol), 0x140);
    XTEST_CHECK_EQ(offsetof(EFI_BOOT_SERVICES, CreateEventEx), 0x170);
    XTEST_CHECK_EQ(offsetof(EFI_SYSTEM_TABLE, ConOut), 0x40);
    XTEST_CHECK_EQ(offsetof(EFI_SYSTEM_TABLE, BootServices), 0x60);
    XTEST_CHECK_EQ(offsetof(EFI_RUNTIME_SERVICES, ResetSystem), 0x68);
    XTEST_CHECK_EQ(sizeof(EFI_MEMORY_DESCRIPTOR), 40);
    XTEST_CHECK_EQ(EfiUnacceptedMemoryType, 15);
}

XTEST(PeCoffConstants) {
    USHORT Dos = IMAGE_DOS_SIGNATURE;
    ULONG Nt = IMAGE_NT_SIGNATURE;
    XTEST_CHECK(SdkBytesEqual(&Dos, "MZ", 2));
    XTEST_CHECK(SdkBytesEqual(&Nt, "PE\0\0", 4));
    XTEST_CHECK_EQ(IMAGE_REL_TYPE(0xA123), IMAGE_REL_BASED_DIR64);
    XTEST_CHECK_EQ(IMAGE_REL_OFFSET(0xA123), 0x123);
    XTEST_CHECK_EQ(IMAGE_FIRST_SECTION_OFFSET(0x80, sizeof(IMAGE_OPTIONAL_HEADER64)), 0x80 + 264);
}

XTEST(BootProtocolLayout) {
    ULONG Signature = XT_INIT_BLOCK_SIGNATURE;
    XTEST_CHECK(SdkBytesEqual(&Signature, "XTIB", 4));
    XTEST_CHECK_EQ(sizeof(XT_INIT_BLOCK), 0x310);
    XTEST_CHECK_EQ(sizeof(XT_MEMORY_DESCRIPTOR), 24);
    XTEST_CHECK_EQ(LoaderMemoryData, 20);
    XTEST_CHECK_EQ(LoaderErrorLogMemory, 28);
    XTEST_CHECK_EQ(XtPagingModePml5, 5);
    XTEST_CHECK_EQ(offsetof(XT_INIT_BLOCK, Parameters) + XT_INIT_BLOCK_PARAMETERS_MAX, sizeof(XT_INIT_BLOCK));
}

XTEST_SUITE(SdkSuite, XTEST_ENTRY(EfiStatusEncoding), XTEST_ENTRY(EfiGuidByteOrder), XTEST_ENTRY(EfiSignatures),
            XTEST_ENTRY(EfiTableOffsetsAmd64), XTEST_ENTRY(PeCoffConstants), XTEST_ENTRY(BootProtocolLayout));

XTEST_HOST_MAIN(&SdkSuite)

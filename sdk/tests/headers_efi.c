/* A minimal UEFI application over the SDK headers: proves the EFIAPI entry and the service tables link. */
#include <xtuefi.h>

ULONG SdkPointerWidth(VOID);

EFI_STATUS EFIAPI XtLdrEntry(EFI_HANDLE ImageHandle, PEFI_SYSTEM_TABLE SystemTable) {
    static CHAR16 Message[] = {'S', 'D', 'K', '\r', '\n', 0};

    if (SystemTable == NULL || SystemTable->Hdr.Signature != EFI_SYSTEM_TABLE_SIGNATURE) {
        return EFI_INVALID_PARAMETER;
    }
    SystemTable->ConOut->OutputString(SystemTable->ConOut, Message);
    return SdkPointerWidth() == sizeof(PVOID) ? EFI_SUCCESS : EFI_LOAD_ERROR;
}

/* XTLDR firmware facts for the init block: ACPI and SMBIOS entry points, the GOP framebuffer. */
#include "boot.h"

static BOOLEAN BlpGuidEqual(const EFI_GUID *Left, const EFI_GUID *Right) {
    return RtlCompareMemory(Left, Right, sizeof(EFI_GUID)) == sizeof(EFI_GUID);
}

VOID BlFindFirmwareTables(EFI_SYSTEM_TABLE *SystemTable, PXT_INIT_BLOCK InitBlock) {
    EFI_GUID Acpi20 = EFI_ACPI_20_TABLE_GUID, Acpi10 = EFI_ACPI_10_TABLE_GUID;
    EFI_GUID Smbios = EFI_SMBIOS_TABLE_GUID, Smbios3 = EFI_SMBIOS3_TABLE_GUID;
    ULONGLONG Acpi1Rsdp = 0;

    for (UINTN Index = 0; Index < SystemTable->NumberOfTableEntries; Index++) {
        const EFI_CONFIGURATION_TABLE *Table = &SystemTable->ConfigurationTable[Index];
        ULONGLONG Address = (ULONG_PTR)Table->VendorTable;
        if (BlpGuidEqual(&Table->VendorGuid, &Acpi20)) {
            InitBlock->AcpiRsdp = Address;
        } else if (BlpGuidEqual(&Table->VendorGuid, &Acpi10)) {
            Acpi1Rsdp = Address;
        } else if (BlpGuidEqual(&Table->VendorGuid, &Smbios)) {
            InitBlock->SmbiosEntryPoint = Address;
        } else if (BlpGuidEqual(&Table->VendorGuid, &Smbios3)) {
            InitBlock->Smbios3EntryPoint = Address;
        }
    }
    if (InitBlock->AcpiRsdp == 0) {
        InitBlock->AcpiRsdp = Acpi1Rsdp;
    }
    InitBlock->EfiSystemTable = (ULONG_PTR)SystemTable;
}

VOID BlFindFramebuffer(EFI_BOOT_SERVICES *BootServices, PXT_FRAMEBUFFER_INFO Framebuffer) {
    EFI_GUID GopGuid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    EFI_GRAPHICS_OUTPUT_PROTOCOL *Gop;
    const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *Info;

    RtlZeroMemory(Framebuffer, sizeof(*Framebuffer));
    if (BootServices->LocateProtocol(&GopGuid, NULL, (PVOID *)&Gop) != EFI_SUCCESS || !Gop->Mode || !Gop->Mode->Info) {
        return;
    }
    Info = Gop->Mode->Info;
    if (Info->PixelFormat != PixelRedGreenBlueReserved8BitPerColor &&
        Info->PixelFormat != PixelBlueGreenRedReserved8BitPerColor) {
        return; /* bit-mask and blt-only modes: no linear 32-bit framebuffer to describe */
    }
    Framebuffer->Address = Gop->Mode->FrameBufferBase;
    Framebuffer->Size = Gop->Mode->FrameBufferSize;
    Framebuffer->Width = Info->HorizontalResolution;
    Framebuffer->Height = Info->VerticalResolution;
    Framebuffer->Pitch = Info->PixelsPerScanLine * 4;
    Framebuffer->BitsPerPixel = 32;
    Framebuffer->PixelFormat =
        Info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor ? XT_FRAMEBUFFER_RGBX8 : XT_FRAMEBUFFER_BGRX8;
}

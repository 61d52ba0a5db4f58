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

    RtlZeroMemory(Framebuffer, sizeof(*Framebuffer));
    if (BootServices->LocateProtocol(&GopGuid, NULL, (PVOID *)&Gop) != EFI_SUCCESS || !Gop->Mode || !Gop->Mode->Info) {
        return; /* no graphics output: the kernel's screen console stays off */
    }
    /* The mode the firmware set stays: its text console (our menu) is already drawn in it. */
    BlDescribeFramebuffer(Gop->Mode->Info, Gop->Mode->FrameBufferBase, Gop->Mode->FrameBufferSize, Framebuffer);
}

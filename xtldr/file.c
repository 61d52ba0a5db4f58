/* XTLDR file access: whole files from the volume the loader itself was loaded from. */
#include "config.h"
#include "xtldr.h"

#define BL_MAX_FILE_SIZE (256u * 1024 * 1024)

static EFI_BOOT_SERVICES *BlpBootServices;
static EFI_FILE_PROTOCOL *BlpVolumeRoot;

EFI_STATUS BlOpenBootVolume(EFI_HANDLE ImageHandle, EFI_BOOT_SERVICES *BootServices) {
    EFI_GUID LoadedImageGuid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    EFI_GUID FileSystemGuid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    EFI_LOADED_IMAGE_PROTOCOL *LoadedImage;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *FileSystem;
    EFI_STATUS Status;

    BlpBootServices = BootServices;
    Status = BootServices->HandleProtocol(ImageHandle, &LoadedImageGuid, (VOID **)&LoadedImage);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    Status = BootServices->HandleProtocol(LoadedImage->DeviceHandle, &FileSystemGuid, (VOID **)&FileSystem);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    return FileSystem->OpenVolume(FileSystem, &BlpVolumeRoot);
}

/* Returns the size of an open file from its EFI_FILE_INFO. */
static EFI_STATUS BlpGetFileSize(EFI_FILE_PROTOCOL *File, ULONGLONG *Size, BOOLEAN *Directory) {
    EFI_GUID FileInfoGuid = EFI_FILE_INFO_ID;
    UINTN InfoSize = sizeof(EFI_FILE_INFO) + BL_MAX_PATH * sizeof(WCHAR);
    EFI_FILE_INFO *Info;
    EFI_STATUS Status;

    Status = BlpBootServices->AllocatePool(EfiLoaderData, InfoSize, (VOID **)&Info);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    Status = File->GetInfo(File, &FileInfoGuid, &InfoSize, Info);
    if (Status == EFI_SUCCESS) {
        *Size = Info->FileSize;
        *Directory = (Info->Attribute & EFI_FILE_DIRECTORY) != 0;
    }
    BlpBootServices->FreePool(Info);
    return Status;
}

/* Reads the open File whole into a new pool buffer followed by one zero byte. */
static EFI_STATUS BlpReadOpenFile(EFI_FILE_PROTOCOL *File, PVOID *Buffer, SIZE_T *Size, PCSTR *Reason) {
    ULONGLONG FileSize;
    BOOLEAN Directory = FALSE;
    UINTN Length;
    EFI_STATUS Status;

    Status = BlpGetFileSize(File, &FileSize, &Directory);
    if (Status != EFI_SUCCESS || Directory) {
        *Reason = Directory ? "is a directory" : "cannot read its size";
        return Directory ? EFI_INVALID_PARAMETER : Status;
    }
    if (FileSize > BL_MAX_FILE_SIZE) {
        *Reason = "file too large";
        return EFI_BAD_BUFFER_SIZE;
    }
    Status = BlpBootServices->AllocatePool(EfiLoaderData, (UINTN)FileSize + 1, Buffer);
    if (Status != EFI_SUCCESS) {
        *Reason = "out of memory";
        return Status;
    }
    Length = (UINTN)FileSize;
    Status = File->Read(File, &Length, *Buffer);
    if (Status != EFI_SUCCESS || Length != FileSize) {
        BlpBootServices->FreePool(*Buffer);
        *Reason = "read error";
        return Status != EFI_SUCCESS ? Status : EFI_DEVICE_ERROR;
    }
    ((PUCHAR)*Buffer)[Length] = 0;
    *Size = Length;
    return EFI_SUCCESS;
}

EFI_STATUS BlReadFile(PCSTR Path, PVOID *Buffer, SIZE_T *Size, PCSTR *Reason) {
    WCHAR WidePath[BL_MAX_PATH];
    EFI_FILE_PROTOCOL *File;
    EFI_STATUS Status;

    if (!BlpVolumeRoot) {
        *Reason = "no boot volume";
        return EFI_NOT_READY;
    }
    if (RtlStringLength(Path, BL_MAX_PATH) >= BL_MAX_PATH) {
        *Reason = "path too long";
        return EFI_INVALID_PARAMETER;
    }
    RtlAnsiToWide(WidePath, ARRAY_SIZE(WidePath), Path, BL_MAX_PATH);
    Status = BlpVolumeRoot->Open(BlpVolumeRoot, &File, WidePath, EFI_FILE_MODE_READ, 0);
    if (Status != EFI_SUCCESS) {
        *Reason = (Status == EFI_NOT_FOUND) ? "file not found" : "cannot open file";
        return Status;
    }
    Status = BlpReadOpenFile(File, Buffer, Size, Reason);
    File->Close(File);
    return Status;
}

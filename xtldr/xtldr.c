/* XTLDR entry point: configuration, kernel file checks and the boot report. */
#include <xtpecoff.h>
#include <xttest.h>

#include "boot.h"
#include "fail.h"

static EFI_SYSTEM_TABLE *BlpSystemTable;

/* Reports a problem in the INI file the loader can live with (Line 0: the file as a whole). */
static VOID BlpReportIniWarning(PVOID Context, ULONG Line, PCSTR Message) {
    if (Line == 0) {
        BlPrint("XTLDR: warning: %s: %s\n", (PCSTR)Context, Message);
    } else {
        BlPrint("XTLDR: warning: %s line %u: %s\n", (PCSTR)Context, Line, Message);
    }
}

/* Reads and parses XTLDR.INI, then selects the default boot entry. */
static EFI_STATUS BlpLoadConfiguration(PBL_CONFIG Config) {
    static INI_FILE Ini;
    PVOID Text;
    SIZE_T Size;
    PCSTR Reason;
    EFI_STATUS Status;

    Status = BlReadFile(XTLDR_INI_PATH, &Text, &Size, &Reason);
    if (Status != EFI_SUCCESS) {
        return BlFail(Status, "cannot read %s: %s", XTLDR_INI_PATH, Reason);
    }
    if (!XT_SUCCESS(BlIniParse(Text, Size, &Ini, BlpReportIniWarning, (PVOID)XTLDR_INI_PATH))) {
        return BlFail(EFI_LOAD_ERROR, "%s is not a usable INI file (%u bad lines, no section)", XTLDR_INI_PATH,
                      Ini.DiagnosticCount);
    }
    if (!XT_SUCCESS(BlConfigLoad(&Ini, Config, BlpReportIniWarning, (PVOID)XTLDR_INI_PATH))) {
        return BlFail(EFI_LOAD_ERROR, "%s: %s", XTLDR_INI_PATH, Config->Error);
    }
    if (BlConsoleSetDebugPort(Config->DebugPort, Config->DebugBaud)) {
        BlPrint("XTLDR: debug port COM%u is a firmware console: loader lines reach it through ConOut\n",
                Config->DebugPort);
    } else if (Config->DebugPort) {
        BlPrint("XTLDR: debug port COM%u is written directly: no firmware console reaches it\n", Config->DebugPort);
    }
    BlPrint("XTLDR: config %s: %u entries, default '%s' (%s), kernel %s, timeout %u s, parameters '%s'\n",
            XTLDR_INI_PATH, Config->EntryCount, Config->Entry.Name, Config->Entry.SystemName, Config->Entry.KernelPath,
            Config->Timeout, Config->Entry.Parameters);
    BlRunBootMenu(BlpSystemTable, Config);
    BlTestSetRequested(BlTestRequested() || BlConfigHasParameter(Config->Entry.Parameters, "TESTEXIT"));
    return EFI_SUCCESS;
}

/* Reads the kernel file and checks that it is a valid PE kernel image for this machine. */
static EFI_STATUS BlpCheckKernel(const BL_CONFIG *Config, PBL_KERNEL_FILE Kernel) {
    PCSTR Path = Config->Entry.KernelPath;
    PE_ERROR Error = {0};
    CHAR DigestText[2 * RTL_SHA1_DIGEST_SIZE + 1];
    PCSTR Reason;
    EFI_STATUS Status;

    Status = BlReadFile(Path, &Kernel->Data, &Kernel->Size, &Reason);
    if (Status != EFI_SUCCESS) {
        return BlFail(Status, "kernel %s: %s", Path, Reason);
    }
    if (!XT_SUCCESS(BlPeValidateImage(Kernel->Data, Kernel->Size, BlArchMachine, IMAGE_SUBSYSTEM_NATIVE, &Kernel->Image,
                                      &Error))) {
        return BlFail(EFI_LOAD_ERROR, "kernel %s: %s (%s at file offset 0x%x)", Path, Error.Reason, Error.Field,
                      Error.Offset);
    }
    RtlSha1Digest(Kernel->Data, Kernel->Size, Kernel->Sha1);
    for (ULONG Index = 0; Index < RTL_SHA1_DIGEST_SIZE; Index++) {
        RtlFormatString(&DigestText[2 * Index], 3, "%02x", Kernel->Sha1[Index]);
    }
    BlPrint("XTLDR: kernel %s: %s image, %u bytes, base 0x%llx, %u sections, sha1 %s\n", Path, BlArchName,
            (ULONG)Kernel->Size, Kernel->Image.ImageBase, Kernel->Image.SectionCount, DigestText);
    return EFI_SUCCESS;
}

EFI_STATUS EFIAPI XtLdrEntry(EFI_HANDLE ImageHandle, EFI_SYSTEM_TABLE *SystemTable) {
    static BL_CONFIG Config;
    static BL_KERNEL_FILE Kernel;
    EFI_STATUS Status;

    BlEntryTimeStamp = ArReadTimeStampCounter();
    BlpSystemTable = SystemTable;
    BlConsoleInitialize(SystemTable);
    BlFailInitialize(SystemTable);
    BlPrint("XTLDR %s (%s) - XTOS boot loader\n", XTLDR_VERSION, BlArchName);
    SystemTable->BootServices->SetWatchdogTimer(0, 0, 0, NULL);
    BlTestSetRequested(BlFwCfgHasFile(XT_TEST_FW_CFG_FILE));
    BlDebuggerWaitForAttach(ImageHandle, SystemTable->BootServices);

    Status = BlOpenBootVolume(ImageHandle, SystemTable->BootServices);
    if (Status != EFI_SUCCESS) {
        return BlFail(Status, "cannot open the boot volume (status 0x%llx)", (ULONGLONG)Status);
    }
    Status = BlpLoadConfiguration(&Config);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    Status = BlpCheckKernel(&Config, &Kernel);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    return BlBootKernel(ImageHandle, SystemTable, &Config, &Kernel);
}

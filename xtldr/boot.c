/* XTLDR boot path: loads the kernel image, builds the kernel's page tables and init block, reads the final memory
 * map, exits boot services and enters the kernel through the trampoline. */
#include <xtintrin.h>

#include "boot.h"

#define BL_INIT_BLOCK_PAGES                                                                                            \
    (1 + (BL_MAX_DESCRIPTORS * sizeof(XT_MEMORY_DESCRIPTOR) + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE +                       \
     (BL_MAX_TABLE_FRAMES * sizeof(ULONGLONG) + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE)
#define BL_BELOW_4G 0xFFFFFFFFull

/* The boot region: init block (with its guard page), kernel stack and three panic stacks, each above a guard page. */
STATIC_ASSERT((1 + BL_INIT_BLOCK_PAGES + 1 + BL_KERNEL_STACK_PAGES + 3 * (1 + BL_PANIC_STACK_PAGES)) * MM_PAGE_SIZE <=
              BL_BOOT_REGION_SIZE);

typedef struct _BL_BOOT {
    EFI_HANDLE ImageHandle;
    EFI_SYSTEM_TABLE *SystemTable;
    EFI_BOOT_SERVICES *BootServices;
    const BL_CONFIG *Config;
    PBL_KERNEL_FILE Kernel;
    BL_CPU_INFO Cpu;
    ULONG Mode;
    BOOLEAN NxEnabled;
    ULONGLONG KernelPhysical;
    ULONGLONG KernelBase;      /* VA the kernel is relocated for and mapped at */
    ULONG KaslrSource;         /* BL_KASLR_SOURCE */
    ULONGLONG KaslrChoices;    /* bases other than the link base the window offers the image */
    ULONGLONG NextVirtual;     /* cursor of the boot region after the kernel image */
    ULONGLONG BootRegionLimit; /* the boot region ends before this VA */
    BL_PAGE_MAP Map;
    PXT_INIT_BLOCK InitBlock; /* identity-mapped view */
    ULONGLONG InitVirtual;    /* where the kernel sees it */
    PXT_MEMORY_DESCRIPTOR Descriptors;
    PBL_HANDOFF_BLOCK HandOff;
    ULONGLONG HandOffCode;
    BL_TEST_MODES Test;
} BL_BOOT, *PBL_BOOT;

/* Allocates zeroed pages of an OS-loader memory type; below 4 GiB when Low, or always on i686 firmware. */
static ULONGLONG BlpAllocatePages(PBL_BOOT Boot, ULONG Type, ULONGLONG Pages, BOOLEAN Low) {
    EFI_PHYSICAL_ADDRESS Address = BL_BELOW_4G;
    EFI_ALLOCATE_TYPE How = (Low || sizeof(PVOID) == 4) ? AllocateMaxAddress : AllocateAnyPages;

    if (Boot->BootServices->AllocatePages(How, (EFI_MEMORY_TYPE)Type, (UINTN)Pages, &Address) != EFI_SUCCESS) {
        return 0;
    }
    RtlZeroMemory((PVOID)(ULONG_PTR)Address, (SIZE_T)Pages * MM_PAGE_SIZE);
    return Address;
}

static ULONGLONG BlpAllocateTable(PVOID Context) {
    PBL_BOOT Boot = Context;
    return Boot->Test.TableBlock ? BlTestAllocateTable(&Boot->Test)
                                 : BlpAllocatePages(Boot, BL_EFI_PAGE_TABLES, 1, TRUE);
}

static PVOID BlpPhysicalToPointer(PVOID Context, ULONGLONG Address) {
    return (PVOID)(ULONG_PTR)Address; /* boot services run identity-mapped */
}

/* Chooses the kernel's base: a random base of the arch's kernel-image window other than the link base, or the link
 * base with NOKASLR, for an image that cannot move (relocations stripped or not DYNAMIC_BASE) or when the window has no
 * other base for it. Either way image and boot region must lie inside the window. */
static EFI_STATUS BlpChooseKernelBase(PBL_BOOT Boot) {
    PCPE_IMAGE_INFO Image = &Boot->Kernel->Image;
    PCBL_KERNEL_WINDOW Window = BlArchKernelWindow;
    PCSTR Path = Boot->Config->Entry.KernelPath;
    ULONGLONG Seed = 0;

    Boot->KernelBase = Image->ImageBase;
    Boot->KaslrSource = BlKaslrOff;
    Boot->KaslrChoices = BlKaslrChoiceCount(Window, Image->SizeOfImage, Image->ImageBase);
    if (BlConfigHasParameter(Boot->Config->Entry.Parameters, "NOKASLR")) {
        BlPrint("XTLDR: NOKASLR: kernel at its link base 0x%llx\n", Image->ImageBase);
    } else if (!Image->Relocatable || !(Image->DllCharacteristics & IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE)) {
        BlPrint("XTLDR: warning: kernel %s cannot move (%s): no KASLR, loaded at its link base 0x%llx\n", Path,
                Image->Relocatable ? "not marked DYNAMIC_BASE" : "relocations stripped", Image->ImageBase);
    } else if (Boot->KaslrChoices == 0) {
        BlPrint("XTLDR: warning: kernel %s (0x%x bytes) has no other base in the kernel window: no KASLR\n", Path,
                Image->SizeOfImage);
    } else {
        Boot->KaslrSource = BlGatherEntropy(Boot->SystemTable, &Boot->Cpu, &Seed);
        BlKaslrChooseBase(Window, Image->SizeOfImage, Image->ImageBase, Seed, &Boot->KernelBase);
        /* Under 80 columns: a wrapped line scrolls the firmware's graphics console, which costs more than KASLR. */
        BlPrint("XTLDR: KASLR base 0x%llx: 1 of %llu (%u bits), entropy: %s\n", Boot->KernelBase, Boot->KaslrChoices,
                BlKaslrEntropyBits(Boot->KaslrChoices), BlKaslrSourceName(Boot->KaslrSource));
    }
    if (!BlKaslrBaseFits(Window, Boot->KernelBase, Image->SizeOfImage)) {
        return BlFail(EFI_LOAD_ERROR, "kernel %s: 0x%x bytes at 0x%llx leave the kernel window 0x%llx-0x%llx", Path,
                      Image->SizeOfImage, Boot->KernelBase, Window->Base, Window->Base + Window->Size - 1);
    }
    return EFI_SUCCESS;
}

/* Copies the validated image into its own pages, relocated for the chosen base, and checks W^X. */
static EFI_STATUS BlpLoadKernelImage(PBL_BOOT Boot) {
    PBL_KERNEL_FILE Kernel = Boot->Kernel;
    ULONGLONG Pages = Kernel->Image.SizeOfImage / MM_PAGE_SIZE;
    PE_ERROR Error = {0};

    if (!XT_SUCCESS(BlPeCheckPageProtection(Kernel->Data, Kernel->Size, &Kernel->Image, &Error))) {
        return BlFail(EFI_LOAD_ERROR, "kernel %s: %s (%s at file offset 0x%x)", Boot->Config->Entry.KernelPath,
                      Error.Reason, Error.Field, Error.Offset);
    }
    Boot->KernelPhysical = BlpAllocatePages(Boot, BL_EFI_KERNEL_IMAGE, Pages, FALSE);
    if (Boot->KernelPhysical == 0) {
        return BlFail(EFI_OUT_OF_RESOURCES, "no memory for the kernel image (%u pages)", (ULONG)Pages);
    }
    if (!XT_SUCCESS(BlPeLoadImage(Kernel->Data, Kernel->Size, &Kernel->Image, (PVOID)(ULONG_PTR)Boot->KernelPhysical,
                                  Kernel->Image.SizeOfImage, Boot->KernelBase, &Error))) {
        return BlFail(EFI_LOAD_ERROR, "kernel %s: %s (%s at file offset 0x%x)", Boot->Config->Entry.KernelPath,
                      Error.Reason, Error.Field, Error.Offset);
    }
    return EFI_SUCCESS;
}

/* Maps the headers read-only and every section with its own protection. */
static EFI_STATUS BlpMapKernelImage(PBL_BOOT Boot) {
    PBL_KERNEL_FILE Kernel = Boot->Kernel;
    ULONGLONG Base = Boot->KernelBase;
    PE_SECTION_INFO Section;
    XTSTATUS Status;

    Status = BlMapPages(&Boot->Map, Base, Boot->KernelPhysical,
                        ALIGN_UP(Kernel->Image.SizeOfHeaders, MM_PAGE_SIZE) / MM_PAGE_SIZE, BL_MAP_READ);
    for (ULONG Index = 0; XT_SUCCESS(Status) && Index < Kernel->Image.SectionCount; Index++) {
        ULONG Protection = 0;
        Status = BlPeGetSection(Kernel->Data, Kernel->Size, &Kernel->Image, Index, &Section);
        if (!XT_SUCCESS(Status) || Section.MappedSize == 0) {
            continue;
        }
        Protection |= (Section.Protection & PE_PROTECT_WRITE) ? BL_MAP_WRITE : 0;
        Protection |= (Section.Protection & PE_PROTECT_EXECUTE) ? BL_MAP_EXECUTE : 0;
        Status = BlMapPages(&Boot->Map, Base + Section.VirtualAddress, Boot->KernelPhysical + Section.VirtualAddress,
                            ALIGN_UP(Section.MappedSize, MM_PAGE_SIZE) / MM_PAGE_SIZE, Protection);
    }
    if (!XT_SUCCESS(Status)) {
        return BlFail(EFI_LOAD_ERROR, "cannot map the kernel image (status 0x%x)", (ULONG)Status);
    }
    Boot->NextVirtual = ALIGN_UP(Base + Kernel->Image.SizeOfImage, BL_BOOT_REGION_ALIGNMENT);
    Boot->BootRegionLimit = Boot->NextVirtual + BL_BOOT_REGION_SIZE;
    return EFI_SUCCESS;
}

/* Maps Pages at Physical read-write, non-executable, after an unmapped guard page in the boot region. */
static BOOLEAN BlpMapBootRegionAt(PBL_BOOT Boot, ULONGLONG Physical, ULONG Pages, PULONGLONG Virtual) {
    Boot->NextVirtual += MM_PAGE_SIZE; /* guard page: never mapped */
    if (Physical == 0 || Boot->NextVirtual + (ULONGLONG)Pages * MM_PAGE_SIZE > Boot->BootRegionLimit ||
        !XT_SUCCESS(BlMapPages(&Boot->Map, Boot->NextVirtual, Physical, Pages, BL_MAP_WRITE))) {
        return FALSE;
    }
    *Virtual = Boot->NextVirtual;
    Boot->NextVirtual += (ULONGLONG)Pages * MM_PAGE_SIZE;
    return TRUE;
}

/* Test only (TESTGUARDMAPPED): maps the guard page below a stack onto the stack's first frame, so the kernel's
 * guard-page self-test must fail. */
static BOOLEAN BlpTestMapGuard(PBL_BOOT Boot, ULONGLONG Physical, ULONGLONG StackBase) {
    return !BlConfigHasParameter(Boot->Config->Entry.Parameters, "TESTGUARDMAPPED") ||
           XT_SUCCESS(BlMapPages(&Boot->Map, StackBase - MM_PAGE_SIZE, Physical, 1, BL_MAP_WRITE));
}

/* Allocates and maps the kernel stack and the three panic stacks, each above its own guard page. */
static EFI_STATUS BlpMapStacks(PBL_BOOT Boot) {
    PXT_INIT_BLOCK InitBlock = Boot->InitBlock;
    ULONGLONG Physical;

    Physical = BlpAllocatePages(Boot, BL_EFI_KERNEL_STACK, BL_KERNEL_STACK_PAGES, FALSE);
    if (!BlpMapBootRegionAt(Boot, Physical, BL_KERNEL_STACK_PAGES, &InitBlock->KernelStackBase) ||
        !BlpTestMapGuard(Boot, Physical, InitBlock->KernelStackBase)) {
        return BlFail(EFI_OUT_OF_RESOURCES, "cannot allocate or map the kernel stack");
    }
    InitBlock->KernelStackSize = BL_KERNEL_STACK_PAGES * MM_PAGE_SIZE;
    for (ULONG Index = 0; Index < ARRAY_SIZE(InitBlock->PanicStackBase); Index++) {
        Physical = BlpAllocatePages(Boot, BL_EFI_PANIC_STACK, BL_PANIC_STACK_PAGES, FALSE);
        if (!BlpMapBootRegionAt(Boot, Physical, BL_PANIC_STACK_PAGES, &InitBlock->PanicStackBase[Index]) ||
            !BlpTestMapGuard(Boot, Physical, InitBlock->PanicStackBase[Index])) {
            return BlFail(EFI_OUT_OF_RESOURCES, "cannot allocate or map panic stack %u", Index);
        }
    }
    InitBlock->PanicStackSize = BL_PANIC_STACK_PAGES * MM_PAGE_SIZE;
    return EFI_SUCCESS;
}

/* Copies the trampoline into two identity-mapped pages below 2 GiB (code RX, data RW) and fills the hand-off
 * block. Below 2 GiB keeps the identity mapping out of the i686 kernel half. */
static EFI_STATUS BlpPrepareTrampoline(PBL_BOOT Boot) {
    SIZE_T CodeSize = (SIZE_T)(BlpHandOffCodeEnd - BlpHandOffCode);
    EFI_PHYSICAL_ADDRESS Code = 0x7FFFFFFF;
    PBL_HANDOFF_BLOCK Block;

    if (Boot->BootServices->AllocatePages(AllocateMaxAddress, (EFI_MEMORY_TYPE)BL_EFI_TRAMPOLINE, 2, &Code) !=
            EFI_SUCCESS ||
        CodeSize > MM_PAGE_SIZE) {
        return BlFail(EFI_OUT_OF_RESOURCES, "cannot allocate the hand-off trampoline below 2 GiB");
    }
    RtlZeroMemory((PVOID)(ULONG_PTR)Code, 2 * MM_PAGE_SIZE);
    RtlCopyMemory((PVOID)(ULONG_PTR)Code, BlpHandOffCode, CodeSize);
    if (!XT_SUCCESS(BlMapPages(&Boot->Map, Code, Code, 1, BL_MAP_EXECUTE)) ||
        !XT_SUCCESS(BlMapPages(&Boot->Map, Code + MM_PAGE_SIZE, Code + MM_PAGE_SIZE, 1, BL_MAP_WRITE))) {
        return BlFail(EFI_LOAD_ERROR, "cannot identity-map the hand-off trampoline at 0x%llx", (ULONGLONG)Code);
    }
    Block = (PBL_HANDOFF_BLOCK)(ULONG_PTR)(Code + MM_PAGE_SIZE);
    Block->PageMap = Boot->Map.Root;
    Block->KernelEntry = Boot->KernelBase + Boot->Kernel->Image.EntryPointRva;
    Block->KernelStack = Boot->InitBlock->KernelStackBase + Boot->InitBlock->KernelStackSize;
    Block->InitBlock = Boot->InitVirtual;
    Block->TrampolineStack = Code + 2 * MM_PAGE_SIZE;
    Block->Gdt[1] = 0x00CF9A000000FFFFull; /* 32-bit code */
    Block->Gdt[2] = 0x00AF9A000000FFFFull; /* 64-bit code */
    Block->Gdt[3] = 0x00CF92000000FFFFull; /* data */
    Block->GdtLimit = sizeof(Block->Gdt) - 1;
    Block->GdtBase = (ULONG_PTR)Block->Gdt;
    Block->FarOffset = (ULONG)(Code + (ULONG_PTR)(BlpHandOffFarTarget - BlpHandOffCode));
    BlArchPrepareHandOff(&Boot->Cpu, Boot->Mode, Block);
    Block->EnableNx = Boot->NxEnabled;
    Boot->HandOff = Block;
    Boot->HandOffCode = Code;
    return EFI_SUCCESS;
}

/* Fills the parts of the init block known before the memory map. */
static EFI_STATUS BlpFillInitBlock(PBL_BOOT Boot, ULONGLONG InitVirtual) {
    PXT_INIT_BLOCK InitBlock = Boot->InitBlock;
    PCSTR Parameters = Boot->Config->Entry.Parameters;
    SIZE_T Length = RtlStringLength(Parameters, XT_INIT_BLOCK_PARAMETERS_MAX);

    if (Length >= XT_INIT_BLOCK_PARAMETERS_MAX) {
        return BlFail(EFI_INVALID_PARAMETER, "kernel parameters longer than %u bytes",
                      XT_INIT_BLOCK_PARAMETERS_MAX - 1);
    }
    InitBlock->Signature = XT_INIT_BLOCK_SIGNATURE;
    InitBlock->Version = XT_INIT_BLOCK_VERSION;
    InitBlock->Size = sizeof(XT_INIT_BLOCK);
    InitBlock->LoaderVersion = XT_LOADER_VERSION(XTLDR_VERSION_MAJOR, XTLDR_VERSION_MINOR);
    InitBlock->PagingMode = Boot->Mode;
    InitBlock->CpuFeatures = Boot->Cpu.Features;
    InitBlock->PagingFlags = XT_PAGING_FLAG_WP_ENABLED | (Boot->NxEnabled ? XT_PAGING_FLAG_NX_ENABLED : 0) |
                             ((Boot->Cpu.Cr4 & CR4_LA57) ? XT_PAGING_FLAG_FIRMWARE_LA57 : 0);
    InitBlock->KernelPhysicalBase = Boot->KernelPhysical;
    InitBlock->KernelVirtualBase = Boot->KernelBase;
    InitBlock->KernelImageSize = Boot->Kernel->Image.SizeOfImage;
    InitBlock->KernelEntryPoint = Boot->KernelBase + Boot->Kernel->Image.EntryPointRva;
    InitBlock->KernelFileSize = Boot->Kernel->Size;
    RtlCopyMemory(InitBlock->KernelSha1, Boot->Kernel->Sha1, sizeof(InitBlock->KernelSha1));
    InitBlock->MemoryDescriptors = InitVirtual + MM_PAGE_SIZE;
    InitBlock->MemoryDescriptorSize = sizeof(XT_MEMORY_DESCRIPTOR);
    InitBlock->PageTableFrames = InitBlock->MemoryDescriptors + BL_MAX_DESCRIPTORS * sizeof(XT_MEMORY_DESCRIPTOR);
    InitBlock->PageMapBase = Boot->Map.Root;
    InitBlock->ParameterLength = (ULONG)Length;
    RtlCopyMemory(InitBlock->Parameters, Parameters, Length);
    BlFindFirmwareTables(Boot->SystemTable, InitBlock);
    BlFindFramebuffer(Boot->BootServices, &InitBlock->Framebuffer);
    return EFI_SUCCESS;
}

/* Creates the page map, loads and maps the kernel, the init block, the stacks, the HAL window and the trampoline. */
static EFI_STATUS BlpBuildAddressSpace(PBL_BOOT Boot) {
    ULONGLONG InitPhysical;
    PUCHAR InitPages;
    EFI_STATUS Status;

    Status = Boot->Test.PageTablesInDatabase ? BlTestReserveTableBlock(Boot->BootServices, &Boot->Test) : EFI_SUCCESS;
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    InitPhysical = BlpAllocatePages(Boot, BL_EFI_INIT_BLOCK, BL_INIT_BLOCK_PAGES, FALSE);
    if (InitPhysical == 0) {
        return BlFail(EFI_OUT_OF_RESOURCES, "no memory for the init block");
    }
    InitPages = (PUCHAR)(ULONG_PTR)InitPhysical;
    Boot->InitBlock = (PXT_INIT_BLOCK)InitPages;
    Boot->Descriptors = (PXT_MEMORY_DESCRIPTOR)(InitPages + MM_PAGE_SIZE);
    if (!XT_SUCCESS(BlInitializePageMap(&Boot->Map, Boot->Mode, Boot->NxEnabled, BlpAllocateTable, BlpPhysicalToPointer,
                                        Boot, (PULONGLONG)(Boot->Descriptors + BL_MAX_DESCRIPTORS),
                                        BL_MAX_TABLE_FRAMES))) {
        return BlFail(EFI_OUT_OF_RESOURCES, "cannot create the kernel's page tables");
    }
    Status = BlpChooseKernelBase(Boot);
    Status = (Status == EFI_SUCCESS) ? BlpLoadKernelImage(Boot) : Status;
    Status = (Status == EFI_SUCCESS) ? BlpMapKernelImage(Boot) : Status;
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    if (!BlpMapBootRegionAt(Boot, InitPhysical, BL_INIT_BLOCK_PAGES, &Boot->InitVirtual)) {
        return BlFail(EFI_LOAD_ERROR, "cannot map the init block");
    }
    Status = BlpMapStacks(Boot);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    if (!XT_SUCCESS(BlPreparePageTables(&Boot->Map, BlArchHalWindowBase, BlArchHalWindowPages))) {
        return BlFail(EFI_OUT_OF_RESOURCES, "cannot create the page tables of the HAL window");
    }
    Status = BlpFillInitBlock(Boot, Boot->InitVirtual);
    return (Status == EFI_SUCCESS) ? BlpPrepareTrampoline(Boot) : Status;
}

static EFI_STATUS BlpFirmwareGetMemoryMap(PVOID Context, PUINTN Size, PEFI_MEMORY_DESCRIPTOR Map, PUINTN Key,
                                          PUINTN DescriptorSize) {
    ULONG Version;
    return ((PBL_BOOT)Context)->BootServices->GetMemoryMap(Size, Map, Key, DescriptorSize, &Version);
}

static EFI_STATUS BlpFirmwareAllocatePool(PVOID Context, UINTN Size, PVOID *Buffer) {
    return ((PBL_BOOT)Context)->BootServices->AllocatePool(EfiLoaderData, Size, Buffer);
}

static VOID BlpFirmwareFreePool(PVOID Context, PVOID Buffer) {
    ((PBL_BOOT)Context)->BootServices->FreePool(Buffer);
}

/* Reads the final memory map, converts it into the init block and exits boot services, re-reading the map into
 * the same buffer (no allocation) when the firmware changed it in between. */
static EFI_STATUS BlpExitBootServices(PBL_BOOT Boot) {
    BL_FIRMWARE_MEMORY Firmware = {BlpFirmwareGetMemoryMap, BlpFirmwareAllocatePool, BlpFirmwareFreePool, Boot};
    SIZE_T ScratchSize = BlMemoryMapScratchSize(BL_MEMMAP_MAX_DESCRIPTORS + 1);
    ULONG Flags = Boot->Test.PageTablesFree ? BL_MEMMAP_TEST_PAGE_TABLES_FREE : 0;
    const XT_FRAMEBUFFER_INFO *Framebuffer = &Boot->InitBlock->Framebuffer;
    BL_MEMORY_RANGE FramebufferRange = {ALIGN_DOWN(Framebuffer->Address, (ULONGLONG)MM_PAGE_SIZE),
                                        ALIGN_UP(Framebuffer->Address + Framebuffer->Size, (ULONGLONG)MM_PAGE_SIZE),
                                        LoaderSpecialMemory, 0};
    ULONG Capacity = BlTestDescriptorCapacity(&Boot->Test, BL_MAX_DESCRIPTORS * sizeof(XT_MEMORY_DESCRIPTOR));
    BL_EFI_MEMORY_MAP Map;
    PVOID Scratch;
    EFI_STATUS Status;

    if (Boot->BootServices->AllocatePool(EfiLoaderData, ScratchSize, &Scratch) != EFI_SUCCESS) {
        return BlFail(EFI_OUT_OF_RESOURCES, "no memory to convert the memory map");
    }
    Status = BlReadMemoryMap(&Firmware, &Map);
    if (Status != EFI_SUCCESS) {
        return BlFail(Status, "cannot read the firmware memory map (status 0x%llx)", (ULONGLONG)Status);
    }
    /* From here on only GetMemoryMap and ExitBootServices may be called: no more ConOut. */
    BlConsoleExitBootServices();
    for (ULONG Attempt = 0; Attempt < 8; Attempt++) {
        /* The framebuffer is MMIO the firmware's map may leave out: described, so it is never taken for free RAM. */
        XTSTATUS Converted = BlBuildMemoryMapWithRanges(
            Map.Buffer, Map.Size, Map.DescriptorSize, Flags, &FramebufferRange,
            Framebuffer->PixelFormat != XT_FRAMEBUFFER_NONE ? 1 : 0, Scratch, ScratchSize, Boot->Descriptors,
            Capacity - Boot->Test.PageTablesInDatabase, &Boot->InitBlock->MemoryDescriptorCount);
        if (!XT_SUCCESS(Converted)) {
            return BlFail(EFI_LOAD_ERROR, "cannot convert the firmware memory map (%u bytes, status 0x%x)",
                          (ULONG)Map.Size, (ULONG)Converted);
        }
        Status = BlTestAdjustMemoryMap(&Boot->Test, Boot->Descriptors, &Boot->InitBlock->MemoryDescriptorCount,
                                       Capacity, &Boot->InitBlock->MemoryDescriptorSize);
        if (Status != EFI_SUCCESS) {
            return Status;
        }
        if (Boot->BootServices->ExitBootServices(Boot->ImageHandle, Map.Key) == EFI_SUCCESS) {
            return EFI_SUCCESS;
        }
        Status = BlRefreshMemoryMap(&Firmware, &Map);
        if (Status != EFI_SUCCESS) {
            return BlFail(Status, "cannot re-read the memory map after ExitBootServices failed");
        }
    }
    return BlFail(EFI_ABORTED, "ExitBootServices kept failing: the memory map changes on every call");
}

/* Prints the hand-off report (serial only: boot services are gone). */
static VOID BlpReport(PBL_BOOT Boot) {
    CHAR Digest[2 * RTL_SHA1_DIGEST_SIZE + 1];

    for (ULONG Index = 0; Index < RTL_SHA1_DIGEST_SIZE; Index++) {
        RtlFormatString(&Digest[2 * Index], 3, "%02x", Boot->Kernel->Sha1[Index]);
    }
    BlPrint("XTLDR-REPORT version=%s arch=%s paging=PML%u la57=%u pae=%u nx=%u descriptors=%u ptables=%u "
            "kernel_base=0x%llx kaslr=%s kernel_sha1=%s\n",
            XTLDR_VERSION, BlArchName, Boot->Mode, Boot->Mode == XtPagingModePml5,
            Boot->Mode == XtPagingModePml3 || Boot->Mode >= XtPagingModePml4, Boot->NxEnabled,
            Boot->InitBlock->MemoryDescriptorCount, Boot->Map.FrameCount, Boot->KernelBase,
            BlKaslrSourceName(Boot->KaslrSource), Digest);
}

EFI_STATUS BlBootKernel(EFI_HANDLE ImageHandle, EFI_SYSTEM_TABLE *SystemTable, const BL_CONFIG *Config,
                        PBL_KERNEL_FILE Kernel) {
    static BL_BOOT Boot;
    EFI_STATUS Status;

    Boot.ImageHandle = ImageHandle;
    Boot.SystemTable = SystemTable;
    Boot.BootServices = SystemTable->BootServices;
    Boot.Config = Config;
    Boot.Kernel = Kernel;
    BlTestReadModes(Config->Entry.Parameters, &Boot.Test);
    BlDetectCpu(&Boot.Cpu);
    Boot.Mode = BlArchChoosePagingMode(&Boot.Cpu, BlConfigHasParameter(Config->Entry.Parameters, "NOXPA"));
    Boot.NxEnabled = (Boot.Cpu.Features & XT_CPU_FEATURE_NX) && Boot.Mode != XtPagingModePml2;
    Status = BlpBuildAddressSpace(&Boot);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    Boot.InitBlock->PageTableFrameCount = Boot.Map.FrameCount;
    Status = BlpExitBootServices(&Boot);
    if (Status != EFI_SUCCESS) {
        return Status;
    }
    BlTestReport(&Boot.Test, Boot.InitBlock->MemoryDescriptorCount);
    BlpReport(&Boot);
    BlPrint("XTLDR-BENCH entry_to_handoff_tsc=%llu\n", ArReadTimeStampCounter() - BlEntryTimeStamp);
    BlDebuggerKernelReady(Boot.KernelBase);
    ((VOID(*)(PBL_HANDOFF_BLOCK))(ULONG_PTR)Boot.HandOffCode)(Boot.HandOff);
    return BlFail(EFI_ABORTED, "the kernel returned to the loader");
}

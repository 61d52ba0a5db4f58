/* Hand-off probe: a minimal kernel image that checks what XTLDR handed over (init block, paging mode in the control
 * registers, stack and descriptors) and reports it. Lets the loader be tested independently of the real kernel. */
#include <rtl.h>
#include <xtboot.h>
#include <xtpaging.h>
#include <xttest.h>
#include <xtuart.h>

#define PROBE_PFN_LIMIT (1ull << 40) /* frames of the 52-bit physical address space */

static USHORT ProbeSerial;

/* A table of pointers: gives the image base relocations on both arches, which the loader must apply. */
static PCSTR const ProbeModeNames[] = {"none", "?", "PML2", "PML3", "PML4", "PML5"};

static VOID ProbeOutput(PVOID Context, PCSTR Characters, SIZE_T Count) {
    for (SIZE_T Index = 0; Index < Count; Index++) {
        if (Characters[Index] == '\n') {
            HlWriteComPort(ProbeSerial, '\r');
        }
        HlWriteComPort(ProbeSerial, (UCHAR)Characters[Index]);
    }
}

static VOID ProbePrint(PCSTR Format, ...) {
    va_list Arguments;
    va_start(Arguments, Format);
    RtlFormatOutput(ProbeOutput, NULL, Format, Arguments);
    va_end(Arguments);
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    ProbePrint("PROBE: fail-fast %u\n", Code);
    XtTestExit(XT_TEST_EXIT_STOP);
}

/* Returns the paging mode the control registers say is active. */
static ULONG ProbeActiveMode(VOID) {
    ULONG_PTR Cr0, Cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(Cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(Cr4));
    if (!(Cr0 & CR0_PG)) {
        return 0;
    }
    if (sizeof(PVOID) == 8) {
        return (Cr4 & CR4_LA57) ? XtPagingModePml5 : XtPagingModePml4;
    }
    return (Cr4 & CR4_PAE) ? XtPagingModePml3 : XtPagingModePml2;
}

/* Counts LoaderFree pages and checks the descriptors: stepped by the declared MemoryDescriptorSize (a loader may
 * hand over a larger stride than this version's structure), each with pages, a known type and Reserved 0, sorted
 * and without overlaps. */
static BOOLEAN ProbeDescriptors(PXT_INIT_BLOCK InitBlock, PULONGLONG FreePages, PULONGLONG RamPages) {
    const UCHAR *Array = (const UCHAR *)(ULONG_PTR)InitBlock->MemoryDescriptors;
    ULONG Stride = InitBlock->MemoryDescriptorSize;
    ULONGLONG End = 0;

    *FreePages = 0;
    *RamPages = 0;
    if (Stride < sizeof(XT_MEMORY_DESCRIPTOR) || Stride % 8 != 0) {
        return FALSE;
    }
    for (ULONG Index = 0; Index < InitBlock->MemoryDescriptorCount; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor = (const XT_MEMORY_DESCRIPTOR *)(Array + (SIZE_T)Index * Stride);
        if (Descriptor->PageCount == 0 || Descriptor->MemoryType >= LoaderMaximum || Descriptor->Reserved != 0 ||
            Descriptor->BasePage < End || Descriptor->BasePage >= PROBE_PFN_LIMIT ||
            Descriptor->PageCount > PROBE_PFN_LIMIT - Descriptor->BasePage) {
            return FALSE;
        }
        End = Descriptor->BasePage + Descriptor->PageCount;
        if (Descriptor->MemoryType == LoaderFree) {
            *FreePages += Descriptor->PageCount;
        }
        if (Descriptor->MemoryType != LoaderBad && Descriptor->MemoryType != LoaderFirmwarePermanent &&
            Descriptor->MemoryType != LoaderSpecialMemory && Descriptor->MemoryType != LoaderXIPRom) {
            *RamPages += Descriptor->PageCount; /* what the kernel manages, as XTOS-REPORT ram_pages counts it */
        }
    }
    return InitBlock->MemoryDescriptorCount > 0;
}

/* With a framebuffer handed over: TRUE when its format is one the protocol defines and every one of its pages lies
 * in a LoaderSpecialMemory descriptor (never free, never RAM). TRUE without a framebuffer. */
static BOOLEAN ProbeFramebuffer(PXT_INIT_BLOCK InitBlock) {
    const XT_FRAMEBUFFER_INFO *Fb = &InitBlock->Framebuffer;
    const UCHAR *Array = (const UCHAR *)(ULONG_PTR)InitBlock->MemoryDescriptors;
    ULONGLONG Page, End;

    if (Fb->PixelFormat == XT_FRAMEBUFFER_NONE) {
        return Fb->Address == 0 && Fb->Size == 0;
    }
    if (Fb->PixelFormat > XT_FRAMEBUFFER_BITMASK || Fb->BitsPerPixel != 32 || Fb->Width == 0 ||
        Fb->PixelsPerScanLine < Fb->Width || Fb->Pitch != Fb->PixelsPerScanLine * 4 ||
        (ULONGLONG)Fb->Pitch * Fb->Height > Fb->Size ||
        ((Fb->RedMask & Fb->GreenMask) | (Fb->RedMask & Fb->BlueMask) | (Fb->GreenMask & Fb->BlueMask)) != 0) {
        return FALSE;
    }
    Page = Fb->Address / 4096;
    End = (Fb->Address + Fb->Size + 4095) / 4096;
    for (ULONG Index = 0; Index < InitBlock->MemoryDescriptorCount && Page < End; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor =
            (const XT_MEMORY_DESCRIPTOR *)(Array + (SIZE_T)Index * InitBlock->MemoryDescriptorSize);
        if (Descriptor->BasePage <= Page && Page < Descriptor->BasePage + Descriptor->PageCount) {
            if (Descriptor->MemoryType != LoaderSpecialMemory) {
                return FALSE;
            }
            Page = Descriptor->BasePage + Descriptor->PageCount;
        }
    }
    return Page >= End;
}

/* The COM port of the last DEBUG=COMn parameter (1 when there is none). */
static USHORT ProbeDebugPort(PXT_INIT_BLOCK InitBlock) {
    USHORT Port = 1;
    for (ULONG Index = 0; Index + 10 <= InitBlock->ParameterLength && Index + 10 <= XT_INIT_BLOCK_PARAMETERS_MAX;
         Index++) {
        if (RtlCompareMemory(&InitBlock->Parameters[Index], "DEBUG=COM", 9) == 9 &&
            (Index == 0 || InitBlock->Parameters[Index - 1] == ' ') && InitBlock->Parameters[Index + 9] >= '1' &&
            InitBlock->Parameters[Index + 9] <= '4') {
            Port = (USHORT)(InitBlock->Parameters[Index + 9] - '0');
        }
    }
    return Port;
}

XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock) {
    ULONG_PTR StackPointer = (ULONG_PTR)&StackPointer;
    ULONGLONG FreePages = 0, RamPages = 0;
    BOOLEAN Ok;

    ProbeSerial = HlInitializeComPort(ProbeDebugPort(InitBlock), 115200);
    Ok = InitBlock->Signature == XT_INIT_BLOCK_SIGNATURE && InitBlock->Version == XT_INIT_BLOCK_VERSION &&
         InitBlock->Size == sizeof(XT_INIT_BLOCK);
    Ok = Ok && ProbeActiveMode() == InitBlock->PagingMode;
    Ok = Ok && StackPointer > InitBlock->KernelStackBase &&
         StackPointer < InitBlock->KernelStackBase + InitBlock->KernelStackSize;
    Ok = Ok && ProbeDescriptors(InitBlock, &FreePages, &RamPages);
    Ok = Ok && ProbeFramebuffer(InitBlock);
    ProbePrint("PROBE: %s mode=%s descriptors=%u descriptor_size=%u ram_pages=%llu free_pages=%llu ptables=%u "
               "stack=%p framebuffer=%ux%u,format=%u params='%s'\n",
               Ok ? "ok" : "FAILED", ProbeModeNames[ProbeActiveMode()], InitBlock->MemoryDescriptorCount,
               InitBlock->MemoryDescriptorSize, RamPages, FreePages, InitBlock->PageTableFrameCount,
               (PVOID)StackPointer, InitBlock->Framebuffer.Width, InitBlock->Framebuffer.Height,
               InitBlock->Framebuffer.PixelFormat, InitBlock->Parameters);
    XtTestExit(Ok ? XT_TEST_EXIT_SUCCESS : XT_TEST_EXIT_SELFTEST_FAILED);
}

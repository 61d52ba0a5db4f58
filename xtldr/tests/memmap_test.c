/* Memory-map tests: conversion of hostile firmware maps and reading a map that grows between calls. */
#include <rtl.h>
#include <xtest.h>

#include "../memmap.h"

#define DESCRIPTOR_SIZE 48 /* what OVMF reports: larger than the structure, as the spec allows */
#define MAX_INPUT       512

static UCHAR Input[MAX_INPUT * DESCRIPTOR_SIZE];
static ULONG InputCount;
static UCHAR Scratch[MAX_INPUT * 64];
static XT_MEMORY_DESCRIPTOR Output[MAX_INPUT * 2];
static ULONG OutputCount;

static VOID Add(ULONG Type, ULONGLONG Start, ULONGLONG Pages) {
    PEFI_MEMORY_DESCRIPTOR Descriptor = (PVOID)&Input[InputCount++ * DESCRIPTOR_SIZE];
    RtlZeroMemory(Descriptor, DESCRIPTOR_SIZE);
    Descriptor->Type = Type;
    Descriptor->PhysicalStart = Start;
    Descriptor->NumberOfPages = Pages;
}

static XTSTATUS Build(ULONG Flags) {
    return BlBuildMemoryMap(Input, InputCount * DESCRIPTOR_SIZE, DESCRIPTOR_SIZE, Flags, Scratch, sizeof(Scratch),
                            Output, ARRAY_SIZE(Output), &OutputCount);
}

static BOOLEAN Is(ULONG Index, ULONGLONG BasePage, ULONGLONG PageCount, ULONG Type) {
    return Index < OutputCount && Output[Index].BasePage == BasePage && Output[Index].PageCount == PageCount &&
           Output[Index].MemoryType == Type;
}

XTEST(SortsAndMergesAdjacentEqualTypes) {
    InputCount = 0;
    Add(EfiConventionalMemory, 0x10000, 4);
    Add(EfiBootServicesData, 0x5000, 3);
    Add(EfiConventionalMemory, 0x0, 5);
    Add(EfiBootServicesCode, 0x8000, 8);
    XTEST_ASSERT_EQ(Build(0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 3);
    XTEST_CHECK(Is(0, 0, 5, LoaderFree));
    XTEST_CHECK(Is(1, 5, 11, LoaderFirmwareTemporary));
    XTEST_CHECK(Is(2, 0x10, 4, LoaderFree));
}

XTEST(OverlapsNeverBecomeFree) {
    InputCount = 0;
    Add(EfiConventionalMemory, 0, 16);
    Add(EfiRuntimeServicesData, 8 * 4096, 4);
    Add(EfiBootServicesData, 14 * 4096, 4);
    Add(EfiUnusableMemory, 15 * 4096, 1);
    XTEST_ASSERT_EQ(Build(0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 6);
    XTEST_CHECK(Is(0, 0, 8, LoaderFree));
    XTEST_CHECK(Is(1, 8, 4, LoaderFirmwarePermanent));
    XTEST_CHECK(Is(2, 12, 2, LoaderFree));
    XTEST_CHECK(Is(3, 14, 1, LoaderFirmwareTemporary));
    XTEST_CHECK(Is(4, 15, 1, LoaderBad));
    XTEST_CHECK(Is(5, 16, 2, LoaderFirmwareTemporary));
}

XTEST(ZeroLengthAndUnknownTypes) {
    InputCount = 0;
    Add(EfiConventionalMemory, 0x1000, 0);
    Add(0x70000000, 0x2000, 1);
    Add(EfiPersistentMemory, 0x3000, 1);
    Add(EfiUnacceptedMemoryType, 0x4000, 1);
    Add(EfiMemoryMappedIO, 0xFEC00000, 1);
    Add(EfiACPIReclaimMemory, 0x6000, 1);
    XTEST_ASSERT_EQ(Build(0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 4);
    XTEST_CHECK(Is(0, 2, 1, LoaderFirmwarePermanent));
    XTEST_CHECK(Is(1, 3, 2, LoaderSpecialMemory));
    XTEST_CHECK(Is(2, 6, 1, LoaderFirmwarePermanent));
    XTEST_CHECK(Is(3, 0xFEC00, 1, LoaderSpecialMemory));
    for (ULONG Type = 0; Type < 64; Type++) {
        XTEST_CHECK(Type == EfiConventionalMemory || BlConvertEfiMemoryType(Type, 0) != LoaderFree);
    }
}

XTEST(LoaderTypesAndTestFlag) {
    InputCount = 0;
    Add(BL_EFI_PAGE_TABLES, 0x1000, 2);
    Add(BL_EFI_KERNEL_IMAGE, 0x3000, 1);
    Add(BL_EFI_INIT_BLOCK, 0x4000, 1);
    Add(BL_EFI_KERNEL_STACK, 0x5000, 1);
    Add(BL_EFI_PANIC_STACK, 0x6000, 1);
    Add(BL_EFI_TRAMPOLINE, 0x7000, 1);
    XTEST_ASSERT_EQ(Build(0), STATUS_SUCCESS);
    XTEST_CHECK(Is(0, 1, 2, LoaderMemoryData));
    XTEST_CHECK(Is(1, 3, 1, LoaderSystemCode));
    XTEST_CHECK(Is(2, 4, 1, LoaderSystemBlock));
    XTEST_CHECK(Is(3, 5, 1, LoaderStartupKernelStack));
    XTEST_CHECK(Is(4, 6, 1, LoaderStartupPanicStack));
    XTEST_CHECK(Is(5, 7, 1, LoaderMemoryData));
    XTEST_ASSERT_EQ(Build(BL_MEMMAP_TEST_PAGE_TABLES_FREE), STATUS_SUCCESS);
    XTEST_CHECK(Is(0, 1, 2, LoaderFree));
}

XTEST(ClipsAndAlignsHostileRanges) {
    InputCount = 0;
    Add(EfiConventionalMemory, 0x1800, 2);                /* misaligned free: shrinks to [0x2000, 0x3000) */
    Add(EfiReservedMemoryType, 0x10800, 1);               /* misaligned reserved: grows to [0x10000, 0x12000) */
    Add(EfiConventionalMemory, 0xFFFFFFFFF000ull, ~0ull); /* overflowing page count: clipped at 2^52 */
    Add(EfiConventionalMemory, 1ull << 52, 16);           /* entirely beyond 52-bit physical: dropped */
    XTEST_ASSERT_EQ(Build(0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 3);
    XTEST_CHECK(Is(0, 2, 1, LoaderFree));
    XTEST_CHECK(Is(1, 0x10, 2, LoaderFirmwarePermanent));
    XTEST_CHECK(Is(2, 0xFFFFFFFFFull, (1ull << 40) - 0xFFFFFFFFFull, LoaderFree));
}

XTEST(RejectsBadShapes) {
    ULONG Count;
    InputCount = 0;
    Add(EfiConventionalMemory, 0, 1);
    XTEST_CHECK_EQ(BlBuildMemoryMap(Input, 32, 32, 0, Scratch, sizeof(Scratch), Output, 4, &Count),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlBuildMemoryMap(Input, 47, 48, 0, Scratch, sizeof(Scratch), Output, 4, &Count),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlBuildMemoryMap(Input, 48, 48, 0, Scratch, 8, Output, 4, &Count), STATUS_BUFFER_TOO_SMALL);
    InputCount = 0;
    Add(EfiConventionalMemory, 0, 1);
    Add(EfiACPIMemoryNVS, 0x2000, 1);
    XTEST_CHECK_EQ(BlBuildMemoryMap(Input, 96, 48, 0, Scratch, sizeof(Scratch), Output, 1, &Count),
                   STATUS_BUFFER_TOO_SMALL);
}

/* The oracle below is written from the contract (design.md section 3, docs/boot-protocol.md "Memory map"), not from
 * memmap.c: the type table, "overlaps resolve per page to the most restrictive type (bad > in use > reclaimable >
 * free)", "misaligned free ranges shrink to whole pages, misaligned others grow". The contract does not order two
 * different types of the same rank, so any covering type of the highest rank is accepted. */
#define ORACLE_PAGES 256

/* The kernel type of a firmware type, from the table in docs/boot-protocol.md. */
static ULONG OracleKernelType(ULONG EfiType) {
    switch (EfiType) {
        case EfiConventionalMemory:
            return LoaderFree;
        case EfiLoaderCode:
        case EfiLoaderData:
            return LoaderOsloaderHeap;
        case EfiBootServicesCode:
        case EfiBootServicesData:
            return LoaderFirmwareTemporary;
        case EfiUnusableMemory:
            return LoaderBad;
        case EfiMemoryMappedIO:
        case EfiMemoryMappedIOPortSpace:
        case EfiPersistentMemory:
        case EfiUnacceptedMemoryType:
            return LoaderSpecialMemory;
        case 0x80000001u: /* page tables */
        case 0x80000006u: /* trampoline */
            return LoaderMemoryData;
        case 0x80000002u:
            return LoaderSystemCode;
        case 0x80000003u:
            return LoaderSystemBlock;
        case 0x80000004u:
            return LoaderStartupKernelStack;
        case 0x80000005u:
            return LoaderStartupPanicStack;
        default: /* reserved, runtime services, ACPI, PAL code, anything unknown */
            return LoaderFirmwarePermanent;
    }
}

/* bad > in use > reclaimable (firmware temporary, loader heap) > free. */
static ULONG OracleRank(ULONG Type) {
    if (Type == LoaderBad) {
        return 3;
    }
    if (Type == LoaderFree) {
        return 0;
    }
    return (Type == LoaderFirmwareTemporary || Type == LoaderOsloaderHeap) ? 1 : 2;
}

/* Whether the firmware range [Start, Start + Pages * 4096) of kernel type Type covers page Page: never when it is
 * empty, a free range only with whole pages, any other range with any byte. */
static BOOLEAN OracleCovers(ULONGLONG Start, ULONGLONG Pages, ULONG Type, ULONG Page) {
    ULONGLONG End = Start + Pages * 4096, PageStart = (ULONGLONG)Page * 4096, PageEnd = PageStart + 4096;
    if (Pages == 0) {
        return FALSE;
    }
    return Type == LoaderFree ? (PageStart >= Start && PageEnd <= End) : (PageStart < End && PageEnd > Start);
}

/* Random firmware types: the standard ones, the loader's own, and unknown values. */
static ULONG OracleRandomEfiType(ULONGLONG Random) {
    static const ULONG Extra[] = {0x80000001u, 0x80000002u, 0x80000003u, 0x80000004u, 0x80000005u,
                                  0x80000006u, 0x80000007u, 0x70000000u, 16,          0xFFFFFFFFu};
    ULONG Pick = (ULONG)(Random % (EfiMaxMemoryType + 2 * ARRAY_SIZE(Extra) / 3));
    return Pick < EfiMaxMemoryType ? Pick : Extra[(Random >> 8) % ARRAY_SIZE(Extra)];
}

/* Differential test: random overlapping, partly misaligned maps against the page-by-page oracle; the output must be
 * sorted, non-overlapping and merged, and every page must carry a type the contract allows (or be absent when no
 * firmware range covers it). */
XTEST(RandomMapsMatchContractOracle) {
    static ULONGLONG Covering[ORACLE_PAGES]; /* bit t: a range of kernel type t covers the page */
    static ULONG Output_[ORACLE_PAGES];
    ULONGLONG Seed = 0x2545F4914F6CDD1Dull;
    ULONG Checked = 0, Contested = 0;

    STATIC_ASSERT(LoaderMaximum < 64);
    for (ULONG Round = 0; Round < 400; Round++) {
        ULONG Count = 1 + Round % 48;
        InputCount = 0;
        RtlZeroMemory(Covering, sizeof(Covering));
        for (ULONG Index = 0; Index < Count; Index++) {
            Seed ^= Seed << 13, Seed ^= Seed >> 7, Seed ^= Seed << 17;
            ULONG Efi = OracleRandomEfiType(Seed >> 40), Type = OracleKernelType(Efi);
            ULONGLONG Start = (Seed % 240) * 4096 + ((Seed >> 20) % 4 == 0 ? (Seed >> 24) % 4096 : 0);
            ULONGLONG Pages = (Seed >> 32) % 16;
            Add(Efi, Start, Pages);
            for (ULONG Page = 0; Page < ORACLE_PAGES; Page++) {
                Covering[Page] |= OracleCovers(Start, Pages, Type, Page) ? 1ull << Type : 0;
            }
        }
        XTEST_ASSERT_EQ(Build(0), STATUS_SUCCESS);
        for (ULONG Page = 0; Page < ORACLE_PAGES; Page++) {
            Output_[Page] = LoaderMaximum;
        }
        for (ULONG Index = 0; Index < OutputCount; Index++) {
            const XT_MEMORY_DESCRIPTOR *Previous = Index ? &Output[Index - 1] : NULL;
            XTEST_ASSERT(Output[Index].PageCount > 0);
            XTEST_ASSERT(Output[Index].BasePage + Output[Index].PageCount <= ORACLE_PAGES);
            XTEST_ASSERT(!Previous || Output[Index].BasePage >= Previous->BasePage + Previous->PageCount);
            XTEST_ASSERT(!Previous || Output[Index].MemoryType != Previous->MemoryType ||
                         Output[Index].BasePage != Previous->BasePage + Previous->PageCount);
            for (ULONGLONG Page = Output[Index].BasePage; Page < Output[Index].BasePage + Output[Index].PageCount;
                 Page++) {
                Output_[Page] = Output[Index].MemoryType;
            }
        }
        for (ULONG Page = 0; Page < ORACLE_PAGES; Page++) {
            ULONG Best = 0, Seen = Output_[Page];
            for (ULONG Type = 0; Type < LoaderMaximum; Type++) {
                if ((Covering[Page] >> Type) & 1) {
                    Best = OracleRank(Type) > Best ? OracleRank(Type) : Best;
                }
            }
            if (Covering[Page] == 0) {
                XTEST_ASSERT_EQ(Seen, LoaderMaximum); /* nothing covers the page: it must not be described */
                continue;
            }
            Checked++;
            Contested += (Covering[Page] & (Covering[Page] - 1)) != 0;
            if (!XTEST_CHECK(Seen < LoaderMaximum && ((Covering[Page] >> Seen) & 1) && OracleRank(Seen) == Best)) {
                XtestPrint("  round %u page 0x%x: output type %u, covering types 0x%llx, highest rank %u\n", Round,
                           Page, Seen, Covering[Page], Best);
                return;
            }
        }
    }
    XtestPrint("  oracle: %u pages checked, %u covered by more than one type\n", Checked, Contested);
    XTEST_CHECK(Contested > 1000); /* the maps really overlap */
}

/* A fake firmware whose map grows between calls, and whose pool allocations add descriptors too. */
typedef struct _FAKE_FIRMWARE {
    ULONG Count;
    ULONG GrowPerCall;
    ULONG GrowPerAllocation;
    ULONG Calls;
    LONG Outstanding;
    UCHAR Pool[4][MAX_INPUT * DESCRIPTOR_SIZE];
    ULONG PoolUsed;
} FAKE_FIRMWARE;

static EFI_STATUS FakeGetMemoryMap(PVOID Context, PUINTN Size, PEFI_MEMORY_DESCRIPTOR Map, PUINTN Key,
                                   PUINTN DescriptorSize) {
    FAKE_FIRMWARE *Firmware = Context;
    UINTN Needed;
    Firmware->Calls++;
    Firmware->Count += Firmware->GrowPerCall;
    Needed = (UINTN)Firmware->Count * DESCRIPTOR_SIZE;
    *DescriptorSize = DESCRIPTOR_SIZE;
    if (*Size < Needed || Map == NULL) {
        *Size = Needed;
        return EFI_BUFFER_TOO_SMALL;
    }
    for (ULONG Index = 0; Index < Firmware->Count; Index++) {
        PEFI_MEMORY_DESCRIPTOR Descriptor = (PVOID)((PUCHAR)Map + Index * DESCRIPTOR_SIZE);
        Descriptor->Type = EfiConventionalMemory;
        Descriptor->PhysicalStart = (ULONGLONG)Index * 0x2000;
        Descriptor->NumberOfPages = 1;
    }
    *Size = Needed;
    *Key = Firmware->Calls;
    return EFI_SUCCESS;
}

static EFI_STATUS FakeAllocatePool(PVOID Context, UINTN Size, PVOID *Buffer) {
    FAKE_FIRMWARE *Firmware = Context;
    if (Size > sizeof(Firmware->Pool[0]) || Firmware->PoolUsed == ARRAY_SIZE(Firmware->Pool)) {
        return EFI_OUT_OF_RESOURCES;
    }
    Firmware->Count += Firmware->GrowPerAllocation;
    Firmware->Outstanding++;
    *Buffer = Firmware->Pool[Firmware->PoolUsed++];
    return EFI_SUCCESS;
}

static VOID FakeFreePool(PVOID Context, PVOID Buffer) {
    ((FAKE_FIRMWARE *)Context)->Outstanding--;
}

static FAKE_FIRMWARE Fake;

static EFI_STATUS ReadWithGrowth(ULONG GrowPerCall, ULONG GrowPerAllocation, PBL_EFI_MEMORY_MAP Map) {
    BL_FIRMWARE_MEMORY Firmware = {FakeGetMemoryMap, FakeAllocatePool, FakeFreePool, &Fake};
    RtlZeroMemory(&Fake, sizeof(Fake));
    Fake.Count = 60;
    Fake.GrowPerCall = GrowPerCall;
    Fake.GrowPerAllocation = GrowPerAllocation;
    EFI_STATUS Status = BlReadMemoryMap(&Firmware, Map);
    if (Status == EFI_SUCCESS) {
        /* After a failed ExitBootServices the map is re-read into the same buffer, without allocating. */
        ULONG Pools = Fake.PoolUsed;
        Status = BlRefreshMemoryMap(&Firmware, Map);
        if (Fake.PoolUsed != Pools) {
            return EFI_ABORTED;
        }
    }
    return Status;
}

XTEST(MapGrowingUpTo40EntriesPerCallIsRead) {
    BL_EFI_MEMORY_MAP Map;
    for (ULONG Growth = 0; Growth <= 40; Growth++) {
        XTEST_ASSERT_EQ(ReadWithGrowth(Growth / 2, Growth - Growth / 2, &Map), EFI_SUCCESS);
        XTEST_CHECK_EQ(Map.Size, (UINTN)Fake.Count * DESCRIPTOR_SIZE);
        XTEST_CHECK(Map.Capacity >= Map.Size);
        XTEST_CHECK_EQ(Map.DescriptorSize, DESCRIPTOR_SIZE);
        XTEST_CHECK_EQ(Fake.Outstanding, 1);
        XTEST_CHECK_EQ(Fake.PoolUsed, 1);
    }
    XTEST_ASSERT_EQ(ReadWithGrowth(40, 0, &Map), EFI_SUCCESS);
    XTEST_CHECK_EQ(Fake.Outstanding, 1);
    XTEST_ASSERT_EQ(ReadWithGrowth(0, 40, &Map), EFI_SUCCESS);
    XTEST_CHECK_EQ(Fake.Outstanding, 1);
}

XTEST(RunawayGrowthFailsCleanly) {
    BL_EFI_MEMORY_MAP Map;
    XTEST_CHECK_EQ(ReadWithGrowth(200, 0, &Map), EFI_OUT_OF_RESOURCES);
    XTEST_CHECK_EQ(Fake.Outstanding, 0);
}

static XTSTATUS BuildWith(const BL_MEMORY_RANGE *Extra, ULONG ExtraCount) {
    return BlBuildMemoryMapWithRanges(Input, InputCount * DESCRIPTOR_SIZE, DESCRIPTOR_SIZE, 0, Extra, ExtraCount,
                                      Scratch, sizeof(Scratch), Output, ARRAY_SIZE(Output), &OutputCount);
}

/* The GOP framebuffer: absent from the firmware's map (QEMU's BAR), described as LoaderSpecialMemory. */
XTEST(FramebufferOutsideTheMapIsDescribed) {
    BL_MEMORY_RANGE Framebuffer = {0x80000000ull, 0x80000000ull + 0x3E8000, LoaderSpecialMemory, 0};

    InputCount = 0;
    Add(EfiConventionalMemory, 0, 0x100);
    Add(EfiMemoryMappedIO, 0xFFC00000ull, 0x400);
    XTEST_ASSERT_EQ(BuildWith(&Framebuffer, 1), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 3);
    XTEST_CHECK(Is(0, 0, 0x100, LoaderFree));
    XTEST_CHECK(Is(1, 0x80000, 0x3E8, LoaderSpecialMemory));
    XTEST_CHECK(Is(2, 0xFFC00, 0x400, LoaderSpecialMemory));
}

/* A framebuffer that a (buggy) firmware reports as conventional memory never comes out free. */
XTEST(FramebufferInsideFreeMemoryIsNeverFree) {
    BL_MEMORY_RANGE Framebuffer = {0x10000, 0x14000, LoaderSpecialMemory, 0};

    InputCount = 0;
    Add(EfiConventionalMemory, 0, 0x20);
    XTEST_ASSERT_EQ(BuildWith(&Framebuffer, 1), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 3);
    XTEST_CHECK(Is(0, 0, 0x10, LoaderFree));
    XTEST_CHECK(Is(1, 0x10, 4, LoaderSpecialMemory));
    XTEST_CHECK(Is(2, 0x14, 0xC, LoaderFree));
    /* Overlapping reserved memory keeps a type that may not be reused either way; bad memory stays bad. */
    InputCount = 0;
    Add(EfiReservedMemoryType, 0x10000, 2);
    Add(EfiUnusableMemory, 0x12000, 1);
    XTEST_ASSERT_EQ(BuildWith(&Framebuffer, 1), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 3);
    XTEST_CHECK(Is(0, 0x10, 2, LoaderSpecialMemory));
    XTEST_CHECK(Is(1, 0x12, 1, LoaderBad));
    XTEST_CHECK(Is(2, 0x13, 1, LoaderSpecialMemory));
}

XTEST(ExtraRangesMustBePageAligned) {
    BL_MEMORY_RANGE Misaligned = {0x10800, 0x14000, LoaderSpecialMemory, 0};
    BL_MEMORY_RANGE BadType = {0x10000, 0x14000, LoaderMaximum, 0};
    BL_MEMORY_RANGE Empty = {0x10000, 0x10000, LoaderSpecialMemory, 0};

    InputCount = 0;
    Add(EfiConventionalMemory, 0, 0x20);
    XTEST_CHECK_EQ(BuildWith(&Misaligned, 1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BuildWith(&BadType, 1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BuildWith(&Empty, 1), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OutputCount, 1);
    XTEST_CHECK_EQ(BlBuildMemoryMapWithRanges(Input, InputCount * DESCRIPTOR_SIZE, DESCRIPTOR_SIZE, 0, &Empty, 1,
                                              Scratch, BlMemoryMapScratchSize(1), Output, ARRAY_SIZE(Output),
                                              &OutputCount),
                   STATUS_BUFFER_TOO_SMALL);
}

XTEST_SUITE(BlMemoryMapSuite, XTEST_ENTRY(SortsAndMergesAdjacentEqualTypes), XTEST_ENTRY(OverlapsNeverBecomeFree),
            XTEST_ENTRY(ZeroLengthAndUnknownTypes), XTEST_ENTRY(LoaderTypesAndTestFlag),
            XTEST_ENTRY(ClipsAndAlignsHostileRanges), XTEST_ENTRY(RejectsBadShapes),
            XTEST_ENTRY(RandomMapsMatchContractOracle), XTEST_ENTRY(MapGrowingUpTo40EntriesPerCallIsRead),
            XTEST_ENTRY(RunawayGrowthFailsCleanly), XTEST_ENTRY(FramebufferOutsideTheMapIsDescribed),
            XTEST_ENTRY(FramebufferInsideFreeMemoryIsNeverFree), XTEST_ENTRY(ExtraRangesMustBePageAligned));

XTEST_HOST_MAIN(&BlMemoryMapSuite)

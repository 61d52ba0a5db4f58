/* Writes the seed inputs of every fuzz target (files named seed-*) into CORPUS/<target>/: valid PE32 and PE32+
 * images (the PE tests' builder), ACPI tables, firmware and loader memory maps, INI files, kernel parameters,
 * format directives and numbers. Deterministic: the committed seeds are its output.
 * usage: bazel run //testing/fuzz:make_seeds -- $PWD/testing/fuzz/corpus */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xtboot.h>
#include <xtpecoff.h>
#include <xtuefi.h>

#include <acpi.h>
#include "xtldr/memmap.h"
#include "xtldr/pe/tests/pebuilder.h"

static const char *CorpusRoot;

static void WriteSeed(const char *Target, const char *Name, const void *Data, size_t Size) {
    char Path[4096];
    FILE *File;

    snprintf(Path, sizeof(Path), "%s/%s/seed-%s", CorpusRoot, Target, Name);
    File = fopen(Path, "wb");
    if (File == NULL || fwrite(Data, 1, Size, File) != Size || fclose(File) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s\n", Path);
        exit(1);
    }
}

static void WriteText(const char *Target, const char *Name, const char *Text) {
    WriteSeed(Target, Name, Text, strlen(Text));
}

/* An options byte, then the file. */
static void WritePe(const char *Name, USHORT Machine, unsigned char Options) {
    static unsigned char Buffer[1 + sizeof(((TEST_PE_IMAGE *)0)->Bytes)];
    TEST_PE_IMAGE Image;

    TestPeBuild(&Image, Machine);
    Buffer[0] = Options;
    memcpy(Buffer + 1, Image.Bytes, Image.Size);
    WriteSeed("pe", Name, Buffer, 1 + Image.Size);
}

/* ACPI: RSDP at 0x1000 -> XSDT/RSDT {APIC, FACP}; FACP -> DSDT with \_S5_ (layout of the kernel's acpi_test). */
#define ACPI_BASE 0x1000
static unsigned char Acpi[1 + 0x600];

static unsigned char *AcpiAt(unsigned Address) {
    return Acpi + 1 + (Address - ACPI_BASE);
}

static void Put32(unsigned char *At, unsigned Value) {
    for (int Index = 0; Index < 4; Index++) {
        At[Index] = (unsigned char)(Value >> (8 * Index));
    }
}

static void Put64(unsigned char *At, unsigned long long Value) {
    Put32(At, (unsigned)Value);
    Put32(At + 4, (unsigned)(Value >> 32));
}

static void Seal(unsigned Address, unsigned Length, unsigned Slot) {
    unsigned char Sum = 0;
    *AcpiAt(Slot) = 0;
    for (unsigned Index = 0; Index < Length; Index++) {
        Sum = (unsigned char)(Sum + AcpiAt(Address)[Index]);
    }
    *AcpiAt(Slot) = (unsigned char)(0x100 - Sum);
}

static void Table(unsigned Address, const char *Signature, unsigned Length) {
    memcpy(AcpiAt(Address), Signature, 4);
    Put32(AcpiAt(Address) + 4, Length);
    AcpiAt(Address)[8] = 2;
}

static void WriteAcpi(void) {
    static const unsigned char Aml[] = {0x10, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x00, 0x08, 0x5C, 0x5F, 0x53,
                                        0x35, 0x5F, 0x12, 0x0A, 0x04, 0x0A, 0x05, 0x0A, 0x07, 0x00, 0x00};
    memcpy(AcpiAt(0x1000), "RSD PTR ", 8);
    AcpiAt(0x1000)[15] = 2;
    Put32(AcpiAt(0x1000) + 16, 0x1080);
    Put32(AcpiAt(0x1000) + 20, 36);
    Put64(AcpiAt(0x1000) + 24, 0x1100);
    Table(0x1080, "RSDT", 44);
    Put32(AcpiAt(0x1080) + 36, 0x1200);
    Put32(AcpiAt(0x1080) + 40, 0x1300);
    Table(0x1100, "XSDT", 52);
    Put64(AcpiAt(0x1100) + 36, 0x1200);
    Put64(AcpiAt(0x1100) + 44, 0x1300);
    Table(0x1200, "APIC", 36);
    Table(0x1300, "FACP", 276);
    Put32(AcpiAt(0x1300) + ACPI_FADT_DSDT, 0x1500);
    Put32(AcpiAt(0x1300) + ACPI_FADT_SMI_CMD, 0xB2);
    AcpiAt(0x1300)[ACPI_FADT_ACPI_ENABLE] = 0xF1;
    Put32(AcpiAt(0x1300) + ACPI_FADT_PM1A_CNT_BLK, 0x604);
    Put64(AcpiAt(0x1300) + ACPI_FADT_X_DSDT, 0x1500);
    AcpiAt(0x1300)[ACPI_FADT_X_PM1A_CNT_BLK] = ACPI_GAS_SYSTEM_IO;
    AcpiAt(0x1300)[ACPI_FADT_X_PM1A_CNT_BLK + 1] = 16;
    Put64(AcpiAt(0x1300) + ACPI_FADT_X_PM1A_CNT_BLK + 4, 0x604);
    Table(0x1500, "DSDT", 36 + sizeof(Aml));
    memcpy(AcpiAt(0x1500) + 36, Aml, sizeof(Aml));
    Seal(0x1000, 20, 0x1008);
    Seal(0x1000, 36, 0x1020);
    Seal(0x1080, 44, 0x1089);
    Seal(0x1100, 52, 0x1109);
    Seal(0x1200, 36, 0x1209);
    Seal(0x1300, 276, 0x1309);
    Seal(0x1500, 36 + sizeof(Aml), 0x1509);
    Acpi[0] = 0; /* checksums as they are */
    WriteSeed("acpi", "xsdt", Acpi, sizeof(Acpi));
    Acpi[0] = 1; /* the accessor fixes checksums */
    WriteSeed("acpi", "xsdt-fixing", Acpi, sizeof(Acpi));
    AcpiAt(0x1000)[15] = 0; /* ACPI 1.0: the RSDT */
    Seal(0x1000, 20, 0x1008);
    Acpi[0] = 0;
    WriteSeed("acpi", "rsdt", Acpi, sizeof(Acpi));
}

/* A firmware map like OVMF's (amd64, 256 MiB), with the loader's own types. */
static const struct {
    unsigned Type;
    unsigned long long Start, Pages;
} FirmwareMap[] = {
    {EfiBootServicesCode, 0x0, 1},
    {EfiConventionalMemory, 0x1000, 0x9F},
    {EfiConventionalMemory, 0x100000, 0x700},
    {EfiACPIMemoryNVS, 0x800000, 0x8},
    {EfiConventionalMemory, 0x808000, 0x8},
    {EfiACPIMemoryNVS, 0x810000, 0xF0},
    {EfiConventionalMemory, 0x900000, 0x3000},
    {BL_EFI_PAGE_TABLES, 0x3900000, 0x20},
    {BL_EFI_KERNEL_IMAGE, 0x3920000, 0x80},
    {BL_EFI_INIT_BLOCK, 0x39A0000, 0x4},
    {BL_EFI_KERNEL_STACK, 0x39A4000, 0x8},
    {EfiLoaderData, 0x39AC000, 0x100},
    {EfiBootServicesData, 0x3AAC000, 0x3000},
    {EfiRuntimeServicesCode, 0x6AAC000, 0x100},
    {EfiRuntimeServicesData, 0x6BAC000, 0x100},
    {EfiReservedMemoryType, 0x6CAC000, 0x54},
    {EfiACPIReclaimMemory, 0x7F00000, 0x10},
    {EfiConventionalMemory, 0x7F10000, 0xF0},
    {EfiMemoryMappedIO, 0xB0000000, 0x10000},
    {EfiReservedMemoryType, 0xFEFFC000, 4},
    {EfiConventionalMemory, 0x100000000ull, 0x40000},
};

static void WriteMemmap(const char *Name, unsigned char Stride, unsigned char Flags, unsigned char Capacity,
                        int Overlap) {
    static const unsigned char Strides[] = {40, 40, 48, 56, 64, 88, 36, 44};
    unsigned char Buffer[3 + 64 * 88];
    size_t Size = 3, Width = Strides[Stride];

    Buffer[0] = Stride;
    Buffer[1] = Flags;
    Buffer[2] = Capacity;
    for (size_t Index = 0; Index < sizeof(FirmwareMap) / sizeof(FirmwareMap[0]); Index++) {
        EFI_MEMORY_DESCRIPTOR Descriptor = {FirmwareMap[Index].Type,  0,  FirmwareMap[Index].Start, 0,
                                            FirmwareMap[Index].Pages, 0xF};
        if (Overlap && Index % 3 == 0) {
            Descriptor.PhysicalStart += 0x800; /* misaligned, overlapping its neighbour */
            Descriptor.NumberOfPages += 2;
        }
        memset(Buffer + Size, 0, Width);
        memcpy(Buffer + Size, &Descriptor, sizeof(Descriptor));
        Size += Width;
    }
    WriteSeed("memmap", Name, Buffer, Size);
}

/* The kernel's view: mode, capacity, limit selector, then descriptors. */
static void WriteLoaderMap(const char *Name, unsigned char Mode, unsigned char Capacity, unsigned char Limit,
                           const XT_MEMORY_DESCRIPTOR *Map, size_t Count) {
    unsigned char Buffer[3 + 64 * sizeof(XT_MEMORY_DESCRIPTOR)];

    Buffer[0] = Mode;
    Buffer[1] = Capacity;
    Buffer[2] = Limit;
    memcpy(Buffer + 3, Map, Count * sizeof(*Map));
    WriteSeed("pfn_sanitize", Name, Buffer, 3 + Count * sizeof(*Map));
}

static void WritePfnSeeds(void) {
    static const XT_MEMORY_DESCRIPTOR Hostile[] = {
        {0x300, 0x40, LoaderFree, 0},
        {0x010, 0x000, LoaderFree, 0},
        {0x100, 0x100, LoaderFree, 0},
        {0x180, 0x10, LoaderSystemCode, 0},
        {0x020, 0x20, LoaderSystemBlock, 0},
        {0x030, 0x40, LoaderFree, 0},
        {0x3F0, 0x100, LoaderFree, 0},
        {0x5000, 0x10, LoaderFree, 0},
        {0x200, 0x20, LoaderBad, 0},
        {0x210, 0x20, LoaderFirmwarePermanent, 0},
        {0x220, 0x30, LoaderFirmwareTemporary, 0},
        {0x240, 0x30, LoaderOsloaderHeap, 0},
        {0x400, 0x100, LoaderSpecialMemory, 0},
    };
    static const XT_MEMORY_DESCRIPTOR Booted[] = {
        {0x0, 0x1, LoaderFirmwareTemporary, 0},
        {0x1, 0x9F, LoaderFree, 0},
        {0x100, 0x700, LoaderFree, 0},
        {0x800, 0x8, LoaderFirmwarePermanent, 0},
        {0x900, 0x3000, LoaderFree, 0},
        {0x3900, 0x20, LoaderMemoryData, 0},
        {0x3920, 0x80, LoaderSystemCode, 0},
        {0x39A0, 0x4, LoaderSystemBlock, 0},
        {0x39A4, 0x8, LoaderStartupKernelStack, 0},
        {0x39AC, 0x100, LoaderOsloaderHeap, 0},
        {0x3AAC, 0x3000, LoaderFirmwareTemporary, 0},
        {0xB0000, 0x10000, LoaderSpecialMemory, 0},
        {0x100000, 0x40000, LoaderFree, 0},
    };
    WriteLoaderMap("hostile", 1, 0, 0, Hostile, sizeof(Hostile) / sizeof(Hostile[0]));
    WriteLoaderMap("hostile-capacity4", 1, 4, 4, Hostile, sizeof(Hostile) / sizeof(Hostile[0]));
    WriteLoaderMap("booted", 0, 0, 0, Booted, sizeof(Booted) / sizeof(Booted[0]));
    WriteLoaderMap("booted-limited", 0, 0, 3, Booted, sizeof(Booted) / sizeof(Booted[0]));
}

/* Format: directive mode (even first byte: flags, width, precision, conversion, size, buffer, value, string). */
static void WriteFormatSeeds(void) {
    static const unsigned char Directives[][16] = {
        {0, 0x03, 0x08, 0x00, 0, 0, 100, 0x2A, 0, 0, 0, 0, 0, 0, 0, 'x'},         /* %-08d of 42 */
        {0, 0x10, 0x86, 0x83, 3, 4, 5, 0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 0, 'y'},  /* %#*.3llx, short buffer */
        {0, 0x04, 0x00, 0x80, 2, 0, 50, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 'z'}, /* %+.u of 0xFFFFFFFF */
        {0, 0x00, 0x0C, 0x84, 7, 0, 30, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0},     /* %12.4s */
    };
    char Name[32];

    for (size_t Index = 0; Index < sizeof(Directives) / sizeof(Directives[0]); Index++) {
        snprintf(Name, sizeof(Name), "directive%zu", Index);
        WriteSeed("format", Name, Directives[Index], sizeof(Directives[Index]));
    }
    WriteText("format", "free", "\x41XTOS-REPORT arch=%s ram_pages=%llu free=%5.3d %-08x %#o %S %p %c%% %q %");
    WriteText("format", "free-sizes", "\x21%hhd %hu %ld %lld %zu %jd %td %.0d %#.0x %-+ 12i %012.5X");
}

static const char XtldrIni[] = "; XTLDR configuration (ExectOS format). Comments start with ';' or '#'.\n"
                               "[XTLDR]\nDefault=XTOS\nTimeout=0\nDebug=COM1,115200\n\n[XTOS]\nSystemName=\"XTOS\"\n"
                               "SystemType=XTOS\nSystemPath=multi(0)disk(0)rdisk(0)partition(1)/XTOS\n"
                               "KernelFile=XTOSKRNL.EXE\nParameters=DEBUG=COM1,115200 SELFTEST\n";

int main(int Argc, char **Argv) {
    if (Argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIRECTORY\n");
        return 2;
    }
    CorpusRoot = Argv[1];
    WritePe("amd64", IMAGE_FILE_MACHINE_AMD64, 0x04);
    WritePe("i386", IMAGE_FILE_MACHINE_I386, 0x05);
    WritePe("i386-efi", IMAGE_FILE_MACHINE_I386, 0x03);
    WriteAcpi();
    WriteMemmap("ovmf", 0, 0, 0, 0);
    WriteMemmap("ovmf-stride48-testptfree", 2, 1, 0, 0);
    WriteMemmap("overlapping-capacity5", 1, 0, 5, 1);
    WritePfnSeeds();
    WriteFormatSeeds();
    WriteSeed("number", "hex", "\x00 0x1F", 6); /* base 0 */
    WriteText("number", "signed", "\x0a\t-9223372036854775808");
    WriteText("number", "overflow", "\x0a 18446744073709551616");
    WriteText("number", "base36", "\x24zZ9");
    WriteText("number", "prefixes", "\x08 0o777 0b101");
    WriteText("ini", "xtldr", XtldrIni);
    WriteText("ini", "quirks",
              "\xEF\xBB\xBF; BOM, CRLF, quotes, duplicates, bad lines\r\n[XTLDR]\r\nDefault = \"XTOS\"\r\n"
              "Timeout=5\r\n[XTLDR]\r\nTimeout=7\r\nno equals\r\n=empty\r\n[bad name\r\n"
              "[ X ]\r\nKey=\"\r\n\t# tab comment\r\nK\x01=v\r\n");
    WriteText("config", "xtldr", XtldrIni);
    WriteText("config", "menu",
              "[XTLDR]\nDefault=Second\nTimeout=3\nDebug=COM2,9600\n[First]\nSystemType=XTOS\n"
              "SystemPath=/XTOS\nKernelFile=\\a/b\\xtoskrnl.exe\nParameters=DEBUG NOXPA=1\n"
              "[Second]\nSystemType=xtos\nSystemName=Two\nSystemPath=multi(0)disk(0)/XTOS/\n"
              "KernelFile=k.exe\n[Other]\nSystemType=Linux\n;KEYS:\x02\x01\x05\x06x\x06y\x03\x80\x80");
    WriteText("params", "typical", "DEBUG=COM1,115200 SELFTEST TESTEXIT NOXPA");
    WriteText("params", "all",
              "debug=com2,9600 TESTFAULT=POOLTAG SPECIALPOOL=Abcd BENCH TESTPTFREE SHUTDOWN\tX=1 "
              "NOXPA=1 DEBUG=COM5 TESTFAULT=NONE SPECIALPOOL=abc");
    return 0;
}

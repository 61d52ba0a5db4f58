/* Writes the seed inputs of madt_fuzz.c (files named seed-*) into DIR: a mode byte, then fake physical memory from
 * 0x1000 holding RSDP, XSDT, RSDT, FADT, HPET and MADT, shaped like QEMU's q35 tables and their variants.
 * Deterministic: the committed corpus/madt/seed-* files are its output.
 * usage: bazel run //testing/fuzz:make_madt_seeds -- $PWD/testing/fuzz/corpus/madt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <acpi.h>

#define RSDP 0x000 /* offsets in the memory, which the harness places at physical 0x1000 */
#define XSDT 0x040
#define RSDT 0x100
#define FADT 0x200
#define HPET 0x400
#define MADT 0x800
#define SIZE 0x1000
#define BASE 0x1000

static unsigned char Memory[SIZE];
static unsigned MadtLength, FadtLength = 276;

static void Put(unsigned Offset, unsigned long long Value, unsigned Bytes) {
    for (unsigned Index = 0; Index < Bytes; Index++) {
        Memory[Offset + Index] = (unsigned char)(Value >> (8 * Index));
    }
}

static void Sum(unsigned Offset, unsigned Length, unsigned Slot) {
    unsigned char Total = 0;
    Memory[Slot] = 0;
    for (unsigned Index = 0; Index < Length; Index++) {
        Total = (unsigned char)(Total + Memory[Offset + Index]);
    }
    Memory[Slot] = (unsigned char)(0x100 - Total);
}

static void Header(unsigned Offset, const char *Signature, unsigned Length, unsigned char Revision) {
    memcpy(Memory + Offset, Signature, 4);
    Put(Offset + 4, Length, 4);
    Memory[Offset + 8] = Revision;
}

static void Entry(const unsigned char *Bytes, unsigned Length) {
    memcpy(Memory + MADT + MadtLength, Bytes, Length);
    MadtLength += Length;
}

static void Seal(void) {
    Put(MADT + 4, MadtLength, 4);
    Put(FADT + 4, FadtLength, 4);
    Sum(RSDP, 20, RSDP + 8);
    Sum(RSDP, 36, RSDP + 32);
    Sum(XSDT, 60, XSDT + 9);
    Sum(RSDT, 48, RSDT + 9);
    Sum(FADT, FadtLength, FADT + 9);
    Sum(HPET, ACPI_HPET_LENGTH, HPET + 9);
    Sum(MADT, MadtLength, MADT + 9);
}

/* QEMU 7.2 q35, one CPU: see acpi_tables_test.c's BuildQ35. */
static void BuildQ35(void) {
    static const unsigned char Lapic[] = {0, 8, 0, 0, 1, 0, 0, 0};
    static const unsigned char IoApic[] = {1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0};
    static const unsigned char Irq0[] = {2, 10, 0, 0, 2, 0, 0, 0, 0, 0};
    static const unsigned char Sci[] = {2, 10, 0, 9, 9, 0, 0, 0, 0xD, 0};
    static const unsigned char Nmi[] = {4, 6, 0xFF, 0, 0, 1};

    memset(Memory, 0, sizeof(Memory));
    MadtLength = ACPI_MADT_ENTRIES;
    FadtLength = 276;
    memcpy(Memory + RSDP, "RSD PTR ", 8);
    Memory[RSDP + 15] = 2;
    Put(RSDP + 16, BASE + RSDT, 4);
    Put(RSDP + 20, 36, 4);
    Put(RSDP + 24, BASE + XSDT, 8);
    Header(XSDT, "XSDT", 60, 1);
    Put(XSDT + 36, BASE + FADT, 8);
    Put(XSDT + 44, BASE + MADT, 8);
    Put(XSDT + 52, BASE + HPET, 8);
    Header(RSDT, "RSDT", 48, 1);
    Put(RSDT + 36, BASE + FADT, 4);
    Put(RSDT + 40, BASE + MADT, 4);
    Put(RSDT + 44, BASE + HPET, 4);
    Header(FADT, "FACP", FadtLength, 3);
    Put(FADT + ACPI_FADT_SCI_INT, 9, 2);
    Put(FADT + ACPI_FADT_PM1A_CNT_BLK, 0x604, 4);
    Put(FADT + ACPI_FADT_PM_TMR_BLK, 0x608, 4);
    Memory[FADT + ACPI_FADT_PM_TMR_LEN] = 4;
    Memory[FADT + ACPI_FADT_CENTURY] = 0x32;
    Put(FADT + ACPI_FADT_IAPC_BOOT_ARCH, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042, 2);
    Put(FADT + ACPI_FADT_FLAGS, ACPI_FADT_TMR_VAL_EXT | 0xA5, 4);
    Memory[FADT + ACPI_FADT_X_PM_TMR_BLK] = ACPI_GAS_SYSTEM_IO;
    Memory[FADT + ACPI_FADT_X_PM_TMR_BLK + 1] = 32;
    Put(FADT + ACPI_FADT_X_PM_TMR_BLK + 4, 0x608, 8);
    Header(HPET, "HPET", ACPI_HPET_LENGTH, 1);
    Put(HPET + 36, 0x8086A201, 4);
    Put(HPET + 44, 0xFED00000, 8);
    Put(HPET + 53, 0x80, 2);
    Header(MADT, "APIC", 0, 1);
    Put(MADT + 36, 0xFEE00000, 4);
    Put(MADT + 40, ACPI_MADT_PCAT_COMPAT, 4);
    Entry(Lapic, sizeof(Lapic));
    Entry(IoApic, sizeof(IoApic));
    Entry(Irq0, sizeof(Irq0));
    Entry(Sci, sizeof(Sci));
    Entry(Nmi, sizeof(Nmi));
}

static const char *Directory;

static void Write(const char *Name, unsigned char Mode) {
    char Path[4096];
    FILE *File;

    snprintf(Path, sizeof(Path), "%s/seed-%s", Directory, Name);
    File = fopen(Path, "wb");
    if (File == NULL || fputc(Mode, File) == EOF || fwrite(Memory, 1, SIZE, File) != SIZE || fclose(File) != 0) {
        fprintf(stderr, "madt_seeds: cannot write %s\n", Path);
        exit(1);
    }
}

int main(int Argc, char **Argv) {
    static const unsigned char X2Apic[] = {9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 7, 1, 0, 0};
    static const unsigned char X2Nmi[] = {10, 12, 5, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0};
    static const unsigned char NmiSource[] = {3, 8, 0xD, 0, 23, 0, 0, 0};
    static const unsigned char LapicOverride[] = {5, 12, 0, 0, 0x00, 0x00, 0xE0, 0xFE, 1, 0, 0, 0};
    static const unsigned char Hotplug[] = {0, 8, 1, 1, 2, 0, 0, 0};
    static const unsigned char ZeroLength[] = {1, 0, 0, 0};

    if (Argc != 2) {
        fprintf(stderr, "usage: madt_seeds DIR\n");
        return 2;
    }
    Directory = Argv[1];
    BuildQ35();
    Seal();
    Write("q35", 0);

    BuildQ35();
    Memory[MADT + 8] = 5;
    Entry(Hotplug, sizeof(Hotplug));
    Entry(X2Apic, sizeof(X2Apic));
    Entry(X2Nmi, sizeof(X2Nmi));
    Entry(NmiSource, sizeof(NmiSource));
    Entry(LapicOverride, sizeof(LapicOverride));
    Memory[FADT + 8] = 6;
    Put(FADT + ACPI_FADT_IAPC_BOOT_ARCH, ACPI_BOOT_CMOS_RTC_NOT_PRESENT, 2);
    Memory[FADT + ACPI_FADT_X_PM_TMR_BLK] = ACPI_GAS_SYSTEM_MEMORY;
    Put(FADT + ACPI_FADT_X_PM_TMR_BLK + 4, 0xFED80008ull, 8);
    Seal();
    Write("x2apic", 0);

    BuildQ35();
    for (unsigned Cpu = 1; Cpu < 70; Cpu++) {
        unsigned char Lapic[] = {0, 8, (unsigned char)Cpu, (unsigned char)Cpu, 1, 0, 0, 0};
        Entry(Lapic, sizeof(Lapic));
    }
    for (unsigned Irq = 0; Irq < 20; Irq++) {
        unsigned char Override[] = {2, 10, 0, (unsigned char)Irq, (unsigned char)(Irq + 16), 0, 0, 0, 0xF, 0};
        Entry(Override, sizeof(Override));
    }
    Seal();
    Write("many", 0);

    BuildQ35(); /* ACPI 1.0: RSDT only, FADT revision 1 of 116 bytes, no HPET */
    Memory[RSDP + 15] = 0;
    Put(RSDT + 44, 0, 4);
    FadtLength = ACPI_FADT_V1_LENGTH;
    memset(Memory + FADT + ACPI_FADT_V1_LENGTH, 0, 276 - ACPI_FADT_V1_LENGTH);
    Memory[FADT + 8] = 1;
    Put(FADT + ACPI_FADT_FLAGS, 0, 4);
    Seal();
    Write("acpi1", 0);

    BuildQ35(); /* damage, with checksums fixed by the accessor (mode 1) */
    Entry(ZeroLength, sizeof(ZeroLength));
    Memory[HPET + 40] = ACPI_GAS_SYSTEM_IO;
    Put(FADT + ACPI_FADT_FLAGS, ACPI_FADT_HW_REDUCED_ACPI, 4);
    Seal();
    Write("damaged", 1);
    return 0;
}

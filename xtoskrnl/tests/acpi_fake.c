/* Synthetic ACPI tables for the Hl ACPI suites (acpi_fake.h). */
#include <rtl.h>

#include "acpi_fake.h"

TEST_ACPI_MEMORY TestAcpiMemory;

/* HL_ACPI_ACCESS.Map: a view of the fake memory; out-of-range requests fail as an unmapped address would. */
static XTSTATUS TestAcpiMap(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    TEST_ACPI_MEMORY *Memory = Context;
    if (Address < TEST_ACPI_BASE || Address - TEST_ACPI_BASE > TEST_ACPI_SIZE ||
        Length > TEST_ACPI_SIZE - (Address - TEST_ACPI_BASE)) {
        return STATUS_INVALID_PARAMETER;
    }
    Memory->Mapped++;
    *Va = Memory->Bytes + (Address - TEST_ACPI_BASE);
    return STATUS_SUCCESS;
}

/* HL_ACPI_ACCESS.Unmap. */
static VOID TestAcpiUnmap(PVOID Context, PVOID Va, SIZE_T Length) {
    ((TEST_ACPI_MEMORY *)Context)->Mapped--;
}

const HL_ACPI_ACCESS TestAcpiAccess = {&TestAcpiMemory, TestAcpiMap, TestAcpiUnmap};

VOID TestAcpiReset(VOID) {
    RtlZeroMemory(&TestAcpiMemory, sizeof(TestAcpiMemory));
}

PUCHAR TestAcpiAt(ULONG Pa) {
    return TestAcpiMemory.Bytes + (Pa - TEST_ACPI_BASE);
}

VOID TestAcpiPut16(ULONG Pa, USHORT Value) {
    TestAcpiAt(Pa)[0] = (UCHAR)Value;
    TestAcpiAt(Pa)[1] = (UCHAR)(Value >> 8);
}

VOID TestAcpiPut32(ULONG Pa, ULONG Value) {
    for (ULONG Index = 0; Index < 4; Index++) {
        TestAcpiAt(Pa)[Index] = (UCHAR)(Value >> (8 * Index));
    }
}

VOID TestAcpiPut64(ULONG Pa, ULONGLONG Value) {
    TestAcpiPut32(Pa, (ULONG)Value);
    TestAcpiPut32(Pa + 4, (ULONG)(Value >> 32));
}

VOID TestAcpiChecksum(ULONG Pa, ULONG Length, ULONG ChecksumPa) {
    UCHAR Sum = 0;
    *TestAcpiAt(ChecksumPa) = 0;
    for (ULONG Index = 0; Index < Length; Index++) {
        Sum = (UCHAR)(Sum + TestAcpiAt(Pa)[Index]);
    }
    *TestAcpiAt(ChecksumPa) = (UCHAR)(0x100 - Sum);
}

VOID TestAcpiHeader(ULONG Pa, PCSTR Signature, ULONG Length, UCHAR Revision) {
    RtlCopyMemory(TestAcpiAt(Pa), Signature, 4);
    TestAcpiPut32(Pa + 4, Length);
    TestAcpiAt(Pa)[8] = Revision;
}

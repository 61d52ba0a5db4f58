/* ACPI table parsing for power-off (S5): RSDP -> XSDT/RSDT -> FADT -> PM1 control ports and DSDT -> \_S5_.
 * Pure: physical memory is reached through a caller-supplied accessor, so it runs over synthetic tables on the
 * host as well as through the HAL window in the kernel. */
#ifndef XTOSKRNL_HL_ACPI_H
#define XTOSKRNL_HL_ACPI_H

#include <xtbase.h>
#include <xtstatus.h>

#define ACPI_SDT_HEADER_SIZE  36
#define ACPI_MAX_TABLE_LENGTH 0x100000 /* 1 MiB: larger tables are refused as corrupt */
#define ACPI_SLP_TYP_SHIFT    10
#define ACPI_SLP_EN           (1u << 13)
#define ACPI_SCI_EN           (1u << 0)

/* FADT byte offsets (ACPI 6.x, table 5.9). */
#define ACPI_FADT_DSDT           40
#define ACPI_FADT_SMI_CMD        48
#define ACPI_FADT_ACPI_ENABLE    52
#define ACPI_FADT_PM1A_CNT_BLK   64
#define ACPI_FADT_PM1B_CNT_BLK   68
#define ACPI_FADT_X_DSDT         140
#define ACPI_FADT_X_PM1A_CNT_BLK 172
#define ACPI_FADT_X_PM1B_CNT_BLK 184
#define ACPI_GAS_SYSTEM_IO       1

/* Reaches physical memory: Map makes Length bytes at Address readable and returns their VA; Unmap undoes it. */
typedef struct _HL_ACPI_ACCESS {
    PVOID Context;
    XTSTATUS (*Map)(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va);
    VOID (*Unmap)(PVOID Context, PVOID Va, SIZE_T Length);
} HL_ACPI_ACCESS, *PHL_ACPI_ACCESS;

/* What power-off needs, and a message when it cannot be found. */
typedef struct _HL_ACPI_S5_INFO {
    UCHAR RsdpRevision;
    BOOLEAN UsedXsdt;  /* TRUE: XSDT, FALSE: RSDT */
    ULONG Pm1aControl; /* I/O port of PM1a_CNT */
    ULONG Pm1bControl; /* I/O port of PM1b_CNT, 0 when absent */
    ULONG SmiCommand;  /* SMI_CMD port (0: ACPI mode is fixed) */
    UCHAR AcpiEnable;  /* value to write to SmiCommand to enter ACPI mode */
    UCHAR SlpTypA;     /* \_S5_ package element 0 */
    UCHAR SlpTypB;     /* \_S5_ package element 1 */
    CHAR Error[120];   /* why the search failed (empty on success) */
} HL_ACPI_S5_INFO, *PHL_ACPI_S5_INFO;

/* Finds the S5 sleep values from the RSDP at physical RsdpAddress, verifying every checksum and bound. On failure
 * returns STATUS_NOT_FOUND (absent table or object) or STATUS_DATA_ERROR (bad checksum, signature or length) and
 * fills Info->Error. */
XTSTATUS HlAcpiFindS5(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_ACPI_S5_INFO Info);

/* Searches AML for "Name(_S5_, Package(){a, b, ...})" and returns the first two integer elements. Pure. */
XTSTATUS HlAcpiParseS5Package(const UCHAR *Aml, SIZE_T Length, PUCHAR SlpTypA, PUCHAR SlpTypB);

/* TRUE when the Length bytes at Data sum to 0 modulo 256. */
BOOLEAN HlAcpiChecksumValid(const VOID *Data, SIZE_T Length);

#endif

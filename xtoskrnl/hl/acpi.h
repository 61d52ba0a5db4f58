/* ACPI table parsing: RSDP -> XSDT/RSDT -> a table by signature, with every checksum and length checked once
 * (acpi.c); power-off (S5: FADT PM1 control ports and DSDT \_S5_, acpi.c); the interrupt controllers (MADT, madt.c);
 * the clock sources and RTC facts (HPET table and FADT timer fields, acpitime.c).
 * Pure: physical memory is reached through a caller-supplied accessor, so it runs over synthetic tables on the
 * host as well as through the HAL window in the kernel. Every read of a table is bounded by its header's length:
 * a malformed or truncated table gives STATUS_DATA_ERROR and a message, never a read past the mapping. */
#ifndef XTOSKRNL_HL_ACPI_H
#define XTOSKRNL_HL_ACPI_H

#include <hl.h>
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
#define ACPI_GAS_SYSTEM_MEMORY   0
#define ACPI_GAS_SYSTEM_IO       1
#define HL_ACPI_ERROR_SIZE       120 /* the Error message of every *_INFO, NUL-terminated */

/* Reaches physical memory: Map makes Length bytes at Address readable and returns their VA; Unmap undoes it. */
typedef struct _HL_ACPI_ACCESS {
    PVOID Context;
    XTSTATUS (*Map)(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va);
    VOID (*Unmap)(PVOID Context, PVOID Va, SIZE_T Length);
} HL_ACPI_ACCESS, *PHL_ACPI_ACCESS;

/* What power-off needs, and a message when it cannot be found. */
typedef struct _HL_ACPI_S5_INFO {
    UCHAR RsdpRevision;
    BOOLEAN UsedXsdt;               /* TRUE: XSDT, FALSE: RSDT */
    ULONG Pm1aControl;              /* I/O port of PM1a_CNT */
    ULONG Pm1bControl;              /* I/O port of PM1b_CNT, 0 when absent */
    ULONG SmiCommand;               /* SMI_CMD port (0: ACPI mode is fixed) */
    UCHAR AcpiEnable;               /* value to write to SmiCommand to enter ACPI mode */
    UCHAR SlpTypA;                  /* \_S5_ package element 0 */
    UCHAR SlpTypB;                  /* \_S5_ package element 1 */
    CHAR Error[HL_ACPI_ERROR_SIZE]; /* why the search failed (empty on success) */
} HL_ACPI_S5_INFO, *PHL_ACPI_S5_INFO;

/* Finds the S5 sleep values from the RSDP at physical RsdpAddress, verifying every checksum and bound. On failure
 * returns STATUS_NOT_FOUND (absent table or object) or STATUS_DATA_ERROR (bad checksum, signature or length) and
 * fills Info->Error. */
XTSTATUS HlAcpiFindS5(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_ACPI_S5_INFO Info);

/* Searches AML for "Name(_S5_, Package(){a, b, ...})" and returns the first two integer elements. Pure. */
XTSTATUS HlAcpiParseS5Package(const UCHAR *Aml, SIZE_T Length, PUCHAR SlpTypA, PUCHAR SlpTypB);

/* TRUE when the Length bytes at Data sum to 0 modulo 256. */
BOOLEAN HlAcpiChecksumValid(const VOID *Data, SIZE_T Length);

/* Finds the first table with Signature (4 characters, e.g. "APIC") listed by the XSDT (RSDP revision >= 2 with an
 * XSDT address) or the RSDT, checking the RSDP and root table as HlAcpiFindS5 does. Returns its physical address, or
 * STATUS_NOT_FOUND / STATUS_DATA_ERROR with a message in Error (HL_ACPI_ERROR_SIZE bytes). */
XTSTATUS HlAcpiFindTable(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PCSTR Signature, PULONGLONG Address,
                         PCHAR Error);

/* ---- MADT ("APIC", ACPI 6.5 section 5.2.12) ---- */

/* Capacities of HL_MADT_INFO: entries beyond them are counted in the *Total fields and set Truncated. */
#define HL_MADT_MAX_PROCESSORS  64
#define HL_MADT_MAX_IO_APICS    8
#define HL_MADT_MAX_OVERRIDES   16
#define HL_MADT_MAX_NMI_SOURCES 8
#define HL_MADT_MAX_LOCAL_NMIS  16

/* MADT entry types and the sizes this parser requires (longer entries are accepted, shorter ones are malformed). */
#define ACPI_MADT_LOCAL_APIC          0           /* 8 bytes */
#define ACPI_MADT_IO_APIC             1           /* 12 bytes */
#define ACPI_MADT_SOURCE_OVERRIDE     2           /* 10 bytes */
#define ACPI_MADT_NMI_SOURCE          3           /* 8 bytes */
#define ACPI_MADT_LOCAL_APIC_NMI      4           /* 6 bytes */
#define ACPI_MADT_LOCAL_APIC_OVERRIDE 5           /* 12 bytes */
#define ACPI_MADT_LOCAL_X2APIC        9           /* 16 bytes */
#define ACPI_MADT_LOCAL_X2APIC_NMI    10          /* 12 bytes */
#define ACPI_MADT_ENTRIES             44          /* offset of the first entry: header, local APIC address, flags */
#define ACPI_MADT_PCAT_COMPAT         (1u << 0)   /* MADT flags: dual 8259s present (mask them) */
#define ACPI_MADT_ENABLED             (1u << 0)   /* processor flags */
#define ACPI_MADT_ONLINE_CAPABLE      (1u << 1)   /* processor flags, MADT revision >= 5 */
#define ACPI_MADT_ALL_PROCESSORS      0xFFFFFFFFu /* local NMI ProcessorUid: every processor (type 4's 0xFF) */

/* MPS INTI flags of overrides and NMI entries: polarity (bits 0-1) and trigger mode (bits 2-3). */
#define ACPI_MPS_POLARITY_MASK     0x3
#define ACPI_MPS_POLARITY_CONFORMS 0x0 /* the bus default (ISA: active high) */
#define ACPI_MPS_POLARITY_HIGH     0x1
#define ACPI_MPS_POLARITY_LOW      0x3
#define ACPI_MPS_TRIGGER_MASK      0xC
#define ACPI_MPS_TRIGGER_CONFORMS  0x0 /* the bus default (ISA: edge) */
#define ACPI_MPS_TRIGGER_EDGE      0x4
#define ACPI_MPS_TRIGGER_LEVEL     0xC

/* A processor's local APIC (type 0) or local x2APIC (type 9). */
typedef struct _HL_MADT_PROCESSOR {
    ULONG ApicId;          /* 8-bit for type 0, 32-bit for type 9 */
    ULONG ProcessorUid;    /* ACPI processor UID (8-bit for type 0) */
    BOOLEAN Enabled;       /* usable now */
    BOOLEAN OnlineCapable; /* disabled but may be brought online (MADT revision >= 5, flag bit 1) */
    BOOLEAN X2Apic;        /* from a type 9 entry */
} HL_MADT_PROCESSOR, *PHL_MADT_PROCESSOR;

/* An I/O APIC (type 1): its redirection entries serve GSIs GsiBase.. (the count is in its version register). */
typedef struct _HL_MADT_IO_APIC {
    UCHAR Id;
    ULONG Address; /* physical MMIO base */
    ULONG GsiBase;
} HL_MADT_IO_APIC, *PHL_MADT_IO_APIC;

/* An interrupt source override (type 2): bus IRQ SourceIrq is delivered on Gsi with Flags (ACPI_MPS_*). */
typedef struct _HL_MADT_OVERRIDE {
    UCHAR Bus; /* 0: ISA */
    UCHAR SourceIrq;
    USHORT Flags;
    ULONG Gsi;
} HL_MADT_OVERRIDE, *PHL_MADT_OVERRIDE;

/* A GSI wired to NMI (type 3). */
typedef struct _HL_MADT_NMI_SOURCE {
    USHORT Flags; /* ACPI_MPS_* */
    ULONG Gsi;
} HL_MADT_NMI_SOURCE, *PHL_MADT_NMI_SOURCE;

/* A local APIC LINT pin wired to NMI (type 4, or type 10 for x2APIC UIDs). */
typedef struct _HL_MADT_LOCAL_NMI {
    ULONG ProcessorUid; /* ACPI_MADT_ALL_PROCESSORS: every processor */
    USHORT Flags;       /* ACPI_MPS_* */
    UCHAR Lint;         /* 0 or 1 */
    BOOLEAN X2Apic;     /* from a type 10 entry */
} HL_MADT_LOCAL_NMI, *PHL_MADT_LOCAL_NMI;

/* Everything the interrupt start-up needs from the MADT. Counts never exceed the capacities; *Total counts every
 * entry of the kind seen (so Total > Count means some were dropped, and Truncated is set). */
typedef struct _HL_MADT_INFO {
    ULONGLONG TableAddress;      /* physical address of the MADT (0 when parsed from a buffer) */
    UCHAR Revision;              /* MADT header revision */
    ULONG Flags;                 /* ACPI_MADT_PCAT_COMPAT */
    ULONG LocalApicAddress32;    /* the header's 32-bit local APIC address */
    ULONGLONG LocalApicAddress;  /* the one to use: the type 5 override when present, else LocalApicAddress32 */
    BOOLEAN LocalApicOverridden; /* a type 5 entry gave LocalApicAddress */
    BOOLEAN Truncated;           /* some entries did not fit the arrays below */
    ULONG ProcessorCount, ProcessorTotal;
    ULONG IoApicCount, IoApicTotal;
    ULONG OverrideCount, OverrideTotal;
    ULONG NmiSourceCount, NmiSourceTotal;
    ULONG LocalNmiCount, LocalNmiTotal;
    ULONG UnknownEntries; /* entries of other types, skipped by their length */
    HL_MADT_PROCESSOR Processors[HL_MADT_MAX_PROCESSORS];
    HL_MADT_IO_APIC IoApics[HL_MADT_MAX_IO_APICS];
    HL_MADT_OVERRIDE Overrides[HL_MADT_MAX_OVERRIDES];
    HL_MADT_NMI_SOURCE NmiSources[HL_MADT_MAX_NMI_SOURCES];
    HL_MADT_LOCAL_NMI LocalNmis[HL_MADT_MAX_LOCAL_NMIS];
    CHAR Error[HL_ACPI_ERROR_SIZE]; /* why parsing failed (empty on success) */
} HL_MADT_INFO, *PHL_MADT_INFO;

/* Where an ISA IRQ arrives: its GSI, polarity and trigger mode with the overrides applied. */
typedef struct _HL_ACPI_IRQ_ROUTE {
    ULONG Gsi;
    BOOLEAN ActiveLow;      /* FALSE: active high */
    BOOLEAN LevelTriggered; /* FALSE: edge */
    BOOLEAN Overridden;     /* an interrupt source override named this IRQ */
} HL_ACPI_IRQ_ROUTE, *PHL_ACPI_IRQ_ROUTE;

/* Builds the list of processors to start from a parsed MADT (cpulist.c): the boot processor (BootApicId) first,
 * then every enabled or online-capable entry in table order, skipping disabled entries and repeated APIC IDs, at most
 * MaxCpus in all (0: HL_MAXIMUM_PROCESSORS). */
VOID HlAcpiBuildProcessorList(const HL_MADT_INFO *Info, ULONG BootApicId, ULONG MaxCpus, PHL_PROCESSOR_LIST List);

/* Finds the MADT from the RSDP at RsdpAddress and parses it (HlAcpiParseMadt). */
XTSTATUS HlAcpiReadMadt(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_MADT_INFO Info);

/* Parses a whole, checksum-verified MADT of Length bytes (its header's length). STATUS_DATA_ERROR, with Info->Error
 * naming the entry, for a table shorter than its fixed part or an entry of length 0, shorter than its type needs, or
 * running past the table (the counts then describe only the entries before it: do not use them); too many entries
 * only set Truncated. */
XTSTATUS HlAcpiParseMadt(const UCHAR *Table, ULONG Length, PHL_MADT_INFO Info);

/* The route of ISA IRQ Irq (0-15): GSI = Irq, edge, active high unless an ISA (bus 0) override names it; an
 * override's "conforms" (or reserved) polarity or trigger keeps the ISA default. STATUS_INVALID_PARAMETER for
 * Irq > 15. */
XTSTATUS HlAcpiResolveIsaIrq(const HL_MADT_INFO *Info, UCHAR Irq, PHL_ACPI_IRQ_ROUTE Route);

/* ---- HPET ("HPET", IA-PC HPET specification 1.0a section 3.2.4) ---- */

#define ACPI_HPET_LENGTH 56 /* the table's fixed size */

typedef struct _HL_HPET_INFO {
    ULONGLONG TableAddress;
    ULONGLONG BaseAddress;            /* physical MMIO base of the timer block (system memory) */
    ULONG EventTimerBlockId;          /* raw: revision, comparators, counter size, legacy routing, PCI vendor */
    UCHAR HardwareRevision;           /* bits 0-7 */
    UCHAR ComparatorCount;            /* bits 8-12 plus one */
    BOOLEAN Counter64Bit;             /* bit 13: COUNT_SIZE_CAP */
    BOOLEAN LegacyReplacementCapable; /* bit 15 */
    USHORT VendorId;                  /* bits 16-31 */
    UCHAR HpetNumber;
    USHORT MinimumTick;   /* main counter minimum clock tick in periodic mode */
    UCHAR PageProtection; /* bits 0-3: 0 none, 1 4 KiB, 2 64 KiB */
    CHAR Error[HL_ACPI_ERROR_SIZE];
} HL_HPET_INFO, *PHL_HPET_INFO;

/* Finds the HPET table and parses it (HlAcpiParseHpet). */
XTSTATUS HlAcpiReadHpet(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_HPET_INFO Info);

/* Parses a whole, checksum-verified HPET table. STATUS_DATA_ERROR when shorter than ACPI_HPET_LENGTH, when the base
 * address is not in system memory, or is 0. */
XTSTATUS HlAcpiParseHpet(const UCHAR *Table, ULONG Length, PHL_HPET_INFO Info);

/* ---- FADT ("FACP") fields for clocks and the RTC (ACPI 6.5 table 5.9) ---- */

#define ACPI_FADT_SCI_INT              46
#define ACPI_FADT_PM_TMR_BLK           76
#define ACPI_FADT_PM_TMR_LEN           91
#define ACPI_FADT_CENTURY              108
#define ACPI_FADT_IAPC_BOOT_ARCH       109
#define ACPI_FADT_FLAGS                112
#define ACPI_FADT_X_PM_TMR_BLK         208
#define ACPI_FADT_V1_LENGTH            116        /* ACPI 1.0 FADT: everything up to and including Flags */
#define ACPI_FADT_TMR_VAL_EXT          (1u << 8)  /* Flags: the PM timer counts 32 bits (else 24) */
#define ACPI_FADT_HW_REDUCED_ACPI      (1u << 20) /* Flags: no fixed hardware (no PM timer) */
#define ACPI_BOOT_LEGACY_DEVICES       (1u << 0)  /* IAPC_BOOT_ARCH (FADT revision >= 3) */
#define ACPI_BOOT_8042                 (1u << 1)
#define ACPI_BOOT_VGA_NOT_PRESENT      (1u << 2)
#define ACPI_BOOT_MSI_NOT_SUPPORTED    (1u << 3)
#define ACPI_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5) /* FADT revision >= 5 */

typedef struct _HL_FADT_CLOCK_INFO {
    ULONGLONG TableAddress;
    UCHAR Revision;           /* FADT header revision (1: ACPI 1.0, 3: 2.0, 5: 5.0, 6: 6.x) */
    ULONG Length;             /* FADT length */
    ULONG Flags;              /* the fixed feature flags */
    USHORT SciInterrupt;      /* SCI_INT: the SCI's ISA IRQ (route it with HlAcpiResolveIsaIrq) */
    BOOLEAN PmTimerPresent;   /* a PM timer block was found (and the FADT is not hardware-reduced) */
    BOOLEAN PmTimerIsMemory;  /* PmTimerAddress is system memory (X_PM_TMR_BLK only), else an I/O port */
    BOOLEAN PmTimerFromX;     /* the address came from X_PM_TMR_BLK */
    BOOLEAN PmTimer32Bit;     /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
    ULONGLONG PmTimerAddress; /* I/O port (<= 0xFFFF) or physical address */
    UCHAR Century;            /* CMOS RTC index of the century, 0 when the RTC has none */
    BOOLEAN BootArchValid;    /* IAPC_BOOT_ARCH is defined (revision >= 3); else BootArch is 0 */
    USHORT BootArch;          /* ACPI_BOOT_* (CMOS_RTC_NOT_PRESENT cleared below revision 5: reserved there) */
    BOOLEAN Has8042;          /* a keyboard controller: the 8042 flag, or assumed for ACPI 1.0 */
    BOOLEAN CmosRtcPresent;   /* not marked absent */
    CHAR Error[HL_ACPI_ERROR_SIZE];
} HL_FADT_CLOCK_INFO, *PHL_FADT_CLOCK_INFO;

/* Finds the FADT and parses its clock fields (HlAcpiParseFadtClock). */
XTSTATUS HlAcpiReadFadtClock(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PHL_FADT_CLOCK_INFO Info);

/* Parses a whole, checksum-verified FADT of Length bytes: the PM timer from X_PM_TMR_BLK when the revision is >= 3,
 * the table holds it, and it names a non-zero I/O port or memory address; else PM_TMR_BLK when PM_TMR_LEN is 4.
 * STATUS_DATA_ERROR when shorter than ACPI_FADT_V1_LENGTH. */
XTSTATUS HlAcpiParseFadtClock(const UCHAR *Table, ULONG Length, PHL_FADT_CLOCK_INFO Info);

#endif

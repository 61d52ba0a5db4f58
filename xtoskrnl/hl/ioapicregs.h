/* I/O APIC (82093AA datasheet, section 3): the indirect register pair, the redirection-table entry format, and the
 * pure routing library (ioapicops.c) that programs one or several I/O APICs through an ops table, so host tests run
 * it against a register model and the kernel against the MMIO window. */
#ifndef XTOSKRNL_HL_IOAPICREGS_H
#define XTOSKRNL_HL_IOAPICREGS_H

#include <xtbase.h>
#include <xtstatus.h>

#include "acpi.h"

/* MMIO offsets: IOREGSEL selects a register, IOWIN reads or writes it (32-bit accesses only). */
#define IOAPIC_IOREGSEL    0x00
#define IOAPIC_IOWIN       0x10
#define IOAPIC_MMIO_LENGTH 0x20

/* Indirect registers. */
#define IOAPIC_REGISTER_ID                0x00
#define IOAPIC_REGISTER_VERSION           0x01
#define IOAPIC_REGISTER_REDIRECTION       0x10 /* + 2 * pin: low dword, + 2 * pin + 1: high dword */
#define IOAPIC_VERSION_MAX_ENTRY(Version) ((((Version) >> 16) & 0xFF) + 1) /* pins: maximum redirection entry + 1 */
#define IOAPIC_MAX_PINS                   120 /* redirection registers 0x10..0xFF: two each */

/* Redirection-table entry (64 bits). */
#define IOAPIC_RTE_VECTOR_MASK       0xFFull
#define IOAPIC_RTE_DELIVERY_SHIFT    8
#define IOAPIC_RTE_DELIVERY_MASK     (7ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DELIVERY_FIXED    (0ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DELIVERY_LOWEST   (1ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DELIVERY_SMI      (2ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DELIVERY_NMI      (4ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DELIVERY_INIT     (5ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DELIVERY_EXTINT   (7ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DEST_LOGICAL      (1ull << 11)
#define IOAPIC_RTE_DELIVERY_PENDING  (1ull << 12) /* read-only */
#define IOAPIC_RTE_ACTIVE_LOW        (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR        (1ull << 14) /* read-only */
#define IOAPIC_RTE_LEVEL             (1ull << 15)
#define IOAPIC_RTE_MASKED            (1ull << 16)
#define IOAPIC_RTE_DESTINATION_SHIFT 56
#define IOAPIC_RTE_DESTINATION_MASK  (0xFFull << IOAPIC_RTE_DESTINATION_SHIFT)
#define IOAPIC_RTE_WRITABLE          (~(IOAPIC_RTE_DELIVERY_PENDING | IOAPIC_RTE_REMOTE_IRR))

/* The datasheet's bit positions (82093AA, table 3.2.4). */
STATIC_ASSERT(IOAPIC_RTE_VECTOR_MASK == 0xFF);
STATIC_ASSERT(IOAPIC_RTE_DELIVERY_MASK == 0x700);
STATIC_ASSERT(IOAPIC_RTE_DELIVERY_NMI == 0x400);
STATIC_ASSERT(IOAPIC_RTE_DEST_LOGICAL == 0x800);
STATIC_ASSERT(IOAPIC_RTE_DELIVERY_PENDING == 0x1000);
STATIC_ASSERT(IOAPIC_RTE_ACTIVE_LOW == 0x2000);
STATIC_ASSERT(IOAPIC_RTE_REMOTE_IRR == 0x4000);
STATIC_ASSERT(IOAPIC_RTE_LEVEL == 0x8000);
STATIC_ASSERT(IOAPIC_RTE_MASKED == 0x10000);
STATIC_ASSERT(IOAPIC_RTE_DESTINATION_MASK == 0xFF00000000000000ull);
STATIC_ASSERT(IOAPIC_REGISTER_REDIRECTION + 2 * IOAPIC_MAX_PINS == 0x100);

/* 32-bit access to an I/O APIC's MMIO (Offset IOAPIC_IOREGSEL or IOAPIC_IOWIN). The kernel's Context is the mapped
 * register window; a host test's is its register model. */
typedef struct _HL_IOAPIC_OPS {
    ULONG (*Read)(PVOID Context, ULONG Offset);
    VOID (*Write)(PVOID Context, ULONG Offset, ULONG Value);
} HL_IOAPIC_OPS, *PHL_IOAPIC_OPS;
typedef const HL_IOAPIC_OPS *PCHL_IOAPIC_OPS;

/* MMIO through a mapped window (Context = its virtual address). */
extern const HL_IOAPIC_OPS HlIoApicMmioOps;

/* What one redirection entry says, field by field. */
typedef struct _HL_IOAPIC_ENTRY {
    UCHAR Vector;
    UCHAR DeliveryMode; /* IOAPIC_RTE_DELIVERY_* >> IOAPIC_RTE_DELIVERY_SHIFT */
    BOOLEAN LogicalDestination;
    BOOLEAN ActiveLow;
    BOOLEAN LevelTriggered;
    BOOLEAN Masked;
    UCHAR Destination; /* physical: an APIC ID */
} HL_IOAPIC_ENTRY, *PHL_IOAPIC_ENTRY;

/* The 64-bit redirection entry of Entry, and back (read-only bits ignored). */
ULONGLONG HlIoApicEncodeEntry(const HL_IOAPIC_ENTRY *Entry);
VOID HlIoApicDecodeEntry(ULONGLONG Value, PHL_IOAPIC_ENTRY Entry);

/* One indirect register: IOREGSEL = Register, then IOWIN. The caller keeps the pair atomic (interrupts off). */
ULONG HlIoApicReadRegister(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Register);
VOID HlIoApicWriteRegister(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Register, ULONG Value);

/* Redirection entry of Pin. Writing masks the pin first (low dword with the mask bit), then writes the high dword
 * (destination), then the low dword as given: the pin never fires half-programmed. */
ULONGLONG HlIoApicReadEntry(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Pin);
VOID HlIoApicWriteEntry(PCHL_IOAPIC_OPS Ops, PVOID Context, ULONG Pin, ULONGLONG Value);

/* The number of pins (redirection entries) from the version register; 0 when it reads as no I/O APIC
 * (all ones or a count beyond IOAPIC_MAX_PINS). */
ULONG HlIoApicQueryPinCount(PCHL_IOAPIC_OPS Ops, PVOID Context, PULONG Version);

/* ---- The routing library: every I/O APIC of the MADT, GSIs to pins, ISA IRQs to GSIs ---- */

/* One I/O APIC: the MADT's facts, how to reach it, and its pin count (read at initialisation). */
typedef struct _HL_IOAPIC_UNIT {
    UCHAR Id;
    ULONG Address;
    ULONG GsiBase;
    ULONG PinCount; /* 0: unusable (its version register read as all ones) */
    ULONG Version;  /* the version register (bits 0-7: version) */
    PCHL_IOAPIC_OPS Ops;
    PVOID Context;
    ULONG OverridesApplied; /* ISA overrides whose GSI lands on this unit */
    ULONG NmiPins;          /* pins programmed as NMI from MADT NMI source entries */
} HL_IOAPIC_UNIT, *PHL_IOAPIC_UNIT;

#define HL_IOAPIC_ERROR_SIZE 120

typedef struct _HL_IOAPIC_SYSTEM {
    const HL_MADT_INFO *Madt;
    ULONG UnitCount;
    HL_IOAPIC_UNIT Units[HL_MADT_MAX_IO_APICS];
    UCHAR BootApicId;                 /* destination of every routed pin */
    ULONG IgnoredOverrides;           /* overrides of a bus other than ISA or of an IRQ >= 16 */
    CHAR Error[HL_IOAPIC_ERROR_SIZE]; /* why the last call failed (empty on success) */
} HL_IOAPIC_SYSTEM, *PHL_IOAPIC_SYSTEM;

/* Connects to the MADT's I/O APICs (Contexts[i] for Madt->IoApics[i], all through Ops), reads each pin count,
 * masks every pin, then programs the pins of the MADT's NMI sources as NMI (unmasked, edge, their polarity, to
 * BootApicId). STATUS_NOT_FOUND when the MADT lists no I/O APIC; STATUS_DATA_ERROR when two units' GSI ranges
 * overlap or an NMI source names no pin (Error says which); a unit whose version reads as all ones is kept with 0
 * pins. */
XTSTATUS HlIoApicInitialize(PHL_IOAPIC_SYSTEM System, const HL_MADT_INFO *Madt, PCHL_IOAPIC_OPS Ops,
                            PVOID const *Contexts, UCHAR BootApicId);

/* The unit and pin serving Gsi; STATUS_NOT_FOUND (Error names the GSI and the ranges) when no I/O APIC covers it. */
XTSTATUS HlIoApicFindGsi(PHL_IOAPIC_SYSTEM System, ULONG Gsi, PHL_IOAPIC_UNIT *Unit, PULONG Pin);

/* The route of ISA IRQ Irq (0-15) with the MADT's ISA overrides applied (HlAcpiResolveIsaIrq); STATUS_INVALID_PARAMETER
 * for Irq > 15. */
XTSTATUS HlIoApicResolveIsaIrq(PHL_IOAPIC_SYSTEM System, ULONG Irq, PHL_ACPI_IRQ_ROUTE Route);

/* Programs Gsi as a fixed, physical-destination interrupt on Vector (32..254) to the boot APIC with the given
 * polarity and trigger, unmasked. STATUS_INVALID_PARAMETER for a bad vector, STATUS_NOT_FOUND for a GSI no unit
 * covers, STATUS_DEVICE_BUSY when the pin is an NMI source. */
XTSTATUS HlIoApicRouteGsi(PHL_IOAPIC_SYSTEM System, ULONG Gsi, ULONG Vector, BOOLEAN ActiveLow, BOOLEAN LevelTriggered);

/* Sets the mask bit of Gsi's pin (the rest of the entry kept). STATUS_NOT_FOUND for a GSI no unit covers. */
XTSTATUS HlIoApicMaskGsi(PHL_IOAPIC_SYSTEM System, ULONG Gsi);

/* Masks every unmasked fixed-delivery pin programmed with Vector; returns how many, and the first one's GSI in
 * *FirstGsi (untouched when none). */
ULONG HlIoApicMaskVector(PHL_IOAPIC_SYSTEM System, ULONG Vector, PULONG FirstGsi);

#endif

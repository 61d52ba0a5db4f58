/* Private to the ACPI parsers (acpi.c, madt.c, acpitime.c): unaligned little-endian reads, the error message, and
 * the checked mapping of a table found by signature. */
#ifndef XTOSKRNL_HL_ACPIP_H
#define XTOSKRNL_HL_ACPIP_H

#include "acpi.h"

/* Little-endian reads from byte arrays (tables are not aligned); the caller checks the bounds. */
static inline USHORT HlpRead16(const UCHAR *Bytes) {
    return (USHORT)(Bytes[0] | (Bytes[1] << 8));
}

static inline ULONG HlpRead32(const UCHAR *Bytes) {
    return (ULONG)Bytes[0] | ((ULONG)Bytes[1] << 8) | ((ULONG)Bytes[2] << 16) | ((ULONG)Bytes[3] << 24);
}

static inline ULONGLONG HlpRead64(const UCHAR *Bytes) {
    return (ULONGLONG)HlpRead32(Bytes) | ((ULONGLONG)HlpRead32(Bytes + 4) << 32);
}

/* Writes a message into Error (HL_ACPI_ERROR_SIZE bytes) and returns Status. */
XTSTATUS HlpAcpiFail(PCHAR Error, XTSTATUS Status, PCSTR Format, ...);

/* Finds the table with Signature from the RSDP and maps it whole after checking its signature, length (header to
 * ACPI_MAX_TABLE_LENGTH) and checksum. On success the caller unmaps Table with Access->Unmap(.., Length). */
XTSTATUS HlpAcpiMapTableBySignature(const HL_ACPI_ACCESS *Access, ULONGLONG RsdpAddress, PCSTR Signature, PCHAR Error,
                                    PULONGLONG Address, const UCHAR **Table, PULONG Length);

#endif

/* Tests of the ConOut routing decision: device paths shaped as OVMF builds them, a fake firmware that knows which
 * consoles exist and which Super I/O device sits where, and malformed input. */
#include <rtl.h>
#include <xtest.h>

#include "../conout.h"

/* Device path nodes (type, subtype, length, data), as OVMF's ConOut holds them. */
#define NODE_PCI_ROOT  0x02, 0x01, 0x0C, 0x00, 0xD0, 0x41, 0x03, 0x0A, 0x00, 0x00, 0x00, 0x00 /* PciRoot(0x0) */
#define NODE_PCI_LPC   0x01, 0x01, 0x06, 0x00, 0x00, 0x1F                                     /* Pci(0x1F,0x0) */
#define NODE_PCI_VGA   0x01, 0x01, 0x06, 0x00, 0x00, 0x01                                     /* Pci(0x1,0x0) */
#define NODE_SERIAL(U) 0x02, 0x01, 0x0C, 0x00, 0xD0, 0x41, 0x01, 0x05, (U), 0x00, 0x00, 0x00  /* Serial(U) */
#define NODE_UART      0x03, 0x0E, 0x13, 0x00, 0, 0, 0, 0, 0x00, 0xC2, 0x01, 0, 0, 0, 0, 0, 8, 1, 1
#define NODE_VT100                                                                                                     \
    0x03, 0x0A, 0x14, 0x00, 0x65, 0x80, 0x72, 0xDF, 0x8F, 0x3F, 0xD1, 0x11, 0x9A, 0x1E, 0x00, 0x90, 0x27, 0x3F, 0xC1,  \
        0x4D                                                         /* VenVt100() */
#define NODE_ACPI_ADR 0x02, 0x03, 0x08, 0x00, 0x00, 0x01, 0x01, 0x80 /* AcpiAdr(0x80010100) */
#define END_INSTANCE  0x7F, 0x01, 0x04, 0x00
#define END_ENTIRE    0x7F, 0xFF, 0x04, 0x00

#define COM_PATH(U) NODE_PCI_ROOT, NODE_PCI_LPC, NODE_SERIAL(U), NODE_UART, NODE_VT100
#define GOP_PATH    NODE_PCI_ROOT, NODE_PCI_VGA, NODE_ACPI_ADR

static const UCHAR OvmfConOut[] = {COM_PATH(0), END_INSTANCE, COM_PATH(1), END_INSTANCE, GOP_PATH, END_ENTIRE};
static const UCHAR Com1Console[] = {COM_PATH(0), END_ENTIRE};
static const UCHAR Com2Console[] = {COM_PATH(1), END_ENTIRE};
static const UCHAR Com1Sio[] = {NODE_PCI_ROOT, NODE_PCI_LPC, NODE_SERIAL(0), END_ENTIRE};
static const UCHAR Com2Sio[] = {NODE_PCI_ROOT, NODE_PCI_LPC, NODE_SERIAL(1), END_ENTIRE};

/* The fake firmware: the consoles that exist and the Super I/O devices with their I/O base. */
typedef struct _FAKE_FIRMWARE {
    const UCHAR *Consoles[4];
    SIZE_T ConsoleSizes[4];
    const UCHAR *SioPaths[4];
    SIZE_T SioSizes[4];
    USHORT SioBases[4];
    ULONG Lookups;
} FAKE_FIRMWARE;

/* Bytes of a single-instance path up to and including its End-Entire node. */
static SIZE_T PathSize(const EFI_DEVICE_PATH_PROTOCOL *Path) {
    const UCHAR *Bytes = (const UCHAR *)Path;
    SIZE_T Offset = 0;
    while (!(Bytes[Offset] == 0x7F && Bytes[Offset + 1] == 0xFF)) {
        Offset += Bytes[Offset + 2] | (Bytes[Offset + 3] << 8);
    }
    return Offset + 4;
}

static BOOLEAN SamePath(const EFI_DEVICE_PATH_PROTOCOL *Path, const UCHAR *Known, SIZE_T KnownSize) {
    return Known && PathSize(Path) == KnownSize && RtlCompareMemory(Path, Known, KnownSize) == KnownSize;
}

static BOOLEAN FakeIsTextOutput(PVOID Context, const EFI_DEVICE_PATH_PROTOCOL *Path) {
    FAKE_FIRMWARE *Fake = Context;
    Fake->Lookups++;
    for (ULONG Index = 0; Index < 4; Index++) {
        if (SamePath(Path, Fake->Consoles[Index], Fake->ConsoleSizes[Index])) {
            return TRUE;
        }
    }
    return FALSE;
}

static USHORT FakeGetIoBase(PVOID Context, const EFI_DEVICE_PATH_PROTOCOL *Path) {
    FAKE_FIRMWARE *Fake = Context;
    Fake->Lookups++;
    for (ULONG Index = 0; Index < 4; Index++) {
        if (SamePath(Path, Fake->SioPaths[Index], Fake->SioSizes[Index])) {
            return Fake->SioBases[Index];
        }
    }
    return 0;
}

static FAKE_FIRMWARE Fake;
static BL_CONOUT_UARTS Uarts;
static const BL_CONOUT_FIRMWARE Firmware = {FakeIsTextOutput, FakeGetIoBase, &Fake};

/* OVMF with the UARTs given present (COM1 at 0x3f8, COM2 at 0x2f8 when there). */
static VOID FakeOvmf(BOOLEAN Com1, BOOLEAN Com2) {
    RtlZeroMemory(&Fake, sizeof(Fake));
    Fake.SioPaths[0] = Com1Sio;
    Fake.SioSizes[0] = sizeof(Com1Sio);
    Fake.SioBases[0] = 0x3F8;
    Fake.SioPaths[1] = Com2Sio;
    Fake.SioSizes[1] = sizeof(Com2Sio);
    Fake.SioBases[1] = 0x2F8;
    if (Com1) {
        Fake.Consoles[0] = Com1Console;
        Fake.ConsoleSizes[0] = sizeof(Com1Console);
    }
    if (Com2) {
        Fake.Consoles[1] = Com2Console;
        Fake.ConsoleSizes[1] = sizeof(Com2Console);
    }
}

XTEST(OvmfConsoleReachesItsLiveUartsOnly) {
    FakeOvmf(TRUE, FALSE);
    BlFindConOutUarts(OvmfConOut, sizeof(OvmfConOut), &Firmware, &Uarts);
    XTEST_CHECK_EQ(Uarts.Instances, 3);
    XTEST_CHECK_EQ(Uarts.Count, 1);
    XTEST_CHECK_EQ(Uarts.Unresolved, 0);
    XTEST_CHECK(!Uarts.Malformed);
    XTEST_CHECK(BlConOutReachesUart(&Uarts, 0x3F8));
    XTEST_CHECK(!BlConOutReachesUart(&Uarts, 0x2F8)); /* named in ConOut, but absent */
    XTEST_CHECK(!BlConOutReachesUart(&Uarts, 0x3E8));
    FakeOvmf(FALSE, TRUE);
    BlFindConOutUarts(OvmfConOut, sizeof(OvmfConOut), &Firmware, &Uarts);
    XTEST_CHECK(!BlConOutReachesUart(&Uarts, 0x3F8));
    XTEST_CHECK(BlConOutReachesUart(&Uarts, 0x2F8));
}

XTEST(FirmwareWithoutSerialConsoleReachesNoUart) {
    static const UCHAR GopOnly[] = {GOP_PATH, END_ENTIRE};
    FakeOvmf(FALSE, FALSE); /* OVMF's ConOut names COM1 and COM2, neither exists */
    BlFindConOutUarts(OvmfConOut, sizeof(OvmfConOut), &Firmware, &Uarts);
    XTEST_CHECK_EQ(Uarts.Count, 0);
    XTEST_CHECK(!BlConOutReachesUart(&Uarts, 0x3F8));
    FakeOvmf(TRUE, TRUE); /* a ConOut without any UART node: the port is never reached */
    BlFindConOutUarts(GopOnly, sizeof(GopOnly), &Firmware, &Uarts);
    XTEST_CHECK_EQ(Uarts.Instances, 1);
    XTEST_CHECK_EQ(Uarts.Count, 0);
    XTEST_CHECK_EQ(Fake.Lookups, 0);
    BlFindConOutUarts(NULL, 0, &Firmware, &Uarts); /* no ConOut variable */
    XTEST_CHECK_EQ(Uarts.Count, 0);
    XTEST_CHECK(!Uarts.Malformed);
}

XTEST(UartWithoutSuperIoParentIsUnresolvedNotReached) {
    /* A PCI serial card: UART node right under the PCI device, no Super I/O handle to ask for the port. */
    static const UCHAR PciSerial[] = {NODE_PCI_ROOT, NODE_PCI_VGA, NODE_UART, NODE_VT100, END_ENTIRE};
    FakeOvmf(TRUE, FALSE);
    Fake.Consoles[2] = PciSerial;
    Fake.ConsoleSizes[2] = sizeof(PciSerial);
    BlFindConOutUarts(PciSerial, sizeof(PciSerial), &Firmware, &Uarts);
    XTEST_CHECK_EQ(Uarts.Count, 0);
    XTEST_CHECK_EQ(Uarts.Unresolved, 1);
    XTEST_CHECK(!BlConOutReachesUart(&Uarts, 0x3F8));
}

XTEST(MalformedPathsStopWithoutReadingPastTheEnd) {
    static UCHAR Path[sizeof(OvmfConOut) + 8];
    FakeOvmf(TRUE, TRUE);
    /* Cut at every length: reading stops at Size, and a cut instance never yields a UART. */
    for (SIZE_T Size = 0; Size < sizeof(OvmfConOut); Size++) {
        RtlCopyMemory(Path, OvmfConOut, Size);
        BlFindConOutUarts(Path, Size, &Firmware, &Uarts);
        XTEST_CHECK(Size == 0 || Uarts.Malformed);
        XTEST_CHECK(Uarts.Count <= 2);
    }
    /* A zero-length node would loop forever; a node longer than the rest is cut short. */
    RtlCopyMemory(Path, OvmfConOut, sizeof(OvmfConOut));
    Path[2] = 0;
    Path[3] = 0;
    BlFindConOutUarts(Path, sizeof(OvmfConOut), &Firmware, &Uarts);
    XTEST_CHECK(Uarts.Malformed);
    XTEST_CHECK_EQ(Uarts.Count, 0);
    RtlCopyMemory(Path, OvmfConOut, sizeof(OvmfConOut));
    Path[2] = 0xFF;
    Path[3] = 0xFF;
    BlFindConOutUarts(Path, sizeof(OvmfConOut), &Firmware, &Uarts);
    XTEST_CHECK(Uarts.Malformed);
    XTEST_CHECK_EQ(Uarts.Count, 0);
    /* The complete path with trailing bytes after End-Entire: they are not read as another instance. */
    RtlCopyMemory(Path, OvmfConOut, sizeof(OvmfConOut));
    BlFindConOutUarts(Path, sizeof(Path), &Firmware, &Uarts);
    XTEST_CHECK(!Uarts.Malformed);
    XTEST_CHECK_EQ(Uarts.Instances, 3);
    XTEST_CHECK_EQ(Uarts.Count, 2);
}

XTEST(OverlongInstanceIsUnresolved) {
    static UCHAR Long[BL_CONOUT_MAX_INSTANCE + 64];
    static const UCHAR Uart[] = {NODE_UART};
    SIZE_T Offset = 0;
    /* Vendor nodes of 100 bytes each, then a UART node and the end: too long to look up. */
    while (Offset + 100 < BL_CONOUT_MAX_INSTANCE) {
        Long[Offset] = 0x01;
        Long[Offset + 1] = 0x04;
        Long[Offset + 2] = 100;
        Offset += 100;
    }
    RtlCopyMemory(Long + Offset, Uart, sizeof(Uart));
    Offset += sizeof(Uart);
    RtlCopyMemory(Long + Offset, (UCHAR[]){END_ENTIRE}, 4);
    FakeOvmf(TRUE, TRUE);
    BlFindConOutUarts(Long, Offset + 4, &Firmware, &Uarts);
    XTEST_CHECK(!Uarts.Malformed);
    XTEST_CHECK_EQ(Uarts.Unresolved, 1);
    XTEST_CHECK_EQ(Uarts.Count, 0);
}

XTEST(AcpiResourcesGiveTheIoBase) {
    static const UCHAR Fixed[] = {0x4B, 0xF8, 0x03, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00}; /* FixedIO, IRQ4, End */
    static const UCHAR Io[] = {0x22, 0x08, 0x00, 0x47, 0x01, 0xF8, 0x02, 0xF8, 0x02, 0x01, 0x08, 0x79, 0x00};
    static const UCHAR Large[] = {0x86, 0x09, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x4B, 0xE8, 0x03, 0x08, 0x79, 0x00};
    static const UCHAR NoIo[] = {0x22, 0x10, 0x00, 0x79, 0x00, 0x4B, 0xF8, 0x03, 0x08};
    USHORT Base = 0;
    XTEST_CHECK(BlAcpiResourcesFindIoBase(Fixed, sizeof(Fixed), &Base));
    XTEST_CHECK_EQ(Base, 0x3F8);
    XTEST_CHECK(BlAcpiResourcesFindIoBase(Io, sizeof(Io), &Base));
    XTEST_CHECK_EQ(Base, 0x2F8);
    XTEST_CHECK(BlAcpiResourcesFindIoBase(Large, sizeof(Large), &Base));
    XTEST_CHECK_EQ(Base, 0x3E8);
    XTEST_CHECK(!BlAcpiResourcesFindIoBase(NoIo, sizeof(NoIo), &Base)); /* stops at the End tag */
    for (SIZE_T Size = 0; Size < sizeof(Fixed) - 6; Size++) {
        XTEST_CHECK(!BlAcpiResourcesFindIoBase(Fixed, Size, &Base)); /* a cut descriptor is never read */
    }
    XTEST_CHECK(!BlAcpiResourcesFindIoBase(Large, 5, &Base));
    XTEST_CHECK(!BlAcpiResourcesFindIoBase(NULL, 16, &Base));
}

XTEST_SUITE(BlConOutSuite, XTEST_ENTRY(OvmfConsoleReachesItsLiveUartsOnly),
            XTEST_ENTRY(FirmwareWithoutSerialConsoleReachesNoUart),
            XTEST_ENTRY(UartWithoutSuperIoParentIsUnresolvedNotReached),
            XTEST_ENTRY(MalformedPathsStopWithoutReadingPastTheEnd), XTEST_ENTRY(OverlongInstanceIsUnresolved),
            XTEST_ENTRY(AcpiResourcesGiveTheIoBase));

XTEST_HOST_MAIN(&BlConOutSuite)

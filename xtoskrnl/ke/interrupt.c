/* Interrupt objects and the dispatcher of vectors 32..255: raise to the vector's RunLevel, call the connected
 * object, acknowledge at the local APIC, lower. Vectors with no object are counted and reported once each, never fatal.
 */
#include <hl.h>
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"
#include "storm.h"

static PKINTERRUPT KiInterruptObjects[AR_IDT_VECTORS];
static ULONG KiUnexpectedCounts[AR_IDT_VECTORS];

VOID KeInitializeInterrupt(PKINTERRUPT Interrupt, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext,
                           ULONG Vector) {
    Interrupt->ServiceRoutine = ServiceRoutine;
    Interrupt->ServiceContext = ServiceContext;
    Interrupt->Vector = Vector;
    Interrupt->RunLevel = Vector < AR_IDT_VECTORS ? KeGetVectorRunLevel(Vector) : HIGH_LEVEL;
    Interrupt->Connected = FALSE;
}

BOOLEAN KeConnectInterrupt(PKINTERRUPT Interrupt) {
    BOOLEAN Connected = FALSE;
    ULONG_PTR Flags;

    if (Interrupt->Vector < AR_FIRST_INTERRUPT_VECTOR || Interrupt->Vector >= AR_IDT_VECTORS ||
        Interrupt->Vector == DPC_VECTOR || Interrupt->Vector == APC_VECTOR || Interrupt->ServiceRoutine == NULL ||
        Interrupt->Connected) {
        return FALSE;
    }
    Flags = ArDisableInterrupts();
    if (KiInterruptObjects[Interrupt->Vector] == NULL) {
        KiInterruptObjects[Interrupt->Vector] = Interrupt;
        Interrupt->Connected = Connected = TRUE;
    }
    ArRestoreInterrupts(Flags);
    return Connected;
}

BOOLEAN KeDisconnectInterrupt(PKINTERRUPT Interrupt) {
    BOOLEAN Disconnected = FALSE;
    ULONG_PTR Flags;

    if (!Interrupt->Connected) {
        return FALSE;
    }
    Flags = ArDisableInterrupts();
    if (KiInterruptObjects[Interrupt->Vector] == Interrupt) {
        KiInterruptObjects[Interrupt->Vector] = NULL;
        Interrupt->Connected = FALSE;
        Disconnected = TRUE;
    }
    ArRestoreInterrupts(Flags);
    return Disconnected;
}

ULONG KeGetUnexpectedInterruptCount(ULONG Vector) {
    return Vector < AR_IDT_VECTORS ? KiUnexpectedCounts[Vector] : 0;
}

VOID KiDispatchInterrupt(ULONG Vector, PKTRAP_FRAME TrapFrame) {
    PKINTERRUPT Interrupt = KiInterruptObjects[Vector];
    KRUNLEVEL Level = KeGetVectorRunLevel(Vector);
    KRUNLEVEL Old = KeGetCurrentRunLevel();

    (VOID) TrapFrame;
    if (Level > Old) {
        KiWriteRunLevel(Level);
    }
    if (Vector == DPC_VECTOR || Vector == APC_VECTOR) {
        HlEndOfInterrupt(Vector);
        KiDispatchSoftwareInterrupt(Vector);
    } else {
        if (Interrupt != NULL) {
            Interrupt->ServiceRoutine(Interrupt, Interrupt->ServiceContext);
        } else if (KiUnexpectedCounts[Vector]++ == 0) {
            KdPrint("KE: unexpected interrupt on vector 0x%02X (no object connected; counted, reported once)\n",
                    Vector);
        }
        KiCheckInterruptStorm(Vector); /* storm.c: masks a device line that fires continuously */
        HlEndOfInterrupt(Vector);
    }
    if (Level > Old) {
        KiWriteRunLevel(Old);
    }
}

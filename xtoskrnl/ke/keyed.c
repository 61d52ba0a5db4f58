/* Keyed events and the one-word sleeping mutex built on them (NT's keyed events, which back its critical sections and
 * push locks the same way). A keyed wait blocks the calling thread on an address (the key) until a keyed release of
 * the same key; the two rendezvous: whichever comes first blocks until the other arrives, so a release never gets
 * lost when it overtakes the wait it is meant for. The waits and releases in flight are on one list under the
 * dispatcher lock, each entry on its thread's stack. docs/kernel.md "The dispatcher: keyed mutexes". */
#include <kd.h>
#include <rtl.h>

#include "ki.h"
#include "kidisp.h"

/* A thread blocked in a keyed wait or release, on its own stack. */
typedef struct _KI_KEYED_WAITER {
    LIST_ENTRY ListEntry;
    PVOID Key;
    PKTHREAD Thread;
    BOOLEAN Release; /* a release waiting for its waiter (else a wait waiting for its release) */
} KI_KEYED_WAITER, *PKI_KEYED_WAITER;

static LIST_ENTRY KiKeyedListHead = {&KiKeyedListHead, &KiKeyedListHead};

/* Rendezvous on Key as a wait (Release FALSE) or a release (TRUE): wakes the first opposite party waiting on Key, else
 * blocks until one arrives. Lock held; returns with it held. */
static VOID KiKeyedRendezvous(PVOID Key, BOOLEAN Release) {
    PKTHREAD Thread = KeGetCurrentThread();
    KI_KEYED_WAITER Self;
    PKI_KEYED_WAITER Other;

    for (PLIST_ENTRY Entry = KiKeyedListHead.Flink; Entry != &KiKeyedListHead; Entry = Entry->Flink) {
        Other = CONTAINING_RECORD(Entry, KI_KEYED_WAITER, ListEntry);
        if (Other->Key == Key && Other->Release != Release) {
            RtlRemoveEntryList(&Other->ListEntry);
            KiUnwaitThread(Other->Thread, STATUS_SUCCESS, 0);
            return;
        }
    }
    Self.Key = Key;
    Self.Thread = Thread;
    Self.Release = Release;
    RtlInsertTailList(&KiKeyedListHead, &Self.ListEntry);
    Thread->WaitBlockList = NULL;
    Thread->WaitReason = Executive;
    Thread->State = Waiting;
    KiSwapThread(Thread);
}

VOID KeWaitForKeyedEvent(PVOID Key) {
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    Old = KiAcquireDispatcherLock();
    KiKeyedRendezvous(Key, FALSE);
    KiReleaseDispatcherLock(Old);
}

VOID KeReleaseKeyedEvent(PVOID Key) {
    KRUNLEVEL Old;

    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    Old = KiAcquireDispatcherLock();
    KiKeyedRendezvous(Key, TRUE);
    KiReleaseDispatcherLock(Old);
}

VOID KeAcquireKeyedMutex(PKKEYED_MUTEX Mutex) {
    if (__atomic_fetch_add(Mutex, 1, __ATOMIC_ACQUIRE) != 0) {
        KeWaitForKeyedEvent((PVOID)Mutex); /* the releaser hands it over: it stays counted as ours */
    }
}

VOID KeReleaseKeyedMutex(PKKEYED_MUTEX Mutex) {
    if (__atomic_sub_fetch(Mutex, 1, __ATOMIC_RELEASE) != 0) {
        KeReleaseKeyedEvent((PVOID)Mutex); /* a waiter counted itself in: hand it the mutex */
    }
}

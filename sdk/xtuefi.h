/* XT SDK: UEFI 2.x definitions used by the boot loader (spec names, XT base types, layouts checked below). */
#ifndef XT_SDK_XTUEFI_H
#define XT_SDK_XTUEFI_H

#include <xtbase.h>

/* Calling convention of every UEFI service: the Microsoft x64 ABI on amd64, plain cdecl on IA-32.
 * This is the one place where the SDK tests the compiler's target. */
#if defined(__x86_64__) || defined(_M_X64)
#define EFIAPI __attribute__((ms_abi))
#else
#define EFIAPI
#endif

/* Basic UEFI types (UEFI 2.10, section 2.3.1) mapped onto XT types. */
typedef ULONG_PTR UINTN, *PUINTN;
typedef LONG_PTR INTN, *PINTN;
typedef WCHAR CHAR16, *PCHAR16;
typedef UINTN EFI_STATUS;
typedef PVOID EFI_HANDLE, *PEFI_HANDLE;
typedef PVOID EFI_EVENT, *PEFI_EVENT;
typedef UINTN EFI_TPL;
typedef ULONGLONG EFI_LBA;
typedef ULONGLONG EFI_PHYSICAL_ADDRESS, *PEFI_PHYSICAL_ADDRESS;
typedef ULONGLONG EFI_VIRTUAL_ADDRESS, *PEFI_VIRTUAL_ADDRESS;

typedef struct _EFI_GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} EFI_GUID, *PEFI_GUID;

/* Status codes: errors have the top bit of UINTN set (bit 63 on amd64, bit 31 on IA-32), warnings do not. */
#define EFI_ERROR_BIT   ((UINTN)1 << (sizeof(UINTN) * 8 - 1))
#define EFIERR(Code)    ((EFI_STATUS)(EFI_ERROR_BIT | (UINTN)(Code)))
#define EFI_ERROR(Code) (((INTN)(EFI_STATUS)(Code)) < 0)

#define EFI_SUCCESS              ((EFI_STATUS)0)
#define EFI_LOAD_ERROR           EFIERR(1)
#define EFI_INVALID_PARAMETER    EFIERR(2)
#define EFI_UNSUPPORTED          EFIERR(3)
#define EFI_BAD_BUFFER_SIZE      EFIERR(4)
#define EFI_BUFFER_TOO_SMALL     EFIERR(5)
#define EFI_NOT_READY            EFIERR(6)
#define EFI_DEVICE_ERROR         EFIERR(7)
#define EFI_WRITE_PROTECTED      EFIERR(8)
#define EFI_OUT_OF_RESOURCES     EFIERR(9)
#define EFI_VOLUME_CORRUPTED     EFIERR(10)
#define EFI_VOLUME_FULL          EFIERR(11)
#define EFI_NO_MEDIA             EFIERR(12)
#define EFI_MEDIA_CHANGED        EFIERR(13)
#define EFI_NOT_FOUND            EFIERR(14)
#define EFI_ACCESS_DENIED        EFIERR(15)
#define EFI_NO_RESPONSE          EFIERR(16)
#define EFI_NO_MAPPING           EFIERR(17)
#define EFI_TIMEOUT              EFIERR(18)
#define EFI_NOT_STARTED          EFIERR(19)
#define EFI_ALREADY_STARTED      EFIERR(20)
#define EFI_ABORTED              EFIERR(21)
#define EFI_ICMP_ERROR           EFIERR(22)
#define EFI_TFTP_ERROR           EFIERR(23)
#define EFI_PROTOCOL_ERROR       EFIERR(24)
#define EFI_INCOMPATIBLE_VERSION EFIERR(25)
#define EFI_SECURITY_VIOLATION   EFIERR(26)
#define EFI_CRC_ERROR            EFIERR(27)
#define EFI_END_OF_MEDIA         EFIERR(28)
#define EFI_END_OF_FILE          EFIERR(31)
#define EFI_INVALID_LANGUAGE     EFIERR(32)
#define EFI_COMPROMISED_DATA     EFIERR(33)
#define EFI_IP_ADDRESS_CONFLICT  EFIERR(34)
#define EFI_HTTP_ERROR           EFIERR(35)

#define EFI_WARN_UNKNOWN_GLYPH    ((EFI_STATUS)1)
#define EFI_WARN_DELETE_FAILURE   ((EFI_STATUS)2)
#define EFI_WARN_WRITE_FAILURE    ((EFI_STATUS)3)
#define EFI_WARN_BUFFER_TOO_SMALL ((EFI_STATUS)4)
#define EFI_WARN_STALE_DATA       ((EFI_STATUS)5)
#define EFI_WARN_FILE_SYSTEM      ((EFI_STATUS)6)
#define EFI_WARN_RESET_REQUIRED   ((EFI_STATUS)7)

/* GUIDs, as initialisers: `EFI_GUID Guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;`. */
#define EFI_LOADED_IMAGE_PROTOCOL_GUID                                                                                 \
    {                                                                                                                  \
        0x5B1B31A1, 0x9562, 0x11D2, {                                                                                  \
            0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B                                                             \
        }                                                                                                              \
    }
#define EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID                                                                     \
    {                                                                                                                  \
        0xBC62157E, 0x3E33, 0x4FEC, {                                                                                  \
            0x99, 0x20, 0x2D, 0x3B, 0x36, 0xD7, 0x50, 0xDF                                                             \
        }                                                                                                              \
    }
#define EFI_DEVICE_PATH_PROTOCOL_GUID                                                                                  \
    {                                                                                                                  \
        0x09576E91, 0x6D3F, 0x11D2, {                                                                                  \
            0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B                                                             \
        }                                                                                                              \
    }
#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID                                                                           \
    {                                                                                                                  \
        0x964E5B22, 0x6459, 0x11D2, {                                                                                  \
            0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B                                                             \
        }                                                                                                              \
    }
#define EFI_FILE_INFO_ID                                                                                               \
    {                                                                                                                  \
        0x09576E92, 0x6D3F, 0x11D2, {                                                                                  \
            0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B                                                             \
        }                                                                                                              \
    }
#define EFI_SIMPLE_TEXT_INPUT_PROTOCOL_GUID                                                                            \
    {                                                                                                                  \
        0x387477C1, 0x69C7, 0x11D2, {                                                                                  \
            0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B                                                             \
        }                                                                                                              \
    }
#define EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID                                                                           \
    {                                                                                                                  \
        0x387477C2, 0x69C7, 0x11D2, {                                                                                  \
            0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B                                                             \
        }                                                                                                              \
    }
#define EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID                                                                              \
    {                                                                                                                  \
        0x9042A9DE, 0x23DC, 0x4A38, {                                                                                  \
            0x96, 0xFB, 0x7A, 0xDE, 0xD0, 0x80, 0x51, 0x6A                                                             \
        }                                                                                                              \
    }
#define EFI_GLOBAL_VARIABLE_GUID                                                                                       \
    {                                                                                                                  \
        0x8BE4DF61, 0x93CA, 0x11D2, {                                                                                  \
            0xAA, 0x0D, 0x00, 0xE0, 0x98, 0x03, 0x2B, 0x8C                                                             \
        }                                                                                                              \
    }
/* Super I/O protocol (UEFI PI volume 5): ISA devices such as the 16550 UARTs, with their resources. */
#define EFI_SIO_PROTOCOL_GUID                                                                                          \
    {                                                                                                                  \
        0x215FDD18, 0xBD50, 0x4FEB, {                                                                                  \
            0x89, 0x0B, 0x58, 0xCA, 0x0B, 0x47, 0x39, 0xE9                                                             \
        }                                                                                                              \
    }
#define EFI_RNG_PROTOCOL_GUID                                                                                          \
    {                                                                                                                  \
        0x3152BCA5, 0xEADE, 0x433D, {                                                                                  \
            0x86, 0x2E, 0xC0, 0x1C, 0xDC, 0x29, 0x1F, 0x44                                                             \
        }                                                                                                              \
    }
/* Configuration tables (EFI_SYSTEM_TABLE.ConfigurationTable[].VendorGuid). */
#define EFI_ACPI_10_TABLE_GUID                                                                                         \
    {                                                                                                                  \
        0xEB9D2D30, 0x2D88, 0x11D3, {                                                                                  \
            0x9A, 0x16, 0x00, 0x90, 0x27, 0x3F, 0xC1, 0x4D                                                             \
        }                                                                                                              \
    }
#define EFI_ACPI_20_TABLE_GUID                                                                                         \
    {                                                                                                                  \
        0x8868E871, 0xE4F1, 0x11D3, {                                                                                  \
            0xBC, 0x22, 0x00, 0x80, 0xC7, 0x3C, 0x88, 0x81                                                             \
        }                                                                                                              \
    }
#define EFI_SMBIOS_TABLE_GUID                                                                                          \
    {                                                                                                                  \
        0xEB9D2D31, 0x2D88, 0x11D3, {                                                                                  \
            0x9A, 0x16, 0x00, 0x90, 0x27, 0x3F, 0xC1, 0x4D                                                             \
        }                                                                                                              \
    }
#define EFI_SMBIOS3_TABLE_GUID                                                                                         \
    {                                                                                                                  \
        0xF2FD1544, 0x9794, 0x4A2C, {                                                                                  \
            0x99, 0x2E, 0xE5, 0xBB, 0xCF, 0x20, 0xE3, 0x94                                                             \
        }                                                                                                              \
    }

/* Forward declarations. */
typedef struct _EFI_SYSTEM_TABLE EFI_SYSTEM_TABLE, *PEFI_SYSTEM_TABLE;
typedef struct _EFI_SIMPLE_TEXT_INPUT_PROTOCOL EFI_SIMPLE_TEXT_INPUT_PROTOCOL, *PEFI_SIMPLE_TEXT_INPUT_PROTOCOL;
typedef struct _EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, *PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL;
typedef struct _EFI_SIMPLE_FILE_SYSTEM_PROTOCOL EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, *PEFI_SIMPLE_FILE_SYSTEM_PROTOCOL;
typedef struct _EFI_FILE_PROTOCOL EFI_FILE_PROTOCOL, *PEFI_FILE_PROTOCOL;
typedef struct _EFI_GRAPHICS_OUTPUT_PROTOCOL EFI_GRAPHICS_OUTPUT_PROTOCOL, *PEFI_GRAPHICS_OUTPUT_PROTOCOL;

typedef struct _EFI_TABLE_HEADER {
    ULONGLONG Signature;
    ULONG Revision;
    ULONG HeaderSize;
    ULONG CRC32;
    ULONG Reserved;
} EFI_TABLE_HEADER, *PEFI_TABLE_HEADER;

#define EFI_SYSTEM_TABLE_SIGNATURE               0x5453595320494249ULL /* "IBI SYST" */
#define EFI_BOOT_SERVICES_SIGNATURE              0x56524553544F4F42ULL /* "BOOTSERV" */
#define EFI_RUNTIME_SERVICES_SIGNATURE           0x56524553544E5552ULL /* "RUNTSERV" */
#define EFI_SPECIFICATION_REVISION(Major, Minor) (((ULONG)(Major) << 16) | (ULONG)(Minor))

/* Time (UEFI 2.10, 8.3). */
typedef struct _EFI_TIME {
    USHORT Year;
    UCHAR Month;
    UCHAR Day;
    UCHAR Hour;
    UCHAR Minute;
    UCHAR Second;
    UCHAR Pad1;
    ULONG Nanosecond;
    SHORT TimeZone;
    UCHAR Daylight;
    UCHAR Pad2;
} EFI_TIME, *PEFI_TIME;

typedef struct _EFI_TIME_CAPABILITIES {
    ULONG Resolution;
    ULONG Accuracy;
    BOOLEAN SetsToZero;
} EFI_TIME_CAPABILITIES, *PEFI_TIME_CAPABILITIES;

#define EFI_UNSPECIFIED_TIMEZONE 0x07FF

/* Memory (UEFI 2.10, 7.2). */
typedef enum _EFI_ALLOCATE_TYPE {
    AllocateAnyPages,
    AllocateMaxAddress,
    AllocateAddress,
    MaxAllocateType
} EFI_ALLOCATE_TYPE;

typedef enum _EFI_MEMORY_TYPE {
    EfiReservedMemoryType = 0,
    EfiLoaderCode = 1,
    EfiLoaderData = 2,
    EfiBootServicesCode = 3,
    EfiBootServicesData = 4,
    EfiRuntimeServicesCode = 5,
    EfiRuntimeServicesData = 6,
    EfiConventionalMemory = 7,
    EfiUnusableMemory = 8,
    EfiACPIReclaimMemory = 9,
    EfiACPIMemoryNVS = 10,
    EfiMemoryMappedIO = 11,
    EfiMemoryMappedIOPortSpace = 12,
    EfiPalCode = 13,
    EfiPersistentMemory = 14,
    EfiUnacceptedMemoryType = 15,
    EfiMaxMemoryType = 16
} EFI_MEMORY_TYPE;

/* Memory attribute bits (EFI_MEMORY_DESCRIPTOR.Attribute). */
#define EFI_MEMORY_UC            0x0000000000000001ULL
#define EFI_MEMORY_WC            0x0000000000000002ULL
#define EFI_MEMORY_WT            0x0000000000000004ULL
#define EFI_MEMORY_WB            0x0000000000000008ULL
#define EFI_MEMORY_UCE           0x0000000000000010ULL
#define EFI_MEMORY_WP            0x0000000000001000ULL
#define EFI_MEMORY_RP            0x0000000000002000ULL
#define EFI_MEMORY_XP            0x0000000000004000ULL
#define EFI_MEMORY_NV            0x0000000000008000ULL
#define EFI_MEMORY_MORE_RELIABLE 0x0000000000010000ULL
#define EFI_MEMORY_RO            0x0000000000020000ULL
#define EFI_MEMORY_SP            0x0000000000040000ULL
#define EFI_MEMORY_CPU_CRYPTO    0x0000000000080000ULL
#define EFI_MEMORY_ISA_MASK      0x0FFFF00000000000ULL
#define EFI_MEMORY_ISA_VALID     0x4000000000000000ULL
#define EFI_MEMORY_RUNTIME       0x8000000000000000ULL

#define EFI_MEMORY_DESCRIPTOR_VERSION 1

/* One entry of the firmware memory map. Firmware may report a larger DescriptorSize: step by that, not sizeof. */
typedef struct _EFI_MEMORY_DESCRIPTOR {
    ULONG Type; /* EFI_MEMORY_TYPE */
    ULONG Pad;  /* explicit: PhysicalStart is at offset 8 under every ABI */
    EFI_PHYSICAL_ADDRESS PhysicalStart;
    EFI_VIRTUAL_ADDRESS VirtualStart;
    ULONGLONG NumberOfPages;
    ULONGLONG Attribute;
} EFI_MEMORY_DESCRIPTOR, *PEFI_MEMORY_DESCRIPTOR;

/* Events and task priority levels (UEFI 2.10, 7.1). */
#define EVT_TIMER                         0x80000000
#define EVT_RUNTIME                       0x40000000
#define EVT_NOTIFY_WAIT                   0x00000100
#define EVT_NOTIFY_SIGNAL                 0x00000200
#define EVT_SIGNAL_EXIT_BOOT_SERVICES     0x00000201
#define EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE 0x60000202

#define TPL_APPLICATION 4
#define TPL_CALLBACK    8
#define TPL_NOTIFY      16
#define TPL_HIGH_LEVEL  31

typedef enum _EFI_TIMER_DELAY { TimerCancel, TimerPeriodic, TimerRelative } EFI_TIMER_DELAY;

typedef enum _EFI_LOCATE_SEARCH_TYPE { AllHandles, ByRegisterNotify, ByProtocol } EFI_LOCATE_SEARCH_TYPE;

typedef enum _EFI_INTERFACE_TYPE { EFI_NATIVE_INTERFACE } EFI_INTERFACE_TYPE;

typedef enum _EFI_RESET_TYPE { EfiResetCold, EfiResetWarm, EfiResetShutdown, EfiResetPlatformSpecific } EFI_RESET_TYPE;

/* OpenProtocol attributes. */
#define EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL  0x00000001
#define EFI_OPEN_PROTOCOL_GET_PROTOCOL        0x00000002
#define EFI_OPEN_PROTOCOL_TEST_PROTOCOL       0x00000004
#define EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER 0x00000008
#define EFI_OPEN_PROTOCOL_BY_DRIVER           0x00000010
#define EFI_OPEN_PROTOCOL_EXCLUSIVE           0x00000020

/* Variable attributes. */
#define EFI_VARIABLE_NON_VOLATILE       0x00000001
#define EFI_VARIABLE_BOOTSERVICE_ACCESS 0x00000002
#define EFI_VARIABLE_RUNTIME_ACCESS     0x00000004

/* Device path node header (the protocol is a packed list of such nodes). */
typedef struct _EFI_DEVICE_PATH_PROTOCOL {
    UCHAR Type;
    UCHAR SubType;
    UCHAR Length[2];
} EFI_DEVICE_PATH_PROTOCOL, *PEFI_DEVICE_PATH_PROTOCOL;

/* Device path node types and the subtypes XTLDR looks at (UEFI 2.10 section 10.3). */
#define EFI_DEVICE_PATH_TYPE_HARDWARE  0x01
#define EFI_DEVICE_PATH_TYPE_ACPI      0x02
#define EFI_DEVICE_PATH_TYPE_MESSAGING 0x03
#define EFI_DEVICE_PATH_TYPE_MEDIA     0x04
#define EFI_DEVICE_PATH_TYPE_END       0x7F
#define EFI_DEVICE_PATH_END_INSTANCE   0x01 /* another instance follows (multi-instance paths such as ConOut) */
#define EFI_DEVICE_PATH_END_ENTIRE     0xFF
#define EFI_DEVICE_PATH_MESSAGING_UART 0x0E /* MSG_UART_DP: Uart(baud,bits,parity,stop) */
#define EFI_DEVICE_PATH_ACPI_HID       0x01 /* ACPI_DP: Acpi(HID,UID), e.g. PNP0501 for a 16550 */

/* Super I/O protocol: XTLDR only reads the resources (an ACPI resource descriptor list ending in an End tag). */
typedef struct _EFI_SIO_PROTOCOL EFI_SIO_PROTOCOL, *PEFI_SIO_PROTOCOL;
typedef EFI_STATUS(EFIAPI *EFI_SIO_GET_RESOURCES)(const EFI_SIO_PROTOCOL *This, PVOID *ResourceList);
struct _EFI_SIO_PROTOCOL {
    PVOID RegisterAccess; /* EFI_SIO_REGISTER_ACCESS */
    EFI_SIO_GET_RESOURCES GetResources;
    PVOID SetResources;      /* EFI_SIO_SET_RESOURCES */
    PVOID PossibleResources; /* EFI_SIO_POSSIBLE_RESOURCES */
    PVOID Modify;            /* EFI_SIO_MODIFY */
};

typedef struct _EFI_CAPSULE_HEADER {
    EFI_GUID CapsuleGuid;
    ULONG HeaderSize;
    ULONG Flags;
    ULONG CapsuleImageSize;
} EFI_CAPSULE_HEADER, *PEFI_CAPSULE_HEADER;

/* Boot services prototypes. */
typedef VOID(EFIAPI *EFI_EVENT_NOTIFY)(EFI_EVENT Event, PVOID Context);
typedef EFI_TPL(EFIAPI *EFI_RAISE_TPL)(EFI_TPL NewTpl);
typedef VOID(EFIAPI *EFI_RESTORE_TPL)(EFI_TPL OldTpl);
typedef EFI_STATUS(EFIAPI *EFI_ALLOCATE_PAGES)(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType, UINTN Pages,
                                               PEFI_PHYSICAL_ADDRESS Memory);
typedef EFI_STATUS(EFIAPI *EFI_FREE_PAGES)(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages);
typedef EFI_STATUS(EFIAPI *EFI_GET_MEMORY_MAP)(PUINTN MemoryMapSize, PEFI_MEMORY_DESCRIPTOR MemoryMap, PUINTN MapKey,
                                               PUINTN DescriptorSize, PULONG DescriptorVersion);
typedef EFI_STATUS(EFIAPI *EFI_ALLOCATE_POOL)(EFI_MEMORY_TYPE PoolType, UINTN Size, PVOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FREE_POOL)(PVOID Buffer);
typedef EFI_STATUS(EFIAPI *EFI_CREATE_EVENT)(ULONG Type, EFI_TPL NotifyTpl, EFI_EVENT_NOTIFY NotifyFunction,
                                             PVOID NotifyContext, PEFI_EVENT Event);
typedef EFI_STATUS(EFIAPI *EFI_SET_TIMER)(EFI_EVENT Event, EFI_TIMER_DELAY Type, ULONGLONG TriggerTime);
typedef EFI_STATUS(EFIAPI *EFI_WAIT_FOR_EVENT)(UINTN NumberOfEvents, PEFI_EVENT Event, PUINTN Index);
typedef EFI_STATUS(EFIAPI *EFI_SIGNAL_EVENT)(EFI_EVENT Event);
typedef EFI_STATUS(EFIAPI *EFI_CLOSE_EVENT)(EFI_EVENT Event);
typedef EFI_STATUS(EFIAPI *EFI_CHECK_EVENT)(EFI_EVENT Event);
typedef EFI_STATUS(EFIAPI *EFI_INSTALL_PROTOCOL_INTERFACE)(PEFI_HANDLE Handle, PEFI_GUID Protocol,
                                                           EFI_INTERFACE_TYPE InterfaceType, PVOID Interface);
typedef EFI_STATUS(EFIAPI *EFI_REINSTALL_PROTOCOL_INTERFACE)(EFI_HANDLE Handle, PEFI_GUID Protocol, PVOID OldInterface,
                                                             PVOID NewInterface);
typedef EFI_STATUS(EFIAPI *EFI_UNINSTALL_PROTOCOL_INTERFACE)(EFI_HANDLE Handle, PEFI_GUID Protocol, PVOID Interface);
typedef EFI_STATUS(EFIAPI *EFI_HANDLE_PROTOCOL)(EFI_HANDLE Handle, PEFI_GUID Protocol, PVOID *Interface);
typedef EFI_STATUS(EFIAPI *EFI_REGISTER_PROTOCOL_NOTIFY)(PEFI_GUID Protocol, EFI_EVENT Event, PVOID *Registration);
typedef EFI_STATUS(EFIAPI *EFI_LOCATE_HANDLE)(EFI_LOCATE_SEARCH_TYPE SearchType, PEFI_GUID Protocol, PVOID SearchKey,
                                              PUINTN BufferSize, PEFI_HANDLE Buffer);
typedef EFI_STATUS(EFIAPI *EFI_LOCATE_DEVICE_PATH)(PEFI_GUID Protocol, PEFI_DEVICE_PATH_PROTOCOL *DevicePath,
                                                   PEFI_HANDLE Device);
typedef EFI_STATUS(EFIAPI *EFI_INSTALL_CONFIGURATION_TABLE)(PEFI_GUID Guid, PVOID Table);
typedef EFI_STATUS(EFIAPI *EFI_IMAGE_LOAD)(BOOLEAN BootPolicy, EFI_HANDLE ParentImageHandle,
                                           PEFI_DEVICE_PATH_PROTOCOL DevicePath, PVOID SourceBuffer, UINTN SourceSize,
                                           PEFI_HANDLE ImageHandle);
typedef EFI_STATUS(EFIAPI *EFI_IMAGE_START)(EFI_HANDLE ImageHandle, PUINTN ExitDataSize, PCHAR16 *ExitData);
typedef EFI_STATUS(EFIAPI *EFI_EXIT)(EFI_HANDLE ImageHandle, EFI_STATUS ExitStatus, UINTN ExitDataSize,
                                     PCHAR16 ExitData);
typedef EFI_STATUS(EFIAPI *EFI_IMAGE_UNLOAD)(EFI_HANDLE ImageHandle);
typedef EFI_STATUS(EFIAPI *EFI_EXIT_BOOT_SERVICES)(EFI_HANDLE ImageHandle, UINTN MapKey);
typedef EFI_STATUS(EFIAPI *EFI_GET_NEXT_MONOTONIC_COUNT)(PULONGLONG Count);
typedef EFI_STATUS(EFIAPI *EFI_STALL)(UINTN Microseconds);
typedef EFI_STATUS(EFIAPI *EFI_SET_WATCHDOG_TIMER)(UINTN Timeout, ULONGLONG WatchdogCode, UINTN DataSize,
                                                   PCHAR16 WatchdogData);
typedef EFI_STATUS(EFIAPI *EFI_CONNECT_CONTROLLER)(EFI_HANDLE ControllerHandle, PEFI_HANDLE DriverImageHandle,
                                                   PEFI_DEVICE_PATH_PROTOCOL RemainingDevicePath, BOOLEAN Recursive);
typedef EFI_STATUS(EFIAPI *EFI_DISCONNECT_CONTROLLER)(EFI_HANDLE ControllerHandle, EFI_HANDLE DriverImageHandle,
                                                      EFI_HANDLE ChildHandle);
typedef EFI_STATUS(EFIAPI *EFI_OPEN_PROTOCOL)(EFI_HANDLE Handle, PEFI_GUID Protocol, PVOID *Interface,
                                              EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle, ULONG Attributes);
typedef EFI_STATUS(EFIAPI *EFI_CLOSE_PROTOCOL)(EFI_HANDLE Handle, PEFI_GUID Protocol, EFI_HANDLE AgentHandle,
                                               EFI_HANDLE ControllerHandle);
typedef EFI_STATUS(EFIAPI *EFI_PROTOCOLS_PER_HANDLE)(EFI_HANDLE Handle, PEFI_GUID **ProtocolBuffer,
                                                     PUINTN ProtocolBufferCount);
typedef EFI_STATUS(EFIAPI *EFI_LOCATE_HANDLE_BUFFER)(EFI_LOCATE_SEARCH_TYPE SearchType, PEFI_GUID Protocol,
                                                     PVOID SearchKey, PUINTN NoHandles, PEFI_HANDLE *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_LOCATE_PROTOCOL)(PEFI_GUID Protocol, PVOID Registration, PVOID *Interface);
typedef EFI_STATUS(EFIAPI *EFI_CALCULATE_CRC32)(PVOID Data, UINTN DataSize, PULONG Crc32);
typedef VOID(EFIAPI *EFI_COPY_MEM)(PVOID Destination, PVOID Source, UINTN Length);
typedef VOID(EFIAPI *EFI_SET_MEM)(PVOID Buffer, UINTN Size, UCHAR Value);
typedef EFI_STATUS(EFIAPI *EFI_CREATE_EVENT_EX)(ULONG Type, EFI_TPL NotifyTpl, EFI_EVENT_NOTIFY NotifyFunction,
                                                const VOID *NotifyContext, const EFI_GUID *EventGroup,
                                                PEFI_EVENT Event);

/* Boot services table: every slot of UEFI 2.10 in spec order (ExitBootServices is the 27th). */
typedef struct _EFI_BOOT_SERVICES {
    EFI_TABLE_HEADER Hdr;
    EFI_RAISE_TPL RaiseTPL;
    EFI_RESTORE_TPL RestoreTPL;
    EFI_ALLOCATE_PAGES AllocatePages;
    EFI_FREE_PAGES FreePages;
    EFI_GET_MEMORY_MAP GetMemoryMap;
    EFI_ALLOCATE_POOL AllocatePool;
    EFI_FREE_POOL FreePool;
    EFI_CREATE_EVENT CreateEvent;
    EFI_SET_TIMER SetTimer;
    EFI_WAIT_FOR_EVENT WaitForEvent;
    EFI_SIGNAL_EVENT SignalEvent;
    EFI_CLOSE_EVENT CloseEvent;
    EFI_CHECK_EVENT CheckEvent;
    EFI_INSTALL_PROTOCOL_INTERFACE InstallProtocolInterface;
    EFI_REINSTALL_PROTOCOL_INTERFACE ReinstallProtocolInterface;
    EFI_UNINSTALL_PROTOCOL_INTERFACE UninstallProtocolInterface;
    EFI_HANDLE_PROTOCOL HandleProtocol;
    PVOID Reserved;
    EFI_REGISTER_PROTOCOL_NOTIFY RegisterProtocolNotify;
    EFI_LOCATE_HANDLE LocateHandle;
    EFI_LOCATE_DEVICE_PATH LocateDevicePath;
    EFI_INSTALL_CONFIGURATION_TABLE InstallConfigurationTable;
    EFI_IMAGE_LOAD LoadImage;
    EFI_IMAGE_START StartImage;
    EFI_EXIT Exit;
    EFI_IMAGE_UNLOAD UnloadImage;
    EFI_EXIT_BOOT_SERVICES ExitBootServices;
    EFI_GET_NEXT_MONOTONIC_COUNT GetNextMonotonicCount;
    EFI_STALL Stall;
    EFI_SET_WATCHDOG_TIMER SetWatchdogTimer;
    EFI_CONNECT_CONTROLLER ConnectController;
    EFI_DISCONNECT_CONTROLLER DisconnectController;
    EFI_OPEN_PROTOCOL OpenProtocol;
    EFI_CLOSE_PROTOCOL CloseProtocol;
    PVOID OpenProtocolInformation; /* EFI_OPEN_PROTOCOL_INFORMATION */
    EFI_PROTOCOLS_PER_HANDLE ProtocolsPerHandle;
    EFI_LOCATE_HANDLE_BUFFER LocateHandleBuffer;
    EFI_LOCATE_PROTOCOL LocateProtocol;
    PVOID InstallMultipleProtocolInterfaces;   /* variadic */
    PVOID UninstallMultipleProtocolInterfaces; /* variadic */
    EFI_CALCULATE_CRC32 CalculateCrc32;
    EFI_COPY_MEM CopyMem;
    EFI_SET_MEM SetMem;
    EFI_CREATE_EVENT_EX CreateEventEx;
} EFI_BOOT_SERVICES, *PEFI_BOOT_SERVICES;

/* Runtime services prototypes and table (UEFI 2.10, 4.5). */
typedef EFI_STATUS(EFIAPI *EFI_GET_TIME)(PEFI_TIME Time, PEFI_TIME_CAPABILITIES Capabilities);
typedef EFI_STATUS(EFIAPI *EFI_SET_TIME)(PEFI_TIME Time);
typedef EFI_STATUS(EFIAPI *EFI_GET_WAKEUP_TIME)(PBOOLEAN Enabled, PBOOLEAN Pending, PEFI_TIME Time);
typedef EFI_STATUS(EFIAPI *EFI_SET_WAKEUP_TIME)(BOOLEAN Enable, PEFI_TIME Time);
typedef EFI_STATUS(EFIAPI *EFI_SET_VIRTUAL_ADDRESS_MAP)(UINTN MemoryMapSize, UINTN DescriptorSize,
                                                        ULONG DescriptorVersion, PEFI_MEMORY_DESCRIPTOR VirtualMap);
typedef EFI_STATUS(EFIAPI *EFI_CONVERT_POINTER)(UINTN DebugDisposition, PVOID *Address);
typedef EFI_STATUS(EFIAPI *EFI_GET_VARIABLE)(PCHAR16 VariableName, PEFI_GUID VendorGuid, PULONG Attributes,
                                             PUINTN DataSize, PVOID Data);
typedef EFI_STATUS(EFIAPI *EFI_GET_NEXT_VARIABLE_NAME)(PUINTN VariableNameSize, PCHAR16 VariableName,
                                                       PEFI_GUID VendorGuid);
typedef EFI_STATUS(EFIAPI *EFI_SET_VARIABLE)(PCHAR16 VariableName, PEFI_GUID VendorGuid, ULONG Attributes,
                                             UINTN DataSize, PVOID Data);
typedef EFI_STATUS(EFIAPI *EFI_GET_NEXT_HIGH_MONO_COUNT)(PULONG HighCount);
typedef VOID(EFIAPI *EFI_RESET_SYSTEM)(EFI_RESET_TYPE ResetType, EFI_STATUS ResetStatus, UINTN DataSize,
                                       PVOID ResetData);
typedef EFI_STATUS(EFIAPI *EFI_UPDATE_CAPSULE)(PEFI_CAPSULE_HEADER *CapsuleHeaderArray, UINTN CapsuleCount,
                                               EFI_PHYSICAL_ADDRESS ScatterGatherList);
typedef EFI_STATUS(EFIAPI *EFI_QUERY_CAPSULE_CAPABILITIES)(PEFI_CAPSULE_HEADER *CapsuleHeaderArray, UINTN CapsuleCount,
                                                           PULONGLONG MaximumCapsuleSize, EFI_RESET_TYPE *ResetType);
typedef EFI_STATUS(EFIAPI *EFI_QUERY_VARIABLE_INFO)(ULONG Attributes, PULONGLONG MaximumVariableStorageSize,
                                                    PULONGLONG RemainingVariableStorageSize,
                                                    PULONGLONG MaximumVariableSize);

typedef struct _EFI_RUNTIME_SERVICES {
    EFI_TABLE_HEADER Hdr;
    EFI_GET_TIME GetTime;
    EFI_SET_TIME SetTime;
    EFI_GET_WAKEUP_TIME GetWakeupTime;
    EFI_SET_WAKEUP_TIME SetWakeupTime;
    EFI_SET_VIRTUAL_ADDRESS_MAP SetVirtualAddressMap;
    EFI_CONVERT_POINTER ConvertPointer;
    EFI_GET_VARIABLE GetVariable;
    EFI_GET_NEXT_VARIABLE_NAME GetNextVariableName;
    EFI_SET_VARIABLE SetVariable;
    EFI_GET_NEXT_HIGH_MONO_COUNT GetNextHighMonotonicCount;
    EFI_RESET_SYSTEM ResetSystem;
    EFI_UPDATE_CAPSULE UpdateCapsule;
    EFI_QUERY_CAPSULE_CAPABILITIES QueryCapsuleCapabilities;
    EFI_QUERY_VARIABLE_INFO QueryVariableInfo;
} EFI_RUNTIME_SERVICES, *PEFI_RUNTIME_SERVICES;

/* Simple text input (UEFI 2.10, 12.3). */
typedef struct _EFI_INPUT_KEY {
    USHORT ScanCode;
    CHAR16 UnicodeChar;
} EFI_INPUT_KEY, *PEFI_INPUT_KEY;

#define SCAN_NULL      0x0000
#define SCAN_UP        0x0001
#define SCAN_DOWN      0x0002
#define SCAN_RIGHT     0x0003
#define SCAN_LEFT      0x0004
#define SCAN_HOME      0x0005
#define SCAN_END       0x0006
#define SCAN_INSERT    0x0007
#define SCAN_DELETE    0x0008
#define SCAN_PAGE_UP   0x0009
#define SCAN_PAGE_DOWN 0x000A
#define SCAN_ESC       0x0017

typedef EFI_STATUS(EFIAPI *EFI_INPUT_RESET)(PEFI_SIMPLE_TEXT_INPUT_PROTOCOL This, BOOLEAN ExtendedVerification);
typedef EFI_STATUS(EFIAPI *EFI_INPUT_READ_KEY)(PEFI_SIMPLE_TEXT_INPUT_PROTOCOL This, PEFI_INPUT_KEY Key);

struct _EFI_SIMPLE_TEXT_INPUT_PROTOCOL {
    EFI_INPUT_RESET Reset;
    EFI_INPUT_READ_KEY ReadKeyStroke;
    EFI_EVENT WaitForKey;
};

/* Simple text output (UEFI 2.10, 12.4). */
typedef struct _SIMPLE_TEXT_OUTPUT_MODE {
    LONG MaxMode;
    LONG Mode;
    LONG Attribute;
    LONG CursorColumn;
    LONG CursorRow;
    BOOLEAN CursorVisible;
} SIMPLE_TEXT_OUTPUT_MODE, *PSIMPLE_TEXT_OUTPUT_MODE;

#define EFI_BLACK                             0x00
#define EFI_BLUE                              0x01
#define EFI_GREEN                             0x02
#define EFI_CYAN                              0x03
#define EFI_RED                               0x04
#define EFI_MAGENTA                           0x05
#define EFI_BROWN                             0x06
#define EFI_LIGHTGRAY                         0x07
#define EFI_DARKGRAY                          0x08
#define EFI_YELLOW                            0x0E
#define EFI_WHITE                             0x0F
#define EFI_BACKGROUND_BLACK                  0x00
#define EFI_BACKGROUND_BLUE                   0x10
#define EFI_TEXT_ATTR(Foreground, Background) ((Foreground) | ((Background) << 4))

typedef EFI_STATUS(EFIAPI *EFI_TEXT_RESET)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, BOOLEAN ExtendedVerification);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_STRING)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, PCHAR16 String);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_TEST_STRING)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, PCHAR16 String);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_QUERY_MODE)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, UINTN ModeNumber, PUINTN Columns,
                                                PUINTN Rows);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_SET_MODE)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, UINTN ModeNumber);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_SET_ATTRIBUTE)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, UINTN Attribute);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_CLEAR_SCREEN)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_SET_CURSOR_POSITION)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, UINTN Column,
                                                         UINTN Row);
typedef EFI_STATUS(EFIAPI *EFI_TEXT_ENABLE_CURSOR)(PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL This, BOOLEAN Visible);

struct _EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL {
    EFI_TEXT_RESET Reset;
    EFI_TEXT_STRING OutputString;
    EFI_TEXT_TEST_STRING TestString;
    EFI_TEXT_QUERY_MODE QueryMode;
    EFI_TEXT_SET_MODE SetMode;
    EFI_TEXT_SET_ATTRIBUTE SetAttribute;
    EFI_TEXT_CLEAR_SCREEN ClearScreen;
    EFI_TEXT_SET_CURSOR_POSITION SetCursorPosition;
    EFI_TEXT_ENABLE_CURSOR EnableCursor;
    PSIMPLE_TEXT_OUTPUT_MODE Mode;
};

/* Configuration table entry and the system table (UEFI 2.10, 4.3 and 4.6). */
typedef struct _EFI_CONFIGURATION_TABLE {
    EFI_GUID VendorGuid;
    PVOID VendorTable;
} EFI_CONFIGURATION_TABLE, *PEFI_CONFIGURATION_TABLE;

struct _EFI_SYSTEM_TABLE {
    EFI_TABLE_HEADER Hdr;
    PCHAR16 FirmwareVendor;
    ULONG FirmwareRevision;
    EFI_HANDLE ConsoleInHandle;
    PEFI_SIMPLE_TEXT_INPUT_PROTOCOL ConIn;
    EFI_HANDLE ConsoleOutHandle;
    PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL ConOut;
    EFI_HANDLE StandardErrorHandle;
    PEFI_SIMPLE_TEXT_OUTPUT_PROTOCOL StdErr;
    PEFI_RUNTIME_SERVICES RuntimeServices;
    PEFI_BOOT_SERVICES BootServices;
    UINTN NumberOfTableEntries;
    PEFI_CONFIGURATION_TABLE ConfigurationTable;
};

/* Image entry point: `EFI_STATUS EFIAPI XtLdrEntry(EFI_HANDLE ImageHandle, PEFI_SYSTEM_TABLE SystemTable)`. */
typedef EFI_STATUS(EFIAPI *EFI_IMAGE_ENTRY_POINT)(EFI_HANDLE ImageHandle, PEFI_SYSTEM_TABLE SystemTable);

/* Loaded image protocol (UEFI 2.10, 9.1). */
#define EFI_LOADED_IMAGE_PROTOCOL_REVISION 0x1000

typedef struct _EFI_LOADED_IMAGE_PROTOCOL {
    ULONG Revision;
    EFI_HANDLE ParentHandle;
    PEFI_SYSTEM_TABLE SystemTable;
    EFI_HANDLE DeviceHandle;
    PEFI_DEVICE_PATH_PROTOCOL FilePath;
    PVOID Reserved;
    ULONG LoadOptionsSize;
    PVOID LoadOptions;
    PVOID ImageBase;
    ULONGLONG ImageSize;
    EFI_MEMORY_TYPE ImageCodeType;
    EFI_MEMORY_TYPE ImageDataType;
    EFI_IMAGE_UNLOAD Unload;
} EFI_LOADED_IMAGE_PROTOCOL, *PEFI_LOADED_IMAGE_PROTOCOL;

/* File protocols (UEFI 2.10, 13.4 and 13.5). */
#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION 0x00010000
#define EFI_FILE_PROTOCOL_REVISION               0x00010000
#define EFI_FILE_PROTOCOL_REVISION2              0x00020000

#define EFI_FILE_MODE_READ   0x0000000000000001ULL
#define EFI_FILE_MODE_WRITE  0x0000000000000002ULL
#define EFI_FILE_MODE_CREATE 0x8000000000000000ULL

#define EFI_FILE_READ_ONLY  0x0000000000000001ULL
#define EFI_FILE_HIDDEN     0x0000000000000002ULL
#define EFI_FILE_SYSTEM     0x0000000000000004ULL
#define EFI_FILE_RESERVED   0x0000000000000008ULL
#define EFI_FILE_DIRECTORY  0x0000000000000010ULL
#define EFI_FILE_ARCHIVE    0x0000000000000020ULL
#define EFI_FILE_VALID_ATTR 0x0000000000000037ULL

typedef EFI_STATUS(EFIAPI *EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_OPEN_VOLUME)(PEFI_SIMPLE_FILE_SYSTEM_PROTOCOL This,
                                                                        PEFI_FILE_PROTOCOL *Root);

struct _EFI_SIMPLE_FILE_SYSTEM_PROTOCOL {
    ULONGLONG Revision;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_OPEN_VOLUME OpenVolume;
};

typedef EFI_STATUS(EFIAPI *EFI_FILE_OPEN)(PEFI_FILE_PROTOCOL This, PEFI_FILE_PROTOCOL *NewHandle, PCHAR16 FileName,
                                          ULONGLONG OpenMode, ULONGLONG Attributes);
typedef EFI_STATUS(EFIAPI *EFI_FILE_CLOSE)(PEFI_FILE_PROTOCOL This);
typedef EFI_STATUS(EFIAPI *EFI_FILE_DELETE)(PEFI_FILE_PROTOCOL This);
typedef EFI_STATUS(EFIAPI *EFI_FILE_READ)(PEFI_FILE_PROTOCOL This, PUINTN BufferSize, PVOID Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_WRITE)(PEFI_FILE_PROTOCOL This, PUINTN BufferSize, PVOID Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_GET_POSITION)(PEFI_FILE_PROTOCOL This, PULONGLONG Position);
typedef EFI_STATUS(EFIAPI *EFI_FILE_SET_POSITION)(PEFI_FILE_PROTOCOL This, ULONGLONG Position);
typedef EFI_STATUS(EFIAPI *EFI_FILE_GET_INFO)(PEFI_FILE_PROTOCOL This, PEFI_GUID InformationType, PUINTN BufferSize,
                                              PVOID Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_SET_INFO)(PEFI_FILE_PROTOCOL This, PEFI_GUID InformationType, UINTN BufferSize,
                                              PVOID Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_FLUSH)(PEFI_FILE_PROTOCOL This);

/* Revision 1 members, then the revision 2 (asynchronous) slots, untyped: valid only when Revision >= REVISION2. */
struct _EFI_FILE_PROTOCOL {
    ULONGLONG Revision;
    EFI_FILE_OPEN Open;
    EFI_FILE_CLOSE Close;
    EFI_FILE_DELETE Delete;
    EFI_FILE_READ Read;
    EFI_FILE_WRITE Write;
    EFI_FILE_GET_POSITION GetPosition;
    EFI_FILE_SET_POSITION SetPosition;
    EFI_FILE_GET_INFO GetInfo;
    EFI_FILE_SET_INFO SetInfo;
    EFI_FILE_FLUSH Flush;
    PVOID OpenEx;
    PVOID ReadEx;
    PVOID WriteEx;
    PVOID FlushEx;
};

/* Result of GetInfo(EFI_FILE_INFO_ID): Size covers the structure and the NUL-terminated FileName. */
typedef struct _EFI_FILE_INFO {
    ULONGLONG Size;
    ULONGLONG FileSize;
    ULONGLONG PhysicalSize;
    EFI_TIME CreateTime;
    EFI_TIME LastAccessTime;
    EFI_TIME ModificationTime;
    ULONGLONG Attribute;
    CHAR16 FileName[];
} EFI_FILE_INFO, *PEFI_FILE_INFO;

#define SIZE_OF_EFI_FILE_INFO ((UINTN)offsetof(EFI_FILE_INFO, FileName))

/* Graphics output protocol (UEFI 2.10, 12.9). */
typedef enum _EFI_GRAPHICS_PIXEL_FORMAT {
    PixelRedGreenBlueReserved8BitPerColor,
    PixelBlueGreenRedReserved8BitPerColor,
    PixelBitMask,
    PixelBltOnly,
    PixelFormatMax
} EFI_GRAPHICS_PIXEL_FORMAT;

typedef struct _EFI_PIXEL_BITMASK {
    ULONG RedMask;
    ULONG GreenMask;
    ULONG BlueMask;
    ULONG ReservedMask;
} EFI_PIXEL_BITMASK, *PEFI_PIXEL_BITMASK;

typedef struct _EFI_GRAPHICS_OUTPUT_MODE_INFORMATION {
    ULONG Version;
    ULONG HorizontalResolution;
    ULONG VerticalResolution;
    EFI_GRAPHICS_PIXEL_FORMAT PixelFormat;
    EFI_PIXEL_BITMASK PixelInformation;
    ULONG PixelsPerScanLine;
} EFI_GRAPHICS_OUTPUT_MODE_INFORMATION, *PEFI_GRAPHICS_OUTPUT_MODE_INFORMATION;

typedef struct _EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE {
    ULONG MaxMode;
    ULONG Mode;
    PEFI_GRAPHICS_OUTPUT_MODE_INFORMATION Info;
    UINTN SizeOfInfo;
    EFI_PHYSICAL_ADDRESS FrameBufferBase;
    UINTN FrameBufferSize;
} EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE, *PEFI_GRAPHICS_OUTPUT_PROTOCOL_MODE;

typedef EFI_STATUS(EFIAPI *EFI_GRAPHICS_OUTPUT_PROTOCOL_QUERY_MODE)(PEFI_GRAPHICS_OUTPUT_PROTOCOL This,
                                                                    ULONG ModeNumber, PUINTN SizeOfInfo,
                                                                    PEFI_GRAPHICS_OUTPUT_MODE_INFORMATION *Info);
typedef EFI_STATUS(EFIAPI *EFI_GRAPHICS_OUTPUT_PROTOCOL_SET_MODE)(PEFI_GRAPHICS_OUTPUT_PROTOCOL This, ULONG ModeNumber);

struct _EFI_GRAPHICS_OUTPUT_PROTOCOL {
    EFI_GRAPHICS_OUTPUT_PROTOCOL_QUERY_MODE QueryMode;
    EFI_GRAPHICS_OUTPUT_PROTOCOL_SET_MODE SetMode;
    PVOID Blt; /* EFI_GRAPHICS_OUTPUT_PROTOCOL_BLT */
    PEFI_GRAPHICS_OUTPUT_PROTOCOL_MODE Mode;
};

/* Random number generator protocol (UEFI 2.10, 37.5): GetRNG with a NULL algorithm uses the driver's default. */
typedef struct _EFI_RNG_PROTOCOL EFI_RNG_PROTOCOL, *PEFI_RNG_PROTOCOL;
typedef EFI_STATUS(EFIAPI *EFI_RNG_GET_INFO)(PEFI_RNG_PROTOCOL This, PUINTN AlgorithmListSize, PEFI_GUID AlgorithmList);
typedef EFI_STATUS(EFIAPI *EFI_RNG_GET_RNG)(PEFI_RNG_PROTOCOL This, PEFI_GUID Algorithm, UINTN ValueLength,
                                            PUCHAR Value);

struct _EFI_RNG_PROTOCOL {
    EFI_RNG_GET_INFO GetInfo;
    EFI_RNG_GET_RNG GetRNG;
};

/* Layout checks, valid for amd64 (UINTN = 8) and IA-32 (UINTN = 4; UEFI aligns 64-bit fields to 8 on IA-32 too). */
#define EFI_N(Count)      ((Count) * sizeof(UINTN))
#define EFI_ALIGN8(Value) (((Value) + 7) & ~(SIZE_T)7)

STATIC_ASSERT(sizeof(UINTN) == sizeof(PVOID));
STATIC_ASSERT(sizeof(EFI_STATUS) == sizeof(PVOID));
STATIC_ASSERT(sizeof(EFI_GUID) == 16);
STATIC_ASSERT(sizeof(EFI_TABLE_HEADER) == 24);
STATIC_ASSERT(sizeof(EFI_TIME) == 16);
STATIC_ASSERT(offsetof(EFI_TIME, Nanosecond) == 8 && offsetof(EFI_TIME, TimeZone) == 12);
STATIC_ASSERT(sizeof(EFI_TIME_CAPABILITIES) == 12);
STATIC_ASSERT(sizeof(EFI_MEMORY_TYPE) == 4 && sizeof(EFI_ALLOCATE_TYPE) == 4 && sizeof(EFI_RESET_TYPE) == 4);
STATIC_ASSERT(sizeof(EFI_MEMORY_DESCRIPTOR) == 40);
STATIC_ASSERT(offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) == 8);
STATIC_ASSERT(offsetof(EFI_MEMORY_DESCRIPTOR, VirtualStart) == 16);
STATIC_ASSERT(offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages) == 24);
STATIC_ASSERT(offsetof(EFI_MEMORY_DESCRIPTOR, Attribute) == 32);
STATIC_ASSERT(EFI_ERROR(EFI_BUFFER_TOO_SMALL) && !EFI_ERROR(EFI_WARN_BUFFER_TOO_SMALL) && !EFI_ERROR(EFI_SUCCESS));
STATIC_ASSERT(EFI_NOT_FOUND == ((UINTN)14 | ((UINTN)1 << (sizeof(PVOID) == 8 ? 63 : 31))));
/* Boot services: the header, then 44 pointer-sized slots. */
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, RaiseTPL) == 0x18);
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, GetMemoryMap) == 0x18 + EFI_N(4));
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, HandleProtocol) == 0x18 + EFI_N(16));
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, ExitBootServices) == 0x18 + EFI_N(26));
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, ExitBootServices) == (sizeof(PVOID) == 8 ? 0xE8 : 0x80));
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, OpenProtocol) == 0x18 + EFI_N(32));
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, LocateProtocol) == 0x18 + EFI_N(37));
STATIC_ASSERT(offsetof(EFI_BOOT_SERVICES, CopyMem) == 0x18 + EFI_N(41));
STATIC_ASSERT(sizeof(EFI_BOOT_SERVICES) == 0x18 + EFI_N(44));
/* Runtime services: the header, then 14 slots. */
STATIC_ASSERT(offsetof(EFI_RUNTIME_SERVICES, GetVariable) == 0x18 + EFI_N(6));
STATIC_ASSERT(offsetof(EFI_RUNTIME_SERVICES, ResetSystem) == 0x18 + EFI_N(10));
STATIC_ASSERT(sizeof(EFI_RUNTIME_SERVICES) == 0x18 + EFI_N(14));
/* System table: FirmwareRevision occupies a full UINTN slot after padding. */
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, FirmwareVendor) == 0x18);
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, ConIn) == 0x18 + EFI_N(3));
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, ConOut) == 0x18 + EFI_N(5));
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, ConOut) == (sizeof(PVOID) == 8 ? 0x40 : 0x2C));
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, RuntimeServices) == 0x18 + EFI_N(8));
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, BootServices) == 0x18 + EFI_N(9));
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, BootServices) == (sizeof(PVOID) == 8 ? 0x60 : 0x3C));
STATIC_ASSERT(offsetof(EFI_SYSTEM_TABLE, ConfigurationTable) == 0x18 + EFI_N(11));
STATIC_ASSERT(sizeof(EFI_SYSTEM_TABLE) == 0x18 + EFI_N(12));
STATIC_ASSERT(sizeof(EFI_CONFIGURATION_TABLE) == 16 + sizeof(PVOID));
STATIC_ASSERT(sizeof(EFI_INPUT_KEY) == 4);
STATIC_ASSERT(sizeof(EFI_SIMPLE_TEXT_INPUT_PROTOCOL) == EFI_N(3));
STATIC_ASSERT(sizeof(SIMPLE_TEXT_OUTPUT_MODE) == 24);
STATIC_ASSERT(offsetof(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, Mode) == EFI_N(9));
STATIC_ASSERT(sizeof(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL) == EFI_N(10));
/* Loaded image: ImageSize is 8-aligned on both arches. */
STATIC_ASSERT(offsetof(EFI_LOADED_IMAGE_PROTOCOL, LoadOptionsSize) == EFI_N(6));
STATIC_ASSERT(offsetof(EFI_LOADED_IMAGE_PROTOCOL, ImageBase) == EFI_N(8));
STATIC_ASSERT(offsetof(EFI_LOADED_IMAGE_PROTOCOL, ImageSize) == EFI_ALIGN8(EFI_N(9)));
STATIC_ASSERT(offsetof(EFI_LOADED_IMAGE_PROTOCOL, ImageSize) == (sizeof(PVOID) == 8 ? 72 : 40));
STATIC_ASSERT(offsetof(EFI_LOADED_IMAGE_PROTOCOL, Unload) == (sizeof(PVOID) == 8 ? 88 : 56));
STATIC_ASSERT(sizeof(EFI_LOADED_IMAGE_PROTOCOL) == (sizeof(PVOID) == 8 ? 96 : 64));
STATIC_ASSERT(sizeof(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL) == 8 + EFI_ALIGN8(EFI_N(1)));
STATIC_ASSERT(offsetof(EFI_FILE_PROTOCOL, Open) == 8);
STATIC_ASSERT(offsetof(EFI_FILE_PROTOCOL, Flush) == 8 + EFI_N(9));
STATIC_ASSERT(sizeof(EFI_FILE_PROTOCOL) == 8 + EFI_N(14));
STATIC_ASSERT(offsetof(EFI_FILE_INFO, CreateTime) == 24);
STATIC_ASSERT(offsetof(EFI_FILE_INFO, Attribute) == 72);
STATIC_ASSERT(offsetof(EFI_FILE_INFO, FileName) == 80 && sizeof(EFI_FILE_INFO) == 80);
STATIC_ASSERT(sizeof(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION) == 36);
STATIC_ASSERT(offsetof(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION, PixelsPerScanLine) == 32);
STATIC_ASSERT(offsetof(EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE, FrameBufferBase) == EFI_ALIGN8(8 + EFI_N(2)));
STATIC_ASSERT(sizeof(EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE) == (sizeof(PVOID) == 8 ? 40 : 32));
STATIC_ASSERT(sizeof(EFI_GRAPHICS_OUTPUT_PROTOCOL) == EFI_N(4));
STATIC_ASSERT(sizeof(EFI_DEVICE_PATH_PROTOCOL) == 4);
STATIC_ASSERT(offsetof(EFI_SIO_PROTOCOL, GetResources) == EFI_N(1) && sizeof(EFI_SIO_PROTOCOL) == EFI_N(5));
STATIC_ASSERT(offsetof(EFI_RNG_PROTOCOL, GetRNG) == EFI_N(1) && sizeof(EFI_RNG_PROTOCOL) == EFI_N(2));

#undef EFI_N
#undef EFI_ALIGN8

#endif

/* Object names, the Object Manager's pure part (issue 12 builds the namespace on it): validation of a path, its
 * components one by one, the case-insensitive hash of a directory's buckets, and the name a symbolic link reparses
 * to. Names are counted UTF-16 strings (UNICODE_STRING); case folding is the RTL's (ASCII letters). */
#ifndef XTOSKRNL_OB_OBNAME_H
#define XTOSKRNL_OB_OBNAME_H

#include <rtl.h>
#include <xtstatus.h>

#define OBJ_NAME_PATH_SEPARATOR ((WCHAR)u'\\')
#define OBP_DIRECTORY_BUCKETS   37 /* NT's NUMBER_HASH_BUCKETS */

/* Checks a full object path: STATUS_OBJECT_PATH_SYNTAX_BAD when it does not start with a backslash (or is empty),
 * STATUS_OBJECT_NAME_INVALID for an odd byte length, a length past MaximumLength, a missing buffer, a NUL character,
 * an empty component ("\\a\\\\b") or a trailing backslash after a component; "\\" alone (the root) is valid. */
XTSTATUS ObpValidateObjectPath(PCUNICODE_STRING Path);

/* Takes the next component of *Remaining (skipping one leading backslash) into *Component (pointing into the same
 * buffer) and leaves *Remaining at the backslash after it, or empty. FALSE when nothing is left. */
BOOLEAN ObpGetNextComponent(PUNICODE_STRING Remaining, PUNICODE_STRING Component);

/* The directory bucket (0 .. OBP_DIRECTORY_BUCKETS - 1) of a component; equal for names equal ignoring case. */
ULONG ObpHashComponent(PCUNICODE_STRING Component);

/* The path a symbolic link reparses to: Target followed by the part of the original path not yet parsed
 * (Remaining, empty or starting with a backslash), written to Buffer (Size bytes) and described by *Result.
 * STATUS_NAME_TOO_LONG past a UNICODE_STRING's reach, STATUS_BUFFER_TOO_SMALL when Buffer is short. */
XTSTATUS ObpBuildReparsePath(PCUNICODE_STRING Target, PCUNICODE_STRING Remaining, PWCHAR Buffer, SIZE_T Size,
                             PUNICODE_STRING Result);

#endif

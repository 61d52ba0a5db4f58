/* Kernel parameter parsing (see params.h). */
#include <rtl.h>

#include "params.h"

typedef struct _KE_TOKEN {
    PCSTR Text;
    SIZE_T Length;     /* whole token */
    SIZE_T NameLength; /* up to '=' (or the whole token) */
    PCSTR Value;       /* after '=', NULL without one */
    SIZE_T ValueLength;
} KE_TOKEN;

static const PCSTR KepTestFaultNames[] = {"NONE",
                                          "PAGE",
                                          "GP",
                                          "STACK",
                                          "DOUBLE",
                                          "POOLOVERRUN",
                                          "POOLDOUBLEFREE",
                                          "POOLTAG",
                                          "SPECIALPOOL",
                                          "BADPFN",
                                          "POOLSTART",
                                          "WAITNMI",
                                          "WAITMCE",
                                          "RESET",
                                          "UBSAN",
                                          "RUNLEVELRAISE",
                                          "RUNLEVELLOWER",
                                          "POOLIRQL",
                                          "DPCLEVEL",
                                          "PAGEDIRQL",
                                          "WRITERO",
                                          "EXECNX",
                                          "GUARDPAGE",
                                          "APSTOP",
                                          "SPINLOCKOWNED",
                                          "SHOOTDOWN",
                                          "SPACESHOOTDOWN",
                                          "SPINLOCKNOTOWNED",
                                          "WAITDISPATCH",
                                          "THREADSTACK"};

STATIC_ASSERT(ARRAY_SIZE(KepTestFaultNames) == KeTestFaultThreadStack + 1);

PCSTR KeTestFaultName(ULONG TestFault) {
    return TestFault < ARRAY_SIZE(KepTestFaultNames) ? KepTestFaultNames[TestFault] : "?";
}

/* TRUE when the counted string equals the NUL-terminated Literal, ignoring ASCII case. */
static BOOLEAN KepEquals(PCSTR Text, SIZE_T Length, PCSTR Literal) {
    SIZE_T Index = 0;

    for (; Index < Length; Index++) {
        if (Literal[Index] == '\0' || RtlUpcaseChar(Text[Index]) != RtlUpcaseChar(Literal[Index])) {
            return FALSE;
        }
    }
    return Literal[Index] == '\0';
}

/* Parses a decimal number of at most 9 digits filling the whole counted string. */
static BOOLEAN KepParseDecimal(PCSTR Text, SIZE_T Length, PULONG Value) {
    *Value = 0;
    if (Length == 0 || Length > 9) {
        return FALSE;
    }
    for (SIZE_T Index = 0; Index < Length; Index++) {
        if (Text[Index] < '0' || Text[Index] > '9') {
            return FALSE;
        }
        *Value = *Value * 10 + (ULONG)(Text[Index] - '0');
    }
    return TRUE;
}

/* One serial item of DEBUG=: COMn[,baud]. FALSE for anything else. */
static BOOLEAN KepParseComItem(PCSTR Item, SIZE_T Length, PULONG Port, PULONG Baud) {
    SIZE_T Comma = 0;

    *Baud = 115200;
    while (Comma < Length && Item[Comma] != ',') {
        Comma++;
    }
    if (Comma != 4 || !KepEquals(Item, 3, "COM") || !KepParseDecimal(Item + 3, 1, Port) || *Port < 1 || *Port > 4) {
        return FALSE;
    }
    return Comma == Length ||
           (KepParseDecimal(Item + Comma + 1, Length - Comma - 1, Baud) && *Baud != 0 && 115200 % *Baud == 0);
}

/* DEBUG[=ITEM[;ITEM]...], ITEM = COMn[,baud] | SCREEN (ExectOS's syntax): FALSE (nothing changes) for anything else,
 * an empty item included. */
static BOOLEAN KepParseDebug(const KE_TOKEN *Token, PKE_PARAMETERS Parameters) {
    ULONG Port = 1, Baud = 115200;
    BOOLEAN Serial = TRUE, Screen = FALSE;
    SIZE_T Start = 0, End;

    if (Token->Value != NULL) {
        Serial = FALSE;
        do {
            for (End = Start; End < Token->ValueLength && Token->Value[End] != ';'; End++) {
            }
            if (KepEquals(Token->Value + Start, End - Start, "SCREEN")) {
                Screen = TRUE;
            } else if (KepParseComItem(Token->Value + Start, End - Start, &Port, &Baud)) {
                Serial = TRUE;
            } else {
                return FALSE;
            }
            Start = End + 1;
        } while (End < Token->ValueLength);
    }
    Parameters->DebugEnabled = Serial;
    Parameters->DebugPort = Serial ? Port : 0;
    Parameters->DebugBaud = Serial ? Baud : 0;
    Parameters->DebugScreen = Screen;
    return TRUE;
}

/* TESTFAULT=PAGE|GP|STACK|DOUBLE: FALSE for anything else. */
static BOOLEAN KepParseTestFault(const KE_TOKEN *Token, PKE_PARAMETERS Parameters) {
    for (ULONG Fault = KeTestFaultPage; Token->Value != NULL && Fault < ARRAY_SIZE(KepTestFaultNames); Fault++) {
        if (KepEquals(Token->Value, Token->ValueLength, KepTestFaultNames[Fault])) {
            Parameters->TestFault = Fault;
            return TRUE;
        }
    }
    return FALSE;
}

/* TIMER=LAPIC|HPET|PM|PIT: FALSE for anything else. */
static BOOLEAN KepParseTimer(const KE_TOKEN *Token, PKE_PARAMETERS Parameters) {
    static const PCSTR Names[] = {NULL, "HPET", "PM", "PIT", "LAPIC"};

    for (ULONG Timer = KeTimerHpet; Token->Value != NULL && Timer < ARRAY_SIZE(Names); Timer++) {
        if (KepEquals(Token->Value, Token->ValueLength, Names[Timer])) {
            Parameters->Timer = Timer;
            return TRUE;
        }
    }
    return FALSE;
}

/* A flag parameter (no value allowed). */
static BOOLEAN KepParseFlag(const KE_TOKEN *Token, PBOOLEAN Flag) {
    if (Token->Value != NULL) {
        return FALSE;
    }
    *Flag = TRUE;
    return TRUE;
}

/* Applies one token; returns 0 or the KE_PARAMETER_PROBLEM. */
static ULONG KepApplyToken(const KE_TOKEN *Token, PKE_PARAMETERS Parameters) {
    static const struct {
        PCSTR Name;
        SIZE_T Offset;
    } Flags[] = {
        {"NOXPA", offsetof(KE_PARAMETERS, NoXpa)},
        {"SELFTEST", offsetof(KE_PARAMETERS, SelfTest)},
        {"TESTEXIT", offsetof(KE_PARAMETERS, TestExit)},
        {"SHUTDOWN", offsetof(KE_PARAMETERS, Shutdown)},
        {"TESTPTFREE", offsetof(KE_PARAMETERS, TestPtFree)},
        {"BENCH", offsetof(KE_PARAMETERS, Bench)},
        {"TESTGUARDMAPPED", offsetof(KE_PARAMETERS, TestGuardMapped)},
        {"TESTPTDB", offsetof(KE_PARAMETERS, TestPtDb)},
        {"TESTDESCSTRIDE", offsetof(KE_PARAMETERS, TestStride)},
        {"TESTDESCCOUNT", offsetof(KE_PARAMETERS, TestDescriptorCount)},
        {"NOKASLR", offsetof(KE_PARAMETERS, NoKaslr)},
        {"NOX2APIC", offsetof(KE_PARAMETERS, NoX2Apic)},
        {"TESTSCREEN", offsetof(KE_PARAMETERS, TestScreen)},
        {"TESTSTORM", offsetof(KE_PARAMETERS, TestStorm)},
        {"TESTAPHANG", offsetof(KE_PARAMETERS, TestApHang)},
    };
    ULONG Value;

    if (KepEquals(Token->Text, Token->NameLength, "DEBUG")) {
        return KepParseDebug(Token, Parameters) ? 0 : KeParameterBadValue;
    }
    if (KepEquals(Token->Text, Token->NameLength, "TESTFAULT")) {
        return KepParseTestFault(Token, Parameters) ? 0 : KeParameterBadValue;
    }
    if (KepEquals(Token->Text, Token->NameLength, "TIMER")) {
        return KepParseTimer(Token, Parameters) ? 0 : KeParameterBadValue;
    }
    if (KepEquals(Token->Text, Token->NameLength, "CLOCK")) {
        if (Token->Value == NULL || !KepParseDecimal(Token->Value, Token->ValueLength, &Value) ||
            Value < KE_CLOCK_MIN_HZ || Value > KE_CLOCK_MAX_HZ) {
            return KeParameterBadValue;
        }
        Parameters->ClockHz = Value;
        return 0;
    }
    if (KepEquals(Token->Text, Token->NameLength, "MAXCPUS")) {
        if (Token->Value == NULL || !KepParseDecimal(Token->Value, Token->ValueLength, &Value) || Value == 0 ||
            Value > KE_MAXCPUS_LIMIT) {
            return KeParameterBadValue;
        }
        Parameters->MaxCpus = Value;
        return 0;
    }
    if (KepEquals(Token->Text, Token->NameLength, "TORTURE")) {
        if (Token->Value == NULL || !KepParseDecimal(Token->Value, Token->ValueLength, &Value) ||
            Value < KE_TORTURE_MIN || Value > KE_TORTURE_MAX) {
            return KeParameterBadValue;
        }
        Parameters->TortureOperations = Value;
        return 0;
    }
    if (KepEquals(Token->Text, Token->NameLength, "SELFTEST") && Token->Value != NULL) {
        if (Token->ValueLength == 0) {
            return KeParameterBadValue;
        }
        Parameters->SelfTest = TRUE;
        Parameters->SelfTestSuites = Token->Value;
        Parameters->SelfTestSuitesLength = (ULONG)Token->ValueLength;
        return 0;
    }
    if (KepEquals(Token->Text, Token->NameLength, "SPECIALPOOL")) {
        if (Token->Value == NULL || Token->ValueLength != 4) {
            return KeParameterBadValue;
        }
        Parameters->SpecialPoolTag = (ULONG)(UCHAR)Token->Value[0] | (ULONG)(UCHAR)Token->Value[1] << 8 |
                                     (ULONG)(UCHAR)Token->Value[2] << 16 | (ULONG)(UCHAR)Token->Value[3] << 24;
        return 0;
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Flags); Index++) {
        if (KepEquals(Token->Text, Token->NameLength, Flags[Index].Name)) {
            return KepParseFlag(Token, (PBOOLEAN)((PUCHAR)Parameters + Flags[Index].Offset)) ? 0 : KeParameterBadValue;
        }
    }
    return KeParameterUnknown;
}

VOID KeParseParameters(PCSTR Text, SIZE_T Length, PKE_PARAMETERS Parameters) {
    SIZE_T Position = 0, End;
    BOOLEAN DebugSeen = FALSE;
    KE_TOKEN Token;
    ULONG Problem;

    RtlZeroMemory(Parameters, sizeof(*Parameters));
    Parameters->ClockHz = KE_CLOCK_DEFAULT_HZ;
    Length = RtlStringLength(Text, Length);
    while (Position < Length) {
        if (Text[Position] == ' ' || Text[Position] == '\t') {
            Position++;
            continue;
        }
        for (End = Position; End < Length && Text[End] != ' ' && Text[End] != '\t'; End++) {
        }
        Token = (KE_TOKEN){Text + Position, End - Position, End - Position, NULL, 0};
        for (SIZE_T Index = 0; Index < Token.Length; Index++) {
            if (Token.Text[Index] == '=') {
                Token.NameLength = Index;
                Token.Value = Token.Text + Index + 1;
                Token.ValueLength = Token.Length - Index - 1;
                break;
            }
        }
        Problem = KepApplyToken(&Token, Parameters);
        DebugSeen = DebugSeen || (Problem == 0 && KepEquals(Token.Text, Token.NameLength, "DEBUG"));
        if (Problem != 0) {
            if (Parameters->IgnoredCount < KE_PARAMETER_IGNORED_MAX) {
                Parameters->Ignored[Parameters->IgnoredCount] =
                    (KE_IGNORED_PARAMETER){(USHORT)Position, (USHORT)Token.Length, Problem};
            }
            Parameters->IgnoredCount++;
        }
        Position = End;
    }
    if (!DebugSeen) {
        Parameters->DebugScreen = TRUE; /* no (valid) DEBUG: a machine with a screen shows its boot there */
    }
}

/* KiLookupSymbol over synthetic tables laid out as ksymgen writes them, and over malformed ones. */
#include <rtl.h>

#include <ksyms.h>
#include <tests/kernel_suites.h>

typedef struct _TEST_TABLE {
    KSYM_TABLE Header;
    ULONG Rvas[3];
    ULONG Names[3];
    CHAR Blob[32];
} TEST_TABLE;

/* Three functions at RVA 0x1000, 0x1040 and 0x2000; code ends at 0x3000. */
static VOID KitBuildTable(TEST_TABLE *Table) {
    static const CHAR Blob[] = "KiAlpha\0KiBeta\0MiGamma";

    RtlZeroMemory(Table, sizeof(*Table));
    RtlCopyMemory(Table->Header.Magic, KSYM_MAGIC, sizeof(KSYM_MAGIC));
    Table->Header.Version = KSYM_VERSION;
    Table->Header.Count = 3;
    Table->Header.NamesOffset = (ULONG)(sizeof(KSYM_TABLE) + 6 * sizeof(ULONG));
    Table->Header.Size = Table->Header.NamesOffset + sizeof(Blob);
    Table->Header.CodeLimit = 0x3000;
    Table->Rvas[0] = 0x1000;
    Table->Rvas[1] = 0x1040;
    Table->Rvas[2] = 0x2000;
    Table->Names[0] = 0;
    Table->Names[1] = 8;
    Table->Names[2] = 15;
    RtlCopyMemory(Table->Blob, Blob, sizeof(Blob));
}

/* TRUE when Rva resolves to Expected+Offset. */
static BOOLEAN KitResolves(const TEST_TABLE *Table, ULONG Rva, PCSTR Expected, ULONG ExpectedOffset) {
    PCSTR Name = NULL;
    ULONG Offset = 0;

    return KiLookupSymbol(&Table->Header, sizeof(*Table), Rva, &Name, &Offset) &&
           RtlStringLength(Name, 32) == RtlStringLength(Expected, 32) &&
           RtlCompareMemory(Name, Expected, RtlStringLength(Expected, 32)) == RtlStringLength(Expected, 32) &&
           Offset == ExpectedOffset;
}

XTEST(LookupFindsTheSymbolAtOrBelow) {
    TEST_TABLE Table;
    PCSTR Name;
    ULONG Offset;

    KitBuildTable(&Table);
    XTEST_CHECK(KitResolves(&Table, 0x1000, "KiAlpha", 0));
    XTEST_CHECK(KitResolves(&Table, 0x103F, "KiAlpha", 0x3F));
    XTEST_CHECK(KitResolves(&Table, 0x1040, "KiBeta", 0));
    XTEST_CHECK(KitResolves(&Table, 0x1FFF, "KiBeta", 0xFBF));
    XTEST_CHECK(KitResolves(&Table, 0x2FFF, "MiGamma", 0xFFF));
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0xFFF, &Name, &Offset));  /* below the first */
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x3000, &Name, &Offset)); /* past the code */
}

XTEST(MalformedTablesResolveNothing) {
    TEST_TABLE Table;
    PCSTR Name;
    ULONG Offset;

    KitBuildTable(&Table);
    Table.Header.Magic[0] = 'Y'; /* the placeholder or garbage */
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x1000, &Name, &Offset));
    KitBuildTable(&Table);
    Table.Header.Count = 0;
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x1000, &Name, &Offset));
    KitBuildTable(&Table);
    Table.Header.Size = sizeof(Table) + 1; /* larger than what can be read */
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x1000, &Name, &Offset));
    KitBuildTable(&Table);
    Table.Header.NamesOffset = sizeof(KSYM_TABLE); /* names overlap the arrays */
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x1000, &Name, &Offset));
    KitBuildTable(&Table);
    Table.Names[2] = 0x1000; /* a name outside the table */
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x2000, &Name, &Offset));
    KitBuildTable(&Table);
    Table.Header.Size -= 1; /* the last name loses its terminator */
    XTEST_CHECK(!KiLookupSymbol(&Table.Header, sizeof(Table), 0x2000, &Name, &Offset));
    XTEST_CHECK(KitResolves(&Table, 0x1000, "KiAlpha", 0));
}

XTEST_SUITE(KeSymbolSuite, XTEST_ENTRY(LookupFindsTheSymbolAtOrBelow), XTEST_ENTRY(MalformedTablesResolveNothing));

XTEST_HOST_MAIN(&KeSymbolSuite)

/* Boot menu state machine: selection, countdown, parameter editing. */
#include <rtl.h>
#include <xtest.h>

#include "../menu.h"

static BL_CONFIG Config;
static BL_MENU Menu;

static VOID Setup(ULONG Timeout) {
    RtlZeroMemory(&Config, sizeof(Config));
    Config.Timeout = Timeout;
    Config.EntryCount = 3;
    Config.DefaultEntry = 1;
    Config.Entries[0] = (BL_BOOT_ENTRY){"A", "System A", "XTOS", "PA", "\\A"};
    Config.Entries[1] = (BL_BOOT_ENTRY){"B", "System B", "XTOS", "PB", "\\B"};
    Config.Entries[2] = (BL_BOOT_ENTRY){"C", "System C", "XTOS", "", "\\C"};
    Config.Entry = Config.Entries[1];
    BlMenuInitialize(&Menu, &Config);
}

static BOOLEAN Equal(PCSTR Left, PCSTR Right) {
    return RtlCompareCString(Left, Right, 1024, FALSE) == 0;
}

static BL_MENU_ACTION Type(PCSTR Text) {
    BL_MENU_ACTION Action = BlMenuActionNone;
    for (; *Text; Text++) {
        Action = BlMenuKey(&Menu, BlMenuKeyCharacter, *Text);
    }
    return Action;
}

XTEST(TimeoutBootsDefault) {
    Setup(3);
    XTEST_CHECK_EQ(BlMenuTick(&Menu), BlMenuActionCountdown);
    XTEST_CHECK_EQ(Menu.Remaining, 2);
    XTEST_CHECK_EQ(BlMenuTick(&Menu), BlMenuActionCountdown);
    XTEST_CHECK_EQ(BlMenuTick(&Menu), BlMenuActionBoot);
    XTEST_CHECK(Equal(Config.Entry.Name, "B"));
    XTEST_CHECK(Equal(Config.Entry.Parameters, "PB"));
}

XTEST(AnyKeyStopsCountdown) {
    Setup(2);
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyCharacter, 'x'), BlMenuActionRedraw);
    for (ULONG Second = 0; Second < 10; Second++) {
        XTEST_CHECK_EQ(BlMenuTick(&Menu), BlMenuActionNone);
    }
    XTEST_CHECK_EQ(Menu.Selected, 1);
}

XTEST(ArrowsWrapAndEnterBoots) {
    Setup(5);
    BlMenuKey(&Menu, BlMenuKeyDown, 0);
    XTEST_CHECK_EQ(Menu.Selected, 2);
    BlMenuKey(&Menu, BlMenuKeyDown, 0);
    XTEST_CHECK_EQ(Menu.Selected, 0);
    BlMenuKey(&Menu, BlMenuKeyUp, 0);
    XTEST_CHECK_EQ(Menu.Selected, 2);
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyEnter, 0), BlMenuActionBoot);
    XTEST_CHECK(Equal(Config.Entry.Name, "C"));
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\C"));
}

XTEST(EditAcceptAndBoot) {
    Setup(5);
    BlMenuKey(&Menu, BlMenuKeyUp, 0);
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyCharacter, 'e'), BlMenuActionRedraw);
    XTEST_ASSERT(Menu.Editing);
    XTEST_CHECK(Equal(Menu.Edit, "PA"));
    BlMenuKey(&Menu, BlMenuKeyBackspace, 0);
    Type("X NOXPA");
    XTEST_CHECK(Equal(Menu.Edit, "PX NOXPA"));
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyEnter, 0), BlMenuActionRedraw);
    XTEST_CHECK(!Menu.Editing);
    XTEST_CHECK(Equal(BlMenuParameters(&Menu, 0), "PX NOXPA"));
    XTEST_CHECK(Equal(BlMenuParameters(&Menu, 1), "PB"));
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyEnter, 0), BlMenuActionBoot);
    XTEST_CHECK(Equal(Config.Entry.Name, "A"));
    XTEST_CHECK(Equal(Config.Entry.Parameters, "PX NOXPA"));
}

XTEST(EditCancelKeepsParameters) {
    Setup(5);
    BlMenuKey(&Menu, BlMenuKeyCharacter, 'E');
    Type(" junk");
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyEscape, 0), BlMenuActionRedraw);
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyEnter, 0), BlMenuActionBoot);
    XTEST_CHECK(Equal(Config.Entry.Parameters, "PB"));
}

XTEST(EditorIsBounded) {
    Setup(5);
    BlMenuKey(&Menu, BlMenuKeyCharacter, 'e');
    for (ULONG Count = 0; Count < 2 * BL_MAX_PARAMETERS; Count++) {
        BlMenuKey(&Menu, BlMenuKeyCharacter, 'a');
    }
    XTEST_CHECK_EQ(Menu.EditLength, BL_MAX_PARAMETERS - 1);
    XTEST_CHECK_EQ(Menu.Edit[BL_MAX_PARAMETERS - 1], '\0');
    XTEST_CHECK_EQ(BlMenuKey(&Menu, BlMenuKeyCharacter, '\t'), BlMenuActionNone);
    for (ULONG Count = 0; Count < 2 * BL_MAX_PARAMETERS; Count++) {
        BlMenuKey(&Menu, BlMenuKeyBackspace, 0);
    }
    XTEST_CHECK_EQ(Menu.EditLength, 0);
}

XTEST_SUITE(BlMenuSuite, XTEST_ENTRY(TimeoutBootsDefault), XTEST_ENTRY(AnyKeyStopsCountdown),
            XTEST_ENTRY(ArrowsWrapAndEnterBoots), XTEST_ENTRY(EditAcceptAndBoot),
            XTEST_ENTRY(EditCancelKeepsParameters), XTEST_ENTRY(EditorIsBounded));

XTEST_HOST_MAIN(&BlMenuSuite)

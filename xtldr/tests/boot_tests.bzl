"""Loader QEMU tests: XTLDR boots the hand-off probe kernel (testing/probe) so they do not depend on the kernel."""

load("//testing:image.bzl", "xt_corrupt_pe")
load("//testing:kaslr.bzl", "KASLR_LINK_BASE", "kaslr_reject", "kaslr_report_re")
load("//testing:qemu.bzl", _xt_qemu_test = "xt_qemu_test")

_PROBE = "//testing/probe"

def xt_qemu_test(**kwargs):
    # Loader tests never build the real kernel: images carry the probe unless a test says otherwise.
    kwargs.setdefault("kernel", _PROBE)
    _xt_qemu_test(**kwargs)

# (name, arch, cpu, parameters, expected paging mode)
_MODES = [
    ("pml4", "amd64", "qemu64", "", "PML4"),
    ("pml5", "amd64", "qemu64,+la57", "", "PML5"),
    ("pml4_noxpa", "amd64", "qemu64,+la57", "NOXPA", "PML4"),
    ("pml3", "i686", "qemu32", "", "PML3"),
    ("pml2_noxpa", "i686", "qemu32", "NOXPA", "PML2"),
]

def _report(arch, mode):
    return "XTLDR-REPORT version=0.2.0 arch=%s paging=%s la57=%d pae=%d" % (
        arch,
        mode,
        1 if mode == "PML5" else 0,
        0 if mode == "PML2" else 1,
    )

def xtldr_handoff_tests():
    """The loader hands off in every paging mode, at several RAM sizes and with two CPUs."""
    for name, arch, cpu, parameters, mode in _MODES:
        mems = ["128M", "4G"] + (["6G"] if mode in ["PML3", "PML4", "PML5"] else [])
        for mem in mems:
            xt_qemu_test(
                name = "handoff_%s_%s" % (name, mem.lower()),
                arch = arch,
                cpu = cpu,
                mem = mem,
                parameters = parameters,
                expect_exit = "clean",
                expect = [_report(arch, mode), "PROBE: ok mode=" + mode],
                expect_re = [kaslr_report_re(arch, "tsc")],
                reject = kaslr_reject(arch),
            )
        xt_qemu_test(
            name = "handoff_%s_smp2" % name,
            arch = arch,
            cpu = cpu,
            smp = 2,
            parameters = parameters,
            expect_exit = "clean",
            expect = [_report(arch, mode), "PROBE: ok mode=" + mode],
        )

def xtldr_error_tests(arch, other_arch):
    """Every loader error path on `arch` ends with its XTLDR: error: line and status 39, never a hang."""
    xt_qemu_test(
        name = "missing_kernel_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = ["XTLDR: error: kernel \\XTOS\\XTOSKRNL.EXE: file not found"],
        with_kernel = False,
    )
    xt_qemu_test(
        name = "non_pe_kernel_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect_re = ["XTLDR: error: kernel .XTOS.XTOSKRNL.EXE: .*e_magic"],
        kernel_file = "not_a_pe.txt",
    )
    xt_qemu_test(
        name = "wrong_machine_kernel_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect_re = ["XTLDR: error: kernel .XTOS.XTOSKRNL.EXE: .*IMAGE_FILE_HEADER.Machine"],
        kernel_arch = other_arch,
    )
    for mode, field in [
        ("truncate", "extend past the end of the file .*\\(IMAGE_SECTION_HEADER\\[[0-9]+\\].SizeOfRawData"),
        ("section-table", "at 0x7ffff000 extend past the end .*\\(IMAGE_SECTION_HEADER\\[0\\].SizeOfRawData"),
        ("reloc-past-end", "\\(IMAGE_BASE_RELOCATION\\[0\\].SizeOfBlock"),
    ]:
        name = "%s_kernel_%s" % (mode.replace("-", "_"), arch)
        xt_corrupt_pe(
            name = name + "_file",
            testonly = True,
            arch = arch,
            image = _PROBE,
            mode = mode,
        )
        xt_qemu_test(
            name = name,
            arch = arch,
            expect_exit = "loader_error",
            expect_re = ["XTLDR: error: kernel .XTOS.XTOSKRNL.EXE: .*" + field + " at file offset 0x[0-9a-f]+\\)"],
            kernel_file = ":%s_file" % name,
        )
    xt_qemu_test(
        name = "missing_ini_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = ["XTLDR: error: cannot read \\EFI\\BOOT\\XTLDR\\XTLDR.INI: file not found"],
        with_ini = False,
    )
    xt_qemu_test(
        name = "garbage_ini_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = ["XTLDR: error: \\EFI\\BOOT\\XTLDR\\XTLDR.INI is not a usable INI file"],
        ini = "not_a_pe.txt",
    )
    xt_qemu_test(
        name = "no_usable_entry_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = [
            "XTLDR: warning: \\EFI\\BOOT\\XTLDR\\XTLDR.INI line 3: missing '=' in key line",
            "XTLDR: error: \\EFI\\BOOT\\XTLDR\\XTLDR.INI: no usable boot entry",
        ],
        ini = "no_entry.ini",
    )

def xtldr_fixed_base_test(arch):
    """A kernel not marked DYNAMIC_BASE is never moved: a warning, and the link base with kaslr=off."""
    name = "fixed_base_kernel_%s" % arch
    xt_corrupt_pe(
        name = name + "_file",
        testonly = True,
        arch = arch,
        image = _PROBE,
        mode = "no-dynamic-base",
    )
    xt_qemu_test(
        name = name,
        arch = arch,
        expect_exit = "clean",
        expect = [
            "XTLDR: warning: kernel \\XTOS\\XTOSKRNL.EXE cannot move (not marked DYNAMIC_BASE): no KASLR, loaded at " +
            "its link base " + KASLR_LINK_BASE[arch],
            " kernel_base=%s kaslr=off kernel_sha1=" % KASLR_LINK_BASE[arch],
            "PROBE: ok mode=",
        ],
        reject = ["XTLDR: KASLR"],
        kernel_file = ":%s_file" % name,
    )

def xtldr_menu_tests(arch, cpu, noxpa_mode):
    """The boot menu: a key stops the countdown, Down picks the second entry, E edits its parameters."""
    xt_qemu_test(
        name = "menu_edit_%s" % arch,
        arch = arch,
        cpu = cpu,
        ini = "menu.ini",
        keys_after = "Booting in 30 s",
        keys = ["\\033[B", "e", " NOXPA", "\\r", "\\r"],
        expect_exit = "clean",
        expect = [
            " > XTOS edited [XTOS-EDIT]",
            "Parameters (Enter accepts, Esc cancels): DEBUG=COM1,115200 TESTEXIT NOXPA_",
            "XTLDR: booting entry 'XTOS-EDIT' with parameters 'DEBUG=COM1,115200 TESTEXIT NOXPA'",
            "paging=" + noxpa_mode,
            "PROBE: ok mode=" + noxpa_mode,
        ],
    )
    xt_qemu_test(
        name = "menu_timeout_%s" % arch,
        arch = arch,
        ini = "menu_timeout.ini",
        expect_exit = "clean",
        expect = ["Booting in 1 s", "XTLDR: booting entry 'XTOS' with parameters 'DEBUG=COM1,115200 TESTEXIT'"],
    )

"""Loader QEMU tests: XTLDR boots the hand-off probe kernel (testing/probe) so they do not depend on the kernel."""

load("//testing:image.bzl", "xt_corrupt_pe")
load("//testing:kaslr.bzl", "KASLR_LINK_BASE", "kaslr_reject", "kaslr_report_re")
load("//testing:qemu.bzl", _xt_qemu_test = "xt_qemu_test")

_PROBE = "//testing/probe"

def xt_qemu_test(**kwargs):
    # Loader tests never build the real kernel: images carry the probe unless a test says otherwise.
    kwargs.setdefault("kernel", _PROBE)

    # Every loader line must be on the serial port exactly once: written by the loader, or mirrored by the
    # firmware's console, never both (and never neither).
    expect = kwargs.pop("expect", [])
    kwargs["expect_once"] = kwargs.pop("expect_once", []) + [t for t in expect if t.startswith("XTLDR")]
    kwargs["expect"] = [t for t in expect if not t.startswith("XTLDR")]
    _xt_qemu_test(**kwargs)

# The lines every boot that reaches the hand-off prints, each exactly once on the serial port.
def _loader_lines(arch):
    return [
        "XTLDR 0.2.0 (%s) - XTOS boot loader" % arch,
        "XTLDR: debug port COM1 is a firmware console: loader lines reach it through ConOut",
        "XTLDR: config \\EFI\\BOOT\\XTLDR\\XTLDR.INI: ",
        "XTLDR: kernel \\XTOS\\XTOSKRNL.EXE: %s image" % arch,
        "XTLDR-REPORT version=",
        "XTLDR-BENCH entry_to_handoff_tsc=",
    ]

# The probe checked the GOP framebuffer the loader handed over (format, sizes, masks, every page described as
# LoaderSpecialMemory) and prints its size and format: QEMU's standard VGA always has one.
_FRAMEBUFFER_RE = "^PROBE: ok .* framebuffer=[1-9][0-9]*x[1-9][0-9]*,format=[123] "

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
    """The loader hands off in every paging mode, at several RAM sizes and with two CPUs; and without a display."""
    for arch in ["amd64", "i686"]:
        # No display device: no GOP, so no framebuffer in the init block (every field 0) and none in the map.
        xt_qemu_test(
            name = "handoff_no_gop_%s" % arch,
            arch = arch,
            expect_exit = "clean",
            expect = ["PROBE: ok mode=", " framebuffer=0x0,format=0 "] + _loader_lines(arch),
            qemu_args = ["-vga", "none"],
        )
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
                expect = [_report(arch, mode), "PROBE: ok mode=" + mode] + _loader_lines(arch),
                expect_re = [kaslr_report_re(arch, "tsc"), _FRAMEBUFFER_RE],
                reject = kaslr_reject(arch),
            )
        xt_qemu_test(
            name = "handoff_%s_smp2" % name,
            arch = arch,
            cpu = cpu,
            smp = 2,
            parameters = parameters,
            expect_exit = "clean",
            expect = [_report(arch, mode), "PROBE: ok mode=" + mode] + _loader_lines(arch),
        )

# (arch, cpu, parameters, paging mode): the four modes, PML2 through NOXPA on a PAE CPU.
# SELFTEST suites of the kernel boots that check how the kernel takes a strange hand-over (tables reported free,
# a wider descriptor stride): the PFN database, its deferred part, every frame allocated and returned, the page
# tables, the pools and the final consistency checks. The rest of SELFTEST does not depend on the loader's map.
_KERNEL_MAP_SUITES = "MmhPageMapSuite,MmDeferredPfnSuite,MmLiveSuite,PoolBasicSuite,MmAddressSpaceSuite,MmFinalSuite"

_FOUR_MODES = [
    ("i686", "qemu32", "NOXPA", "PML2"),
    ("i686", "qemu32", "", "PML3"),
    ("amd64", "qemu64", "", "PML4"),
    ("amd64", "qemu64,+la57", "", "PML5"),
]

def xtldr_test_mode_tests():
    """The loader's test modes TESTPTDB and TESTDESCSTRIDE, with the probe (the loader's side) and the kernel.

    TESTPTDB puts every page-table frame, reported free, on top of the free range the kernel carves its PFN
    database from. The kernel must find them by walking the live tables from CR3 before it takes any frame, keep
    every one (loader_ptables_kept equals the loader's ptables) and pass SELFTEST. The kernel boots
    (kernel_ptdb_*) FAIL until xtoskrnl/mm/pfn walks the tables before it carves the database: today it builds the
    database over the live tables.

    TESTDESCSTRIDE hands over the descriptors 40 bytes apart (24 + 16 bytes of 0xA5). The probe and the kernel must
    step by MemoryDescriptorSize: the RAM they count must equal what the loader handed over. The kernel boots
    (kernel_descstride_*) FAIL until the kernel steps by the declared size.
    """
    for arch, cpu, parameters, mode in _FOUR_MODES:
        # The placement is the same for every mode of an arch: the probe boots the extremes (32-bit entries, LA57).
        if mode in ["PML2", "PML5"]:
            xt_qemu_test(
                name = "ptdb_%s" % mode.lower(),
                arch = arch,
                cpu = cpu,
                parameters = (parameters + " TESTPTDB").strip(),
                expect_exit = "clean",
                expect = [
                    "XTLDR: TESTPTDB: ",
                    "XTLDR-REPORT version=0.2.0 arch=%s paging=%s" % (arch, mode),
                    "PROBE: ok mode=" + mode,
                ],
            )
        xt_qemu_test(
            name = "kernel_ptdb_%s" % mode.lower(),
            arch = arch,
            cpu = cpu,
            kernel = "//xtoskrnl",
            parameters = (parameters + " TESTPTDB SELFTEST=" + _KERNEL_MAP_SUITES).strip(),
            expect_exit = "clean",
            expect = ["XTLDR: TESTPTDB: ", "XTOS-REPORT arch=%s paging=%s " % (arch, mode)],
            expect_re = ["^XTOS-REPORT .* loader_ptables_kept=[1-9][0-9]* ", "^XTEST: [1-9][0-9]* passed, 0 failed$"],
            expect_equal = ["ptables=loader_ptables_kept"],
            reject = ["*** STOP", "XTEST FAIL", "KE: unknown parameter"],
        )
    for arch, mode in [("amd64", "PML4"), ("i686", "PML3")]:
        xt_qemu_test(
            name = "descstride_%s" % arch,
            arch = arch,
            parameters = "TESTDESCSTRIDE",
            expect_exit = "clean",
            expect = [
                "XTLDR: TESTDESCSTRIDE: ",
                "PROBE: ok mode=%s descriptors=" % mode,
                " descriptor_size=40 ",
            ],
            expect_equal = ["handed_ram_pages=ram_pages"],
        )
        xt_qemu_test(
            name = "kernel_descstride_%s" % arch,
            arch = arch,
            kernel = "//xtoskrnl",
            parameters = "TESTDESCSTRIDE SELFTEST=" + _KERNEL_MAP_SUITES,
            expect_exit = "clean",
            expect = ["XTLDR: TESTDESCSTRIDE: ", "XTOS-REPORT arch=%s paging=%s " % (arch, mode)],
            expect_re = ["^XTEST: [1-9][0-9]* passed, 0 failed$"],
            expect_equal = ["handed_ram_pages=ram_pages"],
            reject = ["*** STOP", "XTEST FAIL", "KE: unknown parameter"],
        )

def xtldr_serial_tests(arch):
    """Loader lines on the serial port once each, whether or not the firmware's console reaches the port.

    The default port, COM1, is reached by OVMF's console (every handoff test checks _loader_lines). With the
    machine's only UART at COM2 (0x2f8), OVMF's console runs there instead: the ConOut variable names COM1 and
    COM2, only COM2 exists, and the loader must find that COM2 (by its Super I/O resources, not by a guess) is
    mirrored, so even the banner, printed before the INI file selects COM2, arrives once. With the only UART at
    COM3 (0x3e8) OVMF has no serial console at all (it knows COM1 and COM2 only, both absent): the loader must
    write COM3 itself; its banner goes to the absent COM1 and is lost, the firmware's own lines never appear.
    """
    for com, mirrored in [(2, True), (3, False)]:
        lines = [
            "XTLDR: config \\EFI\\BOOT\\XTLDR\\XTLDR.INI: ",
            "XTLDR: kernel \\XTOS\\XTOSKRNL.EXE: %s image" % arch,
            "XTLDR-REPORT version=",
            "XTLDR-BENCH entry_to_handoff_tsc=",
        ]
        if mirrored:
            lines += [
                "XTLDR 0.2.0 (%s) - XTOS boot loader" % arch,
                "XTLDR: debug port COM2 is a firmware console: loader lines reach it through ConOut",
            ]
        else:
            lines.append("XTLDR: debug port COM3 is written directly: no firmware console reaches it")
        xt_qemu_test(
            name = "serial_com%d_%s" % (com, arch),
            arch = arch,
            com = com,
            ini = "debug_com%d.ini" % com,
            parameters = "DEBUG=COM%d,115200" % com,
            expect_exit = "clean",
            expect = lines + ["PROBE: ok", "BdsDxe: starting Boot0002"] if mirrored else lines + ["PROBE: ok"],
            reject = [] if mirrored else ["BdsDxe", "XTLDR 0.2.0"],
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
    # The config checks are the same code on both arches: one boot each, on alternate arches.
    if arch == "i686":
        xt_qemu_test(
            name = "kernel_file_dir_%s" % arch,
            arch = arch,
            expect_exit = "loader_error",
            expect = [
                "XTLDR: error: \\EFI\\BOOT\\XTLDR\\XTLDR.INI: no usable boot entry: line 10: [XTOS] KernelFile " +
                "\"/\" names no file: it ends in a path separator (a directory)",
            ],
            ini = "kernel_file_dir.ini",
        )
    if arch == "amd64":
        xt_qemu_test(
            name = "bad_timeout_%s" % arch,
            arch = arch,
            expect_exit = "clean",
            expect = [
                "XTLDR: warning: \\EFI\\BOOT\\XTLDR\\XTLDR.INI line 4: [XTLDR] Timeout \"5x\" is not a whole " +
                "number of seconds from 0 to 3600: using the default, 0 s",
                "timeout 0 s",
                "PROBE: ok",
            ],
            reject = ["Booting in"],
            ini = "bad_timeout.ini",
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

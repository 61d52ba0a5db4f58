"""QEMU boot tests: one disk image per test, booted under OVMF, judged by exit status and serial lines."""

load("//testing:image.bzl", "xt_disk_image", "xt_iso")

# isa-debug-exit: the guest writes V to port 0xf4, QEMU exits with (V << 1) | 1 (design.md section 5).
EXIT_STATUS = {
    "clean": 33,  # 0x10: clean boot (and passing self-tests)
    "selftest_failed": 35,  # 0x11
    "stop": 37,  # 0x12: a STOP
    "loader_error": 39,  # 0x13: XTLDR failed
    "poweroff": "poweroff",  # status 0 and QMP SHUTDOWN reason guest-shutdown (an ACPI power-off, not a reset)
}

_FIRMWARE = {
    "amd64": ("@ovmf//:OVMF_CODE_4M.fd", "@ovmf//:OVMF_VARS_4M.fd"),
    "i686": ("@ovmf//:OVMF32_CODE_4M.secboot.fd", "@ovmf//:OVMF32_VARS_4M.fd"),
}

_DEFAULT_CPU = {"amd64": "qemu64", "i686": "qemu32"}

# The console font the kernel draws with (xtoskrnl/kd:font_c): the screen checks recognise text with it.
_SCREEN_FONT = "@consolefonts//:Lat15-Fixed16.psf.gz"

def _quote(text):
    # Test args are split like a Bourne shell command line: single-quote, escaping embedded single quotes.
    # "$" is Bazel's make-variable marker in args: double it.
    return "'" + text.replace("$", "$$").replace("'", "'\\''") + "'"

def xt_qemu_test(
        name,
        arch,
        expect_exit,
        expect = [],
        expect_once = [],
        expect_re = [],
        expect_equal = [],
        expect_first_after = None,
        reject = [],
        cpu = None,
        machine = "q35",
        mem = "128M",
        smp = 1,
        com = 1,
        parameters = "",
        timeout_s = 120,
        keys_after = None,
        keys = [],
        qemu_args = [],
        image = None,
        selftest_cases = None,
        monitor_after = None,
        monitor = [],
        screen_args = [],
        harness_must_reject = None,
        vary = None,
        iso = False,
        **image_attrs):
    """Boots `arch` with `parameters` (+ TESTEXIT and serial debug) and checks `expect_exit` and serial lines.

    `expect_once` lines must appear exactly once; `expect_equal` pairs ("KEY1=KEY2") compare the values of two
    report keys. `expect_first_after` ("MARK=TEXT"): the first line after the first MARK line that is not a loader line
    (XTLDR...) must contain TEXT. `com` puts the only UART at COM `com` (see qemu_boot.sh --com).
    `image` names a prebuilt disk image; otherwise one is built from `image_attrs` (see xt_disk_image).
    `keys` (printf %b escapes) are typed on COM1 once `keys_after` appears on the serial port.
    `selftest_cases`: the exact number of SELFTEST cases that must pass (`XTEST: N passed, 0 failed`).
    `monitor` commands (QEMU's human monitor, e.g. "nmi") are sent once `monitor_after` appears on the serial port
    (@OUTDIR@ stands for the test's output directory).
    `screen_args`: options of testing/tools/screencheck.c (`--expect TEXT`, `--expect-line @SERIAL@ PREFIX`,
    `--colors FG,BG`) checked on the screendump the monitor commands wrote to @OUTDIR@/screen.ppm, with the
    kernel's console font.
    `harness_must_reject`: a self-test of the harness. The test passes only if these expectations FAIL, with exactly
    one failure whose message contains this text.
    `machine`: QEMU's machine type, "q35" (ICH9) or "pc" (i440fx + PIIX3).
    `qemu_args` are passed to QEMU as they are.
    `iso`: boot the disk image's ESP files from a virtual CD-ROM, packaged as a hybrid ISO (xt_iso).
    `vary` names a key of a serial line (e.g. "kernel_base") whose value must differ between boots: the image is then
    booted two or three times (testing/qemu_vary_test.sh), each boot judged as above.
    """
    if expect_exit not in EXIT_STATUS:
        fail("expect_exit must be one of %s" % EXIT_STATUS.keys())
    if not image:
        image = name + "_image"
        xt_disk_image(
            name = image,
            arch = arch,
            parameters = ("DEBUG=COM1,115200 %s %s" % ("" if expect_exit == "poweroff" else "TESTEXIT", parameters)).strip().replace("  ", " "),
            testonly = True,
            **image_attrs
        )
    media = ["--image", "$(rootpath :%s)" % image]
    if iso:
        xt_iso(name = name + "_iso", image = ":" + image, testonly = True)
        image = name + "_iso"
        media = ["--cdrom", "$(rootpath :%s)" % image]
    code, vars = _FIRMWARE[arch]
    args = ["--expect-exit", str(EXIT_STATUS[expect_exit])]
    for text in expect:
        args += ["--expect", _quote(text)]
    for text in expect_once:
        args += ["--expect-once", _quote(text)]
    for regex in expect_re:
        args += ["--expect-re", _quote(regex)]
    for pair in expect_equal:
        args += ["--expect-equal", _quote(pair)]
    if expect_first_after:
        args += ["--expect-first-after", _quote(expect_first_after)]
    for text in reject:
        args += ["--reject", _quote(text)]
    if keys:
        args += ["--keys-after", _quote(keys_after)]
        for chunk in keys:
            args += ["--keys", _quote(chunk)]
    if selftest_cases != None:
        args += ["--selftest-cases", str(selftest_cases)]
    if monitor:
        args += ["--monitor-after", _quote(monitor_after)]
        for command in monitor:
            args += ["--monitor", _quote(command)]
    data = []
    if screen_args:
        args += ["--screen-check", "$(rootpath //testing:screencheck)", "$(rootpath %s)" % _SCREEN_FONT]
        for arg in screen_args:
            args += ["--screen-arg", _quote(arg)]
        data = ["//testing:screencheck", _SCREEN_FONT]
    args += [
        "--",
        "--arch",
        arch,
        "--cpu",
        cpu or _DEFAULT_CPU[arch],
        "--machine",
        machine,
        "--mem",
        mem,
        "--smp",
        str(smp),
        "--com",
        str(com),
        "--timeout",
        str(timeout_s),
    ] + media + [
        "--code",
        "$(rootpath %s)" % code,
        "--vars",
        "$(rootpath %s)" % vars,
        # Lets the loader end the run through isa-debug-exit even before it has read XTLDR.INI.
        "--",
        "-fw_cfg",
        "name=opt/xtos/testexit,string=1",
    ] + qemu_args
    runner = "//testing:qemu_test.sh"
    if harness_must_reject:
        args = [_quote(harness_must_reject)] + args
        runner = "//testing:qemu_harness_test.sh"
    if vary:
        args = ["--vary", vary, "--"] + args
        runner = "//testing:qemu_vary_test.sh"
    native.sh_test(
        name = name,
        srcs = [runner],
        args = args,
        data = [
            ":" + image,
            "//testing:qemu_boot.sh",
            "//testing:qemu_test.sh",
            code,
            vars,
        ] + data,
        size = "medium",
        tags = ["qemu"],
    )

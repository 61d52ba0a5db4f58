"""Disk images: the loader and kernel built for one arch, packaged on a GPT disk with a FAT32 EFI system partition."""

_ARCHES = ["amd64", "i686"]
_BOOT_FILE = {"amd64": "BOOTX64.EFI", "i686": "BOOTIA32.EFI"}

def _loader_transition_impl(settings, attr):
    return {"//command_line_option:platforms": "//toolchains:uefi_" + attr.arch}

# The sanitized kernel (docs/kernel.md): the same source set with the kernel toolchain's xt_ubsan feature on.
_UBSAN_FEATURE = "xt_ubsan"

def _kernel_transition_impl(settings, attr):
    features = [f for f in settings["//command_line_option:features"] if f != _UBSAN_FEATURE]
    if attr.kernel_ubsan or _UBSAN_FEATURE in settings["//command_line_option:features"]:
        features.append(_UBSAN_FEATURE)
    return {
        "//command_line_option:platforms": "//toolchains:kernel_" + (attr.kernel_arch or attr.arch),
        "//command_line_option:features": features,
    }

_loader_transition = transition(
    implementation = _loader_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

_kernel_transition = transition(
    implementation = _kernel_transition_impl,
    inputs = ["//command_line_option:features"],
    outputs = [
        "//command_line_option:platforms",
        "//command_line_option:features",
    ],
)

def _single(attr_value):
    # In Bazel 4 an attribute with a 1:1 transition arrives as a list.
    if type(attr_value) == "list":
        attr_value = attr_value[0] if attr_value else None
    return attr_value.files.to_list()[0] if attr_value else None

def _xt_disk_image_impl(ctx):
    ini = ctx.actions.declare_file(ctx.label.name + ".ini")
    ctx.actions.expand_template(
        template = ctx.file.ini,
        output = ini,
        substitutions = {"@PARAMETERS@": ctx.attr.parameters},
    )
    files = {"/EFI/BOOT/" + _BOOT_FILE[ctx.attr.arch]: _single(ctx.attr.loader)}
    if ctx.attr.with_ini:
        files["/EFI/BOOT/XTLDR/XTLDR.INI"] = ini
    kernel = ctx.file.kernel_file or _single(ctx.attr.kernel)
    if kernel and ctx.attr.with_kernel:
        files["/XTOS/XTOSKRNL.EXE"] = kernel

    out = ctx.actions.declare_file(ctx.label.name + ".img")
    args = ctx.actions.args()
    args.add(out)
    args.add(ctx.attr.size_mib)
    for dest, src in files.items():
        args.add("%s=%s" % (dest, src.path))
    ctx.actions.run(
        executable = ctx.executable._mkimage,
        arguments = [args],
        inputs = files.values(),
        outputs = [out],
        mnemonic = "XtDiskImage",
        progress_message = "Packaging disk image %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

xt_disk_image = rule(
    implementation = _xt_disk_image_impl,
    doc = "A GPT disk with a FAT32 ESP at 1 MiB holding the loader, XTLDR.INI and the kernel at the contract paths.",
    attrs = {
        "arch": attr.string(mandatory = True, values = _ARCHES),
        "loader": attr.label(default = "//xtldr", cfg = _loader_transition),
        "kernel": attr.label(default = "//xtoskrnl", cfg = _kernel_transition),
        "kernel_arch": attr.string(doc = "Build the kernel for another arch (wrong-machine tests).", values = [""] + _ARCHES),
        "kernel_ubsan": attr.bool(doc = "Build the kernel with the undefined-behaviour sanitizer (xt_ubsan)."),
        "kernel_file": attr.label(allow_single_file = True, doc = "Use this file as the kernel instead of building one."),
        "with_kernel": attr.bool(default = True),
        "ini": attr.label(default = "//xtldr:XTLDR.INI", allow_single_file = True),
        "with_ini": attr.bool(default = True),
        "parameters": attr.string(doc = "Extra kernel parameters substituted for @PARAMETERS@ in the INI."),
        "size_mib": attr.int(default = 64),
        "_mkimage": attr.label(default = "//testing:mkimage", executable = True, cfg = "host"),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _corrupt_transition_impl(settings, attr):
    return {"//command_line_option:platforms": "//toolchains:kernel_" + attr.arch}

_corrupt_transition = transition(
    implementation = _corrupt_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _xt_corrupt_pe_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".exe")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [ctx.attr.mode, _single(ctx.attr.image).path, out.path],
        inputs = [_single(ctx.attr.image)],
        outputs = [out],
        mnemonic = "XtCorruptPe",
    )
    return [DefaultInfo(files = depset([out]))]

xt_corrupt_pe = rule(
    implementation = _xt_corrupt_pe_impl,
    doc = "A deliberately broken copy of a kernel image built for `arch` (see testing/tools/pecorrupt.c).",
    attrs = {
        "arch": attr.string(mandatory = True, values = _ARCHES),
        "image": attr.label(mandatory = True, cfg = _corrupt_transition),
        "mode": attr.string(mandatory = True, values = ["truncate", "section-table", "reloc-past-end", "no-dynamic-base"]),
        "_tool": attr.label(default = "//testing:pecorrupt", executable = True, cfg = "host"),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

_ELF_FORMAT = {"amd64": "elf64-x86-64", "i686": "elf32-i386"}

def _xt_debug_files_impl(ctx):
    outputs = []
    for name, attr in [("xtldr", ctx.attr.loader), ("xtoskrnl", ctx.attr.kernel)]:
        image = _single(attr)
        exe = ctx.actions.declare_file("%s-%s-debug.exe" % (ctx.attr.name_prefix, name))
        ctx.actions.symlink(output = exe, target_file = image)

        # gdb's copy: the same sections, symbols and DWARF as an ELF file. gdb's PE reader sign-extends 32-bit
        # addresses (BFD's rule for PE), which breaks i386 line tables at the kernel's base above 2 GiB.
        elf = ctx.actions.declare_file("%s-%s-debug.elf" % (ctx.attr.name_prefix, name))
        ctx.actions.run(
            executable = "/usr/bin/objcopy",
            arguments = ["-O", _ELF_FORMAT[ctx.attr.arch], image.path, elf.path],
            inputs = [image],
            outputs = [elf],
            mnemonic = "XtDebugElf",
            progress_message = "Converting %s to ELF for gdb" % elf.short_path,
        )
        outputs += [exe, elf]
    return [DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs))]

xt_debug_files = rule(
    implementation = _xt_debug_files_impl,
    doc = "gdb's symbol files for one arch: the loader and the kernel linked with DWARF (README, Developing XTOS). Their " +
          "loaded sections are the release images' bytes; the release images themselves carry no DWARF.",
    attrs = {
        "arch": attr.string(mandatory = True, values = _ARCHES),
        "name_prefix": attr.string(mandatory = True, doc = "Output names: PREFIX-{xtldr,xtoskrnl}-debug.{exe,elf}."),
        "loader": attr.label(default = "//xtldr:xtldr_debug", cfg = _loader_transition),
        "kernel": attr.label(default = "//xtoskrnl:xtoskrnl_debug", cfg = _kernel_transition),
        "kernel_arch": attr.string(default = "", values = [""] + _ARCHES),
        "kernel_ubsan": attr.bool(),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _xt_iso_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".iso")
    disk = ctx.file.image
    ctx.actions.run(
        executable = ctx.executable._mkiso,
        arguments = [disk.path, out.path],
        inputs = [disk],
        outputs = [out],
        mnemonic = "XtIso",
        progress_message = "Packaging ISO %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

xt_iso = rule(
    implementation = _xt_iso_impl,
    doc = "A hybrid ISO (xorriso) booting by El Torito EFI the files of a disk image's ESP (testing/mkiso.sh).",
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = [".img"], doc = "An xt_disk_image."),
        "out": attr.string(doc = "Output file name (default NAME.iso)."),
        "_mkiso": attr.label(default = "//testing:mkiso", executable = True, cfg = "host"),
    },
)

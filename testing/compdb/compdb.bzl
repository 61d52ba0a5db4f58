"""An aspect that writes the compile command of every C file (./xt compdb, README "Developing XTOS").

It follows the dependency edges (deps, srcs, and the image rules' loader and kernel, across their platform
transitions), so each source file is recorded once per configuration that really compiles it: the loader for
uefi_amd64 and uefi_i686, the kernel for kernel_amd64 and kernel_i686, the host tests for the host. Bazel 4 does
not expose a C++ action's argv to Starlark, so the command is rebuilt the way the C++ rules build it: the
configuration's own cc_toolchain and enabled features (cc_common.configure_features), the target's compilation
context (include paths, defines) and copts, expanded by cc_common.get_memory_inefficient_command_line. Only the
layering check's module-map flags are left out (see below); compdb_check.sh compares the rest with the real actions.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("//testing/fuzz:fuzz.bzl", "FUZZ_CLANG", "FUZZ_COPTS")

# Dependency edges to follow: C++ deps, the image rules' loader and kernel, the cross-build test's binary (a split
# transition to the four firmware/kernel platforms), test data (boot tests' disk images).
_ATTRS = ["deps", "srcs", "loader", "kernel", "image", "data", "binary"]

def _fuzz_command(ctx, source):
    """The libFuzzer harnesses' clang-19 command (testing/fuzz/fuzz.bzl), for one of their sources."""
    flags = [FUZZ_CLANG] + [f for f in FUZZ_COPTS if not f.startswith("--ld-path")]
    for dep in ctx.rule.attr.deps:
        context = dep[CcInfo].compilation_context
        flags += ["-D" + d for d in context.defines.to_list()]
        flags += ["-I" + d for d in context.includes.to_list()]
        for d in context.quote_includes.to_list():
            flags += ["-iquote", d]
        for d in context.system_includes.to_list():
            flags += ["-isystem", d]
    return flags + ["-iquote", ctx.label.package, "-c", source.path]

def _compile_command(ctx, toolchain, features, context, source, copts):
    variables = cc_common.create_compile_variables(
        feature_configuration = features,
        cc_toolchain = toolchain,
        user_compile_flags = copts,
        source_file = source.path,
        output_file = source.path + ".o",
        include_directories = context.includes,
        quote_include_directories = context.quote_includes,
        system_include_directories = context.system_includes,
        preprocessor_defines = depset(getattr(ctx.rule.attr, "local_defines", []), transitive = [context.defines]),
    )
    return [cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.c_compile)] + \
           cc_common.get_memory_inefficient_command_line(
               feature_configuration = features,
               action_name = ACTION_NAMES.c_compile,
               variables = variables,
           )

def _toolchain(ctx):
    """The cc_toolchain the C++ rules resolve in this configuration: an XTOS one for the firmware and kernel
    platforms (toolchains/BUILD), else the host's (cc_toolchain_alias does not follow toolchain resolution here)."""
    for kind in ["kernel", "uefi"]:
        if ctx.target_platform_has_constraint(getattr(ctx.attr, "_" + kind)[platform_common.ConstraintValueInfo]):
            arch = "amd64" if ctx.target_platform_has_constraint(ctx.attr._x86_64[platform_common.ConstraintValueInfo]) else "i686"
            return getattr(ctx.attr, "_%s_%s_cc" % (kind, arch))[cc_common.CcToolchainInfo]
    return ctx.attr._cc_toolchain[cc_common.CcToolchainInfo]

def _compdb_aspect_impl(target, ctx):
    entries = []
    inputs = []
    sources = [f for src in getattr(ctx.rule.attr, "srcs", []) for f in src.files.to_list() if f.extension == "c"]
    if CcInfo in target and sources and ctx.rule.kind in ["cc_library", "cc_binary", "cc_test"]:
        toolchain = _toolchain(ctx)
        features = cc_common.configure_features(
            ctx = ctx,
            cc_toolchain = toolchain,
            requested_features = ctx.features,
            # Bazel 4's create_compile_variables cannot name the per-target module maps: the layering check stays
            # the build's job (its flags only add errors, never change what a header means).
            unsupported_features = ctx.disabled_features + ["layering_check", "module_maps"],
        )
        context = target[CcInfo].compilation_context
        copts = ctx.fragments.cpp.copts + ctx.fragments.cpp.conlyopts + getattr(ctx.rule.attr, "copts", [])
        for source in sources:
            entries.append({
                "file": source.path,
                "arguments": _compile_command(ctx, toolchain, features, context, source, copts),
                "configuration": ctx.bin_dir.path,
            })
        inputs.append(context.headers)
    elif ctx.rule.kind == "xt_fuzz_binary":
        for source in sources:
            entries.append({"file": source.path, "arguments": _fuzz_command(ctx, source), "configuration": ctx.bin_dir.path})
        inputs += [dep[CcInfo].compilation_context.headers for dep in ctx.rule.attr.deps]
    transitive = []
    for attr in _ATTRS:
        value = getattr(ctx.rule.attr, attr, None)
        for dep in (value if type(value) == "list" else [value]):
            if type(dep) == "Target" and OutputGroupInfo in dep and hasattr(dep[OutputGroupInfo], "compdb"):
                transitive.append(dep[OutputGroupInfo].compdb)
    direct = []
    if entries:
        fragment = ctx.actions.declare_file(ctx.label.name + ".compdb.json")
        ctx.actions.write(fragment, json.encode(entries))
        direct.append(fragment)

    # The headers (some generated: include_prefix symlink trees) and generated sources (kd's font.c) must exist for
    # clangd: build them too, whatever was built before.
    generated = [source for source in sources if not source.is_source]
    return [OutputGroupInfo(compdb = depset(direct + generated, transitive = transitive + inputs))]

compdb_aspect = aspect(
    implementation = _compdb_aspect_impl,
    attr_aspects = _ATTRS,
    attrs = {
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
        "_kernel": attr.label(default = Label("//toolchains:xtos")),
        "_uefi": attr.label(default = Label("//toolchains:uefi")),
        "_x86_64": attr.label(default = Label("@platforms//cpu:x86_64")),
        "_kernel_amd64_cc": attr.label(default = Label("//toolchains:kernel_amd64_cc")),
        "_kernel_i686_cc": attr.label(default = Label("//toolchains:kernel_i686_cc")),
        "_uefi_amd64_cc": attr.label(default = Label("//toolchains:uefi_amd64_cc")),
        "_uefi_i686_cc": attr.label(default = Label("//toolchains:uefi_i686_cc")),
    },
    fragments = ["cpp"],
)

"""clang-19 + lld-link toolchain configuration for XTOS PE images (UEFI applications and kernel images)."""

load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "action_config",
    "artifact_name_pattern",
    "feature",
    "flag_group",
    "flag_set",
    "tool",
    "variable_with_value",
)
load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")

LLVM = "/usr/lib/llvm-19"
CLANG_RESOURCE_INCLUDE = LLVM + "/lib/clang/19/include"

_COMPILE_ACTIONS = [
    ACTION_NAMES.c_compile,
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
]

_ARCH = {
    # arch: (clang target, lld-link machine, kernel base)
    "amd64": ("x86_64-unknown-windows", "x64", "0xFFFFF80800000000"),
    "i686": ("i686-unknown-windows", "x86", "0x80800000"),
}

_KIND = {
    # kind: (subsystem, entry point, extra link flags); the image packaging gives the loader its .EFI name.
    "uefi": ("efi_application", "XtLdrEntry", []),
    "kernel": ("native", "KiSystemStartup", ["/driver"]),
}

def _flags(actions, flags, expand_if_available = None, iterate_over = None):
    return flag_set(
        actions = actions,
        flag_groups = [flag_group(
            flags = flags,
            expand_if_available = expand_if_available,
            iterate_over = iterate_over,
        )],
    )

def _compile_features(target):
    base = [
        "--target=" + target,
        "-std=c17",
        "-ffreestanding",
        "-nostdinc",
        "-isystem",
        CLANG_RESOURCE_INCLUDE,
        "-fno-stack-protector",
        "-mno-stack-arg-probe",
        "-mgeneral-regs-only",
        "-mno-red-zone",
        "-fno-common",
        "-fno-strict-aliasing",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-unused-parameter",
        # Deterministic objects: no build time stamp, no absolute paths, no build-date macros.
        "-mno-incremental-linker-compatible",
        "-ffile-compilation-dir=.",
        "-gdwarf-4",
        "-gdwarf-aranges",
        "-funwind-tables",
        "-Wno-builtin-macro-redefined",
        "-D__DATE__=\"redacted\"",
        "-D__TIME__=\"redacted\"",
        "-D__TIMESTAMP__=\"redacted\"",
    ]
    return [
        feature(name = "xt_compile_flags", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, base),
        ]),
        feature(name = "dependency_file", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["-MD", "-MF", "%{dependency_file}"], expand_if_available = "dependency_file"),
        ]),
        feature(name = "preprocessor_defines", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["-D%{preprocessor_defines}"], iterate_over = "preprocessor_defines"),
        ]),
        feature(name = "include_paths", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["-iquote", "%{quote_include_paths}"], iterate_over = "quote_include_paths"),
            _flags(_COMPILE_ACTIONS, ["-I%{include_paths}"], iterate_over = "include_paths"),
            _flags(_COMPILE_ACTIONS, ["-isystem", "%{system_include_paths}"], iterate_over = "system_include_paths"),
        ]),
        feature(name = "user_compile_flags", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["%{user_compile_flags}"], iterate_over = "user_compile_flags", expand_if_available = "user_compile_flags"),
        ]),
        # Layering check: every target may include only the headers of the targets it depends on directly (Bazel
        # writes a module map per target; clang enforces its "use" declarations).
        feature(name = "module_maps", enabled = True),
        feature(name = "layering_check", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["-fmodule-name=%{module_name}", "-fmodule-map-file=%{module_map_file}"], expand_if_available = "module_name"),
            _flags(_COMPILE_ACTIONS, ["-fmodules-strict-decluse", "-Wprivate-header"], expand_if_available = "module_name"),
            _flags(_COMPILE_ACTIONS, ["-fmodule-map-file=%{dependent_module_map_files}"], iterate_over = "dependent_module_map_files"),
        ]),
        feature(name = "compiler_input_output", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["-c", "%{source_file}"], expand_if_available = "source_file"),
            _flags(_COMPILE_ACTIONS, ["-o", "%{output_file}"], expand_if_available = "output_file"),
        ]),
    ]

# The kernel's undefined-behaviour sanitizer (docs/kernel.md): off by default; `--features=xt_ubsan` or the image
# rule's `kernel_ubsan` (a transition on //command_line_option:features) turns it on for every kernel object.
# Every check clang offers for C without a runtime library: the `undefined` group (alignment, bool, builtin, bounds,
# enum, float-cast-overflow, function, integer-divide-by-zero, nonnull-attribute, null, object-size,
# pointer-overflow, return, returns-nonnull-attribute, shift, signed-integer-overflow, unreachable, vla-bound).
# Checks call the kernel's own __ubsan_handle_*_abort handlers (xtoskrnl/ke/ubsan.c), which print and STOP:
# -fno-sanitize-recover makes the handlers noreturn, so no instrumented site keeps a path back.
UBSAN_FLAGS = [
    "-fsanitize=undefined",
    "-fno-sanitize-recover=all",
]

def _ubsan_feature():
    return feature(name = "xt_ubsan", enabled = False, flag_sets = [
        _flags(_COMPILE_ACTIONS, UBSAN_FLAGS),
    ])

def _link_features(machine, kind_flags):
    link = [ACTION_NAMES.cpp_link_executable]
    libraries = flag_group(
        iterate_over = "libraries_to_link",
        flag_groups = [
            flag_group(
                iterate_over = "libraries_to_link.object_files",
                flags = ["%{libraries_to_link.object_files}"],
                expand_if_equal = variable_with_value(name = "libraries_to_link.type", value = "object_file_group"),
            ),
            flag_group(
                flags = ["%{libraries_to_link.name}"],
                expand_if_equal = variable_with_value(name = "libraries_to_link.type", value = "object_file"),
            ),
            flag_group(
                flags = ["%{libraries_to_link.name}"],
                expand_if_equal = variable_with_value(name = "libraries_to_link.type", value = "static_library"),
            ),
        ],
        expand_if_available = "libraries_to_link",
    )
    return [
        feature(name = "xt_link_flags", enabled = True, flag_sets = [
            _flags(link, ["/nodefaultlib", "/machine:" + machine, "/Brepro", "/opt:ref", "/dynamicbase"] + kind_flags),
        ]),
        feature(name = "linker_output", enabled = True, flag_sets = [
            _flags(link, ["/out:%{output_execpath}"], expand_if_available = "output_execpath"),
        ]),
        feature(name = "libraries_to_link", enabled = True, flag_sets = [
            flag_set(actions = link, flag_groups = [libraries]),
        ]),
        feature(name = "user_link_flags", enabled = True, flag_sets = [
            _flags(link, ["%{user_link_flags}"], iterate_over = "user_link_flags", expand_if_available = "user_link_flags"),
        ]),
        feature(name = "linker_param_file", enabled = True, flag_sets = [
            _flags(link + [ACTION_NAMES.cpp_link_static_library], ["@%{linker_param_file}"], expand_if_available = "linker_param_file"),
        ]),
        feature(name = "archiver_flags", enabled = True, flag_sets = [
            flag_set(actions = [ACTION_NAMES.cpp_link_static_library], flag_groups = [
                flag_group(flags = ["/nologo", "/out:%{output_execpath}"], expand_if_available = "output_execpath"),
                flag_group(
                    iterate_over = "libraries_to_link",
                    expand_if_available = "libraries_to_link",
                    flag_groups = [
                        flag_group(
                            iterate_over = "libraries_to_link.object_files",
                            flags = ["%{libraries_to_link.object_files}"],
                            expand_if_equal = variable_with_value(name = "libraries_to_link.type", value = "object_file_group"),
                        ),
                        flag_group(
                            flags = ["%{libraries_to_link.name}"],
                            expand_if_equal = variable_with_value(name = "libraries_to_link.type", value = "object_file"),
                        ),
                    ],
                ),
            ]),
        ]),
    ]

def _impl(ctx):
    target, machine, base = _ARCH[ctx.attr.arch]
    subsystem, entry, extra = _KIND[ctx.attr.kind]
    kind_flags = ["/subsystem:" + subsystem, "/entry:" + entry] + extra
    if ctx.attr.kind == "kernel":
        kind_flags.append("/base:" + base)
    if ctx.attr.arch == "i686":
        kind_flags.append("/safeseh:no")

    action_configs = [
        action_config(action_name = name, enabled = True, tools = [tool(path = LLVM + "/bin/clang")])
        for name in _COMPILE_ACTIONS
    ] + [
        action_config(action_name = ACTION_NAMES.cpp_link_executable, enabled = True, tools = [tool(path = LLVM + "/bin/lld-link")]),
        action_config(action_name = ACTION_NAMES.cpp_link_static_library, enabled = True, tools = [tool(path = LLVM + "/bin/llvm-lib")]),
        action_config(action_name = ACTION_NAMES.strip, enabled = True, tools = [tool(path = LLVM + "/bin/llvm-strip")]),
    ]
    features = [
        feature(name = "no_legacy_features", enabled = True),
        feature(name = "supports_param_files", enabled = True),
        feature(name = "xt_defines", enabled = True, flag_sets = [
            _flags(_COMPILE_ACTIONS, ["-D_XT_" + ctx.attr.kind.upper()]),
        ]),
    ] + _compile_features(target)
    if ctx.attr.kind == "kernel":
        features.append(_ubsan_feature())
    features += _link_features(machine, kind_flags)

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "xt-%s-%s" % (ctx.attr.kind, ctx.attr.arch),
        host_system_name = "x86_64-linux-gnu",
        target_system_name = target,
        target_cpu = ctx.attr.arch,
        target_libc = "none",
        compiler = "clang",
        abi_version = "none",
        abi_libc_version = "none",
        action_configs = action_configs,
        features = features,
        cxx_builtin_include_directories = [CLANG_RESOURCE_INCLUDE],
        artifact_name_patterns = [
            artifact_name_pattern(category_name = "object_file", prefix = "", extension = ".obj"),
            artifact_name_pattern(category_name = "static_library", prefix = "", extension = ".lib"),
            artifact_name_pattern(category_name = "executable", prefix = "", extension = ".exe"),
        ],
    )

xt_cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "arch": attr.string(mandatory = True, values = ["amd64", "i686"]),
        "kind": attr.string(mandatory = True, values = ["uefi", "kernel"]),
    },
    provides = [CcToolchainConfigInfo],
)

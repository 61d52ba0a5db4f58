"""libFuzzer targets built by clang-19 with ASan and UBSan, outside Bazel's (gcc) host toolchain.

xt_fuzz_binary compiles the harness and every C source of its cc_library deps (collected by an aspect, so the
libraries stay the single description of what a parser is made of) in one clang-19 invocation with
-fsanitize=fuzzer,address,undefined. xt_fuzz_target adds the smoke test that `bazel test` runs: a fixed number of
executions from the committed corpus (testing/fuzz/corpus/<name>/) with the target's options file.
"""

FUZZ_CLANG = "/usr/lib/llvm-19/bin/clang"

# Also the flags ./xt compdb lists for the harnesses (testing/compdb/compdb.bzl).
FUZZ_COPTS = [
    "-std=c17",
    "-g",
    "-O1",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer,address,undefined",
    "-fno-sanitize-recover=all",
    "-Wall",
    "-Wno-unused-function",
    "-Werror",
    # Reproducible: no build paths or times in the binary.
    "-ffile-compilation-dir=.",
    "-Wdate-time",
    # The action has no PATH: name the linker (lld-19) instead of letting clang look for "ld".
    "--ld-path=/usr/lib/llvm-19/bin/ld.lld",
]

XtFuzzSourcesInfo = provider(
    doc = "The C sources of a cc_library and of everything it depends on.",
    fields = ["srcs"],
)

def _sources_aspect_impl(target, ctx):
    direct = []
    for src in getattr(ctx.rule.attr, "srcs", []):
        direct += [f for f in src.files.to_list() if f.extension == "c"]
    transitive = [dep[XtFuzzSourcesInfo].srcs for dep in getattr(ctx.rule.attr, "deps", []) if XtFuzzSourcesInfo in dep]
    return [XtFuzzSourcesInfo(srcs = depset(direct, transitive = transitive))]

_sources_aspect = aspect(
    implementation = _sources_aspect_impl,
    attr_aspects = ["deps"],
)

def _xt_fuzz_binary_impl(ctx):
    output = ctx.actions.declare_file(ctx.label.name)
    contexts = [dep[CcInfo].compilation_context for dep in ctx.attr.deps]
    sources = depset(
        [f for f in ctx.files.srcs if f.extension == "c"],
        transitive = [dep[XtFuzzSourcesInfo].srcs for dep in ctx.attr.deps],
    )
    args = ctx.actions.args()
    args.add_all(FUZZ_COPTS)
    for context in contexts:
        args.add_all(context.defines, format_each = "-D%s")
        args.add_all(context.includes, before_each = "-I")
        args.add_all(context.quote_includes, before_each = "-iquote")
        args.add_all(context.system_includes, before_each = "-isystem")
    args.add("-iquote", ctx.label.package)
    args.add_all(sources)
    args.add("-o", output)
    ctx.actions.run(
        executable = FUZZ_CLANG,
        arguments = [args],
        inputs = depset(ctx.files.srcs, transitive = [sources] + [context.headers for context in contexts]),
        outputs = [output],
        mnemonic = "XtFuzzBinary",
        progress_message = "Building fuzz target %s (clang-19, ASan + UBSan)" % ctx.label,
    )
    return [DefaultInfo(executable = output, files = depset([output]))]

xt_fuzz_binary = rule(
    implementation = _xt_fuzz_binary_impl,
    executable = True,
    attrs = {
        "srcs": attr.label_list(allow_files = [".c", ".h"], doc = "the harness (LLVMFuzzerTestOneInput)"),
        "deps": attr.label_list(
            aspects = [_sources_aspect],
            providers = [CcInfo],
            doc = "cc_librarys under test: their headers, defines and (through the aspect) their C sources",
        ),
    },
)

def xt_fuzz_target(name, deps, extra_srcs = [], smoke_runs = 4000):
    """`name`: the fuzz binary from `name`_fuzz.c; `name`_smoke: smoke_runs executions from the corpus."""
    xt_fuzz_binary(
        name = name,
        srcs = [name + "_fuzz.c", "fuzz_support.h", "fuzz_support.c"] + extra_srcs,
        deps = deps,
        target_compatible_with = ["@platforms//os:linux"],
    )
    native.sh_test(
        name = name + "_smoke",
        size = "small",
        srcs = ["fuzz_smoke.sh"],
        args = [
            "$(rootpath :%s)" % name,
            "testing/fuzz/corpus/" + name,
            "$(rootpath options/%s)" % name,
            str(smoke_runs),
        ],
        data = [
            ":" + name,
            "options/" + name,
        ] + native.glob(["corpus/%s/*" % name, "dict/*"]),
        target_compatible_with = ["@platforms//os:linux"],
    )

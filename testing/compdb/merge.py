#!/usr/bin/env python3
"""Merges the compdb aspect's fragments (testing/compdb/compdb.bzl) into a compile_commands.json for clangd.

usage: merge.py WORKSPACE BUILD_EVENTS.json OUTPUT.json [--split DIR]
The fragments are the files Bazel reports in its build event stream. A file compiled in several configurations
keeps one entry per configuration; clangd uses the first, so the order is: kernel amd64, loader amd64, kernel i686,
loader i686, host. --split DIR also writes DIR/CONFIG/compile_commands.json per configuration (the check uses them
to run clangd on a file with each configuration's flags).
"""
import json
import os
import sys
import urllib.parse

ORDER = ["kernel-amd64", "uefi-amd64", "kernel-i686", "uefi-i686", "host"]


def configuration(arguments):
    """Names the configuration of a command line: its XTOS toolchain kind and arch, or the host."""
    kind = "kernel" if "-D_XT_KERNEL" in arguments else "uefi" if "-D_XT_UEFI" in arguments else None
    if kind is None:
        return "host"
    return kind + ("-amd64" if "--target=x86_64-unknown-windows" in arguments else "-i686")


def fragments(events_path):
    with open(events_path) as events:
        for line in events:
            event = json.loads(line)
            for file in event.get("namedSetOfFiles", {}).get("files", []):
                uri = file.get("uri", "")
                if uri.startswith("file://") and uri.endswith(".compdb.json"):
                    yield urllib.parse.unquote(uri[len("file://"):])


def main():
    workspace, events, output = sys.argv[1:4]
    split = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--split" else None
    entries = {}
    for path in sorted(set(fragments(events))):
        with open(path) as fragment:
            for entry in json.load(fragment):
                config = configuration(entry["arguments"])
                key = (entry["file"], config)
                entries[key] = {
                    "directory": workspace,
                    "file": os.path.join(workspace, entry["file"]),
                    "arguments": entry["arguments"],
                    "configuration": config,
                }
    if not entries:
        sys.exit("merge: error: no compile commands in %s" % events)
    ordered = sorted(entries.values(), key=lambda e: (e["file"], ORDER.index(e["configuration"])))
    with open(output, "w") as out:
        json.dump([{k: e[k] for k in ("directory", "file", "arguments")} for e in ordered], out, indent=1)
        out.write("\n")
    counts = {c: sum(1 for e in ordered if e["configuration"] == c) for c in ORDER}
    print("compdb: %d commands for %d files (%s)" % (len(ordered), len({e["file"] for e in ordered}),
                                                     ", ".join("%s %d" % (c, n) for c, n in counts.items())))
    if split:
        for config in ORDER:
            os.makedirs(os.path.join(split, config), exist_ok=True)
            with open(os.path.join(split, config, "compile_commands.json"), "w") as out:
                json.dump([{k: e[k] for k in ("directory", "file", "arguments")}
                           for e in ordered if e["configuration"] == config], out, indent=1)


if __name__ == "__main__":
    main()

#!/bin/bash
# Checks ./xt compdb's output with clangd: for every configuration (kernel and loader per arch, host) and every
# source directory it compiles, the first C file is opened by `clangd-19 --check` with that configuration's
# compile commands; any error diagnostic (an E[...] line, e.g. a header not found) or a failed check fails. The
# checks run two at a time (the machines have two cores).
# usage: compdb_check.sh SPLIT_DIR   (merge.py --split: SPLIT_DIR/CONFIG/compile_commands.json)
set -uo pipefail
split=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One clangd check: prints "ok" or the failure with its first error lines.
check_one() {
    local config=$1 dir=$2 file=$3 log status=0
    log=$(mktemp)
    clangd-19 --check="$file" --check-locations=false --compile-commands-dir="$dir" >"$log" 2>&1 || status=$?
    # The command must come from the database (not clangd's fallback), and no error may be reported.
    if [ "$status" -ne 0 ] || grep -q '^E\[' "$log" || ! grep -q 'Compile command from CDB is' "$log"; then
        echo "compdb_check: FAIL: $config: $file (clangd status $status)"
        grep -E '^E\[|Generic fallback' "$log" | head -5 | sed 's/^/    /'
    else
        echo ok
    fi
    rm -f "$log"
}
export -f check_one

missing=0
for cdb in "$split"/*/compile_commands.json; do
    config=$(basename "$(dirname "$cdb")")
    # One file per directory: the directories are the packages and their amd64/ and i686/ folders.
    files=$(python3 -c '
import json, os, sys
first = {}
for entry in json.load(open(sys.argv[1])):
    first.setdefault(os.path.dirname(entry["file"]), set()).add(entry["file"])
print("\n".join(sorted(min(files) for files in first.values())))' "$cdb")
    [ -n "$files" ] || { echo "compdb_check: FAIL: no files for $config"; missing=$((missing + 1)); continue; }
    for file in $files; do
        printf '%s\0%s\0%s\0' "$config" "$(dirname "$cdb")" "$file" >>"$work/jobs"
    done
done
: >"$work/results"
[ -s "$work/jobs" ] && xargs -0 -n 3 -P 2 bash -c 'check_one "$@"' _ <"$work/jobs" >"$work/results"
checked=$(grep -c -e '^ok$' -e '^compdb_check: FAIL' "$work/results")
failed=$(($(grep -c '^compdb_check: FAIL' "$work/results") + missing))
grep -v '^ok$' "$work/results" 2>/dev/null
echo "compdb_check: $checked files checked with clangd-19, $failed failed"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]

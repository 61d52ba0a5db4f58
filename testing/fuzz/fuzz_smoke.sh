#!/bin/bash
# Smoke run of one fuzz target (bazel test): RUNS executions with a fixed seed, starting from the committed corpus,
# with the target's libFuzzer options. Fails on any crash, sanitizer report, timeout or broken invariant, and when
# the corpus was not read in full.
# usage: fuzz_smoke.sh BINARY CORPUS_DIR OPTIONS_FILE RUNS
set -euo pipefail

binary=$1 corpus=$2 options=$3 runs=$4
mapfile -t flags < <(grep -v -e '^#' -e '^$' "$options")
scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/new"
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$scratch}
seeds=$(find -L "$corpus" -type f -size +0 | wc -l) # libFuzzer runs the empty input anyway, without counting it

status=0
"$binary" "${flags[@]}" -seed=1 -runs="$runs" -timeout=20 -artifact_prefix="$artifacts/" \
    "$scratch/new" "$corpus" >"$scratch/log" 2>&1 || status=$?
grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE))|^Done ' "$scratch/log" || true
if [ "$status" -ne 0 ]; then
    tail -n 60 "$scratch/log"
    echo "fuzz smoke: $(basename "$binary") failed with status $status (crashing input saved in the test outputs)"
    exit 1
fi
if ! grep -q "^Done $runs runs" "$scratch/log"; then
    echo "fuzz smoke: $(basename "$binary") did not complete $runs runs"
    exit 1
fi
if [ "$seeds" -eq 0 ] || ! grep -q "INFO: seed corpus: files: $seeds " "$scratch/log"; then
    echo "fuzz smoke: the committed corpus ($seeds files in $corpus) was not read in full"
    exit 1
fi
echo "fuzz smoke: $(basename "$binary"): $runs runs from $seeds corpus files, no failure"

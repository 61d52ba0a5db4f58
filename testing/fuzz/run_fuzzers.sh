#!/bin/bash
# Runs fuzz targets one after the other (./xt fuzz), SECONDS each, growing their corpora in the tree
# (testing/fuzz/corpus/<target>/), then minimises each corpus with libFuzzer's merge: seed-* and crash-* inputs are
# always kept. Crashing inputs land in testing/fuzz/crashes/. Prints executions and coverage per target.
# usage: run_fuzzers.sh BIN_DIR SECONDS [TARGET...]   (run from the workspace root)
set -euo pipefail

bin=$1 seconds=$2
shift 2
root=testing/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(ls "$root/options")
fi
mkdir -p "$root/crashes"
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
failed=0

# Replaces the corpus of $1 by its merge-minimised form, keeping seed-* and crash-* files.
minimise() {
    local target=$1 corpus=$root/corpus/$1 merged
    merged=$(mktemp -d)
    "$bin/$target" "${flags[@]}" -merge=1 "$merged" "$corpus" >/dev/null 2>&1
    local kept
    kept=$(find "$corpus" -maxdepth 1 -type f \( -name 'seed-*' -o -name 'crash-*' \) -exec sha1sum {} + | cut -c1-40)
    find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'crash-*' -delete
    for file in "$merged"/*; do
        [ -e "$file" ] || continue
        grep -qx "$(basename "$file")" <<<"$kept" || cp "$file" "$corpus/"
    done
    rm -rf "$merged"
}

for target in "${targets[@]}"; do
    mapfile -t flags < <(grep -v -e '^#' -e '^$' "$root/options/$target")
    log=$(mktemp)
    echo "== $target: ${seconds}s"
    status=0
    "$bin/$target" "${flags[@]}" -max_total_time="$seconds" -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$root/crashes/$target-" "$root/corpus/$target" >"$log" 2>&1 || status=$?
    final=$(grep -E '^#[0-9]+[[:space:]]+DONE ' "$log" | tail -n 1 || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")
    if [ "$status" -ne 0 ]; then
        failed=1
        grep -E 'ERROR|BROKEN|runtime error|Test unit written' "$log" | head -n 5
        echo "$target: FAILED (status $status), see $root/crashes/"
        printf '| %s | %s | %s | %s | %s | crash |\n' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "-" >>"$summary"
        rm -f "$log"
        continue
    fi
    rm -f "$log"
    minimise "$target"
    files=$(find "$root/corpus/$target" -maxdepth 1 -type f | wc -l)
    echo "$final"
    printf '| %s | %s | %s | %s | %s | none |\n' "$target" "$runs" "$cov" "$ft" "$files" >>"$summary"
done

echo
echo "| target | executions | cov (edges) | ft (features) | corpus files after merge | crashes |"
echo "|---|---|---|---|---|---|"
cat "$summary"
exit "$failed"

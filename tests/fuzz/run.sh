#!/usr/bin/env bash
# Runs every fuzz target for a while on a copy of its seed corpus.
#   tests/fuzz/run.sh BIN_DIR SECONDS [TARGET...]
# Fails when any target finds a crash, leak, timeout or out-of-memory; the
# reproducer is kept in the work directory it names. The repository's corpus
# is never modified.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 BIN_DIR SECONDS [TARGET...]" >&2
    exit 2
fi
bin_dir=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_message_parse fuzz_roundtrip fuzz_name_text fuzz_rdata_text fuzz_dnssec
    fuzz_resolver fuzz_tcp_framing fuzz_doq_framing)

work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-fuzz.XXXXXX")
failed=()
for target in "${targets[@]}"; do
    binary=$bin_dir/$target
    if [ ! -x "$binary" ]; then
        echo "$target: $binary not found (build with scripts/build.sh fuzz)" >&2
        failed+=("$target")
        continue
    fi
    corpus=$work/$target/corpus
    artifacts=$work/$target/artifacts
    mkdir -p "$corpus" "$artifacts"
    [ -d "$here/corpus/$target" ] && cp -R "$here/corpus/$target/." "$corpus/"
    log=$work/$target/log
    status=0
    "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    found=$(find "$artifacts" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
        echo "$target: FAILED after ${runs:-?} executions (exit $status); log: $log"
        grep -E 'ERROR|SUMMARY|invariant failed|Test unit written' "$log" | head -n 20 || true
        find "$artifacts" -type f -exec sh -c 'printf "  input %s: " "$1"; od -An -v -tx1 "$1" | tr -d " \n" | head -c 2000; echo' _ {} \;
        failed+=("$target")
    else
        echo "$target: ok, ${runs:-?} executions in ${seconds} s"
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (work directory kept: $work)" >&2
    exit 1
fi
rm -rf "$work"

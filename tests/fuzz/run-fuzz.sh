#!/bin/sh
# run-fuzz.sh - runs a fuzzer (fuzz_scenario or fuzz_model) for a bounded time
# and fails on any crash, leak, timeout or sanitizer report
# (docs/reliability.md).
#
#   tests/fuzz/run-fuzz.sh FUZZER [SECONDS] [WORKDIR]
#
# FUZZER is the fuzz_scenario or fuzz_model binary (the `fuzz` preset builds
# them in build/fuzz/tests/fuzz/). The seed corpus is gathered now: every
# .json under scenarios/ and tests/data/, tests/fuzz/regressions/*.json and
# tests/fuzz/model/*.json (inputs fuzz_model decodes into scenarios). The
# fuzzer runs inside WORKDIR (default: a new temporary folder), so an
# "extends" it invents cannot reach the source tree through a relative path;
# a crash is left there as crash-*, leak-* or timeout-*: copy it to
# tests/fuzz/regressions/<what-broke>.json and fix the bug.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 FUZZER [SECONDS] [WORKDIR]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fuzzer=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=${2:-60}
work=${3:-}
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/bf-fuzz.XXXXXX")
fi
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"

# seeds, named by checksum so the same file found twice is one seed
copy_seed='for f; do cp "$f" "$0/seed-$(cksum <"$f" | cut -d" " -f1)"; done'
find "$root/scenarios" "$root/tests/data" -type f -name '*.json' -exec sh -c "$copy_seed" \
    "$work/seeds" {} + 2>/dev/null || true
find "$here/regressions" "$here/model" -type f -name '*.json' -exec sh -c "$copy_seed" \
    "$work/seeds" {} +
n=$(find "$work/seeds" -type f | wc -l)
echo "run-fuzz: $n seed files, ${secs} s, in $work"

# -max_len: scenario files may be 16 MiB, but the loader's paths are all
# reached with far less; 64 KiB keeps the fuzzer fast (the largest seed,
# scenarios/default.json, is about 16 KiB). -rss_limit_mb: a loader that
# needs more than 2 GiB for 64 KiB of text is a bug.
cd "$work"
status=0
"$fuzzer" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -dict="$here/scenario.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    corpus seeds >"$work/fuzz.log" 2>&1 || status=$?
tail -n 20 "$work/fuzz.log"

found=$(find "$work/artifacts" -type f | wc -l)
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ] ||
    grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|broken contract' \
        "$work/fuzz.log"; then
    echo "run-fuzz: FAILED (exit status $status, $found crash file(s) in $work/artifacts)" >&2
    grep -E 'ERROR|runtime error|broken contract|SUMMARY' "$work/fuzz.log" | head -n 20 >&2 || true
    exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
echo "run-fuzz: passed: ${execs:-?} executions in ${secs} s, no crash, leak or sanitizer report"

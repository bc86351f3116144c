#!/bin/sh
# tests/bench/bench_steps.sh COMMIT... - the cost of a simulated unit at each
# commit: today's tests/bench/bench_units (and its plain loop), built against
# the libraries of each commit in a temporary worktree (release preset),
# run with 3 pairs on the default study's subset ("pairs-only"). Prints one
# Markdown row per commit for docs/performance.md:
#
#   tests/bench/bench_steps.sh b425d68 3b626a6 HEAD
#
# Run it from the source tree, on an otherwise idle machine; the commits
# must have bf_batch_run and the model input of the warm pipeline (from
# a9c0b6b on). Each commit is built from scratch (about two minutes on two
# cores); the worktrees are removed afterwards.
set -eu
[ $# -ge 1 ] || { echo "usage: tests/bench/bench_steps.sh COMMIT..." >&2; exit 2; }
src=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_steps.XXXXXX")
trap 'for w in "$tmp"/wt-*; do [ -d "$w" ] && git -C "$src" worktree remove --force "$w"; done; rm -rf "$tmp"' EXIT

echo "| commit | subject | study s (3 pairs) | plain-loop events per unit |"
echo "|---|---|---|---|"
for c in "$@"; do
  w="$tmp/wt-$c"
  git -C "$src" worktree add -q --detach "$w" "$c"
  # today's benchmark and its build rule, against that commit's libraries
  cp "$src/tests/bench/bench_units.c" "$src/tests/bench/plain_mm1.c" \
     "$src/tests/bench/plain_mm1.h" "$w/tests/bench/"
  if ! grep -q bench_units "$w/tests/bench/CMakeLists.txt"; then
    cat >> "$w/tests/bench/CMakeLists.txt" <<'EOF'
add_executable(bench_units bench_units.c plain_mm1.c)
target_compile_options(bench_units PRIVATE -O2)
target_link_libraries(bench_units PRIVATE bf_batch bf_scenario m bf_warnings)
EOF
  fi
  if ! (cd "$w" && cmake --preset release >"$tmp/build.log" 2>&1 &&
         cmake --build --preset release --target bench_units >>"$tmp/build.log" 2>&1); then
    echo "bench_steps: $c does not build (the log follows); left out" >&2
    tail -n 20 "$tmp/build.log" >&2
    git -C "$src" worktree remove --force "$w"
    continue
  fi
  res=$(cd "$w" && ./build/release/tests/bench/bench_units scenarios/default.json 3 pairs-only)
  secs=$(printf '%s\n' "$res" | sed -n 's/^pair [0-9]*: study \([0-9.]*\) s.*/\1/p' | paste -sd/ -)
  ratio=$(printf '%s\n' "$res" | sed -n 's/^plain-loop events per simulated unit: //p')
  subj=$(git -C "$src" log -1 --format=%s "$c" | sed 's/|/\\|/g')
  echo "| $(git -C "$src" rev-parse --short "$c") | $subj | $secs | $ratio |"
  git -C "$src" worktree remove --force "$w"
done

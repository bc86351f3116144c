#!/bin/sh
# tests/bench/bench_mpi.sh BORDERFLOW [SCENARIO] - `borderflow run --mpi` on
# 1, 2 and 4 ranks (-j 1 each) against the plain `borderflow run -j 1`, all
# measured in the same invocation; prints wall times, speed-up and parallel
# efficiency (speed-up / ranks) as a Markdown table for docs/scaling.md.
#
#   tests/bench/bench_mpi.sh build/release/borderflow            # the default study
#   tests/bench/bench_mpi.sh build/release/borderflow scenarios/examples/x.json
#
# Run it from the source tree, on an otherwise idle machine, with a release
# build. SCENARIO defaults to scenarios/default.json (its own 10
# replications); --no-plots, so the serial tail is writing the CSV files.
# Every run must write the same files as the plain one (all but run.json);
# the script fails otherwise. 4 ranks on fewer cores is oversubscribed and
# marked so. Also measured: threads alone (-j 2) for comparison,
# BORDERFLOW_MPI_COORDINATE_ONLY=1 at 2 ranks (rank 0 hands out items
# without running any, so every result crosses between processes), and the
# cost of that crossing per item, with items of a fraction of a millisecond
# (scenarios/tests/one_city.json cut to 10 days, 20 000 items).
#
# Every configuration runs REPEAT times (default 3), in turns (plain, -j 2,
# 1 rank, ..., then again), and the fastest of each counts: on a shared or
# virtual machine the speed drifts by 10% over minutes, and taking turns
# spreads the drift over all configurations alike.
#
# Environment: MPIRUN (default mpirun), REPEAT, KEEP=1 keeps the output
# folders, BENCH_RANKS (default "1 2 4"). Open MPI is set up for one host,
# as in tests/mpi/mpi_tests.py (root allowed, shared memory only, no ssh
# agent).
set -eu
# $flags and $tflags are split into words on purpose; the backquotes in
# single quotes are Markdown.
# shellcheck disable=SC2086,SC2016

bf=${1:?usage: tests/bench/bench_mpi.sh BORDERFLOW [SCENARIO]}
scenario=${2:-scenarios/default.json}
mpirun=${MPIRUN:-mpirun}
ranks_list=${BENCH_RANKS:-1 2 4}
repeat=${REPEAT:-3}
cores=$(nproc)
out=$(mktemp -d "${TMPDIR:-/tmp}/bench_mpi.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$out"' EXIT

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_plm_rsh_agent='' OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# no binding: at -np 2 or less mpirun binds each rank to one core, where
# rank 0's coordinator would share the core of its item thread
export OMPI_MCA_hwloc_base_binding_policy=none

now() { date +%s.%N; }

# field "name": number of a run.json
field() { sed -n "s/.*\"$2\": \\([0-9.]*\\).*/\\1/p" "$1" | head -n 1; }

# The tiny scenario: one city, a 10-day window after 2 days of warm-up, a
# 5-day tail.
tiny=$out/tiny.json
sed -e 's/"name": "one_city"/"name": "tiny"/' \
    -e 's/"start": "2026-01-15", "end": "2026-05-30"/"start": "2026-03-12", "end": "2026-03-22"/' \
    -e 's/"warmup_days": 14/"warmup_days": 2/' \
    -e 's/"tail_days": 120/"tail_days": 5/' -e '/"[$]schema"/d' scenarios/tests/one_city.json >"$tiny"
grep -q '"end": "2026-03-22"' "$tiny" && grep -q '"tail_days": 5' "$tiny" ||
    { echo "bench_mpi: scenarios/tests/one_city.json changed: cut it to 10 days here" >&2; exit 1; }

# --force: every configuration reruns into its folder `repeat` times
flags="-q -j 1 --no-plots --force"
tflags="$flags -r 10000"
labels="plain"
[ "$cores" -lt 2 ] || labels="$labels threads"
for n in $ranks_list; do labels="$labels np$n"; done
[ "$cores" -lt 2 ] || labels="$labels coord"
labels="$labels tiny_plain tiny_coord"

# once LABEL: one run of that configuration, its wall time kept if fastest
once() {
    label=$1
    case $label in
    plain) set -- "$bf" run $flags -o "$out/$label" "$scenario" ;;
    threads) set -- "$bf" run -q -j 2 --no-plots --force -o "$out/$label" "$scenario" ;;
    np*) set -- "$mpirun" --oversubscribe -np "${label#np}" "$bf" run --mpi $flags \
        -o "$out/$label" "$scenario" ;;
    coord) set -- env BORDERFLOW_MPI_COORDINATE_ONLY=1 "$mpirun" -np 2 "$bf" run --mpi $flags \
        -o "$out/$label" "$scenario" ;;
    tiny_plain) set -- "$bf" run $tflags -o "$out/$label" "$tiny" ;;
    tiny_coord) set -- env BORDERFLOW_MPI_COORDINATE_ONLY=1 "$mpirun" -np 2 "$bf" run --mpi \
        $tflags -o "$out/$label" "$tiny" ;;
    esac
    t0=$(now)
    if ! "$@" >"$out/$label.log" 2>&1; then
        echo "bench_mpi: $label failed: $*" >&2
        cat "$out/$label.log" >&2
        exit 1
    fi
    w=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
    best=$(cat "$out/$label.wall" 2>/dev/null || echo "")
    awk -v a="$best" -v b="$w" 'BEGIN { print (a == "" || b < a) ? b : a }' >"$out/$label.wall"
    # the simulate time of the fastest plain and tiny runs, for the split of
    # the plain run and the cost per item
    case $label in plain | tiny_*)
        [ "$(cat "$out/$label.wall")" != "$w" ] || field "$(ls "$out/$label"/*/run.json)" simulate \
            >"$out/$label.sim" ;;
    esac
}

same_as_plain() {
    for f in "$out/plain"/*/*; do
        case $f in */run.json) continue ;; esac
        g=$out/$1/${f#"$out/plain/"}
        cmp -s "$f" "$g" || { echo "bench_mpi: $1: $g differs from the plain run" >&2; exit 1; }
    done
}

echo "bench_mpi: $scenario on $cores cores ($(uname -m)), best of $repeat in turns," \
    "$(date -u +%Y-%m-%dT%H:%MZ)" >&2
i=0
while [ "$i" -lt "$repeat" ]; do
    for l in $labels; do
        once "$l"
    done
    i=$((i + 1))
done
for l in $labels; do
    case $l in plain | tiny_*) ;; *) same_as_plain "$l" ;; esac
done

base=$(cat "$out/plain.wall")
row() { # LABEL TEXT THREADS RANKS
    awk -v b="$base" -v w="$(cat "$out/$1.wall")" -v t="$2" -v th="$3" -v n="$4" 'BEGIN {
        printf "| %s | %s | %.2f | %.2f | %.2f |\n", t, th, w, b / w, b / w / n }'
}
echo "| run | ranks x threads | wall s | speed-up | efficiency |"
echo "|---|---|---|---|---|"
row plain '`borderflow run -j 1`' "1 x 1" 1
[ "$cores" -lt 2 ] || row threads '`borderflow run -j 2` (threads, no MPI)' "1 x 2" 2
for n in $ranks_list; do
    note=""
    [ "$n" -le "$cores" ] || note=" (oversubscribed: $n ranks on $cores cores)"
    row "np$n" "\`mpirun -np $n borderflow run --mpi -j 1\`$note" "$n x 1" "$n"
done
[ "$cores" -lt 2 ] || row coord '`mpirun -np 2`, rank 0 only coordinating' "2 x 1 (1 running items)" 2

rj=$(ls "$out"/plain/*/run.json)
awk -v i="$(field "$rj" work_items)" -v s="$(cat "$out/plain.sim")" -v b="$base" 'BEGIN {
    printf "\n%d work items; plain run: %.1f s simulating (%.3f s an item), %.1f s the rest (loading, aggregating, writing)\n",
           i, s, s / i, b - s }'
a=$(cat "$out/tiny_plain.sim")
c=$(cat "$out/tiny_coord.sim")
n=$(field "$out/tiny_plain/tiny/run.json" work_items)
awk -v a="$a" -v c="$c" -v n="$n" 'BEGIN {
    printf "sending results to rank 0: %d items of %.3f ms: %.2f s simulating in one process, %.2f s with every result sent from rank 1 to rank 0: %+.1f us an item\n",
           n, 1000 * a / n, a, c, 1e6 * (c - a) / n }'

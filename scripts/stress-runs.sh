#!/usr/bin/env bash
# A benchmark of the runner's robustness, not a test (it measures, so run it on a quiet machine):
#  1. kills: N times, a quick experiment (chosen at random) is started with --resume and killed with
#     SIGKILL at a random moment; a last --resume finishes each. Each CSV must then hold exactly the
#     configurations of a clean run of the same experiment: the same keys, none twice, no torn line.
#  2. two runs of one experiment started together into one folder: one is refused (exit 2), the other
#     finishes, and the CSV has no torn line.
# Usage: scripts/stress-runs.sh [--kills N] [--binary PATH] [--experiments "a b c"] [--keep]
# Keys and row validity come from `softmax-repro show --keys` (the runner's own definition).
set -euo pipefail

kills=50
binary=.build/release/softmax-repro
experiments="softmax-quick passes-quick accuracy-quick"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --experiments) experiments="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$kills" in ''|*[!0-9]*) echo "error: --kills needs a whole number, got '$kills'" >&2; exit 2 ;; esac
[ -x "$binary" ] || { echo "error: no executable $binary: run \`swift build -c release\` or pass --binary PATH" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/stress-runs.XXXXXX")
# Private per-CPU locks, so that nothing else on the machine meets these runs (and they meet each other).
export SOFTMAX_REPRO_CPU_LOCKS="$work/cpu-locks"
cleanup() { [ "$keep" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

csv_of() {  # results folder, experiment -> its CSV (one processor folder)
  ls "$1"/*/"$2.csv" 2>/dev/null | head -n 1
}

# Clean runs: the configurations each experiment should end with, and how long it takes.
declare -A seconds
for e in $experiments; do
  start=$(date +%s.%N)
  "$binary" run "$e" --results "$work/clean" >/dev/null 2>"$work/clean-$e.log" || { fail "clean run of $e failed (see $work/clean-$e.log)"; continue; }
  seconds[$e]=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  "$binary" show --keys "$(csv_of "$work/clean" "$e")" | sort > "$work/clean-$e.keys"
  echo "clean $e: $(wc -l < "$work/clean-$e.keys") configurations in ${seconds[$e]} s" >&2
done

# 1. Kills at random moments, each followed (in the next iteration or at the end) by --resume.
set -- $experiments
count=$#
for i in $(seq 1 "$kills"); do
  e=$(eval echo "\${$((RANDOM % count + 1))}")
  "$binary" run "$e" --resume --results "$work/killed" >/dev/null 2>>"$work/killed.log" &
  pid=$!
  # A moment within the clean run's duration (ms resolution).
  delay=$(awk -v t="${seconds[$e]:-5}" -v r="$RANDOM" 'BEGIN { printf "%.3f", t * r / 32768 }')
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "kill $i/$kills: $e after ${delay} s" >&2
done
for e in $experiments; do
  "$binary" run "$e" --resume --results "$work/killed" >/dev/null 2>>"$work/killed.log" || { fail "final --resume of $e failed (see $work/killed.log)"; continue; }
  csv=$(csv_of "$work/killed" "$e")
  if ! "$binary" show --keys "$csv" > "$work/killed-$e.all" 2>"$work/killed-$e.err"; then
    fail "$e: rows that are not measurements (torn lines?): $(cat "$work/killed-$e.err")"
  fi
  duplicates=$(sort "$work/killed-$e.all" | uniq -d)
  [ -z "$duplicates" ] || fail "$e: configurations measured twice: $duplicates"
  sort -u "$work/killed-$e.all" > "$work/killed-$e.keys"
  if ! diff -q "$work/clean-$e.keys" "$work/killed-$e.keys" >/dev/null; then
    fail "$e: configurations differ from a clean run: $(diff "$work/clean-$e.keys" "$work/killed-$e.keys" | head -n 10)"
  fi
done

# 2. Two runs of one experiment at once into one folder.
set -- $experiments
e=$1
"$binary" run "$e" --results "$work/concurrent" >/dev/null 2>"$work/concurrent-a.log" & a=$!
"$binary" run "$e" --results "$work/concurrent" >/dev/null 2>"$work/concurrent-b.log" & b=$!
status_a=0; wait "$a" || status_a=$?
status_b=0; wait "$b" || status_b=$?
if ! { [ "$status_a" = 0 ] && [ "$status_b" = 2 ]; } && ! { [ "$status_a" = 2 ] && [ "$status_b" = 0 ]; }; then
  fail "two concurrent runs of $e: expected one 0 and one 2, saw $status_a and $status_b"
fi
grep -h "being written by another run" "$work"/concurrent-*.log >/dev/null || fail "the refused run did not name the running one"
if ! "$binary" show --keys "$(csv_of "$work/concurrent" "$e")" > /dev/null 2>"$work/concurrent.err"; then
  fail "concurrent $e: rows that are not measurements: $(cat "$work/concurrent.err")"
fi

if [ "$failures" -gt 0 ]; then
  echo "stress-runs: $failures failure(s)" >&2
  exit 1
fi
echo "stress-runs: $kills kills across $experiments and two concurrent runs: every CSV as a clean run's, no torn line" >&2

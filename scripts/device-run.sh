#!/usr/bin/env bash
# A borrowed x86-64 machine, measured in under 8 minutes: builds (release), runs the out-of-cache softmax
# sizes (experiments/softmax-out-of-cache.json) and the quick experiments (those of `make reproduce QUICK=1`),
# then packs the results into one archive (softmax-repro bundle) to bring home and `softmax-repro import`.
#   scripts/device-run.sh [--out DIR] [--results DIR] [--budget SECONDS] [--dry-run]
# --out: where the archive goes (default $OUT when set, else local); --results: where the runs write
# (default local/results); --budget: seconds for everything (default 450); --dry-run: print the plan only.
# An experiment that would not finish inside the budget is stopped; its partial CSV is set aside
# (<experiment>.csv.partial.bak), so the bundle carries only complete runs, and the script says so.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out="${OUT:-local}"; results="local/results"; budget=450; dry_run=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --results) results="${2:?--results needs a folder}"; shift 2 ;;
    --budget) budget="${2:?--budget needs seconds}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    *) echo "error: unknown argument '$1': expected --out DIR, --results DIR, --budget SECONDS or --dry-run" >&2; exit 2 ;;
  esac
done
[[ "$budget" =~ ^[0-9]+$ ]] || { echo "error: --budget '$budget' is not a whole number of seconds" >&2; exit 2; }

# The out-of-cache sizes first: they are the paper's claim, and what a short budget must not lose.
experiments="softmax-out-of-cache $(make -s --no-print-directory print-experiments QUICK=1)"
for id in $experiments; do
  [ -f "experiments/$id.json" ] || { echo "error: experiments/$id.json is missing: the checkout is incomplete" >&2; exit 2; }
done
binary=.build/release/softmax-repro
# What bundling needs at the end, kept out of the experiments' budget.
reserve=20
if [ -n "$dry_run" ]; then
  echo "build:       make build"
  for id in $experiments; do echo "experiment:  $binary run $id --results $results --resume"; done
  echo "bundle:      $binary bundle --results $results --out $out"
  echo "budget:      ${budget}s in all, ${reserve}s kept for the bundle"
  exit 0
fi

log() { echo "device-run [$((SECONDS))s]: $*" >&2; }
log "building on $(nproc) CPUs"
make -s build
"$binary" info >&2
processor="$("$binary" info | sed -n 's/^results id: *//p')"
stopped=()
for id in $experiments; do
  left=$((budget - reserve - SECONDS))
  if [ "$left" -le 5 ]; then
    stopped+=("$id (not started)")
    log "no time left for $id: skipped"
    continue
  fi
  log "$id (at most ${left}s)"
  set +e
  timeout --signal=INT --kill-after=10 "$left" "$binary" run "$id" --results "$results" --resume
  status=$?
  set -e
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    csv="$results/$processor/$id.csv"
    [ ! -f "$csv" ] || mv "$csv" "$csv.partial.bak"
    [ ! -f "${csv%.csv}.json" ] || mv "${csv%.csv}.json" "${csv%.csv}.json.partial.bak"
    stopped+=("$id (stopped at the budget; partial rows in $csv.partial.bak)")
    log "$id stopped at the budget"
  elif [ "$status" -ne 0 ]; then
    log "$id failed with exit status $status"
    exit "$status"
  fi
done
log "bundling"
"$binary" bundle --results "$results" --out "$out"
[ ${#stopped[@]} -eq 0 ] || log "not measured in full: ${stopped[*]}"
log "done"

#!/usr/bin/env bash
# make cluster: measures every node type of a cluster config (default cluster/cluster.conf) as one Slurm
# job array, one task per node type, each on a whole node, then one job, after all of them succeeded
# (afterok), that imports every node's bundle into one results folder and draws the figures.
#   cluster/submit.sh [CONFIG]   prints the run folder and the two job ids (also in <run>/jobs)
# Slurm gives every task of an array the same partition, so the array is submitted held and each task
# is moved to its node type's partition and constraint before it is released.
# Bad input (no node type, a node type selecting nothing, an unknown key or experiment) exits 2.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:-$repo/cluster/cluster.conf}"

bad() { echo "error: $*" >&2; exit 2; }
[ -f "$config" ] || bad "no cluster config at $config: copy cluster/cluster.conf and list your node types in it"

shared_dir="local/cluster-runs"; experiments="quick"; results="local/results"; figures="local/figures"
replace="no"; time_limit=""; sbatch_options=""
names=(); partitions=(); constraints=()
line_number=0
while IFS= read -r line || [ -n "$line" ]; do
  line_number=$((line_number + 1))
  line="${line%%#*}"
  [[ "$line" =~ ^[[:space:]]*$ ]] && continue
  if [[ "$line" =~ ^[[:space:]]*node[[:space:]]+([A-Za-z0-9._-]+)(.*)$ ]]; then
    name="${BASH_REMATCH[1]}"; partition=""; constraint=""
    for option in ${BASH_REMATCH[2]}; do
      case "$option" in
        partition=*) partition="${option#partition=}" ;;
        constraint=*) constraint="${option#constraint=}" ;;
        *) bad "$config:$line_number: node $name: unknown option '$option'; expected partition=<partition> and/or constraint=<feature>" ;;
      esac
    done
    [ -n "$partition$constraint" ] || bad "$config:$line_number: node $name names no partition or constraint: add partition=<partition> (sinfo lists them)"
    for seen in "${names[@]}"; do [ "$seen" != "$name" ] || bad "$config:$line_number: node type '$name' is listed twice: give each its own name"; done
    names+=("$name"); partitions+=("$partition"); constraints+=("$constraint")
  elif [[ "$line" =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*[^[:space:]]|)[[:space:]]*$ ]]; then
    key="${BASH_REMATCH[1]}"; value="${BASH_REMATCH[2]}"
    case "$key" in
      shared_dir|experiments|results|figures|replace|time_limit|sbatch_options) printf -v "$key" '%s' "$value" ;;
      *) bad "$config:$line_number: unknown key '$key'; expected shared_dir, experiments, results, figures, replace, time_limit, sbatch_options or node lines" ;;
    esac
  else
    bad "$config:$line_number: cannot read '$line': expected 'key = value' or 'node <name> partition=<partition>'"
  fi
done < "$config"

[ ${#names[@]} -gt 0 ] || bad "$config names no partition: add one line per node type, 'node <name> partition=<partition> [constraint=<feature>]'"
case "$replace" in yes|no) ;; *) bad "$config: replace = '$replace'; expected yes or no" ;; esac

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$repo/$1" ;; esac; }
case "$experiments" in
  quick) experiments="$(make -s --no-print-directory -C "$repo" print-experiments QUICK=1)" ;;
  full) experiments="$(make -s --no-print-directory -C "$repo" print-experiments QUICK=)" ;;
esac
for id in $experiments; do
  [ -f "$repo/experiments/$id.json" ] || bad "$config: experiment '$id' has no file experiments/$id.json: name ids of softmax-repro list, or quick / full"
done

command -v sbatch >/dev/null && command -v scontrol >/dev/null || bad "sbatch and scontrol not found: run make cluster on a Slurm login node"

# Every node runs the same release build from the shared checkout (kernels dispatch on the ISA at run time).
if [ -z "${CLUSTER_SKIP_BUILD:-}" ]; then make -s -C "$repo" build venv; fi

run_dir="$(absolute "$shared_dir")/$(date -u +%Y%m%dT%H%M%SZ)-$$"
mkdir -p "$run_dir"
{
  printf 'REPO=%q\nRUN_DIR=%q\nEXPERIMENTS=%q\nRESULTS=%q\nFIGURES=%q\nREPLACE=%q\n' \
    "$repo" "$run_dir" "$experiments" "$(absolute "$results")" "$(absolute "$figures")" "$replace"
  printf 'NODE_TYPES=(%s)\n' "$(printf '%q ' "${names[@]}")"
} > "$run_dir/run.env"

common=(--parsable --export="ALL,SOFTMAX_CLUSTER_RUN=$run_dir")
[ -z "$time_limit" ] || common+=(--time="$time_limit")
# shellcheck disable=SC2206
[ -z "$sbatch_options" ] || common+=($sbatch_options)
first_selection=()
[ -z "${partitions[0]}" ] || first_selection+=(--partition="${partitions[0]}")

array_job="$(sbatch "${common[@]}" "${first_selection[@]}" --hold --array="0-$((${#names[@]} - 1))" --exclusive --nodes=1 \
  --job-name=softmax-repro-node --output="$run_dir/slurm-%A_%a.out" "$repo/cluster/node-job.sh")"
array_job="${array_job%%;*}"
for i in "${!names[@]}"; do
  update=()
  [ -z "${partitions[$i]}" ] || update+=(Partition="${partitions[$i]}")
  [ -z "${constraints[$i]}" ] || update+=(Features="${constraints[$i]}")
  scontrol update JobId="${array_job}_$i" "${update[@]}" || {
    scancel "$array_job"; bad "Slurm refused node type '${names[$i]}' (${update[*]}): check the partition and feature names with sinfo"; }
done
merge_job="$(sbatch "${common[@]}" "${first_selection[@]}" --dependency="afterok:$array_job" --nodes=1 --ntasks=1 \
  --job-name=softmax-repro-merge --output="$run_dir/slurm-merge-%j.out" "$repo/cluster/merge-job.sh")"
merge_job="${merge_job%%;*}"
scontrol release "$array_job"
printf 'ARRAY_JOB=%s\nMERGE_JOB=%s\n' "$array_job" "$merge_job" > "$run_dir/jobs"
echo "run folder: $run_dir"
echo "node jobs:  $array_job (array of ${#names[@]}: ${names[*]})"
echo "merge job:  $merge_job (after all of them; results into $(absolute "$results"), figures into $(absolute "$figures"))"

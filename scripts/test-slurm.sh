#!/usr/bin/env bash
# Tests make cluster for real: starts a one-node Slurm cluster on this machine (munged as the munge user,
# slurmctld and slurmd in the foreground, in the background of this script, from a generated slurm.conf),
# submits cluster/submit.sh with the quickest real experiment (accuracy-quick), waits for the merge job,
# checks the merged results and figures, and stops every daemon it started on exit. Installs slurm-wlm
# and munge through apt-get when missing. Skips (exit 0, with the reason) only when the daemons cannot
# be installed or started; every other failure exits 1.
# First it checks, without Slurm, that a config naming no partition is refused with exit status 2.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
say() { echo "test-slurm: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
skip() { say "SKIPPED: $*"; exit 0; }

work="$(mktemp -d /tmp/softmax-repro-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -n "${array_job:-}" ]; then scancel "$array_job" ${merge_job:+"$merge_job"} 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -d "$work/slurm" ]; then tail -n 5 "$work"/munge/munged.log "$work"/slurm/*.log >&2 2>/dev/null || true; fi
  # Stop what this script started, newest first, each by its own pid.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do wait "${pids[$i]}" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# --- Bad input, no Slurm needed: a config naming no partition exits 2 with a message that says so.
expect_refusal() {  # config text, words the message must contain
  printf '%s\n' "$1" > "$work/bad.conf"
  set +e
  message="$(CLUSTER_SKIP_BUILD=1 "$repo/cluster/submit.sh" "$work/bad.conf" 2>&1 >/dev/null)"
  status=$?
  set -e
  [ "$status" -eq 2 ] || fail "submit.sh with '$1' exited $status, expected 2 ($message)"
  [[ "$message" == *"$2"* ]] || fail "submit.sh with '$1' said '$message', expected it to name '$2'"
}
expect_refusal "experiments = quick" "names no partition"
expect_refusal "node fast" "node fast names no partition or constraint"
expect_refusal $'node fast partition=p\nexperiments = no-such-experiment' "no-such-experiment"
expect_refusal $'node fast partition=p\npartitions = p' "unknown key 'partitions'"
say "bad cluster configs are refused with exit status 2"

# --- Slurm and munge from Debian's packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" -eq 0 ] || skip "slurm-wlm and munge are not installed and this is not root: run 'apt-get install slurm-wlm munge' as root first"
  command -v apt-get >/dev/null || skip "slurm-wlm and munge are not installed and there is no apt-get here"
  say "installing slurm-wlm and munge"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; } \
    || skip "apt-get could not install slurm-wlm and munge"
fi
[ "$(id -u)" -eq 0 ] || skip "starting munged as the munge user and slurmd needs root"
id munge >/dev/null 2>&1 || skip "no munge user (the munge package creates it)"

# munged with its own key and socket, so that it never meets another munged of this machine.
munge_dir="$work/munge"
mkdir -p "$munge_dir"
chown munge:munge "$munge_dir"
chmod 755 "$munge_dir"  # munged wants its socket folder reachable by every user
mungekey --create --keyfile="$munge_dir/munge.key" || skip "mungekey could not create a key"
chown munge:munge "$munge_dir/munge.key"
chmod 400 "$munge_dir/munge.key"
setpriv --reuid=munge --regid=munge --init-groups munged --foreground --key-file="$munge_dir/munge.key" \
  --socket="$munge_dir/munge.socket" --pid-file="$munge_dir/munged.pid" --seed-file="$munge_dir/munged.seed" \
  --log-file="$munge_dir/munged.log" 2>"$munge_dir/munged.err" &
pids+=($!)
for _ in $(seq 50); do [ -S "$munge_dir/munge.socket" ] && break; sleep 0.2; done
munge --socket="$munge_dir/munge.socket" -n </dev/null | unmunge --socket="$munge_dir/munge.socket" >/dev/null 2>&1 \
  || skip "munged did not start: $(tail -3 "$munge_dir/munged.log" 2>/dev/null)"

# slurm.conf for this host: its real CPUs and memory (slurmd -C), no cgroups (proctrack/cgroup fails on
# v1 cgroups), no accounting.
free_port() { local p=$1; while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 2)); done; echo "$p"; }
slurm_dir="$work/slurm"
mkdir -p "$slurm_dir/state" "$slurm_dir/spool"
host="$(hostname -s)"
node_line="$(slurmd -C | grep '^NodeName=' | sed 's/ UpTime=.*//')"
[ -n "$node_line" ] || skip "slurmd -C did not describe this machine"
ctld_port="$(free_port 16817)"
slurmd_port="$(free_port $((ctld_port + 1)))"
cat > "$slurm_dir/slurm.conf" <<EOF
ClusterName=softmax-repro-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_dir/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$slurm_dir/state
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/slurmctld.pid
SlurmdPidFile=$slurm_dir/slurmd.pid
SlurmctldLogFile=$slurm_dir/slurmctld.log
SlurmdLogFile=$slurm_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MinJobAge=3600
$node_line State=UNKNOWN
PartitionName=softmax-test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$slurm_dir/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" 2>"$slurm_dir/slurmctld.err" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" 2>"$slurm_dir/slurmd.err" &
pids+=($!)
for _ in $(seq 60); do
  state="$(sinfo -h -n "$host" -o %t 2>/dev/null || true)"
  [ "$state" = idle ] && break
  sleep 1
done
[ "${state:-}" = idle ] || skip "the one-node Slurm cluster did not come up (node state '${state:-none}'): $(tail -5 "$slurm_dir/slurmctld.log" "$slurm_dir/slurmd.log" 2>/dev/null)"
say "one-node Slurm cluster up on $host (slurmctld port $ctld_port)"

# --- make cluster's scripts with the quickest real experiment.
cat > "$work/cluster.conf" <<EOF
node $host partition=softmax-test
shared_dir = $work/runs
experiments = accuracy-quick
results = $work/merged
figures = $work/figures
replace = no
time_limit = 00:20:00
EOF
"$repo/cluster/submit.sh" "$work/cluster.conf" || fail "cluster/submit.sh exited $?"
run_dir="$(ls -d "$work"/runs/*/)"
# shellcheck source=/dev/null
source "$run_dir/jobs"
array_job="$ARRAY_JOB"; merge_job="$MERGE_JOB"
deadline=$((SECONDS + 900))
while :; do
  merge_state="$(scontrol show job "$merge_job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)"
  case "$merge_state" in
    COMPLETED) break ;;
    FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|"") fail "merge job $merge_job ended $merge_state: $(tail -n 20 "$run_dir"/slurm-*.out 2>/dev/null)" ;;
  esac
  # A node job that failed leaves the merge job pending forever (DependencyNeverSatisfied).
  if scontrol show job "$merge_job" | grep -q DependencyNeverSatisfied; then
    fail "a node job failed, so the merge never ran: $(tail -n 20 "$run_dir"/slurm-*.out 2>/dev/null)"
  fi
  [ "$SECONDS" -lt "$deadline" ] || fail "merge job $merge_job still $merge_state after 15 minutes"
  sleep 3
done

# --- What the merge left: the node's results imported, figures drawn from them.
processor="$("$repo/.build/release/softmax-repro" info | sed -n 's/^results id: *//p')"
merged="$work/merged/$processor"
[ -s "$merged/accuracy-quick.csv" ] && [ -s "$merged/accuracy-quick.json" ] || fail "no accuracy-quick results in $merged: $(ls -R "$work/merged" 2>&1)"
rows="$(($(wc -l < "$merged/accuracy-quick.csv") - 1))"
[ "$rows" -gt 0 ] || fail "$merged/accuracy-quick.csv has no rows"
cmp -s "$run_dir/$host/results/$processor/accuracy-quick.csv" "$merged/accuracy-quick.csv" || fail "the merged CSV differs from the node's"
ls "$work/figures/${processor}"_*accuracy*.png >/dev/null 2>&1 || fail "no accuracy figure in $work/figures: $(ls "$work/figures" 2>&1)"
[ -s "$work/merged/SUMMARY.md" ] || fail "no SUMMARY.md in $work/merged"
# A second merge of the same bundle is refused (same hardware, no --replace), leaving the results alone.
set +e
"$repo/.build/release/softmax-repro" import "$run_dir/$host"/*.tar.gz --into "$work/merged" 2>"$work/again.err"
status=$?
set -e
[ "$status" -eq 2 ] && grep -q -- "--replace" "$work/again.err" || fail "importing the same bundle again exited $status: $(cat "$work/again.err")"
say "passed: array job $array_job measured $rows accuracy-quick rows on $host, merge job $merge_job imported them and drew $(ls "$work/figures" | wc -l) figure files"

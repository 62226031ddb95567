#!/usr/bin/env bash
# make cluster's last job, after every node's task succeeded: imports each node type's bundle into the
# results folder of the config and draws the figures of everything there.
set -euo pipefail
# shellcheck source=/dev/null
source "${SOFTMAX_CLUSTER_RUN:?submitted by cluster/submit.sh, which sets it}/run.env"
cd "$REPO"
replace=()
[ "$REPLACE" != yes ] || replace=(--replace)
for node_type in "${NODE_TYPES[@]}"; do
  bundles=("$RUN_DIR/$node_type"/*.tar.gz)
  [ -f "${bundles[0]}" ] || { echo "error: no bundle from node type $node_type in $RUN_DIR/$node_type: see its slurm-*.out there" >&2; exit 2; }
  .build/release/softmax-repro import "${bundles[-1]}" --into "$RESULTS" "${replace[@]}"
done
mkdir -p "$FIGURES"
.venv/bin/python plots/plot_results.py --results "$RESULTS" --out "$FIGURES" --summary "$RESULTS/SUMMARY.md"
echo "merged ${#NODE_TYPES[@]} node types into $RESULTS; figures in $FIGURES"

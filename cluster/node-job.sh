#!/usr/bin/env bash
# One task of make cluster's job array: measures this node's type into <run>/<node type>/results and
# bundles it (softmax-repro bundle) for the merge job. Submitted by cluster/submit.sh, which writes run.env.
set -euo pipefail
# shellcheck source=/dev/null
source "${SOFTMAX_CLUSTER_RUN:?submitted by cluster/submit.sh, which sets it}/run.env"
cd "$REPO"
node_type="${NODE_TYPES[${SLURM_ARRAY_TASK_ID:?not a job array task}]}"
stage="$RUN_DIR/$node_type"
mkdir -p "$stage"
echo "node type $node_type on $(hostname -s): $EXPERIMENTS"
for experiment in $EXPERIMENTS; do
  .build/release/softmax-repro run "$experiment" --results "$stage/results" --resume
done
.build/release/softmax-repro bundle --results "$stage/results" --out "$stage"

#!/usr/bin/env python3
"""How stable are the paired speedups from run to run, and are their 95% intervals honest? (a benchmark,
not a test: it measures, so run it on a quiet machine, one measurement at a time)

Runs a small subset of the softmax experiment RUNS times back to back, under two sampling protocols:
`fixed` (the old protocol: exactly `samples` rounds, no precision target) and `adaptive` (rounds go on
until the precision targets or the budgets are met, noisy rounds repeated), and reports per paired
speedup (two-pass against each three-pass variant, per ISA and size):
  - the spread between runs (largest - smallest median),
  - calibration: over every ordered pair of runs (i, j), how often run i's 95% interval holds run j's
    median (about 95% or more if the intervals are honest and runs are alike; much less means the runs
    differ by more than each run's own noise says).

    python3 scripts/stability.py [--runs 3] [--protocol both|fixed|adaptive] [--binary .build/release/softmax-repro]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plots"))
from confidence import median_estimate, paired_ratios  # noqa: E402  (the one Python definition of the interval)


def paired_ratio_interval(samples: list[float], base: list[float]) -> tuple[float, float, float] | None:
    """The paired speedup (median of per-round ratios) and its 95% interval; None below 6 rounds."""
    e = median_estimate(paired_ratios(samples, base))
    return (e.value, e.low, e.high) if e.has_ci else None

SUBSET = {
    "description": "stability subset of the softmax experiment: in cache, at the LLC, out of cache",
    "kind": "softmax",
    "isas": ["avx2", "avx512f"],
    "presets": ["blend"],
    "algorithms": ["two-pass", "three-pass-recompute", "three-pass-reload"],
    "sizes": [10000, 1000000, 30000000],
}


def run_once(binary: str, folder: Path, protocol: str, index: int, extra: dict) -> Path:
    experiments = folder / f"experiments-{protocol}"
    if not experiments.exists():
        (experiments / "presets").mkdir(parents=True)
        shutil.copy(ROOT / "experiments" / "presets" / "blend.json", experiments / "presets" / "blend.json")
        spec = dict(SUBSET, **extra)
        if protocol == "fixed":
            # The protocol before sampling to a precision: 15 rounds in one allocation of the buffers.
            spec.update(max_rounds=15, rounds_per_allocation=0)
        (experiments / "stability.json").write_text(json.dumps(spec, indent=2))
    results = folder / f"{protocol}-{index}"
    out = subprocess.run([binary, "run", "stability", "--experiments", str(experiments), "--results", str(results)],
                         check=True, stdout=subprocess.PIPE, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def speedups(csv_path: Path) -> dict[tuple, tuple[float, float, float] | None]:
    with open(csv_path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "ok" and r["kind"] == "softmax"]
    index = {(r["isa"], r["algorithm"], int(r["n"])): r for r in rows}
    out = {}
    for (isa, algorithm, n), r in index.items():
        two = index.get((isa, "two-pass", n))
        if algorithm == "two-pass" or two is None:
            continue
        samples = [float(v) for v in r["raw_samples_s"].split(";")]
        base = [float(v) for v in two["raw_samples_s"].split(";")]
        out[(isa, algorithm, n)] = paired_ratio_interval(samples, base)
    return out


def report(protocol: str, runs: list[dict]) -> list[str]:
    lines = [f"\n{protocol}: {len(runs)} runs", f"{'isa':8} {'vs':22} {'n':>9} {'medians per run':36} {'spread':>7} {'calibration':>12}"]
    covered_all = pairs_all = 0
    for key in sorted(runs[0]):
        values = [r.get(key) for r in runs]
        if any(v is None for v in values):
            continue
        medians = [v[0] for v in values]
        covered = sum(1 for i, j in itertools.permutations(range(len(values)), 2) if values[i][1] <= medians[j] <= values[i][2])
        pairs = len(values) * (len(values) - 1)
        covered_all += covered
        pairs_all += pairs
        isa, algorithm, n = key
        lines.append(f"{isa:8} {algorithm:22} {n:>9} {' '.join(f'{m:.3f}' for m in medians):36} {max(medians) - min(medians):7.3f} {covered}/{pairs}")
    if pairs_all:
        lines.append(f"{protocol}: a run's 95% CI held another run's median in {covered_all}/{pairs_all} = {100 * covered_all / pairs_all:.0f}% of pairs")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--protocol", choices=["both", "fixed", "adaptive"], default="both")
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "softmax-repro"))
    parser.add_argument("--keep", help="keep the runs' CSVs in this folder")
    parser.add_argument("--rounds-per-allocation", type=int, help="the adaptive protocol's rounds_per_allocation (default: the runner's)")
    args = parser.parse_args()
    if args.runs < 2:
        print("error: --runs must be at least 2 to compare runs", file=sys.stderr)
        return 2
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="softmax-stability-"))
    protocols = ["fixed", "adaptive"] if args.protocol == "both" else [args.protocol]
    lines = []
    for protocol in protocols:
        runs = []
        for i in range(args.runs):
            print(f"stability: {protocol} run {i + 1} of {args.runs}", file=sys.stderr)
            extra = {} if args.rounds_per_allocation is None else {"rounds_per_allocation": args.rounds_per_allocation}
            runs.append(speedups(run_once(args.binary, folder, protocol, i, extra)))
        lines += report(protocol, runs)
    print("\n".join(lines))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

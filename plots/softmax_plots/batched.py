"""The batched experiment (llm-vocab) in SUMMARY.md: which algorithm wins at each size and batch.

Rows of one (processor, ISA, preset, n, batch) were timed in the same rounds (results/README.md), so sample i
of every algorithm is from round i. The winner is the fastest median; the win is resolved when, against
every other algorithm, the paired ratio other_i / winner_i has a 95% interval (confidence.py) above 1, and
a tie with each algorithm whose interval holds 1 or that has too few rounds for one. The runner's `show`
gives the same verdict (Sources/Harness/Batched.swift, BatchedVerdict).
"""

from __future__ import annotations

import statistics

from confidence import median_ci, median_estimate, paired_ratios

from .select import experiment_kind
from .stats import paired_ratios_of, raw_samples

ALGORITHMS = ("two-pass", "three-pass-recompute", "three-pass-reload", "online")
OTHERS = ALGORITHMS[1:]


def verdict(samples: dict[str, list[float]]) -> tuple[str, list[str]] | None:
    """(winner, algorithms it is tied with), or None without two algorithms that have samples."""
    medians = {a: statistics.median(s) for a, s in samples.items() if s}
    if len(medians) < 2:
        return None
    winner = min(sorted(medians), key=lambda a: medians[a])
    tied = []
    for other in sorted(medians):
        if other == winner:
            continue
        a, b = samples[other], samples[winner]
        ci = median_ci(paired_ratios(a, b)) if len(a) == len(b) and all(v > 0 for v in b) else None
        if ci is None or ci[0] <= 1:
            tied.append(other)
    return winner, tied


def verdict_text(v: tuple[str, list[str]] | None) -> str:
    if v is None:
        return "-"
    winner, tied = v
    return f"**{winner}**" if not tied else f"{winner}, tie with {', '.join(tied)}"


def _speedup(row: dict | None, two: dict | None) -> str:
    """Two-pass's paired speedup over another algorithm: median over rounds of its time / two-pass's [95% CI]."""
    ratios = paired_ratios_of(row, two) if row and two else None
    return median_estimate(ratios).text() if ratios else "-"


def batched_size_labels(proc) -> dict:
    """The names of sizes (metadata size_labels) of a processor's batched files, by n."""
    return {k: v for f in proc.files if experiment_kind(f) == "batched"
            for k, v in ((f.meta or {}).get("size_labels") or {}).items()}


def batched_markdown(runs: list[tuple[str, list[dict], dict]]) -> list[str]:
    """The SUMMARY.md section: `runs` is (processor id, its batched rows with status ok, size labels by n)."""
    runs = [(pid, rows, labels) for pid, rows, labels in runs if rows]
    if not runs:
        return []
    parts = ["", "## Today's vocabularies: batched rows (llm-vocab)", "",
             "B rows of n per call, each row a whole softmax, the rows split across min(B, cores) workers. Winner:",
             "the fastest median, in bold where it beats every other algorithm (the paired ratio's 95% CI above 1),",
             "else a tie with those it does not. Speedups: median over rounds of the algorithm's time / two-pass's",
             "time [95% CI].", "",
             "| processor | isa | preset | size | B | threads | winner | two-pass vs recompute | two-pass vs reload"
             " | two-pass vs online |",
             "|---|---|---|---|---:|---:|---|---:|---:|---:|"]
    for pid, rows, labels in runs:
        keys = sorted({(r["isa"], r["preset"], int(r["n"]), int(r["batch"])) for r in rows})
        for isa, preset, n, batch in keys:
            group = {r["algorithm"]: r for r in rows
                     if (r["isa"], r["preset"], int(r["n"]), int(r["batch"])) == (isa, preset, n, batch)}
            two = group.get("two-pass")
            threads = next(iter(group.values())).get("threads", "")
            size = labels.get(str(n)) or f"{n:,}"
            v = verdict({a: raw_samples(r) for a, r in group.items()})
            parts.append(f"| {pid} | {isa} | {preset or '-'} | {size} | {batch} | {threads} | {verdict_text(v)} | "
                         + " | ".join(_speedup(group.get(o), two) for o in OTHERS) + " |")
    return parts

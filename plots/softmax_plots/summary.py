"""SUMMARY.md: one row per processor/ISA/preset (out-of-cache speedup with its CI) and the document around it."""

from __future__ import annotations

from dataclasses import dataclass

from confidence import Estimate, PRECISION_TARGET
from paper_claims import Claims, Mark

from .formats import MISSED_MARK, WIDE_MARK, fmt_bytes, fmt_n, speedup_cell
from .batched import batched_markdown, batched_size_labels
from .model import Processor
from .sections import (
    accuracy_markdown, efficiency_markdown, kernels_markdown, labelled_sizes_markdown, multicore_markdown,
)
from .stats import (
    SpeedupPoint, claim_marks, claim_text, out_of_cache_factor, out_of_cache_threshold, pooled_speedup, speedups,
)
from .vocabulary import THREE_PASS, isa_order


@dataclass
class SummaryRow:
    processor: str
    run: str                                  # "" for the run drawn; "reference run at ..." for a reference
    model_name: str
    microarchitecture: str
    isa: str
    preset: str
    n_used: str
    values: dict[str, Estimate | None]        # variant -> out-of-cache speedup with its CI
    at_largest: dict[str, SpeedupPoint | None]
    method: str                               # "median" (sizes >= the out-of-cache threshold), "largest" or "mixed"
    claims: list[Mark]
    claim_text: str
    precision_missed: dict[str, bool]         # variant -> a row used has precision_met = no
    is_reference: bool = False

    @property
    def label(self) -> str:
        return f"{self.processor} ({self.run})" if self.run else self.processor


def summarize(processors: list[Processor], claims: Claims | None = None) -> list[SummaryRow]:
    out = []
    for proc in processors:
        sp = speedups(proc)
        threshold = out_of_cache_threshold(proc, claims)
        groups = sorted({(isa, preset) for (isa, preset, _v) in sp}, key=lambda g: (isa_order(g[0]), g[1]))
        for isa, preset in groups:
            values, at_largest, used, missed = {}, {}, {}, {}
            methods = set()
            for variant in THREE_PASS:
                pts = sp.get((isa, preset, variant), [])
                if not pts:
                    values[variant], at_largest[variant], missed[variant] = None, None, False
                    continue
                at_largest[variant] = pts[-1]
                far = [p for p in pts if threshold and p.n >= threshold]
                if far:
                    methods.add("median")
                else:
                    far = [pts[-1]]
                    methods.add("largest")
                values[variant] = pooled_speedup(far)
                used[variant] = [p.n for p in far]
                missed[variant] = any(p.precision_missed for p in far)
            method = "median" if methods == {"median"} else ("largest" if methods == {"largest"} else "mixed")
            n_used = _describe_n(used, threshold, out_of_cache_factor(claims))
            out.append(SummaryRow(proc.id, proc.run_label, proc.model_name, proc.microarchitecture, isa, preset,
                                  n_used, values, at_largest, method, claim_marks(proc, isa, claims),
                                  claim_text(proc, isa, claims), missed, proc.is_reference))
    # A reference run's row right below the same configuration of the run drawn beside it.
    first = {}
    for r in out:
        first.setdefault(r.processor, len(first))
    return sorted(out, key=lambda r: (first[r.processor], isa_order(r.isa), r.preset, r.is_reference))


def _describe_n(used: dict[str, list[int]], threshold: float | None, factor: float) -> str:
    def one(ns: list[int]) -> str:
        if threshold and ns and min(ns) >= threshold:
            return f"n >= {factor:g}xLLC ({fmt_n(threshold)}): {', '.join(fmt_n(n) for n in ns)}"
        why = "LLC unknown" if not threshold else f"none >= {factor:g}xLLC ({fmt_n(threshold)})"
        return f"largest n: {fmt_n(ns[0])} ({why})"
    distinct = {tuple(v) for v in used.values()}
    if len(distinct) <= 1:
        return one(next(iter(used.values()))) if used else "-"
    short = {"three-pass-recompute": "recompute", "three-pass-reload": "reload"}
    return "; ".join(f"{short[k]}: {one(v)}" for k, v in used.items())




def summary_table(rows: list[SummaryRow]) -> str:
    header = ("| processor | microarchitecture | isa | preset | n used | two-pass vs recompute | "
              "two-pass vs reload | paper's claim |")
    lines = [header, "|---|---|---|---|---|---:|---:|---|"]
    for r in rows:
        cells = [speedup_cell(r.values.get(v), r.precision_missed.get(v, False)) for v in THREE_PASS]
        lines.append(f"| {r.label} | {r.microarchitecture} | {r.isa} | {r.preset or '-'} | {r.n_used} | "
                     f"{cells[0]} | {cells[1]} | {r.claim_text} |")
    return "\n".join(lines) + "\n"


def summary_markdown(rows: list[SummaryRow], processors: list[Processor], claims: Claims | None = None,
                     references: list[Processor] = ()) -> str:
    """The SUMMARY: `rows` (of every run drawn), then the per-processor sections of `processors` (the runs
    drawn, without the references beside them); sources and kernels of both."""
    drawn = list(processors) + list(references)
    factor = out_of_cache_factor(claims)
    parts = [
        "# Out-of-cache speedup of Two-Pass softmax",
        "",
        "Written by `plots/plot_results.py`; do not edit by hand.",
        "",
        "Speedup = median over the rounds of a run of (seconds per call of the three-pass variant / seconds per",
        "call of two-pass), for the same ISA, preset and n, the two samples of a round taken side by side;",
        "above 1 means two-pass is faster. In brackets its 95% confidence interval, distribution-free, from the",
        "order statistics of the per-round ratios (`plots/confidence.py`); none exists with fewer than 6 rounds.",
        f"Each value pools the per-round ratios of the sizes with n >= {factor:g} x LLC elements (LLC bytes / 4 "
        "floats: x alone is",
        f"{factor:g} times the last-level cache; the rule is `out_of_cache_llc_factor` of the claims file) where such "
        "sizes were",
        "measured, otherwise it is the value at the largest n; the `n used` column says which.",
        f"{WIDE_MARK}: the interval's half-width exceeds {PRECISION_TARGET:.0%} of the value (the precision target for "
        f"a drawn comparison). {MISSED_MARK}: a",
        "row of the comparison missed its own precision target (`precision_met` = no).",
        "The paper's numbers are \"up to\" values on out-of-cache inputs against Three-Pass (the paper does not say",
        "which variant); a processor the paper did not measure is held to the claims the claims file's `held_to`",
        "names (the project's choice). Verdicts are in `CLAIMS.md`, not here. 1 thread, as in the paper.",
        "",
        summary_table(rows).rstrip("\n"),
        "",
        "Speedup at the largest n measured, for comparison:",
        "",
        "| processor | isa | preset | n | two-pass vs recompute | two-pass vs reload |",
        "|---|---|---|---:|---:|---:|",
    ]
    if not claims:
        parts.insert(4, "No claims file was read: the paper's claims are not shown, and the out-of-cache rule is the "
                        f"default factor {factor:g}.\n")
    for r in rows:
        points = [r.at_largest.get(v) for v in THREE_PASS]
        ns = sorted({p.n for p in points if p})
        cells = [speedup_cell(p.estimate, p.precision_missed) if p else "-" for p in points]
        parts.append(f"| {r.label} | {r.isa} | {r.preset or '-'} | {', '.join(fmt_n(n) for n in ns)} | "
                     f"{cells[0]} | {cells[1]} |")
    parts += efficiency_markdown(drawn)
    parts += kernels_markdown(drawn)
    parts += labelled_sizes_markdown(processors)
    parts += multicore_markdown(processors)
    parts += batched_markdown([(p.id, p.batched, batched_size_labels(p)) for p in processors])
    parts += accuracy_markdown(processors)
    parts += ["", "Sources:", ""]
    for p in drawn:
        llc = p.llc_bytes
        srcs = ", ".join(f"`{f.csv_path.parent.name}/{f.csv_path.name}`" for f in p.files)
        commits = sorted({str(f.meta.get("git_commit")) for f in p.files if f.meta.get("git_commit")})
        note = sorted({str(f.meta["note"]) for f in p.files if f.meta.get("note")})
        line = (f"- {p.id}{f' ({p.run_label})' if p.run_label else ''}: {p.model_name}, {p.microarchitecture}, LLC "
                f"{fmt_bytes(llc) if llc else 'unknown'}; {srcs}")
        if commits:
            line += f"; harness {', '.join(commits)}"
        if note:
            line += f"; NOTE: {' '.join(note)}"
        parts.append(line)
    return "\n".join(parts) + "\n"

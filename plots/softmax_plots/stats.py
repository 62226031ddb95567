"""The numbers drawn: medians with their 95% CI (confidence.py owns the rule), paired speedups, the out-of-cache
sizes, read bandwidth, named sizes, multicore points."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from confidence import Estimate, NO_CI, median_ci, median_estimate, paired_ratios
from paper_claims import Claims, Mark

from .formats import fmt_n
from .model import Processor
from .schema import subject_column
from .select import experiment_kind
from .vocabulary import THREE_PASS, isa_order


def llc_elements(proc: Processor) -> float | None:
    b = proc.llc_bytes
    return b / 4 if b else None


def fastest(rows: list[dict]) -> dict[tuple, dict]:
    """(isa, preset, algorithm, n) -> the fastest row (there is one unless an experiment varied kernels)."""
    best: dict[tuple, dict] = {}
    for r in rows:
        k = (r["isa"], r["preset"], r["algorithm"], r["n"])
        if k not in best or r["median_s"] < best[k]["median_s"]:
            best[k] = r
    return best


def raw_samples(r: dict) -> list[float]:
    cell = (r.get("raw_samples_s") or "").strip()
    try:
        return [float(v) for v in cell.split(";")] if cell else []
    except ValueError:
        return []


def time_estimate(r: dict) -> Estimate:
    """Median seconds per call with its 95% CI: the row's own CI columns (schema 4) where filled, else the
    same rule applied to raw_samples_s; no CI with fewer than 6 samples."""
    low, high = r.get("median_ci_low_s", math.nan), r.get("median_ci_high_s", math.nan)
    samples = raw_samples(r)
    if isinstance(low, float) and isinstance(high, float) and low > 0 and high > 0:
        return Estimate(r["median_s"], low, high, len(samples))
    ci = median_ci(samples) if samples else None
    if ci:
        return Estimate(r["median_s"], ci[0], ci[1], len(samples))
    return Estimate(r["median_s"], count=len(samples),
                    no_ci=NO_CI if samples else "no CI (no raw samples in the row)")


def paired_ratios_of(variant: dict, two_pass: dict) -> list[float] | None:
    """Per-round ratios variant / two-pass, or None when the rows cannot be paired (different runs, or no raw
    samples, or different sample counts)."""
    a, b = raw_samples(variant), raw_samples(two_pass)
    if a and len(a) == len(b) and variant.get("experiment") == two_pass.get("experiment") and all(b):
        return paired_ratios(a, b)
    return None


def _unpaired_reason(variant: dict, two_pass: dict) -> str:
    """Why two rows' samples cannot be paired (the ratio of their medians has no CI)."""
    a, b = raw_samples(variant), raw_samples(two_pass)
    if not a or not b:
        return "no CI (no raw samples: ratio of medians)"
    if variant.get("experiment") != two_pass.get("experiment"):
        return "no CI (rows of different runs: ratio of medians)"
    return "no CI (unpaired sample counts: ratio of medians)"


UNPAIRED = "no CI (some sizes unpaired: median of their ratios)"


def paired_estimate(variant: dict, two_pass: dict) -> Estimate:
    """Median over rounds of variant time / two-pass time, with the CI of that median (confidence.py). The
    runner interleaves the contenders of one size and keeps their samples in round order, so sample i of
    each was taken side by side; pairing them cancels drift that a ratio of medians would keep. Rows of
    different runs (or without raw samples) fall back to the ratio of medians, without a CI."""
    ratios = paired_ratios_of(variant, two_pass)
    if ratios:
        return median_estimate(ratios)
    return Estimate(variant["median_s"] / two_pass["median_s"], no_ci=_unpaired_reason(variant, two_pass))


def paired_speedup(variant: dict, two_pass: dict) -> float:
    return paired_estimate(variant, two_pass).value


@dataclass(frozen=True)
class SpeedupPoint:
    n: int
    estimate: Estimate
    ratios: tuple[float, ...] | None   # the paired ratios, None when unpaired
    rows: tuple[dict, dict]            # (three-pass variant row, two-pass row)

    @property
    def precision_missed(self) -> bool:
        """A row of the comparison says precision_met = no (schema 4: its CI missed the row's target)."""
        return any((r.get("precision_met") or "").strip() == "no" for r in self.rows)


def speedups(proc: Processor) -> dict[tuple[str, str, str], list[SpeedupPoint]]:
    """(isa, preset, three-pass variant) -> the speedup of two-pass per n, sorted by n: the median of paired
    time ratios with its CI (paired_estimate)."""
    best = fastest(proc.softmax)
    out: dict[tuple[str, str, str], list[SpeedupPoint]] = {}
    for (isa, preset, algorithm, n), r in best.items():
        if algorithm != "two-pass":
            continue
        for variant in THREE_PASS:
            other = best.get((isa, preset, variant, n))
            if other:
                ratios = paired_ratios_of(other, r)
                out.setdefault((isa, preset, variant), []).append(
                    SpeedupPoint(n, paired_estimate(other, r), tuple(ratios) if ratios else None, (other, r)))
    for v in out.values():
        v.sort(key=lambda p: p.n)
    return out


def pooled_speedup(points: list[SpeedupPoint]) -> Estimate:
    """One speedup over several sizes: the median of every paired ratio of those sizes together, with its CI
    (the same rule as per size). Without paired samples at every size, the median of the per-size values,
    without a CI."""
    if all(p.ratios for p in points):
        return median_estimate([x for p in points for x in p.ratios])
    reasons = {p.estimate.no_ci for p in points if not p.ratios}
    return Estimate(statistics.median(p.estimate.value for p in points),
                    no_ci=reasons.pop() if len(reasons) == 1 and all(not p.ratios for p in points) else UNPAIRED)


DEFAULT_OUT_OF_CACHE_FACTOR = 4  # used only without a claims file, which owns the rule (and says so)


def out_of_cache_factor(claims: Claims | None) -> float:
    return claims.out_of_cache_llc_factor if claims else DEFAULT_OUT_OF_CACHE_FACTOR


def out_of_cache_threshold(proc: Processor, claims: Claims | None) -> float | None:
    """Sizes n >= this are out of cache: factor x (LLC bytes / 4 bytes per float) elements."""
    llc = llc_elements(proc)
    return out_of_cache_factor(claims) * llc if llc else None


def claim_marks(proc: Processor, isa: str, claims: Claims | None) -> list[Mark]:
    return claims.marks(proc.microarchitecture, proc.vendor, proc.isas, isa) if claims else []


def claim_text(proc: Processor, isa: str, claims: Claims | None) -> str:
    if not claims:
        return "no claims file"
    return claims.describe(proc.microarchitecture, proc.vendor, proc.isas, isa)


def real_gbps_of(r: dict) -> float:
    """The real_gbps column (bytes_per_element x n / median_s / 1e9); recomputed only where the cell is empty."""
    v = r["real_gbps"]
    return v if not math.isnan(v) else gbps_of(r, "median_s")


def gbps_of(r: dict, col: str) -> float:
    t = r[col]
    return r["bytes_per_element"] * r["n"] / t / 1e9 if t > 0 else math.nan


def read_bandwidth(proc: Processor, claims: Claims | None) -> tuple[float, str] | None:
    """The processor's measured read bandwidth (GB/s): the `read` reference of the passes experiment, the median
    over its out-of-cache sizes (else its largest n), of the ISA that reads fastest there; with a description."""
    refs = [r for r in proc.passes if r["kind"] == "reference" and r["reference"] == "read"]
    if not refs:
        return None
    threshold = out_of_cache_threshold(proc, claims)
    best = None
    for isa in sorted({r["isa"] for r in refs}, key=isa_order):
        mine = [r for r in refs if r["isa"] == isa]
        far = [r for r in mine if threshold and r["n"] >= threshold]
        where = f"n >= {fmt_n(threshold)}" if far else f"n = {fmt_n(max(r['n'] for r in mine))}, none out of cache"
        far = far or [max(mine, key=lambda r: r["n"])]
        gbps = statistics.median(real_gbps_of(r) for r in far)
        if best is None or gbps > best[0]:
            best = (gbps, f"read {gbps:.1f} GB/s ({isa}, {where})")
    return best


def efficiency_estimate(r: dict) -> Estimate | None:
    """A pass row's roofline efficiency with its 95% CI (schema 4's columns); None without an efficiency."""
    value = r.get("efficiency", math.nan)
    if not isinstance(value, float) or math.isnan(value):
        return None
    low, high = r.get("efficiency_ci_low", math.nan), r.get("efficiency_ci_high", math.nan)
    if isinstance(low, float) and isinstance(high, float) and not (math.isnan(low) or math.isnan(high)):
        return Estimate(value, low, high)
    return Estimate(value, no_ci=_why_no_efficiency_ci(r))


def _why_no_efficiency_ci(r: dict) -> str:
    if "efficiency_ci_low" not in r:
        return "no CI (schema < 4)"
    try:
        few = int(float(r.get("samples") or 0)) < 6
    except ValueError:
        few = False
    # Files upgraded from schema < 4 have the columns, empty: their runs did not keep per-round bounds.
    return "no CI (fewer than 6 samples)" if few else "no CI (not recorded: run before schema 4)"


def labelled_sizes(proc: Processor) -> list[dict]:
    """Rows at the sizes an experiment names (metadata size_labels, such as the paper's Table 1 class counts):
    one dict per (file, isa, preset, labelled n) with each algorithm's row and the paired speedups."""
    out = []
    for f in proc.files:
        labels = (f.meta or {}).get("size_labels") or {}
        if not labels or experiment_kind(f) == "batched":  # batched sizes: batched.py's table
            continue
        rows = [r for r in f.rows if r["kind"] == "softmax"]
        for key in sorted({(r["isa"], r["preset"], r["n"]) for r in rows if str(r["n"]) in labels},
                          key=lambda k: (isa_order(k[0]), k[1], k[2])):
            isa, preset, n = key
            by_alg = {r["algorithm"]: r for r in rows if (r["isa"], r["preset"], r["n"]) == key}
            entry = {"file": f, "isa": isa, "preset": preset, "n": n, "label": labels[str(n)], "rows": by_alg}
            two = by_alg.get("two-pass")
            for variant in THREE_PASS:
                other = by_alg.get(variant)
                entry[variant] = paired_estimate(other, two) if (two and other) else None
            out.append(entry)
    return out


def thread_count(r: dict) -> int:
    try:
        return int(float(r.get("threads") or 1))
    except ValueError:
        return 1


def multicore_points(proc: Processor) -> dict[tuple[str, str], dict]:
    """(isa, preset) -> {"n": the largest n measured, "placements": {placement: {threads: {algorithm or
    reference name: row}}}}. One-thread rows (placement empty) belong to every placement's line."""
    out: dict[tuple[str, str], dict] = {}
    by_isa: dict[str, list[dict]] = {}
    for r in proc.multicore:
        by_isa.setdefault(r["isa"], []).append(r)
    for isa, rows in by_isa.items():
        n = max(r["n"] for r in rows)
        at_n = [r for r in rows if r["n"] == n]
        placements = sorted({(r.get("placement") or "").strip() for r in at_n} - {""}) or ["compact"]
        presets = sorted({r["preset"] for r in at_n if r["kind"] == "softmax"})
        for preset in presets:
            table: dict[str, dict[int, dict[str, dict]]] = {p: {} for p in placements}
            for r in at_n:
                if r["kind"] == "softmax" and r["preset"] != preset:
                    continue
                placement = (r.get("placement") or "").strip()
                for p in ([placement] if placement else placements):
                    table[p].setdefault(thread_count(r), {})[r[subject_column(r["kind"])]] = r
            out[(isa, preset)] = {"n": n, "placements": table}
    return out

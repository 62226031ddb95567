"""Accuracy rows: input range labels, and the per-series summary (worst error within 2^17, where it degrades)."""

from __future__ import annotations

import math

from .model import Processor
from .vocabulary import SOFTMAX_ALGORITHMS, isa_order


# Two-pass's extended-exponent exp is accurate for |x| <= 2^17 and counts finite |x| > FLT_MAX * ln2 as
# infinite (docs/numerics.md, "Where two-pass cannot be accurate").
TWO_PASS_ACCURATE_LIMIT = 2.0 ** 17


TWO_PASS_FINITE_LIMIT = 3.4028234663852886e38 * math.log(2)


SUMMARY_RANGES = ("[-1,1]", "[-1e4,1e4]")  # the ranges the SUMMARY table names (unmasked rows)


DEGRADED_FACTOR = 2  # a window "degrades" when its max error exceeds twice the same series' worst up to 2^17


def parse_bound(text: str) -> float:
    """One bound of an input_range label: `-1e4`, `1e5+10`, `-1e5-10`, `131072`."""
    t = text.strip()
    sign = -1.0 if t.startswith("-") else 1.0
    body = t[1:] if t[:1] in "+-" else t
    # Split at a + or - that is not part of an exponent (`1e-3` stays whole): `1e5+10` is 1e5 plus 10.
    for i in range(1, len(body)):
        if body[i] in "+-" and body[i - 1] not in "eE":
            return sign * float(body[:i]) + float(body[i:])
    return sign * float(body)


def parse_range(label: str) -> tuple[float, float]:
    inner = label.strip().removeprefix("[").removesuffix("]")
    low, high = inner.split(",")
    return parse_bound(low), parse_bound(high)


def range_position(label: str) -> float:
    """Where a range sits on the figure's x axis: its largest |x|."""
    low, high = parse_range(label)
    return max(abs(low), abs(high))


def range_family(label: str) -> str:
    low, high = parse_range(label)
    return "symmetric" if low == -high else "windows"


def accuracy_preset(rows: list[dict]) -> str:
    presets = sorted({r["preset"] for r in rows}, key=lambda p: (p != "blend", p))
    return presets[0] if presets else ""


def accuracy_algorithms(rows: list[dict]) -> list[str]:
    return sorted({r["algorithm"] for r in rows},
                  key=lambda a: (SOFTMAX_ALGORITHMS.index(a) if a in SOFTMAX_ALGORITHMS else 9, a))


def accuracy_summary(proc: Processor) -> list[dict]:
    """Per ISA, algorithm and n (one preset: blend where present): the unmasked errors at SUMMARY_RANGES, the
    worst error up to |x| = 2^17, the first window whose max error exceeds DEGRADED_FACTOR x that, and the
    ranges whose check failed."""
    preset = accuracy_preset(proc.accuracy + proc.accuracy_failed)
    ok = [r for r in proc.accuracy if r["preset"] == preset]
    failed = [r for r in proc.accuracy_failed if r["preset"] == preset]
    out = []
    keys = sorted({(r["isa"], r["algorithm"], r["n"]) for r in ok + failed},
                  key=lambda k: (isa_order(k[0]), accuracy_algorithms(ok + failed).index(k[1]), k[2]))
    for isa, algorithm, n in keys:
        mine = [r for r in ok if (r["isa"], r["algorithm"], r["n"]) == (isa, algorithm, n)]
        fails = [r for r in failed if (r["isa"], r["algorithm"], r["n"]) == (isa, algorithm, n)]
        at = {}
        for label in SUMMARY_RANGES:
            row = next((r for r in mine if r["input_range"] == label and not r["mask"]), None)
            at[label] = (row["max_error_ulp"], row["mean_error_ulp"]) if row else None
        within = [r["max_error_ulp"] for r in mine if range_position(r["input_range"]) <= TWO_PASS_ACCURATE_LIMIT]
        baseline = max(within) if within else None
        degrades = None
        if baseline is not None:
            windows: dict[str, float] = {}
            for r in mine + fails:
                if range_family(r["input_range"]) == "windows" and range_position(r["input_range"]) > TWO_PASS_ACCURATE_LIMIT:
                    worst = math.inf if r["status"] != "ok" else r["max_error_ulp"]
                    windows[r["input_range"]] = max(windows.get(r["input_range"], 0.0), worst)
            for label in sorted(windows, key=range_position):
                if windows[label] > DEGRADED_FACTOR * max(baseline, 1.0):
                    degrades = (label, windows[label])
                    break
        out.append({"isa": isa, "algorithm": algorithm, "n": n, "preset": preset, "at": at, "baseline": baseline,
                    "degrades": degrades,
                    "failed": sorted({r["input_range"] for r in fails}, key=range_position)})
    return out

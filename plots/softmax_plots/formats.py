"""How numbers are written in tables, titles and tick labels: sizes, bytes, ulps, speedup cells."""

from __future__ import annotations

import math

from confidence import PRECISION_TARGET, Estimate


def fmt_n(n: float) -> str:
    if n >= 1e6:
        s = f"{n / 1e6:.3g}M"
    elif n >= 1e3:
        s = f"{n / 1e3:.3g}K"
    else:
        s = f"{n:g}"
    return s


def fmt_bytes(b: float) -> str:
    if b >= 2 ** 20:
        return f"{b / 2 ** 20:.4g} MiB"
    if b >= 2 ** 10:
        return f"{b / 2 ** 10:.4g} KiB"
    return f"{b:g} B"


def compact(x: float) -> str:
    """A range bound as the figure's tick labels write it: 1, 10, 100, 1e3 .. 1e38, 3e38."""
    if x < 1000:
        return f"{x:g}"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def fmt_ulp(v: float | None) -> str:
    if v is None:
        return "-"
    if math.isinf(v):
        return "failed"
    if v == 0:
        return "0"
    if v < 0.01:
        return "<0.01"
    return f"{v:.3g}" if v < 1000 else f"{v:.2e}"


WIDE_MARK = "†"    # the CI's half-width exceeds the precision target (PRECISION_TARGET of the value)


MISSED_MARK = "‡"  # a row of the comparison says precision_met = no


def speedup_cell(est: Estimate | None, missed: bool = False) -> str:
    """`1.23 [1.19, 1.27]`, with WIDE_MARK and MISSED_MARK where they apply; `-` when not measured."""
    if est is None:
        return "-"
    text = est.text()
    if est.exceeds(PRECISION_TARGET):
        text += f" {WIDE_MARK}"
    if missed:
        text += f" {MISSED_MARK}"
    return text

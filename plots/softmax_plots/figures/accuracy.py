"""`<processor-id>_accuracy`: error against a float64 softmax by input range."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..accuracy import (
    TWO_PASS_ACCURATE_LIMIT, TWO_PASS_FINITE_LIMIT, accuracy_algorithms, accuracy_preset, range_family,
    range_position,
)
from ..formats import compact, fmt_n
from ..model import Processor
from ..style import PANEL_HEIGHT, PANEL_WIDTH, algorithm_color, element_id, pyplot
from ..vocabulary import isa_order


# Errors at or below this many ulps are drawn at it (a log axis has no 0).
ULP_FLOOR = 1e-2
MASK_MARKERS = ("v", "s", "D", "^", "P", "<", ">")
FAMILY_TITLES = {"symmetric": "ranges [-a, a]", "windows": "narrow windows [c, c+w]"}


@dataclass(frozen=True)
class RangeAxis:
    """Where an input range sits on a panel's x axis. Symmetric ranges reach from 1 to 3e38: evenly spaced
    categories (their largest |x|) keep the small ones apart, where a log axis would spend most of its width on
    the empty decades between 1e8 and 1e38. Windows use a log axis of their largest |x|."""
    categories: tuple[float, ...]

    def place(self, family: str, position: float) -> float:
        if family != "symmetric":
            return position
        cats = self.categories
        if position in cats:
            return float(cats.index(position))
        for k in range(len(cats) - 1):
            lo, hi = cats[k], cats[k + 1]
            if lo < position < hi:
                return k + (math.log(position) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return math.nan

    def dodge(self, family: str, position: float, k: int) -> float:
        """Mask k's marker beside the unmasked point, so the masks' markers stay apart at one range."""
        if family == "symmetric":
            return self.place(family, position) + 0.08 * (k + 1)
        return position * 10 ** (0.04 * (k + 1))


def figure_accuracy(proc: Processor):
    """Max (solid) and mean (dashed) error in ulps against the input range's largest |x|, unmasked, one line
    per algorithm; masked inputs' max error as hollow markers; failed checks as X at the top. Panels: one
    column per ISA, one row per size and range family (symmetric ranges, narrow windows)."""
    plt = pyplot()
    preset = accuracy_preset(proc.accuracy + proc.accuracy_failed)
    ok = [r for r in proc.accuracy if r["preset"] == preset]
    failed = [r for r in proc.accuracy_failed if r["preset"] == preset]
    rows = ok + failed
    isas = sorted({r["isa"] for r in rows}, key=isa_order)
    families = [f for f in ("symmetric", "windows") if any(range_family(r["input_range"]) == f for r in rows)]
    algorithms = accuracy_algorithms(rows)
    masks = []
    for r in rows:
        if r["mask"] and r["mask"] not in masks:
            masks.append(r["mask"])
    panels = [(n, f) for n in sorted({r["n"] for r in rows}) for f in families]
    axis = RangeAxis(tuple(sorted({range_position(r["input_range"]) for r in rows
                                   if range_family(r["input_range"]) == "symmetric"})))
    fig, axes = plt.subplots(len(panels), len(isas), figsize=(PANEL_WIDTH * len(isas), (PANEL_HEIGHT + 0.4) * len(panels)), squeeze=False,
                             sharey=True)
    worst = max([r["max_error_ulp"] for r in ok] + [10.0])
    for i, (n, family) in enumerate(panels):
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            here = [r for r in rows if r["isa"] == isa and r["n"] == n and range_family(r["input_range"]) == family]
            for index, algorithm in enumerate(algorithms):
                _draw_algorithm(ax, axis, [r for r in here if r["algorithm"] == algorithm], masks,
                                algorithm_color(algorithm, algorithms), index, (isa, n, family, algorithm))
            _decorate(ax, axis, family, [range_position(r["input_range"]) for r in here])
            ax.set_ylim(ULP_FLOOR * 0.6, worst * 30)
            ax.set_title(f"{isa}, n = {fmt_n(n)}: {FAMILY_TITLES[family]}", fontsize=8)
            if j == 0:
                ax.set_ylabel("error (float32 ulps)")
    fig.legend(handles=_legend(algorithms, masks, bool(failed)), loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=3, frameon=False)
    fig.suptitle(f"{proc.title} [{proc.id}]\nsoftmax error against float64 by input range, preset {preset or '-'}, "
                 f"errors <= {ULP_FLOOR:g} ulp drawn at {ULP_FLOOR:g}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_size_inches()[1]))  # room for the title (two lines)
    return fig


def _draw_algorithm(ax, axis: RangeAxis, mine: list[dict], masks: list[str], color: str, index: int, key: tuple):
    """One algorithm's rows in one panel: max and mean error unmasked, each mask's max error, failed checks."""
    from matplotlib.transforms import blended_transform_factory
    family = key[2]
    # Algorithms often agree to the ulp: later lines are thinner so the earlier ones show around them.
    width = max(2.4 - 0.45 * index, 0.9)
    plain = sorted((r for r in mine if r["status"] == "ok" and not r["mask"]),
                   key=lambda r: range_position(r["input_range"]))
    x = [axis.place(family, range_position(r["input_range"])) for r in plain]
    for column, ls, marker in (("max_error_ulp", "-", "o"), ("mean_error_ulp", "--", None)):
        line, = ax.plot(x, [max(r[column], ULP_FLOOR) for r in plain], ls=ls, marker=marker, ms=3.5,
                        color=color, lw=width if ls == "-" else 0.8 * width)
        line.set_gid(element_id("accuracy", *key, column))
    for k, mask in enumerate(masks):
        pts = [r for r in mine if r["status"] == "ok" and r["mask"] == mask]
        line, = ax.plot([axis.dodge(family, range_position(r["input_range"]), k) for r in pts],
                        [max(r["max_error_ulp"], ULP_FLOOR) for r in pts], ls="none",
                        marker=MASK_MARKERS[k % len(MASK_MARKERS)], ms=4, mfc="none", mew=0.9, color=color,
                        alpha=0.85)
        line.set_gid(element_id("accuracy", *key, "mask", mask))
    bad = [r for r in mine if r["status"] != "ok"]
    if bad:
        trans = blended_transform_factory(ax.transData, ax.transAxes)
        line, = ax.plot([axis.place(family, range_position(r["input_range"])) for r in bad], [0.93] * len(bad),
                        ls="none", marker="X", ms=8, color=color, mec="black", mew=0.5, transform=trans,
                        clip_on=False)
        line.set_gid(element_id("accuracy", *key, "failed"))


def _decorate(ax, axis: RangeAxis, family: str, xs: list[float]):
    """Two-pass's limits where the panel reaches them, and the x axis of the range family; log errors."""
    for limit, ls in ((TWO_PASS_ACCURATE_LIMIT, ":"), (TWO_PASS_FINITE_LIMIT, "-.")):
        if xs and min(xs) <= limit <= max(xs) and not math.isnan(axis.place(family, limit)):
            ax.axvline(axis.place(family, limit), color="0.3", ls=ls, lw=1.0)
    if family == "symmetric":
        # Slanted: eleven categories in a 3.4 in panel leave no room for level labels of four characters.
        ax.set_xticks(range(len(axis.categories)), [compact(c) for c in axis.categories], fontsize=7, rotation=45,
                      ha="right", rotation_mode="anchor")
        ax.set_xlim(-0.5, len(axis.categories) - 0.3)
        ax.grid(axis="x", visible=False)
        ax.set_xlabel("a of the range [-a, a]")
    else:
        ax.set_xscale("log")
        ax.set_xlabel("c of the window [c, c+w]")
    ax.set_yscale("log")


def _legend(algorithms: list[str], masks: list[str], any_failed: bool) -> list:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=algorithm_color(a, algorithms), marker="o", ms=3.5, lw=1.3, label=a)
               for a in algorithms]
    handles += [Line2D([], [], color="0.3", lw=1.3, marker="o", ms=3.5, label="max error, unmasked"),
                Line2D([], [], color="0.3", lw=1.0, ls="--", label="mean error, unmasked (outputs >= FLT_MIN)")]
    handles += [Line2D([], [], color="0.3", ls="none", marker=MASK_MARKERS[k % len(MASK_MARKERS)], mfc="none",
                       label=f"max error, mask {mask}") for k, mask in enumerate(masks)]
    if any_failed:
        handles.append(Line2D([], [], color="0.6", mec="black", ls="none", marker="X", ms=8,
                              label="check failed (NaN output or sum != 1): no error value"))
    handles += [Line2D([], [], color="0.3", ls=":", lw=1.0, label="|x| = 2^17: two-pass's accurate range ends"),
                Line2D([], [], color="0.3", ls="-.", lw=1.0,
                       label="|x| = FLT_MAX x ln2 = 2.36e38: two-pass counts it as inf")]
    return handles

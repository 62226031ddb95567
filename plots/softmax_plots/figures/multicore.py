"""`<processor-id>_multicore`: one softmax split across threads: GB/s and speedups against threads."""

from __future__ import annotations

from ..formats import fmt_n
from ..model import Processor
from ..panels import error_bars, legend_below
from ..stats import multicore_points, paired_estimate, real_gbps_of, time_estimate
from ..style import (
    ALGORITHM_COLORS, IDEAL_STYLES, PANEL_HEIGHT, PANEL_WIDTH, PRESET_STYLES, REFERENCE_STYLES, algorithm_color,
    element_id, pyplot,
)
from ..vocabulary import IDEAL, REFERENCES, THREE_PASS, algorithm_rank, isa_order

# Line style per thread placement (one-thread points belong to both lines).
PLACEMENT_STYLES = {"compact": "-", "scattered": "--"}



def figure_multicore(proc: Processor):
    """Top: real GB/s of each algorithm (its traffic / median time, 95% CI error bars) and of the read and copy
    references against the number of threads, at the largest n; bottom: the two-pass speedups against threads
    (paired medians, 95% CI as error bars), with the bandwidth-bound ideals. Solid: compact placement, dashed:
    scattered."""
    plt = pyplot()
    pts = multicore_points(proc)
    keys = sorted(pts, key=lambda k: (isa_order(k[0]), k[1] not in PRESET_STYLES, k[1]))
    fig, axes = plt.subplots(2, len(keys), figsize=(PANEL_WIDTH * len(keys), 2 * PANEL_HEIGHT + 0.4), squeeze=False,
                             sharey="row")
    algorithms = sorted({a for data in pts.values() for per in data["placements"].values() for t in per.values()
                         for a in t if a not in REFERENCES}, key=algorithm_rank)
    references = [ref for ref in ("read", "copy", "copy_nt") if any(
        ref in t for data in pts.values() for per in data["placements"].values() for t in per.values())]
    placements = sorted({p for data in pts.values() for p in data["placements"]})
    for col, key in enumerate(keys):
        isa, preset = key
        data = pts[key]
        top, bottom = axes[0][col], axes[1][col]
        all_threads = sorted({t for per in data["placements"].values() for t in per})
        for placement, per in data["placements"].items():
            ls = PLACEMENT_STYLES.get(placement, ":")
            threads = sorted(per)
            for a in algorithms + references:
                xs = [t for t in threads if a in per[t]]
                if not xs:
                    continue
                if a in REFERENCES:
                    color, marker = REFERENCE_STYLES[a]
                else:
                    color, marker = algorithm_color(a, algorithms), "o"
                est = [time_estimate(per[t][a]).map(
                    lambda s, r=per[t][a]: r["bytes_per_element"] * r["n"] / s / 1e9) for t in xs]
                # Two or three thread counts: error bars, not a band interpolated between them.
                container = top.errorbar(xs, [real_gbps_of(per[t][a]) for t in xs], yerr=error_bars(est),
                                         marker=marker, ms=3, ls=ls, lw=1.1, capsize=2, elinewidth=0.8, color=color,
                                         mfc="none" if a in REFERENCES else color)
                container.lines[0].set_gid(element_id("multicore", isa, preset, placement, a))
            for variant in THREE_PASS:
                xs = [t for t in threads if "two-pass" in per[t] and variant in per[t]]
                est = [paired_estimate(per[t][variant], per[t]["two-pass"]) for t in xs]
                container = bottom.errorbar(xs, [e.value for e in est], yerr=error_bars(est), marker="o", ms=3, ls=ls,
                                            lw=1.1, capsize=2, color=ALGORITHM_COLORS[variant])
                container.lines[0].set_gid(element_id("multicore-speedup", isa, preset, placement, variant))
        for variant in THREE_PASS:
            for (value, _text), ls in zip(IDEAL[variant], IDEAL_STYLES):
                bottom.axhline(value, color=ALGORITHM_COLORS[variant], ls=ls, lw=0.7, alpha=0.6)
        bottom.axhline(1.0, color="black", lw=0.7)
        for ax in (top, bottom):
            ax.set_xticks(all_threads)
            ax.grid(alpha=0.3)
        bottom.set_xlabel("threads (one per core)")
        top.set_title(f"{isa}, {preset}: n = {fmt_n(data['n'])}", fontsize=8)
        if col == 0:
            top.set_ylabel("real GB/s (all threads)")
            bottom.set_ylabel("two-pass speedup (x)")
    # The top row shares its y axis: from 0 only once every column has its data (a limit set while drawing the
    # first column would freeze it and cut off the higher lines of the others).
    axes[0][0].autoscale(axis="y")
    axes[0][0].set_ylim(bottom=0)
    fig.suptitle(f"{proc.id}: one softmax split across threads (bottom: speedup vs three-pass-recompute, orange, "
                 "and -reload, green)", fontsize=9)
    fig.tight_layout()
    legend_below(fig, _legend(algorithms, references, placements), ncol=3)
    return fig


def _legend(algorithms: list[str], references: list[str], placements: list[str]) -> list:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=algorithm_color(a, algorithms), marker="o", ms=3, lw=1.1, label=a)
               for a in algorithms]
    handles += [Line2D([], [], color=REFERENCE_STYLES[r][0], marker=REFERENCE_STYLES[r][1], mfc="none", ms=3, lw=1.1,
                       label=f"reference {r}") for r in references]
    handles += [Line2D([], [], color="0.2", ls=PLACEMENT_STYLES.get(p, ":"), lw=1.1, label=f"placement {p}")
                for p in placements]
    handles += [Line2D([], [], color="0.2", marker="|", ls="none", ms=6,
                       label="error bars: 95% CI of the median (bottom: of the paired ratios)")]
    handles += [Line2D([], [], color="0.4", ls=IDEAL_STYLES[0], lw=0.8, label="ideal, bandwidth bound (16/12, 20/12)"),
                Line2D([], [], color="0.4", ls=IDEAL_STYLES[1], lw=0.8, label="ideal with write-allocate (20/16, 24/16)")]
    return handles

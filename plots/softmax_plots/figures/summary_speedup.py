"""`summary_speedup`: bars of the out-of-cache speedup per processor/ISA/preset."""

from __future__ import annotations

from paper_claims import Claims

from ..panels import error_bars
from ..stats import out_of_cache_factor
from ..style import ALGORITHM_COLORS, CLAIM_BOX, PANEL_WIDTH, element_id, pyplot
from ..summary import SummaryRow
from ..vocabulary import THREE_PASS


def figure_summary(rows: list[SummaryRow], claims: Claims | None = None):
    """Bars: out-of-cache speedup per processor/ISA/preset against both three-pass variants, with the 95% CI;
    the paper's claims where they apply."""
    plt = pyplot()
    import numpy as np
    factor = out_of_cache_factor(claims)
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(PANEL_WIDTH * 2, 0.55 * len(rows) + 1.5), 3.6))
    x = np.arange(len(rows))
    tops = [1.75]
    row_tops = [1.0] * len(rows)  # the highest bar or error bar of each row, where a text claim goes above
    for j, variant in enumerate(THREE_PASS):
        estimates = [r.values.get(variant) for r in rows]
        xs = x + (j - 0.5) * width
        bars = ax.bar(xs, [e.value if e else 0 for e in estimates], width, color=ALGORITHM_COLORS[variant],
                      edgecolor="white", lw=0.5, yerr=error_bars(estimates), capsize=2,
                      error_kw={"lw": 0.8, "ecolor": "black"})
        # A plain patch in the legend (a bar's own would carry the first bar's hatching).
        ax.bar([0], [0], 0, color=ALGORITHM_COLORS[variant], label=f"vs {variant}")
        for i, (b, e, r) in enumerate(zip(bars, estimates, rows)):
            b.set_gid(element_id("summary", r.processor + ("@reference" if r.is_reference else ""), r.isa, r.preset, variant))
            if r.method != "median":
                b.set_hatch("//")
            if e is not None:
                ax.annotate(f"{e.value:.2f}", (b.get_x() + b.get_width() / 2, min(e.value, 1.0) / 2), ha="center",
                            va="center", fontsize=7, color="white", fontweight="bold", rotation=90)
                tops.append(e.high if e.has_ci else e.value)
                row_tops[i] = max(row_tops[i], tops[-1])
    claimed = False
    for i, r in enumerate(rows):
        for mark in r.claims:
            if mark.value is None:
                ax.annotate("paper:\nfaster", (i, row_tops[i]), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", fontsize=7, style="italic", bbox=CLAIM_BOX)
                tops.append(row_tops[i] * 1.12)
                continue
            line, = ax.plot([i - width, i + width], [mark.value] * 2, color="black", lw=1.8, marker="*", ms=7,
                            markevery=[0], label=None if claimed else "paper's claim, up to (SUMMARY.md says whose)")
            line.set_gid(element_id("summary-claim", r.processor + ("@reference" if r.is_reference else ""), r.isa, r.preset))
            claimed = True
            tops.append(mark.value)
    _ideals(ax, factor, any(r.method != "median" for r in rows))
    ax.set_xticks(x)
    ax.set_xticklabels([f"{r.processor}{' (reference)' if r.is_reference else ''}\n{r.isa}" + (f", {r.preset}" if r.preset else "")
                        for r in rows], fontsize=7, rotation=30 if len(rows) > 6 else 0,
                       ha="right" if len(rows) > 6 else "center")
    ax.set_ylim(0, max(tops) * 1.1)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylabel("two-pass speedup (x)")
    ax.set_title(f"Out-of-cache speedup of two-pass softmax (n >= {factor:g} x LLC), 1 thread", fontsize=9)
    ax.grid(axis="x", visible=False)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: (not labels[i].startswith("vs "), i))
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper center",
              bbox_to_anchor=(0.5, -0.22 if len(rows) <= 6 else -0.35), ncol=2, frameon=False, fontsize=7)
    return fig


def _ideals(ax, factor: float, any_hatched: bool):
    """1 and the bandwidth-bound ideals as lines labelled at the right; the legend entries that are not bars."""
    ax.axhline(1.0, color="black", lw=0.8)
    for value, ls, text in ((4 / 3, "-", "1.33"), (5 / 3, "-", "1.67"), (1.25, "--", "1.25"), (1.5, "--", "1.5")):
        ax.axhline(value, color="0.6", ls=ls, lw=0.7, zorder=0)
        ax.annotate(text, (1.0, value), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7, color="0.35")
    ax.plot([], [], color="0.6", ls="-", lw=0.8, label="ideal, bandwidth bound (1.33 / 1.67)")
    ax.plot([], [], color="0.6", ls="--", lw=0.8, label="ideal with write-allocate (1.25 / 1.5)")
    ax.plot([], [], color="black", lw=0.8, marker="|", ms=6, ls="none", label="error bar: 95% CI")
    if any_hatched:
        ax.bar([0], [0], color="white", edgecolor="0.3", hatch="//",
               label=f"hatched: largest n (none >= {factor:g}xLLC)")

"""`<processor-id>_class_counts`: the speedups at the sizes the metadata names (the paper's Table 1)."""

from __future__ import annotations

import math

from ..formats import fmt_n
from ..model import Processor
from ..panels import error_bars, legend_below
from ..stats import labelled_sizes
from ..style import ISA_COLORS, PANEL_HEIGHT, PANEL_WIDTH, element_id, pyplot
from ..vocabulary import THREE_PASS, isa_order


def figure_labelled_sizes(proc: Processor):
    """Grouped bars: per named size, the paired speedup of two-pass over each three-pass variant, per ISA."""
    plt = pyplot()
    entries = [e for e in labelled_sizes(proc) if e["preset"] in ("blend", "")] or labelled_sizes(proc)
    labels = sorted({(e["n"], e["label"]) for e in entries})
    isas = sorted({e["isa"] for e in entries}, key=isa_order)
    fig, axes = plt.subplots(1, 2, figsize=(2 * PANEL_WIDTH, PANEL_HEIGHT + 0.4), sharey=True)
    width = 0.8 / max(len(isas), 1)
    for ax, variant in zip(axes, THREE_PASS):
        for i, isa in enumerate(isas):
            estimates = []
            for n, _ in labels:
                e = next((e for e in entries if e["isa"] == isa and e["n"] == n), None)
                estimates.append(e[variant] if e else None)
            xs = [k + (i - (len(isas) - 1) / 2) * width for k in range(len(labels))]
            bars = ax.bar(xs, [est.value if est else math.nan for est in estimates], width, label=isa,
                          color=ISA_COLORS.get(isa, "tab:purple"), yerr=error_bars(estimates), capsize=2,
                          error_kw={"lw": 0.8})
            for b, (n, _name) in zip(bars, labels):
                b.set_gid(element_id("class_counts", isa, n, variant))
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(labels)), [f"{name.replace(' ', chr(10), 1) if len(name) > 10 else name}\n"
                                           f"n = {fmt_n(n)}" for n, name in labels], fontsize=7)
        ax.set_title(f"vs {variant}")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("two-pass speedup (x)")
    fig.suptitle(f"{proc.id}: Table 1 class counts, 1 thread", fontsize=9)
    fig.tight_layout()
    from matplotlib.lines import Line2D
    handles, _labels = axes[0].get_legend_handles_labels()
    legend_below(fig, handles + [Line2D([], [], color="black", marker="|", ls="none", ms=6,
                                         label="error bar: 95% CI of the paired median")], ncol=len(isas) + 1)
    return fig

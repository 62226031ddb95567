"""`speedup`: two-pass's paired speedup over each three-pass variant against n, with ideals and claims."""

from __future__ import annotations

from paper_claims import Claims

from ..model import Processor
from ..panels import (
    band_handle, ci_band, finish_grid, legend_below, llc_handles, llc_markers, not_measured, panel_grid,
    preset_handles,
)
from ..stats import claim_marks, out_of_cache_threshold, speedups
from ..style import (
    ALGORITHM_COLORS, CLAIM_BOX, IDEAL_STYLES, element_id, ordered_presets, panel_title, pyplot, run_tag,
    series_style,
)
from ..vocabulary import IDEAL, THREE_PASS, isa_order


def figure_speedup(processors: list[Processor], claims: Claims | None = None):
    """Speedup of two-pass against n, one panel per processor and ISA: against each three-pass variant and per
    preset, the median of paired time ratios with its 95% CI as a band; the bandwidth-bound ideals; the
    paper's claim where one applies to the processor (labelled as the project's choice where the processor
    is not the paper's)."""
    plt = pyplot()
    drawn = [p for p in processors if speedups(p)]
    per = {id(p): speedups(p) for p in drawn}
    isas = sorted({k[0] for p in drawn for k in per[id(p)]}, key=isa_order)
    presets = ordered_presets(k[1] for p in drawn for k in per[id(p)])
    values = [pt.estimate for p in drawn for pts in per[id(p)].values() for pt in pts]
    top = max([e.high if e.has_ci else e.value for e in values] + [1.75])
    bottom = min([e.low if e.has_ci else e.value for e in values] + [0.9])
    fig, axes = panel_grid(plt, drawn, isas, extra_height=0.2, sharey=True)
    any_claim = any_text_claim = False
    for i, proc in enumerate(drawn):
        sp = per[id(proc)]
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            if not any(k[0] == isa for k in sp):
                measured = any(r["isa"] == isa for r in proc.softmax)
                not_measured(ax, proc, isa, "no size with two-pass and three-pass" if measured else "not measured")
                continue
            ax.axhline(1.0, color="black", lw=0.7)
            for variant in THREE_PASS:
                for (value, _text), ls in zip(IDEAL[variant], IDEAL_STYLES):
                    ax.axhline(value, color=ALGORITHM_COLORS[variant], ls=ls, lw=0.7, alpha=0.6)
                for preset in presets:
                    pts = sp.get((isa, preset, variant))
                    if not pts:
                        continue
                    color = ALGORITHM_COLORS[variant]
                    xs = [p.n for p in pts]
                    line, = ax.plot(xs, [p.estimate.value for p in pts], marker="o", ms=2.8, lw=1.1, color=color,
                                    ls=series_style(preset, presets))
                    line.set_gid(element_id("speedup", run_tag(proc), isa, preset, variant))
                    ci_band(ax, xs, [p.estimate for p in pts], color,
                            element_id("speedup", run_tag(proc), isa, preset, variant, "ci"))
            all_n = [p.n for k, pts in sp.items() if k[0] == isa for p in pts]
            drawn_number, drawn_text = _claims(ax, proc, isa, claims, all_n)
            any_claim, any_text_claim = any_claim or drawn_number, any_text_claim or drawn_text
            llc_markers(ax, proc)
            ax.set_xscale("log")
            ax.set_ylim(min(0.9, bottom - 0.05), top + 0.12)
            ax.set_title(panel_title(proc, isa), fontsize=8)
    finish_grid(axes, "two-pass speedup (x)", from_zero=False)
    fig.suptitle("Speedup of two-pass softmax (median of paired time ratios), 1 thread", fontsize=10)
    fig.tight_layout()
    legend_below(fig, _legend(presets, any_claim, any_text_claim), ncol=2)
    return fig


def _claims(ax, proc: Processor, isa: str, claims: Claims | None, all_n: list[int]) -> tuple[bool, bool]:
    """The claims that apply to one panel; (a claimed number was drawn, a claim without a number was drawn)."""
    threshold = out_of_cache_threshold(proc, claims) or min(all_n)
    any_claim = any_text_claim = False
    # The claims' labels go to the panel's top left, where small sizes leave room (speedups there
    # stay near or below 1); a claimed number is also a line with a star over the out-of-cache sizes.
    for k, mark in enumerate(claim_marks(proc, isa, claims)):
        prefix = "" if mark.value is None else "\u2605 "
        ax.text(0.03, 0.96 - 0.17 * k, prefix + mark.label.replace(" (held", "\n(held"),
                transform=ax.transAxes, fontsize=7, ha="left", va="top", color="0.1", bbox=CLAIM_BOX,
                style="italic" if mark.value is None else "normal")
        if mark.value is None:
            any_text_claim = True
            continue
        x1 = max(all_n)
        line, = ax.plot([min(threshold, x1), x1], [mark.value] * 2, color="black", ls=(0, (1, 1)), lw=1.8,
                        marker="*", ms=7, markevery=[1])
        line.set_gid(element_id("claim", run_tag(proc), isa, mark.claim_id))
        any_claim = True
    return any_claim, any_text_claim


def _legend(presets: list[str], any_claim: bool, any_text_claim: bool) -> list:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=ALGORITHM_COLORS[v], lw=1.3, marker="o", ms=3, label=f"vs {v}")
               for v in THREE_PASS]
    handles += preset_handles(presets) + [band_handle("band: 95% CI of the paired median")]
    handles += [Line2D([], [], color="0.4", ls=IDEAL_STYLES[0], lw=0.8,
                       label="ideal, bandwidth bound (16/12 vs recompute, 20/12 vs reload)"),
                Line2D([], [], color="0.4", ls=IDEAL_STYLES[1], lw=0.8,
                       label="ideal with write-allocate (20/16, 24/16)")]
    if any_claim:
        handles.append(Line2D([], [], color="black", ls=(0, (1, 1)), lw=1.8, marker="*", ms=7,
                              label="\u2605 paper's claim, drawn over the out-of-cache sizes"))
    if any_text_claim:
        handles.append(Line2D([], [], color="none", label="italic: the paper's claim without a number"))
    return handles + llc_handles()

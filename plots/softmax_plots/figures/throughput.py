"""`throughput`: median softmax throughput against n, one panel per processor and ISA."""

from __future__ import annotations

from ..model import Processor
from ..panels import (
    band_handle, ci_band, finish_grid, isas_of, legend_below, llc_handles, llc_markers, not_measured, panel_grid,
    preset_handles, size_axis,
)
from ..stats import time_estimate
from ..style import algorithm_color, element_id, ordered_presets, panel_title, pyplot, run_tag, series_style
from ..vocabulary import algorithm_rank


def throughput_panel(ax, proc: Processor, isa: str, algorithms: list[str], presets: list[str],
                      scale: float | None = None) -> bool:
    """Median throughput with its 95% CI of every softmax series of one processor and ISA; `scale` divides
    elements/s (the normalised figure), else 10^9 elements/s. False when there is nothing to draw."""
    rows = [r for r in proc.softmax if r["isa"] == isa]
    if not rows:
        return False
    series: dict[tuple[str, str, str], list[dict]] = {}
    for r in rows:
        series.setdefault((r["preset"], r["algorithm"], r["kernel"]), []).append(r)
    markers = "osD^v<>"
    kernels_per: dict[tuple[str, str], list[str]] = {}
    for p, a, k in sorted(series):
        kernels_per.setdefault((p, a), []).append(k)
    divisor = scale or 1e9
    for (preset, algorithm, kernel) in sorted(series, key=lambda s: (presets.index(s[0]), algorithms.index(s[1]), s[2])):
        pts = sorted(series[(preset, algorithm, kernel)], key=lambda r: r["n"])
        n = [r["n"] for r in pts]
        est = [time_estimate(r).map(lambda t, n=r["n"]: n / t / divisor) for r in pts]
        color = algorithm_color(algorithm, algorithms)
        marker = markers[kernels_per[(preset, algorithm)].index(kernel) % len(markers)]
        tag = ("softmax_per_read" if scale else "softmax", run_tag(proc), isa, preset, algorithm, kernel)
        line, = ax.plot(n, [e.value for e in est], ls=series_style(preset, presets), marker=marker, ms=2.8,
                        lw=1.1, color=color)
        line.set_gid(element_id(*tag))
        ci_band(ax, n, est, color, element_id(*tag, "ci"))
    return True


def softmax_legend(algorithms: list[str], presets: list[str], processors: list[Processor], extra=()):
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=algorithm_color(a, algorithms), lw=1.3, marker="o", ms=3, label=a)
               for a in algorithms]
    kernel_sets = {}
    for p in processors:
        for r in p.softmax:
            kernel_sets.setdefault((p.id, p.is_reference, r["isa"], r["preset"], r["algorithm"]), set()).add(r["kernel"])
    if any(len(k) > 1 for k in kernel_sets.values()):
        handles.append(Line2D([], [], color="0.3", ls="none", marker="s", ms=3,
                              label="other marker: another kernel set of the preset (SUMMARY.md)"))
    return handles + preset_handles(presets) + [band_handle()] + list(extra) + llc_handles()


def figure_throughput(processors: list[Processor]):
    """Throughput against n, one panel per processor and ISA: the median of every algorithm and preset with
    the 95% CI of the median as a band; right axis the paper's effective GB/s (8 B/element)."""
    plt = pyplot()
    drawn = [p for p in processors if p.softmax]
    isas = isas_of(drawn, lambda p: p.softmax)
    algorithms = sorted({r["algorithm"] for p in drawn for r in p.softmax}, key=algorithm_rank)
    presets = ordered_presets(r["preset"] for p in drawn for r in p.softmax)
    fig, axes = panel_grid(plt, drawn, isas)
    for i, proc in enumerate(drawn):
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            if not throughput_panel(ax, proc, isa, algorithms, presets):
                not_measured(ax, proc, isa, "not measured")
                continue
            llc_markers(ax, proc)
            size_axis(ax)
            ax.set_title(panel_title(proc, isa), fontsize=8)
    finish_grid(axes, "10$^9$ elements/s (x 8 = effective GB/s)")
    fig.suptitle("Softmax throughput, 1 thread", fontsize=10)
    fig.tight_layout()
    legend_below(fig, softmax_legend(algorithms, presets, drawn), ncol=3)
    return fig

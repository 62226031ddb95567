"""`throughput_per_read_bandwidth`: the throughput divided by the processor's read bandwidth."""

from __future__ import annotations

from paper_claims import Claims

from .throughput import softmax_legend, throughput_panel
from ..model import Processor
from ..panels import finish_grid, isas_of, legend_below, llc_markers, not_measured, panel_grid, size_axis
from ..stats import read_bandwidth
from ..style import ordered_presets, panel_title, pyplot
from ..vocabulary import algorithm_rank


def figure_throughput_per_read_bandwidth(processors: list[Processor], claims: Claims | None):
    """Throughput as a multiple of the processor's read bandwidth in floats per second (read GB/s / 4 B): 1 means
    a whole softmax as fast as one read of x. Machines with different memory systems compare on it."""
    plt = pyplot()
    drawn = [p for p in processors if p.softmax and read_bandwidth(p, claims)]
    isas = isas_of(drawn, lambda p: p.softmax)
    algorithms = sorted({r["algorithm"] for p in drawn for r in p.softmax}, key=algorithm_rank)
    presets = ordered_presets(r["preset"] for p in drawn for r in p.softmax)
    fig, axes = panel_grid(plt, drawn, isas, extra_height=0.2)
    for i, proc in enumerate(drawn):
        gbps, described = read_bandwidth(proc, claims)
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            if not throughput_panel(ax, proc, isa, algorithms, presets, scale=gbps * 1e9 / 4):
                not_measured(ax, proc, isa, "not measured")
                continue
            ax.axhline(1.0, color="black", lw=0.7)
            llc_markers(ax, proc)
            size_axis(ax)
            ax.set_title(panel_title(proc, isa, described), fontsize=8)
    finish_grid(axes, "throughput / read bandwidth")
    fig.suptitle("Softmax throughput relative to the machine's read bandwidth, 1 thread", fontsize=10)
    fig.tight_layout()
    from matplotlib.lines import Line2D
    one = Line2D([], [], color="black", lw=0.7, label="1 = as fast as one read of x (4 B/element)")
    legend_below(fig, softmax_legend(algorithms, presets, drawn, extra=[one]), ncol=3)
    return fig

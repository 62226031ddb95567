"""Drawing helpers the figures share: the panel grid, LLC markers, CI bands and error bars, legends, saving."""

from __future__ import annotations

import math
from pathlib import Path

from confidence import Estimate

from .errors import log
from .formats import fmt_bytes, fmt_n
from .model import Processor
from .style import BAND_ALPHA, CI_BAND_LABEL, DPI, PANEL_HEIGHT, PANEL_WIDTH, series_style
from .vocabulary import isa_order


def llc_markers(ax, proc: Processor, label: bool = False):
    """Two vertical lines: n = LLC/4 (x alone fills the LLC) and n = LLC/8 (x and y, 8n bytes, fill it)."""
    b = proc.llc_bytes
    if not b:
        return
    ax.axvline(b / 4, color="0.25", ls="--", lw=0.9,
               label=f"LLC {fmt_bytes(b)}: n = LLC/4 = {fmt_n(b / 4)} (x alone fills it)" if label else None)
    ax.axvline(b / 8, color="0.25", ls=":", lw=0.9,
               label=f"n = LLC/8 = {fmt_n(b / 8)} (x + y, 8n B, fill the LLC)" if label else None)


def llc_handles():
    from matplotlib.lines import Line2D
    return [Line2D([], [], color="0.25", ls="--", lw=0.9, label="n = LLC/4: x alone fills the last-level cache"),
            Line2D([], [], color="0.25", ls=":", lw=0.9, label="n = LLC/8: x and y together fill it")]


def band_handle(label: str = CI_BAND_LABEL):
    from matplotlib.patches import Patch
    return Patch(color="0.5", alpha=BAND_ALPHA + 0.1, lw=0, label=label)


def save(fig, out: Path, stem: str, written: list[Path]):
    out.mkdir(parents=True, exist_ok=True)
    for ext, meta in (("png", {"Software": "softmax-repro plots"}), ("svg", {"Date": None})):
        p = out / f"{stem}.{ext}"
        fig.savefig(p, dpi=DPI, bbox_inches="tight", metadata=meta)
        written.append(p)
        log(f"wrote {p}")


def error_bars(estimates: list[Estimate | None]):
    """Error bar lengths (below, above) for matplotlib; 0 where there is no CI (the text says why)."""
    below = [e.value - e.low if e and e.has_ci else 0.0 for e in estimates]
    above = [e.high - e.value if e and e.has_ci else 0.0 for e in estimates]
    return [below, above]


def ci_band(ax, xs, estimates: list[Estimate], color: str, gid: str | None = None):
    """The CI of each point as a band; points without a CI leave a gap (never a band of zero width)."""
    lows = [e.low if e.has_ci else math.nan for e in estimates]
    highs = [e.high if e.has_ci else math.nan for e in estimates]
    if all(math.isnan(v) for v in lows):
        return None
    band = ax.fill_between(xs, lows, highs, color=color, alpha=BAND_ALPHA, lw=0)
    if gid:
        band.set_gid(gid)
    return band


def legend_below(fig, handles, ncol: int = 2):
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False,
               fontsize=7.5)


def preset_handles(presets: list[str]):
    from matplotlib.lines import Line2D
    return [Line2D([], [], color="0.2", ls=series_style(p, presets), lw=1.3, label=f"preset {p or '-'}")
            for p in presets]


def panel_grid(plt, processors: list[Processor], isas: list[str], extra_height: float = 0.0, sharey="col"):
    """One row per processor (a reference run below the run it belongs to), one column per ISA; the same n axis
    everywhere and the same y axis down each column (sharey="col": an ISA's panels compare across processors)
    or in every panel (sharey=True, for ratios)."""
    fig, axes = plt.subplots(len(processors), len(isas), squeeze=False, sharex=True, sharey=sharey,
                             figsize=(PANEL_WIDTH * len(isas), (PANEL_HEIGHT + extra_height) * len(processors)))
    return fig, axes


def not_measured(ax, proc: Processor, isa: str, what: str):
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"{proc.id}, {isa}:\n{what}", ha="center", va="center", fontsize=8, color="0.4",
            transform=ax.transAxes)


def size_axis(ax):
    ax.set_xscale("log")


def finish_grid(axes, ylabel: str, xlabel: str = "n (elements, float32)", right=None, from_zero: bool = True):
    """Axis labels and tick labels on the outer panels that are drawn (a panel left empty, for an ISA a
    processor lacks, must not take its column's or row's labels with it); `right(ax)` decorates the last
    panel drawn in each row (a secondary axis)."""
    rows, cols = len(axes), len(axes[0])
    for i in range(rows):
        for j in range(cols):
            # From 0, once every panel sharing the axis has its data (a limit set earlier would freeze it).
            if axes[i][j].axison and from_zero:
                axes[i][j].autoscale(axis="y")
    for i in range(rows):
        for j in range(cols):
            if axes[i][j].axison and from_zero:
                axes[i][j].set_ylim(bottom=0)
    for j in range(cols):
        shown = [i for i in range(rows) if axes[i][j].axison]
        if shown:
            axes[shown[-1]][j].xaxis.set_tick_params(labelbottom=True)
            axes[shown[-1]][j].set_xlabel(xlabel)
    for i in range(rows):
        shown = [j for j in range(cols) if axes[i][j].axison]
        if shown:
            axes[i][shown[0]].yaxis.set_tick_params(labelleft=True)
            axes[i][shown[0]].set_ylabel(ylabel)
            if right:
                right(axes[i][shown[-1]])


def isas_of(processors: list[Processor], rows_of) -> list[str]:
    return sorted({r["isa"] for p in processors for r in rows_of(p)}, key=isa_order)

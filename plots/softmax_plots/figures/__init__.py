"""The figures, one module each, and FIGURES: the one list `render` walks (adding a figure: a module here, an
entry in FIGURES, a test in plots/tests/test_figures.py).

A comparison figure draws every run (a panel per processor and ISA, reference runs beside their runs) and is
written as `<stem>`; a per-processor figure draws one run and is written as `<processor-id>_<stem>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paper_claims import Claims

from ..model import Processor
from ..stats import labelled_sizes, multicore_points, read_bandwidth, speedups
from ..summary import SummaryRow
from .accuracy import figure_accuracy
from .class_counts import figure_labelled_sizes
from .multicore import figure_multicore
from .passes import figure_passes
from .speedup import figure_speedup
from .summary_speedup import figure_summary
from .throughput import figure_throughput
from .throughput_per_read_bandwidth import figure_throughput_per_read_bandwidth


@dataclass
class Drawing:
    """What the figures draw from: the runs, the runs with their reference runs beside them, the claims, and the
    summary rows of the runs drawn."""
    processors: list[Processor]
    drawn: list[Processor]
    claims: Claims | None
    rows: list[SummaryRow]


@dataclass(frozen=True)
class Figure:
    """One figure: `wanted` says whether there is anything to draw, `draw` returns the matplotlib figure, and
    `notes` returns what stderr should say about what it left out (whether or not it is drawn). A per-processor
    figure's callables take (processor, drawing) and run once per run drawn (reference runs have their own
    folder's figures)."""
    stem: str
    wanted: Callable
    draw: Callable
    per_processor: bool = False
    notes: Callable = lambda *_: ()


def _softmax_without_read(d: Drawing) -> list[str]:
    if any(p.softmax for p in d.drawn) and not any(read_bandwidth(p, d.claims) for p in d.drawn if p.softmax):
        return ["no read reference (passes experiment) beside the softmax rows: no throughput_per_read_bandwidth figure"]
    return []


def _softmax_without_pairs(d: Drawing) -> list[str]:
    return [f"{p.id}: no size with both two-pass and a three-pass variant: no speedup panel"
            for p in d.drawn if p.softmax and not speedups(p)]


FIGURES: tuple[Figure, ...] = (
    Figure("throughput", lambda d: any(p.softmax for p in d.drawn), lambda d: figure_throughput(d.drawn)),
    Figure("throughput_per_read_bandwidth",
           lambda d: any(read_bandwidth(p, d.claims) for p in d.drawn if p.softmax),
           lambda d: figure_throughput_per_read_bandwidth(d.drawn, d.claims), notes=_softmax_without_read),
    Figure("speedup", lambda d: any(speedups(p) for p in d.drawn), lambda d: figure_speedup(d.drawn, d.claims),
           notes=_softmax_without_pairs),
    Figure("passes", lambda d: any(r["kind"] == "pass" for p in d.drawn for r in p.passes),
           lambda d: figure_passes(d.drawn)),
    Figure("class_counts", lambda p, d: bool(labelled_sizes(p)), lambda p, d: figure_labelled_sizes(p),
           per_processor=True),
    Figure("multicore", lambda p, d: bool(multicore_points(p)), lambda p, d: figure_multicore(p), per_processor=True),
    Figure("accuracy", lambda p, d: bool(p.accuracy or p.accuracy_failed), lambda p, d: figure_accuracy(p),
           per_processor=True),
    Figure("summary_speedup", lambda d: bool(d.rows), lambda d: figure_summary(d.rows, d.claims)),
)

"""Draws every figure of FIGURES that has data: the comparisons, then each run's own figures, then the summary
bars (the order the files are written in)."""

from __future__ import annotations

from pathlib import Path

from paper_claims import Claims

from .errors import log
from .figures import FIGURES, Drawing
from .load import with_references
from .model import Processor
from .panels import save
from .style import pyplot
from .summary import summarize

# The summary bars come last: they sum up what the figures before them show.
LAST = ("summary_speedup",)


def render(processors: list[Processor], out: Path, claims: Claims | None = None,
           references: list[Processor] = ()) -> list[Path]:
    """Every figure: the comparisons across processors (a panel per processor and ISA, reference runs beside the
    runs they belong to), the per-processor figures of the runs drawn, and the summary."""
    plt = pyplot()
    written: list[Path] = []
    drawn = with_references(processors, list(references))
    d = Drawing(processors, drawn, claims, summarize(drawn, claims))

    def emit(fig, stem: str) -> None:
        save(fig, out, stem, written)
        plt.close(fig)

    def comparisons(figures):
        for figure in figures:
            if figure.wanted(d):
                emit(figure.draw(d), figure.stem)
            for note in figure.notes(d):
                log(note)

    comparisons(f for f in FIGURES if not f.per_processor and f.stem not in LAST)
    for proc in processors:
        for figure in (f for f in FIGURES if f.per_processor):
            if figure.wanted(proc, d):
                emit(figure.draw(proc, d), f"{proc.id}_{figure.stem}")
        if not (proc.softmax or proc.passes or proc.multicore or proc.accuracy or proc.accuracy_failed):
            log(f"{proc.id}: nothing to plot")
    comparisons(f for f in FIGURES if not f.per_processor and f.stem in LAST)
    return written

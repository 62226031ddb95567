"""Which rows feed which figure: decided by the kinds of rows a file holds and its metadata, never by its name;
one file provides each whole series."""

from __future__ import annotations

from pathlib import Path

from .errors import log
from .model import Processor, ResultFile
from .schema import subject_column
from .vocabulary import EXPERIMENT_KINDS


def _softmax_series(r):
    return ("softmax", r["isa"], r["preset"], r["algorithm"], r["kernel"])


def _pass_series(r):
    return (r["kind"], r["isa"], r[subject_column(r["kind"])], r["kernel"])


def _select(proc: Processor, kinds: tuple[str, ...], series_key, role: str) -> list[dict]:
    """Rows of `kinds` for one processor. Files are told apart by the kinds they hold, not their names. When
    several files measure the same series (e.g. a full and a quick run, or the two sizes of a tune run), the
    file with the most points of that series provides it (ties: the file with more rows of those kinds),
    whole: sizes from two runs are never mixed in one line."""
    def count(f):
        return sum(v for k, v in f.rows_by_kind.items() if k in kinds)
    candidates = sorted((f for f in proc.files if count(f)), key=lambda f: (-count(f), str(f.csv_path)))
    points: dict[tuple, dict[Path, int]] = {}
    for f in candidates:
        for r in f.rows:
            if r["kind"] in kinds:
                per_file = points.setdefault(series_key(r), {})
                per_file[f.csv_path] = per_file.get(f.csv_path, 0) + 1
    rank = {f.csv_path: i for i, f in enumerate(candidates)}
    owner = {k: min(v, key=lambda p: (-v[p], rank[p])) for k, v in points.items()}
    chosen: list[dict] = []
    shadowed: dict[tuple[Path, Path], int] = {}
    for f in candidates:
        for r in f.rows:
            if r["kind"] not in kinds:
                continue
            o = owner[series_key(r)]
            if o == f.csv_path:
                chosen.append(r)
            else:
                shadowed[(f.csv_path, o)] = shadowed.get((f.csv_path, o), 0) + 1
    for (lost, won), n in sorted(shadowed.items()):
        log(f"{proc.id}: {role}: {lost.name} and {won.name} measure the same series; using {won.name} "
            f"(more points), leaving out {n} row(s) of {lost.name}")
    return chosen


def experiment_kind(f: ResultFile) -> str | None:
    """The experiment's kind from its metadata (experiment_kind), else from its id (`multicore-quick` is a
    multicore experiment); never guessed from the rows, which several kinds share."""
    kind = (f.meta or {}).get("experiment_kind")
    if kind in EXPERIMENT_KINDS:
        return kind
    experiment = (f.meta or {}).get("experiment") or f.experiment or f.csv_path.stem
    return next((k for k in EXPERIMENT_KINDS if experiment == k or experiment.startswith(k + "-")), None)


def is_multicore(f: ResultFile) -> bool:
    return experiment_kind(f) == "multicore"


def _accuracy_series(r):
    return ("accuracy", r["isa"], r["preset"], r["algorithm"], r["kernel"])


def select_rows(proc: Processor) -> None:
    # Multi-core runs get their own figure; the paper's figures are one thread, so those files stay out of them.
    multicore = [f for f in proc.files if is_multicore(f)]
    proc.multicore = [r for f in multicore for r in f.rows if r["kind"] in ("softmax", "reference")]
    # Batched runs (B rows per call) have their own table (batched.py), never the one-vector figures.
    batched = [f for f in proc.files if experiment_kind(f) == "batched"]
    proc.batched = [r for f in batched for r in f.rows if r["kind"] == "softmax"]
    apart = multicore + batched
    if apart:
        saved, proc.files = proc.files, [f for f in proc.files if f not in apart]
        try:
            _select_single_thread(proc)
        finally:
            proc.files = saved
    else:
        _select_single_thread(proc)


def is_tune(f: ResultFile) -> bool:
    """A tune run: its softmax rows are the streaming crossover (each tuned algorithm with and without
    streaming stores, the same preset twice), not softmax results to draw."""
    return experiment_kind(f) == "tune"


def _select_single_thread(proc: Processor) -> None:
    saved, proc.files = proc.files, [f for f in proc.files if not is_tune(f)]
    try:
        proc.softmax = _select(proc, ("softmax",), _softmax_series, "softmax")
    finally:
        proc.files = saved
    proc.accuracy = _select(proc, ("accuracy",), _accuracy_series, "accuracy")
    # Failed configurations come from the file that provides their series (a quick run's failures are not
    # drawn beside a full run's errors).
    owners = {_accuracy_series(r): r["_source"] for r in proc.accuracy}
    proc.accuracy_failed = [r for f in proc.files for r in f.accuracy_failed
                            if owners.get(_accuracy_series(r), r["_source"]) == r["_source"]]
    # A tune run measures every variant at two sizes to choose among them; the per-pass figure draws the
    # passes experiments (metadata experiment_kind "passes") and falls back to tune runs only without them.
    tuning = [f for f in proc.files if (f.meta or {}).get("experiment_kind") == "tune"]
    if tuning and len(tuning) < len(proc.files):
        others = [f for f in proc.files if f not in tuning]
        if any(f.rows_by_kind.get("pass") for f in others):
            log(f"{proc.id}: passes: leaving out the tune run(s) {', '.join(f.csv_path.name for f in tuning)} "
                "(every variant at two sizes; the tuned preset's kernels are in the passes experiment)")
            saved, proc.files = proc.files, others
            try:
                proc.passes = _select(proc, ("pass", "reference"), _pass_series, "passes")
            finally:
                proc.files = saved
            return
    proc.passes = _select(proc, ("pass", "reference"), _pass_series, "passes")

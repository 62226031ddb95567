#!/usr/bin/env python3
"""Draw the figures of softmax-repro from results/<processor-id>/<experiment>.csv (+ .json metadata).

The only contract with the runner is results/README.md (CSV schema_version 1-4 and the metadata keys); the
paper's claims come from claims/paper.json (paper_claims.py), the confidence intervals from confidence.py.

    python plots/plot_results.py --results results --out plots/figures [--summary results/SUMMARY.md]
    python plots/plot_results.py --results local/results --out local/figures --summary local/SUMMARY.md
        (draws the committed run of the same processor beside each local one: --reference, --no-reference)
    python plots/plot_results.py --results results --summary-only      # the Markdown table on stdout

Exit status: 0 on success; 2 when a file has a schema_version this script does not know or lacks a column
it needs, or the claims file or reference folder named is unusable; 1 when there is nothing to plot or a file
cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paper_claims  # noqa: E402
from confidence import (NO_CI, PRECISION_TARGET, Estimate, median_ci, median_estimate,  # noqa: E402
                        paired_ratios)
from paper_claims import Claims, ClaimsError, Mark  # noqa: E402
from batched import batched_markdown  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent

SUPPORTED_SCHEMA_VERSIONS = (1, 2, 3, 4)

# Every column of schema_version 4, in order (results/README.md). Columns are read by name; older versions lack
# the columns added since (schema_columns), and the figures need none of those.
SCHEMA_COLUMNS = (
    "schema_version", "experiment", "processor_id", "microarchitecture", "isa", "preset", "kind", "algorithm",
    "kernel", "n", "batch", "threads", "placement", "cpus", "cpu", "samples", "calls_per_sample", "median_s", "p25_s", "p75_s", "min_s",
    "median_ci_low_s", "median_ci_high_s", "precision", "precision_target", "precision_met", "rounds_repeated",
    "elements_per_s", "effective_gbps", "bytes_per_element", "real_gbps", "output_error", "status", "error",
    "cycles_per_element", "instructions_per_element", "llc_misses_per_element", "task_clock_ns_per_element",
    "page_faults_per_call", "context_switches_per_call", "cpu_migrations_per_call",
    "roofline_bound", "memory_bound_s", "compute_bound_s", "efficiency", "efficiency_ci_low", "efficiency_ci_high",
    "input_range", "mask", "order", "max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error",
    "raw_samples_s",
)
ROOFLINE_COLUMNS = ("roofline_bound", "memory_bound_s", "compute_bound_s", "efficiency")
VERSION_3_COLUMNS = ("placement", "cpus", "input_range", "mask", "max_error_ulp", "mean_error_ulp",
                     "max_relative_error", "mean_relative_error")
# `order` is the accuracy input's element order; files without it hold only inputs as drawn ("random").
VERSION_4_COLUMNS = ("median_ci_low_s", "median_ci_high_s", "precision", "precision_target", "precision_met",
                     "rounds_repeated", "efficiency_ci_low", "efficiency_ci_high", "order")
# Columns each version added over the one before.
ADDED_IN_VERSION = {2: ROOFLINE_COLUMNS, 3: VERSION_3_COLUMNS, 4: VERSION_4_COLUMNS}
# Columns a file of any version may lack (read as empty): `batch` is empty for every row but a batched one's.
OPTIONAL_COLUMNS = ("batch",)


def schema_columns(version: int, optional: bool = True) -> tuple[str, ...]:
    """The columns of one schema_version, in order; without the optional ones when `optional` is False."""
    later = {c for v, cols in ADDED_IN_VERSION.items() if v > version for c in cols}
    return tuple(c for c in SCHEMA_COLUMNS if c not in later and (optional or c not in OPTIONAL_COLUMNS))


# The columns this script reads. A file without one of them is refused (exit 2); the other schema columns
# are not needed for the figures, so their absence is only reported.
REQUIRED_COLUMNS = (
    "schema_version", "processor_id", "isa", "preset", "kind", "algorithm", "kernel", "n",
    "median_s", "bytes_per_element", "real_gbps", "status",
)
FLOAT_COLUMNS = ("median_s", "p25_s", "p75_s", "min_s", "median_ci_low_s", "median_ci_high_s", "elements_per_s",
                 "effective_gbps", "bytes_per_element", "real_gbps", "efficiency", "efficiency_ci_low",
                 "efficiency_ci_high")
ACCURACY_COLUMNS = ("max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error")
# Accuracy figure: errors at or below this many ulps are drawn at it (a log axis has no 0).
ULP_FLOOR = 1e-2
# Two-pass's extended-exponent exp is accurate for |x| <= 2^17 and counts finite |x| > FLT_MAX * ln2 as
# infinite (README.md, "Where two-pass cannot be accurate").
TWO_PASS_ACCURATE_LIMIT = 2.0 ** 17
TWO_PASS_FINITE_LIMIT = 3.4028234663852886e38 * math.log(2)
MASK_MARKERS = ("v", "s", "D", "^", "P", "<", ">")

SOFTMAX_ALGORITHMS = ("two-pass", "three-pass-recompute", "three-pass-reload")
THREE_PASS = ("three-pass-recompute", "three-pass-reload")
ALGORITHM_COLORS = {"two-pass": "tab:blue", "three-pass-recompute": "tab:orange", "three-pass-reload": "tab:green"}
EXTRA_COLORS = ("tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")
ISA_COLORS = {"avx512f": "tab:red", "avx2": "tab:blue", "portable": "tab:gray"}
PRESET_STYLES = {"blend": "-", "tuned": "--"}
EXTRA_STYLES = (":", "-.")
PASS_FAMILIES = ("rmax", "raddexpminusmax", "vscaleexpminusmax", "raddstoreexpminusmax", "vscale", "raddextexp",
                 "vscaleextexp")
REFERENCES = ("read", "copy", "copy_nt", "scale", "write")
PASS_MARKERS = "os^Dv<>"
# The bandwidth-bound ideals in the speedup figure: without and with write-allocate.
IDEAL_STYLES = (":", "-.")
REFERENCE_STYLES = {"read": ("black", "v"), "copy": ("0.35", "s"), "copy_nt": ("0.7", "o"), "scale": ("0.55", "D"), "write": ("0.2", "^")}

# Pure bandwidth bound (PAPER.md, inferred): bytes per element of the three-pass variant over two-pass's 12.
IDEAL = {
    "three-pass-recompute": ((16 / 12, "1.33 = 16/12 B: bandwidth bound, no write-allocate"),
                             (20 / 16, "1.25 = 20/16 B: bandwidth bound, with write-allocate")),
    "three-pass-reload": ((20 / 12, "1.67 = 20/12 B: bandwidth bound, no write-allocate"),
                          (24 / 16, "1.50 = 24/16 B: bandwidth bound, with write-allocate")),
}

DPI = 150


class SchemaError(Exception):
    """A results file this script cannot read safely: exit status 2."""


class InputError(Exception):
    """Nothing to plot, or a file that cannot be read: exit status 1."""


def log(message: str) -> None:
    print(message, file=sys.stderr)


# --------------------------------------------------------------------------------------------------------------
# Loading


@dataclass
class ResultFile:
    csv_path: Path
    json_path: Path | None
    meta: dict
    experiment: str
    rows: list[dict]                 # status == ok rows, numbers parsed
    total_rows: int                  # every data row, whatever its status
    rows_by_kind: dict[str, int]     # every data row, by kind
    ignored: dict[str, int]          # status -> count of rows left out
    accuracy_failed: list[dict] = field(default_factory=list)  # accuracy rows with status error (drawn as failures)

    @property
    def kinds(self) -> set[str]:
        return set(self.rows_by_kind)


@dataclass
class Processor:
    id: str
    files: list[ResultFile] = field(default_factory=list)
    softmax: list[dict] = field(default_factory=list)   # selected kind == softmax rows
    passes: list[dict] = field(default_factory=list)    # selected kind in (pass, reference) rows
    multicore: list[dict] = field(default_factory=list)  # rows of multicore experiments (softmax, reference)
    batched: list[dict] = field(default_factory=list)  # softmax rows of batched experiments (B rows per call)
    accuracy: list[dict] = field(default_factory=list)  # selected kind == accuracy rows, status ok
    accuracy_failed: list[dict] = field(default_factory=list)  # accuracy rows of the same series that failed
    run_label: str = ""   # set where runs are drawn beside each other: "this run", "reference run at <commit>, <date>"
    is_reference: bool = False  # a committed reference run drawn beside a local run of the same processor

    @property
    def meta(self) -> dict:
        """Metadata of the processor: the first file that has it (they describe the same machine)."""
        for f in self.files:
            if f.meta:
                return f.meta
        return {}

    @property
    def model_name(self) -> str:
        return str(self.meta.get("processor", {}).get("model_name") or self.id)

    @property
    def microarchitecture(self) -> str:
        m = self.meta.get("processor", {}).get("microarchitecture")
        if m:
            return str(m)
        for f in self.files:
            for r in f.rows:
                if r.get("microarchitecture"):
                    return r["microarchitecture"]
        return "unknown"

    @property
    def vendor(self) -> str:
        return str(self.meta.get("processor", {}).get("vendor") or "")

    @property
    def isas(self) -> list[str]:
        """The ISAs this CPU runs (metadata), else those its rows measured."""
        isas = self.meta.get("processor", {}).get("isas")
        if isinstance(isas, list) and isas:
            return [str(i) for i in isas]
        return sorted({r["isa"] for f in self.files for r in f.rows}, key=_isa_order)

    @property
    def commit_and_date(self) -> str:
        """`82127fb, 2026-11-29` from the metadata (the newest run's date where files differ)."""
        commits = sorted({str(f.meta.get("git_commit"))[:7] for f in self.files if f.meta.get("git_commit")})
        dates = sorted({str(f.meta.get("date"))[:10] for f in self.files if f.meta.get("date")})
        return f"{'/'.join(commits) or 'unknown commit'}, {dates[-1] if dates else 'unknown date'}"

    @property
    def llc_bytes(self) -> int | None:
        for f in self.files:
            v = (f.meta.get("caches") or {}).get("llc_bytes")
            if isinstance(v, (int, float)) and v > 0:
                return int(v)
        return None

    @property
    def title(self) -> str:
        return f"{self.model_name} ({self.microarchitecture})"


def _schema_version(value, where: Path) -> int:
    try:
        v = int(str(value).strip())
    except ValueError:
        v = None
    if v not in SUPPORTED_SCHEMA_VERSIONS:
        raise SchemaError(
            f"{where}: schema_version {str(value).strip()!r} is not supported "
            f"(this script reads schema_version {', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))})")
    return v


def _float(cell: str) -> float:
    cell = (cell or "").strip()
    if not cell:
        return math.nan
    try:
        return float(cell)
    except ValueError:
        return math.nan


def _parse_n(r: dict, where: str, ignored: dict) -> bool:
    """Parses the row's n in place; False (counted as malformed, with a warning) when it is not a number."""
    try:
        r["n"] = int(float(r["n"]))
        return True
    except ValueError:
        log(f"warning: {where}: n = {r['n']!r} is not a number; row skipped")
        ignored["malformed"] = ignored.get("malformed", 0) + 1
        return False


def load_file(csv_path: Path) -> ResultFile:
    json_path = csv_path.with_suffix(".json")
    meta: dict = {}
    if json_path.exists():
        try:
            meta = json.loads(json_path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise InputError(f"{json_path}: cannot read the metadata: {e}") from e
        if not isinstance(meta, dict):
            raise InputError(f"{json_path}: the metadata is not a JSON object")
        if "schema_version" not in meta:
            raise SchemaError(f"{json_path}: no schema_version key (this script reads schema_version "
                              f"{', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))})")
        _schema_version(meta["schema_version"], json_path)
    else:
        log(f"warning: {csv_path}: no metadata {json_path.name} beside it; no LLC marker, titles from the CSV")
        json_path = None

    try:
        with open(csv_path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{csv_path}: empty file (no header line)")
            header = [h.strip() for h in header]
            for column in REQUIRED_COLUMNS:
                if column not in header:
                    raise SchemaError(f"{csv_path}: required column {column!r} is missing")
            rows, by_kind, ignored, total, accuracy_failed = [], {}, {}, 0, []
            versions = set()
            for line_no, cells in enumerate(reader, start=2):
                if not cells or all(not c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    # The runner appends rows as they finish; a run in progress can leave a partial last line.
                    log(f"warning: {csv_path}:{line_no}: {len(cells)} cells for {len(header)} columns; row skipped")
                    ignored["malformed"] = ignored.get("malformed", 0) + 1
                    continue
                r = dict(zip(header, cells))
                versions.add(_schema_version(r["schema_version"], Path(f"{csv_path}:{line_no}")))
                total += 1
                kind = r["kind"].strip()
                by_kind[kind] = by_kind.get(kind, 0) + 1
                status = r["status"].strip()
                r["_source"] = str(csv_path)
                if kind == "accuracy":
                    # Accuracy rows have no timings; their error cells are the measurement.
                    for c in ("isa", "preset", "kind", "algorithm", "kernel", "processor_id", "input_range", "mask"):
                        r[c] = (r.get(c) or "").strip()
                    for c in ACCURACY_COLUMNS:
                        r[c] = _float(r.get(c, ""))
                    if not _parse_n(r, f"{csv_path}:{line_no}", ignored):
                        continue
                    # The figure and table show inputs as drawn; other element orders are for `show`.
                    if (r.get("order") or "").strip() not in ("", "random"):
                        ignored["accuracy order other than random"] = ignored.get("accuracy order other than random", 0) + 1
                        continue
                    if status != "ok":
                        ignored[status or "(empty)"] = ignored.get(status or "(empty)", 0) + 1
                        accuracy_failed.append(r)
                        continue
                    if any(math.isnan(r[c]) for c in ACCURACY_COLUMNS):
                        log(f"warning: {csv_path}:{line_no}: accuracy row with status ok but empty error cells; row skipped")
                        ignored["ok without errors"] = ignored.get("ok without errors", 0) + 1
                        continue
                    rows.append(r)
                    continue
                if status != "ok":
                    ignored[status or "(empty)"] = ignored.get(status or "(empty)", 0) + 1
                    continue
                for c in FLOAT_COLUMNS:
                    if c in r:
                        r[c] = _float(r[c])
                if not _parse_n(r, f"{csv_path}:{line_no}", ignored):
                    continue
                if not (r["median_s"] > 0):
                    log(f"warning: {csv_path}:{line_no}: status ok but no median_s; row skipped")
                    ignored["ok without timing"] = ignored.get("ok without timing", 0) + 1
                    continue
                for c in ("isa", "preset", "kind", "algorithm", "kernel", "processor_id"):
                    r[c] = r[c].strip()
                rows.append(r)
            # Older versions lack the newer columns by definition; anything else missing is worth a word.
            missing = [c for c in schema_columns(min(versions, default=max(SUPPORTED_SCHEMA_VERSIONS)), optional=False)
                       if c not in header]
            if missing:
                log(f"warning: {csv_path}: schema columns missing (not needed for the figures): {', '.join(missing)}")
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{csv_path}: cannot read: {e}") from e

    experiment = str(meta.get("experiment") or csv_path.stem)
    return ResultFile(csv_path, json_path, meta, experiment, rows, total, by_kind, ignored, accuracy_failed)


def discover(results_dir: Path) -> list[Processor]:
    if not results_dir.is_dir():
        raise InputError(f"{results_dir}: no such directory")
    processors = []
    for pdir in sorted(p for p in results_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        csvs = sorted(pdir.glob("*.csv"))
        if not csvs:
            continue
        proc = Processor(pdir.name)
        for c in csvs:
            f = load_file(c)
            detail = ", ".join(f"{k}: {v}" for k, v in sorted(f.ignored.items()))
            log(f"{c}: kinds {', '.join(sorted(f.kinds)) or '-'}; {len(f.rows)} ok row(s); ignored "
                f"{sum(f.ignored.values())} of {f.total_rows + f.ignored.get('malformed', 0)} row(s) with "
                f"status != ok" + (f" ({detail})" if detail else ""))
            ids = {r["processor_id"] for r in f.rows if r["processor_id"]}
            if ids - {pdir.name}:
                log(f"warning: {c}: processor_id {', '.join(sorted(ids))} differs from the folder name "
                    f"{pdir.name!r}; using the folder name")
            if not f.rows:
                log(f"warning: {c}: no usable rows")
            proc.files.append(f)
        select_rows(proc)
        processors.append(proc)
    return processors


def _softmax_series(r):
    return ("softmax", r["isa"], r["preset"], r["algorithm"], r["kernel"])


def _pass_series(r):
    return (r["kind"], r["isa"], r["algorithm"], r["kernel"])


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


EXPERIMENT_KINDS = ("softmax", "passes", "tune", "multicore", "accuracy", "batched")


def _experiment_kind(f: ResultFile) -> str | None:
    """The experiment's kind from its metadata (experiment_kind), else from its id (`multicore-quick` is a
    multicore experiment); never guessed from the rows, which several kinds share."""
    kind = (f.meta or {}).get("experiment_kind")
    if kind in EXPERIMENT_KINDS:
        return kind
    experiment = (f.meta or {}).get("experiment") or f.experiment or f.csv_path.stem
    return next((k for k in EXPERIMENT_KINDS if experiment == k or experiment.startswith(k + "-")), None)


def _is_multicore(f: ResultFile) -> bool:
    return _experiment_kind(f) == "multicore"


def _accuracy_series(r):
    return ("accuracy", r["isa"], r["preset"], r["algorithm"], r["kernel"])


def select_rows(proc: Processor) -> None:
    # Multi-core runs get their own figure; the paper's figures are one thread, so those files stay out of them.
    multicore = [f for f in proc.files if _is_multicore(f)]
    proc.multicore = [r for f in multicore for r in f.rows if r["kind"] in ("softmax", "reference")]
    # Batched runs (B rows per call) have their own table (batched.py), never the one-vector figures.
    batched_files = [f for f in proc.files if _experiment_kind(f) == "batched"]
    proc.batched = [r for f in batched_files for r in f.rows if r["kind"] == "softmax"]
    apart = multicore + batched_files
    if apart:
        saved, proc.files = proc.files, [f for f in proc.files if f not in apart]
        try:
            _select_single_thread(proc)
        finally:
            proc.files = saved
    else:
        _select_single_thread(proc)


def _is_tune(f: ResultFile) -> bool:
    """A tune run: its softmax rows are the streaming crossover (each tuned algorithm with and without
    streaming stores, the same preset twice), not softmax results to draw."""
    return _experiment_kind(f) == "tune"


def _select_single_thread(proc: Processor) -> None:
    saved, proc.files = proc.files, [f for f in proc.files if not _is_tune(f)]
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


# --------------------------------------------------------------------------------------------------------------
# Numbers


def llc_elements(proc: Processor) -> float | None:
    b = proc.llc_bytes
    return b / 4 if b else None


def fastest(rows: list[dict]) -> dict[tuple, dict]:
    """(isa, preset, algorithm, n) -> the fastest row (there is one unless an experiment varied kernels)."""
    best: dict[tuple, dict] = {}
    for r in rows:
        k = (r["isa"], r["preset"], r["algorithm"], r["n"])
        if k not in best or r["median_s"] < best[k]["median_s"]:
            best[k] = r
    return best


def _samples(r: dict) -> list[float]:
    cell = (r.get("raw_samples_s") or "").strip()
    try:
        return [float(v) for v in cell.split(";")] if cell else []
    except ValueError:
        return []


def time_estimate(r: dict) -> Estimate:
    """Median seconds per call with its 95% CI: the row's own CI columns (schema 4) where filled, else the
    same rule applied to raw_samples_s; no CI with fewer than 6 samples."""
    low, high = r.get("median_ci_low_s", math.nan), r.get("median_ci_high_s", math.nan)
    samples = _samples(r)
    if isinstance(low, float) and isinstance(high, float) and low > 0 and high > 0:
        return Estimate(r["median_s"], low, high, len(samples))
    ci = median_ci(samples) if samples else None
    if ci:
        return Estimate(r["median_s"], ci[0], ci[1], len(samples))
    return Estimate(r["median_s"], count=len(samples),
                    no_ci=NO_CI if samples else "no CI (no raw samples in the row)")


def _paired_ratios(variant: dict, two_pass: dict) -> list[float] | None:
    """Per-round ratios variant / two-pass, or None when the rows cannot be paired (different runs, or no raw
    samples, or different sample counts)."""
    a, b = _samples(variant), _samples(two_pass)
    if a and len(a) == len(b) and variant.get("experiment") == two_pass.get("experiment") and all(b):
        return paired_ratios(a, b)
    return None


def _unpaired_reason(variant: dict, two_pass: dict) -> str:
    """Why two rows' samples cannot be paired (the ratio of their medians has no CI)."""
    a, b = _samples(variant), _samples(two_pass)
    if not a or not b:
        return "no CI (no raw samples: ratio of medians)"
    if variant.get("experiment") != two_pass.get("experiment"):
        return "no CI (rows of different runs: ratio of medians)"
    return "no CI (unpaired sample counts: ratio of medians)"


UNPAIRED = "no CI (some sizes unpaired: median of their ratios)"


def paired_estimate(variant: dict, two_pass: dict) -> Estimate:
    """Median over rounds of variant time / two-pass time, with the CI of that median (confidence.py). The
    runner interleaves the contenders of one size and keeps their samples in round order, so sample i of
    each was taken side by side; pairing them cancels drift that a ratio of medians would keep. Rows of
    different runs (or without raw samples) fall back to the ratio of medians, without a CI."""
    ratios = _paired_ratios(variant, two_pass)
    if ratios:
        return median_estimate(ratios)
    return Estimate(variant["median_s"] / two_pass["median_s"], no_ci=_unpaired_reason(variant, two_pass))


def paired_speedup(variant: dict, two_pass: dict) -> float:
    return paired_estimate(variant, two_pass).value


@dataclass(frozen=True)
class SpeedupPoint:
    n: int
    estimate: Estimate
    ratios: tuple[float, ...] | None   # the paired ratios, None when unpaired
    rows: tuple[dict, dict]            # (three-pass variant row, two-pass row)

    @property
    def precision_missed(self) -> bool:
        """A row of the comparison says precision_met = no (schema 4: its CI missed the row's target)."""
        return any((r.get("precision_met") or "").strip() == "no" for r in self.rows)


def speedups(proc: Processor) -> dict[tuple[str, str, str], list[SpeedupPoint]]:
    """(isa, preset, three-pass variant) -> the speedup of two-pass per n, sorted by n: the median of paired
    time ratios with its CI (paired_estimate)."""
    best = fastest(proc.softmax)
    out: dict[tuple[str, str, str], list[SpeedupPoint]] = {}
    for (isa, preset, algorithm, n), r in best.items():
        if algorithm != "two-pass":
            continue
        for variant in THREE_PASS:
            other = best.get((isa, preset, variant, n))
            if other:
                ratios = _paired_ratios(other, r)
                out.setdefault((isa, preset, variant), []).append(
                    SpeedupPoint(n, paired_estimate(other, r), tuple(ratios) if ratios else None, (other, r)))
    for v in out.values():
        v.sort(key=lambda p: p.n)
    return out


def pooled_speedup(points: list[SpeedupPoint]) -> Estimate:
    """One speedup over several sizes: the median of every paired ratio of those sizes together, with its CI
    (the same rule as per size). Without paired samples at every size, the median of the per-size values,
    without a CI."""
    if all(p.ratios for p in points):
        return median_estimate([x for p in points for x in p.ratios])
    reasons = {p.estimate.no_ci for p in points if not p.ratios}
    return Estimate(statistics.median(p.estimate.value for p in points),
                    no_ci=reasons.pop() if len(reasons) == 1 and all(not p.ratios for p in points) else UNPAIRED)


DEFAULT_OUT_OF_CACHE_FACTOR = 4  # used only without a claims file, which owns the rule (and says so)


def out_of_cache_factor(claims: Claims | None) -> float:
    return claims.out_of_cache_llc_factor if claims else DEFAULT_OUT_OF_CACHE_FACTOR


def out_of_cache_threshold(proc: Processor, claims: Claims | None) -> float | None:
    """Sizes n >= this are out of cache: factor x (LLC bytes / 4 bytes per float) elements."""
    llc = llc_elements(proc)
    return out_of_cache_factor(claims) * llc if llc else None


def claim_marks(proc: Processor, isa: str, claims: Claims | None) -> list[Mark]:
    return claims.marks(proc.microarchitecture, proc.vendor, proc.isas, isa) if claims else []


def claim_text(proc: Processor, isa: str, claims: Claims | None) -> str:
    if not claims:
        return "no claims file"
    return claims.describe(proc.microarchitecture, proc.vendor, proc.isas, isa)


@dataclass
class SummaryRow:
    processor: str
    run: str                                  # "" for the run drawn; "reference run at ..." for a reference
    model_name: str
    microarchitecture: str
    isa: str
    preset: str
    n_used: str
    values: dict[str, Estimate | None]        # variant -> out-of-cache speedup with its CI
    at_largest: dict[str, SpeedupPoint | None]
    method: str                               # "median" (sizes >= the out-of-cache threshold), "largest" or "mixed"
    claims: list[Mark]
    claim_text: str
    precision_missed: dict[str, bool]         # variant -> a row used has precision_met = no
    is_reference: bool = False

    @property
    def label(self) -> str:
        return f"{self.processor} ({self.run})" if self.run else self.processor


def _fmt_n(n: float) -> str:
    if n >= 1e6:
        s = f"{n / 1e6:.3g}M"
    elif n >= 1e3:
        s = f"{n / 1e3:.3g}K"
    else:
        s = f"{n:g}"
    return s


def _isa_order(isa: str) -> tuple:
    order = {"portable": 0, "avx2": 1, "avx512f": 2}
    return (order.get(isa, 9), isa)


def summarize(processors: list[Processor], claims: Claims | None = None) -> list[SummaryRow]:
    out = []
    for proc in processors:
        sp = speedups(proc)
        threshold = out_of_cache_threshold(proc, claims)
        groups = sorted({(isa, preset) for (isa, preset, _v) in sp}, key=lambda g: (_isa_order(g[0]), g[1]))
        for isa, preset in groups:
            values, at_largest, used, missed = {}, {}, {}, {}
            methods = set()
            for variant in THREE_PASS:
                pts = sp.get((isa, preset, variant), [])
                if not pts:
                    values[variant], at_largest[variant], missed[variant] = None, None, False
                    continue
                at_largest[variant] = pts[-1]
                far = [p for p in pts if threshold and p.n >= threshold]
                if far:
                    methods.add("median")
                else:
                    far = [pts[-1]]
                    methods.add("largest")
                values[variant] = pooled_speedup(far)
                used[variant] = [p.n for p in far]
                missed[variant] = any(p.precision_missed for p in far)
            method = "median" if methods == {"median"} else ("largest" if methods == {"largest"} else "mixed")
            n_used = _describe_n(used, threshold, out_of_cache_factor(claims))
            out.append(SummaryRow(proc.id, proc.run_label, proc.model_name, proc.microarchitecture, isa, preset,
                                  n_used, values, at_largest, method, claim_marks(proc, isa, claims),
                                  claim_text(proc, isa, claims), missed, proc.is_reference))
    # A reference run's row right below the same configuration of the run drawn beside it.
    first = {}
    for r in out:
        first.setdefault(r.processor, len(first))
    return sorted(out, key=lambda r: (first[r.processor], _isa_order(r.isa), r.preset, r.is_reference))


def _describe_n(used: dict[str, list[int]], threshold: float | None, factor: float) -> str:
    def one(ns: list[int]) -> str:
        if threshold and ns and min(ns) >= threshold:
            return f"n >= {factor:g}xLLC ({_fmt_n(threshold)}): {', '.join(_fmt_n(n) for n in ns)}"
        why = "LLC unknown" if not threshold else f"none >= {factor:g}xLLC ({_fmt_n(threshold)})"
        return f"largest n: {_fmt_n(ns[0])} ({why})"
    distinct = {tuple(v) for v in used.values()}
    if len(distinct) <= 1:
        return one(next(iter(used.values()))) if used else "-"
    short = {"three-pass-recompute": "recompute", "three-pass-reload": "reload"}
    return "; ".join(f"{short[k]}: {one(v)}" for k, v in used.items())


WIDE_MARK = "†"    # the CI's half-width exceeds the precision target (PRECISION_TARGET of the value)
MISSED_MARK = "‡"  # a row of the comparison says precision_met = no


def speedup_cell(est: Estimate | None, missed: bool = False) -> str:
    """`1.23 [1.19, 1.27]`, with WIDE_MARK and MISSED_MARK where they apply; `-` when not measured."""
    if est is None:
        return "-"
    text = est.text()
    if est.exceeds(PRECISION_TARGET):
        text += f" {WIDE_MARK}"
    if missed:
        text += f" {MISSED_MARK}"
    return text


def summary_table(rows: list[SummaryRow]) -> str:
    header = ("| processor | microarchitecture | isa | preset | n used | two-pass vs recompute | "
              "two-pass vs reload | paper's claim |")
    lines = [header, "|---|---|---|---|---|---:|---:|---|"]
    for r in rows:
        cells = [speedup_cell(r.values.get(v), r.precision_missed.get(v, False)) for v in THREE_PASS]
        lines.append(f"| {r.label} | {r.microarchitecture} | {r.isa} | {r.preset or '-'} | {r.n_used} | "
                     f"{cells[0]} | {cells[1]} | {r.claim_text} |")
    return "\n".join(lines) + "\n"


def labelled_sizes(proc: Processor) -> list[dict]:
    """Rows at the sizes an experiment names (metadata size_labels, such as the paper's Table 1 class counts):
    one dict per (file, isa, preset, labelled n) with each algorithm's row and the paired speedups."""
    out = []
    for f in proc.files:
        labels = (f.meta or {}).get("size_labels") or {}
        if not labels or _experiment_kind(f) == "batched":
            continue
        rows = [r for r in f.rows if r["kind"] == "softmax"]
        for key in sorted({(r["isa"], r["preset"], r["n"]) for r in rows if str(r["n"]) in labels},
                          key=lambda k: (_isa_order(k[0]), k[1], k[2])):
            isa, preset, n = key
            by_alg = {r["algorithm"]: r for r in rows if (r["isa"], r["preset"], r["n"]) == key}
            entry = {"file": f, "isa": isa, "preset": preset, "n": n, "label": labels[str(n)], "rows": by_alg}
            two = by_alg.get("two-pass")
            for variant in THREE_PASS:
                other = by_alg.get(variant)
                entry[variant] = paired_estimate(other, two) if (two and other) else None
            out.append(entry)
    return out


def labelled_sizes_markdown(processors: list[Processor]) -> list[str]:
    entries = [(p, e) for p in processors for e in labelled_sizes(p)]
    if not entries:
        return []
    algorithms = ["two-pass", "three-pass-recompute", "three-pass-reload", "online"]
    parts = ["", "## Named sizes (the paper's Table 1 class counts)", "",
             "Effective GB/s (8 B/element) of each algorithm at sizes an experiment names, and the paired speedup",
             "of two-pass with its 95% CI (as above). A size that did not fit in a machine's memory is listed under",
             "`skipped` in its metadata.", "",
             "| processor | isa | preset | size | n | " + " | ".join(algorithms) + " | two-pass vs recompute | two-pass vs reload |",
             "|---|---|---|---|---:|" + "---:|" * len(algorithms) + "---:|---:|"]
    for p, e in entries:
        cells = [f"{e['rows'][a]['effective_gbps']:.1f}" if a in e["rows"] else "-" for a in algorithms]
        sp = [speedup_cell(e[v]) for v in THREE_PASS]
        parts.append(f"| {p.id} | {e['isa']} | {e['preset'] or '-'} | {e['label']} | {_fmt_n(e['n'])} | "
                     + " | ".join(cells) + " | " + " | ".join(sp) + " |")
    skipped = [(p.id, f.csv_path.name, n, why) for p in processors for f in p.files
               for n, why in ((f.meta or {}).get("skipped_sizes") or {}).items()]
    for pid, name, n, why in skipped:
        parts.append(f"\nSkipped on {pid} ({name}): n = {n}: {why}.")
    return parts


def figure_labelled_sizes(proc: Processor):
    """Grouped bars: per named size, the paired speedup of two-pass over each three-pass variant, per ISA."""
    plt = _plt()
    entries = [e for e in labelled_sizes(proc) if e["preset"] in ("blend", "")] or labelled_sizes(proc)
    labels = sorted({(e["n"], e["label"]) for e in entries})
    isas = sorted({e["isa"] for e in entries}, key=_isa_order)
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
                          color=ISA_COLORS.get(isa, "tab:purple"), yerr=_yerr(estimates), capsize=2,
                          error_kw={"lw": 0.8})
            for b, (n, _name) in zip(bars, labels):
                b.set_gid(_gid("class_counts", isa, n, variant))
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(labels)), [f"{name.replace(' ', chr(10), 1) if len(name) > 10 else name}\n"
                                           f"n = {_fmt_n(n)}" for n, name in labels], fontsize=6.5)
        ax.set_title(f"vs {variant}")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("two-pass speedup (x)")
    fig.suptitle(f"{proc.id}: Table 1 class counts, 1 thread", fontsize=9)
    fig.tight_layout()
    from matplotlib.lines import Line2D
    handles, _labels = axes[0].get_legend_handles_labels()
    _legend_below(fig, handles + [Line2D([], [], color="black", marker="|", ls="none", ms=6,
                                         label="error bar: 95% CI of the paired median")], ncol=len(isas) + 1)
    return fig


def summary_markdown(rows: list[SummaryRow], processors: list[Processor], claims: Claims | None = None,
                     references: list[Processor] = ()) -> str:
    """The SUMMARY: `rows` (of every run drawn), then the per-processor sections of `processors` (the runs
    drawn, without the references beside them); sources and kernels of both."""
    drawn = list(processors) + list(references)
    factor = out_of_cache_factor(claims)
    parts = [
        "# Out-of-cache speedup of Two-Pass softmax",
        "",
        "Written by `plots/plot_results.py`; do not edit by hand.",
        "",
        "Speedup = median over the rounds of a run of (seconds per call of the three-pass variant / seconds per",
        "call of two-pass), for the same ISA, preset and n, the two samples of a round taken side by side;",
        "above 1 means two-pass is faster. In brackets its 95% confidence interval, distribution-free, from the",
        "order statistics of the per-round ratios (`plots/confidence.py`); none exists with fewer than 6 rounds.",
        f"Each value pools the per-round ratios of the sizes with n >= {factor:g} x LLC elements (LLC bytes / 4 "
        "floats: x alone is",
        f"{factor:g} times the last-level cache; the rule is `out_of_cache_llc_factor` of the claims file) where such "
        "sizes were",
        "measured, otherwise it is the value at the largest n; the `n used` column says which.",
        f"{WIDE_MARK}: the interval's half-width exceeds {PRECISION_TARGET:.0%} of the value (the precision target for "
        f"a drawn comparison). {MISSED_MARK}: a",
        "row of the comparison missed its own precision target (`precision_met` = no).",
        "The paper's numbers are \"up to\" values on out-of-cache inputs against Three-Pass (the paper does not say",
        "which variant); a processor the paper did not measure is held to the claims the claims file's `held_to`",
        "names (the project's choice). Verdicts are in `CLAIMS.md`, not here. 1 thread, as in the paper.",
        "",
        summary_table(rows).rstrip("\n"),
        "",
        "Speedup at the largest n measured, for comparison:",
        "",
        "| processor | isa | preset | n | two-pass vs recompute | two-pass vs reload |",
        "|---|---|---|---:|---:|---:|",
    ]
    if not claims:
        parts.insert(4, "No claims file was read: the paper's claims are not shown, and the out-of-cache rule is the "
                        f"default factor {factor:g}.\n")
    for r in rows:
        points = [r.at_largest.get(v) for v in THREE_PASS]
        ns = sorted({p.n for p in points if p})
        cells = [speedup_cell(p.estimate, p.precision_missed) if p else "-" for p in points]
        parts.append(f"| {r.label} | {r.isa} | {r.preset or '-'} | {', '.join(_fmt_n(n) for n in ns)} | "
                     f"{cells[0]} | {cells[1]} |")
    parts += efficiency_markdown(drawn)
    parts += kernels_markdown(drawn)
    parts += labelled_sizes_markdown(processors)
    parts += multicore_markdown(processors)
    parts += batched_markdown([(p.id, p.batched, {k: v for f in p.files if _experiment_kind(f) == "batched"
                                                  for k, v in ((f.meta or {}).get("size_labels") or {}).items()})
                               for p in processors])
    parts += accuracy_markdown(processors)
    parts += ["", "Sources:", ""]
    for p in drawn:
        llc = p.llc_bytes
        srcs = ", ".join(f"`{f.csv_path.parent.name}/{f.csv_path.name}`" for f in p.files)
        commits = sorted({str(f.meta.get("git_commit")) for f in p.files if f.meta.get("git_commit")})
        note = sorted({str(f.meta["note"]) for f in p.files if f.meta.get("note")})
        line = (f"- {p.id}{f' ({p.run_label})' if p.run_label else ''}: {p.model_name}, {p.microarchitecture}, LLC "
                f"{_fmt_bytes(llc) if llc else 'unknown'}; {srcs}")
        if commits:
            line += f"; harness {', '.join(commits)}"
        if note:
            line += f"; NOTE: {' '.join(note)}"
        parts.append(line)
    return "\n".join(parts) + "\n"


def efficiency_estimate(r: dict) -> Estimate | None:
    """A pass row's roofline efficiency with its 95% CI (schema 4's columns); None without an efficiency."""
    value = r.get("efficiency", math.nan)
    if not isinstance(value, float) or math.isnan(value):
        return None
    low, high = r.get("efficiency_ci_low", math.nan), r.get("efficiency_ci_high", math.nan)
    if isinstance(low, float) and isinstance(high, float) and not (math.isnan(low) or math.isnan(high)):
        return Estimate(value, low, high)
    why = "no CI (schema < 4)" if "efficiency_ci_low" not in r else "no CI (fewer than 6 samples)"
    return Estimate(value, no_ci=why)


def efficiency_markdown(processors: list[Processor]) -> list[str]:
    """Each pass kernel's roofline efficiency at the largest n it was measured with a verdict."""
    lines = ["", "## Roofline efficiency of the passes", "",
             "How close each pass came to the larger of its two lower bounds on time (memory, compute; definitions in",
             "`results/README.md`), 1 meaning at it, with the runner's 95% CI (schema 4; older files have none), at the",
             "largest n measured.", "",
             "| processor | isa | pass | kernel | n | bound | efficiency |", "|---|---|---|---|---:|---|---:|"]
    count = len(lines)
    for proc in processors:
        name = proc.id + (f" ({proc.run_label})" if proc.run_label else "")
        rows = [r for r in proc.passes if r["kind"] == "pass" and efficiency_estimate(r)]
        largest: dict[tuple[str, str, str], dict] = {}
        for r in rows:
            key = (r["isa"], r["algorithm"], r["kernel"])
            if key not in largest or r["n"] > largest[key]["n"]:
                largest[key] = r
        for (isa, family, kernel), r in sorted(largest.items(),
                                               key=lambda kv: (_isa_order(kv[0][0]), _family_rank(kv[0][1]), kv[0][2])):
            lines.append(f"| {name} | {isa} | {family} | `{kernel}` | {_fmt_n(r['n'])} | "
                         f"{(r.get('roofline_bound') or '-').strip() or '-'} | {efficiency_estimate(r).text()} |")
    return lines if len(lines) > count else []


def kernels_markdown(processors: list[Processor]) -> list[str]:
    """The kernels behind every series the figures draw: the legends name algorithms and presets only."""
    lines = ["", "## Kernels drawn", "",
             "The figures' legends name algorithms, presets and pass families; the kernels behind them are these.", "",
             "| processor | isa | preset | series | kernels |", "|---|---|---|---|---|"]
    count = len(lines)
    for proc in processors:
        name = proc.id + (f" ({proc.run_label})" if proc.run_label else "")
        softmax = sorted({(r["isa"], r["preset"], r["algorithm"], r["kernel"]) for r in proc.softmax},
                         key=lambda k: (_isa_order(k[0]), k[1], _algorithm_rank(k[2]), k[3]))
        for isa, preset, algorithm, kernel in softmax:
            lines.append(f"| {name} | {isa} | {preset or '-'} | {algorithm} | `{kernel.replace('+', ' + ')}` |")
        passes = sorted({(r["isa"], r["algorithm"], r["kernel"]) for r in proc.passes if r["kind"] == "pass"},
                        key=lambda k: (_isa_order(k[0]), _family_rank(k[1]), k[2]))
        for isa in sorted({k[0] for k in passes}, key=_isa_order):
            for family in sorted({k[1] for k in passes if k[0] == isa}, key=_family_rank):
                kernels = [k[2] for k in passes if k[0] == isa and k[1] == family]
                lines.append(f"| {name} | {isa} | - | pass {family} | "
                             + ", ".join(f"`{k}` ({_variant(k)})" for k in kernels) + " |")
    return lines if len(lines) > count else []


def _algorithm_rank(a: str) -> tuple:
    return (SOFTMAX_ALGORITHMS.index(a) if a in SOFTMAX_ALGORITHMS else 9, a)


def _family_rank(f: str) -> tuple:
    return (PASS_FAMILIES.index(f) if f in PASS_FAMILIES else 99, f)


def _variant(kernel: str) -> str:
    """A pass kernel's variant as the passes figure's legend writes it: `raddextexp_avx2_x80_acc2` -> `x80 acc2`,
    `_nt` streaming stores."""
    parts = kernel.split("_")
    return " ".join(parts[2:]) if len(parts) > 2 else kernel


# --------------------------------------------------------------------------------------------------------------
# Accuracy

SUMMARY_RANGES = ("[-1,1]", "[-1e4,1e4]")  # the ranges the SUMMARY table names (unmasked rows)
DEGRADED_FACTOR = 2  # a window "degrades" when its max error exceeds twice the same series' worst up to 2^17


def parse_bound(text: str) -> float:
    """One bound of an input_range label: `-1e4`, `1e5+10`, `-1e5-10`, `131072`."""
    t = text.strip()
    sign = -1.0 if t.startswith("-") else 1.0
    body = t[1:] if t[:1] in "+-" else t
    # Split at a + or - that is not part of an exponent (`1e-3` stays whole): `1e5+10` is 1e5 plus 10.
    for i in range(1, len(body)):
        if body[i] in "+-" and body[i - 1] not in "eE":
            return sign * float(body[:i]) + float(body[i:])
    return sign * float(body)


def parse_range(label: str) -> tuple[float, float]:
    inner = label.strip().removeprefix("[").removesuffix("]")
    low, high = inner.split(",")
    return parse_bound(low), parse_bound(high)


def range_position(label: str) -> float:
    """Where a range sits on the figure's x axis: its largest |x|."""
    low, high = parse_range(label)
    return max(abs(low), abs(high))


def range_family(label: str) -> str:
    low, high = parse_range(label)
    return "symmetric" if low == -high else "windows"


FAMILY_TITLES = {"symmetric": "symmetric ranges [-a, a]", "windows": "narrow windows [c, c+w] at growing |x|"}


def _accuracy_preset(rows: list[dict]) -> str:
    presets = sorted({r["preset"] for r in rows}, key=lambda p: (p != "blend", p))
    return presets[0] if presets else ""


def _accuracy_algorithms(rows: list[dict]) -> list[str]:
    return sorted({r["algorithm"] for r in rows},
                  key=lambda a: (SOFTMAX_ALGORITHMS.index(a) if a in SOFTMAX_ALGORITHMS else 9, a))


def accuracy_summary(proc: Processor) -> list[dict]:
    """Per ISA, algorithm and n (one preset: blend where present): the unmasked errors at SUMMARY_RANGES, the
    worst error up to |x| = 2^17, the first window whose max error exceeds DEGRADED_FACTOR x that, and the
    ranges whose check failed."""
    preset = _accuracy_preset(proc.accuracy + proc.accuracy_failed)
    ok = [r for r in proc.accuracy if r["preset"] == preset]
    failed = [r for r in proc.accuracy_failed if r["preset"] == preset]
    out = []
    keys = sorted({(r["isa"], r["algorithm"], r["n"]) for r in ok + failed},
                  key=lambda k: (_isa_order(k[0]), _accuracy_algorithms(ok + failed).index(k[1]), k[2]))
    for isa, algorithm, n in keys:
        mine = [r for r in ok if (r["isa"], r["algorithm"], r["n"]) == (isa, algorithm, n)]
        fails = [r for r in failed if (r["isa"], r["algorithm"], r["n"]) == (isa, algorithm, n)]
        at = {}
        for label in SUMMARY_RANGES:
            row = next((r for r in mine if r["input_range"] == label and not r["mask"]), None)
            at[label] = (row["max_error_ulp"], row["mean_error_ulp"]) if row else None
        within = [r["max_error_ulp"] for r in mine if range_position(r["input_range"]) <= TWO_PASS_ACCURATE_LIMIT]
        baseline = max(within) if within else None
        degrades = None
        if baseline is not None:
            windows: dict[str, float] = {}
            for r in mine + fails:
                if range_family(r["input_range"]) == "windows" and range_position(r["input_range"]) > TWO_PASS_ACCURATE_LIMIT:
                    worst = math.inf if r["status"] != "ok" else r["max_error_ulp"]
                    windows[r["input_range"]] = max(windows.get(r["input_range"], 0.0), worst)
            for label in sorted(windows, key=range_position):
                if windows[label] > DEGRADED_FACTOR * max(baseline, 1.0):
                    degrades = (label, windows[label])
                    break
        out.append({"isa": isa, "algorithm": algorithm, "n": n, "preset": preset, "at": at, "baseline": baseline,
                    "degrades": degrades,
                    "failed": sorted({r["input_range"] for r in fails}, key=range_position)})
    return out


def compact(x: float) -> str:
    """A range bound as the figure's tick labels write it: 1, 10, 100, 1e3 .. 1e38, 3e38."""
    if x < 1000:
        return f"{x:g}"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def _fmt_ulp(v: float | None) -> str:
    if v is None:
        return "-"
    if math.isinf(v):
        return "failed"
    if v == 0:
        return "0"
    if v < 0.01:
        return "<0.01"
    return f"{v:.3g}" if v < 1000 else f"{v:.2e}"


def accuracy_markdown(processors: list[Processor]) -> list[str]:
    entries = [(p, e) for p in processors if p.accuracy or p.accuracy_failed for e in accuracy_summary(p)]
    if not entries:
        return []
    parts = ["", "## Accuracy against a float64 softmax", "",
             "Error of each output element against the float64 softmax of the same float32 inputs, in float32 ulps of",
             "the reference (definitions in `results/README.md`), over every element of every input of a configuration.",
             f"`{SUMMARY_RANGES[0]}` and `{SUMMARY_RANGES[1]}`: max / mean ulp, unmasked. `worst to 2^17`: the largest max",
             "error over every range (and mask) whose inputs stay within |x| <= 2^17, two-pass's accurate range.",
             f"`degrades from`: the first narrow window [c, c+w] beyond 2^17 whose max error exceeds {DEGRADED_FACTOR} x that",
             "worst (with its max error); `-` when none does. `failed`: ranges where an output was NaN or the outputs",
             "did not sum to 1 (error rows, no error value). At large n the float32 sum's rounding dominates every",
             "algorithm's error (inputs of a narrow window at large |x| take few distinct values, whose rounding errors",
             "add up rather than cancel), so a window can pass the threshold there without any range-reduction trouble.", "",
             f"| processor | isa | preset | algorithm | n | {SUMMARY_RANGES[0]} | {SUMMARY_RANGES[1]} | worst to 2^17 | "
             "degrades from | failed |",
             "|---|---|---|---|---:|---:|---:|---:|---|---|"]
    for p, e in entries:
        cells = []
        for label in SUMMARY_RANGES:
            v = e["at"][label]
            cells.append(f"{_fmt_ulp(v[0])} / {_fmt_ulp(v[1])}" if v else "-")
        d = e["degrades"]
        degrades = f"{d[0]} ({_fmt_ulp(d[1])})" if d else "-"
        parts.append(f"| {p.id} | {e['isa']} | {e['preset'] or '-'} | {e['algorithm']} | {_fmt_n(e['n'])} | "
                     + " | ".join(cells) + f" | {_fmt_ulp(e['baseline'])} | {degrades} | "
                     + (", ".join(e["failed"]) or "-") + " |")
    return parts


def figure_accuracy(proc: Processor):
    """Max (solid) and mean (dashed) error in ulps against the input range's largest |x|, unmasked, one line
    per algorithm; masked inputs' max error as hollow markers; failed checks as X at the top. Panels: one
    column per ISA, one row per size and range family (symmetric ranges, narrow windows)."""
    plt = _plt()
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory
    every = proc.accuracy + proc.accuracy_failed
    preset = _accuracy_preset(every)
    ok = [r for r in proc.accuracy if r["preset"] == preset]
    failed = [r for r in proc.accuracy_failed if r["preset"] == preset]
    rows = ok + failed
    isas = sorted({r["isa"] for r in rows}, key=_isa_order)
    sizes = sorted({r["n"] for r in rows})
    families = [f for f in ("symmetric", "windows") if any(range_family(r["input_range"]) == f for r in rows)]
    algorithms = _accuracy_algorithms(rows)
    masks = []
    for r in rows:
        if r["mask"] and r["mask"] not in masks:
            masks.append(r["mask"])
    panels = [(n, f) for n in sizes for f in families]
    # Symmetric ranges reach from 1 to 3e38: evenly spaced categories keep the small ones apart (a log axis
    # would spend most of its width on the empty decades between 1e8 and 1e38). Windows use a log axis.
    categories = sorted({range_position(r["input_range"]) for r in rows if range_family(r["input_range"]) == "symmetric"})

    def place(family: str, position: float) -> float:
        if family != "symmetric":
            return position
        if position in categories:
            return float(categories.index(position))
        for k in range(len(categories) - 1):
            lo, hi = categories[k], categories[k + 1]
            if lo < position < hi:
                return k + (math.log(position) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return math.nan

    def dodge(family: str, position: float, k: int) -> float:
        return place(family, position) + 0.08 * (k + 1) if family == "symmetric" else position * 10 ** (0.04 * (k + 1))
    fig, axes = plt.subplots(len(panels), len(isas), figsize=(5.0 * len(isas), 3.5 * len(panels)), squeeze=False,
                             sharey=True)
    worst = max([r["max_error_ulp"] for r in ok] + [10.0])
    for i, (n, family) in enumerate(panels):
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            here = [r for r in rows if r["isa"] == isa and r["n"] == n and range_family(r["input_range"]) == family]
            for index, algorithm in enumerate(algorithms):
                color = _algorithm_color(algorithm, algorithms)
                # Algorithms often agree to the ulp: later lines are thinner so the earlier ones show around them.
                width = max(2.4 - 0.45 * index, 0.9)
                mine = [r for r in here if r["algorithm"] == algorithm]
                plain = sorted((r for r in mine if r["status"] == "ok" and not r["mask"]),
                               key=lambda r: range_position(r["input_range"]))
                x = [place(family, range_position(r["input_range"])) for r in plain]
                for column, ls, marker in (("max_error_ulp", "-", "o"), ("mean_error_ulp", "--", None)):
                    line, = ax.plot(x, [max(r[column], ULP_FLOOR) for r in plain], ls=ls, marker=marker, ms=3.5,
                                    color=color, lw=width if ls == "-" else 0.8 * width)
                    line.set_gid(_gid("accuracy", isa, n, family, algorithm, column))
                for k, mask in enumerate(masks):
                    pts = [r for r in mine if r["status"] == "ok" and r["mask"] == mask]
                    # A small dodge keeps the masks' markers apart at the same range.
                    line, = ax.plot([dodge(family, range_position(r["input_range"]), k) for r in pts],
                                    [max(r["max_error_ulp"], ULP_FLOOR) for r in pts], ls="none",
                                    marker=MASK_MARKERS[k % len(MASK_MARKERS)], ms=4, mfc="none", mew=0.9, color=color,
                                    alpha=0.85)
                    line.set_gid(_gid("accuracy", isa, n, family, algorithm, "mask", mask))
                bad = [r for r in mine if r["status"] != "ok"]
                if bad:
                    trans = blended_transform_factory(ax.transData, ax.transAxes)
                    line, = ax.plot([place(family, range_position(r["input_range"])) for r in bad], [0.93] * len(bad), ls="none",
                                    marker="X", ms=8, color=color, mec="black", mew=0.5, transform=trans, clip_on=False)
                    line.set_gid(_gid("accuracy", isa, n, family, algorithm, "failed"))
            xs = [range_position(r["input_range"]) for r in here]
            for limit, ls in ((TWO_PASS_ACCURATE_LIMIT, ":"), (TWO_PASS_FINITE_LIMIT, "-.")):
                if xs and min(xs) <= limit <= max(xs) and not math.isnan(place(family, limit)):
                    ax.axvline(place(family, limit), color="0.3", ls=ls, lw=1.0)
            if family == "symmetric":
                ax.set_xticks(range(len(categories)), [compact(c) for c in categories], fontsize=7.5)
                ax.set_xlim(-0.5, len(categories) - 0.3)
                ax.grid(axis="x", visible=False)
                ax.set_xlabel("a in the input range [-a, a]")
            else:
                ax.set_xscale("log")
                ax.set_xlabel("c in the window [c, c+w] (largest |x| about c)")
            ax.set_yscale("log")
            ax.set_ylim(ULP_FLOOR * 0.6, worst * 30)
            ax.set_title(f"{isa}, n = {_fmt_n(n)}: {FAMILY_TITLES[family]}", fontsize=9)
            if j == 0:
                ax.set_ylabel("error (float32 ulps of the float64 softmax)")
    handles = [Line2D([], [], color=_algorithm_color(a, algorithms), marker="o", ms=3.5, lw=1.3, label=a)
               for a in algorithms]
    handles += [Line2D([], [], color="0.3", lw=1.3, marker="o", ms=3.5, label="max error, unmasked"),
                Line2D([], [], color="0.3", lw=1.0, ls="--", label="mean error, unmasked (outputs >= FLT_MIN)")]
    handles += [Line2D([], [], color="0.3", ls="none", marker=MASK_MARKERS[k % len(MASK_MARKERS)], mfc="none",
                       label=f"max error, mask {mask}") for k, mask in enumerate(masks)]
    if failed:
        handles.append(Line2D([], [], color="0.6", mec="black", ls="none", marker="X", ms=8,
                              label="check failed (NaN output or sum != 1): no error value"))
    handles += [Line2D([], [], color="0.3", ls=":", lw=1.0, label="|x| = 2^17: two-pass's accurate range ends"),
                Line2D([], [], color="0.3", ls="-.", lw=1.0, label="|x| = FLT_MAX x ln2 = 2.36e38: two-pass counts it as inf")]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False)
    fig.suptitle(f"{proc.title}: softmax error against float64 by input range, preset {preset or '-'}, errors "
                 f"<= {ULP_FLOOR:g} ulp drawn at {ULP_FLOOR:g}  [{proc.id}]", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_size_inches()[1]))  # room for the title (0.3 in)
    return fig


def _fmt_bytes(b: float) -> str:
    if b >= 2 ** 20:
        return f"{b / 2 ** 20:.4g} MiB"
    if b >= 2 ** 10:
        return f"{b / 2 ** 10:.4g} KiB"
    return f"{b:g} B"


# --------------------------------------------------------------------------------------------------------------
# Figures


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 8, "axes.titlesize": 8, "legend.fontsize": 7.5,
        "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "softmax-repro",
    })
    return plt


# Panels sized for one column of a two-column paper (about 3.4 in wide), fonts readable at 100% zoom.
PANEL_WIDTH = 3.4
PANEL_HEIGHT = 2.6
BAND_ALPHA = 0.2
CI_BAND_LABEL = "band: 95% CI of the median"
CLAIM_BOX = {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}


def _llc_markers(ax, proc: Processor, label: bool = False):
    """Two vertical lines: n = LLC/4 (x alone fills the LLC) and n = LLC/8 (x and y, 8n bytes, fill it)."""
    b = proc.llc_bytes
    if not b:
        return
    ax.axvline(b / 4, color="0.25", ls="--", lw=0.9,
               label=f"LLC {_fmt_bytes(b)}: n = LLC/4 = {_fmt_n(b / 4)} (x alone fills it)" if label else None)
    ax.axvline(b / 8, color="0.25", ls=":", lw=0.9,
               label=f"n = LLC/8 = {_fmt_n(b / 8)} (x + y, 8n B, fill the LLC)" if label else None)


def _llc_handles():
    from matplotlib.lines import Line2D
    return [Line2D([], [], color="0.25", ls="--", lw=0.9, label="n = LLC/4: x alone fills the last-level cache"),
            Line2D([], [], color="0.25", ls=":", lw=0.9, label="n = LLC/8: x and y together fill it")]


def _band_handle(label: str = CI_BAND_LABEL):
    from matplotlib.patches import Patch
    return Patch(color="0.5", alpha=BAND_ALPHA + 0.1, lw=0, label=label)


def _save(fig, out: Path, stem: str, written: list[Path]):
    out.mkdir(parents=True, exist_ok=True)
    for ext, meta in (("png", {"Software": "softmax-repro plots"}), ("svg", {"Date": None})):
        p = out / f"{stem}.{ext}"
        fig.savefig(p, dpi=DPI, bbox_inches="tight", metadata=meta)
        written.append(p)
        log(f"wrote {p}")


def _series_style(preset: str, presets: list[str]) -> str:
    if preset in PRESET_STYLES:
        return PRESET_STYLES[preset]
    return EXTRA_STYLES[presets.index(preset) % len(EXTRA_STYLES)] if preset in presets else "-"


def _algorithm_color(algorithm: str, algorithms: list[str]) -> str:
    if algorithm in ALGORITHM_COLORS:
        return ALGORITHM_COLORS[algorithm]
    extras = [a for a in algorithms if a not in ALGORITHM_COLORS]
    return EXTRA_COLORS[extras.index(algorithm) % len(EXTRA_COLORS)]


def _gid(*parts) -> str:
    return "|".join(str(p) for p in parts)


def _yerr(estimates: list[Estimate | None]):
    """Error bar lengths (below, above) for matplotlib; 0 where there is no CI (the text says why)."""
    below = [e.value - e.low if e and e.has_ci else 0.0 for e in estimates]
    above = [e.high - e.value if e and e.has_ci else 0.0 for e in estimates]
    return [below, above]


def _band(ax, xs, estimates: list[Estimate], color: str, gid: str | None = None):
    """The CI of each point as a band; points without a CI leave a gap (never a band of zero width)."""
    lows = [e.low if e.has_ci else math.nan for e in estimates]
    highs = [e.high if e.has_ci else math.nan for e in estimates]
    if all(math.isnan(v) for v in lows):
        return None
    band = ax.fill_between(xs, lows, highs, color=color, alpha=BAND_ALPHA, lw=0)
    if gid:
        band.set_gid(gid)
    return band


def _legend_below(fig, handles, ncol: int = 2):
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False,
               fontsize=7.5)


def _ordered_presets(presets) -> list[str]:
    return sorted(set(presets), key=lambda p: (p not in PRESET_STYLES, p))


def _preset_handles(presets: list[str]):
    from matplotlib.lines import Line2D
    return [Line2D([], [], color="0.2", ls=_series_style(p, presets), lw=1.3, label=f"preset {p or '-'}")
            for p in presets]


def _run_tag(proc: Processor) -> str:
    """The processor in a figure's element ids: `<id>`, or `<id>@reference` for a reference run."""
    return f"{proc.id}@reference" if proc.is_reference else proc.id


def _panel_title(proc: Processor, isa: str, extra: str = "") -> str:
    title = f"{proc.id}, {isa}"
    if proc.run_label:
        title += f"\n{proc.run_label}"
    if extra:
        title += f"\n{extra}"
    return title


def _grid(plt, processors: list[Processor], isas: list[str], extra_height: float = 0.0, sharey="col"):
    """One row per processor (a reference run below the run it belongs to), one column per ISA; the same n axis
    everywhere and the same y axis down each column (sharey="col": an ISA's panels compare across processors)
    or in every panel (sharey=True, for ratios)."""
    fig, axes = plt.subplots(len(processors), len(isas), squeeze=False, sharex=True, sharey=sharey,
                             figsize=(PANEL_WIDTH * len(isas), (PANEL_HEIGHT + extra_height) * len(processors)))
    return fig, axes


def _not_measured(ax, proc: Processor, isa: str, what: str):
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"{proc.id}, {isa}:\n{what}", ha="center", va="center", fontsize=8, color="0.4",
            transform=ax.transAxes)


def _size_axis(ax):
    ax.set_xscale("log")


def _finish_grid(axes, ylabel: str, xlabel: str = "n (elements, float32)", right=None, from_zero: bool = True):
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


def _isas_of(processors: list[Processor], rows_of) -> list[str]:
    return sorted({r["isa"] for p in processors for r in rows_of(p)}, key=_isa_order)


def _throughput_panel(ax, proc: Processor, isa: str, algorithms: list[str], presets: list[str],
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
        color = _algorithm_color(algorithm, algorithms)
        marker = markers[kernels_per[(preset, algorithm)].index(kernel) % len(markers)]
        tag = ("softmax_per_read" if scale else "softmax", _run_tag(proc), isa, preset, algorithm, kernel)
        line, = ax.plot(n, [e.value for e in est], ls=_series_style(preset, presets), marker=marker, ms=2.8,
                        lw=1.1, color=color)
        line.set_gid(_gid(*tag))
        _band(ax, n, est, color, _gid(*tag, "ci"))
    return True


def _softmax_legend(algorithms: list[str], presets: list[str], processors: list[Processor], extra=()):
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=_algorithm_color(a, algorithms), lw=1.3, marker="o", ms=3, label=a)
               for a in algorithms]
    kernel_sets = {}
    for p in processors:
        for r in p.softmax:
            kernel_sets.setdefault((p.id, p.is_reference, r["isa"], r["preset"], r["algorithm"]), set()).add(r["kernel"])
    if any(len(k) > 1 for k in kernel_sets.values()):
        handles.append(Line2D([], [], color="0.3", ls="none", marker="s", ms=3,
                              label="other marker: another kernel set of the preset (SUMMARY.md)"))
    return handles + _preset_handles(presets) + [_band_handle()] + list(extra) + _llc_handles()


def figure_throughput(processors: list[Processor]):
    """Throughput against n, one panel per processor and ISA: the median of every algorithm and preset with
    the 95% CI of the median as a band; right axis the paper's effective GB/s (8 B/element)."""
    plt = _plt()
    drawn = [p for p in processors if p.softmax]
    isas = _isas_of(drawn, lambda p: p.softmax)
    algorithms = sorted({r["algorithm"] for p in drawn for r in p.softmax}, key=_algorithm_rank)
    presets = _ordered_presets(r["preset"] for p in drawn for r in p.softmax)
    fig, axes = _grid(plt, drawn, isas)
    for i, proc in enumerate(drawn):
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            if not _throughput_panel(ax, proc, isa, algorithms, presets):
                _not_measured(ax, proc, isa, "not measured")
                continue
            _llc_markers(ax, proc)
            _size_axis(ax)
            ax.set_title(_panel_title(proc, isa), fontsize=8)
    _finish_grid(axes, "10$^9$ elements/s (x 8 = effective GB/s)")
    fig.suptitle("Softmax throughput, 1 thread", fontsize=10)
    fig.tight_layout()
    _legend_below(fig, _softmax_legend(algorithms, presets, drawn), ncol=3)
    return fig


def read_bandwidth(proc: Processor, claims: Claims | None) -> tuple[float, str] | None:
    """The processor's measured read bandwidth (GB/s): the `read` reference of the passes experiment, the median
    over its out-of-cache sizes (else its largest n), of the ISA that reads fastest there; with a description."""
    refs = [r for r in proc.passes if r["kind"] == "reference" and r["algorithm"] == "read"]
    if not refs:
        return None
    threshold = out_of_cache_threshold(proc, claims)
    best = None
    for isa in sorted({r["isa"] for r in refs}, key=_isa_order):
        mine = [r for r in refs if r["isa"] == isa]
        far = [r for r in mine if threshold and r["n"] >= threshold]
        where = f"n >= {_fmt_n(threshold)}" if far else f"n = {_fmt_n(max(r['n'] for r in mine))}, none out of cache"
        far = far or [max(mine, key=lambda r: r["n"])]
        gbps = statistics.median(_real_gbps(r) for r in far)
        if best is None or gbps > best[0]:
            best = (gbps, f"read {gbps:.1f} GB/s ({isa}, {where})")
    return best


def figure_throughput_per_read_bandwidth(processors: list[Processor], claims: Claims | None):
    """Throughput as a multiple of the processor's read bandwidth in floats per second (read GB/s / 4 B): 1 means
    a whole softmax as fast as one read of x. Machines with different memory systems compare on it."""
    plt = _plt()
    drawn = [p for p in processors if p.softmax and read_bandwidth(p, claims)]
    isas = _isas_of(drawn, lambda p: p.softmax)
    algorithms = sorted({r["algorithm"] for p in drawn for r in p.softmax}, key=_algorithm_rank)
    presets = _ordered_presets(r["preset"] for p in drawn for r in p.softmax)
    fig, axes = _grid(plt, drawn, isas, extra_height=0.2)
    for i, proc in enumerate(drawn):
        gbps, described = read_bandwidth(proc, claims)
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            if not _throughput_panel(ax, proc, isa, algorithms, presets, scale=gbps * 1e9 / 4):
                _not_measured(ax, proc, isa, "not measured")
                continue
            ax.axhline(1.0, color="black", lw=0.7)
            _llc_markers(ax, proc)
            _size_axis(ax)
            ax.set_title(_panel_title(proc, isa, described), fontsize=8)
    _finish_grid(axes, "throughput / read bandwidth")
    fig.suptitle("Softmax throughput relative to the machine's read bandwidth, 1 thread", fontsize=10)
    fig.tight_layout()
    from matplotlib.lines import Line2D
    one = Line2D([], [], color="black", lw=0.7, label="1 = as fast as one read of x (4 B/element)")
    _legend_below(fig, _softmax_legend(algorithms, presets, drawn, extra=[one]), ncol=3)
    return fig


def figure_speedup(processors: list[Processor], claims: Claims | None = None):
    """Speedup of two-pass against n, one panel per processor and ISA: against each three-pass variant and per
    preset, the median of paired time ratios with its 95% CI as a band; the bandwidth-bound ideals; the
    paper's claim where one applies to the processor (labelled as the project's choice where the processor
    is not the paper's)."""
    plt = _plt()
    from matplotlib.lines import Line2D
    drawn = [p for p in processors if speedups(p)]
    per = {id(p): speedups(p) for p in drawn}
    isas = sorted({k[0] for p in drawn for k in per[id(p)]}, key=_isa_order)
    presets = _ordered_presets(k[1] for p in drawn for k in per[id(p)])
    values = [pt.estimate for p in drawn for pts in per[id(p)].values() for pt in pts]
    top = max([e.high if e.has_ci else e.value for e in values] + [1.75])
    bottom = min([e.low if e.has_ci else e.value for e in values] + [0.9])
    fig, axes = _grid(plt, drawn, isas, extra_height=0.2, sharey=True)
    any_claim = any_text_claim = False
    for i, proc in enumerate(drawn):
        sp = per[id(proc)]
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            if not any(k[0] == isa for k in sp):
                measured = any(r["isa"] == isa for r in proc.softmax)
                _not_measured(ax, proc, isa, "no size with two-pass and three-pass" if measured else "not measured")
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
                                    ls=_series_style(preset, presets))
                    line.set_gid(_gid("speedup", _run_tag(proc), isa, preset, variant))
                    _band(ax, xs, [p.estimate for p in pts], color, _gid("speedup", _run_tag(proc), isa, preset, variant, "ci"))
            all_n = [p.n for k, pts in sp.items() if k[0] == isa for p in pts]
            threshold = out_of_cache_threshold(proc, claims) or min(all_n)
            # The claims' labels go to the panel's top left, where small sizes leave room (speedups there
            # stay near or below 1); a claimed number is also a line with a star over the out-of-cache sizes.
            for k, mark in enumerate(claim_marks(proc, isa, claims)):
                prefix = "" if mark.value is None else "\u2605 "
                ax.text(0.03, 0.96 - 0.17 * k, prefix + mark.label.replace(" (held", "\n(held"),
                        transform=ax.transAxes, fontsize=6.5, ha="left", va="top", color="0.1", bbox=CLAIM_BOX,
                        style="italic" if mark.value is None else "normal")
                if mark.value is None:
                    any_text_claim = True
                    continue
                x1 = max(all_n)
                line, = ax.plot([min(threshold, x1), x1], [mark.value] * 2, color="black", ls=(0, (1, 1)), lw=1.8,
                                marker="*", ms=7, markevery=[1])
                line.set_gid(_gid("claim", _run_tag(proc), isa, mark.claim_id))
                any_claim = True
            _llc_markers(ax, proc)
            ax.set_xscale("log")
            ax.set_ylim(min(0.9, bottom - 0.05), top + 0.12)
            ax.set_title(_panel_title(proc, isa), fontsize=8)
    _finish_grid(axes, "two-pass speedup (x)", from_zero=False)
    handles = [Line2D([], [], color=ALGORITHM_COLORS[v], lw=1.3, marker="o", ms=3, label=f"vs {v}")
               for v in THREE_PASS]
    handles += _preset_handles(presets) + [_band_handle("band: 95% CI of the paired median")]
    handles += [Line2D([], [], color="0.4", ls=IDEAL_STYLES[0], lw=0.8,
                       label="ideal, bandwidth bound (16/12 vs recompute, 20/12 vs reload)"),
                Line2D([], [], color="0.4", ls=IDEAL_STYLES[1], lw=0.8,
                       label="ideal with write-allocate (20/16, 24/16)")]
    if any_claim:
        handles.append(Line2D([], [], color="black", ls=(0, (1, 1)), lw=1.8, marker="*", ms=7,
                              label="\u2605 paper's claim, drawn over the out-of-cache sizes"))
    if any_text_claim:
        handles.append(Line2D([], [], color="none", label="italic: the paper's claim without a number"))
    fig.suptitle("Speedup of two-pass softmax (median of paired time ratios), 1 thread", fontsize=10)
    fig.tight_layout()
    _legend_below(fig, handles + _llc_handles(), ncol=2)
    return fig


def _family_color(family: str) -> str:
    palette = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
               "tab:olive", "tab:cyan")
    i = PASS_FAMILIES.index(family) if family in PASS_FAMILIES else len(PASS_FAMILIES) + sum(map(ord, family)) % 2
    return palette[i % len(palette)]


def _is_streaming(kernel: str) -> bool:
    return "_nt" in kernel


def _passes_panel(ax, proc: Processor, isa: str) -> str | None:
    """Real GB/s of every pass kernel of one ISA (median, 95% CI band) and the memory references; None when the
    processor has no pass rows at this ISA, else a note for the title."""
    passes = [r for r in proc.passes if r["kind"] == "pass" and r["isa"] == isa]
    if not passes:
        return None
    refs = [r for r in proc.passes if r["kind"] == "reference" and r["isa"] == isa]
    note = ""
    if not refs:
        refs = [r for r in proc.passes if r["kind"] == "reference"]
        if refs:
            note = f"references measured as {', '.join(sorted({r['isa'] for r in refs}, key=_isa_order))}"
    by_kernel: dict[tuple[str, str], list[dict]] = {}
    for r in passes:
        by_kernel.setdefault((r["algorithm"], r["kernel"]), []).append(r)
    rank: dict[str, list[str]] = {}
    for family, kernel in sorted(by_kernel, key=lambda k: (_family_rank(k[0]), k[1])):
        plain = kernel.replace("_nt", "")
        rank.setdefault(family, [])
        if plain not in rank[family]:
            rank[family].append(plain)
    for family, kernel in sorted(by_kernel, key=lambda k: (_family_rank(k[0]), k[1])):
        pts = sorted(by_kernel[(family, kernel)], key=lambda r: r["n"])
        color = _family_color(family)
        n = [r["n"] for r in pts]
        est = [time_estimate(r).map(lambda t, r=r: r["bytes_per_element"] * r["n"] / t / 1e9) for r in pts]
        marker = PASS_MARKERS[rank[family].index(kernel.replace("_nt", "")) % len(PASS_MARKERS)]
        line, = ax.plot(n, [_real_gbps(r) for r in pts], marker=marker, ms=2.8, color=color, lw=1.1,
                        ls="--" if _is_streaming(kernel) else "-")
        line.set_gid(_gid("pass", _run_tag(proc), isa, family, kernel))
        _band(ax, n, est, color, _gid("pass", _run_tag(proc), isa, family, kernel, "ci"))
    by_ref: dict[tuple[str, str, str], list[dict]] = {}
    for r in refs:
        by_ref.setdefault((r["algorithm"], r["isa"], r["kernel"]), []).append(r)
    for (name, risa, kernel) in sorted(by_ref, key=lambda k: (REFERENCES.index(k[0]) if k[0] in REFERENCES else 9, k)):
        pts = sorted(by_ref[(name, risa, kernel)], key=lambda r: r["n"])
        color, marker = REFERENCE_STYLES.get(name, ("0.5", "x"))
        line, = ax.plot([r["n"] for r in pts], [_real_gbps(r) for r in pts], color=color, ls=":", lw=1.5,
                        marker=marker, ms=3, mfc="none")
        line.set_gid(_gid("reference", _run_tag(proc), risa, name, kernel))
    return note


def figure_passes(processors: list[Processor]):
    """Real bandwidth of every pass kernel alone against n, one panel per processor and ISA, with the memory
    reference loops; colour = pass family, dashed = streaming stores, marker = variant (kernels in SUMMARY.md)."""
    plt = _plt()
    from matplotlib.lines import Line2D
    drawn = [p for p in processors if any(r["kind"] == "pass" for r in p.passes)]
    isas = _isas_of(drawn, lambda p: [r for r in p.passes if r["kind"] == "pass"])
    families = sorted({r["algorithm"] for p in drawn for r in p.passes if r["kind"] == "pass"}, key=_family_rank)
    references = sorted({r["algorithm"] for p in drawn for r in p.passes if r["kind"] == "reference"},
                        key=lambda a: (REFERENCES.index(a) if a in REFERENCES else 9, a))
    fig, axes = _grid(plt, drawn, isas, extra_height=0.1)
    for i, proc in enumerate(drawn):
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            note = _passes_panel(ax, proc, isa)
            if note is None:
                _not_measured(ax, proc, isa, "not measured")
                continue
            _llc_markers(ax, proc)
            _size_axis(ax)
            ax.set_title(_panel_title(proc, isa, note), fontsize=8)
    _finish_grid(axes, "real GB/s")
    handles = [Line2D([], [], color=_family_color(f), lw=1.3, label=f) for f in families]
    handles += [Line2D([], [], color=REFERENCE_STYLES.get(r, ("0.5", "x"))[0], ls=":", lw=1.5,
                       marker=REFERENCE_STYLES.get(r, ("0.5", "x"))[1], ms=3, mfc="none", label=f"reference {r}")
                for r in references]
    handles += [Line2D([], [], color="tab:gray", ls="--", lw=1.1, label="streaming stores (_nt kernels)"),
                Line2D([], [], color="0.3", ls="none", marker=PASS_MARKERS[1], ms=3,
                       label="marker: another variant of the family (SUMMARY.md)"),
                _band_handle()]
    fig.suptitle("Pass kernels alone: real bandwidth (bytes per element x n / median time), 1 thread", fontsize=10)
    fig.tight_layout()
    _legend_below(fig, handles + _llc_handles(), ncol=3)
    return fig


def _real_gbps(r: dict) -> float:
    """The real_gbps column (bytes_per_element x n / median_s / 1e9); recomputed only where the cell is empty."""
    v = r["real_gbps"]
    return v if not math.isnan(v) else _gbps(r, "median_s")


def _gbps(r: dict, col: str) -> float:
    t = r[col]
    return r["bytes_per_element"] * r["n"] / t / 1e9 if t > 0 else math.nan


def figure_summary(rows: list[SummaryRow], claims: Claims | None = None):
    """Bars: out-of-cache speedup per processor/ISA/preset against both three-pass variants, with the 95% CI;
    the paper's claims where they apply."""
    plt = _plt()
    import numpy as np
    factor = out_of_cache_factor(claims)
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(PANEL_WIDTH * 2, 0.55 * len(rows) + 1.5), 3.6))
    x = np.arange(len(rows))
    tops = [1.75]
    for j, variant in enumerate(THREE_PASS):
        estimates = [r.values.get(variant) for r in rows]
        xs = x + (j - 0.5) * width
        bars = ax.bar(xs, [e.value if e else 0 for e in estimates], width, color=ALGORITHM_COLORS[variant],
                      edgecolor="white", lw=0.5, yerr=_yerr(estimates), capsize=2,
                      error_kw={"lw": 0.8, "ecolor": "black"})
        # A plain patch in the legend (a bar's own would carry the first bar's hatching).
        ax.bar([0], [0], 0, color=ALGORITHM_COLORS[variant], label=f"vs {variant}")
        for b, e, r in zip(bars, estimates, rows):
            b.set_gid(_gid("summary", r.processor + ("@reference" if r.is_reference else ""), r.isa, r.preset, variant))
            if r.method != "median":
                b.set_hatch("//")
            if e is not None:
                ax.annotate(f"{e.value:.2f}", (b.get_x() + b.get_width() / 2, min(e.value, 1.0) / 2), ha="center",
                            va="center", fontsize=6.5, color="white", fontweight="bold", rotation=90)
                tops.append(e.high if e.has_ci else e.value)
    claimed = False
    for i, r in enumerate(rows):
        for mark in r.claims:
            if mark.value is None:
                ax.annotate("paper:\nfaster", (i, 1.0), xytext=(0, 3), textcoords="offset points", ha="center",
                            va="bottom", fontsize=6.5, style="italic", bbox=CLAIM_BOX)
                continue
            line, = ax.plot([i - width, i + width], [mark.value] * 2, color="black", lw=1.8, marker="*", ms=7,
                            markevery=[0], label=None if claimed else "paper's claim, up to (SUMMARY.md says whose)")
            line.set_gid(_gid("summary-claim", r.processor + ("@reference" if r.is_reference else ""), r.isa, r.preset))
            claimed = True
            tops.append(mark.value)
    ax.axhline(1.0, color="black", lw=0.8)
    for value, ls, text in ((4 / 3, "-", "1.33"), (5 / 3, "-", "1.67"), (1.25, "--", "1.25"), (1.5, "--", "1.5")):
        ax.axhline(value, color="0.6", ls=ls, lw=0.7, zorder=0)
        ax.annotate(text, (1.0, value), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=6.5, color="0.35")
    ax.plot([], [], color="0.6", ls="-", lw=0.8, label="ideal, bandwidth bound (1.33 / 1.67)")
    ax.plot([], [], color="0.6", ls="--", lw=0.8, label="ideal with write-allocate (1.25 / 1.5)")
    ax.plot([], [], color="black", lw=0.8, marker="|", ms=6, ls="none", label="error bar: 95% CI")
    if any(r.method != "median" for r in rows):
        ax.bar([0], [0], color="white", edgecolor="0.3", hatch="//",
               label=f"hatched: largest n (none >= {factor:g}xLLC)")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{r.processor}{' (reference)' if r.is_reference else ''}\n{r.isa}" + (f", {r.preset}" if r.preset else "")
                        for r in rows], fontsize=6.5, rotation=30 if len(rows) > 6 else 0,
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


# --------------------------------------------------------------------------------------------------------------
# Multi-core


def _threads(r: dict) -> int:
    try:
        return int(float(r.get("threads") or 1))
    except ValueError:
        return 1


def multicore_points(proc: Processor) -> dict[tuple[str, str], dict]:
    """(isa, preset) -> {"n": the largest n measured, "placements": {placement: {threads: {algorithm or
    reference name: row}}}}. One-thread rows (placement empty) belong to every placement's line."""
    out: dict[tuple[str, str], dict] = {}
    by_isa: dict[str, list[dict]] = {}
    for r in proc.multicore:
        by_isa.setdefault(r["isa"], []).append(r)
    for isa, rows in by_isa.items():
        n = max(r["n"] for r in rows)
        at_n = [r for r in rows if r["n"] == n]
        placements = sorted({(r.get("placement") or "").strip() for r in at_n} - {""}) or ["compact"]
        presets = sorted({r["preset"] for r in at_n if r["kind"] == "softmax"})
        for preset in presets:
            table: dict[str, dict[int, dict[str, dict]]] = {p: {} for p in placements}
            for r in at_n:
                if r["kind"] == "softmax" and r["preset"] != preset:
                    continue
                placement = (r.get("placement") or "").strip()
                for p in ([placement] if placement else placements):
                    table[p].setdefault(_threads(r), {})[r["algorithm"]] = r
            out[(isa, preset)] = {"n": n, "placements": table}
    return out


def figure_multicore(proc: Processor):
    """Top: real GB/s of each algorithm (its traffic / median time, 95% CI error bars) and of the read and copy
    references against the number of threads, at the largest n; bottom: the two-pass speedups against threads
    (paired medians, 95% CI as error bars), with the bandwidth-bound ideals. Solid: compact placement, dashed:
    scattered."""
    plt = _plt()
    from matplotlib.lines import Line2D
    pts = multicore_points(proc)
    keys = sorted(pts, key=lambda k: (_isa_order(k[0]), k[1] not in PRESET_STYLES, k[1]))
    fig, axes = plt.subplots(2, len(keys), figsize=(PANEL_WIDTH * len(keys), 2 * PANEL_HEIGHT + 0.4), squeeze=False,
                             sharey="row")
    placement_styles = {"compact": "-", "scattered": "--"}
    algorithms = sorted({a for data in pts.values() for per in data["placements"].values() for t in per.values()
                         for a in t if a not in REFERENCES}, key=_algorithm_rank)
    references = [ref for ref in ("read", "copy", "copy_nt") if any(
        ref in t for data in pts.values() for per in data["placements"].values() for t in per.values())]
    placements = sorted({p for data in pts.values() for p in data["placements"]})
    for col, key in enumerate(keys):
        isa, preset = key
        data = pts[key]
        top, bottom = axes[0][col], axes[1][col]
        all_threads = sorted({t for per in data["placements"].values() for t in per})
        for placement, per in data["placements"].items():
            ls = placement_styles.get(placement, ":")
            threads = sorted(per)
            for a in algorithms + references:
                xs = [t for t in threads if a in per[t]]
                if not xs:
                    continue
                if a in REFERENCES:
                    color, marker = REFERENCE_STYLES[a]
                else:
                    color, marker = _algorithm_color(a, algorithms), "o"
                est = [time_estimate(per[t][a]).map(
                    lambda s, r=per[t][a]: r["bytes_per_element"] * r["n"] / s / 1e9) for t in xs]
                # Two or three thread counts: error bars, not a band interpolated between them.
                container = top.errorbar(xs, [_real_gbps(per[t][a]) for t in xs], yerr=_yerr(est), marker=marker,
                                         ms=3, ls=ls, lw=1.1, capsize=2, elinewidth=0.8, color=color,
                                         mfc="none" if a in REFERENCES else color)
                container.lines[0].set_gid(_gid("multicore", isa, preset, placement, a))
            for variant in THREE_PASS:
                xs = [t for t in threads if "two-pass" in per[t] and variant in per[t]]
                est = [paired_estimate(per[t][variant], per[t]["two-pass"]) for t in xs]
                container = bottom.errorbar(xs, [e.value for e in est], yerr=_yerr(est), marker="o", ms=3, ls=ls,
                                            lw=1.1, capsize=2, color=ALGORITHM_COLORS[variant])
                container.lines[0].set_gid(_gid("multicore-speedup", isa, preset, placement, variant))
        for variant in THREE_PASS:
            for (value, _text), ls in zip(IDEAL[variant], IDEAL_STYLES):
                bottom.axhline(value, color=ALGORITHM_COLORS[variant], ls=ls, lw=0.7, alpha=0.6)
        bottom.axhline(1.0, color="black", lw=0.7)
        for ax in (top, bottom):
            ax.set_xticks(all_threads)
            ax.grid(alpha=0.3)
        bottom.set_xlabel("threads (one per core)")
        top.set_ylim(bottom=0)
        top.set_title(f"{isa}, {preset}: n = {_fmt_n(data['n'])}", fontsize=8)
        if col == 0:
            top.set_ylabel("real GB/s (all threads)")
            bottom.set_ylabel("two-pass speedup (x)")
    handles = [Line2D([], [], color=_algorithm_color(a, algorithms), marker="o", ms=3, lw=1.1, label=a)
               for a in algorithms]
    handles += [Line2D([], [], color=REFERENCE_STYLES[r][0], marker=REFERENCE_STYLES[r][1], mfc="none", ms=3, lw=1.1,
                       label=f"reference {r}") for r in references]
    handles += [Line2D([], [], color="0.2", ls=placement_styles.get(p, ":"), lw=1.1, label=f"placement {p}")
                for p in placements]
    handles += [Line2D([], [], color="0.2", marker="|", ls="none", ms=6,
                       label="error bars: 95% CI of the median (bottom: of the paired ratios)")]
    handles += [Line2D([], [], color="0.4", ls=IDEAL_STYLES[0], lw=0.8, label="ideal, bandwidth bound (16/12, 20/12)"),
                Line2D([], [], color="0.4", ls=IDEAL_STYLES[1], lw=0.8, label="ideal with write-allocate (20/16, 24/16)")]
    fig.suptitle(f"{proc.id}: one softmax split across threads (bottom: speedup vs three-pass-recompute, orange, "
                 "and -reload, green)", fontsize=9)
    fig.tight_layout()
    _legend_below(fig, handles, ncol=3)
    return fig


def multicore_markdown(processors: list[Processor]) -> list[str]:
    lines: list[str] = []
    for proc in processors:
        pts = multicore_points(proc)
        if not pts:
            continue
        if not lines:
            lines = ["", "## Multi-core", "",
                     "One softmax split across threads, one per core (experiment `multicore`), at the largest n of the",
                     "run. Speedup = median of paired per-round time ratios with its 95% CI, as above; GB/s are effective (8 B/element)",
                     "for the algorithms and real for the read reference (all threads together).", "",
                     "| processor | isa | preset | n | threads | placement | two-pass GB/s | vs recompute | vs reload | read GB/s |",
                     "|---|---|---|---:|---:|---|---:|---:|---:|---:|"]
        for (isa, preset), data in sorted(pts.items(), key=lambda kv: (_isa_order(kv[0][0]), kv[0][1])):
            shown: set[tuple[int, str]] = set()
            for placement, per in data["placements"].items():
                for t in sorted(per):
                    label = placement if t > 1 else "-"
                    if (t, label) in shown:
                        continue
                    shown.add((t, label))
                    row = per[t]
                    two, read = row.get("two-pass"), row.get("read")
                    cells = [proc.id, isa, preset, _fmt_n(data["n"]), str(t), label,
                             f"{two['effective_gbps']:.1f}" if two else "-"]
                    cells += [speedup_cell(paired_estimate(row[v], two)) if two and v in row else "-" for v in THREE_PASS]
                    cells.append(f"{_real_gbps(read):.1f}" if read else "-")
                    lines.append("| " + " | ".join(cells) + " |")
    return lines



def with_references(processors: list[Processor], references: list[Processor]) -> list[Processor]:
    """The processors in order, each followed by its reference run where one is drawn beside it."""
    by_id = {r.id: r for r in references}
    out = []
    for p in processors:
        out.append(p)
        if p.id in by_id:
            out.append(by_id[p.id])
    return out


def load_references(reference_dir: Path | None, processors: list[Processor]) -> list[Processor]:
    """The committed runs of the processors drawn, from `reference_dir`, labelled by commit and date; the runs
    drawn are then labelled "this run". Processors without a reference are drawn alone."""
    if reference_dir is None:
        return []
    ids = {p.id for p in processors}
    log(f"reading the reference runs in {reference_dir}")
    references = [r for r in discover(reference_dir) if r.id in ids]
    for r in references:
        r.is_reference = True
        r.run_label = f"reference run at {r.commit_and_date}"
    matched = {r.id for r in references}
    for p in processors:
        if p.id in matched:
            p.run_label = "this run"
        else:
            log(f"{p.id}: no reference run in {reference_dir}; drawn alone")
    return references


def render(processors: list[Processor], out: Path, claims: Claims | None = None,
           references: list[Processor] = ()) -> list[Path]:
    """Every figure: the comparisons across processors (a panel per processor and ISA, reference runs beside the
    runs they belong to), the summary, and the per-processor figures of the runs drawn."""
    plt = _plt()
    written: list[Path] = []
    drawn = with_references(processors, list(references))

    def emit(fig, stem: str) -> None:
        _save(fig, out, stem, written)
        plt.close(fig)

    if any(p.softmax for p in drawn):
        emit(figure_throughput(drawn), "throughput")
        if any(read_bandwidth(p, claims) for p in drawn if p.softmax):
            emit(figure_throughput_per_read_bandwidth(drawn, claims), "throughput_per_read_bandwidth")
        else:
            log("no read reference (passes experiment) beside the softmax rows: no throughput_per_read_bandwidth figure")
    if any(speedups(p) for p in drawn):
        emit(figure_speedup(drawn, claims), "speedup")
    for p in drawn:
        if p.softmax and not speedups(p):
            log(f"{p.id}: no size with both two-pass and a three-pass variant: no speedup panel")
    if any(r["kind"] == "pass" for p in drawn for r in p.passes):
        emit(figure_passes(drawn), "passes")
    for proc in processors:
        if labelled_sizes(proc):
            emit(figure_labelled_sizes(proc), f"{proc.id}_class_counts")
        if multicore_points(proc):
            emit(figure_multicore(proc), f"{proc.id}_multicore")
        if proc.accuracy or proc.accuracy_failed:
            emit(figure_accuracy(proc), f"{proc.id}_accuracy")
        if not (proc.softmax or proc.passes or proc.multicore or proc.accuracy or proc.accuracy_failed):
            log(f"{proc.id}: nothing to plot")
    rows = summarize(drawn, claims)
    if rows:
        emit(figure_summary(rows, claims), "summary_speedup")
    return written


# --------------------------------------------------------------------------------------------------------------
# CLI


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=Path("results"), help="results folder (default: results)")
    ap.add_argument("--out", type=Path, default=Path("plots/figures"),
                    help="where the PNG and SVG figures go (default: plots/figures)")
    ap.add_argument("--summary", type=Path, default=None, help="write the Markdown summary here (results/SUMMARY.md)")
    ap.add_argument("--summary-only", action="store_true",
                    help="print only the Markdown summary table to stdout; draw and write nothing")
    ap.add_argument("--claims", type=Path, default=None,
                    help=f"the paper's claims (default: {paper_claims.DEFAULT_NAME} of this repository; without it "
                         "no claim is marked)")
    ap.add_argument("--reference", type=Path, default=None,
                    help="committed results to draw beside the same processors' runs (default: this repository's "
                         "results/ when --results is another folder)")
    ap.add_argument("--no-reference", action="store_true", help="draw no reference runs")
    args = ap.parse_args(argv)
    try:
        claims_path = args.claims or paper_claims.DEFAULT_PATH
        if args.claims and not args.claims.is_file():
            raise SchemaError(f"{args.claims}: no such claims file; pass --claims FILE of the format of "
                              f"{paper_claims.DEFAULT_NAME}, or leave --claims out")
        claims = paper_claims.load(claims_path)
        if claims is None:
            log(f"note: no claims file {claims_path}: no paper claim is marked, and sizes count as out of cache "
                f"from {DEFAULT_OUT_OF_CACHE_FACTOR} x LLC (pass --claims FILE)")
        if args.reference is not None and args.no_reference:
            raise SchemaError("--reference and --no-reference contradict each other; pass one of them")
        if args.reference is not None and not args.reference.is_dir():
            raise SchemaError(f"{args.reference}: no such folder of reference results; pass --reference DIR holding "
                              "<processor-id>/<experiment>.csv, or --no-reference")
        processors = discover(args.results)
        if not any(p.softmax or p.passes or p.multicore or p.batched or p.accuracy or p.accuracy_failed for p in processors):
            raise InputError(f"{args.results}: no results/<processor-id>/<experiment>.csv with usable rows")
        reference_dir = args.reference
        if reference_dir is None and not args.no_reference:
            default = REPOSITORY / "results"
            if default.is_dir() and not _same_folder(default, args.results):
                reference_dir = default
        if reference_dir is not None and _same_folder(reference_dir, args.results):
            log(f"{reference_dir}: the reference folder is the results folder; no reference runs drawn")
            reference_dir = None
        references = load_references(reference_dir, processors)
        rows = summarize(with_references(processors, references), claims)
        if args.summary_only:
            sys.stdout.write(summary_table(rows))
            return 0
        render(processors, args.out, claims, references)
        if args.summary:
            args.summary.parent.mkdir(parents=True, exist_ok=True)
            args.summary.write_text(summary_markdown(rows, processors, claims, references))
            log(f"wrote {args.summary}")
    except (SchemaError, ClaimsError) as e:
        log(f"error: {e}")
        return 2
    except InputError as e:
        log(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Draw the figures of softmax-repro from results/<processor-id>/<experiment>.csv (+ .json metadata).

The only contract with the runner is results/README.md (CSV schema_version 1, 2 or 3 and the metadata keys).

    python plots/plot_results.py --results results --out plots/figures [--summary results/SUMMARY.md]
    python plots/plot_results.py --results results --summary-only      # the Markdown table on stdout

Exit status: 0 on success; 2 when a file has a schema_version this script does not know or lacks a column
it needs; 1 when there is nothing to plot or a file cannot be read.
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

SUPPORTED_SCHEMA_VERSIONS = (1, 2, 3)

# Every column of schema_version 3, in order (results/README.md). Version 2 lacks the multi-core and accuracy
# columns, version 1 also the four roofline columns; the timing figures need none of them.
SCHEMA_COLUMNS = (
    "schema_version", "experiment", "processor_id", "microarchitecture", "isa", "preset", "kind", "algorithm",
    "kernel", "n", "threads", "placement", "cpus", "cpu", "samples", "calls_per_sample", "median_s", "p25_s", "p75_s", "min_s",
    "elements_per_s", "effective_gbps", "bytes_per_element", "real_gbps", "output_error", "status", "error",
    "cycles_per_element", "instructions_per_element", "llc_misses_per_element", "task_clock_ns_per_element",
    "page_faults_per_call", "context_switches_per_call", "cpu_migrations_per_call",
    "roofline_bound", "memory_bound_s", "compute_bound_s", "efficiency",
    "input_range", "mask", "order", "max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error",
    "raw_samples_s",
)
ROOFLINE_COLUMNS = ("roofline_bound", "memory_bound_s", "compute_bound_s", "efficiency")
# Added after version 3 (results/README.md): a version 3 file lacks them. `order` is the accuracy input's
# element order; files without it hold only inputs as drawn ("random").
AFTER_VERSION_3_COLUMNS = ("order",)
VERSION_3_COLUMNS = ("placement", "cpus", "input_range", "mask", "max_error_ulp", "mean_error_ulp",
                     "max_relative_error", "mean_relative_error")
# The columns this script reads. A file without one of them is refused (exit 2); the other schema columns
# are not needed for the figures, so their absence is only reported.
REQUIRED_COLUMNS = (
    "schema_version", "processor_id", "isa", "preset", "kind", "algorithm", "kernel", "n",
    "median_s", "p25_s", "p75_s", "bytes_per_element", "real_gbps", "status",
)
FLOAT_COLUMNS = ("median_s", "p25_s", "p75_s", "min_s", "elements_per_s", "effective_gbps", "bytes_per_element",
                 "real_gbps")
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
REFERENCE_STYLES = {"read": ("black", "v"), "copy": ("0.35", "s"), "copy_nt": ("0.7", "o"), "scale": ("0.55", "D"), "write": ("0.2", "^")}

# Pure bandwidth bound (PAPER.md, inferred): bytes per element of the three-pass variant over two-pass's 12.
IDEAL = {
    "three-pass-recompute": ((16 / 12, "1.33 = 16/12 B: bandwidth bound, no write-allocate"),
                             (20 / 16, "1.25 = 20/16 B: bandwidth bound, with write-allocate")),
    "three-pass-reload": ((20 / 12, "1.67 = 20/12 B: bandwidth bound, no write-allocate"),
                          (24 / 16, "1.50 = 24/16 B: bandwidth bound, with write-allocate")),
}
# The paper's claims (abstract): out-of-cache, Two-Pass over Three-Pass, "up to".
PAPER_NUMERIC = {("skylakex", "avx512f"): 1.28, ("skylakex", "avx2"): 1.18}
PAPER_QUALITATIVE = {"broadwell": "Broadwell", "zen2": "Zen 2"}
OUT_OF_CACHE_FACTOR = 4  # the summary uses n >= 4 x (LLC bytes / 4) elements when such sizes exist

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
    accuracy: list[dict] = field(default_factory=list)  # selected kind == accuracy rows, status ok
    accuracy_failed: list[dict] = field(default_factory=list)  # accuracy rows of the same series that failed

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
            # Older versions lack the newer columns by definition; anything else missing is worth a word.
            missing = [c for c in SCHEMA_COLUMNS
                       if c not in header and c not in ROOFLINE_COLUMNS and c not in VERSION_3_COLUMNS
                       and c not in AFTER_VERSION_3_COLUMNS]
            if missing:
                log(f"warning: {csv_path}: schema columns missing (not needed for the figures): {', '.join(missing)}")
            rows, by_kind, ignored, total, accuracy_failed = [], {}, {}, 0, []
            for line_no, cells in enumerate(reader, start=2):
                if not cells or all(not c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    # The runner appends rows as they finish; a run in progress can leave a partial last line.
                    log(f"warning: {csv_path}:{line_no}: {len(cells)} cells for {len(header)} columns; row skipped")
                    ignored["malformed"] = ignored.get("malformed", 0) + 1
                    continue
                r = dict(zip(header, cells))
                _schema_version(r["schema_version"], Path(f"{csv_path}:{line_no}"))
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


EXPERIMENT_KINDS = ("softmax", "passes", "tune", "multicore", "accuracy")


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
    if multicore:
        saved, proc.files = proc.files, [f for f in proc.files if f not in multicore]
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


def paired_speedup(variant: dict, two_pass: dict) -> float:
    """Median over rounds of variant time / two-pass time. The runner interleaves the contenders of one size
    and keeps their samples in round order, so sample i of each was taken side by side; pairing them
    cancels drift that a ratio of medians would keep. Rows of different runs (or without raw samples) fall
    back to the ratio of medians."""
    a, b = _samples(variant), _samples(two_pass)
    if a and len(a) == len(b) and variant.get("experiment") == two_pass.get("experiment") and all(b):
        return statistics.median(x / y for x, y in zip(a, b))
    return variant["median_s"] / two_pass["median_s"]


def speedups(proc: Processor) -> dict[tuple[str, str, str], list[tuple[int, float]]]:
    """(isa, preset, three-pass variant) -> [(n, speedup of two-pass)], sorted by n; the speedup is the median
    of paired time ratios (paired_speedup)."""
    best = fastest(proc.softmax)
    out: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    for (isa, preset, algorithm, n), r in best.items():
        if algorithm != "two-pass":
            continue
        for variant in THREE_PASS:
            other = best.get((isa, preset, variant, n))
            if other:
                out.setdefault((isa, preset, variant), []).append((n, paired_speedup(other, r)))
    for v in out.values():
        v.sort()
    return out


def _norm_uarch(u: str) -> str:
    return "".join(ch for ch in u.lower() if ch.isalnum())


def paper_claim(uarch: str, isa: str) -> tuple[float | None, str]:
    u = _norm_uarch(uarch)
    if (u, isa) in PAPER_NUMERIC:
        v = PAPER_NUMERIC[(u, isa)]
        return v, f"Skylake-X {isa.upper()}: up to {v:.2f}"
    if u == "skylakex":
        return None, f"none for {isa} (paper: Skylake-X AVX512F 1.28, AVX2 1.18)"
    if u in PAPER_QUALITATIVE:
        if isa == "avx2":
            return None, f"{PAPER_QUALITATIVE[u]} AVX2: beats three-pass (no number)"
        return None, f"none for {isa} (paper: {PAPER_QUALITATIVE[u]} AVX2 beats three-pass, no number)"
    return None, "none (microarchitecture not in the paper)"


@dataclass
class SummaryRow:
    processor: str
    model_name: str
    microarchitecture: str
    isa: str
    preset: str
    n_used: str
    values: dict[str, float | None]          # variant -> out-of-cache speedup
    at_largest: dict[str, tuple[int, float] | None]
    method: str                               # "median >= 4 LLC" or "largest n"
    claim_value: float | None
    claim_text: str


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


def summarize(processors: list[Processor]) -> list[SummaryRow]:
    out = []
    for proc in processors:
        sp = speedups(proc)
        llc = llc_elements(proc)
        threshold = OUT_OF_CACHE_FACTOR * llc if llc else None
        groups = sorted({(isa, preset) for (isa, preset, _v) in sp}, key=lambda g: (_isa_order(g[0]), g[1]))
        for isa, preset in groups:
            values, at_largest, used = {}, {}, {}
            methods = set()
            for variant in THREE_PASS:
                pts = sp.get((isa, preset, variant), [])
                if not pts:
                    values[variant], at_largest[variant] = None, None
                    continue
                at_largest[variant] = pts[-1]
                far = [(n, s) for n, s in pts if threshold and n >= threshold]
                if far:
                    values[variant] = statistics.median(s for _n, s in far)
                    used[variant] = [n for n, _s in far]
                    methods.add("median")
                else:
                    values[variant] = pts[-1][1]
                    used[variant] = [pts[-1][0]]
                    methods.add("largest")
            method = "median" if methods == {"median"} else ("largest" if methods == {"largest"} else "mixed")
            n_used = _describe_n(used, threshold)
            claim_value, claim_text = paper_claim(proc.microarchitecture, isa)
            out.append(SummaryRow(proc.id, proc.model_name, proc.microarchitecture, isa, preset, n_used, values,
                                  at_largest, method, claim_value, claim_text))
    return out


def _describe_n(used: dict[str, list[int]], threshold: float | None) -> str:
    def one(ns: list[int]) -> str:
        if threshold and ns and min(ns) >= threshold:
            return f"median of n >= 4xLLC ({_fmt_n(threshold)}): {', '.join(_fmt_n(n) for n in ns)}"
        why = "LLC unknown" if not threshold else f"none >= 4xLLC ({_fmt_n(threshold)})"
        return f"largest n: {_fmt_n(ns[0])} ({why})"
    distinct = {tuple(v) for v in used.values()}
    if len(distinct) <= 1:
        return one(next(iter(used.values()))) if used else "-"
    short = {"three-pass-recompute": "recompute", "three-pass-reload": "reload"}
    return "; ".join(f"{short[k]}: {one(v)}" for k, v in used.items())


def summary_table(rows: list[SummaryRow]) -> str:
    header = ("| processor | microarchitecture | isa | preset | n used | two-pass vs recompute | "
              "two-pass vs reload | paper's claim |")
    lines = [header, "|---|---|---|---|---|---:|---:|---|"]

    def cell(v):
        return f"{v:.2f}" if v is not None else "-"
    for r in rows:
        lines.append(f"| {r.processor} | {r.microarchitecture} | {r.isa} | {r.preset or '-'} | {r.n_used} | "
                     f"{cell(r.values.get('three-pass-recompute'))} | {cell(r.values.get('three-pass-reload'))} | "
                     f"{r.claim_text} |")
    return "\n".join(lines) + "\n"


def labelled_sizes(proc: Processor) -> list[dict]:
    """Rows at the sizes an experiment names (metadata size_labels, such as the paper's Table 1 class counts):
    one dict per (file, isa, preset, labelled n) with each algorithm's row and the paired speedups."""
    out = []
    for f in proc.files:
        labels = (f.meta or {}).get("size_labels") or {}
        if not labels:
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
                entry[variant] = paired_speedup(other, two) if (two and other) else None
            out.append(entry)
    return out


def labelled_sizes_markdown(processors: list[Processor]) -> list[str]:
    entries = [(p, e) for p in processors for e in labelled_sizes(p)]
    if not entries:
        return []
    algorithms = ["two-pass", "three-pass-recompute", "three-pass-reload", "online"]
    parts = ["", "## Named sizes (the paper's Table 1 class counts)", "",
             "Effective GB/s (8 B/element) of each algorithm at sizes an experiment names, and the paired speedup",
             "of two-pass. A size that did not fit in a machine's memory is listed under `skipped` in its metadata.", "",
             "| processor | isa | preset | size | n | " + " | ".join(algorithms) + " | two-pass vs recompute | two-pass vs reload |",
             "|---|---|---|---|---:|" + "---:|" * len(algorithms) + "---:|---:|"]
    for p, e in entries:
        cells = [f"{e['rows'][a]['effective_gbps']:.1f}" if a in e["rows"] else "-" for a in algorithms]
        sp = [f"{e[v]:.2f}" if e[v] else "-" for v in THREE_PASS]
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
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    width = 0.8 / max(len(isas), 1)
    for ax, variant in zip(axes, THREE_PASS):
        for i, isa in enumerate(isas):
            values = []
            for n, _ in labels:
                e = next((e for e in entries if e["isa"] == isa and e["n"] == n), None)
                values.append(e[variant] if e and e[variant] else float("nan"))
            ax.bar([k + (i - (len(isas) - 1) / 2) * width for k in range(len(labels))], values, width, label=isa)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(labels)), [f"{name}\nn = {_fmt_n(n)}" for n, name in labels])
        ax.set_title(f"two-pass vs {variant}")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("speedup of two-pass (median of paired time ratios, x)")
    axes[1].legend(title="ISA", loc="best")
    fig.suptitle(f"{proc.model_name} ({proc.microarchitecture}): the paper's Table 1 class counts, 1 thread  [{proc.id}]")
    fig.tight_layout()
    return fig


def summary_markdown(rows: list[SummaryRow], processors: list[Processor]) -> str:
    parts = [
        "# Out-of-cache speedup of Two-Pass softmax",
        "",
        "Written by `plots/plot_results.py`; do not edit by hand.",
        "",
        "Speedup = median over the rounds of a run of (seconds per call of the three-pass variant / seconds per",
        "call of two-pass), for the same ISA, preset and n, the two samples of a round taken side by side;",
        "above 1 means two-pass is faster.",
        f"Each value is the median over the sizes with n >= {OUT_OF_CACHE_FACTOR} x LLC elements (LLC bytes / 4 "
        "floats: x alone is",
        f"{OUT_OF_CACHE_FACTOR} times the last-level cache) where such sizes were measured, otherwise the value at "
        "the largest n;",
        "the `n used` column says which. The paper's numbers are \"up to\" values on out-of-cache inputs against",
        "Three-Pass (the paper does not say which variant). 1 thread, as in the paper.",
        "",
        summary_table(rows).rstrip("\n"),
        "",
        "Speedup at the largest n measured, for comparison:",
        "",
        "| processor | isa | preset | n | two-pass vs recompute | two-pass vs reload |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        rc, rl = r.at_largest.get("three-pass-recompute"), r.at_largest.get("three-pass-reload")
        ns = sorted({p[0] for p in (rc, rl) if p})
        parts.append(f"| {r.processor} | {r.isa} | {r.preset or '-'} | {', '.join(_fmt_n(n) for n in ns)} | "
                     f"{f'{rc[1]:.2f}' if rc else '-'} | {f'{rl[1]:.2f}' if rl else '-'} |")
    parts += labelled_sizes_markdown(processors)
    parts += multicore_markdown(processors)
    parts += accuracy_markdown(processors)
    parts += ["", "Sources:", ""]
    for p in processors:
        llc = p.llc_bytes
        srcs = ", ".join(f"`{f.csv_path.parent.name}/{f.csv_path.name}`" for f in p.files)
        commits = sorted({str(f.meta.get("git_commit")) for f in p.files if f.meta.get("git_commit")})
        note = sorted({str(f.meta["note"]) for f in p.files if f.meta.get("note")})
        line = (f"- {p.id}: {p.model_name}, {p.microarchitecture}, LLC "
                f"{_fmt_bytes(llc) if llc else 'unknown'}; {srcs}")
        if commits:
            line += f"; harness {', '.join(commits)}"
        if note:
            line += f"; NOTE: {' '.join(note)}"
        parts.append(line)
    return "\n".join(parts) + "\n"


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
    fig.tight_layout()
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
        "figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 9, "axes.titlesize": 10, "legend.fontsize": 8,
        "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "softmax-repro",
    })
    return plt


def _size_axis(ax, proc: Processor) -> None:
    """The n axis shared by the throughput and pass figures: log scale, LLC markers, a legend entry for the
    p25-p75 bands, and y from 0."""
    ax.fill_between([], [], [], color="0.5", alpha=0.25, lw=0, label="band: p25-p75 of samples")
    _llc_markers(ax, proc)
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("n (elements, float32)")


def _llc_markers(ax, proc: Processor):
    """Two vertical lines: n = LLC/4 (x alone fills the LLC) and n = LLC/8 (x and y, 8n bytes, fill it)."""
    b = proc.llc_bytes
    if not b:
        return
    ax.axvline(b / 4, color="0.25", ls="--", lw=1.0,
               label=f"LLC {_fmt_bytes(b)}: n = LLC/4 = {_fmt_n(b / 4)} (x alone fills it)")
    ax.axvline(b / 8, color="0.25", ls=":", lw=1.0,
               label=f"n = LLC/8 = {_fmt_n(b / 8)} (x + y, 8n B, fill the LLC)")


def _legend_below(ax, fig, ncol=2):
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=ncol, frameon=False)


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


def figure_throughput(proc: Processor, isa: str):
    """Median elements/s (band p25-p75) of every softmax algorithm against n; right axis: effective GB/s."""
    plt = _plt()
    rows = [r for r in proc.softmax if r["isa"] == isa]
    series: dict[tuple[str, str, str], list[dict]] = {}
    for r in rows:
        series.setdefault((r["preset"], r["algorithm"], r["kernel"]), []).append(r)
    presets = sorted({p for p, _a, _k in series}, key=lambda p: (p not in PRESET_STYLES, p))
    algorithms = sorted({a for _p, a, _k in series},
                        key=lambda a: (SOFTMAX_ALGORITHMS.index(a) if a in SOFTMAX_ALGORITHMS else 9, a))
    kernels_per = {}
    for p, a, k in series:
        kernels_per.setdefault((p, a), []).append(k)
    markers = "osD^v<>"

    fig, ax = plt.subplots(figsize=(8, 5.2))
    for (preset, algorithm, kernel) in sorted(series, key=lambda s: (presets.index(s[0]),
                                                                      algorithms.index(s[1]), s[2])):
        pts = sorted(series[(preset, algorithm, kernel)], key=lambda r: r["n"])
        n = [r["n"] for r in pts]
        med = [r["n"] / r["median_s"] / 1e9 for r in pts]
        lo = [r["n"] / r["p75_s"] / 1e9 if r["p75_s"] > 0 else m for r, m in zip(pts, med)]
        hi = [r["n"] / r["p25_s"] / 1e9 if r["p25_s"] > 0 else m for r, m in zip(pts, med)]
        color = _algorithm_color(algorithm, algorithms)
        label = algorithm
        if len(presets) > 1 or preset not in ("blend", ""):
            label += f" ({preset or 'no preset'})"
        ks = kernels_per[(preset, algorithm)]
        marker = markers[ks.index(kernel) % len(markers)]
        if len(ks) > 1:
            label += f" [{kernel}]"
        ls = _series_style(preset, presets)
        line, = ax.plot(n, med, ls=ls, marker=marker, ms=4, color=color, label=label + ", median")
        line.set_gid(_gid("softmax", isa, preset, algorithm, kernel))
        ax.fill_between(n, lo, hi, color=color, alpha=0.18, lw=0)
    _size_axis(ax, proc)
    ax.set_ylabel("throughput (10$^9$ elements/s)")
    sec = ax.secondary_yaxis("right", functions=(lambda y: 8 * y, lambda g: g / 8))
    sec.set_ylabel("effective bandwidth (GB/s, 8 B/element)")
    ax.set_title(f"{proc.title}\nsoftmax throughput, ISA {isa}, 1 thread  [{proc.id}]")
    _legend_below(ax, fig)
    return fig


def figure_speedup(proc: Processor):
    """Two panels (vs recompute, vs reload): median-time ratio against n, one line per ISA (and preset)."""
    plt = _plt()
    sp = speedups(proc)
    isas = sorted({k[0] for k in sp}, key=_isa_order)
    presets = sorted({k[1] for k in sp}, key=lambda p: (p not in PRESET_STYLES, p))
    claims = [(isa, PAPER_NUMERIC.get((_norm_uarch(proc.microarchitecture), isa))) for isa in isas]
    claims = [(isa, v) for isa, v in claims if v]
    llc = proc.llc_bytes
    all_n = [n for pts in sp.values() for n, _s in pts]
    fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
    ymax = max([s for pts in sp.values() for _n, s in pts] + [1.75])
    ymin = min([s for pts in sp.values() for _n, s in pts] + [0.9])
    for ax, variant in zip(axes, THREE_PASS):
        ax.axhline(1.0, color="black", lw=0.8)
        for (value, text), ls in zip(IDEAL[variant], ("-", "--")):
            ax.axhline(value, color="0.45", ls=ls, lw=1.0)
            ax.annotate(text, (0.01, value), xycoords=("axes fraction", "data"), xytext=(0, 2),
                        textcoords="offset points", va="bottom", ha="left", fontsize=7.5, color="0.3")
        for isa in isas:
            for preset in presets:
                pts = sp.get((isa, preset, variant))
                if not pts:
                    continue
                label = isa + (f" ({preset})" if len(presets) > 1 else "")
                line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=4,
                                ls=_series_style(preset, presets), color=ISA_COLORS.get(isa, "tab:purple"),
                                label=f"two-pass speedup, {label}")
                line.set_gid(_gid("speedup", isa, preset, variant))
        if claims and all_n:
            x0 = llc / 4 if llc else min(all_n)
            x1 = max(all_n)
            for isa, v in claims:
                c = ISA_COLORS.get(isa, "tab:purple")
                ax.plot([x0, x1], [v, v], color=c, ls=(0, (1, 1.2)), lw=2.2, marker="*", ms=11, markevery=[1],
                        label=f"paper, Skylake-X {isa.upper()}: up to {v:.2f} (out of cache, vs three-pass)")
        _llc_markers(ax, proc)
        ax.set_xscale("log")
        ax.set_ylim(min(0.9, ymin - 0.05), ymax + 0.1)
        ax.set_xlabel("n (elements, float32)")
        ax.set_title(f"two-pass vs {variant}")
    axes[0].set_ylabel("speedup of two-pass (median of paired time ratios, x)")
    axes[0].plot([], [], color="0.45", ls="-", lw=1.0,
                 label="bandwidth-bound ideal, no write-allocate (vs recompute 16/12, vs reload 20/12)")
    axes[0].plot([], [], color="0.45", ls="--", lw=1.0,
                 label="bandwidth-bound ideal, with write-allocate (vs recompute 20/16, vs reload 24/16)")
    fig.suptitle(f"{proc.title}: two-pass speedup, 1 thread  [{proc.id}]", fontsize=11)
    # One legend for both panels: union of labels, below the figure.
    seen, handles, labels = set(), [], []
    for ax in axes:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in seen:
                seen.add(l)
                handles.append(h)
                labels.append(l)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def _family_color(family: str) -> str:
    palette = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
               "tab:olive", "tab:cyan")
    i = PASS_FAMILIES.index(family) if family in PASS_FAMILIES else len(PASS_FAMILIES) + sum(map(ord, family)) % 2
    return palette[i % len(palette)]


def figure_passes(proc: Processor, isa: str):
    """Real bandwidth of every pass kernel against n, with the memory reference loops dashed in grey."""
    plt = _plt()
    passes = [r for r in proc.passes if r["kind"] == "pass" and r["isa"] == isa]
    refs = [r for r in proc.passes if r["kind"] == "reference" and r["isa"] == isa]
    ref_note = ""
    if not refs:
        refs = [r for r in proc.passes if r["kind"] == "reference"]
        if refs:
            ref_note = f" (references measured as {', '.join(sorted({r['isa'] for r in refs}))})"
    fig, ax = plt.subplots(figsize=(8.5, 5.4))
    by_kernel: dict[tuple[str, str], list[dict]] = {}
    for r in passes:
        by_kernel.setdefault((r["algorithm"], r["kernel"]), []).append(r)
    order = sorted(by_kernel, key=lambda k: (PASS_FAMILIES.index(k[0]) if k[0] in PASS_FAMILIES else 99, k))
    per_family: dict[str, int] = {}
    markers = "os^Dv<>"
    for family, kernel in order:
        pts = sorted(by_kernel[(family, kernel)], key=lambda r: r["n"])
        i = per_family.get(family, 0)
        per_family[family] = i + 1
        color = _family_color(family)
        n = [r["n"] for r in pts]
        g = [_real_gbps(r) for r in pts]
        line, = ax.plot(n, g, marker=markers[i % len(markers)], ms=4, color=color, lw=1.4,
                        ls="-" if i == 0 else "-.", label=f"{kernel} ({_bpe(pts)} B/elem)")
        line.set_gid(_gid("pass", isa, family, kernel))
        ax.fill_between(n, [_gbps(r, "p75_s") for r in pts], [_gbps(r, "p25_s") for r in pts], color=color,
                        alpha=0.15, lw=0)
    by_ref: dict[tuple[str, str, str], list[dict]] = {}
    for r in refs:
        by_ref.setdefault((r["algorithm"], r["isa"], r["kernel"]), []).append(r)
    for (name, risa, kernel) in sorted(by_ref, key=lambda k: (REFERENCES.index(k[0]) if k[0] in REFERENCES
                                                                else 9, k)):
        pts = sorted(by_ref[(name, risa, kernel)], key=lambda r: r["n"])
        color, marker = REFERENCE_STYLES.get(name, ("0.5", "x"))
        line, = ax.plot([r["n"] for r in pts], [_real_gbps(r) for r in pts], color=color, ls="--",
                        marker=marker, ms=4, mfc="none", lw=1.2,
                        label=f"reference {name}: {kernel} ({_bpe(pts)} B/elem)")
        line.set_gid(_gid("reference", risa, name, kernel))
    _size_axis(ax, proc)
    ax.set_ylabel("real bandwidth (GB/s = bytes_per_element x n / median time)")
    ax.set_title(f"{proc.title}\npass kernels alone, ISA {isa}{ref_note}, 1 thread  [{proc.id}]")
    _legend_below(ax, fig)
    return fig


def _real_gbps(r: dict) -> float:
    """The real_gbps column (bytes_per_element x n / median_s / 1e9); recomputed only where the cell is empty."""
    v = r["real_gbps"]
    return v if not math.isnan(v) else _gbps(r, "median_s")


def _gbps(r: dict, col: str) -> float:
    t = r[col]
    return r["bytes_per_element"] * r["n"] / t / 1e9 if t > 0 else math.nan


def _bpe(pts: list[dict]) -> str:
    v = pts[0]["bytes_per_element"]
    return f"{v:g}" if not math.isnan(v) else "?"


def figure_summary(rows: list[SummaryRow]):
    """Bars: out-of-cache speedup per processor/ISA/preset against both three-pass variants; paper's claims."""
    plt = _plt()
    import numpy as np
    width = 0.36
    fig, ax = plt.subplots(figsize=(max(7.0, 1.35 * len(rows) + 3), 5.4))
    x = np.arange(len(rows))
    colors = {"three-pass-recompute": ALGORITHM_COLORS["three-pass-recompute"],
              "three-pass-reload": ALGORITHM_COLORS["three-pass-reload"]}
    tops = [1.75]
    for j, variant in enumerate(THREE_PASS):
        vals = [r.values.get(variant) for r in rows]
        xs = x + (j - 0.5) * width
        hatches = ["" if r.method == "median" else "//" for r in rows]
        bars = ax.bar(xs, [v if v is not None else 0 for v in vals], width, color=colors[variant],
                      label=f"two-pass vs {variant}", edgecolor="white", lw=0.5)
        for b, h, v, r in zip(bars, hatches, vals, rows):
            b.set_gid(_gid("summary", r.processor, r.isa, r.preset, variant))
            if h:
                b.set_hatch(h)
            if v is not None:
                ax.annotate(f"{v:.2f}", (b.get_x() + b.get_width() / 2, v / 2), ha="center", va="center",
                            fontsize=8, color="white", fontweight="bold", rotation=90)
                tops.append(v)
        # The value at the largest n, where it differs from the bar's method.
        lx = [xx for xx, r in zip(xs, rows) if r.at_largest.get(variant) and r.method != "largest"]
        ly = [r.at_largest[variant][1] for r in rows if r.at_largest.get(variant) and r.method != "largest"]
        if lx:
            ax.plot(lx, ly, ls="none", marker="D", ms=4, mfc="white", mec="black", zorder=5,
                    label="at the largest n measured" if j == 0 else None)
    claimed = False
    for i, r in enumerate(rows):
        if r.claim_value is not None:
            ax.plot([i - width, i + width], [r.claim_value] * 2, color="black", lw=2, ls="-", marker="*", ms=10,
                    markevery=[0], label=None if claimed else "paper's claim (Skylake-X, up to)")
            claimed = True
            tops.append(r.claim_value)
        elif "beats" in r.claim_text:
            ax.annotate("paper: beats\nthree-pass", (i, 1.0), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, style="italic")
    ax.axhline(1.0, color="black", lw=0.8)
    for value, ls, text in ((4 / 3, "-", "1.33"), (5 / 3, "-", "1.67"), (1.25, "--", "1.25"), (1.5, "--", "1.5")):
        ax.axhline(value, color="0.6", ls=ls, lw=0.8, zorder=0)
        ax.annotate(text, (1.0, value), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7, color="0.35")
    ax.plot([], [], color="0.6", ls="-", lw=0.8, label="bandwidth bound, no write-allocate (1.33 / 1.67)")
    ax.plot([], [], color="0.6", ls="--", lw=0.8, label="bandwidth bound, with write-allocate (1.25 / 1.5)")
    if any(r.method != "median" for r in rows):
        ax.bar([0], [0], color="white", edgecolor="0.3", hatch="//",
               label=f"hatched: value at the largest n (no n >= {OUT_OF_CACHE_FACTOR}xLLC measured)")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{r.processor}\n{r.microarchitecture}, {r.isa}" + (f"\n{r.preset}" if r.preset else "")
                        for r in rows], fontsize=7.5)
    ax.set_ylim(0, max(tops) * 1.12)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylabel("speedup of two-pass (median of paired time ratios, x)")
    ax.set_title(f"Out-of-cache speedup of two-pass softmax, 1 thread\n(bars: median over n >= "
                 f"{OUT_OF_CACHE_FACTOR} x LLC elements; see SUMMARY.md for the sizes used)")
    ax.grid(axis="x", visible=False)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: (not labels[i].startswith("two-pass vs"), i))
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper center",
              bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
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
    """Top: real GB/s of each algorithm (its traffic / time) and of the read and copy references against the
    number of threads, at the largest n; bottom: the two-pass speedups against threads, with the
    bandwidth-bound ideals. Solid: compact placement, dashed: scattered."""
    plt = _plt()
    pts = multicore_points(proc)
    keys = sorted(pts, key=lambda k: (_isa_order(k[0]), k[1] not in PRESET_STYLES, k[1]))
    fig, axes = plt.subplots(2, len(keys), figsize=(5.2 * len(keys), 8.5), squeeze=False)
    placement_styles = {"compact": "-", "scattered": "--"}
    for col, key in enumerate(keys):
        isa, preset = key
        data = pts[key]
        top, bottom = axes[0][col], axes[1][col]
        algorithms = sorted({a for per in data["placements"].values() for t in per.values() for a in t
                             if a not in REFERENCES}, key=lambda a: (SOFTMAX_ALGORITHMS.index(a) if a in SOFTMAX_ALGORITHMS else 9, a))
        all_threads = sorted({t for per in data["placements"].values() for t in per})
        for placement, per in data["placements"].items():
            ls = placement_styles.get(placement, ":")
            threads = sorted(per)
            for a in algorithms:
                xs = [t for t in threads if a in per[t]]
                top.plot(xs, [_real_gbps(per[t][a]) for t in xs], marker="o", ms=4, ls=ls,
                         color=_algorithm_color(a, algorithms), label=f"{a} ({placement})")
            for ref in ("read", "copy", "copy_nt"):
                xs = [t for t in threads if ref in per[t]]
                if xs:
                    color, marker = REFERENCE_STYLES[ref]
                    top.plot(xs, [_real_gbps(per[t][ref]) for t in xs], marker=marker, ms=4, ls=ls, color=color,
                             label=f"{ref} reference ({placement})")
            for variant in THREE_PASS:
                xs = [t for t in threads if "two-pass" in per[t] and variant in per[t]]
                bottom.plot(xs, [paired_speedup(per[t][variant], per[t]["two-pass"]) for t in xs], marker="o", ms=4,
                            ls=ls, color=ALGORITHM_COLORS[variant], label=f"vs {variant} ({placement})")
        for variant in THREE_PASS:
            for (value, text), ls in zip(IDEAL[variant], ("-", "--")):
                bottom.axhline(value, color=ALGORITHM_COLORS[variant], ls=ls, lw=0.8, alpha=0.5)
        bottom.axhline(1.0, color="black", lw=0.8)
        for ax in (top, bottom):
            ax.set_xticks(all_threads)
            ax.set_xlabel("threads (one per core)")
            ax.grid(alpha=0.3)
        top.set_ylim(bottom=0)
        top.set_title(f"{isa}, {preset}: n = {_fmt_n(data['n'])}")
        top.set_ylabel("real GB/s (bytes moved / median time)")
        bottom.set_ylabel("speedup of two-pass (paired, x)")
        top.legend(fontsize=7, loc="best")
        bottom.legend(fontsize=7, loc="best", title="faint lines: bandwidth-bound ideals", title_fontsize=7)
    fig.suptitle(f"{proc.title}: one softmax split across threads  [{proc.id}]", fontsize=11)
    fig.tight_layout()
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
                     "run. Speedup = median of paired per-round time ratios, as above; GB/s are effective (8 B/element)",
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
                    cells += [f"{paired_speedup(row[v], two):.2f}" if two and v in row else "-" for v in THREE_PASS]
                    cells.append(f"{_real_gbps(read):.1f}" if read else "-")
                    lines.append("| " + " | ".join(cells) + " |")
    return lines



def render(processors: list[Processor], out: Path) -> list[Path]:
    plt = _plt()
    written: list[Path] = []

    def emit(fig, stem: str) -> None:
        _save(fig, out, stem, written)
        plt.close(fig)

    for proc in processors:
        for isa in sorted({r["isa"] for r in proc.softmax}, key=_isa_order):
            emit(figure_throughput(proc, isa), f"{proc.id}_{isa}_throughput")
        if speedups(proc):
            emit(figure_speedup(proc), f"{proc.id}_speedup")
        elif proc.softmax:
            log(f"{proc.id}: no size with both two-pass and a three-pass variant: no speedup figure")
        for isa in sorted({r["isa"] for r in proc.passes if r["kind"] == "pass"}, key=_isa_order):
            emit(figure_passes(proc, isa), f"{proc.id}_{isa}_passes")
        if labelled_sizes(proc):
            emit(figure_labelled_sizes(proc), f"{proc.id}_class_counts")
        if multicore_points(proc):
            emit(figure_multicore(proc), f"{proc.id}_multicore")
        if proc.accuracy or proc.accuracy_failed:
            emit(figure_accuracy(proc), f"{proc.id}_accuracy")
        if not (proc.softmax or proc.passes or proc.multicore or proc.accuracy or proc.accuracy_failed):
            log(f"{proc.id}: nothing to plot")
    rows = summarize(processors)
    if rows:
        emit(figure_summary(rows), "summary_speedup")
    return written


# --------------------------------------------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=Path("results"), help="results folder (default: results)")
    ap.add_argument("--out", type=Path, default=Path("plots/figures"),
                    help="where the PNG and SVG figures go (default: plots/figures)")
    ap.add_argument("--summary", type=Path, default=None, help="write the Markdown summary here (results/SUMMARY.md)")
    ap.add_argument("--summary-only", action="store_true",
                    help="print only the Markdown summary table to stdout; draw and write nothing")
    args = ap.parse_args(argv)
    try:
        processors = discover(args.results)
        if not any(p.softmax or p.passes or p.multicore or p.accuracy or p.accuracy_failed for p in processors):
            raise InputError(f"{args.results}: no results/<processor-id>/<experiment>.csv with usable rows")
        rows = summarize(processors)
        if args.summary_only:
            sys.stdout.write(summary_table(rows))
            return 0
        render(processors, args.out)
        if args.summary:
            args.summary.parent.mkdir(parents=True, exist_ok=True)
            args.summary.write_text(summary_markdown(rows, processors))
            log(f"wrote {args.summary}")
    except SchemaError as e:
        log(f"error: {e}")
        return 2
    except InputError as e:
        log(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

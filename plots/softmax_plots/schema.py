"""The CSV schema as results/README.md documents it: the one Python owner of the column lists and versions
(make_fixture.py and scripts/upgrade-results.py import them)."""

from __future__ import annotations




SUPPORTED_SCHEMA_VERSIONS = (1, 2, 3, 4, 5, 6)


# Every column of schema_version 6, in order (results/README.md). Columns are read by name; older versions lack
# the columns added since (schema_columns), and the figures need none of those.
SCHEMA_COLUMNS = (
    "schema_version", "experiment", "processor_id", "microarchitecture", "isa", "preset", "kind", "algorithm",
    "pass_family", "reference", "kernel", "n", "batch", "threads", "placement", "cpus", "cpu", "samples", "calls_per_sample", "median_s", "p25_s", "p75_s", "min_s",
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


# `batch` is the rows per call of a batched row (experiment kind batched); empty for every other row.
VERSION_5_COLUMNS = ("batch",)


# What a row measures has a column per sort from version 6 on; before it `algorithm` held all three.
VERSION_6_COLUMNS = ("pass_family", "reference")


# Columns each version added over the one before.
ADDED_IN_VERSION = {2: ROOFLINE_COLUMNS, 3: VERSION_3_COLUMNS, 4: VERSION_4_COLUMNS, 5: VERSION_5_COLUMNS,
                    6: VERSION_6_COLUMNS}


# The three columns that say what a row measures; exactly one is set per row, the one its kind names.
SUBJECT_COLUMNS = ("algorithm", "pass_family", "reference")


def subject_column(kind: str) -> str:
    """The column a row of `kind` names what it measures in: pass and peak rows their pass family, reference
    rows their loop, softmax and accuracy rows their algorithm."""
    return {"pass": "pass_family", "peak": "pass_family", "reference": "reference"}.get(kind, "algorithm")


def subject_problem(r: dict) -> str | None:
    """Why a row breaks the one-of-three rule (the first column at fault and what is wrong), else None."""
    kind = (r.get("kind") or "").strip()
    mine = subject_column(kind)
    for column in SUBJECT_COLUMNS:
        cell = (r.get(column) or "").strip()
        if column == mine and not cell:
            return f"column {column}: it is empty in a {kind} row, which names what it measures there"
        if column != mine and cell:
            return f"column {column}: {cell!r} in a {kind} row, whose {mine} says what it measures"
    return None


def move_subject_to_its_column(r: dict) -> None:
    """A row of schema 5 or older as schema 6 has it: its `algorithm` cell moves to the column its kind names."""
    cell = r.get("algorithm") or ""
    mine = subject_column((r.get("kind") or "").strip())
    for column in SUBJECT_COLUMNS:
        r[column] = cell if column == mine else ""


def schema_columns(version: int) -> tuple[str, ...]:
    """The columns of one schema_version, in order."""
    later = {c for v, cols in ADDED_IN_VERSION.items() if v > version for c in cols}
    return tuple(c for c in SCHEMA_COLUMNS if c not in later)


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

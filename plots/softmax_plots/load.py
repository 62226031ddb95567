"""Reading results/<processor-id>/<experiment>.csv and its .json metadata: parsing, checks (exit 2 for a schema
the plots do not know), the processors of a folder, and the reference runs drawn beside them."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from .errors import InputError, SchemaError, log
from .model import Processor, ResultFile
from .schema import (ACCURACY_COLUMNS, FLOAT_COLUMNS, REQUIRED_COLUMNS, SUBJECT_COLUMNS, SUPPORTED_SCHEMA_VERSIONS,
                     move_subject_to_its_column, schema_columns, subject_problem)
from .select import select_rows


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
        _count(ignored, "malformed")
        return False


def _metadata(csv_path: Path) -> tuple[dict, Path | None]:
    """The .json beside a CSV, checked (its schema_version must be one these plots read); {} and None without one."""
    json_path = csv_path.with_suffix(".json")
    if not json_path.exists():
        log(f"warning: {csv_path}: no metadata {json_path.name} beside it; no LLC marker, titles from the CSV")
        return {}, None
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
    return meta, json_path


def _count(ignored: dict, why: str) -> None:
    ignored[why] = ignored.get(why, 0) + 1


def _accuracy_row(r: dict, status: str, where: str, ignored: dict) -> str | None:
    """Parses an accuracy row in place: "ok" (drawn), "failed" (drawn as a failure) or None (left out, counted).
    Accuracy rows have no timings; their error cells are the measurement."""
    for c in ("isa", "preset", "kind", *SUBJECT_COLUMNS, "kernel", "processor_id", "input_range", "mask"):
        r[c] = (r.get(c) or "").strip()
    for c in ACCURACY_COLUMNS:
        r[c] = _float(r.get(c, ""))
    if not _parse_n(r, where, ignored):
        return None
    # The figure and table show inputs as drawn; other element orders are for `show`.
    if (r.get("order") or "").strip() not in ("", "random"):
        _count(ignored, "accuracy order other than random")
        return None
    if status != "ok":
        _count(ignored, status or "(empty)")
        return "failed"
    if any(math.isnan(r[c]) for c in ACCURACY_COLUMNS):
        log(f"warning: {where}: accuracy row with status ok but empty error cells; row skipped")
        _count(ignored, "ok without errors")
        return None
    return "ok"


def _timing_row(r: dict, status: str, where: str, ignored: dict) -> bool:
    """Parses a timed row (softmax, pass, reference) in place; False when it is left out (counted)."""
    if status != "ok":
        _count(ignored, status or "(empty)")
        return False
    for c in FLOAT_COLUMNS:
        if c in r:
            r[c] = _float(r[c])
    if not _parse_n(r, where, ignored):
        return False
    if not (r["median_s"] > 0):
        log(f"warning: {where}: status ok but no median_s; row skipped")
        _count(ignored, "ok without timing")
        return False
    for c in ("isa", "preset", "kind", *SUBJECT_COLUMNS, "kernel", "processor_id"):
        r[c] = r[c].strip()
    return True


def load_file(csv_path: Path) -> ResultFile:
    meta, json_path = _metadata(csv_path)
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
                where = f"{csv_path}:{line_no}"
                if len(cells) != len(header):
                    # The runner appends rows as they finish; a run in progress can leave a partial last line.
                    log(f"warning: {where}: {len(cells)} cells for {len(header)} columns; row skipped")
                    _count(ignored, "malformed")
                    continue
                r = dict(zip(header, cells))
                version = _schema_version(r["schema_version"], Path(where))
                versions.add(version)
                if version < 6:
                    move_subject_to_its_column(r)
                problem = subject_problem(r)
                if problem:
                    log(f"warning: {where}: {problem} (one of {', '.join(SUBJECT_COLUMNS)} per row); row skipped")
                    _count(ignored, "malformed")
                    continue
                total += 1
                kind = r["kind"].strip()
                by_kind[kind] = by_kind.get(kind, 0) + 1
                status = r["status"].strip()
                r["_source"] = str(csv_path)
                if kind == "accuracy":
                    outcome = _accuracy_row(r, status, where, ignored)
                    (rows if outcome == "ok" else accuracy_failed if outcome == "failed" else []).append(r)
                elif _timing_row(r, status, where, ignored):
                    rows.append(r)
            # Older versions lack the newer columns by definition; anything else missing is worth a word.
            missing = [c for c in schema_columns(min(versions, default=max(SUPPORTED_SCHEMA_VERSIONS)))
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

#!/usr/bin/env python3
"""Upgrade results CSVs of an older schema_version to the current one in place (results/README.md).

Each version only added columns. 2 -> 3: the multi-core and accuracy columns, empty ("not measured"), which
is what a version 3 run of a single-threaded timing experiment writes. 3 -> 4: the median's 95% interval and
its precision, computed from the row's raw samples by the one rule (plots/confidence.py; empty below 6
samples); `order` = random for accuracy rows (the only order before version 4); the sampling columns
(precision_target, precision_met, rounds_repeated) and the efficiencies' intervals stay empty: those runs
did not sample to a precision, and their bounds' per-round samples are not in the pass rows. 4 -> 5: `batch`,
empty (every row before version 5 computes one vector). 5 -> 6: the `algorithm` cell moves to the column the
row's kind names (pass and peak rows: `pass_family`; reference rows: `reference`; softmax and accuracy rows
keep it in `algorithm`), the other two left empty. The metadata's schema_version is bumped too.

    python3 scripts/upgrade-results.py results/<processor-id>/<experiment>.csv [...]

A file this script cannot upgrade (another layout, a torn line, a row that names nothing it measures) is left
untouched and the script exits with status 2.
"""

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plots"))
from softmax_plots import schema  # noqa: E402  (the one Python copy of the documented column lists)
from confidence import median_ci  # noqa: E402  (the one Python definition of the interval)

CURRENT = max(schema.SUPPORTED_SCHEMA_VERSIONS)
UPGRADABLE = tuple(v for v in schema.SUPPORTED_SCHEMA_VERSIONS if v >= 2)


class Refused(Exception):
    """A file left as it is, and why (the command line exits with status 2)."""


def fmt(value: float) -> str:
    """As the runner writes numbers: integers plainly, others with 6 significant digits."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def to_version_4(r: dict) -> None:
    if r.get("kind") == "accuracy":
        r["order"] = "random"
    samples = [float(v) for v in (r.get("raw_samples_s") or "").split(";") if v]
    ci = median_ci(samples) if r.get("status") == "ok" and samples else None
    if ci:
        median = float(r["median_s"])
        r["median_ci_low_s"], r["median_ci_high_s"] = fmt(ci[0]), fmt(ci[1])
        r["precision"] = fmt((ci[1] - ci[0]) / 2 / median) if median else ""


def upgrade(csv_path: Path) -> str:
    try:
        with open(csv_path, newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise Refused(f"{csv_path}: cannot be read as a CSV ({e}); not touched") from e
    if not rows:
        return "empty, left as is"
    header = tuple(rows[0])
    version = next((v for v in sorted(schema.SUPPORTED_SCHEMA_VERSIONS, reverse=True)
                    if v >= 2 and header == schema.schema_columns(v)), None)
    if version is None:
        raise Refused(f"{csv_path}: the header is not that of schema_version "
                      f"{', '.join(map(str, UPGRADABLE[:-1]))} or {UPGRADABLE[-1]}; not touched")
    out = [list(schema.SCHEMA_COLUMNS)]
    for i, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(header):
            raise Refused(f"{csv_path}:{i}: {len(cells)} cells for {len(header)} columns; not touched")
        r = dict(zip(header, cells))
        if r["schema_version"] != str(version):
            raise Refused(f"{csv_path}:{i}: schema_version {r['schema_version']}, the header's is {version}; not touched")
        if version < 4:
            to_version_4(r)
        if version < 6:
            schema.move_subject_to_its_column(r)
        problem = schema.subject_problem(r)
        if problem:
            raise Refused(f"{csv_path}:{i}: {problem}; not touched")
        r["schema_version"] = str(CURRENT)
        out.append([r.get(c, "") for c in schema.SCHEMA_COLUMNS])
    if version == CURRENT:
        return f"already version {CURRENT}"
    meta = csv_path.with_suffix(".json")
    if meta.exists():
        # A textual edit keeps the runner's own formatting of everything else.
        text, count = re.subn(rf'("schema_version"\s*:\s*){version}\b', rf"\g<1>{CURRENT}", meta.read_text())
        if count != 1:
            raise Refused(f"{meta}: expected one schema_version {version} key, found {count}; not touched")
    with open(csv_path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    if meta.exists():
        meta.write_text(text)
    return f"{len(out) - 1} rows upgraded from version {version} to {CURRENT}"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for p in sys.argv[1:]:
        try:
            print(f"{p}: {upgrade(Path(p))}")
        except Refused as e:
            print(f"error: {e}", file=sys.stderr)
            sys.exit(2)

#!/usr/bin/env python3
"""Upgrade results CSVs of an older schema_version to the current one in place (results/README.md).

Each version only added columns. 2 -> 3: the multi-core and accuracy columns, empty ("not measured"), which
is what a version 3 run of a single-threaded timing experiment writes. 3 -> 4: the median's 95% interval and
its precision, computed from the row's raw samples by the one rule (plots/confidence.py; empty below 6
samples); `order` = random for accuracy rows (the only order before version 4); the sampling columns
(precision_target, precision_met, rounds_repeated) and the efficiencies' intervals stay empty: those runs
did not sample to a precision, and their bounds' per-round samples are not in the pass rows. 4 -> 5: `batch`,
empty (every row before version 5 computes one vector). The metadata's schema_version is bumped too.

    python3 scripts/upgrade-results.py results/<processor-id>/<experiment>.csv [...]
"""

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plots"))
from softmax_plots import schema  # noqa: E402  (the one Python copy of the documented column lists)
from confidence import median_ci  # noqa: E402  (the one Python definition of the interval)

CURRENT = max(schema.SUPPORTED_SCHEMA_VERSIONS)


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
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return "empty, left as is"
    header = tuple(rows[0])
    version = next((v for v in sorted(schema.SUPPORTED_SCHEMA_VERSIONS, reverse=True)
                    if v >= 2 and header == schema.schema_columns(v)), None)
    if version is None:
        raise SystemExit(f"{csv_path}: the header is not that of schema_version 2, 3, 4 or 5; not touched")
    if version == CURRENT:
        return f"already version {CURRENT}"
    out = [list(schema.SCHEMA_COLUMNS)]
    for i, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(header):
            raise SystemExit(f"{csv_path}:{i}: {len(cells)} cells for {len(header)} columns; not touched")
        r = dict(zip(header, cells))
        if r["schema_version"] != str(version):
            raise SystemExit(f"{csv_path}:{i}: schema_version {r['schema_version']}, the header's is {version}; not touched")
        if version < 4:
            to_version_4(r)
        r["schema_version"] = str(CURRENT)
        out.append([r.get(c, "") for c in schema.SCHEMA_COLUMNS])
    with open(csv_path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    meta = csv_path.with_suffix(".json")
    if meta.exists():
        # A textual edit keeps the runner's own formatting of everything else.
        text, count = re.subn(rf'("schema_version"\s*:\s*){version}\b', rf"\g<1>{CURRENT}", meta.read_text())
        if count != 1:
            raise SystemExit(f"{meta}: expected one schema_version {version} key, found {count}")
        meta.write_text(text)
    return f"{len(out) - 1} rows upgraded from version {version} to {CURRENT}"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for p in sys.argv[1:]:
        print(f"{p}: {upgrade(Path(p))}")

#!/usr/bin/env python3
"""Upgrade results written under CSV schema_version 2 to version 3 in place (results/README.md).

Version 3 only added columns; an upgraded file has them empty ("not measured"), which is exactly what a
version 3 run of the same single-threaded experiment writes. The metadata's schema_version is bumped too.

    python3 scripts/upgrade-results.py results/<processor-id>/<experiment>.csv [...]
"""

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plots"))
import plot_results as schema  # noqa: E402  (the one Python copy of the documented column list)


def upgrade(csv_path: Path) -> str:
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return "empty, left as is"
    header = rows[0]
    if tuple(header) == schema.SCHEMA_COLUMNS:
        return "already version 3"
    expected_v2 = tuple(c for c in schema.SCHEMA_COLUMNS if c not in schema.VERSION_3_COLUMNS)
    if tuple(header) != expected_v2:
        raise SystemExit(f"{csv_path}: the header is not schema_version 2's; not touched")
    out = [list(schema.SCHEMA_COLUMNS)]
    for i, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(header):
            raise SystemExit(f"{csv_path}:{i}: {len(cells)} cells for {len(header)} columns; not touched")
        r = dict(zip(header, cells))
        if r["schema_version"] != "2":
            raise SystemExit(f"{csv_path}:{i}: schema_version {r['schema_version']}, expected 2; not touched")
        r["schema_version"] = "3"
        out.append([r.get(c, "") for c in schema.SCHEMA_COLUMNS])
    with open(csv_path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    meta = csv_path.with_suffix(".json")
    if meta.exists():
        # A textual edit keeps the runner's own formatting of everything else.
        text, count = re.subn(r'("schema_version"\s*:\s*)2\b', r"\g<1>3", meta.read_text())
        if count != 1:
            raise SystemExit(f"{meta}: expected one schema_version 2 key, found {count}")
        meta.write_text(text)
    return f"{len(out) - 1} rows upgraded"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for p in sys.argv[1:]:
        print(f"{p}: {upgrade(Path(p))}")

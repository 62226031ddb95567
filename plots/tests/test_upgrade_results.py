"""scripts/upgrade-results.py: older results files become the current schema, their intervals computed by the
one rule and nothing else changed."""

import csv
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from softmax_plots.schema import SCHEMA_COLUMNS, schema_columns  # noqa: E402
from confidence import median_ci  # noqa: E402

spec = importlib.util.spec_from_file_location("upgrade_results", HERE.parents[1] / "scripts" / "upgrade-results.py")
upgrade_results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(upgrade_results)

ZEN4 = HERE / "fixtures" / "amd-zen4-epyc"
ICX = HERE / "fixtures" / "intel-icelake-server-fixture"


def as_version_3(src: Path, dst: Path) -> list[dict]:
    """The schema-4 fixture written as version 3 wrote it: the version 4 columns dropped."""
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = schema_columns(3)
    with open(dst, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "schema_version": "3"})
    meta = json.loads(src.with_suffix(".json").read_text())
    meta["schema_version"] = 3
    dst.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return rows


def read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_version_3_gains_the_median_intervals_from_its_raw_samples(tmp_path):
    path = tmp_path / "softmax.csv"
    original = as_version_3(ICX / "softmax-fixture.csv", path)
    message = upgrade_results.upgrade(path)
    assert message == f"{len(original)} rows upgraded from version 3 to 5"
    header, rows = read(path)
    assert tuple(header) == SCHEMA_COLUMNS
    assert json.loads(path.with_suffix(".json").read_text())["schema_version"] == 5
    checked = 0
    for before, after in zip(original, rows):
        assert after["schema_version"] == "5"
        assert after["batch"] == "", "rows before version 5 compute one vector: no batch"
        for c in schema_columns(3):
            if c != "schema_version":
                assert after[c] == before[c], c
        samples = [float(v) for v in before["raw_samples_s"].split(";") if v]
        if before["status"] == "ok" and len(samples) >= 6:
            low, high = median_ci(samples)
            assert float(after["median_ci_low_s"]) == pytest.approx(low, rel=1e-5)
            assert float(after["median_ci_high_s"]) == pytest.approx(high, rel=1e-5)
            assert float(after["precision"]) == pytest.approx((high - low) / 2 / float(before["median_s"]), rel=1e-4)
            checked += 1
        # What version 3 runs did not do stays empty: never an invented value.
        assert after["precision_target"] == after["precision_met"] == after["rounds_repeated"] == ""
    assert checked > 0
    assert upgrade_results.upgrade(path) == "already version 5"


def test_version_4_gains_an_empty_batch_column_and_nothing_else(tmp_path):
    path = tmp_path / "softmax.csv"
    shutil.copy(ICX / "softmax-fixture.csv", path)
    shutil.copy(ICX / "softmax-fixture.json", path.with_suffix(".json"))
    _, original = read(path)
    assert original[0]["schema_version"] == "4"
    assert upgrade_results.upgrade(path) == f"{len(original)} rows upgraded from version 4 to 5"
    header, rows = read(path)
    assert tuple(header) == SCHEMA_COLUMNS
    assert json.loads(path.with_suffix(".json").read_text())["schema_version"] == 5
    for before, after in zip(original, rows, strict=True):
        assert after["batch"] == ""
        assert after["schema_version"] == "5"
        assert {c: after[c] for c in before if c != "schema_version"} == {c: v for c, v in before.items() if c != "schema_version"}


def test_accuracy_rows_of_version_3_are_of_the_random_order(tmp_path):
    path = tmp_path / "accuracy.csv"
    shutil.copy(ZEN4 / "accuracy-fixture.csv", path)
    shutil.copy(ZEN4 / "accuracy-fixture.json", path.with_suffix(".json"))
    upgrade_results.upgrade(path)
    _header, rows = read(path)
    assert rows and {r["order"] for r in rows} == {"random"}
    assert {r["median_ci_low_s"] for r in rows} == {""}  # accuracy rows time nothing


def test_a_file_of_another_layout_is_not_touched(tmp_path):
    path = tmp_path / "foreign.csv"
    path.write_text("name,time\nx,1\n")
    with pytest.raises(SystemExit, match="not that of schema_version 2, 3, 4 or 5"):
        upgrade_results.upgrade(path)
    assert path.read_text() == "name,time\nx,1\n"

"""scripts/upgrade-results.py: older results files become the current schema, their intervals computed by the
one rule and nothing else changed."""

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from softmax_plots.schema import SCHEMA_COLUMNS, SUBJECT_COLUMNS, schema_columns  # noqa: E402
from confidence import median_ci  # noqa: E402

SCRIPT = HERE.parents[1] / "scripts" / "upgrade-results.py"
spec = importlib.util.spec_from_file_location("upgrade_results", SCRIPT)
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
    assert message == f"{len(original)} rows upgraded from version 3 to 6"
    header, rows = read(path)
    assert tuple(header) == SCHEMA_COLUMNS
    assert json.loads(path.with_suffix(".json").read_text())["schema_version"] == 6
    checked = 0
    for before, after in zip(original, rows):
        assert after["schema_version"] == "6"
        assert after["batch"] == "", "rows before version 5 compute one vector: no batch"
        for c in schema_columns(3):
            if c not in ("schema_version", "algorithm"):
                assert after[c] == before[c], c
        assert after[subject_column_of(after)] == before["algorithm"]
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
    assert upgrade_results.upgrade(path) == "already version 6"


def subject_column_of(r: dict) -> str:
    """Written out here, not taken from the schema module, so that a mistake there cannot hide."""
    return {"softmax": "algorithm", "accuracy": "algorithm", "pass": "pass_family", "peak": "pass_family",
            "reference": "reference"}[r["kind"]]


def test_version_4_gains_an_empty_batch_column_and_its_subject_columns(tmp_path):
    path = tmp_path / "passes.csv"
    shutil.copy(ICX / "passes-fixture.csv", path)
    shutil.copy(ICX / "passes-fixture.json", path.with_suffix(".json"))
    _, original = read(path)
    assert original[0]["schema_version"] == "4"
    assert upgrade_results.upgrade(path) == f"{len(original)} rows upgraded from version 4 to 6"
    header, rows = read(path)
    assert tuple(header) == SCHEMA_COLUMNS
    assert json.loads(path.with_suffix(".json").read_text())["schema_version"] == 6
    assert {r["kind"] for r in rows} >= {"pass", "reference"}
    for before, after in zip(original, rows, strict=True):
        assert after["batch"] == ""
        assert after["schema_version"] == "6"
        same = [c for c in before if c not in ("schema_version", "algorithm")]
        assert {c: after[c] for c in same} == {c: before[c] for c in same}
        assert {c: after[c] for c in SUBJECT_COLUMNS} == {
            c: before["algorithm"] if c == subject_column_of(after) else "" for c in SUBJECT_COLUMNS}


def write_version_5(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=schema_columns(5), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: "" for c in schema_columns(5)} | r | {"schema_version": "5"})


# One row of each kind as schema 5 wrote it: `algorithm` names what the row measures, whatever its kind.
VERSION_5_ROWS = [
    {"kind": "softmax", "algorithm": "two-pass", "kernel": "raddextexp_avx2_x96+vscaleextexp_avx2_x40", "preset": "blend"},
    {"kind": "pass", "algorithm": "rmax", "kernel": "rmax_avx2_x32_acc4"},
    {"kind": "peak", "algorithm": "raddexpminusmax", "kernel": "raddexpminusmax_avx2_x64_acc2"},
    {"kind": "reference", "algorithm": "copy_nt", "kernel": "copy_nt_avx2"},
    {"kind": "accuracy", "algorithm": "online", "kernel": "rmaxaddexp_avx2_x64+vscaleexpminusmax_avx2_x16",
     "preset": "blend", "input_range": "[-1,1]", "order": "random"},
]


def test_version_5_rows_of_each_kind_move_algorithm_to_their_column(tmp_path):
    path = tmp_path / "mixed.csv"
    rows = [{"isa": "avx2", "n": "1000", "status": "ok", "median_s": "1e-06", **r} for r in VERSION_5_ROWS]
    write_version_5(path, rows)
    meta = path.with_suffix(".json")
    meta.write_text('{\n  "experiment": "mixed",\n  "schema_version": 5\n}\n')
    assert upgrade_results.upgrade(path) == "5 rows upgraded from version 5 to 6"
    header, after = read(path)
    assert tuple(header) == SCHEMA_COLUMNS
    assert meta.read_text() == '{\n  "experiment": "mixed",\n  "schema_version": 6\n}\n', "only the version changes"
    expected = {"softmax": ("two-pass", "", ""), "pass": ("", "rmax", ""), "peak": ("", "raddexpminusmax", ""),
                "reference": ("", "", "copy_nt"), "accuracy": ("online", "", "")}
    for before, r in zip(rows, after, strict=True):
        assert tuple(r[c] for c in ("algorithm", "pass_family", "reference")) == expected[r["kind"]], r["kind"]
        assert {c: r[c] for c in before if c not in ("algorithm", "schema_version")} == {
            c: v for c, v in before.items() if c not in ("algorithm", "schema_version")}
    upgraded = path.read_text()
    assert upgrade_results.upgrade(path) == "already version 6"
    assert path.read_text() == upgraded, "upgrading a version 6 file changes nothing"


@pytest.mark.parametrize("kind", ["softmax", "pass", "reference"])
def test_a_version_5_row_that_names_nothing_is_refused_and_the_file_untouched(tmp_path, kind):
    path = tmp_path / "empty-subject.csv"
    write_version_5(path, [{"kind": kind, "algorithm": "", "isa": "avx2", "n": "10", "status": "ok"}])
    before = path.read_text()
    with pytest.raises(upgrade_results.Refused, match=r"empty-subject.csv:2: column \w+: it is empty in a " + kind):
        upgrade_results.upgrade(path)
    assert path.read_text() == before


@pytest.mark.parametrize("content", [b"name,time\nx,1\n", b"\xff\xfe\x00garbage\x00\n",
                                     ",".join(SCHEMA_COLUMNS).encode() + b"\n6,torn\n"])
def test_the_command_line_refuses_garbage_with_status_2(tmp_path, content):
    path = tmp_path / "garbage.csv"
    path.write_bytes(content)
    p = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert "garbage.csv" in p.stderr and "not touched" in p.stderr, p.stderr
    assert path.read_bytes() == content


def test_the_command_line_without_a_file_prints_its_usage_and_exits_2():
    p = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert p.returncode == 2 and "upgrade-results.py" in p.stderr


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
    with pytest.raises(upgrade_results.Refused, match="not that of schema_version 2, 3, 4, 5 or 6"):
        upgrade_results.upgrade(path)
    assert path.read_text() == "name,time\nx,1\n"

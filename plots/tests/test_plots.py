"""Tests of plots/plot_results.py and the softmax_plots package against the synthetic fixture in plots/tests/fixtures/.

Run from the repository root: .venv/bin/python -m pytest -q plots/tests
"""

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SCRIPT = HERE.parent / "plot_results.py"

sys.path.insert(0, str(HERE.parent))
import paper_claims  # noqa: E402
from softmax_plots.schema import (ROOFLINE_COLUMNS, SCHEMA_COLUMNS, SUPPORTED_SCHEMA_VERSIONS,  # noqa: E402
                                  VERSION_3_COLUMNS, VERSION_4_COLUMNS, VERSION_5_COLUMNS,
                                  VERSION_6_COLUMNS, SUBJECT_COLUMNS, schema_columns, subject_column)
from softmax_plots.load import discover, load_file, load_references, with_references  # noqa: E402
from softmax_plots.select import experiment_kind, is_multicore, is_tune  # noqa: E402
from softmax_plots.stats import (paired_estimate, paired_speedup, raw_samples, read_bandwidth, speedups,  # noqa: E402
                                 time_estimate)
from softmax_plots.accuracy import parse_range, range_family, range_position  # noqa: E402
from softmax_plots.formats import speedup_cell  # noqa: E402
from softmax_plots.summary import summarize  # noqa: E402
from softmax_plots.style import PANEL_WIDTH  # noqa: E402
from softmax_plots.cli import REPOSITORY, main  # noqa: E402
from softmax_plots.figures.accuracy import ULP_FLOOR, figure_accuracy  # noqa: E402
from softmax_plots.figures.multicore import figure_multicore  # noqa: E402
from softmax_plots.figures.passes import figure_passes  # noqa: E402
from softmax_plots.figures.speedup import figure_speedup  # noqa: E402
from softmax_plots.figures.summary_speedup import figure_summary  # noqa: E402
from softmax_plots.figures.throughput import figure_throughput  # noqa: E402
from softmax_plots.figures.throughput_per_read_bandwidth import (  # noqa: E402
    figure_throughput_per_read_bandwidth)

ZEN4 = "amd-zen4-epyc"
SKX = "intel-skylake-x-fixture"
ICX = "intel-icelake-server-fixture"  # schema_version 4, a processor the paper did not measure
PROCESSORS = (ZEN4, SKX, ICX)
CLAIMS_FIXTURE = HERE / "claims-fixture.json"
EXPECTED_STEMS = ["throughput", "throughput_per_read_bandwidth", "speedup", "passes", "summary_speedup",
                  f"{ZEN4}_accuracy"]
ACCURACY_FIXTURE = FIXTURES / ZEN4 / "accuracy-fixture.csv"
EXPECTED_ROWS = {(ZEN4, "portable"), (ZEN4, "avx2"), (ZEN4, "avx512f"), (SKX, "avx2"), (SKX, "avx512f"),
                 (ICX, "avx2"), (ICX, "avx512f")}


def run_cli(*args, reference=False, claims=True):
    """The script as make runs it, on the claims fixture and without the repository's results as references
    unless a test asks for them."""
    extra = ([] if reference else ["--no-reference"]) + (["--claims", CLAIMS_FIXTURE] if claims else [])
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args), *map(str, extra)], capture_output=True,
                          text=True, timeout=300)


def load_claims():
    return paper_claims.load(CLAIMS_FIXTURE)


def fixture_processors(results=FIXTURES):
    return {p.id: p for p in discover(results)}


def gids(fig):
    """Every drawn element with an id, across panels: lines and CI bands."""
    out = {}
    for ax in fig.axes:
        for artist in list(ax.get_lines()) + list(ax.collections) + list(ax.patches):
            if artist.get_gid():
                out[artist.get_gid()] = artist
    return out


def band_limits(band):
    """(x, low, high) per point of a fill_between band."""
    path = band.get_paths()[0].vertices
    half = (len(path) - 1) // 2
    lower = path[1:half]
    upper = path[half + 1:-1][::-1]
    return [(x, lo, hi) for (x, lo), (_x, hi) in zip(lower, upper)]


SPEEDUP_CELL = re.compile(r"^(?P<value>\d+\.\d+)(?: \[(?P<low>\d+\.\d+), (?P<high>\d+\.\d+)\]|, (?P<why>no CI \([^)]*\)))"
                          r"(?P<marks>(?: [†‡])*)$")


def parse_cell(cell):
    m = SPEEDUP_CELL.match(cell)
    assert m, cell
    return m


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    summary = out / "SUMMARY.md"
    p = run_cli("--results", FIXTURES, "--out", out, "--summary", summary)
    assert p.returncode == 0, p.stderr
    return out, summary, p


def copy_fixture(tmp_path):
    dst = tmp_path / "results"
    shutil.copytree(FIXTURES, dst)
    return dst


def rewrite_csv(path, change):
    """Rewrite a CSV, calling change(header, row_dict) on every row (may mutate); keeps the column order."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames)
        rows = list(reader)
    header = change(header, rows) or header
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def parse_summary_table(text):
    lines = [l for l in text.splitlines() if l.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for l in lines[2:]:
        cells = [c.strip() for c in l.strip("|").split("|")]
        if len(cells) != len(header):
            break  # the next table
        rows.append(dict(zip(header, cells)))
    return header, rows


# --------------------------------------------------------------------------------------------------------------


def test_fixture_is_labelled_synthetic():
    for meta in FIXTURES.glob("*/*.json"):
        m = json.loads(meta.read_text())
        assert "synthetic" in m["note"], meta
        assert "synthetic" in m["processor"]["model_name"], meta


def test_fixture_follows_the_schema():
    # The timing fixtures of two processors are schema_version 1 on purpose (reading older results stays
    # tested), the accuracy fixture is 3 (the accuracy kind exists from 3 on), the third processor's is 4.
    versions = {}
    for path in FIXTURES.glob("*/*.csv"):
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            version = int(next(reader)[0])
        versions[(path.parent.name, path.name)] = version
        assert tuple(header) == schema_columns(version), path
    assert versions[(ZEN4, "accuracy-fixture.csv")] == 3
    assert {v for (proc, _f), v in versions.items() if proc == ICX} == {4}
    assert {v for (proc, f), v in versions.items() if proc != ICX and f != "accuracy-fixture.csv"} == {1}
    assert schema_columns(max(SUPPORTED_SCHEMA_VERSIONS)) == SCHEMA_COLUMNS
    assert len(schema_columns(1)) + len(ROOFLINE_COLUMNS) + len(VERSION_3_COLUMNS) + len(
        VERSION_4_COLUMNS) + len(VERSION_5_COLUMNS) + len(VERSION_6_COLUMNS) == len(SCHEMA_COLUMNS)


def test_every_figure_is_written(rendered):
    out, _summary, p = rendered
    for stem in EXPECTED_STEMS:
        for ext in ("png", "svg"):
            f = out / f"{stem}.{ext}"
            assert f.is_file(), f
            assert f"wrote {f}" in p.stderr
    names = {f.stem for f in out.glob("*.png")}
    assert names == set(EXPECTED_STEMS)


@pytest.mark.parametrize("stem", EXPECTED_STEMS)
def test_png_is_not_trivial(rendered, stem):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    out, _summary, _p = rendered
    f = out / f"{stem}.png"
    assert f.stat().st_size > 10_000, f
    img = mpimg.imread(f)
    assert img.ndim == 3 and img.shape[0] > 400 and img.shape[1] > 600
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20, f"{f}: only {len(colours)} distinct colours"


def test_summary_has_a_numeric_row_per_processor_and_isa(rendered):
    _out, summary, _p = rendered
    header, rows = parse_summary_table(summary.read_text())
    assert header == ["processor", "microarchitecture", "isa", "preset", "n used", "two-pass vs recompute",
                      "two-pass vs reload", "paper's claim"]
    assert {(r["processor"], r["isa"]) for r in rows} == EXPECTED_ROWS
    assert len(rows) == len(EXPECTED_ROWS)
    for r in rows:
        for col in ("two-pass vs recompute", "two-pass vs reload"):
            m = parse_cell(r[col])
            assert 0.3 < float(m["value"]) < 3.0, r
            assert m["low"] and float(m["low"]) <= float(m["value"]) <= float(m["high"]), r
        assert r["preset"] == "blend"
    skx = {r["isa"]: r for r in rows if r["processor"] == SKX}
    assert "1.28" in skx["avx512f"]["paper's claim"] and "1.18" in skx["avx2"]["paper's claim"]
    assert "project's choice" not in skx["avx512f"]["paper's claim"]
    icx = {r["isa"]: r for r in rows if r["processor"] == ICX}
    assert "1.28" in icx["avx512f"]["paper's claim"] and "project's choice" in icx["avx512f"]["paper's claim"]
    assert "synthetic" in summary.read_text()  # the sources list carries the fixture's note


def test_summary_only_prints_just_the_table():
    p = run_cli("--results", FIXTURES, "--summary-only")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert lines[0].startswith("| processor | microarchitecture | isa |")
    assert all(l.startswith("|") for l in lines)
    assert len(lines) == 2 + len(EXPECTED_ROWS)


def test_out_of_cache_values_use_sizes_beyond_four_llc(rendered):
    _out, summary, _p = rendered
    _h, rows = parse_summary_table(summary.read_text())
    for r in rows:
        assert "4xLLC" in r["n used"], r
    # LLC 32 MiB -> 8.4M elements, 4x = 33.6M: only 100M and 300M count on the zen4 fixture.
    zen_avx2 = next(r for r in rows if r["processor"] == ZEN4 and r["isa"] == "avx2")
    assert "100M, 300M" in zen_avx2["n used"] and "30M" not in zen_avx2["n used"]


def test_unknown_schema_version_in_csv_exits_2(tmp_path):
    results = copy_fixture(tmp_path)
    target = results / SKX / "softmax-fixture.csv"

    def bump(header, rows):
        for r in rows:
            r["schema_version"] = "7"
    rewrite_csv(target, bump)
    p = run_cli("--results", results, "--out", tmp_path / "figs")
    assert p.returncode == 2, p.stderr
    assert "softmax-fixture.csv" in p.stderr and "'7'" in p.stderr and "schema_version 1" in p.stderr


def test_unknown_schema_version_in_metadata_exits_2(tmp_path):
    results = copy_fixture(tmp_path)
    target = results / ZEN4 / "passes-fixture.json"
    m = json.loads(target.read_text())
    m["schema_version"] = 42
    target.write_text(json.dumps(m))
    p = run_cli("--results", results, "--out", tmp_path / "figs")
    assert p.returncode == 2, p.stderr
    assert "passes-fixture.json" in p.stderr and "42" in p.stderr and "schema_version 1" in p.stderr


@pytest.mark.parametrize("column", ["median_s", "real_gbps", "kind"])
def test_missing_column_exits_2(tmp_path, column):
    results = copy_fixture(tmp_path)
    target = results / ZEN4 / "passes-fixture.csv"
    rewrite_csv(target, lambda header, rows: [c for c in header if c != column])
    p = run_cli("--results", results, "--out", tmp_path / "figs")
    assert p.returncode == 2, p.stderr
    assert f"'{column}'" in p.stderr and "passes-fixture.csv" in p.stderr and "missing" in p.stderr
    assert not (tmp_path / "figs").exists() or not any((tmp_path / "figs").iterdir())


def test_no_results_exits_1(tmp_path):
    (tmp_path / "results").mkdir()
    p = run_cli("--results", tmp_path / "results", "--out", tmp_path / "figs")
    assert p.returncode == 1
    assert "no results" in p.stderr


def test_error_rows_are_counted_and_not_plotted(tmp_path, rendered):
    _out, _summary, p = rendered
    for f in ("softmax-fixture.csv", "passes-fixture.csv"):
        for proc in (ZEN4, SKX):
            assert f"{proc}/{f}: kinds " in p.stderr
            line = next(l for l in p.stderr.splitlines() if f"{proc}/{f}: kinds " in l)
            assert "ignored 1 of" in line and "(error: 1)" in line

    # Give the error rows timings (a broken runner might) that would stand out if they were drawn.
    results = copy_fixture(tmp_path)

    def poison(header, rows):
        for r in rows:
            if r["status"] == "error":
                r.update(median_s="1e-12", p25_s="1e-12", p75_s="1e-12", min_s="1e-12",
                         elements_per_s="1e21", effective_gbps="1e13", real_gbps="1e13")
    for f in results.glob("*/*.csv"):
        rewrite_csv(f, poison)

    processors = {p.id: p for p in discover(results)}
    zen = processors[ZEN4]
    assert all(r["status"] == "ok" for r in zen.softmax + zen.passes)
    reload_kernel = "rmax_portable_x4_acc4+raddstoreexpminusmax_portable_x4_acc4+vscale_portable_x4"
    fig = figure_throughput([zen])
    lines = {g: l for g, l in gids(fig).items() if not g.endswith("|ci")}
    reload_line = lines[f"softmax|{ZEN4}|portable|blend|three-pass-reload|{reload_kernel}"]
    two_pass = next(l for g, l in lines.items() if g.startswith(f"softmax|{ZEN4}|portable|blend|two-pass|"))
    assert 300_000_000 in list(two_pass.get_xdata())
    assert 300_000_000 not in list(reload_line.get_xdata())
    assert max(max(l.get_ydata()) for l in lines.values()) < 100  # 10^9 elements/s; the poison is 10^12

    fig = figure_passes([processors[SKX]])
    lines = gids(fig)
    assert 100_000_000 not in list(lines[f"pass|{SKX}|avx512f|vscaleextexp|vscaleextexp_avx512f_x16"].get_xdata())
    assert 100_000_000 in list(lines[f"pass|{SKX}|avx512f|raddextexp|raddextexp_avx512f_x144_acc3"].get_xdata())

    sp = speedups(zen)
    assert 300_000_000 not in [p.n for p in sp[("portable", "blend", "three-pass-reload")]]


def test_full_experiment_preferred_over_quick(tmp_path):
    results = copy_fixture(tmp_path)
    d = results / ZEN4
    # A quick run: the same series at fewer sizes, with a different experiment id (and one extra algorithm).
    with open(d / "softmax-fixture.csv", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = [r for r in reader if int(r["n"]) <= 1_000_000]
    for r in rows:
        r["experiment"] = "softmax-quick"
    with open(d / "softmax-quick.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    meta = json.loads((d / "softmax-fixture.json").read_text())
    meta["experiment"] = "softmax-quick"
    (d / "softmax-quick.json").write_text(json.dumps(meta))

    p = run_cli("--results", results, "--summary-only")
    assert p.returncode == 0, p.stderr
    assert "using softmax-fixture.csv (more points)" in p.stderr and "softmax-quick.csv" in p.stderr
    zen = next(p for p in discover(results) if p.id == ZEN4)
    assert {r["experiment"] for r in zen.softmax} == {"softmax-fixture"}
    assert {r["experiment"] for r in zen.passes} == {"passes-fixture"}


def test_kinds_decide_the_figure_not_file_names(tmp_path):
    results = copy_fixture(tmp_path)
    d = results / SKX
    for stem, new in (("softmax-fixture", "tune"), ("passes-fixture", "softmax")):  # misleading names
        (d / f"{stem}.csv").rename(d / f"{new}.csv.tmp")
        (d / f"{stem}.json").rename(d / f"{new}.json.tmp")
    for f in d.glob("*.tmp"):
        f.rename(f.with_suffix(""))
    proc = next(p for p in discover(results) if p.id == SKX)
    assert {r["kind"] for r in proc.softmax} == {"softmax"}
    assert {r["kind"] for r in proc.passes} == {"pass", "reference"}


def test_a_tune_runs_streaming_crossover_is_not_drawn_as_softmax(tmp_path):
    results = copy_fixture(tmp_path)
    d = results / SKX
    shutil.copy(d / "passes-fixture.csv", d / "tune.csv")
    meta = json.loads((d / "passes-fixture.json").read_text())
    meta["experiment"], meta["experiment_kind"] = "tune", "tune"
    (d / "tune.json").write_text(json.dumps(meta))
    softmax_rows = []
    rewrite_csv(d / "softmax-fixture.csv", lambda header, rows: softmax_rows.extend(dict(r) for r in rows))

    def add_crossover(header, rows):
        for r in softmax_rows:
            rows.append(dict(r, experiment="tune", preset="tuned", n="999999", kernel=r["kernel"] + "_nt"))
    rewrite_csv(d / "tune.csv", add_crossover)
    proc = next(p for p in discover(results) if p.id == SKX)
    assert proc.softmax and all(r["n"] != "999999" for r in proc.softmax), "the crossover rows were drawn"
    assert not any(r["_source"].endswith("tune.csv") for r in proc.softmax)


def test_the_kind_comes_from_the_metadata_or_the_id_never_from_the_rows(tmp_path):
    results = copy_fixture(tmp_path)
    d = results / SKX
    # A softmax experiment whose file also holds a pass row: still softmax, not a tune run (the old guess
    # took any file with softmax and pass rows for tune and hid its softmax rows).
    meta = json.loads((d / "softmax-fixture.json").read_text())
    meta["experiment_kind"] = "softmax"
    (d / "softmax-fixture.json").write_text(json.dumps(meta))
    pass_rows = []
    rewrite_csv(d / "passes-fixture.csv", lambda header, rows: pass_rows.extend(dict(r) for r in rows if r["kind"] == "pass"))
    rewrite_csv(d / "softmax-fixture.csv", lambda header, rows: rows.append(dict(pass_rows[0], experiment="softmax-fixture")))
    softmax = load_file(d / "softmax-fixture.csv")
    assert experiment_kind(softmax) == "softmax"
    assert not is_tune(softmax) and not is_multicore(softmax)
    # A multicore run whose rows are all one thread, without metadata: the id says multicore.
    _write_multicore(results / ZEN4, ZEN4)
    z = results / ZEN4
    rewrite_csv(z / "multicore.csv", lambda header, rows: rows.__setitem__(slice(None), [r for r in rows if r["threads"] == "1"]))
    (z / "multicore.json").unlink()
    (z / "multicore.csv").rename(z / "multicore-quick.csv")
    multicore = load_file(z / "multicore-quick.csv")
    assert experiment_kind(multicore) == "multicore"
    assert is_multicore(multicore) and not is_tune(multicore)
    # The metadata wins over the id.
    meta["experiment_kind"] = "tune"
    (d / "softmax-fixture.json").write_text(json.dumps(meta))
    assert is_tune(load_file(d / "softmax-fixture.csv"))


def test_extra_algorithm_and_preset_are_drawn(tmp_path):
    results = copy_fixture(tmp_path)
    target = results / SKX / "softmax-fixture.csv"

    def add(header, rows):
        extra = []
        for r in rows:
            if r["isa"] == "avx2" and r["status"] == "ok":
                extra.append(dict(r, preset="tuned", kernel=r["kernel"] + "_tuned"))
                if r["algorithm"] == "two-pass":
                    extra.append(dict(r, algorithm="online", kernel="online_avx2_x32"))
        rows.extend(extra)
    rewrite_csv(target, add)
    proc = next(p for p in discover(results) if p.id == SKX)
    fig = figure_throughput([proc])
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "online" in labels
    assert "preset tuned" in labels and "preset blend" in labels
    assert any(g.startswith(f"softmax|{SKX}|avx2|blend|online|") for g in gids(fig))
    rows = summarize([proc])
    assert {(r.isa, r.preset) for r in rows} == {("avx2", "blend"), ("avx2", "tuned"), ("avx512f", "blend")}


def test_claims_hold_each_processor_to_its_own_or_the_projects_choice():
    claims = load_claims()
    assert claims.out_of_cache_llc_factor == 4
    (skx512,) = claims.marks("skylake-x", "GenuineIntel", ["avx2", "avx512f"], "avx512f")
    assert skx512.value == 1.28 and "project's choice" not in skx512.label
    (skx2,) = claims.marks("Skylake-X", "GenuineIntel", ["avx2", "avx512f"], "avx2")
    assert skx2.value == 1.18
    # Not in the paper: the first held_to entry of the vendor (and ISA) decides, and the label says so.
    (icx,) = claims.marks("icelake-server", "GenuineIntel", ["avx2", "avx512f"], "avx512f")
    assert icx.value == 1.28 and "project's choice" in icx.label and "skylake-x" in icx.label
    (haswell,) = claims.marks("haswell", "GenuineIntel", ["avx2"], "avx2")
    assert haswell.value is None and "broadwell" in haswell.label and "project's choice" in haswell.label
    (zen4,) = claims.marks("zen4", "AuthenticAMD", ["avx2", "avx512f"], "avx2")
    assert zen4.value is None and "zen2" in zen4.label and "faster" in zen4.label
    assert claims.marks("zen4", "AuthenticAMD", ["avx2", "avx512f"], "avx512f") == []
    assert claims.marks("zen2", "AuthenticAMD", ["avx2"], "avx2")[0].label.endswith("(no number)")
    assert claims.marks("neoverse", "ARM", ["neon"], "neon") == []
    assert "no held_to entry" in claims.describe("neoverse", "ARM", ["neon"], "neon")
    # The memory-bound claim is not a speedup: never marked.
    assert all(m.claim_id != "three-pass-memory-bound" for isa in ("avx2", "avx512f")
               for m in claims.marks("skylake-x", "GenuineIntel", ["avx2", "avx512f"], isa))


def test_no_claims_file_is_said_and_marks_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(paper_claims, "DEFAULT_PATH", tmp_path / "claims" / "paper.json")
    summary = tmp_path / "SUMMARY.md"
    assert main(["--results", str(FIXTURES), "--out", str(tmp_path / "figs"), "--summary", str(summary),
                    "--no-reference"]) == 0
    text = summary.read_text()
    assert "No claims file was read" in text
    _h, rows = parse_summary_table(text)
    assert all(r["paper's claim"] == "no claims file" for r in rows), rows
    assert paper_claims.load(tmp_path / "absent.json") is None


@pytest.mark.parametrize("content, problem", [
    ("{not json", "cannot read the claims file"),
    ('{"claims": [], "held_to": []}', "'out_of_cache_llc_factor'"),
    ('{"out_of_cache_llc_factor": 4, "claims": [{"id": "x", "microarchitectures": ["a"], "test": "speedup-up-to"}],'
     ' "held_to": []}', "without a numeric 'value'"),
])
def test_a_bad_claims_file_exits_2_before_drawing(tmp_path, content, problem):
    bad = tmp_path / "paper.json"
    bad.write_text(content)
    p = run_cli("--results", FIXTURES, "--out", tmp_path / "figs", "--claims", bad, claims=False)
    assert p.returncode == 2, p.stderr
    assert str(bad) in p.stderr and problem in p.stderr and "fix" in p.stderr
    assert not (tmp_path / "figs").exists()


def test_a_missing_claims_file_named_on_the_command_line_exits_2(tmp_path):
    p = run_cli("--results", FIXTURES, "--out", tmp_path / "figs", "--claims", tmp_path / "nope.json", claims=False)
    assert p.returncode == 2 and "nope.json: no such claims file" in p.stderr, p.stderr


def test_speedup_is_the_median_of_paired_ratios():
    two = {"experiment": "e", "median_s": 2.0, "raw_samples_s": "1;2;4"}
    three = {"experiment": "e", "median_s": 3.0, "raw_samples_s": "3;2;4"}
    # Paired ratios 3, 1, 1 -> median 1; the ratio of medians would say 1.5.
    assert paired_speedup(three, two) == 1
    other_run = dict(three, experiment="f")
    assert paired_speedup(other_run, two) == 1.5
    assert paired_speedup(dict(three, raw_samples_s=""), two) == 1.5


def test_named_sizes_get_a_table_and_a_figure(tmp_path):
    results = copy_fixture(tmp_path)
    meta_path = results / ZEN4 / "softmax-fixture.json"
    meta = json.loads(meta_path.read_text())
    with open(results / ZEN4 / "softmax-fixture.csv", newline="") as f:
        sizes = sorted({int(r["n"]) for r in csv.DictReader(f) if r["status"] == "ok"})
    meta["size_labels"] = {str(sizes[0]): "Tiny-dataset"}
    meta["skipped_sizes"] = {"999999999999": "needs 11 TiB of buffers; 20 GiB available"}
    meta_path.write_text(json.dumps(meta))
    out = tmp_path / "figures"
    summary = tmp_path / "SUMMARY.md"
    p = run_cli("--results", results, "--out", out, "--summary", summary)
    assert p.returncode == 0, p.stderr
    text = summary.read_text()
    assert "## Named sizes" in text and "Tiny-dataset" in text, text
    assert "Skipped on" in text and "999999999999" in text, text
    png = out / f"{ZEN4}_class_counts.png"
    assert png.exists() and png.stat().st_size > 10_000


def test_columns_are_the_ones_results_readme_documents():
    """results/README.md is the one definition of the schema; this script's columns of the version it documents
    must match it."""
    readme = (Path(__file__).resolve().parents[2] / "results" / "README.md").read_text()
    section = readme.split("## CSV", 1)[1].split("\n## ", 1)[0]
    version = int(re.match(r", schema_version (\d+)", section).group(1))
    documented = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            documented += [c.strip().strip("`") for c in first.split(",")]
    assert version in SUPPORTED_SCHEMA_VERSIONS
    assert tuple(documented) == schema_columns(version)


def _as_version(src: Path, dst: Path, version: int, change=None) -> list[dict]:
    """The schema-4 fixture `src` written as schema `version` writes it (the subject in its kind's column from 6
    on), after `change(i, row)`; its metadata beside it. Returns the fixture's rows as they were."""
    with open(src, newline="") as f:
        original = list(csv.DictReader(f))
    columns = schema_columns(version)
    with open(dst, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for i, r in enumerate(original):
            row = {c: r.get(c, "") for c in columns} | {"schema_version": str(version)}
            if version >= 6:
                row = row | {"algorithm": "", subject_column(r["kind"]): r["algorithm"]}
            w.writerow(change(i, row) if change else row)
    meta = json.loads(src.with_suffix(".json").read_text()) | {"schema_version": version}
    dst.with_suffix(".json").write_text(json.dumps(meta))
    return original


def test_a_schema_5_file_reads_as_its_schema_6_upgrade(tmp_path):
    """Schema 5's `algorithm` cell names a pass family or a reference loop by the row's kind: the loader puts it
    in that column, so a schema-5 file gives the rows of the same file written as schema 6."""
    src = FIXTURES / ICX / "passes-fixture.csv"
    (tmp_path / "v5").mkdir()
    (tmp_path / "v6").mkdir()
    original = _as_version(src, tmp_path / "v5" / "passes.csv", 5)
    _as_version(src, tmp_path / "v6" / "passes.csv", 6)
    old, new = load_file(tmp_path / "v5" / "passes.csv"), load_file(tmp_path / "v6" / "passes.csv")
    assert old.ignored == new.ignored and len(old.rows) == len(new.rows) > 0
    kinds = set()
    for a, b in zip(old.rows, new.rows, strict=True):
        kinds.add(a["kind"])
        assert {c: a[c] for c in SUBJECT_COLUMNS} == {c: b[c] for c in SUBJECT_COLUMNS}
        assert a[subject_column(a["kind"])] and not a["algorithm"], a
    assert kinds == {"pass", "reference"}
    source = {(r["kind"], r["kernel"], r["n"]): r["algorithm"] for r in original}
    assert all(source[(r["kind"], r["kernel"], str(r["n"]))] == r[subject_column(r["kind"])] for r in old.rows)


def test_a_row_naming_none_or_two_subjects_is_left_out_naming_its_line_and_column(tmp_path, capsys):
    """Exactly one of algorithm, pass_family and reference per row, the one its kind names."""
    src = FIXTURES / ICX / "passes-fixture.csv"
    breaks = {0: {"pass_family": ""}, 1: {"reference": "read"}, 2: {"algorithm": "two-pass"}}
    rows = _as_version(src, tmp_path / "passes.csv", 6, lambda i, r: r | breaks.get(i, {}))
    assert [rows[i]["kind"] for i in breaks] == ["pass"] * 3, "fixture: its first rows are pass rows"
    loaded = load_file(tmp_path / "passes.csv")
    err = capsys.readouterr().err
    assert loaded.ignored.get("malformed") == 3
    assert len(loaded.rows) == len(load_file(src).rows) - 3
    for line, column in ((2, "pass_family"), (3, "reference"), (4, "algorithm")):
        assert f"passes.csv:{line}: column {column}:" in err, err


def _multicore_rows(processor: str) -> list[dict]:
    """A synthetic multicore run: samples chosen so the paired speedups are known exactly."""
    rows = []
    # (threads, placement) -> {algorithm: seconds per call}
    times = {
        (1, ""): {"two-pass": 1.0, "three-pass-recompute": 1.2, "three-pass-reload": 1.1, "read": 0.4},
        (2, "compact"): {"two-pass": 0.5, "three-pass-recompute": 0.7, "three-pass-reload": 0.75, "read": 0.2},
        (2, "scattered"): {"two-pass": 0.5, "three-pass-recompute": 0.8, "three-pass-reload": 0.75, "read": 0.2},
    }
    n = 100_000_000
    for (threads, placement), per in times.items():
        for algorithm, t in per.items():
            kind = "reference" if algorithm == "read" else "softmax"
            bpe = {"two-pass": 12, "three-pass-recompute": 16, "three-pass-reload": 20, "read": 4}[algorithm]
            r = {c: "" for c in SCHEMA_COLUMNS}
            r.update({
                "schema_version": "6", "experiment": "multicore", "processor_id": processor, "microarchitecture": "zen4",
                "isa": "avx2", "preset": "blend" if kind == "softmax" else "", "kind": kind, subject_column(kind): algorithm,
                "kernel": algorithm, "n": str(n), "threads": str(threads), "placement": placement,
                "cpus": ";".join(str(c) for c in range(threads)), "cpu": "0", "samples": "3", "calls_per_sample": "1",
                "median_s": str(t), "p25_s": str(t), "p75_s": str(t), "min_s": str(t),
                "effective_gbps": str(8 * n / t / 1e9), "bytes_per_element": str(bpe),
                "real_gbps": str(bpe * n / t / 1e9), "status": "ok", "raw_samples_s": f"{t};{t};{t}",
            })
            rows.append(r)
    return rows


def _write_multicore(folder: Path, processor: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "multicore.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SCHEMA_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(_multicore_rows(processor))
    (folder / "multicore.json").write_text(json.dumps({
        "schema_version": 6, "experiment": "multicore", "experiment_kind": "multicore",
        "processor": {"id": processor, "model_name": "Test CPU (synthetic)", "microarchitecture": "zen4"},
        "caches": {"llc_bytes": 33554432}}))


def test_multicore_run_gets_its_figure_and_summary_section_and_stays_out_of_the_paper_figures(tmp_path):
    results = copy_fixture(tmp_path)
    _write_multicore(results / ZEN4, ZEN4)
    out = tmp_path / "figs"
    summary = tmp_path / "SUMMARY.md"
    p = run_cli("--results", results, "--out", out, "--summary", summary)
    assert p.returncode == 0, p.stderr
    stems = {f.stem for f in out.glob("*.png")}
    assert stems == set(EXPECTED_STEMS) | {f"{ZEN4}_multicore"}, stems ^ (set(EXPECTED_STEMS) | {f"{ZEN4}_multicore"})
    text = summary.read_text()
    assert "## Multi-core" in text
    lines = [l for l in text.splitlines() if l.startswith(f"| {ZEN4} | avx2 | blend | 100M |")]
    # threads, placement, two-pass GB/s, vs recompute, vs reload, read GB/s
    cells = [[c.strip() for c in l.strip("|").split("|")][4:] for l in lines]
    no_ci = "no CI (fewer than 6 samples)"  # the synthetic multicore rows have 3 samples
    assert cells == [
        ["1", "-", "0.8", f"1.20, {no_ci}", f"1.10, {no_ci}", "1.0"],
        ["2", "compact", "1.6", f"1.40, {no_ci}", f"1.50, {no_ci}", "2.0"],
        ["2", "scattered", "1.6", f"1.60, {no_ci}", f"1.50, {no_ci}", "2.0"],
    ], cells
    # The one-thread tables are the fixture's alone: the multicore file's one-thread rows are not mixed in.
    reference = run_cli("--results", FIXTURES, "--summary-only")
    assert reference.returncode == 0, reference.stderr
    assert reference.stdout in text


def test_a_multicore_run_alone_is_enough_to_plot(tmp_path):
    results = tmp_path / "results"
    _write_multicore(results / "solo-cpu", "solo-cpu")
    p = run_cli("--results", results, "--out", tmp_path / "figs")
    assert p.returncode == 0, p.stderr
    assert {f.stem for f in (tmp_path / "figs").glob("*.png")} == {"solo-cpu_multicore"}


def test_multicore_panels_share_a_y_axis_that_holds_every_column(tmp_path):
    """The top row shares its y axis: a column drawn later with higher GB/s must not be cut off by a limit the
    first column set."""
    folder = tmp_path / "results" / "solo-cpu"
    _write_multicore(folder, "solo-cpu")
    rows = _multicore_rows("solo-cpu")
    faster = []
    for r in rows:
        r = dict(r, isa="avx512f")
        t = float(r["median_s"]) / 3
        r.update({"median_s": str(t), "p25_s": str(t), "p75_s": str(t), "min_s": str(t), "raw_samples_s": f"{t};{t};{t}",
                  "real_gbps": str(float(r["real_gbps"]) * 3), "effective_gbps": str(float(r["effective_gbps"]) * 3)})
        faster.append(r)
    with open(folder / "multicore.csv", "a", newline="") as f:
        csv.DictWriter(f, fieldnames=SCHEMA_COLUMNS, lineterminator="\n").writerows(faster)
    proc = discover(tmp_path / "results")[0]
    fig = figure_multicore(proc)
    tops = [ax for ax in fig.axes if ax.get_ylabel() == "real GB/s (all threads)" or ax.get_title()]
    assert len(tops) == 2, [ax.get_title() for ax in fig.axes]
    highest = max(max(line.get_ydata()) for ax in tops for line in ax.get_lines() if len(line.get_ydata()))
    assert highest == pytest.approx(max(float(r["real_gbps"]) for r in faster))  # an avx512f row, drawn last
    limits = [(ax.get_title(), ax.get_ylim()) for ax in tops]
    import matplotlib.pyplot as plt
    plt.close(fig)
    for title, (bottom, top) in limits:
        assert bottom == 0 and top >= highest, (title, bottom, top, highest)


# --------------------------------------------------------------------------------------------------------------
# Accuracy


def fixture_accuracy_rows():
    with open(ACCURACY_FIXTURE, newline="") as f:
        return list(csv.DictReader(f))


def test_range_labels_parse():
    assert parse_range("[-1e4,1e4]") == (-1e4, 1e4)
    assert parse_range("[1e5,1e5+10]") == (1e5, 100010)
    assert parse_range("[-1e5-10,-1e5]") == (-100010, -1e5)
    assert parse_range("[1e-3,131072]") == (0.001, 131072)
    assert range_family("[-1,1]") == "symmetric" and range_family("[1e3,1e3+10]") == "windows"
    assert range_position("[1e7,1e7+10]") == 10000010


def test_accuracy_rows_are_read_not_skipped(rendered):
    _out, _summary, p = rendered
    line = next(l for l in p.stderr.splitlines() if "accuracy-fixture.csv: kinds " in l)
    assert "ok without timing" not in line, line
    rows = fixture_accuracy_rows()
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] != "ok"]
    assert f"{len(ok)} ok row(s)" in line and f"(error: {len(failed)})" in line, line
    zen = next(proc for proc in discover(FIXTURES) if proc.id == ZEN4)
    assert len(zen.accuracy) == len(ok), (len(zen.accuracy), len(ok))
    assert len(zen.accuracy_failed) == len(failed) == 4
    assert all(r["kind"] == "accuracy" for r in zen.accuracy)
    assert all(r["kind"] != "accuracy" for r in zen.softmax + zen.passes)


def test_accuracy_figure_draws_each_row_at_its_error():
    zen = next(proc for proc in discover(FIXTURES) if proc.id == ZEN4)
    fig = figure_accuracy(zen)
    lines = {l.get_gid(): l for ax in fig.axes for l in ax.get_lines() if l.get_gid()}
    rows = fixture_accuracy_rows()
    for isa in ("avx2", "avx512f"):
        for algorithm in ("two-pass", "three-pass-recompute", "three-pass-reload", "online"):
            expected = sorted((range_position(r["input_range"]), max(float(r["max_error_ulp"]), ULP_FLOOR))
                              for r in rows if r["isa"] == isa and r["algorithm"] == algorithm and not r["mask"]
                              and r["status"] == "ok" and range_family(r["input_range"]) == "windows")
            line = lines[f"accuracy|{isa}|1000|windows|{algorithm}|max_error_ulp"]
            seen = sorted(zip(line.get_xdata(), line.get_ydata()))
            flat = [float(v) for pair in seen for v in pair]
            assert flat == pytest.approx([v for pair in expected for v in pair]), (isa, algorithm, seen, expected)
            assert f"accuracy|{isa}|1000|windows|{algorithm}|mask|10%=-inf" in lines
        # Two-pass fails on [-3e38,3e38]: drawn as a failure, never as an error value.
        failed = lines[f"accuracy|{isa}|1000|symmetric|two-pass|failed"]
        assert len(failed.get_xdata()) == 2  # unmasked and 10%=-inf
        symmetric = lines[f"accuracy|{isa}|1000|symmetric|two-pass|max_error_ulp"]
        assert len(symmetric.get_xdata()) == 2  # [-1,1] and [-1e4,1e4] only
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("check failed" in l for l in labels) and any("mask 10%=-inf" in l for l in labels), labels


def test_summary_has_an_accuracy_section(rendered):
    _out, summary, _p = rendered
    text = summary.read_text()
    assert "## Accuracy against a float64 softmax" in text
    section = text.split("## Accuracy against a float64 softmax", 1)[1]
    header, rows = parse_summary_table(section)
    assert header == ["processor", "isa", "preset", "algorithm", "n", "[-1,1]", "[-1e4,1e4]", "worst to 2^17",
                      "degrades from", "failed"]
    assert len(rows) == 8, rows  # 2 ISAs x 4 algorithms at n = 1000
    fixture = fixture_accuracy_rows()
    for r in rows:
        source = next(f for f in fixture if f["isa"] == r["isa"] and f["algorithm"] == r["algorithm"]
                      and f["input_range"] == "[-1,1]" and not f["mask"])
        assert r["[-1,1]"] == (f"{float(source['max_error_ulp']):.3g} / {float(source['mean_error_ulp']):.3g}"), r
        if r["algorithm"] == "two-pass":
            # The toy model grows two-pass's error as (c / 2^17)^1.5 beyond 2^17: 1e6 is the first window past 2x.
            assert r["degrades from"].startswith("[1e6,1e6+10]"), r
            assert r["failed"] == "[-3e38,3e38]", r
        else:
            assert r["degrades from"] == "-" and r["failed"] == "-", r


def test_accuracy_results_alone_are_enough(tmp_path):
    results = tmp_path / "results"
    (results / ZEN4).mkdir(parents=True)
    for ext in ("csv", "json"):
        shutil.copy(FIXTURES / ZEN4 / f"accuracy-fixture.{ext}", results / ZEN4 / f"accuracy-fixture.{ext}")
    out = tmp_path / "figures"
    p = run_cli("--results", results, "--out", out, "--summary", tmp_path / "SUMMARY.md")
    assert p.returncode == 0, p.stderr
    assert {f.name for f in out.iterdir()} == {f"{ZEN4}_accuracy.png", f"{ZEN4}_accuracy.svg"}
    assert "## Accuracy against a float64 softmax" in (tmp_path / "SUMMARY.md").read_text()


def test_accuracy_rows_of_other_orders_stay_out_of_the_figure(tmp_path):
    """The accuracy figure and table show inputs as drawn; rows of other element orders are counted as left out."""
    src = FIXTURES / ZEN4 / "accuracy-fixture.csv"
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
    ordered = tmp_path / "accuracy.csv"
    with open(ordered, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SCHEMA_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**{c: "" for c in SCHEMA_COLUMNS}, **r, "order": "random"})
            w.writerow({**{c: "" for c in SCHEMA_COLUMNS}, **r, "order": "ascending", "max_error_ulp": "12345"})
    plain, with_orders = load_file(src), load_file(ordered)
    assert len(with_orders.rows) == len(plain.rows)
    assert all(r["max_error_ulp"] != 12345 for r in with_orders.rows)
    assert with_orders.ignored.get("accuracy order other than random") == len(rows)


# --------------------------------------------------------------------------------------------------------------
# Confidence intervals (issue 14)


def binomial_cdf(k, m):
    from math import comb
    return sum(comb(m, i) for i in range(k + 1)) / 2 ** m


@pytest.mark.parametrize("m", range(1, 60))
def test_ci_rank_is_the_largest_k_within_the_binomial_tail(m):
    from confidence import order_statistic_rank
    k = order_statistic_rank(m)
    valid = [j for j in range(1, m + 1) if binomial_cdf(j - 1, m) <= 0.025]
    assert k == (max(valid) if valid else None)
    if m < 6:
        assert k is None
    else:
        # The interval covers the median with at least 95%: 1 - 2 P(Bin <= k - 1).
        assert 1 - 2 * binomial_cdf(k - 1, m) >= 0.95


def test_ci_of_fifteen_samples_is_the_fourth_to_the_twelfth():
    from confidence import median_ci, median_estimate
    values = [float(v) for v in (9, 1, 14, 3, 12, 5, 7, 2, 15, 4, 11, 6, 13, 8, 10)]
    assert median_ci(values) == (4.0, 12.0)
    e = median_estimate(values)
    assert (e.value, e.low, e.high) == (8.0, 4.0, 12.0)
    assert e.text() == "8.00 [4.00, 12.00]"
    assert median_ci([1.0] * 5) is None
    short = median_estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    assert not short.has_ci and short.text() == "3.00, no CI (fewer than 6 samples)"
    assert not short.exceeds(0.01)


def test_paired_speedup_ci_is_the_rule_on_the_per_round_ratios():
    two = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0]
    ratios = [1.1, 1.3, 1.2, 1.25, 1.15, 1.4, 1.05]
    three = [t * r for t, r in zip(two, ratios)]
    row = lambda samples: {"experiment": "e", "median_s": sorted(samples)[3], "raw_samples_s": ";".join(map(repr, samples))}
    e = paired_estimate(row(three), row(two))
    s = sorted(ratios)  # m = 7: k = 1 (P(Bin(7, 1/2) = 0) = 1/128; P(<= 1) = 8/128 > 0.025)
    assert e.value == pytest.approx(s[3]) and e.low == pytest.approx(s[0]) and e.high == pytest.approx(s[6])
    unpaired = paired_estimate(dict(row(three), experiment="other"), row(two))
    assert not unpaired.has_ci and unpaired.text().endswith("no CI (rows of different runs: ratio of medians)")
    no_samples = paired_estimate(dict(row(three), raw_samples_s=""), row(two))
    assert no_samples.text().endswith("no CI (no raw samples: ratio of medians)")


def test_time_ci_comes_from_the_schema_4_columns_where_filled(tmp_path):
    results = copy_fixture(tmp_path)
    # Move the CI columns of the schema-4 fixture far from what the samples give: the figures must follow them.
    def widen(header, rows):
        for r in rows:
            if r["status"] == "ok":
                r["median_ci_low_s"] = repr(float(r["median_s"]) * 0.5)
                r["median_ci_high_s"] = repr(float(r["median_s"]) * 2.0)
    rewrite_csv(results / ICX / "softmax-fixture.csv", widen)
    icx = fixture_processors(results)[ICX]
    row = next(r for r in icx.softmax if r["isa"] == "avx2" and r["algorithm"] == "two-pass" and r["n"] == 1_000_000)
    e = time_estimate(row)
    assert (e.low, e.high) == (pytest.approx(row["median_s"] * 0.5), pytest.approx(row["median_s"] * 2.0))
    fig = figure_throughput([icx])
    band = gids(fig)[f"softmax|{ICX}|avx2|blend|two-pass|{row['kernel']}|ci"]
    point = next(p for p in band_limits(band) if p[0] == 1_000_000)
    assert point[1] == pytest.approx(1e6 / (2 * row["median_s"]) / 1e9)
    assert point[2] == pytest.approx(1e6 / (0.5 * row["median_s"]) / 1e9)
    # Schema 1-3 files: the same rule on raw_samples_s.
    zen_row = next(r for r in fixture_processors()[ZEN4].softmax if r["isa"] == "avx2" and r["n"] == 1_000_000)
    from confidence import median_ci
    assert (time_estimate(zen_row).low, time_estimate(zen_row).high) == median_ci(raw_samples(zen_row))


def test_speedup_figure_draws_each_ci_as_a_band():
    skx = fixture_processors()[SKX]
    fig = figure_speedup([skx], load_claims())
    drawn = gids(fig)
    for (isa, preset, variant), pts in speedups(skx).items():
        band = drawn[f"speedup|{SKX}|{isa}|{preset}|{variant}|ci"]
        limits = {x: (lo, hi) for x, lo, hi in band_limits(band)}
        for p in pts:
            from confidence import median_ci
            variant_row, two_pass_row = p.rows
            ratios = [x / y for x, y in zip(raw_samples(variant_row), raw_samples(two_pass_row))]
            assert limits[p.n] == pytest.approx(median_ci(ratios)), (isa, variant, p.n)


def test_no_band_where_there_are_fewer_than_6_samples(tmp_path):
    results = copy_fixture(tmp_path)

    def keep_five(header, rows):
        for r in rows:
            if r["raw_samples_s"]:
                r["raw_samples_s"] = ";".join(r["raw_samples_s"].split(";")[:5])
                r["samples"] = "5"
    rewrite_csv(results / SKX / "softmax-fixture.csv", keep_five)
    skx = fixture_processors(results)[SKX]
    fig = figure_speedup([skx], load_claims())
    assert not [g for g in gids(fig) if g.endswith("|ci")]
    assert [g for g in gids(fig) if g.startswith(f"speedup|{SKX}|avx2|blend|")]
    rows = summarize([skx], load_claims())
    at_largest = rows[0].at_largest["three-pass-recompute"]
    cell = speedup_cell(at_largest.estimate)
    assert cell == f"{at_largest.estimate.value:.2f}, no CI (fewer than 6 samples)", cell
    # Out of cache (n >= 4 x 6.5M elements: 30M, 100M and 300M) the ratios are pooled: 15 values, enough for
    # an interval.
    pooled = rows[0].values["three-pass-recompute"]
    assert pooled.count == 15 and pooled.has_ci


def test_summary_gives_the_pooled_out_of_cache_ci(rendered):
    _out, summary, _p = rendered
    _h, rows = parse_summary_table(summary.read_text())
    from confidence import median_estimate
    for proc_id in PROCESSORS:
        with open(FIXTURES / proc_id / "softmax-fixture.csv", newline="") as f:
            csv_rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
        meta = json.loads((FIXTURES / proc_id / "softmax-fixture.json").read_text())
        threshold = 4 * meta["caches"]["llc_bytes"] / 4
        for r in (r for r in rows if r["processor"] == proc_id and r["isa"] == "avx2"):
            for variant, column in (("three-pass-recompute", "two-pass vs recompute"),
                                    ("three-pass-reload", "two-pass vs reload")):
                ratios, missed = [], False
                for n in sorted({int(c["n"]) for c in csv_rows if int(c["n"]) >= threshold}):
                    at = {c["algorithm"]: c for c in csv_rows if int(c["n"]) == n and c["isa"] == "avx2"}
                    if variant not in at:
                        continue
                    a = [float(v) for v in at[variant]["raw_samples_s"].split(";")]
                    b = [float(v) for v in at["two-pass"]["raw_samples_s"].split(";")]
                    ratios += [x / y for x, y in zip(a, b)]
                    missed |= "no" in (at[variant].get("precision_met"), at["two-pass"].get("precision_met"))
                e = median_estimate(ratios)
                m = parse_cell(r[column])
                assert (m["value"], m["low"], m["high"]) == (f"{e.value:.2f}", f"{e.low:.2f}", f"{e.high:.2f}"), r
                assert ("†" in m["marks"]) == ((e.high - e.low) / 2 / e.value > 0.01), (r, e)
                assert ("‡" in m["marks"]) == missed, r


def test_the_precision_marks_are_explained_and_the_missed_target_appears(rendered):
    _out, summary, _p = rendered
    text = summary.read_text()
    assert "†: the interval's half-width exceeds 1%" in text and "‡: a" in text
    # The schema-4 fixture has rows whose precision missed their target; those comparisons carry the mark.
    with open(FIXTURES / ICX / "softmax-fixture.csv", newline="") as f:
        assert any(r["precision_met"] == "no" for r in csv.DictReader(f))
    assert "‡" in text


# --------------------------------------------------------------------------------------------------------------
# Figures across processors (issue 15)


def test_one_panel_per_processor_and_isa_with_the_same_axes():
    processors = list(fixture_processors().values())
    for make in (lambda: figure_throughput(processors), lambda: figure_speedup(processors, load_claims()),
                 lambda: figure_passes(processors),
                 lambda: figure_throughput_per_read_bandwidth(processors, load_claims())):
        fig = make()
        panels = [ax for ax in fig.axes if ax.axison and ax.get_title()]
        titles = {tuple(ax.get_title().split("\n")[0].split(", ")) for ax in panels}
        assert titles == EXPECTED_ROWS, titles
        assert len({ax.get_xlim() for ax in panels}) == 1
        # The same y axis down each ISA's column (ratios: in every panel), and every series inside it.
        for isa in ("portable", "avx2", "avx512f"):
            column = [ax for ax in panels if ax.get_title().split("\n")[0].endswith(f", {isa}")]
            assert len({ax.get_ylim() for ax in column}) == 1, isa
            for ax in column:
                ys = [y for line in ax.get_lines() if line.get_gid() for y in line.get_ydata()]
                assert ys and ax.get_ylim()[0] <= min(ys) and max(ys) <= ax.get_ylim()[1], ax.get_title()
        # Sized for a two-column paper: about one column (3.4 in) per panel.
        width, _height = fig.get_size_inches()
        assert width == pytest.approx(3 * PANEL_WIDTH)


def test_speedup_figure_marks_the_claim_that_applies_to_each_processor():
    processors = fixture_processors()
    fig = figure_speedup(list(processors.values()), load_claims())
    drawn = gids(fig)
    for proc, isa, value in ((SKX, "avx512f", 1.28), (SKX, "avx2", 1.18), (ICX, "avx512f", 1.28), (ICX, "avx2", 1.18)):
        line = drawn[f"claim|{proc}|{isa}|skylake-x-{isa}-up-to"]
        assert set(line.get_ydata()) == {value}
        threshold = 4 * processors[proc].llc_bytes / 4
        assert min(line.get_xdata()) == pytest.approx(threshold)  # drawn over the out-of-cache sizes only
    assert not [g for g in drawn if g.startswith(f"claim|{ZEN4}|")]
    texts = {ax.get_title().split("\n")[0]: [t.get_text() for t in ax.texts] for ax in fig.axes}
    assert any("project's choice" in t for t in texts[f"{ICX}, avx512f"]), texts[f"{ICX}, avx512f"]
    assert not any("project's choice" in t for t in texts[f"{SKX}, avx512f"])
    assert any("zen2" in t and "faster" in t and "project's choice" in t for t in texts[f"{ZEN4}, avx2"])


def test_throughput_per_read_bandwidth_divides_by_the_out_of_cache_read():
    claims = load_claims()
    icx = fixture_processors()[ICX]
    gbps, described = read_bandwidth(icx, claims)
    threshold = 4 * icx.llc_bytes / 4
    with open(FIXTURES / ICX / "passes-fixture.csv", newline="") as f:
        reads = [r for r in csv.DictReader(f) if r["algorithm"] == "read" and int(r["n"]) >= threshold]
    best = max(np.median([float(r["real_gbps"]) for r in reads if r["isa"] == isa]) for isa in ("avx2", "avx512f"))
    assert gbps == pytest.approx(best) and "read" in described and "n >=" in described
    fig = figure_throughput_per_read_bandwidth([icx], claims)
    row = next(r for r in icx.softmax if r["isa"] == "avx512f" and r["algorithm"] == "two-pass" and r["n"] == 100_000_000)
    line = gids(fig)[f"softmax_per_read|{ICX}|avx512f|blend|two-pass|{row['kernel']}"]
    y = dict(zip(line.get_xdata(), line.get_ydata()))[100_000_000]
    assert y == pytest.approx(row["n"] / row["median_s"] * 4 / (gbps * 1e9))


def test_legends_are_short_and_kernels_are_in_the_summary(rendered):
    _out, summary, _p = rendered
    processors = list(fixture_processors().values())
    for fig in (figure_throughput(processors), figure_speedup(processors, load_claims()),
                figure_passes(processors)):
        labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
        assert labels and all(len(l) <= 70 for l in labels), labels
        assert not [l for l in labels if re.search(r"_(portable|avx2|avx512f)", l)], labels
    text = summary.read_text()
    assert "## Kernels drawn" in text
    assert "`raddextexp_avx2_x96 + vscaleextexp_avx2_x40`" in text
    assert "`raddextexp_avx512f_x144_acc3` (x144 acc3)" in text


# --------------------------------------------------------------------------------------------------------------
# A local run beside the committed reference run (issue 12)


def make_local_run(tmp_path):
    """A copy of the zen4 fixture as a local run of another commit and day."""
    local = tmp_path / "local" / "results"
    shutil.copytree(FIXTURES / ZEN4, local / ZEN4)
    for meta_path in (local / ZEN4).glob("*.json"):
        meta = json.loads(meta_path.read_text())
        meta["git_commit"], meta["date"] = "abcdef0123456789", "2020-02-02T10:00:00Z"
        meta_path.write_text(json.dumps(meta))
    return local


def test_a_local_run_is_drawn_beside_its_reference(tmp_path):
    local = make_local_run(tmp_path)
    out, summary = tmp_path / "figs", tmp_path / "SUMMARY.md"
    p = run_cli("--results", local, "--out", out, "--summary", summary, "--reference", FIXTURES, reference=True)
    assert p.returncode == 0, p.stderr
    processors = fixture_processors(local)
    references = load_references(FIXTURES, list(processors.values()))
    assert [r.id for r in references] == [ZEN4]  # only the processors of the local run
    assert references[0].run_label == "reference run at 0000000, 2020-01-13"
    assert processors[ZEN4].run_label == "this run"
    drawn = with_references(list(processors.values()), references)
    fig = figure_speedup(drawn, load_claims())
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert f"{ZEN4}, avx2\nthis run" in titles and f"{ZEN4}, avx2\nreference run at 0000000, 2020-01-13" in titles
    assert any(g.startswith(f"speedup|{ZEN4}@reference|avx2|") for g in gids(fig))
    assert any(g.startswith(f"speedup|{ZEN4}|avx2|") for g in gids(fig))
    _h, rows = parse_summary_table(summary.read_text())
    assert {r["processor"] for r in rows} == {f"{ZEN4} (this run)", f"{ZEN4} (reference run at 0000000, 2020-01-13)"}
    assert (out / "throughput.png").exists() and (out / f"{ZEN4}_accuracy.png").exists()


def test_the_reference_defaults_to_the_repositorys_results(tmp_path):
    local = make_local_run(tmp_path)
    p = run_cli("--results", local, "--summary-only", reference=True)
    assert p.returncode == 0, p.stderr
    assert f"reading the reference runs in {REPOSITORY / 'results'}" in p.stderr
    # Drawing the repository's results themselves draws no reference beside them.
    p = run_cli("--results", REPOSITORY / "results", "--summary-only", reference=True)
    assert "reading the reference runs" not in p.stderr


def test_a_missing_reference_folder_exits_2(tmp_path):
    local = make_local_run(tmp_path)
    p = run_cli("--results", local, "--out", tmp_path / "figs", "--reference", tmp_path / "nowhere", reference=True)
    assert p.returncode == 2, p.stderr
    assert "nowhere: no such folder of reference results" in p.stderr and "--no-reference" in p.stderr
    assert not (tmp_path / "figs").exists()


def test_the_summary_puts_each_reference_row_below_the_same_configuration(tmp_path):
    local = make_local_run(tmp_path)
    processors = list(fixture_processors(local).values())
    references = load_references(FIXTURES, processors)
    rows = summarize(with_references(processors, references), load_claims())
    assert [(r.isa, r.preset, r.is_reference) for r in rows] == [
        (isa, "blend", ref) for isa in ("portable", "avx2", "avx512f") for ref in (False, True)]
    fig = figure_summary(rows, load_claims())
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert [("(reference)" in t) for t in ticks] == [False, True] * 3, ticks


def test_files_without_quartiles_or_raw_samples_are_drawn_without_cis(tmp_path):
    results = copy_fixture(tmp_path)
    for f in (results / SKX).glob("*.csv"):
        rewrite_csv(f, lambda header, rows: [c for c in header if c not in ("p25_s", "p75_s", "raw_samples_s")])
    out, summary = tmp_path / "figs", tmp_path / "SUMMARY.md"
    p = run_cli("--results", results, "--out", out, "--summary", summary)
    assert p.returncode == 0, p.stderr
    _h, rows = parse_summary_table(summary.read_text())
    for r in (r for r in rows if r["processor"] == SKX):
        assert parse_cell(r["two-pass vs recompute"])["why"] == "no CI (no raw samples: ratio of medians)", r
    assert not [g for g in gids(figure_speedup([fixture_processors(results)[SKX]])) if g.endswith("|ci")]


def test_summary_gives_each_pass_efficiency_with_its_ci(rendered):
    _out, summary, _p = rendered
    section = summary.read_text().split("## Roofline efficiency of the passes", 1)[1]
    _h, rows = parse_summary_table(section)
    with open(FIXTURES / ICX / "passes-fixture.csv", newline="") as f:
        fixture = [r for r in csv.DictReader(f) if r["status"] == "ok" and r["kind"] == "pass"]
    kernels = {(r["isa"], r["kernel"]) for r in fixture}
    mine = [r for r in rows if r["processor"] == ICX]
    assert {(r["isa"], r["kernel"].strip("`")) for r in mine} == kernels
    for r in mine:
        source = max((f for f in fixture if (f["isa"], f["kernel"]) == (r["isa"], r["kernel"].strip("`"))),
                     key=lambda f: int(f["n"]))
        e = float(source["efficiency"]), float(source["efficiency_ci_low"]), float(source["efficiency_ci_high"])
        assert r["efficiency"] == f"{e[0]:.2f} [{e[1]:.2f}, {e[2]:.2f}]", r
        assert r["bound"] == source["roofline_bound"]
    # The schema-1 fixtures carry no efficiency: no rows of theirs.
    assert {r["processor"] for r in rows} == {ICX}


def test_an_efficiency_without_its_interval_says_why():
    from softmax_plots.stats import efficiency_estimate
    base = {"efficiency": 0.97}
    assert efficiency_estimate(base).text().endswith("no CI (schema < 4)")
    empty = {**base, "efficiency_ci_low": float("nan"), "efficiency_ci_high": float("nan")}
    assert efficiency_estimate({**empty, "samples": 3}).text().endswith("no CI (fewer than 6 samples)")
    # A file upgraded from schema 3 has the columns, empty, and enough rounds: its run kept no per-round bounds.
    assert efficiency_estimate({**empty, "samples": 15}).text().endswith("no CI (not recorded: run before schema 4)")
    assert efficiency_estimate({**base, "efficiency_ci_low": 0.9, "efficiency_ci_high": 1.0}).low == 0.9

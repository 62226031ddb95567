"""Tests of plots/plot_results.py against the synthetic fixture in plots/tests/fixtures/.

Run from the repository root: .venv/bin/python -m pytest -q plots/tests
"""

import csv
import json
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
import plot_results as pr  # noqa: E402

ZEN4 = "amd-zen4-epyc"
SKX = "intel-skylake-x-fixture"
EXPECTED_STEMS = (
    [f"{ZEN4}_{isa}_{what}" for isa in ("portable", "avx2", "avx512f") for what in ("throughput", "passes")]
    + [f"{SKX}_{isa}_{what}" for isa in ("avx2", "avx512f") for what in ("throughput", "passes")]
    + [f"{ZEN4}_speedup", f"{SKX}_speedup", "summary_speedup", f"{ZEN4}_accuracy"]
)
ACCURACY_FIXTURE = FIXTURES / ZEN4 / "accuracy-fixture.csv"
EXPECTED_ROWS = {(ZEN4, "portable"), (ZEN4, "avx2"), (ZEN4, "avx512f"), (SKX, "avx2"), (SKX, "avx512f")}


def run_cli(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=300)


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
    for path in FIXTURES.glob("*/*.csv"):
        with open(path, newline="") as f:
            header = next(csv.reader(f))
        if path == ACCURACY_FIXTURE:
            # The accuracy kind exists only in schema_version 3 (which lacks the later `order`).
            assert tuple(header) == tuple(c for c in pr.SCHEMA_COLUMNS if c not in pr.AFTER_VERSION_3_COLUMNS), path
            continue
        # The timing fixture is schema_version 1 on purpose: it keeps reading older results tested.
        assert tuple(header) == tuple(c for c in pr.SCHEMA_COLUMNS
                                      if c not in pr.ROOFLINE_COLUMNS and c not in pr.VERSION_3_COLUMNS
                                      and c not in pr.AFTER_VERSION_3_COLUMNS), path


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
            v = float(r[col])
            assert 0.3 < v < 3.0, r
        assert r["preset"] == "blend"
    skx = {r["isa"]: r for r in rows if r["processor"] == SKX}
    assert "1.28" in skx["avx512f"]["paper's claim"] and "1.18" in skx["avx2"]["paper's claim"]
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
        assert "4xLLC" in r["n used"]
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

    processors = {p.id: p for p in pr.discover(results)}
    zen = processors[ZEN4]
    assert all(r["status"] == "ok" for r in zen.softmax + zen.passes)
    reload_kernel = "rmax_portable_x4_acc4+raddstoreexpminusmax_portable_x4_acc4+vscale_portable_x4"
    fig = pr.figure_throughput(zen, "portable")
    lines = {l.get_gid(): l for l in fig.axes[0].get_lines() if l.get_gid()}
    reload_line = lines[f"softmax|portable|blend|three-pass-reload|{reload_kernel}"]
    two_pass = next(l for g, l in lines.items() if g.startswith("softmax|portable|blend|two-pass|"))
    assert 300_000_000 in list(two_pass.get_xdata())
    assert 300_000_000 not in list(reload_line.get_xdata())
    assert max(max(l.get_ydata()) for l in lines.values()) < 100  # 10^9 elements/s; the poison is 10^12

    fig = pr.figure_passes(processors[SKX], "avx512f")
    lines = {l.get_gid(): l for l in fig.axes[0].get_lines() if l.get_gid()}
    assert 100_000_000 not in list(lines["pass|avx512f|vscaleextexp|vscaleextexp_avx512f_x16"].get_xdata())
    assert 100_000_000 in list(lines["pass|avx512f|raddextexp|raddextexp_avx512f_x144_acc3"].get_xdata())

    sp = pr.speedups(zen)
    assert 300_000_000 not in [n for n, _s in sp[("portable", "blend", "three-pass-reload")]]


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
    zen = next(p for p in pr.discover(results) if p.id == ZEN4)
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
    proc = next(p for p in pr.discover(results) if p.id == SKX)
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
    proc = next(p for p in pr.discover(results) if p.id == SKX)
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
    softmax = pr.load_file(d / "softmax-fixture.csv")
    assert pr._experiment_kind(softmax) == "softmax"
    assert not pr._is_tune(softmax) and not pr._is_multicore(softmax)
    # A multicore run whose rows are all one thread, without metadata: the id says multicore.
    _write_multicore(results / ZEN4, ZEN4)
    z = results / ZEN4
    rewrite_csv(z / "multicore.csv", lambda header, rows: rows.__setitem__(slice(None), [r for r in rows if r["threads"] == "1"]))
    (z / "multicore.json").unlink()
    (z / "multicore.csv").rename(z / "multicore-quick.csv")
    multicore = pr.load_file(z / "multicore-quick.csv")
    assert pr._experiment_kind(multicore) == "multicore"
    assert pr._is_multicore(multicore) and not pr._is_tune(multicore)
    # The metadata wins over the id.
    meta["experiment_kind"] = "tune"
    (d / "softmax-fixture.json").write_text(json.dumps(meta))
    assert pr._is_tune(pr.load_file(d / "softmax-fixture.csv"))


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
    proc = next(p for p in pr.discover(results) if p.id == SKX)
    fig = pr.figure_throughput(proc, "avx2")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(l.startswith("online") for l in labels)
    assert any("(tuned)" in l for l in labels) and any("(blend)" in l for l in labels)
    rows = pr.summarize([proc])
    assert {(r.isa, r.preset) for r in rows} == {("avx2", "blend"), ("avx2", "tuned"), ("avx512f", "blend")}


def test_paper_claims():
    assert pr.paper_claim("skylake-x", "avx512f")[0] == 1.28
    assert pr.paper_claim("skylake-x", "avx2")[0] == 1.18
    v, text = pr.paper_claim("zen2", "avx2")
    assert v is None and "beats three-pass" in text
    v, text = pr.paper_claim("broadwell", "avx2")
    assert v is None and "beats three-pass" in text
    assert pr.paper_claim("zen4", "avx512f")[0] is None


def test_speedup_is_the_median_of_paired_ratios():
    two = {"experiment": "e", "median_s": 2.0, "raw_samples_s": "1;2;4"}
    three = {"experiment": "e", "median_s": 3.0, "raw_samples_s": "3;2;4"}
    # Paired ratios 3, 1, 1 -> median 1; the ratio of medians would say 1.5.
    assert pr.paired_speedup(three, two) == 1
    other_run = dict(three, experiment="f")
    assert pr.paired_speedup(other_run, two) == 1.5
    assert pr.paired_speedup(dict(three, raw_samples_s=""), two) == 1.5


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
    """results/README.md is the one definition of the schema; this script's column list must match it."""
    readme = (Path(__file__).resolve().parents[2] / "results" / "README.md").read_text()
    section = readme.split("## CSV", 1)[1].split("\n## ", 1)[0]
    documented = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            documented += [c.strip().strip("`") for c in first.split(",")]
    assert tuple(documented) == pr.SCHEMA_COLUMNS


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
            r = {c: "" for c in pr.SCHEMA_COLUMNS}
            r.update({
                "schema_version": "3", "experiment": "multicore", "processor_id": processor, "microarchitecture": "zen4",
                "isa": "avx2", "preset": "blend" if kind == "softmax" else "", "kind": kind, "algorithm": algorithm,
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
        w = csv.DictWriter(f, fieldnames=pr.SCHEMA_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(_multicore_rows(processor))
    (folder / "multicore.json").write_text(json.dumps({
        "schema_version": 3, "experiment": "multicore", "experiment_kind": "multicore",
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
    assert cells == [
        ["1", "-", "0.8", "1.20", "1.10", "1.0"],
        ["2", "compact", "1.6", "1.40", "1.50", "2.0"],
        ["2", "scattered", "1.6", "1.60", "1.50", "2.0"],
    ], cells
    # The one-thread tables are the fixture's alone: the multicore file's one-thread rows are not mixed in.
    reference = run_cli("--results", FIXTURES, "--summary-only")
    assert reference.stdout in text


def test_a_multicore_run_alone_is_enough_to_plot(tmp_path):
    results = tmp_path / "results"
    _write_multicore(results / "solo-cpu", "solo-cpu")
    p = run_cli("--results", results, "--out", tmp_path / "figs")
    assert p.returncode == 0, p.stderr
    assert {f.stem for f in (tmp_path / "figs").glob("*.png")} == {"solo-cpu_multicore"}


# --------------------------------------------------------------------------------------------------------------
# Accuracy


def fixture_accuracy_rows():
    with open(ACCURACY_FIXTURE, newline="") as f:
        return list(csv.DictReader(f))


def test_range_labels_parse():
    assert pr.parse_range("[-1e4,1e4]") == (-1e4, 1e4)
    assert pr.parse_range("[1e5,1e5+10]") == (1e5, 100010)
    assert pr.parse_range("[-1e5-10,-1e5]") == (-100010, -1e5)
    assert pr.parse_range("[1e-3,131072]") == (0.001, 131072)
    assert pr.range_family("[-1,1]") == "symmetric" and pr.range_family("[1e3,1e3+10]") == "windows"
    assert pr.range_position("[1e7,1e7+10]") == 10000010


def test_accuracy_rows_are_read_not_skipped(rendered):
    _out, _summary, p = rendered
    line = next(l for l in p.stderr.splitlines() if "accuracy-fixture.csv: kinds " in l)
    assert "ok without timing" not in line, line
    rows = fixture_accuracy_rows()
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] != "ok"]
    assert f"{len(ok)} ok row(s)" in line and f"(error: {len(failed)})" in line, line
    zen = next(proc for proc in pr.discover(FIXTURES) if proc.id == ZEN4)
    assert len(zen.accuracy) == len(ok), (len(zen.accuracy), len(ok))
    assert len(zen.accuracy_failed) == len(failed) == 4
    assert all(r["kind"] == "accuracy" for r in zen.accuracy)
    assert all(r["kind"] != "accuracy" for r in zen.softmax + zen.passes)


def test_accuracy_figure_draws_each_row_at_its_error():
    zen = next(proc for proc in pr.discover(FIXTURES) if proc.id == ZEN4)
    fig = pr.figure_accuracy(zen)
    lines = {l.get_gid(): l for ax in fig.axes for l in ax.get_lines() if l.get_gid()}
    rows = fixture_accuracy_rows()
    for isa in ("avx2", "avx512f"):
        for algorithm in ("two-pass", "three-pass-recompute", "three-pass-reload", "online"):
            expected = sorted((pr.range_position(r["input_range"]), max(float(r["max_error_ulp"]), pr.ULP_FLOOR))
                              for r in rows if r["isa"] == isa and r["algorithm"] == algorithm and not r["mask"]
                              and r["status"] == "ok" and pr.range_family(r["input_range"]) == "windows")
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
        w = csv.DictWriter(f, fieldnames=pr.SCHEMA_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**{c: "" for c in pr.SCHEMA_COLUMNS}, **r, "order": "random"})
            w.writerow({**{c: "" for c in pr.SCHEMA_COLUMNS}, **r, "order": "ascending", "max_error_ulp": "12345"})
    plain, with_orders = pr.load_file(src), pr.load_file(ordered)
    assert len(with_orders.rows) == len(plain.rows)
    assert all(r["max_error_ulp"] != 12345 for r in with_orders.rows)
    assert with_orders.ignored.get("accuracy order other than random") == len(rows)

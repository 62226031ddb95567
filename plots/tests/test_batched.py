"""The batched experiment's SUMMARY.md section (softmax_plots/batched.py): the verdict on synthetic rows."""

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from softmax_plots import batched  # noqa: E402
from softmax_plots.load import discover  # noqa: E402
from softmax_plots.schema import SCHEMA_COLUMNS  # noqa: E402
from softmax_plots.select import select_rows  # noqa: E402
from softmax_plots.stats import labelled_sizes  # noqa: E402

TWO = [1.0 + 0.01 * (i % 5) for i in range(15)]
SLOWER = [t * (1.1 + 0.01 * (i % 10)) for i, t in enumerate(TWO)]
TIE = [t * (1.05 if i % 2 == 0 else 0.95) for i, t in enumerate(TWO)]


def test_verdict_win_loss_tie():
    assert batched.verdict({"two-pass": TWO, "three-pass-recompute": SLOWER}) == ("two-pass", [])
    assert batched.verdict({"two-pass": SLOWER, "three-pass-reload": TWO}) == ("three-pass-reload", [])
    winner, tied = batched.verdict({"two-pass": TWO, "online": TIE, "three-pass-reload": SLOWER})
    assert len(tied) == 1 and "three-pass-reload" not in tied, (winner, tied)
    # Three rounds give no interval: never a resolved win.
    assert batched.verdict({"two-pass": [1, 1, 1], "online": [2, 2, 2]}) == ("two-pass", ["online"])
    assert batched.verdict({"two-pass": TWO}) is None
    assert batched.verdict({"two-pass": TWO, "online": []}) is None


def _row(algorithm, samples, n=32000, batch=16):
    return {"isa": "avx2", "preset": "blend", "algorithm": algorithm, "n": n, "batch": str(batch), "threads": "2",
            "kind": "softmax", "raw_samples_s": ";".join(f"{s:.6g}" for s in samples)}


def test_markdown_names_every_size_and_batch_with_its_verdict():
    rows = [_row("two-pass", TWO), _row("three-pass-recompute", SLOWER), _row("three-pass-reload", SLOWER),
            _row("two-pass", SLOWER, batch=1), _row("three-pass-recompute", TWO, batch=1)]
    lines = batched.batched_markdown([("cpu-x", rows, {"32000": "Llama 2 (32,000)"})])
    table = [line for line in lines if line.startswith("| cpu-x")]
    assert len(table) == 2, lines
    b1 = next(line for line in table if "| 1 |" in line)
    b16 = next(line for line in table if "| 16 |" in line)
    assert "Llama 2 (32,000)" in b16 and "**two-pass**" in b16, b16
    assert "**three-pass-recompute**" in b1, b1
    # Two-pass's paired speedup over recompute at B=16: every round 1.10-1.19, so the median lies there.
    speedup = float(b16.split("|")[8].split("[")[0])
    assert 1.1 <= speedup <= 1.19, b16
    assert b16.split("|")[10].strip() == "-", "no online rows: no speedup"
    assert batched.batched_markdown([("cpu-x", [], {})]) == []


def test_batched_files_stay_out_of_the_one_vector_figures(tmp_path):
    """A batched run's softmax rows go to proc.batched, not to the paper's figures or the named sizes."""
    folder = tmp_path / "results" / "cpu-x"
    folder.mkdir(parents=True)
    rows = [_row("two-pass", TWO), _row("three-pass-recompute", SLOWER)]
    with open(folder / "llm-vocab.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SCHEMA_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            s = sorted(float(v) for v in r["raw_samples_s"].split(";"))
            w.writerow({**{c: "" for c in SCHEMA_COLUMNS}, **r, "schema_version": "5", "experiment": "llm-vocab",
                        "processor_id": "cpu-x", "status": "ok", "median_s": str(s[len(s) // 2]),
                        "bytes_per_element": "12", "real_gbps": "1", "samples": str(len(s))})
    (folder / "llm-vocab.json").write_text(json.dumps({"schema_version": 5, "experiment": "llm-vocab", "experiment_kind": "batched",
                                                       "size_labels": {"32000": "Llama 2 (32,000)"}}))
    [proc] = discover(tmp_path / "results")
    select_rows(proc)
    assert len(proc.batched) == 2
    assert proc.softmax == []
    assert labelled_sizes(proc) == []

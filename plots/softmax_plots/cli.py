"""Draw the figures of softmax-repro from results/<processor-id>/<experiment>.csv (+ .json metadata).

The only contract with the runner is results/README.md (CSV schema_version 1-5 and the metadata keys); the
paper's claims come from claims/paper.json (paper_claims.py), the confidence intervals from confidence.py.

    python plots/plot_results.py --results results --out plots/figures [--summary results/SUMMARY.md]
    python plots/plot_results.py --results local/results --out local/figures --summary local/SUMMARY.md
        (draws the committed run of the same processor beside each local one: --reference, --no-reference)
    python plots/plot_results.py --results results --summary-only      # the Markdown table on stdout

Exit status: 0 on success; 2 when a file has a schema_version this script does not know or lacks a column
it needs, or the claims file or reference folder named is unusable; 1 when there is nothing to plot or a file
cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import paper_claims
from paper_claims import ClaimsError

from .errors import InputError, SchemaError, log
from .load import discover, load_references, with_references
from .render import render
from .stats import DEFAULT_OUT_OF_CACHE_FACTOR
from .summary import summarize, summary_markdown, summary_table

# plots/softmax_plots/cli.py -> the repository root (its results/ is the default reference).
REPOSITORY = Path(__file__).resolve().parents[2]


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=Path("results"), help="results folder (default: results)")
    ap.add_argument("--out", type=Path, default=Path("plots/figures"),
                    help="where the PNG and SVG figures go (default: plots/figures)")
    ap.add_argument("--summary", type=Path, default=None, help="write the Markdown summary here (results/SUMMARY.md)")
    ap.add_argument("--summary-only", action="store_true",
                    help="print only the Markdown summary table to stdout; draw and write nothing")
    ap.add_argument("--claims", type=Path, default=None,
                    help=f"the paper's claims (default: {paper_claims.DEFAULT_NAME} of this repository; without it "
                         "no claim is marked)")
    ap.add_argument("--reference", type=Path, default=None,
                    help="committed results to draw beside the same processors' runs (default: this repository's "
                         "results/ when --results is another folder)")
    ap.add_argument("--no-reference", action="store_true", help="draw no reference runs")
    args = ap.parse_args(argv)
    try:
        claims_path = args.claims or paper_claims.DEFAULT_PATH
        if args.claims and not args.claims.is_file():
            raise SchemaError(f"{args.claims}: no such claims file; pass --claims FILE of the format of "
                              f"{paper_claims.DEFAULT_NAME}, or leave --claims out")
        claims = paper_claims.load(claims_path)
        if claims is None:
            log(f"note: no claims file {claims_path}: no paper claim is marked, and sizes count as out of cache "
                f"from {DEFAULT_OUT_OF_CACHE_FACTOR} x LLC (pass --claims FILE)")
        if args.reference is not None and args.no_reference:
            raise SchemaError("--reference and --no-reference contradict each other; pass one of them")
        if args.reference is not None and not args.reference.is_dir():
            raise SchemaError(f"{args.reference}: no such folder of reference results; pass --reference DIR holding "
                              "<processor-id>/<experiment>.csv, or --no-reference")
        processors = discover(args.results)
        if not any(p.softmax or p.passes or p.multicore or p.batched or p.accuracy or p.accuracy_failed for p in processors):
            raise InputError(f"{args.results}: no results/<processor-id>/<experiment>.csv with usable rows")
        reference_dir = args.reference
        if reference_dir is None and not args.no_reference:
            default = REPOSITORY / "results"
            if default.is_dir() and not _same_folder(default, args.results):
                reference_dir = default
        if reference_dir is not None and _same_folder(reference_dir, args.results):
            log(f"{reference_dir}: the reference folder is the results folder; no reference runs drawn")
            reference_dir = None
        references = load_references(reference_dir, processors)
        rows = summarize(with_references(processors, references), claims)
        if args.summary_only:
            sys.stdout.write(summary_table(rows))
            return 0
        render(processors, args.out, claims, references)
        if args.summary:
            args.summary.parent.mkdir(parents=True, exist_ok=True)
            args.summary.write_text(summary_markdown(rows, processors, claims, references))
            log(f"wrote {args.summary}")
    except (SchemaError, ClaimsError) as e:
        log(f"error: {e}")
        return 2
    except InputError as e:
        log(f"error: {e}")
        return 1
    return 0

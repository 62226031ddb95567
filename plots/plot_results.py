#!/usr/bin/env python3
"""Draw the figures of softmax-repro and results/SUMMARY.md: the command line of the softmax_plots package
(options and exit statuses: softmax_plots/cli.py, plots/README.md).

    python plots/plot_results.py --results results --out plots/figures [--summary results/SUMMARY.md]
"""

import sys
from pathlib import Path

# plots/ holds the package and the modules it shares with scripts/ (confidence.py, paper_claims.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from softmax_plots.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

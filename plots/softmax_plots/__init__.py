"""The figures and SUMMARY.md of softmax-repro, from results/<processor-id>/<experiment>.csv and its metadata.

Layout (plots/README.md): schema (the CSV columns) -> load, select (files, processors, which rows feed which
figure) -> stats, accuracy (the numbers drawn; confidence.py owns the interval rule, paper_claims.py the claims)
-> summary, sections (SUMMARY.md) and figures/ (one module per figure, FIGURES) -> render -> cli.
The modules import plots/confidence.py and plots/paper_claims.py by name: plots/ must be on sys.path
(plot_results.py and the tests put it there).
"""

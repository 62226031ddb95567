"""Tests of the softmax_plots package's structure: FIGURES (the one list `render` walks) and the module layout
(no import loops, modules and functions of a readable size).

Run from the repository root: .venv/bin/python -m pytest -q plots/tests
"""

import ast
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "softmax_plots"
FIXTURES = HERE / "fixtures"
CLAIMS_FIXTURE = HERE / "claims-fixture.json"

sys.path.insert(0, str(HERE.parent))
import paper_claims  # noqa: E402
from softmax_plots import figures, render as render_module  # noqa: E402
from softmax_plots.figures.accuracy import figure_accuracy  # noqa: E402
from softmax_plots.load import discover  # noqa: E402
from softmax_plots.style import PANEL_WIDTH  # noqa: E402
from softmax_plots.summary import summarize  # noqa: E402

ZEN4 = "amd-zen4-epyc"
# The figures the fixture has data for (it has no multicore run and no named sizes).
FIXTURE_STEMS = {"throughput", "throughput_per_read_bandwidth", "speedup", "passes", "summary_speedup",
                 f"{ZEN4}_accuracy"}


def test_figures_have_distinct_stems_and_a_module_each():
    stems = [f.stem for f in figures.FIGURES]
    assert len(stems) == len(set(stems)), stems
    modules = {p.stem for p in (PACKAGE / "figures").glob("*.py")} - {"__init__"}
    # class_counts draws figure_labelled_sizes, summary_speedup figure_summary: every module is in FIGURES.
    assert modules == set(stems), (modules, stems)


def test_render_draws_each_wanted_figure_of_FIGURES_once(tmp_path, monkeypatch):
    calls = []

    def counted(figure):
        def draw(*args):
            calls.append(figure.stem if not figure.per_processor else f"{args[0].id}_{figure.stem}")
            return figure.draw(*args)
        return figures.Figure(figure.stem, figure.wanted, draw, figure.per_processor, figure.notes)

    monkeypatch.setattr(render_module, "FIGURES", tuple(counted(f) for f in figures.FIGURES))
    written = render_module.render(discover(FIXTURES), tmp_path, paper_claims.load(CLAIMS_FIXTURE))
    assert sorted(calls) == sorted(FIXTURE_STEMS), calls
    assert sorted(p.name for p in written) == sorted(f"{s}.{ext}" for s in FIXTURE_STEMS for ext in ("png", "svg"))
    # The comparisons first, in FIGURES order; the summary bars last.
    assert calls[:4] == ["throughput", "throughput_per_read_bandwidth", "speedup", "passes"], calls
    assert calls[-1] == "summary_speedup", calls


def test_a_figure_without_data_is_not_drawn_and_says_why(tmp_path, capsys):
    zen4 = [p for p in discover(FIXTURES) if p.id == ZEN4]
    for p in zen4:
        p.passes = []  # no read reference: no throughput_per_read_bandwidth
    written = render_module.render(zen4, tmp_path, paper_claims.load(CLAIMS_FIXTURE))
    stems = {p.stem for p in written}
    assert "throughput_per_read_bandwidth" not in stems and "passes" not in stems and "throughput" in stems
    assert "no read reference (passes experiment) beside the softmax rows" in capsys.readouterr().err


def test_every_text_of_every_figure_is_readable_at_100_percent():
    """Panels sized for a two-column paper print at their size: no text under 7 pt."""
    import matplotlib.pyplot as plt
    import matplotlib.text
    processors = discover(FIXTURES)
    claims = paper_claims.load(CLAIMS_FIXTURE)
    drawn = processors
    d = figures.Drawing(processors, drawn, claims, summarize(drawn, claims))
    checked = 0
    for figure in figures.FIGURES:
        for fig in ([figure.draw(p, d) for p in processors if figure.wanted(p, d)] if figure.per_processor
                    else [figure.draw(d)] if figure.wanted(d) else []):
            fig.canvas.draw()
            small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
                     if t.get_visible() and t.get_text().strip() and t.get_fontsize() < 7]
            plt.close(fig)
            assert not small, (figure.stem, small)
            checked += 1
    assert checked == len(FIXTURE_STEMS)


def test_accuracy_panels_are_one_column_of_a_two_column_paper_wide():
    zen4 = next(p for p in discover(FIXTURES) if p.id == ZEN4)
    fig = figure_accuracy(zen4)
    columns = len({ax.get_position().x0 for ax in fig.axes})
    width = fig.get_size_inches()[0]
    import matplotlib.pyplot as plt
    plt.close(fig)
    assert columns == len({r["isa"] for r in zen4.accuracy}) and width == pytest.approx(PANEL_WIDTH * columns)


def _package_modules():
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
            for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """The package modules one module imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                out.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in _package_modules() else target)
    return out


def test_the_package_has_no_import_loops():
    modules = _package_modules()
    graph = {name: _imports(name, path) & set(modules) for name, path in modules.items()}
    # A package's __init__ runs before its modules: a module importing its own package is not a loop.
    graph = {n: {d for d in deps if not n.startswith(d + ".")} for n, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(n, path):
        if state.get(n) == 1:
            pytest.fail("import loop: " + " -> ".join(path + [n]))
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in sorted(graph[n]):
            visit(d, path + [n])
        state[n] = 2

    for n in sorted(graph):
        visit(n, [])


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_readable(path):
    """The developer guide: no module over about 500 lines, no function over about 60 without a stated reason
    (a comment in its first lines saying why it is long)."""
    text = path.read_text()
    assert len(text.splitlines()) <= 500, f"{path}: {len(text.splitlines())} lines"
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            head = "\n".join(lines[node.lineno - 1:node.lineno + 8])
            assert length <= 65 or "Long because" in head, f"{path}:{node.lineno} {node.name}: {length} lines"

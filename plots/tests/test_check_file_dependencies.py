"""scripts/check-file-dependencies.py: a loop between two files of a module fails, a one-way pair passes, and
names in comments and string literals are no references."""

import importlib.util
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("check_file_dependencies", HERE.parents[1] / "scripts" / "check-file-dependencies.py")
check_file_dependencies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_file_dependencies)


def write_module(root, files):
    module = root / "Sources" / "Tiny"
    module.mkdir(parents=True)
    for name, text in files.items():
        (module / name).write_text(text)
    return root / "Sources"


def run(sources, *options):
    out = io.StringIO()
    status = check_file_dependencies.check(str(sources), *options, out=out)
    return status, out.getvalue()


def test_a_two_file_loop_fails_and_is_named(tmp_path):
    sources = write_module(tmp_path, {
        "Runner.swift": "struct Runner {\n    func go(_ w: Worker) { w.measureKind() }\n}\n",
        # The worker calls back into the runner's file: the loop the script exists to catch.
        "Worker.swift": "struct Worker {}\nextension Worker {\n    func measureKind() { let r: Runner? = nil; _ = r }\n}\n",
    })
    status, report = run(sources)
    assert status == 1
    assert "dependency loop among 2 files" in report
    assert "Tiny/Runner.swift -> Tiny/Worker.swift" in report
    assert "Tiny/Worker.swift -> Tiny/Runner.swift" in report


def test_an_extension_member_is_a_dependency_on_its_file(tmp_path):
    sources = write_module(tmp_path, {
        "Core.swift": "struct Core {\n    func run() { helper() }\n}\n",
        "Helpers.swift": "extension Core {\n    func helper() {}\n}\n",
    })
    status, report = run(sources)
    assert status == 1, report
    assert "Tiny/Core.swift -> Tiny/Helpers.swift (names helper)" in report


def test_a_pattern_and_a_local_are_no_declarations(tmp_path):
    # `catch let Failure.x` names the error type Errors.swift declares, and a local `let helper` in a
    # function body is the function's own: neither makes the name ambiguous, so the edges stay.
    sources = write_module(tmp_path, {
        "Errors.swift": "enum Failure: Error { case x }\nextension Core {\n    func helper() {}\n}\n",
        "Core.swift": "struct Core {}\n",
        "Use.swift": "func use(_ c: Core) {\n    do { c.helper() } catch let Failure.x { }\n}\n",
        "Other.swift": "func other() {\n    let helper = 1\n    _ = helper\n}\n",
    })
    graph = check_file_dependencies.module_graph(
        {name: check_file_dependencies.strip((sources / "Tiny" / name).read_text()) for name in ["Errors.swift", "Core.swift", "Use.swift", "Other.swift"]})
    assert graph["Use.swift"]["Errors.swift"] == ["Failure", "helper"]
    assert "Errors.swift" not in graph["Other.swift"]


def test_a_one_way_pair_passes(tmp_path):
    sources = write_module(tmp_path, {
        "Runner.swift": "struct Runner {\n    func go(_ w: Worker) { w.measure() }\n}\n",
        "Worker.swift": "struct Worker {\n    func measure() {}\n}\n",
    })
    status, report = run(sources)
    assert status == 0, report
    assert report == ""


def test_comments_and_strings_are_no_references(tmp_path):
    sources = write_module(tmp_path, {
        "Runner.swift": "struct Runner {\n    func go(_ w: Worker) { w.measure() }\n}\n",
        "Worker.swift": (
            "/// Called by Runner.\n"
            "struct Worker {\n"
            "    /* Runner /* nested */ Runner */\n"
            "    func measure() { print(\"the Runner\"); print(\"\"\"\n    Runner\n    \"\"\") }\n"
            "}\n"
        ),
    })
    status, report = run(sources)
    assert status == 0, report


def test_interpolated_code_is_a_reference(tmp_path):
    sources = write_module(tmp_path, {
        "Runner.swift": "struct Runner {\n    func go(_ w: Worker) { w.measure() }\n}\n",
        "Worker.swift": "struct Worker {\n    func measure() { print(\"by \\(Runner.self)\") }\n}\n",
    })
    status, report = run(sources)
    assert status == 1, report


def test_long_functions_need_a_reason(tmp_path):
    body = "".join(f"        let v{i} = {i}\n" for i in range(70))
    long_function = "struct Tall {\n    func tall() {\n" + body + "    }\n}\n"
    sources = write_module(tmp_path, {"Tall.swift": long_function})
    status, report = run(sources, 60)
    assert status == 1
    assert "Tiny/Tall.swift:2: function tall is 72 lines (over 60)" in report
    (sources / "Tiny" / "Tall.swift").write_text(long_function.replace("    func tall", "    // Long because: one table.\n    func tall"))
    assert run(sources, 60) == (0, "")


def test_the_repository_has_no_loop_and_no_unexplained_long_function():
    status, report = run(HERE.parents[1] / "Sources", 60)
    assert status == 0, report

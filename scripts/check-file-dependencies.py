#!/usr/bin/env python3
"""Finds dependency loops between the files of each Swift module under Sources/, and functions too long.

A file depends on another when it names something the other declares: a type (struct, class, enum,
protocol, actor, typealias, at any depth), or a function or property declared at the top level or
directly in an extension (the members one file adds to another's type). The analysis is lexical and
good enough for this code base: comments and string literals are stripped first (an interpolation's
code is kept), and a name that a file declares itself counts as its own. Modules cannot loop through
one another (the package manager forbids it), so each module is checked alone.

Usage: check-file-dependencies.py [--sources DIR] [--long-functions LINES]
Prints every loop (the files and the names that tie each file to the next) and exits 1 if there is one;
with --long-functions, also lists the functions longer than LINES lines that have no `// Long because`
comment above them, and exits 1 if there are any.
"""

import argparse
import re
import sys
from pathlib import Path

TYPE_KEYWORDS = {"struct", "class", "enum", "protocol", "actor", "typealias", "associatedtype"}
MEMBER_KEYWORDS = {"func", "var", "let"}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*:?|`[^`]+`:?|[{};]")
# Words that follow `class` as a modifier (`class func`, `class var`), not a class's name.
NOT_NAMES = {"func", "var", "let", "override", "final", "public", "private", "internal", "fileprivate", "static"}
LONG_REASON = "// Long because"


def strip(source):
    """The source with comments removed and string literals emptied (their interpolations kept), so
    that a name in a doc comment or a message is no reference. Newlines are kept, so lines still count."""
    out = []
    i = _code(source, 0, out, inside_interpolation=False)
    assert i >= len(source)
    return "".join(out)


def _code(s, i, out, inside_interpolation):
    depth = 0
    while i < len(s):
        c = s[i]
        if s.startswith("//", i):
            end = s.find("\n", i)
            i = len(s) if end < 0 else end
        elif s.startswith("/*", i):
            i = _block_comment(s, i, out)
        elif c == '"' or (c == "#" and re.match(r'#+"', s[i:])):
            i = _string(s, i, out)
        else:
            if inside_interpolation:
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0:
                        return i + 1
                    depth -= 1
            out.append(c)
            i += 1
    return i


def _block_comment(s, i, out):
    depth = 0
    while i < len(s):
        if s.startswith("/*", i):
            depth += 1
            i += 2
        elif s.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            if s[i] == "\n":
                out.append("\n")
            i += 1
    return i


def _string(s, i, out):
    hashes = len(s[i:]) - len(s[i:].lstrip("#"))
    i += hashes
    multiline = s.startswith('"""', i)
    quote = '"""' if multiline else '"'
    closing = quote + "#" * hashes
    escape = "\\" + "#" * hashes
    i += len(quote)
    out.append('""')
    while i < len(s):
        if s.startswith(closing, i):
            return i + len(closing)
        if s.startswith(escape + "(", i):
            out.append(" ")
            i = _code(s, i + len(escape) + 1, out, inside_interpolation=True)
            out.append(" ")
        elif s.startswith(escape, i):
            i += len(escape) + 1
        else:
            if s[i] == "\n":
                out.append("\n")
            i += 1
    return i


def scan(code):
    """(exported, declared, local, referenced): the names other files may use, the names the file declares
    as types or members (not the locals of function bodies), the names it treats as its own, and every
    identifier it uses. Exported: types, functions and properties at the top level or directly in an
    extension (a nested type is reached through its outer type's name). A name written with a colon right
    after it (`n:`) is an argument label or a parameter: no reference, and a name of this file's own; so is
    a local of a function body. `case let E.x` and `catch let E.x` are patterns, not declarations of E."""
    exported, declared, local, referenced = set(), set(), set(), set()
    scopes = []  # "extension", "type" or "block", one per open brace
    pending = None  # what the next brace opens
    matches = list(IDENTIFIER.finditer(code))
    for k, match in enumerate(matches):
        written = match.group()
        token = written.strip("`:")
        following = matches[k + 1].group().strip("`:") if k + 1 < len(matches) else ""
        following_is_pattern = k + 1 < len(matches) and code.startswith(".", matches[k + 1].end())
        outer = not scopes or scopes[-1] == "extension"
        in_body = bool(scopes) and scopes[-1] == "block"
        if written.endswith(":"):
            local.add(token)
        elif token == "{":
            scopes.append(pending or "block")
            pending = None
        elif token == "}":
            if scopes:
                scopes.pop()
            pending = None
        elif token == ";":
            pending = None
        elif token == "extension":
            pending = "extension"
            referenced.add(following)
        elif token in TYPE_KEYWORDS and following not in NOT_NAMES and following not in "{};":
            pending = "type" if token not in {"typealias", "associatedtype"} else pending
            local.add(following)
            if not in_body:
                declared.add(following)
            if outer:
                exported.add(following)
        elif token in MEMBER_KEYWORDS and following not in "{};" and not following_is_pattern:
            local.add(following)
            if not in_body:
                declared.add(following)
            if outer:
                exported.add(following)
            if token == "func":
                pending = None
        else:
            referenced.add(token)
    return exported, declared, local, referenced


def module_graph(files):
    """{file: {other file: sorted names}} for one module's files ({path: stripped code}). A name that
    more than one file declares (a member `samples` of two types, say) cannot be told apart lexically and
    ties no file to another."""
    scans = {path: scan(code) for path, code in files.items()}
    declared_in = {}
    for path, (_, declared, _, _) in scans.items():
        for name in declared:
            declared_in.setdefault(name, set()).add(path)
    graph = {}
    for path, (_, _, local, referenced) in scans.items():
        edges = {}
        for name in referenced - local:
            owners = declared_in.get(name, set())
            if len(owners) != 1:
                continue
            (other,) = owners
            if name in scans[other][0]:
                edges.setdefault(other, set()).add(name)
        graph[path] = {other: sorted(names) for other, names in edges.items()}
    return graph


def loops(graph):
    """The strongly connected components of more than one file (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycle_in(component, graph):
    """One closed path through a component, for the report: from its first file back to it."""
    members = set(component)
    start = component[0]
    # Breadth-first from each successor of start back to start, within the component.
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(graph[node]):
            if other not in members:
                continue
            if other == start:
                return paths[node] + [start]
            if other not in paths:
                paths[other] = paths[node] + [other]
                queue.append(other)
    return component


def long_functions(path, source, limit):
    """(line, name, lines) of each function (or init) longer than `limit` lines without a
    `// Long because` comment in the lines just above it."""
    code = strip(source)
    lines = source.split("\n")
    found = []
    for match in re.finditer(r"\b(func\s+([A-Za-z_][A-Za-z0-9_]*|[^\s(]+)|init[?!]?)\s*(<[^>{]*>)?\s*\(", code):
        start_line = code.count("\n", 0, match.start()) + 1
        brace = code.find("{", match.end())
        semicolon_or_decl = re.search(r"\n\s*(func|var|let|case|init)\b|}", code[match.end():brace]) if brace >= 0 else None
        if brace < 0 or semicolon_or_decl:
            continue  # a requirement without a body
        depth, i = 0, brace
        while i < len(code):
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        end_line = code.count("\n", 0, i) + 1
        length = end_line - start_line + 1
        if length <= limit:
            continue
        above = lines[max(0, start_line - 6):start_line - 1]
        if any(LONG_REASON in line for line in above):
            continue
        name = match.group(2) or "init"
        found.append((start_line, name, length))
    return found


def check(sources, long_limit=None, out=sys.stdout):
    """Prints the loops (and long functions) under `sources`; returns the exit status."""
    status = 0
    for module in sorted(p for p in Path(sources).iterdir() if p.is_dir()):
        paths = sorted(module.rglob("*.swift"))
        if not paths:
            continue
        texts = {p.relative_to(sources).as_posix(): p.read_text(encoding="utf-8") for p in paths}
        graph = module_graph({p: strip(t) for p, t in texts.items()})
        for component in loops(graph):
            status = 1
            cycle = cycle_in(component, graph)
            print(f"{module.name}: dependency loop among {len(component)} files: {', '.join(component)}", file=out)
            for a, b in zip(cycle, cycle[1:]):
                print(f"  {a} -> {b} (names {', '.join(graph[a][b][:6])}{', ...' if len(graph[a][b]) > 6 else ''})", file=out)
        if long_limit is not None:
            for path, text in texts.items():
                for line, name, length in long_functions(path, text, long_limit):
                    status = 1
                    print(f"{path}:{line}: function {name} is {length} lines (over {long_limit}): split it, or say why "
                          f"in a '{LONG_REASON} ...' comment above it", file=out)
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", default=str(Path(__file__).resolve().parents[1] / "Sources"),
                        help="the folder of module folders (default: the repository's Sources)")
    parser.add_argument("--long-functions", type=int, metavar="LINES",
                        help="also list functions longer than LINES lines without a '// Long because' reason")
    args = parser.parse_args(argv)
    if not Path(args.sources).is_dir():
        print(f"error: {args.sources} is not a folder: pass --sources with the folder of module folders", file=sys.stderr)
        return 2
    status = check(args.sources, args.long_functions)
    if status == 0:
        print("no dependency loops between files" + ("; no function over the limit without a reason" if args.long_functions else ""))
    return status


if __name__ == "__main__":
    sys.exit(main())

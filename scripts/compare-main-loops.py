#!/usr/bin/env python3
"""Main loops of the authors' kernels and ours side by side, instructions per vector by kind, as
docs/kernels.md ("What was tried for speed", the AVX512F gap) reports them. The loop is found as
scripts/count-instructions.py finds it (the first loop advancing by whole tiles); the count covers its
address range, so spills and loop bookkeeping are in it and cold blocks moved out of it are not.
scripts/compare-with-authors.sh --loops builds the objects and calls this.

Run: compare-main-loops.py AUTHORS_OBJ:AUTHORS_FUNCTION:OUR_OBJ:OUR_KERNEL:TILE:LANES ...
"""
import collections
import importlib.util
import re
import sys
from pathlib import Path

spec = importlib.util.spec_from_file_location("count_instructions", Path(__file__).with_name("count-instructions.py"))
count_instructions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(count_instructions)

# (kind, test on mnemonic and operands), first match wins. On Intel VRNDSCALEPS is 2 uops, the rest 1.
KINDS = [
    ("spill/reload", lambda op, args: op.startswith("vmov") and re.search(r"\((%rsp|%rbp)\)", args)),
    ("store", lambda op, args: op.startswith(("vmov", "vmaskmov")) and re.search(r"%[xyz]mm\d+, [-0-9x]*\(", args)),
    ("load", lambda op, args: op.startswith("vmov") and "(" in args),
    ("register copy", lambda op, args: op.startswith("vmov")),
    ("FMA", lambda op, args: re.match(r"vfn?m(add|sub)", op)),
    ("scalef", lambda op, args: op.startswith("vscalef")),
    ("round", lambda op, args: op.startswith("vrndscale")),
    ("max/min", lambda op, args: op.startswith(("vmaxps", "vminps"))),
    ("add/sub/mul", lambda op, args: op.startswith(("vaddps", "vsubps", "vmulps"))),
    ("compare/mask/logic", lambda op, args: op.startswith(("vcmp", "vptest", "vpternlog", "vpor", "vpand", "vpxor", "vorps",
                                                           "vandps", "vxorps", "kor", "kand", "kmov", "ktest", "kortest"))),
    ("broadcast/shuffle", lambda op, args: op.startswith(("vbroadcast", "vpbroadcast", "vperm", "vshuf", "vextract", "vinsert"))),
    ("loop and scalar", lambda op, args: True),
]


def kinds_per_vector(obj, function, tile, lanes):
    found = count_instructions.main_loop_body(count_instructions.disassemble(obj).get(function, []), tile)
    if found is None:
        sys.exit(f"compare-main-loops: no main loop found in {function} ({obj})")
    body, k = found
    vectors = tile * k / lanes
    counts = collections.Counter(next(name for name, test in KINDS if test(op, args)) for _, op, args in body)
    return len(body) / vectors, {name: n / vectors for name, n in counts.items()}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for pair in sys.argv[1:]:
        authors_obj, authors_function, our_obj, our_kernel, tile, lanes = pair.split(":")
        theirs, their_kinds = kinds_per_vector(authors_obj, authors_function, int(tile), int(lanes))
        ours, our_kinds = kinds_per_vector(our_obj, our_kernel, int(tile), int(lanes))
        print(f"\n{our_kernel} against {authors_function}: instructions per {lanes}-lane vector in the main loop\n")
        print("| kind | authors | ours |\n|---|---|---|")
        for name, _ in KINDS:
            if name in their_kinds or name in our_kinds:
                print(f"| {name} | {their_kinds.get(name, 0):.2f} | {our_kinds.get(name, 0):.2f} |")
        print(f"| all | {theirs:.2f} | {ours:.2f} |")


if __name__ == "__main__":
    main()

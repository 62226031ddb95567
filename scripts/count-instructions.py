#!/usr/bin/env python3
"""Counts the instructions of each kernel's main loop in the compiled object code and writes them, with
the compiler that produced the code, to Sources/CSoftmaxKernels/common/instruction_counts.h, which the
registry compiles in (softmax_kernel_main_loop_instructions; `list --kernels` divides by the tile).

Why object code: valgrind's callgrind counts instructions deterministically but cannot decode AVX-512,
and a static count of the loop is the same for every input of the common path. The main loop is found
as the first loop (backward conditional branch) in address order whose body advances a pointer by whole
tiles (an add/sub of k * tile * 4 bytes, the loop then unrolled k times) or an index by the tile: the single-vector loop advances by 32 or 64 bytes,
and the likely path of a kernel with two bodies (vscaleexpminusmax's finite and non-finite scale) is laid
out first. The count covers the loop's address range, so it includes register spills and loop
bookkeeping, and leaves out cold blocks the compiler moved outside the loop (the clamp of the two-pass
exp for |t| >= 2, taken only by NaN, infinite or huge inputs). A kernel whose loop is not found gets no
count, and the script says so.

Counts depend on the compiler and flags: run after `swift build` (the kernels are always built with
-O3; Package.swift), and again when the compiler changes.

Run: python3 scripts/count-instructions.py [build dir, default .build/debug]
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Sources/CSoftmaxKernels/common/instruction_counts.h"
KERNELS_DEF = ROOT / "Sources/CSoftmaxKernels/kernels.def"
LANES = {"portable": 1, "avx2": 8, "avx512f": 16}


def kernels():
    """(name, family, isa, tile) from kernels.def, named as kernel_common.h names them."""
    out = []
    for m in re.finditer(r"^KERNEL\((\w+), (\w+), (\d+), (\d+), (\w+)\)", KERNELS_DEF.read_text(), re.M):
        family, isa, tile, acc, variant = m.groups()
        name = f"{family}_{isa}_x{tile}" + (f"_acc{acc}" if acc != "1" else "") + ("" if variant == "base" else f"_{variant}")
        out.append((name, family, isa, int(tile)))
    return out


def disassemble(obj):
    """{function: [(address, mnemonic, operands)]}."""
    text = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", str(obj)], check=True, capture_output=True, text=True).stdout
    functions, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^[0-9a-f]+ <(\w+)>:$", line)
        if m:
            current = functions.setdefault(m.group(1), [])
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and current is not None:
            current.append((int(m.group(1), 16), m.group(2), m.group(3)))
    return functions


def main_loop(instructions, tile):
    """Instructions per tile of the first loop whose body advances a pointer or index by whole tiles (the
    compiler may unroll a loop k times: its body then advances by k tiles and counts k iterations), or None."""
    found = main_loop_body(instructions, tile)
    return None if found is None else len(found[0]) / found[1]


def main_loop_body(instructions, tile):
    """(the instructions of that loop, k) or None; scripts/compare-main-loops.py reads the body."""
    for i, (address, mnemonic, operands) in enumerate(instructions):
        m = re.match(r"0x([0-9a-f]+)", operands)
        if not mnemonic.startswith("j") or mnemonic == "jmp" or not m:
            continue
        target = int(m.group(1), 16)
        if target > address:
            continue
        body = [ins for ins in instructions[: i + 1] if ins[0] >= target]
        for _, op, args in body:
            step = re.match(r"\$(-?\d+), %r", args)
            if op not in ("addq", "subq") or not step:
                continue
            v = abs(int(step.group(1)))
            k = v // (tile * 4) if v % (tile * 4) == 0 else (1 if v == tile else 0)
            if k:
                return body, k
    return None


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    if len(sys.argv) > 2 or (len(sys.argv) > 1 and sys.argv[1].startswith("-")):
        print(f"error: unexpected arguments {sys.argv[1:]}; usage: count-instructions.py [build dir, default .build/debug]", file=sys.stderr)
        sys.exit(2)
    build = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".build/debug"
    objects = build / "CSoftmaxKernels.build"
    if not objects.is_dir():
        print(f"error: no kernel objects in {objects}; run `swift build` first (or name the build dir)", file=sys.stderr)
        sys.exit(2)
    # Spelled as softmax_kernels_compiler() (isa.c) spells it, so the registry can tell when they differ.
    macros = subprocess.run(["clang", "-dM", "-E", "-x", "c", "/dev/null"], check=True, capture_output=True, text=True).stdout
    compiler = "clang " + re.search(r'#define __clang_version__ "(.*)"', macros).group(1)
    disassembled = {}
    rows, missing = [], []
    for name, family, isa, tile in kernels():
        obj = objects / family / f"{family}_{isa}.c.o"
        if obj not in disassembled:
            disassembled[obj] = disassemble(obj)
        count = main_loop(disassembled[obj].get(name, []), tile)
        if count is None:
            missing.append(name)
        else:
            rows.append((name, count, tile))
    for name, count, tile in rows:
        print(f"{name:45s} {count:6.1f} instructions / {tile:3d} elements = {count / tile:.3f} per element")
    for name in missing:
        print(f"{name}: main loop not found, no count", file=sys.stderr)
    entries = "\n".join(f'  {{"{name}", {count:g}}},' for name, count, _ in rows)
    OUT.write_text(f"""// Generated by scripts/count-instructions.py from the object code: do not edit by hand.
// Instructions in each kernel's main loop (one iteration, the tile's elements; see the script for how the
// loop is found and what the count includes), for the code this compiler produced with the kernels' flags.
#ifndef SOFTMAX_INSTRUCTION_COUNTS_H
#define SOFTMAX_INSTRUCTION_COUNTS_H

#define SOFTMAX_INSTRUCTION_COUNTS_COMPILER "{compiler}"
#define SOFTMAX_INSTRUCTION_COUNTS_OBJECTS "{objects.relative_to(ROOT) if objects.is_relative_to(ROOT) else objects}"

static const struct {{
  const char* name;
  double instructions;
}} softmax_instruction_counts[] = {{
{entries}
}};

#endif  // SOFTMAX_INSTRUCTION_COUNTS_H
""")
    print(f"wrote {OUT} ({len(rows)} kernels, {len(missing)} without a count)")


if __name__ == "__main__":
    main()

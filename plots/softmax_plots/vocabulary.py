"""The values the CSV columns take and the facts about them: algorithms, pass families, references,
experiment kinds, the bandwidth-bound ideals, and the order they are listed in."""

from __future__ import annotations




SOFTMAX_ALGORITHMS = ("two-pass", "three-pass-recompute", "three-pass-reload")


THREE_PASS = ("three-pass-recompute", "three-pass-reload")


PASS_FAMILIES = ("rmax", "raddexpminusmax", "vscaleexpminusmax", "raddstoreexpminusmax", "vscale", "raddextexp",
                 "vscaleextexp")


REFERENCES = ("read", "copy", "copy_nt", "scale", "write")


EXPERIMENT_KINDS = ("softmax", "passes", "tune", "multicore", "accuracy", "batched")


# Pure bandwidth bound (README, "The paper, in brief"): bytes per element of the three-pass variant over two-pass's 12.
IDEAL = {
    "three-pass-recompute": ((16 / 12, "1.33 = 16/12 B: bandwidth bound, no write-allocate"),
                             (20 / 16, "1.25 = 20/16 B: bandwidth bound, with write-allocate")),
    "three-pass-reload": ((20 / 12, "1.67 = 20/12 B: bandwidth bound, no write-allocate"),
                          (24 / 16, "1.50 = 24/16 B: bandwidth bound, with write-allocate")),
}


def isa_order(isa: str) -> tuple:
    order = {"portable": 0, "avx2": 1, "avx512f": 2}
    return (order.get(isa, 9), isa)


def algorithm_rank(a: str) -> tuple:
    return (SOFTMAX_ALGORITHMS.index(a) if a in SOFTMAX_ALGORITHMS else 9, a)


def family_rank(f: str) -> tuple:
    return (PASS_FAMILIES.index(f) if f in PASS_FAMILIES else 99, f)


def kernel_variant(kernel: str) -> str:
    """A pass kernel's variant as the passes figure's legend writes it: `raddextexp_avx2_x80_acc2` -> `x80 acc2`,
    `_nt` streaming stores."""
    parts = kernel.split("_")
    return " ".join(parts[2:]) if len(parts) > 2 else kernel


def is_streaming(kernel: str) -> bool:
    return "_nt" in kernel

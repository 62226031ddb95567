"""`passes`: real bandwidth of each pass kernel alone against n, with the memory references."""

from __future__ import annotations

from ..model import Processor
from ..panels import (
    band_handle, ci_band, finish_grid, isas_of, legend_below, llc_handles, llc_markers, not_measured, panel_grid,
    size_axis,
)
from ..stats import real_gbps_of, time_estimate
from ..style import PASS_MARKERS, REFERENCE_STYLES, element_id, family_color, panel_title, pyplot, run_tag
from ..vocabulary import REFERENCES, family_rank, is_streaming, isa_order


def passes_panel(ax, proc: Processor, isa: str) -> str | None:
    """Real GB/s of every pass kernel of one ISA (median, 95% CI band) and the memory references; None when the
    processor has no pass rows at this ISA, else a note for the title."""
    passes = [r for r in proc.passes if r["kind"] == "pass" and r["isa"] == isa]
    if not passes:
        return None
    refs = [r for r in proc.passes if r["kind"] == "reference" and r["isa"] == isa]
    note = ""
    if not refs:
        refs = [r for r in proc.passes if r["kind"] == "reference"]
        if refs:
            note = f"references measured as {', '.join(sorted({r['isa'] for r in refs}, key=isa_order))}"
    by_kernel: dict[tuple[str, str], list[dict]] = {}
    for r in passes:
        by_kernel.setdefault((r["pass_family"], r["kernel"]), []).append(r)
    rank: dict[str, list[str]] = {}
    for family, kernel in sorted(by_kernel, key=lambda k: (family_rank(k[0]), k[1])):
        plain = kernel.replace("_nt", "")
        rank.setdefault(family, [])
        if plain not in rank[family]:
            rank[family].append(plain)
    for family, kernel in sorted(by_kernel, key=lambda k: (family_rank(k[0]), k[1])):
        pts = sorted(by_kernel[(family, kernel)], key=lambda r: r["n"])
        color = family_color(family)
        n = [r["n"] for r in pts]
        est = [time_estimate(r).map(lambda t, r=r: r["bytes_per_element"] * r["n"] / t / 1e9) for r in pts]
        marker = PASS_MARKERS[rank[family].index(kernel.replace("_nt", "")) % len(PASS_MARKERS)]
        line, = ax.plot(n, [real_gbps_of(r) for r in pts], marker=marker, ms=2.8, color=color, lw=1.1,
                        ls="--" if is_streaming(kernel) else "-")
        line.set_gid(element_id("pass", run_tag(proc), isa, family, kernel))
        ci_band(ax, n, est, color, element_id("pass", run_tag(proc), isa, family, kernel, "ci"))
    by_ref: dict[tuple[str, str, str], list[dict]] = {}
    for r in refs:
        by_ref.setdefault((r["reference"], r["isa"], r["kernel"]), []).append(r)
    for (name, risa, kernel) in sorted(by_ref, key=lambda k: (REFERENCES.index(k[0]) if k[0] in REFERENCES else 9, k)):
        pts = sorted(by_ref[(name, risa, kernel)], key=lambda r: r["n"])
        color, marker = REFERENCE_STYLES.get(name, ("0.5", "x"))
        line, = ax.plot([r["n"] for r in pts], [real_gbps_of(r) for r in pts], color=color, ls=":", lw=1.5,
                        marker=marker, ms=3, mfc="none")
        line.set_gid(element_id("reference", run_tag(proc), risa, name, kernel))
    return note


def figure_passes(processors: list[Processor]):
    """Real bandwidth of every pass kernel alone against n, one panel per processor and ISA, with the memory
    reference loops; colour = pass family, dashed = streaming stores, marker = variant (kernels in SUMMARY.md)."""
    plt = pyplot()
    from matplotlib.lines import Line2D
    drawn = [p for p in processors if any(r["kind"] == "pass" for r in p.passes)]
    isas = isas_of(drawn, lambda p: [r for r in p.passes if r["kind"] == "pass"])
    families = sorted({r["pass_family"] for p in drawn for r in p.passes if r["kind"] == "pass"}, key=family_rank)
    references = sorted({r["reference"] for p in drawn for r in p.passes if r["kind"] == "reference"},
                        key=lambda a: (REFERENCES.index(a) if a in REFERENCES else 9, a))
    fig, axes = panel_grid(plt, drawn, isas, extra_height=0.1)
    for i, proc in enumerate(drawn):
        for j, isa in enumerate(isas):
            ax = axes[i][j]
            note = passes_panel(ax, proc, isa)
            if note is None:
                not_measured(ax, proc, isa, "not measured")
                continue
            llc_markers(ax, proc)
            size_axis(ax)
            ax.set_title(panel_title(proc, isa, note), fontsize=8)
    finish_grid(axes, "real GB/s")
    handles = [Line2D([], [], color=family_color(f), lw=1.3, label=f) for f in families]
    handles += [Line2D([], [], color=REFERENCE_STYLES.get(r, ("0.5", "x"))[0], ls=":", lw=1.5,
                       marker=REFERENCE_STYLES.get(r, ("0.5", "x"))[1], ms=3, mfc="none", label=f"reference {r}")
                for r in references]
    handles += [Line2D([], [], color="tab:gray", ls="--", lw=1.1, label="streaming stores (_nt kernels)"),
                Line2D([], [], color="0.3", ls="none", marker=PASS_MARKERS[1], ms=3,
                       label="marker: another variant of the family (SUMMARY.md)"),
                band_handle()]
    fig.suptitle("Pass kernels alone: real bandwidth (bytes per element x n / median time), 1 thread", fontsize=10)
    fig.tight_layout()
    legend_below(fig, handles + llc_handles(), ncol=3)
    return fig

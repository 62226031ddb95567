"""The further sections of SUMMARY.md: named sizes, roofline efficiency, kernels drawn, accuracy, multi-core."""

from __future__ import annotations

from .accuracy import DEGRADED_FACTOR, SUMMARY_RANGES, accuracy_summary
from .formats import fmt_n, fmt_ulp, speedup_cell
from .model import Processor
from .stats import efficiency_estimate, labelled_sizes, multicore_points, paired_estimate, real_gbps_of
from .vocabulary import THREE_PASS, algorithm_rank, family_rank, isa_order, kernel_variant


def labelled_sizes_markdown(processors: list[Processor]) -> list[str]:
    entries = [(p, e) for p in processors for e in labelled_sizes(p)]
    if not entries:
        return []
    algorithms = ["two-pass", "three-pass-recompute", "three-pass-reload", "online"]
    parts = ["", "## Named sizes (the paper's Table 1 class counts)", "",
             "Effective GB/s (8 B/element) of each algorithm at sizes an experiment names, and the paired speedup",
             "of two-pass with its 95% CI (as above). A size that did not fit in a machine's memory is listed under",
             "`skipped` in its metadata.", "",
             "| processor | isa | preset | size | n | " + " | ".join(algorithms) + " | two-pass vs recompute | two-pass vs reload |",
             "|---|---|---|---|---:|" + "---:|" * len(algorithms) + "---:|---:|"]
    for p, e in entries:
        cells = [f"{e['rows'][a]['effective_gbps']:.1f}" if a in e["rows"] else "-" for a in algorithms]
        sp = [speedup_cell(e[v]) for v in THREE_PASS]
        parts.append(f"| {p.id} | {e['isa']} | {e['preset'] or '-'} | {e['label']} | {fmt_n(e['n'])} | "
                     + " | ".join(cells) + " | " + " | ".join(sp) + " |")
    skipped = [(p.id, f.csv_path.name, n, why) for p in processors for f in p.files
               for n, why in ((f.meta or {}).get("skipped_sizes") or {}).items()]
    for pid, name, n, why in skipped:
        parts.append(f"\nSkipped on {pid} ({name}): n = {n}: {why}.")
    return parts


def efficiency_markdown(processors: list[Processor]) -> list[str]:
    """Each pass kernel's roofline efficiency at the largest n it was measured with a verdict."""
    lines = ["", "## Roofline efficiency of the passes", "",
             "How close each pass came to the larger of its two lower bounds on time (memory, compute; definitions in",
             "`results/README.md`), 1 meaning at it, with the runner's 95% CI (schema 4; older files have none), at the",
             "largest n measured.", "",
             "| processor | isa | pass | kernel | n | bound | efficiency |", "|---|---|---|---|---:|---|---:|"]
    count = len(lines)
    for proc in processors:
        name = proc.id + (f" ({proc.run_label})" if proc.run_label else "")
        rows = [r for r in proc.passes if r["kind"] == "pass" and efficiency_estimate(r)]
        largest: dict[tuple[str, str, str], dict] = {}
        for r in rows:
            key = (r["isa"], r["pass_family"], r["kernel"])
            if key not in largest or r["n"] > largest[key]["n"]:
                largest[key] = r
        for (isa, family, kernel), r in sorted(largest.items(),
                                               key=lambda kv: (isa_order(kv[0][0]), family_rank(kv[0][1]), kv[0][2])):
            lines.append(f"| {name} | {isa} | {family} | `{kernel}` | {fmt_n(r['n'])} | "
                         f"{(r.get('roofline_bound') or '-').strip() or '-'} | {efficiency_estimate(r).text()} |")
    return lines if len(lines) > count else []


def kernels_markdown(processors: list[Processor]) -> list[str]:
    """The kernels behind every series the figures draw: the legends name algorithms and presets only."""
    lines = ["", "## Kernels drawn", "",
             "The figures' legends name algorithms, presets and pass families; the kernels behind them are these.", "",
             "| processor | isa | preset | series | kernels |", "|---|---|---|---|---|"]
    count = len(lines)
    for proc in processors:
        name = proc.id + (f" ({proc.run_label})" if proc.run_label else "")
        softmax = sorted({(r["isa"], r["preset"], r["algorithm"], r["kernel"]) for r in proc.softmax},
                         key=lambda k: (isa_order(k[0]), k[1], algorithm_rank(k[2]), k[3]))
        for isa, preset, algorithm, kernel in softmax:
            lines.append(f"| {name} | {isa} | {preset or '-'} | {algorithm} | `{kernel.replace('+', ' + ')}` |")
        passes = sorted({(r["isa"], r["pass_family"], r["kernel"]) for r in proc.passes if r["kind"] == "pass"},
                        key=lambda k: (isa_order(k[0]), family_rank(k[1]), k[2]))
        for isa in sorted({k[0] for k in passes}, key=isa_order):
            for family in sorted({k[1] for k in passes if k[0] == isa}, key=family_rank):
                kernels = [k[2] for k in passes if k[0] == isa and k[1] == family]
                lines.append(f"| {name} | {isa} | - | pass {family} | "
                             + ", ".join(f"`{k}` ({kernel_variant(k)})" for k in kernels) + " |")
    return lines if len(lines) > count else []


def accuracy_markdown(processors: list[Processor]) -> list[str]:
    entries = [(p, e) for p in processors if p.accuracy or p.accuracy_failed for e in accuracy_summary(p)]
    if not entries:
        return []
    parts = ["", "## Accuracy against a float64 softmax", "",
             "Error of each output element against the float64 softmax of the same float32 inputs, in float32 ulps of",
             "the reference (definitions in `results/README.md`), over every element of every input of a configuration.",
             f"`{SUMMARY_RANGES[0]}` and `{SUMMARY_RANGES[1]}`: max / mean ulp, unmasked. `worst to 2^17`: the largest max",
             "error over every range (and mask) whose inputs stay within |x| <= 2^17, two-pass's accurate range.",
             f"`degrades from`: the first narrow window [c, c+w] beyond 2^17 whose max error exceeds {DEGRADED_FACTOR} x that",
             "worst (with its max error); `-` when none does. `failed`: ranges where an output was NaN or the outputs",
             "did not sum to 1 (error rows, no error value). At large n the float32 sum's rounding dominates every",
             "algorithm's error (inputs of a narrow window at large |x| take few distinct values, whose rounding errors",
             "add up rather than cancel), so a window can pass the threshold there without any range-reduction trouble.", "",
             f"| processor | isa | preset | algorithm | n | {SUMMARY_RANGES[0]} | {SUMMARY_RANGES[1]} | worst to 2^17 | "
             "degrades from | failed |",
             "|---|---|---|---|---:|---:|---:|---:|---|---|"]
    for p, e in entries:
        cells = []
        for label in SUMMARY_RANGES:
            v = e["at"][label]
            cells.append(f"{fmt_ulp(v[0])} / {fmt_ulp(v[1])}" if v else "-")
        d = e["degrades"]
        degrades = f"{d[0]} ({fmt_ulp(d[1])})" if d else "-"
        parts.append(f"| {p.id} | {e['isa']} | {e['preset'] or '-'} | {e['algorithm']} | {fmt_n(e['n'])} | "
                     + " | ".join(cells) + f" | {fmt_ulp(e['baseline'])} | {degrades} | "
                     + (", ".join(e["failed"]) or "-") + " |")
    return parts


def multicore_markdown(processors: list[Processor]) -> list[str]:
    lines: list[str] = []
    for proc in processors:
        pts = multicore_points(proc)
        if not pts:
            continue
        if not lines:
            lines = ["", "## Multi-core", "",
                     "One softmax split across threads, one per core (experiment `multicore`), at the largest n of the",
                     "run. Speedup = median of paired per-round time ratios with its 95% CI, as above; GB/s are effective (8 B/element)",
                     "for the algorithms and real for the read reference (all threads together).", "",
                     "| processor | isa | preset | n | threads | placement | two-pass GB/s | vs recompute | vs reload | read GB/s |",
                     "|---|---|---|---:|---:|---|---:|---:|---:|---:|"]
        for (isa, preset), data in sorted(pts.items(), key=lambda kv: (isa_order(kv[0][0]), kv[0][1])):
            shown: set[tuple[int, str]] = set()
            for placement, per in data["placements"].items():
                for t in sorted(per):
                    label = placement if t > 1 else "-"
                    if (t, label) in shown:
                        continue
                    shown.add((t, label))
                    row = per[t]
                    two, read = row.get("two-pass"), row.get("read")
                    cells = [proc.id, isa, preset, fmt_n(data["n"]), str(t), label,
                             f"{two['effective_gbps']:.1f}" if two else "-"]
                    cells += [speedup_cell(paired_estimate(row[v], two)) if two and v in row else "-" for v in THREE_PASS]
                    cells.append(f"{real_gbps_of(read):.1f}" if read else "-")
                    lines.append("| " + " | ".join(cells) + " |")
    return lines

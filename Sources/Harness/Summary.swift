import Foundation

/// The terminal view of a results CSV (`softmax-repro show`): medians and rates per size, with the
/// two-pass speedups for softmax rows and the pass bandwidths beside the memory references for pass rows.
public enum Summary {
    /// `renderSoftmaxRows`: the section for the run's softmax rows, as the run's kind reads them.
    static func render(_ table: ResultTable, renderSoftmaxRows: ([[String: String]], Double) -> String) -> String {
        var out = ""
        let target = precisionTarget(of: table)
        let ok = table.rows.filter { $0["status"] == "ok" }
        let softmax = ok.filter { $0["kind"] == "softmax" }
        let passes = ok.filter { $0["kind"] == "pass" || $0["kind"] == "reference" }
        // How softmax rows read depends on the kind (tune: its streaming crossover). The kind comes from the
        // metadata (or the id), never from which rows are present: a multicore run also has softmax and
        // reference rows.
        if !softmax.isEmpty {
            out += renderSoftmaxRows(softmax, target)
        }
        if !passes.isEmpty { out += renderPasses(passes) }
        let accuracy = table.rows.filter { $0["kind"] == "accuracy" }
        if !accuracy.isEmpty { out += renderAccuracy(accuracy) }
        let errors = table.rows.filter { $0["status"] != "ok" }
        if !errors.isEmpty {
            let what = errors.allSatisfy { $0["kind"] == "accuracy" } ? "no error values reported" : "no timings reported"
            out += "\n\(errors.count) configuration(s) failed (\(what)):\n"
            for e in errors {
                var configuration = "n=\(e["n"] ?? "")"
                if e["kind"] == "accuracy" {
                    configuration += " \(e["input_range"] ?? "")" + ((e["mask"] ?? "").isEmpty ? "" : " mask \(e["mask"] ?? "")")
                        + ((e["order"] ?? "").isEmpty ? "" : " order \(e["order"] ?? "")")
                }
                out += "  \(e["isa"] ?? "") \(e["kernel"] ?? "") \(configuration): \(e["error"] ?? "")\n"
            }
        }
        if !table.invalidRows.isEmpty {
            out += "\n\(table.invalidRows.count) row(s) are not measurements and were left out (`run --resume` measures them again):\n"
            for problem in table.invalidRows { out += "  \(problem.description)\n" }
        }
        if out.isEmpty { out = "\(table.path) holds no rows yet\n" }
        return out
    }

    /// Rows of one configuration apart from what a table spreads over: the paper's single thread reads as
    /// before; multi-core rows add "2 threads, compact".
    static let threadKeys = ["threads", "placement"]

    static func groups(_ rows: [[String: String]], by keys: [String]) -> [(String, [[String: String]])] {
        var order: [String] = []
        var grouped: [String: [[String: String]]] = [:]
        for r in rows {
            var k = keys.filter { !threadKeys.contains($0) }.map { r[$0] ?? "" }.joined(separator: " ")
            if keys.contains("threads"), let t = r["threads"], !t.isEmpty, t != "1" {
                k += ", \(t) threads" + ((r["placement"] ?? "").isEmpty ? "" : " \(r["placement"]!)")
            }
            if grouped[k] == nil { order.append(k) }
            grouped[k, default: []].append(r)
        }
        return order.map { ($0, grouped[$0]!) }
    }

    static func renderCrossover(_ table: ResultTable) -> String {
        var out = ""
        for (isa, algorithms) in StreamingCrossover.verdicts(table).sorted(by: { $0.key < $1.key }) {
            out += "\n\(isa) streaming crossover: speedup of the tuned kernels with streaming stores over their plain twins, whole softmax (median over rounds of plain time / streaming time [95% CI])\n"
            let sizes = Set(algorithms.values.flatMap(\.sizes)).sorted()
            out += pad("algorithm", 22) + sizes.map { pad(compactCount($0), 19) }.joined() + "streams from\n"
            for (algorithm, verdict) in algorithms.sorted(by: { $0.key < $1.key }) {
                out += pad(algorithm, 22) + sizes.map { n in
                    let interval = verdict.intervals[n].map { String(format: " [%.2f,%.2f]", $0.low, $0.high) } ?? ""
                    return pad(verdict.speedups[n].map { String(format: "%.2f", $0) + interval } ?? "-", 19)
                }.joined()
                out += (verdict.threshold.map { "n >= \(compactCount($0))" } ?? "never (plain twins kept)") + "\n"
            }
        }
        return out
    }

    static func renderSoftmax(_ rows: [[String: String]], target: Double) -> String {
        // The paper's three, then any other algorithm present (online), so every row is shown.
        let paper = ["two-pass", "three-pass-recompute", "three-pass-reload"]
        let algorithms = paper + Set(rows.compactMap { $0["algorithm"] }).subtracting(paper).sorted()
        var out = ""
        var marked = false
        for (title, group) in groups(rows, by: ["processor_id", "isa", "preset"] + threadKeys) {
            out += "\n\(title): median time per call (effective GB/s, 8 B/element); speedup = median over rounds of three-pass time / two-pass time [95% CI]\n"
            out += pad("n", 11) + algorithms.map { pad($0, 24) }.joined() + pad("vs recompute", 22) + pad("vs reload", 20) + "\n"
            let sizes = Set(group.compactMap { Int($0["n"] ?? "") }).sorted()
            for n in sizes {
                var found: [String: [String: String]] = [:]
                var line = pad(String(n), 11)
                for a in algorithms {
                    if let r = group.first(where: { $0["algorithm"] == a && Int($0["n"] ?? "") == n }),
                       let m = Double(r["median_s"] ?? ""), let g = Double(r["effective_gbps"] ?? "") {
                        found[a] = r
                        let missed = r["precision_met"] == "no" ? "*" : ""
                        marked = marked || !missed.isEmpty
                        line += pad("\(formatSeconds(m))\(missed) (\(String(format: "%.1f", g)))", 24)
                    } else {
                        line += pad("-", 24)
                    }
                }
                for (other, width) in [("three-pass-recompute", 22), ("three-pass-reload", 20)] {
                    if let t = found["two-pass"], let o = found[other], let (s, interval) = ResultTable.pairedSpeedup(o, over: t) {
                        let wide = interval.map { $0.relativeHalfWidth > target } ?? true
                        marked = marked || wide
                        line += pad(String(format: "%.2fx", s) + (interval.map { String(format: " [%.2f,%.2f]", $0.low, $0.high) } ?? " [no CI]") + (wide ? "~" : ""), width)
                    } else {
                        line += pad("-", width)
                    }
                }
                out += line + "\n"
            }
        }
        if marked {
            out += "\n* the sampling stopped (round or time budget) before this median's 95% CI was within its target (precision_met = no)\n"
            out += "~ this speedup's 95% CI is wider than \(String(format: "%g", target * 100))% of its value (or has none: fewer than 6 paired rounds)\n"
        }
        return out
    }

    /// Accuracy rows (ok and failed): per processor, ISA, preset and n, a table of max / mean error in ulps
    /// by input range, mask and element order, one column per algorithm, in the order the experiment listed
    /// them.
    static func renderAccuracy(_ rows: [[String: String]]) -> String {
        let paper = ["two-pass", "three-pass-recompute", "three-pass-reload"]
        let algorithms = paper + Set(rows.compactMap { $0["algorithm"] }).subtracting(paper).sorted()
        var out = ""
        for (_, group) in groups(rows, by: ["processor_id", "isa", "preset", "n"]) {
            let first = group[0]
            out += "\n\(first["processor_id"] ?? "") \(first["isa"] ?? "") \(first["preset"] ?? ""), n = \(first["n"] ?? ""): "
                + "error against the float64 softmax, max / mean ulp (mean over outputs >= FLT_MIN); FAILED = NaN or sum off (see below)\n"
            out += pad("input range", 22) + pad("mask", 20) + pad("order", 12) + algorithms.map { pad($0, 24) }.joined() + "\n"
            for (_, configuration) in groups(group, by: ["input_range", "mask", "order"]) {
                var line = pad(configuration[0]["input_range"] ?? "", 22) + pad(configuration[0]["mask"].flatMap { $0.isEmpty ? nil : $0 } ?? "none", 20)
                    + pad(configuration[0]["order"] ?? "", 12)
                for a in algorithms {
                    guard let r = configuration.first(where: { $0["algorithm"] == a }) else {
                        line += pad("-", 24)
                        continue
                    }
                    if r["status"] != "ok" {
                        line += pad("FAILED", 24)
                    } else if let maximum = Double(r["max_error_ulp"] ?? ""), let mean = Double(r["mean_error_ulp"] ?? "") {
                        line += pad("\(formatULP(maximum)) / \(formatULP(mean))", 24)
                    } else {
                        line += pad("?", 24)
                    }
                }
                out += line + "\n"
            }
        }
        return out
    }

    static func formatULP(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value < 0.01 { return "<0.01" }
        if value < 1000 { return String(format: "%.3g", value) }
        return String(format: "%.2e", value)
    }

    static func renderPasses(_ rows: [[String: String]]) -> String {
        var out = ""
        for (title, group) in groups(rows, by: ["processor_id", "isa"] + threadKeys) {
            let sizes = Set(group.compactMap { Int($0["n"] ?? "") }).sorted()
            out += "\n\(title): real bandwidth, GB/s (registry bytes per element / median time)\n"
            out += pad("kernel", 40) + sizes.map { pad(String($0), 11) }.joined() + "\n"
            for (name, rowsOfKernel) in groups(group, by: ["kernel"]) {
                var line = pad(name, 40)
                for n in sizes {
                    let g = rowsOfKernel.first { Int($0["n"] ?? "") == n }.flatMap { Double($0["real_gbps"] ?? "") }
                    line += pad(g.map { String(format: "%.1f", $0) } ?? "-", 11)
                }
                out += line + "\n"
            }
            let verdicts = group.filter { !($0["roofline_bound"] ?? "").isEmpty }
            guard !verdicts.isEmpty else { continue }
            out += "\n\(title): roofline verdict per pass: M = memory-bound, C = compute-bound; efficiency = median over rounds of bound / time [95% CI]\n"
            out += pad("kernel", 40) + sizes.map { pad(String($0), 20) }.joined() + "\n"
            for (name, rowsOfKernel) in groups(verdicts, by: ["kernel"]) {
                var line = pad(name, 40)
                for n in sizes {
                    if let r = rowsOfKernel.first(where: { Int($0["n"] ?? "") == n }), let e = Double(r["efficiency"] ?? "") {
                        let interval = Double(r["efficiency_ci_low"] ?? "").flatMap { low in
                            Double(r["efficiency_ci_high"] ?? "").map { String(format: " [%.0f,%.0f]", low * 100, $0 * 100) } } ?? ""
                        line += pad("\(r["roofline_bound"] == "memory" ? "M" : "C") \(String(format: "%3.0f%%", e * 100))\(interval)", 20)
                    } else {
                        line += pad("-", 20)
                    }
                }
                out += line + "\n"
            }
        }
        return out
    }

    /// The precision target of the comparisons, from the run's metadata beside the CSV (the default where
    /// there is none, as for files of schema 3).
    static func precisionTarget(of table: ResultTable) -> Double {
        let metadata = URL(fileURLWithPath: table.path).deletingPathExtension().appendingPathExtension("json")
        guard let data = FileManager.default.contents(atPath: metadata.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let target = (object["protocol"] as? [String: Any])?["precision_target"] as? Double else { return Experiment.defaultPrecisionTarget }
        return target
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func formatSeconds(_ s: Double) -> String {
        if s < 1e-3 { return String(format: "%.2f us", s * 1e6) }
        if s < 1 { return String(format: "%.2f ms", s * 1e3) }
        return String(format: "%.3f s", s)
    }
}

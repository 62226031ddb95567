import Foundation
import Softmax

/// A bad pair of files for `compare`: the message names the problem and the fix.
public struct ComparisonError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `softmax-repro compare A.csv B.csv`: two results files of one timed experiment (two runs, commits or
/// machines), configuration by configuration. Each configuration's raw samples of A and B come from
/// different runs, so they are compared as independent samples (RankStatistics): B's time over A's as the
/// exponential of the Hodges-Lehmann shift of log times with its distribution-free confidence interval, and
/// a Mann-Whitney U test whose p-values are adjusted across the configurations by Holm-Bonferroni.
public struct Comparison {
    /// Adjusted p-values below this give a verdict; the ratio's interval has confidence 1 - this.
    public static let significanceLevel = 0.05
    public static var confidence: Double { 1 - significanceLevel }

    public enum Verdict: String, Sendable {
        case faster, slower
        case noDifference = "no difference"
    }

    /// One side's row of a configuration.
    public struct Measurement: Equatable, Sendable {
        public var kernel: String
        /// Seconds per call, as measured; empty for an error row.
        public var samples: [Double]
        /// Why the row is an error; nil when `ok`.
        public var error: String?
        public var median: Double? { samples.isEmpty ? nil : Harness.median(samples) }
    }

    public struct Entry: Sendable {
        /// Readable name: kind, ISA, preset, algorithm (or pass kernel), n, threads and placement.
        public var configuration: String
        /// The key columns' cells (from A's row, else B's).
        public var keyCells: [String: String]
        public var a: Measurement?
        public var b: Measurement?
        /// Set where both rows are ok.
        public var statistics: RankStatistics.TwoSampleResult?
        public var adjustedP: Double?
        public var verdict: Verdict?

        public enum Status: String, Sendable {
            case compared
            case onlyInA = "only_in_a", onlyInB = "only_in_b"
            case error
        }

        public var status: Status {
            guard let a else { return .onlyInB }
            guard let b else { return .onlyInA }
            return a.error == nil && b.error == nil ? .compared : .error
        }

        /// B's time over A's: exp of the Hodges-Lehmann shift of log times, with its interval.
        public var ratio: Double? { statistics.map { exp($0.shift) } }
        public var ratioLow: Double? { statistics.map { exp($0.shiftLow) } }
        public var ratioHigh: Double? { statistics.map { exp($0.shiftHigh) } }
    }

    public let pathA: String
    public let pathB: String
    public let experiment: String
    public let processorsA: [String]
    public let processorsB: [String]
    /// The files come from different processors: rows with a preset are matched without their kernel names.
    public let acrossProcessors: Bool
    /// A's configurations in A's order, then those only in B in B's order.
    public let entries: [Entry]

    public var compared: [Entry] { entries.filter { $0.status == .compared } }

    /// Reads both files through ResultTable; every problem with them is a ComparisonError.
    public static func load(_ pathA: String, _ pathB: String) throws -> Comparison {
        try Comparison(a: read(pathA), b: read(pathB))
    }

    static func read(_ path: String) throws -> ResultTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ComparisonError("no results file '\(path)': give the path of a results CSV, such as results/<processor-id>/softmax.csv")
        }
        let table: ResultTable
        do { table = try ResultTable(path: path) } catch let HarnessError.unreadableResults(_, why) {
            throw ComparisonError("\(path) cannot be compared: \(why); compare two results files written by softmax-repro (schema \(ResultSchema.readableVersionsText("or")); scripts/upgrade-results.py upgrades older ones)")
        }
        // A row that is not a measurement (a cell that is not a number, a torn line) cannot be compared.
        if let invalid = table.invalidRows.first {
            throw ComparisonError("\(path) cannot be compared: line \(invalid.line)\(invalid.column.map { ", column \($0)" } ?? ""): \(invalid.why); rerun that configuration (`run --resume` measures it again)")
        }
        return table
    }

    public init(a: ResultTable, b: ResultTable) throws {
        pathA = a.path
        pathB = b.path
        let experimentA = try Comparison.experiment(of: a), experimentB = try Comparison.experiment(of: b)
        guard experimentA == experimentB else {
            throw ComparisonError("the files hold different experiments: \(a.path) is '\(experimentA)', \(b.path) is '\(experimentB)'; compare two results files of the same experiment")
        }
        experiment = experimentA
        try Comparison.requireTimed(a, experiment)
        try Comparison.requireTimed(b, experiment)
        processorsA = Comparison.processors(of: a)
        processorsB = Comparison.processors(of: b)
        acrossProcessors = processorsA != processorsB

        let sideA = try Comparison.configurations(of: a, acrossProcessors: acrossProcessors)
        let sideB = try Comparison.configurations(of: b, acrossProcessors: acrossProcessors)
        let inB = Dictionary(uniqueKeysWithValues: sideB.map { ($0.key, $0) })
        let inA = Set(sideA.map(\.key))
        var entries: [Entry] = sideA.map { c in
            Entry(configuration: c.label, keyCells: c.keyCells, a: c.measurement, b: inB[c.key]?.measurement)
        }
        entries += sideB.filter { !inA.contains($0.key) }.map { c in
            Entry(configuration: c.label, keyCells: c.keyCells, a: nil, b: c.measurement)
        }
        for i in entries.indices where entries[i].status == .compared {
            entries[i].statistics = RankStatistics.compare(entries[i].a!.samples.map { Foundation.log($0) }, entries[i].b!.samples.map { Foundation.log($0) },
                                                           confidence: Comparison.confidence)
        }
        let tested = entries.indices.filter { entries[$0].statistics != nil }
        let adjusted = RankStatistics.holmAdjusted(tested.map { entries[$0].statistics!.p })
        for (i, p) in zip(tested, adjusted) {
            entries[i].adjustedP = p
            let ratio = entries[i].ratio!
            entries[i].verdict = p >= Comparison.significanceLevel || ratio == 1 ? .noDifference : ratio > 1 ? .slower : .faster
        }
        self.entries = entries
    }

    /// Configurations B runs slower than A beyond `thresholdPercent` with significance: Holm-adjusted
    /// p < significanceLevel (verdict `slower`) and the ratio's estimate above 1 + thresholdPercent / 100.
    public func regressions(thresholdPercent: Double) -> [Entry] {
        compared.filter { $0.verdict == .slower && $0.ratio! > 1 + thresholdPercent / 100 }
    }

    /// compare's exit status: 1 where a threshold is given and some configuration exceeds it, else 0.
    public func exitStatus(thresholdPercent: Double?) -> Int32 {
        guard let thresholdPercent else { return 0 }
        return regressions(thresholdPercent: thresholdPercent).isEmpty ? 0 : 1
    }

    // MARK: Reading the files

    static func experiment(of table: ResultTable) throws -> String {
        let experiments = Set(table.rows.map { $0["experiment"] ?? "" })
        guard let only = experiments.first else {
            throw ComparisonError("\(table.path) holds no rows: nothing was measured there yet; compare two files with results")
        }
        guard experiments.count == 1 else {
            throw ComparisonError("\(table.path) mixes the experiments \(experiments.sorted().joined(separator: ", ")): a results file holds one experiment; give the files as `softmax-repro run` wrote them")
        }
        return only
    }

    /// The kinds whose rows carry timed samples (everything but accuracy).
    static let timedKinds = Set([ResultRow.Kind.softmax, .pass, .reference, .peak].map(\.rawValue))

    static func requireTimed(_ table: ResultTable, _ experiment: String) throws {
        let kinds = Set(table.rows.map { $0["kind"] ?? "" })
        if kinds.contains(ResultRow.Kind.accuracy.rawValue) {
            throw ComparisonError("\(table.path) holds accuracy rows (experiment '\(experiment)'), which time nothing: compare compares timings; give results of a timed experiment (softmax, passes, table1, multicore, tune or their quick variants)")
        }
        if let unknown = kinds.subtracting(timedKinds).sorted().first {
            throw ComparisonError("\(table.path) has rows of unknown kind '\(unknown)' (known: \(timedKinds.sorted().joined(separator: ", "))); give a results file written by softmax-repro")
        }
    }

    static func processors(of table: ResultTable) -> [String] {
        Array(Set(table.rows.map { $0["processor_id"] ?? "" })).sorted()
    }

    struct Configuration {
        var key: String
        var label: String
        var keyCells: [String: String]
        var measurement: Measurement
    }

    /// Whether a row's kernels (`+`-joined) write with streaming stores; names this build lacks are judged
    /// by the `_nt` suffix every streaming kernel carries.
    static func streams(_ kernel: String) -> Bool {
        kernel.split(separator: "+").contains { KernelRegistry.named(String($0))?.nonTemporalStores ?? $0.hasSuffix("_nt") }
    }

    /// One configuration per row, keyed by ResultSchema.keyColumns. Across processors a row with a preset is
    /// keyed without its kernel names, which the preset chose for its processor (`tuned`); where a file holds
    /// two rows of one preset configuration with different kernels (tune's streaming crossover), they are
    /// told apart by whether their kernels use streaming stores. A configuration measured again after an
    /// error (`run --resume`) is its ok row.
    static func configurations(of table: ResultTable, acrossProcessors: Bool) throws -> [Configuration] {
        func presetKey(_ row: [String: String]) -> String {
            ResultSchema.keyColumns.filter { $0 != "kernel" }.map { row[$0] ?? "" }.joined(separator: "|")
        }
        var kernelsByPresetKey: [String: Set<String>] = [:]
        for row in table.rows where !(row["preset"] ?? "").isEmpty {
            kernelsByPresetKey[presetKey(row), default: []].insert(row["kernel"] ?? "")
        }
        var order: [String] = []
        var byKey: [String: Configuration] = [:]
        for (index, row) in table.rows.enumerated() {
            let hasPreset = !(row["preset"] ?? "").isEmpty
            let kernel = row["kernel"] ?? ""
            let marker = hasPreset && (kernelsByPresetKey[presetKey(row)]?.count ?? 0) > 1
                ? (streams(kernel) ? "streaming stores" : "plain stores") : nil
            let key = acrossProcessors && hasPreset
                ? presetKey(row) + "|" + (marker ?? "")
                : ResultSchema.keyColumns.map { row[$0] ?? "" }.joined(separator: "|")
            let label = Comparison.label(row, marker: marker)
            let measurement: Measurement
            if row["status"] == "ok" {
                measurement = Measurement(kernel: kernel, samples: try samples(of: row, line: index + 2, label: label, path: table.path))
            } else {
                let why = row["error"] ?? ""
                measurement = Measurement(kernel: kernel, samples: [], error: why.isEmpty ? "status '\(row["status"] ?? "")'" : why)
            }
            let configuration = Configuration(key: key, label: label,
                                              keyCells: Dictionary(uniqueKeysWithValues: ResultSchema.keyColumns.map { ($0, row[$0] ?? "") }),
                                              measurement: measurement)
            if let earlier = byKey[key] {
                if earlier.measurement.error == nil && measurement.error == nil {
                    throw ComparisonError("\(table.path) holds two ok rows of \(label) (the second on line \(index + 2)): a results file holds one run of each configuration; give the files as `softmax-repro run` wrote them")
                }
                if earlier.measurement.error != nil { byKey[key] = configuration }   // the later ok row, or the later error
            } else {
                order.append(key)
                byKey[key] = configuration
            }
        }
        return order.map { byKey[$0]! }
    }

    static func samples(of row: [String: String], line: Int, label: String, path: String) throws -> [Double] {
        let cell = row["raw_samples_s"] ?? ""
        // ResultTable has already set aside rows whose cell is not a list of numbers; an ok row's samples
        // must also be positive times to be compared.
        guard let values = ResultTable.samples(of: row), !values.isEmpty, values.allSatisfy({ $0 > 0 }) else {
            throw ComparisonError("\(path) line \(line) (\(label)): raw_samples_s '\(cell)' is not a ';'-separated list of positive seconds, which every ok row of a timed experiment keeps; give the file as `softmax-repro run` wrote it")
        }
        return values
    }

    /// "softmax avx2 tuned two-pass n=1048576 (streaming stores)", "pass avx2 rmax_avx2_x32 n=65536",
    /// "reference avx2 copy n=10000, 2 threads compact".
    static func label(_ row: [String: String], marker: String?) -> String {
        let cell = { (column: String) in row[column] ?? "" }
        let kind = cell("kind")
        var parts = [kind, cell("isa")]
        if !cell("preset").isEmpty { parts.append(cell("preset")) }
        parts.append(kind == ResultRow.Kind.pass.rawValue || kind == ResultRow.Kind.peak.rawValue ? cell("kernel") : cell(ResultRow.Subject.column(forKind: kind)))
        parts.append("n=\(cell("n"))")
        var text = parts.filter { !$0.isEmpty }.joined(separator: " ")
        if !cell("threads").isEmpty && cell("threads") != "1" {
            text += ", \(cell("threads")) threads" + (cell("placement").isEmpty ? "" : " \(cell("placement"))")
        }
        if let marker { text += " (\(marker))" }
        return text
    }

    // MARK: Output

    /// "3 faster, 1 slower, 40 no difference (44 compared); 2 only in A, 0 only in B, 1 with an error row"
    public var summaryLine: String {
        let count = { (verdict: Verdict) in compared.filter { $0.verdict == verdict }.count }
        let only = { (status: Entry.Status) in entries.filter { $0.status == status }.count }
        return "\(count(.faster)) faster, \(count(.slower)) slower, \(count(.noDifference)) no difference (\(compared.count) compared); "
            + "\(only(.onlyInA)) only in A, \(only(.onlyInB)) only in B, \(only(.error)) with an error row"
    }

    /// What the numbers are, for the table's header and for stderr beside --csv.
    public var methodLines: [String] {
        let percent = Int((Comparison.confidence * 100).rounded())
        var lines = [
            "A: \(pathA) (experiment \(experiment), processor \(processorsA.joined(separator: ", ")))",
            "B: \(pathB) (processor \(processorsB.joined(separator: ", ")))",
        ]
        if acrossProcessors {
            lines.append("Different processors: rows with a preset are matched by preset, ISA, algorithm and size, not by the kernel names the preset chose there.")
        }
        lines += [
            "B/A: B's time over A's (> 1: B slower), exp of the Hodges-Lehmann estimate of the shift in log time (median of log(b/a) over every pair of samples), with its distribution-free \(percent)% confidence interval.",
            "p: two-sided Mann-Whitney U test on the raw samples (unpaired: exact null distribution when both sides have fewer than \(RankStatistics.exactSampleLimit) samples and no ties, else the normal approximation with tie and continuity correction), Holm-Bonferroni adjusted over the \(compared.count) configurations compared; verdict faster or slower where the adjusted p < \(Comparison.significanceLevel).",
        ]
        return lines
    }

    public func renderTable() -> String {
        var out = methodLines.joined(separator: "\n") + "\n"
        let percent = Int((Comparison.confidence * 100).rounded())
        var lowConfidence = false
        if !compared.isEmpty {
            let header = ["configuration", "A median", "B median", "B/A [\(percent)% CI]", "p (Holm)", "verdict"]
            var rows: [[String]] = []
            for e in compared {
                let s = e.statistics!
                let mark = s.confidence < Comparison.confidence ? "*" : ""
                if !mark.isEmpty { lowConfidence = true }
                rows.append([e.configuration, Summary.formatSeconds(e.a!.median!), Summary.formatSeconds(e.b!.median!),
                             String(format: "%.3f [%.3f, %.3f]", e.ratio!, e.ratioLow!, e.ratioHigh!) + mark,
                             Comparison.formatP(e.adjustedP!), e.verdict!.rawValue])
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
            out += "\n"
            for line in [header] + rows {
                out += line.enumerated().map { column, cell in
                    column == line.count - 1 ? cell : Summary.pad(cell, widths[column] + 2)
                }.joined() + "\n"
            }
            if lowConfidence {
                out += "* too few samples for \(percent)%: the interval spans every pairwise ratio (--csv gives its confidence)\n"
            }
        }
        for (status, title) in [(Entry.Status.onlyInA, "only in A"), (.onlyInB, "only in B"), (.error, "with an error row")] {
            let listed = entries.filter { $0.status == status }
            guard !listed.isEmpty else { continue }
            out += "\n\(listed.count) configuration(s) \(title):\n"
            for e in listed {
                var why: [String] = []
                if let error = e.a?.error { why.append("A: \(error)") }
                if let error = e.b?.error { why.append("B: \(error)") }
                // A preset's kernels can differ between the files (tune ran again): then its configuration is
                // listed once in each list, and only the kernels tell the two apart.
                let kernels = status != .error && !(e.keyCells["preset"] ?? "").isEmpty ? ", kernels \((e.a ?? e.b)!.kernel)" : ""
                out += "  \(e.configuration)\(kernels)" + (why.isEmpty ? "" : "; " + why.joined(separator: "; ")) + "\n"
            }
        }
        out += "\n\(summaryLine)\n"
        return out
    }

    /// The CSV of `compare --csv` (columns in docs/usage.md, "Comparing two runs").
    public static let csvColumns = [
        "configuration", "status", "kind", "isa", "preset", "algorithm", "pass_family", "reference", "n", "threads", "placement",
        "kernel_a", "kernel_b", "samples_a", "samples_b", "median_a_s", "median_b_s",
        "ratio", "ratio_low", "ratio_high", "ratio_confidence", "u", "test", "p", "p_holm", "verdict", "error_a", "error_b",
    ]

    public func renderCSV() -> String {
        var out = Comparison.csvColumns.joined(separator: ",") + "\n"
        for e in entries {
            var c: [String: String] = ["configuration": e.configuration, "status": e.status.rawValue]
            for column in ["kind", "isa", "preset"] + ResultRow.Subject.columns + ["n", "threads", "placement"] { c[column] = e.keyCells[column] ?? "" }
            for (side, m) in [("a", e.a), ("b", e.b)] {
                guard let m else { continue }
                c["kernel_\(side)"] = m.kernel
                c["error_\(side)"] = m.error ?? ""
                if m.error == nil {
                    c["samples_\(side)"] = String(m.samples.count)
                    c["median_\(side)_s"] = format(m.median!)
                }
            }
            if let s = e.statistics {
                c["ratio"] = format(e.ratio!)
                c["ratio_low"] = format(e.ratioLow!)
                c["ratio_high"] = format(e.ratioHigh!)
                c["ratio_confidence"] = format(s.confidence)
                c["u"] = format(s.u)
                c["test"] = s.method.rawValue
                c["p"] = format(s.p)
                c["p_holm"] = format(e.adjustedP!)
                c["verdict"] = e.verdict!.rawValue
            }
            out += Comparison.csvColumns.map { csvEscape(c[$0] ?? "") }.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func formatP(_ p: Double) -> String { p < 1e-4 ? "<0.0001" : String(format: "%.4f", p) }
}

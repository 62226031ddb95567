import Foundation
import Softmax

/// Turns a tune run into the preset `tuned`: per ISA and pass family, the variant with the lowest median
/// time at the largest (out-of-cache) size measured; variants within 2% of it count as tied, and the tie
/// goes to the fastest at the smallest (in-cache) size. The passes that compute exp choose only among
/// kernels of one exp method per ISA (`expMethod`), so that every algorithm of the preset uses it.
///
/// A streaming-store variant wins where it is fastest out of cache; where it starts to run is then
/// measured on the whole softmax (`StreamingCrossover`) and written as the preset's streaming threshold
/// per ISA and algorithm. Below it the plan runs the plain twins; an algorithm whose streaming kernels
/// lose even at the largest size keeps the plain twins outright.
public enum TunedPreset {
    public static let name = ResultsLayout.tunedPresetName
    static let tieTolerance = 0.02

    struct Timing {
        var kernel: String
        var large: Double
        var small: Double?
    }

    /// The chosen kernel per ISA and family, from the pass rows of a results table.
    static func choose(_ table: ResultTable) -> [String: [String: Timing]] {
        let rows = table.rows.filter { $0["status"] == "ok" && $0["kind"] == "pass" }
        var chosen: [String: [String: Timing]] = [:]
        for isa in Set(rows.compactMap { $0["isa"] }) {
            let ofISA = rows.filter { $0["isa"] == isa }
            let sizes = Set(ofISA.compactMap { Int($0["n"] ?? "") })
            guard let large = sizes.max(), let small = sizes.min() else { continue }
            let method = expMethod(ofISA, large: large)
            for family in Set(ofISA.compactMap { $0["pass_family"] }) {
                let candidates: [Timing] = ofISA.filter { $0["pass_family"] == family && Int($0["n"] ?? "") == large }.compactMap { row in
                    guard let kernel = row["kernel"], let t = Double(row["median_s"] ?? "") else { return nil }
                    if let method, let k = KernelRegistry.named(kernel), k.computesExp, k.expMethod != method { return nil }
                    let s = ofISA.first { $0["kernel"] == kernel && Int($0["n"] ?? "") == small }.flatMap { Double($0["median_s"] ?? "") }
                    return Timing(kernel: kernel, large: t, small: s)
                }
                guard let best = candidates.map(\.large).min() else { continue }
                let tied = candidates.filter { $0.large <= best * (1 + tieTolerance) }
                chosen[isa, default: [:]][family] = tied.min { ($0.small ?? .infinity, $0.large) < ($1.small ?? .infinity, $1.large) }
            }
        }
        return chosen
    }

    /// The one exp method a tuned preset's exp passes use on an ISA (a preset never mixes methods across its
    /// algorithms; docs/exp-kernels.md): among the methods every timed exp family has, the one whose fastest
    /// kernels take the least time in total at the largest size (ties: the name). Nil without exp rows.
    static func expMethod(_ rows: [[String: String]], large: Int) -> String? {
        let timed: [(family: String, method: String, time: Double)] = rows.compactMap { row in
            guard Int(row["n"] ?? "") == large, let k = row["kernel"].flatMap(KernelRegistry.named), k.computesExp,
                  let t = Double(row["median_s"] ?? "") else { return nil }
            return (k.family.rawValue, k.expMethod, t)
        }
        let families = Set(timed.map(\.family))
        func total(_ method: String) -> Double? {
            var sum = 0.0
            for family in families {
                guard let best = timed.filter({ $0.family == family && $0.method == method }).map(\.time).min() else { return nil }
                sum += best
            }
            return sum
        }
        let totals = Set(timed.map(\.method)).compactMap { m in total(m).map { (m, $0) } }
        return totals.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// isa -> algorithm -> kernel names in pass order, for every algorithm whose passes were all chosen.
    static func kernels(from chosen: [String: [String: Timing]]) -> [String: [String: [String]]] {
        var kernels: [String: [String: [String]]] = [:]
        for (isa, families) in chosen {
            for algorithm in Algorithm.allCases {
                let names = algorithm.passes.compactMap { families[$0.rawValue]?.kernel }
                if names.count == algorithm.passes.count { kernels[isa, default: [:]][algorithm.rawValue] = names }
            }
        }
        return kernels
    }

    /// The tuned kernels of a tune run's pass rows (what the streaming crossover then times).
    public static func kernels(from table: ResultTable) -> [String: [String: [String]]] { kernels(from: choose(table)) }

    /// Writes presets/tuned/<processor-id>.json and returns its path: the kernels chosen from the pass
    /// rows, with the streaming thresholds from the crossover's softmax rows where it was measured.
    @discardableResult
    public static func write(from table: ResultTable, processorID: String, presetsFolder: URL, log: (String) -> Void) throws -> String {
        let chosen = choose(table)
        var tuned = Self.kernels(from: chosen)
        var notes: [String] = []
        for (isa, families) in chosen.sorted(by: { $0.key < $1.key }) {
            for (family, t) in families.sorted(by: { $0.key < $1.key }) {
                notes.append("\(t.kernel) \(String(format: "%.3g", t.large)) s")
                log("tuned \(isa) \(family): \(t.kernel) (median \(String(format: "%.3g", t.large)) s at the largest n)")
            }
        }
        guard !tuned.isEmpty else {
            throw HarnessError.incompatibleResults(table.path, "it holds no complete set of pass rows to tune from")
        }
        let verdicts = StreamingCrossover.verdicts(table)
        var thresholds: [String: [String: Int]] = [:]
        var streaming: [String] = []
        for (isa, algorithms) in tuned.sorted(by: { $0.key < $1.key }) {
            for (algorithm, names) in algorithms.sorted(by: { $0.key < $1.key }) {
                let streams = names.contains { KernelRegistry.named($0)?.nonTemporalStores ?? false }
                guard streams else { continue }
                guard let verdict = verdicts[isa]?[algorithm] else {
                    streaming.append("\(isa) \(algorithm): not measured, default threshold \(SoftmaxPlan.defaultStreamingThreshold)")
                    log("note: no streaming crossover rows for \(isa) \(algorithm): its plan streams from the default n = \(SoftmaxPlan.defaultStreamingThreshold) (LLC / 8)")
                    continue
                }
                if let t = verdict.threshold {
                    thresholds[isa, default: [:]][algorithm] = t
                    streaming.append("\(isa) \(algorithm): from \(t) (\(verdict.summary))")
                    log("streaming \(isa) \(algorithm): from n = \(t); streaming's speedup per n: \(verdict.summary)")
                } else {
                    tuned[isa]?[algorithm] = names.map { name in KernelRegistry.named(name).map { KernelRegistry.withOrdinaryStores($0).name } ?? name }
                    streaming.append("\(isa) \(algorithm): never (\(verdict.summary))")
                    log("streaming \(isa) \(algorithm): slower even at the largest n, so the plain twins are kept; speedup per n: \(verdict.summary)")
                }
            }
        }
        let sizes = Set(table.rows.filter { $0["kind"] == "pass" }.compactMap { Int($0["n"] ?? "") }).sorted()
        // results/<processor-id>/<experiment>.csv, not a path of this machine.
        let source = URL(fileURLWithPath: table.path).pathComponents.suffix(3).joined(separator: "/")
        let preset = Preset(
            name: name,
            description: "Fastest variant per pass family and ISA on \(processorID), by median time at n = \(sizes.last ?? 0) "
                + "(ties within 2% broken at n = \(sizes.first ?? 0)), from \(source) on \(ISO8601DateFormatter().string(from: Date())): "
                + notes.joined(separator: ", ")
                + (streaming.isEmpty ? "" : ". Streaming stores, timed on the whole softmax against the plain twins (streaming's speedup per n; "
                    + "the threshold is the smallest n from which it is never slower): " + streaming.joined(separator: "; ")),
            kernels: tuned,
            streamingThresholds: thresholds.isEmpty ? nil : thresholds)
        try preset.validate(source: "tuned preset")
        let folder = presetsFolder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(processorID).json").path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(preset) + Data("\n".utf8)) else {
            throw HarnessError.unwritableResults(path, "the preset cannot be written")
        }
        return path
    }
}

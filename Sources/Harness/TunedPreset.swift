import Foundation
import Softmax

/// Turns a tune run into the preset `tuned`: per ISA and pass family, the variant with the lowest median
/// time at the largest (out-of-cache) size measured; variants within 2% of it count as tied, and the tie
/// goes to the fastest at the smallest (in-cache) size.
///
/// A streaming-store variant is eligible only if it is no slower (within the same 2%) than its plain twin
/// at every measured size from the streaming threshold on, not just the largest: the plan runs it at all
/// those sizes, and on some cores streaming pays only far out of cache (measured on Zen 4 with AVX2: 8%
/// slower at 10M elements, 20% faster at 64M), where a choice made at the largest size alone would make
/// `tuned` slower than `blend` in between.
public enum TunedPreset {
    public static let name = "tuned"
    static let tieTolerance = 0.02

    struct Timing {
        var kernel: String
        var large: Double
        var small: Double?
    }

    /// The chosen kernel per ISA and family, from the pass rows of a results table.
    static func choose(_ table: ResultTable, streamingThreshold: Int = SoftmaxPlan.defaultStreamingThreshold) -> [String: [String: Timing]] {
        let rows = table.rows.filter { $0["status"] == "ok" && $0["kind"] == "pass" }
        var chosen: [String: [String: Timing]] = [:]
        for isa in Set(rows.compactMap { $0["isa"] }) {
            let ofISA = rows.filter { $0["isa"] == isa }
            let sizes = Set(ofISA.compactMap { Int($0["n"] ?? "") })
            guard let large = sizes.max(), let small = sizes.min() else { continue }
            func median(_ kernel: String, _ n: Int) -> Double? {
                ofISA.first { $0["kernel"] == kernel && Int($0["n"] ?? "") == n }.flatMap { Double($0["median_s"] ?? "") }
            }
            let streamingSizes = sizes.filter { $0 >= streamingThreshold && $0 != small }
            /// Plain kernels always; a streaming one if it keeps up with its plain twin wherever it would run.
            func eligible(_ kernel: String) -> Bool {
                guard let k = KernelRegistry.named(kernel), k.nonTemporalStores else { return true }
                guard let twin = KernelRegistry.plainTwin(of: k) else { return true }
                return streamingSizes.allSatisfy { n in
                    guard let mine = median(kernel, n), let theirs = median(twin.name, n) else { return true }
                    return mine <= theirs * (1 + tieTolerance)
                }
            }
            for family in Set(ofISA.compactMap { $0["algorithm"] }) {
                let candidates: [Timing] = ofISA.filter { $0["algorithm"] == family && Int($0["n"] ?? "") == large }.compactMap { row in
                    guard let kernel = row["kernel"], eligible(kernel), let t = Double(row["median_s"] ?? "") else { return nil }
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

    /// Writes presets/tuned/<processor-id>.json and returns its path.
    @discardableResult
    public static func write(from table: ResultTable, processorID: String, presetsFolder: URL, log: (String) -> Void) throws -> String {
        let chosen = choose(table)
        var kernels: [String: [String: [String]]] = [:]
        var notes: [String] = []
        for (isa, families) in chosen.sorted(by: { $0.key < $1.key }) {
            for algorithm in Algorithm.allCases {
                let names = algorithm.passes.compactMap { families[$0.rawValue]?.kernel }
                if names.count == algorithm.passes.count { kernels[isa, default: [:]][algorithm.rawValue] = names }
            }
            for (family, t) in families.sorted(by: { $0.key < $1.key }) {
                notes.append("\(t.kernel) \(String(format: "%.3g", t.large)) s")
                log("tuned \(isa) \(family): \(t.kernel) (median \(String(format: "%.3g", t.large)) s at the largest n)")
            }
        }
        guard !kernels.isEmpty else {
            throw HarnessError.incompatibleResults(table.path, "it holds no complete set of pass rows to tune from")
        }
        let sizes = Set(table.rows.compactMap { Int($0["n"] ?? "") }).sorted()
        // results/<processor-id>/<experiment>.csv, not a path of this machine.
        let source = URL(fileURLWithPath: table.path).pathComponents.suffix(3).joined(separator: "/")
        let preset = Preset(
            name: name,
            description: "Fastest variant per pass family and ISA on \(processorID), by median time at n = \(sizes.last ?? 0) "
                + "(ties within 2% broken at n = \(sizes.first ?? 0); a streaming-store variant only if within 2% of its plain twin at every "
                + "measured n >= \(SoftmaxPlan.defaultStreamingThreshold), the plan's streaming threshold), from \(source) on \(ISO8601DateFormatter().string(from: Date())): "
                + notes.joined(separator: ", "),
            kernels: kernels)
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

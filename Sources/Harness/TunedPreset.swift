import Foundation
import Softmax

/// Turns a tune run into the preset `tuned`: per ISA and pass family, the variant with the lowest median
/// time at the largest (out-of-cache) size measured; variants within 2% of it count as tied, and the tie
/// goes to the fastest at the smallest (in-cache) size.
public enum TunedPreset {
    public static let name = "tuned"
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
            for family in Set(ofISA.compactMap { $0["algorithm"] }) {
                let candidates: [Timing] = ofISA.filter { $0["algorithm"] == family && Int($0["n"] ?? "") == large }.compactMap { row in
                    guard let kernel = row["kernel"], let t = Double(row["median_s"] ?? "") else { return nil }
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
                + "(ties within 2% broken at n = \(sizes.first ?? 0)), from \(source) on \(ISO8601DateFormatter().string(from: Date())): "
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

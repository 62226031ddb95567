import Foundation
import Softmax

/// Where streaming stores start to pay, per ISA and algorithm, measured on the whole softmax.
///
/// A streaming-store pass skips the write-allocate read of y, but sends y to DRAM even when it would
/// have stayed in cache, and the next call (or three-pass-reload's last pass) then reads it from DRAM.
/// Where the two effects cross depends on the core and the algorithm, not only on the cache size (the
/// reference runs found it from 1M to 64M elements, by ISA and algorithm: docs/kernels.md). So `tune` times each tuned algorithm whole, with its
/// streaming-store kernels against their plain twins, interleaved, on a ladder of sizes, and the preset
/// records the smallest size from which streaming is never slower.
public enum StreamingCrossover {
    /// The ladder when an experiment names none: t/4, t/2, t, 2t, ... where t = LLC bytes / 8 (x and y
    /// together fill the last-level cache), up to `largest`, which is always included.
    public static func sizes(llcBytes: Int, largest: Int) -> [Int] {
        let t = Swift.max(llcBytes / 8, 1024)
        var sizes: [Int] = []
        var n = Swift.max(t / 4, 1)
        while n < largest {
            sizes.append(n)
            n *= 2
        }
        return sizes + [largest]
    }

    /// The two plans `tune` times for one tuned algorithm: its kernels streaming at every n, and their
    /// plain twins; nil when it has no streaming-store kernel.
    static func contenders(algorithm: Algorithm, kernelNames: [String]) throws -> (streamed: SoftmaxPlan, plain: SoftmaxPlan)? {
        let streamed = try SoftmaxPlan(algorithm: algorithm, kernelNames: kernelNames, streamingThreshold: 0)
        guard streamed.kernels.contains(where: \.nonTemporalStores) else { return nil }
        let twins = streamed.kernels.map(KernelRegistry.withOrdinaryStores)
        return (streamed, try SoftmaxPlan(algorithm: algorithm, kernels: twins, streamingThreshold: Int.max))
    }

    public struct Verdict: Equatable, Sendable {
        /// Elements from which streaming is never slower at any measured size; nil: it is slower at the
        /// largest, so the preset keeps the plain twins.
        public var threshold: Int?
        /// n -> streaming's speedup over the plain twins (median over rounds of plain time / streamed
        /// time); a size where either row failed is absent, and counts as a loss.
        public var speedups: [Int: Double]
        public var sizes: [Int]
        /// n -> the speedup's 95% interval (absent with fewer than 6 paired rounds).
        public var intervals: [Int: MedianInterval] = [:]

        /// "1M 0.93, 2M 0.97, 4M 1.02, ..." for logs and the preset's description.
        public var summary: String {
            sizes.map { n in "\(compactCount(n)) " + (speedups[n].map { String(format: "%.2f", $0) } ?? "failed") }.joined(separator: ", ")
        }
    }

    /// Verdicts per ISA and algorithm from a tune run's softmax rows (the preset `tuned`: one row with
    /// streaming-store kernels and one with their plain twins per size).
    public static func verdicts(_ table: ResultTable) -> [String: [String: Verdict]] {
        let rows = table.rows.filter { $0["kind"] == "softmax" && $0["preset"] == ResultsLayout.tunedPresetName }
        func streams(_ row: [String: String]) -> Bool {
            (row["kernel"] ?? "").split(separator: "+").contains { KernelRegistry.named(String($0))?.nonTemporalStores ?? false }
        }
        var out: [String: [String: Verdict]] = [:]
        let groups = Dictionary(grouping: rows) { [$0["isa"] ?? "", $0["algorithm"] ?? ""] }
        for (group, members) in groups {
            let sizes = Set(members.compactMap { Int($0["n"] ?? "") }).sorted()
            var speedups: [Int: Double] = [:]
            var intervals: [Int: MedianInterval] = [:]
            for n in sizes {
                let atN = members.filter { Int($0["n"] ?? "") == n && $0["status"] == "ok" }
                guard let s = atN.first(where: streams), let p = atN.first(where: { !streams($0) }),
                      let speedup = ResultTable.pairedSpeedup(p, over: s) else { continue }
                speedups[n] = speedup.value
                intervals[n] = speedup.interval
            }
            out[group[0], default: [:]][group[1]] = Verdict(threshold: threshold(sizes: sizes, speedups: speedups), speedups: speedups, sizes: sizes,
                                                            intervals: intervals)
        }
        return out
    }

    /// The smallest measured n from which streaming is at least as fast as the plain twins at every
    /// measured size; nil if it loses (or failed) at the largest.
    static func threshold(sizes: [Int], speedups: [Int: Double]) -> Int? {
        var threshold: Int?
        for n in sizes.sorted().reversed() {
            guard let s = speedups[n], s >= 1 else { break }
            threshold = n
        }
        return threshold
    }
}


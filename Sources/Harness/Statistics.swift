/// Order statistics of timing samples. Every reported number says which statistic it is; the raw samples
/// are kept beside them in the CSV.
public struct SampleSummary: Equatable, Sendable {
    public let count: Int
    public let median: Double
    public let p25: Double
    public let p75: Double
    public let min: Double

    public init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        median = percentile(sorted: sorted, 0.5)
        p25 = percentile(sorted: sorted, 0.25)
        p75 = percentile(sorted: sorted, 0.75)
        min = sorted[0]
    }
}

/// The q-quantile (0...1) of already sorted values, interpolating linearly between closest ranks
/// (the "type 7" definition used by R and numpy).
public func percentile(sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty && (0...1).contains(q))
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = Swift.min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

public func median(_ values: [Double]) -> Double { percentile(sorted: values.sorted(), 0.5) }

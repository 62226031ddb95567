import Foundation

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

/// A 95% confidence interval for a median, from order statistics: distribution-free, so it assumes
/// nothing about the shape of timing noise (which is skewed and often bimodal on a shared machine), only
/// that the values are independent draws. For m values sorted ascending, k is the largest rank with
/// P(Binomial(m, 1/2) <= k - 1) <= (1 - level) / 2, and the interval is [x_(k), x_(m-k+1)] (1-based):
/// its coverage is at least `level` for any continuous distribution (for m = 15: ranks 4 and 12, 96.5%).
/// nil where m is too small for any such k (m < 6 at 95%). results/README.md and plots/ use the same rule.
public struct MedianInterval: Equatable, Sendable {
    public let median: Double
    public let low: Double
    public let high: Double

    /// Half the interval's width relative to the median: the precision the sampling targets.
    public var relativeHalfWidth: Double { median == 0 ? .infinity : (high - low) / 2 / Swift.abs(median) }

    public func contains(_ value: Double) -> Bool { low <= value && value <= high }

    public init?(_ values: [Double], level: Double = 0.95) {
        guard let k = MedianInterval.lowerRank(count: values.count, level: level) else { return nil }
        let sorted = values.sorted()
        median = percentile(sorted: sorted, 0.5)
        low = sorted[k - 1]
        high = sorted[sorted.count - k]
    }

    /// The 1-based rank k of the interval's lower end for `count` values, or nil when even [min, max]
    /// covers less than `level`.
    public static func lowerRank(count m: Int, level: Double = 0.95) -> Int? {
        guard m > 0 else { return nil }
        let tail = (1 - level) / 2
        var cumulative = 0.0   // P(Binomial(m, 1/2) <= j)
        var best: Int? = nil
        for j in 0..<m {
            cumulative += binomialHalf(m, j)
            guard cumulative <= tail else { break }
            best = j + 1
        }
        return best
    }

    /// P(Binomial(m, 1/2) = j), through logarithms so large m does not overflow.
    static func binomialHalf(_ m: Int, _ j: Int) -> Double {
        exp(lgamma(Double(m + 1)) - lgamma(Double(j + 1)) - lgamma(Double(m - j + 1)) - Double(m) * log(2.0))
    }
}

/// The paired ratio of two configurations timed in the same rounds: r_i = numerator_i / denominator_i over
/// rounds i, its median and the median's interval (MedianInterval). Pairing cancels the drift that moves
/// both alike between rounds. nil when the samples cannot be paired (different counts, a zero) or are too
/// few for an interval.
public func pairedRatio(_ numerator: [Double], over denominator: [Double], level: Double = 0.95) -> MedianInterval? {
    guard !numerator.isEmpty, numerator.count == denominator.count, !denominator.contains(where: { $0 <= 0 }) else { return nil }
    return MedianInterval(zip(numerator, denominator).map { $0 / $1 }, level: level)
}

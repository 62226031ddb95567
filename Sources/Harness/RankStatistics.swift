import Foundation

/// Distribution-free statistics for two independent samples (two runs' timings of one configuration),
/// for `softmax-repro compare`.
///
/// The samples of two runs are not paired (round k of one run has nothing to do with round k of the other),
/// and timings are skewed with outliers, so neither a paired test nor a t-test fits. The Mann-Whitney U test
/// needs only independence, and the Hodges-Lehmann estimator with its confidence interval is the shift that
/// test inverts. On log times a shift is a ratio: exp(shift) estimates how many times slower y is than x,
/// and under a scale model (y distributed as ratio * x) it is the ratio of the medians.
public enum RankStatistics {
    /// Samples this small on both sides, without ties, use the exact null distribution of U (C(m + n, m)
    /// equally likely orderings); others use the normal approximation. The same rule as R's `wilcox.test`.
    public static let exactSampleLimit = 50

    public enum Method: String, Sendable {
        /// Exact null distribution of U.
        case exact
        /// Normal approximation, with tie and continuity correction for the p-value.
        case normal
    }

    /// The Mann-Whitney test of x against y and the Hodges-Lehmann estimate of y's shift from x.
    public struct TwoSampleResult: Equatable, Sendable {
        /// Pairs (x_i, y_j) with y_j > x_i, ties counted half: near m n / 2 when neither tends to be larger.
        public var u: Double
        /// Two-sided p-value of the hypothesis that x and y come from one distribution.
        public var p: Double
        public var method: Method
        /// Median of the m n differences y_j - x_i.
        public var shift: Double
        /// Distribution-free confidence interval of the shift: two order statistics of the differences.
        public var shiftLow: Double
        public var shiftHigh: Double
        /// The interval's confidence as achieved: U is discrete, so at least the level asked for, except where
        /// the samples are too few to reach it (then the interval spans every difference).
        public var confidence: Double
    }

    /// The sum of y's midranks in the pooled sample, and the tie correction (sum over tie groups of t^3 - t)
    /// for the variance.
    static func rankSumOfY(_ x: [Double], _ y: [Double]) -> (rankSum: Double, tieCorrection: Double) {
        let pooled = (x.map { ($0, false) } + y.map { ($0, true) }).sorted { $0.0 < $1.0 }
        var rankSumY = 0.0
        var tieCorrection = 0.0
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let t = Double(end - start + 1)
            let midrank = Double(start + end) / 2 + 1
            for i in start...end where pooled[i].1 { rankSumY += midrank }
            tieCorrection += t * t * t - t
            start = end + 1
        }
        return (rankSumY, tieCorrection)
    }

    /// Compares two independent samples (each non-empty). `confidence` is the interval's level, e.g. 0.95.
    public static func compare(_ x: [Double], _ y: [Double], confidence: Double) -> TwoSampleResult {
        precondition(!x.isEmpty && !y.isEmpty && confidence > 0 && confidence < 1)
        let m = x.count, n = y.count
        let (rankSumY, tieCorrection) = rankSumOfY(x, y)
        let u = rankSumY - Double(n * (n + 1)) / 2
        let mn = Double(m * n)
        let differences = y.flatMap { b in x.map { a in b - a } }.sorted()
        let shift = Harness.median(differences)

        let alpha = 1 - confidence
        let method: Method = m < exactSampleLimit && n < exactSampleLimit && tieCorrection == 0 ? .exact : .normal
        let p: Double
        // 1-based index k of the interval's lower end (the upper is the k-th from the top) and the probability
        // P(U <= k - 1) that each end misses on its side.
        var k: Int
        var tail: Double
        if method == .exact {
            let probabilities = NullDistributions.shared.distribution(m: m, n: n)
            var below: [Double] = []   // below[u] = P(U <= u)
            below.reserveCapacity(probabilities.count)
            var running = 0.0
            for q in probabilities { running += q; below.append(running) }
            let observed = Int(u.rounded())
            let lower = below[observed]
            let upper = 1 - (observed > 0 ? below[observed - 1] : 0)
            p = Swift.min(1, 2 * Swift.min(lower, upper))
            // R's wilcox.test: the smallest q with P(U <= q) >= alpha / 2, at least 1.
            k = Swift.max(below.firstIndex { $0 >= alpha / 2 - 1e-12 } ?? 0, 1)
            tail = below[k - 1]
        } else {
            let variance = mn / 12 * (Double(m + n + 1) - tieCorrection / Double((m + n) * (m + n - 1)))
            let deviation = u - mn / 2
            if variance <= 0 {
                p = 1   // every sample equal: no evidence either way
            } else {
                let continuity = deviation > 0 ? 0.5 : deviation < 0 ? -0.5 : 0
                let z = (deviation - continuity) / variance.squareRoot()
                p = Swift.min(1, erfc(Swift.abs(z) / 2.0.squareRoot()))
            }
            // The same rule on the normal approximation of U without ties (P(U <= q) ~ Phi((q + 0.5 - mn/2) / sigma)).
            let sigma = (mn * Double(m + n + 1) / 12).squareRoot()
            k = Swift.max(Int((mn / 2 - normalQuantile(1 - alpha / 2) * sigma - 0.5).rounded(.up)), 1)
            tail = normalCDF((Double(k - 1) + 0.5 - mn / 2) / sigma)
        }
        k = Swift.min(k, differences.count)
        return TwoSampleResult(u: u, p: p, method: method, shift: shift,
                               shiftLow: differences[k - 1], shiftHigh: differences[differences.count - k],
                               confidence: Swift.max(0, 1 - 2 * tail))
    }

    /// P(U = u) for u = 0 ... m n when the m + n values are distinct and every ordering is equally likely.
    /// The largest value belongs to y with probability n / (m + n), and then exceeds all m x's; else it adds
    /// nothing: P_{m,n}(u) = n/(m+n) P_{m,n-1}(u - m) + m/(m+n) P_{m-1,n}(u).
    static func nullDistribution(m: Int, n: Int) -> [Double] {
        // previous[j] = P_{i-1,j}, current[j] = P_{i,j}; P_{0,j} = P_{i,0} = [1] (U = 0 surely).
        var previous = [[Double]](repeating: [1], count: n + 1)
        guard m > 0 else { return previous[n] }
        for i in 1...m {
            var current = [[Double]](repeating: [1], count: n + 1)
            for j in stride(from: 1, through: n, by: 1) {
                var p = [Double](repeating: 0, count: i * j + 1)
                let fromY = Double(j) / Double(i + j), fromX = Double(i) / Double(i + j)
                for (u, q) in current[j - 1].enumerated() { p[u + i] += fromY * q }
                for (u, q) in previous[j].enumerated() { p[u] += fromX * q }
                current[j] = p
            }
            previous = current
        }
        return previous[n]
    }

    /// Null distributions already computed, by sample sizes: a comparison tests many configurations of the
    /// same sizes.
    final class NullDistributions: @unchecked Sendable {
        static let shared = NullDistributions()
        private let lock = NSLock()
        private var computed: [[Int]: [Double]] = [:]

        func distribution(m: Int, n: Int) -> [Double] {
            lock.lock()
            defer { lock.unlock() }
            if let known = computed[[m, n]] { return known }
            let distribution = RankStatistics.nullDistribution(m: m, n: n)
            computed[[m, n]] = distribution
            return distribution
        }
    }

    /// Holm-Bonferroni: with the p-values in ascending order p(1) <= ... <= p(N), the i-th adjusted value is
    /// max over j <= i of min(1, (N - j + 1) p(j)). Rejecting where the adjusted value is below alpha keeps the
    /// chance of any false rejection among the N below alpha. Returned in the input's order.
    public static func holmAdjusted(_ p: [Double]) -> [Double] {
        let order = p.indices.sorted { p[$0] < p[$1] }
        var adjusted = [Double](repeating: 1, count: p.count)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = Swift.max(running, Swift.min(1, Double(p.count - rank) * p[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// The q-quantile of the standard normal distribution, by bisection on its CDF (to double precision).
    static func normalQuantile(_ q: Double) -> Double {
        precondition(q > 0 && q < 1)
        var low = -40.0, high = 40.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if normalCDF(middle) < q { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}

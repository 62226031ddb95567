import Foundation
import Softmax
import XCTest
@testable import Harness

final class RankStatisticsTests: XCTestCase {
    /// With 3 and 3 distinct values, U counts y-over-x pairs in one of C(6, 3) = 20 equally likely orderings;
    /// counting them by hand gives 1, 1, 2, 3, 3, 3, 3, 2, 1, 1 orderings for U = 0 ... 9.
    func testExactNullDistributionOfThreeAgainstThreeCountsTheOrderings() {
        let seen = RankStatistics.nullDistribution(m: 3, n: 3)
        let expected = [1.0, 1, 2, 3, 3, 3, 3, 2, 1, 1].map { $0 / 20 }
        XCTAssertEqual(seen.count, expected.count, "P(U = u) for u = 0 ... 9: saw \(seen)")
        for (u, (s, e)) in zip(seen, expected).enumerated() {
            XCTAssertEqual(s, e, accuracy: 1e-15, "P(U = \(u)) with m = n = 3: expected \(e), saw \(s)")
        }
        // Unequal sizes: every probability sums to 1 and the distribution is symmetric about m n / 2.
        let uneven = RankStatistics.nullDistribution(m: 4, n: 7)
        XCTAssertEqual(uneven.reduce(0, +), 1, accuracy: 1e-12, "P(U = u) for m = 4, n = 7 must sum to 1")
        for u in uneven.indices {
            XCTAssertEqual(uneven[u], uneven[uneven.count - 1 - u], accuracy: 1e-15, "P(U = \(u)) must equal P(U = \(28 - u)) for m = 4, n = 7")
        }
    }

    /// Two-sided exact p-values: 2 min(P(U <= u), P(U >= u)), capped at 1. The first four are counted by hand
    /// from the distribution above (and C(7, 3) = 35); the last is scipy.stats.mannwhitneyu(y, x,
    /// method='exact').
    func testMannWhitneyExactPValuesAgainstHandComputedValues() {
        let cases: [(x: [Double], y: [Double], u: Double, p: Double, why: String)] = [
            ([1, 2, 3], [4, 5, 6], 9, 0.1, "all y above all x: 2 * 1/20"),
            ([1, 2, 4], [3, 5, 6], 8, 0.2, "U = 8: 2 * (1 + 1)/20"),
            ([1, 3, 5], [2, 4, 6], 6, 0.7, "U = 6: 2 * (3 + 2 + 1 + 1)/20"),
            ([1, 2, 3], [4, 5, 6, 7], 12, 2.0 / 35, "all y above all x, m = 3, n = 4: 2 * 1/35"),
            ([6, 5, 4], [3, 2, 1], 0, 0.1, "all y below all x: the same p as all above"),
            ([0.8, 1.3, 2.1, 2.9, 3.4, 4.0, 4.7, 5.5, 6.1, 7.2], [1.9, 3.8, 4.4, 5.1, 6.6, 7.5, 8.3, 9.0, 9.9, 10.4],
             79, 0.028805559765312086, "10 against 10 (scipy exact)"),
        ]
        for c in cases {
            let result = RankStatistics.compare(c.x, c.y, confidence: 0.95)
            XCTAssertEqual(result.method, .exact, "\(c.why): small samples without ties must use the exact distribution")
            XCTAssertEqual(result.u, c.u, "\(c.why): U")
            XCTAssertEqual(result.p, c.p, accuracy: 1e-12, "\(c.why): p")
        }
    }

    /// With ties, or 50 samples or more on a side, the normal approximation with tie and continuity
    /// correction; reference values from scipy.stats.mannwhitneyu(y, x, method='asymptotic', use_continuity=True).
    func testMannWhitneyNormalApproximationWithTiesAndLargeSamples() {
        let tied = RankStatistics.compare([1, 2, 2, 3, 4, 5, 5, 6], [3, 4, 5, 5, 6, 7, 7, 8, 9], confidence: 0.95)
        XCTAssertEqual(tied.method, .normal, "tied samples must use the normal approximation")
        XCTAssertEqual(tied.u, 59.5, "U with ties counted half")
        XCTAssertEqual(tied.p, 0.025496068631499585, accuracy: 1e-12, "p with tie and continuity correction")

        let x = (1...60).map(Double.init), y = x.map { $0 + 10.5 }
        let large = RankStatistics.compare(x, y, confidence: 0.95)
        XCTAssertEqual(large.method, .normal, "60 samples a side must use the normal approximation")
        XCTAssertEqual(large.u, 2375)
        XCTAssertEqual(large.p, 0.0025668879435241754, accuracy: 1e-12, "p of 60 against 60")
        XCTAssertEqual(large.shift, 10.5, accuracy: 1e-12, "every difference y_j - x_i is 10.5 + an integer; their median is 10.5")
        XCTAssertGreaterThanOrEqual(large.confidence, 0.95 - 0.005, "the normal approximation's interval should reach about 95%")

        let equal = RankStatistics.compare([2, 2, 2], [2, 2, 2], confidence: 0.95)
        XCTAssertEqual(equal.p, 1, "all values equal: no evidence of a difference")
    }

    /// x = 1, 2, 3 and y = 4, 5, 6: the nine differences are 1, 2, 2, 3, 3, 3, 4, 4, 5, median 3. With 3 and 3
    /// samples P(U <= 0) = 1/20 already exceeds 2.5%, so the interval is the widest, [1, 5], and its
    /// confidence is 1 - 2/20 = 90%, below the 95% asked for. With 15 and 15 it reaches 95%.
    func testHodgesLehmannEstimateAndIntervalOfSmallSamples() {
        let small = RankStatistics.compare([1, 2, 3], [4, 5, 6], confidence: 0.95)
        XCTAssertEqual(small.shift, 3)
        XCTAssertEqual(small.shiftLow, 1, "lower end: the smallest difference")
        XCTAssertEqual(small.shiftHigh, 5, "upper end: the largest difference")
        XCTAssertEqual(small.confidence, 0.9, accuracy: 1e-12, "achieved confidence with 3 and 3 samples")

        let x = (0..<15).map { Double($0) }, y = (0..<15).map { Double($0) + 0.25 }
        let fifteen = RankStatistics.compare(x, y, confidence: 0.95)
        XCTAssertGreaterThanOrEqual(fifteen.confidence, 0.95, "15 and 15 samples reach 95%")
        XCTAssertLessThan(fifteen.confidence, 0.96, "the exact interval takes the narrowest order statistics that reach 95%")
        XCTAssert(fifteen.shiftLow < 0.25 && 0.25 < fifteen.shiftHigh, "the interval must hold the estimate 0.25: [\(fifteen.shiftLow), \(fifteen.shiftHigh)]")
    }

    /// Ascending 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 -> running maximum 0.02, 0.03,
    /// 0.06, 0.06; returned in the input's order.
    func testHolmAdjustmentOfAKnownSet() {
        let adjusted = RankStatistics.holmAdjusted([0.01, 0.04, 0.03, 0.005])
        for (seen, expected) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) {
            XCTAssertEqual(seen, expected, accuracy: 1e-15, "Holm of [0.01, 0.04, 0.03, 0.005]: expected [0.03, 0.06, 0.06, 0.02], saw \(adjusted)")
        }
        // 0.2 x 3 = 0.6, 0.45 x 2 = 0.9, 0.5 x 1 = 0.5 raised to the 0.9 before it.
        for (seen, expected) in zip(RankStatistics.holmAdjusted([0.5, 0.2, 0.45]), [0.9, 0.6, 0.9]) {
            XCTAssertEqual(seen, expected, accuracy: 1e-15, "Holm of [0.5, 0.2, 0.45]: never below an earlier adjusted value")
        }
        XCTAssertEqual(RankStatistics.holmAdjusted([0.7, 0.6]), [1, 1], "0.6 x 2 = 1.2 is capped at 1, and 0.7 raised to it")
        XCTAssertEqual(RankStatistics.holmAdjusted([0.04]), [0.04], "one test: unchanged")
        XCTAssertEqual(RankStatistics.holmAdjusted([]), [])
    }

    func testNormalQuantileInvertsTheCDF() {
        XCTAssertEqual(RankStatistics.normalQuantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(RankStatistics.normalQuantile(0.5), 0, accuracy: 1e-12)
        XCTAssertEqual(RankStatistics.normalQuantile(0.05), -1.6448536269514722, accuracy: 1e-12)
    }

    /// The interval is distribution-free: under a shift of log times (B = ratio x A's distribution), it holds the
    /// true ratio in 95% of samples whatever the noise. 1000 seeded trials of 15 against 15 samples with skewed,
    /// heavy-tailed noise (like timings): the share that holds it must be 92-98% (the binomial standard error of
    /// 1000 trials at 95% is 0.7%).
    func testHodgesLehmannRatioIntervalCoversTheTrueRatioAbout95PercentOfTrials() {
        var rng = SplitMix64(seed: 20260314)
        let trueRatio = 1.07
        let trials = 1000
        var covered = 0
        var lowestConfidence = 1.0
        for _ in 0..<trials {
            let a = (0..<15).map { _ in timingLikeSample(&rng, median: 2e-4) }
            let b = (0..<15).map { _ in trueRatio * timingLikeSample(&rng, median: 2e-4) }
            let result = RankStatistics.compare(a.map { log($0) }, b.map { log($0) }, confidence: 0.95)
            lowestConfidence = Swift.min(lowestConfidence, result.confidence)
            if exp(result.shiftLow) <= trueRatio && trueRatio <= exp(result.shiftHigh) { covered += 1 }
        }
        XCTAssertGreaterThanOrEqual(lowestConfidence, 0.95, "15 against 15 samples reach the 95% asked for")
        let share = Double(covered) / Double(trials)
        XCTAssert((0.92...0.98).contains(share), "the 95% interval of the ratio held the true ratio \(trueRatio) in \(covered) of \(trials) trials (\(share)); expected 92-98%")
    }
}

/// A standard normal deviate (Box-Muller) from a seeded generator.
func gaussian(_ rng: inout SplitMix64) -> Double {
    let u1 = 1 - Double.random(in: 0..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}

/// A time shaped like a timing sample: log-normal around `median` (2% spread), and one sample in five
/// delayed by an exponential amount (mean 5%), as interruptions do.
func timingLikeSample(_ rng: inout SplitMix64, median: Double, spread: Double = 0.02) -> Double {
    var t = median * exp(spread * gaussian(&rng))
    if Double.random(in: 0..<1, using: &rng) < 0.2 { t *= 1 - 0.05 * log(1 - Double.random(in: 0..<1, using: &rng)) }
    return t
}

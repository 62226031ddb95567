import XCTest
@testable import Harness

final class StatisticsTests: XCTestCase {
    /// Type-7 quantiles (R's default, numpy's "linear"): position q * (count - 1), linear in between.
    func testPercentileInterpolatesLinearlyBetweenClosestRanks() {
        let cases: [(values: [Double], q: Double, expected: Double)] = [
            ([1, 2, 3, 4], 0.25, 1.75),
            ([1, 2, 3, 4], 0.5, 2.5),
            ([1, 2, 3, 4], 0.75, 3.25),
            ([1, 2, 3, 4, 5], 0.25, 2),
            ([1, 2, 3, 4, 5], 0.75, 4),
            ([10, 20, 30, 40], 0.1, 13),
            ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1),   // numpy.percentile(range(1, 11), 90)
            ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.33, 3.97),
            ([2, 4], 0.0, 2),
            ([2, 4], 1.0, 4),
            ([-3, 0, 9], 0.5, 0),
        ]
        for c in cases {
            let seen = percentile(sorted: c.values, c.q)
            XCTAssertEqual(seen, c.expected, accuracy: 1e-12,
                           "percentile(\(c.values), \(c.q)): expected \(c.expected), saw \(seen)")
        }
    }

    func testPercentileOfOneValueIsThatValueAtEveryQuantile() {
        for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let seen = percentile(sorted: [7.5], q)
            XCTAssertEqual(seen, 7.5, "percentile([7.5], \(q)): expected 7.5, saw \(seen)")
        }
    }

    func testMedianOfOddAndEvenCountsAndUnsortedInput() {
        let cases: [(values: [Double], expected: Double)] = [
            ([3, 1, 2], 2),
            ([5, 1, 4, 2, 3], 3),
            ([4, 1, 3, 2], 2.5),
            ([10, 20], 15),
            ([42], 42),
            ([1e-6, 3e-6, 2e-6, 4e-6], 2.5e-6),
        ]
        for c in cases {
            let seen = median(c.values)
            XCTAssertEqual(seen, c.expected, accuracy: 1e-18, "median(\(c.values)): expected \(c.expected), saw \(seen)")
        }
    }

    func testSampleSummaryFieldsOnOddCount() throws {
        let summary = try XCTUnwrap(SampleSummary([5, 1, 4, 2, 3]), "SampleSummary of 5 values: expected a summary, saw nil")
        XCTAssertEqual(summary.count, 5, "count: expected 5, saw \(summary.count)")
        XCTAssertEqual(summary.median, 3, "median: expected 3, saw \(summary.median)")
        XCTAssertEqual(summary.p25, 2, "p25: expected 2, saw \(summary.p25)")
        XCTAssertEqual(summary.p75, 4, "p75: expected 4, saw \(summary.p75)")
        XCTAssertEqual(summary.min, 1, "min: expected 1, saw \(summary.min)")
    }

    func testSampleSummaryFieldsOnEvenCount() throws {
        let summary = try XCTUnwrap(SampleSummary([7e-6, 4e-6, 6e-6, 5e-6]), "SampleSummary of 4 values: expected a summary, saw nil")
        XCTAssertEqual(summary.count, 4, "count: expected 4, saw \(summary.count)")
        XCTAssertEqual(summary.median, 5.5e-6, accuracy: 1e-18, "median: expected 5.5e-6, saw \(summary.median)")
        XCTAssertEqual(summary.p25, 4.75e-6, accuracy: 1e-18, "p25: expected 4.75e-6, saw \(summary.p25)")
        XCTAssertEqual(summary.p75, 6.25e-6, accuracy: 1e-18, "p75: expected 6.25e-6, saw \(summary.p75)")
        XCTAssertEqual(summary.min, 4e-6, "min: expected 4e-6, saw \(summary.min)")
    }

    func testSampleSummaryOfOneValueAndOfNone() throws {
        let one = try XCTUnwrap(SampleSummary([0.25]), "SampleSummary([0.25]): expected a summary, saw nil")
        XCTAssertEqual(one, try XCTUnwrap(SampleSummary([0.25])))
        for (name, value) in [("median", one.median), ("p25", one.p25), ("p75", one.p75), ("min", one.min)] {
            XCTAssertEqual(value, 0.25, "\(name) of one sample: expected 0.25, saw \(value)")
        }
        XCTAssertEqual(one.count, 1, "count: expected 1, saw \(one.count)")
        let none = SampleSummary([])
        XCTAssertNil(none, "SampleSummary([]): expected nil, saw \(String(describing: none))")
    }
}

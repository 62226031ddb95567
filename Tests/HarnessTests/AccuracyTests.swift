import Foundation
import Softmax
import XCTest
@testable import Harness

/// The pure parts of the accuracy experiment: ulps, the error accumulator, inputs, masks and labels.
final class AccuracyTests: XCTestCase {
    private var previousFlush = false

    // The harness measures with FTZ/DAZ set; so do these tests (DAZ is what once turned small ulps into 0).
    override func setUp() { previousFlush = FloatingPointEnvironment.flushDenormals(true) }
    override func tearDown() { FloatingPointEnvironment.flushDenormals(previousFlush) }

    /// `value` moved up by k float32 ulps (within one binade in these tests).
    func up(_ value: Float, _ k: Int) -> Float {
        var v = value
        for _ in 0..<k { v = v.nextUp }
        return v
    }

    // MARK: ulps

    func testOutputOffByKULPsReportsK() {
        for reference in [Float(0.3), 1e-3, 0.75, 1.5e-30] {
            for k in [0, 1, 3, 17, 1000] {
                let seen = ulpError(up(reference, k), reference: Double(reference))
                XCTAssertEqual(seen, Double(k), "output \(k) ulps above \(reference): expected \(k) ulps, saw \(seen)")
            }
        }
    }

    func testULPIsTheNearestFloatsEvenWhereItIsSubnormal() {
        // FLT_MIN's ulp is 2^-149, a subnormal float32: DAZ must not turn it into 0 (an infinite error).
        let atFLTMin = ulpOfReference(Double(Float.leastNormalMagnitude))
        XCTAssertEqual(atFLTMin, 0x1p-149, "ulp at FLT_MIN: expected 2^-149, saw \(atFLTMin)")
        let atOne = ulpOfReference(1)
        XCTAssertEqual(atOne, 0x1p-23, "ulp at 1: expected 2^-23, saw \(atOne)")
        // A reference just below 1 whose nearest float is 1 takes the ulp of 1.
        let belowOne = ulpOfReference(1 - 0x1p-30)
        XCTAssertEqual(belowOne, 0x1p-23, "ulp at 1 - 2^-30 (nearest float 1): expected 2^-23, saw \(belowOne)")
    }

    func testBelowFLTMinTheULPIsFLTMinSoAFlushedOutputIsUnderOneULP() {
        let reference = 1e-40  // subnormal in float32
        XCTAssertEqual(ulpOfReference(reference), Double(Float.leastNormalMagnitude),
                       "ulp below FLT_MIN: expected FLT_MIN, saw \(ulpOfReference(reference))")
        let flushed = ulpError(0, reference: reference)
        XCTAssert(flushed < 1 && flushed > 0, "0 for a reference of 1e-40: expected under one ulp (1e-40 / FLT_MIN = 0.0085), saw \(flushed)")
        XCTAssertEqual(ulpError(0, reference: 0), 0, "0 for a reference of exactly 0: expected 0 ulps")
    }

    // MARK: OutputErrors

    func testAccumulatorReportsMaxAndMeanOverNormalReferences() {
        let reference: [Double] = [0.25, 0.5, 0.25, 0]
        let y: [Float] = [up(0.25, 3), 0.5, 0.25, 0]  // the last is a masked entry's exact 0
        var errors = OutputErrors()
        let failure = errors.add(output: y, reference: reference, sumTolerance: 1e-3)
        XCTAssertNil(failure, "a good output: expected no failure, saw \(failure ?? "")")
        XCTAssertEqual(errors.maxULP, 3, "max ulp: expected 3, saw \(errors.maxULP)")
        XCTAssertEqual(errors.meanULP, 1, "mean ulp over the 3 references >= FLT_MIN: expected 1, saw \(errors.meanULP)")
        XCTAssertEqual(errors.maxRelative, 3 * 0x1p-23, "max relative: expected 3 ulps of 0.25 / 0.25 = 3 x 2^-23, saw \(errors.maxRelative)")
        XCTAssertEqual(errors.meanRelative, 0x1p-23, "mean relative: expected 2^-23, saw \(errors.meanRelative)")
        XCTAssertEqual(errors.elements, 4, "elements: expected 4, saw \(errors.elements)")
        XCTAssertEqual(errors.normalElements, 3, "elements with reference >= FLT_MIN: expected 3, saw \(errors.normalElements)")

        // A second output accumulates: the max stays the larger, the mean is over both.
        let exact: [Float] = [0.25, 0.5, 0.25, 0]
        XCTAssertNil(errors.add(output: exact, reference: reference, sumTolerance: 1e-3))
        XCTAssertEqual(errors.maxULP, 3, "max after an exact output: expected 3, saw \(errors.maxULP)")
        XCTAssertEqual(errors.meanULP, 0.5, "mean over 6 normal elements (3 ulps in all): expected 0.5, saw \(errors.meanULP)")
    }

    func testMaskedEntryExactZeroReportsZero() {
        let x: [Float] = [-.infinity, 0, -.infinity, 0]
        let reference = Float64Reference.softmax(x)
        XCTAssertEqual(reference, [0, 0.5, 0, 0.5], "reference of [-inf, 0, -inf, 0]: expected [0, 0.5, 0, 0.5], saw \(reference)")
        var errors = OutputErrors()
        XCTAssertNil(errors.add(output: [0, 0.5, 0, 0.5], reference: reference, sumTolerance: 1e-3))
        XCTAssertEqual(errors.maxULP, 0, "exact output with masked zeros: expected 0 ulps, saw \(errors.maxULP)")
        var leaky = OutputErrors()
        XCTAssertNil(leaky.add(output: [1e-30, 0.5, 0, 0.5], reference: reference, sumTolerance: 1e-3))
        XCTAssert(leaky.maxULP > 1e7, "1e-30 where a masked entry must be 0: expected a huge error (1e-30 / FLT_MIN ulps), saw \(leaky.maxULP)")
    }

    func testNaNOrInfinityIsAFailureNotASmallNumber() {
        let reference: [Double] = [0.5, 0.5]
        for bad in [Float.nan, .infinity] {
            var errors = OutputErrors()
            let failure = errors.add(output: [bad, 0.5], reference: reference, sumTolerance: 1e-3)
            XCTAssertNotNil(failure, "output [\(bad), 0.5]: expected a failure, saw none (max ulp \(errors.maxULP))")
            assertContains(failure ?? "", ["output 0", "0.5"], "failure for \(bad)")
            XCTAssertEqual(errors.elements, 0, "a failed output adds nothing: expected 0 elements, saw \(errors.elements)")
        }
    }

    func testSumFarFromOneIsAFailure() {
        var errors = OutputErrors()
        let failure = errors.add(output: [0.75, 0.5], reference: [0.5, 0.5], sumTolerance: 1e-3)
        XCTAssertNotNil(failure, "outputs summing to 1.25: expected a failure, saw none")
        assertContains(failure ?? "", ["sum of outputs is 1.25", "0.001"], "failure for a sum of 1.25")
    }

    // MARK: Inputs, masks, labels

    func testReferenceIsMaxSubtracted() {
        XCTAssertEqual(Float64Reference.softmax([1e30, 1e30]), [0.5, 0.5], "softmax of [1e30, 1e30]: expected [0.5, 0.5] (no overflow)")
        let r = Float64Reference.softmax([0, Float(Foundation.log(3.0))])
        XCTAssertEqual(r[0], 0.25, accuracy: 1e-8, "softmax of [0, log 3]: expected 0.25 first, saw \(r[0])")
    }

    func testInputsAreDeterministicInRangeAndMasked() {
        let range = InputRange(low: 1e5, high: 100010)
        let mask = try! XCTUnwrap(InputMask.parse("10%=-inf").get())
        let x = accuracyInput(range: range, mask: mask, n: 1000, trial: 0, seed: 42)
        XCTAssertEqual(x, accuracyInput(range: range, mask: mask, n: 1000, trial: 0, seed: 42), "the same configuration must give the same input")
        XCTAssertNotEqual(x, accuracyInput(range: range, mask: mask, n: 1000, trial: 1, seed: 42), "another trial must give another input")
        let masked = x.filter { $0 == -.infinity }.count
        XCTAssertEqual(masked, 100, "10% of 1000 masked: expected 100 entries of -inf, saw \(masked)")
        let outside = x.filter { $0 != -.infinity && !(Float(1e5)...Float(100010)).contains($0) }
        XCTAssertEqual(outside, [], "unmasked inputs must lie in [1e5, 1e5+10]; saw \(outside.prefix(5))")

        let allButOne = try! XCTUnwrap(InputMask.parse("all-but-one=-1e30").get())
        let y = accuracyInput(range: InputRange(low: -1, high: 1), mask: allButOne, n: 50, trial: 0, seed: 1)
        XCTAssertEqual(y.filter { $0 == Float(-1e30) }.count, 49, "all-but-one of 50: expected 49 masked, saw \(y.filter { $0 == Float(-1e30) }.count)")
        XCTAssertEqual(InputMask(count: .percent(99), value: -.infinity).maskedCount(n: 2), 1, "99% of 2 must leave one entry unmasked")
        XCTAssertEqual(InputMask(count: .percent(0.01), value: -.infinity).maskedCount(n: 100), 1, "a tiny percentage masks at least one entry")
    }

    func testOrdersRearrangeTheSameValues() {
        let x = accuracyInput(range: InputRange(low: -5, high: 5), mask: try! XCTUnwrap(InputMask.parse("10%=-inf").get()), n: 300, trial: 0, seed: 3)
        let largest = x.max()!
        XCTAssertEqual(InputOrder.random.arrange(x), x, "random is the order as drawn")
        XCTAssertEqual(InputOrder.ascending.arrange(x), x.sorted())
        XCTAssertEqual(InputOrder.descending.arrange(x), x.sorted(by: >))
        let first = InputOrder.maxFirst.arrange(x), last = InputOrder.maxLast.arrange(x)
        XCTAssertEqual(first[0], largest, "max-first: the largest element first")
        XCTAssertEqual(last[x.count - 1], largest, "max-last: the largest element last")
        for order in InputOrder.allCases {
            XCTAssertEqual(order.arrange(x).sorted(), x.sorted(), "\(order.rawValue) keeps the values")
        }
        // Every position but the swapped ones keeps its value.
        let moved = first.indices.filter { first[$0] != x[$0] }
        XCTAssertLessThanOrEqual(moved.count, 2, "max-first swaps two elements, saw \(moved.count) moved")
        XCTAssertEqual(InputOrder.maxLast.arrange([]), [])
    }

    func testOrdersKeyIsReadAndChecked() throws {
        func parse(_ orders: String, kind: String = "accuracy") throws -> Experiment {
            let extra = kind == "accuracy" ? #", "input_ranges": [[-1, 1]]"# : ""
            return try Experiment.parse(Data(#"{"description": "d", "kind": "\#(kind)", "sizes": [100]\#(extra), "orders": \#(orders)}"#.utf8),
                                        id: "o", source: "o.json")
        }
        XCTAssertEqual(try parse(#"["ascending", "max-first"]"#).spec(as: AccuracySpec.self).orders, [.ascending, .maxFirst])
        let plain = try Experiment.parse(Data(#"{"description": "d", "kind": "accuracy", "sizes": [100], "input_ranges": [[-1, 1]]}"#.utf8),
                                         id: "o", source: "o.json")
        XCTAssertEqual(plain.spec(as: AccuracySpec.self).orders, [.random], "without the key: the inputs as drawn")
        for (orders, expected) in [(#"["acending"]"#, ["orders[0]", "acending", "did you mean 'ascending'"]),
                                   (#"["random", "random"]"#, ["twice"]), ("[]", ["empty"])] {
            XCTAssertThrowsError(try parse(orders), orders) { error in
                guard case let HarnessError.malformedExperiment(source, why) = error else { return XCTFail("\(orders): \(error)") }
                XCTAssertEqual(source, "o.json")
                assertContains(why, expected, "error for orders \(orders)")
            }
        }
        XCTAssertThrowsError(try parse(#"["random"]"#, kind: "softmax"), "orders in a timed experiment") { error in
            assertContains("\(error)", ["orders", "only to an accuracy experiment"], "orders in a softmax experiment")
        }
    }

    func testMaskGrammar() {
        let good: [(String, String?)] = [("none", nil), ("10%=-inf", "10%=-inf"), ("10%=-1e9", "10%=-1e9"), ("2.5%=-1e30", "2.5%=-1e30"),
                                         ("all-but-one=-inf", "all-but-one=-inf"), ("all-but-one=-10000", "all-but-one=-1e4")]
        for (text, label) in good {
            switch InputMask.parse(text) {
            case let .success(mask): XCTAssertEqual(mask?.label, label, "'\(text)': expected the label \(label ?? "nil"), saw \(mask?.label ?? "nil")")
            case let .failure(error): XCTFail("'\(text)': expected a mask, saw the error \(error)")
            }
        }
        let bad: [(String, String)] = [("10%", "is not a mask"), ("0%=-inf", "above 0 and below 100"), ("100%=-inf", "above 0 and below 100"),
                                       ("10%=inf", "negative"), ("10%=5", "negative"), ("10%=nan", "finite number"), ("ten%=-inf", "how many"),
                                       ("10%=-1e39", "float32")]
        for (text, expected) in bad {
            switch InputMask.parse(text) {
            case let .success(mask): XCTFail("'\(text)': expected an error mentioning '\(expected)', saw the mask \(String(describing: mask))")
            case let .failure(error): assertContains(error.description, [expected, text], "error for '\(text)'")
            }
        }
    }

    func testCompactNumbersAndRangeLabels() {
        let cases: [(Double, String)] = [(-1, "-1"), (10, "10"), (1000, "1e3"), (1e4, "1e4"), (-1e4, "-1e4"), (100010, "1e5+10"), (1010, "1e3+10"),
                                         (2.5e5, "2.5e5"), (3e38, "3e38"), (0.5, "0.5"), (131072, "131072"), (1e8 + 100, "1e8+100"), (0, "0")]
        for (value, expected) in cases {
            XCTAssertEqual(compactNumber(value), expected, "compactNumber(\(value)): expected \(expected), saw \(compactNumber(value))")
        }
        XCTAssertEqual(InputRange(low: -1e4, high: 1e4).label, "[-1e4,1e4]")
        XCTAssertEqual(InputRange(low: 1e5, high: 100010).label, "[1e5,1e5+10]")
    }

    // MARK: Real kernels

    func testEveryBlendPlanIsAccurateOnSmallInputs() throws {
        let preset = try Preset.load(from: repositoryRoot.appendingPathComponent("experiments/presets/blend.json"))
        let range = InputRange(low: -1, high: 1)
        let x = accuracyInput(range: range, mask: nil, n: 1000, trial: 0, seed: 7)
        let reference = Float64Reference.softmax(x)
        for isa in ISA.supported {
            for algorithm in Algorithm.allCases {
                let plan = try preset.plan(algorithm, isa: isa)
                var errors = OutputErrors()
                let failure = errors.add(output: plan(x), reference: reference, sumTolerance: 1e-3)
                XCTAssertNil(failure, "\(plan) on [-1,1]: expected no failure, saw \(failure ?? "")")
                XCTAssert(errors.maxULP > 0 && errors.maxULP < 16,
                          "\(plan) on [-1,1], n = 1000: expected an error between 0 and 16 ulps (float32 exp and a 1000-term sum), saw \(errors.maxULP)")
            }
        }
    }
}

import Foundation
import XCTest

@testable import Softmax

/// Inputs within SOFTMAX_EXTEXP_ACCURATE_LIMIT, where each exp is within 4 ulp (measured 3.5).
let largeAccurateRange: ClosedRange<Float> = -0x1p17...0x1p17

final class RaddextexpTests: KernelTestCase {
    private func check(_ kernel: Kernel, _ x: [Float], expULP: Double = 2, _ what: String) {
        guard case let .extended(m, e) = kernel.run(x, output: false).0 else { return XCTFail("\(kernel) returned no extended sum") }
        if x.isEmpty {
            XCTAssertEqual(m, 0, what)
            XCTAssertEqual(e, -.infinity, what)
            return
        }
        XCTAssertEqual(e, e.rounded(), "\(what): exponent \(e) is not an integer")
        XCTAssert(m.isFinite && m > 0, "\(what): mantissa \(m)")
        // log(m * 2^e) against log(sum exp x): an absolute error in the log is a relative error of the sum.
        let l = lanes(of: kernel.isa)
        let bound = relativeBound(expULP: expULP, chain: x.count / (l * kernel.accumulators) + kernel.elementsPerIteration / l + 2,
                                  lanes: l * kernel.accumulators, extra: 1)
        let got = Foundation.log(Double(m)) + Double(e) * M_LN2
        let expected = Float64Reference.logSumExp(x)
        XCTAssert(Swift.abs(got - expected) <= bound * 1.01,
                  "\(what): log-sum-exp expected \(expected), saw \(got) (m=\(m), e=\(e)); error \(Swift.abs(got - expected)), bound \(bound)")
    }

    func testSumMatchesFloat64AtEveryTailSize() throws {
        for kernel in try runnableKernels(.raddextexp) {
            for (r, range) in inputRanges.enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    check(kernel, uniform(n, in: range, seed: UInt64(r) + 40), "\(kernel) n=\(n) range=\(range)")
                }
            }
            check(kernel, uniform(10_007, in: largeAccurateRange, seed: 41), expULP: 4, "\(kernel) |x| <= 2^17")
        }
    }

    /// -inf and huge negative entries (masks) neither contribute nor disturb the others.
    func testMasksContributeNothing() throws {
        for kernel in try runnableKernels(.raddextexp) {
            let base = uniform(kernel.elementsPerIteration + 9, in: -3...3, seed: 42)
            var masked = base
            for (i, mask) in [-Float.infinity, -1e9, -1e30, -Float.greatestFiniteMagnitude].enumerated() {
                masked.insert(mask, at: 3 * i + 2)
            }
            check(kernel, masked, "\(kernel) with masks")
            guard case let .extended(m, e) = kernel.run(masked, output: false).0,
                  case let .extended(m0, e0) = kernel.run(base, output: false).0 else { return XCTFail() }
            XCTAssertEqual(Double(m) * Foundation.pow(2, Double(e)), Double(m0) * Foundation.pow(2, Double(e0)),
                           accuracy: Double(m0) * Foundation.pow(2, Double(e0)) * 64 * unitRoundoff, "\(kernel)")
        }
    }

    func testNaNPoisonsTheSumWherever() throws {
        for kernel in try runnableKernels(.raddextexp) {
            var x = uniform(kernel.elementsPerIteration * 2 + 5, in: -3...3, seed: 43)
            for position in [0, 1, kernel.elementsPerIteration, x.count - 1] {
                let saved = x[position]
                x[position] = .nan
                guard case let .extended(m, _) = kernel.run(x, output: false).0 else { return XCTFail() }
                XCTAssert(m.isNaN, "\(kernel): NaN at \(position) gave mantissa \(m)")
                x[position] = saved
            }
        }
    }

    /// No overflow however large x is: the magnitude goes into the exponent.
    func testHugeInputsStayFinite() throws {
        for kernel in try runnableKernels(.raddextexp) {
            for x: [Float] in [[1e30, 1, -1e30], [2.3e38, 2e38], [1000, 999, 998], [-1e30, -1e30], [-3e38, 5]] {
                guard case let .extended(m, e) = kernel.run(x, output: false).0 else { return XCTFail() }
                XCTAssert(m.isFinite && m > 0 && e.isFinite, "\(kernel) \(x): m=\(m) e=\(e)")
            }
        }
    }
}

final class VscaleextexpTests: KernelTestCase {
    func testOutputsMatchFloat64AtEveryTailSize() throws {
        for kernel in try runnableKernels(.vscaleextexp) {
            for (r, range) in (inputRanges + [largeAccurateRange]).enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    let x = uniform(n, in: range, seed: UInt64(r) + 50)
                    // A scale like the one two-pass uses: it brings the largest exp(x) to about 1.
                    let top: Float = ((x.max() ?? 0) * 1.442695).rounded(.up)
                    let scale = ExtFloat(mantissa: 0.75, exponent: -top)
                    let (_, y) = kernel.run(x, .init(extendedScale: scale))
                    let expected = x.map { 0.75 * Foundation.exp(Double($0) - Double(top) * M_LN2) }
                    assertClose(y, expected, rel: relativeBound(expULP: r == 3 ? 4 : 2, chain: 1, lanes: 1, extra: 2),
                                "\(kernel) n=\(n) range=\(range)")
                }
            }
        }
    }
}

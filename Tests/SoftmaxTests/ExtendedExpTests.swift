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

/// The two-pass kernels of the table exp methods (lut16p3, lut64p2; docs/exp-kernels.md): the exp within 2.5 ulp up
/// to the accurate limit, the clamp of t that keeps every mantissa below 2, and the paper's method's
/// results for special values. (Sums and outputs against float64 at every tail size, NaN, masks and huge
/// inputs are checked for every kernel above; bit equality AVX2 against AVX512F in CrossISATests.)
final class ExtendedExpLutTests: KernelTestCase {
    private func lutKernels(_ family: PassFamily) throws -> [Kernel] {
        let kernels = try runnableKernels(family).filter { ["lut16p3", "lut64p2"].contains($0.expMethod) }
        if kernels.isEmpty { print("ExtendedExpLutTests: no runnable lut16p3 or lut64p2 kernel of \(family.rawValue) on this CPU: skipped") }
        return kernels
    }

    /// The paper's method on the same ISA, for comparing special values.
    private func paperKernel(like kernel: Kernel) throws -> Kernel {
        try XCTUnwrap(KernelRegistry.kernels(family: kernel.family, isa: kernel.isa).first { $0.expMethod.isEmpty }, "\(kernel)")
    }

    /// exp(x) * 2^-k through vscaleextexp with the scale (1, -k): mantissa 1 is normalized to (0.5, 1 - k),
    /// whose products with the coefficients are exact, so each output carries the exp's own error. Checked
    /// in units of the output's float spacing around centres from 0 to the accurate limit (x within 20 of
    /// the centre, so the outputs stay normal), where the fit script's emulation gives 1.69 ulp for lut16p3
    /// and 2.35 for lut64p2, whose widest reduced arguments are at |x| from 2^15.5 to 2^16.5 (the centres 2^16).
    func testExpIsWithinTwoAndAHalfUlpUpToTheAccurateLimit() throws {
        let limit = largeAccurateRange.upperBound
        for kernel in try lutKernels(.vscaleextexp) {
            for centre: Float in [0, 50, -50, 1000, -1000, 0x1p16, -0x1p16, limit - 20, -(limit - 20)] {
                let x = uniform(4099, in: (centre - 20)...(centre + 20), seed: 70)
                let k = (Double(centre) / M_LN2).rounded()
                let (_, y) = kernel.run(x, .init(extendedScale: ExtFloat(mantissa: 1, exponent: Float(-k))))
                var worst = 0.0, at: Float = 0
                for (xi, yi) in zip(x, y) {
                    let expected = Foundation.exp(Double(xi) - k * M_LN2)
                    let ulps = Swift.abs(Double(yi) - expected) / Double(Float(expected).ulp)
                    if ulps > worst { (worst, at) = (ulps, xi) }
                }
                XCTAssert(worst <= 2.5, "\(kernel) around \(centre): \(worst) ulp at x = \(at)")
            }
        }
    }

    /// The clamp of t (|t| <= ln2/2^k * (1 - 2^-10), 2^k entries) keeps the mantissa of every single-element sum with a
    /// finite exponent, which is the pair's own mantissa, finite, positive and below 2, with an integer
    /// exponent: beyond the accurate limit, where n is off by more, and for huge inputs. (An infinite
    /// exponent, of +-inf and of +-FLT_MAX, whose x * log2e overflows, leaves the sum's mantissa 0, as
    /// with the paper's method; testSpecialValuesAsThePaperMethod covers them.)
    func testEveryMantissaIsBelowTwo() throws {
        let inputs: [Float] = [0, 1, -1, 88, -88, 0x1p17, 0x1p18, 0x1.5p18, 0x1p19, -0x1p19, 0x1p20, 0x1p22, -0x1p23, 0x1p24,
                               1e7, 3e7, -3e7, 1e30, -1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity]
            + uniform(997, in: -0x1p25...0x1p25, seed: 71)
        for kernel in try lutKernels(.raddextexp) {
            for xi in inputs {
                guard case let .extended(m, e) = kernel.run([xi], output: false).0 else { return XCTFail("\(kernel)") }
                XCTAssert(e.isInfinite || (m.isFinite && m > 0 && m < 2), "\(kernel) x=\(xi): mantissa \(m), exponent \(e)")
                XCTAssert(e == e.rounded(), "\(kernel) x=\(xi): exponent \(e)")
            }
            guard case let .extended(m, _) = kernel.run([.nan], output: false).0 else { return XCTFail("\(kernel)") }
            XCTAssert(m.isNaN, "\(kernel) x=NaN: mantissa \(m)")
        }
    }

    /// Beyond the accurate limit the clamp of t binds (from |x| about 2^19.5 on for lut16p3, 2^17.5 for lut64p2) and the error grows, but
    /// order is kept (docs/exp-kernels.md): exp(x) as each single-element sum gives it never decreases as
    /// x grows, on sorted inputs from the limit to 2^24 and across the point where the clamp starts to bind.
    func testOrderIsKeptBeyondTheLimit() throws {
        let limit = largeAccurateRange.upperBound
        for range: ClosedRange<Float> in [limit...0x1p24, 0x1p19...0x1p20, -0x1p20 ... -0x1p19, 0x1p17...0x1p18, -0x1p18 ... -0x1p17] {
            let x = uniform(3001, in: range, seed: 72).sorted()
            for kernel in try lutKernels(.raddextexp) {
                var previous = -Double.infinity, previousX: Float = 0
                for xi in x {
                    guard case let .extended(m, e) = kernel.run([xi], output: false).0 else { return XCTFail("\(kernel)") }
                    let value = Foundation.log(Double(m)) + Double(e) * M_LN2
                    XCTAssert(value >= previous, "\(kernel): exp(\(xi)) gives log \(value), below exp(\(previousX))'s \(previous)")
                    (previous, previousX) = (value, xi)
                }
            }
        }
    }

    /// Rows of special values together (NaN, +-inf, huge finite, 2^24 and an ordinary value), in every
    /// order of a few: the sum has the paper's method's exponent and NaN-ness on the same ISA (its mantissa
    /// differs only by the methods' roundings), and vscaleextexp with the scale of its own method's sum
    /// gives the same outputs (NaN where the paper's gives NaN, within 1e-6 elsewhere).
    func testSpecialValuesAsThePaperMethod() throws {
        let specials: [Float] = [.nan, .infinity, -.infinity, 1e30, -1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0x1p24, 5]
        var rows: [[Float]] = [specials, specials.reversed()]
        for a in specials { for b in specials { rows.append([a, b, 1]) } }
        for kernel in try lutKernels(.raddextexp) {
            let paper = try paperKernel(like: kernel)
            for row in rows {
                guard case let .extended(m, e) = kernel.run(row, output: false).0,
                      case let .extended(m0, e0) = paper.run(row, output: false).0 else { return XCTFail("\(kernel)") }
                XCTAssertEqual(m.isNaN, m0.isNaN, "\(kernel) \(row): mantissa \(m), \(paper) \(m0)")
                XCTAssert(e == e0 || (e.isNaN && e0.isNaN), "\(kernel) \(row): exponent \(e), \(paper) \(e0)")
            }
        }
        for kernel in try lutKernels(.vscaleextexp) {
            let paper = try paperKernel(like: kernel)
            let sums = KernelRegistry.kernels(family: .raddextexp, isa: kernel.isa)
            let sum = try XCTUnwrap(sums.first { $0.expMethod == kernel.expMethod }), sum0 = try XCTUnwrap(sums.first { $0.expMethod.isEmpty })
            for row in rows {
                guard case let .extended(m, e) = sum.run(row, output: false).0,
                      case let .extended(m0, e0) = sum0.run(row, output: false).0 else { return XCTFail("\(sum)") }
                let (_, y) = kernel.run(row, .init(extendedScale: ExtFloat(mantissa: 1 / m, exponent: -e)))
                let (_, y0) = paper.run(row, .init(extendedScale: ExtFloat(mantissa: 1 / m0, exponent: -e0)))
                for i in row.indices where !(y[i].isNaN && y0[i].isNaN) {
                    XCTAssert(Swift.abs(Double(y[i]) - Double(y0[i])) <= 1e-6 * Swift.max(1, Double(Swift.abs(y0[i]))),
                              "\(kernel) \(row): y[\(i)] = \(y[i]), \(paper) \(y0[i])")
                }
            }
        }
    }
}

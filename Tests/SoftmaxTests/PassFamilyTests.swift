import Foundation
import XCTest

@testable import Softmax

/// Every kernel against its family's float64 reference (PassFamily.float64Reference), at sizes with
/// every kind of tail: the one check all families share. The per-family test classes hold the tight,
/// derived bounds and the special values; this one proves that the family's own reference describes
/// what each of its kernels computes.
final class PassFamilyTests: KernelTestCase {
    private let sizes = [0, 1, 3, 7, 9, 17, 33, 65, 130, 193, 401]
    /// One exp (a few ulp) and a scaling per element; a sum of n terms adds up to n roundings.
    private let elementTolerance = 1e-5
    private func sumTolerance(_ n: Int) -> Double { 1e-5 + Double(n) * unitRoundoff }

    func testEveryKernelMatchesItsFamilysFloat64Reference() throws {
        for family in PassFamily.allCases {
            for kernel in try runnableKernels(family) {
                for n in sizes {
                    let x = uniform(n, in: -4...4, seed: 0xFA)
                    let what = "\(kernel) n=\(n)"
                    let logSum = Float64Reference.logSumExp(x)
                    let exponent = n > 0 ? -(logSum / M_LN2).rounded(.down) : 0
                    let args = PassArguments(
                        max: n > 0 ? Float(Float64Reference.max(x)) : 0, scale: 0.5,
                        extendedScale: ExtFloat(mantissa: Float(n > 0 ? Foundation.exp(-logSum - exponent * M_LN2) : 1),
                                                exponent: Float(exponent)))
                    let expected = family.float64Reference(x, args)
                    let (result, y) = kernel.run(x, output: family.writesOutput, args)
                    if let output = expected.output { assertClose(y, output, rel: elementTolerance, what) }
                    switch result {
                    case let .scalar(s):
                        let reduction = try XCTUnwrap(expected.reduction, what)
                        if family == .rmax {
                            XCTAssertEqual(Double(s), reduction, what)
                        } else {
                            assertClose([s], [reduction], rel: sumTolerance(n), what)
                        }
                    case let .extended(m, e):
                        let reduction = try XCTUnwrap(expected.reduction, what)
                        if n == 0 {
                            XCTAssertEqual(reduction, -.infinity, what)
                            XCTAssertEqual(e, -.infinity, what)
                        } else {
                            let log = Foundation.log(Double(m)) + Double(e) * M_LN2
                            XCTAssertLessThanOrEqual(abs(log - reduction), sumTolerance(n), "\(what): log of the sum \(log), float64 \(reduction)")
                        }
                    case let .maxAndSum(max, sum):
                        let expectedMax = try XCTUnwrap(expected.max, what), reduction = try XCTUnwrap(expected.reduction, what)
                        XCTAssertEqual(Double(max), expectedMax, what)
                        assertClose([sum], [reduction], rel: sumTolerance(n), what)
                    case .none:
                        XCTAssertNil(expected.reduction, "\(what): the reference reduces, the kernel does not")
                    }
                }
            }
        }
    }

    func testFloat64ReferenceSpecialValues() {
        XCTAssertEqual(Float64Reference.softmax([]), [])
        XCTAssertEqual(Float64Reference.softmax([1e30, 1e30]), [0.5, 0.5], "no overflow")
        XCTAssertTrue(Float64Reference.softmax([1, .nan, 2]).allSatisfy(\.isNaN), "a NaN anywhere gives NaN everywhere")
        XCTAssertTrue(Float64Reference.softmax([1, .infinity]).allSatisfy(\.isNaN), "+inf gives NaN everywhere")
        XCTAssertTrue(Float64Reference.softmax([-.infinity, -.infinity]).allSatisfy(\.isNaN), "all -inf gives NaN")
        XCTAssertEqual(Float64Reference.softmax([0, -.infinity]), [1, 0], "-inf contributes exactly 0")
        XCTAssertEqual(Float64Reference.logSumExp([Float]()), -.infinity)
        XCTAssertEqual(PassFamily.rmaxaddexp.float64Reference([]).max, -Double(Float.greatestFiniteMagnitude),
                       "the online reduction starts its max at -FLT_MAX")
        XCTAssertEqual(PassFamily.rmaxaddexp.float64Reference([]).reduction, 0)
        for family in PassFamily.allCases {
            XCTAssertEqual(family.float64Output(1) != nil, family.writesOutput, "\(family): an output element exactly when it writes")
        }
    }

    /// Each writing pass's element formula, at values where float64 is exact or nearly so.
    func testFloat64OutputsAreTheFamiliesFormulas() {
        let args = PassArguments(max: 2, scale: 0.25, extendedScale: ExtFloat(mantissa: 0.5, exponent: -3))
        XCTAssertEqual(PassFamily.vscale.float64Output(6, args), 1.5)
        XCTAssertEqual(PassFamily.vscaleexpminusmax.float64Output(2, args), 0.25)
        XCTAssertEqual(PassFamily.raddstoreexpminusmax.float64Output(2, args), 1)
        XCTAssertEqual(PassFamily.vscaleextexp.float64Output(0, args)!, 0x1p-4, accuracy: 1e-17)
        // exp(1000) overflows a Double; exp(1000) * 2^-1500 does not, and is what the pass writes.
        let large = PassFamily.vscaleextexp.float64Output(1000, PassArguments(extendedScale: ExtFloat(mantissa: 1, exponent: -1500)))!
        XCTAssertEqual(large, Foundation.exp(1000 - 1500 * M_LN2), accuracy: 1e-12 * large, "exp(x) * 2^e without overflow")
    }
}

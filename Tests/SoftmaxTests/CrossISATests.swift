import XCTest

@testable import Softmax

/// Inputs for bit-for-bit comparisons: every test range, values near the exp cutoffs, and specials.
/// +inf is left out: it lies outside these passes' contracts (x <= max; exponent + scale exponent <= 0),
/// where VSCALEFPS and bit-built powers of two legitimately differ; the algorithms' +inf behaviour is
/// tested in AlgorithmTests.
private func comparisonInputs() -> [Float] {
    var x: [Float] = [0, -0.0, 1, -1, -87.33654, -87.3365, -87.337, -103.9, 88.7, 89, -1e9, -1e30, 1e30,
                      -.infinity, .nan, .leastNormalMagnitude, .leastNonzeroMagnitude]
    for (r, range) in (inputRanges + [largeAccurateRange, -100...0]).enumerated() { x += uniform(997, in: range, seed: UInt64(60 + r)) }
    return x
}

/// Maxima for the exp(x - max) passes besides the inputs' own (1e30, which takes every other x - max to
/// about -1e30 and its exp to 0): the top of each test range, so that x - max spans exp's whole range and
/// the table lookups and polynomials are compared on every path. Inputs above the maximum are left out.
private let rangeMaxima: [Float] = (inputRanges + [largeAccurateRange, -100...0]).map(\.upperBound)

private func sameBits(_ a: [Float], _ b: [Float]) -> Int? {
    for i in a.indices where !(a[i].bitPattern == b[i].bitPattern || (a[i].isNaN && b[i].isNaN)) { return i }
    return nil
}

/// The portable kernels do the AVX2 arithmetic step by step (same FMAs, same roundings, same NaN rules)
/// and AVX512F differs only in how it applies powers of two, so element-wise passes agree exactly. Kernels
/// of a table exp method (lut16p3, lut64p2) have no portable twin: AVX512F's must give AVX2's bits (bitReference).
final class CrossISATests: KernelTestCase {
    private func assertElementwiseIdentical(_ family: PassFamily, includingNaN: Bool = true, inputs: [Float] = comparisonInputs(),
                                            alsoWithMaxima: [Float] = [], _ args: (Float) -> PassArguments) throws {
        let kernels = try runnableKernels(family)
        let all = inputs.filter { includingNaN || !$0.isNaN }
        for max in [all.filter(\.isFinite).max()!] + alsoWithMaxima {
            let x = all.filter { !($0 > max) }
            for kernel in kernels {
                let reference = try XCTUnwrap(bitReference(for: kernel, among: kernels), "\(kernel) has no reference to compare with")
                if kernel == reference { continue }
                let (_, expected) = reference.run(x, args(max))
                let (_, y) = kernel.run(x, args(max))
                if let i = sameBits(expected, y) {
                    XCTFail("\(kernel) differs from \(reference) at x=\(x[i]), max=\(max): expected \(expected[i]) (0x\(String(expected[i].bitPattern, radix: 16))), saw \(y[i]) (0x\(String(y[i].bitPattern, radix: 16)))")
                }
            }
        }
    }

    func testVscaleexpminusmaxIsBitIdenticalAcrossISAs() throws {
        try assertElementwiseIdentical(.vscaleexpminusmax, alsoWithMaxima: rangeMaxima) { .init(max: $0, scale: 0.3) }
    }

    func testRaddstoreexpminusmaxStoresBitIdenticalValues() throws {
        try assertElementwiseIdentical(.raddstoreexpminusmax, alsoWithMaxima: rangeMaxima) { .init(max: $0) }
    }

    func testVscaleIsBitIdenticalAcrossISAs() throws {
        try assertElementwiseIdentical(.vscale) { _ in .init(scale: 0.3) }
    }

    /// AVX512F applies 2^d with VSCALEFPS and AVX2 builds 2^d from bits; they agree while 2^d is normal,
    /// which a scale bringing the largest value to about 1 keeps for all but the tiniest outputs.
    /// A NaN element alone is left out: two-pass's NaN comes from its NaN scale (raddextexp flags NaN
    /// inputs), so this pass need not spend instructions on it, and VSCALEFPS gives NaN where bit-built
    /// powers of two give 0.
    func testVscaleextexpIsBitIdenticalAcrossISAs() throws {
        try assertElementwiseIdentical(.vscaleextexp, includingNaN: false) { max in
            .init(extendedScale: ExtFloat(mantissa: 0.75, exponent: -(max * 1.442695).rounded(.up)))
        }
    }

    /// AVX2 folds the magic bias into the scale's exponent when that is exact (|e| < 2^21) and adds it
    /// per vector otherwise; both must give the portable kernel's bits, at the fold's edges too.
    func testVscaleextexpIsBitIdenticalWithTheBiasFoldedOrNot() throws {
        for top: Float in [0, 5, 0x1p21 - 1, 0x1p21, -(0x1p21 - 1), 0x1p30] {
            // Inputs whose largest exp is about 2^top, so n + e spans 0 down past -127.
            let x = [-Float.infinity, -1e30] + uniform(997, in: -200...0, seed: 61).map { $0 + top * 0.6931472 }
            try assertElementwiseIdentical(.vscaleextexp, includingNaN: false, inputs: x) { _ in
                .init(extendedScale: ExtFloat(mantissa: 0.75, exponent: -top))
            }
        }
    }

    func testRmaxAgreesExactly() throws {
        let x = comparisonInputs().filter { !$0.isNaN } + [.infinity]
        let results = try runnableKernels(.rmax).map { ($0, $0.run(x, output: false).0) }
        for (kernel, result) in results { XCTAssertEqual(result, .scalar(.infinity), "\(kernel)") }
        let finite = x.filter(\.isFinite)
        for (kernel, result) in try runnableKernels(.rmax).map({ ($0, $0.run(finite, output: false).0) }) {
            XCTAssertEqual(result, .scalar(finite.max()!), "\(kernel)")
        }
    }
}

import XCTest

@testable import Softmax

/// Floats from `from` upward, `count` of them, one ulp apart: the neighbourhood of a cutoff.
private func ulpsAbove(_ from: Float, count: Int) -> [Float] {
    var x = from
    return (0..<count).map { _ in defer { x = x.nextUp }; return x }
}

private func firstDifference(_ a: [Float], _ b: [Float]) -> Int? {
    a.indices.first { !(a[$0].bitPattern == b[$0].bitPattern || (a[$0].isNaN && b[$0].isNaN)) }
}

private func hex(_ v: Float) -> String { "\(v) (0x\(String(v.bitPattern, radix: 16)))" }

/// The subnormal contract (docs/numerics.md, "Denormals"): every kernel runs with FTZ and DAZ set whatever the
/// caller's MXCSR, so outputs near and below 2^-126 are the same bits under both settings and on every ISA.
final class DenormalTests: KernelTestCase {
    /// Every kernel of a family on `x`, with the caller's FTZ/DAZ set and clear, against its bit reference
    /// (the portable kernel, or AVX2's for a table exp method; see bitReference) with them set: bit for bit.
    private func assertSameBitsEverywhere(_ family: PassFamily, _ x: [Float], _ args: PassArguments, _ what: String,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let kernels = try runnableKernels(family)
        FloatingPointEnvironment.flushDenormals(true)
        var expectedBits: [Kernel: [Float]] = [:]
        for reference in Set(kernels.compactMap { bitReference(for: $0, among: kernels) }) {
            let expected = reference.run(x, args).1
            XCTAssert(expected.allSatisfy { $0 == 0 || !$0.isFinite || $0.magnitude >= .leastNormalMagnitude },
                      "\(reference) returned a subnormal (\(what))", file: file, line: line)
            expectedBits[reference] = expected
        }
        try underBothMXCSRSettings { flush in
            for kernel in kernels {
                let reference = try XCTUnwrap(bitReference(for: kernel, among: kernels), "\(kernel) has no reference", file: file, line: line)
                let expected = expectedBits[reference]!
                let y = kernel.run(x, args).1
                if let i = firstDifference(expected, y) {
                    XCTFail("\(kernel) with the caller's FTZ/DAZ \(flush ? "set" : "clear") (\(what)): x = \(x[i]) gave \(hex(y[i])), \(reference) with FTZ/DAZ gave \(hex(expected[i]))",
                            file: file, line: line)
                }
            }
        }
    }

    /// exp(x - max) * scale for x - max from -104 to -60 and scales down to 2^-40: outputs from 2^-126 up
    /// to about 2^-87 and, below them, results that only a subnormal could hold. Subnormal inputs and a
    /// subnormal max too (DAZ reads them as 0).
    func testVscaleexpminusmaxNearTheSmallestNormal() throws {
        let x = uniform(1000, in: -104...(-60), seed: 110) + ulpsAbove(-87.33656, count: 40)
            + [0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude.nextDown]
        for scale: Float in [1, 0.3, 0x1p-10, 0x1p-40] {
            try assertSameBitsEverywhere(.vscaleexpminusmax, x, .init(max: 0, scale: scale), "scale \(scale)")
        }
        try assertSameBitsEverywhere(.vscaleexpminusmax, [0, .leastNonzeroMagnitude, -.leastNormalMagnitude.nextDown, -1],
                                     .init(max: .leastNonzeroMagnitude, scale: 0.5), "subnormal max")
    }

    /// exp(x - max) around the cutoff where it leaves the normal range.
    func testRaddstoreexpminusmaxNearTheSmallestNormal() throws {
        let x = ulpsAbove(-87.3366, count: 200) + uniform(500, in: -90...(-85), seed: 111)
        try assertSameBitsEverywhere(.raddstoreexpminusmax, x, .init(max: 0), "x - max near ln(2^-126)")
    }

    /// x * scale for x around 2^-126, subnormal x among them.
    func testVscaleNearTheSmallestNormal() throws {
        let x = (0..<300).map { Float.leastNormalMagnitude * (1 + Float($0) / 64) }
            + [.leastNonzeroMagnitude, .leastNormalMagnitude.nextDown, -.leastNormalMagnitude, 1, 0x1p-100]
        for scale: Float in [0.3, 0.5, 0.99999994, 0x1p-20] {
            try assertSameBitsEverywhere(.vscale, x, .init(scale: scale), "scale \(scale)")
        }
    }

    /// exp(x) * mantissa * 2^exponent for exponents n + e from about -135 to -115, and mantissas up to 2
    /// (which with exp's polynomial above 1 give products above 2: 2^-127 times such a product is a normal
    /// float that VSCALEFPS would keep and AVX2's bit-built powers of two give as 0).
    func testVscaleextexpNearTheSmallestNormal() throws {
        let x = uniform(1000, in: -94...(-78), seed: 112) + [0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        for mantissa: Float in [0.75, 1.4, 1.99] {
            for exponent: Float in [0, -3, -40] {
                let shifted = x.map { $0 - exponent * 0.6931472 }
                try assertSameBitsEverywhere(.vscaleextexp, shifted, .init(extendedScale: ExtFloat(mantissa: mantissa, exponent: exponent)),
                                             "mantissa \(mantissa), exponent \(exponent)")
            }
        }
    }

    /// Whole softmaxes whose outputs reach below 2^-126: the same bits whatever the caller's MXCSR.
    func testSoftmaxDoesNotDependOnTheCallersMXCSR() throws {
        let x = uniform(1000, in: -110...0, seed: 113) + [0.5, -87.33654, -87.3365]
        for isa in testableISAs() {
            for plan in try everyPresetPlan(isa: isa) {
                FloatingPointEnvironment.flushDenormals(true)
                let expected = plan.plan(x)
                FloatingPointEnvironment.flushDenormals(false)
                let y = plan.plan(x)
                FloatingPointEnvironment.flushDenormals(true)
                if let i = firstDifference(expected, y) {
                    XCTFail("\(plan.label): y[\(i)] is \(hex(y[i])) with FTZ/DAZ clear, \(hex(expected[i])) with them set")
                }
                XCTAssert(y.allSatisfy { $0 == 0 || $0 >= .leastNormalMagnitude }, "\(plan.label) returned a subnormal")
            }
        }
    }

    /// A kernel sets FTZ/DAZ for its own call only: the caller's setting is as it was afterwards.
    func testKernelsLeaveTheCallersMXCSRAsItWas() throws {
        let x = uniform(100, in: -1...1, seed: 114)
        for flush in [false, true] {
            FloatingPointEnvironment.flushDenormals(flush)
            for kernel in KernelRegistry.supported {
                _ = kernel.run(x, output: kernel.family.writesOutput, .init(max: 1, scale: 0.5))
                XCTAssertEqual(FloatingPointEnvironment.flushesDenormals, flush, "\(kernel) changed the caller's FTZ/DAZ")
            }
        }
    }
}

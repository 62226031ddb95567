import Foundation
import XCTest

@testable import Softmax

/// float32 unit roundoff: the relative error of one correctly rounded operation.
let unitRoundoff = 0x1p-24

/// The input ranges every kernel is tested on: small logits, the paper's range, and a range where a
/// naive expf overflows.
let inputRanges: [ClosedRange<Float>] = [-1...1, -1000...1000, 90...100]

func uniform(_ n: Int, in range: ClosedRange<Float>, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed ^ UInt64(n) &* 0x1000193)
    return (0..<n).map { _ in Float.random(in: range, using: &rng) }
}

/// Relative error bound, in units of float32 roundoff, for a value that went through:
/// an exp (`expULP`, 2 measured for our polynomial), a sum of positive terms accumulated in chains of
/// `chain` terms (recursive summation: (chain - 1) roundings, first order) and merged through a tree of
/// `lanes` (log2 more), and `extra` correctly rounded operations (reciprocal, scaling).
func relativeBound(expULP: Double = 2, chain: Int, lanes: Int, extra: Int) -> Double {
    let merge = lanes > 1 ? Foundation.log2(Double(lanes)).rounded(.up) : 0
    return (expULP + Double(Swift.max(chain - 1, 0)) + merge + Double(extra) + 1) * unitRoundoff
}

/// Outputs below the smallest normal float are flushed to 0 by every kernel; comparisons allow that.
let absoluteFloor = 0x1p-124

/// Asserts |actual - expected| <= rel * |expected| + absoluteFloor element-wise, naming the first bad
/// element with what was expected and what was seen.
func assertClose(_ actual: [Float], _ expected: [Double], rel: Double, _ what: @autoclosure () -> String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, what(), file: file, line: line)
    for i in 0..<Swift.min(actual.count, expected.count) {
        let a = Double(actual[i]), e = expected[i]
        if e.isNaN {
            if !a.isNaN { XCTFail("\(what()): y[\(i)] expected NaN, saw \(a)", file: file, line: line); return }
            continue
        }
        let tolerance = rel * Swift.abs(e) + absoluteFloor
        if !(Swift.abs(a - e) <= tolerance) {
            XCTFail("\(what()): y[\(i)] expected \(e), saw \(a) (error \(Swift.abs(a - e) / Swift.max(Swift.abs(e), 1e-300)) relative, bound \(rel))",
                    file: file, line: line)
            return
        }
    }
}

/// The sizes every kernel is checked on: 0, every size from 1 to 3*tile+1, and a few large ones.
func tailSizes(for kernel: Kernel) -> [Int] {
    Array(0...(3 * kernel.elementsPerIteration + 1))
}

/// SIMD lanes of a kernel's vectors.
func lanes(of isa: ISA) -> Int {
    switch isa {
    case .portable: return 1
    case .avx2: return 8
    case .avx512f: return 16
    }
}

/// Kernels this test can run, plus a printed reason for the ones it skips. Throws XCTSkip when none can.
func runnableKernels(_ family: PassFamily) throws -> [Kernel] {
    let all = KernelRegistry.kernels(family: family)
    let skipped = all.filter { !$0.isa.isSupported }
    if !skipped.isEmpty {
        let isas = Set(skipped.map(\.isa.rawValue)).sorted().joined(separator: ", ")
        print("note: skipping \(skipped.count) \(family.rawValue) kernels: this CPU lacks \(isas) (CPUID/XGETBV)")
    }
    let runnable = all.filter(\.isa.isSupported)
    if runnable.isEmpty { throw XCTSkip("no \(family.rawValue) kernel runs on this CPU") }
    return runnable
}

/// The kernel whose bits `kernel` must reproduce: for the paper's exp method the portable kernel (it
/// mirrors AVX2 operation for operation), for a table method the first AVX2 kernel of that method
/// (AVX512F repeats its operations; there is no portable table kernel). Nil when that kernel cannot run.
func bitReference(for kernel: Kernel, among kernels: [Kernel]) -> Kernel? {
    let isa: ISA = kernel.expMethod.isEmpty ? .portable : .avx2
    return kernels.first { $0.expMethod == kernel.expMethod && $0.isa == isa }
}

/// Every test in this target runs with FTZ/DAZ, like the harness.
class KernelTestCase: XCTestCase {
    private var previousFlush = false
    override func setUp() {
        super.setUp()
        previousFlush = FloatingPointEnvironment.flushDenormals(true)
    }
    override func tearDown() {
        FloatingPointEnvironment.flushDenormals(previousFlush)
        super.tearDown()
    }
}

extension Kernel {
    /// Runs the kernel over arrays; returns the reduction result and the output vector.
    func run(_ x: [Float], output: Bool = true, _ args: PassArguments = .init()) -> (PassResult, [Float]) {
        var y = [Float](repeating: .nan, count: x.count)
        let result = x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                // A zero-length array may have no storage; kernels must not touch memory for n == 0.
                let xp = xb.baseAddress ?? UnsafePointer(bitPattern: 64)!
                let yp = yb.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!
                return self.run(n: x.count, x: xp, y: output ? yp : nil, args)
            }
        }
        return (result, y)
    }
}

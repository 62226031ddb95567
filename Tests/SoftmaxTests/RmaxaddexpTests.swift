import Foundation
import XCTest

@testable import Softmax

/// Online softmax's first pass: the max must be exact, the sum as accurate as a sum of exps plus the
/// rescalings (each an exp and a multiplication, 3 ulp, once per accumulator and iteration in which the
/// max grew: at most every iteration).
final class RmaxaddexpTests: KernelTestCase {
    private func bound(_ kernel: Kernel, n: Int) -> Double {
        let l = lanes(of: kernel.isa)
        let iterations = n / Swift.max(kernel.elementsPerIteration, 1) + kernel.elementsPerIteration / l + 2
        return sumBound(kernel, n: n) + 3 * Double(iterations) * unitRoundoff
    }

    private func run(_ kernel: Kernel, _ x: [Float]) -> (max: Float, sum: Float)? {
        guard case let .maxAndSum(m, s) = kernel.run(x, output: false).0 else { XCTFail("\(kernel) returned no max and sum"); return nil }
        return (m, s)
    }

    func testMaxIsExactAndSumMatchesFloat64AtEveryTailSize() throws {
        for kernel in try runnableKernels(.rmaxaddexp) {
            for (r, range) in inputRanges.enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    let x = uniform(n, in: range, seed: UInt64(r) + 100)
                    guard let (m, s) = run(kernel, x) else { return }
                    if n == 0 {
                        XCTAssertEqual(m, -Float.greatestFiniteMagnitude, "\(kernel) n=0")
                        XCTAssertEqual(s, 0, "\(kernel) n=0")
                        continue
                    }
                    XCTAssertEqual(m, x.max()!, "\(kernel) n=\(n) range=\(range): max")
                    assertClose([s], [Float64Reference.sumExp(x, minus: Double(m))], rel: bound(kernel, n: n), "\(kernel) n=\(n) range=\(range): sum")
                }
            }
        }
    }

    /// Increasing inputs raise the max in every iteration: the worst case for the rescaling.
    func testIncreasingInputsRescaleEveryIteration() throws {
        for kernel in try runnableKernels(.rmaxaddexp) {
            let x = (0..<5_000).map { Float($0) * 0.01 }
            guard let (m, s) = run(kernel, x) else { return }
            XCTAssertEqual(m, x.last!)
            assertClose([s], [Float64Reference.sumExp(x, minus: Double(m))], rel: bound(kernel, n: x.count), "\(kernel) increasing")
        }
    }

    func testMasksNaNAndInfinities() throws {
        for kernel in try runnableKernels(.rmaxaddexp) {
            var x = uniform(kernel.elementsPerIteration + 9, in: -3...3, seed: 101)
            let clean = run(kernel, x)!
            for (i, mask) in [-Float.infinity, -1e9, -1e30, -Float.greatestFiniteMagnitude].enumerated() { x.insert(mask, at: 3 * i + 1) }
            let masked = run(kernel, x)!
            XCTAssertEqual(masked.max, clean.max, "\(kernel): masks changed the max")
            assertClose([masked.sum], [Double(clean.sum)], rel: 2 * bound(kernel, n: x.count), "\(kernel): masks changed the sum")
            let allMasked = run(kernel, [Float](repeating: -.infinity, count: 2 * kernel.elementsPerIteration + 3))!
            XCTAssertEqual(allMasked.sum, 0, "\(kernel): all -inf should sum to 0 (so that softmax gives 0/0 = NaN)")
            var withNaN = x
            withNaN[kernel.elementsPerIteration] = .nan
            XCTAssert(run(kernel, withNaN)!.sum.isNaN, "\(kernel): NaN should poison the sum")
            var withInf = x
            withInf[2] = .infinity
            XCTAssert(run(kernel, withInf)!.sum.isNaN, "\(kernel): +inf should make the sum NaN (inf - inf)")
        }
    }
}

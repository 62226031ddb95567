import Foundation
import XCTest

@testable import Softmax

/// Bound for a kernel's sum: chains of n/(lanes*accumulators) terms, plus the remainder vectors and the
/// tail, which go to one accumulator after the others were merged.
func sumBound(_ kernel: Kernel, n: Int, extra: Int = 0) -> Double {
    let l = lanes(of: kernel.isa)
    let chain = n / (l * kernel.accumulators) + kernel.elementsPerIteration / l + 2
    return relativeBound(chain: chain, lanes: l * kernel.accumulators, extra: extra)
}

final class RaddexpminusmaxTests: KernelTestCase {
    func testSumMatchesFloat64AtEveryTailSize() throws {
        for kernel in try runnableKernels(.raddexpminusmax) {
            for (r, range) in inputRanges.enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    let x = uniform(n, in: range, seed: UInt64(r))
                    let max = x.max() ?? 0
                    guard case let .scalar(sum) = kernel.run(x, output: false, .init(max: max)).0 else {
                        return XCTFail("\(kernel) returned no scalar")
                    }
                    assertClose([sum], [Float64Reference.sumExp(x, minus: Double(max))], rel: sumBound(kernel, n: n), "\(kernel) n=\(n) range=\(range)")
                }
            }
        }
    }

    func testMaskedEntriesContributeNothing() throws {
        for kernel in try runnableKernels(.raddexpminusmax) {
            let base = uniform(kernel.elementsPerIteration + 5, in: -3...3, seed: 3)
            let max = base.max()!
            var masked = base
            for (i, mask) in [Float.infinity * -1, -1e9, -1e30, -Float.greatestFiniteMagnitude].enumerated() {
                masked.insert(mask, at: 2 * i + 1)
            }
            let (a, _) = kernel.run(base, output: false, .init(max: max))
            let (b, _) = kernel.run(masked, output: false, .init(max: max))
            guard case let .scalar(sa) = a, case let .scalar(sb) = b else { return XCTFail() }
            assertClose([sb], [Double(sa)], rel: sumBound(kernel, n: masked.count), "\(kernel) with masks")
        }
    }

    func testNaNPoisonsTheSum() throws {
        for kernel in try runnableKernels(.raddexpminusmax) {
            var x = uniform(kernel.elementsPerIteration * 2 + 3, in: -3...3, seed: 4)
            for position in [0, kernel.elementsPerIteration, x.count - 1] {
                let saved = x[position]
                x[position] = .nan
                guard case let .scalar(sum) = kernel.run(x, output: false, .init(max: 3)).0 else { return XCTFail() }
                XCTAssert(sum.isNaN, "\(kernel): NaN at \(position) gave sum \(sum)")
                x[position] = saved
            }
        }
    }
}

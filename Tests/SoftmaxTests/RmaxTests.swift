import XCTest

@testable import Softmax

final class RmaxTests: KernelTestCase {
    /// The max is exact: no rounding is involved, so every kernel must return max(x) bit for bit.
    func testMaxIsExactAtEveryTailSize() throws {
        for kernel in try runnableKernels(.rmax) {
            for (r, range) in inputRanges.enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    let x = uniform(n, in: range, seed: UInt64(r))
                    let (result, _) = kernel.run(x, output: false)
                    let expected = x.max() ?? -.infinity
                    XCTAssertEqual(result, .scalar(expected), "\(kernel) n=\(n) range=\(range)")
                }
            }
        }
    }

    func testIgnoresMinusInfinityAndSeesPlusInfinity() throws {
        for kernel in try runnableKernels(.rmax) {
            var x = uniform(2 * kernel.elementsPerIteration + 3, in: -5...5, seed: 7)
            x[1] = -.infinity
            XCTAssertEqual(kernel.run(x, output: false).0, .scalar(x.max()!), "\(kernel)")
            x[x.count - 1] = .infinity
            XCTAssertEqual(kernel.run(x, output: false).0, .scalar(.infinity), "\(kernel)")
            XCTAssertEqual(kernel.run([-Float.infinity, -.infinity], output: false).0, .scalar(-.infinity), "\(kernel)")
        }
    }
}

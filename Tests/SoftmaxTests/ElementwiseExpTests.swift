import Foundation
import XCTest

@testable import Softmax

/// vscaleexpminusmax and raddstoreexpminusmax write exp(x - max) (times a scale): each output is one
/// exp (2 ulp) and at most one rounded multiplication.
let elementwiseExpBound = relativeBound(chain: 1, lanes: 1, extra: 1)

final class VscaleexpminusmaxTests: KernelTestCase {
    func testOutputsMatchFloat64AtEveryTailSize() throws {
        for kernel in try runnableKernels(.vscaleexpminusmax) {
            for (r, range) in inputRanges.enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    let x = uniform(n, in: range, seed: UInt64(r) + 10)
                    let max = x.max() ?? 0
                    let scale: Float = 0.375
                    let (_, y) = kernel.run(x, .init(max: max, scale: scale))
                    let expected = x.map { Foundation.exp(Double($0) - Double(max)) * Double(scale) }
                    assertClose(y, expected, rel: elementwiseExpBound, "\(kernel) n=\(n) range=\(range)")
                }
            }
        }
    }

    func testWritesNothingBeyondN() throws {
        for kernel in try runnableKernels(.vscaleexpminusmax) {
            for n in 0...(kernel.elementsPerIteration + 17) {
                let x = uniform(n + 16, in: -1...1, seed: 5)
                var y = [Float](repeating: 42, count: n + 16)
                _ = x.withUnsafeBufferPointer { xb in
                    y.withUnsafeMutableBufferPointer { yb in
                        kernel.run(n: n, x: xb.baseAddress!, y: yb.baseAddress!, .init(max: 1, scale: 1))
                    }
                }
                XCTAssertEqual(Array(y[n...]), [Float](repeating: 42, count: 16), "\(kernel) wrote past n=\(n)")
            }
        }
    }
}

final class RaddstoreexpminusmaxTests: KernelTestCase {
    func testStoresExpAndReturnsTheirSum() throws {
        for kernel in try runnableKernels(.raddstoreexpminusmax) {
            for (r, range) in inputRanges.enumerated() {
                for n in tailSizes(for: kernel) + [100_003] {
                    let x = uniform(n, in: range, seed: UInt64(r) + 20)
                    let max = x.max() ?? 0
                    let (result, y) = kernel.run(x, .init(max: max))
                    let expected = x.map { Foundation.exp(Double($0) - Double(max)) }
                    assertClose(y, expected, rel: elementwiseExpBound, "\(kernel) n=\(n) range=\(range)")
                    guard case let .scalar(sum) = result else { return XCTFail("\(kernel) returned no sum") }
                    // The sum is over the very values stored, so compare against their float64 sum.
                    let stored = y.reduce(0.0) { $0 + Double($1) }
                    assertClose([sum], [stored], rel: sumBound(kernel, n: n), "\(kernel) sum n=\(n) range=\(range)")
                }
            }
        }
    }
}

final class VscaleTests: KernelTestCase {
    /// One multiplication: results are exactly the float products, in place or not.
    func testScalesExactlyInPlaceAndOutOfPlace() throws {
        for kernel in try runnableKernels(.vscale) {
            for n in tailSizes(for: kernel) + [100_003] {
                let x = uniform(n, in: -1000...1000, seed: 30)
                let scale: Float = 0.1
                let (_, y) = kernel.run(x, .init(scale: scale))
                XCTAssertEqual(y, x.map { $0 * scale }, "\(kernel) n=\(n)")
                var z = x
                z.withUnsafeMutableBufferPointer { zb in
                    if let p = zb.baseAddress { kernel.run(n: n, x: p, y: p, .init(scale: scale)) }
                }
                XCTAssertEqual(z, y, "\(kernel) in place n=\(n)")
            }
        }
    }
}

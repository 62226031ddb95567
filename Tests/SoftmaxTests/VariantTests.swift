import Foundation
import XCTest

@testable import Softmax

/// Variants (streaming stores, prefetch) change how memory is moved, not what is computed: each must write
/// exactly what its plain twin writes, wherever the output starts. Streaming stores need aligned
/// addresses, so the kernels peel a head up to the first vector boundary of y: these tests start y at every
/// float offset within a 64-byte line, with sizes that end in the head, the vector loop and the tail.
final class VariantTests: KernelTestCase {
    private func args(_ kernel: Kernel, _ x: [Float]) -> PassArguments {
        let max = x.max() ?? 0
        switch kernel.family {
        case .vscaleextexp:
            return .init(extendedScale: ExtFloat(mantissa: 0.75, exponent: -(max * 1.442695).rounded(.up)))
        default:
            return .init(max: max, scale: 0.375)
        }
    }

    func testVariantsWriteWhatTheirPlainTwinWritesAtEveryAlignment() throws {
        let variants = KernelRegistry.supported.filter { !$0.variant.isEmpty }
        if variants.isEmpty { throw XCTSkip("no variant kernel runs on this CPU") }
        for kernel in variants {
            let twin = try XCTUnwrap(KernelRegistry.plainTwin(of: kernel), kernel.name)
            let tile = kernel.elementsPerIteration
            let sizes = [0, 1, 7, 15, 16, 17, tile - 1, tile, tile + 15, 2 * tile + 17, 3 * tile + 1, 4099].filter { $0 >= 0 }
            for n in sizes {
                let x = uniform(n, in: -100...100, seed: 70)
                let a = args(kernel, x)
                // Over-aligned storage, so that `offset` alone decides where y starts relative to a line.
                let capacity = n + 32
                let base = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64).bindMemory(to: Float.self, capacity: capacity)
                let twinBase = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64).bindMemory(to: Float.self, capacity: capacity)
                defer { base.deallocate(); twinBase.deallocate() }
                for offset in 0..<16 {
                    base.initialize(repeating: 42, count: capacity)
                    twinBase.initialize(repeating: 42, count: capacity)
                    let (result, expected): (PassResult, PassResult) = x.withUnsafeBufferPointer { xb in
                        let xp = xb.baseAddress ?? UnsafePointer(bitPattern: 64)!
                        if kernel.family == .vscale {
                            // In place, as three-pass-reload calls it.
                            for i in 0..<n { base[offset + i] = x[i]; twinBase[offset + i] = x[i] }
                            return (kernel.run(n: n, x: base + offset, y: base + offset, a),
                                    twin.run(n: n, x: twinBase + offset, y: twinBase + offset, a))
                        }
                        let out = kernel.family.writesOutput
                        return (kernel.run(n: n, x: xp, y: out ? base + offset : nil, a), twin.run(n: n, x: xp, y: out ? twinBase + offset : nil, a))
                    }
                    for i in 0..<capacity where !(base[i].bitPattern == twinBase[i].bitPattern) {
                        XCTFail("\(kernel.name) n=\(n) y offset \(offset): element \(i - offset) is \(base[i]), \(twin.name) wrote \(twinBase[i])")
                        break
                    }
                    switch (result, expected) {
                    case let (.scalar(s), .scalar(t)) where kernel.family == .raddstoreexpminusmax:
                        // The head is summed apart from the vector loop, so the order of additions differs.
                        assertClose([s], [Double(t)], rel: 2 * sumBound(kernel, n: n), "\(kernel.name) sum n=\(n) offset \(offset)")
                    case let (.extended(m, e), .extended(tm, te)) where !(m.isNaN && tm.isNaN):
                        XCTAssertEqual(m, tm, "\(kernel.name) n=\(n)")
                        XCTAssertEqual(e, te, "\(kernel.name) n=\(n)")
                    case let (.scalar(s), .scalar(t)) where !(s.isNaN && t.isNaN):
                        XCTAssertEqual(s, t, "\(kernel.name) n=\(n)")
                    default:
                        XCTAssertEqual(result, expected, "\(kernel.name) n=\(n)")
                    }
                }
            }
        }
    }
}

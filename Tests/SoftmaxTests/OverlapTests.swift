import XCTest

@testable import Softmax

/// y may be x itself (in place) or lie apart from it; any other overlap is refused (docs/usage.md, "As a
/// library").
final class OverlapTests: KernelTestCase {
    func testPartialOverlapIsRefusedWithTheFix() throws {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 300)
        defer { buffer.deallocate() }
        for (n, offset) in [(100, 1), (100, -1), (100, 99), (100, -99), (2, 1), (100, 50)] {
            let x = buffer + 100, y = buffer + 100 + offset
            XCTAssertThrowsError(try SoftmaxError.checkOperands(n: n, x: x, y: y), "n=\(n) offset \(offset)") { error in
                XCTAssertEqual(error as? SoftmaxError, .overlappingOperands(n: n, offset: offset))
                let message = "\(error)"
                XCTAssert(message.contains("overlap partially") && message.contains("y == x") && message.contains("\(abs(offset)) elements"), message)
            }
        }
        // A pointer between two floats still overlaps.
        XCTAssertThrowsError(try SoftmaxError.checkOperands(n: 10, x: buffer, y: UnsafeRawPointer(buffer) + 2))
    }

    func testInPlaceAndApartAreAccepted() throws {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 300)
        defer { buffer.deallocate() }
        for (n, offset) in [(100, 0), (100, 100), (100, -100), (100, 150), (0, 1), (1, 1)] {
            XCTAssertNoThrow(try SoftmaxError.checkOperands(n: n, x: buffer + 100, y: buffer + 100 + offset), "n=\(n) offset \(offset)")
        }
    }

    /// In place gives the bits of the out-of-place call with y at the same alignment (a streaming pass's
    /// masked head, and so its sum's order, follows y's alignment), for every algorithm, ISA and committed
    /// preset, streaming stores included, at sizes across the tiles and several alignments.
    func testInPlaceGivesTheSameBitsAsApart() throws {
        for isa in testableISAs() {
            for plan in try everyPresetPlan(isa: isa) {
                for n in [1, 7, 17, 100, 1000, 4099] {
                    for shift in [0, 1, 3] {
                        let x = uniform(n, in: -50...50, seed: 120)
                        let bytes = (n + shift) * MemoryLayout<Float>.stride
                        let inPlaceStorage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
                        let apartStorage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
                        defer { inPlaceStorage.deallocate(); apartStorage.deallocate() }
                        let inPlace = inPlaceStorage.bindMemory(to: Float.self, capacity: n + shift) + shift
                        let apart = apartStorage.bindMemory(to: Float.self, capacity: n + shift) + shift
                        inPlace.initialize(from: x, count: n)
                        x.withUnsafeBufferPointer { plan.plan(n: n, x: $0.baseAddress!, y: apart) }
                        plan.plan(n: n, x: inPlace, y: inPlace)
                        XCTAssertEqual(UnsafeBufferPointer(start: inPlace, count: n).map(\.bitPattern),
                                       UnsafeBufferPointer(start: apart, count: n).map(\.bitPattern), "\(plan.label) n=\(n) shift \(shift)")
                    }
                }
            }
        }
    }

    /// Every pass that writes y, alone and in place, gives the bits it gives apart.
    func testEveryWritingKernelRunsInPlace() throws {
        for family in PassFamily.allCases where family.writesOutput {
            for kernel in try runnableKernels(family) {
                let x = uniform(777, in: -20...0, seed: 121)
                let args = PassArguments(max: 0, scale: 0.25, extendedScale: ExtFloat(mantissa: 0.75, exponent: -2))
                let expected = kernel.run(x, args).1
                var y = x
                y.withUnsafeMutableBufferPointer { b in _ = kernel.run(n: b.count, x: b.baseAddress!, y: b.baseAddress!, args) }
                XCTAssertEqual(y.map(\.bitPattern), expected.map(\.bitPattern), "\(kernel)")
            }
        }
    }
}

import XCTest
@testable import Platform

final class NodeBufferTests: XCTestCase {
    func testAlignedWritableAndTouched() throws {
        let topo = try Topology()
        let cpu = Pinning.chooseDefaultCPU(topology: topo)
        let count = (4 << 20) / 4 + 3  // 4 MiB and a ragged tail
        let placement = LockedBox<String>("")
        onDedicatedThread {
            do {
                try Pinning.pinCurrentThread(toCPU: cpu, topology: topo)
                let buf = try NodeBuffer(count: count, nearCPU: cpu, topology: topo)
                XCTAssertEqual(Int(bitPattern: buf.pointer) % 64, 0)
                XCTAssertGreaterThanOrEqual(buf.alignment, NodeBuffer.minimumAlignment)
                XCTAssertEqual(buf.count, count)
                XCTAssertEqual(buf.bytes, count * 4)
                XCTAssertFalse(buf.placement.isEmpty)
                buf.firstTouch(value: 1.5)
                XCTAssertEqual(buf.pointer[0], 1.5)
                XCTAssertEqual(buf.pointer[count - 1], 1.5)
                XCTAssertEqual(buf.buffer.reduce(0, +), 1.5 * Float(count), accuracy: Float(count) * 1e-3)
                buf.pointer[count / 2] = -2
                XCTAssertEqual(buf.buffer[count / 2], -2)
                if buf.isBound, let nodes = buf.residentNUMANodes(), let want = topo.numaNode(ofCPU: cpu) {
                    XCTAssertEqual(nodes, [want], buf.placement)
                }
                placement.update { $0 = buf.placement + " | resident on nodes \(buf.residentNUMANodes().map { "\($0)" } ?? "unknown")" }
            } catch {
                XCTFail("\(error)")
            }
        }
        print("NodeBuffer placement: \(placement.value)")
    }

    func testAbsurdSizeThrowsBeforeAllocating() throws {
        let topo = try Topology()
        let count = 1 << 50
        XCTAssertThrowsError(try NodeBuffer(count: count, nearCPU: 0, topology: topo)) { error in
            guard case .outOfMemory(let bytes, let available)? = error as? PlatformError else {
                return XCTFail("expected outOfMemory, got \(error)")
            }
            XCTAssertEqual(bytes, count * 4)
            XCTAssertGreaterThan(available, 0)
            let message = "\(error)"
            XCTAssertTrue(message.contains("\(count * 4)"), message)
            XCTAssertTrue(message.contains("4 PiB"), message)
            XCTAssertTrue(message.contains("\(available)"), message)
        }
    }

    func testLimitIsCheckedAgainstAvailableMemory() throws {
        // Small enough to allocate for real, but over a pretend limit: must still be refused.
        let topo = try Topology()
        XCTAssertThrowsError(try NodeBuffer(count: 1024, nearCPU: 0, topology: topo, availableMemory: { 1000 })) { error in
            XCTAssertEqual(error as? PlatformError, .outOfMemory(bytes: 4096, available: 1000))
        }
        XCTAssertThrowsError(try NodeBuffer(count: Int.max, nearCPU: 0, topology: topo))
        XCTAssertThrowsError(try NodeBuffer(count: 0, nearCPU: 0, topology: topo))
    }

    func testUnknownCPUFallsBackAndSaysSo() throws {
        let topo = try Topology()
        let buf = try NodeBuffer(count: 1000, nearCPU: 1 << 20, topology: topo)
        XCTAssertFalse(buf.isBound)
        XCTAssertTrue(buf.placement.contains("not bound"), buf.placement)
        XCTAssertEqual(Int(bitPattern: buf.pointer) % 64, 0)
        buf.firstTouch(value: 0)
    }
}

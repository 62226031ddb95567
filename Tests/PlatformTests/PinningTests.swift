import XCTest
@testable import Platform

/// Runs `body` on a fresh thread and waits for it, so pinning never touches XCTest's own thread.
func onDedicatedThread(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.start()
    done.wait()
}

final class PinningTests: XCTestCase {
    func testPinToEachCPUAndReadBack() throws {
        let topo = try Topology()
        let cpus = topo.cpus()
        XCTAssertFalse(cpus.isEmpty)
        let results = LockedBox<[Int: Int]>([:])
        let errors = LockedBox<[String]>([])
        onDedicatedThread {
            for cpu in cpus {
                do {
                    try Pinning.pinCurrentThread(toCPU: cpu, topology: topo)
                    var x: UInt64 = 0
                    for i in 0..<200_000 { x &+= UInt64(i) &* 2_654_435_761 }  // give the scheduler a chance to misbehave
                    if x == 42 { print("") }
                    results.update { $0[cpu] = Pinning.currentCPU(topology: topo) }
                    XCTAssertEqual(Pinning.currentCPU(), cpu)
                } catch {
                    errors.update { $0.append("\(cpu): \(error)") }
                }
            }
        }
        XCTAssertEqual(errors.value, [])
        for cpu in cpus { XCTAssertEqual(results.value[cpu], cpu, "pinned to \(cpu)") }
    }

    func testPinningToMissingCPUThrowsNamingIt() throws {
        let topo = try Topology()
        let missing = 4096 + topo.pus
        let caught = LockedBox<[Error?]>([])
        onDedicatedThread {
            for cpu in [missing, -1] {
                do {
                    try Pinning.pinCurrentThread(toCPU: cpu, topology: topo)
                    caught.update { $0.append(nil) }
                } catch {
                    caught.update { $0.append(error) }
                }
            }
        }
        XCTAssertEqual(caught.value.count, 2)
        let error = try XCTUnwrap(caught.value.first ?? nil, "pinning to CPU \(missing) must throw")
        let message = "\(error)"
        XCTAssertTrue(message.contains("CPU \(missing)"), message)
        XCTAssertTrue(message.contains("available CPUs"), message)
        XCTAssertEqual(error as? PlatformError, .noSuchCPU(cpu: missing, available: topo.cpuListString()))
        XCTAssertNotNil(caught.value.last ?? nil, "pinning to CPU -1 must throw")
    }

    func testDefaultCPUIsFirstPUOfLastCore() throws {
        let topo = try Topology()
        let cpu = Pinning.chooseDefaultCPU(topology: topo)
        XCTAssertTrue(topo.hasCPU(cpu))
        XCTAssertEqual(cpu, topo.coreCPUs().last?.first)
    }

    func testCurrentCPUIsAValidCPU() throws {
        let topo = try Topology()
        XCTAssertTrue(topo.hasCPU(Pinning.currentCPU()))
    }
}

/// A value shared between the test and its worker thread.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ body: (inout T) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}

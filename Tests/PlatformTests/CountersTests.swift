#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import Platform

/// Work the counters can see: a few milliseconds of arithmetic and fresh pages.
@inline(never)
func busyLoop() -> Double {
    var x = 0.0
    for i in 0..<2_000_000 { x += Double(i % 7) * 0.5 }
    // A fresh anonymous mapping, so every page faults on first touch (malloc may hand back memory that an
    // earlier test already faulted in, and then no fault happens).
    let bytes = 8 << 20
    guard let pages = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), pages != MAP_FAILED else {
        return x
    }
    for i in stride(from: 0, to: bytes, by: 4096) { pages.storeBytes(of: UInt8(i & 0xFF), toByteOffset: i, as: UInt8.self) }
    munmap(pages, bytes)
    return x
}

final class CountersTests: XCTestCase {
    /// PAPI disables its whole perf_event component, software events included, where libpfm4 finds no PMU
    /// (some hypervisors expose none): then these tests have nothing to count, and say why they skip.
    func requireSoftwareEvents(file: StaticString = #filePath, line: UInt = #line) throws {
        let probe = CounterSet(events: ["perf::TASK-CLOCK"])
        if let reason = probe.unavailable["perf::TASK-CLOCK"] {
            print("skipped: PAPI's software events are unavailable on this machine: \(reason)")
            throw XCTSkip("PAPI's software events are unavailable on this machine: \(reason)", file: file, line: line)
        }
    }

    func assertPartition(_ set: CounterSet, file: StaticString = #filePath, line: UInt = #line) {
        for event in set.events {
            let inAvailable = set.available.contains(event)
            let inUnavailable = set.unavailable[event] != nil
            XCTAssertTrue(inAvailable != inUnavailable, "\(event) must be in exactly one list", file: file, line: line)
            if let reason = set.unavailable[event] {
                XCTAssertFalse(reason.isEmpty, event, file: file, line: line)
                XCTAssertTrue(reason.contains(event), "reason names the event: \(reason)", file: file, line: line)
            }
        }
        XCTAssertEqual(set.available.count + set.unavailable.count, set.events.count, file: file, line: line)
    }

    func testTaskClockCountsBusyWork() throws {
        try requireSoftwareEvents()
        let set = CounterSet(events: ["perf::TASK-CLOCK", "perf::PAGE-FAULTS"])
        assertPartition(set)
        XCTAssertEqual(set.available, ["perf::TASK-CLOCK", "perf::PAGE-FAULTS"], "\(set.unavailable)")
        try set.start()
        XCTAssertGreaterThan(busyLoop(), 0)
        let counts = try set.stop()
        XCTAssertGreaterThan(counts["perf::TASK-CLOCK"] ?? 0, 0)
        XCTAssertGreaterThan(counts["perf::PAGE-FAULTS"] ?? 0, 0)
        XCTAssertEqual(Set(counts.keys), Set(set.available))
        // A set can be started again after a stop.
        try set.start()
        _ = busyLoop()
        XCTAssertGreaterThan(try set.stop()["perf::TASK-CLOCK"] ?? 0, 0)
    }

    func testBogusEventIsUnavailableNotZero() throws {
        try requireSoftwareEvents()
        let set = CounterSet(events: ["NOT_AN_EVENT", "perf::TASK-CLOCK"])
        assertPartition(set)
        let reason = try XCTUnwrap(set.unavailable["NOT_AN_EVENT"])
        print("NOT_AN_EVENT: \(reason)")
        XCTAssertFalse(set.available.contains("NOT_AN_EVENT"))
        try set.start()
        _ = busyLoop()
        let counts = try set.stop()
        XCTAssertNil(counts["NOT_AN_EVENT"])
        XCTAssertNotNil(counts["perf::TASK-CLOCK"])
    }

    func testDefaultEventsPartitionAndHardwareEitherWay() throws {
        let set = CounterSet(events: CounterSet.defaultEvents)
        assertPartition(set)
        print("available: \(set.available)")
        for (_, reason) in set.unavailable.sorted(by: { $0.key < $1.key }) { print("unavailable: \(reason)") }
        try set.start()
        _ = busyLoop()
        let counts = try set.stop()
        XCTAssertEqual(Set(counts.keys), Set(set.available))
        if set.available.contains("PAPI_TOT_CYC") {
            XCTAssertGreaterThan(counts["PAPI_TOT_CYC"] ?? 0, 0)
        } else {
            let reason = try XCTUnwrap(set.unavailable["PAPI_TOT_CYC"])
            XCTAssertFalse(reason.isEmpty)
        }
        try requireSoftwareEvents()
        XCTAssertTrue(set.available.contains("perf::TASK-CLOCK"))
    }

    func testCountsOnPinnedWorkerThread() throws {
        try requireSoftwareEvents()
        let topo = try Topology()
        let cpu = Pinning.chooseDefaultCPU(topology: topo)
        let result = LockedBox<[String: Int64]?>(nil)
        onDedicatedThread {
            do {
                try Pinning.pinCurrentThread(toCPU: cpu, topology: topo)
                let set = CounterSet(events: ["perf::TASK-CLOCK", "perf::CPU-MIGRATIONS"])
                try set.start()
                _ = busyLoop()
                let counts = try set.stop()
                result.update { $0 = counts }
            } catch {
                XCTFail("\(error)")
            }
        }
        let counts = try XCTUnwrap(result.value)
        XCTAssertGreaterThan(counts["perf::TASK-CLOCK"] ?? 0, 0)
        XCTAssertEqual(counts["perf::CPU-MIGRATIONS"], 0, "a pinned thread does not migrate")
    }

    func testEventThatFailsToStartIsWeededOut() throws {
        try requireSoftwareEvents()
        CounterSet.simulateStartFailure(for: "perf::CONTEXT-SWITCHES")
        let set = CounterSet(events: ["perf::TASK-CLOCK", "perf::CONTEXT-SWITCHES", "perf::PAGE-FAULTS"])
        CounterSet.simulateStartFailure(for: nil)
        assertPartition(set)
        XCTAssertEqual(set.available, ["perf::TASK-CLOCK", "perf::PAGE-FAULTS"])
        let reason = try XCTUnwrap(set.unavailable["perf::CONTEXT-SWITCHES"])
        XCTAssertTrue(reason.contains("PAPI_start"), reason)
        try set.start()
        _ = busyLoop()
        let counts = try set.stop()
        XCTAssertEqual(Set(counts.keys), ["perf::TASK-CLOCK", "perf::PAGE-FAULTS"])
        // The busy loop runs for milliseconds (millions of ns) and faults in 8 MiB (~2k pages): if
        // the rebuilt set returned values in the wrong order these would swap.
        XCTAssertGreaterThan(counts["perf::TASK-CLOCK"] ?? 0, 100_000)
        XCTAssertLessThan(counts["perf::PAGE-FAULTS"] ?? .max, 100_000)
        XCTAssertGreaterThan(counts["perf::PAGE-FAULTS"] ?? 0, 0)
    }

    func testMisuseThrows() throws {
        let set = CounterSet(events: ["perf::TASK-CLOCK"])
        XCTAssertThrowsError(try set.stop())           // stop without start
        try set.start()
        XCTAssertThrowsError(try set.start())          // double start
        let other = LockedBox<Error?>(nil)
        let box = UncheckedBox(set)
        onDedicatedThread {
            do { _ = try box.value.stop() } catch { other.update { $0 = error } }
        }
        XCTAssertNotNil(other.value, "stop from another thread must throw")
        _ = try set.stop()
    }

    func testLLCEventSelection() {
        let set = CounterSet(events: CounterSet.defaultEvents)
        if let llc = set.llcEvent {
            XCTAssertTrue(set.available.contains(llc))
            XCTAssertTrue(CounterSet.llcEventCandidates.contains(llc))
        } else {
            XCTAssertFalse(set.available.contains { CounterSet.llcEventCandidates.contains($0) })
        }
        let resolved = CounterSet.resolvingLLCEvent()
        let candidates = resolved.filter { CounterSet.llcEventCandidates.contains($0) }
        XCTAssertTrue(candidates.count == 1 || candidates == CounterSet.llcEventCandidates, "\(resolved)")
        XCTAssertEqual(resolved.filter { !CounterSet.llcEventCandidates.contains($0) },
                       CounterSet.defaultEvents.filter { !CounterSet.llcEventCandidates.contains($0) })
        let resolvedSet = CounterSet(events: resolved)
        print("LLC event: \(resolvedSet.llcEvent ?? "none"); resolved list: \(resolved)")
        for c in CounterSet.llcEventCandidates where resolvedSet.unavailable[c] != nil {
            print("  \(resolvedSet.unavailable[c]!)")
        }
        if candidates.count == 1 { XCTAssertEqual(resolvedSet.llcEvent, candidates[0]) }
    }

    func testDuplicatesAreCountedOnce() {
        let set = CounterSet(events: ["perf::TASK-CLOCK", "perf::TASK-CLOCK"])
        XCTAssertEqual(set.events, ["perf::TASK-CLOCK"])
        assertPartition(set)
    }

    func testPAPIStatus() {
        let status = CounterSet.papiStatus()
        XCTAssertTrue(status.ok == (status.reason == nil))
    }
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

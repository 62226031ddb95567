import Foundation
import XCTest

@testable import Platform

final class ThreadPoolTests: XCTestCase {
    var topology: Topology!

    override func setUpWithError() throws { topology = try Topology() }

    /// A pool pins its creator (worker 0); later tests, and the threads they start, must not inherit that.
    override func tearDown() {
        if let topology { XCTAssert(Pinning.unpinCurrentThread(topology: topology), "could not unpin the test thread") }
        super.tearDown()
    }

    /// Up to `count` distinct allowed CPUs, then repeating: tests may oversubscribe, measurements never do.
    func cpus(_ count: Int) -> [Int] {
        let all = topology.coreLocations().map(\.cpu)
        return (0..<count).map { all[$0 % all.count] }
    }

    func testRunCallsEveryWorkerOnceOnItsPinnedCPU() throws {
        let chosen = cpus(Swift.min(2, topology.coreLocations().count))
        let pool = try ThreadPool(cpus: chosen, topology: topology)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: chosen.count * 8)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: chosen.count * 8)
        for _ in 0..<100 { pool.run { w in hits[w * 8] += 1 } }
        for w in 0..<chosen.count { XCTAssertEqual(hits[w * 8], 100, "worker \(w): expected 100 calls in 100 runs, saw \(hits[w * 8])") }
        XCTAssertEqual(pool.observedCPUs, chosen, "workers should run on their pinned CPUs \(chosen), saw \(pool.observedCPUs)")
        XCTAssertEqual(Pinning.currentCPU(topology: topology), chosen[0], "the creating thread is worker 0, pinned to \(chosen[0])")
    }

    /// Each round every worker writes its slot, meets the others, then checks every slot: a barrier that let
    /// a worker through early, or a missing memory ordering, shows up as a stale slot. Oversubscribed on
    /// purpose (more workers than cores), the hardest case for a spinning barrier.
    func testBarrierMakesEveryWorkersWritesVisibleToAll() throws {
        for workers in [2, 3, 5] {
            let pool = try ThreadPool(cpus: cpus(workers), topology: topology)
            let slots = UnsafeMutablePointer<Int>.allocate(capacity: workers * 8)
            let stale = UnsafeMutablePointer<Int>.allocate(capacity: workers * 8)
            defer { slots.deallocate(); stale.deallocate() }
            slots.initialize(repeating: -1, count: workers * 8)
            stale.initialize(repeating: 0, count: workers * 8)
            pool.run { w in
                for round in 0..<200 {
                    slots[w * 8] = round
                    pool.barrier()
                    for other in 0..<workers where slots[other * 8] != round { stale[w * 8] += 1 }
                    pool.barrier()  // nobody starts the next round's write before everyone has checked
                }
            }
            let total = (0..<workers).reduce(0) { $0 + stale[$1 * 8] }
            XCTAssertEqual(total, 0, "\(workers) workers: \(total) stale reads after a barrier")
        }
    }

    func testUnknownCPUIsRefusedWithTheAvailableOnes() {
        XCTAssertThrowsError(try ThreadPool(cpus: [cpus(1)[0], 99_999], topology: topology)) { error in
            guard case let PlatformError.noSuchCPU(cpu, available) = error else { return XCTFail("expected noSuchCPU, saw \(error)") }
            XCTAssertEqual(cpu, 99_999)
            XCTAssertFalse(available.isEmpty, "the error should list the available CPUs")
        }
        XCTAssertThrowsError(try ThreadPool(cpus: [], topology: topology), "an empty pool should be refused")
    }

    // MARK: Placement

    func location(_ core: Int, package: Int, node: Int, l3: Int) -> CoreLocation {
        CoreLocation(core: core, cpu: core * 2, package: package, numaNode: node, l3: l3)
    }

    func testScatteredRoundRobinsOverNUMANodesAndCompactKeepsLogicalOrder() {
        // Two packages, one NUMA node each, two L3s per package, two cores per L3.
        let cores = (0..<8).map { location($0, package: $0 / 4, node: $0 / 4, l3: $0 / 2) }
        XCTAssertEqual(CoreLocation.order(cores, placement: .compact).map(\.core), Array(0..<8))
        XCTAssertEqual(CoreLocation.scatterLevel(cores)?.name, "NUMA nodes")
        XCTAssertEqual(CoreLocation.order(cores, placement: .scattered).map(\.core), [0, 4, 1, 5, 2, 6, 3, 7],
                       "scattered should alternate between the two NUMA nodes")
    }

    func testScatteredFallsBackToPackagesThenL3s() {
        let packages = (0..<4).map { location($0, package: $0 / 2, node: 0, l3: $0 / 2) }
        XCTAssertEqual(CoreLocation.scatterLevel(packages)?.name, "packages")
        XCTAssertEqual(CoreLocation.order(packages, placement: .scattered).map(\.core), [0, 2, 1, 3])
        let l3s = (0..<6).map { location($0, package: 0, node: 0, l3: $0 / 3) }
        XCTAssertEqual(CoreLocation.scatterLevel(l3s)?.name, "L3 caches")
        XCTAssertEqual(CoreLocation.order(l3s, placement: .scattered).map(\.core), [0, 3, 1, 4, 2, 5])
        let flat = (0..<3).map { location($0, package: 0, node: 0, l3: 0) }
        XCTAssertNil(CoreLocation.scatterLevel(flat), "one node, package and L3: nothing to scatter over")
        XCTAssertEqual(CoreLocation.order(flat, placement: .scattered), flat, "then scattered is compact")
    }

    func testThisMachinesPlacementsUseDistinctCoresAndStopAtTheCoreCount() {
        let cores = topology.coreLocations()
        XCTAssertFalse(cores.isEmpty, "hwloc should report at least one core")
        for placement in Placement.allCases {
            let all = topology.cpus(threads: cores.count, placement: placement)
            XCTAssertEqual(all.map { Set($0).count }, cores.count, "\(placement): \(cores.count) workers on \(cores.count) distinct CPUs, saw \(String(describing: all))")
            XCTAssertNil(topology.cpus(threads: cores.count + 1, placement: placement), "\(placement): more workers than cores should be refused")
            XCTAssertNil(topology.cpus(threads: 0, placement: placement), "\(placement): zero workers should be refused")
        }
        XCTAssertGreaterThanOrEqual(topology.totalLLCBytes, topology.llcBytes)
    }

    func testSlicedBufferHoldsWhatItsWorkersWrite() throws {
        let chosen = cpus(2)
        let n = 3 * 4096
        let buffer = try SlicedBuffer(count: n, slices: [(0..<n / 2, chosen[0]), (n / 2..<n, chosen[1])], topology: topology)
        XCTAssertEqual(Int(bitPattern: buffer.pointer) % 4096, 0, "pages must be aligned for binding")
        let pool = try ThreadPool(cpus: chosen, topology: topology)
        let p = buffer.pointer
        pool.run { w in for i in (w == 0 ? 0..<n / 2 : n / 2..<n) { p[i] = Float(i) } }
        XCTAssert((0..<n).allSatisfy { p[$0] == Float($0) }, "every element should hold what its worker wrote")
        print("sliced buffer placement: \(buffer.placement)")
        XCTAssertThrowsError(try SlicedBuffer(count: 1 << 40, slices: [], topology: topology, availableMemory: { 1 << 30 })) { error in
            guard case PlatformError.outOfMemory = error else { return XCTFail("expected outOfMemory, saw \(error)") }
        }
    }
}

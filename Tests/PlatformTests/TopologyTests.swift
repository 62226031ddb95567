import XCTest
@testable import Platform

final class TopologyTests: XCTestCase {
    func testCountsAndCaches() throws {
        let topo = try Topology()
        XCTAssertGreaterThanOrEqual(topo.pus, 1)
        XCTAssertGreaterThanOrEqual(topo.cores, 1)
        XCTAssertGreaterThanOrEqual(topo.packages, 1)
        XCTAssertGreaterThanOrEqual(topo.numaNodes, 1)
        XCTAssertGreaterThan(topo.llcBytes, 0)
        if let l1 = topo.l1dBytes, let l2 = topo.l2Bytes { XCTAssertLessThan(l1, l2) }
        print("caches: L1d \(topo.l1dBytes ?? -1) L2 \(topo.l2Bytes ?? -1) L3 \(topo.l3Bytes ?? -1) "
              + "LLC \(topo.llcBytes) (L\(topo.llcLevel ?? -1), \(topo.cacheSource))")
    }

    func testCoreCPUsCoverEveryPUOnce() throws {
        let topo = try Topology()
        let cores = topo.coreCPUs()
        XCTAssertEqual(cores.count, topo.cores)
        let all = cores.flatMap { $0 }
        XCTAssertEqual(all.count, topo.pus)
        XCTAssertEqual(Set(all), Set(topo.cpus()))
    }

    func testRender() throws {
        let topo = try Topology()
        let text = topo.render()
        print(text)
        XCTAssertFalse(text.isEmpty)
        XCTAssertTrue(text.contains("PU"))
        XCTAssertTrue(text.contains("Package"))
        XCTAssertEqual(text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("PU ") }.count,
                       topo.pus)
    }

    func testNumaNodeOfCPU() throws {
        let topo = try Topology()
        for cpu in topo.cpus() { XCTAssertNotNil(topo.numaNode(ofCPU: cpu), "CPU \(cpu)") }
        XCTAssertNil(topo.numaNode(ofCPU: 1 << 20))
        XCTAssertNil(topo.numaNode(ofCPU: -1))
    }

    func testCacheFallbackOrder() {
        var consulted: [String] = []
        let hw = Topology.resolveCaches(hwloc: [1: 32768, 3: 1 << 25],
                                        sysconf: { consulted.append("sysconf"); return [:] },
                                        sysfs: { consulted.append("sysfs"); return [:] })
        XCTAssertEqual(hw.source, "hwloc")
        XCTAssertEqual(consulted, [], "fallbacks are not read when hwloc knows the caches")

        let sc = Topology.resolveCaches(hwloc: [:], sysconf: { [2: 1 << 20] }, sysfs: { [:] })
        XCTAssertEqual(sc.sizes, [2: 1 << 20])
        XCTAssertTrue(sc.source.hasPrefix("sysconf"), sc.source)

        let fs = Topology.resolveCaches(hwloc: [:], sysconf: { [:] }, sysfs: { [3: 8 << 20] })
        XCTAssertTrue(fs.source.hasPrefix("sysfs"), fs.source)

        let none = Topology.resolveCaches(hwloc: [:], sysconf: { [:] }, sysfs: { [:] })
        XCTAssertTrue(none.sizes.isEmpty)
        XCTAssertTrue(none.source.contains("assumed"), none.source)
    }

    func testSysfsCacheParsing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("platform-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let entries: [(String, String, String, String)] = [
            ("index0", "1", "Data", "32K"), ("index1", "1", "Instruction", "32K"),
            ("index2", "2", "Unified", "1024K"), ("index3", "3", "Unified", "32768K"),
        ]
        for (dir, level, type, size) in entries {
            let d = root.appendingPathComponent(dir)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try (level + "\n").write(to: d.appendingPathComponent("level"), atomically: true, encoding: .utf8)
            try (type + "\n").write(to: d.appendingPathComponent("type"), atomically: true, encoding: .utf8)
            try (size + "\n").write(to: d.appendingPathComponent("size"), atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(Topology.cachesFromSysfs(directory: root.path), [1: 32 << 10, 2: 1 << 20, 3: 32 << 20])
        XCTAssertEqual(Topology.cachesFromSysfs(directory: root.path + "/missing"), [:])
    }

    func testRealSysfsAgreesWithHwlocOnLLC() throws {
        // Both read the same kernel data on Linux; a disagreement would mean we mis-parse one.
        let topo = try Topology()
        let fromSysfs = Topology.cachesFromSysfs(directory: Topology.sysfsCacheDirectory)
        guard let level = fromSysfs.keys.max(), topo.cacheSource == "hwloc" else {
            throw XCTSkip("sysfs cache info not available here")
        }
        XCTAssertEqual(topo.llcLevel, level)
        XCTAssertEqual(topo.llcBytes, fromSysfs[level])
    }
}

import Foundation
import XCTest

@testable import Harness
@testable import Softmax

final class TunedPresetTests: XCTestCase {
    /// A results table of pass rows: (isa, family, kernel, n, median).
    private func table(_ rows: [(String, String, String, Int, Double)]) throws -> ResultTable {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tune-\(UUID().uuidString).csv").path
        let writer = try ResultWriter(path: path)
        for (isa, family, kernel, n, median) in rows {
            var row = ResultRow(experiment: "tune", processorID: "p", microarchitecture: "m", isa: isa, preset: "", kind: .pass,
                                algorithm: family, kernel: kernel, n: n, cpu: 0, bytesPerElement: 4)
            row.samples = [median, median, median]
            writer.append(row)
        }
        return try ResultTable(path: path)
    }

    func testChoosesTheFastestOutOfCacheAndBreaksTiesInCache() throws {
        let t = try table([
            ("avx2", "rmax", "rmax_avx2_x32_acc4", 1000, 2.0), ("avx2", "rmax", "rmax_avx2_x32_acc4", 10_000_000, 1.00),
            ("avx2", "rmax", "rmax_avx2_x64_acc4", 1000, 1.0), ("avx2", "rmax", "rmax_avx2_x64_acc4", 10_000_000, 1.01),
            ("avx2", "vscale", "vscale_avx2_x32", 1000, 1.0), ("avx2", "vscale", "vscale_avx2_x32", 10_000_000, 2.0),
            ("avx2", "vscale", "vscale_avx2_x64", 1000, 9.0), ("avx2", "vscale", "vscale_avx2_x64", 10_000_000, 1.0),
        ])
        let chosen = TunedPreset.choose(t)
        XCTAssertEqual(chosen["avx2"]?["rmax"]?.kernel, "rmax_avx2_x64_acc4", "within 2% out of cache: the in-cache winner")
        XCTAssertEqual(chosen["avx2"]?["vscale"]?.kernel, "vscale_avx2_x64", "clearly faster out of cache wins")
    }

    /// A streaming-store kernel that wins only at the largest size is not chosen: the plan would run it at
    /// the other out-of-cache sizes too, where it loses to its plain twin.
    func testStreamingKernelMustKeepUpWithItsPlainTwinAtEveryStreamingSize() throws {
        let plain = "vscaleextexp_avx2_x40", streaming = "vscaleextexp_avx2_x40_nt"
        XCTAssertEqual(KernelRegistry.plainTwin(of: KernelRegistry.named(streaming)!)?.name, plain, "fixture: the twin pair")
        func rows(streamingAt10M: Double) -> [(String, String, String, Int, Double)] {
            [("avx2", "vscaleextexp", plain, 65536, 1.0), ("avx2", "vscaleextexp", plain, 10_000_000, 10.0), ("avx2", "vscaleextexp", plain, 64_000_000, 80.0),
             ("avx2", "vscaleextexp", streaming, 65536, 1.1), ("avx2", "vscaleextexp", streaming, 10_000_000, streamingAt10M),
             ("avx2", "vscaleextexp", streaming, 64_000_000, 60.0)]
        }
        let losing = TunedPreset.choose(try table(rows(streamingAt10M: 11.0)), streamingThreshold: 4_000_000)
        XCTAssertEqual(losing["avx2"]?["vscaleextexp"]?.kernel, plain, "10% slower at 10M: the plain twin, though streaming wins at 64M")
        let keepingUp = TunedPreset.choose(try table(rows(streamingAt10M: 10.1)), streamingThreshold: 4_000_000)
        XCTAssertEqual(keepingUp["avx2"]?["vscaleextexp"]?.kernel, streaming, "within 2% at 10M and faster at 64M: streaming")
        let belowThreshold = TunedPreset.choose(try table(rows(streamingAt10M: 11.0)), streamingThreshold: 20_000_000)
        XCTAssertEqual(belowThreshold["avx2"]?["vscaleextexp"]?.kernel, streaming, "10M is below a 20M threshold, where the plan runs the twin anyway")
    }

    func testWritesALoadablePresetWithEveryCompleteAlgorithm() throws {
        var rows: [(String, String, String, Int, Double)] = []
        for family in PassFamily.allCases {
            for (i, kernel) in KernelRegistry.kernels(family: family, isa: .portable).enumerated() {
                rows.append(("portable", family.rawValue, kernel.name, 100_000, 1 + Double(i)))
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("presets-\(UUID().uuidString)")
        let path = try TunedPreset.write(from: try table(rows), processorID: "cpu-x", presetsFolder: folder, log: { _ in })
        XCTAssertEqual(path, folder.appendingPathComponent("tuned/cpu-x.json").path)
        let preset = try Preset.load(from: URL(fileURLWithPath: path))
        XCTAssertEqual(preset.name, "tuned")
        for algorithm in Algorithm.allCases {
            XCTAssertNotNil(try? preset.plan(algorithm, isa: .portable), "tuned preset lacks \(algorithm.rawValue)")
        }
    }

    func testAMissingTunedPresetSaysHowToMakeIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("experiments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("presets"), withIntermediateDirectories: true)
        let runner = Runner(options: RunOptions(experimentsFolder: folder, resultsFolder: folder), log: { _ in })
        XCTAssertThrowsError(try runner.loadPreset("tuned", processorID: "nowhere")) { error in
            XCTAssert("\(error)".contains("softmax-repro run tune"), "expected a hint to run tune, saw: \(error)")
        }
    }

    func testNoPassRowsIsAnError() throws {
        XCTAssertThrowsError(try TunedPreset.write(from: try table([]), processorID: "x",
                                                   presetsFolder: FileManager.default.temporaryDirectory, log: { _ in }))
    }
}

final class RooflineTests: XCTestCase {
    func testVerdictIsTheLargerBoundAndEfficiencyIsBoundOverMedian() {
        let memory = ResultRow.Roofline(memoryBoundSeconds: 2, computeBoundSeconds: 1)
        XCTAssertEqual(memory.bound, "memory")
        XCTAssertEqual(memory.efficiency(median: 4), 0.5)
        let compute = ResultRow.Roofline(memoryBoundSeconds: 1, computeBoundSeconds: 3)
        XCTAssertEqual(compute.bound, "compute")
        XCTAssertEqual(compute.efficiency(median: 3), 1)
    }

    /// Each pass is compared with the reference loop of its access pattern.
    func testEveryFamilyHasTheReferenceOfItsAccessPattern() {
        for family in PassFamily.allCases {
            let reference = Worker.referenceName(for: family.rawValue)
            let expected = family == .vscale ? "scale" : (family.writesOutput ? "copy" : "read")
            XCTAssertEqual(reference, expected, family.rawValue)
            XCTAssertNotNil(MemoryReference.named(reference, isa: .portable))
            let streamed = Worker.referenceName(for: family.rawValue, nonTemporalStores: true)
            XCTAssertEqual(streamed, family == .vscale ? "scale" : (family.writesOutput ? "copy_nt" : "read"), family.rawValue)
            for isa in ISA.allCases { XCTAssertNotNil(MemoryReference.named(streamed, isa: isa), "\(streamed) \(isa)") }
        }
    }

    func testRooflineCellsAppearOnlyWithAVerdict() {
        var row = ResultRow(experiment: "e", processorID: "p", microarchitecture: "m", isa: "avx2", preset: "", kind: .pass,
                            algorithm: "rmax", kernel: "k", n: 10, cpu: 0, bytesPerElement: 4)
        row.samples = [2, 2, 2]
        XCTAssertEqual(row.cells()["roofline_bound"], nil)
        row.roofline = .init(memoryBoundSeconds: 1, computeBoundSeconds: 0.5)
        let cells = row.cells()
        XCTAssertEqual(cells["roofline_bound"], "memory")
        XCTAssertEqual(cells["efficiency"], "0.5")
    }
}

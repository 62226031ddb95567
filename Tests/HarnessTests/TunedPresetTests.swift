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
                                subject: fixtureSubject(.pass, family), kernel: kernel, n: n, cpu: 0, bytesPerElement: 4)
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

    /// The exp passes share one exp method per ISA: a table-method kernel that is fastest for its family
    /// is passed over when another exp family has no timed kernel of that method, and two-pass's passes
    /// (raddextexp and vscaleextexp have lut16p3 kernels) take part in the choice like the others.
    func testExpPassesShareOneExpMethod() throws {
        let n = 10_000_000
        let threePassOnly = TunedPreset.choose(try table([
            ("avx2", "raddexpminusmax", "raddexpminusmax_avx2_x96", n, 2.0),
            ("avx2", "raddexpminusmax", "raddexpminusmax_avx2_x96_lut16p3", n, 1.0),
            ("avx2", "vscaleexpminusmax", "vscaleexpminusmax_avx2_x24", n, 1.0),
            ("avx2", "vscaleexpminusmax", "vscaleexpminusmax_avx2_x24_lut16p3", n, 1.5),
            ("avx2", "rmax", "rmax_avx2_x32_acc4", n, 1.0),
        ]))
        XCTAssertEqual(threePassOnly["avx2"]?["raddexpminusmax"]?.kernel, "raddexpminusmax_avx2_x96_lut16p3", "lut is faster in total (2.5 < 3)")
        XCTAssertEqual(threePassOnly["avx2"]?["vscaleexpminusmax"]?.kernel, "vscaleexpminusmax_avx2_x24_lut16p3", "the same method, though slower alone")
        XCTAssertEqual(threePassOnly["avx2"]?["rmax"]?.kernel, "rmax_avx2_x32_acc4", "rmax computes no exp: unconstrained")
        let withTwoPass = TunedPreset.choose(try table([
            ("avx2", "raddexpminusmax", "raddexpminusmax_avx2_x96", n, 2.0),
            ("avx2", "raddexpminusmax", "raddexpminusmax_avx2_x96_lut16p3", n, 1.0),
            ("avx2", "raddextexp", "raddextexp_avx2_x96", n, 1.0),
        ]))
        XCTAssertEqual(withTwoPass["avx2"]?["raddexpminusmax"]?.kernel, "raddexpminusmax_avx2_x96", "raddextexp has no timed lut16p3 kernel")
        let withTwoPassLut = TunedPreset.choose(try table([
            ("avx2", "raddexpminusmax", "raddexpminusmax_avx2_x96", n, 2.0),
            ("avx2", "raddexpminusmax", "raddexpminusmax_avx2_x96_lut16p3", n, 1.0),
            ("avx2", "raddextexp", "raddextexp_avx2_x96", n, 1.0),
            ("avx2", "raddextexp", "raddextexp_avx2_x96_lut16p3", n, 1.5),
        ]))
        XCTAssertEqual(withTwoPassLut["avx2"]?["raddexpminusmax"]?.kernel, "raddexpminusmax_avx2_x96_lut16p3", "lut is faster in total (2.5 < 3)")
        XCTAssertEqual(withTwoPassLut["avx2"]?["raddextexp"]?.kernel, "raddextexp_avx2_x96_lut16p3", "the same method, though slower alone")
    }

    /// A streaming-store variant competes like any other: where it starts to run is the crossover's
    /// business (StreamingCrossoverTests), not a reason to pass it over.
    func testStreamingKernelWinsWhereItIsFastestOutOfCache() throws {
        let plain = "vscaleextexp_avx2_x40", streaming = "vscaleextexp_avx2_x40_nt"
        let chosen = TunedPreset.choose(try table([
            ("avx2", "vscaleextexp", plain, 65536, 1.0), ("avx2", "vscaleextexp", plain, 64_000_000, 80.0),
            ("avx2", "vscaleextexp", streaming, 65536, 1.1), ("avx2", "vscaleextexp", streaming, 64_000_000, 60.0),
        ]))
        XCTAssertEqual(chosen["avx2"]?["vscaleextexp"]?.kernel, streaming)
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
        XCTAssertEqual(memory.efficiency(samples: [4, 4, 4], median: 4), 0.5, "no per-round bounds: ratio of medians")
        let compute = ResultRow.Roofline(memoryBoundSeconds: 1, computeBoundSeconds: 3)
        XCTAssertEqual(compute.bound, "compute")
        XCTAssertEqual(compute.efficiency(samples: [3], median: 3), 1)
    }

    /// With per-round bounds the efficiency is the median of the per-round ratios to the bound that applies,
    /// so a round in which the whole machine ran slower changes nothing.
    func testEfficiencyPairsTheBoundWithThePassRoundByRound() {
        // Rounds 4 and 5 ran at half speed for every contender; in round 3 only the pass ran faster.
        let compute = ResultRow.Roofline(memoryBoundSeconds: 1, computeBoundSeconds: 3, memoryBoundSamples: [1, 1, 1, 1, 1],
                                         computeBoundSamples: [3, 3, 3, 6, 6])
        XCTAssertEqual(compute.bound, "compute")
        XCTAssertEqual(compute.efficiency(samples: [6, 6, 3.5, 7, 7], median: 6), 6.0 / 7.0, accuracy: 1e-12,
                       "pairs 0.5, 0.5, 0.857, 0.857, 0.857; the ratio of medians would say 3 / 6 = 0.5")
        XCTAssertEqual(compute.efficiency(samples: [6, 6, 7], median: 6), 0.5, "sample counts differ: the ratio of medians")
        let memory = ResultRow.Roofline(memoryBoundSeconds: 4, computeBoundSeconds: 1, memoryBoundSamples: [2, 4, 8],
                                        computeBoundSamples: [1, 1, 1])
        XCTAssertEqual(memory.efficiency(samples: [4, 5, 8], median: 5), 0.8, accuracy: 1e-12, "pairs 0.5, 0.8, 1 of the memory bound")
    }

    /// Each pass is compared with the reference loop of its access pattern.
    func testEveryFamilyHasTheReferenceOfItsAccessPattern() {
        for family in PassFamily.allCases {
            let reference = Rooflines.referenceName(for: family.rawValue)
            let expected = family == .vscale ? "scale" : (family.writesOutput ? "copy" : "read")
            XCTAssertEqual(reference, expected, family.rawValue)
            XCTAssertNotNil(MemoryReference.named(reference, isa: .portable))
            let streamed = Rooflines.referenceName(for: family.rawValue, nonTemporalStores: true)
            XCTAssertEqual(streamed, family == .vscale ? "scale" : (family.writesOutput ? "copy_nt" : "read"), family.rawValue)
            for isa in ISA.allCases { XCTAssertNotNil(MemoryReference.named(streamed, isa: isa), "\(streamed) \(isa)") }
        }
    }

    func testRooflineCellsAppearOnlyWithAVerdict() {
        var row = ResultRow(experiment: "e", processorID: "p", microarchitecture: "m", isa: "avx2", preset: "", kind: .pass,
                            subject: .passFamily(.rmax), kernel: "k", n: 10, cpu: 0, bytesPerElement: 4)
        row.samples = [2, 2, 2]
        XCTAssertEqual(row.cells()["roofline_bound"], nil)
        row.roofline = .init(memoryBoundSeconds: 1, computeBoundSeconds: 0.5)
        let cells = row.cells()
        XCTAssertEqual(cells["roofline_bound"], "memory")
        XCTAssertEqual(cells["efficiency"], "0.5")
        row.samples = [2, 4, 8]
        row.roofline = .init(memoryBoundSeconds: 2, computeBoundSeconds: 0.5, memoryBoundSamples: [1, 2, 4], computeBoundSamples: [0.5, 0.5, 0.5])
        XCTAssertEqual(row.cells()["efficiency"], "0.5", "paired: 1/2, 2/4, 4/8 (the ratio of medians would be 2/4 too)")
        XCTAssertEqual(row.cells()["memory_bound_s"], "2")
    }
}

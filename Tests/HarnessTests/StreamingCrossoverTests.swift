import Foundation
import XCTest

@testable import Harness
@testable import Softmax

final class StreamingCrossoverTests: XCTestCase {
    func testLadderDoublesFromAQuarterOfTheCacheSizeToTheLargest() {
        let t = (32 << 20) / 8  // 4M elements: x and y fill a 32 MiB LLC
        XCTAssertEqual(StreamingCrossover.sizes(llcBytes: 32 << 20, largest: 64 << 20), [t / 4, t / 2, t, 2 * t, 4 * t, 8 * t, 16 * t])
        XCTAssertEqual(StreamingCrossover.sizes(llcBytes: 32 << 20, largest: 10_000_000), [t / 4, t / 2, t, 2 * t, 10_000_000],
                       "the largest tune size ends the ladder")
        XCTAssertEqual(StreamingCrossover.sizes(llcBytes: 32 << 20, largest: 1000), [1000])
    }

    /// The threshold is where streaming stops losing for good: a win below a loss does not count.
    func testThresholdIsTheSmallestSizeFromWhichStreamingNeverLoses() {
        let sizes = [1, 2, 3, 4]
        XCTAssertEqual(StreamingCrossover.threshold(sizes: sizes, speedups: [1: 1.1, 2: 0.9, 3: 1.0, 4: 1.2]), 3)
        XCTAssertEqual(StreamingCrossover.threshold(sizes: sizes, speedups: [1: 1.1, 2: 1.0, 3: 1.3, 4: 1.2]), 1)
        XCTAssertNil(StreamingCrossover.threshold(sizes: sizes, speedups: [1: 1.1, 2: 1.2, 3: 1.3, 4: 0.99]), "loses at the largest: never")
        XCTAssertEqual(StreamingCrossover.threshold(sizes: sizes, speedups: [1: 1.1, 2: 1.2, 4: 1.2]), 4, "a failed size counts as a loss")
        XCTAssertNil(StreamingCrossover.threshold(sizes: [], speedups: [:]))
    }

    func testContendersAreTheTunedPlanStreamingEverywhereAndItsPlainTwins() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, so AVX2 plans cannot be made")
        let pair = try XCTUnwrap(try StreamingCrossover.contenders(algorithm: .threePassReload,
                                                                   kernelNames: ["rmax_avx2_x64_acc4", "raddstoreexpminusmax_avx2_x64_acc2_nt", "vscale_avx2_x64"]))
        XCTAssertEqual(pair.streamed.kernelsRun(n: 1).map(\.name), ["rmax_avx2_x64_acc4", "raddstoreexpminusmax_avx2_x64_acc2_nt", "vscale_avx2_x64"])
        XCTAssertEqual(pair.plain.kernelsRun(n: 1 << 30).map(\.name), ["rmax_avx2_x64_acc4", "raddstoreexpminusmax_avx2_x64_acc2", "vscale_avx2_x64"])
        XCTAssertNil(try StreamingCrossover.contenders(algorithm: .twoPass, kernelNames: ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40"]),
                     "nothing to compare without a streaming-store kernel")
    }

    /// Pass rows for every AVX2 kernel where the streaming-store variants win out of cache, plus
    /// crossover rows (softmax, preset tuned) per algorithm given as n -> (streamed samples, plain samples).
    private func tuneTable(crossover: [Algorithm: [Int: ([Double], [Double])]]) throws -> ResultTable {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tune-\(UUID().uuidString).csv").path
        let writer = try ResultWriter(path: path)
        for (i, kernel) in KernelRegistry.kernels(isa: .avx2).enumerated() {
            for (n, median) in [(65536, 1.0 + Double(i) * 1e-3), (64 << 20, kernel.nonTemporalStores ? 1.0 : 2.0)] {
                var row = ResultRow(experiment: "tune", processorID: "p", microarchitecture: "m", isa: "avx2", preset: "", kind: .pass,
                                    subject: .passFamily(kernel.family), kernel: kernel.name, n: n, cpu: 0, bytesPerElement: 4)
                row.samples = [median, median, median]
                writer.append(row)
            }
        }
        let tuned = TunedPreset.kernels(from: try ResultTable(path: path))["avx2"] ?? [:]
        for (algorithm, bySize) in crossover {
            let names = try XCTUnwrap(tuned[algorithm.rawValue], "fixture: \(algorithm.rawValue) tuned")
            let pair = try XCTUnwrap(try StreamingCrossover.contenders(algorithm: algorithm, kernelNames: names), "fixture: streams")
            for (n, (streamed, plain)) in bySize {
                for (plan, samples) in [(pair.streamed, streamed), (pair.plain, plain)] {
                    var row = ResultRow(experiment: "tune", processorID: "p", microarchitecture: "m", isa: "avx2", preset: "tuned", kind: .softmax,
                                        subject: .algorithm(algorithm), kernel: plan.kernelsRun(n: n).map(\.name).joined(separator: "+"), n: n,
                                        cpu: 0, bytesPerElement: Double(plan.bytesPerElement))
                    row.samples = samples
                    writer.append(row)
                }
            }
        }
        return try ResultTable(path: path)
    }

    /// Speedups pair samples round by round (plain / streamed), not medians of each.
    func testVerdictsPairTheSamplesOfEachRound() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, so AVX2 plans cannot be made")
        // Rounds drift 1 -> 2 -> 4: streaming is 10% faster in round 1, 10% slower in rounds 2 and 3.
        let table = try tuneTable(crossover: [.twoPass: [1000: ([1.0, 2.2, 4.4], [1.1, 2.0, 4.0]), 2000: ([1, 1, 1], [1.2, 1.2, 1.2])]])
        let verdict = try XCTUnwrap(StreamingCrossover.verdicts(table)["avx2"]?["two-pass"])
        XCTAssertEqual(verdict.speedups[1000] ?? 0, 2.0 / 2.2, accuracy: 1e-12)
        XCTAssertEqual(verdict.speedups[2000] ?? 0, 1.2, accuracy: 1e-12)
        XCTAssertEqual(verdict.threshold, 2000)
        XCTAssertEqual(verdict.summary, "1000 0.91, 2000 1.20")
    }

    /// The written preset streams each algorithm from its measured threshold, keeps the plain twins where
    /// streaming never paid, and leaves an unmeasured algorithm at the default threshold.
    func testTunedPresetRecordsThresholdsAndDropsStreamingThatNeverPays() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, so AVX2 plans cannot be made")
        let fast = [1.0, 1.0, 1.0], slow = [1.1, 1.1, 1.1]
        let table = try tuneTable(crossover: [
            .twoPass: [1 << 20: (slow, fast), 16 << 20: (fast, slow), 64 << 20: (fast, slow)],
            .threePassRecompute: [1 << 20: (fast, slow), 16 << 20: (fast, slow), 64 << 20: (slow, fast)],
        ])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("presets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var logged: [String] = []
        let path = try TunedPreset.write(from: table, processorID: "cpu-x", presetsFolder: folder, log: { logged.append($0) })
        let preset = try Preset.load(from: URL(fileURLWithPath: path))

        let twoPass = try preset.plan(.twoPass, isa: .avx2)
        XCTAssertEqual(twoPass.streamingThreshold, 16 << 20)
        XCTAssert(twoPass.kernels.contains(where: \.nonTemporalStores), "two-pass keeps its streaming kernel: \(twoPass)")

        let recompute = try preset.plan(.threePassRecompute, isa: .avx2)
        XCTAssertFalse(recompute.kernels.contains(where: \.nonTemporalStores), "slower at the largest n: plain twins, saw \(recompute)")
        XCTAssertNil(preset.streamingThresholds?["avx2"]?["three-pass-recompute"])

        let reload = try preset.plan(.threePassReload, isa: .avx2)
        XCTAssert(reload.kernels.contains(where: \.nonTemporalStores), "fixture: reload streams")
        XCTAssertEqual(reload.streamingThreshold, SoftmaxPlan.defaultStreamingThreshold, "not measured: the default")
        XCTAssert(logged.contains { $0.contains("no streaming crossover rows for avx2 three-pass-reload") }, "\(logged)")
        XCTAssert(preset.description.contains("avx2 two-pass: from 16777216"), preset.description)
        XCTAssert(preset.description.contains("avx2 three-pass-recompute: never"), preset.description)
    }
}

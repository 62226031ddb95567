import Foundation
import XCTest
import Softmax
@testable import Harness

/// The authors' per-processor presets, `list --presets` and how a plan treats a preset without kernels
/// for an ISA.
final class PresetCatalogTests: XCTestCase {
    let presetsFolder = repositoryRoot.appendingPathComponent("experiments/presets")

    /// The authors' released benchmark (all AVX2, p5 polynomial): per preset, (elements per iteration,
    /// accumulators) of two-pass's two passes, recompute's last two and reload's last two. rmax is their
    /// AVX rmax (x32, 4 accumulators) in every one; vscale their unroll32.
    let authors: [String: [String: [(Int, Int)]]] = [
        "broadwell": ["two-pass": [(96, 1), (32, 1)], "three-pass-recompute": [(32, 4), (96, 1), (24, 1)], "three-pass-reload": [(32, 4), (64, 1), (32, 1)]],
        "zen2": ["two-pass": [(72, 1), (40, 1)], "three-pass-recompute": [(32, 4), (80, 1), (16, 1)], "three-pass-reload": [(32, 4), (64, 1), (32, 1)]],
        "skylake": ["two-pass": [(64, 1), (40, 1)], "three-pass-recompute": [(32, 4), (64, 2), (24, 1)], "three-pass-reload": [(32, 4), (80, 2), (32, 1)]],
        "blend": ["two-pass": [(96, 1), (40, 1)], "three-pass-recompute": [(32, 4), (96, 1), (24, 1)], "three-pass-reload": [(32, 4), (64, 2), (32, 1)]],
    ]

    func testTheAuthorsPresetsRunTheirExactAVX2Kernels() throws {
        for (name, algorithms) in authors {
            let preset = try Preset.load(from: presetsFolder.appendingPathComponent("\(name).json"))
            if name != PresetCatalog.defaultName {
                XCTAssertEqual(Array(preset.kernels.keys), ["avx2"], "\(name): the authors' per-processor presets are AVX2 only")
            }
            for (algorithm, shapes) in algorithms {
                let plan = try preset.plan(Algorithm(rawValue: algorithm)!, isa: .avx2)
                let seen = plan.kernels.map { ($0.elementsPerIteration, $0.accumulators) }
                XCTAssertEqual(seen.map { "\($0.0)/\($0.1)" }, shapes.map { "\($0.0)/\($0.1)" },
                               "\(name) \(algorithm): (elements per iteration/accumulators) of \(plan.kernels.map(\.name))")
                XCTAssert(plan.kernels.allSatisfy { $0.variant.isEmpty }, "\(name) \(algorithm): plain kernels, saw \(plan.kernels.map(\.name))")
            }
            // online is not in the authors' presets: blend's first pass with the preset's recompute last pass.
            let online = try preset.plan(.online, isa: .avx2).kernels.map(\.name)
            let recompute = try preset.plan(.threePassRecompute, isa: .avx2).kernels.map(\.name)
            XCTAssertEqual(online, ["rmaxaddexp_avx2_x64_acc2", recompute.last!], "\(name): online's kernels")
        }
    }

    func testListingShowsBlendTunedThenTheAuthorsPresetsWithADescription() throws {
        let folder = try makeTemporaryFolder("preset-catalog")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tuned"), withIntermediateDirectories: true)
        for name in ["blend", "broadwell", "skylake", "zen2"] {
            try FileManager.default.copyItem(at: presetsFolder.appendingPathComponent("\(name).json"), to: folder.appendingPathComponent("\(name).json"))
        }
        XCTAssertEqual(PresetCatalog.names(presetsFolder: folder, processorID: "cpu-a"), ["blend", "broadwell", "skylake", "zen2"],
                       "without a tuned preset for this processor")
        let tuned = Preset(name: "tuned", description: "Fastest variants on cpu-a",
                           kernels: ["avx2": ["two-pass": ["raddextexp_avx2_x64", "vscaleextexp_avx2_x16"]]])
        try JSONEncoder().encode(tuned).write(to: folder.appendingPathComponent("tuned/cpu-a.json"))
        XCTAssertEqual(PresetCatalog.names(presetsFolder: folder, processorID: "cpu-a"), ["blend", "tuned", "broadwell", "skylake", "zen2"],
                       "with a tuned preset for cpu-a")
        XCTAssertEqual(PresetCatalog.names(presetsFolder: folder, processorID: "cpu-b"), ["blend", "broadwell", "skylake", "zen2"],
                       "cpu-a's tuned preset is not cpu-b's")
        let lines = PresetCatalog.listing(presetsFolder: folder, processorID: "cpu-a")
        XCTAssertEqual(lines.count, 5, "one line per preset; saw \(lines)")
        assertContains(lines[1], ["tuned\t[avx2]\tFastest variants on cpu-a"], "tuned's line")
        assertContains(lines[2], ["broadwell\t[avx2]\t", "Broadwell"], "broadwell's line")
        assertContains(lines[0], ["blend\t[portable, avx2, avx512f]\t", "paper"], "blend's line")
        XCTAssert(lines.allSatisfy { !$0.contains("\n") && !$0.contains("INVALID") }, "one valid line each; saw \(lines)")
    }

    func testAPresetWithoutKernelsForAnISAIsSkippedThereWithANote() throws {
        let experiment = try Experiment.parse(Data(#"{"description": "d", "kind": "softmax", "sizes": [1000], "presets": ["blend", "zen2"]}"#.utf8),
                                              id: "mixed", source: "mixed.json")
        let presets = try ["blend", "zen2"].map { try Preset.load(from: presetsFolder.appendingPathComponent("\($0).json")) }
        let plan = try WorkPlan(experiment: experiment, isas: [.avx2, .avx512f], presets: presets)
        let ran = (plan.items[1000] ?? []).compactMap { item -> String? in
            guard case let .softmax(softmaxPlan, preset) = item else { return nil }
            return "\(preset) \(softmaxPlan.kernels[0].isa.rawValue)"
        }
        XCTAssertEqual(Set(ran), ["blend avx2", "blend avx512f", "zen2 avx2"], "presets run per ISA")
        XCTAssertEqual(plan.notes, ["note: preset 'zen2' has no kernels for avx512f: skipped for avx512f"], "one note for zen2 on avx512f")

        let passes = try Experiment.parse(Data(#"{"description": "d", "kind": "passes", "sizes": [1000], "presets": ["zen2"]}"#.utf8),
                                          id: "passes", source: "passes.json")
        let passPlan = try WorkPlan(experiment: passes, isas: [.avx2, .avx512f], presets: [presets[1]])
        XCTAssertEqual(passPlan.notes, ["note: preset 'zen2' has no kernels for avx512f: skipped for avx512f"], "passes: the same note")
    }

    func testTheSoftmaxExperimentsRunTheAuthorsPresets() throws {
        let experiment = try Experiment.load(id: "softmax", folder: repositoryRoot.appendingPathComponent("experiments"))
        XCTAssertEqual(experiment.presets, ["blend", "lut", "broadwell", "zen2", "skylake"], "softmax's presets")
        XCTAssertEqual(experiment.optionalPresets, ["tuned"], "softmax's optional presets")
        // The device run's out-of-cache experiment: softmax's presets at the paper's sizes past every LLC.
        let outOfCache = try Experiment.load(id: "softmax-out-of-cache", folder: repositoryRoot.appendingPathComponent("experiments"))
        XCTAssertEqual(outOfCache.kind, .softmax, "softmax-out-of-cache's kind")
        XCTAssertEqual(outOfCache.sizes, [10_000_000, 30_000_000, 100_000_000], "softmax-out-of-cache's sizes")
        XCTAssertEqual(outOfCache.presets, experiment.presets, "softmax-out-of-cache's presets are softmax's")
        XCTAssertEqual(outOfCache.optionalPresets, experiment.optionalPresets, "softmax-out-of-cache's optional presets are softmax's")
    }
}

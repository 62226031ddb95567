import Foundation
import XCTest

@testable import Softmax

final class PresetTests: XCTestCase {
    private func load(_ json: String) throws -> Preset {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("preset-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try json.write(to: url, atomically: true, encoding: .utf8)
        return try Preset.load(from: url)
    }

    private let streamingTwoPass = #""kernels": {"portable": {"two-pass": ["raddextexp_portable_x4_acc4", "vscaleextexp_portable_x4"]}, "avx2": {"two-pass": ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40_nt"], "online": ["rmaxaddexp_avx2_x32", "vscaleexpminusmax_avx2_x40_nt"]}}"#

    /// A measured threshold replaces the default for its ISA and algorithm only.
    func testPlansTakeTheirStreamingThresholdFromThePreset() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, so AVX2 plans cannot be made")
        let preset = try load(#"{"name": "x", "description": "", \#(streamingTwoPass), "streaming_thresholds": {"avx2": {"two-pass": 12345}}}"#)
        let twoPass = try preset.plan(.twoPass, isa: .avx2)
        XCTAssertEqual(twoPass.streamingThreshold, 12345)
        XCTAssertEqual(twoPass.kernelsRun(n: 12344).map(\.name), ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40"], "below: the plain twin")
        XCTAssertEqual(twoPass.kernelsRun(n: 12345).map(\.name), ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40_nt"], "from it: streaming")
        XCTAssertEqual(try preset.plan(.online, isa: .avx2).streamingThreshold, SoftmaxPlan.defaultStreamingThreshold,
                       "an algorithm without a measured threshold keeps the default")
    }

    func testPresetWithoutThresholdsUsesTheDefault() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, so AVX2 plans cannot be made")
        let preset = try load(#"{"name": "x", "description": "", \#(streamingTwoPass)}"#)
        XCTAssertNil(preset.streamingThresholds)
        XCTAssertEqual(try preset.plan(.twoPass, isa: .avx2).streamingThreshold, SoftmaxPlan.defaultStreamingThreshold)
    }

    func testBadStreamingThresholdsNameTheProblem() throws {
        let cases: [(String, String)] = [
            (#"{"avx2": {"three-pass-reload": 100}}"#, "avx2.three-pass-reload, which has no kernels"),
            (#"{"avx2": {"two-pass": -1}}"#, "streaming_thresholds.avx2.two-pass is -1"),
            (#"{"avx2": {"two-pass": "big"}}"#, "streaming_thresholds"),
        ]
        for (thresholds, expected) in cases {
            XCTAssertThrowsError(try load(#"{"name": "x", "description": "", \#(streamingTwoPass), "streaming_thresholds": \#(thresholds)}"#)) {
                XCTAssert("\($0)".contains(expected), "\(thresholds): expected '\(expected)' in: \($0)")
            }
        }
    }

    /// The table-exp presets, their method and lookup variant, and their exp passes: lut (16 entries,
    /// permutes) and lut64 (64 entries, gathers) on AVX2 and AVX512F, lut64perm (64 entries, permutes) on
    /// AVX512F only.
    private let tablePresets = [(file: "lut.json", method: "lut16p3", variant: "", expPasses: 14),
                                (file: "lut64.json", method: "lut64p2", variant: "", expPasses: 14),
                                (file: "lut64perm.json", method: "lut64p2", variant: "perm", expPasses: 5)]

    /// Each table-exp preset runs its table-based exp in every pass that computes exp, never the paper's
    /// method beside it (a preset compares exp methods, so one method per preset), and only kernels this
    /// registry has.
    func testLutPresetsUseTheirTableExpInEveryExpPass() throws {
        for (file, method, variant, expPasses) in tablePresets {
            let preset = try Preset.load(from: presetsFolder.appendingPathComponent(file))
            var checked = 0
            for (isa, algorithms) in preset.kernels {
                for (algorithm, names) in algorithms {
                    for name in names {
                        let kernel = try XCTUnwrap(KernelRegistry.named(name), "\(file) \(isa) \(algorithm): \(name) is not in the registry")
                        if [.rmax, .vscale].contains(kernel.family) { continue }
                        XCTAssertEqual(kernel.expMethod, method, "\(file) \(isa) \(algorithm): \(name)")
                        XCTAssertEqual(kernel.variant, variant, "\(file) \(isa) \(algorithm): \(name)")
                        checked += 1
                    }
                }
            }
            XCTAssertEqual(checked, expPasses, "\(file): the exp passes of its algorithms on each of its ISAs (two-pass 2, three-pass-recompute 2, three-pass-reload 1, online 2)")
        }
    }

    /// The table-exp presets' softmaxes agree with float64 as blend's does: each table exp is within blend's
    /// 2-ulp exp bound.
    func testLutPresetsSoftmaxMatchesFloat64() throws {
        for preset in tablePresets { try assertSoftmaxMatchesFloat64(presetFile: preset.file) }
    }

    private func assertSoftmaxMatchesFloat64(presetFile: String) throws {
        let preset = try Preset.load(from: presetsFolder.appendingPathComponent(presetFile))
        let isas = ISA.supported.filter { preset.kernels[$0.rawValue] != nil }
        if isas.isEmpty { throw XCTSkip("this CPU runs none of \(presetFile)'s ISAs (AVX2, AVX512F)") }
        for isa in isas {
            for algorithm in Algorithm.allCases where preset.kernels[isa.rawValue]?[algorithm.rawValue] != nil {
                let plan = try preset.plan(algorithm, isa: isa)
                for (r, range) in inputRanges.enumerated() {
                    for n in [1, 17, 1000, 100_003] {
                        let x = uniform(n, in: range, seed: UInt64(r) + 120)
                        assertClose(plan(x), Float64Reference.softmax(x), rel: softmaxBound(plan, n: n), "\(presetFile) \(algorithm.rawValue) \(isa.rawValue) n=\(n) range \(range)")
                    }
                }
            }
        }
    }
}

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
}

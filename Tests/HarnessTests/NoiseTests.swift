import Foundation
import Softmax
import XCTest
@testable import Harness

/// Rounds with foreign load on the measuring CPU are measured again, and the run's rows and metadata say so.
final class NoiseTests: RunnerTestCase {
    /// Reports `share` of foreign load for the listed rounds (counted across the run), none otherwise.
    final class InjectedLoad: NoiseProbe, @unchecked Sendable {
        let noisyRounds: Set<Int>
        let share: Double
        private(set) var round = 0
        init(noisyRounds: Set<Int>, share: Double = 0.4) {
            self.noisyRounds = noisyRounds
            self.share = share
        }
        func beginRound() {}
        func endRound() -> Double {
            defer { round += 1 }
            return noisyRounds.contains(round) ? share : 0
        }
    }

    func testANoisyRoundIsRepeatedNotKept() throws {
        try writeExperiment("noisy", tinyJSON(sizes: [256], extra: #""isas": ["portable"], "algorithms": ["two-pass"]"#))
        let load = InjectedLoad(noisyRounds: [1])
        let runner = Runner(options: makeOptions(), log: { [log] in log!.append($0) })
        runner.makeNoiseProbe = { load }
        let report = try runner.run("noisy")
        let rows = try readTable(report).rows
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["samples"], "3", "three rounds kept, as the experiment asks")
        XCTAssertEqual(rows[0]["rounds_repeated"], "1", "the noisy round was measured again")
        XCTAssertEqual(load.round, 4, "four rounds ran: three kept, one repeated")
        let noise = try XCTUnwrap(try readMetadata(report)["noise"] as? [String: Any], "metadata: noise")
        XCTAssertEqual(noise["rounds_repeated"] as? Int, 1)
        XCTAssertEqual(noise["rounds_kept"] as? Int, 3)
        XCTAssertNotNil(noise["effective_clock_ghz"], "the clock probe's range is recorded")
        assertContains(log.text, ["1 of 4 rounds were measured again", "busy"], "stderr")
    }

    func testAQuietRunRepeatsNothingAndRecordsItsPrecision() throws {
        try writeExperiment("quiet", tinyJSON(sizes: [256], extra: #""isas": ["portable"], "algorithms": ["two-pass", "three-pass-reload"]"#))
        let runner = Runner(options: makeOptions { $0.samples = 6 }, log: { [log] in log!.append($0) })
        runner.makeNoiseProbe = { InjectedLoad(noisyRounds: []) }
        let report = try runner.run("quiet")
        for row in try readTable(report).rows {
            XCTAssertEqual(row["rounds_repeated"], "0")
            XCTAssertEqual(row["samples"], "6")
            let low = try XCTUnwrap(Double(row["median_ci_low_s"] ?? ""), "six samples give an interval")
            let high = try XCTUnwrap(Double(row["median_ci_high_s"] ?? ""))
            let median = try XCTUnwrap(Double(row["median_s"] ?? ""))
            XCTAssert(low <= median && median <= high, "the interval holds the median: \(low) <= \(median) <= \(high)")
            XCTAssertEqual(row["precision_target"], "0.02")
            XCTAssert(["yes", "no"].contains(row["precision_met"] ?? ""), "precision_met is yes or no, saw \(row["precision_met"] ?? "nil")")
            assertClose(Double(row["precision"] ?? ""), (high - low) / 2 / median, relative: 1e-4, "precision")
        }
        XCTAssertFalse(log.text.contains("measured again"), "a quiet run warns of nothing: \(log.text)")
    }

    /// Fresh buffers every `rounds_per_allocation` rounds (where their pages fall is noise between
    /// allocations, not a bias of the run); 0 keeps one allocation per size.
    func testBuffersAreAllocatedAfreshEveryRoundsPerAllocation() throws {
        for (perAllocation, expected) in [(1, 2 * 3), (2, 2 * 2), (0, 2 * 1)] {
            let id = "fresh\(perAllocation)"
            try writeExperiment(id, tinyJSON(sizes: [256, 1024], extra: #""isas": ["portable"], "algorithms": ["two-pass"], "rounds_per_allocation": \#(perAllocation)"#))
            let report = try run(id)
            let noise = try XCTUnwrap(try readMetadata(report)["noise"] as? [String: Any])
            XCTAssertEqual(noise["buffer_allocations"] as? Int, expected, "rounds_per_allocation \(perAllocation): 2 sizes x 3 rounds")
            for row in try readTable(report).rows {
                XCTAssertEqual(row["status"], "ok", "every timed output checked in fresh buffers too: \(row["error"] ?? "")")
                XCTAssertEqual(row["samples"], "3")
            }
        }
    }
}

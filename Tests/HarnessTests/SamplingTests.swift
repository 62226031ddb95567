import Foundation
import Softmax
import XCTest
@testable import Harness

/// When a size's rounds stop (Sampling), with a fake clock, and which rounds are measured again.
final class SamplingTests: XCTestCase {
    final class FakeClock: @unchecked Sendable {
        var seconds = 0.0
    }

    func experiment(samples: Int = 15, maxRounds: Int = 45, budget: Double = 45) throws -> Experiment {
        var e = try Experiment.parse(Data(#"{"description": "d", "kind": "softmax", "sizes": [64]}"#.utf8), id: "t", source: "t.json")
        e.samples = samples
        e.maxRounds = maxRounds
        e.roundBudgetSeconds = budget
        return e
    }

    /// Runs rounds until Sampling stops, each round taking `roundSeconds` on the fake clock and adding
    /// one sample per contender from `draw(contender, round)`.
    func simulate(_ e: Experiment, contenders: Int, comparisons: [(numerator: Int, denominator: Int)], roundSeconds: Double,
                  foreign: (Int) -> Double = { _ in 0 }, draw: (Int, Int) -> Double) -> (sampling: Sampling, samples: [[Double]]) {
        let clock = FakeClock()
        var sampling = Sampling(experiment: e, comparisons: comparisons, clock: { clock.seconds })
        var samples = [[Double]](repeating: [], count: contenders)
        var attempt = 0
        let failed = [Bool](repeating: false, count: contenders)
        while !sampling.done(samples: samples, failed: failed) {
            clock.seconds += roundSeconds
            let round = (0..<contenders).map { draw($0, attempt) }
            let share = foreign(attempt)
            attempt += 1
            if sampling.shouldRepeat(foreignShare: share) { continue }
            for i in 0..<contenders { samples[i].append(round[i]) }
            XCTAssertLessThan(attempt, 10_000, "runaway sampling")
        }
        return (sampling, samples)
    }

    func testStopsAfterTheMinimumRoundsWhenTargetsAreMet() throws {
        // Two contenders within +-0.1% of their values: every interval is far inside 1% and 2%.
        let (sampling, samples) = simulate(try experiment(), contenders: 2, comparisons: [(1, 0)], roundSeconds: 0.1) { i, r in
            (i == 0 ? 1.0 : 1.3) * (1 + 0.001 * Double(r % 3 - 1))
        }
        XCTAssertEqual(sampling.rounds, 15, "targets met: stop at the 15 rounds that always run")
        XCTAssertEqual(samples[0].count, 15)
        XCTAssertEqual(sampling.targetsMet(samples: samples, failed: [false, false]), [true, true])
    }

    func testGoesOnUntilThePairedRatioIsWithinItsTarget() throws {
        // Independent noise of +-4%: the paired ratio needs more rounds than 15 to get within 1%.
        var rng = SplitMix64(seed: 7)
        let noise = (0..<200).map { _ in [1 + 0.04 * (Double(rng.next() >> 11) * 0x1p-53 * 2 - 1), 1 + 0.04 * (Double(rng.next() >> 11) * 0x1p-53 * 2 - 1)] }
        let (sampling, samples) = simulate(try experiment(maxRounds: 200, budget: 1000), contenders: 2, comparisons: [(1, 0)], roundSeconds: 0.1) { i, r in
            (i == 0 ? 1.0 : 1.3) * noise[r][i]
        }
        XCTAssertGreaterThan(sampling.rounds, 15, "a wide ratio keeps sampling")
        XCTAssertLessThan(sampling.rounds, 200, "and it stops once the target is met, before max_rounds")
        let ratio = try XCTUnwrap(pairedRatio(samples[1], over: samples[0]))
        XCTAssertLessThanOrEqual(ratio.relativeHalfWidth, 0.01, "stopped with the ratio within 1%: \(ratio)")
        let fewer = try XCTUnwrap(pairedRatio(Array(samples[1].dropLast()), over: Array(samples[0].dropLast())))
        XCTAssertGreaterThan(fewer.relativeHalfWidth, 0.01, "one round earlier it was not: it stopped at the first round that met the target")
    }

    func testStopsAtTheTimeBudgetWhenTheTargetIsOutOfReach() throws {
        // +-30% noise never gets within 1% in the budget: 45 s of 2 s rounds = 23 rounds (the 15 always run).
        var rng = SplitMix64(seed: 9)
        let (sampling, samples) = simulate(try experiment(maxRounds: 1000, budget: 45), contenders: 2, comparisons: [(1, 0)], roundSeconds: 2) { _, _ in
            1 + 0.3 * Double(rng.next() >> 11) * 0x1p-53
        }
        XCTAssertEqual(sampling.rounds, 23, "stops at the first round at or past the 45 s budget")
        XCTAssertEqual(sampling.targetsMet(samples: samples, failed: [false, false]), [false, false], "and says the targets were missed")
    }

    func testStopsAtMaxRounds() throws {
        var rng = SplitMix64(seed: 11)
        let (sampling, _) = simulate(try experiment(maxRounds: 20, budget: 1e9), contenders: 1, comparisons: [], roundSeconds: 1) { _, _ in
            1 + 0.5 * Double(rng.next() >> 11) * 0x1p-53
        }
        XCTAssertEqual(sampling.rounds, 20)
    }

    func testNoisyRoundsAreRepeatedAtMostSamplesTimes() throws {
        // Rounds 3 and 4 carry a 30% foreign load: measured again, not kept.
        let (sampling, samples) = simulate(try experiment(), contenders: 2, comparisons: [], roundSeconds: 0.1,
                                           foreign: { $0 == 3 || $0 == 4 ? 0.3 : 0.01 }) { i, r in r == 3 || r == 4 ? 99 : 1 + Double(i) }
        XCTAssertEqual(sampling.repeated, 2)
        XCTAssertEqual(sampling.rounds, 15)
        XCTAssertFalse(samples.joined().contains(99), "a repeated round's samples are discarded")
        XCTAssertFalse(sampling.repeatsExhausted)
        // A machine that stays busy: `samples` repeats, then its rounds are kept and the run says so. Five
        // equal samples allow no interval yet, so a sixth round follows.
        let (busy, _) = simulate(try experiment(samples: 5), contenders: 1, comparisons: [], roundSeconds: 0.1, foreign: { _ in 0.5 }) { _, _ in 1 }
        XCTAssertEqual(busy.repeated, 5)
        XCTAssertTrue(busy.repeatsExhausted)
        XCTAssertEqual(busy.rounds, 6)
    }

    func testComparisonsPairEveryAlgorithmWithTwoPassAndStreamedTwins() {
        func row(_ algorithm: String, preset: String = "blend", isa: String = "avx2", kernel: String = "k") -> ResultRow {
            ResultRow(experiment: "e", processorID: "p", microarchitecture: "u", isa: isa, preset: preset, kind: .softmax, subject: fixtureSubject(.softmax, algorithm),
                      kernel: kernel, n: 1000, cpu: 0, bytesPerElement: 12)
        }
        let rows = [row("two-pass"), row("three-pass-recompute"), row("three-pass-reload"), row("two-pass", isa: "avx512f"),
                    row("three-pass-reload", isa: "avx512f"), row("three-pass-reload", preset: "tuned")]
        let pairs = Comparisons.pairs(rows).map { "\($0.numerator)/\($0.denominator)" }
        XCTAssertEqual(Set(pairs), ["1/0", "2/0", "4/3"], "each algorithm over two-pass of its ISA and preset; a preset without two-pass has none")
    }
}

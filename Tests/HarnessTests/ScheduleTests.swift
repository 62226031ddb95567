import XCTest
@testable import Harness

final class ScheduleTests: XCTestCase {
    let mib = 1 << 20

    func testPaddedCountRoundsUpTo32Floats() {
        let cases: [(n: Int, expected: Int)] = [(0, 0), (1, 32), (31, 32), (32, 32), (33, 64), (1000, 1024), (1024, 1024),
                                                (1025, 1056), (10_000_000, 10_000_000), (300_000_001, 300_000_032)]
        for c in cases {
            let seen = Schedule.paddedCount(c.n)
            XCTAssertEqual(seen, c.expected, "paddedCount(\(c.n)): expected \(c.expected), saw \(seen)")
            XCTAssertEqual(seen % 32, 0, "paddedCount(\(c.n)) = \(seen): expected a multiple of 32 floats (128 bytes)")
        }
    }

    /// 1 + ceil(LLC / (paddedCount(n) * 4)), worked by hand.
    func testRotatingSlicesOnWorkedExamples() {
        let cases: [(n: Int, llc: Int, expected: Int, why: String)] = [
            (1000, 32 * mib, 1 + 8192, "padded 1024 floats = 4096 B; 32 MiB / 4096 B = 8192"),
            (1024, 32 * mib, 1 + 8192, "exactly 4096 B per slice"),
            (1025, 32 * mib, 1 + 7944, "padded 1056 floats = 4224 B; 33554432 / 4224 = 7943.76 -> 7944"),
            (1, 32 * mib, 1 + 262_144, "padded 32 floats = 128 B; 32 MiB / 128 B"),
            (8 * mib, 32 * mib, 2, "one slice is exactly the LLC"),
            (8 * mib + 1, 32 * mib, 2, "one slice is larger than the LLC"),
            (10_000_000, 32 * mib, 2, "40 MB slice > 32 MiB LLC"),
            (100_000, 1 * mib, 1 + 3, "padded 100000 floats = 400000 B; 1048576 / 400000 = 2.6 -> 3"),
            (1000, 0, 1, "no LLC: one slice"),
        ]
        for c in cases {
            let seen = Schedule.rotatingSlices(n: c.n, llcBytes: c.llc)
            XCTAssertEqual(seen, c.expected, "rotatingSlices(n: \(c.n), llcBytes: \(c.llc)) (\(c.why)): expected \(c.expected), saw \(seen)")
        }
    }

    /// The rotating slices together are always larger than the LLC, so every call writes memory it evicted.
    func testRotatingSlicesAlwaysCoverMoreThanTheLLC() {
        for llc in [mib, 32 * mib, 96 * mib] {
            for n in [1, 31, 64, 1000, 4096, 100_000, 3_000_000, 30_000_000] {
                let slices = Schedule.rotatingSlices(n: n, llcBytes: llc)
                let bytes = slices * Schedule.paddedCount(n) * 4
                let otherSlices = (slices - 1) * Schedule.paddedCount(n) * 4
                XCTAssertGreaterThanOrEqual(otherSlices, llc,
                    "n = \(n), LLC = \(llc): expected the \(slices - 1) other slices to cover the LLC, saw \(otherSlices) B (all slices \(bytes) B)")
            }
        }
    }

    /// Slices start whole pages apart and half a page into one: y[i] and x[i] (page-aligned) never share
    /// their low 12 address bits, whatever n is, powers of two included.
    func testSlicesNever4KAliasTheInput() {
        for n in [1, 31, 1000, 1024, 262_144, 10_000_000, 67_108_864] {
            let stride = Schedule.sliceStride(n)
            XCTAssertGreaterThanOrEqual(stride, Schedule.paddedCount(n), "n = \(n)")
            XCTAssertEqual(stride * 4 % 4096, 0, "n = \(n): slices start whole pages apart")
            for slice in 0..<3 { XCTAssertEqual((Schedule.outputOffset + slice * stride) * 4 % 4096, 2048, "n = \(n), slice \(slice)") }
            let bytes = stride * 4
            if bytes >= 1 << 20 { XCTAssertNotEqual(bytes & (bytes - 1), 0, "n = \(n): slices \(bytes) B apart, a power of two") }
        }
    }

    func testOrderIsAPermutationReproducibleFromItsSeed() {
        for count in 0...7 {
            for round in 0..<20 {
                let order = Schedule.order(contenders: count, round: round, seed: 42)
                XCTAssertEqual(order.sorted(), Array(0..<count), "count \(count), round \(round): expected a permutation, saw \(order)")
                XCTAssertEqual(order, Schedule.order(contenders: count, round: round, seed: 42), "the same seed and round give the same order")
            }
        }
        let rounds = (0..<20).map { Schedule.order(contenders: 5, round: $0, seed: 42) }
        XCTAssertGreaterThan(Set(rounds).count, 10, "orders should change from round to round: \(rounds)")
        XCTAssertNotEqual((0..<20).map { Schedule.order(contenders: 5, round: $0, seed: 7) }, rounds, "another seed, other orders")
    }

    /// Over many rounds every contender takes every position about equally often, and follows every
    /// other contender: no contender keeps the same predecessors (and with them its own output state).
    func testEveryContenderTakesEveryPositionAndFollowsEveryOther() {
        let count = 6, rounds = 6000
        var positions = [[Int]](repeating: [Int](repeating: 0, count: count), count: count)
        var predecessors = [[Int]](repeating: [Int](repeating: 0, count: count), count: count)
        for round in 0..<rounds {
            let order = Schedule.order(contenders: count, round: round, seed: 1234)
            for (position, c) in order.enumerated() {
                positions[c][position] += 1
                if position > 0 { predecessors[c][order[position - 1]] += 1 }
            }
        }
        let expected = Double(rounds) / Double(count)
        for c in 0..<count {
            XCTAssert(positions[c].allSatisfy { abs(Double($0) - expected) < 0.15 * expected },
                      "contender \(c): times per position \(positions[c]), expected about \(Int(expected)) each")
            let followed = predecessors[c].enumerated().filter { $0.offset != c }.map(\.element)
            XCTAssert(followed.allSatisfy { $0 > rounds / (count * count) / 2 }, "contender \(c): times after each other contender \(predecessors[c])")
        }
    }

    func testCallsPerSampleReachesTheMinimumSampleTime() {
        let cases: [(perCall: Double, minimum: Double, expected: Int)] = [
            (0x1p-20, 0x1p-10, 1024),  // about 1 us per call, 1 ms per sample
            (3e-4, 1e-3, 4),        // 3.33 calls, rounded up
            (0.4, 1e-3, 1),         // one call already lasts longer
            (1e-3, 1e-3, 1),
            (0, 1e-3, 1),           // a timer that read 0: never divide by zero
            (-1, 1e-3, 1),
            (2e-9, 1e-4, 50_000),
        ]
        for c in cases {
            let seen = Schedule.callsPerSample(secondsPerCall: c.perCall, minSampleSeconds: c.minimum)
            XCTAssertEqual(seen, c.expected, "callsPerSample(secondsPerCall: \(c.perCall), minSampleSeconds: \(c.minimum)): expected \(c.expected), saw \(seen)")
            if c.perCall > 0 {
                XCTAssertGreaterThanOrEqual(Double(seen) * c.perCall, c.minimum * (1 - 1e-12),
                    "\(seen) calls of \(c.perCall) s should last at least \(c.minimum) s")
            }
        }
    }

    /// The buffers the runner allocates for a size: the input plus every rotating output slice.
    func testBufferBytesIsInputPlusAllSlices() {
        let seen = WorkPlan.bufferBytes(n: 1000, llcBytes: 32 * mib)
        // 1000 floats pad to 1024 (4096 B, one page), 8193 slices, plus the 2 KiB offset.
        let expected = 4 * 1000 + 2048 + 4096 * 8193
        XCTAssertEqual(seen, expected, "bufferBytes(n: 1000, llc: 32 MiB): expected \(expected), saw \(seen)")
        // 3e8 floats: slices of 292969 pages each and 17 more, 2 of them.
        let large = WorkPlan.bufferBytes(n: 300_000_000, llcBytes: 32 * mib)
        XCTAssertEqual(large, 4 * 300_000_000 + 2048 + 2 * (292_969 + 17) * 4096, "bufferBytes(n: 3e8): expected input + offset + 2 slices, saw \(large)")
    }

    /// Sizes whose byte count overflows Int saturate (so the runner reports tooLarge instead of trapping).
    func testBufferBytesSaturatesInsteadOfOverflowing() {
        for n in [1 << 60, 1 << 62, Int.max - 1, Int.max] {
            let seen = WorkPlan.bufferBytes(n: n, llcBytes: 32 * mib)
            XCTAssertEqual(seen, Int.max, "bufferBytes(n: \(n)): expected Int.max (saturated), saw \(seen)")
        }
        let n = Int.max / 16
        let seen = WorkPlan.bufferBytes(n: n, llcBytes: 32 * mib)
        XCTAssertGreaterThan(seen, 4 * n, "bufferBytes(n: Int.max / 16): expected the exact count (> 4n), saw \(seen)")
    }
}

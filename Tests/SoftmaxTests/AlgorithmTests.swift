import Foundation
import XCTest

@testable import Softmax

/// The repository's presets folder, found from this file's path.
let presetsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("experiments/presets")

func blendPreset() throws -> Preset { try Preset.load(from: presetsFolder.appendingPathComponent("blend.json")) }

/// Every algorithm on every ISA this CPU runs, as the paper's blend preset composes them.
func blendPlans() throws -> [SoftmaxPlan] {
    let preset = try blendPreset()
    let skipped = ISA.allCases.filter { !$0.isSupported }
    if !skipped.isEmpty { print("note: skipping algorithms on \(skipped.map(\.rawValue).joined(separator: ", ")): not supported by this CPU") }
    return try ISA.supported.flatMap { isa in try Algorithm.allCases.map { try preset.plan($0, isa: isa) } }
}

/// y_i = exp_i * (1/sum): an exp (2 ulp), the sum's error (chains as in pass 1), a reciprocal and one or
/// two multiplications.
func softmaxBound(_ plan: SoftmaxPlan, n: Int, expULP: Double = 2) -> Double {
    let reduction = plan.kernels.first { [.raddextexp, .raddexpminusmax, .raddstoreexpminusmax, .rmaxaddexp].contains($0.family) }!
    let l = lanes(of: plan.isa)
    return relativeBound(expULP: expULP, chain: n / (l * reduction.accumulators) + reduction.elementsPerIteration / l + 2,
                         lanes: l * reduction.accumulators, extra: 3)
}

final class AlgorithmTests: KernelTestCase {
    /// A plan with streaming-store kernels runs them from its threshold on and their plain twins below it;
    /// both must give the softmax. Thresholds 0 and Int.max force each path at every size.
    func testStreamingPlansMatchFloat64OnBothSidesOfTheThreshold() throws {
        var checked = 0
        for plan in try blendPlans() {
            let streamed = plan.kernels.map { k in
                KernelRegistry.all.first {
                    $0.family == k.family && $0.isa == k.isa && $0.elementsPerIteration == k.elementsPerIteration
                        && $0.accumulators == k.accumulators && $0.variant == "nt"
                } ?? k
            }
            guard streamed.contains(where: \.nonTemporalStores) else { continue }
            checked += 1
            for threshold in [0, Int.max] {
                let p = try SoftmaxPlan(algorithm: plan.algorithm, kernels: streamed, streamingThreshold: threshold)
                for n in [1, 7, 17, 100, 1000, 100_003] {
                    let x = uniform(n, in: -1000...1000, seed: 90)
                    assertClose(p(x), Float64Reference.softmax(x), rel: softmaxBound(p, n: n), "\(p.algorithm.rawValue) [\(p)] threshold \(threshold) n=\(n)")
                }
            }
        }
        if ISA.avx2.isSupported { XCTAssertGreaterThan(checked, 0, "blend's write passes should have _nt twins") }
    }

    func testStreamingThresholdComesFromTheLastCacheLevel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("caches-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, level, type, size) in [(0, "1", "Data", "32K"), (1, "1", "Instruction", "32K"), (2, "2", "Unified", "1024K"), (3, "3", "Unified", "32768K")] {
            let dir = folder.appendingPathComponent("index\(index)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try level.write(to: dir.appendingPathComponent("level"), atomically: true, encoding: .utf8)
            try type.write(to: dir.appendingPathComponent("type"), atomically: true, encoding: .utf8)
            try "\(size)\n".write(to: dir.appendingPathComponent("size"), atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(SoftmaxPlan.lastLevelCacheBytes(directory: folder.path), 32 << 20)
        XCTAssertNil(SoftmaxPlan.lastLevelCacheBytes(directory: folder.appendingPathComponent("none").path))
        XCTAssertGreaterThan(SoftmaxPlan.defaultStreamingThreshold, 0)
    }

    func testEveryAlgorithmMatchesFloat64AtEverySize() throws {
        for plan in try blendPlans() {
            let tile = plan.kernels.map(\.elementsPerIteration).max()!
            for (r, range) in inputRanges.enumerated() {
                for n in Array(0...(3 * tile + 1)) + [1_000_000, 1_048_583] {
                    let x = uniform(n, in: range, seed: UInt64(r) + 70)
                    assertClose(plan(x), Float64Reference.softmax(x), rel: softmaxBound(plan, n: n), "\(plan.algorithm.rawValue) [\(plan)] n=\(n) range=\(range)")
                }
            }
        }
    }

    func testMinusInfinityGivesExactZeroAndLeavesTheRestAlone() throws {
        for plan in try blendPlans() {
            let rest = uniform(37, in: -5...5, seed: 80)
            var x = rest
            let positions = [0, 9, 20, 39]
            for p in positions { x.insert(-.infinity, at: p) }
            let y = plan(x)
            for p in positions { XCTAssertEqual(y[p], 0, "\(plan.algorithm.rawValue) [\(plan)] y[\(p)] for -inf") }
            let others = y.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
            assertClose(others, Float64Reference.softmax(rest), rel: softmaxBound(plan, n: x.count), "\(plan.algorithm.rawValue) [\(plan)] unmasked entries")
        }
    }

    func testLargeMasksGiveZero() throws {
        for plan in try blendPlans() {
            for mask: Float in [-1e9, -1e30, -.greatestFiniteMagnitude] {
                var x = uniform(50, in: -5...5, seed: 81)
                x[3] = mask
                x[49] = mask
                let y = plan(x)
                XCTAssertEqual(y[3], 0, "\(plan) mask \(mask)")
                XCTAssertEqual(y[49], 0, "\(plan) mask \(mask)")
                assertClose(y, Float64Reference.softmax(x), rel: softmaxBound(plan, n: 50), "\(plan) mask \(mask)")
            }
        }
    }

    func testNaNAnywhereGivesNaNEverywhere() throws {
        for plan in try blendPlans() {
            for position in [0, 1, 17, 63, 64, 99] {
                var x = uniform(100, in: -5...5, seed: 82)
                x[position] = .nan
                let y = plan(x)
                XCTAssert(y.allSatisfy(\.isNaN), "\(plan): NaN at \(position) gave \(y.filter { !$0.isNaN }.count) non-NaN outputs")
            }
        }
    }

    /// +inf - +inf is NaN: like a float64 reference and PyTorch, an input of +inf makes every output NaN.
    func testPlusInfinityGivesNaNEverywhere() throws {
        for plan in try blendPlans() {
            for x: [Float] in [[1, .infinity, 2], [.infinity], [.infinity, .infinity, -.infinity]] + [uniform(70, in: -1...1, seed: 83) + [.infinity]] {
                let y = plan(x)
                XCTAssert(y.allSatisfy(\.isNaN), "\(plan) on \(x.prefix(4))...: \(y.prefix(4))")
            }
        }
    }

    /// A fully masked row has no defined softmax (0/0): NaN, as PyTorch gives.
    func testAllMinusInfinityGivesNaN() throws {
        for plan in try blendPlans() {
            for n in [1, 2, 8, 33, 200] {
                let y = plan([Float](repeating: -.infinity, count: n))
                XCTAssert(y.allSatisfy(\.isNaN), "\(plan) n=\(n): \(y.prefix(3))")
            }
        }
    }

    /// n = 1 gives 1: exactly for three-pass (exp(0) = 1), within one ulp for two-pass, which multiplies
    /// by a rounded reciprocal of its sum as the paper does (inside its polynomial: 1 + 2^-23 for some x).
    func testSingleElementGivesOne() throws {
        for plan in try blendPlans() {
            for v: Float in [0, 1, -1, 42.5, -1000, 1000, 1e30, -1e30, 2e38, -2e38] {
                let y = plan([v])[0]
                if plan.algorithm == .twoPass {
                    XCTAssert(Swift.abs(y - 1) <= 0x1p-23, "\(plan) x=\(v): \(y)")
                } else {
                    XCTAssertEqual(y, 1, "\(plan) x=\(v)")
                }
            }
        }
    }

    func testAllEqualGivesOneOverN() throws {
        for plan in try blendPlans() {
            for n in [2, 3, 7, 8, 100, 1001] {
                for v: Float in [0, 5, -300, 1e6] {
                    let y = plan([Float](repeating: v, count: n))
                    assertClose(y, [Double](repeating: 1 / Double(n), count: n), rel: softmaxBound(plan, n: n), "\(plan) n=\(n) v=\(v)")
                }
            }
        }
    }

    /// Every algorithm is accurate up to SOFTMAX_EXTEXP_ACCURATE_LIMIT; two-pass's exp is 4 ulp there.
    func testAccurateUpToTheDocumentedLimit() throws {
        for plan in try blendPlans() {
            let x = uniform(20_011, in: largeAccurateRange, seed: 84)
            // Spread so that more than one entry matters: values near the max.
            let near = x.map { $0 / 0x1p17 * 30 + 0x1p17 - 40 }
            for input in [x, near] {
                assertClose(plan(input), Float64Reference.softmax(input), rel: softmaxBound(plan, n: input.count, expULP: 4), "\(plan) |x| <= 2^17")
            }
        }
    }

    /// Beyond the limit two-pass stays defined: finite, non-negative, summing to 1, keeping the argmax,
    /// and exact when the entries are far apart. Three-pass stays accurate.
    func testBeyondTheLimitStaysDefined() throws {
        for plan in try blendPlans() {
            let cases: [[Float]] = [
                [1e30, 0, -1e30],
                [2e30, 1e30],
                [3e7, 3e7 - 64, 3e7 - 128, -3e7],
                uniform(1000, in: -1e8...1e8, seed: 85),
                uniform(1000, in: 1e20...1e21, seed: 86),
            ]
            for x in cases {
                let y = plan(x)
                let what = "\(plan) on \(x.prefix(3))..."
                XCTAssert(y.allSatisfy { $0.isFinite && $0 >= 0 }, "\(what): \(y.prefix(4))")
                XCTAssertEqual(y.reduce(0.0) { $0 + Double($1) }, 1, accuracy: 1e-5, what)
                let argmax = x.indices.max { x[$0] < x[$1] }!
                XCTAssertEqual(y.indices.max { y[$0] < y[$1] }!, argmax, what)
            }
            XCTAssertEqual(plan([1e30, 0, -1e30]), [1, 0, 0], "\(plan)")
            XCTAssertEqual(plan([2e30, 1e30]), [1, 0], "\(plan)")
        }
    }

    /// Beyond +-FLT_MAX * ln2 (2.36e38) x * log2e overflows, so two-pass treats such an input as +-inf
    /// (documented in softmax_kernels.h); three-pass has no exponent to overflow.
    func testTwoPassExponentOverflowActsAsInfinity() throws {
        for plan in try blendPlans() {
            let twoPass = plan.algorithm == .twoPass
            let y = plan([3e38, 1])
            XCTAssert(twoPass ? y.allSatisfy(\.isNaN) : y == [1, 0], "\(plan): \(y)")
            let z = plan([-3e38])
            XCTAssert(twoPass ? z[0].isNaN : z == [1], "\(plan): \(z)")
            XCTAssertEqual(plan([-3e38, 5]), [0, 1], "\(plan)")
        }
    }

    func testPortableAndSIMDAgree() throws {
        let preset = try blendPreset()
        for algorithm in Algorithm.allCases {
            let portable = try preset.plan(algorithm, isa: .portable)
            for isa in ISA.supported where isa != .portable {
                let plan = try preset.plan(algorithm, isa: isa)
                for (r, range) in inputRanges.enumerated() {
                    let x = uniform(100_000, in: range, seed: UInt64(r) + 90)
                    let expected = portable(x).map(Double.init)
                    assertClose(plan(x), expected, rel: softmaxBound(plan, n: x.count) + softmaxBound(portable, n: x.count),
                                "\(algorithm.rawValue) \(isa.rawValue) vs portable, range \(range)")
                }
            }
        }
    }
}

import Foundation
import XCTest

@testable import Softmax

/// The values of the special-values table (docs/numerics.md) and their neighbours: every pair and triple of them
/// is tested together in one row.
let specialValues: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, -1e30, 0]

/// Every committed preset: blend, lut, lut64 and lut64perm (the table-based exps) and each tuned preset under
/// experiments/presets/tuned, with its file's name.
func committedPresets() throws -> [(label: String, preset: Preset)] {
    var presets = [(label: "blend", preset: try blendPreset()),
                   (label: "lut", preset: try Preset.load(from: presetsFolder.appendingPathComponent("lut.json"))),
                   (label: "lut64", preset: try Preset.load(from: presetsFolder.appendingPathComponent("lut64.json"))),
                   (label: "lut64perm", preset: try Preset.load(from: presetsFolder.appendingPathComponent("lut64perm.json")))]
    let tuned = presetsFolder.appendingPathComponent("tuned")
    let files = (try? FileManager.default.contentsOfDirectory(at: tuned, includingPropertiesForKeys: nil)) ?? []
    for file in files.filter({ $0.pathExtension == "json" }).sorted(by: { $0.path < $1.path }) {
        presets.append((label: "tuned/\(file.deletingPathExtension().lastPathComponent)", preset: try Preset.load(from: file)))
    }
    return presets
}

/// A plan with the name a failure message gives it.
struct LabelledPlan {
    let label: String
    let plan: SoftmaxPlan
}

/// Every algorithm on every ISA this CPU runs, as every committed preset composes it; a plan with
/// streaming-store kernels twice, once running them at every size (threshold 0) and once their plain twins.
/// Prints which ISAs it leaves out and why.
func everyPresetPlan(isa: ISA) throws -> [LabelledPlan] {
    var plans: [LabelledPlan] = []
    for (label, preset) in try committedPresets() {
        for algorithm in Algorithm.allCases {
            guard preset.kernels[isa.rawValue]?[algorithm.rawValue] != nil else {
                print("note: preset \(label) has no \(algorithm.rawValue) kernels for \(isa.rawValue); nothing to test there")
                continue
            }
            let plan = try preset.plan(algorithm, isa: isa)
            let streams = plan.kernels.contains(where: \.nonTemporalStores)
            for threshold in streams ? [0, Int.max] : [plan.streamingThreshold] {
                let p = try SoftmaxPlan(algorithm: algorithm, kernels: plan.kernels, streamingThreshold: threshold)
                let variant = streams ? (threshold == 0 ? " streaming" : " plain stores") : ""
                plans.append(LabelledPlan(label: "\(algorithm.rawValue) \(isa.rawValue) \(label)\(variant) [\(p.kernelsRun(n: 1))]", plan: p))
            }
        }
    }
    return plans
}

/// The ISAs to test, printing the reason for each one left out.
func testableISAs() -> [ISA] {
    for isa in ISA.allCases where !isa.isSupported {
        print("note: skipping \(isa.rawValue): this CPU lacks it (CPUID/XGETBV)")
    }
    return ISA.supported
}

/// Row lengths that end on each side of every loop edge of these kernels: 1 to 3, and for the vector
/// and each tile T the lengths around T, T + one vector (the one-vector loop and the masked tail after
/// the main loop) and 2T.
func edgeLengths(_ kernels: [Kernel], lanes l: Int) -> [Int] {
    var lengths: Set<Int> = [1, 2, 3]
    for t in Set(kernels.map(\.elementsPerIteration) + [l]) {
        for edge in [t, t + l, 2 * t] { lengths.formUnion([edge - 1, edge, edge + 1]) }
    }
    return lengths.filter { $0 >= 1 }.sorted()
}

/// The special-values table (docs/numerics.md) for one row: nil where every output must be NaN (a NaN, a +inf, or
/// every entry -inf); otherwise the float64 softmax, in which masked entries are exactly 0. Two-pass counts
/// finite inputs beyond FLT_MAX * ln2 as infinities (x * log2e overflows; softmax_kernels.h).
func specialValueTable(_ x: [Float], algorithm: Algorithm) -> [Double]? {
    let limit = Double(Float.greatestFiniteMagnitude) * M_LN2
    let row = algorithm == .twoPass ? x.map { Swift.abs(Double($0)) > limit ? ($0 > 0 ? Float.infinity : -Float.infinity) : $0 } : x
    if row.contains(where: \.isNaN) || row.contains(.infinity) || row.allSatisfy({ $0 == -.infinity }) { return nil }
    return Float64Reference.softmax(row)
}

/// Failures grouped by plan: how many rows broke the table, and the first of them.
struct TableViolations {
    private(set) var byPlan: [String: (count: Int, first: String)] = [:]
    private(set) var rows = 0

    /// Runs the plan on x and checks its output against the table; expected nil means NaN everywhere. y is
    /// scratch space of x's size.
    mutating func check(_ plan: LabelledPlan, x: [Float], y: inout [Float], expected: [Double]?, what: @autoclosure () -> String) {
        rows += 1
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in plan.plan(n: xb.count, x: xb.baseAddress!, y: yb.baseAddress!) } }
        guard let problem = TableViolations.problem(y, x: x, expected: expected, plan: plan.plan) else { return }
        let old = byPlan[plan.label]
        byPlan[plan.label] = (count: (old?.count ?? 0) + 1, first: old?.first ?? "\(what()): \(problem)")
    }

    static func problem(_ y: [Float], x: [Float], expected: [Double]?, plan: SoftmaxPlan) -> String? {
        guard let expected else {
            var finite = 0
            for v in y where !v.isNaN { finite += 1 }
            guard finite > 0, let i = y.firstIndex(where: { !$0.isNaN }) else { return nil }
            return "expected NaN everywhere, \(finite) outputs are not (y[\(i)] = \(y[i]))"
        }
        let bound = softmaxBound(plan, n: x.count, expULP: plan.algorithm == .twoPass ? 4 : 2)
        for i in y.indices {
            let a = Double(y[i]), e = expected[i]
            if e == 0 {
                if a != 0 { return "y[\(i)] for x = \(x[i]) is \(a), expected exactly 0" }
            } else if !(Swift.abs(a - e) <= bound * e + absoluteFloor) {
                return "y[\(i)] for x = \(x[i]) is \(a), expected \(e) (bound \(bound) relative)"
            }
        }
        return nil
    }

    func report(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for (label, v) in byPlan.sorted(by: { $0.key < $1.key }) {
            XCTFail("\(what): \(label): \(v.count) rows break the special-values table; first: \(v.first)", file: file, line: line)
        }
    }
}

/// Runs body once with FTZ/DAZ set and once with them clear in the caller, restoring the test's setting.
func underBothMXCSRSettings(_ body: (_ flush: Bool) throws -> Void) rethrows {
    let previous = FloatingPointEnvironment.flushDenormals(true)
    defer { FloatingPointEnvironment.flushDenormals(previous) }
    for flush in [true, false] {
        FloatingPointEnvironment.flushDenormals(flush)
        try body(flush)
    }
}

final class SpecialValueTests: KernelTestCase {
    /// Every ordered pair and every rotation of every triple of the special values, packed at the start,
    /// spread over the row (first, middle, last) and packed at the end, in rows of random [-1, 1] filler
    /// whose lengths cross every loop edge of the kernels; every algorithm, ISA and committed preset, with
    /// FTZ/DAZ set and clear.
    func testEveryPairAndTripleOfSpecialValuesFollowsTheTable() throws {
        var combinations: [[Float]] = []
        let v = specialValues
        for i in v.indices {
            for j in v.indices where j != i { combinations.append([v[i], v[j]]) }
        }
        for i in v.indices {
            for j in v.indices where j > i {
                for k in v.indices where k > j {
                    combinations += [[v[i], v[j], v[k]], [v[j], v[k], v[i]], [v[k], v[i], v[j]]]
                }
            }
        }
        try underBothMXCSRSettings { flush in
            for isa in testableISAs() {
                let plans = try everyPresetPlan(isa: isa)
                // Each plan at the lengths around its own kernels' edges; a row's expected output is shared.
                let lengths = plans.map { Set(edgeLengths($0.plan.kernelsRun(n: 1), lanes: lanes(of: isa))) }
                var violations = TableViolations()
                for n in lengths.reduce(Set<Int>(), { $0.union($1) }).sorted() {
                    let active = plans.indices.filter { lengths[$0].contains(n) }.map { plans[$0] }
                    let filler = uniform(n, in: -1...1, seed: 100)
                    var y = filler
                    for combination in combinations where combination.count <= n {
                        let k = combination.count
                        let spread = k == 2 ? [0, n - 1] : [0, n / 2, n - 1]
                        let placements = Set([Array(0..<k), Array((n - k)..<n)] + (Set(spread).count == k ? [spread] : []))
                        for positions in placements {
                            var x = filler
                            for (p, value) in zip(positions, combination) { x[p] = value }
                            // Only two-pass reads the row differently (FLT_MAX counts as +inf there).
                            let twoPassTable = specialValueTable(x, algorithm: .twoPass)
                            let otherTable = specialValueTable(x, algorithm: .threePassRecompute)
                            for plan in active {
                                let expected = plan.plan.algorithm == .twoPass ? twoPassTable : otherTable
                                violations.check(plan, x: x, y: &y, expected: expected, what: "n=\(n) \(combination) at \(positions)")
                            }
                        }
                    }
                }
                violations.report("FTZ/DAZ \(flush ? "set" : "clear")")
                XCTAssertGreaterThan(violations.rows, 0)
            }
        }
    }

    /// Random rows mixing special values with finite inputs of random scale, against float64: each row's
    /// kernels drawn at random among every variant of each pass (streaming ones included), so every kernel
    /// meets such rows. Seeded: the same rows on every run.
    func testRandomRowsWithSpecialValuesMatchFloat64() throws {
        var rng = SplitMix64(seed: 0x5eed_5a1e)
        let extras: [Float] = specialValues + [-1e9, 1e30, -.leastNormalMagnitude, .leastNonzeroMagnitude, 88.7, -103.9]
        try underBothMXCSRSettings { flush in
            for isa in testableISAs() {
                var violations = TableViolations()
                for row in 0..<400 {
                    let n = Int(rng.next() % 700) + 1
                    // Scales where x - max is exact wherever exp(x - max) is not negligible (Sterbenz), or
                    // nearly so ([-1, 1]): three-pass rounds x - max to float, which costs up to 64 ulp at
                    // [-100, 100] (results/amd-zen4-epyc/README.md, accuracy) and is no matter of special values.
                    let scale = Float([1, 1000, 0x1p17][Int(rng.next() % 3)])
                    let specialShare = [0.0, 0.01, 0.1, 0.5][Int(rng.next() % 4)]
                    var x = (0..<n).map { _ in Float.random(in: -scale...scale, using: &rng) }
                    for i in x.indices where Double(rng.next() >> 11) * 0x1p-53 < specialShare {
                        // NaN and +inf make the whole row NaN: rarer, so most rows keep finite outputs to check.
                        let value = extras[Int(rng.next() % UInt64(extras.count))]
                        x[i] = (value.isNaN || value == .infinity) && rng.next() % 4 != 0 ? -.infinity : value
                    }
                    for algorithm in Algorithm.allCases {
                        // Two-pass's second pass takes the first's exp method, as in every preset: for huge
                        // finite inputs only the exponent is exact, and the outputs are exact (1 for 1e30
                        // beside small entries) only when both passes compute the same mantissa, which
                        // differs between methods (docs/exp-kernels.md). Three-pass mixes freely.
                        var method: String?
                        let kernels = algorithm.passes.map { family -> Kernel in
                            var candidates = KernelRegistry.kernels(family: family, isa: isa)
                            if algorithm == .twoPass, let method { candidates = candidates.filter { $0.expMethod == method } }
                            let kernel = candidates[Int(rng.next() % UInt64(candidates.count))]
                            method = method ?? kernel.expMethod
                            return kernel
                        }
                        let plan = try SoftmaxPlan(algorithm: algorithm, kernels: kernels, streamingThreshold: 0)
                        var y = x
                        violations.check(LabelledPlan(label: "\(algorithm.rawValue) [\(plan)]", plan: plan), x: x, y: &y,
                                         expected: specialValueTable(x, algorithm: algorithm),
                                         what: "row \(row) (n=\(n), scale \(scale), specials \(specialShare))")
                    }
                }
                violations.report("FTZ/DAZ \(flush ? "set" : "clear")")
            }
        }
    }
}

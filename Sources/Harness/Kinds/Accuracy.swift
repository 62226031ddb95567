import Foundation
import Platform
import Softmax

// The accuracy experiment. First its pure parts: its input ranges, masks and orders, the inputs they give,
// the float64 reference and the errors of an output against it, which touch no runner, so tests can feed
// them exact values (results/README.md defines the error columns this computes). Then the kind: its keys
// and checks, its metadata protocol, and how the worker measures it.

/// Uniform float32 inputs in [low, high]. Shifted windows such as [1e5, 1e5+10] are as valid as symmetric
/// ranges: where almost every output of a wide range underflows to 0, a narrow window at large |x| keeps
/// every output significant and shows how an algorithm's range reduction copes with large arguments.
public struct InputRange: Equatable, Sendable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// The CSV cell and table label: `[-1e4,1e4]`, `[1e5,1e5+10]`, `[-1,1]`.
    public var label: String { "[\(compactNumber(low)),\(compactNumber(high))]" }

    /// The largest magnitude an input can have: where figures place the range.
    public var largestMagnitude: Double { Swift.max(Swift.abs(low), Swift.abs(high)) }
}

/// Some entries of an input replaced by one value (attention masks use -inf or a large negative number).
public struct InputMask: Equatable, Sendable {
    public enum Count: Equatable, Sendable {
        /// This percentage of the entries (rounded, at least one, never all).
        case percent(Double)
        /// Every entry but one.
        case allButOne
    }

    public var count: Count
    /// The value as the experiment wrote it (the label shows it so); the input holds Float(value).
    public var value: Double

    /// The grammar of a mask in an experiment file, for error messages.
    public static let grammar = "\"none\", \"<percent>%=<value>\" (e.g. \"10%=-inf\", \"10%=-1e9\") or \"all-but-one=<value>\", with a negative value or -inf"

    /// Parses one entry of an experiment's `masks`: nil for "none", a mask otherwise; the error says why not.
    public static func parse(_ text: String) -> Result<InputMask?, MaskError> {
        let spec = text.trimmingCharacters(in: .whitespaces)
        if spec == "none" { return .success(nil) }
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return .failure(MaskError("'\(text)' is not a mask: write \(grammar)")) }
        let count: Count
        if parts[0] == "all-but-one" {
            count = .allButOne
        } else if parts[0].hasSuffix("%"), let percent = Double(parts[0].dropLast()) {
            guard percent > 0, percent < 100 else {
                return .failure(MaskError("'\(text)' masks \(parts[0]) of the entries: the percentage must be above 0 and below 100 (\"all-but-one=<value>\" masks all entries but one)"))
            }
            count = .percent(percent)
        } else {
            return .failure(MaskError("'\(text)' does not say how many entries to mask: write \(grammar)"))
        }
        let value: Double
        if parts[1] == "-inf" {
            value = -.infinity
        } else if Double(parts[1]) == .infinity {
            value = .infinity  // refused below, with the reason
        } else if let v = Double(parts[1]), v.isFinite, Swift.abs(v) <= Double(Float.greatestFiniteMagnitude) {
            value = v
        } else {
            return .failure(MaskError("'\(text)' has the value '\(parts[1])': write -inf or a finite number within float32's range"))
        }
        guard value < 0 else {
            return .failure(MaskError("'\(text)' masks with \(parts[1]): a mask value must be negative (-inf or a large negative number such as -1e9), so masked entries get (almost) no probability"))
        }
        return .success(InputMask(count: count, value: value))
    }

    /// The CSV cell: `10%=-inf`, `all-but-one=-1e30`.
    public var label: String {
        let valueLabel = value == -.infinity ? "-inf" : compactNumber(value)
        switch count {
        case let .percent(p): return "\(compactNumber(p))%=\(valueLabel)"
        case .allButOne: return "all-but-one=\(valueLabel)"
        }
    }

    /// How many of n entries it masks: at least one, and never all (a softmax of only masked entries
    /// has no float64 reference: -inf everywhere gives 0/0).
    public func maskedCount(n: Int) -> Int {
        guard n > 1 else { return 0 }
        switch count {
        case let .percent(p): return Swift.min(Swift.max(1, Int((p / 100 * Double(n)).rounded())), n - 1)
        case .allButOne: return n - 1
        }
    }
}

public struct MaskError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The input of one trial: n floats uniform in the range, then the mask applied at random positions. The
/// generator's seed mixes the experiment's seed with the range, mask, n and trial, so every algorithm and
/// ISA sees the same inputs, on any machine, whatever else the experiment lists.
public func accuracyInput(range: InputRange, mask: InputMask?, n: Int, trial: Int, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed ^ fnv1a("\(range.label)|\(mask?.label ?? "")|\(n)|\(trial)"))
    let width = range.high - range.low
    var x = [Float](repeating: 0, count: n)
    for i in 0..<n {
        let unit = Double(rng.next() >> 11) * 0x1p-53
        x[i] = Float(range.low + width * unit)
    }
    if let mask {
        // A partial Fisher-Yates shuffle picks the masked positions without repeats.
        var positions = Array(0..<n)
        for j in 0..<mask.maskedCount(n: n) {
            let k = j + Int(rng.next() % UInt64(n - j))
            positions.swapAt(j, k)
            x[positions[j]] = Float(mask.value)
        }
    }
    return x
}

/// The order of an input's elements: the same values, drawn as `accuracyInput` draws them, rearranged.
/// Summation order decides how rounding errors accumulate, and for online softmax how often the running
/// max grows (each time rescaling the sum so far by a rounded exp): an ascending input grows it at every
/// element, a max-first one never.
public enum InputOrder: String, CaseIterable, Equatable, Sendable {
    /// As drawn: independent uniform values (the order of every run before orders existed).
    case random
    case ascending
    case descending
    /// As drawn, with the largest element swapped to the front.
    case maxFirst = "max-first"
    /// As drawn, with the largest element swapped to the end.
    case maxLast = "max-last"

    /// x's elements in this order. The largest is the first of equal largest ones.
    public func arrange(_ x: [Float]) -> [Float] {
        switch self {
        case .random: return x
        case .ascending: return x.sorted()
        case .descending: return x.sorted(by: >)
        case .maxFirst, .maxLast:
            guard let largest = x.indices.max(by: { x[$0] < x[$1] || (x[$0] == x[$1] && $0 > $1) }) else { return x }
            var y = x
            y.swapAt(largest, self == .maxFirst ? 0 : x.count - 1)
            return y
        }
    }
}

/// The float64 softmax: max-subtracted, exp in Double (glibc's, under an ulp of Double), summed in Double.
/// Its own error, about 1e-16 relative, is a billionth of a float32 ulp.
public func softmaxReference(_ x: [Float]) -> [Double] {
    let m = Double(x.max() ?? 0)
    let e = x.map { Foundation.exp(Double($0) - m) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
}

/// The ulp an error is measured in: that of the float32 nearest the reference (2^(k-23) for
/// 2^k <= |value| < 2^(k+1)). Below FLT_MIN (2^-126) it is FLT_MIN itself: the harness runs with FTZ/DAZ,
/// so float32 offers only 0 and FLT_MIN there, and a reference in that gap flushed to 0 is off by less
/// than one such unit. Computed in Double: the float32 ulp of values below 2^-103 is itself subnormal, and
/// DAZ would read it as 0.
public func ulpOfReference(_ reference: Double) -> Double {
    let nearest = Float(reference).magnitude
    guard nearest >= Float.leastNormalMagnitude else { return Double(Float.leastNormalMagnitude) }
    return Double(sign: .plus, exponent: Int(nearest.exponent) - Float.significandBitCount, significand: 1)
}

/// |y - reference| in ulps of the reference (see ulpOfReference).
public func ulpError(_ y: Float, reference: Double) -> Double {
    Swift.abs(Double(y) - reference) / ulpOfReference(reference)
}

/// Errors of softmax outputs against their float64 references, accumulated over every element of every
/// input of one configuration.
public struct OutputErrors: Equatable, Sendable {
    /// Largest error in ulps over every element (see ulpOfReference for references below FLT_MIN).
    public private(set) var maxULP = 0.0
    /// Largest |y - ref| / ref over the elements whose reference is at least FLT_MIN.
    public private(set) var maxRelative = 0.0
    /// Elements seen, and those whose reference is at least FLT_MIN (the ones a float32 holds as a normal
    /// number: the means are over these, so the exact zeros of masked and underflowed entries do not
    /// dilute them).
    public private(set) var elements = 0
    public private(set) var normalElements = 0
    /// Largest |sum(y) - 1| of an output.
    public private(set) var worstSumDeviation = 0.0
    private var sumULP = 0.0
    private var sumRelative = 0.0

    public init() {}

    public var meanULP: Double { normalElements > 0 ? sumULP / Double(normalElements) : 0 }
    public var meanRelative: Double { normalElements > 0 ? sumRelative / Double(normalElements) : 0 }

    /// Adds one output. A NaN or infinite output where the reference is finite, or outputs that do not sum
    /// to 1 within `sumTolerance`, are not errors of some size but a failure: the reason comes back and
    /// nothing is added.
    public mutating func add(output y: UnsafeBufferPointer<Float>, reference: [Double], sumTolerance: Double) -> String? {
        precondition(y.count == reference.count, "an output of \(y.count) elements against a reference of \(reference.count)")
        var sum = 0.0
        for (i, value) in y.enumerated() {
            if !value.isFinite && reference[i].isFinite {
                return "output \(i) is \(value) where the float64 softmax is \(reference[i])"
            }
            sum += Double(value)
        }
        var maxULP = 0.0, maxRelative = 0.0, sumULP = 0.0, sumRelative = 0.0
        var normal = 0
        for (i, value) in y.enumerated() {
            let ref = reference[i]
            let ulps = ulpError(value, reference: ref)
            maxULP = Swift.max(maxULP, ulps)
            if ref >= Double(Float.leastNormalMagnitude) {
                let relative = Swift.abs(Double(value) - ref) / ref
                maxRelative = Swift.max(maxRelative, relative)
                sumULP += ulps
                sumRelative += relative
                normal += 1
            }
        }
        let deviation = Swift.abs(sum - 1)
        guard deviation <= sumTolerance else {
            return "sum of outputs is \(sum), not 1 within \(sumTolerance) (max error \(String(format: "%.3g", maxULP)) ulp, max relative error \(String(format: "%.3g", maxRelative)))"
        }
        self.maxULP = Swift.max(self.maxULP, maxULP)
        self.maxRelative = Swift.max(self.maxRelative, maxRelative)
        self.sumULP += sumULP
        self.sumRelative += sumRelative
        elements += y.count
        normalElements += normal
        worstSumDeviation = Swift.max(worstSumDeviation, deviation)
        return nil
    }

    public mutating func add(output y: [Float], reference: [Double], sumTolerance: Double) -> String? {
        y.withUnsafeBufferPointer { add(output: $0, reference: reference, sumTolerance: sumTolerance) }
    }
}

/// A number as an experiment's author would write it: `-1`, `100`, `1e4`, `2.5e5`, `1e5+10`, `-1e30`.
public func compactNumber(_ x: Double) -> String {
    if x == 0 { return "0" }
    if x < 0 { return "-" + compactNumber(-x) }
    if x < 1000 {
        if x == x.rounded() { return String(Int(x)) }
        return trimmed(String(format: "%.9g", x))
    }
    let exponent = Int(Foundation.log10(x).rounded(.down))
    func scientific(_ v: Double, decimals: Int) -> String? {
        let mantissa = v / Foundation.pow(10, Double(exponent))
        for digits in 0...decimals {
            let m = trimmed(String(format: "%.\(digits)f", mantissa))
            if Double("\(m)e\(exponent)") == v { return "\(m)e\(exponent)" }
        }
        return nil
    }
    if let s = scientific(x, decimals: 0) { return s }
    // A window such as [1e5, 1e5+10]: the leading digit's power of ten plus a small offset (1e5+10 rather
    // than 1.0001e5).
    let base = (x / Foundation.pow(10, Double(exponent))).rounded(.down) * Foundation.pow(10, Double(exponent))
    let offset = x - base
    if offset > 0, offset <= base * 1e-2, let b = scientific(base, decimals: 0) {
        return "\(b)+\(compactNumber(offset))"
    }
    if let s = scientific(x, decimals: 2) { return s }
    return trimmed(String(format: "%.9g", x))
}

private func trimmed(_ s: String) -> String {
    guard s.contains("."), !s.contains("e") else { return s }
    var t = s
    while t.hasSuffix("0") { t.removeLast() }
    if t.hasSuffix(".") { t.removeLast() }
    return t
}

/// 64-bit FNV-1a of a string's UTF-8 bytes: a stable hash (Swift's Hasher is seeded per process).
func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in s.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x100_0000_01b3
    }
    return h
}

/// `accuracy`: whole softmaxes' errors against a float64 softmax, per input range, mask and order; nothing
/// is timed.
struct AccuracyKind: ExperimentKind {
    var timesCalls: Bool { false }
    /// A NaN output or a sum far from 1 is a finding (two-pass beyond |x| = 2.36e38), not a failed run.
    var errorRowsAreFindings: Bool { true }

    func rejectFileKeys(_ keys: [String], source: String) throws {
        for key in keys where Experiment.timingOnlyKeys.contains(key) {
            let instead = key == "input_range" ? "list ranges under 'input_ranges' instead" : key == "samples" ? "the inputs per configuration are 'trials'" : "remove it"
            throw HarnessError.malformedExperiment(source, "key '\(key)' does not apply to an accuracy experiment, which times nothing: \(instead)")
        }
    }

    func rejectOwnFileKeys(_ keys: [String], in other: Experiment.Kind, source: String) throws {
        for key in keys where Experiment.accuracyOnlyKeys.contains(key) {
            throw HarnessError.malformedExperiment(source, "key '\(key)' applies only to an accuracy experiment (\"kind\": \"accuracy\"); this one is \(other.rawValue): remove it")
        }
    }

    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws { try experiment.validateAccuracy(fail) }

    /// Nothing is timed; its size is bounded by `trials`' maximum instead.
    func estimatedSeconds(_ experiment: Experiment, steps: [Progress.Step], topology: Topology) -> Double? { nil }

    func measure(_ worker: Worker) { worker.measureAccuracy() }

    func protocolRecord(_ experiment: Experiment, cpu: Int, observedCPUs: Set<Int>) -> [String: Any]? {
        Metadata.accuracyProtocol(experiment, cpu: cpu, observedCPUs: observedCPUs)
    }

    /// Ranges and masks are in each row's key; the inputs drawn per configuration are not.
    func untimedProtocolDifferences(_ experiment: Experiment, old: [String: Any]) -> [String]? {
        var differences: [String] = []
        if let t = old["trials"] as? Int, t != experiment.trials { differences.append("trials \(t) -> \(experiment.trials)") }
        if let tolerance = old["sum_tolerance"] as? Double, tolerance != experiment.sumTolerance {
            differences.append("sum_tolerance \(tolerance) -> \(experiment.sumTolerance)")
        }
        return differences
    }
}

extension Experiment {
    /// The accuracy settings: ranges, masks and trials.
    func validateAccuracy(_ fail: (String) -> HarnessError) throws {
        guard !inputRanges.isEmpty else {
            throw fail("key 'input_ranges' is missing or empty: an accuracy experiment lists its input ranges, e.g. [[-1, 1], [-1e4, 1e4], [1e5, 100010]]")
        }
        for (i, r) in inputRanges.enumerated() {
            let written = "[\(r.low), \(r.high)]"
            guard r.low.isFinite, r.high.isFinite, r.low < r.high else {
                throw fail("key 'input_ranges[\(i)]' is \(written): write [low, high] with low < high, both finite")
            }
            guard r.largestMagnitude <= Double(Float.greatestFiniteMagnitude) else {
                throw fail("key 'input_ranges[\(i)]' is \(written): inputs are float32, whose largest finite value is \(Float.greatestFiniteMagnitude)")
            }
            guard Float(r.low) < Float(r.high) else {
                throw fail("key 'input_ranges[\(i)]' is \(written): both bounds round to the same float32 (\(Float(r.low))), so every input would be equal; widen it (float32 spacing there is \(Float(r.low).ulp))")
            }
        }
        let rangeLabels = inputRanges.map(\.label)
        if let repeated = rangeLabels.first(where: { label in rangeLabels.filter { $0 == label }.count > 1 }) {
            throw fail("key 'input_ranges' lists \(repeated) twice: rows are told apart by their range, list each once")
        }
        guard !masks.isEmpty else { throw fail("key 'masks' is empty: list \"none\" for unmasked inputs") }
        let maskLabels = masks.map { $0?.label ?? "none" }
        if let repeated = maskLabels.first(where: { label in maskLabels.filter { $0 == label }.count > 1 }) {
            throw fail("key 'masks' lists \(repeated) twice: rows are told apart by their mask, list each once")
        }
        guard trials >= 1 else { throw fail("key 'trials' is \(trials): at least one input per configuration is needed") }
        guard trials <= Experiment.maxTrials else { throw fail("key 'trials' is \(trials): at most \(Experiment.maxTrials) inputs per configuration") }
    }

}

extension Metadata {
    /// An accuracy run's protocol: what its inputs were and how its errors are defined (results/README.md).
    static func accuracyProtocol(_ experiment: Experiment, cpu: Int, observedCPUs: Set<Int>) -> [String: Any] {
        [
            "trials": experiment.trials,
            "input_ranges": experiment.inputRanges.map(\.label),
            "masks": experiment.masks.map { $0?.label ?? "none" },
            "orders": experiment.orders.map(\.rawValue),
            "sizes": experiment.sizes, "max_size_by_isa": experiment.maxSizeByISA,
            "sum_tolerance": experiment.sumTolerance,
            "input": "per configuration, `trials` inputs of n float32 values uniform in the row's input_range, from SplitMix64(seed XOR FNV-1a(\"<input_range>|<mask>|<n>|<trial>\")); a mask sets round(percent x n) entries (at least 1, at most n - 1; all but one for all-but-one), chosen by a partial Fisher-Yates shuffle of the same generator; then arranged in the row's order (random: as drawn; ascending; descending; max-first/max-last: the largest element swapped to the front/end); every algorithm and ISA sees the same inputs",
            "reference": "float64 softmax of the same float32 inputs: exp(x - max) in Double (glibc exp), summed in Double, divided in Double",
            "errors": "ulp error |y - ref| / ulp(float32 nearest ref), the ulp taken as FLT_MIN for ref < FLT_MIN (FTZ); max over every element of every input; means and relative errors over elements with ref >= FLT_MIN",
            "output_check": "an output with NaN or inf where ref is finite, or |sum(y) - 1| > sum_tolerance, makes the row an error row without errors",
            "ftz_daz": true,
            "pinned_cpu": cpu,
            "observed_cpus": observedCPUs.sorted(),
        ]
    }

}

extension Worker {
    /// The accuracy experiment: for each size, range and mask, draws `trials` inputs, arranges each in every
    /// order, runs every plan on it and compares every output element with the float64 softmax. One row per
    /// plan, range, mask and order; nothing is timed, so no counters are opened.
    func measureAccuracy() {
        let configurationsPerPlan = experiment.inputRanges.count * experiment.masks.count * experiment.orders.count
        let total = plan.sizes.reduce(0) { $0 + (plan.items[$1]?.count ?? 0) * configurationsPerPlan } - completed.count
        log("running \(experiment.id): \(Swift.max(total, 0)) configurations (plans x sizes x \(experiment.inputRanges.count) ranges x \(experiment.masks.count) masks x \(experiment.orders.count) orders), \(experiment.trials) inputs each, on CPU \(cpu)")
        var done = 0
        var elapsed = 0.0
        var elementsDone = 0.0
        let elementsTotal = Double(plan.sizes.reduce(0) { $0 + $1 * (plan.items[$1]?.count ?? 0) * configurationsPerPlan })
        for n in plan.sizes {
            let plans: [(plan: SoftmaxPlan, preset: String)] = (plan.items[n] ?? []).compactMap {
                if case let .softmax(p, preset) = $0 { return (p, preset) }
                return nil
            }
            var y = [Float](repeating: 0, count: n)
            for range in experiment.inputRanges {
                let start = now()
                var measured = 0
                for mask in experiment.masks {
                    for order in experiment.orders {
                        let rows = plans.map { accuracyRow($0.plan, preset: $0.preset, n: n, range: range, mask: mask, order: order) }
                        let todo = rows.indices.filter { !completed.contains(rows[$0].key) }
                        outcome.skipped += rows.count - todo.count
                        guard !todo.isEmpty else { continue }
                        var errors = [OutputErrors](repeating: OutputErrors(), count: rows.count)
                        var failures = [String?](repeating: nil, count: rows.count)
                        for trial in 0..<experiment.trials {
                            let x = order.arrange(accuracyInput(range: range, mask: mask, n: n, trial: trial, seed: experiment.seed))
                            let reference = softmaxReference(x)
                            for i in todo where failures[i] == nil {
                                x.withUnsafeBufferPointer { xb in
                                    y.withUnsafeMutableBufferPointer { yb in plans[i].plan(n: n, x: xb.baseAddress!, y: yb.baseAddress!) }
                                }
                                if let failure = errors[i].add(output: y, reference: reference, sumTolerance: experiment.sumTolerance) {
                                    failures[i] = "input \(trial + 1) of \(experiment.trials): \(failure)"
                                }
                            }
                        }
                        let observed = Pinning.currentCPU()
                        outcome.observedCPUs.insert(observed)
                        for i in todo {
                            var row = rows[i]
                            row.cpu = observed
                            row.outputError = errors[i].elements > 0 ? errors[i].worstSumDeviation : nil
                            row.accuracy?.maxErrorULP = errors[i].maxULP
                            row.accuracy?.meanErrorULP = errors[i].meanULP
                            row.accuracy?.maxRelativeError = errors[i].maxRelative
                            row.accuracy?.meanRelativeError = errors[i].meanRelative
                            if let failure = failures[i] { row = errorRow(row, failure) }
                            emit(row)
                        }
                        measured += todo.count
                    }
                }
                guard measured > 0 else { continue }
                done += measured
                elapsed += now() - start
                elementsDone += Double(n * plans.count * experiment.masks.count * experiment.orders.count)
                let eta = elementsDone > 0 ? elapsed / elementsDone * Swift.max(elementsTotal - elementsDone, 0) : 0
                log(String(format: "[%d/%d] n=%d %@: %d configurations in %.1f s; about %@ left", done, Swift.max(total, done), n, range.label,
                           measured, now() - start, formatDuration(eta)))
                checkpoint?(outcome)
            }
        }
        if outcome.observedCPUs.contains(where: { $0 != cpu }) {
            log("warning: the worker was seen on CPUs \(outcome.observedCPUs.sorted()) although pinned to \(cpu)")
        }
    }

    private func accuracyRow(_ softmax: SoftmaxPlan, preset: String, n: Int, range: InputRange, mask: InputMask?, order: InputOrder) -> ResultRow {
        var row = base
        row.n = n
        row.kind = .accuracy
        row.isa = softmax.isa.rawValue
        row.preset = preset
        row.algorithm = softmax.algorithm.rawValue
        // Name what ran: below the streaming threshold a preset's streaming-store kernels' plain twins do.
        row.kernel = softmax.kernelsRun(n: n).map(\.name).joined(separator: "+")
        row.bytesPerElement = Double(softmax.bytesPerElement)
        row.accuracy = ResultRow.Accuracy(inputRange: range.label, mask: mask?.label ?? "", order: order.rawValue, maxErrorULP: 0, meanErrorULP: 0,
                                          maxRelativeError: 0, meanRelativeError: 0)
        return row
    }
}

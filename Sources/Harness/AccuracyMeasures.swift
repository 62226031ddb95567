import Foundation
import Softmax

// The accuracy experiment's pure parts: its input ranges, masks and orders, the inputs they give, the float64
// reference and the errors of an output against it. Nothing here touches the runner, so tests can feed
// it exact values (results/README.md defines the error columns this computes). The kind itself (keys,
// checks, metadata, measuring) is Kinds/Accuracy.swift.

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

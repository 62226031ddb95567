import Foundation

/// The float64 reference every accuracy check compares with, written once: max-subtracted, exp in
/// Double (glibc's, under an ulp of Double), summed in Double. Its own error, about 1e-16 relative, is a
/// billionth of a float32 ulp. Special values are those the kernels promise (and PyTorch gives): -inf
/// contributes 0; a NaN or +inf anywhere makes every output NaN; all -inf gives NaN outputs.
/// Inlinable so that callers in other modules get it specialized for their collection (the harness
/// runs it over buffers of 10^8 elements).
public enum Float64Reference {
    /// The largest input, NaN when any input is NaN, -inf when there is none.
    @inlinable public static func max<C: Collection>(_ x: C) -> Double where C.Element == Float {
        var max = -Double.infinity
        for v in x {
            if v.isNaN { return .nan }
            max = Swift.max(max, Double(v))
        }
        return max
    }

    /// The sum of exp(x[i] - max).
    @inlinable public static func sumExp<C: Collection>(_ x: C, minus max: Double) -> Double where C.Element == Float {
        x.reduce(0.0) { $0 + Foundation.exp(Double($1) - max) }
    }

    /// log(sum exp(x)), shifted by the max so that nothing overflows; -inf when there is no input.
    @inlinable public static func logSumExp<C: Collection>(_ x: C) -> Double where C.Element == Float {
        guard !x.isEmpty else { return -.infinity }
        let max = self.max(x)
        return max + Foundation.log(sumExp(x, minus: max))
    }

    /// The softmax of x: exp(x[i] - max) / sum of exp(x - max).
    @inlinable public static func softmax(_ x: [Float]) -> [Double] {
        let max = self.max(x)
        if max.isNaN { return [Double](repeating: .nan, count: x.count) }
        let e = x.map { Foundation.exp(Double($0) - max) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

/// What one pass computes, in float64 (PassFamily.float64Reference).
public struct Float64PassResult: Equatable, Sendable {
    /// The reduction: rmax's max; raddexpminusmax's, raddstoreexpminusmax's and rmaxaddexp's sum of
    /// exp(x - max); raddextexp's natural log of its sum (the sum itself may overflow a Double); nil for
    /// passes that only write.
    public var reduction: Double?
    /// rmaxaddexp's running max (-FLT_MAX for no input, as the kernels start it); nil for the others.
    public var max: Double?
    /// y, for the passes that write it.
    public var output: [Double]?

    public init(reduction: Double? = nil, max: Double? = nil, output: [Double]? = nil) {
        self.reduction = reduction
        self.max = max
        self.output = output
    }
}

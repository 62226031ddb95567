import Foundation
import Platform
import Softmax

/// The buffers of one size: the input, and output slices that rotate so every call writes memory
/// outside the last-level cache. Both live on the pinned core's NUMA node and were first touched by
/// the pinned thread.
final class SizeBuffers {
    let n: Int
    let x: UnsafeMutablePointer<Float>
    let y: UnsafeMutablePointer<Float>
    let slices: Int
    let sliceStride: Int
    private var next = 0
    private let owners: [AnyObject]

    /// Replaces the single-thread input touch (multi-core runs touch each slice from its own worker).
    private let toucher: ((SizeBuffers) -> Float)?

    init(n: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, slices: Int, owners: [AnyObject],
         toucher: ((SizeBuffers) -> Float)? = nil) {
        self.toucher = toucher
        self.n = n
        self.x = x
        self.y = y
        self.slices = slices
        self.sliceStride = Schedule.sliceStride(n)
        self.owners = owners
    }

    /// The output slice for the next call.
    func nextSlice() -> UnsafeMutablePointer<Float> {
        defer { next = (next + 1) % slices }
        return y + next * sliceStride
    }

    /// The slice the last call wrote.
    var lastSlice: UnsafeMutablePointer<Float> { y + ((next + slices - 1) % slices) * sliceStride }

    /// Reads one float per 64-byte line of x, so the input is as warm as the caches allow before a sample
    /// (the authors' protocol). Returns a value so the loads are not optimised away.
    func touchInput() -> Float {
        if let toucher { return toucher(self) }
        return SizeBuffers.touch(x, 0..<n)
    }

    /// Reads one float per 64-byte line of x[range]; returns their sum so the loads stay.
    @inline(never)
    static func touch(_ x: UnsafePointer<Float>, _ range: Range<Int>) -> Float {
        var s: Float = 0
        var i = range.lowerBound
        while i < range.upperBound {
            s += x[i]
            i += 16
        }
        return s
    }
}

/// Float64 facts about an input, computed once per size: what the passes' arguments are and what their
/// results should be.
struct InputFacts {
    let max: Float
    /// sum of exp(x - max)
    let sumExpMinusMax: Double
    /// log(sum exp(x))
    let logSumExp: Double

    init(_ x: UnsafePointer<Float>, n: Int) {
        let input = UnsafeBufferPointer(start: x, count: n)
        let m = Float64Reference.max(input)
        max = Float(m)
        sumExpMinusMax = Float64Reference.sumExp(input, minus: m)
        logSumExp = m + Foundation.log(sumExpMinusMax)
    }

    private init() {
        max = .nan
        sumExpMinusMax = .nan
        logSumExp = .nan
    }

    /// For contenders whose check ignores the facts (whole softmaxes check their own sum).
    static let unused = InputFacts()

    var scale: Float { Float(1 / sumExpMinusMax) }

    /// 1 / sum exp(x) as mantissa * 2^exponent, the argument two-pass's second pass receives.
    var extendedScale: ExtFloat {
        let log2Sum = logSumExp / M_LN2
        let exponent = log2Sum.rounded(.down)
        return ExtFloat(mantissa: Float(1 / Foundation.pow(2, log2Sum - exponent)), exponent: Float(-exponent))
    }
}

/// One thing timed at one size: a whole softmax, a pass kernel, or a memory reference loop.
struct Contender {
    var row: ResultRow
    /// Runs one call, writing the next output slice.
    let call: (SizeBuffers) -> Void
    /// Checks the output of the most recent call cheaply; returns its error, or a message when wrong.
    let checkLast: (SizeBuffers) -> Result<Double?, CheckFailure>
    /// A thorough check before timing (float64 recomputation); nil when there is nothing to check.
    let precheck: (SizeBuffers, InputFacts) -> Result<Double?, CheckFailure>
}

struct CheckFailure: Error { let message: String }

/// Sum of y in float64; NaN if any element is NaN.
func outputSum(_ y: UnsafePointer<Float>, n: Int) -> Double {
    var s = 0.0
    for i in 0..<n { s += Double(y[i]) }
    return s
}

/// Relative error with a floor, so flushed tiny values (below 2^-100) count as exact.
func relativeError(_ actual: Double, _ expected: Double) -> Double {
    if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN ? 0 : .infinity }
    return Swift.abs(actual - expected) / Swift.max(Swift.abs(expected), 0x1p-100)
}

/// Largest relative error over about 65536 evenly spaced elements.
func sampledError(n: Int, _ actual: (Int) -> Float, _ expected: (Int) -> Double) -> Double {
    let stride = Swift.max(1, n / 65536)
    var worst = 0.0
    var i = 0
    while i < n {
        worst = Swift.max(worst, relativeError(Double(actual(i)), expected(i)))
        i += stride
    }
    return worst
}

/// Pass results must agree with float64 within this (the kernels' own tests hold them to ulps; this only
/// catches a broken build or wrong arguments, like the authors' swapped (max, scale)).
let passTolerance = 1e-3

enum Contenders {
    /// A whole softmax; with a pool, the vector split across its workers (PartitionedSoftmax).
    static func softmax(_ plan: SoftmaxPlan, preset: String, base: ResultRow, tolerance: Double, pool: ThreadPool? = nil) -> Contender {
        var row = base
        row.kind = .softmax
        row.isa = plan.isa.rawValue
        row.preset = preset
        row.subject = .algorithm(plan.algorithm)
        // Below the plan's streaming threshold its streaming-store kernels' plain twins run: name what ran.
        row.kernel = plan.kernelsRun(n: base.n).map(\.name).joined(separator: "+")
        row.bytesPerElement = Double(plan.bytesPerElement)
        let check: (SizeBuffers) -> Result<Double?, CheckFailure> = { b in
            let sum = outputSum(b.lastSlice, n: b.n)
            let error = Swift.abs(sum - 1)
            guard error <= tolerance else {
                return .failure(CheckFailure(message: sum.isNaN ? "output contains NaN" : "sum of outputs is \(sum), not 1 within \(tolerance)"))
            }
            return .success(error)
        }
        let call: (SizeBuffers) -> Void
        if let pool {
            let partitioned = PartitionedSoftmax(plan: plan, workers: pool.size)
            call = { b in
                let y = b.nextSlice()
                pool.run { w in partitioned.run(worker: w, n: b.n, x: b.x, y: y, barrier: pool.barrier) }
            }
        } else {
            call = { b in plan(n: b.n, x: b.x, y: b.nextSlice()) }
        }
        return Contender(row: row, call: call, checkLast: check, precheck: { b, _ in call(b); return check(b) })
    }

    /// A pass kernel alone, its output checked against a float64 recomputation before timing.
    // Long because the call, the check before timing and the check after share `args` and
    // `expectedResult`, which the first check sets for the timed calls and the last compares against, and the
    // check has one short case per pass family.
    static func pass(_ kernel: Kernel, base: ResultRow) -> Contender {
        var row = base
        row.kind = .pass
        row.isa = kernel.isa.rawValue
        row.preset = ""
        row.subject = .passFamily(kernel.family)
        row.kernel = kernel.name
        row.bytesPerElement = Double(kernel.bytesPerElement)
        var args = PassArguments()
        var expectedResult: PassResult = .none
        let call: (SizeBuffers) -> Void
        switch kernel.family {
        case .vscale:
            // In place on the output slice, as three-pass-reload's last pass runs; scale 1 keeps the values.
            call = { b in let s = b.nextSlice(); kernel.run(n: b.n, x: s, y: s, PassArguments(scale: 1)) }
        default:
            call = { b in kernel.run(n: b.n, x: b.x, y: kernel.family.writesOutput ? b.nextSlice() : nil, args) }
        }
        let precheck: (SizeBuffers, InputFacts) -> Result<Double?, CheckFailure> = { b, facts in
            args = PassArguments(max: facts.max, scale: facts.scale, extendedScale: facts.extendedScale)
            let x = b.x
            let error: Double
            switch kernel.family {
            case .rmax:
                expectedResult = kernel.run(n: b.n, x: x, y: nil)
                guard case let .scalar(m) = expectedResult else { return .failure(CheckFailure(message: "no result")) }
                error = relativeError(Double(m), Double(facts.max))
            case .raddexpminusmax:
                expectedResult = kernel.run(n: b.n, x: x, y: nil, args)
                guard case let .scalar(s) = expectedResult else { return .failure(CheckFailure(message: "no result")) }
                error = relativeError(Double(s), facts.sumExpMinusMax)
            case .raddstoreexpminusmax:
                let y = b.nextSlice()
                expectedResult = kernel.run(n: b.n, x: x, y: y, args)
                guard case let .scalar(s) = expectedResult else { return .failure(CheckFailure(message: "no result")) }
                error = Swift.max(relativeError(Double(s), facts.sumExpMinusMax),
                                  sampledError(n: b.n, { y[$0] }, { Foundation.exp(Double(x[$0]) - Double(facts.max)) }))
            case .vscaleexpminusmax:
                let y = b.nextSlice()
                kernel.run(n: b.n, x: x, y: y, args)
                let scale = Double(args.scale)
                error = sampledError(n: b.n, { y[$0] }, { Foundation.exp(Double(x[$0]) - Double(facts.max)) * scale })
            case .vscale:
                let y = b.nextSlice()
                kernel.run(n: b.n, x: x, y: y, PassArguments(scale: 0.5))
                error = sampledError(n: b.n, { y[$0] }, { Double(x[$0]) * 0.5 })
            case .raddextexp:
                expectedResult = kernel.run(n: b.n, x: x, y: nil)
                guard case let .extended(m, e) = expectedResult else { return .failure(CheckFailure(message: "no result")) }
                error = Swift.abs(Foundation.log(Double(m)) + Double(e) * M_LN2 - facts.logSumExp)
            case .rmaxaddexp:
                expectedResult = kernel.run(n: b.n, x: x, y: nil)
                guard case let .maxAndSum(m, s) = expectedResult else { return .failure(CheckFailure(message: "no result")) }
                error = Swift.max(relativeError(Double(m), Double(facts.max)), relativeError(Double(s), facts.sumExpMinusMax))
            case .vscaleextexp:
                let y = b.nextSlice()
                kernel.run(n: b.n, x: x, y: y, args)
                error = sampledError(n: b.n, { y[$0] }, { Foundation.exp(Double(x[$0]) - facts.logSumExp) })
            }
            guard error <= passTolerance else {
                return .failure(CheckFailure(message: "\(kernel.name) differs from a float64 recomputation by \(error) (relative)"))
            }
            return .success(error)
        }
        // After timing, a reduction must still return what it returned before (same input), and an
        // output must hold no NaN where it was sampled.
        let checkLast: (SizeBuffers) -> Result<Double?, CheckFailure> = { b in
            if case .none = expectedResult {
                guard kernel.family != .vscale else { return .success(nil) }
                let y = b.lastSlice
                let stride = Swift.max(1, b.n / 4096)
                var i = 0
                while i < b.n {
                    if y[i].isNaN { return .failure(CheckFailure(message: "NaN in the output at \(i)")) }
                    i += stride
                }
                return .success(nil)
            }
            let again = kernel.run(n: b.n, x: b.x, y: kernel.family.writesOutput ? b.lastSlice : nil, args)
            return again == expectedResult ? .success(nil) : .failure(CheckFailure(message: "result changed between calls: \(expectedResult) then \(again)"))
        }
        return Contender(row: row, call: call, checkLast: checkLast, precheck: precheck)
    }

    /// A memory reference loop; with a pool, every worker runs it on its own slice (the bandwidth all the
    /// cores get together).
    static func reference(_ memref: MemoryReference, base: ResultRow, pool: ThreadPool? = nil) -> Contender {
        var row = base
        row.kind = .reference
        row.isa = memref.isa.rawValue
        row.preset = ""
        row.subject = .reference(memref.name)
        row.kernel = "\(memref.name)_\(memref.isa.rawValue)"
        row.bytesPerElement = Double(memref.bytesPerElement)
        let run: (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void = { r, x, y in
            guard !r.isEmpty else { return }
            switch memref.name {
            case "read": _ = memref.run(n: r.count, x: x + r.lowerBound, y: nil)
            case "scale": _ = memref.run(n: r.count, x: y + r.lowerBound, y: y + r.lowerBound)
            default: _ = memref.run(n: r.count, x: x + r.lowerBound, y: y + r.lowerBound)
            }
        }
        let call: (SizeBuffers) -> Void
        if let pool {
            call = { b in
                let y = b.nextSlice()
                pool.run { w in run(PartitionedSoftmax.slice(w, of: pool.size, n: b.n), b.x, y) }
            }
        } else {
            call = { b in run(0..<b.n, b.x, b.nextSlice()) }
        }
        return Contender(row: row, call: call, checkLast: { _ in .success(nil) }, precheck: { _, _ in .success(nil) })
    }
}

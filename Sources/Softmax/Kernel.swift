import CSoftmaxKernels

/// What one pass computed: a reduction's result, or nothing beyond its output vector.
public enum PassResult: Equatable, Sendable {
    case scalar(Float)
    case extended(mantissa: Float, exponent: Float)
    case maxAndSum(max: Float, sum: Float)
    case none
}

/// One micro-kernel from the C registry: a function pointer plus what the registry says about it.
public struct Kernel: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let family: PassFamily
    public let isa: ISA
    public let elementsPerIteration: Int
    public let accumulators: Int
    /// How the kernel moves memory beyond its tile, as spelled at the end of its name: "" for the plain
    /// kernel, "nt" (streaming stores), "pf1k"/"pf4k" (software prefetch), "nt_pf1k" (both); "perm" for
    /// lut64p2's table read by permutes instead of a gather (same bits, another way to build 2^(n/64)).
    public let variant: String
    /// How the kernel approximates exp, as spelled at the end of its name: "" for the paper's method
    /// (degree-5 polynomial), "lut16p3" (16-entry table, degree 3), "lut64p2" (64-entry table, degree 2). It changes the arithmetic, so kernels
    /// of different methods agree through the float64 reference, not bit for bit (docs/exp-kernels.md).
    public let expMethod: String
    /// Streaming stores for the aligned body of the output: no write-allocate read of y, so its memory
    /// traffic is what `bytesPerElement` says rather than that plus the output's size again.
    public let nonTemporalStores: Bool
    /// Software prefetch distance ahead of the input loads, in bytes; 0 for none.
    public let prefetchBytes: Int
    /// Bytes read and written per element, as the loop issues them (write-allocate not counted).
    public let bytesReadPerElement: Int
    public let bytesWrittenPerElement: Int
    let index: Int

    public var description: String { name }
    public var bytesPerElement: Int { bytesReadPerElement + bytesWrittenPerElement }
    /// Whether the pass computes exp (and so has an exp method): every family but rmax and vscale.
    public var computesExp: Bool { family != .rmax && family != .vscale }
    /// Instructions per element of the main loop, counted in the object code of the compiler
    /// `KernelBuild.instructionCountsCompiler` (scripts/count-instructions.py); nil when not counted.
    public var instructionsPerElement: Double? {
        let count = softmax_kernel_main_loop_instructions(name)
        return count > 0 ? count / Double(elementsPerIteration) : nil
    }

    var info: softmax_kernel_info { KernelTable.all[index] }

    public static func == (a: Kernel, b: Kernel) -> Bool { a.index == b.index }
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }

    /// Runs the kernel alone on `n` elements. `y` is written by families that write an output; it may
    /// equal `x` (in place) or lie apart from it, and a partial overlap traps (SoftmaxError.checkOperands).
    /// The kernel's ISA must be supported: calling an unsupported kernel is a programming error and traps
    /// rather than executing illegal instructions.
    @discardableResult
    public func run(n: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>?, _ args: PassArguments = .init()) -> PassResult {
        precondition(isa.isSupported, "kernel \(name) needs \(isa.rawValue), which this CPU lacks")
        if family.writesOutput, let y { preconditionOperands(n: n, x: x, y: y) }
        let info = self.info
        switch family {
        case .rmax:
            return .scalar(info.fn.rmax(n, x))
        case .raddexpminusmax:
            return .scalar(info.fn.raddexpminusmax(n, x, args.max))
        case .vscaleexpminusmax:
            info.fn.vscaleexpminusmax(n, x, y!, args.max, args.scale)
            return .none
        case .raddstoreexpminusmax:
            return .scalar(info.fn.raddstoreexpminusmax(n, x, y!, args.max))
        case .vscale:
            info.fn.vscale(n, x, y!, args.scale)
            return .none
        case .raddextexp:
            let r = info.fn.raddextexp(n, x)
            return .extended(mantissa: r.mantissa, exponent: r.exponent)
        case .vscaleextexp:
            info.fn.vscaleextexp(n, x, y!, args.extendedScale)
            return .none
        case .rmaxaddexp:
            let r = info.fn.rmaxaddexp(n, x)
            return .maxAndSum(max: r.max, sum: r.sum)
        }
    }
}

/// The registry's kernels, read once from the C table.
enum KernelTable {
    static let all: [softmax_kernel_info] = (0..<softmax_kernel_count).map { softmax_kernel_at($0).pointee }
}

/// Traps with checkOperands' message when x and y overlap partially.
@inline(__always)
func preconditionOperands(n: Int, x: UnsafeRawPointer, y: UnsafeRawPointer, file: StaticString = #file, line: UInt = #line) {
    do { try SoftmaxError.checkOperands(n: n, x: x, y: y) } catch { preconditionFailure("\(error)", file: file, line: line) }
}

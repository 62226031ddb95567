import CSoftmaxKernels
import Foundation

/// A pass family: one operation, one C function type. Its facts, the traffic and the memory reference,
/// are the C list's (Sources/CSoftmaxKernels/families.def), read once; what it computes in float64 is
/// `float64Reference`. Every case must be a row of that list and the reverse (RegistryTests checks).
public enum PassFamily: String, CaseIterable, Codable, Sendable {
    case rmax, raddexpminusmax, vscaleexpminusmax, raddstoreexpminusmax, vscale, raddextexp, vscaleextexp, rmaxaddexp

    init?(_ c: softmax_family) {
        guard let name = softmax_family_name(c) else { return nil }
        self.init(rawValue: String(cString: name))
    }

    /// The C list's rows by name, read once.
    private struct Facts {
        let bytesReadPerElement: Int
        let bytesWrittenPerElement: Int
        let memoryReference: String
    }

    private static let facts: [String: Facts] = Dictionary(uniqueKeysWithValues: (0..<softmax_family_count).map { i in
        let c = softmax_family(rawValue: UInt32(i))
        return (String(cString: softmax_family_name(c)),
                Facts(bytesReadPerElement: Int(softmax_family_bytes_read_per_element(c)),
                      bytesWrittenPerElement: Int(softmax_family_bytes_written_per_element(c)),
                      memoryReference: String(cString: softmax_family_memory_reference(c))))
    })

    /// The names of the C list's rows, in its order (for the check that they are these cases).
    static var cListNames: [String] {
        (0..<softmax_family_count).map { String(cString: softmax_family_name(softmax_family(rawValue: UInt32($0)))) }
    }

    private var facts: Facts {
        guard let facts = PassFamily.facts[rawValue] else { preconditionFailure("\(rawValue) is not a row of families.def") }
        return facts
    }

    /// Bytes read and written per element by every kernel of the family, as the loop issues them
    /// (write-allocate reads not counted).
    public var bytesReadPerElement: Int { facts.bytesReadPerElement }
    public var bytesWrittenPerElement: Int { facts.bytesWrittenPerElement }

    /// Whether the pass writes an output vector (otherwise it only reduces).
    public var writesOutput: Bool { bytesWrittenPerElement > 0 }

    /// The memory reference loop (MemoryReference.name) whose access pattern the pass shares. Streaming
    /// stores drop the write-allocate read of y, so a pass that has them is held to `copy_nt`, not to
    /// `copy` (which it could beat without being any closer to the memory's limit); in-place `scale`
    /// reads y anyway.
    public func memoryReference(nonTemporalStores: Bool = false) -> String {
        let ordinary = facts.memoryReference
        return nonTemporalStores && ordinary == "copy" ? "copy_nt" : ordinary
    }

    /// What the pass computes on x with these arguments, in float64 (see Float64Reference): the target
    /// every kernel of the family is checked against.
    public func float64Reference(_ x: [Float], _ args: PassArguments = .init()) -> Float64PassResult {
        let output = writesOutput ? x.map { float64Output($0, args)! } : nil
        switch self {
        case .rmax:
            return Float64PassResult(reduction: Float64Reference.max(x))
        case .raddexpminusmax, .raddstoreexpminusmax:
            return Float64PassResult(reduction: Float64Reference.sumExp(x, minus: Double(args.max)), output: output)
        case .vscaleexpminusmax, .vscale, .vscaleextexp:
            return Float64PassResult(output: output)
        case .raddextexp:
            return Float64PassResult(reduction: Float64Reference.logSumExp(x))
        case .rmaxaddexp:
            let runningMax = Swift.max(Float64Reference.max(x), -Double(Float.greatestFiniteMagnitude))
            return Float64PassResult(reduction: Float64Reference.sumExp(x, minus: runningMax), max: runningMax)
        }
    }

    /// The output element a pass writes for input element x, in float64; nil for passes that only
    /// reduce. Element-wise, so that a check of a large output can sample it.
    public func float64Output(_ x: Float, _ args: PassArguments = .init()) -> Double? {
        switch self {
        case .vscaleexpminusmax: return Foundation.exp(Double(x) - Double(args.max)) * Double(args.scale)
        case .raddstoreexpminusmax: return Foundation.exp(Double(x) - Double(args.max))
        case .vscale: return Double(x) * Double(args.scale)
        case .vscaleextexp:
            // exp(x) * m * 2^e without forming exp(x) or 2^e alone, either of which may overflow.
            let s = args.extendedScale
            return Foundation.exp(Double(x) + Foundation.log(Double(s.mantissa)) + Double(s.exponent) * M_LN2)
        case .rmax, .raddexpminusmax, .raddextexp, .rmaxaddexp: return nil
        }
    }
}

/// Arguments a pass may take besides its vectors.
public struct PassArguments: Sendable {
    public var max: Float
    public var scale: Float
    public var extendedScale: ExtFloat

    public init(max: Float = 0, scale: Float = 1, extendedScale: ExtFloat = ExtFloat(mantissa: 1, exponent: 0)) {
        self.max = max
        self.scale = scale
        self.extendedScale = extendedScale
    }
}

/// An extended-range float, `mantissa * 2^exponent`, as the two-pass reduction returns it.
public typealias ExtFloat = softmax_extfloat

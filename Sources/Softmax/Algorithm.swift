import CSoftmaxKernels
import Foundation

/// The paper's three softmax algorithms, under the paper's names (kebab-case for the CLI and CSV).
public enum Algorithm: String, CaseIterable, Codable, Sendable {
    /// Pass 1 sums exp(x) as (mantissa, exponent) pairs; pass 2 writes exp(x) / sum. 12 B/element.
    case twoPass = "two-pass"
    /// max; sum of exp(x - max); y = exp(x - max) / sum, recomputing exp. 16 B/element.
    case threePassRecompute = "three-pass-recompute"
    /// max; y = exp(x - max) stored and summed; y /= sum in place. 20 B/element.
    case threePassReload = "three-pass-reload"
    /// Not in the paper: online softmax (Milakov and Gimelshein, 2018), the other two-pass design. Pass 1
    /// keeps a running max and rescales the running sum by exp(old max - new max); pass 2 is
    /// three-pass-recompute's last pass. 12 B/element.
    case online

    /// The pass families, in execution order.
    public var passes: [PassFamily] {
        switch self {
        case .twoPass: return [.raddextexp, .vscaleextexp]
        case .threePassRecompute: return [.rmax, .raddexpminusmax, .vscaleexpminusmax]
        case .threePassReload: return [.rmax, .raddstoreexpminusmax, .vscale]
        case .online: return [.rmaxaddexp, .vscaleexpminusmax]
        }
    }
}

public enum SoftmaxError: Error, CustomStringConvertible, Equatable {
    case unknownKernel(String, suggestions: [String])
    case wrongFamily(kernel: String, expected: PassFamily, algorithm: Algorithm)
    case mixedISA(algorithm: Algorithm, kernels: [String])
    case unsupportedISA(ISA, supported: [ISA])
    case wrongPassCount(algorithm: Algorithm, expected: Int, got: Int)
    case presetMissing(preset: String, isa: ISA, algorithm: Algorithm)
    case malformedPreset(String)
    /// x and y share memory without being the same vector: y starts `offset` elements after x (before, if
    /// negative).
    case overlappingOperands(n: Int, offset: Int)

    public var description: String {
        switch self {
        case let .unknownKernel(name, suggestions):
            return "unknown kernel '\(name)'" + (suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?")
                + " (`softmax-repro list --kernels` lists them all)"
        case let .wrongFamily(kernel, expected, algorithm):
            return "kernel '\(kernel)' cannot serve as the \(expected.rawValue) pass of \(algorithm.rawValue): choose a \(expected.rawValue)_* kernel"
        case let .mixedISA(algorithm, kernels):
            return "\(algorithm.rawValue) mixes ISAs (\(kernels.joined(separator: ", "))): use kernels of one ISA"
        case let .unsupportedISA(isa, supported):
            return "this CPU cannot run \(isa.rawValue) kernels; it supports: \(supported.map(\.rawValue).joined(separator: ", "))"
        case let .wrongPassCount(algorithm, expected, got):
            return "\(algorithm.rawValue) has \(expected) passes, but \(got) kernels were given"
        case let .presetMissing(preset, isa, algorithm):
            return "preset '\(preset)' has no kernels for \(algorithm.rawValue) on \(isa.rawValue): add them to its file"
        case let .malformedPreset(why):
            return why
        case let .overlappingOperands(n, offset):
            return "x and y overlap partially (y starts \(Swift.abs(offset)) elements \(offset > 0 ? "after" : "before") x, n = \(n)): "
                + "pass y == x to compute in place, or vectors that do not overlap"
        }
    }

    /// Checks the operands of a softmax or a pass over n elements: y may be x itself (in place: every
    /// pass reads x[i] before it writes y[i], and reads no x[j] for j < i after that) or lie apart from
    /// it; any other overlap would read outputs as inputs and is refused.
    public static func checkOperands(n: Int, x: UnsafeRawPointer, y: UnsafeRawPointer) throws {
        let offset = (Int(bitPattern: y) - Int(bitPattern: x)) / MemoryLayout<Float>.stride
        let bytes = n * MemoryLayout<Float>.stride
        let apart = Int(bitPattern: y) >= Int(bitPattern: x) + bytes || Int(bitPattern: x) >= Int(bitPattern: y) + bytes
        guard n <= 0 || x == y || apart else {
            throw SoftmaxError.overlappingOperands(n: n, offset: offset == 0 ? (Int(bitPattern: y) > Int(bitPattern: x) ? 1 : -1) : offset)
        }
    }
}

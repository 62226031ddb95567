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

/// Traps with checkOperands' message when x and y overlap partially.
@inline(__always)
func preconditionOperands(n: Int, x: UnsafeRawPointer, y: UnsafeRawPointer, file: StaticString = #file, line: UInt = #line) {
    do { try SoftmaxError.checkOperands(n: n, x: x, y: y) } catch { preconditionFailure("\(error)", file: file, line: line) }
}

/// An algorithm composed from chosen kernels of one ISA: a callable softmax.
public struct SoftmaxPlan: @unchecked Sendable, CustomStringConvertible {
    public let algorithm: Algorithm
    public let kernels: [Kernel]
    /// The kernels' function pointers, fetched once so a call costs nothing beyond the kernels.
    let fn0, fn1, fn2: softmax_kernel_fn
    /// The same with each streaming-store kernel replaced by its plain twin: what calls below
    /// `streamingThreshold` run.
    let cached0, cached1, cached2: softmax_kernel_fn
    /// The kernels those are.
    private let plainKernels: [Kernel]
    /// Streaming-store (`_nt`) kernels run from this many elements on; below it their plain twins run.
    /// Streaming stores skip the write-allocate read of y, but send y to DRAM even when x and y fit in
    /// the caches, and three-pass-reload then reads y back from DRAM: they win out of cache and lose in it
    /// (the reference runs' tune results, `results/<id>/README.md`). A preset written by `tune` carries the
    /// size it measured per ISA and algorithm (`Preset.streamingThresholds`); the default, for plans
    /// without one, is where x and y together fill the last-level cache.
    public let streamingThreshold: Int
    public var isa: ISA { kernels[0].isa }

    /// Bytes moved per element by all passes together (write-allocate not counted): 12, 16 or 20.
    public var bytesPerElement: Int { kernels.reduce(0) { $0 + $1.bytesPerElement } }
    public var description: String { kernels.map(\.name).joined(separator: "+") }

    /// Elements from which x and y (8 bytes per element) no longer fit in the last-level cache: the size
    /// of cpu0's highest cache level in sysfs (one instance, where sysconf may report the sum over a
    /// virtual machine's host), else 32 MiB.
    public static let defaultStreamingThreshold: Int = (lastLevelCacheBytes() ?? 32 << 20) / 8

    static func lastLevelCacheBytes(directory: String = "/sys/devices/system/cpu/cpu0/cache") -> Int? {
        var best: (level: Int, bytes: Int)?
        for index in 0..<8 {
            func read(_ file: String) -> String? {
                (try? String(contentsOfFile: "\(directory)/index\(index)/\(file)", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = read("level").flatMap({ Int($0) }), let size = read("size"), read("type") != "Instruction" else { continue }
            let multiplier = size.hasSuffix("K") ? 1 << 10 : size.hasSuffix("M") ? 1 << 20 : 1
            guard let value = Int(size.trimmingCharacters(in: CharacterSet.letters)), value > 0 else { continue }
            if best == nil || level > best!.level { best = (level, value * multiplier) }
        }
        return best?.bytes
    }

    public init(algorithm: Algorithm, kernels: [Kernel], streamingThreshold: Int = SoftmaxPlan.defaultStreamingThreshold) throws {
        guard kernels.count == algorithm.passes.count else {
            throw SoftmaxError.wrongPassCount(algorithm: algorithm, expected: algorithm.passes.count, got: kernels.count)
        }
        for (kernel, family) in zip(kernels, algorithm.passes) where kernel.family != family {
            throw SoftmaxError.wrongFamily(kernel: kernel.name, expected: family, algorithm: algorithm)
        }
        guard Set(kernels.map(\.isa)).count == 1 else {
            throw SoftmaxError.mixedISA(algorithm: algorithm, kernels: kernels.map(\.name))
        }
        guard kernels[0].isa.isSupported else {
            throw SoftmaxError.unsupportedISA(kernels[0].isa, supported: ISA.supported)
        }
        self.algorithm = algorithm
        self.kernels = kernels
        fn0 = kernels[0].info.fn
        fn1 = kernels[1].info.fn
        fn2 = kernels.count > 2 ? kernels[2].info.fn : kernels[1].info.fn
        let cached = kernels.map(KernelRegistry.withOrdinaryStores)
        plainKernels = cached
        cached0 = cached[0].info.fn
        cached1 = cached[1].info.fn
        cached2 = cached.count > 2 ? cached[2].info.fn : cached[1].info.fn
        self.streamingThreshold = streamingThreshold
    }

    public init(algorithm: Algorithm, kernelNames: [String], streamingThreshold: Int = SoftmaxPlan.defaultStreamingThreshold) throws {
        let kernels = try kernelNames.map { name -> Kernel in
            guard let kernel = KernelRegistry.named(name) else {
                throw SoftmaxError.unknownKernel(name, suggestions: KernelRegistry.suggestions(for: name))
            }
            return kernel
        }
        try self.init(algorithm: algorithm, kernels: kernels, streamingThreshold: streamingThreshold)
    }

    /// The kernels a call on n elements runs: the plan's, or below `streamingThreshold` their plain twins.
    /// What a result row must name.
    public func kernelsRun(n: Int) -> [Kernel] { n >= streamingThreshold ? kernels : plainKernels }

    /// The function pointers of `kernelsRun(n:)`.
    func functions(n: Int) -> (softmax_kernel_fn, softmax_kernel_fn, softmax_kernel_fn) {
        n >= streamingThreshold ? (fn0, fn1, fn2) : (cached0, cached1, cached2)
    }

    /// y = softmax(x) over n elements. y may be x itself (in place) or lie apart from it; a partial
    /// overlap traps (see SoftmaxError.checkOperands). Does nothing for n == 0.
    public func callAsFunction(n: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        guard n > 0 else { return }
        preconditionOperands(n: n, x: x, y: y)
        let (fn0, fn1, fn2) = functions(n: n)
        switch algorithm {
        case .twoPass:
            let sum = fn0.raddextexp(n, x)
            fn1.vscaleextexp(n, x, y, ExtFloat(mantissa: 1 / sum.mantissa, exponent: -sum.exponent))
        case .threePassRecompute:
            let max = fn0.rmax(n, x)
            let sum = fn1.raddexpminusmax(n, x, max)
            fn2.vscaleexpminusmax(n, x, y, max, 1 / sum)
        case .threePassReload:
            let max = fn0.rmax(n, x)
            let sum = fn1.raddstoreexpminusmax(n, x, y, max)
            fn2.vscale(n, y, y, 1 / sum)
        case .online:
            let r = fn0.rmaxaddexp(n, x)
            fn1.vscaleexpminusmax(n, x, y, r.max, 1 / r.sum)
        }
    }

    /// Convenience for arrays.
    public func callAsFunction(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                if let xp = xb.baseAddress, let yp = yb.baseAddress { self(n: x.count, x: xp, y: yp) }
            }
        }
        return y
    }
}

import CSoftmaxKernels
import Foundation

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

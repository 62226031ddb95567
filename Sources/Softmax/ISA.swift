import CSoftmaxKernels

/// An instruction set a kernel is written for. Support is decided at run time (CPUID and XGETBV),
/// never from compile-time flags, so one binary runs everywhere and uses what the CPU has.
public enum ISA: String, CaseIterable, Codable, Sendable, Comparable {
    case portable
    case avx2
    case avx512f

    var c: softmax_isa {
        switch self {
        case .portable: return softmax_isa_portable
        case .avx2: return softmax_isa_avx2
        case .avx512f: return softmax_isa_avx512f
        }
    }

    /// The names of the C list's rows (Sources/CSoftmaxKernels/isas.def), in its order: RegistryTests
    /// checks that they are these cases.
    static var cListNames: [String] {
        (0..<softmax_isa_count).map { String(cString: softmax_isa_name(softmax_isa(rawValue: UInt32($0)))) }
    }

    init?(_ c: softmax_isa) {
        guard let isa = ISA.allCases.first(where: { $0.c == c }) else { return nil }
        self = isa
    }

    /// True when this CPU and OS can run kernels of this ISA. Read once: CPUID traps to the hypervisor
    /// in a virtual machine, far too slow to ask on every kernel call.
    public var isSupported: Bool { ISA.supportTable[ISA.allCases.firstIndex(of: self)!] }

    private static let supportTable: [Bool] = allCases.map { softmax_isa_supported($0.c) }

    /// The ISAs this machine runs, in increasing order of width.
    public static var supported: [ISA] { allCases.filter(\.isSupported) }

    public static func < (a: ISA, b: ISA) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The floating-point environment of the calling thread.
public enum FloatingPointEnvironment {
    /// Sets or clears flush-to-zero and denormals-are-zero (MXCSR FTZ and DAZ) for the calling thread
    /// and returns the previous setting. The harness runs with them set, as the paper's benchmark did.
    /// Kernels do not need it: each sets FTZ and DAZ for its own call and restores the caller's setting,
    /// so their results are the same either way (docs/numerics.md, "Denormals").
    @discardableResult
    public static func flushDenormals(_ on: Bool) -> Bool { softmax_flush_denormals(on) }

    public static var flushesDenormals: Bool { softmax_flush_denormals_enabled() }
}

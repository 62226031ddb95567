import CSoftmaxKernels

/// A memory reference loop (read, copy, scale in place, write) from the C library, measured beside the
/// passes so each pass can be judged against what this memory does for the same access pattern.
public struct MemoryReference: Sendable, CustomStringConvertible {
    public let name: String
    public let isa: ISA
    public let bytesReadPerElement: Int
    public let bytesWrittenPerElement: Int
    let index: Int

    public var bytesPerElement: Int { bytesReadPerElement + bytesWrittenPerElement }
    public var description: String { "\(name)_\(isa.rawValue)" }

    public static let all: [MemoryReference] = (0..<softmax_memref_count).map { i in
        let info = softmax_memref_at(i)!.pointee
        return MemoryReference(name: String(cString: info.name), isa: ISA(info.isa)!,
                               bytesReadPerElement: Int(info.bytes_read_per_element),
                               bytesWrittenPerElement: Int(info.bytes_written_per_element), index: i)
    }

    public static func named(_ name: String, isa: ISA) -> MemoryReference? { all.first { $0.name == name && $0.isa == isa } }

    /// `read` reads x; `copy` writes y = x; `scale` multiplies y in place; `write` fills y.
    @discardableResult
    public func run(n: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>?) -> Float {
        precondition(isa.isSupported, "\(self) needs \(isa.rawValue), which this CPU lacks")
        return softmax_memref_at(index)!.pointee.fn(n, x, y)
    }
}

/// How the kernels were built, for the run metadata.
public enum KernelBuild {
    public static var compiler: String { String(cString: softmax_kernels_compiler()) }
    public static var flags: String { String(cString: softmax_kernels_cflags()) }
    /// The compiler whose object code the instruction counts come from; they describe this build only when
    /// it equals `compiler`.
    public static var instructionCountsCompiler: String { String(cString: softmax_instruction_counts_compiler()) }
}

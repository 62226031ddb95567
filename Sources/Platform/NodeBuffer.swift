import CPlatform

/// A Float array placed on the NUMA node of a chosen CPU, aligned for any vector width we use.
///
/// Bandwidth-bound kernels measure the memory they read, so where the pages live matters as much
/// as the code: memory on a remote node, or pages first touched by another thread, would make the
/// two-pass versus three-pass comparison about NUMA, not about passes. The buffer is bound with
/// `hwloc_alloc_membind(HWLOC_MEMBIND_BIND)` when the OS allows it; otherwise it is allocated unbound
/// and `placement` says so. Either way pages are only committed when touched, so call `firstTouch`
/// from the (pinned) thread that will use the buffer.
///
/// Not copyable and not thread-safe beyond what raw memory is: the owner decides who writes.
public final class NodeBuffer: @unchecked Sendable {
    /// Start of `count` Floats; at least 64-byte aligned (a cache line, and an AVX-512 vector).
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    /// `count * 4`.
    public let bytes: Int
    /// The CPU whose node the buffer was meant for.
    public let cpu: Int
    /// True when the memory is bound to that node; false when it fell back to an unbound allocator.
    public let isBound: Bool
    /// One sentence on how the memory was obtained, for the run metadata.
    public let placement: String

    /// The minimum alignment guaranteed by every allocation path.
    public static let minimumAlignment = 64

    private let topology: Topology  // hwloc_free needs the topology that allocated
    private let kind: plat_alloc_kind

    /// Allocates `count` Floats near `cpu` (see the type's documentation). The contents are
    /// uninitialised.
    ///
    /// Throws `PlatformError.outOfMemory` *before* allocating if `count * 4` bytes exceed the memory
    /// the kernel says is available: Linux overcommits, so a too-large allocation would "succeed"
    /// and the process would be OOM-killed while touching it, with no message at all.
    /// `availableMemory` exists for tests; the default reads /proc/meminfo.
    public init(count: Int, nearCPU cpu: Int, topology: Topology,
                availableMemory: () -> Int = MachineInfo.availableMemoryBytes) throws
    {
        let bytes = try NodeBuffer.checkedBytes(count: count, what: "NodeBuffer", availableMemory: availableMemory)

        var kind = PLAT_ALLOC_BOUND
        var note = [CChar](repeating: 0, count: 512)
        guard let raw = plat_alloc_near_cpu(topology.handle, bytes, Int32(clamping: cpu), &kind, &note, note.count)
        else {
            throw PlatformError.allocationFailed(bytes: bytes, reason: String(cString: note))
        }
        if Int(bitPattern: raw) % NodeBuffer.minimumAlignment != 0 {
            plat_free(topology.handle, raw, bytes, kind)
            throw PlatformError.allocationFailed(
                bytes: bytes, reason: "allocator returned \(raw), not \(NodeBuffer.minimumAlignment)-byte aligned")
        }
        self.pointer = raw.bindMemory(to: Float.self, capacity: count)
        self.count = count
        self.bytes = bytes
        self.cpu = cpu
        self.kind = kind
        self.isBound = kind == PLAT_ALLOC_BOUND
        self.placement = String(cString: note)
        self.topology = topology
    }

    deinit { plat_free(topology.handle, pointer, bytes, kind) }

    /// The bytes of `count` Floats, refused before anything is allocated if the count is not positive or the
    /// bytes exceed the memory available (shared with SlicedBuffer).
    static func checkedBytes(count: Int, what: String, availableMemory: () -> Int) throws -> Int {
        guard count > 0 else { throw PlatformError.invalidArgument("\(what) count must be positive, got \(count)") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        let available = availableMemory()
        if overflow { throw PlatformError.outOfMemory(bytes: Int.max, available: available) }
        if bytes > available { throw PlatformError.outOfMemory(bytes: bytes, available: available) }
        return bytes
    }

    /// The elements as a buffer pointer (valid while `self` is alive).
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// The largest power of two (up to 4096) dividing the start address.
    public var alignment: Int {
        let address = Int(bitPattern: pointer)
        var a = 1
        while a < 4096 && address % (a * 2) == 0 { a *= 2 }
        return a
    }

    /// Stores `value` into every element from the calling thread, which commits every page on the
    /// node this thread's policy (or the buffer's binding) selects. Call it from the pinned worker.
    public func firstTouch(value: Float) {
        plat_fill_float(pointer, count, value)
    }

    /// OS indexes of the NUMA nodes currently holding the buffer's pages (empty before first touch),
    /// or nil if the OS cannot tell. For checking `placement` claims, not for hot paths.
    public func residentNUMANodes() -> [Int]? {
        var nodes = [Int32](repeating: 0, count: 64)
        let n = Int(plat_memory_location(topology.handle, pointer, bytes, &nodes, Int32(nodes.count)))
        return n < 0 ? nil : nodes.prefix(min(n, nodes.count)).map(Int.init)
    }
}

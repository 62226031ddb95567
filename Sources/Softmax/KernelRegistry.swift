import CSoftmaxKernels

/// Every kernel compiled into the library, read from the C registry (generated from `kernels.def`).
/// There is no second list: Swift only filters this one.
public enum KernelRegistry {
    public static let all: [Kernel] = KernelTable.all.enumerated().map { index, info in
        Kernel(
            name: String(cString: info.name),
            family: PassFamily(info.family)!,
            isa: ISA(info.isa)!,
            elementsPerIteration: Int(info.elements_per_iteration),
            accumulators: Int(info.accumulators),
            variant: String(cString: info.variant),
            expMethod: String(cString: info.exp_method),
            nonTemporalStores: info.nontemporal_stores,
            prefetchBytes: Int(info.prefetch_bytes),
            bytesReadPerElement: Int(info.bytes_read_per_element),
            bytesWrittenPerElement: Int(info.bytes_written_per_element),
            index: index)
    }

    private static let byName: [String: Kernel] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> Kernel? { byName[name] }

    public static func kernels(family: PassFamily? = nil, isa: ISA? = nil) -> [Kernel] {
        all.filter { (family == nil || $0.family == family) && (isa == nil || $0.isa == isa) }
    }

    /// The plain kernel with a variant's arithmetic: same family, ISA, tile, accumulators and exp method,
    /// no memory variant.
    public static func plainTwin(of kernel: Kernel) -> Kernel? {
        all.first {
            $0.family == kernel.family && $0.isa == kernel.isa && $0.elementsPerIteration == kernel.elementsPerIteration
                && $0.accumulators == kernel.accumulators && $0.variant.isEmpty
                && $0.expMethod == kernel.expMethod
        }
    }

    /// The kernel with the same arithmetic and ordinary stores: a streaming-store kernel's plain twin, any
    /// other kernel itself. A plan runs it below its streaming threshold, and it bounds a streaming pass's
    /// arithmetic (streaming stores go to DRAM even at cache-resident sizes).
    public static func withOrdinaryStores(_ kernel: Kernel) -> Kernel {
        kernel.nonTemporalStores ? (plainTwin(of: kernel) ?? kernel) : kernel
    }

    /// Kernels this machine can run.
    public static var supported: [Kernel] { all.filter { $0.isa.isSupported } }

    /// Names starting like `prefix`, closest first, for "did you mean" messages.
    public static func suggestions(for name: String, limit: Int = 3) -> [String] {
        closestMatches(to: name, among: all.map(\.name), limit: limit)
    }
}

/// Candidates closest to `word`: those that contain it first, then by edit
/// distance (ties keep their order).
public func closestMatches(to word: String, among candidates: [String], limit: Int = 3) -> [String] {
    let w = word.lowercased()
    let scored = candidates.map { candidate -> (String, Int, Int) in
        let c = candidate.lowercased()
        return (candidate, c.contains(w) ? 0 : 1, editDistance(w, c))
    }
    // Ties go to the alphabetically first name, so a suggestion never depends on a Set's iteration order.
    return scored.sorted { ($0.1, $0.2, $0.0) < ($1.1, $1.2, $1.0) }.prefix(limit).map(\.0)
}

/// Levenshtein distance.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

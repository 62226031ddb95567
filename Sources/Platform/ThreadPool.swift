import CPlatform

/// Worker threads pinned one per CPU that run a task together and meet at barriers inside it: the
/// threads of the multi-core softmax. Persistent, so a call costs a wake-up of spinning workers rather
/// than thread creation; between calls idle workers spin briefly, then sleep.
///
/// The thread that creates the pool is worker 0: `init` pins it to `cpus[0]`, and it must be the thread
/// that calls `run`. Workers 1... are the pool's own threads, pinned to `cpus[1...]` before `init`
/// returns. Not thread-safe: one thread drives a pool.
public final class ThreadPool: @unchecked Sendable {
    public let cpus: [Int]
    private let handle: OpaquePointer
    private let topology: Topology

    /// Throws if a CPU does not exist, a binding is refused or a thread cannot start. CPUs may repeat
    /// (tests oversubscribe on purpose; measurements never should).
    public init(cpus: [Int], topology: Topology) throws {
        guard !cpus.isEmpty else { throw PlatformError.invalidArgument("a thread pool needs at least one CPU") }
        for cpu in cpus where !topology.hasCPU(cpu) {
            throw PlatformError.noSuchCPU(cpu: cpu, available: topology.cpuListString())
        }
        try Pinning.pinCurrentThread(toCPU: cpus[0], topology: topology)
        var err = [CChar](repeating: 0, count: 512)
        let c = cpus.map { Int32($0) }
        guard let h = plat_pool_create(topology.handle, c, Int32(c.count), &err, err.count) else {
            throw PlatformError.bindingFailed(cpu: cpus[0], reason: "starting the thread pool: " + String(cString: err))
        }
        self.cpus = cpus
        self.handle = h
        self.topology = topology
    }

    deinit { plat_pool_destroy(handle) }

    public var size: Int { cpus.count }

    /// Runs `body(w)` on every worker w (w = 0 on the calling thread) and returns when all have
    /// returned, so the end of `run` is itself a barrier.
    public func run(_ body: (_ worker: Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let task = Task(escapable)
            plat_pool_run(handle, { context, worker, _ in
                Unmanaged<Task>.fromOpaque(context!).takeUnretainedValue().body(Int(worker))
            }, Unmanaged.passUnretained(task).toOpaque())
            withExtendedLifetime(task) {}
        }
    }

    /// Called by every worker inside `run`: returns once all have called it, with every write made
    /// before it by any worker visible to all.
    public func barrier() { plat_pool_barrier(handle) }

    /// The CPU each worker was on when it started the most recent `run` (-1 before the first).
    public var observedCPUs: [Int] { (0..<cpus.count).map { Int(plat_pool_observed_cpu(handle, Int32($0))) } }

    private final class Task {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }
}

/// How a multi-core run places its workers on cores (one worker per core, on the core's first PU).
public enum Placement: String, CaseIterable, Codable, Sendable {
    /// Cores in hwloc's logical order: fills a NUMA node (a package, an L3) before the next, so workers
    /// share caches and memory controllers.
    case compact
    /// Round-robin over the widest level that has several instances (NUMA nodes, else packages, else
    /// L3 caches), so consecutive workers use different memory controllers or caches.
    case scattered
}

/// Where a core sits: what placements group cores by.
public struct CoreLocation: Equatable, Sendable {
    public var core: Int
    /// The core's first PU (OS index): where its worker is pinned.
    public var cpu: Int
    public var package: Int
    public var numaNode: Int
    public var l3: Int

    public init(core: Int, cpu: Int, package: Int, numaNode: Int, l3: Int) {
        self.core = core
        self.cpu = cpu
        self.package = package
        self.numaNode = numaNode
        self.l3 = l3
    }

    /// The level `scattered` spreads over for these cores, and the group of each core at that level;
    /// nil when there is one NUMA node, one package and one L3 (then scattered is compact).
    public static func scatterLevel(_ cores: [CoreLocation]) -> (name: String, group: (CoreLocation) -> Int)? {
        let levels: [(String, (CoreLocation) -> Int)] = [("NUMA nodes", \.numaNode), ("packages", \.package), ("L3 caches", \.l3)]
        for (name, key) in levels where Set(cores.map(key)).count > 1 { return (name, key) }
        return nil
    }

    /// The cores in the order workers take them under `placement`.
    public static func order(_ cores: [CoreLocation], placement: Placement) -> [CoreLocation] {
        guard placement == .scattered, let level = scatterLevel(cores) else { return cores }
        var groups: [[CoreLocation]] = []
        var groupIndex: [Int: Int] = [:]
        for core in cores {
            let g = level.group(core)
            if let i = groupIndex[g] { groups[i].append(core) } else {
                groupIndex[g] = groups.count
                groups.append([core])
            }
        }
        var ordered: [CoreLocation] = []
        var round = 0
        while ordered.count < cores.count {
            for group in groups where round < group.count { ordered.append(group[round]) }
            round += 1
        }
        return ordered
    }
}

extension Topology {
    /// Every core this process may run on, in logical order, with where it sits.
    public func coreLocations() -> [CoreLocation] {
        coreCPUs().enumerated().compactMap { core, pus in
            guard let cpu = pus.first(where: hasCPU) else { return nil }
            var package: Int32 = -1, node: Int32 = -1, l3: Int32 = -1
            guard plat_topology_core_location(handle, Int32(core), &package, &node, &l3) == 0 else { return nil }
            return CoreLocation(core: core, cpu: cpu, package: Int(package), numaNode: Int(node), l3: Int(l3))
        }
    }

    /// The CPUs of `threads` workers under `placement`, worker 0 first; nil if there are fewer cores.
    public func cpus(threads: Int, placement: Placement) -> [Int]? {
        let ordered = CoreLocation.order(coreLocations(), placement: placement)
        guard threads >= 1, threads <= ordered.count else { return nil }
        return ordered.prefix(threads).map(\.cpu)
    }

    /// Number of caches of a level (1...5), 0 if hwloc found none.
    public func cacheCount(level: Int) -> Int { Int(plat_topology_cache_count(handle, Int32(level))) }

    /// The last-level cache of all instances together: what a buffer shared by workers on every core
    /// must exceed to be out of cache.
    public var totalLLCBytes: Int { llcBytes * Swift.max(1, llcLevel.map { cacheCount(level: $0) } ?? 1) }
}

/// A Float array that several workers own in slices, each slice's pages bound to its worker's NUMA node
/// (when the OS allows; otherwise placed by first touch, which the workers must then do themselves).
public final class SlicedBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    public let bytes: Int
    /// One sentence on how the slices were placed, for the run metadata.
    public let placement: String
    private let topology: Topology

    /// `slices`: element ranges and the CPU whose node each belongs to.
    public init(count: Int, slices: [(range: Range<Int>, cpu: Int)], topology: Topology,
                availableMemory: () -> Int = MachineInfo.availableMemoryBytes) throws {
        let bytes = try NodeBuffer.checkedBytes(count: count, what: "SlicedBuffer", availableMemory: availableMemory)
        guard let raw = plat_alloc_pages(topology.handle, bytes) else {
            throw PlatformError.allocationFailed(bytes: bytes, reason: "hwloc_alloc failed")
        }
        pointer = raw.bindMemory(to: Float.self, capacity: count)
        self.count = count
        self.bytes = bytes
        self.topology = topology
        var failure: String?
        for slice in slices where !slice.range.isEmpty && failure == nil {
            var note = [CChar](repeating: 0, count: 256)
            if plat_bind_area_near_cpu(topology.handle, pointer + slice.range.lowerBound, slice.range.count * 4, Int32(slice.cpu), &note, note.count) != 0 {
                failure = String(cString: note)
            }
        }
        placement = failure.map { "slices not bound (\($0)); pages placed by first touch of each slice's worker" }
            ?? "each worker's slice bound to its CPU's NUMA node (hwloc_set_area_membind) and first touched by that worker"
    }

    deinit { plat_free(topology.handle, pointer, bytes, PLAT_ALLOC_HWLOC) }
}

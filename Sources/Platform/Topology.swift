import CPlatform
import Foundation

/// This machine's processors, caches and NUMA nodes, as hwloc sees them.
///
/// Loaded once at `init` (a few milliseconds; it reads sysfs) and immutable afterwards. hwloc
/// documents read-only queries and binding on a loaded topology as thread-safe, which is why one
/// instance may be shared with worker threads. Keep it alive as long as any `NodeBuffer` made from
/// it: their memory is returned through it.
public final class Topology: @unchecked Sendable {
    let handle: OpaquePointer

    /// Object counts; 0 where hwloc found none of that kind.
    public let packages: Int
    public let numaNodes: Int
    public let cores: Int
    public let pus: Int

    /// Per-instance data (or unified) cache sizes in bytes; nil where no source knew the level.
    public let l1dBytes: Int?
    public let l2Bytes: Int?
    public let l3Bytes: Int?
    /// Size of the largest (outermost) cache level found: what a working set must exceed to be
    /// "out of cache". Never 0: if no source knows any cache, `Topology.assumedLLCBytes`.
    public let llcBytes: Int
    /// Level of `llcBytes` (3 on most servers), nil when assumed.
    public let llcLevel: Int?
    /// Where the cache sizes came from: "hwloc", or a fallback and why it was needed.
    public let cacheSource: String

    /// Used only when hwloc, sysconf and sysfs all fail to report a cache: large enough that
    /// "out-of-cache" sizes chosen from it really are out of cache on current server parts.
    public static let assumedLLCBytes = 32 << 20

    /// Loads the topology; throws `PlatformError.topologyUnavailable` if hwloc cannot.
    public init() throws {
        var err = [CChar](repeating: 0, count: 512)
        guard let h = plat_topology_create(&err, err.count) else {
            throw PlatformError.topologyUnavailable(reason: String(cString: err))
        }
        handle = h
        packages = Int(plat_topology_count(h, PLAT_OBJ_PACKAGE))
        numaNodes = Int(plat_topology_count(h, PLAT_OBJ_NUMANODE))
        cores = Int(plat_topology_count(h, PLAT_OBJ_CORE))
        pus = Int(plat_topology_count(h, PLAT_OBJ_PU))

        var fromHwloc: [Int: Int] = [:]
        for level in 1...5 {
            let bytes = Int(plat_topology_cache_bytes(h, Int32(level)))
            if bytes > 0 { fromHwloc[level] = bytes }
        }
        let resolved = Topology.resolveCaches(
            hwloc: fromHwloc,
            sysconf: {
                var r: [Int: Int] = [:]
                for level in 1...4 {
                    let bytes = Int(plat_sysconf_cache_bytes(Int32(level)))
                    if bytes > 0 { r[level] = bytes }
                }
                return r
            },
            sysfs: { Topology.cachesFromSysfs(directory: Topology.sysfsCacheDirectory) })
        l1dBytes = resolved.sizes[1]
        l2Bytes = resolved.sizes[2]
        l3Bytes = resolved.sizes[3]
        llcLevel = resolved.sizes.keys.max()
        llcBytes = llcLevel.flatMap { resolved.sizes[$0] } ?? Topology.assumedLLCBytes
        cacheSource = resolved.source
    }

    deinit { plat_topology_destroy(handle) }

    /// OS indexes of the PUs of each core, cores and PUs in hwloc's logical order, so
    /// `coreCPUs()[i][0]` is "the first hardware thread of core i".
    public func coreCPUs() -> [[Int]] {
        (0..<cores).map { core in
            var buf = [Int32](repeating: 0, count: 16)
            var n = Int(plat_topology_core_pus(handle, Int32(core), &buf, Int32(buf.count)))
            if n > buf.count {
                buf = [Int32](repeating: 0, count: n)
                n = Int(plat_topology_core_pus(handle, Int32(core), &buf, Int32(buf.count)))
            }
            return buf.prefix(max(n, 0)).map(Int.init)
        }
    }

    /// OS indexes of all PUs in logical order.
    public func cpus() -> [Int] {
        var buf = [Int32](repeating: 0, count: max(pus, 1))
        let n = Int(plat_topology_pu_list(handle, &buf, Int32(buf.count)))
        return buf.prefix(min(n, buf.count)).map(Int.init)
    }

    /// True if `cpu` is a PU this process may run on.
    public func hasCPU(_ cpu: Int) -> Bool {
        guard let c = Int32(exactly: cpu) else { return false }
        return plat_topology_has_cpu(handle, c) == 1
    }

    /// The CPUs this process may run on, as a list string such as "0-3,8".
    public func cpuListString() -> String {
        var buf = [CChar](repeating: 0, count: 1024)
        plat_topology_cpu_list(handle, &buf, buf.count)
        return String(cString: buf)
    }

    /// OS index of the NUMA node local to `cpu`, nil if the CPU or its node is unknown.
    public func numaNode(ofCPU cpu: Int) -> Int? {
        guard let c = Int32(exactly: cpu) else { return nil }
        let node = plat_topology_numa_node_of_cpu(handle, c)
        return node >= 0 ? Int(node) : nil
    }

    /// hwloc's object tree as text, one object per line, two spaces of indentation per level, e.g.
    /// `Package L#0` / `  L3 L#0 32MiB` / `    Core L#0` / `      PU L#0 P#0`. For the
    /// run metadata: it records what the machine looked like, not a format to parse.
    public func render() -> String {
        let needed = plat_topology_render(handle, nil, 0)
        var buf = [CChar](repeating: 0, count: needed + 1)
        _ = plat_topology_render(handle, &buf, buf.count)
        return String(cString: buf)
    }

    // MARK: Cache fallbacks

    static let sysfsCacheDirectory = "/sys/devices/system/cpu/cpu0/cache"

    /// Picks the first source that knows any cache: hwloc, then glibc's sysconf, then sysfs.
    /// The later sources are closures so they are consulted only when needed.
    static func resolveCaches(hwloc: [Int: Int], sysconf: () -> [Int: Int], sysfs: () -> [Int: Int])
        -> (sizes: [Int: Int], source: String)
    {
        if !hwloc.isEmpty { return (hwloc, "hwloc") }
        let fromSysconf = sysconf()
        if !fromSysconf.isEmpty { return (fromSysconf, "sysconf (hwloc reported no caches)") }
        let fromSysfs = sysfs()
        if !fromSysfs.isEmpty {
            return (fromSysfs, "sysfs \(sysfsCacheDirectory) (hwloc and sysconf reported no caches)")
        }
        return ([:], "none found by hwloc, sysconf or sysfs; LLC assumed to be \(formatBytes(assumedLLCBytes))")
    }

    /// Data and unified cache sizes by level from a sysfs `cpuN/cache` directory (`index*/level`,
    /// `type`, `size` such as "32K"). Instruction caches are skipped; missing or odd entries too.
    static func cachesFromSysfs(directory: String) -> [Int: Int] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var sizes: [Int: Int] = [:]
        for entry in entries.sorted() where entry.hasPrefix("index") {
            let dir = directory + "/" + entry
            guard let levelText = SysFile.read(dir + "/level"), let level = Int(levelText),
                  let type = SysFile.read(dir + "/type"), type != "Instruction",
                  let sizeText = SysFile.read(dir + "/size"), let bytes = parseSize(sizeText), bytes > 0
            else { continue }
            if sizes[level] == nil { sizes[level] = bytes }
        }
        return sizes
    }

    /// "32K" -> 32768, "1M" -> 1048576, "512" -> 512; nil if unparseable.
    static func parseSize(_ text: String) -> Int? {
        let t = text.trimmingSpaces().uppercased()
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = t.last, let m = multipliers[last] {
            return Int(t.dropLast()).map { $0 * m }
        }
        return Int(t)
    }
}

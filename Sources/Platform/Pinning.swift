import CPlatform

/// Binding the measuring thread to one CPU.
///
/// The paper's protocol is single-threaded on a fixed core: migrations would move the working set
/// away from the core's private caches mid-measurement and add scheduler noise, so the harness pins
/// its worker before allocating (first touch then places memory on the local node) and records the
/// CPU it reads back, not the one it asked for.
public enum Pinning {
    /// Binds the calling thread, and only it, to PU `cpu` (an OS index, as `taskset` numbers CPUs).
    ///
    /// Throws `PlatformError.noSuchCPU` if the CPU does not exist or is outside this process's
    /// allowed set (the message lists the allowed ones), and `PlatformError.bindingFailed` if the
    /// OS refuses. On return the thread is already running on `cpu`.
    public static func pinCurrentThread(toCPU cpu: Int, topology: Topology) throws {
        guard topology.hasCPU(cpu), let c = Int32(exactly: cpu) else {
            throw PlatformError.noSuchCPU(cpu: cpu, available: topology.cpuListString())
        }
        var err = [CChar](repeating: 0, count: 512)
        let rc = plat_bind_thread_to_cpu(topology.handle, c, &err, err.count)
        switch rc {
        case 0: return
        case -1: throw PlatformError.noSuchCPU(cpu: cpu, available: topology.cpuListString())
        default: throw PlatformError.bindingFailed(cpu: cpu, reason: String(cString: err))
        }
    }

    /// Undoes `pinCurrentThread`: the calling thread may run on any CPU this process may use. Returns
    /// false if the OS refused.
    @discardableResult
    public static func unpinCurrentThread(topology: Topology) -> Bool { plat_unbind_thread(topology.handle) == 0 }

    /// The CPU the calling thread is running on (strictly: ran on most recently, which for a pinned
    /// thread is the same). hwloc's answer first, `sched_getcpu()` otherwise; -1 if neither knows.
    public static func currentCPU(topology: Topology) -> Int {
        Int(plat_current_cpu(topology.handle))
    }

    /// `currentCPU(topology:)` without a topology at hand: uses a process-wide topology loaded on
    /// first use (or `sched_getcpu()` alone if hwloc cannot load one).
    public static func currentCPU() -> Int {
        Int(plat_current_cpu(sharedTopology?.handle))
    }

    /// Loaded lazily (and exactly once, thread-safely, as every Swift static is) so that
    /// `currentCPU()` costs one syscall rather than a topology load per call.
    static let sharedTopology: Topology? = try? Topology()

    /// The CPU to measure on when the user names none: the first PU of the last core.
    ///
    /// Linux steers much of its housekeeping (timer ticks of idle tasks, many IRQs, RCU callbacks,
    /// and whatever a user starts in a shell) towards CPU 0 and low-numbered CPUs, so the far end of
    /// the machine is usually the quietest; the first PU of that core avoids sharing it with an
    /// SMT sibling we chose. Falls back to the last PU if hwloc reports no cores, and 0 if nothing.
    public static func chooseDefaultCPU(topology: Topology) -> Int {
        if let lastCore = topology.coreCPUs().last(where: { !$0.isEmpty }) { return lastCore[0] }
        return topology.cpus().last ?? 0
    }
}

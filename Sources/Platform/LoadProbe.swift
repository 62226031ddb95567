import CPlatform
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What else ran while we measured: the measuring thread's own CPU time against the wall clock (per round),
/// a CPU's time accounts in /proc/stat (per run: steal and other tasks), and the clock the core ran at.
public enum LoadProbe {
    /// CPU seconds the calling thread has run (CLOCK_THREAD_CPUTIME_ID, in nanoseconds). The kernel counts
    /// a thread's runtime without the time it was preempted and, with paravirtual steal accounting as on
    /// KVM, without the time the hypervisor gave its CPU to someone else: wall time minus this is what
    /// other work took from the thread.
    public static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// One CPU's cumulative time accounts from /proc/stat, in seconds (USER_HZ ticks: 10 ms resolution, so
    /// for whole runs, not rounds).
    public struct ProcessorTimes: Equatable, Sendable {
        /// user + nice + system + irq + softirq: time the CPU ran anything, us included.
        public var busy: Double
        /// Time the hypervisor ran something else while this virtual CPU wanted to run.
        public var steal: Double

        public static func - (a: ProcessorTimes, b: ProcessorTimes) -> ProcessorTimes {
            ProcessorTimes(busy: a.busy - b.busy, steal: a.steal - b.steal)
        }
    }

    /// The `cpu<N>` line of /proc/stat, or nil where it is not there.
    public static func processorTimes(cpu: Int) -> ProcessorTimes? {
        guard let text = SysFile.read("/proc/stat") else { return nil }
        return parseProcessorTimes(text, cpu: cpu, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Parses /proc/stat's `cpu<N> user nice system idle iowait irq softirq steal ...` line.
    public static func parseProcessorTimes(_ text: String, cpu: Int, ticksPerSecond: Double) -> ProcessorTimes? {
        let name = "cpu\(cpu)"
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.first == Substring(name), fields.count >= 9 else { continue }
            let ticks = fields.dropFirst().map { Double($0) ?? 0 }
            let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
            return ProcessorTimes(busy: busy / ticksPerSecond, steal: ticks[7] / ticksPerSecond)
        }
        return nil
    }

    /// The clock the calling thread's core runs at, in GHz, from the time of a chain of dependent integer
    /// adds (one per cycle): the fastest of three chains of `adds` adds, so a preemption inside one does not
    /// count. Comparing it before and after each size shows frequency changes and a hypervisor's share
    /// that the timings would otherwise absorb silently.
    public static func effectiveClockGHz(adds: Int = 1 << 21) -> Double {
        let groups = UInt64(Swift.max(adds / 8, 1))
        var fastest = Double.infinity
        var sink: UInt64 = 0
        for _ in 0..<3 {
            var t0 = timespec(), t1 = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t0)
            sink &+= plat_dependent_add_chain(groups)
            clock_gettime(CLOCK_MONOTONIC, &t1)
            let seconds = Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9
            fastest = Swift.min(fastest, seconds)
        }
        guard sink == groups * 8 * 3, fastest > 0 else { return .nan }
        return Double(groups * 8) / fastest / 1e9
    }
}

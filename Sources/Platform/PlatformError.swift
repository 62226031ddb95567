import Foundation

/// Everything the Platform module can fail with.
///
/// Each case carries the facts a user needs to act (which CPU, how many bytes, what the OS said), and
/// `description` turns them into one sentence, because these messages end up verbatim in the
/// harness's error output and in result rows.
public enum PlatformError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// hwloc could not load this machine's topology.
    case topologyUnavailable(reason: String)
    /// The CPU (an OS index) is not a PU this process may run on; `available` lists those it may.
    case noSuchCPU(cpu: Int, available: String)
    /// The CPU exists but the OS refused to bind the thread to it.
    case bindingFailed(cpu: Int, reason: String)
    /// `bytes` exceeds the physical memory available now (`available`, from /proc/meminfo).
    case outOfMemory(bytes: Int, available: Int)
    /// Every allocation method failed.
    case allocationFailed(bytes: Int, reason: String)
    /// A caller error, such as a non-positive element count.
    case invalidArgument(String)
    /// A performance-counter operation failed (start/stop misuse or a PAPI error).
    case counters(String)

    public var description: String {
        switch self {
        case .topologyUnavailable(let reason):
            return "cannot read the machine topology: \(reason)"
        case .noSuchCPU(let cpu, let available):
            return "CPU \(cpu) does not exist or is not available to this process (available CPUs: \(available))"
        case .bindingFailed(let cpu, let reason):
            return "cannot pin to CPU \(cpu): \(reason)"
        case .outOfMemory(let bytes, let available):
            return "cannot allocate \(formatBytes(bytes)) (\(bytes) bytes): only \(formatBytes(available)) "
                + "(\(available) bytes) of physical memory is available (MemAvailable)"
        case .allocationFailed(let bytes, let reason):
            return "cannot allocate \(formatBytes(bytes)) (\(bytes) bytes): \(reason)"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .counters(let message):
            return "performance counters: \(message)"
        }
    }

    public var errorDescription: String? { description }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time in seconds (CLOCK_MONOTONIC: not stepped by NTP, read in nanoseconds through the vDSO).
@inline(__always)
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

import Foundation

// Text forms of durations and counts shared by the log, the summaries and the error messages.

func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min \(s % 60) s" }
    return "\(s / 3600) h \(s % 3600 / 60) min"
}

/// 65536 -> "64K", 67108864 -> "64M", 10000000 -> "10000000".
func compactCount(_ n: Int) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20)M" }
    if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10)K" }
    return String(n)
}

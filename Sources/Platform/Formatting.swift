// Small text helpers shared by the Platform files and the modules above them.
import Foundation

/// Binary units with one decimal, e.g. "3.9 GiB"; exact sizes print without the decimal ("32 MiB").
public func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if value == value.rounded() { return "\(Int(value)) \(units[unit])" }
    return String(format: "%.1f ", value) + units[unit]
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace || f == "\0" { s.removeFirst() }
        while let l = s.last, l.isWhitespace || l == "\0" { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}

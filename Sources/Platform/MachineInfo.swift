import CPlatform
import Foundation

/// Facts about the machine and OS that go into a run's metadata and guard its allocations.
///
/// Everything is read on demand from /proc, /sys and uname, so values reflect the moment of the
/// call. Where something is not exposed (common in VMs), functions return nil plus a reason instead
/// of guessing, so the metadata says "unknown because ..." rather than something plausible.
public enum MachineInfo {
    /// The reason recorded when cpufreq does not exist at all, which on x86 almost always means a
    /// hypervisor is managing frequency for us.
    public static let notExposedReason = "not exposed (virtual machine?)"

    /// Total physical memory in bytes (MemTotal; sysconf if /proc/meminfo is unreadable).
    public static func memoryBytes() -> Int {
        if let text = SysFile.read("/proc/meminfo"), let v = parseMeminfo(text, key: "MemTotal") { return v }
        return sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
    }

    /// Memory a new allocation can use without swapping, in bytes (MemAvailable, which counts
    /// reclaimable page cache; free pages only, a safe underestimate, if MemAvailable is missing).
    public static func availableMemoryBytes() -> Int {
        if let text = SysFile.read("/proc/meminfo"), let v = parseMeminfo(text, key: "MemAvailable") { return v }
        return sysconf(Int32(_SC_AVPHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
    }

    /// PRETTY_NAME from /etc/os-release (NAME if absent), e.g. "Debian GNU/Linux 12 (bookworm)".
    public static func osName() -> String {
        for path in ["/etc/os-release", "/usr/lib/os-release"] {
            if let text = SysFile.read(path), let name = parseOSRelease(text) { return name }
        }
        return "unknown"
    }

    /// The running kernel's release string from uname(2).
    public static func kernelRelease() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        return plat_kernel_release(&buf, buf.count) == 0 ? String(cString: buf) : "unknown"
    }

    /// The cpufreq scaling governor of `cpu` ("performance", "powersave", ...), or nil and why not.
    public static func cpufreqGovernor(cpu: Int = 0) -> (String?, reason: String?) {
        let path = "/sys/devices/system/cpu/cpu\(cpu)/cpufreq/scaling_governor"
        if let value = SysFile.read(path), !value.isEmpty { return (value, nil) }
        if !FileManager.default.fileExists(atPath: path) { return (nil, notExposedReason) }
        return (nil, "\(path) exists but could not be read")
    }

    /// Whether turbo/boost is "enabled" or "disabled", or nil and why not. Reads the generic
    /// cpufreq switch (acpi-cpufreq, amd-pstate), intel_pstate's inverted `no_turbo`, then
    /// amd-pstate's per-policy switch.
    public static func boostState() -> (String?, reason: String?) {
        let sources: [(path: String, enabledWhen: String)] = [
            ("/sys/devices/system/cpu/cpufreq/boost", "1"),
            ("/sys/devices/system/cpu/intel_pstate/no_turbo", "0"),
            ("/sys/devices/system/cpu/cpufreq/policy0/boost", "1"),
        ]
        for source in sources {
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            guard let value = SysFile.read(source.path) else {
                return (nil, "\(source.path) exists but could not be read")
            }
            return (value == source.enabledWhen ? "enabled" : "disabled", nil)
        }
        return (nil, notExposedReason)
    }

    /// The hypervisor's CPUID vendor signature (e.g. "KVMKVMKVM", "Microsoft Hv") if CPUID says we
    /// run under one, else nil. Explains absent counters and frequency controls in the metadata.
    public static func hypervisorVendor() -> String? {
        var regs: [UInt32] = [0, 0, 0, 0]
        guard plat_cpuid(1, 0, &regs) == 1, regs[2] & (1 << 31) != 0 else { return nil }
        guard plat_cpuid(0x4000_0000, 0, &regs) == 1 else { return "unknown" }
        var bytes: [UInt8] = []
        for r in [regs[1], regs[2], regs[3]] {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((r >> UInt32(shift)) & 0xFF)) }
        }
        let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingSpaces()
        return name.isEmpty ? "unknown" : name
    }

    /// Bytes for `key` in /proc/meminfo text ("MemAvailable:  123 kB"), nil if missing.
    static func parseMeminfo(_ text: String, key: String) -> Int? {
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            guard parts.count >= 2, parts[0] == key, let value = Int(parts[1]) else { continue }
            let unit = parts.count >= 3 ? parts[2].lowercased() : ""
            return unit == "kb" ? value * 1024 : value
        }
        return nil
    }

    /// PRETTY_NAME (or NAME) from os-release text, unquoted.
    static func parseOSRelease(_ text: String) -> String? {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: eq)...].trimmingSpaces()
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                value = String(value.dropFirst().dropLast())
            }
            fields[String(line[..<eq])] = value
        }
        return fields["PRETTY_NAME"] ?? fields["NAME"]
    }
}

/// Reads small pseudo-files. /proc and /sys report a size of 0 or 4096 whatever their content, so
/// this reads until EOF instead of trusting the size.
enum SysFile {
    /// The file's contents with surrounding whitespace trimmed, or nil if it cannot be read.
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue } else { return nil } }
            if n == 0 { break }
            data.append(contentsOf: chunk[..<n])
        }
        return String(decoding: data, as: UTF8.self).trimmingSpaces()
    }
}

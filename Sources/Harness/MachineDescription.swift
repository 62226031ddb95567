import Foundation
import Platform
import Softmax

/// This machine as `softmax-repro info` prints it and every run's metadata records it: read once, in one
/// place, so the two never describe it differently.
public struct MachineDescription {
    public let identity: CPUIdentity
    public let supportedISAs: [ISA]
    public let hypervisor: String?
    public let memoryBytes: Int
    public let os: String
    public let kernel: String
    /// The cpufreq governor of `cpu`, or why it could not be read.
    public let governor: (String?, reason: String?)
    public let boost: (String?, reason: String?)
    public let compiler: String
    public let flags: String

    /// `cpu`: the CPU whose frequency governor is read (a run's measuring CPU).
    public init(identity: CPUIdentity = .current(), cpu: Int = 0) {
        self.identity = identity
        supportedISAs = ISA.supported
        hypervisor = MachineInfo.hypervisorVendor()
        memoryBytes = MachineInfo.memoryBytes()
        os = MachineInfo.osName()
        kernel = MachineInfo.kernelRelease()
        governor = MachineInfo.cpufreqGovernor(cpu: cpu)
        boost = MachineInfo.boostState()
        compiler = KernelBuild.compiler
        flags = KernelBuild.flags
    }

    /// The metadata's machine keys (results/README.md): processor, memory_bytes, os, kernel, compiler,
    /// flags, frequency.
    var metadataRecords: [String: Any] {
        [
            "processor": [
                "id": identity.id, "vendor": identity.vendor, "model_name": identity.modelName, "family": identity.family,
                "model": identity.model, "stepping": identity.stepping, "microarchitecture": identity.microarchitecture,
                "isas": supportedISAs.map(\.rawValue), "hypervisor": hypervisor ?? NSNull(),
            ] as [String: Any],
            "memory_bytes": memoryBytes,
            "os": os,
            "kernel": kernel,
            "compiler": compiler,
            "flags": flags,
            "frequency": [
                "governor": governor.0 ?? NSNull(), "governor_reason": governor.reason ?? NSNull(),
                "boost": boost.0 ?? NSNull(), "boost_reason": boost.reason ?? NSNull(),
            ] as [String: Any],
        ]
    }

    /// The metadata's caches and topology keys.
    static func topologyRecords(_ topology: Topology) -> [String: Any] {
        [
            "caches": [
                "l1d_bytes": topology.l1dBytes ?? NSNull(), "l2_bytes": topology.l2Bytes ?? NSNull(),
                "l3_bytes": topology.l3Bytes ?? NSNull(), "llc_bytes": topology.llcBytes, "source": topology.cacheSource,
            ] as [String: Any],
            "topology": [
                "packages": topology.packages, "numa_nodes": topology.numaNodes, "cores": topology.cores, "pus": topology.pus,
                "text": topology.render(),
            ] as [String: Any],
        ]
    }

    /// `info`'s lines about the processor, memory, OS, frequency and build (the caches, topology and
    /// counters follow them).
    public func infoLines(availableMemoryBytes: Int) -> [String] {
        var lines = [
            "processor:         \(identity.modelName) (\(identity.vendor), family 0x\(String(identity.family, radix: 16)) model 0x\(String(identity.model, radix: 16)) stepping \(identity.stepping))",
            "microarchitecture: \(identity.microarchitecture)",
            "results id:        \(identity.id)",
            "ISAs:              \(supportedISAs.map(\.rawValue).joined(separator: ", ")) (of \(ISA.allCases.map(\.rawValue).joined(separator: ", ")))",
        ]
        if let hypervisor { lines.append("hypervisor:        \(hypervisor)") }
        lines += [
            "memory:            \(formatBytes(memoryBytes)) (\(formatBytes(availableMemoryBytes)) available)",
            "os:                \(os), kernel \(kernel)",
            "cpufreq governor:  \(governor.0 ?? "unknown: \(governor.reason ?? "")")",
            "boost/turbo:       \(boost.0 ?? "unknown: \(boost.reason ?? "")")",
            "kernels built by:  \(compiler) \(flags)",
        ]
        return lines
    }
}

import Foundation
import Platform
import Softmax

#if canImport(Glibc)
import Glibc
#endif

/// The metadata written beside every CSV (keys documented in results/README.md).
enum Metadata {
    /// `kindProtocol`: the kind's own `protocol` record, where it differs from the timed one.
    static func collect(experiment: Experiment, identity: CPUIdentity, topology: Topology, isas: ISAChoice,
                        cpu: Int, observedCPUs: Set<Int>, counters: CounterReport, kindProtocol: [String: Any]?, previous old: [String: Any]?) -> [String: Any] {
        var metadata: [String: Any] = [
            "schema_version": ResultSchema.version,
            "experiment": experiment.id,
            "experiment_kind": experiment.kind.rawValue,
            "description": experiment.description,
            "isas_run": isas.run.map(\.rawValue),
            "isas_skipped": isas.skipped,
            "instructions_per_element": [
                "counted_with": KernelBuild.instructionCountsCompiler, "matches_this_build": KernelBuild.instructionCountsCompiler == KernelBuild.compiler,
                "kernels": Dictionary(uniqueKeysWithValues: KernelRegistry.supported.compactMap { k in k.instructionsPerElement.map { (k.name, $0) } }),
            ] as [String: Any],
            "build_configuration": buildConfiguration,
            "git_commit": gitCommit(),
            "date": ISO8601DateFormatter().string(from: Date()),
            "seed": experiment.seed,
            "size_labels": experiment.sizeLabels,
            "protocol": [
                "samples": experiment.samples, "warmup_samples": experiment.warmupSamples,
                "min_sample_seconds": experiment.minSampleSeconds,
                "precision_target": experiment.precisionTarget, "median_precision_target": experiment.medianPrecisionTarget,
                "max_rounds": experiment.maxRounds, "round_budget_seconds": experiment.roundBudgetSeconds,
                "noise_threshold": experiment.noiseThreshold, "rounds_per_allocation": experiment.roundsPerAllocation,
                "sampling": "per size, `samples` rounds, then more until every median's 95% interval (order statistics) is within median_precision_target of it and every paired ratio the figures draw within precision_target, or max_rounds or round_budget_seconds is reached; samples = rounds kept",
                "timer": "CLOCK_MONOTONIC read around the kernel calls of one sample only",
                "interleaving": "per size, every configuration takes one sample per round, in a fresh random order each round (SplitMix64 from seed + n), so none always follows the same others",
                "input": "uniform in [\(experiment.inputRange[0]), \(experiment.inputRange[1])] from SplitMix64(seed + n); every 64-byte line read before each sample",
                "output_rotation": "1 + ceil(LLC bytes / slice bytes) output slices (n padded to 128 bytes), used in turn; slices start whole 4 KiB pages apart, the first 2 KiB into its page, so that y[i] and x[i] (page-aligned) never share their low 12 address bits; slices of 1 MiB or more lie 17 pages further apart, never a power of two",
                "ftz_daz": true,
                "pinned_cpu": cpu,
                "observed_cpus": observedCPUs.sorted(),
                "memory": "hwloc_alloc_membind on the pinned CPU's NUMA node, first touched by the pinned thread",
                "output_check": "softmax: |sum(y) - 1| <= \(experiment.sumTolerance) and no NaN after every timed sample; passes: float64 recomputation before timing",
                "sizes": experiment.sizes, "max_size_by_isa": experiment.maxSizeByISA,
                "streaming_threshold_elements": SoftmaxPlan.defaultStreamingThreshold,
                "streaming_stores": "softmax rows run a preset's streaming-store (_nt) kernels from its streaming threshold on (per ISA and algorithm in the preset, measured on the whole softmax by tune: see streaming_thresholds; where the preset has none, streaming_threshold_elements = last cache level / 8, from sysfs) and their plain twins below; the kernel column names what ran",
            ] as [String: Any],
            "counters": describe(counters),
        ]
        // The machine, described once for `info` and every run's metadata.
        let machine = MachineDescription(identity: identity, cpu: cpu)
        for (key, value) in machine.metadataRecords.merging(MachineDescription.topologyRecords(topology), uniquingKeysWith: { a, _ in a }) {
            metadata[key] = value
        }
        if let kindProtocol { metadata["protocol"] = kindProtocol }
        // A resumed run keeps the first run's description and notes when it was continued; what it does not
        // measure again (a key only an earlier run wrote) stays.
        if let old {
            for (key, value) in old where metadata[key] == nil { metadata[key] = value }
            var resumed = old["resumed"] as? [String] ?? []
            resumed.append(metadata["date"] as! String)
            metadata["date"] = old["date"] ?? metadata["date"]
            metadata["resumed"] = resumed
            if let oldCommit = old["git_commit"] as? String, oldCommit != metadata["git_commit"] as? String {
                metadata["git_commit_first_run"] = oldCommit
            }
        }
        return metadata
    }

    /// `run_state`: written as running when the run starts and replaced when it ends; a run killed on the way
    /// leaves running (and no lock held on its CSV).
    static let running = "running", complete = "complete", failed = "failed"

    static func describe(_ counters: CounterReport) -> [String: Any] {
        ["available": counters.available, "unavailable": counters.unavailable, "llc_event": counters.llcEvent ?? NSNull()]
    }

    /// The metadata with `protocol.observed_cpus` set to what this run observed together with what the
    /// previous run of a resumed CSV observed (a resume that measures nothing keeps the first run's CPUs).
    static func withObservedCPUs(_ metadata: [String: Any], _ observed: Set<Int>, previous: [String: Any]?) -> [String: Any] {
        var metadata = metadata
        var all = observed
        if let earlier = (previous?["protocol"] as? [String: Any])?["observed_cpus"] as? [Any] {
            all.formUnion(earlier.compactMap { ($0 as? NSNumber)?.intValue })
        }
        var protocolRecord = metadata["protocol"] as? [String: Any] ?? [:]
        protocolRecord["observed_cpus"] = all.sorted()
        metadata["protocol"] = protocolRecord
        return metadata
    }

    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// HEAD of the git checkout in the current directory, with "-dirty" when tracked files changed; the
    /// runs' own outputs (results/, the tuned presets and the figures drawn from them) do not count, since every
    /// run changes them.
    static func gitCommit() -> String {
        func git(_ args: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git"] + args
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let head = git(["rev-parse", "HEAD"]) else { return "unknown (not a git checkout)" }
        let dirty = !(git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results", ":(exclude)experiments/presets/tuned", ":(exclude)plots/figures"]) ?? "").isEmpty
        return head + (dirty ? "-dirty" : "")
    }
}

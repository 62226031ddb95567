import Foundation
import Platform
import Softmax

extension Experiment.Kind {
    /// Whole softmaxes of one vector split across 1 to all cores (`threads` x `placements`), with
    /// multi-threaded memory references beside them.
    public static let multicore = Experiment.Kind(rawValue: "multicore")
}

/// A multicore experiment's own settings.
struct MulticoreSpec: KindSpec, Equatable {
    /// Worker counts to run; nil means 1, 2, 4, ... and all cores. Counts above this machine's cores are
    /// skipped with a note, so one file serves every machine.
    var threads: [Int]?
    /// Worker placements (compact, scattered).
    var placements: [Placement]

    static let keyTypes: [String: ExpectedJSON] = ["threads": .list(of: .whole(Int64.min...Int64.max)), "placements": .list(of: .string)]

    private struct File: Decodable {
        var threads: [Int]?
        var placements: [Placement]?
    }

    static func read(_ data: Data, source: String) throws -> MulticoreSpec {
        let file = try Experiment.decode(File.self, from: data, source: source)
        return MulticoreSpec(threads: file.threads, placements: file.placements ?? Placement.allCases)
    }

    func validate(_ fail: (String) -> HarnessError) throws {
        if let t = threads {
            if let why = Experiment.repeatedValue(key: "threads", t) { throw fail(why) }
            guard !t.isEmpty else { throw fail("key 'threads' is empty: list worker counts, or leave the key out for 1, 2, 4, ... all cores") }
            if let bad = t.first(where: { $0 < 1 }) { throw fail("key 'threads' has \(bad): worker counts must be at least 1") }
        }
        guard !placements.isEmpty else { throw fail("key 'placements' is empty: use compact, scattered or both") }
        if Set(placements).count != placements.count { throw fail("key 'placements' repeats a placement") }
    }

    /// The worker counts to run on a machine with `cores` cores, ascending, and a note for each listed
    /// count that does not fit.
    func threadCounts(cores: Int) -> (counts: [Int], notes: [String]) {
        guard let listed = threads else {
            var counts: [Int] = []
            var t = 1
            while t < cores { counts.append(t); t *= 2 }
            return (counts + [Swift.max(cores, 1)], [])
        }
        let fits = listed.filter { $0 <= cores }
        let notes = listed.filter { $0 > cores }.map { "note: skipping \($0) threads: this machine has \(cores) cores available" }
        return (Array(Set(fits)).sorted(), notes)
    }
}

/// The multicore experiment: the same contenders as `softmax` (plus multi-threaded memory references), each
/// call split across a pool of workers pinned one per core, for every thread count and placement.
extension Worker {
    struct MulticoreConfiguration {
        var threads: Int
        /// Empty for one thread (placement means nothing there), else the placement's name.
        var placement: String
        var cpus: [Int]
    }

    /// Thread counts x placements on this machine, and notes on what was folded together: a placement that
    /// puts workers on the same CPUs as an earlier one is measured once.
    static func multicoreConfigurations(experiment: Experiment, topology: Topology) -> (configurations: [MulticoreConfiguration], notes: [String]) {
        let cores = topology.coreLocations()
        let spec = experiment.spec(as: MulticoreSpec.self)
        var configurations: [MulticoreConfiguration] = []
        var notes: [String] = []
        for threads in spec.threadCounts(cores: cores.count).counts {
            if threads == 1 {
                let first = spec.placements.compactMap { topology.cpus(threads: 1, placement: $0) }.first ?? []
                configurations.append(.init(threads: 1, placement: "", cpus: first))
                continue
            }
            var measured: [(Placement, [Int])] = []
            for placement in spec.placements {
                guard let cpus = topology.cpus(threads: threads, placement: placement) else { continue }
                if let same = measured.first(where: { $0.1 == cpus }) {
                    notes.append("\(placement.rawValue) places \(threads) workers on the same CPUs as \(same.0.rawValue) (\(cpus)) on this machine"
                                 + " (\(CoreLocation.scatterLevel(cores).map { "it spreads over \($0.name)" } ?? "one NUMA node, one package, one L3")): measured once, as \(same.0.rawValue)")
                    continue
                }
                measured.append((placement, cpus))
                configurations.append(.init(threads: threads, placement: placement.rawValue, cpus: cpus))
            }
        }
        return (configurations, notes)
    }

    func measureMulticore() {
        let (configurations, notes) = Worker.multicoreConfigurations(experiment: experiment, topology: topology)
        notes.forEach { log("note: \($0)") }
        recordMulticoreSetup(configurations: configurations, notes: notes)

        // The configurations of one thread count and placement at size n (pool: the workers that run them;
        // nil when only their rows are needed).
        func contenders(n: Int, _ configuration: MulticoreConfiguration, pool: ThreadPool?) -> [Contender] {
            var rowBase = base
            rowBase.n = n
            rowBase.threads = configuration.threads
            rowBase.placement = configuration.placement
            return (plan.items[n] ?? []).compactMap { item -> Contender? in
                switch item {
                case let .softmax(plan, preset):
                    return Contenders.softmax(plan, preset: preset, base: rowBase, tolerance: experiment.sumTolerance, pool: pool)
                case let .reference(memref): return Contenders.reference(memref, base: rowBase, pool: pool)
                case .pass: return nil
                }
            }
        }
        let steps = configurations.flatMap { configuration in
            plan.sizes.map { n in
                Progress.Step(n: n, isas: contenders(n: n, configuration, pool: nil).map(\.row).filter { !completed.contains($0.key) }.map(\.isa))
            }
        }
        var progress = Progress(steps: steps, experiment: experiment)
        log("running \(experiment.id): \(progress.total) configurations over \(configurations.count) thread counts x placements, \(experiment.samples) samples each")
        let runs = configurations.map { configuration in
            PooledSizes(cpus: configuration.cpus,
                        label: "\(configuration.threads) thread(s)\(configuration.placement.isEmpty ? "" : ", \(configuration.placement)"): CPUs \(configuration.cpus)",
                        contenders: { n, pool in contenders(n: n, configuration, pool: pool) },
                        elements: { n in n }, progressElements: { n in n },
                        allocate: { n, pool in try self.allocateSliced(n: n, pool: pool) })
        }
        guard let placementNotes = measureOnPools(runs, sizes: plan.sizes, progress: &progress) else { return }
        var meta = outcome.metadata["multicore"] as? [String: Any] ?? [:]
        meta["memory"] = placementNotes.sorted()
        outcome.metadata["multicore"] = meta
    }

    /// The metadata of a multicore run before it measures: why it records no counters, and its
    /// configurations, cores and how calls are split.
    private func recordMulticoreSetup(configurations: [MulticoreConfiguration], notes: [String]) {
        // PAPI counts the thread that opened the counters, so for a call split across threads it would see
        // one worker's share: no counter is recorded, and the metadata says why.
        let reason = "not recorded by the multicore experiment: PAPI counts the thread that opened the counters, one worker of several"
        outcome.counters = CounterReport(available: [], unavailable: Dictionary(uniqueKeysWithValues: CounterSet.defaultEvents.map { ($0, reason) }),
                                         llcEvent: nil)
        let cores = topology.coreLocations()
        outcome.metadata["multicore"] = [
            "configurations": configurations.map { ["threads": $0.threads, "placement": $0.placement, "cpus": $0.cpus] as [String: Any] },
            "notes": notes,
            "cores": cores.map { ["core": $0.core, "cpu": $0.cpu, "package": $0.package, "numa_node": $0.numaNode, "l3": $0.l3] },
            "scatter_level": CoreLocation.scatterLevel(cores)?.name ?? "none (one NUMA node, one package, one L3: scattered is compact)",
            "total_llc_bytes": topology.totalLLCBytes,
            "slicing": "worker w owns a contiguous slice; boundaries on 4 KiB pages when every worker gets 16 pages or more, else on 64-byte lines",
            "barriers": "one barrier between passes (two-pass and online: 1 per call; three-pass: 2), a spinning sense-reversing barrier; the pool is persistent",
            "input_touch": "before each sample every worker reads one float per 64-byte line of its own slice",
        ] as [String: Any]
    }
}

extension Experiment {
    /// multicore: the worker counts to run on a machine with `cores` cores, ascending, and a note for each
    /// listed count that does not fit.
    public func threadCounts(cores: Int) -> (counts: [Int], notes: [String]) {
        spec(as: MulticoreSpec.self).threadCounts(cores: cores)
    }
}

/// `multicore`: whole softmaxes of one vector split across 1 to all cores (`threads` x `placements`), with
/// multi-threaded memory references beside them.
struct MulticoreKind: ExperimentKind {
    let kind = Experiment.Kind.multicore
    var defaultReferences: [String] { ["read", "copy", "copy_nt"] }
    var spansCores: Bool { true }
    var ownKeys: [String: ExpectedJSON] { MulticoreSpec.keyTypes }

    func readSpec(_ data: Data, source: String) throws -> any KindSpec { try MulticoreSpec.read(data, source: source) }

    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws {
        try experiment.spec(as: MulticoreSpec.self).validate(fail)
    }

    func planItems(_ experiment: Experiment, isa: ISA, presets: [Preset], items: inout [Int: [WorkPlan.Item]],
                   notes: inout [String]) throws -> [WorkPlan.Item] {
        try WorkPlan.softmaxItems(experiment, isa: isa, presets: presets, notes: &notes) + WorkPlan.referenceItems(experiment, isa: isa)
    }

    func measuringCPUs(_ experiment: Experiment, topology: Topology, cpu: Int) -> [Int] {
        Array(Set(Worker.multicoreConfigurations(experiment: experiment, topology: topology).configurations.flatMap(\.cpus))).sorted()
    }

    func checkMachine(_ experiment: Experiment, topology: Topology, options: RunOptions, log: (String) -> Void) throws {
        if let c = options.cpu { log("note: --cpu \(c) does not apply to a multicore experiment: its placements choose every worker's CPU") }
        let cores = topology.coreLocations().count
        let (counts, notes) = experiment.threadCounts(cores: cores)
        notes.forEach(log)
        guard !counts.isEmpty else {
            throw HarnessError.platform("none of the thread counts \(experiment.spec(as: MulticoreSpec.self).threads ?? []) in experiments/\(experiment.id).json fits this machine's \(cores) cores: list counts up to \(cores), or leave 'threads' out")
        }
    }

    func estimatedSeconds(_ experiment: Experiment, steps: [Progress.Step], topology: Topology) -> Double? {
        let configurations = Worker.multicoreConfigurations(experiment: experiment, topology: topology).configurations.count
        return Progress(steps: steps, experiment: experiment).secondsLeft * Double(Swift.max(configurations, 1))
    }

    func measure(_ worker: Worker) { worker.measureMulticore() }
}

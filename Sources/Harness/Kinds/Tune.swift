import Foundation
import Platform
import Softmax

extension Experiment.Kind {
    /// Every variant of every pass family, as `passes`; afterwards the fastest per family and ISA become the
    /// preset `tuned` for this processor (experiments/presets/tuned/<processor-id>.json).
    public static let tune = Experiment.Kind(rawValue: "tune")
}

/// A tune experiment's own settings.
struct TuneSpec: KindSpec, Equatable {
    /// The sizes at which each tuned algorithm that has streaming-store kernels is timed whole, with them
    /// against their plain twins, to place its streaming threshold; nil: derived from the last-level cache
    /// (`StreamingCrossover.sizes`).
    var crossoverSizes: [Int]?

    private struct File: Decodable {
        var crossoverSizes: [Int]?
        enum CodingKeys: String, CodingKey { case crossoverSizes = "crossover_sizes" }
    }

    static func read(_ data: Data, source: String) throws -> TuneSpec {
        TuneSpec(crossoverSizes: try Experiment.decode(File.self, from: data, source: source).crossoverSizes)
    }
}

/// `tune`: every variant of every pass family, measured as `passes`; then each tuned algorithm's streaming
/// crossover; afterwards the fastest per family and ISA become the preset `tuned` for this processor
/// (experiments/presets/tuned/<processor-id>.json).
struct TuneKind: ExperimentKind {
    let kind = Experiment.Kind.tune
    private let passes = PassesKind()

    var measuresPasses: Bool { true }
    var writesTunedPreset: Bool { true }
    /// Tuning chooses among all variants.
    var defaultAllVariants: Bool { true }
    var defaultReferences: [String] { passes.defaultReferences }

    func planItems(_ experiment: Experiment, isa: ISA, presets: [Preset], items: inout [Int: [WorkPlan.Item]],
                   notes: inout [String]) throws -> [WorkPlan.Item] {
        try passes.planItems(experiment, isa: isa, presets: presets, items: &items, notes: &notes)
    }

    var ownKeys: [String: ExpectedJSON] { ["crossover_sizes": .list(of: .whole(Int64.min...Int64.max))] }

    func readSpec(_ data: Data, source: String) throws -> any KindSpec { try TuneSpec.read(data, source: source) }

    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws {
        if let c = experiment.spec(as: TuneSpec.self).crossoverSizes {
            if let why = Experiment.repeatedValue(key: "crossover_sizes", c) { throw fail(why) }
            guard !c.isEmpty else { throw fail("key 'crossover_sizes' is empty: list sizes, or leave the key out to derive them from the last-level cache") }
            if let bad = c.first(where: { $0 <= 0 }) { throw fail("key 'crossover_sizes' has \(bad): sizes must be positive element counts") }
        }
        if !experiment.allVariants { throw fail("key 'all_variants' must be true for a tune experiment: tuning chooses among all variants") }
    }

    func measureAfter(_ worker: Worker, context: RunContext, isas: [ISA], csvPath: String) throws -> Worker.Outcome? {
        try measureStreamingCrossover(after: worker, context: context, isas: isas, csvPath: csvPath)
    }

    func finish(context: RunContext, csvPath: String, processorID: String) throws {
        let options = context.options
        let presetsFolder = options.localPresetsFolder ?? ResultsLayout.committedPresets(experimentsFolder: options.experimentsFolder)
        let path = try TunedPreset.write(from: ResultTable(path: csvPath), processorID: processorID, presetsFolder: presetsFolder, log: context.log)
        context.log("wrote the tuned preset for \(processorID): \(path)")
    }

    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String {
        // A tune run's softmax rows are its streaming crossover: each algorithm with and without streaming
        // stores, not the algorithms against each other.
        Summary.renderCrossover(table)
    }
}

extension TuneKind {
    /// tune's second phase: each tuned algorithm that has streaming-store kernels, timed whole with them
    /// and with their plain twins, interleaved, on the crossover sizes; rows of kind softmax, preset tuned.
    /// `first`: the worker that measured the passes (its CPU, caches, rows done and writer are reused).
    func measureStreamingCrossover(after first: Worker, context: RunContext, isas: [ISA], csvPath: String) throws -> Worker.Outcome {
        let experiment = first.experiment, log = context.log
        let tuned = TunedPreset.kernels(from: try ResultTable(path: csvPath))
        let ladder = experiment.spec(as: TuneSpec.self).crossoverSizes
            ?? StreamingCrossover.sizes(llcBytes: first.rotation.llcBytes, largest: first.plan.sizes.max() ?? 1)
        var items: [Int: [WorkPlan.Item]] = [:]
        var pairs: [String] = []
        for isa in isas {
            for algorithm in Algorithm.allCases {
                guard let names = tuned[isa.rawValue]?[algorithm.rawValue],
                      let pair = try StreamingCrossover.contenders(algorithm: algorithm, kernelNames: names) else { continue }
                pairs.append("\(isa.rawValue) \(algorithm.rawValue)")
                for n in ladder where n <= (experiment.maxSizeByISA[isa.rawValue] ?? .max) {
                    items[n, default: []] += [.softmax(pair.streamed, preset: TunedPreset.name), .softmax(pair.plain, preset: TunedPreset.name)]
                }
            }
        }
        var description: [String: Any] = [
            "sizes": ladder,
            "rule": "each tuned algorithm with streaming-store kernels is timed whole with them and with their plain twins, interleaved; "
                + "its streaming threshold is the smallest size from which streaming's paired speedup is >= 1 at every larger measured size; "
                + "none if it is < 1 at the largest (the preset then keeps the plain twins)",
        ]
        guard !items.isEmpty else {
            log("note: no tuned algorithm has streaming-store kernels: no streaming crossover to measure")
            var outcome = Worker.Outcome()
            outcome.metadata["streaming_crossover"] = description
            return outcome
        }
        let available = MachineInfo.availableMemoryBytes()
        for n in items.keys {
            if let error = WorkPlan.memoryError(n: n, llcBytes: first.rotation.llcBytes, available: available, experiment: experiment.id) { throw error }
        }
        log("streaming crossover: \(pairs.joined(separator: ", ")), each with and without streaming stores, at n = \(items.keys.sorted().map(compactCount).joined(separator: ", "))")
        let worker = Worker(experiment: experiment, plan: WorkPlan(items: items), base: first.base, cpu: first.cpu, topology: first.topology,
                            rotation: first.rotation, completed: first.completed, writer: first.writer, noiseProbe: context.makeNoiseProbe(), log: log)
        worker.checkpoint = first.checkpoint
        var outcome = worker.runPinned { $0.measureAll() }
        description["verdicts"] = crossoverVerdicts(try ResultTable(path: csvPath))
        outcome.metadata["streaming_crossover"] = description
        return outcome
    }

    /// The metadata's verdicts: per ISA and algorithm, the streaming threshold found and the speedups.
    private func crossoverVerdicts(_ table: ResultTable) -> [String: Any] {
        var found: [String: Any] = [:]
        for (isa, algorithms) in StreamingCrossover.verdicts(table) {
            var perAlgorithm: [String: Any] = [:]
            for (algorithm, verdict) in algorithms {
                perAlgorithm[algorithm] = ["threshold": verdict.threshold.map { $0 as Any } ?? "never",
                                           "speedups": Dictionary(uniqueKeysWithValues: verdict.speedups.map { (String($0.key), $0.value) })]
            }
            found[isa] = perAlgorithm
        }
        return found
    }
}

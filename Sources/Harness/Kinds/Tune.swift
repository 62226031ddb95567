import Foundation
import Platform
import Softmax

/// `tune`: every variant of every pass family, measured as `passes`; then each tuned algorithm's streaming
/// crossover; afterwards the fastest per family and ISA become the preset `tuned` for this processor
/// (experiments/presets/tuned/<processor-id>.json).
struct TuneKind: ExperimentKind {
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

    func validateForeign(_ experiment: Experiment, fail: (String) -> HarnessError) throws {
        if experiment.crossoverSizes != nil {
            throw fail("key 'crossover_sizes' applies to tune experiments only (this one is \(experiment.kind.rawValue))")
        }
    }

    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws {
        if let c = experiment.crossoverSizes {
            guard !c.isEmpty else { throw fail("key 'crossover_sizes' is empty: list sizes, or leave the key out to derive them from the last-level cache") }
            if let bad = c.first(where: { $0 <= 0 }) { throw fail("key 'crossover_sizes' has \(bad): sizes must be positive element counts") }
        }
        if !experiment.allVariants { throw fail("key 'all_variants' must be true for a tune experiment: tuning chooses among all variants") }
    }

    func measureAfter(_ worker: Worker, runner: Runner, isas: [ISA], csvPath: String) throws -> Worker.Outcome? {
        try runner.measureStreamingCrossover(worker.experiment, plan: worker.plan, isas: isas, csvPath: csvPath, base: worker.base,
                                             cpu: worker.cpu, topology: worker.topology, rotation: worker.rotation,
                                             completed: worker.completed, writer: worker.writer, checkpoint: worker.checkpoint)
    }

    func finish(runner: Runner, csvPath: String, processorID: String) throws {
        let options = runner.options
        let presetsFolder = options.localPresetsFolder ?? ResultsLayout.committedPresets(experimentsFolder: options.experimentsFolder)
        let path = try TunedPreset.write(from: ResultTable(path: csvPath), processorID: processorID, presetsFolder: presetsFolder, log: runner.log)
        runner.log("wrote the tuned preset for \(processorID): \(path)")
    }

    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String {
        // A tune run's softmax rows are its streaming crossover: each algorithm with and without streaming
        // stores, not the algorithms against each other.
        Summary.renderCrossover(table)
    }
}

extension Runner {
    /// tune's second phase: each tuned algorithm that has streaming-store kernels, timed whole with them
    /// and with their plain twins, interleaved, on the crossover sizes; rows of kind softmax, preset tuned.
    func measureStreamingCrossover(_ experiment: Experiment, plan: WorkPlan, isas: [ISA], csvPath: String, base: ResultRow, cpu: Int,
                                   topology: Topology, rotation: OutputRotation, completed: Set<String>, writer: ResultWriter,
                                   checkpoint: ((Worker.Outcome) -> Void)? = nil) throws -> Worker.Outcome {
        let tuned = TunedPreset.kernels(from: try ResultTable(path: csvPath))
        let ladder = experiment.crossoverSizes ?? StreamingCrossover.sizes(llcBytes: rotation.llcBytes, largest: plan.sizes.max() ?? 1)
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
            if let error = WorkPlan.memoryError(n: n, llcBytes: rotation.llcBytes, available: available, experiment: experiment.id) { throw error }
        }
        log("streaming crossover: \(pairs.joined(separator: ", ")), each with and without streaming stores, at n = \(items.keys.sorted().map(compactCount).joined(separator: ", "))")
        let worker = Worker(experiment: experiment, plan: WorkPlan(items: items), base: base, cpu: cpu, topology: topology, rotation: rotation,
                            completed: completed, writer: writer, noiseProbe: makeNoiseProbe(), log: log)
        worker.checkpoint = checkpoint
        var outcome = worker.runPinned()
        var found: [String: Any] = [:]
        for (isa, algorithms) in StreamingCrossover.verdicts(try ResultTable(path: csvPath)) {
            var perAlgorithm: [String: Any] = [:]
            for (algorithm, verdict) in algorithms {
                perAlgorithm[algorithm] = ["threshold": verdict.threshold.map { $0 as Any } ?? "never",
                                           "speedups": Dictionary(uniqueKeysWithValues: verdict.speedups.map { (String($0.key), $0.value) })]
            }
            found[isa] = perAlgorithm
        }
        description["verdicts"] = found
        outcome.metadata["streaming_crossover"] = description
        return outcome
    }
}

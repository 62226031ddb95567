import Foundation
import Platform
import Softmax

/// What one experiment kind decides, gathered in one place: which keys it owns and how they are checked,
/// its defaults, what runs at each size, how the worker measures it, which CPUs it holds, what it checks on
/// the machine before measuring, its time estimate, its metadata and what it does after measuring. Each
/// kind is one file in this folder and one line in `ExperimentKinds.registry`; the rest of the harness asks
/// the kind (`experiment.kind.behavior`) instead of testing which kind it is. The defaults below are those
/// of a kind that times whole softmaxes on one pinned worker.
protocol ExperimentKind: Sendable {
    // MARK: Experiment file

    /// Throws when a file of kind `other` (not this one) uses a key only this kind accepts: keys read
    /// from the file as written, before defaults (`validateForeign` checks the parsed values).
    func rejectOwnFileKeys(_ keys: [String], in other: Experiment.Kind, source: String) throws
    /// Throws when this kind's file uses a key that does not apply to it.
    func rejectFileKeys(_ keys: [String], source: String) throws
    /// `all_variants` when the file leaves it out.
    var defaultAllVariants: Bool { get }
    /// `references` when the file leaves it out.
    var defaultReferences: [String] { get }
    /// Throws when `experiment`, of another kind, sets one of this kind's settings.
    func validateForeign(_ experiment: Experiment, fail: (String) -> HarnessError) throws
    /// This kind's own checks of its settings.
    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws

    // MARK: Traits

    /// Whether the kind times pass kernels alone (with references and compute peaks) rather than whole
    /// softmaxes of the presets' plans: such a run needs no preset with kernels for the ISAs run.
    var measuresPasses: Bool { get }
    /// Whether anything is timed (samples, rounds, foreign-load noise): false for accuracy.
    var timesCalls: Bool { get }
    /// Whether error rows are findings (NaN outputs of an algorithm) rather than a failed run.
    var errorRowsAreFindings: Bool { get }
    /// Whether a complete run of this kind writes the tuned preset (so a reference bundle copies it).
    var writesTunedPreset: Bool { get }

    // MARK: Planning, before anything is allocated

    /// The items run at every size on `isa`; per-size items (which differ by n) go into `items`.
    func planItems(_ experiment: Experiment, isa: ISA, presets: [Preset], items: inout [Int: [WorkPlan.Item]],
                   notes: inout [String]) throws -> [WorkPlan.Item]
    /// The CPUs the run measures on (each locked); `cpu` is the chosen or given worker CPU.
    func measuringCPUs(_ experiment: Experiment, topology: Topology, cpu: Int) -> [Int]
    /// Whether workers on several cores run at once, sharing every last-level cache instance, so that
    /// output rotation must exceed all of them.
    var spansCores: Bool { get }
    /// Elements one size of n allocates (a batched size allocates its largest batch of rows).
    func elementsAllocated(n: Int, experiment: Experiment) -> Int
    /// Checks and notes that need the machine, once sizes that do not fit are removed.
    func checkMachine(_ experiment: Experiment, topology: Topology, options: RunOptions, log: (String) -> Void) throws
    /// Seconds the run is expected to take, from the progress model's steps; nil when nothing is timed.
    func estimatedSeconds(_ experiment: Experiment, steps: [Progress.Step], topology: Topology) -> Double?

    // MARK: Measuring and after

    /// Measures everything on the worker's pinned thread.
    func measure(_ worker: Worker)
    /// The metadata's `protocol` record, when this kind's differs from the timed one.
    func protocolRecord(_ experiment: Experiment, cpu: Int, observedCPUs: Set<Int>) -> [String: Any]?
    /// Differences from a previous run's protocol that forbid resuming it, for kinds that time nothing;
    /// nil: the timed protocol's checks apply.
    func untimedProtocolDifferences(_ experiment: Experiment, old: [String: Any]) -> [String]?
    /// A second phase measured after the worker, on the same CSV (tune's streaming crossover).
    func measureAfter(_ worker: Worker, runner: Runner, isas: [ISA], csvPath: String) throws -> Worker.Outcome?
    /// What a run does once it finished without error (tune writes the tuned preset).
    func finish(runner: Runner, csvPath: String, processorID: String) throws
    /// `show`'s section for the run's softmax rows.
    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String
}

extension ExperimentKind {
    func rejectOwnFileKeys(_ keys: [String], in other: Experiment.Kind, source: String) throws {}
    func rejectFileKeys(_ keys: [String], source: String) throws {}
    var defaultAllVariants: Bool { false }
    var defaultReferences: [String] { [] }
    func validateForeign(_ experiment: Experiment, fail: (String) -> HarnessError) throws {}
    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws {}

    var measuresPasses: Bool { false }
    var timesCalls: Bool { true }
    var errorRowsAreFindings: Bool { false }
    var writesTunedPreset: Bool { false }

    func planItems(_ experiment: Experiment, isa: ISA, presets: [Preset], items: inout [Int: [WorkPlan.Item]],
                   notes: inout [String]) throws -> [WorkPlan.Item] {
        try WorkPlan.softmaxItems(experiment, isa: isa, presets: presets, notes: &notes)
    }
    func measuringCPUs(_ experiment: Experiment, topology: Topology, cpu: Int) -> [Int] { [cpu] }
    var spansCores: Bool { false }
    func elementsAllocated(n: Int, experiment: Experiment) -> Int { n }
    func checkMachine(_ experiment: Experiment, topology: Topology, options: RunOptions, log: (String) -> Void) throws {}
    func estimatedSeconds(_ experiment: Experiment, steps: [Progress.Step], topology: Topology) -> Double? {
        Progress(steps: steps, experiment: experiment).secondsLeft
    }

    func measure(_ worker: Worker) { worker.measureAll() }
    func protocolRecord(_ experiment: Experiment, cpu: Int, observedCPUs: Set<Int>) -> [String: Any]? { nil }
    func untimedProtocolDifferences(_ experiment: Experiment, old: [String: Any]) -> [String]? { nil }
    func measureAfter(_ worker: Worker, runner: Runner, isas: [ISA], csvPath: String) throws -> Worker.Outcome? { nil }
    func finish(runner: Runner, csvPath: String, processorID: String) throws {}
    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String {
        Summary.renderSoftmax(rows, target: target)
    }
}

extension Experiment {
    /// The kinds: each raw name is the JSON "kind", the metadata's experiment_kind and the registry's key.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Whole softmaxes: algorithms x ISAs x presets x sizes.
        case softmax
        /// Each pass kernel alone, beside memory reference loops, with a roofline verdict per pass.
        case passes
        /// Every variant of every pass family, as `passes`; afterwards the fastest per family and ISA
        /// become the preset `tuned` for this processor (experiments/presets/tuned/<processor-id>.json).
        case tune
        /// Whole softmaxes of one vector split across 1 to all cores (`threads` x `placements`), with
        /// multi-threaded memory references beside them.
        case multicore
        /// Whole softmaxes' errors against a float64 softmax, per input range and mask: nothing is timed.
        case accuracy
        /// B independent rows of n per call (`batches`), each row a whole softmax, the rows split across
        /// min(B, cores) workers placed compactly (BatchedSoftmax): today's language-model vocabularies.
        case batched
    }
}

/// The registry: each `Experiment.Kind` and the type that implements it.
enum ExperimentKinds {
    static func behavior(of kind: Experiment.Kind) -> any ExperimentKind {
        switch kind {
        case .softmax: return SoftmaxKind()
        case .passes: return PassesKind()
        case .tune: return TuneKind()
        case .multicore: return MulticoreKind()
        case .accuracy: return AccuracyKind()
        case .batched: return BatchedKind()
        }
    }
}

extension Experiment.Kind {
    var behavior: any ExperimentKind { ExperimentKinds.behavior(of: self) }
    /// Whether the experiment measures pass kernels alone (with references and compute peaks).
    public var measuresPasses: Bool { behavior.measuresPasses }
    /// Whether a run's error rows are findings (NaN outputs) rather than failed output checks.
    public var errorRowsAreFindings: Bool { behavior.errorRowsAreFindings }
}

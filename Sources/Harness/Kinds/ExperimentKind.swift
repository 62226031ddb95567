import Foundation
import Platform
import Softmax

/// What one experiment kind decides, gathered in one place: its own keys, how they are read and checked,
/// its defaults, what runs at each size, how the worker measures it, which CPUs it holds, what it checks on
/// the machine before measuring, its time estimate, its metadata and what it does after measuring. Each
/// kind is one file in this folder (the kind, its name and its settings) and one line in
/// `ExperimentKinds.all` (Registry.swift); the rest of the harness asks the kind
/// (`experiment.kind.behavior`) instead of testing which kind it is. The defaults below are those of a kind
/// that times whole softmaxes on one pinned worker and reads no key of its own.
///
/// Dependencies run one way: the registry and the runner know the kinds; a kind knows the measuring
/// primitives (`Worker`, `Contenders`, `WorkPlan`, `Progress`) and what a run lends it (`RunContext`), and
/// none of those knows a kind.
protocol ExperimentKind: Sendable {
    /// The kind's name (the JSON "kind"), declared in its file.
    var kind: Experiment.Kind { get }

    // MARK: Experiment file

    /// The keys only this kind reads, with their types: a file of another kind that uses one is refused.
    var ownKeys: [String: ExpectedJSON] { get }
    /// Why a file of kind `other` may not use `key`, one of this kind's own keys (and what to do).
    func foreignKeyMessage(_ key: String, in other: Experiment.Kind) -> String
    /// This kind's settings, read from the file (`data`) once every key's type was checked, with their
    /// defaults; errors name the file (`source`) and the key.
    func readSpec(_ data: Data, source: String) throws -> any KindSpec
    /// Throws when this kind's file uses a common key that does not apply to it.
    func rejectFileKeys(_ keys: [String], source: String) throws
    /// `all_variants` when the file leaves it out.
    var defaultAllVariants: Bool { get }
    /// `references` when the file leaves it out.
    var defaultReferences: [String] { get }
    /// This kind's own checks of its settings (after the common ones).
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
    func measureAfter(_ worker: Worker, context: RunContext, isas: [ISA], csvPath: String) throws -> Worker.Outcome?
    /// What a run does once it finished without error (tune writes the tuned preset).
    func finish(context: RunContext, csvPath: String, processorID: String) throws
    /// `show`'s section for the run's softmax rows.
    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String
}

extension ExperimentKind {
    var ownKeys: [String: ExpectedJSON] { [:] }
    func foreignKeyMessage(_ key: String, in other: Experiment.Kind) -> String {
        "key '\(key)' applies to \(kind.rawValue) experiments only (this one is \(other.rawValue)): remove it"
    }
    func readSpec(_ data: Data, source: String) throws -> any KindSpec { NoKindSpec() }
    func rejectFileKeys(_ keys: [String], source: String) throws {}
    var defaultAllVariants: Bool { false }
    var defaultReferences: [String] { [] }
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
    func measureAfter(_ worker: Worker, context: RunContext, isas: [ISA], csvPath: String) throws -> Worker.Outcome? { nil }
    func finish(context: RunContext, csvPath: String, processorID: String) throws {}
    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String {
        Summary.renderSoftmax(rows, target: target)
    }
}

/// What a run lends its kind beyond the worker: the command line's options, the log, and how the noise of
/// a round is measured (the runner's test seam).
struct RunContext {
    let options: RunOptions
    let log: (String) -> Void
    let makeNoiseProbe: () -> NoiseProbe
}

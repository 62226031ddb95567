import Foundation
import Platform
import Softmax

/// The registry: every experiment kind, one line each. A new kind is its file in this folder and its line
/// here; everything that asks "which kind?" asks through `Experiment.Kind.behavior`.
enum ExperimentKinds {
    static let registry: [any ExperimentKind] = [
        SoftmaxKind(),
        PassesKind(),
        TuneKind(),
        MulticoreKind(),
        AccuracyKind(),
        BatchedKind(),
    ]

    /// The kind of that name; nil for a name no kind has.
    static func kind(named name: String) -> (any ExperimentKind)? { registry.first { $0.kind.rawValue == name } }
}

extension Experiment.Kind {
    /// Every registered kind's name, in the registry's order.
    public static var registered: [Experiment.Kind] { ExperimentKinds.registry.map(\.kind) }

    /// The registered kind of that name; nil for a name no kind has (a typo, or a newer build's kind).
    public static func registered(named name: String) -> Experiment.Kind? { ExperimentKinds.kind(named: name)?.kind }

    /// What this kind does. Every `Experiment.Kind` a running program holds was checked against the
    /// registry (`named`, the experiment loader), so a missing one is a programming error.
    var behavior: any ExperimentKind {
        guard let kind = ExperimentKinds.kind(named: rawValue) else {
            preconditionFailure("experiment kind '\(rawValue)' is not registered in ExperimentKinds.registry (Sources/Harness/Kinds/Registry.swift)")
        }
        return kind
    }

    /// Whether the experiment measures pass kernels alone (with references and compute peaks).
    public var measuresPasses: Bool { behavior.measuresPasses }
    /// Whether a run's error rows are findings (NaN outputs) rather than failed output checks.
    public var errorRowsAreFindings: Bool { behavior.errorRowsAreFindings }
}

extension WorkPlan {
    /// The experiment's items on each ISA, as its kind plans them.
    init(experiment: Experiment, isas: [ISA], presets: [Preset]) throws {
        let kind = experiment.kind.behavior
        try self.init(experiment: experiment, isas: isas) { isa, items, notes in
            try kind.planItems(experiment, isa: isa, presets: presets, items: &items, notes: &notes)
        }
    }
}

extension ResultTable {
    /// The experiment's kind: from the metadata beside the CSV, else from the experiment id (the file name,
    /// `multicore-quick` is a multicore experiment); never guessed from the rows. nil when neither names
    /// a registered kind.
    public var experimentKind: Experiment.Kind? { ResultTable.kind(csvPath: path) }

    /// The kind of the run whose CSV is at `csvPath`, as `experimentKind` finds it.
    static func kind(csvPath path: String) -> Experiment.Kind? {
        if let metadata = MetadataFile.read(ResultsLayout.metadata(forCSV: path)),
           let kind = (metadata["experiment_kind"] as? String).flatMap(Experiment.Kind.registered(named:)) {
            return kind
        }
        let id = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Experiment.Kind.registered.first { id == $0.rawValue || id.hasPrefix($0.rawValue + "-") }
    }
}

extension Summary {
    /// The terminal view of a results CSV (`softmax-repro show`), its softmax rows read as its kind reads
    /// them (tune: its streaming crossover).
    public static func render(_ table: ResultTable) -> String {
        render(table) { rows, target in
            table.experimentKind.map { $0.behavior.renderSoftmaxRows(table, rows: rows, target: target) } ?? renderSoftmax(rows, target: target)
        }
    }
}

import Foundation

extension Experiment.Kind {
    /// Whole softmaxes: algorithms x ISAs x presets x sizes.
    public static let softmax = Experiment.Kind(rawValue: "softmax")
}

/// `softmax`: whole softmaxes, algorithms x ISAs x presets x sizes, on one pinned worker. Every default of
/// `ExperimentKind` is this kind's.
struct SoftmaxKind: ExperimentKind {
    let kind = Experiment.Kind.softmax
}

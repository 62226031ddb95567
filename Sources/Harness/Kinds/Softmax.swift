import Foundation

/// `softmax`: whole softmaxes, algorithms x ISAs x presets x sizes, on one pinned worker. Every default of
/// `ExperimentKind` is this kind's.
struct SoftmaxKind: ExperimentKind {}

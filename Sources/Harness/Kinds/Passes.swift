import Foundation
import Platform
import Softmax

extension Experiment.Kind {
    /// Each pass kernel alone, beside memory reference loops, with a roofline verdict per pass.
    public static let passes = Experiment.Kind(rawValue: "passes")
}

/// `passes`: each pass kernel alone, beside memory reference loops and its compute peak, with a roofline
/// verdict per pass.
struct PassesKind: ExperimentKind {
    let kind = Experiment.Kind.passes
    var measuresPasses: Bool { true }
    var defaultReferences: [String] { Experiment.referenceNames }

    func planItems(_ experiment: Experiment, isa: ISA, presets: [Preset], items: inout [Int: [WorkPlan.Item]],
                   notes: inout [String]) throws -> [WorkPlan.Item] {
        try WorkPlan.passItems(experiment, isa: isa, presets: presets, items: &items, notes: &notes)
    }
}

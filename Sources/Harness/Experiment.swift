import Foundation
import Platform
import Softmax

/// One experiment, read from `experiments/<id>.json` (ExperimentFile.swift reads it). The file names what to
/// measure; the protocol settings have defaults that follow the authors' released benchmark
/// (docs/protocol.md) and are recorded in every run. The settings here are those every kind shares; a kind's
/// own settings are its `spec`, a type in its file under Kinds/.
public struct Experiment: Equatable, Sendable {
    /// The file name without `.json`; the CLI id.
    public var id: String
    public var description: String
    public var kind: Kind
    /// softmax: algorithms to run (all three by default).
    public var algorithms: [Algorithm]
    /// ISAs to run; nil means every ISA this CPU supports. Listed ISAs the CPU lacks are skipped with a
    /// note (so one file serves every machine); `--isa` on the command line is strict instead.
    public var isas: [ISA]?
    /// Kernel presets (files in experiments/presets/): softmax rows per preset; for `passes`, the pass
    /// kernels the presets use (unless `all_variants`).
    public var presets: [String]
    /// Presets used when they exist and skipped with a note otherwise (`tuned` exists only after `tune`).
    public var optionalPresets: [String]
    /// passes and tune: measure every registered variant of each family instead of the presets' kernels.
    /// (Shared by the kinds that time pass kernels; its default is the kind's.)
    public var allVariants: Bool
    /// Memory reference loops to measure beside the kernels (`read`, `copy`, `copy_nt`, `scale`, `write`):
    /// passes, tune and multicore read them; the default is the kind's.
    public var references: [String]
    public var sizes: [Int]
    /// Largest n per ISA (e.g. the scalar portable code at 300M elements would dominate a run).
    public var maxSizeByISA: [String: Int]
    public var samples: Int
    public var warmupSamples: Int
    public var minSampleSeconds: Double
    public var seed: UInt64
    public var inputRange: [Float]
    /// softmax rows: the largest |sum(y) - 1| accepted from a timed call.
    public var sumTolerance: Double
    /// Sizes whose buffers do not fit in this machine's memory are skipped with a note (and recorded in
    /// the metadata) instead of stopping the run: for real-world sizes such as the paper's Table 1.
    public var skipSizesThatDoNotFit: Bool
    /// Names for sizes ("21841": "ImageNet-21k"), recorded in the metadata for tables and figures.
    public var sizeLabels: [String: String]
    /// The kind's own settings (threads for multicore, input ranges for accuracy, ...): a value of the spec
    /// type its kind reads (`spec(as:)`); `NoKindSpec` for a kind without settings of its own.
    var spec: AnyKindSpec
    /// Sampling to a precision: a size's rounds go on past `samples` until every comparison the figures
    /// draw (paired ratios) has a 95% interval whose half-width is at most `precisionTarget` of its value
    /// and every median at most `medianPrecisionTarget` of its value, or until `maxRounds` rounds or
    /// `roundBudgetSeconds` of timed rounds, whichever comes first (the `samples` rounds always run).
    public var precisionTarget: Double = Experiment.defaultPrecisionTarget
    public static let defaultPrecisionTarget = 0.01
    public var medianPrecisionTarget: Double = 0.02
    public var maxRounds: Int = 45
    public var roundBudgetSeconds: Double = 45
    /// A round in which other work took more than this fraction of the measuring thread's wall time (its
    /// CPU time short of the round's wall time: preemption, or time stolen by the hypervisor) is measured
    /// again rather than kept.
    public var noiseThreshold: Double = 0.05
    /// Rounds measured in one allocation of a size's buffers before fresh ones replace them (0: one
    /// allocation per size), so that where their pages fall varies within a run as it does between runs.
    public var roundsPerAllocation: Int = 1
    /// Keys that only timed experiments read (an accuracy experiment refuses them).
    static let timingOnlyKeys: Set<String> = [
        "samples", "warmup_samples", "min_sample_seconds", "input_range", "all_variants", "references",
        "precision_target", "median_precision_target", "max_rounds", "round_budget_seconds", "noise_threshold",
        "rounds_per_allocation",
    ]
    public static let referenceNames = ["read", "copy", "copy_nt", "scale", "write"]
    /// Keys every experiment file must have.
    public static let requiredKeys = ["description", "kind", "sizes"]
    /// The most timed (or warm-up) samples per configuration a file or --samples may ask for: beyond it a
    /// typo (10^12) would make the run look hung.
    public static let maxSamples = 10_000

    /// Each common key's type, checked on the file as written (ExpectedJSON names the key and the type in its error).
    static let commonKeyTypes: [String: ExpectedJSON] = [
        "description": .string, "kind": .string, "algorithms": .list(of: .string), "isas": .list(of: .string),
        "presets": .list(of: .string), "optional_presets": .list(of: .string), "all_variants": .bool,
        "references": .list(of: .string), "sizes": .list(of: .whole(Int64.min...Int64.max)),
        "max_size_by_isa": .map(of: .whole(Int64.min...Int64.max)), "samples": .whole(Int64.min...Int64.max),
        "warmup_samples": .whole(Int64.min...Int64.max), "min_sample_seconds": .number(limit: .greatestFiniteMagnitude),
        "seed": .unsigned64, "input_range": .list(of: .number(limit: Double(Float.greatestFiniteMagnitude))),
        "sum_tolerance": .number(limit: .greatestFiniteMagnitude), "skip_sizes_that_do_not_fit": .bool,
        "size_labels": .map(of: .string),
        "precision_target": .number(limit: .greatestFiniteMagnitude), "median_precision_target": .number(limit: .greatestFiniteMagnitude),
        "max_rounds": .whole(Int64.min...Int64.max), "round_budget_seconds": .number(limit: .greatestFiniteMagnitude),
        "noise_threshold": .number(limit: .greatestFiniteMagnitude), "rounds_per_allocation": .whole(Int64.min...Int64.max),
    ]

    /// The checks of the common settings; the kind's own come after (ExperimentFile.swift).
    func validateCommon(source: String) throws {
        func fail(_ why: String) -> HarnessError { .malformedExperiment(source, why) }
        guard !sizes.isEmpty else { throw fail("key 'sizes' is empty: list at least one n") }
        if let bad = sizes.first(where: { $0 <= 0 }) { throw fail("key 'sizes' has \(bad): sizes must be positive element counts") }
        guard samples >= 3 else { throw fail("key 'samples' is \(samples): at least 3 are needed for quartiles") }
        guard samples <= Experiment.maxSamples else { throw fail("key 'samples' is \(samples): at most \(Experiment.maxSamples) per configuration") }
        guard warmupSamples >= 0 else { throw fail("key 'warmup_samples' must be >= 0") }
        for (key, value) in [("precision_target", precisionTarget), ("median_precision_target", medianPrecisionTarget)] {
            guard value > 0, value < 1 else {
                throw fail("key '\(key)' is \(value): a precision target is a relative half-width of a 95% interval, in (0, 1), e.g. 0.01 for 1%")
            }
        }
        guard maxRounds <= Experiment.maxSamples else {
            throw fail("key 'max_rounds' is \(maxRounds): at most \(Experiment.maxSamples) rounds per size")
        }
        guard maxRounds >= samples else {
            throw fail("key 'max_rounds' is \(maxRounds): it must be at least 'samples' (\(samples)), the rounds every size always takes")
        }
        guard roundsPerAllocation >= 0 else {
            throw fail("key 'rounds_per_allocation' is \(roundsPerAllocation): give the rounds per allocation of the buffers (e.g. 5), or 0 for one allocation per size")
        }
        guard roundBudgetSeconds > 0 else {
            throw fail("key 'round_budget_seconds' is \(roundBudgetSeconds): the time budget of a size's rounds must be positive, in seconds")
        }
        guard noiseThreshold > 0, noiseThreshold < 1 else {
            throw fail("key 'noise_threshold' is \(noiseThreshold): the share of a round's time another load may take must be in (0, 1), e.g. 0.05")
        }
        guard warmupSamples <= Experiment.maxSamples else {
            throw fail("key 'warmup_samples' is \(warmupSamples): at most \(Experiment.maxSamples) per configuration")
        }
        try validateNoRepeats(fail)
        guard minSampleSeconds > 0, minSampleSeconds <= 10 else { throw fail("key 'min_sample_seconds' must be in (0, 10]") }
        guard inputRange.count == 2, inputRange[0] < inputRange[1], inputRange.allSatisfy(\.isFinite) else {
            throw fail("key 'input_range' must be [low, high] with low < high, both finite")
        }
        guard sumTolerance > 0, sumTolerance < 1 else { throw fail("key 'sum_tolerance' must be in (0, 1)") }
        for key in sizeLabels.keys.sorted() where Int(key).map({ !sizes.contains($0) }) ?? true {
            throw fail("key 'size_labels' names '\(key)', which is not one of the sizes")
        }
        for (isa, limit) in maxSizeByISA {
            guard ISA(rawValue: isa) != nil else {
                throw fail("key 'max_size_by_isa' names unknown ISA '\(isa)'; expected one of \(ISA.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard limit > 0 else { throw fail("key 'max_size_by_isa.\(isa)' must be positive") }
        }
        if let bad = references.first(where: { !Experiment.referenceNames.contains($0) }) {
            throw fail("key 'references' has unknown '\(bad)'; expected some of \(Experiment.referenceNames.joined(separator: ", "))")
        }
        if algorithms.isEmpty { throw fail("key 'algorithms' is empty: list algorithms, or leave the key out for all of them") }
        if isas?.isEmpty ?? false { throw fail("key 'isas' is empty: list ISAs, or leave the key out for every ISA this CPU supports") }
    }

    /// A value listed twice would be measured twice.
    private func validateNoRepeats(_ fail: (String) -> HarnessError) throws {
        let lists: [(String, [String])] = [
            ("sizes", sizes.map(String.init)), ("algorithms", algorithms.map(\.rawValue)), ("isas", (isas ?? []).map(\.rawValue)),
            ("presets", presets), ("optional_presets", optionalPresets), ("references", references),
        ]
        for (key, values) in lists {
            if let why = Experiment.repeatedValue(key: key, values) { throw fail(why) }
        }
    }

    /// Why a list names a value twice (nil: it does not); for the kinds' own lists too.
    static func repeatedValue<Value: Hashable & CustomStringConvertible>(key: String, _ values: [Value]) -> String? {
        var seen = Set<Value>()
        guard let repeated = values.first(where: { !seen.insert($0).inserted }) else { return nil }
        return "key '\(key)' lists \(repeated) twice: list each once (it would be measured twice)"
    }

    /// A kind's own settings, as the type that kind reads; asking for another kind's is a programming error.
    func spec<Spec: KindSpec>(as type: Spec.Type) -> Spec {
        guard let spec = spec.value as? Spec else {
            preconditionFailure("experiment \(id) of kind \(kind.rawValue) has no \(Spec.self): a \(kind.rawValue) experiment's settings are \(Swift.type(of: spec.value))")
        }
        return spec
    }

    /// Decodes one part of the file (the common keys, or a kind's own) after the key types were checked:
    /// a decoding error names the key as the file spells it.
    static func decode<Part: Decodable>(_ part: Part.Type, from data: Data, source: String) throws -> Part {
        do { return try JSONDecoder().decode(Part.self, from: data) } catch {
            throw HarnessError.malformedExperiment(source, describe(decodingError: error).replacingOccurrences(of: "Key", with: "key"))
        }
    }

    /// Experiment ids in a folder (file names without .json), sorted.
    public static func list(folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The sizes to run on an ISA, after `max_size_by_isa`.
    public func sizes(for isa: ISA) -> [Int] {
        guard let limit = maxSizeByISA[isa.rawValue] else { return sizes }
        return sizes.filter { $0 <= limit }
    }

    /// The common keys as written, before defaults (the kind's own keys are its spec's to read).
    struct File: Decodable {
        var description: String
        var algorithms: [Algorithm]?
        var isas: [ISA]?
        var presets: [String]?
        var optionalPresets: [String]?
        var allVariants: Bool?
        var references: [String]?
        var sizes: [Int]
        var maxSizeByIsa: [String: Int]?
        var samples: Int?
        var warmupSamples: Int?
        var minSampleSeconds: Double?
        var seed: UInt64?
        var inputRange: [Float]?
        var sumTolerance: Double?
        var skipSizesThatDoNotFit: Bool?
        var sizeLabels: [String: String]?
        var precisionTarget: Double?
        var medianPrecisionTarget: Double?
        var maxRounds: Int?
        var roundBudgetSeconds: Double?
        var noiseThreshold: Double?
        var roundsPerAllocation: Int?

        // The file's own (snake_case) names, so a decoding error names the key as the file spells it.
        enum CodingKeys: String, CodingKey {
            case description, algorithms, isas, presets, references, sizes, samples, seed
            case optionalPresets = "optional_presets", allVariants = "all_variants", maxSizeByIsa = "max_size_by_isa", warmupSamples = "warmup_samples"
            case minSampleSeconds = "min_sample_seconds", inputRange = "input_range", sumTolerance = "sum_tolerance"
            case skipSizesThatDoNotFit = "skip_sizes_that_do_not_fit", sizeLabels = "size_labels"
            case precisionTarget = "precision_target", medianPrecisionTarget = "median_precision_target", maxRounds = "max_rounds"
            case roundBudgetSeconds = "round_budget_seconds", noiseThreshold = "noise_threshold"
            case roundsPerAllocation = "rounds_per_allocation"
        }
    }
}

extension Experiment {
    /// A kind's name: the JSON "kind", the metadata's experiment_kind and the registry's key
    /// (Kinds/Registry.swift). Each kind's file declares its own (`Experiment.Kind.multicore`), so adding a
    /// kind touches no file here.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
    }
}

/// One kind's own settings, read from its experiment file by its kind (`ExperimentKind.readSpec`).
protocol KindSpec: Sendable {
    /// Whether `other` is the same settings (Experiment is Equatable).
    func isEqual(to other: any KindSpec) -> Bool
}

extension KindSpec where Self: Equatable {
    func isEqual(to other: any KindSpec) -> Bool { (other as? Self) == self }
}

/// The settings of a kind that has none of its own (softmax, passes).
struct NoKindSpec: KindSpec, Equatable {}

/// A kind's settings held by an experiment, compared by value.
struct AnyKindSpec: Equatable, Sendable {
    let value: any KindSpec
    init(_ value: any KindSpec) { self.value = value }
    static func == (a: AnyKindSpec, b: AnyKindSpec) -> Bool { a.value.isEqual(to: b.value) }
}

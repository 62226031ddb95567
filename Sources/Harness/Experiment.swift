import Foundation
import Platform
import Softmax

/// One experiment, read from `experiments/<id>.json`. The file names what to measure; the protocol
/// settings have defaults that follow the authors' released benchmark (docs/protocol.md) and are recorded in every run.
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
    /// passes: measure every registered variant of each family instead of the presets' kernels.
    public var allVariants: Bool
    /// passes: memory reference loops to measure (`read`, `copy`, `copy_nt`, `scale`, `write`).
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
    /// multicore: worker counts to run; nil means 1, 2, 4, ... and all cores. Counts above this machine's
    /// cores are skipped with a note, so one file serves every machine.
    public var threads: [Int]?
    /// multicore: worker placements (compact, scattered).
    public var placements: [Placement]
    /// accuracy: the input ranges, each its own rows.
    public var inputRanges: [InputRange]
    /// accuracy: the masks, each its own rows; nil stands for "none" (nothing masked).
    public var masks: [InputMask?]
    /// accuracy: inputs per configuration (each a fresh draw from the range, with the mask).
    public var trials: Int
    /// tune: the sizes at which each tuned algorithm that has streaming-store kernels is timed whole, with
    /// them against their plain twins, to place its streaming threshold; nil: derived from the last-level
    /// cache (`StreamingCrossover.sizes`).
    public var crossoverSizes: [Int]?
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
    /// accuracy: the element orders each input is tried in, each its own rows (default: as drawn).
    public var orders: [InputOrder] = [.random]
    /// batched: the rows per call (B) to run at every size; each its own rows.
    public var batches: [Int] = []
    /// The most rows per call a batched experiment may ask for: beyond it a typo would allocate for ever.
    public static let maxBatch = 65_536

    static let knownKeys: Set<String> = [
        "description", "kind", "algorithms", "isas", "presets", "optional_presets", "all_variants", "references", "sizes",
        "max_size_by_isa", "samples", "warmup_samples", "min_sample_seconds", "seed", "input_range", "sum_tolerance",
        "skip_sizes_that_do_not_fit", "size_labels", "threads", "placements", "input_ranges", "masks", "trials",
        "crossover_sizes", "precision_target", "median_precision_target", "max_rounds", "round_budget_seconds", "noise_threshold",
        "rounds_per_allocation", "orders", "batches",
    ]
    /// Keys that only an accuracy experiment reads, and keys that only timed experiments read.
    static let accuracyOnlyKeys: Set<String> = ["input_ranges", "masks", "trials", "orders"]
    static let timingOnlyKeys: Set<String> = [
        "samples", "warmup_samples", "min_sample_seconds", "input_range", "all_variants", "references",
        "precision_target", "median_precision_target", "max_rounds", "round_budget_seconds", "noise_threshold",
        "rounds_per_allocation",
    ]
    public static let referenceNames = ["read", "copy", "copy_nt", "scale", "write"]
    /// Keys every experiment file must have.
    public static let requiredKeys = ["description", "kind", "sizes"]
    /// The most timed (or warm-up) samples per configuration, and inputs per accuracy configuration, a file or
    /// --samples may ask for: beyond it a typo (10^12) would make the run look hung.
    public static let maxSamples = 10_000
    public static let maxTrials = 10_000

    /// Each key's type, checked on the file as written (ExpectedJSON names the key and the type in its error).
    static let keyTypes: [String: ExpectedJSON] = [
        "description": .string, "kind": .string, "algorithms": .list(of: .string), "isas": .list(of: .string),
        "presets": .list(of: .string), "optional_presets": .list(of: .string), "all_variants": .bool,
        "references": .list(of: .string), "sizes": .list(of: .whole(Int64.min...Int64.max)),
        "max_size_by_isa": .map(of: .whole(Int64.min...Int64.max)), "samples": .whole(Int64.min...Int64.max),
        "warmup_samples": .whole(Int64.min...Int64.max), "min_sample_seconds": .number(limit: .greatestFiniteMagnitude),
        "seed": .unsigned64, "input_range": .list(of: .number(limit: Double(Float.greatestFiniteMagnitude))),
        "sum_tolerance": .number(limit: .greatestFiniteMagnitude), "skip_sizes_that_do_not_fit": .bool,
        "size_labels": .map(of: .string), "threads": .list(of: .whole(Int64.min...Int64.max)), "placements": .list(of: .string),
        "input_ranges": .list(of: .list(of: .number(limit: .greatestFiniteMagnitude))), "masks": .list(of: .string),
        "trials": .whole(Int64.min...Int64.max), "crossover_sizes": .list(of: .whole(Int64.min...Int64.max)),
        "precision_target": .number(limit: .greatestFiniteMagnitude), "median_precision_target": .number(limit: .greatestFiniteMagnitude),
        "max_rounds": .whole(Int64.min...Int64.max), "round_budget_seconds": .number(limit: .greatestFiniteMagnitude),
        "noise_threshold": .number(limit: .greatestFiniteMagnitude), "orders": .list(of: .string),
        "rounds_per_allocation": .whole(Int64.min...Int64.max), "batches": .list(of: .whole(Int64.min...Int64.max)),
    ]

    /// Reads and validates `<folder>/<id>.json`. Errors name the file, the key and what to do.
    public static func load(id: String, folder: URL) throws -> Experiment {
        guard ResultsLayout.isValidExperimentID(id) else { throw HarnessError.invalidExperimentID(id) }
        let url = folder.appendingPathComponent("\(id).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = (try? list(folder: folder)) ?? []
            throw HarnessError.unknownExperiment(id, suggestions: closestMatches(to: id, among: known), folder: folder.path)
        }
        let data = try Data(contentsOf: url)
        return try parse(data, id: id, source: url.path)
    }

    public static func parse(_ data: Data, id: String, source: String) throws -> Experiment {
        let root: StrictJSON.Node
        do { root = try StrictJSON.parse(data) } catch let failure as StrictJSON.Failure {
            throw HarnessError.malformedExperiment(source, failure.description)
        }
        guard case let .object(members) = root.value else {
            throw HarnessError.malformedExperiment(source, "the top level must be a JSON object ({...}), not \(root.written) (\(root.position))")
        }
        for (key, node) in members where !knownKeys.contains(key) {
            let hint = closestMatches(to: key, among: Array(knownKeys), limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw HarnessError.malformedExperiment(source, "unknown key '\(key)'\(hint) (\(node.position); known keys: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        for key in requiredKeys where !members.contains(where: { $0.key == key }) {
            throw HarnessError.malformedExperiment(source, "key '\(key)' is missing: every experiment file names \(requiredKeys.joined(separator: ", "))")
        }
        for (key, node) in members {
            do { try keyTypes[key]?.check(node, key: key) } catch let message as HarnessErrorMessage {
                throw HarnessError.malformedExperiment(source, message.description)
            }
        }
        let dictionary = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value) })
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw HarnessError.malformedExperiment(source, describe(decodingError: error).replacingOccurrences(of: "Key", with: "key"))
        }
        // Keys of one kind in another kind's file: named by the kind that owns them.
        let writtenKeys = dictionary.keys.sorted()
        try file.kind.behavior.rejectFileKeys(writtenKeys, source: source)
        for other in Kind.allCases where other != file.kind { try other.behavior.rejectOwnFileKeys(writtenKeys, in: file.kind, source: source) }
        let (inputRanges, masks, orders) = try parseAccuracyLists(file, source: source)
        var experiment = Experiment(
            id: id, description: file.description, kind: file.kind,
            algorithms: file.algorithms ?? Algorithm.allCases, isas: file.isas,
            presets: file.presets ?? ["blend"],
            optionalPresets: file.optionalPresets ?? [],
            allVariants: file.allVariants ?? file.kind.behavior.defaultAllVariants,
            references: file.references ?? file.kind.behavior.defaultReferences,
            sizes: file.sizes, maxSizeByISA: file.maxSizeByIsa ?? [:],
            samples: file.samples ?? 15, warmupSamples: file.warmupSamples ?? 2,
            minSampleSeconds: file.minSampleSeconds ?? 0.001, seed: file.seed ?? 42,
            inputRange: file.inputRange ?? [-1000, 1000], sumTolerance: file.sumTolerance ?? 1e-3,
            skipSizesThatDoNotFit: file.skipSizesThatDoNotFit ?? false, sizeLabels: file.sizeLabels ?? [:],
            threads: file.threads, placements: file.placements ?? Placement.allCases,
            inputRanges: inputRanges, masks: masks, trials: file.trials ?? 3, crossoverSizes: file.crossoverSizes)
        experiment.precisionTarget = file.precisionTarget ?? experiment.precisionTarget
        experiment.medianPrecisionTarget = file.medianPrecisionTarget ?? experiment.medianPrecisionTarget
        experiment.maxRounds = file.maxRounds ?? Swift.max(experiment.maxRounds, experiment.samples)
        experiment.roundBudgetSeconds = file.roundBudgetSeconds ?? experiment.roundBudgetSeconds
        experiment.noiseThreshold = file.noiseThreshold ?? experiment.noiseThreshold
        experiment.roundsPerAllocation = file.roundsPerAllocation ?? experiment.roundsPerAllocation
        experiment.orders = orders
        experiment.batches = file.batches ?? []
        try experiment.validate(source: source)
        return experiment
    }

    func validate(source: String) throws {
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
        // Settings of one kind in another kind's experiment, then this kind's own checks.
        for other in Kind.allCases where other != kind { try other.behavior.validateForeign(self, fail: fail) }
        try kind.behavior.validate(self, fail: fail)
        if presets.isEmpty && !(kind.measuresPasses && allVariants) { throw fail("key 'presets' is empty") }
    }

    /// A value listed twice would be measured twice.
    private func validateNoRepeats(_ fail: (String) -> HarnessError) throws {
        let lists: [(String, [String])] = [
            ("sizes", sizes.map(String.init)), ("algorithms", algorithms.map(\.rawValue)), ("isas", (isas ?? []).map(\.rawValue)),
            ("presets", presets), ("optional_presets", optionalPresets), ("references", references),
            ("threads", (threads ?? []).map(String.init)), ("crossover_sizes", (crossoverSizes ?? []).map(String.init)),
            ("batches", batches.map(String.init)),
        ]
        for (key, values) in lists {
            var seen = Set<String>()
            if let repeated = values.first(where: { !seen.insert($0).inserted }) {
                throw fail("key '\(key)' lists \(repeated) twice: list each once (it would be measured twice)")
            }
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

    /// The file as written, before defaults.
    struct File: Decodable {
        var description: String
        var kind: Kind
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
        var threads: [Int]?
        var placements: [Placement]?
        var inputRanges: [[Double]]?
        var masks: [String]?
        var trials: Int?
        var crossoverSizes: [Int]?
        var precisionTarget: Double?
        var medianPrecisionTarget: Double?
        var maxRounds: Int?
        var roundBudgetSeconds: Double?
        var noiseThreshold: Double?
        var roundsPerAllocation: Int?
        var orders: [String]?
        var batches: [Int]?

        // The file's own (snake_case) names, so a decoding error names the key as the file spells it.
        enum CodingKeys: String, CodingKey {
            case description, kind, algorithms, isas, presets, references, sizes, samples, seed, threads, placements
            case optionalPresets = "optional_presets", allVariants = "all_variants", maxSizeByIsa = "max_size_by_isa", warmupSamples = "warmup_samples"
            case minSampleSeconds = "min_sample_seconds", inputRange = "input_range", sumTolerance = "sum_tolerance"
            case skipSizesThatDoNotFit = "skip_sizes_that_do_not_fit", sizeLabels = "size_labels"
            case inputRanges = "input_ranges", masks, trials, crossoverSizes = "crossover_sizes", orders
            case precisionTarget = "precision_target", medianPrecisionTarget = "median_precision_target", maxRounds = "max_rounds"
            case roundBudgetSeconds = "round_budget_seconds", noiseThreshold = "noise_threshold"
            case roundsPerAllocation = "rounds_per_allocation", batches
        }
    }
}


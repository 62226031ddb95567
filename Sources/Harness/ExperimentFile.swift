import Foundation
import Platform
import Softmax

/// Reading an experiment file: the common keys here, each kind's own keys by its kind (Kinds/), so that
/// every error names the file, the key and the fix.
extension Experiment {
    /// Every key a file may use: the common ones and every kind's own, with their types.
    static var knownKeyTypes: [String: ExpectedJSON] {
        ExperimentKinds.registry.reduce(commonKeyTypes) { $0.merging($1.ownKeys) { common, _ in common } }
    }

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
        let members = try checkedMembers(data, source: source)
        let kind = try readKind(members, source: source)
        let file = try decode(File.self, from: data, source: source)
        // Keys that do not apply to this kind: timing keys in an accuracy file, another kind's own keys.
        let writtenKeys = members.map(\.key).sorted()
        try kind.rejectFileKeys(writtenKeys, source: source)
        for other in ExperimentKinds.registry where other.kind != kind.kind {
            if let key = writtenKeys.first(where: { other.ownKeys[$0] != nil }) {
                throw HarnessError.malformedExperiment(source, other.foreignKeyMessage(key, in: kind.kind))
            }
        }
        let spec = try kind.readSpec(data, source: source)
        var experiment = Experiment(
            id: id, description: file.description, kind: kind.kind,
            algorithms: file.algorithms ?? Algorithm.allCases, isas: file.isas,
            presets: file.presets ?? ["blend"],
            optionalPresets: file.optionalPresets ?? [],
            allVariants: file.allVariants ?? kind.defaultAllVariants,
            references: file.references ?? kind.defaultReferences,
            sizes: file.sizes, maxSizeByISA: file.maxSizeByIsa ?? [:],
            samples: file.samples ?? 15, warmupSamples: file.warmupSamples ?? 2,
            minSampleSeconds: file.minSampleSeconds ?? 0.001, seed: file.seed ?? 42,
            inputRange: file.inputRange ?? [-1000, 1000], sumTolerance: file.sumTolerance ?? 1e-3,
            skipSizesThatDoNotFit: file.skipSizesThatDoNotFit ?? false, sizeLabels: file.sizeLabels ?? [:],
            spec: AnyKindSpec(spec))
        experiment.precisionTarget = file.precisionTarget ?? experiment.precisionTarget
        experiment.medianPrecisionTarget = file.medianPrecisionTarget ?? experiment.medianPrecisionTarget
        experiment.maxRounds = file.maxRounds ?? Swift.max(experiment.maxRounds, experiment.samples)
        experiment.roundBudgetSeconds = file.roundBudgetSeconds ?? experiment.roundBudgetSeconds
        experiment.noiseThreshold = file.noiseThreshold ?? experiment.noiseThreshold
        experiment.roundsPerAllocation = file.roundsPerAllocation ?? experiment.roundsPerAllocation
        try experiment.validateCommon(source: source)
        let fail = { (why: String) in HarnessError.malformedExperiment(source, why) }
        try kind.validate(experiment, fail: fail)
        if experiment.presets.isEmpty && !(kind.measuresPasses && experiment.allVariants) { throw fail("key 'presets' is empty") }
        return experiment
    }

    /// The file's top-level members, each key known, the required ones present and every value of its key's type.
    private static func checkedMembers(_ data: Data, source: String) throws -> [(key: String, value: StrictJSON.Node)] {
        let root: StrictJSON.Node
        do { root = try StrictJSON.parse(data) } catch let failure as StrictJSON.Failure {
            throw HarnessError.malformedExperiment(source, failure.description)
        }
        guard case let .object(members) = root.value else {
            throw HarnessError.malformedExperiment(source, "the top level must be a JSON object ({...}), not \(root.written) (\(root.position))")
        }
        let keyTypes = knownKeyTypes
        let knownKeys = Array(keyTypes.keys)
        for (key, node) in members where keyTypes[key] == nil {
            let hint = closestMatches(to: key, among: knownKeys, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
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
        return members
    }

    /// The registered kind the file names.
    private static func readKind(_ members: [(key: String, value: StrictJSON.Node)], source: String) throws -> any ExperimentKind {
        guard let node = members.first(where: { $0.key == "kind" })?.value, case let .string(name) = node.value else {
            throw HarnessError.malformedExperiment(source, "key 'kind' is missing: every experiment file names \(requiredKeys.joined(separator: ", "))")
        }
        guard let kind = ExperimentKinds.kind(named: name) else {
            let names = Experiment.Kind.registered.map(\.rawValue)
            let hint = closestMatches(to: name, among: names, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw HarnessError.malformedExperiment(source, "key 'kind' is '\(name)', not an experiment kind\(hint) (kinds: \(names.joined(separator: ", ")); \(node.position))")
        }
        return kind
    }
}

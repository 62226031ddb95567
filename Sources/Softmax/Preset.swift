import Foundation

/// A named choice of kernels per ISA and algorithm, read from a JSON file such as
/// `experiments/presets/blend.json` (the paper's configuration) or one the `tune` experiment wrote.
public struct Preset: Codable, Sendable {
    public var name: String
    public var description: String
    /// isa -> algorithm -> kernel names in pass order.
    public var kernels: [String: [String: [String]]]
    /// isa -> algorithm -> elements from which the plan runs its streaming-store kernels (below, their
    /// plain twins): measured by `tune` on the whole softmax. Absent: `SoftmaxPlan.defaultStreamingThreshold`.
    public var streamingThresholds: [String: [String: Int]]?

    enum CodingKeys: String, CodingKey {
        case name, description, kernels
        case streamingThresholds = "streaming_thresholds"
    }

    public init(name: String, description: String, kernels: [String: [String: [String]]],
                streamingThresholds: [String: [String: Int]]? = nil) {
        self.name = name
        self.description = description
        self.kernels = kernels
        self.streamingThresholds = streamingThresholds
    }

    /// Reads and validates a preset: every ISA and algorithm key must be known and every kernel
    /// must exist and fit its pass.
    public static func load(from url: URL) throws -> Preset {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SoftmaxError.malformedPreset("cannot read preset \(url.path): \(error.localizedDescription)")
        }
        let preset: Preset
        do { preset = try JSONDecoder().decode(Preset.self, from: data) } catch {
            throw SoftmaxError.malformedPreset("preset \(url.path) is not valid: \(describe(decodingError: error))")
        }
        try preset.validate(source: url.path)
        return preset
    }

    public func validate(source: String) throws {
        for (isaName, algorithms) in kernels {
            guard ISA(rawValue: isaName) != nil else {
                throw SoftmaxError.malformedPreset(
                    "\(source): unknown ISA key '\(isaName)'; expected one of \(ISA.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for (algorithmName, names) in algorithms {
                guard let algorithm = Algorithm(rawValue: algorithmName) else {
                    throw SoftmaxError.malformedPreset(
                        "\(source): unknown algorithm '\(algorithmName)' under '\(isaName)'; expected one of \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard names.count == algorithm.passes.count else {
                    throw SoftmaxError.malformedPreset(
                        "\(source): \(isaName).\(algorithmName) lists \(names.count) kernels; \(algorithm.rawValue) needs \(algorithm.passes.count) (\(algorithm.passes.map(\.rawValue).joined(separator: ", ")))")
                }
                for (name, family) in zip(names, algorithm.passes) {
                    guard let kernel = KernelRegistry.named(name) else {
                        throw SoftmaxError.malformedPreset(
                            "\(source): \(isaName).\(algorithmName): " + SoftmaxError.unknownKernel(name, suggestions: KernelRegistry.suggestions(for: name)).description)
                    }
                    guard kernel.family == family, kernel.isa.rawValue == isaName else {
                        throw SoftmaxError.malformedPreset(
                            "\(source): \(isaName).\(algorithmName): '\(name)' is not a \(isaName) \(family.rawValue) kernel")
                    }
                }
            }
        }
        for (isaName, algorithms) in streamingThresholds ?? [:] {
            for (algorithmName, threshold) in algorithms {
                guard kernels[isaName]?[algorithmName] != nil else {
                    throw SoftmaxError.malformedPreset(
                        "\(source): streaming_thresholds names \(isaName).\(algorithmName), which has no kernels in 'kernels': remove it or add the kernels")
                }
                guard threshold >= 0 else {
                    throw SoftmaxError.malformedPreset("\(source): streaming_thresholds.\(isaName).\(algorithmName) is \(threshold): an element count must be >= 0")
                }
            }
        }
    }

    /// The plan this preset gives for an algorithm on an ISA.
    public func plan(_ algorithm: Algorithm, isa: ISA) throws -> SoftmaxPlan {
        guard let names = kernels[isa.rawValue]?[algorithm.rawValue] else {
            throw SoftmaxError.presetMissing(preset: name, isa: isa, algorithm: algorithm)
        }
        let threshold = streamingThresholds?[isa.rawValue]?[algorithm.rawValue] ?? SoftmaxPlan.defaultStreamingThreshold
        return try SoftmaxPlan(algorithm: algorithm, kernelNames: names, streamingThreshold: threshold)
    }
}

/// A one-line account of a JSON decoding error that names the key and what was wrong with it.
public func describe(decodingError error: Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "the top level" : "key '\(keys.joined(separator: "."))'"
    }
    switch error {
    case let DecodingError.keyNotFound(key, context):
        let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
        return "missing key '\(key.stringValue)'\(parent)"
    case let DecodingError.typeMismatch(type, context):
        return "\(path(context)) should be \(type): \(context.debugDescription)"
    case let DecodingError.valueNotFound(type, context):
        return "\(path(context)) is null; expected \(type)"
    case let DecodingError.dataCorrupted(context):
        return "\(path(context)): \(context.debugDescription) \((context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? "")"
    default:
        return String(describing: error)
    }
}

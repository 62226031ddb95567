import Foundation
import Softmax

/// Where presets live and which ones this processor can use: experiments/presets/<name>.json, except
/// `tuned`, which is per processor (experiments/presets/tuned/<processor-id>.json, written by `tune`).
public enum PresetCatalog {
    /// The preset every experiment uses by default: the paper's kernels.
    public static let defaultName = "blend"

    /// The file of a preset by name for this processor.
    public static func file(_ name: String, presetsFolder: URL, processorID: String) -> URL {
        name == ResultsLayout.tunedPresetName
            ? ResultsLayout.tunedPreset(presetsFolder: presetsFolder, processorID: processorID)
            : presetsFolder.appendingPathComponent("\(name).json")
    }

    /// The presets this processor can name: blend, then tuned where `tune` wrote one for it, then the
    /// others (the authors' per-processor presets) by name.
    public static func names(presetsFolder: URL, processorID: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: presetsFolder.path)) ?? []
        let others = files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter { $0 != defaultName }.sorted()
        let hasTuned = FileManager.default.fileExists(atPath: file(ResultsLayout.tunedPresetName, presetsFolder: presetsFolder, processorID: processorID).path)
        return (files.contains("\(defaultName).json") ? [defaultName] : []) + (hasTuned ? [ResultsLayout.tunedPresetName] : []) + others
    }

    /// One line per preset for `list --presets`: name, tab, its description (or why it does not load).
    public static func listing(presetsFolder: URL, processorID: String) -> [String] {
        names(presetsFolder: presetsFolder, processorID: processorID).map { name in
            do {
                let preset = try Preset.load(from: file(name, presetsFolder: presetsFolder, processorID: processorID))
                let isas = ISA.allCases.filter { preset.kernels[$0.rawValue] != nil }.map(\.rawValue).joined(separator: ", ")
                return "\(name)\t[\(isas)]\t\(preset.description)"
            } catch {
                return "\(name)\tINVALID: \(error)"
            }
        }
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where results, metadata, locks and tuned presets live: the one owner of these paths.
///
/// Committed reference runs stay in `results/<processor-id>/` (with results/SUMMARY.md and plots/figures/);
/// a user's own runs go under the gitignored `local/`: `local/results/<processor-id>/` and
/// `local/presets/tuned/<processor-id>.json`, so measuring never rewrites a tracked file. `make reference`
/// (`softmax-repro reference`) is the one step that copies a complete local run into the committed places.
public struct ResultsLayout: Sendable {
    /// Default folder of a user's runs, relative to the repository root.
    public static let localResults = "local/results"
    /// Folder of the committed reference runs.
    public static let referenceResults = "results"
    /// Default folder of presets a local run writes (its tuned preset goes to `<this>/tuned/<processor-id>.json`).
    public static let localPresets = "local/presets"
    /// Folder of the committed presets, under the experiments folder.
    public static let presetsSubfolder = "presets"
    /// Machine-wide folder of the per-CPU measuring locks (shared by every checkout and user on this machine);
    /// SOFTMAX_REPRO_CPU_LOCKS overrides it (tests use a private folder so that parallel test runs do not meet).
    public static var cpuLocks: String {
        ProcessInfo.processInfo.environment["SOFTMAX_REPRO_CPU_LOCKS"] ?? "/tmp/softmax-repro-cpu-locks"
    }

    /// SUMMARY.md of a results folder: results/SUMMARY.md for the committed one, local/SUMMARY.md beside
    /// local/results for a local run (what the plotting step writes with `--summary`).
    public static func summary(resultsFolder: String) -> String {
        let folder = (resultsFolder as NSString).standardizingPath
        if folder == referenceResults { return "\(referenceResults)/SUMMARY.md" }
        let parent = (folder as NSString).deletingLastPathComponent
        return parent.isEmpty ? "SUMMARY.md" : "\(parent)/SUMMARY.md"
    }

    public let resultsFolder: URL

    public init(resultsFolder: URL) { self.resultsFolder = resultsFolder }

    public func processorFolder(_ processorID: String) -> URL { resultsFolder.appendingPathComponent(processorID) }

    public func csv(experiment: String, processorID: String) -> URL {
        processorFolder(processorID).appendingPathComponent("\(experiment).csv")
    }

    public func metadata(experiment: String, processorID: String) -> URL {
        processorFolder(processorID).appendingPathComponent("\(experiment).json")
    }

    /// The lock a run holds on its CSV for as long as it runs, beside the CSV.
    public static func lock(forCSV csvPath: String) -> String { csvPath + ".lock" }

    /// The metadata beside a CSV: `<experiment>.json` for `<experiment>.csv`.
    public static func metadata(forCSV csvPath: String) -> String {
        URL(fileURLWithPath: csvPath).deletingPathExtension().appendingPathExtension("json").path
    }

    /// The name of the per-processor preset `tune` writes, which is also its folder under a presets folder.
    public static let tunedPresetName = "tuned"

    /// presets/tuned/<processor-id>.json under a presets folder.
    public static func tunedPreset(presetsFolder: URL, processorID: String) -> URL {
        presetsFolder.appendingPathComponent(tunedPresetName).appendingPathComponent("\(processorID).json")
    }

    /// The presets folder inside an experiments folder (the committed presets).
    public static func committedPresets(experimentsFolder: URL) -> URL {
        experimentsFolder.appendingPathComponent(presetsSubfolder)
    }

    /// Where `tuned` is read from, in order: a local run's preset first, then the committed one.
    public static func tunedPresetCandidates(localPresets: URL?, experimentsFolder: URL, processorID: String) -> [URL] {
        [localPresets, committedPresets(experimentsFolder: experimentsFolder)].compactMap { $0 }
            .map { tunedPreset(presetsFolder: $0, processorID: processorID) }
    }

    /// An experiment id is a plain file name: lowercase letters, digits, '-' and '_', starting with a letter
    /// or digit. Anything else (a path, `../x`, spaces) could read or write outside the experiments and
    /// results folders.
    public static func isValidExperimentID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, isLowerAlphanumeric(first) else { return false }
        return id.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" || $0 == "_" }
    }

    private static func isLowerAlphanumeric(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
}


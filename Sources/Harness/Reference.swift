import Foundation

/// `softmax-repro reference` (`make reference`): copies this processor's complete local run into the
/// committed reference folder, and its tuned preset into experiments/presets/tuned/. Nothing is copied
/// unless every experiment of the set is there, finished (run_state complete), run without options that
/// narrow it (--isa, --preset, --samples), not being written, and free of rows that are not measurements.
public enum ReferenceRun {
    public struct Folders {
        public var localResults: URL
        public var referenceResults: URL
        public var localPresets: URL
        public var committedPresets: URL
        public init(localResults: URL, referenceResults: URL, localPresets: URL, committedPresets: URL) {
            self.localResults = localResults
            self.referenceResults = referenceResults
            self.localPresets = localPresets
            self.committedPresets = committedPresets
        }
    }

    /// Checks every experiment, then copies; returns the files written. Throws `incompleteRun` naming every
    /// problem found before anything is copied.
    @discardableResult
    public static func promote(experiments: [String], processorID: String, folders: Folders, log: (String) -> Void) throws -> [String] {
        let local = ResultsLayout(resultsFolder: folders.localResults)
        let reference = ResultsLayout(resultsFolder: folders.referenceResults)
        var problems: [String] = []
        var copiesTuned = false
        for id in experiments {
            let (found, tuned) = try problemsOfExperiment(id, local: local, processorID: processorID)
            problems += found
            copiesTuned = copiesTuned || tuned
        }
        let tunedSource = ResultsLayout.tunedPreset(presetsFolder: folders.localPresets, processorID: processorID)
        if copiesTuned && !FileManager.default.fileExists(atPath: tunedSource.path) {
            problems.append("tune: no tuned preset \(tunedSource.path) (a complete `softmax-repro run tune` writes it)")
        }
        guard problems.isEmpty else { throw HarnessError.incompleteRun(problems) }

        var written: [String] = []
        func replace(_ source: URL, with destination: URL) throws {
            do {
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
                try FileManager.default.copyItem(at: source, to: destination)
            } catch {
                throw HarnessError.unwritableResults(destination.path, error.localizedDescription)
            }
            written.append(destination.path)
            log("copied \(source.path) -> \(destination.path)")
        }
        for id in experiments {
            try replace(local.csv(experiment: id, processorID: processorID), with: reference.csv(experiment: id, processorID: processorID))
            try replace(local.metadata(experiment: id, processorID: processorID), with: reference.metadata(experiment: id, processorID: processorID))
        }
        if copiesTuned {
            try replace(tunedSource, with: ResultsLayout.tunedPreset(presetsFolder: folders.committedPresets, processorID: processorID))
        }
        return written
    }

    /// What keeps one experiment's local run from becoming the reference (empty: nothing), and whether
    /// its kind writes the tuned preset (which then travels with it).
    static func problemsOfExperiment(_ id: String, local: ResultsLayout, processorID: String) throws -> (problems: [String], copiesTuned: Bool) {
        // --llc-bytes too: outputs rotated past a smaller cache than the machine's are not out-of-cache timings.
        let narrowingFlags = ["isas": "--isa", "presets": "--preset", "samples": "--samples", "llc_bytes": "--llc-bytes"]
        guard ResultsLayout.isValidExperimentID(id) else { throw HarnessError.invalidExperimentID(id) }
        let csv = local.csv(experiment: id, processorID: processorID).path
        let metadataPath = local.metadata(experiment: id, processorID: processorID).path
        guard FileManager.default.fileExists(atPath: csv) else { return (["\(id): no \(csv) (run `softmax-repro run \(id)`)"], false) }
        if FileLock.isHeld(ResultsLayout.lock(forCSV: csv)) { return (["\(id): \(csv) is being written by a run now"], false) }
        guard let metadata = MetadataFile.read(metadataPath) else { return (["\(id): no readable metadata \(metadataPath)"], false) }
        var problems: [String] = []
        let copiesTuned = (metadata["experiment_kind"] as? String).flatMap(Experiment.Kind.registered(named:))?.behavior.writesTunedPreset ?? false
        let state = metadata["run_state"] as? String ?? "unknown"
        if state != Metadata.complete { problems.append("\(id): its run did not finish (run_state \(state)); resume it with `softmax-repro run \(id) --resume`") }
        if let options = metadata["run_options"] as? [String: Any], !options.isEmpty {
            let narrowed = options.keys.compactMap { narrowingFlags[$0] }.sorted()
            if !narrowed.isEmpty { problems.append("\(id): it was run with \(narrowed.joined(separator: ", ")), not as the experiment file says; run it again with --overwrite and without them") }
        }
        do {
            let table = try ResultTable(path: csv)
            if table.rows.isEmpty { problems.append("\(id): \(csv) holds no rows") }
            for invalid in table.invalidRows { problems.append("\(id): \(invalid.description)") }
        } catch let error as HarnessError {
            problems.append("\(id): \(error.description)")
        }
        return (problems, copiesTuned)
    }
}

import Foundation
import Platform
import Softmax

#if canImport(Glibc)
import Glibc
#endif

public struct RunReport: Sendable {
    public let csvPath: String
    public let metadataPath: String
    public let rowsWritten: Int
    public let errorRows: Int
    public let skipped: Int
    public let kind: Experiment.Kind
}

/// Runs one experiment: validates everything it can before measuring, then measures size by size on one
/// pinned worker thread, appending rows as each size finishes.
public final class Runner {
    let options: RunOptions
    let log: (String) -> Void
    /// Which ISAs count as supported by this CPU; a test seam (tests fake a missing ISA on any machine).
    var isaSupport: (ISA) -> Bool = { $0.isSupported }
    /// How each round's foreign load is measured; a test seam (tests inject a load).
    var makeNoiseProbe: () -> NoiseProbe = { ThreadTimeNoiseProbe() }

    public init(options: RunOptions, log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.options = options
        self.log = log
    }

    /// Runs estimated to take longer than this are refused unless `--allow-long` is given: a mistyped sample
    /// count would otherwise look like a hung run.
    public static let longRunLimitSeconds: Double = 2 * 3600

    /// The locks and estimates a run takes before measuring.
    var guards: RunGuards { RunGuards(options: options, log: log) }

    /// What the run lends its kind (the options, the log, the noise probe).
    var context: RunContext { RunContext(options: options, log: log, makeNoiseProbe: makeNoiseProbe) }

    public func run(_ experimentID: String) throws -> RunReport {
        let experiment = try loadExperiment(experimentID)

        let isas = try resolveISAs(experiment, isSupported: isaSupport)
        let identity = CPUIdentity.current()
        let presets = try loadPresets(of: experiment, processorID: identity.id)
        let (topology, cpu) = try resolveTopologyAndCPU()

        // Work, size by size, and the memory it needs, all checked before anything is allocated.
        let rotation = OutputRotation(topology: topology, llcBytesOverride: options.llcBytes)
        let (plan, skippedSizes) = try planWork(experiment, isas: isas, presets: presets, topology: topology, rotation: rotation)

        // Where results go; never clobber what was measured, and never let two runs write one CSV or time
        // on one CPU.
        let layout = ResultsLayout(resultsFolder: options.resultsFolder)
        let folder = layout.processorFolder(identity.id)
        let csvPath = layout.csv(experiment: experiment.id, processorID: identity.id).path
        let metadataPath = layout.metadata(experiment: experiment.id, processorID: identity.id).path
        try prepareFolder(folder)
        let csvLock = try guards.lockResults(csvPath)
        defer { csvLock.release() }
        let measuringCPUs = experiment.kind.behavior.measuringCPUs(experiment, topology: topology, cpu: cpu)
        let (cpuLocks, sharedCPUs) = try guards.lockCPUs(measuringCPUs, topology: topology)
        defer { cpuLocks.forEach { $0.release() } }
        let (completed, previousMetadata) = try readPreviousRun(experiment, csvPath: csvPath, metadataPath: metadataPath)

        let counters = CounterProbe()
        let writer = try ResultWriter(path: csvPath)
        let base = ResultRow(experiment: experiment.id, processorID: identity.id, microarchitecture: identity.microarchitecture,
                             isa: "", preset: "", kind: .softmax, subject: .algorithm(.twoPass), kernel: "", n: 0, cpu: cpu, bytesPerElement: 0)
        // The metadata is written before anything is measured and replaced (atomically) after each size, so
        // a killed run's CSV always has it; run_state says whether the run finished.
        let startMetadata = initialMetadata(experiment, identity: identity, topology: topology, isas: isas, cpu: cpu, presets: presets,
                                            skippedSizes: skippedSizes, sharedCPUs: sharedCPUs, previous: previousMetadata)
        func writeMetadata(_ outcome: Worker.Outcome, state: String) throws {
            var m = startMetadata
            // Until the worker has opened its counters, what this thread sees (probed once the run ends).
            if let c = outcome.counters ?? (state == Metadata.running ? nil : counters.describe()) { m["counters"] = Metadata.describe(c) }
            for (key, value) in outcome.metadata { m[key] = value }
            if experiment.kind.behavior.timesCalls { m["noise"] = outcome.noise.metadata(threshold: experiment.noiseThreshold) }
            m = Metadata.withObservedCPUs(m, outcome.observedCPUs, previous: previousMetadata)
            m["run_state"] = state
            try MetadataFile.write(m, to: metadataPath)
        }
        try writeMetadata(Worker.Outcome(), state: Metadata.running)
        let checkpoint: (Worker.Outcome) -> Void = { [log] outcome in
            do { try writeMetadata(outcome, state: Metadata.running) } catch { log("warning: \(error)") }
        }
        let worker = Worker(experiment: experiment, plan: plan, base: base, cpu: cpu, topology: topology, rotation: rotation,
                            completed: completed, writer: writer, noiseProbe: makeNoiseProbe(), log: log)
        worker.checkpoint = checkpoint
        let outcome = try measure(worker, isas: isas.run, csvPath: csvPath)
        try writeMetadata(outcome, state: outcome.error == nil ? Metadata.complete : Metadata.failed)
        if experiment.kind.behavior.timesCalls { outcome.noise.warnings(threshold: experiment.noiseThreshold).forEach(log) }
        if let error = outcome.error { throw error }
        try experiment.kind.behavior.finish(context: context, csvPath: csvPath, processorID: identity.id)
        log("done: \(outcome.rowsWritten) rows (\(outcome.errorRows) errors, \(outcome.skipped) already measured) in \(csvPath)")
        return RunReport(csvPath: csvPath, metadataPath: metadataPath, rowsWritten: outcome.rowsWritten,
                         errorRows: outcome.errorRows, skipped: outcome.skipped, kind: experiment.kind)
    }

    /// This machine's topology and the measuring CPU (--cpu, or the one the tool chooses).
    func resolveTopologyAndCPU() throws -> (Topology, Int) {
        let topology: Topology
        do { topology = try Topology() } catch { throw HarnessError.platform("hwloc could not read the topology: \(error)") }
        let cpu = options.cpu ?? Pinning.chooseDefaultCPU(topology: topology)
        guard topology.hasCPU(cpu) else {
            throw HarnessError.platform("--cpu \(cpu) does not exist here; this machine has CPUs \(topology.cpuListString())")
        }
        return (topology, cpu)
    }

    /// The worker's measurements, then the kind's second phase if the first succeeded (tune's streaming
    /// crossover); an error there still leaves the metadata of what was measured beside the CSV.
    func measure(_ worker: Worker, isas: [ISA], csvPath: String) throws -> Worker.Outcome {
        let kind = worker.experiment.kind.behavior
        var outcome = worker.runPinned { kind.measure($0) }
        guard outcome.error == nil else { return outcome }
        do {
            if let more = try kind.measureAfter(worker, context: context, isas: isas, csvPath: csvPath) { outcome.append(more) }
        } catch let error as HarnessError {
            outcome.error = error
        }
        return outcome
    }

    /// The experiment as the command line changes it (--samples, --preset, --llc-bytes checked here).
    func loadExperiment(_ experimentID: String) throws -> Experiment {
        var experiment = try Experiment.load(id: experimentID, folder: options.experimentsFolder)
        if let s = options.samples {
            guard experiment.kind.behavior.timesCalls else {
                throw HarnessError.malformedExperiment("--samples", "\(experiment.id) is an accuracy experiment, which times nothing; its inputs per configuration are 'trials' in its file")
            }
            guard s >= 3 else { throw HarnessError.malformedExperiment("--samples", "must be at least 3, got \(s)") }
            guard s <= Experiment.maxSamples else {
                throw HarnessError.malformedExperiment("--samples", "is \(s): at most \(Experiment.maxSamples) samples per configuration are allowed")
            }
            experiment.samples = s
            experiment.maxRounds = Swift.max(experiment.maxRounds, s)
        }
        if let bytes = options.llcBytes, bytes <= 0 {
            throw HarnessError.malformedExperiment("--llc-bytes", "must be a positive number of bytes, got \(bytes)")
        }
        if let presets = options.presets {
            // The command line's presets replace the experiment's, optional ones included; each counts once.
            experiment.presets = uniqueInOrder(presets)
            experiment.optionalPresets = []
        }
        return experiment
    }

    /// The experiment's presets, then its optional presets where they exist (skipped with a note otherwise).
    func loadPresets(of experiment: Experiment, processorID: String) throws -> [Preset] {
        var presets = try experiment.presets.map { try loadPreset($0, processorID: processorID) }
        for name in experiment.optionalPresets where !experiment.presets.contains(name) {
            do { presets.append(try loadPreset(name, processorID: processorID)) } catch let HarnessError.unknownPreset(_, folder, _) {
                log("note: optional preset '\(name)' not found in \(folder): skipped (`softmax-repro run tune` writes 'tuned')")
            }
        }
        return presets
    }

    /// What runs at each size, less the sizes that do not fit in memory (a skip or an error, as the
    /// experiment says), after the checks that need the machine: presets with kernels for the ISAs run,
    /// multicore thread counts that fit, the estimated run time.
    func planWork(_ experiment: Experiment, isas: ISAChoice, presets: [Preset], topology: Topology,
                  rotation: OutputRotation) throws -> (plan: WorkPlan, skippedSizes: [String: String]) {
        if !experiment.kind.behavior.measuresPasses,
           !isas.run.contains(where: { isa in presets.contains { $0.kernels[isa.rawValue] != nil } }) {
            throw HarnessError.malformedExperiment(
                experiment.id, "none of its presets (\(presets.map(\.name).joined(separator: ", "))) has kernels for \(isas.run.map(\.rawValue).joined(separator: ", ")), the ISAs run here: choose an ISA they list (`softmax-repro list --presets`) with --isa, or another preset with --preset")
        }
        var plan = try WorkPlan(experiment: experiment, isas: isas.run, presets: presets)
        plan.notes.forEach(log)
        let available = MachineInfo.availableMemoryBytes()
        var skippedSizes: [String: String] = [:]
        // Workers on several cores share every L3 instance, so output rotation must exceed all of them.
        let llcBytes = experiment.kind.behavior.spansCores ? rotation.totalLLCBytes : rotation.llcBytes
        for n in plan.sizes {
            let elements = experiment.kind.behavior.elementsAllocated(n: n, experiment: experiment)
            guard let error = WorkPlan.memoryError(n: elements, llcBytes: llcBytes, available: available, experiment: experiment.id),
                  case let .tooLarge(_, bytes, _, _) = error else { continue }
            guard experiment.skipSizesThatDoNotFit else { throw error }
            skippedSizes[String(n)] = "needs \(formatBytes(bytes)) of buffers; \(formatBytes(available)) available"
            log("note: skipping n = \(n)\(experiment.sizeLabels[String(n)].map { " (\($0))" } ?? ""): it needs \(formatBytes(bytes)) of buffers and \(formatBytes(available)) is available")
            plan.remove(size: n)
        }

        try experiment.kind.behavior.checkMachine(experiment, topology: topology, options: options, log: log)

        if let seconds = guards.estimatedSeconds(experiment, plan: plan, topology: topology), seconds > Runner.longRunLimitSeconds {
            guard options.allowLong else { throw HarnessError.tooLong(experiment: experiment.id, seconds: seconds, limit: Runner.longRunLimitSeconds) }
            log("note: this run is estimated to take about \(formatDuration(seconds)) (--allow-long)")
        }
        return (plan, skippedSizes)
    }

    /// With an existing CSV: --overwrite keeps it as a backup, --resume reads what it completed (and its
    /// metadata) after checking it was measured under the same protocol, and otherwise the run is refused.
    func readPreviousRun(_ experiment: Experiment, csvPath: String,
                         metadataPath: String) throws -> (completed: Set<String>, previousMetadata: [String: Any]?) {
        var completed = Set<String>()
        var previousMetadata: [String: Any]?
        if FileManager.default.fileExists(atPath: csvPath) {
            if options.overwrite {
                try keepBackup(csvPath)
                try? keepBackup(metadataPath)
            } else if options.resume {
                try checkSameProtocol(experiment, metadataPath: metadataPath, csvPath: csvPath)
                let table: ResultTable
                do { table = try ResultTable(path: csvPath) } catch let HarnessError.unreadableResults(path, why) {
                    throw HarnessError.incompatibleResults(path, why)
                }
                // Rows of this build beside an older file's would leave the new columns out of its header.
                guard table.schemaVersion == ResultSchema.version else {
                    throw HarnessError.incompatibleResults(csvPath, "it is of schema_version \(table.schemaVersion) and this build writes \(ResultSchema.version); upgrade it first with `python3 scripts/upgrade-results.py \(csvPath)`")
                }
                for problem in table.invalidRows {
                    log("note: \(problem.description): not a measurement; measured again")
                }
                completed = table.completedKeys
                previousMetadata = MetadataFile.read(metadataPath)
            } else {
                throw HarnessError.resultsExist(csvPath)
            }
        }
        return (completed, previousMetadata)
    }

    /// The metadata written before anything is measured: the machine, the protocol, what was skipped and
    /// the command line's changes; each checkpoint adds what the worker has seen so far.
    func initialMetadata(_ experiment: Experiment, identity: CPUIdentity, topology: Topology, isas: ISAChoice, cpu: Int, presets: [Preset],
                         skippedSizes: [String: String], sharedCPUs: [[String: Any]], previous previousMetadata: [String: Any]?) -> [String: Any] {
        var metadata = Metadata.collect(experiment: experiment, identity: identity, topology: topology, isas: isas,
                                        cpu: cpu, observedCPUs: [], counters: CounterReport(available: [], unavailable: [:], llcEvent: nil),
                                        kindProtocol: experiment.kind.behavior.protocolRecord(experiment, cpu: cpu, observedCPUs: []),
                                        previous: previousMetadata)
        metadata["skipped_sizes"] = skippedSizes
        metadata["streaming_thresholds"] = Dictionary(uniqueKeysWithValues: presets.compactMap { p in p.streamingThresholds.map { (p.name, $0) } })
        metadata["run_options"] = guards.runOptionsRecord()
        if !sharedCPUs.isEmpty { metadata["shared_cpus"] = sharedCPUs }
        return metadata
    }

    func resolveISAs(_ experiment: Experiment, isSupported: (ISA) -> Bool = { $0.isSupported }) throws -> ISAChoice {
        if let listed = options.isas {
            let wanted = uniqueInOrder(listed)
            let missing = wanted.filter { !isSupported($0) }
            guard missing.isEmpty else { throw HarnessError.unsupportedISA(missing, supported: ISA.allCases.filter(isSupported)) }
            return ISAChoice(run: wanted, skipped: [:])
        }
        let listed = experiment.isas ?? ISA.allCases
        var skipped: [String: String] = [:]
        for isa in listed where !isSupported(isa) {
            skipped[isa.rawValue] = "not supported by this CPU (CPUID/XGETBV)"
            log("note: skipping \(isa.rawValue): this CPU does not support it")
        }
        let run = listed.filter(isSupported)
        guard !run.isEmpty else { throw HarnessError.unsupportedISA(listed, supported: ISA.allCases.filter(isSupported)) }
        return ISAChoice(run: run, skipped: skipped)
    }

    /// A preset by name from experiments/presets/; `tuned` is per processor, in presets/tuned/<processor-id>.json,
    /// read from the local presets folder first (a local tune run's), then from experiments/presets/.
    func loadPreset(_ name: String, processorID: String) throws -> Preset {
        let committed = ResultsLayout.committedPresets(experimentsFolder: options.experimentsFolder)
        var folder = committed
        var url = committed.appendingPathComponent("\(name).json")
        if name == TunedPreset.name {
            let candidates = ResultsLayout.tunedPresetCandidates(localPresets: options.localPresetsFolder,
                                                                 experimentsFolder: options.experimentsFolder, processorID: processorID)
            url = candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates.last!
            folder = url.deletingLastPathComponent()
            if !FileManager.default.fileExists(atPath: url.path) {
                throw HarnessError.unknownPreset(name, folder: candidates.map { $0.deletingLastPathComponent().path }.joined(separator: " or "), available: [])
            }
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            let available = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw HarnessError.unknownPreset(name, folder: folder.path, available: available)
        }
        do { return try Preset.load(from: url) } catch { throw HarnessError.malformedExperiment(url.path, "\(error)") }
    }

    func prepareFolder(_ folder: URL) throws {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw HarnessError.unwritableResults(folder.path, (error as NSError).localizedDescription)
        }
        let probe = folder.appendingPathComponent(".write-test-\(getpid())")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw HarnessError.unwritableResults(folder.path, "the folder is not writable")
        }
        try? FileManager.default.removeItem(at: probe)
    }

    /// Rows measured under another seed, input range or sample count would not compare: refuse to mix them.
    func checkSameProtocol(_ experiment: Experiment, metadataPath: String, csvPath: String) throws {
        guard let data = FileManager.default.contents(atPath: metadataPath),
              let old = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let oldProtocol = old["protocol"] as? [String: Any] else { return }
        var differences: [String] = []
        if let seed = old["seed"] as? NSNumber, seed.uint64Value != experiment.seed { differences.append("seed \(seed) -> \(experiment.seed)") }
        if let untimed = experiment.kind.behavior.untimedProtocolDifferences(experiment, old: oldProtocol) {
            differences += untimed
            guard differences.isEmpty else {
                throw HarnessError.incompatibleResults(csvPath, "it was measured under another protocol (\(differences.joined(separator: ", ")))")
            }
            return
        }
        if let s = oldProtocol["samples"] as? Int, s != experiment.samples { differences.append("samples \(s) -> \(experiment.samples)") }
        if let w = oldProtocol["warmup_samples"] as? Int, w != experiment.warmupSamples { differences.append("warmup_samples \(w) -> \(experiment.warmupSamples)") }
        if let m = oldProtocol["min_sample_seconds"] as? Double, m != experiment.minSampleSeconds {
            differences.append("min_sample_seconds \(m) -> \(experiment.minSampleSeconds)")
        }
        if let input = oldProtocol["input"] as? String, !input.contains("[\(experiment.inputRange[0]), \(experiment.inputRange[1])]") {
            differences.append("input range now [\(experiment.inputRange[0]), \(experiment.inputRange[1])]")
        }
        guard differences.isEmpty else {
            throw HarnessError.incompatibleResults(csvPath, "it was measured under another protocol (\(differences.joined(separator: ", ")))")
        }
    }

    func keepBackup(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        var backup = "\(path).\(stamp).bak"
        var copy = 1
        while FileManager.default.fileExists(atPath: backup) {  // a second --overwrite within the same second
            copy += 1
            backup = "\(path).\(stamp)-\(copy).bak"
        }
        do { try FileManager.default.moveItem(atPath: path, toPath: backup) } catch {
            throw HarnessError.unwritableResults(path, "could not keep the old file as \(backup): \(error.localizedDescription)")
        }
        log("note: kept the previous results as \(backup)")
    }
}


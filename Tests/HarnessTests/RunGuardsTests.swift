import Foundation
import Platform
import Softmax
import XCTest
@testable import Harness

/// Issue 12's runs and files: locks on a CSV and on the measuring CPU, presets and repeated values from the
/// command line, resuming odd files, metadata kept and written early, ids and run-time limits.
final class RunGuardsTests: RunnerTestCase {
    var processorID: String { CPUIdentity.current().id }

    func csvPath(_ id: String) -> String {
        ResultsLayout(resultsFolder: results).csv(experiment: id, processorID: processorID).path
    }

    /// Holds a lock as another process would (a separate open file description), with a recognisable command.
    func holdLock(_ path: String, command: String) throws -> FileLock {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        guard case let .acquired(lock) = try FileLock.acquire(path, command: command) else {
            XCTFail("could not take \(path) for the test")
            throw HarnessError.platform("lock busy")
        }
        return lock
    }

    // MARK: 1. One run per CSV, one run per CPU

    func testASecondRunOfTheSameExperimentIsRefusedAtOnceNamingTheRunningOne() throws {
        try writeExperiment("locked", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let held = try holdLock(ResultsLayout.lock(forCSV: csvPath("locked")), command: "softmax-repro run locked (the first run)")
        defer { held.release() }
        let error = assertHarnessError("a run while another holds the CSV") { try run("locked") }
        guard let error else { return }
        guard case .resultsBusy = error else { return XCTFail("expected resultsBusy, saw \(error)") }
        assertContains(error.description, [csvPath("locked"), "pid \(getpid())", "started", "the first run", "--wait"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: csvPath("locked")), "the refused run must not create the CSV")
    }

    func testWaitWaitsForTheRunningOneThenRuns() throws {
        try writeExperiment("waiting", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let held = try holdLock(ResultsLayout.lock(forCSV: csvPath("waiting")), command: "the first run")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { held.release() }
        let report = try run("waiting") { $0.wait = true }
        XCTAssertGreaterThan(report.rowsWritten, 0, "the waiting run should measure once the lock is free")
        assertContains(log.text, ["waiting for the run that is writing", "the first run"], "log")
    }

    func testAnotherRunsCPUIsRefusedNamingItAndTheFreeCPUs() throws {
        try writeExperiment("cpu-a", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let locks = root.appendingPathComponent("cpu-locks")
        let held = try holdLock(locks.appendingPathComponent("cpu-0.lock").path, command: "softmax-repro run other-experiment")
        defer { held.release() }
        let error = assertHarnessError("a run on a CPU another run measures on") { try run("cpu-a") }
        guard let error else { return }
        guard case let .cpuBusy(cpu, holder, free) = error else { return XCTFail("expected cpuBusy, saw \(error)") }
        XCTAssertEqual(cpu, 0)
        assertContains(holder, ["other-experiment", "pid \(getpid())"], "holder")
        XCTAssertFalse(free.contains(0), "CPU 0 is not free: \(free)")
        assertContains(error.description, ["CPU 0", "--cpu N", "--share-cpu", "--wait"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: csvPath("cpu-a")), "the refused run must not create the CSV")
    }

    func testShareCPUMeasuresAnywayAndRecordsIt() throws {
        try writeExperiment("cpu-b", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let held = try holdLock(root.appendingPathComponent("cpu-locks/cpu-0.lock").path, command: "softmax-repro run other-experiment")
        defer { held.release() }
        let report = try run("cpu-b") { $0.shareCPU = true }
        let shared = try readMetadata(report)["shared_cpus"] as? [[String: Any]]
        XCTAssertEqual(shared?.count, 1, "metadata shared_cpus: \(String(describing: shared))")
        XCTAssertEqual((shared?.first?["cpu"] as? NSNumber)?.intValue, 0)
        assertContains(shared?.first?["with"] as? String ?? "", ["other-experiment"], "shared_cpus.with")
        XCTAssertEqual((try readMetadata(report)["run_options"] as? [String: Any])?["share_cpu"] as? Bool, true)
    }

    func testTheLocksAreReleasedWhenTheRunEnds() throws {
        try writeExperiment("released", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        _ = try run("released")
        XCTAssertFalse(FileLock.isHeld(ResultsLayout.lock(forCSV: csvPath("released"))), "the CSV lock must be free after the run")
        XCTAssertFalse(FileLock.isHeld(root.appendingPathComponent("cpu-locks/cpu-0.lock").path), "the CPU lock must be free after the run")
    }

    // MARK: 4. --preset replaces the experiment's presets, optional ones included

    func testCommandLinePresetsReplaceOptionalPresetsToo() throws {
        let presets = experiments.appendingPathComponent("presets")
        var blend = try String(contentsOf: presets.appendingPathComponent("blend.json"), encoding: .utf8)
        blend = blend.replacingOccurrences(of: #""name": "blend""#, with: #""name": "extra""#)
        try blend.write(to: presets.appendingPathComponent("extra.json"), atomically: true, encoding: .utf8)
        try writeExperiment("optional", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "optional_presets": ["extra"]"#))
        let report = try run("optional") { $0.presets = ["blend"] }
        let seen = Set(try readTable(report).rows.map { $0["preset"] ?? "" })
        XCTAssertEqual(seen, ["blend"], "--preset blend must replace every preset of the experiment, optional 'extra' included; saw \(seen)")
    }

    // MARK: 5. A value repeated on the command line counts once

    func testRepeatedISAAndPresetOnTheCommandLineMeasureOnce() throws {
        try writeExperiment("repeated", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let report = try run("repeated") {
            $0.isas = [.portable, .portable]
            $0.presets = ["blend", "blend"]
        }
        let keys = try readTable(report).rows.map { "\($0["isa"] ?? "") \($0["preset"] ?? "") \($0["kernel"] ?? "")" }
        XCTAssertEqual(keys.count, 1, "one configuration, measured once; saw \(keys)")
    }

    // MARK: 6. --resume appends in the file's own column order

    func testResumeAppendsInTheFilesOwnColumnOrder() throws {
        try writeExperiment("reordered", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let first = try run("reordered")
        let original = try readTable(first).rows
        // The same file with its columns reversed.
        let reversed = Array(ResultSchema.columns.reversed())
        let text = ([reversed.joined(separator: ",")] + original.map { row in reversed.map { csvEscape(row[$0] ?? "") }.joined(separator: ",") })
            .joined(separator: "\n") + "\n"
        try text.write(toFile: first.csvPath, atomically: true, encoding: .utf8)
        try writeExperiment("reordered", tinyJSON(sizes: [64, 128], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let second = try run("reordered") { $0.resume = true }
        XCTAssertEqual(second.skipped, 1, "the reordered file's row counts as measured")
        XCTAssertEqual(second.rowsWritten, 1, "only n = 128 is measured")
        let lines = parseCSV(try String(contentsOfFile: first.csvPath, encoding: .utf8))
        XCTAssertEqual(lines.first, reversed, "the header stays as it was")
        let table = try ResultTable(path: first.csvPath)
        XCTAssertEqual(table.invalidRows, [], "every row reads under the file's header")
        let new = table.rows.first { $0["n"] == "128" }
        XCTAssertEqual(new?["kind"], "softmax", "the appended row's cells are under their own columns: \(String(describing: new))")
        XCTAssertNotNil(Double(new?["median_s"] ?? ""), "median_s of the appended row: \(String(describing: new?["median_s"]))")
    }

    /// A schema 5 file is read, but not resumed: this build's rows would leave pass_family and reference out
    /// of its header. The refusal names the upgrade command and the file stays as it was.
    func testResumeOfASchemaFiveFileIsRefusedNamingTheUpgrade() throws {
        try writeExperiment("older", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let first = try run("older")
        let v5 = ResultSchema.columns(version: 5)
        let rows = try ResultTable(path: first.csvPath).rows
        let text = ([v5.joined(separator: ",")] + rows.map { csvLine(ofSchemaVersion: 5, $0) }).joined(separator: "\n") + "\n"
        try text.write(toFile: first.csvPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ResultTable(path: first.csvPath).schemaVersion, 5, "fixture: a schema 5 file")
        let error = assertHarnessError("resuming a schema 5 file") { try run("older") { $0.resume = true } }
        guard let error else { return }
        guard case let .incompatibleResults(path, why) = error else { return XCTFail("expected incompatibleResults, saw \(error)") }
        XCTAssertEqual(path, first.csvPath)
        assertContains(why, ["schema_version 5", "writes 6", "python3 scripts/upgrade-results.py \(first.csvPath)"], "reason")
        XCTAssertEqual(try String(contentsOfFile: first.csvPath, encoding: .utf8), text, "the refused file is left as it was")
    }

    // MARK: 7. A row that is not a measurement is measured again

    func testResumeMeasuresAgainARowWhoseCellIsNotANumber() throws {
        try writeExperiment("corrupt", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let first = try run("corrupt")
        var cells = parseCSV(try String(contentsOfFile: first.csvPath, encoding: .utf8))
        let column = try XCTUnwrap(cells[0].firstIndex(of: "median_s"))
        cells[1][column] = "xyz"
        try (cells.map { $0.map(csvEscape).joined(separator: ",") }.joined(separator: "\n") + "\n").write(toFile: first.csvPath, atomically: true, encoding: .utf8)
        let table = try ResultTable(path: first.csvPath)
        XCTAssertEqual(table.rows.count, 0, "the row with median_s = xyz is not a measurement")
        XCTAssertEqual(table.invalidRows.first?.line, 2)
        XCTAssertEqual(table.invalidRows.first?.column, "median_s")
        assertContains(table.invalidRows.first?.description ?? "", [first.csvPath, "line 2", "median_s", "xyz"], "problem")
        let second = try run("corrupt") { $0.resume = true }
        XCTAssertEqual(second.rowsWritten, 1, "the invalid row's configuration is measured again")
        assertContains(log.text, ["line 2", "median_s", "measured again"], "log")
        XCTAssertEqual(try ResultTable(path: first.csvPath).rows.count, 1, "one valid row now")
    }

    func testATornLastLineIsReportedAndTheNextRowStartsOnItsOwnLine() throws {
        try writeExperiment("torn", tinyJSON(sizes: [64, 128], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let first = try run("torn")
        var text = try String(contentsOfFile: first.csvPath, encoding: .utf8)
        text.removeLast(40)  // a run killed in the middle of writing its last row
        try text.write(toFile: first.csvPath, atomically: true, encoding: .utf8)
        let second = try run("torn") { $0.resume = true }
        XCTAssertEqual(second.rowsWritten, 1, "the torn row is measured again")
        let table = try ResultTable(path: first.csvPath)
        XCTAssertEqual(table.rows.count, 2, "two valid rows")
        XCTAssertEqual(table.invalidRows.count, 1, "the torn line is reported: \(table.invalidRows)")
    }

    // MARK: 8 and 14. Metadata: kept by a resume that measures nothing, written before measuring

    func testAResumeThatMeasuresNothingKeepsTheMetadata() throws {
        try writeExperiment("kept", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let first = try run("kept")
        let before = (try readMetadata(first)["protocol"] as? [String: Any])?["observed_cpus"] as? [Int]
        XCTAssertEqual(before, [0], "the first run observed CPU 0")
        let second = try run("kept") { $0.resume = true }
        XCTAssertEqual(second.rowsWritten, 0)
        let metadata = try readMetadata(second)
        XCTAssertEqual((metadata["protocol"] as? [String: Any])?["observed_cpus"] as? [Int], [0], "observed_cpus must survive a resume that measured nothing")
        XCTAssertEqual(metadata["run_state"] as? String, "complete")
    }

    func testMetadataIsWrittenBeforeMeasuringAndAfterEachSize() throws {
        try writeExperiment("early", tinyJSON(sizes: [64, 128], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let metadataPath = ResultsLayout(resultsFolder: results).metadata(experiment: "early", processorID: processorID).path
        let seen = LogCollector()
        let runner = Runner(options: makeOptions(), log: { line in
            // The first progress line comes after the first size: the metadata must be there, saying running.
            // Before the first size and after it (the second size's progress line comes after the first
            // size's checkpoint): the metadata is there, running, and by then has the CPUs seen.
            if line.hasPrefix("running early") || line.hasPrefix("[2/") {
                let metadata = MetadataFile.read(metadataPath)
                let cpus = ((metadata?["protocol"] as? [String: Any])?["observed_cpus"] as? [Int]) ?? []
                seen.append("\(metadata?["run_state"] as? String ?? "missing") \(cpus)")
            }
        })
        _ = try runner.run("early")
        XCTAssertEqual(seen.lines, ["running []", "running [0]"], "metadata while running")
        XCTAssertEqual(MetadataFile.read(metadataPath)?["run_state"] as? String, "complete")
        XCTAssertEqual(filesUnder(results).filter { $0.contains(".tmp-") }, [], "no temporary metadata file left")
    }

    // MARK: 9. Experiment ids are plain names

    func testAnExperimentIDWithAPathIsRefused() throws {
        try "{}".write(to: root.appendingPathComponent("outside.json"), atomically: true, encoding: .utf8)
        for id in ["../outside", "a/b", "Softmax", "-x", ""] {
            let error = runExpectingError(id, what: "experiment id '\(id)'")
            guard let error else { continue }
            guard case .invalidExperimentID = error else { XCTFail("'\(id)': expected invalidExperimentID, saw \(error)"); continue }
            assertContains(error.description, ["lowercase letters, digits", "softmax-repro list"])
        }
    }

    // MARK: 12. Sample counts and run time

    func testHugeSampleCountsAreRefusedNamingTheKey() throws {
        try writeExperiment("huge", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#).replacingOccurrences(of: #""samples": 3"#, with: #""samples": 1000000000000"#))
        if let error = runExpectingError("huge", what: "samples 10^12 in the file") {
            assertContains(error.description, ["key 'samples'", "at most \(Experiment.maxSamples)"])
        }
        try writeExperiment("huge", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        if let error = runExpectingError("huge", what: "--samples 100000000", { $0.samples = 100_000_000 }) {
            assertContains(error.description, ["--samples", "at most \(Experiment.maxSamples)"])
        }
    }

    func testARunEstimatedBeyondTheLimitIsRefusedUnlessAllowed() throws {
        // 10000 samples of at least 1 s each: about 3 hours for one configuration.
        try writeExperiment("long", #"{"description": "long", "kind": "softmax", "sizes": [64], "samples": 10000, "warmup_samples": 0, "min_sample_seconds": 1, "algorithms": ["two-pass"], "isas": ["portable"]}"#)
        guard let error = runExpectingError("long", what: "a run of about 3 hours") else { return }
        guard case let .tooLong(_, seconds, limit) = error else { return XCTFail("expected tooLong, saw \(error)") }
        XCTAssertGreaterThan(seconds, limit)
        assertContains(error.description, ["--allow-long", "2 h"])
    }

    // MARK: 3. show takes the kind from the metadata, never from the rows

    func testShowOfAMulticoreRunShowsItsSoftmaxRowsNotAStreamingCrossover() throws {
        let folder = results.appendingPathComponent("cpu-x")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var rows: [ResultRow] = []
        for (kind, algorithm) in [(ResultRow.Kind.softmax, "two-pass"), (.softmax, "three-pass-recompute"), (.reference, "read")] {
            var row = ResultRow(experiment: "mc", processorID: "cpu-x", microarchitecture: "zen4", isa: "avx2", preset: kind == .softmax ? "blend" : "",
                                kind: kind, subject: fixtureSubject(kind, algorithm), kernel: algorithm, n: 1000, cpu: 0, bytesPerElement: 12)
            row.threads = 2
            row.placement = "compact"
            row.samples = [1e-6, 1e-6, 1e-6]
            rows.append(row)
        }
        let csv = folder.appendingPathComponent("mc.csv").path
        try ([ResultSchema.columns.joined(separator: ",")] + rows.map { $0.csvLine() }).joined(separator: "\n").appending("\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        try MetadataFile.write(["experiment": "mc", "experiment_kind": "multicore"], to: ResultsLayout.metadata(forCSV: csv))
        let text = Summary.render(try ResultTable(path: csv))
        assertContains(text, ["two-pass", "three-pass-recompute", "median time per call", "2 threads compact"], "show of a multicore CSV")
        XCTAssertFalse(text.contains("streaming crossover"), "a multicore run has no streaming crossover: \(text)")
        // The same rows under a tune run's metadata are its crossover.
        try MetadataFile.write(["experiment": "mc", "experiment_kind": "tune"], to: ResultsLayout.metadata(forCSV: csv))
        XCTAssertEqual(try ResultTable(path: csv).experimentKind, .tune)
        // Without metadata, the id names the kind.
        try FileManager.default.removeItem(atPath: ResultsLayout.metadata(forCSV: csv))
        XCTAssertNil(try ResultTable(path: csv).experimentKind, "'mc' names no kind")
        XCTAssertEqual(ResultTable.kind(csvPath: folder.appendingPathComponent("multicore-quick.csv").path), .multicore)
    }

    // MARK: 2. Tuned presets of local runs

    func testTunedIsReadFromTheLocalPresetsFirst() throws {
        let local = root.appendingPathComponent("local/presets")
        let committed = ResultsLayout.committedPresets(experimentsFolder: experiments)
        let blend = try String(contentsOf: committed.appendingPathComponent("blend.json"), encoding: .utf8)
        for (folder, description) in [(committed, "committed"), (local, "local")] {
            let url = ResultsLayout.tunedPreset(presetsFolder: folder, processorID: "cpu-x")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var text = blend.replacingOccurrences(of: #""name": "blend""#, with: #""name": "tuned""#)
            text = text.replacingOccurrences(of: #""description": ""#, with: "\"description\": \"\(description) ")
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let withLocal = Runner(options: makeOptions { $0.localPresetsFolder = local })
        XCTAssert(try withLocal.loadPreset("tuned", processorID: "cpu-x").description.hasPrefix("local"), "the local tuned preset comes first")
        try FileManager.default.removeItem(at: local)
        XCTAssert(try withLocal.loadPreset("tuned", processorID: "cpu-x").description.hasPrefix("committed"), "then the committed one")
    }

    func testATuneRunWritesItsPresetUnderTheLocalPresetsOnly() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, the ISA this tiny tune run measures")
        try writeExperiment("localtune", tinyJSON(kind: "tune", sizes: [256, 2048], extra: #""isas": ["avx2"], "crossover_sizes": [1000, 4096]"#))
        let local = root.appendingPathComponent("local/presets")
        _ = try run("localtune") { $0.localPresetsFolder = local }
        XCTAssert(FileManager.default.fileExists(atPath: ResultsLayout.tunedPreset(presetsFolder: local, processorID: processorID).path),
                  "the tuned preset goes to the local presets: \(filesUnder(local))")
        XCTAssertEqual(filesUnder(ResultsLayout.committedPresets(experimentsFolder: experiments)), ["blend.json"],
                       "the committed presets are left alone")
    }

    // MARK: 2. make reference copies only a complete, whole run

    func testReferenceRefusesAnUnfinishedOrNarrowedRunAndCopiesACompleteOne() throws {
        try writeExperiment("whole", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        try writeExperiment("narrowed", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let reference = root.appendingPathComponent("reference")
        let folders = ReferenceRun.Folders(localResults: results, referenceResults: reference,
                                           localPresets: root.appendingPathComponent("local/presets"),
                                           committedPresets: ResultsLayout.committedPresets(experimentsFolder: experiments))
        // A reference run rotates its outputs past this machine's own LLC (the tests' smaller one is refused).
        let whole = try run("whole") { $0.llcBytes = nil }
        _ = try run("narrowed") { $0.isas = [.portable] }
        // A killed run leaves run_state running.
        var metadata = try readMetadata(whole)
        metadata["run_state"] = "running"
        try MetadataFile.write(metadata, to: whole.metadataPath)
        let error = assertHarnessError("promoting an unfinished and a narrowed run") {
            try ReferenceRun.promote(experiments: ["whole", "narrowed", "absent"], processorID: processorID, folders: folders, log: { _ in })
        }
        if let error {
            guard case let .incompleteRun(problems) = error else { return XCTFail("expected incompleteRun, saw \(error)") }
            XCTAssertEqual(problems.count, 3, "one problem per experiment: \(problems)")
            assertContains(error.description, ["whole: its run did not finish", "narrowed: it was run with --isa", "--llc-bytes", "absent: no ", "make reproduce"])
        }
        XCTAssertEqual(filesUnder(reference), [], "nothing copied while anything is missing")
        metadata["run_state"] = "complete"
        try MetadataFile.write(metadata, to: whole.metadataPath)
        try ReferenceRun.promote(experiments: ["whole"], processorID: processorID, folders: folders, log: { _ in })
        XCTAssertEqual(filesUnder(reference), ["\(processorID)/whole.csv", "\(processorID)/whole.json"])
        XCTAssertEqual(try Data(contentsOf: reference.appendingPathComponent("\(processorID)/whole.csv")),
                       try Data(contentsOf: URL(fileURLWithPath: whole.csvPath)), "the CSV is copied as it is")
    }
}

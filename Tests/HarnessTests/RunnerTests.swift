import Foundation
import Softmax
import XCTest
@testable import Harness

/// End-to-end runs of tiny experiments in a temporary experiments folder (with a copy of the shipped
/// blend preset) into a temporary results folder. Sizes, samples and sample times are tiny so the whole
/// class takes a few seconds; nothing here asserts a speed.
class RunnerTestCase: XCTestCase {
    var root: URL!
    var experiments: URL!
    var results: URL!
    var log: LogCollector!
    /// The LLC the tests' runs size their output rotation for (RunOptions.llcBytes).
    static let testLLCBytes = 1 << 20

    override class func setUp() {
        super.setUp()
        // The metadata records `git rev-parse HEAD` / `git status`: keep git from refreshing the index of
        // the checkout the tests run in.
        setenv("GIT_OPTIONAL_LOCKS", "0", 1)
    }

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("runner")
        experiments = root.appendingPathComponent("experiments")
        results = root.appendingPathComponent("results")
        let presets = experiments.appendingPathComponent("presets")
        try FileManager.default.createDirectory(at: presets, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("experiments/presets/blend.json"),
                                         to: presets.appendingPathComponent("blend.json"))
        log = LogCollector()
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: Helpers

    /// A tiny experiment's JSON: 3 samples, no warm-up, 0.1 ms samples, plus `extra` keys.
    func tinyJSON(kind: String = "softmax", sizes: [Int], extra: String = "") -> String {
        """
        {"description": "tiny \(kind) test", "kind": "\(kind)", "sizes": \(sizes), "samples": 3, "warmup_samples": 0,
         "min_sample_seconds": 0.0001, "max_rounds": 3\(extra.isEmpty ? "" : ", " + extra)}
        """
    }

    func writeExperiment(_ id: String, _ json: String) throws {
        try json.write(to: experiments.appendingPathComponent("\(id).json"), atomically: true, encoding: .utf8)
    }

    func makeOptions(_ configure: (inout RunOptions) -> Void = { _ in }) -> RunOptions {
        var options = RunOptions(experimentsFolder: experiments, resultsFolder: results)
        options.cpu = 0
        // Per-CPU locks of this test alone: other test runs on the machine pin CPU 0 too.
        options.cpuLocksFolder = root.appendingPathComponent("cpu-locks")
        // Tiny runs need no out-of-cache rotation: without this every size and round would allocate
        // output slices past this machine's LLC (hundreds of MiB on a server).
        options.llcBytes = RunnerTestCase.testLLCBytes
        configure(&options)
        return options
    }

    func run(_ id: String, _ configure: (inout RunOptions) -> Void = { _ in }, isaSupport: ((ISA) -> Bool)? = nil) throws -> RunReport {
        let log = self.log!
        let runner = Runner(options: makeOptions(configure), log: { log.append($0) })
        if let isaSupport { runner.isaSupport = isaSupport }
        return try runner.run(id)
    }

    /// Runs and expects a HarnessError; checks its message is non-empty and nothing was written.
    func runExpectingError(_ id: String, what: String, _ configure: (inout RunOptions) -> Void = { _ in },
                           isaSupport: ((ISA) -> Bool)? = nil,
                           file: StaticString = #filePath, line: UInt = #line) -> HarnessError? {
        let error = assertHarnessError(what, file: file, line: line) { try run(id, configure, isaSupport: isaSupport) }
        if let error {
            XCTAssertFalse(error.description.isEmpty, "\(what): expected a message, saw an empty one", file: file, line: line)
            let written = filesUnder(results)
            XCTAssertEqual(written, [], "\(what): expected nothing written under the results folder, saw \(written)", file: file, line: line)
        }
        return error
    }

    func readTable(_ report: RunReport) throws -> ResultTable { try ResultTable(path: report.csvPath) }

    func readMetadata(_ report: RunReport) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: report.metadataPath))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], "metadata should be a JSON object")
    }

    func cellDouble(_ row: [String: String], _ column: String) -> Double? { Double(row[column] ?? "") }

    func describe(_ row: [String: String]) -> String {
        "\(row["kind"] ?? "") \(row["isa"] ?? "") \(row[ResultRow.Subject.column(forKind: row["kind"] ?? "")] ?? "") \(row["kernel"] ?? "") n=\(row["n"] ?? "")"
    }

    let algorithms = Algorithm.allCases.map(\.rawValue)
}

/// The runner's tests proper (the helpers above are shared with MulticoreTests).
final class RunnerTests: RunnerTestCase {
    // MARK: Softmax end to end

    func testTinySoftmaxRunWritesOneOKRowPerConfiguration() throws {
        let sizes = [64, 1000]
        try writeExperiment("tiny", tinyJSON(sizes: sizes))
        let report = try run("tiny")
        let table = try readTable(report)
        let isas = ISA.supported.map(\.rawValue)
        let expectedCount = algorithms.count * isas.count * sizes.count
        XCTAssertEqual(table.rows.count, expectedCount,
                       "rows: expected \(algorithms.count) algorithms x \(isas.count) ISAs (\(isas)) x \(sizes.count) sizes = \(expectedCount), saw \(table.rows.count)")
        XCTAssertEqual(report.rowsWritten, expectedCount, "report.rowsWritten: expected \(expectedCount), saw \(report.rowsWritten)")
        XCTAssertEqual(report.errorRows, 0, "report.errorRows: expected 0, saw \(report.errorRows); log:\n\(log.text)")
        XCTAssertEqual(report.skipped, 0, "report.skipped: expected 0, saw \(report.skipped)")

        let header = parseCSV(try String(contentsOfFile: report.csvPath, encoding: .utf8)).first
        XCTAssertEqual(header, ResultSchema.columns, "CSV header: expected ResultSchema.columns, saw \(header ?? [])")

        let configurations = Set(table.rows.map { "\($0["isa"] ?? "")|\($0["algorithm"] ?? "")|\($0["n"] ?? "")" })
        let expected = Set(isas.flatMap { isa in algorithms.flatMap { a in sizes.map { "\(isa)|\(a)|\($0)" } } })
        XCTAssertEqual(configurations, expected, "configurations: missing \(expected.subtracting(configurations)), unexpected \(configurations.subtracting(expected))")

        let metadata = try readMetadata(report)
        let processorID = (metadata["processor"] as? [String: Any])?["id"] as? String
        XCTAssertEqual(URL(fileURLWithPath: report.csvPath).lastPathComponent, "tiny.csv")
        XCTAssertEqual(URL(fileURLWithPath: report.csvPath).deletingLastPathComponent().lastPathComponent, processorID,
                       "the CSV should be in results/<processor-id>/: saw \(report.csvPath), processor id \(processorID ?? "nil")")
        XCTAssertEqual(URL(fileURLWithPath: report.csvPath).deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path,
                       results.standardizedFileURL.path, "the processor folder should be directly under the results folder")
        XCTAssertEqual(URL(fileURLWithPath: report.metadataPath).lastPathComponent, "tiny.json")

        for row in table.rows {
            let what = describe(row)
            XCTAssertEqual(row["status"], "ok", "\(what): status expected ok, saw \(row["status"] ?? "nil") (\(row["error"] ?? ""))")
            XCTAssertEqual(row["error"], "", "\(what): error expected empty, saw '\(row["error"] ?? "nil")'")
            XCTAssertEqual(row["kind"], "softmax", "\(what): kind")
            XCTAssertEqual(row["experiment"], "tiny", "\(what): experiment expected 'tiny', saw \(row["experiment"] ?? "nil")")
            XCTAssertEqual(row["preset"], "blend", "\(what): preset expected blend, saw \(row["preset"] ?? "nil")")
            XCTAssertEqual(row["processor_id"], processorID, "\(what): processor_id expected the metadata's \(processorID ?? "nil")")
            XCTAssertEqual(row["cpu"], "0", "\(what): cpu expected the pinned CPU 0, saw \(row["cpu"] ?? "nil")")
            XCTAssertEqual(row["threads"], "1", "\(what): threads expected 1, saw \(row["threads"] ?? "nil")")
            XCTAssertEqual(row["samples"], "3", "\(what): samples expected 3, saw \(row["samples"] ?? "nil")")
            XCTAssertFalse((row["kernel"] ?? "").isEmpty, "\(what): kernel expected the kernel names, saw empty")
            XCTAssertEqual((row["kernel"] ?? "").split(separator: "+").count, Algorithm(rawValue: row["algorithm"] ?? "")?.passes.count,
                           "\(what): kernel expected one name per pass, saw \(row["kernel"] ?? "")")
            let raw = (row["raw_samples_s"] ?? "").split(separator: ";").map { Double($0) }
            XCTAssertEqual(raw.count, 3, "\(what): raw_samples_s expected 3 entries, saw '\(row["raw_samples_s"] ?? "")'")
            XCTAssert(raw.allSatisfy { ($0 ?? -1) > 0 }, "\(what): raw samples expected positive numbers, saw '\(row["raw_samples_s"] ?? "")'")
            if let error = cellDouble(row, "output_error") {
                XCTAssert(error >= 0 && error <= 1e-3, "\(what): output_error expected within [0, 1e-3], saw \(error)")
            } else {
                XCTFail("\(what): output_error expected a number, saw '\(row["output_error"] ?? "nil")'")
            }
            let calls = Int(row["calls_per_sample"] ?? "") ?? 0
            XCTAssertGreaterThanOrEqual(calls, 1, "\(what): calls_per_sample expected >= 1, saw '\(row["calls_per_sample"] ?? "")'")
            guard let median = cellDouble(row, "median_s"), median > 0 else {
                XCTFail("\(what): median_s expected a positive number, saw '\(row["median_s"] ?? "")'")
                continue
            }
            let n = Double(row["n"] ?? "") ?? 0
            assertClose(cellDouble(row, "effective_gbps"), 8 * n / median / 1e9, relative: 1e-4, "\(what): effective_gbps = 8 n / median_s / 1e9")
            assertClose(cellDouble(row, "elements_per_s"), n / median, relative: 1e-4, "\(what): elements_per_s = n / median_s")
            let bytes = cellDouble(row, "bytes_per_element") ?? 0
            let traffic: [String: Double] = ["two-pass": 12, "three-pass-recompute": 16, "three-pass-reload": 20, "online": 12]
            XCTAssertEqual(bytes, traffic[row["algorithm"] ?? ""], "\(what): bytes_per_element (12/16/20/12 B for the four algorithms), saw \(bytes)")
            assertClose(cellDouble(row, "real_gbps"), bytes * n / median / 1e9, relative: 1e-4, "\(what): real_gbps")
            let p25 = cellDouble(row, "p25_s") ?? .nan, p75 = cellDouble(row, "p75_s") ?? .nan, minimum = cellDouble(row, "min_s") ?? .nan
            XCTAssert(minimum <= p25 && p25 <= median && median <= p75, "\(what): expected min <= p25 <= median <= p75, saw \(minimum), \(p25), \(median), \(p75)")
        }
        assertContains(log.text, ["running tiny", "done: \(expectedCount) rows"], "log")
    }

    func testMetadataHasEveryDocumentedKey() throws {
        try writeExperiment("meta", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "seed": 9"#))
        let report = try run("meta")
        let metadata = try readMetadata(report)

        // The keys the README documents, read from the README itself...
        let documented = try readmeTableRows(heading: "Metadata")
        XCTAssertFalse(documented.isEmpty, "expected a metadata table in results/README.md")
        for entry in documented {
            for key in entry.names {
                guard let value = metadata[key] else {
                    XCTFail("metadata lacks '\(key)', documented in results/README.md; keys seen: \(metadata.keys.sorted())")
                    continue
                }
                guard entry.meaning.trimmingCharacters(in: .whitespaces).hasPrefix("object") else { continue }
                guard let object = value as? [String: Any] else {
                    XCTFail("metadata '\(key)' should be an object, saw \(value)")
                    continue
                }
                for sub in entry.subkeys where object[sub] == nil {
                    XCTFail("metadata '\(key)' lacks '\(sub)', documented in results/README.md; keys seen: \(object.keys.sorted())")
                }
            }
        }
        // ... and the list the harness promises, in case the README table is reworded.
        let required: [String: [String]] = [
            "schema_version": [], "experiment": [], "memory_bytes": [], "os": [], "kernel": [], "compiler": [], "flags": [],
            "git_commit": [], "date": [], "seed": [],
            "processor": ["id", "vendor", "model_name", "family", "model", "stepping", "microarchitecture", "isas"],
            "caches": ["l1d_bytes", "l2_bytes", "l3_bytes", "llc_bytes"],
            "topology": ["packages", "numa_nodes", "cores", "pus"],
            "protocol": ["samples", "warmup_samples", "min_sample_seconds", "output_rotation", "ftz_daz", "pinned_cpu"],
            "counters": ["available", "unavailable", "llc_event"],
            "frequency": ["governor", "boost"],
        ]
        for (key, subkeys) in required.sorted(by: { $0.key < $1.key }) {
            guard let value = metadata[key] else {
                XCTFail("metadata lacks '\(key)'; keys seen: \(metadata.keys.sorted())")
                continue
            }
            if !subkeys.isEmpty {
                let object = value as? [String: Any] ?? [:]
                let missing = subkeys.filter { object[$0] == nil }
                XCTAssertEqual(missing, [], "metadata '\(key)' lacks \(missing); keys seen: \(object.keys.sorted())")
            }
        }

        XCTAssertEqual(metadata["schema_version"] as? Int, ResultSchema.version, "schema_version: expected \(ResultSchema.version), saw \(String(describing: metadata["schema_version"]))")
        XCTAssertEqual(metadata["experiment"] as? String, "meta", "experiment: expected 'meta', saw \(String(describing: metadata["experiment"]))")
        XCTAssertEqual((metadata["seed"] as? NSNumber)?.intValue, 9, "seed: expected 9, saw \(String(describing: metadata["seed"]))")
        let date = metadata["date"] as? String ?? ""
        XCTAssertNotNil(ISO8601DateFormatter().date(from: date), "date: expected ISO 8601, saw '\(date)'")
        for key in ["os", "kernel", "compiler", "flags", "git_commit"] {
            XCTAssertFalse((metadata[key] as? String ?? "").isEmpty, "\(key): expected a non-empty string, saw \(String(describing: metadata[key]))")
        }
        XCTAssertGreaterThan(metadata["memory_bytes"] as? Int ?? 0, 0, "memory_bytes: expected > 0, saw \(String(describing: metadata["memory_bytes"]))")

        let processor = metadata["processor"] as? [String: Any] ?? [:]
        XCTAssertEqual(processor["isas"] as? [String], ISA.supported.map(\.rawValue),
                       "processor.isas: expected this CPU's ISAs \(ISA.supported.map(\.rawValue)), saw \(String(describing: processor["isas"]))")
        XCTAssertFalse((processor["id"] as? String ?? "").isEmpty, "processor.id: expected non-empty")
        let caches = metadata["caches"] as? [String: Any] ?? [:]
        XCTAssertGreaterThan(caches["llc_bytes"] as? Int ?? 0, 0, "caches.llc_bytes: expected > 0, saw \(String(describing: caches["llc_bytes"]))")
        let topology = metadata["topology"] as? [String: Any] ?? [:]
        XCTAssertGreaterThan(topology["pus"] as? Int ?? 0, 0, "topology.pus: expected > 0, saw \(String(describing: topology["pus"]))")

        let proto = metadata["protocol"] as? [String: Any] ?? [:]
        XCTAssertEqual(proto["pinned_cpu"] as? Int, 0, "protocol.pinned_cpu: expected 0, saw \(String(describing: proto["pinned_cpu"]))")
        XCTAssertEqual(proto["samples"] as? Int, 3, "protocol.samples: expected 3, saw \(String(describing: proto["samples"]))")
        XCTAssertEqual(proto["warmup_samples"] as? Int, 0, "protocol.warmup_samples: expected 0, saw \(String(describing: proto["warmup_samples"]))")
        XCTAssertEqual(proto["min_sample_seconds"] as? Double, 0.0001, "protocol.min_sample_seconds: saw \(String(describing: proto["min_sample_seconds"]))")
        XCTAssertEqual(proto["ftz_daz"] as? Bool, true, "protocol.ftz_daz: expected true, saw \(String(describing: proto["ftz_daz"]))")
        XCTAssertEqual(proto["observed_cpus"] as? [Int], [0], "protocol.observed_cpus: expected [0], saw \(String(describing: proto["observed_cpus"]))")

        let frequency = metadata["frequency"] as? [String: Any] ?? [:]
        for field in ["governor", "boost"] {
            let value = frequency[field] as? String
            let reason = frequency["\(field)_reason"] as? String
            XCTAssert(!(value ?? "").isEmpty || !(reason ?? "").isEmpty,
                      "frequency.\(field): expected a value or the reason it could not be read, saw \(String(describing: value)) / \(String(describing: reason))")
        }
    }

    /// Both counter paths: events the metadata lists as available have numbers in every ok row; events
    /// listed as unavailable have a reason and empty cells (never 0). Holds whether or not this machine
    /// exposes hardware counters.
    func testCounterColumnsFollowTheMetadata() throws {
        try writeExperiment("counted", tinyJSON(sizes: [1000], extra: #""algorithms": ["two-pass", "three-pass-reload"]"#))
        let report = try run("counted")
        let rows = try readTable(report).rows
        XCTAssertFalse(rows.isEmpty, "expected rows")
        let counters = try XCTUnwrap(try readMetadata(report)["counters"] as? [String: Any], "metadata.counters should be an object")
        let available = counters["available"] as? [String] ?? []
        let unavailable = counters["unavailable"] as? [String: String] ?? [:]
        let llcEvent = counters["llc_event"] as? String
        print("counters here: available \(available); unavailable \(unavailable.keys.sorted()); llc_event \(llcEvent ?? "none")")
        XCTAssertEqual(Set(available).intersection(unavailable.keys), [], "an event cannot be both available and unavailable")

        let columnOf: [String: String] = [
            "PAPI_TOT_CYC": "cycles_per_element", "PAPI_TOT_INS": "instructions_per_element",
            "perf::TASK-CLOCK": "task_clock_ns_per_element", "perf::PAGE-FAULTS": "page_faults_per_call",
            "perf::CONTEXT-SWITCHES": "context_switches_per_call", "perf::CPU-MIGRATIONS": "cpu_migrations_per_call",
        ]
        let mustBePositive: Set<String> = ["cycles_per_element", "instructions_per_element", "task_clock_ns_per_element"]
        for (event, column) in columnOf.sorted(by: { $0.key < $1.key }) {
            let isAvailable = available.contains(event)
            XCTAssertNotEqual(isAvailable, unavailable[event] != nil,
                              "\(event) should be listed in exactly one of counters.available / counters.unavailable")
            if isAvailable {
                for row in rows {
                    guard let value = cellDouble(row, column) else {
                        XCTFail("\(describe(row)): \(event) is available, so \(column) expected a number, saw '\(row[column] ?? "nil")'")
                        continue
                    }
                    if mustBePositive.contains(column) {
                        XCTAssertGreaterThan(value, 0, "\(describe(row)): \(column) expected > 0 (\(event) available), saw \(value)")
                    } else {
                        XCTAssertGreaterThanOrEqual(value, 0, "\(describe(row)): \(column) expected >= 0, saw \(value)")
                    }
                }
            } else if let reason = unavailable[event] {
                XCTAssertFalse(reason.isEmpty, "\(event) is unavailable: expected a reason in the metadata, saw an empty one")
                for row in rows {
                    XCTAssertEqual(row[column], "", "\(describe(row)): \(event) is unavailable, so \(column) expected an empty cell, saw '\(row[column] ?? "nil")'")
                }
            }
        }
        // The LLC column follows whichever candidate event was chosen, or stays empty.
        if let llcEvent {
            XCTAssert(available.contains(llcEvent), "llc_event \(llcEvent) should be available")
            for row in rows {
                let value = cellDouble(row, "llc_misses_per_element")
                XCTAssert((value ?? -1) >= 0, "\(describe(row)): llc_misses_per_element expected >= 0 (\(llcEvent) available), saw '\(row["llc_misses_per_element"] ?? "nil")'")
            }
        } else {
            let reasons = ["PAPI_L3_TCM", "PAPI_L2_TCM", "perf::LLC-LOAD-MISSES"].compactMap { unavailable[$0] }
            XCTAssertFalse(reasons.isEmpty, "no llc_event: expected the LLC candidates in counters.unavailable with reasons, saw \(unavailable.keys.sorted())")
            XCTAssert(reasons.allSatisfy { !$0.isEmpty }, "LLC candidates' reasons should be non-empty: \(reasons)")
            for row in rows {
                XCTAssertEqual(row["llc_misses_per_element"], "", "\(describe(row)): no LLC event, so llc_misses_per_element expected empty, saw '\(row["llc_misses_per_element"] ?? "nil")'")
            }
        }
        // Every unavailable event is reported in the log too.
        for event in unavailable.keys {
            assertContains(log.text, ["counter \(event) unavailable"], "log")
        }
    }

    // MARK: Passes end to end

    func testTinyPassesRunHasPassAndReferenceRows() throws {
        let sizes = [64, 1000]
        try writeExperiment("tinypasses", tinyJSON(kind: "passes", sizes: sizes))
        let report = try run("tinypasses")
        let all = try readTable(report).rows
        // One peak row per pass kernel and size (its arithmetic on cache-resident buffers, timed in the same
        // rounds and scaled to n), and its median is the pass row's compute bound.
        let peaks = all.filter { $0["kind"] == "peak" }
        let rows = all.filter { $0["kind"] != "peak" }
        for n in sizes.map(String.init) {
            let peaksAtN = peaks.filter { $0["n"] == n }
            XCTAssertEqual(peaksAtN.map { $0["kernel"] ?? "" }.sorted(), rows.filter { $0["kind"] == "pass" && $0["n"] == n }.map { $0["kernel"] ?? "" }.sorted(),
                           "n = \(n): expected one peak row per pass kernel (blend has no streaming-store kernels)")
        }
        for row in rows where row["kind"] == "pass" {
            XCTAssert(["memory", "compute"].contains(row["roofline_bound"] ?? ""), "\(describe(row)): expected a roofline verdict, saw '\(row["roofline_bound"] ?? "")'")
            XCTAssertGreaterThan(cellDouble(row, "efficiency") ?? 0, 0, "\(describe(row)): expected a positive efficiency")
            let peak = peaks.first { $0["kernel"] == row["kernel"] && $0["n"] == row["n"] }
            XCTAssertEqual(row["compute_bound_s"], peak?["median_s"], "\(describe(row)): compute bound = the median of its size's peak row")
            // The efficiency pairs the pass with its bound round by round: recompute it from the raw samples.
            func samples(_ r: [String: String]?) -> [Double] { (r?["raw_samples_s"] ?? "").split(separator: ";").compactMap { Double($0) } }
            let reference = rows.first {
                $0["kind"] == "reference" && $0["isa"] == row["isa"] && $0["n"] == row["n"]
                    && $0["reference"] == Rooflines.referenceName(for: row["pass_family"] ?? "")
            }
            let bytesScale = (cellDouble(row, "bytes_per_element") ?? 0) / (reference.flatMap { cellDouble($0, "bytes_per_element") } ?? 1)
            let bound = row["roofline_bound"] == "compute" ? samples(peak) : samples(reference).map { $0 * bytesScale }
            let pass = samples(row)
            XCTAssertFalse(pass.isEmpty, "\(describe(row)): expected raw samples")
            XCTAssertEqual(bound.count, pass.count, "\(describe(row)): one bound sample per round")
            if bound.count == pass.count, let efficiency = cellDouble(row, "efficiency") {
                let paired = median(zip(bound, pass).map { $0 / $1 })
                // The CSV keeps 6 significant digits of each sample and of the efficiency: up to 5e-6 relative
                // each, so a ratio recomputed from the cells can be 1.5e-5 off the one written.
                XCTAssertEqual(efficiency, paired, accuracy: 3e-5 * paired, "\(describe(row)): efficiency = median of per-round bound / pass")
            }
        }
        let blend = try Preset.load(from: experiments.appendingPathComponent("presets/blend.json"))
        var expectedCount = 0
        for isa in ISA.supported {
            var names: Set<String> = []
            for algorithm in Algorithm.allCases { try blend.plan(algorithm, isa: isa).kernels.forEach { names.insert($0.name) } }
            expectedCount += (names.count + Experiment.referenceNames.count) * sizes.count
            let passKernels = Set(rows.filter { $0["kind"] == "pass" && $0["isa"] == isa.rawValue }.map { $0["kernel"] ?? "" })
            XCTAssertEqual(passKernels, names, "\(isa) pass rows: expected blend's kernels \(names.sorted()), saw \(passKernels.sorted())")
            let references = Set(rows.filter { $0["kind"] == "reference" && $0["isa"] == isa.rawValue }.map { $0["reference"] ?? "" })
            XCTAssertEqual(references, Set(Experiment.referenceNames), "\(isa) reference rows: saw \(references.sorted())")
        }
        XCTAssertEqual(rows.count, expectedCount, "rows: expected \(expectedCount) (preset kernels + 5 references per ISA and size), saw \(rows.count)")
        XCTAssertEqual(report.errorRows, 0, "report.errorRows: expected 0, saw \(report.errorRows); log:\n\(log.text)")
        XCTAssert(rows.contains { $0["kind"] == "pass" }, "expected pass rows")
        XCTAssert(rows.contains { $0["kind"] == "reference" }, "expected reference rows")
        XCTAssertFalse(rows.contains { $0["kind"] == "softmax" }, "a passes experiment should have no softmax rows")
        for row in rows {
            XCTAssertEqual(row["status"], "ok", "\(describe(row)): status expected ok, saw \(row["status"] ?? "nil") (\(row["error"] ?? ""))")
            XCTAssertEqual(row["preset"], "", "\(describe(row)): pass and reference rows have an empty preset, saw '\(row["preset"] ?? "nil")'")
            XCTAssertEqual(row["cpu"], "0", "\(describe(row)): cpu expected 0, saw \(row["cpu"] ?? "nil")")
            XCTAssertGreaterThan(cellDouble(row, "median_s") ?? 0, 0, "\(describe(row)): median_s expected a positive number, saw '\(row["median_s"] ?? "")'")
            XCTAssertGreaterThan(cellDouble(row, "bytes_per_element") ?? 0, 0, "\(describe(row)): bytes_per_element expected > 0")
            if row["kind"] == "pass" {
                let family = row["pass_family"] ?? ""
                XCTAssertNotNil(PassFamily(rawValue: family), "\(describe(row)): pass_family of a pass row should be a pass family, saw '\(family)'")
                XCTAssert((row["kernel"] ?? "").hasPrefix(family + "_"), "\(describe(row)): kernel should be of family \(family)")
                guard let error = cellDouble(row, "output_error") else {
                    XCTFail("\(describe(row)): a pass row expected output_error, saw '\(row["output_error"] ?? "nil")'")
                    continue
                }
                XCTAssert(error >= 0 && error <= 1e-3, "\(describe(row)): output_error expected within [0, 1e-3], saw \(error)")
            } else {
                XCTAssertEqual(row["kernel"], "\(row["reference"] ?? "")_\(row["isa"] ?? "")", "\(describe(row)): reference kernel name")
            }
        }
    }

    /// Below a preset's streaming threshold its plans run the plain twins, so that is what the pass rows
    /// measure there.
    func testPassRowsNameTheKernelsThePlansRunAtEachSize() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2; the streaming-store kernels under test are AVX2's")
        try #"""
        {"name": "streamy", "description": "two-pass streaming from 2000",
         "kernels": {"avx2": {"two-pass": ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40_nt"]}},
         "streaming_thresholds": {"avx2": {"two-pass": 2000}}}
        """#.write(to: experiments.appendingPathComponent("presets/streamy.json"), atomically: true, encoding: .utf8)
        try writeExperiment("streamypasses", tinyJSON(kind: "passes", sizes: [1000, 4000],
                                                      extra: #""isas": ["avx2"], "presets": ["streamy"], "references": ["copy", "copy_nt"]"#))
        let all = try readTable(try run("streamypasses")).rows
        let rows = all.filter { $0["kind"] == "pass" }
        func kernels(_ n: Int) -> Set<String> { Set(rows.filter { $0["n"] == String(n) }.map { $0["kernel"] ?? "" }) }
        XCTAssertEqual(kernels(1000), ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40"], "below the threshold")
        XCTAssertEqual(kernels(4000), ["raddextexp_avx2_x72", "vscaleextexp_avx2_x40_nt"], "from the threshold on")
        // A streaming-store kernel's compute bound is its plain twin's arithmetic, timed in its rounds.
        let streamed = try XCTUnwrap(rows.first { $0["kernel"] == "vscaleextexp_avx2_x40_nt" })
        let twinPeak = try XCTUnwrap(all.first { $0["kind"] == "peak" && $0["kernel"] == "vscaleextexp_avx2_x40" && $0["n"] == "4000" })
        XCTAssertEqual(streamed["compute_bound_s"], twinPeak["median_s"])
        XCTAssertFalse(all.contains { $0["kind"] == "peak" && ($0["kernel"] ?? "").hasSuffix("_nt") }, "no peak row times streaming stores")
    }

    // MARK: Tune end to end

    /// tune chooses kernels from the pass rows, then times each tuned algorithm that streams, whole, with
    /// and without its streaming stores, and writes the thresholds (or the plain twins) into the preset.
    func testTinyTuneRunMeasuresTheStreamingCrossoverAndWritesThePreset() throws {
        try XCTSkipUnless(ISA.avx2.isSupported, "this CPU has no AVX2, whose variants include the streaming-store kernels tuned here")
        try writeExperiment("tinytune", tinyJSON(kind: "tune", sizes: [256, 2048], extra: #""isas": ["avx2"], "crossover_sizes": [1000, 4096]"#))
        let report = try run("tinytune")
        XCTAssertEqual(report.errorRows, 0, "log:\n\(log.text)")
        let table = try readTable(report)
        let crossover = table.rows.filter { $0["kind"] == "softmax" }
        XCTAssert(crossover.allSatisfy { $0["preset"] == "tuned" && $0["status"] == "ok" }, "crossover rows: \(crossover.map(describe))")
        let streams: ([String: String]) -> Bool = { row in
            (row["kernel"] ?? "").split(separator: "+").contains { KernelRegistry.named(String($0))?.nonTemporalStores ?? false }
        }
        let measured = Set(crossover.map { $0["algorithm"] ?? "" })
        for algorithm in measured {
            for n in ["1000", "4096"] {
                let pair = crossover.filter { $0["algorithm"] == algorithm && $0["n"] == n }
                XCTAssertEqual(pair.filter(streams).count, 1, "\(algorithm) n=\(n): one row with streaming stores, saw \(pair.map(describe))")
                XCTAssertEqual(pair.filter { !streams($0) }.count, 1, "\(algorithm) n=\(n): one row with the plain twins")
            }
        }

        let processorID = URL(fileURLWithPath: report.csvPath).deletingLastPathComponent().lastPathComponent
        let preset = try Preset.load(from: experiments.appendingPathComponent("presets/tuned/\(processorID).json"))
        let chosen = TunedPreset.kernels(from: table)["avx2"] ?? [:]
        for algorithm in Algorithm.allCases {
            let plan = try preset.plan(algorithm, isa: .avx2)
            let streamedAtTune = chosen[algorithm.rawValue]?.contains { KernelRegistry.named($0)?.nonTemporalStores ?? false } ?? false
            XCTAssertEqual(streamedAtTune, measured.contains(algorithm.rawValue), "\(algorithm.rawValue): timed whole exactly when its tuned kernels stream")
            if plan.kernels.contains(where: \.nonTemporalStores) {
                XCTAssert([1000, 4096].contains(plan.streamingThreshold), "\(algorithm.rawValue): threshold from the ladder, saw \(plan.streamingThreshold)")
            } else if streamedAtTune {
                XCTAssertNil(preset.streamingThresholds?["avx2"]?[algorithm.rawValue], "\(algorithm.rawValue): plain twins need no threshold")
            }
        }
        let metadata = try readMetadata(report)
        let recorded = try XCTUnwrap(metadata["streaming_crossover"] as? [String: Any], "metadata.streaming_crossover")
        XCTAssertEqual(recorded["sizes"] as? [Int], [1000, 4096])
        XCTAssertEqual(Set((recorded["verdicts"] as? [String: [String: Any]])?["avx2"]?.keys.map { $0 } ?? []), measured)

        // Resumed, nothing is measured again, the crossover included.
        let again = try run("tinytune") { $0.resume = true }
        XCTAssertEqual(again.rowsWritten, 0, "resume: expected nothing new, saw \(again.rowsWritten) rows; log:\n\(log.text)")
    }

    // MARK: Existing results: refuse, resume, overwrite

    func testSecondRunWithoutFlagsRefusesAndLeavesTheFilesAlone() throws {
        try writeExperiment("again", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let first = try run("again")
        let csvBefore = try Data(contentsOf: URL(fileURLWithPath: first.csvPath))
        let jsonBefore = try Data(contentsOf: URL(fileURLWithPath: first.metadataPath))
        let filesBefore = filesUnder(results)
        let error = assertHarnessError("a second run without --resume or --overwrite") { try run("again") }
        XCTAssertEqual(error, .resultsExist(first.csvPath), "expected resultsExist(\(first.csvPath)), saw \(String(describing: error))")
        if let error { assertContains(error.description, ["--resume", "--overwrite", first.csvPath]) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first.csvPath)), csvBefore, "the CSV must be unchanged after a refused run")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first.metadataPath)), jsonBefore, "the metadata must be unchanged after a refused run")
        XCTAssertEqual(filesUnder(results), filesBefore, "no file should appear or vanish after a refused run")
    }

    func testResumeMeasuresOnlyWhatIsMissing() throws {
        let extra = #""algorithms": ["two-pass", "three-pass-recompute"]"#
        try writeExperiment("resumable", tinyJSON(sizes: [64, 128], extra: extra))
        let first = try run("resumable")
        let perSize = 2 * ISA.supported.count
        XCTAssertEqual(first.rowsWritten, 2 * perSize, "first run rows: expected \(2 * perSize), saw \(first.rowsWritten)")

        // Nothing new: nothing measured, everything reported as skipped.
        let second = try run("resumable") { $0.resume = true }
        XCTAssertEqual(second.rowsWritten, 0, "resume with nothing missing: expected 0 rows written, saw \(second.rowsWritten)")
        XCTAssertEqual(second.skipped, 2 * perSize, "resume with nothing missing: expected \(2 * perSize) skipped, saw \(second.skipped)")
        XCTAssertEqual(try readTable(second).rows.count, 2 * perSize, "the CSV should still hold the first run's rows only")
        XCTAssertEqual(second.csvPath, first.csvPath, "resume should append to the same CSV")

        // A new size: only its rows are measured.
        try writeExperiment("resumable", tinyJSON(sizes: [64, 128, 256], extra: extra))
        let third = try run("resumable") { $0.resume = true }
        XCTAssertEqual(third.rowsWritten, perSize, "resume after adding n = 256: expected \(perSize) new rows, saw \(third.rowsWritten)")
        XCTAssertEqual(third.skipped, 2 * perSize, "resume after adding n = 256: expected \(2 * perSize) skipped, saw \(third.skipped)")
        let rows = try readTable(third).rows
        XCTAssertEqual(rows.count, 3 * perSize, "rows after resuming: expected \(3 * perSize), saw \(rows.count)")
        let newRows = rows.suffix(perSize)
        XCTAssert(newRows.allSatisfy { $0["n"] == "256" }, "the appended rows should all be n = 256; saw n = \(newRows.map { $0["n"] ?? "" })")
        let keys = rows.map { row in ["kind", "isa", "preset", "algorithm", "pass_family", "reference", "kernel", "n", "threads"].map { row[$0] ?? "" }.joined(separator: "|") }
        XCTAssertEqual(Set(keys).count, keys.count, "no configuration should be measured twice; duplicates: \(Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
        let headers = parseCSV(try String(contentsOfFile: third.csvPath, encoding: .utf8)).filter { $0 == ResultSchema.columns }.count
        XCTAssertEqual(headers, 1, "header lines after resuming: expected 1, saw \(headers)")
        let metadata = try readMetadata(third)
        XCTAssertEqual((metadata["resumed"] as? [String])?.count, 2, "metadata.resumed: expected the dates of the 2 resumed runs, saw \(String(describing: metadata["resumed"]))")
    }

    func testResumeRefusesACSVOfAnotherSchema() throws {
        try writeExperiment("foreign", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let first = try run("foreign")
        try "a,b,c\n1,2,3\n".write(toFile: first.csvPath, atomically: true, encoding: .utf8)
        let error = assertHarnessError("resuming a CSV with a foreign header") { try run("foreign") { $0.resume = true } }
        guard let error else { return }
        guard case let .incompatibleResults(path, why) = error else { return XCTFail("expected incompatibleResults, saw \(error)") }
        XCTAssertEqual(path, first.csvPath, "the error should name the CSV")
        assertContains(why, ["median_s"], "reason")
        assertContains(error.description, ["--overwrite"])
        XCTAssertEqual(try String(contentsOfFile: first.csvPath, encoding: .utf8), "a,b,c\n1,2,3\n", "the foreign CSV must be left alone")
    }

    func testOverwriteKeepsABackupAndRewrites() throws {
        try writeExperiment("redo", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        let first = try run("redo")
        let csvBefore = try String(contentsOfFile: first.csvPath, encoding: .utf8)
        let jsonBefore = try String(contentsOfFile: first.metadataPath, encoding: .utf8)
        let second = try run("redo") { $0.overwrite = true }
        XCTAssertEqual(second.rowsWritten, first.rowsWritten, "overwrite: expected every configuration measured again (\(first.rowsWritten)), saw \(second.rowsWritten)")
        XCTAssertEqual(second.skipped, 0, "overwrite: expected nothing skipped, saw \(second.skipped)")
        XCTAssertEqual(try readTable(second).rows.count, first.rowsWritten, "overwrite should rewrite the CSV, not append to it")

        let folder = URL(fileURLWithPath: first.csvPath).deletingLastPathComponent()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let csvBackups = names.filter { $0.hasPrefix("redo.csv.") && $0.hasSuffix(".bak") }
        let jsonBackups = names.filter { $0.hasPrefix("redo.json.") && $0.hasSuffix(".bak") }
        XCTAssertEqual(csvBackups.count, 1, "expected one redo.csv.<date>.bak, saw \(names.sorted())")
        XCTAssertEqual(jsonBackups.count, 1, "expected one redo.json.<date>.bak, saw \(names.sorted())")
        if let backup = csvBackups.first {
            XCTAssertEqual(try String(contentsOfFile: folder.appendingPathComponent(backup).path, encoding: .utf8), csvBefore,
                           "the CSV backup should hold the previous results unchanged")
        }
        if let backup = jsonBackups.first {
            XCTAssertEqual(try String(contentsOfFile: folder.appendingPathComponent(backup).path, encoding: .utf8), jsonBefore,
                           "the metadata backup should hold the previous metadata unchanged")
        }
        assertContains(log.text, ["kept the previous results as"], "log")
    }

    /// Two --overwrite runs in quick succession (often within the same second of the backup's time stamp)
    /// must both keep their backups.
    func testRepeatedOverwriteKeepsEveryBackup() throws {
        try writeExperiment("redo2", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable"]"#))
        let first = try run("redo2")
        _ = try run("redo2") { $0.overwrite = true }
        XCTAssertNoThrow(try run("redo2") { $0.overwrite = true }, "a second --overwrite right after the first should succeed")
        let folder = URL(fileURLWithPath: first.csvPath).deletingLastPathComponent()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let csvBackups = names.filter { $0.hasPrefix("redo2.csv.") && $0.hasSuffix(".bak") }
        let jsonBackups = names.filter { $0.hasPrefix("redo2.json.") && $0.hasSuffix(".bak") }
        XCTAssertEqual(csvBackups.count, 2, "expected two CSV backups after two overwrites, saw \(names.sorted())")
        XCTAssertEqual(jsonBackups.count, 2, "expected two metadata backups after two overwrites, saw \(names.sorted())")
    }

    // MARK: Accuracy end to end

    func accuracyJSON(masks: String = #"["none", "10%=-inf"]"#) -> String {
        """
        {"description": "tiny accuracy test", "kind": "accuracy", "sizes": [256], "trials": 2,
         "algorithms": ["two-pass", "three-pass-recompute"], "input_ranges": [[-1, 1], [-3e38, 3e38]], "masks": \(masks)}
        """
    }

    func testAccuracyRunWritesErrorsPerRangeAndMaskWithoutTimings() throws {
        try writeExperiment("acc", accuracyJSON())
        let report = try run("acc")
        XCTAssertEqual(report.kind, .accuracy, "report.kind: expected accuracy, saw \(report.kind)")
        let rows = try readTable(report).rows
        let isas = ISA.supported.map(\.rawValue)
        let expectedCount = 2 * isas.count * 2 * 2
        XCTAssertEqual(rows.count, expectedCount, "rows: expected 2 algorithms x \(isas.count) ISAs x 2 ranges x 2 masks = \(expectedCount), saw \(rows.count)")
        for row in rows {
            let what = "\(describe(row)) \(row["input_range"] ?? "") mask '\(row["mask"] ?? "")'"
            XCTAssertEqual(row["kind"], "accuracy", "\(what): kind")
            XCTAssert(["[-1,1]", "[-3e38,3e38]"].contains(row["input_range"] ?? ""), "\(what): input_range expected [-1,1] or [-3e38,3e38]")
            XCTAssert(["", "10%=-inf"].contains(row["mask"] ?? ""), "\(what): mask expected empty or 10%=-inf")
            for column in ["median_s", "p25_s", "p75_s", "min_s", "raw_samples_s", "samples", "effective_gbps", "real_gbps"] {
                XCTAssertEqual(row[column], "", "\(what): an accuracy row has no timings, saw \(column) = '\(row[column] ?? "nil")'")
            }
            let twoPassBeyondItsRange = row["algorithm"] == "two-pass" && row["input_range"] == "[-3e38,3e38]"
            if twoPassBeyondItsRange {
                // Finite |x| > 2.36e38 counts as infinite in two-pass: +inf gives NaN, an error row, not a number.
                XCTAssertEqual(row["status"], "error", "\(what): expected an error row (NaN outputs), saw \(row["status"] ?? "nil")")
                assertContains((row["error"] ?? "").lowercased(), ["nan", "input 1 of 2"], "\(what): error text")
                for column in ["max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error"] {
                    XCTAssertEqual(row[column], "", "\(what): an error row has no \(column), saw '\(row[column] ?? "nil")'")
                }
                continue
            }
            XCTAssertEqual(row["status"], "ok", "\(what): status expected ok, saw \(row["status"] ?? "nil") (\(row["error"] ?? ""))")
            guard let maximum = cellDouble(row, "max_error_ulp"), let mean = cellDouble(row, "mean_error_ulp"),
                  let maxRelative = cellDouble(row, "max_relative_error"), let meanRelative = cellDouble(row, "mean_relative_error") else {
                XCTFail("\(what): expected the four error columns filled, saw \(["max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error"].map { row[$0] ?? "nil" })")
                continue
            }
            XCTAssert(mean <= maximum && meanRelative <= maxRelative, "\(what): expected mean <= max, saw ulps \(mean) / \(maximum), relative \(meanRelative) / \(maxRelative)")
            if row["input_range"] == "[-1,1]" {
                XCTAssert(maximum > 0 && maximum < 16, "\(what): expected a few ulps on [-1,1] at n = 256, saw \(maximum)")
                XCTAssert(maxRelative > 0 && maxRelative < 16 * 0x1p-23, "\(what): expected a relative error of a few 2^-23, saw \(maxRelative)")
            }
        }
        let metadata = try readMetadata(report)
        let protocolInfo = try XCTUnwrap(metadata["protocol"] as? [String: Any], "metadata.protocol should be an object")
        XCTAssertEqual(protocolInfo["trials"] as? Int, 2, "metadata.protocol.trials: expected 2, saw \(String(describing: protocolInfo["trials"]))")
        XCTAssertEqual(protocolInfo["input_ranges"] as? [String], ["[-1,1]", "[-3e38,3e38]"], "metadata.protocol.input_ranges")
        XCTAssertEqual(metadata["experiment_kind"] as? String, "accuracy", "metadata.experiment_kind")
        assertContains(log.text, ["running acc", "[-3e38,3e38]", "done: \(expectedCount) rows"], "log")

        // Resume: every row is kept, error rows too (deterministic findings, unlike a timing run's mishaps).
        let again = try run("acc") { $0.resume = true }
        XCTAssertEqual(again.skipped, expectedCount, "resume: expected all \(expectedCount) rows skipped, error rows included, saw \(again.skipped)")
        XCTAssertEqual(again.rowsWritten, 0, "resume: expected nothing measured again, saw \(again.rowsWritten)")

        // A new mask: only its rows are measured.
        try writeExperiment("acc", accuracyJSON(masks: #"["none", "10%=-inf", "10%=-1e9"]"#))
        let third = try run("acc") { $0.resume = true }
        XCTAssertEqual(third.rowsWritten, 2 * isas.count * 2,
                       "resume after adding a mask: expected only its \(2 * isas.count * 2) rows, saw \(third.rowsWritten)")
        let newMaskRows = try readTable(third).rows.filter { $0["mask"] == "10%=-1e9" }
        XCTAssertEqual(newMaskRows.count, 2 * isas.count * 2, "rows of the new mask: expected \(2 * isas.count * 2), saw \(newMaskRows.count)")
    }

    func testAccuracyResumeRefusesOtherTrials() throws {
        try writeExperiment("acc2", accuracyJSON(masks: #"["none"]"#))
        _ = try run("acc2")
        try writeExperiment("acc2", accuracyJSON(masks: #"["none"]"#).replacingOccurrences(of: #""trials": 2"#, with: #""trials": 5"#))
        let error = assertHarnessError("resuming with other trials") { try run("acc2") { $0.resume = true } }
        guard let error else { return }
        guard case let .incompatibleResults(_, why) = error else { return XCTFail("expected incompatibleResults, saw \(error)") }
        assertContains(why, ["trials 2 -> 5"], "reason")
    }

    /// Each order is its own rows (the same values rearranged), named in the `order` column; resuming after
    /// adding an order measures only its rows.
    func testAccuracyRunWritesOneRowPerOrder() throws {
        func json(_ orders: String) -> String {
            accuracyJSON(masks: #"["none"]"#).replacingOccurrences(of: #""trials": 2"#, with: #""trials": 2, "orders": \#(orders)"#)
        }
        try writeExperiment("ordered", json(#"["random", "ascending", "max-last"]"#))
        let report = try run("ordered")
        let rows = try readTable(report).rows
        let isas = ISA.supported.count
        XCTAssertEqual(rows.count, 2 * isas * 2 * 3, "rows: expected 2 algorithms x \(isas) ISAs x 2 ranges x 3 orders, saw \(rows.count)")
        for order in ["random", "ascending", "max-last"] {
            XCTAssertEqual(rows.filter { $0["order"] == order }.count, 2 * isas * 2, "rows of order \(order)")
        }
        let metadata = try readMetadata(report)
        let protocolInfo = try XCTUnwrap(metadata["protocol"] as? [String: Any], "metadata.protocol should be an object")
        XCTAssertEqual(protocolInfo["orders"] as? [String], ["random", "ascending", "max-last"], "metadata.protocol.orders")
        try writeExperiment("ordered", json(#"["random", "ascending", "max-last", "descending"]"#))
        let again = try run("ordered") { $0.resume = true }
        XCTAssertEqual(again.rowsWritten, 2 * isas * 2, "resume after adding an order: expected only its rows, saw \(again.rowsWritten)")
        XCTAssertEqual(try readTable(again).rows.filter { $0["order"] == "descending" }.count, 2 * isas * 2, "rows of the new order")
    }

    func testSamplesOptionIsRefusedForAccuracy() throws {
        try writeExperiment("acc3", accuracyJSON())
        let error = runExpectingError("acc3", what: "--samples on an accuracy experiment") { $0.samples = 5 }
        if let error { assertContains(error.description, ["--samples", "trials"]) }
    }

    // MARK: Bad inputs: an error that names the problem and the fix, nothing written

    func testUnknownExperimentIsRefused() {
        try? writeExperiment("softmax-tiny", tinyJSON(sizes: [64]))
        guard let error = runExpectingError("softmax-tiyn", what: "an unknown experiment") else { return }
        guard case let .unknownExperiment(id, suggestions, _) = error else { return XCTFail("expected unknownExperiment, saw \(error)") }
        XCTAssertEqual(id, "softmax-tiyn")
        XCTAssertEqual(suggestions.first, "softmax-tiny", "closest experiment: expected softmax-tiny, saw \(suggestions)")
        assertContains(error.description, ["'softmax-tiyn'", "did you mean 'softmax-tiny'", "softmax-repro list"])
    }

    func testMalformedExperimentIsRefused() throws {
        try writeExperiment("typo", #"{"description": "d", "kind": "softmax", "sizes": [64], "sampels": 3}"#)
        guard let error = runExpectingError("typo", what: "a malformed experiment") else { return }
        guard case let .malformedExperiment(source, why) = error else { return XCTFail("expected malformedExperiment, saw \(error)") }
        XCTAssert(source.hasSuffix("typo.json"), "the error should name the file: saw \(source)")
        assertContains(why, ["'sampels'", "did you mean 'samples'"])
    }

    func testSamplesOptionOverridesAndIsChecked() throws {
        try writeExperiment("few", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        if let error = runExpectingError("few", what: "--samples 2", { $0.samples = 2 }) {
            XCTAssertEqual(error, .malformedExperiment("--samples", "must be at least 3, got 2"), "saw \(error)")
        }
        let report = try run("few") { $0.samples = 4; $0.isas = [.portable] }
        let rows = try readTable(report).rows
        XCTAssertEqual(rows.map { $0["isa"] ?? "" }, ["portable"], "--isa portable: expected one portable row, saw \(rows.map { $0["isa"] ?? "" })")
        XCTAssertEqual(rows.first?["samples"], "4", "--samples 4: samples expected 4, saw \(rows.first?["samples"] ?? "nil")")
        XCTAssertEqual(rows.first?["raw_samples_s"]?.split(separator: ";").count, 4, "--samples 4: raw_samples_s expected 4 entries")
    }

    /// The strict --isa path, with the support predicate faked so it runs on any machine.
    func testUnsupportedISAOnTheCommandLineIsRefused() throws {
        try writeExperiment("wide", tinyJSON(sizes: [64]))
        let noAVX512: (ISA) -> Bool = { $0 != .avx512f }
        guard let error = runExpectingError("wide", what: "--isa avx512f on a CPU without it", { $0.isas = [.avx512f] }, isaSupport: noAVX512) else { return }
        XCTAssertEqual(error, .unsupportedISA([.avx512f], supported: [.portable, .avx2]), "saw \(error)")
        assertContains(error.description, ["cannot run avx512f", "portable, avx2", "--isa"])
    }

    /// An ISA listed in the experiment file but missing here is skipped with a note (one file serves every machine).
    func testISAListedInTheExperimentButUnsupportedIsSkipped() throws {
        try writeExperiment("listed", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "isas": ["portable", "avx512f"]"#))
        let report = try run("listed", isaSupport: { $0 != .avx512f })
        let rows = try readTable(report).rows
        XCTAssertEqual(rows.map { $0["isa"] ?? "" }, ["portable"], "expected only the supported listed ISA, saw \(rows.map { $0["isa"] ?? "" })")
        let metadata = try readMetadata(report)
        XCTAssertEqual(metadata["isas_run"] as? [String], ["portable"], "isas_run: saw \(String(describing: metadata["isas_run"]))")
        let skipped = metadata["isas_skipped"] as? [String: String] ?? [:]
        XCTAssertFalse((skipped["avx512f"] ?? "").isEmpty, "isas_skipped should give avx512f with a reason, saw \(skipped)")
        assertContains(log.text, ["skipping avx512f"], "log")
    }

    func testResolveISAsWithAFakedPredicate() throws {
        let experiment = try Experiment.parse(Data(tinyJSON(sizes: [64]).utf8), id: "r", source: "r.json")
        let runner = Runner(options: makeOptions(), log: { _ in })
        let choice = try runner.resolveISAs(experiment, isSupported: { $0 == .portable })
        XCTAssertEqual(choice.run, [.portable], "run: saw \(choice.run)")
        XCTAssertEqual(Set(choice.skipped.keys), ["avx2", "avx512f"], "skipped: saw \(choice.skipped)")
        let all = try runner.resolveISAs(experiment)
        XCTAssertEqual(all.run, ISA.supported, "the default predicate is the CPU's: expected \(ISA.supported), saw \(all.run)")
    }

    /// The real path, where this CPU lacks an ISA. Skipped (with the reason) where every ISA is supported.
    func testRealUnsupportedISAIsRefused() throws {
        let missing = ISA.allCases.filter { !$0.isSupported }
        guard let isa = missing.first else {
            throw XCTSkip("this CPU supports every ISA (\(ISA.allCases.map(\.rawValue).joined(separator: ", "))), so the real unsupported-ISA path cannot run here; testUnsupportedISAOnTheCommandLineIsRefused covers it with a faked predicate")
        }
        try writeExperiment("real", tinyJSON(sizes: [64]))
        guard let error = runExpectingError("real", what: "--isa \(isa) on a CPU without it", { $0.isas = [isa] }) else { return }
        XCTAssertEqual(error, .unsupportedISA([isa], supported: ISA.supported), "saw \(error)")
    }

    func testSizeTooLargeForMemoryIsRefusedBeforeAllocating() throws {
        let n = 1 << 40
        try writeExperiment("huge", tinyJSON(sizes: [64, n], extra: #""algorithms": ["two-pass"]"#))
        guard let error = runExpectingError("huge", what: "n = 2^40") else { return }
        guard case let .tooLarge(seenN, bytes, available, experiment) = error else { return XCTFail("expected tooLarge, saw \(error)") }
        XCTAssertEqual(seenN, n, "the error should name n = \(n), saw \(seenN)")
        XCTAssertGreaterThanOrEqual(bytes, 4 * n, "bytes needed: expected at least 4n = \(4 * n), saw \(bytes)")
        XCTAssertGreaterThan(bytes, available, "the size should need more than is available")
        XCTAssertEqual(experiment, "huge")
        assertContains(error.description, ["n = \(n)", "experiments/huge.json", "max_size_by_isa"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: results.path), "no results folder should be created, but \(results.path) exists")
    }

    /// With skip_sizes_that_do_not_fit (the Table 1 experiment), a size that cannot fit is skipped with a
    /// note and recorded in the metadata; the others are measured.
    func testSizeThatDoesNotFitIsSkippedWhenTheExperimentSaysSo() throws {
        let n = 1 << 40
        try writeExperiment("fits", tinyJSON(sizes: [64, n], extra: #""algorithms": ["two-pass"], "skip_sizes_that_do_not_fit": true, "size_labels": {"1099511627776": "too big"}"#))
        let report = try run("fits")
        let rows = try readTable(report).rows
        XCTAssertFalse(rows.isEmpty, "n = 64 should have been measured")
        XCTAssert(rows.allSatisfy { $0["n"] == "64" }, "only n = 64 should have rows, saw \(Set(rows.compactMap { $0["n"] }))")
        let skipped = try readMetadata(report)["skipped_sizes"] as? [String: String] ?? [:]
        XCTAssertNotNil(skipped[String(n)], "metadata skipped_sizes should name n = \(n), saw \(skipped)")
        XCTAssert(log.text.contains("skipping n = \(n) (too big)"), "stderr should say n = \(n) was skipped, saw:\n\(log.text)")
    }

    /// Sizes whose byte counts overflow Int must still give tooLarge, not an arithmetic trap.
    func testAbsurdSizeIsRefusedWithoutOverflowing() throws {
        for (id, n) in [("absurd-2to62", 1 << 62), ("absurd-intmax", Int.max)] {
            try writeExperiment(id, tinyJSON(sizes: [n], extra: #""algorithms": ["two-pass"]"#))
            guard let error = runExpectingError(id, what: "n = \(n)") else { continue }
            guard case let .tooLarge(seenN, _, _, _) = error else {
                XCTFail("n = \(n): expected tooLarge, saw \(error)")
                continue
            }
            XCTAssertEqual(seenN, n, "the error should name n = \(n), saw \(seenN)")
        }
    }

    func testUnwritableResultsFolderIsRefused() throws {
        try writeExperiment("nowhere", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"]"#))
        // Root ignores permissions, so block the folder with a regular file where a parent folder should be.
        let blocker = root.appendingPathComponent("blocker")
        try "not a folder".write(to: blocker, atomically: true, encoding: .utf8)
        let log = self.log!
        let options = makeOptions { $0.resultsFolder = blocker.appendingPathComponent("results") }
        let error = assertHarnessError("results under a regular file") {
            try Runner(options: options, log: { log.append($0) }).run("nowhere")
        }
        guard let error else { return }
        guard case let .unwritableResults(path, why) = error else { return XCTFail("expected unwritableResults, saw \(error)") }
        XCTAssert(path.hasPrefix(blocker.path), "the error should name the folder under \(blocker.path), saw \(path)")
        XCTAssertFalse(why.isEmpty, "expected a reason")
        assertContains(error.description, ["--results"])
        XCTAssertEqual(try String(contentsOf: blocker, encoding: .utf8), "not a folder", "the blocking file must be left alone")
    }

    func testUnknownPresetIsRefusedListingTheAvailableOnes() throws {
        try writeExperiment("preset", tinyJSON(sizes: [64]))
        let presets = experiments.appendingPathComponent("presets").path
        if let error = runExpectingError("preset", what: "--preset tunde", { $0.presets = ["tunde"] }) {
            XCTAssertEqual(error, .unknownPreset("tunde", folder: presets, available: ["blend"]), "saw \(error)")
            assertContains(error.description, ["'tunde'", "available: blend"])
        }
        try writeExperiment("preset-in-file", tinyJSON(sizes: [64], extra: #""presets": ["blend", "missing"]"#))
        if let error = runExpectingError("preset-in-file", what: "an experiment naming a missing preset") {
            XCTAssertEqual(error, .unknownPreset("missing", folder: presets, available: ["blend"]), "saw \(error)")
        }
    }

    /// The authors' per-processor presets are AVX2 only: on another ISA they are skipped with a note, and
    /// a run left with nothing to measure is refused.
    func testAPresetWithoutKernelsForTheISAsRunIsSkippedOrRefused() throws {
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("experiments/presets/zen2.json"),
                                         to: experiments.appendingPathComponent("presets/zen2.json"))
        try writeExperiment("authors", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "presets": ["blend", "zen2"]"#))
        let report = try run("authors") { $0.isas = [.portable] }
        let presetsRun = Set(try readTable(report).rows.map { $0["preset"] ?? "" })
        XCTAssertEqual(presetsRun, ["blend"], "portable rows: only blend has portable kernels")
        assertContains(log.text, ["note: preset 'zen2' has no kernels for portable: skipped for portable"], "log")

        try writeExperiment("authors-only", tinyJSON(sizes: [64], extra: #""algorithms": ["two-pass"], "presets": ["zen2"]"#))
        let before = filesUnder(results)
        if let error = assertHarnessError("zen2 on portable only", { try run("authors-only") { $0.isas = [.portable] } }) {
            assertContains(error.description, ["zen2", "portable", "--isa", "--preset"])
        }
        XCTAssertEqual(filesUnder(results), before, "nothing written by the refused run")
    }

    func testNonexistentCPUIsRefused() throws {
        try writeExperiment("cpu", tinyJSON(sizes: [64]))
        guard let error = runExpectingError("cpu", what: "--cpu 100000", { $0.cpu = 100_000 }) else { return }
        guard case .platform = error else { return XCTFail("expected a platform error, saw \(error)") }
        assertContains(error.description, ["--cpu 100000", "does not exist", "this machine has CPUs"])
    }

    // MARK: Output checks

    /// No real softmax sums to 1 within 1e-15: every row must become an error row, never a speed.
    func testFailedOutputCheckBecomesAnErrorRowWithoutTimings() throws {
        try writeExperiment("strict", tinyJSON(sizes: [1000], extra: #""sum_tolerance": 1e-15, "input_range": [-1, 1]"#))
        let report = try run("strict")
        let rows = try readTable(report).rows
        let expectedCount = algorithms.count * ISA.supported.count
        XCTAssertEqual(rows.count, expectedCount, "rows: expected \(expectedCount), saw \(rows.count)")
        XCTAssertEqual(report.errorRows, expectedCount, "report.errorRows: expected \(expectedCount), saw \(report.errorRows)")
        XCTAssertEqual(report.rowsWritten, expectedCount, "report.rowsWritten: expected \(expectedCount), saw \(report.rowsWritten)")
        for row in rows {
            XCTAssertEqual(row["kind"], "softmax")
            XCTAssertEqual(row["status"], "error", "\(describe(row)): status expected error, saw \(row["status"] ?? "nil")")
            assertContains(row["error"] ?? "", ["sum of outputs", "1e-15"], "\(describe(row)): error text")
            for column in ["median_s", "p25_s", "p75_s", "min_s", "elements_per_s", "effective_gbps", "real_gbps", "raw_samples_s",
                           "samples", "calls_per_sample"] + ResultSchema.counterColumns.map(\.column) {
                XCTAssertEqual(row[column], "", "\(describe(row)): an error row has no \(column), saw '\(row[column] ?? "nil")'")
            }
        }
        assertContains(log.text, ["error:", "\(expectedCount) errors"], "log")

        // Error rows are not "completed": a resume measures them again.
        let again = try run("strict") { $0.resume = true }
        XCTAssertEqual(again.skipped, 0, "resume after error rows: expected nothing skipped, saw \(again.skipped)")
        XCTAssertEqual(again.rowsWritten, expectedCount, "resume after error rows: expected them measured again, saw \(again.rowsWritten)")
    }
}

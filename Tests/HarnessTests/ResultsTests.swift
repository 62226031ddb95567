import Foundation
import XCTest
@testable import Harness

final class ResultsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("results")
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// A softmax row at n = 1000 with four samples (median 5.5e-6 s) and 12 B/element.
    func sampleRow() -> ResultRow {
        var row = ResultRow(experiment: "exp", processorID: "amd-zen4-epyc", microarchitecture: "zen4", isa: "avx2", preset: "blend",
                            kind: .softmax, subject: .algorithm(.twoPass), kernel: "raddextexp_avx2_x96+vscaleextexp_avx2_x40", n: 1000,
                            cpu: 3, bytesPerElement: 12)
        row.callsPerSample = 7
        row.samples = [7e-6, 4e-6, 6e-6, 5e-6]
        row.outputError = 2.5e-7
        row.counters = ["task_clock_ns_per_element": 1.25, "page_faults_per_call": 0]
        return row
    }

    func writeCSV(_ name: String, _ text: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: Naming a CSV

    func testLocateTakesAPathOrAnExperimentIdOfThisProcessor() throws {
        let own = folder.appendingPathComponent("cpu-x")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        let csv = own.appendingPathComponent("softmax.csv").path
        try "a\n".write(toFile: csv, atomically: false, encoding: .utf8)
        XCTAssertEqual(try ResultTable.locate(csv, resultsFolders: [folder.path], processorID: "other"), csv, "a path is taken as it is")
        XCTAssertEqual(try ResultTable.locate("softmax", resultsFolders: [folder.path], processorID: "cpu-x"), csv, "an id: this processor's CSV")
        XCTAssertThrowsError(try ResultTable.locate("passes", resultsFolders: [folder.path], processorID: "cpu-x")) {
            let message = "\($0)"
            for part in ["no results file 'passes'", own.appendingPathComponent("passes.csv").path, "softmax-repro run passes"] {
                XCTAssert(message.contains(part), "expected '\(part)' in: \(message)")
            }
        }
        XCTAssertThrowsError(try ResultTable.locate("nowhere/x.csv", resultsFolders: [folder.path], processorID: "cpu-x")) {
            XCTAssert("\($0)".contains("no results file 'nowhere/x.csv': give the path of a results CSV"), "\($0)")
        }
    }

    func testLocateLooksInTheLocalRunsFirstThenTheReference() throws {
        let local = folder.appendingPathComponent("local"), reference = folder.appendingPathComponent("reference")
        for base in [local, reference] {
            try FileManager.default.createDirectory(at: base.appendingPathComponent("cpu-x"), withIntermediateDirectories: true)
        }
        let referenceCSV = reference.appendingPathComponent("cpu-x/softmax.csv").path
        try "a\n".write(toFile: referenceCSV, atomically: false, encoding: .utf8)
        XCTAssertEqual(try ResultTable.locate("softmax", resultsFolders: [local.path, reference.path], processorID: "cpu-x"), referenceCSV,
                       "only the reference run: it is found")
        let localCSV = local.appendingPathComponent("cpu-x/softmax.csv").path
        try "a\n".write(toFile: localCSV, atomically: false, encoding: .utf8)
        XCTAssertEqual(try ResultTable.locate("softmax", resultsFolders: [local.path, reference.path], processorID: "cpu-x"), localCSV,
                       "a local run comes first")
    }

    // MARK: CSV text

    func testParseCSVHandlesQuotesCommasNewlinesAndCRLF() {
        let text = "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",,end\r\nlast,\"\",\n"
        let rows = parseCSV(text)
        let expected = [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["multi\nline", "", "end"], ["last", "", ""]]
        XCTAssertEqual(rows, expected, "parseCSV: expected \(expected), saw \(rows)")
        XCTAssertEqual(parseCSV("no,newline"), [["no", "newline"]], "a last line without newline should still be read")
        XCTAssertEqual(parseCSV(""), [], "empty text: expected no rows")
    }

    func testCSVEscapeQuotesOnlyWhatNeedsIt() {
        let cases: [(String, String)] = [("plain", "plain"), ("", ""), ("a,b", "\"a,b\""), ("say \"x\"", "\"say \"\"x\"\"\""),
                                         ("two\nlines", "\"two\nlines\"")]
        for (cell, expected) in cases {
            XCTAssertEqual(csvEscape(cell), expected, "csvEscape(\(cell.debugDescription)): expected \(expected.debugDescription), saw \(csvEscape(cell).debugDescription)")
        }
    }

    func testCSVLineRoundTripsThroughParseCSVIncludingCommaAndQuote() {
        var row = sampleRow()
        row.kernel = "k,with \"quotes\", and commas"
        let line = row.csvLine()
        let parsed = parseCSV(line + "\n")
        XCTAssertEqual(parsed.count, 1, "one CSV line should parse to one row; saw \(parsed.count): \(line)")
        guard let cells = parsed.first else { return }
        XCTAssertEqual(cells.count, ResultSchema.columns.count, "cells: expected \(ResultSchema.columns.count), saw \(cells.count)")
        let expected = row.cells()
        for (column, value) in zip(ResultSchema.columns, cells) {
            XCTAssertEqual(value, expected[column] ?? "", "column \(column) after round trip: expected '\(expected[column] ?? "")', saw '\(value)'")
        }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: zip(ResultSchema.columns, cells))["kernel"], row.kernel,
                       "the kernel cell with a comma and quotes should survive the round trip")
    }

    func testErrorTextWithCommaQuoteAndNewlineRoundTrips() {
        var row = sampleRow()
        row.error = "sum is 1.5, not \"1\"\nsecond line"
        let cells = parseCSV(row.csvLine() + "\n")
        XCTAssertEqual(cells.count, 1, "expected one row, saw \(cells.count)")
        let dict = Dictionary(uniqueKeysWithValues: zip(ResultSchema.columns, cells.first ?? []))
        XCTAssertEqual(dict["error"], row.error, "error text: expected \(row.error!.debugDescription), saw \(String(describing: dict["error"]))")
    }

    // MARK: Header and schema

    func testWriterHeaderEqualsSchemaColumns() throws {
        let path = folder.appendingPathComponent("h.csv").path
        let writer = try ResultWriter(path: path)
        writer.append(sampleRow())
        let rows = parseCSV(try String(contentsOfFile: path, encoding: .utf8))
        XCTAssertEqual(rows.first, ResultSchema.columns, "header: expected \(ResultSchema.columns), saw \(rows.first ?? [])")
        XCTAssertEqual(rows.count, 2, "header + one row expected, saw \(rows.count) lines")
    }

    func testWriterAppendsToAnExistingFileWithoutASecondHeader() throws {
        let path = folder.appendingPathComponent("a.csv").path
        try ResultWriter(path: path).append(sampleRow())
        var second = sampleRow()
        second.n = 2000
        try ResultWriter(path: path).append(second)
        let rows = parseCSV(try String(contentsOfFile: path, encoding: .utf8))
        let headers = rows.filter { $0 == ResultSchema.columns }.count
        XCTAssertEqual(headers, 1, "header lines after reopening: expected 1, saw \(headers)")
        XCTAssertEqual(rows.count, 3, "lines: expected header + 2 rows, saw \(rows.count)")
    }

    func testSchemaColumnsMatchResultsREADME() throws {
        let documented = try readmeTableRows(heading: "CSV").flatMap(\.names)
        XCTAssertEqual(documented, ResultSchema.columns,
                       "results/README.md CSV table and ResultSchema.columns differ: README \(documented), code \(ResultSchema.columns)")
        for counter in ResultSchema.counterColumns.map(\.column) {
            XCTAssert(ResultSchema.columns.contains(counter), "counter column \(counter) should be a schema column")
        }
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("results/README.md"), encoding: .utf8)
        XCTAssert(readme.contains("## CSV, schema_version \(ResultSchema.version)\n"),
                  "results/README.md should document schema_version \(ResultSchema.version), the version this build writes")
        XCTAssertEqual(ResultRow.Subject.columns.filter(ResultSchema.columns.contains), ResultRow.Subject.columns,
                       "the three subject columns are schema columns")
        XCTAssert(ResultRow.Subject.columns.allSatisfy(ResultSchema.keyColumns.contains), "each subject column is part of the key")
    }

    // MARK: Cells

    func testOKRowCellsAndDerivedColumns() {
        let c = sampleRow().cells()
        XCTAssertEqual(c["status"], "ok", "status: expected ok, saw \(String(describing: c["status"]))")
        XCTAssertEqual(c["error"], "", "error: expected empty, saw \(String(describing: c["error"]))")
        XCTAssertEqual(c["schema_version"], "6")
        XCTAssertEqual(c["n"], "1000")
        XCTAssertEqual(c["cpu"], "3")
        XCTAssertEqual(c["threads"], "1")
        XCTAssertEqual(c["samples"], "4", "samples: expected 4, saw \(String(describing: c["samples"]))")
        XCTAssertEqual(c["calls_per_sample"], "7")
        XCTAssertEqual(c["bytes_per_element"], "12")
        let median = 5.5e-6
        assertClose(Double(c["median_s"] ?? ""), median, relative: 1e-6, "median_s")
        assertClose(Double(c["p25_s"] ?? ""), 4.75e-6, relative: 1e-6, "p25_s")
        assertClose(Double(c["p75_s"] ?? ""), 6.25e-6, relative: 1e-6, "p75_s")
        assertClose(Double(c["min_s"] ?? ""), 4e-6, relative: 1e-6, "min_s")
        assertClose(Double(c["elements_per_s"] ?? ""), 1000 / median, relative: 1e-5, "elements_per_s = n / median")
        assertClose(Double(c["effective_gbps"] ?? ""), 8 * 1000 / median / 1e9, relative: 1e-5, "effective_gbps = 8 n / median / 1e9")
        assertClose(Double(c["real_gbps"] ?? ""), 12 * 1000 / median / 1e9, relative: 1e-5, "real_gbps = bytes_per_element n / median / 1e9")
        assertClose(Double(c["output_error"] ?? ""), 2.5e-7, relative: 1e-6, "output_error")
        let raw = (c["raw_samples_s"] ?? "").split(separator: ";").compactMap { Double($0) }
        XCTAssertEqual(raw, [7e-6, 4e-6, 6e-6, 5e-6], "raw_samples_s: expected the samples in measured order, saw \(c["raw_samples_s"] ?? "")")
    }

    func testDerivedColumnsForAnotherSize() {
        var row = sampleRow()
        row.n = 3_000_000
        row.bytesPerElement = 20
        row.samples = [2e-3, 1e-3, 3e-3]
        let c = row.cells()
        assertClose(Double(c["median_s"] ?? ""), 2e-3, relative: 1e-9, "median_s")
        assertClose(Double(c["elements_per_s"] ?? ""), 1.5e9, relative: 1e-5, "elements_per_s")
        assertClose(Double(c["effective_gbps"] ?? ""), 12, relative: 1e-9, "effective_gbps = 8 * 3e6 / 2e-3 / 1e9")
        assertClose(Double(c["real_gbps"] ?? ""), 30, relative: 1e-9, "real_gbps = 20 * 3e6 / 2e-3 / 1e9")
    }

    func testAbsentCounterIsAnEmptyCellNeverZero() {
        let c = sampleRow().cells()
        for column in ["cycles_per_element", "instructions_per_element", "llc_misses_per_element", "context_switches_per_call",
                       "cpu_migrations_per_call"] {
            XCTAssertEqual(c[column] ?? "", "", "\(column) was not measured: expected an empty cell, saw '\(c[column] ?? "")'")
        }
        XCTAssertEqual(c["task_clock_ns_per_element"], "1.25", "a measured counter: expected 1.25, saw \(String(describing: c["task_clock_ns_per_element"]))")
        XCTAssertEqual(c["page_faults_per_call"], "0", "a counter measured as zero: expected '0', saw \(String(describing: c["page_faults_per_call"]))")
        let line = parseCSV(sampleRow().csvLine()).first ?? []
        let dict = Dictionary(uniqueKeysWithValues: zip(ResultSchema.columns, line))
        XCTAssertEqual(dict["cycles_per_element"], "", "cycles_per_element in the CSV line: expected empty, saw '\(dict["cycles_per_element"] ?? "nil")'")
    }

    func testErrorRowHasStatusTextAndNoTimingsOrCounters() {
        var row = sampleRow()
        row.error = "output check failed: sum of outputs is 2, not 1"
        let c = row.cells()
        XCTAssertEqual(c["status"], "error", "status: expected error, saw \(String(describing: c["status"]))")
        XCTAssertEqual(c["error"], row.error, "error: expected the text, saw \(String(describing: c["error"]))")
        let timing = ["samples", "calls_per_sample", "median_s", "p25_s", "p75_s", "min_s", "elements_per_s", "effective_gbps",
                      "real_gbps", "raw_samples_s"]
        for column in timing + ResultSchema.counterColumns.map(\.column) {
            XCTAssertEqual(c[column] ?? "", "", "error row, \(column): expected an empty cell, saw '\(c[column] ?? "")'")
        }
        XCTAssertNil(row.summary, "an error row should have no summary, saw \(String(describing: row.summary))")
        // What identifies the configuration stays, so `show` can list it.
        XCTAssertEqual(c["kernel"], row.kernel)
        XCTAssertEqual(c["n"], "1000")
    }

    func testMultiThreadAndAccuracyCells() {
        var row = sampleRow()
        row.threads = 2
        row.placement = "scattered"
        row.cpus = [0, 1]
        var c = row.cells()
        XCTAssertEqual(c["placement"], "scattered")
        XCTAssertEqual(c["cpus"], "0;1", "cpus: expected the workers' CPUs ;-joined, saw \(String(describing: c["cpus"]))")
        XCTAssertEqual(sampleRow().cells()["cpus"], "", "one thread: cpus should be empty")
        var accuracy = sampleRow()
        accuracy.kind = .accuracy
        accuracy.samples = []
        accuracy.accuracy = .init(inputRange: "[-1e4,1e4]", mask: "10%=-inf", maxErrorULP: 3, meanErrorULP: 0.25, maxRelativeError: 2.5e-7, meanRelativeError: 1e-8)
        c = accuracy.cells()
        XCTAssertEqual(c["kind"], "accuracy")
        XCTAssertEqual(c["status"], "ok")
        XCTAssertEqual(c["input_range"], "[-1e4,1e4]")
        XCTAssertEqual(c["mask"], "10%=-inf")
        XCTAssertEqual(c["max_error_ulp"], "3")
        XCTAssertEqual(c["mean_error_ulp"], "0.25")
        XCTAssertEqual(c["max_relative_error"], "2.5e-07")
        XCTAssertEqual(c["mean_relative_error"], "1e-08")
        XCTAssertEqual(c["median_s"] ?? "", "", "an accuracy row has no timings, saw median_s '\(c["median_s"] ?? "")'")
        accuracy.error = "NaN in the output"
        c = accuracy.cells()
        XCTAssertEqual(c["max_error_ulp"] ?? "", "", "an error row has no errors measured, saw '\(c["max_error_ulp"] ?? "")'")
        XCTAssertEqual(c["input_range"], "[-1e4,1e4]", "an error row still says what it tried")
    }

    func testKeyIdentifiesTheConfiguration() {
        let row = sampleRow()
        XCTAssertEqual(row.key, "softmax|avx2|blend|two-pass|||raddextexp_avx2_x96+vscaleextexp_avx2_x40|1000||1||||", "key: saw \(row.key)")
        XCTAssertEqual(row.key, ResultTable.key(row.cells()), "the key of a row and of its cells read back")
        var other = row
        other.samples = [1]
        other.cpu = 0
        XCTAssertEqual(other.key, row.key, "timings and cpu are not part of the key")
        other.n = 1001
        XCTAssertNotEqual(other.key, row.key, "n is part of the key")
        var batched = row, larger = row
        batched.batch = 1
        larger.batch = 16
        XCTAssertNotEqual(batched.key, row.key, "a batched row of one row is not the single-vector row")
        XCTAssertNotEqual(batched.key, larger.key, "the batch is part of the key")
        var placed = row
        placed.threads = 2
        placed.placement = "compact"
        var scattered = placed
        scattered.placement = "scattered"
        XCTAssertNotEqual(placed.key, scattered.key, "placement is part of the key")
        var a = row, b = row
        a.accuracy = .init(inputRange: "[-1,1]", mask: "", maxErrorULP: 1, meanErrorULP: 0.5, maxRelativeError: 1e-7, meanRelativeError: 5e-8)
        b.accuracy = a.accuracy
        b.accuracy?.mask = "10%=-inf"
        XCTAssertNotEqual(a.key, b.key, "the mask is part of an accuracy row's key")
        b.accuracy = a.accuracy
        b.accuracy?.inputRange = "[-1e4,1e4]"
        XCTAssertNotEqual(a.key, b.key, "the input range is part of an accuracy row's key")
        b.accuracy = a.accuracy
        b.accuracy?.order = "ascending"
        XCTAssertNotEqual(a.key, b.key, "the element order is part of an accuracy row's key")
    }

    func testFormatWritesIntegersWithoutFractionAndSixSignificantDigits() {
        let cases: [(Double, String)] = [(12, "12"), (0, "0"), (1.25, "1.25"), (3.11095e-06, "3.11095e-06"), (1.0 / 3, "0.333333"),
                                         (2e20, "2e+20")]
        for (value, expected) in cases {
            XCTAssertEqual(format(value), expected, "format(\(value)): expected \(expected), saw \(format(value))")
        }
    }

    // MARK: Reading back

    func testResultTableReadsWhatTheWriterWrote() throws {
        let path = folder.appendingPathComponent("t.csv").path
        let writer = try ResultWriter(path: path)
        var failed = sampleRow()
        failed.n = 2000
        failed.error = "boom, \"bad\""
        writer.append(sampleRow())
        writer.append(failed)
        let table = try ResultTable(path: path)
        XCTAssertEqual(table.rows.count, 2, "rows: expected 2, saw \(table.rows.count)")
        XCTAssertEqual(table.rows.first?["status"], "ok")
        XCTAssertEqual(table.rows.last?["error"], "boom, \"bad\"", "error text read back: saw \(String(describing: table.rows.last?["error"]))")
        XCTAssertEqual(table.completedKeys, [sampleRow().key],
                       "completedKeys: expected only the ok row's key \(sampleRow().key), saw \(table.completedKeys)")
    }

    func testCompletedKeysOnlyIncludesOKRows() throws {
        let a = sampleRow()
        var b = sampleRow(), c = sampleRow()
        b.n = 2000
        b.error = "failed"
        c.isa = "avx512f"
        let path = try writeCSV("k.csv", ([ResultSchema.columns.joined(separator: ",")] + [a, b, c].map { $0.csvLine() }).joined(separator: "\n") + "\n")
        let keys = try ResultTable(path: path).completedKeys
        XCTAssertEqual(keys, [a.key, c.key], "completedKeys: expected the two ok rows, saw \(keys)")
        XCTAssertFalse(keys.contains(b.key), "the error row's key \(b.key) must not count as completed")
    }

    func testResultTableRejectsAMissingColumn() throws {
        let columns = ResultSchema.columns.filter { $0 != "median_s" }
        let path = try writeCSV("missing.csv", columns.joined(separator: ",") + "\n")
        let error = assertHarnessError("reading a file without median_s") { try ResultTable(path: path) }
        guard let error else { return }
        guard case let .unreadableResults(seenPath, why) = error else { return XCTFail("expected unreadableResults, saw \(error)") }
        XCTAssertEqual(seenPath, path, "the error should name the file")
        assertContains(why, ["median_s", "schema 3"])
        assertContains(error.description, [path])
        // Reading is not resuming: the message must not advise a destructive flag (`show` prints it).
        XCTAssertFalse(error.description.contains("--overwrite"), "a reader's error must not suggest --overwrite: \(error)")
    }

    func testResultTableRejectsAnotherSchemaVersion() throws {
        var cells = parseCSV(sampleRow().csvLine()).first ?? []
        cells[0] = "7"
        let path = try writeCSV("v7.csv", ResultSchema.columns.joined(separator: ",") + "\n" + cells.map(csvEscape).joined(separator: ",") + "\n")
        let error = assertHarnessError("reading a schema_version 7 row") { try ResultTable(path: path) }
        guard let error else { return }
        guard case let .unreadableResults(_, why) = error else { return XCTFail("expected unreadableResults, saw \(error)") }
        assertContains(why, ["line 2", "schema_version 7", "reads 3, 4, 5 and 6"])
        // One row of another version among the file's own: named by its line.
        let good = sampleRow().csvLine()
        let mixed = try writeCSV("mixed.csv", ResultSchema.columns.joined(separator: ",") + "\n" + good + "\n" + good + "\n" + cells.map(csvEscape).joined(separator: ",") + "\n")
        let mixedError = assertHarnessError("reading a file with one schema_version 7 row") { try ResultTable(path: mixed) }
        assertContains(mixedError?.description ?? "", ["line 4", "schema_version 7"])
    }

    /// Files of schema 3 (no interval or sampling columns) are still read; their new cells are empty.
    func testResultTableReadsSchemaThreeFiles() throws {
        let v3 = ResultSchema.columns(version: 3)
        XCTAssertFalse(v3.contains("median_ci_low_s"))
        let cells = sampleRow().cells()
        let line = csvLine(ofSchemaVersion: 3, cells)
        let table = try ResultTable(path: try writeCSV("v3.csv", v3.joined(separator: ",") + "\n" + line + "\n"))
        XCTAssertEqual(table.schemaVersion, 3)
        XCTAssertEqual(table.rows.first?["median_s"], cells["median_s"])
        XCTAssertNil(table.rows.first?["median_ci_low_s"], "a column the file lacks is absent from its rows")
    }

    /// Files of schema 4 (no batch column) are still read: their rows compute one vector.
    func testResultTableReadsSchemaFourFiles() throws {
        let v4 = ResultSchema.columns(version: 4)
        XCTAssertFalse(v4.contains("batch"))
        XCTAssert(v4.contains("median_ci_low_s"))
        let cells = sampleRow().cells()
        let line = csvLine(ofSchemaVersion: 4, cells)
        let table = try ResultTable(path: try writeCSV("v4.csv", v4.joined(separator: ",") + "\n" + line + "\n"))
        XCTAssertEqual(table.schemaVersion, 4)
        XCTAssertEqual(table.rows.first?["median_s"], cells["median_s"])
        XCTAssertNotNil(table.rows.first?["median_ci_low_s"], "a version 4 column is read")
        XCTAssertNil(table.rows.first?["batch"], "a column the file lacks is absent from its rows")
    }

    /// One row of each kind, each naming what it measures (a pass row's peak twin included).
    func rowOfEachKind() -> [ResultRow] {
        var pass = sampleRow(), peak = sampleRow(), reference = sampleRow(), accuracy = sampleRow()
        (pass.kind, pass.subject, pass.kernel, pass.preset) = (.pass, .passFamily(.rmax), "rmax_avx2_x32_acc4", "")
        (peak.kind, peak.subject, peak.kernel, peak.preset) = (.peak, .passFamily(.rmax), "rmax_avx2_x32_acc4", "")
        (reference.kind, reference.subject, reference.kernel, reference.preset) = (.reference, .reference("copy_nt"), "copy_nt_avx2", "")
        accuracy.kind = .accuracy
        accuracy.subject = .algorithm(.online)
        accuracy.samples = []
        accuracy.accuracy = .init(inputRange: "[-1,1]", mask: "", maxErrorULP: 2, meanErrorULP: 0.5, maxRelativeError: 1e-7, meanRelativeError: 2e-8)
        return [sampleRow(), pass, peak, reference, accuracy]
    }

    /// Each kind writes its subject in its own column, the other two empty.
    func testEachKindWritesWhatItMeasuresInItsOwnColumn() {
        let expected: [(String, String)] = [("algorithm", "two-pass"), ("pass_family", "rmax"), ("pass_family", "rmax"),
                                            ("reference", "copy_nt"), ("algorithm", "online")]
        for (row, (column, name)) in zip(rowOfEachKind(), expected) {
            let cells = row.cells()
            for c in ResultRow.Subject.columns {
                XCTAssertEqual(cells[c] ?? "", c == column ? name : "", "\(row.kind) row, column \(c): saw '\(cells[c] ?? "")'")
            }
            XCTAssertEqual(ResultRow.Subject.column(forKind: row.kind.rawValue), column, "\(row.kind): its subject's column")
            XCTAssertEqual(ResultRow.Subject(kind: row.kind, name: name), row.subject, "\(row.kind) '\(name)' read as a subject")
        }
        XCTAssertNil(ResultRow.Subject(kind: .pass, name: "two-pass"), "an algorithm is not a pass family")
        XCTAssertNil(ResultRow.Subject(kind: .softmax, name: "rmax"), "a pass family is not an algorithm")
        XCTAssertNil(ResultRow.Subject(kind: .reference, name: ""), "a reference row names its loop")
    }

    /// A schema 5 file's `algorithm` cell is read as the column its row's kind names: the rows read back, and
    /// their keys, are those of the same rows written today.
    func testResultTableReadsSchemaFiveFilesMovingAlgorithmToItsKindsColumn() throws {
        let v5 = ResultSchema.columns(version: 5)
        XCTAssertEqual(Set(ResultSchema.columns).subtracting(v5), ["pass_family", "reference"])
        let rows = rowOfEachKind()
        let lines = rows.map { row -> String in
            var cells = row.cells()
            cells["algorithm"] = row.subject.name
            return csvLine(ofSchemaVersion: 5, cells)
        }
        let table = try ResultTable(path: try writeCSV("v5.csv", ([v5.joined(separator: ",")] + lines).joined(separator: "\n") + "\n"))
        XCTAssertEqual(table.schemaVersion, 5)
        XCTAssertEqual(table.invalidRows, [], "every schema 5 row names what it measures")
        XCTAssertEqual(table.rows.count, rows.count)
        for (read, row) in zip(table.rows, rows) {
            for c in ResultRow.Subject.columns {
                XCTAssertEqual(read[c], c == row.subject.column ? row.subject.name : "", "\(row.kind) row read from schema 5, column \(c)")
            }
            XCTAssertEqual(ResultTable.key(read), row.key, "\(row.kind) row: its key as --resume compares it")
        }
    }

    /// Exactly one of algorithm, pass_family and reference per row, the one its kind names: a row that breaks
    /// it is reported with its line and column, left out and never counted as measured.
    func testARowNamingNoneOrTwoSubjectsIsInvalidNamingLineAndColumn() throws {
        let rows = rowOfEachKind()
        let cases: [(row: ResultRow, change: [String: String], column: String, words: [String])] = [
            (rows[0], ["algorithm": ""], "algorithm", ["empty", "softmax row"]),
            (rows[0], ["pass_family": "rmax"], "pass_family", ["'rmax'", "softmax row", "algorithm"]),
            (rows[1], ["algorithm": "rmax", "pass_family": ""], "algorithm", ["'rmax'", "pass row", "pass_family"]),
            (rows[2], ["reference": "read"], "reference", ["'read'", "peak row"]),
            (rows[3], ["reference": ""], "reference", ["empty", "reference row"]),
        ]
        for (i, c) in cases.enumerated() {
            var cells = c.row.cells()
            cells.merge(c.change) { $1 }
            let good = rows[0].csvLine()
            let path = try writeCSV("subject-\(i).csv", ResultSchema.columns.joined(separator: ",") + "\n" + good + "\n"
                                    + ResultSchema.columns.map { csvEscape(cells[$0] ?? "") }.joined(separator: ",") + "\n")
            let table = try ResultTable(path: path)
            XCTAssertEqual(table.rows.count, 1, "case \(i) \(c.change): only the good row is a measurement")
            XCTAssertEqual(table.invalidRows.first?.line, 3, "case \(i) \(c.change)")
            XCTAssertEqual(table.invalidRows.first?.column, c.column, "case \(i) \(c.change): \(table.invalidRows)")
            assertContains(table.invalidRows.first?.description ?? "", [path, "line 3"] + c.words, "case \(i) \(c.change)")
            XCTAssertEqual(table.completedKeys, [rows[0].key], "case \(i) \(c.change): never counted as measured")
        }
    }

    func testResultTableReportsARaggedLineAndRejectsAnUnreadableFile() throws {
        let path = try writeCSV("ragged.csv", ResultSchema.columns.joined(separator: ",") + "\n" + sampleRow().csvLine() + "\n1,exp,short\n")
        let table = try ResultTable(path: path)
        XCTAssertEqual(table.rows.count, 1, "the whole row is kept")
        XCTAssertEqual(table.invalidRows.count, 1, "the short line is reported: \(table.invalidRows)")
        assertContains(table.invalidRows.first?.description ?? "", [path, "line 3", "3 cells", "\(ResultSchema.columns.count)"])
        let missing = folder.appendingPathComponent("nope.csv").path
        if let error = assertHarnessError("reading a missing file", { try ResultTable(path: missing) }) {
            guard case .unreadableResults = error else { return XCTFail("expected unreadableResults, saw \(error)") }
            assertContains(error.description, [missing, "cannot be read"])
        }
    }

    func testACellThatIsNotANumberMakesItsRowInvalidNamingLineAndColumn() throws {
        for (column, value) in [("median_s", "xyz"), ("n", "12.5"), ("raw_samples_s", "1e-6;oops"), ("status", "maybe"), ("median_s", "")] {
            var cells = Dictionary(uniqueKeysWithValues: zip(ResultSchema.columns, parseCSV(sampleRow().csvLine()).first ?? []))
            cells[column] = value
            let path = try writeCSV("bad-\(column).csv", ResultSchema.columns.joined(separator: ",") + "\n"
                                    + ResultSchema.columns.map { csvEscape(cells[$0] ?? "") }.joined(separator: ",") + "\n")
            let table = try ResultTable(path: path)
            XCTAssertEqual(table.rows.count, 0, "\(column) = '\(value)': the row is not a measurement")
            XCTAssertEqual(table.invalidRows.first?.line, 2, "\(column) = '\(value)'")
            XCTAssertEqual(table.invalidRows.first?.column, column, "\(column) = '\(value)': \(table.invalidRows)")
            XCTAssertEqual(table.completedKeys, [], "\(column) = '\(value)': never counted as measured")
        }
    }

    func testTheWriterAppendsInTheFilesOwnColumnOrder() throws {
        let reversed = Array(ResultSchema.columns.reversed())
        let path = try writeCSV("reversed.csv", reversed.joined(separator: ",") + "\n")
        let writer = try ResultWriter(path: path)
        writer.append(sampleRow())
        let table = try ResultTable(path: path)
        XCTAssertEqual(table.invalidRows, [])
        XCTAssertEqual(table.rows.first?["kernel"], sampleRow().kernel, "the row's cells sit under their own columns")
        XCTAssertEqual(table.rows.first?["median_s"], sampleRow().cells()["median_s"])
    }

    func testResultTableAcceptsColumnsInAnotherOrderAndEmptyFiles() throws {
        let reversed = Array(ResultSchema.columns.reversed())
        let cells = Dictionary(uniqueKeysWithValues: zip(ResultSchema.columns, parseCSV(sampleRow().csvLine()).first ?? []))
        let path = try writeCSV("reordered.csv", reversed.joined(separator: ",") + "\n" + reversed.map { csvEscape(cells[$0] ?? "") }.joined(separator: ",") + "\n")
        let table = try ResultTable(path: path)
        XCTAssertEqual(table.rows.first?["kernel"], sampleRow().kernel, "reordered columns are read by name: saw \(table.rows)")
        let empty = try writeCSV("empty.csv", "")
        XCTAssertEqual(try ResultTable(path: empty).rows.count, 0, "an empty file holds no rows")
    }
}

/// ResultTable.pairedSpeedup, the one place rows are compared round by round.
final class PairedSpeedupTests: XCTestCase {
    func testSpeedupIsTheMedianOfPairedRatios() {
        let two = ["experiment": "e", "median_s": "2", "raw_samples_s": "1;2;4"]
        let three = ["experiment": "e", "median_s": "3", "raw_samples_s": "3;2;4"]
        // Paired ratios 3, 1, 1: median 1, where the ratio of medians says 1.5.
        XCTAssertEqual(ResultTable.pairedSpeedup(three, over: two)?.value, 1)
        var otherRun = three
        otherRun["experiment"] = "f"
        XCTAssertEqual(ResultTable.pairedSpeedup(otherRun, over: two)?.value, 1.5)
        XCTAssertNil(ResultTable.pairedSpeedup(otherRun, over: two)?.interval, "rows of different runs cannot be paired, so they have no interval")
    }
}

/// ResultTable.samples(of:), the one reader of raw_samples_s.
final class RawSamplesTests: XCTestCase {
    func testSamplesAreReadInRoundOrderAndMalformedCellsAreNil() {
        XCTAssertEqual(ResultTable.samples(of: ["raw_samples_s": "3e-6;1e-6;2e-6"]), [3e-6, 1e-6, 2e-6])
        XCTAssertEqual(ResultTable.samples(of: ["raw_samples_s": ""]), [], "an empty cell: no samples")
        XCTAssertEqual(ResultTable.samples(of: [:]), [], "no cell: no samples")
        for bad in ["1e-6;oops", "1e-6;;2e-6", "inf", "1e-6;"] {
            XCTAssertNil(ResultTable.samples(of: ["raw_samples_s": bad]), "'\(bad)' is not a list of finite numbers separated by ';'")
        }
    }
}

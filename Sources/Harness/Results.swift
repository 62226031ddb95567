import Foundation

/// The CSV schema, version 6, documented in results/README.md. This type is the one place the columns
/// are listed in Swift; `show` reads files back through it and plots/ reads the same documented schema.
public enum ResultSchema {
    public static let version = 6
    /// Versions this build reads (older files lack some columns, read as empty cells); it writes `version`.
    public static let readableVersions = [3, 4, 5, 6]
    /// Columns version 4 added to version 3: the medians' confidence intervals, the sampling precision
    /// and the noise rounds, and the efficiencies' intervals.
    public static let addedInVersion4 = [
        "median_ci_low_s", "median_ci_high_s", "precision", "precision_target", "precision_met", "rounds_repeated",
        "efficiency_ci_low", "efficiency_ci_high", "order",
    ]
    /// Columns version 5 added to version 4: `batch`, the rows of n a batched row's call computes (empty for
    /// every other row, and in every older file: those rows compute one vector).
    public static let addedInVersion5 = ["batch"]
    /// Columns version 6 added to version 5: what a row measures has a column per sort (ResultRow.Subject).
    /// Before it, `algorithm` held all three; ResultTable moves an older file's cell to its kind's column.
    public static let addedInVersion6 = ["pass_family", "reference"]

    public static let columns = [
        "schema_version", "experiment", "processor_id", "microarchitecture", "isa", "preset", "kind", "algorithm",
        "pass_family", "reference", "kernel", "n", "batch", "threads", "placement", "cpus", "cpu", "samples", "calls_per_sample", "median_s", "p25_s", "p75_s", "min_s",
        "median_ci_low_s", "median_ci_high_s", "precision", "precision_target", "precision_met", "rounds_repeated",
        "elements_per_s", "effective_gbps", "bytes_per_element", "real_gbps", "output_error", "status", "error",
        "cycles_per_element", "instructions_per_element", "llc_misses_per_element", "task_clock_ns_per_element",
        "page_faults_per_call", "context_switches_per_call", "cpu_migrations_per_call",
        "roofline_bound", "memory_bound_s", "compute_bound_s", "efficiency", "efficiency_ci_low", "efficiency_ci_high",
        "input_range", "mask", "order", "max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error",
        "raw_samples_s",
    ]

    /// The readable versions in words: "3, 4 or 5" (`conjunction` "or"), "3, 4 and 5".
    public static func readableVersionsText(_ conjunction: String) -> String {
        let names = readableVersions.map(String.init)
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " \(conjunction) " + names.last!
    }

    /// The columns of an older readable version: today's less those added since.
    public static func columns(version: Int) -> [String] {
        let later = (version < 4 ? addedInVersion4 : []) + (version < 5 ? addedInVersion5 : []) + (version < 6 ? addedInVersion6 : [])
        return columns.filter { !later.contains($0) }
    }

    /// Columns that must hold a whole number where not empty.
    public static let integerColumns: Set<String> = ["schema_version", "n", "batch", "threads", "cpu", "samples", "calls_per_sample", "rounds_repeated"]
    /// Columns that must hold a finite number where not empty (raw_samples_s: numbers separated by ';').
    public static let numberColumns: Set<String> = [
        "median_s", "p25_s", "p75_s", "min_s", "elements_per_s", "effective_gbps", "bytes_per_element", "real_gbps", "output_error",
        "cycles_per_element", "instructions_per_element", "llc_misses_per_element", "task_clock_ns_per_element",
        "page_faults_per_call", "context_switches_per_call", "cpu_migrations_per_call", "memory_bound_s", "compute_bound_s",
        "efficiency", "max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error",
        "median_ci_low_s", "median_ci_high_s", "precision", "precision_target", "efficiency_ci_low", "efficiency_ci_high",
    ]
    /// Cells an `ok` row must have: its timings, or for accuracy rows its errors.
    public static let requiredWhenOK = ["median_s", "p25_s", "p75_s", "min_s", "samples", "raw_samples_s"]
    public static let requiredWhenOKAccuracy = ["max_error_ulp", "mean_error_ulp", "max_relative_error", "mean_relative_error"]

    /// Why a row cannot be a measurement (the first bad column and why), or nil when it can.
    public static func problem(in row: [String: String]) -> (column: String, why: String)? {
        guard let kind = row["kind"], ResultRow.Kind(rawValue: kind) != nil else {
            return ("kind", "'\(row["kind"] ?? "")' is not one of \(["softmax", "pass", "reference", "peak", "accuracy"].joined(separator: ", "))")
        }
        let subject = ResultRow.Subject.column(forKind: kind)
        for column in ResultRow.Subject.columns where (row[column] ?? "").isEmpty == (column == subject) {
            return (column, column == subject ? "it is empty in a \(kind) row, which names what it measures here"
                                              : "'\(row[column] ?? "")' in a \(kind) row, whose \(subject) says what it measures (one of \(ResultRow.Subject.columns.joined(separator: ", ")) per row)")
        }
        guard let status = row["status"], status == "ok" || status == "error" else { return ("status", "'\(row["status"] ?? "")' is neither ok nor error") }
        if let met = row["precision_met"], !["", "yes", "no"].contains(met) { return ("precision_met", "'\(met)' is neither yes nor no") }
        for column in columns {
            guard let cell = row[column], !cell.isEmpty else { continue }
            if integerColumns.contains(column), Int(cell) == nil { return (column, "'\(cell)' is not a whole number") }
            if numberColumns.contains(column), !(Double(cell)?.isFinite ?? false) { return (column, "'\(cell)' is not a finite number") }
            if column == "raw_samples_s", ResultTable.samples(of: row) == nil {
                return (column, "'\(cell)' is not a list of numbers separated by ';'")
            }
        }
        guard status == "ok" else { return nil }
        for column in kind == "accuracy" ? requiredWhenOKAccuracy : requiredWhenOK where (row[column] ?? "").isEmpty {
            return (column, "it is empty in a row whose status is ok")
        }
        return nil
    }

    /// The columns that identify a configuration across runs (for --resume): ResultRow.key joins them.
    public static let keyColumns = [
        "kind", "isa", "preset", "algorithm", "pass_family", "reference", "kernel", "n", "batch", "threads", "placement", "input_range", "mask", "order",
    ]

    /// Counter columns and how each event is normalised: per element of every timed call, or per call.
    public enum Normalisation: Sendable { case perElement, perCall }
    public static let counterColumns: [(column: String, normalisation: Normalisation)] = [
        ("cycles_per_element", .perElement), ("instructions_per_element", .perElement),
        ("llc_misses_per_element", .perElement), ("task_clock_ns_per_element", .perElement),
        ("page_faults_per_call", .perCall), ("context_switches_per_call", .perCall), ("cpu_migrations_per_call", .perCall),
    ]
}

/// One measured configuration: one CSV row.
public struct ResultRow: Equatable, Sendable {
    public typealias Kind = ResultKind
    public typealias Subject = ResultSubject

    /// A pass's roofline verdict: the larger of its two lower bounds on time, and how close it came.
    public struct Roofline: Equatable, Sendable {
        /// Its traffic at the bandwidth of the matching memory reference, measured at the same n (median).
        public var memoryBoundSeconds: Double
        /// Its arithmetic at the speed the same kernel reaches on L2-resident buffers (median).
        public var computeBoundSeconds: Double
        /// Each bound per round, in the order of the pass's own samples (empty when not taken side by side).
        public var memoryBoundSamples: [Double] = []
        public var computeBoundSamples: [Double] = []

        public init(memoryBoundSeconds: Double, computeBoundSeconds: Double,
                    memoryBoundSamples: [Double] = [], computeBoundSamples: [Double] = []) {
            self.memoryBoundSeconds = memoryBoundSeconds
            self.computeBoundSeconds = computeBoundSeconds
            self.memoryBoundSamples = memoryBoundSamples
            self.computeBoundSamples = computeBoundSamples
        }

        public var bound: String { memoryBoundSeconds >= computeBoundSeconds ? "memory" : "compute" }

        /// How close the pass came to the larger bound, 1 meaning at it: the median over rounds of that bound's
        /// time / the pass's time in the same round. Pairing cancels the machine's drift between rounds, which
        /// a ratio of medians keeps (docs/protocol.md, "Roofline verdict"). Without per-round bounds, the ratio
        /// of medians.
        public func efficiency(samples: [Double], median: Double) -> Double {
            let bounds = bound == "memory" ? memoryBoundSamples : computeBoundSamples
            guard !samples.isEmpty, bounds.count == samples.count, !samples.contains(where: { $0 <= 0 }) else {
                return Swift.max(memoryBoundSeconds, computeBoundSeconds) / median
            }
            return Harness.median(zip(bounds, samples).map { $0 / $1 })
        }

        /// The interval of the paired efficiency (bound / pass time per round); nil without per-round bounds.
        public func efficiencyInterval(samples: [Double]) -> MedianInterval? {
            pairedRatio(bound == "memory" ? memoryBoundSamples : computeBoundSamples, over: samples)
        }
    }

    /// An accuracy row's errors against a float64 reference, over every element of every input it tried.
    public struct Accuracy: Equatable, Sendable {
        /// The input range as written in the experiment, e.g. "[-1e4,1e4]".
        public var inputRange: String
        /// What was masked, e.g. "" (nothing) or "10%=-inf".
        public var mask: String
        /// The elements' order (InputOrder): "random", "ascending", "descending", "max-first", "max-last".
        public var order: String
        public var maxErrorULP: Double
        public var meanErrorULP: Double
        public var maxRelativeError: Double
        public var meanRelativeError: Double
        public init(inputRange: String, mask: String, order: String = InputOrder.random.rawValue, maxErrorULP: Double, meanErrorULP: Double,
                    maxRelativeError: Double, meanRelativeError: Double) {
            self.inputRange = inputRange
            self.mask = mask
            self.order = order
            self.maxErrorULP = maxErrorULP
            self.meanErrorULP = meanErrorULP
            self.maxRelativeError = maxRelativeError
            self.meanRelativeError = meanRelativeError
        }
    }

    public var experiment: String
    public var processorID: String
    public var microarchitecture: String
    public var isa: String
    public var preset: String
    public var kind: Kind
    /// What the row measures; its column follows from `kind` (Subject.column(forKind:)).
    public var subject: Subject
    public var kernel: String
    public var n: Int
    /// Batched rows: the rows of n elements each call computes (B); nil (an empty cell) for every other row,
    /// which computes one vector.
    public var batch: Int?
    public var threads: Int = 1
    /// Multi-threaded rows: how the workers were placed (`compact`, `scattered`); empty for one thread.
    public var placement: String = ""
    /// Multi-threaded rows: the OS CPU every worker was observed on, in worker order.
    public var cpus: [Int] = []
    public var cpu: Int
    public var callsPerSample: Int = 1
    /// Seconds per call, one per kept sample, in the order measured; empty for an error row.
    public var samples: [Double] = []
    public var bytesPerElement: Double
    public var outputError: Double?
    public var error: String?
    /// Counter column -> value, already normalised; a column absent here is an empty cell.
    public var counters: [String: Double] = [:]
    /// Pass rows of a run that measured references and peaks.
    public var roofline: Roofline?
    /// Accuracy rows (no timings).
    public var accuracy: Accuracy?
    /// The relative half-width of the median's interval the sampling aimed at; nil when none (accuracy rows).
    public var precisionTarget: Double?
    /// Whether every precision target this row takes part in was met (its median's, and the paired ratios of
    /// the comparisons it belongs to) when its size's rounds stopped.
    public var precisionMet: Bool?
    /// Rounds of this row's size that were measured again because another load ran on the measuring CPU.
    public var roundsRepeated: Int?

    /// Identifies a configuration across runs, for --resume.
    public var key: String {
        let subjects = Subject.columns.map { $0 == subject.column ? subject.name : "" }
        return ([kind.rawValue, isa, preset] + subjects + [kernel, String(n), batch.map(String.init) ?? "", String(threads), placement, accuracy?.inputRange ?? "", accuracy?.mask ?? "", accuracy?.order ?? ""])
            .joined(separator: "|")
    }

    public var summary: SampleSummary? { error == nil ? SampleSummary(samples) : nil }

    public func cells() -> [String: String] {
        assert(subject.column == Subject.column(forKind: kind.rawValue), "a \(kind) row names a \(subject.column)")
        var c: [String: String] = [
            "schema_version": String(ResultSchema.version), "experiment": experiment, "processor_id": processorID,
            "microarchitecture": microarchitecture, "isa": isa, "preset": preset, "kind": kind.rawValue,
            subject.column: subject.name, "kernel": kernel, "n": String(n), "batch": batch.map(String.init) ?? "", "threads": String(threads), "placement": placement,
            "cpus": cpus.map(String.init).joined(separator: ";"), "cpu": String(cpu),
            "bytes_per_element": format(bytesPerElement), "status": error == nil ? "ok" : "error", "error": error ?? "",
        ]
        if let e = outputError { c["output_error"] = format(e) }
        if let a = accuracy {
            c["input_range"] = a.inputRange
            c["mask"] = a.mask
            c["order"] = a.order
            if error == nil {
                c["max_error_ulp"] = format(a.maxErrorULP)
                c["mean_error_ulp"] = format(a.meanErrorULP)
                c["max_relative_error"] = format(a.maxRelativeError)
                c["mean_relative_error"] = format(a.meanRelativeError)
            }
        }
        if let s = summary {
            // Elements per call: a batched row's call computes `batch` rows of n.
            let n = Double(self.n) * Double(batch ?? 1)
            c["samples"] = String(s.count)
            c["calls_per_sample"] = String(callsPerSample)
            c["median_s"] = format(s.median)
            c["p25_s"] = format(s.p25)
            c["p75_s"] = format(s.p75)
            c["min_s"] = format(s.min)
            c["elements_per_s"] = format(n / s.median)
            c["effective_gbps"] = format(8 * n / s.median / 1e9)
            c["real_gbps"] = format(bytesPerElement * n / s.median / 1e9)
            c["raw_samples_s"] = samples.map(format).joined(separator: ";")
            if let ci = MedianInterval(samples) {
                c["median_ci_low_s"] = format(ci.low)
                c["median_ci_high_s"] = format(ci.high)
                c["precision"] = format(ci.relativeHalfWidth)
            }
            if let t = precisionTarget { c["precision_target"] = format(t) }
            if let met = precisionMet { c["precision_met"] = met ? "yes" : "no" }
            if let r = roundsRepeated { c["rounds_repeated"] = String(r) }
            for (column, value) in counters { c[column] = format(value) }
            if let r = roofline {
                c["roofline_bound"] = r.bound
                c["memory_bound_s"] = format(r.memoryBoundSeconds)
                c["compute_bound_s"] = format(r.computeBoundSeconds)
                c["efficiency"] = format(r.efficiency(samples: samples, median: s.median))
                if let ci = r.efficiencyInterval(samples: samples) {
                    c["efficiency_ci_low"] = format(ci.low)
                    c["efficiency_ci_high"] = format(ci.high)
                }
            }
        }
        return c
    }

    public func csvLine() -> String {
        let c = cells()
        return ResultSchema.columns.map { csvEscape(c[$0] ?? "") }.joined(separator: ",")
    }
}

func format(_ value: Double) -> String {
    if value == value.rounded() && Swift.abs(value) < 1e15 { return String(Int(value)) }
    return String(format: "%.6g", value)
}

func csvEscape(_ cell: String) -> String {
    guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
    return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// RFC 4180 parsing: quoted cells may hold commas, quotes ("") and newlines.
public func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], cell = ""
    var inQuotes = false
    var iterator = Array(text.unicodeScalars).makeIterator()
    var pending: Unicode.Scalar? = nil
    func next() -> Unicode.Scalar? {
        if let p = pending { pending = nil; return p }
        return iterator.next()
    }
    while let ch = next() {
        if inQuotes {
            if ch == "\"" {
                if let after = next() {
                    if after == "\"" { cell.unicodeScalars.append("\"") } else { inQuotes = false; pending = after }
                } else { inQuotes = false }
            } else { cell.unicodeScalars.append(ch) }
        } else if ch == "\"" {
            inQuotes = true
        } else if ch == "," {
            row.append(cell); cell = ""
        } else if ch == "\n" {
            row.append(cell); cell = ""
            rows.append(row); row = []
        } else if ch != "\r" {
            cell.unicodeScalars.append(ch)
        }
    }
    if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
    return rows
}

/// A results CSV read back: header-checked, as dictionaries keyed by column. Rows that cannot be
/// measurements (a torn line, a cell that is not a number) are left out of `rows` and listed in
/// `invalidRows`, so they are never shown, drawn or kept as measured.
public struct ResultTable {
    public let path: String
    public let rows: [[String: String]]
    /// The schema version of the file's rows (the current one for a file without rows).
    public private(set) var schemaVersion = ResultSchema.version
    public let invalidRows: [InvalidRow]

    /// A row that is not a measurement, and where.
    public struct InvalidRow: Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var column: String?
        public var why: String
        public var description: String { "\(path) line \(line)\(column.map { ", column \($0)" } ?? ""): \(why)" }
    }

    /// The CSV a user names: a path as given, or an experiment id such as `softmax`, which means this
    /// processor's `<folder>/<processor-id>/<id>.csv` in the first of `resultsFolders` that has it (a local
    /// run before the committed reference run).
    public static func locate(_ argument: String, resultsFolders: [String], processorID: String) throws -> String {
        if FileManager.default.fileExists(atPath: argument) { return argument }
        let isName = ResultsLayout.isValidExperimentID(argument)
        var candidates: [String] = []
        for folder in resultsFolders {
            let candidate = ResultsLayout(resultsFolder: URL(fileURLWithPath: folder)).csv(experiment: argument, processorID: processorID).path
            if !candidates.contains(candidate) { candidates.append(candidate) }
        }
        if isName, let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw HarnessError.missingResults(argument, thisProcessors: isName ? candidates.joined(separator: " or ") : nil)
    }

    public init(path: String) throws {
        self.path = path
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw HarnessError.unreadableResults(path, "it cannot be read (\(error.localizedDescription))")
        }
        let lines = parseCSV(text)
        guard let header = lines.first else { rows = []; invalidRows = []; return }
        if let repeated = header.first(where: { column in header.filter { $0 == column }.count > 1 }) {
            throw HarnessError.unreadableResults(path, "its header repeats the column '\(repeated)'")
        }
        // The version from the header: every column of this build, or of an older readable version.
        guard let fileVersion = ResultSchema.readableVersions.sorted(by: >).first(where: { v in ResultSchema.columns(version: v).allSatisfy(header.contains) }) else {
            let closest = ResultSchema.addedInVersion4.contains(where: header.contains) ? ResultSchema.version : ResultSchema.readableVersions.min()!
            let missing = ResultSchema.columns(version: closest).filter { !header.contains($0) }
            throw HarnessError.unreadableResults(path, "its header lacks \(missing.joined(separator: ", ")); it is not a softmax-repro results file of schema \(ResultSchema.readableVersionsText("or"))")
        }
        schemaVersion = fileVersion
        var rows: [[String: String]] = []
        var invalid: [InvalidRow] = []
        for (i, line) in lines.dropFirst().enumerated() where !(line.count == 1 && line[0].isEmpty) {
            guard line.count == header.count else {
                invalid.append(InvalidRow(path: path, line: i + 2, column: nil, why: "it has \(line.count) cells, the header \(header.count) (a torn or foreign line)"))
                continue
            }
            var row = Dictionary(uniqueKeysWithValues: zip(header, line))
            if fileVersion < 6 { ResultSubject.moveToItsColumn(&row) }
            guard row["schema_version"] == String(fileVersion) else {
                throw HarnessError.unreadableResults(path, "line \(i + 2) has schema_version \(row["schema_version"] ?? ""), its header schema_version \(fileVersion); this build reads \(ResultSchema.readableVersionsText("and")) (scripts/upgrade-results.py upgrades older files)")
            }
            if let problem = ResultSchema.problem(in: row) {
                invalid.append(InvalidRow(path: path, line: i + 2, column: problem.column, why: problem.why))
                continue
            }
            rows.append(row)
        }
        self.rows = rows
        self.invalidRows = invalid
    }

    /// Keys of the configurations measured, as ResultRow.key builds them: those that succeeded, and accuracy
    /// rows whatever their status (the same inputs through the same kernels fail again: their error rows are
    /// findings, not mishaps worth another try, and a retry would only repeat them in the file).
    public var completedKeys: Set<String> {
        Set(rows.filter { $0["status"] == "ok" || $0["kind"] == "accuracy" }.map(ResultTable.key))
    }

    /// A row's configuration key, as ResultRow.key builds it.
    public static func key(_ row: [String: String]) -> String {
        ResultSchema.keyColumns.map { row[$0] ?? "" }.joined(separator: "|")
    }
}

/// Appends rows to a CSV as they are measured, flushing each, so an interrupted run keeps them.
public final class ResultWriter {
    public let path: String
    private let handle: FileHandle

    /// The file's own column order: rows are appended in it, so a file whose header lists the columns in
    /// another order (edited by hand, or written by another tool) stays one consistent table.
    public let columns: [String]

    /// Opens `path` for appending, writing the header if the file is new or empty. An existing file whose last
    /// line was cut off (a killed run) gets a line break first, so the next row starts on a line of its own.
    public init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        let existing = fm.contents(atPath: path) ?? Data()
        if existing.isEmpty {
            guard fm.createFile(atPath: path, contents: Data((ResultSchema.columns.joined(separator: ",") + "\n").utf8)) else {
                throw HarnessError.unwritableResults(path, "the file cannot be created")
            }
            columns = ResultSchema.columns
        } else {
            let header = parseCSV(String(decoding: existing.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)).first ?? []
            guard Set(header).isSuperset(of: ResultSchema.columns) else {
                throw HarnessError.incompatibleResults(path, "its header lacks \(ResultSchema.columns.filter { !header.contains($0) }.joined(separator: ", "))")
            }
            columns = header
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw HarnessError.unwritableResults(path, "the file cannot be opened for writing") }
        self.handle = handle
        handle.seekToEndOfFile()
        if let last = existing.last, last != UInt8(ascii: "\n") { handle.write(Data("\n".utf8)) }
    }

    public func append(_ row: ResultRow) {
        let cells = row.cells()
        let line = columns == ResultSchema.columns ? row.csvLine() : columns.map { csvEscape(cells[$0] ?? "") }.joined(separator: ",")
        // One write per row: a run killed mid-row leaves at most that row torn, and readers skip it.
        handle.write(Data((line + "\n").utf8))
        try? handle.synchronize()
    }

    deinit { try? handle.close() }
}

extension ResultTable {
    /// A row's `raw_samples_s`: its timed samples in seconds, in round order; [] where the cell is empty,
    /// nil where it is not a list of finite numbers separated by ';'. The one reader of that cell.
    public static func samples(of row: [String: String]) -> [Double]? {
        let cell = row["raw_samples_s"] ?? ""
        if cell.isEmpty { return [] }
        var values: [Double] = []
        for part in cell.split(separator: ";", omittingEmptySubsequences: false) {
            guard let value = Double(part), value.isFinite else { return nil }
            values.append(value)
        }
        return values
    }

    /// Median over rounds of `variant` time / `base` time, and its 95% interval. The runner interleaves the
    /// configurations of one size and keeps their samples in round order, so sample i of each was taken
    /// side by side, and pairing them cancels drift. Rows of different runs fall back to the ratio of
    /// medians, without an interval; nil where neither can be formed.
    public static func pairedSpeedup(_ variant: [String: String], over base: [String: String]) -> (value: Double, interval: MedianInterval?)? {
        let a = samples(of: variant) ?? [], b = samples(of: base) ?? []
        let sameRun = variant["experiment"] == base["experiment"]
        let interval = sameRun ? pairedRatio(a, over: b) : nil
        if !a.isEmpty, a.count == b.count, sameRun, !b.contains(0) {
            return (median(zip(a, b).map { $0 / $1 }), interval)
        }
        guard let m = Double(variant["median_s"] ?? ""), let t = Double(base["median_s"] ?? ""), t > 0 else { return nil }
        return (m / t, interval)
    }
}

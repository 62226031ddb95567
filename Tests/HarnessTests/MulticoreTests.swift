import Foundation
import Platform
import Softmax
import XCTest
@testable import Harness

/// The multicore experiment end to end (tiny sizes; nothing asserts a speed) and its experiment keys.
final class MulticoreTests: RunnerTestCase {
    override func tearDownWithError() throws {
        // The run pinned this thread as worker 0 of its pools; later tests must not inherit that.
        if let topology = try? Topology() { Pinning.unpinCurrentThread(topology: topology) }
        try super.tearDownWithError()
    }

    func testTinyMulticoreRunHasARowPerThreadCountAlgorithmAndReference() throws {
        let sizes = [1000, 70_000]
        try writeExperiment("tinymc", tinyJSON(kind: "multicore", sizes: sizes, extra: #""isas": ["portable"]"#))
        let report = try run("tinymc")
        let table = try readTable(report)
        let topology = try Topology()
        let cores = topology.coreLocations().count
        let (counts, _) = try Experiment.parse(Data(tinyJSON(kind: "multicore", sizes: sizes).utf8), id: "x", source: "x").threadCounts(cores: cores)
        XCTAssertEqual(counts.first, 1, "thread counts should start at 1, saw \(counts)")
        XCTAssertEqual(counts.last, cores, "thread counts should end at all \(cores) cores, saw \(counts)")
        XCTAssertEqual(report.errorRows, 0, "error rows: expected none; log:\n\(log.text)")
        assertContains(log.text, ["--cpu 0 does not apply to a multicore experiment"], "the tests pass --cpu 0, which placements override")

        for threads in counts {
            let rows = table.rows.filter { $0["threads"] == String(threads) }
            let placements = Set(rows.map { $0["placement"] ?? "" })
            XCTAssertFalse(rows.isEmpty, "\(threads) threads: expected rows, saw none")
            if threads == 1 {
                XCTAssertEqual(placements, [""], "one thread: placement should be empty, saw \(placements)")
            } else {
                XCTAssert(placements.isSubset(of: ["compact", "scattered"]) && placements.contains("compact"),
                          "\(threads) threads: placements expected compact (and scattered where it differs), saw \(placements)")
            }
            for placement in placements {
                let mine = rows.filter { $0["placement"] == placement }
                let softmax = mine.filter { $0["kind"] == "softmax" }
                let references = mine.filter { $0["kind"] == "reference" }
                XCTAssertEqual(softmax.count, algorithms.count * sizes.count,
                               "\(threads) threads \(placement): one softmax row per algorithm and size, saw \(softmax.count)")
                XCTAssertEqual(Set(references.map { $0["reference"] ?? "" }), ["read", "copy", "copy_nt"],
                               "\(threads) threads \(placement): multicore runs read, copy and copy_nt references by default")
                for row in mine {
                    let cpus = (row["cpus"] ?? "").split(separator: ";").compactMap { Int($0) }
                    XCTAssertEqual(cpus.count, threads, "\(describe(row)) \(threads) threads: cpus should list one CPU per worker, saw '\(row["cpus"] ?? "")'")
                    XCTAssertEqual(Set(cpus).count, threads, "\(describe(row)): workers should be on distinct CPUs, saw \(cpus)")
                    XCTAssertEqual(row["cpu"], cpus.first.map(String.init), "\(describe(row)): cpu should be worker 0's")
                    XCTAssertEqual(row["status"], "ok", "\(describe(row)): \(row["error"] ?? "")")
                    XCTAssertEqual(row["cycles_per_element"], "", "\(describe(row)): counters are not recorded for split calls")
                }
            }
        }
        let metadata = try readMetadata(report)
        let multicore = try XCTUnwrap(metadata["multicore"] as? [String: Any], "metadata should describe the multicore run")
        XCTAssertEqual((multicore["configurations"] as? [[String: Any]])?.count, Set(table.rows.map { "\($0["threads"] ?? "")|\($0["placement"] ?? "")" }).count,
                       "metadata.multicore.configurations should list every thread count and placement measured")
        XCTAssertNotNil(multicore["scatter_level"], "metadata should say what scattered spreads over")
        XCTAssertFalse((multicore["memory"] as? [String] ?? []).isEmpty, "metadata should say how the slices were placed")
        let counters = try XCTUnwrap(metadata["counters"] as? [String: Any])
        XCTAssertEqual(counters["available"] as? [String], [], "no counter is recorded for split calls")
        let reasons = counters["unavailable"] as? [String: String] ?? [:]
        XCTAssert(reasons.values.allSatisfy { $0.contains("one worker of several") }, "each counter should say why it is missing, saw \(reasons)")

        // Resume measures nothing twice: the key includes threads and placement.
        let again = try run("tinymc") { $0.resume = true }
        XCTAssertEqual(again.rowsWritten, 0, "resume with nothing missing should measure nothing, wrote \(again.rowsWritten)")
    }

    func testThreadCountsAboveTheCoresAreSkippedAndNoneFittingIsAnError() throws {
        let cores = try Topology().coreLocations().count
        try writeExperiment("toomany", tinyJSON(kind: "multicore", sizes: [1000], extra: #""isas": ["portable"], "threads": [\#(cores + 1)]"#))
        let error = runExpectingError("toomany", what: "only thread counts above the core count")
        assertContains(error?.description ?? "", ["\(cores + 1)", "\(cores) cores", "threads"])

        try writeExperiment("some", tinyJSON(kind: "multicore", sizes: [1000], extra: #""isas": ["portable"], "algorithms": ["two-pass"], "threads": [1, \#(cores + 1)]"#))
        let report = try run("some")
        assertContains(log.text, ["skipping \(cores + 1) threads"], "log")
        XCTAssertEqual(Set(try readTable(report).rows.map { $0["threads"] ?? "" }), ["1"], "only the fitting count should run")
    }

    func testMulticoreKeysAreValidated() throws {
        func parse(_ json: String) throws -> Experiment { try Experiment.parse(Data(json.utf8), id: "e", source: "e.json") }
        let cases: [(String, [String])] = [
            (tinyJSON(kind: "softmax", sizes: [10], extra: #""threads": [2]"#), ["'threads'", "multicore experiments only"]),
            (tinyJSON(kind: "multicore", sizes: [10], extra: #""threads": []"#), ["'threads'", "empty"]),
            (tinyJSON(kind: "multicore", sizes: [10], extra: #""threads": [0]"#), ["'threads'", "at least 1"]),
            (tinyJSON(kind: "multicore", sizes: [10], extra: #""placements": []"#), ["'placements'", "empty"]),
            (tinyJSON(kind: "multicore", sizes: [10], extra: #""placements": ["spread"]"#), ["placements"]),
        ]
        for (json, parts) in cases {
            let error = assertHarnessError(json) { try parse(json) }
            assertContains(error?.description ?? "", parts, json)
        }
        // A count listed twice would measure its configurations twice: an error naming it.
        let repeated = assertHarnessError("threads [4, 1, 2, 2]") { try parse(tinyJSON(kind: "multicore", sizes: [10], extra: #""threads": [4, 1, 2, 2]"#)) }
        assertContains(repeated?.description ?? "", ["key 'threads' lists 2 twice"])
        let e = try parse(tinyJSON(kind: "multicore", sizes: [10], extra: #""threads": [4, 1, 2]"#))
        XCTAssertEqual(e.threadCounts(cores: 2).counts, [1, 2], "counts above 2 cores dropped, sorted")
        XCTAssertEqual(e.threadCounts(cores: 2).notes.count, 1, "one note for the dropped count")
        let defaults = try parse(tinyJSON(kind: "multicore", sizes: [10]))
        XCTAssertEqual(defaults.threadCounts(cores: 6).counts, [1, 2, 4, 6], "default: powers of two, then all cores")
        XCTAssertEqual(defaults.threadCounts(cores: 1).counts, [1])
        XCTAssertEqual(defaults.spec(as: MulticoreSpec.self).placements, [.compact, .scattered])
        XCTAssertEqual(defaults.references, ["read", "copy", "copy_nt"])
    }
}

import Foundation
import Platform
import Softmax
import XCTest
@testable import Harness

/// The batched experiment end to end (tiny sizes; nothing asserts a speed), its keys, the shipped files,
/// and the verdict on synthetic samples.
final class BatchedTests: RunnerTestCase {
    override func tearDownWithError() throws {
        // The run pinned this thread as worker 0 of its pools; later tests must not inherit that.
        if let topology = try? Topology() { Pinning.unpinCurrentThread(topology: topology) }
        try super.tearDownWithError()
    }

    func testTinyBatchedRunHasARowPerSizeBatchAndAlgorithmWithAVerdict() throws {
        let sizes = [1000, 50257]
        let batches = [1, 3, 16]
        try writeExperiment("tinyb", tinyJSON(kind: "batched", sizes: sizes, extra: #""isas": ["portable"], "batches": [1, 3, 16]"#))
        let report = try run("tinyb")
        let table = try readTable(report)
        XCTAssertEqual(report.errorRows, 0, "error rows: expected none; log:\n\(log.text)")
        assertContains(log.text, ["--cpu 0 does not apply to a batched experiment"], "the tests pass --cpu 0, which the compact placement overrides")
        let cores = try Topology().coreLocations().count
        XCTAssertEqual(table.rows.count, sizes.count * batches.count * algorithms.count,
                       "rows: one per size, batch and algorithm, saw \(table.rows.count)")
        for batch in batches {
            let rows = table.rows.filter { $0["batch"] == String(batch) }
            let threads = min(batch, cores)
            XCTAssertEqual(rows.count, sizes.count * algorithms.count, "B=\(batch): one row per size and algorithm, saw \(rows.count)")
            for row in rows {
                XCTAssertEqual(row["status"], "ok", "\(describe(row)) B=\(batch): \(row["error"] ?? "")")
                XCTAssertEqual(row["kind"], "softmax", "\(describe(row)): batched rows are whole softmaxes")
                XCTAssertEqual(row["threads"], String(threads), "\(describe(row)) B=\(batch): min(B, \(cores) cores) workers")
                XCTAssertEqual(row["placement"], threads > 1 ? "compact" : "", "\(describe(row)) B=\(batch): placement")
                XCTAssertEqual((row["cpus"] ?? "").split(separator: ";").count, threads, "\(describe(row)): one CPU per worker")
                // Elements per call are B rows of n: the rate columns count them all.
                let n = try XCTUnwrap(cellDouble(row, "n")), median = try XCTUnwrap(cellDouble(row, "median_s"))
                assertClose(cellDouble(row, "elements_per_s"), n * Double(batch) / median, relative: 1e-5, "\(describe(row)) B=\(batch) elements_per_s")
                XCTAssertLessThanOrEqual(cellDouble(row, "output_error") ?? .infinity, 1e-3, "\(describe(row)): every row's sum is checked")
            }
        }
        let metadata = try readMetadata(report)
        let batched = try XCTUnwrap(metadata["batched"] as? [String: Any], "metadata should describe the batched run")
        XCTAssertEqual((batched["configurations"] as? [[String: Any]])?.count, batches.count, "one configuration per batch")
        XCTAssertEqual(metadata["experiment_kind"] as? String, "batched")

        // show: a verdict for every size and batch.
        let shown = Summary.render(table)
        for n in sizes {
            for batch in batches {
                XCTAssert(shown.contains("n=\(n) B=\(batch) "), "show should have a line for n=\(n) B=\(batch):\n\(shown)")
            }
        }
        XCTAssert(shown.contains("vs three-pass-recompute") && shown.contains("vs three-pass-reload"), "show should give two-pass's paired speedups:\n\(shown)")
        XCTAssert(shown.contains("wins") || shown.contains("tie with"), "show should give a verdict:\n\(shown)")

        // Resume measures nothing twice: the key includes the batch.
        let again = try run("tinyb") { $0.resume = true }
        XCTAssertEqual(again.rowsWritten, 0, "resume with nothing missing should measure nothing, wrote \(again.rowsWritten)")
    }

    func testBatchedKeysAreValidated() throws {
        func parse(_ json: String) throws -> Experiment { try Experiment.parse(Data(json.utf8), id: "e", source: "e.json") }
        let cases: [(String, [String])] = [
            (tinyJSON(kind: "batched", sizes: [10]), ["e.json", "'batches'", "missing or empty"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batches": []"#), ["'batches'", "missing or empty"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batches": [0, 4]"#), ["'batches'", "has 0", "1 to"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batches": [1000000]"#), ["'batches'", "1000000"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batches": [4, 1, 4]"#), ["key 'batches' lists 4 twice"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batches": ["four"]"#), ["batches"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batchs": [4]"#), ["unknown key 'batchs'", "did you mean 'batches'"]),
            (tinyJSON(kind: "softmax", sizes: [10], extra: #""batches": [4]"#), ["'batches'", "batched experiments only"]),
            (tinyJSON(kind: "batched", sizes: [10], extra: #""batches": [4], "threads": [2]"#), ["'threads'", "multicore experiments only"]),
        ]
        for (json, parts) in cases {
            let error = assertHarnessError(json) { try parse(json) }
            assertContains(error?.description ?? "", parts, json)
        }
        let e = try parse(tinyJSON(kind: "batched", sizes: [10], extra: #""batches": [16, 1]"#))
        XCTAssertEqual(e.spec(as: BatchedSpec.self).batches, [16, 1], "batches as listed")
    }

    /// The shipped experiments parse, name every size, and the full one fits the issue's list.
    func testShippedLLMVocabularyExperimentsParse() throws {
        let folder = repositoryRoot.appendingPathComponent("experiments")
        let full = try Experiment.load(id: "llm-vocab", folder: folder)
        XCTAssertEqual(full.kind, .batched)
        XCTAssertEqual(full.sizes, [32000, 50257, 128_256, 151_936, 256_000, 262_144], "the six vocabularies")
        XCTAssertEqual(full.spec(as: BatchedSpec.self).batches, [1, 4, 16, 64, 256])
        XCTAssertEqual(Set(full.sizeLabels.keys), Set(full.sizes.map(String.init)), "every size has a label")
        let quick = try Experiment.load(id: "llm-vocab-quick", folder: folder)
        XCTAssertEqual(quick.kind, .batched)
        XCTAssertEqual(quick.spec(as: BatchedSpec.self).batches, [1, 16])
        XCTAssertEqual(quick.sizes.count, 2)
        XCTAssertEqual(quick.maxRounds, 10)
    }

    func testVerdictOnSyntheticSamples() throws {
        // two-pass faster in every round by 10-20%: a resolved win.
        let two = (0..<15).map { 1.0 + 0.01 * Double($0 % 5) }
        let slower = two.enumerated().map { $0.element * (1.1 + 0.01 * Double($0.offset % 10)) }
        let win = try XCTUnwrap(BatchedVerdict.decide(["two-pass": two, "three-pass-recompute": slower]))
        XCTAssertEqual(win, BatchedVerdict(winner: "two-pass", tiedWith: []), "a win in every round is resolved")
        XCTAssertEqual(win.text, "two-pass wins")

        // two-pass slower in every round: the other algorithm wins (a loss for two-pass).
        let loss = try XCTUnwrap(BatchedVerdict.decide(["two-pass": slower, "three-pass-reload": two]))
        XCTAssertEqual(loss, BatchedVerdict(winner: "three-pass-reload", tiedWith: []), "a loss in every round is resolved for the other")

        // Alternating 5% either way: medians differ a little, but the paired interval holds 1: a tie.
        let tie = two.enumerated().map { $0.element * ($0.offset % 2 == 0 ? 1.05 : 0.95) }
        let tied = try XCTUnwrap(BatchedVerdict.decide(["two-pass": two, "online": tie, "three-pass-reload": slower]))
        XCTAssertEqual(tied.tiedWith.count, 1, "one algorithm within the noise of the winner, saw \(tied)")
        XCTAssertFalse(tied.resolved)
        XCTAssert(tied.text.contains("tie with"), tied.text)
        XCTAssertFalse(tied.tiedWith.contains("three-pass-reload"), "the clearly slower algorithm is resolved, saw \(tied)")

        // Too few rounds for an interval: never called resolved.
        let few = try XCTUnwrap(BatchedVerdict.decide(["two-pass": [1, 1, 1], "online": [2, 2, 2]]))
        XCTAssertEqual(few, BatchedVerdict(winner: "two-pass", tiedWith: ["online"]), "3 rounds give no interval: a tie, not a win")
        XCTAssertNil(BatchedVerdict.decide(["two-pass": two]), "one algorithm: no verdict")
        XCTAssertNil(BatchedVerdict.decide(["two-pass": two, "online": []]), "an algorithm without samples does not count")
    }
}

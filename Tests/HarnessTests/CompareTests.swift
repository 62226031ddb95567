import Foundation
import Softmax
import XCTest
@testable import Harness

final class CompareTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("compare")
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Writes rows as `softmax-repro run` does and returns the file's path.
    func write(_ rows: [ResultRow], name: String = UUID().uuidString) throws -> String {
        let path = folder.appendingPathComponent("\(name).csv").path
        let writer = try ResultWriter(path: path)
        rows.forEach(writer.append)
        return path
    }

    func row(_ algorithm: String, isa: String = "avx2", n: Int, samples: [Double], experiment: String = "softmax-test",
             processor: String = "test-cpu", preset: String = "blend", kernel: String? = nil) -> ResultRow {
        var r = ResultRow(experiment: experiment, processorID: processor, microarchitecture: "zen4", isa: isa, preset: preset,
                          kind: .softmax, subject: fixtureSubject(.softmax, algorithm), kernel: kernel ?? "\(algorithm)_\(isa)_kernel", n: n, cpu: 1,
                          bytesPerElement: 12)
        r.samples = samples
        return r
    }

    /// One run of 12 configurations (2 ISAs x 3 algorithms x 2 sizes), 15 timing-like samples each, every
    /// configuration's time multiplied by `ratio`.
    func synthetic(seed: UInt64, ratio: Double, spread: Double = 0.02, experiment: String = "softmax-test") -> [ResultRow] {
        var rng = SplitMix64(seed: seed)
        var rows: [ResultRow] = []
        for isa in ["avx2", "avx512f"] {
            for (a, algorithm) in ["two-pass", "three-pass-recompute", "three-pass-reload"].enumerated() {
                for n in [1000, 1_000_000] {
                    let median = Double(n) * 1e-9 * Double(3 + a)
                    let samples = (0..<15).map { _ in ratio * timingLikeSample(&rng, median: median, spread: spread) }
                    rows.append(row(algorithm, isa: isa, n: n, samples: samples, experiment: experiment))
                }
            }
        }
        return rows
    }

    func testSameDistributionGivesNoDifferenceEverywhere() throws {
        let comparison = try Comparison.load(write(synthetic(seed: 1, ratio: 1)), write(synthetic(seed: 2, ratio: 1)))
        XCTAssertEqual(comparison.compared.count, 12, "every configuration is in both files")
        for e in comparison.compared {
            XCTAssertEqual(e.verdict, .noDifference, "\(e.configuration): same distribution, yet \(e.verdict!.rawValue) (B/A \(e.ratio!), adjusted p \(e.adjustedP!))")
            XCTAssertGreaterThanOrEqual(e.adjustedP!, e.statistics!.p, "\(e.configuration): Holm never lowers a p-value")
        }
        XCTAssertEqual(comparison.summaryLine, "0 faster, 0 slower, 12 no difference (12 compared); 0 only in A, 0 only in B, 0 with an error row")
        XCTAssertEqual(comparison.exitStatus(thresholdPercent: 0), 0, "nothing significantly slower: exit 0 even at --threshold 0")
    }

    func testFivePercentSlowerWithLowNoiseIsSlowerAndFailsThresholdTwoButNotTen() throws {
        let comparison = try Comparison.load(write(synthetic(seed: 3, ratio: 1, spread: 0.005)), write(synthetic(seed: 4, ratio: 1.05, spread: 0.005)))
        for e in comparison.compared {
            XCTAssertEqual(e.verdict, .slower, "\(e.configuration): B is 5% slower, saw \(e.verdict!.rawValue) (B/A \(e.ratio!), adjusted p \(e.adjustedP!))")
            XCTAssert((1.03...1.07).contains(e.ratio!), "\(e.configuration): B/A estimate \(e.ratio!) should be near 1.05")
            XCTAssert(e.ratioLow! <= e.ratio! && e.ratio! <= e.ratioHigh!, "\(e.configuration): the interval [\(e.ratioLow!), \(e.ratioHigh!)] must hold the estimate \(e.ratio!)")
        }
        XCTAssertEqual(comparison.regressions(thresholdPercent: 2).count, 12, "every configuration is slower by more than 2%")
        XCTAssertEqual(comparison.exitStatus(thresholdPercent: 2), 1, "--threshold 2: B is 5% slower, so exit 1")
        XCTAssertEqual(comparison.exitStatus(thresholdPercent: 10), 0, "--threshold 10: 5% slower is within it, so exit 0")
        XCTAssertEqual(comparison.exitStatus(thresholdPercent: nil), 0, "without --threshold compare exits 0")
        assertContains(comparison.summaryLine, ["0 faster, 12 slower, 0 no difference"], "summary")
    }

    func testTwentyPercentFasterIsFaster() throws {
        let comparison = try Comparison.load(write(synthetic(seed: 5, ratio: 1)), write(synthetic(seed: 6, ratio: 0.8)))
        for e in comparison.compared {
            XCTAssertEqual(e.verdict, .faster, "\(e.configuration): B is 20% faster, saw \(e.verdict!.rawValue) (B/A \(e.ratio!))")
            XCTAssert((0.76...0.84).contains(e.ratio!), "\(e.configuration): B/A estimate \(e.ratio!) should be near 0.8")
        }
        XCTAssertEqual(comparison.exitStatus(thresholdPercent: 0), 0, "faster is never a regression")
        assertContains(comparison.summaryLine, ["12 faster, 0 slower, 0 no difference"], "summary")
    }

    /// Holm over the configurations: a p-value that alone is below 0.05 need not be after adjustment, and the
    /// verdict follows the adjusted one.
    func testVerdictsFollowHolmAdjustedPValues() throws {
        // 3 against 3 samples, all B above all A: exact p = 0.1 each, never significant; 6 against 6: 2/924.
        let a = [row("two-pass", n: 1000, samples: [1, 1.1, 1.2].map { $0 * 1e-6 }),
                 row("two-pass", n: 2000, samples: [1, 1.1, 1.2, 1.3, 1.4, 1.5].map { $0 * 1e-6 })]
        let b = [row("two-pass", n: 1000, samples: [2, 2.1, 2.2].map { $0 * 1e-6 }),
                 row("two-pass", n: 2000, samples: [2, 2.1, 2.2, 2.3, 2.4, 2.5].map { $0 * 1e-6 })]
        let comparison = try Comparison.load(write(a), write(b))
        let byN = Dictionary(uniqueKeysWithValues: comparison.compared.map { ($0.keyCells["n"]!, $0) })
        XCTAssertEqual(byN["1000"]!.statistics!.p, 0.1, accuracy: 1e-12)
        XCTAssertEqual(byN["2000"]!.statistics!.p, 2.0 / 924, accuracy: 1e-12)
        XCTAssertEqual(byN["2000"]!.adjustedP!, 4.0 / 924, accuracy: 1e-12, "the smaller p times 2 comparisons")
        XCTAssertEqual(byN["1000"]!.adjustedP!, 0.1, accuracy: 1e-12, "the larger p times 1")
        XCTAssertEqual(byN["2000"]!.verdict, .slower)
        XCTAssertEqual(byN["1000"]!.verdict, .noDifference, "3 samples a side cannot reach p < 0.05")
        let table = comparison.renderTable()
        assertContains(table, ["Holm-Bonferroni adjusted over the 2 configurations", "Mann-Whitney U", "Hodges-Lehmann",
                               "configuration", "A median", "B median", "B/A [95% CI]", "p (Holm)", "verdict",
                               "softmax avx2 blend two-pass n=2000", "slower", "* too few samples for 95%"], "table")
    }

    func testConfigurationsInOneFileAndErrorRowsAreListedNotCompared() throws {
        var failed = row("three-pass-reload", n: 1000, samples: [])
        failed.error = "output check failed: sum of outputs is 1.5"
        let a = [row("two-pass", n: 1000, samples: [1, 2, 3].map { $0 * 1e-6 }), row("two-pass", n: 2000, samples: [1, 2, 3].map { $0 * 1e-6 }),
                 row("three-pass-reload", n: 1000, samples: [1, 2, 3].map { $0 * 1e-6 })]
        let b = [row("two-pass", n: 1000, samples: [1, 2, 3].map { $0 * 1e-6 }), row("two-pass", n: 4000, samples: [1, 2, 3].map { $0 * 1e-6 }), failed]
        let comparison = try Comparison.load(write(a), write(b))
        XCTAssertEqual(comparison.entries.map(\.status), [.compared, .onlyInA, .error, .onlyInB])
        XCTAssertEqual(comparison.summaryLine, "0 faster, 0 slower, 1 no difference (1 compared); 1 only in A, 1 only in B, 1 with an error row")
        let table = comparison.renderTable()
        assertContains(table, ["1 configuration(s) only in A:\n  softmax avx2 blend two-pass n=2000",
                               "1 configuration(s) only in B:\n  softmax avx2 blend two-pass n=4000",
                               "1 configuration(s) with an error row:\n  softmax avx2 blend three-pass-reload n=1000; B: output check failed: sum of outputs is 1.5"],
                       "table")
        let csv = parseCSV(comparison.renderCSV())
        XCTAssertEqual(csv.first, Comparison.csvColumns, "CSV header")
        let cells = csv.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(csv[0], $0)) }
        XCTAssertEqual(cells.map { $0["status"]! }, ["compared", "only_in_a", "error", "only_in_b"])
        XCTAssertEqual(cells[0]["verdict"], "no difference")
        XCTAssertEqual(cells[0]["test"], "normal", "equal samples on both sides are ties")
        XCTAssertEqual(Double(cells[0]["ratio"]!), 1, "identical samples: B/A 1")
        XCTAssertEqual(cells[0]["median_a_s"], "2e-06")
        XCTAssertEqual(cells[2]["error_b"], "output check failed: sum of outputs is 1.5")
        XCTAssertEqual(cells[2]["ratio"], "", "an error row has no ratio")
        XCTAssertEqual(cells[1]["kernel_b"], "", "only in A: no B kernel")
    }

    /// `run --resume` measures an error row again and appends its ok row: that is the configuration's result.
    /// Two ok rows of one configuration mean a file that mixes runs: an error.
    func testAResumedErrorRowGivesWayToItsOkRowAndTwoOkRowsAreAnError() throws {
        var failed = row("two-pass", n: 1000, samples: [])
        failed.error = "interrupted"
        let ok = row("two-pass", n: 1000, samples: [1, 2, 3].map { $0 * 1e-6 })
        let comparison = try Comparison.load(write([failed, ok]), write([ok]))
        XCTAssertEqual(comparison.entries.map(\.status), [.compared], "the ok row measured after the error row is the result")

        let twice = try write([ok, ok], name: "twice")
        let error = assertComparisonError("two ok rows of one configuration") { try Comparison.load(twice, try write([ok])) }
        assertContains(error?.description ?? "", [twice, "two ok rows of softmax avx2 blend two-pass n=1000", "line 3"])
    }

    /// Across processors the tuned preset's kernels differ (tune chose them there): rows with a preset match
    /// by preset, and tune's crossover pairs by whether their kernels stream. On one processor kernels must match.
    func testAcrossProcessorsPresetRowsMatchByPresetNotKernelNames() throws {
        let samples = [1, 2, 3].map { $0 * 1e-6 }
        let a = [row("two-pass", n: 1 << 20, samples: samples, processor: "cpu-a", preset: "tuned", kernel: "raddextexp_avx2_x80_acc2+vscaleextexp_avx2_x40_nt"),
                 row("two-pass", n: 1 << 20, samples: samples, processor: "cpu-a", preset: "tuned", kernel: "raddextexp_avx2_x80_acc2+vscaleextexp_avx2_x40"),
                 row("two-pass", n: 4096, samples: samples, processor: "cpu-a", preset: "blend")]
        let b = [row("two-pass", n: 1 << 20, samples: samples, processor: "cpu-b", preset: "tuned", kernel: "raddextexp_avx2_x64+vscaleextexp_avx2_x32"),
                 row("two-pass", n: 1 << 20, samples: samples, processor: "cpu-b", preset: "tuned", kernel: "raddextexp_avx2_x64+vscaleextexp_avx2_x32_nt"),
                 row("two-pass", n: 4096, samples: samples, processor: "cpu-b", preset: "blend")]
        let across = try Comparison.load(write(a), write(b))
        XCTAssert(across.acrossProcessors)
        XCTAssertEqual(across.entries.map(\.status), [.compared, .compared, .compared], "every configuration matched: \(across.entries.map(\.configuration))")
        XCTAssertEqual(across.entries.map(\.configuration), ["softmax avx2 tuned two-pass n=1048576 (streaming stores)",
                                                             "softmax avx2 tuned two-pass n=1048576 (plain stores)",
                                                             "softmax avx2 blend two-pass n=4096"])
        XCTAssertEqual(across.entries[0].b?.kernel, "raddextexp_avx2_x64+vscaleextexp_avx2_x32_nt", "streaming matched with streaming")
        assertContains(across.renderTable(), ["Different processors: rows with a preset are matched by preset"], "table header")

        let sameProcessor = b.map { r -> ResultRow in var r = r; r.processorID = "cpu-a"; return r }
        let same = try Comparison.load(write(a), write(sameProcessor))
        XCTAssertFalse(same.acrossProcessors)
        XCTAssertEqual(same.entries.map(\.status), [.onlyInA, .onlyInA, .compared, .onlyInB, .onlyInB],
                       "on one processor, different kernels are different configurations")
        assertContains(same.renderTable(), ["only in A:\n  softmax avx2 tuned two-pass n=1048576 (streaming stores), kernels raddextexp_avx2_x80_acc2+vscaleextexp_avx2_x40_nt\n",
                                            "only in B:\n  softmax avx2 tuned two-pass n=1048576 (plain stores), kernels raddextexp_avx2_x64+vscaleextexp_avx2_x32\n"],
                       "lists of one side: the kernels tell a preset's configurations apart")
    }

    func testFilesOfDifferentExperimentsAreAnError() throws {
        let a = try write(synthetic(seed: 7, ratio: 1, experiment: "softmax-test"))
        let b = try write(synthetic(seed: 8, ratio: 1, experiment: "table1-test"))
        let error = assertComparisonError("different experiments") { try Comparison.load(a, b) }
        assertContains(error?.description ?? "", ["different experiments", "'softmax-test'", "'table1-test'", a, b, "same experiment"])
    }

    func testAccuracyFilesAreAnError() throws {
        func accuracyRow() -> ResultRow {
            var r = ResultRow(experiment: "accuracy-test", processorID: "test-cpu", microarchitecture: "zen4", isa: "avx2", preset: "blend",
                              kind: .accuracy, subject: .algorithm(.twoPass), kernel: "k", n: 1000, cpu: 1, bytesPerElement: 12)
            r.accuracy = .init(inputRange: "[-1,1]", mask: "", maxErrorULP: 3, meanErrorULP: 1, maxRelativeError: 1e-7, meanRelativeError: 1e-8)
            return r
        }
        let a = try write([accuracyRow()]), b = try write([accuracyRow()])
        let error = assertComparisonError("accuracy files") { try Comparison.load(a, b) }
        assertContains(error?.description ?? "", [a, "accuracy rows", "time nothing", "timed experiment"])
    }

    func testWhatIsNotAResultsFileIsAnError() throws {
        let good = try write(synthetic(seed: 9, ratio: 1))
        let foreign = folder.appendingPathComponent("foreign.csv").path
        try "name,time\nx,1\n".write(toFile: foreign, atomically: true, encoding: .utf8)
        let header = assertComparisonError("a CSV of other columns") { try Comparison.load(good, foreign) }
        assertContains(header?.description ?? "", [foreign, "cannot be compared", "lacks", "schema_version", "schema 3, 4, 5 or 6"])

        let missing = folder.appendingPathComponent("absent.csv").path
        let absent = assertComparisonError("a missing file") { try Comparison.load(missing, good) }
        assertContains(absent?.description ?? "", ["no results file", missing])

        let empty = try write([])
        let noRows = assertComparisonError("a file with a header only") { try Comparison.load(good, empty) }
        assertContains(noRows?.description ?? "", [empty, "holds no rows"])

        // An ok row whose samples are gone cannot be compared; say which line.
        let text = try String(contentsOfFile: good, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let column = lines[0].components(separatedBy: ",").firstIndex(of: "raw_samples_s")!
        var cells = lines[1].components(separatedBy: ",")
        cells[column] = "0.001;fast"
        lines[1] = cells.joined(separator: ",")
        let broken = folder.appendingPathComponent("broken.csv").path
        try lines.joined(separator: "\n").write(toFile: broken, atomically: true, encoding: .utf8)
        let samples = assertComparisonError("a malformed raw_samples_s") { try Comparison.load(good, broken) }
        assertContains(samples?.description ?? "", [broken, "line 2", "column raw_samples_s", "'0.001;fast'"])
    }
}

/// Runs `body` and asserts it throws a ComparisonError; returns it (nil after recording a failure).
@discardableResult
func assertComparisonError<T>(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) -> ComparisonError? {
    do {
        let value = try body()
        XCTFail("\(what): expected a ComparisonError, but it succeeded with \(value)", file: file, line: line)
    } catch let error as ComparisonError {
        return error
    } catch {
        XCTFail("\(what): expected a ComparisonError, saw \(type(of: error)): \(error)", file: file, line: line)
    }
    return nil
}

import Foundation
import XCTest
@testable import Harness

final class SummaryTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("summary")
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func row(_ algorithm: String, n: Int, median: Double, kind: ResultRow.Kind = .softmax, isa: String = "avx2") -> ResultRow {
        var r = ResultRow(experiment: "s", processorID: "test-cpu", microarchitecture: "zen4", isa: isa,
                          preset: kind == .softmax ? "blend" : "", kind: kind, subject: fixtureSubject(kind, algorithm), kernel: "\(algorithm)_kernel",
                          n: n, cpu: 0, bytesPerElement: 12)
        r.samples = [median * 0.9, median, median * 1.1]
        return r
    }

    func table(_ rows: [ResultRow]) throws -> ResultTable {
        let path = folder.appendingPathComponent("t-\(UUID().uuidString.prefix(6)).csv").path
        let writer = try ResultWriter(path: path)
        rows.forEach(writer.append)
        return try ResultTable(path: path)
    }

    func testSoftmaxSpeedupsAreThreePassMediansOverTwoPass() throws {
        var failed = row("two-pass", n: 4096, median: 1e-6)
        failed.error = "output check failed before timing: sum of outputs is 1.5, not 1 within 0.001"
        let rows = [
            row("two-pass", n: 1000, median: 1e-6),
            row("three-pass-recompute", n: 1000, median: 2e-6),
            row("three-pass-reload", n: 1000, median: 1.5e-6),
            row("two-pass", n: 2000, median: 4e-6),
            row("three-pass-recompute", n: 2000, median: 5e-6),
            row("three-pass-reload", n: 2000, median: 3e-6),
            failed,
        ]
        let text = Summary.render(try table(rows))
        assertContains(text, ["test-cpu avx2 blend", "speedup", "vs recompute", "vs reload", "two-pass", "three-pass-recompute",
                              "three-pass-reload"], "summary header")
        let lines = text.components(separatedBy: "\n")
        let n1000 = lines.first { $0.hasPrefix("1000 ") } ?? ""
        let n2000 = lines.first { $0.hasPrefix("2000 ") } ?? ""
        assertContains(n1000, ["1.00 us", "2.00 us", "1.50 us", "2.00x", "1.50x"], "n = 1000 line (2/1 = 2.00x, 1.5/1 = 1.50x)")
        assertContains(n2000, ["4.00 us", "1.25x", "0.75x"], "n = 2000 line (5/4 = 1.25x, 3/4 = 0.75x)")
        // effective GB/s beside the medians: 8 * 1000 / 1e-6 / 1e9 = 8.0
        assertContains(n1000, ["(8.0)"], "n = 1000 effective GB/s of two-pass")
        assertContains(text, ["1 configuration(s) failed", "n=4096", "sum of outputs is 1.5"], "error listing")
        XCTAssertFalse(lines.contains { $0.hasPrefix("4096 ") }, "the error row must not appear as a timing line; saw:\n\(text)")
    }

    func testThreadCountsAndPlacementsGetTablesOfTheirOwn() throws {
        func threaded(_ r: ResultRow, _ threads: Int, _ placement: String) -> ResultRow {
            var r = r
            r.threads = threads
            r.placement = placement
            r.cpus = Array(0..<threads)
            return r
        }
        let rows = [
            row("two-pass", n: 1000, median: 4e-6), row("three-pass-recompute", n: 1000, median: 4e-6),
            threaded(row("two-pass", n: 1000, median: 2e-6), 2, "compact"), threaded(row("three-pass-recompute", n: 1000, median: 3e-6), 2, "compact"),
            threaded(row("two-pass", n: 1000, median: 1e-6), 4, "scattered"), threaded(row("three-pass-recompute", n: 1000, median: 2e-6), 4, "scattered"),
        ]
        let text = Summary.render(try table(rows))
        let titles = text.components(separatedBy: "\n").filter { $0.hasPrefix("test-cpu") }
        XCTAssertEqual(titles.count, 3, "one table per thread count and placement, saw titles \(titles)")
        assertContains(text, ["test-cpu avx2 blend:", "test-cpu avx2 blend, 2 threads compact:", "test-cpu avx2 blend, 4 threads scattered:"], "titles")
        let speedups = text.components(separatedBy: "\n").filter { $0.hasPrefix("1000 ") }
        XCTAssertEqual(speedups.count, 3, "a size line in each table, saw \(speedups)")
        assertContains(speedups.joined(separator: "\n"), ["1.00x", "1.50x", "2.00x"], "each table's own speedup (4/4, 3/2, 2/1)")
    }

    func testMissingAlgorithmShowsADashNotASpeedup() throws {
        let text = Summary.render(try table([row("two-pass", n: 1000, median: 1e-6), row("three-pass-reload", n: 1000, median: 3e-6)]))
        let line = text.components(separatedBy: "\n").first { $0.hasPrefix("1000 ") } ?? ""
        assertContains(line, ["3.00x", "-"], "n = 1000 line with recompute missing")
        XCTAssertFalse(line.contains("NaN") || line.contains("inf"), "expected no NaN/inf speedup, saw: \(line)")
    }

    func testPassesAndReferencesAreListedWithRealBandwidth() throws {
        var pass = row("rmax", n: 1000, median: 1e-6, kind: .pass)
        pass.kernel = "rmax_avx2_x32_acc4"
        pass.bytesPerElement = 4
        var reference = row("copy", n: 1000, median: 2e-6, kind: .reference)
        reference.kernel = "copy_avx2"
        reference.bytesPerElement = 8
        let text = Summary.render(try table([pass, reference]))
        assertContains(text, ["real bandwidth", "rmax_avx2_x32_acc4", "copy_avx2"], "passes summary")
        let rmaxLine = text.components(separatedBy: "\n").first { $0.hasPrefix("rmax_avx2_x32_acc4") } ?? ""
        assertContains(rmaxLine, ["4.0"], "rmax real GB/s = 4 * 1000 / 1e-6 / 1e9")
    }

    func accuracyRow(_ algorithm: String, range: String, mask: String, maxULP: Double, meanULP: Double, error: String? = nil) -> ResultRow {
        var r = ResultRow(experiment: "a", processorID: "test-cpu", microarchitecture: "zen4", isa: "avx2", preset: "blend", kind: .accuracy,
                          subject: fixtureSubject(.accuracy, algorithm), kernel: "\(algorithm)_kernel", n: 1000, cpu: 0, bytesPerElement: 12)
        r.accuracy = ResultRow.Accuracy(inputRange: range, mask: mask, maxErrorULP: maxULP, meanErrorULP: meanULP,
                                        maxRelativeError: maxULP * 1e-7, meanRelativeError: meanULP * 1e-7)
        r.error = error
        return r
    }

    func testAccuracyRowsGiveAnULPTableByRangeAndMask() throws {
        let rows = [
            accuracyRow("two-pass", range: "[-1,1]", mask: "", maxULP: 3.5, meanULP: 0.75),
            accuracyRow("three-pass-recompute", range: "[-1,1]", mask: "", maxULP: 4.25, meanULP: 1),
            accuracyRow("two-pass", range: "[-1,1]", mask: "10%=-inf", maxULP: 2.5, meanULP: 0.5),
            accuracyRow("two-pass", range: "[1e8,1e8+100]", mask: "", maxULP: 1.6e7, meanULP: 1e7),
            accuracyRow("two-pass", range: "[-3e38,3e38]", mask: "", maxULP: 0, meanULP: 0,
                        error: "input 1 of 2: output 0 is nan where the float64 softmax is 0.0"),
        ]
        let out = Summary.render(try table(rows))
        assertContains(out, ["test-cpu avx2 blend, n = 1000", "max / mean ulp", "input range", "two-pass", "three-pass-recompute"], "accuracy table")
        let lines = out.components(separatedBy: "\n")
        func line(_ prefix: String, _ mask: String) -> String {
            lines.first { $0.hasPrefix(prefix) && $0.dropFirst(22).hasPrefix(mask) } ?? ""
        }
        assertContains(line("[-1,1]", "none"), ["3.5 / 0.75", "4.25 / 1"], "[-1,1] unmasked line")
        assertContains(line("[-1,1]", "10%=-inf"), ["2.5 / 0.5"], "[-1,1] masked line")
        assertContains(line("[1e8,1e8+100]", "none"), ["1.60e+07 / 1.00e+07"], "[1e8,1e8+100] line")
        assertContains(line("[-3e38,3e38]", "none"), ["FAILED"], "failed configuration's line")
        assertContains(out, ["1 configuration(s) failed", "[-3e38,3e38]", "output 0 is nan"], "error list")
        for timing in ["median", "GB/s", "speedup"] {
            XCTAssertFalse(out.contains(timing), "an accuracy table shows no timings: expected no '\(timing)', saw:\n\(out)")
        }
    }

    func testAccuracyRowsOfEachOrderGetALineOfTheirOwn() throws {
        var ascending = accuracyRow("online", range: "[-1,1]", mask: "", maxULP: 900, meanULP: 300)
        ascending.accuracy?.order = "ascending"
        let rows = [accuracyRow("online", range: "[-1,1]", mask: "", maxULP: 7, meanULP: 2), ascending]
        let lines = Summary.render(try table(rows)).components(separatedBy: "\n")
        assertContains(lines.first { $0.hasPrefix("input range") } ?? "", ["mask", "order"], "header line")
        assertContains(lines.first { $0.hasPrefix("[-1,1]") && $0.contains("random") } ?? "", ["7 / 2"], "random order's line")
        assertContains(lines.first { $0.hasPrefix("[-1,1]") && $0.contains("ascending") } ?? "", ["900 / 300"], "ascending order's line")
    }

    func testEmptyTableSaysSo() throws {
        let t = try table([])
        let text = Summary.render(t)
        assertContains(text, ["holds no rows yet"], "empty table summary")
    }

    func testOnlyErrorRowsStillListsThem() throws {
        var failed = row("three-pass-reload", n: 64, median: 1e-6)
        failed.error = "could not allocate buffers for n = 64"
        let text = Summary.render(try table([failed]))
        assertContains(text, ["1 configuration(s) failed", "three-pass-reload_kernel", "n=64", "could not allocate"], "error-only summary")
    }
}

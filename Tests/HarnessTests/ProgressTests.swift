import XCTest
@testable import Harness

final class ProgressTests: XCTestCase {
    func row(_ isa: String, n: Int, median: Double, kind: ResultRow.Kind = .softmax) -> ResultRow {
        var r = ResultRow(experiment: "e", processorID: "p", microarchitecture: "m", isa: isa, preset: "blend", kind: kind,
                          subject: kind == .peak ? .passFamily(.rmax) : .algorithm(.twoPass), kernel: "k", n: n, cpu: 0, bytesPerElement: 8)
        r.samples = [median]
        return r
    }

    /// The portable kernels, ten times slower per element, stop at 1M; the vector ISAs run on to 100M.
    /// The estimate after 1M must price what is left at the vector ISAs' speed, not at the average so far.
    func testTheEstimateLearnsEachISAsSpeed() {
        let m = 1 << 20
        var progress = Progress(steps: [.init(n: m, isas: ["portable", "avx2"]), .init(n: 10 * m, isas: ["avx2"]),
                                        .init(n: 100 * m, isas: ["avx2"])],
                                samplesPerConfiguration: 1, minSampleSeconds: 0)
        XCTAssertEqual(progress.total, 4)
        XCTAssertEqual(progress.secondsLeft, Double(112 * m) * 1e-9, accuracy: 1e-9, "before anything ran: 1 ns per element")
        var lines: [String] = []
        progress.finished(n: m, rows: [row("portable", n: m, median: Double(m) * 1e-8), row("avx2", n: m, median: Double(m) * 1e-9)],
                          seconds: Double(m) * 1.1e-8, log: { lines.append($0) })
        let avx2Left = Double(110 * m) * 1e-9
        XCTAssertEqual(progress.secondsLeft, avx2Left, accuracy: avx2Left * 1e-9,
                       "10M and 100M at AVX2's 1 ns per element (counting configurations alike would say \(Double(110 * m) * 0.55e-8) s)")
        XCTAssertEqual(lines, ["[2/4] n=1048576: 2 configurations in 0.0 s; about 0 s left"])
    }

    /// What the model leaves out (buffers, checks, the bounds' rows) scales the estimate by how much longer
    /// the last finished step took than the model says; rows of `peak` kind are not configurations.
    func testOverheadScalesTheEstimateAndPeaksDoNotCount() {
        var progress = Progress(steps: [.init(n: 1000, isas: ["avx2"]), .init(n: 1000, isas: ["avx2"]), .init(n: 4000, isas: ["avx2"])],
                                samplesPerConfiguration: 10, minSampleSeconds: 0.001)
        var lines: [String] = []
        progress.finished(n: 1000, rows: [row("avx2", n: 1000, median: 1e-6), row("avx2", n: 1000, median: 5, kind: .peak)],
                          seconds: 0.02, log: { lines.append($0) })
        // Model: 10 samples of max(1 ms, 1000 x 1 ns) = 10 ms per configuration; the step took 20 ms.
        XCTAssertEqual(progress.secondsLeft, 2 * 0.01 * 2, accuracy: 1e-12, "two steps of 10 ms modelled, at twice the model")
        XCTAssertEqual(lines.last?.hasPrefix("[1/3] n=1000: 1 configurations"), true, lines.last ?? "")
        progress.finished(n: 1000, rows: [row("avx2", n: 1000, median: 1e-6)], seconds: 0.03, log: { lines.append($0) })
        XCTAssertEqual(progress.secondsLeft, 0.01 * 3, accuracy: 1e-12,
                       "the repeated size is finished once per step, and the last step's 3x applies (not the 2.5x of both)")
        progress.finished(n: 4000, rows: [row("avx2", n: 4000, median: 1e-5)], seconds: 0.3, log: { lines.append($0) })
        XCTAssertEqual(progress.secondsLeft, 0, "nothing left")
    }
}

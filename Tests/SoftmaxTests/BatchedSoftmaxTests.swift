import Foundation
import XCTest

@testable import Softmax

/// Runs a batched softmax of `rows` rows of x's n = x.count / rows elements on `workers` plain threads
/// (each calling run(worker:) once), in a strided buffer; returns each row's output. The padding between
/// rows is filled with NaN in x and checked to stay untouched (NaN) in y.
func batchedSoftmax(_ plan: SoftmaxPlan, rows: Int, workers: Int, _ x: [[Float]], file: StaticString = #filePath, line: UInt = #line) -> [[Float]] {
    let n = x[0].count
    let batched = BatchedSoftmax(plan: plan, n: n, rows: rows, workers: workers)
    let stride = batched.rowStride
    var xs = [Float](repeating: .nan, count: batched.elements)
    for r in 0..<rows { for i in 0..<n { xs[r * stride + i] = x[r][i] } }
    var ys = [Float](repeating: .nan, count: batched.elements)
    xs.withUnsafeBufferPointer { xb in
        ys.withUnsafeMutableBufferPointer { yb in
            let shared = SharedBuffers(x: xb.baseAddress!, y: yb.baseAddress!)
            let group = DispatchGroup()
            for w in 1..<workers {
                group.enter()
                let thread = Thread {
                    FloatingPointEnvironment.flushDenormals(true)
                    batched.run(worker: w, x: shared.x, y: shared.y)
                    group.leave()
                }
                thread.start()
            }
            batched.run(worker: 0, x: shared.x, y: shared.y)
            group.wait()
        }
    }
    for r in 0..<rows {
        for i in n..<stride where !ys[r * stride + i].isNaN {
            XCTFail("\(plan) rows=\(rows) workers=\(workers): padding y[\(r * stride + i)] (row \(r)) was written", file: file, line: line)
            break
        }
    }
    return (0..<rows).map { r in Array(ys[(r * stride)..<(r * stride + n)]) }
}

final class BatchedSoftmaxTests: KernelTestCase {
    func testRowBlocksCoverTheBatchInOrder() {
        for workers in 1...9 {
            for batch in [1, 2, 3, 4, 5, 7, 16, 17, 64, 255, 256] {
                let blocks = (0..<workers).map { BatchedSoftmax.rows($0, of: workers, batch: batch) }
                XCTAssertEqual(blocks.first?.lowerBound, 0, "batch=\(batch) workers=\(workers): the first block should start at row 0, saw \(blocks)")
                XCTAssertEqual(blocks.last?.upperBound, batch, "batch=\(batch) workers=\(workers): the last block should end at row \(batch), saw \(blocks)")
                for (a, b) in zip(blocks, blocks.dropFirst()) {
                    XCTAssertEqual(a.upperBound, b.lowerBound, "batch=\(batch) workers=\(workers): blocks should be contiguous, saw \(blocks)")
                }
                let sizes = blocks.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "batch=\(batch) workers=\(workers): block sizes \(sizes) differ by more than one row")
                XCTAssertGreaterThan(sizes[0], 0, "batch=\(batch) workers=\(workers): worker 0 (the caller) should have a row")
            }
        }
    }

    func testRowStrideIsNRoundedUpToACacheLine() throws {
        for (n, stride) in [(1, 16), (15, 16), (16, 16), (17, 32), (32000, 32000), (50257, 50272), (151_936, 151_936)] {
            XCTAssertEqual(BatchedSoftmax.rowStride(n: n), stride, "row stride of n=\(n)")
        }
        XCTAssertEqual(BatchedSoftmax(plan: try blendPlans()[0], n: 50257, rows: 3, workers: 2).elements, 3 * 50272, "elements of 3 rows of 50257")
    }

    /// Every row equals the float64 softmax of its own input, for batches that divide among the workers,
    /// that do not, and that have fewer rows than workers; n not a multiple of a line, so rows are padded.
    func testEveryAlgorithmMatchesFloat64RowByRow() throws {
        let configurations = [(rows: 1, workers: 1), (rows: 4, workers: 2), (rows: 7, workers: 3), (rows: 2, workers: 5), (rows: 16, workers: 4), (rows: 5, workers: 1)]
        for plan in try blendPlans() {
            for (rows, workers) in configurations {
                for n in [1, 17, 1000, 50257] {
                    // Each row from another of the kernel tests' input ranges (and seed).
                    let x = (0..<rows).map { uniform(n, in: inputRanges[$0 % inputRanges.count], seed: UInt64(1000 * rows + $0)) }
                    let y = batchedSoftmax(plan, rows: rows, workers: workers, x)
                    for r in 0..<rows {
                        assertClose(y[r], Float64Reference.softmax(x[r]), rel: softmaxBound(plan, n: n),
                                    "\(plan.algorithm.rawValue) [\(plan)] n=\(n), row \(r) of \(rows) (range \(inputRanges[r % inputRanges.count])) on \(workers) workers")
                    }
                }
            }
        }
    }

    /// Rows are independent: a row of NaN or all -inf spoils its own output only.
    func testASpecialRowSpoilsOnlyItself() throws {
        let n = 40, rows = 5
        for plan in try blendPlans() {
            for workers in [1, 2, 3] {
                var x = (0..<rows).map { uniform(n, in: -5...5, seed: UInt64(300 + $0)) }
                x[1][7] = .nan
                x[3] = [Float](repeating: -.infinity, count: n)
                let y = batchedSoftmax(plan, rows: rows, workers: workers, x)
                XCTAssert(y[1].allSatisfy(\.isNaN), "\(plan) on \(workers) workers: the row holding a NaN should be NaN throughout")
                XCTAssert(y[3].allSatisfy(\.isNaN), "\(plan) on \(workers) workers: the all -inf row should be NaN throughout, as one vector is")
                for r in [0, 2, 4] {
                    assertClose(y[r], Float64Reference.softmax(x[r]), rel: softmaxBound(plan, n: n), "\(plan) on \(workers) workers, row \(r) beside special rows")
                }
            }
        }
    }
}

import Foundation
import XCTest

@testable import Softmax

/// A barrier for plain threads (the harness uses a spinning pool; here any correct barrier will do, and
/// this one also works when threads outnumber cores).
final class TestBarrier: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var arrived = 0
    private var generation = 0

    init(count: Int) { self.count = count }

    func wait() {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        arrived += 1
        if arrived == count {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
    }
}

/// Raw pointers handed to test threads, which only touch their own slices.
struct SharedBuffers: @unchecked Sendable {
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
}

/// Runs a partitioned softmax on `workers` threads, each running `run(worker:)` with the shared barrier.
func partitionedSoftmax(_ plan: SoftmaxPlan, workers: Int, _ x: [Float]) -> [Float] {
    let partitioned = PartitionedSoftmax(plan: plan, workers: workers)
    var y = [Float](repeating: .nan, count: x.count)
    let barrier = TestBarrier(count: workers)
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            let xp = xb.baseAddress ?? UnsafePointer(bitPattern: 64)!
            let yp = yb.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!
            let n = x.count
            let shared = SharedBuffers(x: xp, y: yp)
            let group = DispatchGroup()
            for w in 1..<workers {
                group.enter()
                let thread = Thread {
                    FloatingPointEnvironment.flushDenormals(true)
                    partitioned.run(worker: w, n: n, x: shared.x, y: shared.y, barrier: barrier.wait)
                    group.leave()
                }
                thread.start()
            }
            partitioned.run(worker: 0, n: n, x: xp, y: yp, barrier: barrier.wait)
            group.wait()
        }
    }
    return y
}

final class PartitionedSoftmaxTests: KernelTestCase {
    func testSlicesCoverTheVectorInOrderOnGranuleBoundaries() {
        for workers in 1...7 {
            for n in [0, 1, 15, 16, 17, 100, 1000, 4095, 16 * 1024 * 7 - 1, 16 * 1024 * 7, 1_000_003] {
                let g = PartitionedSoftmax.granule(n: n, workers: workers)
                let slices = (0..<workers).map { PartitionedSoftmax.slice($0, of: workers, n: n) }
                XCTAssertEqual(slices.first?.lowerBound, 0, "n=\(n) workers=\(workers): the first slice should start at 0, saw \(slices)")
                XCTAssertEqual(slices.last?.upperBound, n, "n=\(n) workers=\(workers): the last slice should end at n, saw \(slices)")
                for (a, b) in zip(slices, slices.dropFirst()) {
                    XCTAssertEqual(a.upperBound, b.lowerBound, "n=\(n) workers=\(workers): slices should be contiguous, saw \(slices)")
                    XCTAssert(a.upperBound % g == 0 || a.upperBound == n,
                              "n=\(n) workers=\(workers): inner boundary \(a.upperBound) is neither a multiple of \(g) nor n")
                }
                // Whole granules differ by at most one between slices; the last slice may also end mid-granule.
                let sizes = slices.map(\.count)
                XCTAssert(sizes.max()! - sizes.min()! < 2 * g, "n=\(n) workers=\(workers): slice sizes \(sizes) differ by two granules (\(g)) or more")
                XCTAssertEqual(sizes.max(), sizes.first, "n=\(n) workers=\(workers): worker 0 should have a largest slice, saw \(sizes)")
            }
        }
        XCTAssertEqual(PartitionedSoftmax.granule(n: 2 * 16 * 1024, workers: 2), 1024, "16 pages per worker: page granule")
        XCTAssertEqual(PartitionedSoftmax.granule(n: 2 * 16 * 1024 - 1, workers: 2), 16, "fewer than 16 pages per worker: line granule")
    }

    func testEveryAlgorithmOnSeveralThreadsMatchesFloat64() throws {
        for plan in try blendPlans() {
            for workers in [1, 2, 3, 5] {
                for (r, range) in inputRanges.enumerated() {
                    for n in [0, 1, 2, 17, 1000, 100_003] {
                        let x = uniform(n, in: range, seed: UInt64(r) + 170)
                        // The slices' sums add a few roundings beyond one kernel's lanes: one per worker.
                        let bound = softmaxBound(plan, n: n) + Double(workers) * unitRoundoff
                        assertClose(partitionedSoftmax(plan, workers: workers, x), Float64Reference.softmax(x), rel: bound,
                                    "\(plan.algorithm.rawValue) [\(plan)] on \(workers) workers, n=\(n) range=\(range)")
                    }
                }
            }
        }
    }

    /// Special values behave as on one thread, wherever they fall among the slices: a slice may be all
    /// masked, hold the NaN or the +inf, or be empty.
    func testSpecialValuesBehaveAsOnOneThreadInEverySlice() throws {
        let n = 40
        for plan in try blendPlans() {
            for workers in [2, 3, 4] {
                let slices = (0..<workers).map { PartitionedSoftmax.slice($0, of: workers, n: n) }
                for target in slices where !target.isEmpty {
                    var cases: [(String, [Float])] = []
                    var masked = uniform(n, in: -5...5, seed: 190)
                    for i in target { masked[i] = -.infinity }
                    cases.append(("slice \(target) all -inf", masked))
                    var huge = uniform(n, in: -5...5, seed: 191)
                    huge[target.lowerBound] = 1e30
                    cases.append(("1e30 in slice \(target)", huge))
                    var nan = uniform(n, in: -5...5, seed: 192)
                    nan[target.upperBound - 1] = .nan
                    cases.append(("NaN in slice \(target)", nan))
                    var inf = uniform(n, in: -5...5, seed: 193)
                    inf[target.lowerBound] = .infinity
                    cases.append(("+inf in slice \(target)", inf))
                    for (what, x) in cases {
                        let single = plan(x)
                        let split = partitionedSoftmax(plan, workers: workers, x)
                        for i in 0..<n {
                            let same = single[i].isNaN == split[i].isNaN && (single[i].isNaN || (single[i] == 0) == (split[i] == 0))
                            XCTAssert(same, "\(plan) on \(workers) workers, \(what): y[\(i)] is \(split[i]), one thread gives \(single[i])")
                        }
                        assertClose(split, Float64Reference.softmax(x), rel: softmaxBound(plan, n: n) + Double(workers) * unitRoundoff,
                                    "\(plan) on \(workers) workers, \(what)")
                    }
                }
                let allMasked = [Float](repeating: -.infinity, count: n)
                XCTAssert(partitionedSoftmax(plan, workers: workers, allMasked).allSatisfy(\.isNaN),
                          "\(plan) on \(workers) workers: all -inf should give NaN everywhere, as on one thread")
            }
        }
    }

    /// Streaming-store kernels store from an arbitrary slice start (each handles the head up to its vector
    /// boundary), and the choice between them and their plain twins follows the whole vector's size.
    func testStreamingStorePlansSplitAcrossWorkers() throws {
        var checked = 0
        for plan in try blendPlans() {
            let streamed = plan.kernels.map { k in KernelRegistry.all.first { $0.name == k.name + "_nt" } ?? k }
            guard streamed.contains(where: \.nonTemporalStores) else { continue }
            checked += 1
            for threshold in [0, Int.max] {
                let p = try SoftmaxPlan(algorithm: plan.algorithm, kernels: streamed, streamingThreshold: threshold)
                XCTAssertEqual(p.kernelsRun(n: 10).contains(where: \.nonTemporalStores), threshold == 0,
                               "\(p) threshold \(threshold): kernelsRun should name the streaming kernels only at or above the threshold")
                for workers in [2, 3] {
                    for n in [7, 1000, 100_003] {
                        let x = uniform(n, in: -1000...1000, seed: 195)
                        assertClose(partitionedSoftmax(p, workers: workers, x), Float64Reference.softmax(x),
                                    rel: softmaxBound(p, n: n) + Double(workers) * unitRoundoff,
                                    "\(p) threshold \(threshold) on \(workers) workers, n=\(n)")
                    }
                }
            }
        }
        if ISA.avx2.isSupported { XCTAssertGreaterThan(checked, 0, "blend's write passes should have _nt twins") }
    }

    func testMoreWorkersThanElementsLeavesTheExtraSlicesEmpty() throws {
        for plan in try blendPlans() {
            let x: [Float] = [1, 2, 3]
            XCTAssertEqual(PartitionedSoftmax.slice(0, of: 4, n: 3), 0..<3, "worker 0 of 4 on 3 elements gets them all (one granule)")
            for w in 1..<4 { XCTAssertEqual(PartitionedSoftmax.slice(w, of: 4, n: 3).count, 0, "worker \(w) of 4 on 3 elements gets nothing") }
            assertClose(partitionedSoftmax(plan, workers: 4, x), Float64Reference.softmax(x), rel: softmaxBound(plan, n: 3) + 4 * unitRoundoff,
                        "\(plan) on 4 workers, n=3")
        }
    }
}

import Foundation
import Platform
import Softmax

/// The loop the multi-threaded kinds (multicore, batched) share: one pool of workers pinned one per core
/// per configuration, every size measured on it, with buffers sliced between the workers.
extension Worker {
    /// What the multi-threaded kinds (multicore, batched) vary in the loop they share: one pool of workers
    /// per configuration, every size measured on it.
    struct PooledSizes {
        var cpus: [Int]
        /// The progress line naming the configuration.
        var label: String
        /// The contenders at size n on the pool.
        var contenders: (Int, ThreadPool) -> [Contender]
        /// Floats per buffer at size n, and elements per call per worker (the progress model's n).
        var elements: (Int) -> Int
        var progressElements: (Int) -> Int
        /// The size's buffers on the pool, and a note on where their pages went.
        var allocate: (Int, ThreadPool) throws -> (SizeBuffers, String)
    }

    /// Measures every size of every run on a pool of its CPUs; returns the buffers' placement notes, or nil
    /// (outcome.error set) when a pool cannot start.
    func measureOnPools(_ runs: [PooledSizes], sizes: [Int], progress: inout Progress) -> Set<String>? {
        let noCounters = CounterSet(events: [])
        var placementNotes: Set<String> = []
        for run in runs {
            let pool: ThreadPool
            do { pool = try ThreadPool(cpus: run.cpus, topology: topology) } catch {
                outcome.error = .platform("could not start \(run.cpus.count) workers on CPUs \(run.cpus): \(error)")
                return nil
            }
            // Every worker flushes denormals as the single-thread worker does (threads need not inherit MXCSR).
            pool.run { _ in FloatingPointEnvironment.flushDenormals(true) }
            log(run.label)
            for n in sizes {
                let all = run.contenders(n, pool)
                let todo = all.filter { !completed.contains($0.row.key) }
                outcome.skipped += all.count - todo.count
                guard !todo.isEmpty else { continue }
                let start = now()
                let rows = measureRows(
                    n: run.elements(n), contenders: todo, counters: noCounters, rotateOutputs: true,
                    workers: (run.cpus, { pool.observedCPUs }),
                    allocateBuffers: {
                        let (buffers, note) = try run.allocate(n, pool)
                        placementNotes.insert(note)
                        return buffers
                    })
                rows.forEach(emit)
                progress.finished(n: run.progressElements(n), rows: rows, seconds: now() - start, log: log)
                checkpoint?(outcome)
            }
        }
        // The measuring thread was worker 0 of every pool; put it back where the run started it.
        try? Pinning.pinCurrentThread(toCPU: cpu, topology: topology)
        return placementNotes
    }

    /// x and the rotating outputs, each worker's slices bound to its node and first touched by it; the
    /// input written afterwards from this thread (writing moves no page).
    func allocateSliced(n: Int, pool: ThreadPool) throws -> (SizeBuffers, String) {
        try allocateSliced(count: n, blocks: (0..<pool.size).map { PartitionedSoftmax.slice($0, of: pool.size, n: n) }, pool: pool)
    }

    /// `count` elements of x and of every rotating output, worker w owning `blocks[w]` of each: bound to
    /// its node and first touched by it. Rotation covers every L3 the workers share (or the cache size a
    /// run was given, `--llc-bytes`). Shared by the multicore kind (one vector's slices) and the batched
    /// kind (blocks of whole rows).
    func allocateSliced(count: Int, blocks: [Range<Int>], pool: ThreadPool) throws -> (SizeBuffers, String) {
        let workers = pool.size
        let rotations = Schedule.rotatingSlices(n: count, llcBytes: rotation.totalLLCBytes)
        let stride = Schedule.sliceStride(count), offset = Schedule.outputOffset
        let x = try SlicedBuffer(count: count, slices: blocks.enumerated().map { ($1, pool.cpus[$0]) }, topology: topology)
        var ySlices: [(range: Range<Int>, cpu: Int)] = []
        for k in 0..<rotations {
            for (w, r) in blocks.enumerated() {
                ySlices.append(((offset + k * stride + r.lowerBound)..<(offset + k * stride + r.upperBound), pool.cpus[w]))
            }
        }
        let y = try SlicedBuffer(count: offset + stride * rotations, slices: ySlices, topology: topology)
        let xp = x.pointer, yp = y.pointer + offset
        pool.run { w in
            let r = blocks[w]
            guard !r.isEmpty else { return }
            (xp + r.lowerBound).update(repeating: 0, count: r.count)
            for k in 0..<rotations { (yp + k * stride + r.lowerBound).update(repeating: 0, count: r.count) }
        }
        fillInput(xp, n: count)
        // One partial sum per worker, each on its own cache line.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: workers * 16)
        let holder = DeallocateOnDeinit(partials)
        let toucher: (SizeBuffers) -> Float = { b in
            pool.run { w in partials[w * 16] = SizeBuffers.touch(b.x, blocks[w]) }
            return (0..<workers).reduce(0) { $0 + partials[$1 * 16] }
        }
        let buffers = SizeBuffers(n: count, x: xp, y: yp, slices: rotations, owners: [x, y, holder], toucher: toucher)
        return (buffers, x.placement)
    }
}

/// Frees a raw allocation when the buffers that use it go.
final class DeallocateOnDeinit {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}

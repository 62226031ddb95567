import CSoftmaxKernels

/// One softmax over a vector split into slices, one per worker thread: each worker runs every pass of
/// the plan on its own slice, and the workers meet at a barrier between passes, where each merges the
/// reductions of all slices itself (the same few values, so every worker derives the same max, sum or
/// (mantissa, exponent) pair without a second barrier to broadcast it).
///
/// The threads and the barrier belong to the caller (the harness uses a pinned `ThreadPool`); this type
/// only says what a worker does, so it is testable with any threads. Barriers per call: one for two-pass
/// and online, two for the three-pass algorithms.
public final class PartitionedSoftmax: @unchecked Sendable {
    public let plan: SoftmaxPlan
    public let workers: Int

    /// One slot per worker, a cache line each, so writing one's own partial result does not invalidate
    /// the line another worker is writing.
    private struct Slot {
        var ext = ExtFloat(mantissa: 0, exponent: -.infinity)
        var max: Float = -.infinity
        var sum: Double = 0
        var online = softmax_maxsum(max: -Float.greatestFiniteMagnitude, sum: 0)
    }
    private static let slotStride = (MemoryLayout<Slot>.stride + 63) / 64 * 64
    private let slots: UnsafeMutableRawPointer

    public init(plan: SoftmaxPlan, workers: Int) {
        precondition(workers >= 1, "a partitioned softmax needs at least one worker, got \(workers)")
        self.plan = plan
        self.workers = workers
        slots = UnsafeMutableRawPointer.allocate(byteCount: PartitionedSoftmax.slotStride * workers, alignment: 64)
        for w in 0..<workers { slot(w).initialize(to: Slot()) }
    }

    deinit { slots.deallocate() }

    private func slot(_ w: Int) -> UnsafeMutablePointer<Slot> {
        (slots + w * PartitionedSoftmax.slotStride).assumingMemoryBound(to: Slot.self)
    }

    /// Elements a slice boundary is a multiple of: a 4 KiB page when every worker gets at least 16 pages
    /// (so each page, and hence its NUMA placement, belongs to one worker), else a 64-byte line (so no
    /// two workers write one line of y).
    public static func granule(n: Int, workers: Int) -> Int { n >= workers * 16 * 1024 ? 1024 : 16 }

    /// Worker w's slice of 0..<n: contiguous, in worker order, covering 0..<n exactly, boundaries on
    /// granule multiples, sizes differing by at most one granule. When n is small the last workers get
    /// empty slices (worker 0, the caller's thread, always has work).
    public static func slice(_ w: Int, of workers: Int, n: Int) -> Range<Int> {
        let g = granule(n: n, workers: workers)
        let units = (n + g - 1) / g
        func boundary(_ k: Int) -> Int { Swift.min(n, (units * k + workers - 1) / workers * g) }
        return boundary(w)..<boundary(w + 1)
    }

    /// Worker `worker`'s share of y = softmax(x) over n elements; every worker 0..<workers must call it
    /// with the same arguments, and `barrier` must return only once all workers have reached it.
    /// y may be x itself (in place) or lie apart from it; a partial overlap traps (SoftmaxError.checkOperands).
    public func run(worker w: Int, n: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, barrier: () -> Void) {
        preconditionOperands(n: n, x: x, y: y)
        let r = PartitionedSoftmax.slice(w, of: workers, n: n)
        let count = r.count
        let xs = x + r.lowerBound, ys = y + r.lowerBound
        let mine = slot(w)
        // Streaming stores or not is decided by the whole vector's size, as on one thread.
        let (fn0, fn1, fn2) = plan.functions(n: n)
        switch plan.algorithm {
        case .twoPass:
            mine.pointee.ext = count > 0 ? fn0.raddextexp(count, xs) : ExtFloat(mantissa: 0, exponent: -.infinity)
            barrier()
            let sum = mergedExtendedSum()
            if count > 0 { fn1.vscaleextexp(count, xs, ys, ExtFloat(mantissa: 1 / sum.mantissa, exponent: -sum.exponent)) }
        case .threePassRecompute:
            mine.pointee.max = count > 0 ? fn0.rmax(count, xs) : -.infinity
            barrier()
            let max = mergedMax()
            mine.pointee.sum = count > 0 ? Double(fn1.raddexpminusmax(count, xs, max)) : 0
            barrier()
            let sum = mergedSum()
            if count > 0 { fn2.vscaleexpminusmax(count, xs, ys, max, 1 / sum) }
        case .threePassReload:
            mine.pointee.max = count > 0 ? fn0.rmax(count, xs) : -.infinity
            barrier()
            let max = mergedMax()
            mine.pointee.sum = count > 0 ? Double(fn1.raddstoreexpminusmax(count, xs, ys, max)) : 0
            barrier()
            let sum = mergedSum()
            if count > 0 { fn2.vscale(count, ys, ys, 1 / sum) }
        case .online:
            mine.pointee.online = count > 0 ? fn0.rmaxaddexp(count, xs) : softmax_maxsum(max: -Float.greatestFiniteMagnitude, sum: 0)
            barrier()
            let merged = mergedOnline()
            if count > 0 { fn1.vscaleexpminusmax(count, xs, ys, merged.max, 1 / merged.sum) }
        }
    }

    private func mergedExtendedSum() -> ExtFloat {
        withUnsafeTemporaryAllocation(of: ExtFloat.self, capacity: workers) { parts in
            for w in 0..<workers { parts[w] = slot(w).pointee.ext }
            return softmax_extfloat_sum(workers, parts.baseAddress!)
        }
    }

    /// The largest slice max; a NaN max (rmax on a slice with a NaN) wins, as it would inside one rmax
    /// pass's lanes, so the NaN reaches every worker's sum and then every output.
    private func mergedMax() -> Float {
        var m = -Float.infinity
        for w in 0..<workers {
            let v = slot(w).pointee.max
            if v.isNaN { return v }
            m = Swift.max(m, v)
        }
        return m
    }

    /// Slice sums added in float64, in worker order (the same order on every worker), then rounded once.
    private func mergedSum() -> Float {
        var s = 0.0
        for w in 0..<workers { s += slot(w).pointee.sum }
        return Float(s)
    }

    private func mergedOnline() -> softmax_maxsum {
        withUnsafeTemporaryAllocation(of: softmax_maxsum.self, capacity: workers) { parts in
            for w in 0..<workers { parts[w] = slot(w).pointee.online }
            return softmax_maxsum_merge(workers, parts.baseAddress!)
        }
    }
}

/// B independent softmaxes of n elements each (the rows of a batch, as a language model's logits for B
/// tokens), each row a whole softmax by one plan, the rows split across worker threads: worker w runs
/// whole rows, a contiguous block of them, with no barrier inside a row and none between rows (a row is
/// one worker's from its first pass to its last).
///
/// Layout: row r starts at element r * rowStride of x and of y. The stride is n rounded up to a 64-byte
/// line (16 floats), so every row starts on a line as the single-row experiments' vectors do (the kernels
/// see the same alignment at every row), and two workers never write one line of y where their blocks
/// meet. The padding between rows is never read or written.
///
/// The threads belong to the caller (the harness uses a pinned `ThreadPool`); this type only says what a
/// worker does, so it is testable with any threads.
public struct BatchedSoftmax: Sendable {
    public let plan: SoftmaxPlan
    /// Elements per row.
    public let n: Int
    /// Rows in the batch (B).
    public let rows: Int
    public let workers: Int

    /// Floats per 64-byte cache line: rows start on line boundaries.
    public static let lineFloats = 16

    public init(plan: SoftmaxPlan, n: Int, rows: Int, workers: Int) {
        precondition(n >= 1, "a batched softmax needs rows of at least one element, got n = \(n)")
        precondition(rows >= 1, "a batched softmax needs at least one row, got \(rows)")
        precondition(workers >= 1, "a batched softmax needs at least one worker, got \(workers)")
        self.plan = plan
        self.n = n
        self.rows = rows
        self.workers = workers
    }

    /// Elements from one row's start to the next's: n rounded up to a whole cache line.
    public static func rowStride(n: Int) -> Int { (n + lineFloats - 1) / lineFloats * lineFloats }
    public var rowStride: Int { BatchedSoftmax.rowStride(n: n) }

    /// Elements x and y must each hold: every row's stride (the last row's padding included, so a buffer of
    /// B strides can be allocated and rotated as one block).
    public var elements: Int { rows * rowStride }

    /// Worker w's rows: contiguous, in worker order, covering 0..<rows exactly, block sizes differing by at
    /// most one (the first rows % workers workers take one more). With fewer rows than workers the last
    /// workers get none (worker 0, the caller's thread, always has one).
    public static func rows(_ w: Int, of workers: Int, batch: Int) -> Range<Int> {
        precondition(workers >= 1 && (0..<workers).contains(w), "worker \(w) of \(workers)")
        let base = batch / workers, extra = batch % workers
        let start = w * base + Swift.min(w, extra)
        return start..<(start + base + (w < extra ? 1 : 0))
    }

    /// Worker `worker`'s rows of y = softmax(x) row by row; every worker 0..<workers calls it once per batch
    /// (in any order, concurrently: no two workers touch one row or one line of y). x and y hold `elements`
    /// floats each and must not overlap (in place, y == x, is allowed as for one row).
    public func run(worker w: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let stride = rowStride
        for r in BatchedSoftmax.rows(w, of: workers, batch: rows) {
            // Streaming stores or not is the plan's choice for one row's n, as for a single vector.
            plan(n: n, x: x + r * stride, y: y + r * stride)
        }
    }
}

import Foundation
import Platform
import Softmax

extension Experiment.Kind {
    /// B independent rows of n per call (`batches`), each row a whole softmax, the rows split across
    /// min(B, cores) workers placed compactly (BatchedSoftmax): today's language-model vocabularies.
    public static let batched = Experiment.Kind(rawValue: "batched")
}

/// A batched experiment's own settings.
struct BatchedSpec: KindSpec, Equatable {
    /// The rows per call (B) to run at every size; each its own rows.
    var batches: [Int]
    /// The most rows per call a batched experiment may ask for: beyond it a typo would allocate for ever.
    static let maxBatch = 65_536

    private struct File: Decodable { var batches: [Int]? }

    static func read(_ data: Data, source: String) throws -> BatchedSpec {
        BatchedSpec(batches: try Experiment.decode(File.self, from: data, source: source).batches ?? [])
    }

    func validate(_ fail: (String) -> HarnessError) throws {
        if let why = Experiment.repeatedValue(key: "batches", batches) { throw fail(why) }
        guard !batches.isEmpty else {
            throw fail("key 'batches' is missing or empty: a batched experiment lists its rows per call, e.g. [1, 4, 16, 64, 256]")
        }
        if let bad = batches.first(where: { $0 < 1 || $0 > BatchedSpec.maxBatch }) {
            throw fail("key 'batches' has \(bad): rows per call must be 1 to \(BatchedSpec.maxBatch)")
        }
    }
}

/// The batched experiment: B rows of n per call, each row a whole softmax (BatchedSoftmax), the rows split
/// across min(B, cores) workers placed compactly; within each size, batch, ISA and preset the algorithms
/// are timed in the same rounds, so each comparison is a paired ratio.
extension Worker {
    struct BatchedConfiguration: Equatable {
        var batch: Int
        var threads: Int
        /// "compact" for 2 or more workers, empty for one (as multicore rows).
        var placement: String
        var cpus: [Int]

        /// Elements one worker computes per call at row length n: the progress model's and the time
        /// estimate's size.
        func elementsPerWorker(n: Int) -> Int { n * batch / threads }
    }

    /// One configuration per batch, in the file's order: min(B, cores) workers, placed compactly (the rows
    /// are independent, so workers that share caches and a NUMA node share nothing else).
    static func batchedConfigurations(experiment: Experiment, topology: Topology) -> [BatchedConfiguration] {
        let cores = Swift.max(1, topology.coreLocations().count)
        return experiment.spec(as: BatchedSpec.self).batches.map { batch in
            let threads = Swift.min(batch, cores)
            return BatchedConfiguration(batch: batch, threads: threads, placement: threads > 1 ? Placement.compact.rawValue : "",
                                        cpus: topology.cpus(threads: threads, placement: .compact) ?? [])
        }
    }

    /// Floats in x (and in each output slice) for a batch of B rows of n.
    static func batchedElements(n: Int, batch: Int) -> Int { BatchedSoftmax.rowStride(n: n) * batch }

    func measureBatched() {
        let configurations = Worker.batchedConfigurations(experiment: experiment, topology: topology)
        recordBatchedSetup(configurations)

        func contenders(n: Int, _ configuration: BatchedConfiguration, pool: ThreadPool?) -> [Contender] {
            var rowBase = base
            rowBase.n = n
            rowBase.batch = configuration.batch
            rowBase.threads = configuration.threads
            rowBase.placement = configuration.placement
            return (plan.items[n] ?? []).compactMap { item -> Contender? in
                guard case let .softmax(softmax, preset) = item else { return nil }
                let batched = BatchedSoftmax(plan: softmax, n: n, rows: configuration.batch, workers: configuration.threads)
                return Contenders.batched(batched, preset: preset, base: rowBase, tolerance: experiment.sumTolerance, pool: pool)
            }
        }
        let steps = configurations.flatMap { configuration in
            plan.sizes.map { n in
                // The progress model counts elements per call per worker.
                Progress.Step(n: configuration.elementsPerWorker(n: n),
                              isas: contenders(n: n, configuration, pool: nil).map(\.row).filter { !completed.contains($0.key) }.map(\.isa))
            }
        }
        var progress = Progress(steps: steps, experiment: experiment)
        log("running \(experiment.id): \(progress.total) configurations over \(configurations.count) batches, \(experiment.samples) samples each")
        let runs = configurations.map { configuration in
            PooledSizes(cpus: configuration.cpus,
                        label: "B = \(configuration.batch): \(configuration.threads) thread(s) on CPUs \(configuration.cpus)",
                        contenders: { n, pool in contenders(n: n, configuration, pool: pool) },
                        elements: { n in Worker.batchedElements(n: n, batch: configuration.batch) },
                        progressElements: { n in configuration.elementsPerWorker(n: n) },
                        allocate: { n, pool in try self.allocateBatched(n: n, batch: configuration.batch, pool: pool) })
        }
        guard let placementNotes = measureOnPools(runs, sizes: plan.sizes, progress: &progress) else { return }
        var meta = outcome.metadata["batched"] as? [String: Any] ?? [:]
        meta["memory"] = placementNotes.sorted()
        outcome.metadata["batched"] = meta
    }

    /// The metadata of a batched run before it measures: why it records no counters, its configurations
    /// and how rows are laid out and split.
    private func recordBatchedSetup(_ configurations: [BatchedConfiguration]) {
        // PAPI counts the thread that opened the counters: with several workers, one worker's share.
        let reason = "not recorded by the batched experiment: PAPI counts the thread that opened the counters, one worker of several"
        outcome.counters = CounterReport(available: [], unavailable: Dictionary(uniqueKeysWithValues: CounterSet.defaultEvents.map { ($0, reason) }),
                                         llcEvent: nil)
        outcome.metadata["batched"] = [
            "configurations": configurations.map { ["batch": $0.batch, "threads": $0.threads, "placement": $0.placement, "cpus": $0.cpus] as [String: Any] },
            "row_stride": "row r starts at element r x (n rounded up to 16 floats, one 64-byte line): rows start on a line, and workers never share a line of y",
            "split": "worker w runs a contiguous block of whole rows (blocks differ by at most one row); no barrier inside a row or between rows",
            "streaming_stores": "decided per row by the plan's streaming threshold for n (one row's length), as for a single vector of n",
            "check": "after every timed sample each row of the last output must sum to 1 within sum_tolerance",
            "noise_sizes": "the noise section and the run's warnings name a size and batch by its elements per call, B x the row stride",
        ] as [String: Any]
    }

    /// x and the rotating outputs of B rows, each worker's block of whole rows bound to its node and first
    /// touched by it (the multicore kind's sliced allocation, with row blocks for slices).
    func allocateBatched(n: Int, batch: Int, pool: ThreadPool) throws -> (SizeBuffers, String) {
        let stride = BatchedSoftmax.rowStride(n: n)
        let blocks = (0..<pool.size).map { w -> Range<Int> in
            let r = BatchedSoftmax.rows(w, of: pool.size, batch: batch)
            return (r.lowerBound * stride)..<(r.upperBound * stride)
        }
        return try allocateSliced(count: stride * batch, blocks: blocks, pool: pool)
    }
}

extension Contenders {
    /// A batch of whole softmaxes, its rows split across the pool's workers (nil: only the row is needed).
    /// Every row of the output must sum to 1: a worker that skipped or garbled its rows fails the check.
    static func batched(_ batched: BatchedSoftmax, preset: String, base: ResultRow, tolerance: Double, pool: ThreadPool?) -> Contender {
        var row = base
        row.kind = .softmax
        row.isa = batched.plan.isa.rawValue
        row.preset = preset
        row.subject = .algorithm(batched.plan.algorithm)
        row.kernel = batched.plan.kernelsRun(n: batched.n).map(\.name).joined(separator: "+")
        row.bytesPerElement = Double(batched.plan.bytesPerElement)
        let check: (SizeBuffers) -> Result<Double?, CheckFailure> = { b in
            var worst = 0.0
            for r in 0..<batched.rows {
                let sum = outputSum(b.lastSlice + r * batched.rowStride, n: batched.n)
                let error = Swift.abs(sum - 1)
                guard error <= tolerance else {
                    return .failure(CheckFailure(message: "row \(r) of \(batched.rows): " + (sum.isNaN ? "output contains NaN" : "sum of outputs is \(sum), not 1 within \(tolerance)")))
                }
                worst = Swift.max(worst, error)
            }
            return .success(worst)
        }
        let call: (SizeBuffers) -> Void = { b in
            let y = b.nextSlice()
            if let pool { pool.run { w in batched.run(worker: w, x: b.x, y: y) } } else { for w in 0..<batched.workers { batched.run(worker: w, x: b.x, y: y) } }
        }
        return Contender(row: row, call: call, checkLast: check, precheck: { b, _ in call(b); return check(b) })
    }
}

/// Which algorithm wins a batched configuration: the fastest median, and whether the win is resolved (the
/// paired ratio of every other algorithm's time over the winner's, round by round, has a 95% interval
/// above 1) or a tie with the algorithms whose interval holds 1.
public struct BatchedVerdict: Equatable, Sendable {
    public var winner: String
    /// Algorithms the winner is not resolved from (their paired ratio's interval holds 1, or has no interval).
    public var tiedWith: [String]
    public var resolved: Bool { tiedWith.isEmpty }

    /// `samples`: each algorithm's seconds per call, sample i of every algorithm from round i. nil without
    /// two algorithms that have samples.
    public static func decide(_ samples: [String: [Double]]) -> BatchedVerdict? {
        let medians = samples.compactMapValues { $0.isEmpty ? nil : median($0) }
        guard medians.count >= 2, let winner = medians.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key else { return nil }
        let tied = medians.keys.filter { $0 != winner }.sorted().filter { other in
            guard let ratio = pairedRatio(samples[other]!, over: samples[winner]!) else { return true }
            return ratio.low <= 1
        }
        return BatchedVerdict(winner: winner, tiedWith: tied)
    }

    public var text: String {
        resolved ? "\(winner) wins" : "\(winner) fastest median, tie with \(tiedWith.joined(separator: ", "))"
    }
}

extension Summary {
    /// "median [low,high]" of the paired ratio; the median alone below the rounds an interval needs; "-"
    /// where the samples do not pair (other counts, or a time that is not positive).
    static func pairedRatioText(_ other: [Double], over two: [Double]) -> String {
        if let ratio = pairedRatio(other, over: two) { return String(format: "%.2f [%.2f,%.2f]", ratio.median, ratio.low, ratio.high) }
        guard !two.isEmpty, other.count == two.count, !two.contains(where: { $0 <= 0 }) else { return "-" }
        return String(format: "%.2f (too few rounds for an interval)", median(zip(other, two).map { $0 / $1 }))
    }

    /// `show` for a batched run: per ISA and preset, one line per size and batch with the verdict and the
    /// two-pass speedup over each other algorithm (median over rounds of its time / two-pass time [95% CI]).
    static func renderBatched(_ rows: [[String: String]]) -> String {
        var out = ""
        for (_, group) in groups(rows, by: ["processor_id", "isa", "preset"]) {
            let first = group[0]
            out += "\n\(first["processor_id"] ?? "") \(first["isa"] ?? "") \(first["preset"] ?? ""): batched rows, verdict per size and batch; "
                + "speedup of two-pass = median over rounds of the other's time / two-pass time [95% CI]\n"
            let configurations = Set(group.compactMap { r in Int(r["n"] ?? "").flatMap { n in Int(r["batch"] ?? "").map { [n, $0] } } })
                .sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
            for key in configurations {
                let members = group.filter { Int($0["n"] ?? "") == key[0] && Int($0["batch"] ?? "") == key[1] }
                let samples = Dictionary(members.compactMap { r -> (String, [Double])? in
                    guard let a = r["algorithm"] else { return nil }
                    return (a, ResultTable.samples(of: r) ?? [])
                }, uniquingKeysWith: { a, _ in a })
                let threads = members.first?["threads"] ?? ""
                var line = pad("n=\(key[0]) B=\(key[1])", 22) + pad("\(threads) thr", 8)
                line += BatchedVerdict.decide(samples)?.text ?? "no verdict (fewer than two algorithms measured)"
                if let two = samples[Algorithm.twoPass.rawValue] {
                    for (algorithm, other) in samples.sorted(by: { $0.key < $1.key }) where algorithm != Algorithm.twoPass.rawValue {
                        // The median over rounds of the paired ratio, as plots/softmax_plots/batched.py gives it; its interval where
                        // there are rounds enough.
                        line += "; vs \(algorithm) " + pairedRatioText(other, over: two)
                    }
                }
                out += line + "\n"
            }
        }
        return out
    }
}

/// `batched`: B independent rows of n per call (`batches`), each row a whole softmax, the rows split across
/// min(B, cores) workers placed compactly (BatchedSoftmax): today's language-model vocabularies.
struct BatchedKind: ExperimentKind {
    let kind = Experiment.Kind.batched
    var spansCores: Bool { true }
    var ownKeys: [String: ExpectedJSON] { ["batches": .list(of: .whole(Int64.min...Int64.max))] }

    func readSpec(_ data: Data, source: String) throws -> any KindSpec { try BatchedSpec.read(data, source: source) }

    /// `batches`: required by, and only by, a batched experiment.
    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws {
        try experiment.spec(as: BatchedSpec.self).validate(fail)
    }

    func measuringCPUs(_ experiment: Experiment, topology: Topology, cpu: Int) -> [Int] {
        Array(Set(Worker.batchedConfigurations(experiment: experiment, topology: topology).flatMap(\.cpus))).sorted()
    }

    /// A batched size allocates its largest batch of rows.
    func elementsAllocated(n: Int, experiment: Experiment) -> Int {
        Worker.batchedElements(n: n, batch: experiment.spec(as: BatchedSpec.self).batches.max() ?? 1)
    }

    func checkMachine(_ experiment: Experiment, topology: Topology, options: RunOptions, log: (String) -> Void) throws {
        if let c = options.cpu {
            log("note: --cpu \(c) does not apply to a batched experiment: its workers are placed compactly from the first core")
        }
    }

    func estimatedSeconds(_ experiment: Experiment, steps: [Progress.Step], topology: Topology) -> Double? {
        // Each batch's call computes B rows on min(B, cores) workers: as many elements per worker.
        Worker.batchedConfigurations(experiment: experiment, topology: topology).reduce(0.0) { sum, c in
            sum + Progress(steps: steps.map { .init(n: c.elementsPerWorker(n: $0.n), isas: $0.isas) }, experiment: experiment).secondsLeft
        }
    }

    func measure(_ worker: Worker) { worker.measureBatched() }

    func renderSoftmaxRows(_ table: ResultTable, rows: [[String: String]], target: Double) -> String {
        Summary.renderBatched(rows)
    }
}

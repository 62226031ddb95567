import Foundation
import Platform
import Softmax

#if canImport(Glibc)
import Glibc
#endif

/// The measuring thread: pinned to one CPU, FTZ/DAZ set, counters opened on it, buffers first touched by
/// it. One instance measures one experiment.
final class Worker: @unchecked Sendable {
    struct Outcome {
        var rowsWritten = 0
        var errorRows = 0
        var skipped = 0
        var observedCPUs: Set<Int> = []
        var counters: CounterReport?
        var error: HarnessError?
        /// Keys the run adds to the metadata (the multi-core placements).
        var metadata: [String: Any] = [:]
        var noise = NoiseLog()

        /// Adds a later run's rows, CPUs and metadata to this one's; its error, if any, becomes this one's.
        mutating func append(_ later: Outcome) {
            rowsWritten += later.rowsWritten
            errorRows += later.errorRows
            skipped += later.skipped
            observedCPUs.formUnion(later.observedCPUs)
            if let e = later.error { error = e }
            for (key, value) in later.metadata { metadata[key] = value }
            noise.append(later.noise)
        }
    }

    let experiment: Experiment
    let plan: WorkPlan
    let base: ResultRow
    let cpu: Int
    let topology: Topology
    /// The caches the rotating output slices must exceed.
    let rotation: OutputRotation
    let completed: Set<String>
    let writer: ResultWriter
    let log: (String) -> Void
    let noiseProbe: NoiseProbe
    var outcome = Outcome()
    /// Called on the worker thread after each size (the runner rewrites the metadata with what it saw).
    var checkpoint: ((Outcome) -> Void)?

    init(experiment: Experiment, plan: WorkPlan, base: ResultRow, cpu: Int, topology: Topology, rotation: OutputRotation, completed: Set<String>,
         writer: ResultWriter, noiseProbe: NoiseProbe = ThreadTimeNoiseProbe(), log: @escaping (String) -> Void) {
        self.noiseProbe = noiseProbe
        self.experiment = experiment
        self.plan = plan
        self.base = base
        self.cpu = cpu
        self.topology = topology
        self.rotation = rotation
        self.completed = completed
        self.writer = writer
        self.log = log
    }

    /// Runs `measure` (the kind's measuring loop) on a new thread pinned to `cpu` and waits for it.
    func runPinned(_ measure: @escaping (Worker) -> Void) -> Outcome {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            defer { done.signal() }
            do {
                try Pinning.pinCurrentThread(toCPU: cpu, topology: topology)
            } catch {
                outcome.error = .platform("could not pin the worker to CPU \(cpu): \(error)")
                return
            }
            FloatingPointEnvironment.flushDenormals(true)
            let (wall, ownCPU, times) = (now(), LoadProbe.threadCPUSeconds(), LoadProbe.processorTimes(cpu: cpu))
            measure(self)
            outcome.noise.wallSeconds = now() - wall
            if let before = times, let after = LoadProbe.processorTimes(cpu: cpu) {
                let delta = after - before
                outcome.noise.stealSeconds = delta.steal
                outcome.noise.otherLoadSeconds = Swift.max(delta.busy - (LoadProbe.threadCPUSeconds() - ownCPU), 0)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        return outcome
    }

    /// Timed sizes on this worker: whole softmaxes, or pass kernels beside references and compute peaks.
    func measureAll() {
        let counters = CounterSet(events: CounterSet.resolvingLLCEvent())
        outcome.counters = CounterReport(available: counters.available, unavailable: counters.unavailable, llcEvent: counters.llcEvent)
        for (event, reason) in counters.unavailable.sorted(by: { $0.key < $1.key }) {
            log("note: counter \(event) unavailable: \(reason); its CSV cells stay empty")
        }
        let steps = plan.sizes.map { n in
            Progress.Step(n: n, isas: (plan.items[n] ?? []).map { makeContender($0, n: n).row }.filter { !completed.contains($0.key) }.map(\.isa))
        }
        var progress = Progress(steps: steps, experiment: experiment)
        log("running \(experiment.id): \(progress.total) configurations on CPU \(cpu), \(experiment.samples) samples each")
        for n in plan.sizes {
            let contenders = (plan.items[n] ?? []).map { makeContender($0, n: n) }
            let todo = contenders.filter { !completed.contains($0.row.key) }
            outcome.skipped += contenders.count - todo.count
            guard !todo.isEmpty else { continue }
            let start = now()
            let rows = measure(n: n, contenders: todo, counters: counters)
            progress.finished(n: n, rows: rows, seconds: now() - start, log: log)
            checkpoint?(outcome)
        }
    }

    private func makeContender(_ item: WorkPlan.Item, n: Int) -> Contender {
        var row = base
        row.n = n
        switch item {
        case let .softmax(plan, preset): return Contenders.softmax(plan, preset: preset, base: row, tolerance: experiment.sumTolerance)
        case let .pass(kernel): return Contenders.pass(kernel, base: row)
        case let .reference(memref): return Contenders.reference(memref, base: row)
        }
    }

    /// Elements of a `peak` call: input and output together in half of L2 (or of L1d where there is no
    /// L2), at most 64K. L2 rather than L1: at the few thousand elements that fit L1 a call lasts about a
    /// microsecond, and the call itself would be measured.
    var peakN: Int { Swift.min(Swift.max(2048, (topology.l2Bytes ?? topology.l1dBytes ?? 32768) / 16), 65536) }

    /// L2-resident buffers of `peakN` elements, shared by every peak contender, and their float64 facts.
    private lazy var peakBuffers: (buffers: SizeBuffers, facts: InputFacts)? = {
        guard let b = try? allocate(n: peakN, rotateOutputs: false) else { return nil }
        return (b, InputFacts(b.x, n: peakN))
    }()

    /// The compute bound of a pass kernel at size n, as a contender of that size's rounds: the kernel's
    /// arithmetic on L2-resident buffers, where DRAM cannot limit it, with each sample scaled from `peakN`
    /// to n elements, so the row reads as the time n elements would take at that speed. Timed in the same
    /// rounds as the pass, not once beforehand: a shared machine's speed drifts within seconds, and a bound
    /// taken at another moment moves the same kernel's efficiency by that drift (docs/protocol.md, "Roofline
    /// verdict").
    ///
    /// A kernel with streaming stores writes to DRAM even when its output would fit in L2, so its own time
    /// there measures memory, not arithmetic: its bound is its plain twin's (same arithmetic, ordinary
    /// stores). The other contenders of the round evict the buffers between samples; the first of the
    /// 50 or so calls of a sample reloads them, which costs about 1% of it.
    private func peakContender(_ arithmetic: Kernel, n: Int) -> Contender? {
        guard let (buffers, facts) = peakBuffers else { return nil }
        var base = self.base
        base.n = peakN
        let inner = Contenders.pass(arithmetic, base: base)
        var row = inner.row
        row.kind = .peak
        row.n = n
        return Contender(row: row, call: { _ in inner.call(buffers) }, checkLast: { _ in inner.checkLast(buffers) },
                         precheck: { _, _ in inner.precheck(buffers, facts) })
    }

    private func allocate(n: Int, rotateOutputs: Bool = true) throws -> SizeBuffers {
        let slices = rotateOutputs ? Schedule.rotatingSlices(n: n, llcBytes: rotation.llcBytes) : 1
        let xBuffer = try NodeBuffer(count: n, nearCPU: cpu, topology: topology)
        let yBuffer = try NodeBuffer(count: Schedule.outputOffset + Schedule.sliceStride(n) * slices, nearCPU: cpu, topology: topology)
        yBuffer.firstTouch(value: 0)
        fillInput(xBuffer.pointer, n: n)
        return SizeBuffers(n: n, x: xBuffer.pointer, y: yBuffer.pointer + Schedule.outputOffset, slices: slices, owners: [xBuffer, yBuffer])
    }

    /// The same seed gives the same input on every machine (and for any number of threads), so results
    /// compare like for like.
    func fillInput(_ x: UnsafeMutablePointer<Float>, n: Int) {
        var rng = SplitMix64(seed: experiment.seed &+ UInt64(n))
        let lo = experiment.inputRange[0], hi = experiment.inputRange[1]
        for i in 0..<n { x[i] = lo + (hi - lo) * Float(rng.next() >> 40) * 0x1p-24 }
    }

    /// Measures one size and emits its rows; returns them.
    private func measure(n: Int, contenders: [Contender], counters: CounterSet) -> [ResultRow] {
        // Each pass kernel's compute bound, timed in the same rounds (only kinds that time passes have any).
        var bounded: [Kernel] = []
        for c in contenders where c.row.kind == .pass {
            guard let kernel = KernelRegistry.named(c.row.kernel) else { continue }
            let arithmetic = KernelRegistry.withOrdinaryStores(kernel)
            if !bounded.contains(arithmetic) { bounded.append(arithmetic) }
        }
        let all = contenders + bounded.compactMap { peakContender($0, n: n) }
        var rows = measureRows(n: n, contenders: all, counters: counters, rotateOutputs: true)
        for i in rows.indices where rows[i].kind == .peak {
            // Samples are per call of peakN elements: scale them (and per-element counters) to n.
            let scale = Double(n) / Double(peakN)
            rows[i].samples = rows[i].samples.map { $0 * scale }
            for (column, value) in rows[i].counters where ResultSchema.counterColumns.first(where: { $0.column == column })?.normalisation == .perElement {
                rows[i].counters[column] = value * scale
            }
        }
        Rooflines.attach(to: &rows)
        for row in rows where !(row.kind == .peak && completed.contains(row.key)) { emit(row) }
        return rows
    }

    /// Calibration (how many calls a sample needs to last min_sample_seconds), then warm-up samples of
    /// that many calls, discarded; returns the calls per sample of each contender.
    private func calibrate(_ contenders: [Contender], buffers: SizeBuffers, sink: inout Float) -> [Int] {
        var calls = [Int](repeating: 1, count: contenders.count)
        for (i, contender) in contenders.enumerated() {
            var fastest = Double.infinity
            for _ in 0..<2 {
                sink += buffers.touchInput()
                let t0 = now()
                contender.call(buffers)
                fastest = Swift.min(fastest, now() - t0)
            }
            calls[i] = Schedule.callsPerSample(secondsPerCall: fastest, minSampleSeconds: experiment.minSampleSeconds)
            for _ in 0..<experiment.warmupSamples {
                sink += buffers.touchInput()
                for _ in 0..<calls[i] { contender.call(buffers) }
            }
        }
        return calls
    }

    /// Checks, calibrates and times the contenders of one size, interleaved; returns their rows (error
    /// rows for those that failed), in contender order.
    /// `workers`: the threads a contender's call runs on (their pinned CPUs, and how to read back where
    /// they ran); nil for the measuring thread alone. `allocateBuffers` replaces the single-thread buffers.
    // Long because the rounds keep a dozen per-contender arrays (samples, counts, failures, output errors)
    // that the checks before timing, the round loop and the rows all read; split, each piece would take them
    // all as arguments.
    func measureRows(n: Int, contenders: [Contender], counters: CounterSet, rotateOutputs: Bool,
                             workers: (cpus: [Int], observe: () -> [Int])? = nil,
                             allocateBuffers: (() throws -> SizeBuffers)? = nil) -> [ResultRow] {
        let makeBuffers = { [self] in try allocateBuffers?() ?? allocate(n: n, rotateOutputs: rotateOutputs) }
        var buffers: SizeBuffers
        do { buffers = try makeBuffers() } catch {
            return contenders.map { errorRow($0.row, "could not allocate buffers for n = \(n): \(error)") }
        }
        // Float64 facts cost an exp per element; only the pass checks need them.
        let needsFacts = contenders.contains { $0.row.kind == .pass || $0.row.kind == .peak }
        let facts = needsFacts ? InputFacts(buffers.x, n: n) : nil
        var sink: Float = 0

        // Check every contender once, thoroughly, before timing: a wrong kernel is never timed.
        var rows: [ResultRow?] = contenders.map { _ in nil }
        var live: [(contender: Contender, error: Double?, index: Int)] = []
        for (index, c) in contenders.enumerated() {
            switch c.precheck(buffers, facts ?? InputFacts.unused) {
            case let .success(e): live.append((c, e, index))
            case let .failure(f): rows[index] = errorRow(c.row, "output check failed before timing: \(f.message)")
            }
        }
        guard !live.isEmpty else { return rows.compactMap { $0 } }

        let calls = calibrate(live.map(\.contender), buffers: buffers, sink: &sink)

        var samples = [[Double]](repeating: [], count: live.count)
        var outputError = live.map(\.error)
        var failure = [String?](repeating: nil, count: live.count)
        var totals = [[String: Int64]](repeating: [:], count: live.count)
        var countersFailed = [Bool](repeating: false, count: live.count)
        let expectedCPUs = workers?.cpus ?? [cpu]
        let observe = workers?.observe ?? { [Pinning.currentCPU()] }
        var observed = Set<[Int]>()
        let comparisons = Comparisons.pairs(live.map(\.contender.row))
        var sampling = Sampling(experiment: experiment, comparisons: comparisons)
        let clockBefore = LoadProbe.effectiveClockGHz()
        var attempt = 0
        var reallocatedAt = 0
        var allocations = 1
        // The new buffers are allocated before the old ones are released: only where both fit.
        let roomForTwoAllocations = Double(2 * WorkPlan.bufferBytes(n: n, llcBytes: rotation.totalLLCBytes)) < 0.9 * Double(MachineInfo.availableMemoryBytes())
        while !sampling.done(samples: samples, failed: failure.map { $0 != nil }) {
            // Fresh buffers every `rounds_per_allocation` rounds: where the pages of x and of the output
            // slices fall (cache sets, DRAM banks) stays fixed for one allocation and changes with the next,
            // so it is noise between allocations; measured in one allocation only, it would be a bias the
            // interval cannot see, and runs would disagree by more than their intervals say.
            if experiment.roundsPerAllocation > 0, sampling.rounds > 0, sampling.rounds % experiment.roundsPerAllocation == 0,
               attempt > 0, reallocatedAt != sampling.rounds, roomForTwoAllocations {
                reallocatedAt = sampling.rounds
                do {
                    buffers = try makeBuffers()
                    allocations += 1
                } catch {
                    log("note: n=\(n): fresh buffers could not be allocated (\(error)); the rounds go on in the current ones")
                }
            }
            // A round's samples are kept only if nothing else took the measuring CPU meanwhile; its order
            // is drawn from the attempt, so a repeated round does not replay the discarded one's order.
            var roundSamples = [Double?](repeating: nil, count: live.count)
            var roundCounts = [[String: Int64]](repeating: [:], count: live.count)
            noiseProbe.beginRound()
            for i in Schedule.order(contenders: live.count, round: attempt, seed: experiment.seed &+ UInt64(n)) where failure[i] == nil {
                let c = live[i].contender
                sink += buffers.touchInput()
                var counting = !counters.available.isEmpty && !countersFailed[i]
                if counting { do { try counters.start() } catch { counting = false; countersFailed[i] = true } }
                let t0 = now()
                for _ in 0..<calls[i] { c.call(buffers) }
                let t1 = now()
                if counting {
                    if let values = try? counters.stop() {
                        for (event, value) in values { roundCounts[i][event, default: 0] += value }
                    } else { countersFailed[i] = true }
                }
                roundSamples[i] = (t1 - t0) / Double(calls[i])
                switch c.checkLast(buffers) {
                case let .success(e): if let e { outputError[i] = Swift.max(outputError[i] ?? 0, e) }
                case let .failure(f): failure[i] = "output check failed after timed sample \(samples[i].count + 1): \(f.message)"
                }
            }
            attempt += 1
            observed.insert(observe())
            let foreign = noiseProbe.endRound()
            if sampling.shouldRepeat(foreignShare: foreign) { continue }
            for i in live.indices {
                guard let sample = roundSamples[i] else { continue }
                samples[i].append(sample)
                for (event, value) in roundCounts[i] { totals[i][event, default: 0] += value }
            }
        }
        outcome.noise.record(size: n, rounds: sampling.rounds, repeated: sampling.repeated, exhausted: sampling.repeatsExhausted,
                             clock: [clockBefore, LoadProbe.effectiveClockGHz()], allocations: allocations)
        if sampling.repeatsExhausted {
            log("warning: n=\(n): another load kept taking more than \(Int(experiment.noiseThreshold * 100))% of the measuring CPU; after \(sampling.repeated) repeated rounds the rest were kept (see the metadata's noise)")
        }
        let met = sampling.targetsMet(samples: samples, failed: failure.map { $0 != nil })
        for cpus in observed { outcome.observedCPUs.formUnion(cpus) }
        if observed != [expectedCPUs] {
            log("warning: the workers were seen on CPUs \(observed.map(\.description).sorted().joined(separator: ", ")) although pinned to \(expectedCPUs)")
        }
        let seenCPUs = observed.count == 1 ? observed.first! : expectedCPUs

        for (i, entry) in live.enumerated() {
            var row = entry.contender.row
            row.cpu = seenCPUs.first ?? cpu
            if workers != nil { row.cpus = seenCPUs }
            if let f = failure[i] {
                rows[entry.index] = errorRow(row, f)
                continue
            }
            row.callsPerSample = calls[i]
            row.samples = samples[i]
            row.precisionTarget = experiment.medianPrecisionTarget
            row.precisionMet = met[i]
            row.roundsRepeated = sampling.repeated
            row.outputError = outputError[i]
            if !countersFailed[i] {
                row.counters = normalise(totals[i], n: n, calls: calls[i] * samples[i].count, llcEvent: counters.llcEvent)
            }
            rows[entry.index] = row
        }
        if sink == .greatestFiniteMagnitude { log("") }  // keeps the input touches observable
        return rows.compactMap { $0 }
    }

    private func normalise(_ totals: [String: Int64], n: Int, calls: Int, llcEvent: String?) -> [String: Double] {
        let events: [String: String] = [
            "PAPI_TOT_CYC": "cycles_per_element", "PAPI_TOT_INS": "instructions_per_element",
            "perf::TASK-CLOCK": "task_clock_ns_per_element", "perf::PAGE-FAULTS": "page_faults_per_call",
            "perf::CONTEXT-SWITCHES": "context_switches_per_call", "perf::CPU-MIGRATIONS": "cpu_migrations_per_call",
        ]
        var out: [String: Double] = [:]
        for (event, value) in totals {
            guard let column = event == llcEvent ? "llc_misses_per_element" : events[event],
                  let spec = ResultSchema.counterColumns.first(where: { $0.column == column }) else { continue }
            let denominator = spec.normalisation == .perElement ? Double(n) * Double(calls) : Double(calls)
            out[column] = Double(value) / denominator
        }
        return out
    }

    func errorRow(_ row: ResultRow, _ error: String) -> ResultRow {
        var row = row
        row.error = error
        row.samples = []
        row.counters = [:]
        row.roofline = nil
        return row
    }

    func emit(_ row: ResultRow) {
        if let error = row.error {
            outcome.errorRows += 1
            let configuration = row.accuracy.map { " \($0.inputRange)\($0.mask.isEmpty ? "" : " mask \($0.mask)")" } ?? ""
            log("error: \(row.kernel) n=\(row.n)\(configuration): \(error)")
        }
        writer.append(row)
        outcome.rowsWritten += 1
    }
}


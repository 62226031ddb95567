import Platform

/// When a size's rounds stop, and which rounds are measured again: the `samples` rounds always run; more
/// follow until every median's 95% interval and every paired ratio's (`Comparisons`) is within its target,
/// or `max_rounds` or `round_budget_seconds` is reached. A round in which other work took more than
/// `noise_threshold` of the measuring thread's time is repeated, at most `samples` times per size (a
/// machine that stays busy would otherwise never finish); past that its rounds are kept and the run says so.
struct Sampling {
    let minRounds: Int
    let maxRounds: Int
    let budgetSeconds: Double
    let medianTarget: Double
    let ratioTarget: Double
    let noiseThreshold: Double
    let maxRepeats: Int
    let comparisons: [(numerator: Int, denominator: Int)]
    let clock: () -> Double
    let start: Double
    private(set) var rounds = 0
    private(set) var repeated = 0
    private(set) var repeatsExhausted = false

    init(experiment: Experiment, comparisons: [(numerator: Int, denominator: Int)], clock: @escaping () -> Double = now) {
        minRounds = experiment.samples
        maxRounds = Swift.max(experiment.maxRounds, experiment.samples)
        budgetSeconds = experiment.roundBudgetSeconds
        medianTarget = experiment.medianPrecisionTarget
        ratioTarget = experiment.precisionTarget
        noiseThreshold = experiment.noiseThreshold
        maxRepeats = experiment.samples
        self.comparisons = comparisons
        self.clock = clock
        start = clock()
    }

    /// Called after each round with the share of its time other work took; true: discard the round.
    mutating func shouldRepeat(foreignShare: Double) -> Bool {
        if foreignShare > noiseThreshold {
            if repeated < maxRepeats {
                repeated += 1
                return true
            }
            repeatsExhausted = true
        }
        rounds += 1
        return false
    }

    /// Whether to stop before another round.
    func done(samples: [[Double]], failed: [Bool]) -> Bool {
        if failed.allSatisfy({ $0 }) { return true }
        if rounds < minRounds { return false }
        if rounds >= maxRounds || clock() - start >= budgetSeconds { return true }
        return targetsMet(samples: samples, failed: failed).allSatisfy { $0 }
    }

    /// Per contender: whether its median's interval and the paired ratios it takes part in are within their
    /// targets (a failed contender counts as met: it has nothing left to sample, and its partners do not wait
    /// for it).
    func targetsMet(samples: [[Double]], failed: [Bool]) -> [Bool] {
        var met = samples.indices.map { i in
            failed[i] || (MedianInterval(samples[i]).map { $0.relativeHalfWidth <= medianTarget } ?? false)
        }
        for (a, b) in comparisons where !failed[a] && !failed[b] {
            let within = pairedRatio(samples[a], over: samples[b]).map { $0.relativeHalfWidth <= ratioTarget } ?? false
            if !within {
                met[a] = false
                met[b] = false
            }
        }
        return met
    }
}

/// Measures how much of a round other work took from the measuring thread.
protocol NoiseProbe: AnyObject {
    func beginRound()
    /// The share of the round's wall time the thread did not run (0 ... 1).
    func endRound() -> Double
}

/// The measuring thread's CPU time against the wall clock: the thread computes or spins throughout a round,
/// so any shortfall is time the kernel or the hypervisor gave to something else.
final class ThreadTimeNoiseProbe: NoiseProbe {
    private var wall = 0.0
    private var cpu = 0.0

    func beginRound() {
        wall = now()
        cpu = LoadProbe.threadCPUSeconds()
    }

    func endRound() -> Double {
        let elapsed = now() - wall
        let ran = LoadProbe.threadCPUSeconds() - cpu
        guard elapsed > 0 else { return 0 }
        return Swift.min(Swift.max(1 - ran / elapsed, 0), 1)
    }
}

/// What a run saw of other load and of the clock, for its metadata and stderr.
struct NoiseLog {
    var rounds = 0
    var repeatedRounds = 0
    var sizesThatKeptNoisyRounds: [Int] = []
    var clockGHz: [Double] = []
    /// Over the whole run, from /proc/stat of the measuring CPU: time stolen by the hypervisor, and time
    /// other tasks ran there (the CPU's busy time less the measuring thread's own).
    var stealSeconds: Double?
    var otherLoadSeconds: Double?
    var wallSeconds = 0.0
    /// Allocations of the sizes' buffers (one per size, more with rounds_per_allocation).
    var bufferAllocations = 0

    mutating func record(size n: Int, rounds: Int, repeated: Int, exhausted: Bool, clock: [Double], allocations: Int = 1) {
        self.rounds += rounds
        bufferAllocations += allocations
        repeatedRounds += repeated
        if exhausted { sizesThatKeptNoisyRounds.append(n) }
        clockGHz += clock.filter(\.isFinite)
    }

    mutating func append(_ later: NoiseLog) {
        rounds += later.rounds
        repeatedRounds += later.repeatedRounds
        bufferAllocations += later.bufferAllocations
        sizesThatKeptNoisyRounds += later.sizesThatKeptNoisyRounds
        clockGHz += later.clockGHz
        if let s = later.stealSeconds { stealSeconds = (stealSeconds ?? 0) + s }
        if let o = later.otherLoadSeconds { otherLoadSeconds = (otherLoadSeconds ?? 0) + o }
        wallSeconds += later.wallSeconds
    }

    /// The busy-machine warnings a user should see on stderr (empty for a quiet run).
    func warnings(threshold: Double) -> [String] {
        var out: [String] = []
        if repeatedRounds > 0 {
            out.append("warning: \(repeatedRounds) of \(rounds + repeatedRounds) rounds were measured again because other work took more than \(Int(threshold * 100))% of the measuring CPU: this machine was busy")
        }
        if !sizesThatKeptNoisyRounds.isEmpty {
            out.append("warning: at n = \(sizesThatKeptNoisyRounds.map(String.init).joined(separator: ", ")) noisy rounds were kept after \(Int(threshold * 100))%-load repeats ran out: treat those sizes with caution")
        }
        if wallSeconds > 0, let steal = stealSeconds, steal > 0.01 * wallSeconds {
            out.append(String(format: "warning: the hypervisor took %.1f s (%.1f%%) of the measuring CPU during the run (steal)", steal, 100 * steal / wallSeconds))
        }
        if wallSeconds > 0, let other = otherLoadSeconds, other > 0.01 * wallSeconds {
            out.append(String(format: "warning: other tasks ran %.1f s (%.1f%%) on the measuring CPU during the run", other, 100 * other / wallSeconds))
        }
        if let lo = clockGHz.min(), let hi = clockGHz.max(), lo > 0, hi / lo > 1.1 {
            out.append(String(format: "warning: the effective clock moved between %.2f and %.2f GHz during the run", lo, hi))
        }
        return out
    }

    func metadata(threshold: Double) -> [String: Any] {
        var m: [String: Any] = [
            "rounds_kept": rounds, "rounds_repeated": repeatedRounds, "threshold": threshold, "buffer_allocations": bufferAllocations,
            "sizes_that_kept_noisy_rounds": sizesThatKeptNoisyRounds,
            "method": "per round, the measuring thread's CPU time (CLOCK_THREAD_CPUTIME_ID) against the wall clock; a round in which other work took more than the threshold is measured again, at most `samples` times per size; steal and other load over the run from /proc/stat of the measuring CPU; the effective clock from a chain of dependent integer adds timed before and after each size",
        ]
        if let lo = clockGHz.min(), let hi = clockGHz.max() {
            m["effective_clock_ghz"] = ["min": lo, "max": hi, "median": median(clockGHz)]
        }
        m["steal_seconds"] = stealSeconds ?? "unknown: /proc/stat not readable"
        m["other_load_seconds"] = otherLoadSeconds ?? "unknown: /proc/stat not readable"
        m["wall_seconds"] = wallSeconds
        return m
    }
}

import Foundation

/// Progress on stderr: what runs, how far along, and how long is left.
///
/// How long is left: each configuration still to run costs its samples (timed, warm-up and calibration)
/// of max(min_sample_seconds, n x the time per element its ISA took at the last size it ran), and the
/// sum is scaled by how much longer than that model the last size took (buffers, checks, bounds).
/// The estimate runs short while the sizes still fit the caches (the per-element time grows once they no
/// longer do) and close from there on; counting every configuration alike overestimated several times
/// over, since the portable kernels, ten times slower per element, stop at 1M.
struct Progress {
    /// One step of the run: a size (in multicore runs, of one thread configuration) and the ISA of each
    /// configuration still to measure there.
    struct Step: Equatable {
        var n: Int
        var isas: [String]
    }

    let total: Int
    private var done = 0
    private var pending: [Step]
    private var secondsPerElement: [String: Double] = [:]
    /// The last finished step's seconds / the model's seconds for it.
    private var overhead = 1.0
    private let samplesPerConfiguration: Double
    private let minSampleSeconds: Double

    /// Each configuration runs its timed and warm-up samples and about one more to calibrate.
    init(steps: [Step], experiment: Experiment) {
        self.init(steps: steps, samplesPerConfiguration: experiment.samples + experiment.warmupSamples + 1,
                  minSampleSeconds: experiment.minSampleSeconds)
    }

    init(steps: [Step], samplesPerConfiguration: Int, minSampleSeconds: Double) {
        pending = steps.filter { !$0.isas.isEmpty }
        total = pending.reduce(0) { $0 + $1.isas.count }
        self.samplesPerConfiguration = Double(samplesPerConfiguration)
        self.minSampleSeconds = minSampleSeconds
    }

    /// The model's seconds for one configuration at n; before any of its ISA has run, the mean of the
    /// ISAs that have, or 1 ns per element.
    private func modelSeconds(n: Int, isa: String) -> Double {
        let known = secondsPerElement.values
        let perElement = secondsPerElement[isa] ?? (known.isEmpty ? 1e-9 : known.reduce(0, +) / Double(known.count))
        return samplesPerConfiguration * Swift.max(minSampleSeconds, Double(n) * perElement)
    }

    /// Seconds left by the model, scaled by what the last finished step took against it.
    var secondsLeft: Double {
        overhead * pending.reduce(0.0) { sum, step in sum + step.isas.reduce(0.0) { $0 + modelSeconds(n: step.n, isa: $1) } }
    }

    /// `rows`: what the step measured (their medians teach the model); the step is the first pending one of size n.
    mutating func finished(n: Int, rows: [ResultRow], seconds: Double, log: (String) -> Void) {
        var perISA: [String: [Double]] = [:]
        for row in rows where row.kind != .peak && row.n > 0 {
            guard let median = row.summary?.median else { continue }
            perISA[row.isa, default: []].append(median / Double(row.n))
        }
        for (isa, values) in perISA { secondsPerElement[isa] = values.reduce(0, +) / Double(values.count) }
        if let i = pending.firstIndex(where: { $0.n == n }) {
            let modelled = pending[i].isas.reduce(0.0) { $0 + modelSeconds(n: n, isa: $1) }
            if modelled > 0 { overhead = seconds / modelled }
            pending.remove(at: i)
        }
        let count = rows.filter { $0.kind != .peak }.count
        done += count
        log(String(format: "[%d/%d] n=%d: %d configurations in %.1f s; about %@ left", done, Swift.max(total, done), n, count, seconds,
                   formatDuration(secondsLeft)))
    }
}

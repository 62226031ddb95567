import Foundation
import Platform
import Softmax

extension Experiment.Kind {
    /// Whole softmaxes' errors against a float64 softmax, per input range and mask: nothing is timed.
    public static let accuracy = Experiment.Kind(rawValue: "accuracy")
}

/// `accuracy`: whole softmaxes' errors against a float64 softmax, per input range, mask and order; nothing
/// is timed.
struct AccuracyKind: ExperimentKind {
    let kind = Experiment.Kind.accuracy
    var timesCalls: Bool { false }
    var ownKeys: [String: ExpectedJSON] { AccuracySpec.keyTypes }
    /// A NaN output or a sum far from 1 is a finding (two-pass beyond |x| = 2.36e38), not a failed run.
    var errorRowsAreFindings: Bool { true }

    func rejectFileKeys(_ keys: [String], source: String) throws {
        for key in keys where Experiment.timingOnlyKeys.contains(key) {
            let instead = key == "input_range" ? "list ranges under 'input_ranges' instead" : key == "samples" ? "the inputs per configuration are 'trials'" : "remove it"
            throw HarnessError.malformedExperiment(source, "key '\(key)' does not apply to an accuracy experiment, which times nothing: \(instead)")
        }
    }

    func foreignKeyMessage(_ key: String, in other: Experiment.Kind) -> String {
        "key '\(key)' applies only to an accuracy experiment (\"kind\": \"accuracy\"); this one is \(other.rawValue): remove it"
    }

    func readSpec(_ data: Data, source: String) throws -> any KindSpec { try AccuracySpec.read(data, source: source) }

    func validate(_ experiment: Experiment, fail: (String) -> HarnessError) throws {
        try experiment.spec(as: AccuracySpec.self).validate(fail)
    }

    /// Nothing is timed; its size is bounded by `trials`' maximum instead.
    func estimatedSeconds(_ experiment: Experiment, steps: [Progress.Step], topology: Topology) -> Double? { nil }

    func measure(_ worker: Worker) { worker.measureAccuracy() }

    func protocolRecord(_ experiment: Experiment, cpu: Int, observedCPUs: Set<Int>) -> [String: Any]? {
        Metadata.accuracyProtocol(experiment, cpu: cpu, observedCPUs: observedCPUs)
    }

    /// Ranges and masks are in each row's key; the inputs drawn per configuration are not.
    func untimedProtocolDifferences(_ experiment: Experiment, old: [String: Any]) -> [String]? {
        var differences: [String] = []
        let trials = experiment.spec(as: AccuracySpec.self).trials
        if let t = old["trials"] as? Int, t != trials { differences.append("trials \(t) -> \(trials)") }
        if let tolerance = old["sum_tolerance"] as? Double, tolerance != experiment.sumTolerance {
            differences.append("sum_tolerance \(tolerance) -> \(experiment.sumTolerance)")
        }
        return differences
    }
}

/// An accuracy experiment's own settings.
struct AccuracySpec: KindSpec, Equatable {
    /// The input ranges, each its own rows.
    var inputRanges: [InputRange]
    /// The masks, each its own rows; nil stands for "none" (nothing masked).
    var masks: [InputMask?]
    /// Inputs per configuration (each a fresh draw from the range, with the mask).
    var trials: Int
    /// The element orders each input is tried in, each its own rows (default: as drawn).
    var orders: [InputOrder]
    /// The most inputs per configuration a file may ask for: beyond it a typo would make the run look hung.
    static let maxTrials = 10_000

    static let keyTypes: [String: ExpectedJSON] = [
        "input_ranges": .list(of: .list(of: .number(limit: .greatestFiniteMagnitude))), "masks": .list(of: .string),
        "trials": .whole(Int64.min...Int64.max), "orders": .list(of: .string),
    ]

    private struct File: Decodable {
        var inputRanges: [[Double]]?
        var masks: [String]?
        var trials: Int?
        var orders: [String]?
        enum CodingKeys: String, CodingKey { case inputRanges = "input_ranges", masks, trials, orders }
    }

    /// The accuracy lists as written (ranges as pairs, masks and orders as names), checked one by one.
    static func read(_ data: Data, source: String) throws -> AccuracySpec {
        let file = try Experiment.decode(File.self, from: data, source: source)
        var inputRanges: [InputRange] = []
        for (i, pair) in (file.inputRanges ?? []).enumerated() {
            guard pair.count == 2 else {
                throw HarnessError.malformedExperiment(source, "key 'input_ranges[\(i)]' has \(pair.count) numbers: write each range as [low, high]")
            }
            inputRanges.append(InputRange(low: pair[0], high: pair[1]))
        }
        var masks: [InputMask?] = []
        for (i, text) in (file.masks ?? ["none"]).enumerated() {
            switch InputMask.parse(text) {
            case let .success(mask): masks.append(mask)
            case let .failure(error): throw HarnessError.malformedExperiment(source, "key 'masks[\(i)]': \(error.description)")
            }
        }
        let orders = try readOrders(file.orders ?? [InputOrder.random.rawValue], source: source)
        return AccuracySpec(inputRanges: inputRanges, masks: masks, trials: file.trials ?? 3, orders: orders)
    }

    private static func readOrders(_ names: [String], source: String) throws -> [InputOrder] {
        var orders: [InputOrder] = []
        for (i, name) in names.enumerated() {
            guard let order = InputOrder(rawValue: name) else {
                let hint = closestMatches(to: name, among: InputOrder.allCases.map(\.rawValue), limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
                throw HarnessError.malformedExperiment(source, "key 'orders[\(i)]' is '\(name)', not an order\(hint) (orders: \(InputOrder.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !orders.contains(order) else {
                throw HarnessError.malformedExperiment(source, "key 'orders' lists '\(name)' twice: rows are told apart by their order, list each once")
            }
            orders.append(order)
        }
        guard !orders.isEmpty else { throw HarnessError.malformedExperiment(source, "key 'orders' is empty: list \"random\" for inputs as drawn") }
        return orders
    }

    /// The accuracy settings: ranges, masks and trials.
    func validate(_ fail: (String) -> HarnessError) throws {
        guard !inputRanges.isEmpty else {
            throw fail("key 'input_ranges' is missing or empty: an accuracy experiment lists its input ranges, e.g. [[-1, 1], [-1e4, 1e4], [1e5, 100010]]")
        }
        for (i, r) in inputRanges.enumerated() {
            let written = "[\(r.low), \(r.high)]"
            guard r.low.isFinite, r.high.isFinite, r.low < r.high else {
                throw fail("key 'input_ranges[\(i)]' is \(written): write [low, high] with low < high, both finite")
            }
            guard r.largestMagnitude <= Double(Float.greatestFiniteMagnitude) else {
                throw fail("key 'input_ranges[\(i)]' is \(written): inputs are float32, whose largest finite value is \(Float.greatestFiniteMagnitude)")
            }
            guard Float(r.low) < Float(r.high) else {
                throw fail("key 'input_ranges[\(i)]' is \(written): both bounds round to the same float32 (\(Float(r.low))), so every input would be equal; widen it (float32 spacing there is \(Float(r.low).ulp))")
            }
        }
        let rangeLabels = inputRanges.map(\.label)
        if let repeated = rangeLabels.first(where: { label in rangeLabels.filter { $0 == label }.count > 1 }) {
            throw fail("key 'input_ranges' lists \(repeated) twice: rows are told apart by their range, list each once")
        }
        guard !masks.isEmpty else { throw fail("key 'masks' is empty: list \"none\" for unmasked inputs") }
        let maskLabels = masks.map { $0?.label ?? "none" }
        if let repeated = maskLabels.first(where: { label in maskLabels.filter { $0 == label }.count > 1 }) {
            throw fail("key 'masks' lists \(repeated) twice: rows are told apart by their mask, list each once")
        }
        guard trials >= 1 else { throw fail("key 'trials' is \(trials): at least one input per configuration is needed") }
        guard trials <= AccuracySpec.maxTrials else { throw fail("key 'trials' is \(trials): at most \(AccuracySpec.maxTrials) inputs per configuration") }
    }
}

extension Metadata {
    /// An accuracy run's protocol: what its inputs were and how its errors are defined (results/README.md).
    static func accuracyProtocol(_ experiment: Experiment, cpu: Int, observedCPUs: Set<Int>) -> [String: Any] {
        let spec = experiment.spec(as: AccuracySpec.self)
        return [
            "trials": spec.trials,
            "input_ranges": spec.inputRanges.map(\.label),
            "masks": spec.masks.map { $0?.label ?? "none" },
            "orders": spec.orders.map(\.rawValue),
            "sizes": experiment.sizes, "max_size_by_isa": experiment.maxSizeByISA,
            "sum_tolerance": experiment.sumTolerance,
            "input": "per configuration, `trials` inputs of n float32 values uniform in the row's input_range, from SplitMix64(seed XOR FNV-1a(\"<input_range>|<mask>|<n>|<trial>\")); a mask sets round(percent x n) entries (at least 1, at most n - 1; all but one for all-but-one), chosen by a partial Fisher-Yates shuffle of the same generator; then arranged in the row's order (random: as drawn; ascending; descending; max-first/max-last: the largest element swapped to the front/end); every algorithm and ISA sees the same inputs",
            "reference": "float64 softmax of the same float32 inputs: exp(x - max) in Double (glibc exp), summed in Double, divided in Double",
            "errors": "ulp error |y - ref| / ulp(float32 nearest ref), the ulp taken as FLT_MIN for ref < FLT_MIN (FTZ); max over every element of every input; means and relative errors over elements with ref >= FLT_MIN",
            "output_check": "an output with NaN or inf where ref is finite, or |sum(y) - 1| > sum_tolerance, makes the row an error row without errors",
            "ftz_daz": true,
            "pinned_cpu": cpu,
            "observed_cpus": observedCPUs.sorted(),
        ]
    }

}

extension Worker {
    /// The accuracy experiment: for each size, range and mask, draws `trials` inputs, arranges each in every
    /// order, runs every plan on it and compares every output element with the float64 softmax. One row per
    /// plan, range, mask and order; nothing is timed, so no counters are opened.
    func measureAccuracy() {
        let spec = experiment.spec(as: AccuracySpec.self)
        let configurationsPerPlan = spec.inputRanges.count * spec.masks.count * spec.orders.count
        let total = plan.sizes.reduce(0) { $0 + (plan.items[$1]?.count ?? 0) * configurationsPerPlan } - completed.count
        log("running \(experiment.id): \(Swift.max(total, 0)) configurations (plans x sizes x \(spec.inputRanges.count) ranges x \(spec.masks.count) masks x \(spec.orders.count) orders), \(spec.trials) inputs each, on CPU \(cpu)")
        var done = 0
        var elapsed = 0.0
        var elementsDone = 0.0
        let elementsTotal = Double(plan.sizes.reduce(0) { $0 + $1 * (plan.items[$1]?.count ?? 0) * configurationsPerPlan })
        for n in plan.sizes {
            let plans: [(plan: SoftmaxPlan, preset: String)] = (plan.items[n] ?? []).compactMap {
                if case let .softmax(p, preset) = $0 { return (p, preset) }
                return nil
            }
            var y = [Float](repeating: 0, count: n)
            for range in spec.inputRanges {
                let start = now()
                var measured = 0
                for mask in spec.masks {
                    for order in spec.orders {
                        measured += measureAccuracy(plans, n: n, range: range, mask: mask, order: order, y: &y)
                    }
                }
                guard measured > 0 else { continue }
                done += measured
                elapsed += now() - start
                elementsDone += Double(n * plans.count * spec.masks.count * spec.orders.count)
                let eta = elementsDone > 0 ? elapsed / elementsDone * Swift.max(elementsTotal - elementsDone, 0) : 0
                log(String(format: "[%d/%d] n=%d %@: %d configurations in %.1f s; about %@ left", done, Swift.max(total, done), n, range.label,
                           measured, now() - start, formatDuration(eta)))
                checkpoint?(outcome)
            }
        }
        if outcome.observedCPUs.contains(where: { $0 != cpu }) {
            log("warning: the worker was seen on CPUs \(outcome.observedCPUs.sorted()) although pinned to \(cpu)")
        }
    }

    /// One size, range, mask and order: every plan on `trials` inputs, its row emitted; returns the rows
    /// measured (none when all were already).
    private func measureAccuracy(_ plans: [(plan: SoftmaxPlan, preset: String)], n: Int, range: InputRange, mask: InputMask?,
                                 order: InputOrder, y: inout [Float]) -> Int {
        let rows = plans.map { accuracyRow($0.plan, preset: $0.preset, n: n, range: range, mask: mask, order: order) }
        let todo = rows.indices.filter { !completed.contains(rows[$0].key) }
        outcome.skipped += rows.count - todo.count
        guard !todo.isEmpty else { return 0 }
        var errors = [OutputErrors](repeating: OutputErrors(), count: rows.count)
        var failures = [String?](repeating: nil, count: rows.count)
        let trials = experiment.spec(as: AccuracySpec.self).trials
        for trial in 0..<trials {
            let x = order.arrange(accuracyInput(range: range, mask: mask, n: n, trial: trial, seed: experiment.seed))
            let reference = Float64Reference.softmax(x)
            for i in todo where failures[i] == nil {
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeMutableBufferPointer { yb in plans[i].plan(n: n, x: xb.baseAddress!, y: yb.baseAddress!) }
                }
                if let failure = errors[i].add(output: y, reference: reference, sumTolerance: experiment.sumTolerance) {
                    failures[i] = "input \(trial + 1) of \(trials): \(failure)"
                }
            }
        }
        let observed = Pinning.currentCPU()
        outcome.observedCPUs.insert(observed)
        for i in todo {
            var row = rows[i]
            row.cpu = observed
            row.outputError = errors[i].elements > 0 ? errors[i].worstSumDeviation : nil
            row.accuracy?.maxErrorULP = errors[i].maxULP
            row.accuracy?.meanErrorULP = errors[i].meanULP
            row.accuracy?.maxRelativeError = errors[i].maxRelative
            row.accuracy?.meanRelativeError = errors[i].meanRelative
            if let failure = failures[i] { row = errorRow(row, failure) }
            emit(row)
        }
        return todo.count
    }

    private func accuracyRow(_ softmax: SoftmaxPlan, preset: String, n: Int, range: InputRange, mask: InputMask?, order: InputOrder) -> ResultRow {
        var row = base
        row.n = n
        row.kind = .accuracy
        row.isa = softmax.isa.rawValue
        row.preset = preset
        row.subject = .algorithm(softmax.algorithm)
        // Name what ran: below the streaming threshold a preset's streaming-store kernels' plain twins do.
        row.kernel = softmax.kernelsRun(n: n).map(\.name).joined(separator: "+")
        row.bytesPerElement = Double(softmax.bytesPerElement)
        row.accuracy = ResultRow.Accuracy(inputRange: range.label, mask: mask?.label ?? "", order: order.rawValue, maxErrorULP: 0, meanErrorULP: 0,
                                          maxRelativeError: 0, meanRelativeError: 0)
        return row
    }
}

import Foundation
import Platform
import Softmax

/// What runs at each size, in the order sizes are measured (ascending).
struct WorkPlan {
    enum Item {
        case softmax(SoftmaxPlan, preset: String)
        case pass(Kernel)
        case reference(MemoryReference)
    }

    private(set) var sizes: [Int]
    private(set) var items: [Int: [Item]]
    /// What was left out and why, for stderr.
    var notes: [String] = []

    /// `planISA` gives the items run at every size on an ISA (the kind's plan; per-size items go into
    /// `items`).
    init(experiment: Experiment, isas: [ISA],
         planISA: (ISA, inout [Int: [Item]], inout [String]) throws -> [Item]) throws {
        var items: [Int: [Item]] = [:]
        var notes: [String] = []
        for isa in isas {
            let perISA = try planISA(isa, &items, &notes)
            for n in experiment.sizes(for: isa) { items[n, default: []] += perISA }
        }
        self.items = items
        self.sizes = items.keys.sorted()
        self.notes = notes
    }

    /// Whole softmaxes: each preset's plan of each algorithm on `isa`.
    static func softmaxItems(_ experiment: Experiment, isa: ISA, presets: [Preset], notes: inout [String]) throws -> [Item] {
        var perISA: [Item] = []
        for preset in presets {
            // The authors' per-processor presets have AVX2 kernels only: on other ISAs, say so once.
            guard preset.kernels[isa.rawValue] != nil else {
                notes.append(Self.presetLacksISANote(preset: preset.name, isa: isa))
                continue
            }
            for algorithm in experiment.algorithms {
                do {
                    perISA.append(.softmax(try preset.plan(algorithm, isa: isa), preset: preset.name))
                } catch SoftmaxError.presetMissing {
                    // A preset written before an algorithm existed (an old tuned preset): skip, say so.
                    notes.append("note: preset '\(preset.name)' has no kernels for \(algorithm.rawValue) on \(isa.rawValue): skipped")
                }
            }
        }
        return perISA
    }

    /// The experiment's memory reference loops on `isa`.
    static func referenceItems(_ experiment: Experiment, isa: ISA) -> [Item] {
        experiment.references.compactMap { MemoryReference.named($0, isa: isa) }.map { .reference($0) }
    }

    /// Pass kernels alone beside the references: every variant (`all_variants`), or at each size the kernels
    /// the presets' plans run there (those go into `items`, and nothing runs at every size).
    static func passItems(_ experiment: Experiment, isa: ISA, presets: [Preset], items: inout [Int: [Item]],
                          notes: inout [String]) throws -> [Item] {
        let references = referenceItems(experiment, isa: isa)
        if experiment.allVariants { return KernelRegistry.kernels(isa: isa).map { .pass($0) } + references }
        // At each size, the kernels the presets' plans run there: below a plan's streaming
        // threshold its streaming-store kernels' plain twins, as in its softmax rows.
        for preset in presets where preset.kernels[isa.rawValue] == nil {
            notes.append(Self.presetLacksISANote(preset: preset.name, isa: isa))
        }
        let plans = try presets.flatMap { preset in
            try Algorithm.allCases.filter { preset.kernels[isa.rawValue]?[$0.rawValue] != nil }.map { try preset.plan($0, isa: isa) }
        }
        for n in experiment.sizes(for: isa) {
            var kernels: [Kernel] = []
            for plan in plans {
                for kernel in plan.kernelsRun(n: n) where !kernels.contains(kernel) { kernels.append(kernel) }
            }
            items[n, default: []] += kernels.map { .pass($0) } + references
        }
        return []
    }

    static func presetLacksISANote(preset: String, isa: ISA) -> String {
        "note: preset '\(preset)' has no kernels for \(isa.rawValue): skipped for \(isa.rawValue)"
    }

    /// A plan of given items (tune's streaming crossover).
    init(items: [Int: [Item]]) {
        self.items = items
        self.sizes = items.keys.sorted()
    }

    mutating func remove(size n: Int) {
        sizes.removeAll { $0 == n }
        items[n] = nil
    }

    /// The error for size n when its buffers would take more than 90% of the available memory.
    static func memoryError(n: Int, llcBytes: Int, available: Int, experiment: String) -> HarnessError? {
        let bytes = bufferBytes(n: n, llcBytes: llcBytes)
        return Double(bytes) > Double(available) * 0.9 ? .tooLarge(n: n, bytes: bytes, available: available, experiment: experiment) : nil
    }

    /// Bytes allocated for size n: the input plus the rotating output slices.
    /// Int.max for sizes so large the arithmetic would overflow (they can never fit anyway).
    static func bufferBytes(n: Int, llcBytes: Int) -> Int {
        guard n <= Int.max / 16 else { return Int.max }
        return 4 * n + 4 * (Schedule.outputOffset + Schedule.sliceStride(n) * Schedule.rotatingSlices(n: n, llcBytes: llcBytes))
    }
}

/// The ISAs a run measures, and those the experiment listed that this CPU lacks (with why, for the metadata).
struct ISAChoice {
    var run: [ISA]
    var skipped: [String: String]
}

/// The caches the rotating output slices must exceed, so that every timed call writes memory the calls
/// before it evicted (Schedule.rotatingSlices): this machine's, or `RunOptions.llcBytes` where given.
struct OutputRotation {
    /// One worker's last-level cache: a single-threaded run's slices exceed it.
    var llcBytes: Int
    /// Every last-level cache instance together: workers on several cores share all of them.
    var totalLLCBytes: Int

    init(topology: Topology, llcBytesOverride: Int?) {
        llcBytes = llcBytesOverride ?? topology.llcBytes
        totalLLCBytes = llcBytesOverride ?? topology.totalLLCBytes
    }
}

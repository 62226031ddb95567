import Softmax

/// The comparisons a size's rounds are sampled for: the paired ratios the figures and the summary draw
/// from the rows of one size. Each is (numerator, denominator), indices into the rows, and reads as the
/// numerator's time over the denominator's in the same round.
enum Comparisons {
    static func pairs(_ rows: [ResultRow]) -> [(numerator: Int, denominator: Int)] {
        var pairs: [(Int, Int)] = []
        // Softmax rows: every algorithm against two-pass within one ISA, preset and thread configuration
        // (the speedups); where one algorithm has two kernel sets there (tune's streaming crossover), the
        // plain twins against the streaming ones.
        var groups: [String: [Int]] = [:]
        for (i, r) in rows.enumerated() where r.kind == .softmax {
            groups["\(r.isa)|\(r.preset)|\(r.threads)|\(r.placement)", default: []].append(i)
        }
        for members in groups.values {
            let byAlgorithm = Dictionary(grouping: members, by: { rows[$0].subject.name })
            for (_, same) in byAlgorithm where same.count == 2 {
                let streamed = same.first { KernelRegistry.kernels(ofSoftmaxRow: rows[$0]).contains(where: \.nonTemporalStores) }
                if let streamed, let plain = same.first(where: { $0 != streamed }) { pairs.append((plain, streamed)) }
            }
            guard let twoPass = byAlgorithm[Algorithm.twoPass.rawValue], twoPass.count == 1 else { continue }
            for (algorithm, same) in byAlgorithm where algorithm != Algorithm.twoPass.rawValue && same.count == 1 {
                pairs.append((same[0], twoPass[0]))
            }
        }
        // Pass rows: each bound (its memory reference, its compute peak) against the pass: the efficiencies.
        for (i, r) in rows.enumerated() where r.kind == .pass {
            guard let kernel = KernelRegistry.named(r.kernel) else { continue }
            let reference = Rooflines.referenceName(for: r.subject.name, nonTemporalStores: kernel.nonTemporalStores)
            let arithmetic = KernelRegistry.withOrdinaryStores(kernel).name
            if let m = rows.firstIndex(where: { $0.kind == .reference && $0.isa == r.isa && $0.subject == .reference(reference) }) { pairs.append((m, i)) }
            if let c = rows.firstIndex(where: { $0.kind == .peak && $0.kernel == arithmetic }) { pairs.append((c, i)) }
        }
        return pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}

extension KernelRegistry {
    /// The kernels a softmax row names (`+`-joined in its kernel column).
    static func kernels(ofSoftmaxRow row: ResultRow) -> [Kernel] {
        row.kernel.split(separator: "+").compactMap { KernelRegistry.named(String($0)) }
    }
}

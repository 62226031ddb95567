import Foundation
import Softmax

/// The roofline of a pass kernel: the memory bound (the reference loop that moves the same bytes) and the
/// compute bound (the kernel's own arithmetic on cache-resident buffers, the `peak` rows), measured in the
/// same rounds as the pass.
enum Rooflines {
    /// The memory reference whose access pattern a pass family shares. Streaming stores drop the
    /// write-allocate read of y, so passes that have them are held to `copy_nt`, not to `copy` (which
    /// they could beat without being any closer to the memory's limit). In-place vscale reads y anyway.
    static func referenceName(for family: String, nonTemporalStores: Bool = false) -> String {
        PassFamily(rawValue: family)?.memoryReference(nonTemporalStores: nonTemporalStores) ?? "copy"
    }

    /// Attaches a roofline verdict to each pass row from the reference and peak rows of the same size and ISA.
    static func attach(to rows: inout [ResultRow]) {
        for i in rows.indices where rows[i].kind == .pass && rows[i].error == nil {
            let pass = rows[i]
            guard let kernel = KernelRegistry.named(pass.kernel) else { continue }
            let name = referenceName(for: pass.subject.name, nonTemporalStores: kernel.nonTemporalStores)
            let arithmetic = KernelRegistry.withOrdinaryStores(kernel).name
            guard let reference = rows.first(where: { $0.kind == .reference && $0.isa == pass.isa && $0.subject == .reference(name) && $0.error == nil }),
                  let referenceMedian = reference.summary?.median, reference.bytesPerElement > 0,
                  let peak = rows.first(where: { $0.kind == .peak && $0.kernel == arithmetic && $0.error == nil }),
                  let peakMedian = peak.summary?.median else { continue }
            // The reference's time scaled to the pass's bytes; sample i of every row is from round i.
            let bytesScale = pass.bytesPerElement / reference.bytesPerElement
            rows[i].roofline = ResultRow.Roofline(
                memoryBoundSeconds: referenceMedian * bytesScale, computeBoundSeconds: peakMedian,
                memoryBoundSamples: reference.samples.map { $0 * bytesScale }, computeBoundSamples: peak.samples)
        }
    }
}

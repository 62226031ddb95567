import Softmax

/// The pieces of the measurement protocol that decide what runs when, kept free of I/O so they can be
/// tested.
public enum Schedule {
    /// Output slices to rotate among so that every call writes memory that is not in the last-level
    /// cache: 1 + ceil(LLC / slice bytes), as the authors' benchmark did. Slices are padded to 128 bytes.
    public static func rotatingSlices(n: Int, llcBytes: Int) -> Int {
        let bytes = Swift.max(paddedCount(n) * 4, 1)
        return 1 + (llcBytes + bytes - 1) / bytes
    }

    /// Elements per output slice: n rounded up to a multiple of 128 bytes (32 floats).
    public static func paddedCount(_ n: Int) -> Int { (n + 31) / 32 * 32 }

    /// Distance between output slices: paddedCount(n) rounded up to whole 4 KiB pages, so every slice
    /// starts at the same offset within a page, `outputOffset` past x's; from 1 MiB on, 17 pages more,
    /// so that consecutive slices never lie a power of two apart. Where they did (256 MiB at n = 64M), the
    /// write passes and the copy loop ran well below their speed at the neighbouring sizes, and at it with
    /// the 17 pages (the previous call's write-backs and this call's writes, presumably meeting in the same
    /// DRAM banks; numbers in docs/protocol.md).
    public static func sliceStride(_ n: Int) -> Int {
        let pages = (paddedCount(n) + 1023) / 1024
        return (pages >= 256 ? pages + 17 : pages) * 1024
    }

    /// Elements from the output buffer's (page-aligned) start to the first slice: half a page, so that
    /// y[i] never shares the low 12 address bits with x[i]. When it did (x and every slice page-aligned,
    /// as at the power-of-two sizes 256K and 64M), the core took the stores to y[i] for possible
    /// sources of the loads of x[i] (4K aliasing), and the store passes ran at about half their speed at
    /// the neighbouring sizes (docs/protocol.md).
    public static let outputOffset = 512

    /// The order in which contenders run in round `round`: a fresh permutation each round, drawn from
    /// `seed`, so a run is reproducible. Each contender runs first, last and in between alike, so drift
    /// affects all alike, and it follows a different contender each round: the calls before a call decide
    /// what state its output slice is in (the slice was last written one rotation ago, by whoever ran
    /// then), and a fixed order would give each contender the same predecessors, and so a state of its own.
    /// Rotating a fixed list by one per round did that: in-place vscale measured well below the `scale`
    /// reference, though the two are the same loop; placed in each other's positions they swapped
    /// (docs/protocol.md).
    public static func order(contenders count: Int, round: Int, seed: UInt64 = 0) -> [Int] {
        guard count > 0 else { return [] }
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed ^ (UInt64(round) &* 0x9E37_79B9_7F4A_7C15))
        // Fisher-Yates with our generator: Swift's shuffle(using:) does not promise the same result
        // across versions.
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }

    /// Calls per sample, so that a sample lasts at least `minSampleSeconds` at `secondsPerCall`.
    public static func callsPerSample(secondsPerCall: Double, minSampleSeconds: Double) -> Int {
        guard secondsPerCall > 0 else { return 1 }
        return Swift.max(1, Int((minSampleSeconds / secondsPerCall).rounded(.up)))
    }
}

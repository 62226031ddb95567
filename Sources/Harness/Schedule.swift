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

    /// The order in which contenders run in round `round`: rotated by one each round, so that each
    /// contender runs first, second, ... equally often and drift affects all alike.
    public static func order(contenders count: Int, round: Int) -> [Int] {
        guard count > 0 else { return [] }
        return (0..<count).map { ($0 + round) % count }
    }

    /// Calls per sample, so that a sample lasts at least `minSampleSeconds` at `secondsPerCall`.
    public static func callsPerSample(secondsPerCall: Double, minSampleSeconds: Double) -> Int {
        guard secondsPerCall > 0 else { return 1 }
        return Swift.max(1, Int((minSampleSeconds / secondsPerCall).rounded(.up)))
    }
}

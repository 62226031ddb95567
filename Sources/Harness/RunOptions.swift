import Foundation
import Softmax

/// What a user may change about a run from the command line.
public struct RunOptions: Sendable {
    public var experimentsFolder: URL
    public var resultsFolder: URL
    /// The CPU (OS index) to pin the worker to; nil lets the tool choose and record it.
    public var cpu: Int?
    /// Restricts the run to these ISAs; each must be supported (strict, unlike the experiment file).
    public var isas: [ISA]?
    /// Replaces the experiment's presets.
    public var presets: [String]?
    public var samples: Int?
    public var resume = false
    public var overwrite = false
    /// Where a tune run writes the tuned preset, and where `tuned` is looked for first (then in the
    /// experiments folder's presets/); nil: the experiments folder's presets/ only.
    public var localPresetsFolder: URL?
    /// Wait for another run holding this experiment's CSV or the measuring CPU, instead of refusing.
    public var wait = false
    /// Measure on a CPU another run is measuring on (both runs' timings suffer); recorded in the metadata.
    public var shareCPU = false
    /// Run even when the run time estimated before measuring exceeds `Runner.longRunLimitSeconds`.
    public var allowLong = false
    /// Size the rotating output slices (and tune's streaming-crossover ladder) for a last-level cache of
    /// this many bytes instead of this machine's; nil: the machine's. Smaller than the real cache, timed
    /// calls may write cache-resident outputs, so such a run is for checks, not for timings (recorded in
    /// the metadata's run_options, which `make reference` refuses). Tests use it so that their tiny runs do
    /// not allocate a server's LLC (hundreds of MiB) for every size and every round.
    public var llcBytes: Int?
    /// Folder of the machine-wide per-CPU locks.
    public var cpuLocksFolder = URL(fileURLWithPath: ResultsLayout.cpuLocks)
    /// What the lock files say is running.
    public var command = currentCommandLine

    public init(experimentsFolder: URL, resultsFolder: URL) {
        self.experimentsFolder = experimentsFolder
        self.resultsFolder = resultsFolder
    }
}

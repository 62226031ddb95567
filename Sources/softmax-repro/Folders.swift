import ArgumentParser
import Foundation
import Harness

/// Where the repository's folders are; defaults work from the repository root.
struct Folders: ParsableArguments {
    @Option(help: "Folder of experiment files.")
    var experiments = "experiments"

    @Option(help: "Folder a run writes its results to (and --resume reads); `show` looks here first, then in \(ResultsLayout.referenceResults)/.")
    var results = ResultsLayout.localResults

    @Option(help: "Folder a tune run writes the tuned preset to (tuned/<processor-id>.json); runs read `tuned` from here first, then from experiments/presets/.")
    var localPresets = ResultsLayout.localPresets

    func experimentsURL() throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: experiments, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("no experiments folder at '\(experiments)': run from the repository root or pass --experiments PATH")
        }
        return URL(fileURLWithPath: experiments)
    }
}

/// Prints the message on stderr and exits with status 2.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}

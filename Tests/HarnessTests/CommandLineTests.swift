import Foundation
import XCTest
@testable import Harness

/// The built `softmax-repro` executable (beside this test bundle, built by `swift build --build-tests`):
/// exit statuses and messages of bad input, the default folders, `show` and `reference`.
final class CommandLineTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("cli")
        // The tiny experiment stops at its 3 samples and allocates its buffers once: the run `reference`
        // copies must rotate its outputs past this machine's whole LLC (no --llc-bytes), hundreds of MiB.
        let presets = root.appendingPathComponent("experiments/presets")
        try FileManager.default.createDirectory(at: presets, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("experiments/presets/blend.json"),
                                         to: presets.appendingPathComponent("blend.json"))
        try #"{"description": "tiny", "kind": "softmax", "sizes": [64], "samples": 3, "warmup_samples": 0, "min_sample_seconds": 0.0001, "max_rounds": 3, "rounds_per_allocation": 0, "algorithms": ["two-pass"], "isas": ["portable"]}"#
            .write(to: root.appendingPathComponent("experiments/tiny.json"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// The executable built beside the test bundle.
    var executable: URL {
        get throws {
            var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            // swift test runs .build/<configuration>/<package>PackageTests.xctest (a file on Linux).
            for _ in 0..<3 {
                let candidate = folder.appendingPathComponent("softmax-repro")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder.deleteLastPathComponent()
            }
            let fallback = repositoryRoot.appendingPathComponent(".build/debug/softmax-repro")
            guard FileManager.default.isExecutableFile(atPath: fallback.path) else {
                XCTFail("no softmax-repro executable beside \(CommandLine.arguments[0]) nor at \(fallback.path): run `swift build --build-tests` first")
                throw HarnessError.platform("no executable")
            }
            return fallback
        }
    }

    /// Runs the executable in `root` with private per-CPU locks; returns its status, stdout and stderr.
    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["SOFTMAX_REPRO_CPU_LOCKS"] = root.appendingPathComponent("cpu-locks").path
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testCommandLineErrorsExitWithStatus2AndHelpWith0() throws {
        for arguments in [["run"], ["run", "tiny", "--samples", "many"], ["run", "tiny", "--no-such-flag"], ["frobnicate"],
                          ["run", "tiny", "--resume", "--overwrite"]] {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): expected exit 2, saw \(result.status); stderr: \(result.err)")
            XCTAssertFalse(result.err.isEmpty, "\(arguments): the parser's message should be printed")
        }
        let unknown = try run(["run", "tiny", "--no-such-flag"])
        assertContains(unknown.err, ["--no-such-flag", "--help"], "stderr of an unknown flag")
        let help = try run(["run", "--help"])
        XCTAssertEqual(help.status, 0, "--help: expected exit 0, saw \(help.status)")
        assertContains(help.out, ["--wait", "--share-cpu", "--allow-long"], "run --help")
    }

    func testANegativeCPUSaysItMustBeAtLeastZeroAndListsTheCPUs() throws {
        let result = try run(["run", "tiny", "--cpu", "-1"])
        XCTAssertEqual(result.status, 2)
        assertContains(result.err, ["--cpu must be >= 0", "-1", "this machine has CPUs"], "stderr")
        XCTAssertFalse(result.err.contains("Missing value"), "stderr: \(result.err)")
    }

    func testAnExperimentIDWithAPathExitsWith2() throws {
        let result = try run(["run", "../experiments/tiny"])
        XCTAssertEqual(result.status, 2)
        assertContains(result.err, ["not an experiment id"], "stderr")
        XCTAssertEqual(filesUnder(root.appendingPathComponent("local")), [], "nothing written")
    }

    func testARunWritesUnderLocalAndShowReadsLocalFirstThenTheReference() throws {
        // --llc-bytes: a tiny run need not rotate its outputs past this machine's whole LLC.
        let result = try run(["run", "tiny", "--cpu", "0", "--llc-bytes", "1048576"])
        XCTAssertEqual(result.status, 0, "stderr: \(result.err)")
        let csv = result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssert(csv.hasPrefix(root.appendingPathComponent("local/results/").path) || csv.hasPrefix("local/results/"), "the CSV path: \(csv)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("results").path), "nothing under results/")
        let shown = try run(["show", "tiny"])
        XCTAssertEqual(shown.status, 0, "stderr: \(shown.err)")
        assertContains(shown.err, ["reading ", "local/results/"], "show names the file it read")
        // Only a reference run: show reads it and says so.
        let processorFolder = URL(fileURLWithPath: csv.hasPrefix("/") ? csv : root.appendingPathComponent(csv).path).deletingLastPathComponent()
        let reference = root.appendingPathComponent("results").appendingPathComponent(processorFolder.lastPathComponent)
        try FileManager.default.createDirectory(at: reference.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: processorFolder, to: reference)
        let fromReference = try run(["show", "tiny"])
        XCTAssertEqual(fromReference.status, 0, "stderr: \(fromReference.err)")
        assertContains(fromReference.err, ["reading ", "results/\(processorFolder.lastPathComponent)/tiny.csv"], "show falls back to the reference run")
        XCTAssertFalse(fromReference.err.contains("local/"), "it read the reference run: \(fromReference.err)")
    }

    func testANonPositiveLLCSizeIsRefusedWithStatus2() throws {
        let result = try run(["run", "tiny", "--llc-bytes", "0"])
        XCTAssertEqual(result.status, 2, "stderr: \(result.err)")
        assertContains(result.err, ["--llc-bytes", "positive"], "stderr")
        XCTAssertEqual(filesUnder(root.appendingPathComponent("local")), [], "nothing written")
    }

    func testShowOfAFileThatIsNotResultsNeverSuggestsOverwrite() throws {
        try "a,b\n1,2\n".write(to: root.appendingPathComponent("other.csv"), atomically: true, encoding: .utf8)
        let result = try run(["show", "other.csv"])
        XCTAssertEqual(result.status, 2)
        assertContains(result.err, ["other.csv", "median_s"], "stderr")
        XCTAssertFalse(result.err.contains("--overwrite"), "a read-only command must not advise --overwrite: \(result.err)")
    }

    func testReferenceRefusesAnIncompleteRunAndCopiesACompleteOne() throws {
        let refused = try run(["reference", "tiny"])
        XCTAssertEqual(refused.status, 2)
        assertContains(refused.err, ["tiny", "make reproduce"], "stderr")
        XCTAssertEqual(try run(["run", "tiny", "--cpu", "0"]).status, 0)
        let copied = try run(["reference", "tiny"])
        XCTAssertEqual(copied.status, 0, "stderr: \(copied.err)")
        let files = filesUnder(root.appendingPathComponent("results"))
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted(), ["tiny.csv", "tiny.json"], "copied: \(files)")
    }
}

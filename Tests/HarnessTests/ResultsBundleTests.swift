import Foundation
import XCTest
@testable import Harness

/// `bundle` and `import`: one processor's results travel as a checked archive.
final class ResultsBundleTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryFolder("bundle") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testSHA256MatchesTheStandardsVectors() {
        XCTAssertEqual(SHA256.hex(of: Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty")
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "56 bytes: padding spills into a second block")
        var pieces = SHA256()
        for _ in 0..<1000 { pieces.update([UInt8](repeating: UInt8(ascii: "a"), count: 1000)) }
        XCTAssertEqual(pieces.finalize(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "a million 'a' in pieces")
    }

    // MARK: Fixtures

    struct Machine { var id = "amd-zen4-epyc"; var vendor = "AuthenticAMD"; var modelName = "AMD EPYC 9R14"; var family = 0x19; var model = 0x11; var stepping = 1 }

    /// A results folder `<root>/<machine.id>/` with one experiment's CSV (schema `schema`) and metadata.
    @discardableResult
    func writeResults(_ root: URL, _ machine: Machine = Machine(), experiment: String = "softmax-quick", median: String = "0.001",
                      schema: Int = ResultSchema.version) throws -> URL {
        let processor = root.appendingPathComponent(machine.id)
        try FileManager.default.createDirectory(at: processor, withIntermediateDirectories: true)
        var row = Dictionary(uniqueKeysWithValues: ResultSchema.columns.map { ($0, "") })
        row["schema_version"] = String(schema); row["experiment"] = experiment; row["processor_id"] = machine.id
        row["isa"] = "avx2"; row["preset"] = "blend"; row["kind"] = "softmax"; row["algorithm"] = "two-pass"; row["n"] = "1000"
        row["median_s"] = median; row["status"] = "ok"
        let csv = ResultSchema.columns.joined(separator: ",") + "\n" + ResultSchema.columns.map { row[$0]! }.joined(separator: ",") + "\n"
        try csv.write(to: processor.appendingPathComponent("\(experiment).csv"), atomically: true, encoding: .utf8)
        let metadata: [String: Any] = [
            "schema_version": schema, "experiment": experiment,
            "processor": ["id": machine.id, "vendor": machine.vendor, "model_name": machine.modelName, "family": machine.family,
                          "model": machine.model, "stepping": machine.stepping, "microarchitecture": "zen4"] as [String: Any],
        ]
        try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys]).write(to: processor.appendingPathComponent("\(experiment).json"))
        return processor
    }

    func pack(_ root: URL, _ id: String = Machine().id) throws -> URL {
        try ResultsBundle.pack(resultsFolder: root, processorID: id, outputFolder: folder.appendingPathComponent("out"), gitCommit: "0123456789abcdef0123")
    }

    /// The archive unpacked to a folder, to be edited as a damaged copy would be.
    func unpacked(_ archive: URL) throws -> URL {
        let target = folder.appendingPathComponent("unpacked-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try ResultsBundle.unpack(archive, into: target)
        return target.appendingPathComponent(Machine().id)
    }

    func assertRefused(_ what: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(what): expected a refusal, but it succeeded", file: file, line: line)
        } catch let error as ResultsBundle.Failure {
            assertContains(error.description, parts, what, file: file, line: line)
        } catch {
            XCTFail("\(what): expected ResultsBundle.Failure, saw \(error)", file: file, line: line)
        }
    }

    func contents(_ folder: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            out[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return out
    }

    // MARK: Round trip

    func testRoundTripCarriesEveryFileByteForByteWithAManifest() throws {
        let source = try writeResults(folder.appendingPathComponent("results"))
        try writeResults(folder.appendingPathComponent("results"), experiment: "accuracy-quick")
        try "old".write(to: source.appendingPathComponent("softmax-quick.csv.20260101T000000Z.bak"), atomically: true, encoding: .utf8)
        let archive = try pack(folder.appendingPathComponent("results"))
        XCTAssert(archive.lastPathComponent.hasPrefix("amd-zen4-epyc-0123456789ab-") && archive.lastPathComponent.hasSuffix(".tar.gz"),
                  "archive name: saw \(archive.lastPathComponent)")

        let manifestData = try XCTUnwrap(FileManager.default.contents(atPath: try unpacked(archive).appendingPathComponent("MANIFEST.json").path))
        let manifest = try JSONDecoder().decode(ResultsBundle.Manifest.self, from: manifestData)
        XCTAssertEqual(manifest.schemaVersion, ResultSchema.version, "manifest schema")
        XCTAssertEqual(manifest.processorID, "amd-zen4-epyc", "manifest processor")
        XCTAssertEqual(manifest.gitCommit, "0123456789abcdef0123", "manifest commit")
        XCTAssertEqual(manifest.sha256.keys.sorted(), ["accuracy-quick.csv", "accuracy-quick.json", "softmax-quick.csv", "softmax-quick.json"],
                       "the manifest lists the CSVs and metadata, not .bak copies")
        XCTAssertEqual(manifest.sha256["softmax-quick.csv"], try SHA256.hex(ofFile: source.appendingPathComponent("softmax-quick.csv").path), "checksum")

        let destination = folder.appendingPathComponent("merged")
        let report = try ResultsBundle.importBundle(archive, into: destination, replace: false)
        XCTAssertEqual(report.processorID, "amd-zen4-epyc", "imported id")
        XCTAssertNil(report.backup, "nothing replaced")
        var expected = contents(source)
        expected["softmax-quick.csv.20260101T000000Z.bak"] = nil
        XCTAssertEqual(contents(destination.appendingPathComponent("amd-zen4-epyc")), expected, "imported files, byte for byte, without the manifest")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: destination.path), ["amd-zen4-epyc"], "no staging folder left behind")

        // The unpacked folder imports the same way.
        let again = folder.appendingPathComponent("merged-from-folder")
        _ = try ResultsBundle.importBundle(try unpacked(archive), into: again, replace: false)
        XCTAssertEqual(contents(again.appendingPathComponent("amd-zen4-epyc")), expected, "imported from the unpacked folder")
    }

    func testPackRefusesAnEmptyFolderAndResultsOfAnotherSchema() throws {
        assertRefused("no results", ["no results folder", "--results"]) { _ = try self.pack(self.folder.appendingPathComponent("nothing")) }
        let old = folder.appendingPathComponent("old")
        try writeResults(old, schema: 2)
        assertRefused("schema 2", ["schema_version 2", "upgrade-results.py"]) { _ = try self.pack(old) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "no archive written")
    }

    // MARK: Refusals

    func testACorruptedArchiveIsRefusedAndTheDestinationUntouched() throws {
        let archive = try pack(try writeResults(folder.appendingPathComponent("results")).deletingLastPathComponent())
        let destination = folder.appendingPathComponent("merged")

        // A changed byte inside a file: its checksum no longer matches.
        let edited = try unpacked(archive)
        let csv = edited.appendingPathComponent("softmax-quick.csv")
        try (try String(contentsOf: csv, encoding: .utf8)).replacingOccurrences(of: "0.001", with: "0.002").write(to: csv, atomically: true, encoding: .utf8)
        assertRefused("an edited CSV", ["softmax-quick.csv", "does not match its checksum", "copy it again"]) {
            _ = try ResultsBundle.importBundle(edited, into: destination, replace: false)
        }
        // A truncated archive: tar cannot read it.
        let data = try Data(contentsOf: archive)
        let truncated = folder.appendingPathComponent("truncated.tar.gz")
        try data.prefix(data.count / 2).write(to: truncated)
        assertRefused("a truncated archive", ["truncated.tar.gz", "copy it again"]) {
            _ = try ResultsBundle.importBundle(truncated, into: destination, replace: false)
        }
        // A file listed in the manifest but missing.
        let incomplete = try unpacked(archive)
        try FileManager.default.removeItem(at: incomplete.appendingPathComponent("softmax-quick.json"))
        assertRefused("a missing file", ["softmax-quick.json", "missing"]) {
            _ = try ResultsBundle.importBundle(incomplete, into: destination, replace: false)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: destination.path), "nothing imported")
    }

    func testAFileWithoutAChecksumOrAManifestIsRefused() throws {
        let archive = try pack(try writeResults(folder.appendingPathComponent("results")).deletingLastPathComponent())
        let extra = try unpacked(archive)
        try writeResults(extra.deletingLastPathComponent(), experiment: "passes-quick")
        assertRefused("an unlisted file", ["passes-quick.csv", "has no checksum", "make bundle"]) {
            _ = try ResultsBundle.importBundle(extra, into: self.folder.appendingPathComponent("merged"), replace: false)
        }
        let bare = try writeResults(folder.appendingPathComponent("plain"))
        assertRefused("a folder without a manifest", ["MANIFEST.json", "make bundle"]) {
            _ = try ResultsBundle.importBundle(bare, into: self.folder.appendingPathComponent("merged"), replace: false)
        }
    }

    func testAnArchiveOfAnotherSchemaIsRefused() throws {
        let archive = try pack(try writeResults(folder.appendingPathComponent("results")).deletingLastPathComponent())
        let other = try unpacked(archive)
        let url = other.appendingPathComponent("MANIFEST.json")
        var manifest = try JSONDecoder().decode(ResultsBundle.Manifest.self, from: Data(contentsOf: url))
        manifest.schemaVersion = ResultSchema.version + 1
        try JSONEncoder().encode(manifest).write(to: url)
        assertRefused("another schema", ["schema \(ResultSchema.version + 1)", "reads schema \(ResultSchema.version)", "0123456789abcdef0123"]) {
            _ = try ResultsBundle.importBundle(other, into: self.folder.appendingPathComponent("merged"), replace: false)
        }
    }

    func testAnIDTheDestinationHoldsIsReplacedOnlyForTheSameHardwareAndWithReplace() throws {
        let archive = try pack(try writeResults(folder.appendingPathComponent("results"), median: "0.005").deletingLastPathComponent())
        let destination = folder.appendingPathComponent("merged")

        // Other hardware under the same id: refused, even with --replace.
        var other = Machine()
        other.stepping = 2
        let foreign = try writeResults(destination, other, median: "0.009")
        let before = contents(foreign)
        for replace in [false, true] {
            assertRefused("other hardware, replace \(replace)", ["already holds results of other hardware", "stepping 2", "stepping 1", "--into"]) {
                _ = try ResultsBundle.importBundle(archive, into: destination, replace: replace)
            }
        }
        XCTAssertEqual(contents(foreign), before, "the other machine's results are untouched")
        try FileManager.default.removeItem(at: foreign)

        // The same hardware: refused without --replace; replaced with it, the old folder kept as a .bak.
        let same = try writeResults(destination, median: "0.007")
        let old = contents(same)
        assertRefused("same hardware", ["already holds results of this processor", "--replace"]) {
            _ = try ResultsBundle.importBundle(archive, into: destination, replace: false)
        }
        XCTAssertEqual(contents(same), old, "untouched without --replace")
        let report = try ResultsBundle.importBundle(archive, into: destination, replace: true)
        let backup = try XCTUnwrap(report.backup, "a replaced folder is kept")
        XCTAssertEqual(contents(URL(fileURLWithPath: backup)), old, "the .bak holds the old results")
        XCTAssert(backup.hasSuffix(".bak"), "backup name: \(backup)")
        assertContains(String(decoding: contents(same)["softmax-quick.csv"] ?? Data(), as: UTF8.self), ["0.005"], "the new results")
    }
}

import Foundation
import Softmax

#if canImport(Glibc)
import Glibc
#endif

/// One processor's results packed for another machine: `<processor-id>/` holding every `<experiment>.csv`
/// and `.json` plus `MANIFEST.json` (the sha256 of each file, the results schema version, the processor
/// id and the harness commit), as a tar.gz. `pack` writes one; `importBundle` checks one and adds it to a
/// results folder, refusing anything it cannot vouch for before it changes the destination.
public enum ResultsBundle {
    public static let manifestName = "MANIFEST.json"
    /// The manifest's own format; a change to its keys bumps it.
    public static let manifestFormat = 1

    public struct Manifest: Codable, Equatable {
        public var format: Int
        public var schemaVersion: Int
        public var processorID: String
        public var gitCommit: String
        public var created: String
        /// File name (inside `<processor-id>/`) -> sha256, lowercase hex.
        public var sha256: [String: String]

        enum CodingKeys: String, CodingKey {
            case format, created, sha256
            case schemaVersion = "schema_version", processorID = "processor_id", gitCommit = "git_commit"
        }
    }

    /// The hardware a processor id stands for, from the metadata's `processor` object: two folders with
    /// the same id but another identity are different machines.
    public struct Hardware: Equatable, CustomStringConvertible {
        public var vendor, modelName: String
        public var family, model, stepping: Int
        public var description: String {
            "\(modelName) (\(vendor), family 0x\(String(family, radix: 16)) model 0x\(String(model, radix: 16)) stepping \(stepping))"
        }
    }

    public struct ImportReport: Equatable {
        public var processorID: String
        public var folder: String
        public var files: [String]
        /// Where the replaced results were kept (with --replace), else nil.
        public var backup: String?
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case problem(String)
        public var description: String {
            switch self { case let .problem(text): return text }
        }
    }

    // MARK: Packing

    /// The commit of this checkout, as the metadata records it: what the manifest names.
    public static func harnessCommit() -> String { Metadata.gitCommit() }

    /// Packs `resultsFolder/processorID/` into `outputFolder/<processor-id>-<commit>-<time>.tar.gz` and
    /// returns its path. The folder must hold results of this schema, each CSV with its metadata.
    public static func pack(resultsFolder: URL, processorID: String, outputFolder: URL, gitCommit: String) throws -> URL {
        let source = resultsFolder.appendingPathComponent(processorID)
        let files = try bundledFiles(in: source)
        guard files.contains(where: { $0.hasSuffix(".csv") }) else {
            throw Failure.problem("no results to bundle in \(source.path): run an experiment first (`softmax-repro run softmax-quick --results \(resultsFolder.path)`), or name the folder that holds them with --results")
        }
        _ = try checkContents(of: source, files: files, processorID: processorID)
        var manifest = Manifest(format: manifestFormat, schemaVersion: ResultSchema.version, processorID: processorID,
                                gitCommit: gitCommit, created: ISO8601DateFormatter().string(from: Date()), sha256: [:])
        let staging = try temporaryFolder("bundle")
        defer { try? FileManager.default.removeItem(at: staging) }
        let packed = staging.appendingPathComponent(processorID)
        try FileManager.default.createDirectory(at: packed, withIntermediateDirectories: true)
        for file in files {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: packed.appendingPathComponent(file))
            manifest.sha256[file] = try SHA256.hex(ofFile: packed.appendingPathComponent(file).path)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: packed.appendingPathComponent(manifestName))
        do { try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true) } catch {
            throw Failure.problem("cannot create \(outputFolder.path) for the bundle (\(error.localizedDescription)): pass a writable folder with --out")
        }
        let stamp = manifest.created.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let archive = outputFolder.appendingPathComponent("\(processorID)-\(gitCommit.prefix(12))-\(stamp).tar.gz")
        try tar(["-czf", archive.path, "-C", staging.path, processorID], what: "packing \(archive.path)")
        return archive
    }

    // MARK: Importing

    /// Checks a bundle (a .tar.gz from `pack`, or the folder it unpacks to) and copies its results to
    /// `destination/<processor-id>/`. Refused, with the destination untouched: another schema, a file
    /// without a checksum or with a wrong one, a listed file missing, a CSV without metadata, and a
    /// processor id the destination already holds (other hardware: always; the same: unless `replace`,
    /// which keeps the old folder as `.<processor-id>.<time>.bak` beside it).
    public static func importBundle(_ source: URL, into destination: URL, replace: Bool) throws -> ImportReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw Failure.problem("no bundle at \(source.path): name a .tar.gz written by `make bundle` (or `softmax-repro bundle`) or the folder it unpacks to")
        }
        var unpacked: URL?
        defer { if let u = unpacked { try? FileManager.default.removeItem(at: u) } }
        var root = source
        if !isDirectory.boolValue {
            let folder = try temporaryFolder("import")
            unpacked = folder
            try unpack(source, into: folder)
            root = folder
        }
        let bundle = try bundleFolder(under: root, source: source)
        let manifest = try readManifest(bundle.appendingPathComponent(manifestName), source: source)
        guard manifest.schemaVersion == ResultSchema.version else {
            throw Failure.problem("\(source.path) holds results of schema \(manifest.schemaVersion); this build reads schema \(ResultSchema.version): import it with the harness at its commit (\(manifest.gitCommit)), or upgrade its CSVs (scripts/upgrade-results.py) and bundle them again")
        }
        guard bundle.lastPathComponent == manifest.processorID || unpacked == nil else {
            throw Failure.problem("\(source.path): its folder is '\(bundle.lastPathComponent)' but its manifest names processor '\(manifest.processorID)': the archive was edited; bundle the results again")
        }
        let files = try bundledFiles(in: bundle)
        try verifyChecksums(of: files, in: bundle, manifest: manifest, source: source)
        let hardware = try checkContents(of: bundle, files: files, processorID: manifest.processorID)

        let target = destination.appendingPathComponent(manifest.processorID)
        let backup = try backupFolder(replacing: target, in: destination, hardware: hardware, processorID: manifest.processorID,
                                      source: source, replace: replace)
        // Copy next to the target first, so that a failed copy leaves the destination as it was.
        let staging = destination.appendingPathComponent(".\(manifest.processorID).import-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            for file in files {
                try FileManager.default.copyItem(at: bundle.appendingPathComponent(file), to: staging.appendingPathComponent(file))
            }
            if let backup { try FileManager.default.moveItem(at: target, to: backup) }
            else if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }  // empty of results
            try FileManager.default.moveItem(at: staging, to: target)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw Failure.problem("cannot write \(target.path) (\(error.localizedDescription)): import into a writable folder with --into DIR")
        }
        return ImportReport(processorID: manifest.processorID, folder: target.path, files: files, backup: backup?.path)
    }

    // MARK: Checks shared by both directions

    /// The files a bundle carries: every CSV and JSON of the folder, not hidden files or .bak copies.
    static func bundledFiles(in folder: URL) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure.problem("no results folder at \(folder.path): run an experiment first, or name the folder that holds <processor-id>/ with --results")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { ($0.hasSuffix(".csv") || $0.hasSuffix(".json")) && !$0.hasPrefix(".") && $0 != manifestName }.sorted()
    }

    /// Every CSV reads as this schema, belongs to `processorID` and has its metadata; every metadata file
    /// names this schema and processor, and all name the same hardware, which is returned.
    static func checkContents(of folder: URL, files: [String], processorID: String) throws -> Hardware {
        var hardware: Hardware?
        for file in files where file.hasSuffix(".csv") {
            let path = folder.appendingPathComponent(file).path
            let table: ResultTable
            do { table = try ResultTable(path: path) } catch {
                throw Failure.problem("\(path): \(error): upgrade it (scripts/upgrade-results.py) or leave it out of the results folder")
            }
            if let other = table.rows.first(where: { $0["processor_id"] != processorID }) {
                throw Failure.problem("\(path) holds rows of processor '\(other["processor_id"] ?? "")' in the folder of '\(processorID)': move them to their own folder")
            }
            let metadata = String(file.dropLast(4)) + ".json"
            guard files.contains(metadata) else {
                throw Failure.problem("\(path) has no metadata (\(metadata)) beside it: results travel with the metadata of the run that wrote them; measure again or add the file")
            }
        }
        for file in files where file.hasSuffix(".json") {
            let path = folder.appendingPathComponent(file).path
            let (schema, seen) = try readMetadata(path)
            guard schema == ResultSchema.version else {
                throw Failure.problem("\(path) has schema_version \(schema.map(String.init) ?? "none"); this build reads \(ResultSchema.version): upgrade the results (scripts/upgrade-results.py) or use the harness of their commit")
            }
            guard seen.id == processorID else {
                throw Failure.problem("\(path) describes processor '\(seen.id)' in the folder of '\(processorID)': move it to its own folder")
            }
            if let h = hardware, h != seen.hardware {
                throw Failure.problem("\(path) describes \(seen.hardware), other files of \(processorID) \(h): one folder holds one processor's results; separate them")
            }
            hardware = seen.hardware
        }
        guard let hardware else {
            throw Failure.problem("\(folder.path) has no metadata (<experiment>.json): results travel with the metadata of the run that wrote them")
        }
        return hardware
    }

    /// The hardware of the results already in `folder`, nil when it holds none.
    static func existingHardware(in folder: URL) throws -> Hardware? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            if let metadata = try? readMetadata(folder.appendingPathComponent(name).path) { return metadata.1.hardware }
        }
        if names.contains(where: { $0.hasSuffix(".csv") }) {
            throw Failure.problem("\(folder.path) holds results without readable metadata, so they cannot be compared with the bundle's hardware: move them away or import into another folder with --into DIR")
        }
        return nil
    }

    static func readMetadata(_ path: String) throws -> (schema: Int?, (id: String, hardware: Hardware)) {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.problem("\(path) is not a metadata file (a JSON object): remove it from the results folder or measure again")
        }
        guard let processor = object["processor"] as? [String: Any],
              let id = processor["id"] as? String, let vendor = processor["vendor"] as? String,
              let modelName = processor["model_name"] as? String, let family = processor["family"] as? Int,
              let model = processor["model"] as? Int, let stepping = processor["stepping"] as? Int else {
            throw Failure.problem("\(path) lacks the processor's identity (processor.id, vendor, model_name, family, model, stepping): it is not softmax-repro metadata of schema \(ResultSchema.version)")
        }
        return (object["schema_version"] as? Int,
                (id, Hardware(vendor: vendor, modelName: modelName, family: family, model: model, stepping: stepping)))
    }

    static func readManifest(_ url: URL, source: URL) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Failure.problem("\(source.path) has no \(manifestName) (the checksums): it is not a bundle of `make bundle`; bundle the results with it")
        }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw Failure.problem("\(source.path): \(manifestName) is not valid (\(describeDecoding(error))): bundle the results again")
        }
        guard manifest.format == manifestFormat else {
            throw Failure.problem("\(source.path): \(manifestName) has format \(manifest.format); this build reads format \(manifestFormat): import it with the harness at its commit (\(manifest.gitCommit))")
        }
        return manifest
    }

    /// The folder that holds MANIFEST.json: `root` itself or its one subfolder.
    static func bundleFolder(under root: URL, source: URL) throws -> URL {
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(manifestName).path) { return root }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }
        if entries.count == 1, FileManager.default.fileExists(atPath: root.appendingPathComponent(entries[0]).appendingPathComponent(manifestName).path) {
            return root.appendingPathComponent(entries[0])
        }
        throw Failure.problem("\(source.path) has no \(manifestName) (the checksums): it is not a bundle of `make bundle`; bundle the results with it")
    }

    /// Every file of the bundle has its checksum in the manifest, every checksum names a plain file that is
    /// there, and each file matches it.
    static func verifyChecksums(of files: [String], in bundle: URL, manifest: Manifest, source: URL) throws {
        for file in files where manifest.sha256[file] == nil {
            throw Failure.problem("\(source.path): '\(file)' has no checksum in \(manifestName): the archive was edited after packing; bundle the results again with `make bundle`")
        }
        for (file, expected) in manifest.sha256.sorted(by: { $0.key < $1.key }) {
            guard isPlainName(file) else {
                throw Failure.problem("\(source.path): \(manifestName) names '\(file)', which is not a file name of a results folder; bundle the results again")
            }
            let path = bundle.appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw Failure.problem("\(source.path): '\(file)' is listed in \(manifestName) but missing: the archive is incomplete; copy it again or bundle the results again")
            }
            let seen = try SHA256.hex(ofFile: path)
            guard seen == expected.lowercased() else {
                throw Failure.problem("\(source.path): '\(file)' does not match its checksum (sha256 \(seen), manifest \(expected)): the archive is corrupted or was edited; copy it again or bundle the results again")
            }
        }
    }

    /// Where the results already in `target` go when the import replaces them (nil: there are none).
    /// Results of other hardware under the same id, or of this hardware without --replace, are refused.
    static func backupFolder(replacing target: URL, in destination: URL, hardware: Hardware, processorID: String,
                             source: URL, replace: Bool) throws -> URL? {
        guard let existing = try existingHardware(in: target) else { return nil }
        guard existing == hardware else {
            throw Failure.problem("\(target.path) already holds results of other hardware under the id '\(processorID)': \(existing) there, \(hardware) in \(source.path); import into another folder with --into DIR")
        }
        guard replace else {
            throw Failure.problem("\(target.path) already holds results of this processor (\(hardware)): pass --replace to replace them (the old folder is kept as a .bak), or import into another folder with --into DIR")
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        // Hidden, so that readers of the results folder (plots/, which takes every other folder for a
        // processor) skip it; .bak, so that git ignores it.
        return destination.appendingPathComponent(".\(processorID).\(stamp)-\(getpid()).bak")
    }

    // MARK: Archives

    /// Unpacks after checking that every entry is a plain file or folder inside one top folder.
    static func unpack(_ archive: URL, into folder: URL) throws {
        let listing = try tar(["-tvzf", archive.path], what: "reading \(archive.path)")
        for line in listing.split(separator: "\n") where !(line.first == "-" || line.first == "d") {
            throw Failure.problem("\(archive.path) holds an entry that is not a plain file or folder (\(line)): it is not a bundle of `make bundle`")
        }
        let names = try tar(["-tzf", archive.path], what: "reading \(archive.path)").split(separator: "\n").map(String.init)
        for name in names where name.hasPrefix("/") || name.split(separator: "/").contains("..") {
            throw Failure.problem("\(archive.path) holds the entry '\(name)', outside its own folder: it is not a bundle of `make bundle`; refusing to unpack it")
        }
        _ = try tar(["-xzf", archive.path, "-C", folder.path, "--no-same-owner", "--no-same-permissions"], what: "unpacking \(archive.path)")
    }

    @discardableResult
    static func tar(_ arguments: [String], what: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw Failure.problem("\(what): cannot run tar (\(error.localizedDescription)): install tar")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure.problem("\(what) failed (\(reason)): the archive is damaged or not a tar.gz; copy it again or bundle the results again")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.hasPrefix(".")
    }

    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("softmax-repro-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func describeDecoding(_ error: Error) -> String { describe(decodingError: error) }
}

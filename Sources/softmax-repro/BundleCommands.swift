import ArgumentParser
import Foundation
import Harness
import Platform

struct BundleResults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Pack one processor's results (CSVs, metadata, a sha256 manifest) into a .tar.gz for `import` on another machine.")

    @OptionGroup var folders: Folders

    @Option(help: "Processor id of the folder to pack (default: this machine's).")
    var processor: String?

    @Option(help: "Folder the archive is written to.")
    var out = "local"

    func run() throws {
        do {
            let archive = try ResultsBundle.pack(resultsFolder: URL(fileURLWithPath: folders.results),
                                                 processorID: processor ?? CPUIdentity.current().id,
                                                 outputFolder: URL(fileURLWithPath: out), gitCommit: ResultsBundle.harnessCommit())
            print(archive.path)
        } catch let error as ResultsBundle.Failure {
            throw fail(error.description)
        }
    }
}

struct ImportResults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check a bundle (schema, metadata, checksums) and add its processor's results to a results folder.",
        discussion: """
            Refused with exit status 2, nothing changed: another schema version, a file without a checksum or \
            with a wrong one, or a processor id the destination already holds (other hardware: always; the \
            same hardware: unless --replace, which keeps the old folder as a .bak).
            """)

    @Argument(help: "A .tar.gz written by `bundle` (`make bundle`), or the folder it unpacks to.")
    var source: String

    @OptionGroup var folders: Folders

    @Option(help: "Results folder to import into (default: the --results folder).")
    var into: String?

    @Flag(help: "Replace results of the same hardware already in the destination (the old folder is kept as a .bak).")
    var replace = false

    func run() throws {
        do {
            let report = try ResultsBundle.importBundle(URL(fileURLWithPath: source), into: URL(fileURLWithPath: into ?? folders.results), replace: replace)
            if let backup = report.backup { FileHandle.standardError.write(Data("note: kept the replaced results as \(backup)\n".utf8)) }
            FileHandle.standardError.write(Data("imported \(report.files.count) files of \(report.processorID)\n".utf8))
            print(report.folder)
        } catch let error as ResultsBundle.Failure {
            throw fail(error.description)
        }
    }
}

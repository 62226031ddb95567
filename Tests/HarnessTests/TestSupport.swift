import Foundation
import XCTest
@testable import Harness

/// Helpers shared by the harness tests. Every assertion helper says what it expected and what it saw.

/// The repository root, found from this file (Tests/HarnessTests/TestSupport.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// What a fixture row of `kind` measures, by name (an algorithm, a pass family or a reference loop); a name
/// that is not one of its column's is a mistake in the test, so it stops there.
func fixtureSubject(_ kind: ResultRow.Kind, _ name: String) -> ResultRow.Subject {
    guard let subject = ResultRow.Subject(kind: kind, name: name) else { preconditionFailure("fixture: '\(name)' is not a \(kind) row's subject") }
    return subject
}

/// One CSV line of schema `version`: that version's columns, in its order, filled from `cells` (absent: empty).
func csvLine(ofSchemaVersion version: Int, _ cells: [String: String]) -> String {
    ResultSchema.columns(version: version).map { $0 == "schema_version" ? String(version) : csvEscape(cells[$0] ?? "") }
        .joined(separator: ",")
}

/// A fresh folder under the system temporary folder; the caller removes it.
func makeTemporaryFolder(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("harness-tests-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `body` and asserts it throws a HarnessError; returns it (nil after recording a failure).
@discardableResult
func assertHarnessError<T>(_ what: String, file: StaticString = #filePath, line: UInt = #line,
                           _ body: () throws -> T) -> HarnessError? {
    do {
        let value = try body()
        XCTFail("\(what): expected a HarnessError, but it succeeded with \(value)", file: file, line: line)
        return nil
    } catch let error as HarnessError {
        return error
    } catch {
        XCTFail("\(what): expected a HarnessError, saw \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// Asserts `text` contains every one of `parts` (case-sensitive), naming the missing ones and the text.
func assertContains(_ text: String, _ parts: [String], _ what: String = "message",
                    file: StaticString = #filePath, line: UInt = #line) {
    let missing = parts.filter { !text.contains($0) }
    XCTAssert(missing.isEmpty, "\(what): expected it to contain \(missing.map { "'\($0)'" }.joined(separator: ", ")); saw: \(text)",
              file: file, line: line)
}

/// Asserts two doubles agree to a relative tolerance.
func assertClose(_ seen: Double?, _ expected: Double, relative: Double = 1e-9, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let seen else {
        XCTFail("\(what): expected \(expected), saw nothing (nil / empty cell)", file: file, line: line)
        return
    }
    let error = Swift.abs(seen - expected) / Swift.max(Swift.abs(expected), .leastNormalMagnitude)
    XCTAssert(error <= relative, "\(what): expected \(expected) (within relative \(relative)), saw \(seen)", file: file, line: line)
}

/// Collects the runner's log lines; the worker thread writes them, the test thread reads them.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    var text: String { lines.joined(separator: "\n") }

    func append(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }
}

/// Every regular file under `folder`, as paths relative to it, sorted; [] if the folder does not exist.
func filesUnder(_ folder: URL) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
    var files: [String] = []
    while let next = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(next).path, isDirectory: &isDirectory),
           !isDirectory.boolValue {
            files.append(next)
        }
    }
    return files.sorted()
}

/// Parses the markdown tables of results/README.md under the heading that starts with `heading`:
/// each row's first cell's back-quoted names, with the back-quoted names of its second cell.
func readmeTableRows(heading: String) throws -> [(names: [String], meaning: String, subkeys: [String])] {
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent("results/README.md"), encoding: .utf8)
    var inSection = false
    var rows: [(names: [String], meaning: String, subkeys: [String])] = []
    for line in text.components(separatedBy: "\n") {
        if line.hasPrefix("## ") {
            inSection = line.dropFirst(3).hasPrefix(heading)
            continue
        }
        guard inSection, line.hasPrefix("| `") else { continue }
        let cells = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard cells.count >= 3 else { continue }
        let meaning = cells.dropFirst(2).joined(separator: "|")
        rows.append((backQuoted(cells[1]), meaning, backQuoted(meaning)))
    }
    return rows
}

private func backQuoted(_ s: String) -> [String] {
    s.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
}

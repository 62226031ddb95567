import Foundation
import Softmax
import XCTest
@testable import Harness

/// Issue 12's strict input: type errors that name the key, duplicate keys and values, required keys,
/// sample maxima; and a seeded property test of the parser over random valid and corrupted files.
final class ExperimentFileTests: XCTestCase {
    func parseError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let e = try Experiment.parse(Data(json.utf8), id: "x", source: "x.json")
            XCTFail("expected an error for \(json), parsed \(e)", file: file, line: line)
            return ""
        } catch let error as HarnessError {
            guard case .malformedExperiment = error else {
                XCTFail("expected malformedExperiment, saw \(error)", file: file, line: line)
                return ""
            }
            return error.description
        } catch {
            XCTFail("expected a HarnessError, saw \(error)", file: file, line: line)
            return ""
        }
    }

    func file(_ extra: String) -> String { #"{"description": "d", "kind": "softmax", "sizes": [64]"# + (extra.isEmpty ? "" : ", " + extra) + "}" }

    func testANumberThatDoesNotFitItsKeyNamesTheKeyAndTheType() {
        let cases: [(String, [String])] = [
            (#"{"description": "d", "kind": "softmax", "sizes": [64, 1000.5]}"#, ["key 'sizes[1]'", "1000.5", "whole number"]),
            (file(#""seed": -1"#), ["key 'seed'", "-1", "whole number from 0 to 18446744073709551615"]),
            (#"{"description": "d", "kind": "softmax", "sizes": [1e20]}"#, ["key 'sizes[0]'", "1e20", "whole number"]),
            (file(#""samples": "15""#), ["key 'samples'", "\"15\"", "whole number"]),
            (file(#""all_variants": 1"#), ["key 'all_variants'", "true or false"]),
            (file(#""max_size_by_isa": {"portable": 2.5}"#), ["key 'max_size_by_isa.portable'", "2.5"]),
            (file(#""input_range": [-1, 1e39]"#), ["key 'input_range[1]'", "1e39"]),
            (file(#""min_sample_seconds": 1e999"#), ["key 'min_sample_seconds'", "finite number"]),
            (file(#""description": 5"#), ["key 'description'"]),
        ]
        for (json, parts) in cases {
            let message = parseError(json)
            assertContains(message, parts, json)
            XCTAssertFalse(message.contains("not valid JSON"), "\(json): a type error is not a syntax error: \(message)")
        }
    }

    func testDuplicateKeysAreRejectedWithTheirPosition() {
        let message = parseError("{\"description\": \"d\", \"kind\": \"softmax\",\n \"sizes\": [64], \"samples\": 5,\n \"samples\": 7}")
        assertContains(message, ["key 'samples' appears twice", "first on line 2", "line 3"])
        assertContains(parseError(file(#""max_size_by_isa": {"avx2": 1, "avx2": 2}"#)), ["key 'max_size_by_isa.avx2' appears twice"])
    }

    func testARepeatedValueInAListIsRejectedNamingKeyAndValue() {
        let cases: [(String, String)] = [
            (#"{"description": "d", "kind": "softmax", "sizes": [64, 128, 64]}"#, "key 'sizes' lists 64 twice"),
            (file(#""isas": ["avx2", "avx2"]"#), "key 'isas' lists avx2 twice"),
            (file(#""algorithms": ["two-pass", "two-pass"]"#), "key 'algorithms' lists two-pass twice"),
            (file(#""presets": ["blend", "blend"]"#), "key 'presets' lists blend twice"),
        ]
        for (json, expected) in cases { assertContains(parseError(json), [expected], json) }
    }

    func testRequiredKeysAreNamedAndListedInTheReadme() throws {
        assertContains(parseError(#"{"kind": "softmax", "sizes": [64]}"#), ["key 'description' is missing", "description, kind, sizes"])
        assertContains(parseError(#"{"description": "d", "sizes": [64]}"#), ["key 'kind' is missing"])
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        assertContains(readme, ["Required keys: " + Experiment.requiredKeys.map { "`\($0)`" }.joined(separator: ", ")], "README")
    }

    func testSampleCountsAboveTheMaximumNameTheKey() {
        assertContains(parseError(file(#""samples": 1000000000000"#)), ["key 'samples'", "at most \(Experiment.maxSamples)"])
        assertContains(parseError(file(#""warmup_samples": 20000"#)), ["key 'warmup_samples'", "at most"])
        assertContains(parseError(#"{"description": "d", "kind": "accuracy", "sizes": [64], "input_ranges": [[-1, 1]], "trials": 99999}"#),
                       ["key 'trials'", "at most \(Experiment.maxTrials)"])
    }

    func testSyntaxErrorsNameTheLineAndColumn() {
        assertContains(parseError("{\"description\": \"d\",\n \"kind\": softmax}"), ["not valid JSON", "line 2", "column 10"])
        assertContains(parseError("[1, 2]"), ["top level must be a JSON object", "line 1, column 1"])
    }

    // MARK: Property test

    /// A random experiment file and what it should parse to.
    struct Generated {
        var text: String
        var keys: [String]
        var expect: (Experiment) -> [String]  // the differences, empty when as generated
    }

    func generate(_ rng: inout SplitMix64) -> Generated {
        func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        func chance(_ p: Double) -> Bool { Double(rng.next() >> 11) * 0x1p-53 < p }
        func subset<T>(_ values: [T], atLeastOne: Bool) -> [T] {
            var chosen = values.filter { _ in chance(0.5) }
            if atLeastOne && chosen.isEmpty { chosen = [pick(values)] }
            return chosen
        }
        let kind = pick([Experiment.Kind.softmax, .passes, .multicore, .accuracy])
        let description = String((0..<Int(rng.next() % 12)).map { _ in pick(Array("abc xyz\"\\/é€😀\t,:{}[]")) })
        var sizes: [Int] = []
        for _ in 0..<(1 + Int(rng.next() % 5)) {
            let n = 1 + Int(rng.next() % 100_000_000)
            if !sizes.contains(n) { sizes.append(n) }
        }
        let seed = chance(0.5) ? rng.next() : nil
        let algorithms = chance(0.6) ? subset(Algorithm.allCases, atLeastOne: true) : nil
        let isas = chance(0.6) ? subset(ISA.allCases, atLeastOne: true) : nil
        var members: [(String, String)] = [
            ("description", jsonString(description)), ("kind", jsonString(kind.rawValue)), ("sizes", "[" + sizes.map(String.init).joined(separator: ", ") + "]"),
        ]
        if let seed { members.append(("seed", String(seed))) }
        if let algorithms { members.append(("algorithms", "[" + algorithms.map { jsonString($0.rawValue) }.joined(separator: ",") + "]")) }
        if let isas { members.append(("isas", "[" + isas.map { jsonString($0.rawValue) }.joined(separator: ",") + "]")) }
        var samples: Int?
        var trials: Int?
        if kind == .accuracy {
            members.append(("input_ranges", "[[-1, 1], [1e5, 100010]]"))
            trials = chance(0.5) ? 1 + Int(rng.next() % 20) : nil
            if let trials { members.append(("trials", String(trials))) }
        } else {
            samples = chance(0.5) ? 3 + Int(rng.next() % 40) : nil
            if let samples { members.append(("samples", String(samples))) }
            if chance(0.3) { members.append(("min_sample_seconds", pick(["0.001", "1e-4", "0.5"]))) }
        }
        // Random key order and whitespace.
        for i in members.indices.reversed() { members.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        func space() -> String { pick(["", " ", "\n", "\t ", "\r\n  "]) }
        let text = "{" + space() + members.map { "\(jsonString($0.0))\(space()):\(space())\($0.1)" }.joined(separator: "," + space()) + space() + "}"
        return Generated(text: text, keys: members.map(\.0)) { e in
            var differences: [String] = []
            if e.description != description { differences.append("description \(e.description) != \(description)") }
            if e.kind != kind { differences.append("kind") }
            if e.sizes != sizes { differences.append("sizes \(e.sizes) != \(sizes)") }
            if let seed, e.seed != seed { differences.append("seed \(e.seed) != \(seed)") }
            if let algorithms, e.algorithms != algorithms { differences.append("algorithms") }
            if e.isas != isas { differences.append("isas \(String(describing: e.isas)) != \(String(describing: isas))") }
            if let samples, e.samples != samples { differences.append("samples") }
            if let trials, e.trials != trials { differences.append("trials") }
            return differences
        }
    }

    func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "/": out += "\\/"
            default:
                if scalar.value > 0xFFFF {
                    // As a surrogate pair, the way some writers do.
                    let v = scalar.value - 0x10000
                    out += String(format: "\\u%04X\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// Whether an error message points somewhere: a key or a position in the file.
    func pointsSomewhere(_ message: String) -> Bool { message.contains("key '") || message.contains("line ") }

    func testRandomValidFilesParseToWhatWasGeneratedAndCorruptedOnesFailNamingAKeyOrPosition() {
        var rng = SplitMix64(seed: 20_260_312)
        var corruptedRejected = 0
        for iteration in 0..<400 {
            let generated = generate(&rng)
            do {
                let e = try Experiment.parse(Data(generated.text.utf8), id: "random", source: "random.json")
                let differences = generated.expect(e)
                XCTAssertEqual(differences, [], "iteration \(iteration): \(generated.text)")
            } catch {
                XCTFail("iteration \(iteration): a valid file was rejected: \(error)\n\(generated.text)")
                continue
            }
            var bytes = Array(generated.text.utf8)
            let corruption = Int(rng.next() % 6)
            var mustFail = false
            switch corruption {
            case 0: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            case 1: bytes[Int(rng.next() % UInt64(bytes.count))] = Array("{}[]:,\"x-.e0 \\\u{7F}".utf8)[Int(rng.next() % 15)]
            case 2: bytes.remove(at: Int(rng.next() % UInt64(bytes.count)))
            case 3:
                // A key repeated: always an error naming it.
                let key = generated.keys[Int(rng.next() % UInt64(generated.keys.count))]
                bytes.removeLast()
                bytes += Array(", \(jsonString(key)): 1}".utf8)
                mustFail = true
            case 4:
                // A known key misspelt (an unknown key): always an error naming it.
                let key = generated.keys[Int(rng.next() % UInt64(generated.keys.count))]
                bytes.removeLast()
                bytes += Array(", \(jsonString(key + "_")): 1}".utf8)
                mustFail = true
            default:
                bytes.insert(contentsOf: Array("\"sampels\": 5, ".utf8), at: 1)
                mustFail = true
            }
            do {
                _ = try Experiment.parse(Data(bytes), id: "random", source: "random.json")
                XCTAssertFalse(mustFail, "iteration \(iteration), corruption \(corruption): accepted \(String(decoding: bytes, as: UTF8.self))")
            } catch let error as HarnessError {
                corruptedRejected += 1
                XCTAssert(pointsSomewhere(error.description),
                          "iteration \(iteration), corruption \(corruption): the error names no key nor position: \(error)\n\(String(decoding: bytes, as: UTF8.self))")
            } catch {
                XCTFail("iteration \(iteration): expected a HarnessError, saw \(type(of: error)): \(error)")
            }
        }
        XCTAssertGreaterThan(corruptedRejected, 200, "most corruptions should be rejected")
    }

    func testAKeyWithAValueOfTheWrongTypeIsRejectedNamingIt() {
        var rng = SplitMix64(seed: 7)
        let wrongValues = ["\"xyz\"", "1000.5", "-1", "1e20", "true", "null", "[]", "{}", "[\"a\", 1]", "[[1]]"]
        for iteration in 0..<300 {
            let generated = generate(&rng)
            let key = generated.keys[Int(rng.next() % UInt64(generated.keys.count))]
            let wrong = wrongValues[Int(rng.next() % UInt64(wrongValues.count))]
            // Drop the key's member and append it with the wrong value.
            guard var object = try? JSONSerialization.jsonObject(with: Data(generated.text.utf8)) as? [String: Any] else {
                XCTFail("iteration \(iteration): the generated file is not JSON: \(generated.text)")
                continue
            }
            object[key] = nil
            guard let rest = try? JSONSerialization.data(withJSONObject: object) else { continue }
            var text = String(decoding: rest, as: UTF8.self)
            text.removeLast()
            text += (object.isEmpty ? "" : ", ") + "\(jsonString(key)): \(wrong)}"
            do {
                _ = try Experiment.parse(Data(text.utf8), id: "random", source: "random.json")
                // Only a value that happens to fit the key may pass (a string description, -1 nowhere).
                XCTAssert(key == "description" && wrong == "\"xyz\"", "iteration \(iteration): accepted \(key) = \(wrong): \(text)")
            } catch let error as HarnessError {
                assertContains(error.description, ["key '\(key)"], "iteration \(iteration): \(key) = \(wrong)")
            } catch {
                XCTFail("iteration \(iteration): expected a HarnessError, saw \(error)")
            }
        }
    }
}

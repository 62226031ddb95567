import Foundation
import Softmax
import XCTest
@testable import Harness

/// Issue 12's strict input: type errors that name the key, duplicate keys and values, required keys,
/// sample maxima (the property tests over random files are in ExperimentFilePropertyTests).
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

    func testRequiredKeysAreNamedAndListedInTheUsageDocs() throws {
        assertContains(parseError(#"{"kind": "softmax", "sizes": [64]}"#), ["key 'description' is missing", "description, kind, sizes"])
        assertContains(parseError(#"{"description": "d", "sizes": [64]}"#), ["key 'kind' is missing"])
        let usage = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/usage.md"), encoding: .utf8)
        assertContains(usage, ["Required keys: " + Experiment.requiredKeys.map { "`\($0)`" }.joined(separator: ", ")], "docs/usage.md")
    }

    func testSampleCountsAboveTheMaximumNameTheKey() {
        assertContains(parseError(file(#""samples": 1000000000000"#)), ["key 'samples'", "at most \(Experiment.maxSamples)"])
        assertContains(parseError(file(#""warmup_samples": 20000"#)), ["key 'warmup_samples'", "at most"])
        assertContains(parseError(#"{"description": "d", "kind": "accuracy", "sizes": [64], "input_ranges": [[-1, 1]], "trials": 99999}"#),
                       ["key 'trials'", "at most \(AccuracySpec.maxTrials)"])
    }

    func testSyntaxErrorsNameTheLineAndColumn() {
        assertContains(parseError("{\"description\": \"d\",\n \"kind\": softmax}"), ["not valid JSON", "line 2", "column 10"])
        assertContains(parseError("[1, 2]"), ["top level must be a JSON object", "line 1, column 1"])
    }
}

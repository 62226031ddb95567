import Foundation
import Platform
import Softmax
import XCTest
@testable import Harness

final class ExperimentTests: XCTestCase {
    /// Parses `json` and returns the malformedExperiment message, failing if it parses or fails otherwise.
    func parseError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let error = assertHarnessError("parsing \(json)", file: file, line: line) {
            try Experiment.parse(Data(json.utf8), id: "test", source: "test.json")
        }
        guard let error else { return "" }
        guard case let .malformedExperiment(source, why) = error else {
            XCTFail("parsing \(json): expected malformedExperiment, saw \(error)", file: file, line: line)
            return ""
        }
        XCTAssertEqual(source, "test.json", "the error should name the file: expected 'test.json', saw '\(source)'", file: file, line: line)
        XCTAssert(error.description.hasPrefix("test.json: "), "description should start with the file: saw \(error.description)",
                  file: file, line: line)
        return why
    }

    // MARK: Valid files

    func testMinimalFileGetsTheDocumentedDefaults() throws {
        let json = #"{"description": "d", "kind": "softmax", "sizes": [1000, 4096]}"#
        let e = try Experiment.parse(Data(json.utf8), id: "minimal", source: "minimal.json")
        XCTAssertEqual(e.id, "minimal", "id: expected 'minimal', saw '\(e.id)'")
        XCTAssertEqual(e.description, "d", "description: expected 'd', saw '\(e.description)'")
        XCTAssertEqual(e.kind, .softmax, "kind: expected softmax, saw \(e.kind)")
        XCTAssertEqual(e.sizes, [1000, 4096], "sizes: expected [1000, 4096], saw \(e.sizes)")
        XCTAssertEqual(e.samples, 15, "default samples: expected 15, saw \(e.samples)")
        XCTAssertEqual(e.warmupSamples, 2, "default warmup_samples: expected 2, saw \(e.warmupSamples)")
        XCTAssertEqual(e.presets, ["blend"], "default presets: expected [\"blend\"], saw \(e.presets)")
        XCTAssertEqual(e.algorithms, [.twoPass, .threePassRecompute, .threePassReload, .online],
                       "default algorithms: expected all four, saw \(e.algorithms)")
        XCTAssertEqual(e.algorithms, Algorithm.allCases, "default algorithms: expected Algorithm.allCases, saw \(e.algorithms)")
        XCTAssertNil(e.isas, "default isas: expected nil (every supported ISA), saw \(String(describing: e.isas))")
        XCTAssertEqual(e.minSampleSeconds, 0.001, "default min_sample_seconds: expected 0.001, saw \(e.minSampleSeconds)")
        XCTAssertEqual(e.seed, 42, "default seed: expected 42, saw \(e.seed)")
        XCTAssertEqual(e.inputRange, [-1000, 1000], "default input_range: expected [-1000, 1000], saw \(e.inputRange)")
        XCTAssertEqual(e.sumTolerance, 1e-3, "default sum_tolerance: expected 1e-3, saw \(e.sumTolerance)")
        XCTAssertEqual(e.maxSizeByISA, [:], "default max_size_by_isa: expected empty, saw \(e.maxSizeByISA)")
        XCTAssertFalse(e.allVariants, "default all_variants: expected false")
        XCTAssertEqual(e.references, [], "softmax default references: expected none, saw \(e.references)")
    }

    func testPassesFileDefaultsToAllFourReferences() throws {
        let json = #"{"description": "d", "kind": "passes", "sizes": [64]}"#
        let e = try Experiment.parse(Data(json.utf8), id: "p", source: "p.json")
        XCTAssertEqual(e.kind, .passes, "kind: expected passes, saw \(e.kind)")
        XCTAssertEqual(e.references, ["read", "copy", "copy_nt", "scale", "write"], "passes default references: expected all five, saw \(e.references)")
    }

    func testEveryKeyIsReadWithItsSnakeCaseName() throws {
        let json = """
            {"description": "all keys", "kind": "passes", "algorithms": ["two-pass"], "isas": ["avx2", "portable"],
             "presets": ["blend", "other"], "all_variants": true, "references": ["copy"], "sizes": [64, 128],
             "max_size_by_isa": {"portable": 64}, "samples": 5, "warmup_samples": 0, "min_sample_seconds": 0.0001,
             "seed": 7, "input_range": [-1, 1], "sum_tolerance": 0.01}
            """
        let e = try Experiment.parse(Data(json.utf8), id: "all", source: "all.json")
        XCTAssertEqual(e.algorithms, [.twoPass], "algorithms: saw \(e.algorithms)")
        XCTAssertEqual(e.isas, [.avx2, .portable], "isas: saw \(String(describing: e.isas))")
        XCTAssertEqual(e.presets, ["blend", "other"], "presets: saw \(e.presets)")
        XCTAssertTrue(e.allVariants, "all_variants: expected true")
        XCTAssertEqual(e.references, ["copy"], "references: saw \(e.references)")
        XCTAssertEqual(e.maxSizeByISA, ["portable": 64], "max_size_by_isa: saw \(e.maxSizeByISA)")
        XCTAssertEqual(e.samples, 5, "samples: saw \(e.samples)")
        XCTAssertEqual(e.warmupSamples, 0, "warmup_samples: saw \(e.warmupSamples)")
        XCTAssertEqual(e.minSampleSeconds, 0.0001, "min_sample_seconds: saw \(e.minSampleSeconds)")
        XCTAssertEqual(e.seed, 7, "seed: saw \(e.seed)")
        XCTAssertEqual(e.inputRange, [-1, 1], "input_range: saw \(e.inputRange)")
        XCTAssertEqual(e.sumTolerance, 0.01, "sum_tolerance: saw \(e.sumTolerance)")
    }

    func testSizesForISAHonoursMaxSizeByISA() throws {
        let json = #"{"description": "d", "kind": "softmax", "sizes": [64, 1000, 4096], "max_size_by_isa": {"portable": 1000, "avx512f": 63}}"#
        let e = try Experiment.parse(Data(json.utf8), id: "capped", source: "capped.json")
        XCTAssertEqual(e.sizes(for: .portable), [64, 1000], "portable capped at 1000 (inclusive): saw \(e.sizes(for: .portable))")
        XCTAssertEqual(e.sizes(for: .avx2), [64, 1000, 4096], "avx2 has no cap: saw \(e.sizes(for: .avx2))")
        XCTAssertEqual(e.sizes(for: .avx512f), [], "avx512f capped below every size: saw \(e.sizes(for: .avx512f))")
    }

    // MARK: Invalid files

    func testUnknownKeyIsNamedWithTheClosestKnownKey() {
        let why = parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "sampels": 5}"#)
        assertContains(why, ["unknown key 'sampels'", "did you mean 'samples'?"])
        let other = parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "warmup_sample": 1}"#)
        assertContains(other, ["unknown key 'warmup_sample'", "did you mean 'warmup_samples'?"])
        let camel = parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "maxSizeByIsa": {}}"#)
        assertContains(camel, ["unknown key 'maxSizeByIsa'", "did you mean 'max_size_by_isa'?"])
    }

    func testWrongTypeNamesTheKeyAsTheFileSpellsIt() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "samples": "many"}"#),
                       ["'samples'"], "samples as a string")
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": "64"}"#), ["'sizes'"], "sizes as a string")
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "warmup_samples": "two"}"#),
                       ["'warmup_samples'"], "warmup_samples as a string")
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "max_size_by_isa": {"portable": "big"}}"#),
                       ["max_size_by_isa"], "max_size_by_isa value as a string")
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "isas": ["avx3"]}"#),
                       ["isas", "avx3"], "unknown ISA in isas")
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "algorithms": ["four-pass"]}"#),
                       ["algorithms", "four-pass"], "unknown algorithm")
        assertContains(parseError(#"{"description": "d", "kind": "sortmax", "sizes": [64]}"#), ["kind", "sortmax"], "unknown kind")
    }

    func testMissingRequiredKeyIsNamed() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax"}"#), ["key 'sizes' is missing"])
        assertContains(parseError(#"{"kind": "softmax", "sizes": [64]}"#), ["key 'description' is missing"])
    }

    func testEmptyOrNonPositiveSizesAreRejected() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": []}"#), ["'sizes'", "empty"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64, -5]}"#), ["'sizes'", "-5", "positive"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [0]}"#), ["'sizes'", "0", "positive"])
    }

    func testFewerThanThreeSamplesAreRejected() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "samples": 2}"#),
                       ["'samples'", "2", "at least 3"])
        XCTAssertNoThrow(try Experiment.parse(Data(#"{"description": "d", "kind": "softmax", "sizes": [64], "samples": 3}"#.utf8),
                                              id: "t", source: "t.json"), "samples = 3 should be accepted")
    }

    func testOtherProtocolValuesAreChecked() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "warmup_samples": -1}"#), ["'warmup_samples'"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "min_sample_seconds": 0}"#), ["'min_sample_seconds'"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "input_range": [1, -1]}"#), ["'input_range'"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "sum_tolerance": 0}"#), ["'sum_tolerance'"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "algorithms": []}"#), ["'algorithms'", "empty"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "presets": []}"#), ["'presets'", "empty"])
        assertContains(parseError(#"{"description": "d", "kind": "passes", "sizes": [64], "references": ["memcpy"]}"#),
                       ["'references'", "memcpy", "read, copy, copy_nt, scale, write"])
    }

    func testCrossoverSizesAreReadForTuneAndRefusedElsewhere() throws {
        let tune = try Experiment.parse(Data(#"{"description": "d", "kind": "tune", "sizes": [64], "crossover_sizes": [1000, 2000]}"#.utf8),
                                        id: "t", source: "t.json")
        XCTAssertEqual(tune.spec(as: TuneSpec.self).crossoverSizes, [1000, 2000])
        XCTAssertNil(try Experiment.parse(Data(#"{"description": "d", "kind": "tune", "sizes": [64]}"#.utf8), id: "t", source: "t.json").spec(as: TuneSpec.self).crossoverSizes,
                     "absent: derived from the LLC at run time")
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "crossover_sizes": [1000]}"#),
                       ["'crossover_sizes'", "tune experiments only"])
        assertContains(parseError(#"{"description": "d", "kind": "tune", "sizes": [64], "crossover_sizes": []}"#), ["'crossover_sizes'", "empty"])
        assertContains(parseError(#"{"description": "d", "kind": "tune", "sizes": [64], "crossover_sizes": [0]}"#), ["'crossover_sizes'", "positive"])
    }

    func testMaxSizeByISAWithAnUnknownISAIsRejected() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "max_size_by_isa": {"sse9": 10}}"#),
                       ["'max_size_by_isa'", "'sse9'", "portable, avx2, avx512f"])
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64], "max_size_by_isa": {"avx2": 0}}"#),
                       ["max_size_by_isa.avx2", "positive"])
    }

    func testInvalidJSONIsReportedAsSuch() {
        assertContains(parseError(#"{"description": "d", "kind": "softmax", "sizes": [64]"#), ["not valid JSON"])
        assertContains(parseError(#"{"description": "d", "kind": softmax, "sizes": [64]}"#), ["not valid JSON"])
        assertContains(parseError("not json at all"), ["not valid JSON"])
        assertContains(parseError("[1, 2]"), ["JSON object"])
    }

    // MARK: Loading by id

    func testUnknownExperimentSuggestsTheClosestName() {
        let folder = repositoryRoot.appendingPathComponent("experiments")
        let error = assertHarnessError("loading 'softmax-quik'") { try Experiment.load(id: "softmax-quik", folder: folder) }
        guard let error else { return }
        guard case let .unknownExperiment(id, suggestions, path) = error else {
            return XCTFail("expected unknownExperiment, saw \(error)")
        }
        XCTAssertEqual(id, "softmax-quik", "the error should name the id asked for: saw '\(id)'")
        XCTAssertEqual(suggestions.first, "softmax-quick", "closest experiment: expected 'softmax-quick' first, saw \(suggestions)")
        XCTAssertEqual(path, folder.path, "the error should name the folder searched: expected \(folder.path), saw \(path)")
        assertContains(error.description, ["'softmax-quik'", "did you mean 'softmax-quick'", "softmax-repro list"])
    }

    func testUnknownExperimentInAMissingFolderStillExplains() {
        let folder = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)")
        let error = assertHarnessError("loading from a missing folder") { try Experiment.load(id: "x", folder: folder) }
        guard let error else { return }
        XCTAssertEqual(error, .unknownExperiment("x", suggestions: [], folder: folder.path), "saw \(error)")
        XCTAssertFalse(error.description.isEmpty, "expected a message")
    }

    func testListReturnsSortedIdsWithoutExtension() throws {
        let ids = try Experiment.list(folder: repositoryRoot.appendingPathComponent("experiments"))
        XCTAssertEqual(ids, ids.sorted(), "list should be sorted: saw \(ids)")
        XCTAssertFalse(ids.contains { $0.hasSuffix(".json") }, "ids should not end in .json: saw \(ids)")
        XCTAssertFalse(ids.contains("presets"), "the presets folder is not an experiment: saw \(ids)")
        assertContains(ids.joined(separator: " "), ["softmax-quick"], "experiment ids")
    }

    /// Every experiment shipped in experiments/ must load, name existing presets, and give a plan on every
    /// ISA (so a broken file fails CI rather than a measurement campaign).
    func testEveryShippedExperimentValidates() throws {
        let folder = repositoryRoot.appendingPathComponent("experiments")
        let ids = try Experiment.list(folder: folder)
        XCTAssertFalse(ids.isEmpty, "expected experiment files in \(folder.path), saw none")
        let runner = Runner(options: RunOptions(experimentsFolder: folder, resultsFolder: folder), log: { _ in })
        for id in ids {
            let experiment: Experiment
            do { experiment = try Experiment.load(id: id, folder: folder) } catch {
                XCTFail("experiments/\(id).json should validate; saw: \(error)")
                continue
            }
            XCTAssertEqual(experiment.id, id, "id of experiments/\(id).json: saw \(experiment.id)")
            do {
                let presets = try experiment.presets.map { try runner.loadPreset($0, processorID: "any") }
                let plan = try WorkPlan(experiment: experiment, isas: ISA.allCases, presets: presets)
                XCTAssertFalse(plan.sizes.isEmpty, "experiments/\(id).json: expected sizes to run, saw none")
                for n in plan.sizes {
                    XCTAssertFalse((plan.items[n] ?? []).isEmpty, "experiments/\(id).json: expected work at n = \(n), saw none")
                }
            } catch {
                XCTFail("experiments/\(id).json: its presets should give a plan on every ISA; saw: \(error)")
            }
        }
    }

    func testEveryShippedPresetLoads() throws {
        let folder = repositoryRoot.appendingPathComponent("experiments/presets")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        XCTAssert(names.contains("blend.json"), "expected experiments/presets/blend.json, saw \(names)")
        for name in names {
            do {
                let preset = try Preset.load(from: folder.appendingPathComponent(name))
                // blend covers every ISA; the authors' per-processor presets only AVX2, lut64perm only AVX512F.
                // Every ISA a preset lists must cover every algorithm, with one stated exception: lut64perm has
                // no two-pass, because the extended-range exp reads its 64-entry table by gathers only (its
                // two-pass would be lut64's kernels) and a preset never mixes lookups (docs/exp-kernels.md). It
                // must then lack two-pass outright, so that adding it lifts this.
                let isas = name == "blend.json" ? ISA.allCases : ISA.allCases.filter { preset.kernels[$0.rawValue] != nil }
                XCTAssertFalse(isas.isEmpty, "experiments/presets/\(name) should list kernels for at least one ISA")
                let exempt: [Algorithm] = name == "lut64perm.json" ? [.twoPass] : []
                for isa in isas {
                    for algorithm in Algorithm.allCases where !exempt.contains(algorithm) { _ = try preset.plan(algorithm, isa: isa) }
                    for algorithm in exempt {
                        XCTAssertNil(preset.kernels[isa.rawValue]?[algorithm.rawValue],
                                     "experiments/presets/\(name) now has \(algorithm.rawValue) on \(isa.rawValue): remove its exemption here")
                    }
                }
            } catch {
                XCTFail("experiments/presets/\(name) should load and cover every algorithm on each ISA it lists; saw: \(error)")
            }
        }
    }

    func testHarnessErrorMessagesNameTheProblemAndTheFix() {
        let cases: [(HarnessError, [String])] = [
            (.unsupportedISA([.avx512f], supported: [.portable, .avx2]), ["avx512f", "portable, avx2", "--isa"]),
            (.tooLarge(n: 1 << 40, bytes: 1 << 42, available: 1 << 34, experiment: "big"),
             ["1099511627776", "4 TiB", "16 GiB", "experiments/big.json", "max_size_by_isa"]),
            (.unwritableResults("/x/y", "no space"), ["/x/y", "no space", "--results"]),
            (.resultsExist("/r/e.csv"), ["/r/e.csv", "--resume", "--overwrite", ".bak"]),
            (.incompatibleResults("/r/e.csv", "bad header"), ["/r/e.csv", "bad header", "--overwrite"]),
            (.unknownPreset("tunde", folder: "/p", available: ["blend", "tuned"]), ["'tunde'", "/p/tunde.json", "blend, tuned"]),
        ]
        for (error, parts) in cases { assertContains(error.description, parts, "\(error)") }
    }

    func testFormatBytes() {
        let cases: [(Int, String)] = [(0, "0 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"), (32 << 20, "32 MiB"),
                                      (1 << 42, "4 TiB"), ((1 << 30) + (1 << 29), "1.5 GiB")]
        for (bytes, expected) in cases {
            XCTAssertEqual(formatBytes(bytes), expected, "formatBytes(\(bytes)): expected \(expected), saw \(formatBytes(bytes))")
        }
    }
}

final class SizeOptionsTests: XCTestCase {
    func testSizeLabelsAndSkippingAreReadAndChecked() throws {
        let e = try Experiment.parse(Data(#"{"description": "d", "kind": "softmax", "sizes": [10, 20], "size_labels": {"20": "twenty"}, "skip_sizes_that_do_not_fit": true}"#.utf8),
                                     id: "x", source: "x.json")
        XCTAssertEqual(e.sizeLabels, ["20": "twenty"])
        XCTAssertTrue(e.skipSizesThatDoNotFit)
        XCTAssertThrowsError(try Experiment.parse(Data(#"{"description": "d", "kind": "softmax", "sizes": [10], "size_labels": {"30": "thirty"}}"#.utf8),
                                                  id: "x", source: "x.json")) { error in
            XCTAssert("\(error)".contains("size_labels") && "\(error)".contains("30"), "expected the bad label named, saw \(error)")
        }
    }
}

final class AccuracyExperimentTests: XCTestCase {
    func parse(_ json: String) throws -> Experiment { try Experiment.parse(Data(json.utf8), id: "acc", source: "acc.json") }

    /// The malformedExperiment reason for `json`; fails the test if it parses.
    func reason(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        guard let error = assertHarnessError("parsing \(json)", file: file, line: line, { try parse(json) }) else { return "" }
        guard case let .malformedExperiment(source, why) = error else {
            XCTFail("parsing \(json): expected malformedExperiment, saw \(error)", file: file, line: line)
            return ""
        }
        XCTAssertEqual(source, "acc.json", "the error should name the file", file: file, line: line)
        return why
    }

    func accuracy(_ extra: String, ranges: String = "[[-1, 1], [1e5, 100010]]") -> String {
        #"{"description": "d", "kind": "accuracy", "sizes": [1000], "input_ranges": \#(ranges)\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    func testAccuracyFileIsReadWithDefaults() throws {
        let e = try parse(accuracy(#""masks": ["none", "10%=-inf", "all-but-one=-1e30"], "trials": 4"#))
        XCTAssertEqual(e.kind, .accuracy, "kind: expected accuracy, saw \(e.kind)")
        let spec = e.spec(as: AccuracySpec.self)
        XCTAssertEqual(spec.inputRanges.map(\.label), ["[-1,1]", "[1e5,1e5+10]"], "ranges: saw \(spec.inputRanges.map(\.label))")
        XCTAssertEqual(spec.masks.map { $0?.label ?? "none" }, ["none", "10%=-inf", "all-but-one=-1e30"], "masks: saw \(spec.masks)")
        XCTAssertEqual(spec.trials, 4, "trials: expected 4, saw \(spec.trials)")
        let defaults = try parse(accuracy(""))
        let defaultSpec = defaults.spec(as: AccuracySpec.self)
        XCTAssertEqual(defaultSpec.masks.count, 1, "default masks: expected only none, saw \(defaultSpec.masks)")
        XCTAssertNil(defaultSpec.masks[0], "default masks: expected none (nil), saw \(String(describing: defaultSpec.masks[0]))")
        XCTAssertEqual(defaultSpec.trials, 3, "default trials: expected 3, saw \(defaultSpec.trials)")
        XCTAssertEqual(defaults.algorithms, Algorithm.allCases, "default algorithms: expected all four, saw \(defaults.algorithms)")
        XCTAssertEqual(defaults.references, [], "an accuracy experiment measures no references, saw \(defaults.references)")
        XCTAssertFalse(defaults.kind.measuresPasses, "an accuracy experiment does not measure passes")
    }

    func testBadRangesAreNamed() {
        assertContains(reason(#"{"description": "d", "kind": "accuracy", "sizes": [10]}"#), ["'input_ranges'", "missing or empty"])
        assertContains(reason(accuracy("", ranges: "[]")), ["'input_ranges'", "missing or empty"])
        assertContains(reason(accuracy("", ranges: "[[-1, 0, 1]]")), ["'input_ranges[0]'", "3 numbers", "[low, high]"])
        assertContains(reason(accuracy("", ranges: "[[-1, 1], [5, 5]]")), ["'input_ranges[1]'", "low < high"])
        assertContains(reason(accuracy("", ranges: "[[-1e39, 1]]")), ["'input_ranges[0]'", "float32"])
        assertContains(reason(accuracy("", ranges: "[[1e10, 10000000001]]")), ["'input_ranges[0]'", "same float32", "widen"])
        assertContains(reason(accuracy("", ranges: "[[-1, 1], [-1.0, 1.0]]")), ["'input_ranges'", "[-1,1]", "twice"])
    }

    func testBadMasksAndTrialsAreNamed() {
        assertContains(reason(accuracy(#""masks": ["none", "10%=+5"]"#)), ["'masks[1]'", "10%=+5", "negative"])
        assertContains(reason(accuracy(#""masks": ["10%=-inf", "10%=-inf"]"#)), ["'masks'", "10%=-inf", "twice"])
        assertContains(reason(accuracy(#""masks": []"#)), ["'masks'", "empty"])
        assertContains(reason(accuracy(#""trials": 0"#)), ["'trials'", "at least one"])
        assertContains(reason(accuracy(#""algorithms": []"#)), ["'algorithms'", "empty"])
    }

    func testKeysOfTheOtherKindAreRefusedWithTheFix() {
        assertContains(reason(accuracy(#""samples": 5"#)), ["'samples'", "does not apply to an accuracy experiment", "'trials'"])
        assertContains(reason(accuracy(#""input_range": [-1, 1]"#)), ["'input_range'", "'input_ranges'"])
        assertContains(reason(accuracy(#""min_sample_seconds": 0.1"#)), ["'min_sample_seconds'", "remove it"])
        assertContains(reason(#"{"description": "d", "kind": "softmax", "sizes": [10], "trials": 2}"#),
                       ["'trials'", "only to an accuracy experiment", "softmax"])
        assertContains(reason(#"{"description": "d", "kind": "passes", "sizes": [10], "input_ranges": [[-1, 1]]}"#),
                       ["'input_ranges'", "only to an accuracy experiment"])
        assertContains(reason(accuracy(#""input_rangess": []"#)), ["unknown key 'input_rangess'", "did you mean 'input_ranges'?"])
        // One edit from both 'input_range' and 'input_ranges': the suggestion must not depend on the order
        // the known keys come in (a Set's, which changes from run to run).
        let keys = ["input_ranges", "input_range", "masks"]
        XCTAssertEqual(closestMatches(to: "input_rangs", among: keys, limit: 1), closestMatches(to: "input_rangs", among: keys.reversed(), limit: 1),
                       "a tie should be broken by name, not by the candidates' order")
    }
}

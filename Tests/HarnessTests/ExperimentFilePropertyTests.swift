import Foundation
import PropertyBased
import Softmax
import Testing
@testable import Harness

/// Property tests of the experiment-file parser (swift-property-based drives the seeds and reports a
/// failing one): random valid files parse to what was generated; corrupted files either still parse or
/// throw an error that names a key or a position in the file, and never crash.
struct ExperimentFilePropertyTests {
    /// A random experiment file and what it should parse to.
    struct Generated {
        var text: String
        var keys: [String]
        /// The differences between a parsed experiment and the generated one; empty when they agree.
        var differences: (Experiment) -> [String]
    }

    static func generate(_ rng: inout SplitMix64) -> Generated {
        func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        func chance(_ p: Double) -> Bool { Double(rng.next() >> 11) * 0x1p-53 < p }
        func subset<T>(_ values: [T]) -> [T] {
            let chosen = values.filter { _ in chance(0.5) }
            return chosen.isEmpty ? [pick(values)] : chosen
        }
        let kind = pick([Experiment.Kind.softmax, .passes, .multicore, .accuracy])
        let description = String((0..<Int(rng.next() % 12)).map { _ in pick(Array("abc xyz\"\\/é€😀\t,:{}[]")) })
        var sizes: [Int] = []
        for _ in 0..<(1 + Int(rng.next() % 5)) {
            let n = 1 + Int(rng.next() % 100_000_000)
            if !sizes.contains(n) { sizes.append(n) }
        }
        let seed = chance(0.5) ? rng.next() : nil
        let algorithms = chance(0.6) ? subset(Algorithm.allCases) : nil
        let isas = chance(0.6) ? subset(ISA.allCases) : nil
        var members: [(String, String)] = [
            ("description", jsonString(description)), ("kind", jsonString(kind.rawValue)),
            ("sizes", "[" + sizes.map(String.init).joined(separator: ", ") + "]"),
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
        var text = "{" + space()
        text += members.map { "\(jsonString($0.0))\(space()):\(space())\($0.1)" }.joined(separator: "," + space())
        text += space() + "}"
        let expected = (samples, trials)
        return Generated(text: text, keys: members.map(\.0)) { e in
            var differences: [String] = []
            if e.description != description { differences.append("description \(e.description) != \(description)") }
            if e.kind != kind { differences.append("kind \(e.kind) != \(kind)") }
            if e.sizes != sizes { differences.append("sizes \(e.sizes) != \(sizes)") }
            if let seed, e.seed != seed { differences.append("seed \(e.seed) != \(seed)") }
            if let algorithms, e.algorithms != algorithms { differences.append("algorithms \(e.algorithms) != \(algorithms)") }
            if e.isas != isas { differences.append("isas \(String(describing: e.isas)) != \(String(describing: isas))") }
            if let s = expected.0, e.samples != s { differences.append("samples \(e.samples) != \(s)") }
            if let t = expected.1, e.spec(as: AccuracySpec.self).trials != t { differences.append("trials \(e.spec(as: AccuracySpec.self).trials) != \(t)") }
            return differences
        }
    }

    /// A JSON string literal, escaping what must be escaped and writing characters beyond the BMP as
    /// surrogate pairs (as some writers do).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "/": out += "\\/"
            default:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += String(format: "\\u%04X\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether an error message points somewhere: a key or a position in the file.
    static func pointsSomewhere(_ message: String) -> Bool { message.contains("key '") || message.contains("line ") }

    static func parse(_ bytes: [UInt8]) throws -> Experiment {
        try Experiment.parse(Data(bytes), id: "random", source: "random.json")
    }

    @Test func randomValidFilesParseToWhatWasGenerated() async {
        await propertyCheck(count: 300, input: Gen.uint64().withoutShrink()) { seed in
            var rng = SplitMix64(seed: seed)
            let generated = Self.generate(&rng)
            do {
                let differences = generated.differences(try Self.parse(Array(generated.text.utf8)))
                #expect(differences.isEmpty, "\(differences) in \(generated.text)")
            } catch {
                Issue.record("a valid file was rejected: \(error)\n\(generated.text)")
            }
        }
    }

    @Test func corruptedFilesFailNamingAKeyOrAPosition() async {
        await propertyCheck(count: 600, input: Gen.uint64().withoutShrink()) { seed in
            var rng = SplitMix64(seed: seed)
            let generated = Self.generate(&rng)
            var bytes = Array(generated.text.utf8)
            let corruption = Int(rng.next() % 6)
            var mustFail = true
            switch corruption {
            case 0:  // cut off
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            case 1:  // one byte replaced (it may still be valid: a digit for a digit)
                let replacements = Array("{}[]:,\"x-.e0 \\\u{7F}".utf8)
                bytes[Int(rng.next() % UInt64(bytes.count))] = replacements[Int(rng.next() % UInt64(replacements.count))]
                mustFail = false
            case 2:  // one byte removed (it may still be valid: a space, a digit)
                bytes.remove(at: Int(rng.next() % UInt64(bytes.count)))
                mustFail = false
            case 3:  // a key given twice
                let key = generated.keys[Int(rng.next() % UInt64(generated.keys.count))]
                bytes.removeLast()
                bytes += Array(", \(Self.jsonString(key)): 1}".utf8)
            case 4:  // a known key misspelt
                let key = generated.keys[Int(rng.next() % UInt64(generated.keys.count))]
                bytes.removeLast()
                bytes += Array(", \(Self.jsonString(key + "_")): 1}".utf8)
            default:  // a typo'd key first
                bytes.insert(contentsOf: Array("\"sampels\": 5, ".utf8), at: 1)
            }
            let corrupted = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try Self.parse(bytes)
                #expect(!mustFail, "corruption \(corruption) was accepted: \(corrupted)")
            } catch let error as HarnessError {
                #expect(Self.pointsSomewhere(error.description), "corruption \(corruption): the error names no key nor position: \(error)\n\(corrupted)")
            } catch {
                Issue.record("expected a HarnessError, saw \(type(of: error)): \(error)")
            }
        }
    }

    @Test func aKeyWithAValueOfTheWrongTypeIsRejectedNamingIt() async {
        let wrongValues = ["\"xyz\"", "1000.5", "-1", "1e20", "true", "null", "[]", "{}", "[\"a\", 1]", "[[1]]"]
        await propertyCheck(count: 300, input: Gen.uint64().withoutShrink(), Gen.int(in: 0...(wrongValues.count - 1)).withoutShrink()) { seed, w in
            var rng = SplitMix64(seed: seed)
            let generated = Self.generate(&rng)
            let key = generated.keys[Int(rng.next() % UInt64(generated.keys.count))]
            let wrong = wrongValues[w]
            // The file without the key's member, then the key with the wrong value.
            guard var object = try? JSONSerialization.jsonObject(with: Data(generated.text.utf8)) as? [String: Any] else {
                Issue.record("the generated file is not JSON: \(generated.text)")
                return
            }
            object[key] = nil
            guard let rest = try? JSONSerialization.data(withJSONObject: object) else { return }
            var text = String(decoding: rest, as: UTF8.self)
            text.removeLast()
            text += (object.isEmpty ? "" : ", ") + "\(Self.jsonString(key)): \(wrong)}"
            do {
                _ = try Self.parse(Array(text.utf8))
                // Only a value that fits the key may pass: any string is a description.
                #expect(key == "description" && wrong == "\"xyz\"", "accepted \(key) = \(wrong): \(text)")
            } catch let error as HarnessError {
                #expect(error.description.contains("key '\(key)"), "\(key) = \(wrong): \(error)")
            } catch {
                Issue.record("expected a HarnessError, saw \(error)")
            }
        }
    }
}
